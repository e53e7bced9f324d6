//! A local server that behaves like the identity-verification vendors' APIs, for
//! examples and CI.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = idverify_sandbox::Sandbox::start().await?;
//! println!("{}", sandbox.signicat_authentication_url());
//! // ... point a client at it; the server stops when `sandbox` is dropped.
//! # Ok(()) }
//! ```
//!
//! One listener on 127.0.0.1 serves every API under its own path prefix
//! (`/signicat-authentication/...`) and a control API under `/_sandbox/`:
//!
//! | call | does |
//! | --- | --- |
//! | `GET /_sandbox` | the APIs with their URLs and test credentials |
//! | `GET /_sandbox/clock`, `POST /_sandbox/clock/advance` `{"seconds": N}` | read or move the sandbox clock |
//! | `GET`/`POST`/`DELETE /_sandbox/faults` | list, add (`{"api", "kind": "status"\|"latency"\|"drop", ...}`), clear faults |
//! | `GET /_sandbox/persons` | the fictional test persons |
//! | `POST /_sandbox/sessions/{api}/{id}/complete` `{"person", "outcome"}` | finish a session |
//! | `GET`/`POST /_sandbox/ui/{api}/{id}` | the end user's page (pick a person, Approve / Abort / Fail) |
//!
//! Faults of kind `drop` answer with a response whose body fails at once: the server
//! closes the connection before any byte of the answer is written, so the client sees a
//! connection closed without a response.

#![forbid(unsafe_code)]

pub mod clock;
mod control;
pub mod faults;
mod oauth;
pub mod persons;
mod util;
pub mod vendor;
pub mod vendors;

use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::sync::oneshot;

pub use clock::Clock;
pub use faults::{Fault, FaultKind, Faults};
pub use persons::{PERSONS, Person};
pub use vendor::{ControlError, Outcome, Vendor};
pub use vendors::signicat_authentication;

/// State every part of the sandbox shares.
pub(crate) struct Shared {
    pub clock: Arc<Clock>,
    pub faults: Arc<Faults>,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
}

/// The running application: shared state and the vendor APIs.
pub(crate) struct App {
    pub shared: Arc<Shared>,
    pub vendors: Vec<Arc<dyn Vendor>>,
}

impl App {
    pub fn vendor(&self, name: &str) -> Option<&Arc<dyn Vendor>> {
        self.vendors.iter().find(|v| v.name() == name)
    }

    pub fn vendor_names(&self) -> Vec<&'static str> {
        self.vendors.iter().map(|v| v.name()).collect()
    }
}

/// Starts sandboxes.
pub struct Sandbox;

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 on a free port.
    pub async fn start() -> std::io::Result<SandboxHandle> {
        Self::builder().start().await
    }

    /// A sandbox with settings (port).
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Settings of a sandbox before it starts.
#[derive(Debug, Clone, Default)]
pub struct SandboxBuilder {
    port: u16,
}

impl SandboxBuilder {
    /// The port to listen on (127.0.0.1); 0, the default, picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds and starts serving in a background task of the current tokio runtime.
    pub async fn start(self) -> std::io::Result<SandboxHandle> {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)))
                .await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            clock: Arc::new(Clock::new()),
            faults: Arc::new(Faults::new()),
            base_url: format!("http://{address}"),
        });
        let app = Arc::new(App {
            vendors: vendors::all(&shared),
            shared: shared.clone(),
        });
        let router = router(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(SandboxHandle {
            address,
            app,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running sandbox; stops serving when dropped.
pub struct SandboxHandle {
    address: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.app.shared.base_url
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The sandbox clock (the control API's `/_sandbox/clock` moves the same clock).
    pub fn clock(&self) -> &Clock {
        &self.app.shared.clock
    }

    /// The pending faults (the control API's `/_sandbox/faults` edits the same list).
    pub fn faults(&self) -> &Faults {
        &self.app.shared.faults
    }

    /// Each API's name (path prefix) and title.
    pub fn apis(&self) -> Vec<(&'static str, &'static str)> {
        self.app
            .vendors
            .iter()
            .map(|v| (v.name(), v.title()))
            .collect()
    }

    /// Each API's endpoints and test credentials, as printed by the binary.
    pub fn endpoints(&self) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
        self.app
            .vendors
            .iter()
            .map(|v| (v.title(), v.endpoints()))
            .collect()
    }

    /// Signicat Authentication REST API base URL (`.../signicat-authentication/auth/rest`).
    pub fn signicat_authentication_url(&self) -> String {
        format!("{}{}", self.base_url(), signicat_authentication::API_PATH)
    }

    /// Signicat Authentication OAuth2 token URL.
    pub fn signicat_authentication_token_url(&self) -> String {
        format!("{}{}", self.base_url(), signicat_authentication::TOKEN_PATH)
    }

    /// Signicat Authentication test client: (client id, client secret).
    pub fn signicat_authentication_credentials(&self) -> (&'static str, &'static str) {
        (
            signicat_authentication::CLIENT_ID,
            signicat_authentication::CLIENT_SECRET,
        )
    }

    /// Stops serving and waits until the listener is closed and every connection has
    /// finished its current request.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        // Graceful: the listener closes and open connections end after their current
        // request. The task is left to finish that by itself.
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for vendor in &app.vendors {
        router = router.merge(vendor.clone().routes());
    }
    router
        .merge(control::routes(app.clone()))
        .fallback(|| async {
            ControlError::not_found("no such path in the sandbox").into_response()
        })
        .layer(middleware::from_fn_with_state(app, apply_faults))
}

/// The middleware that applies injected faults to vendor calls.
async fn apply_faults(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let first = request
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    let Some(vendor) = app.vendor(first) else {
        return next.run(request).await;
    };
    match app.shared.faults.take(vendor.name()) {
        None => next.run(request).await,
        Some(FaultKind::Latency { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis).min(faults::MAX_LATENCY)).await;
            next.run(request).await
        }
        Some(FaultKind::Status {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = vendor.error_response(status, "Injected by the sandbox.");
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Some(FaultKind::Drop) => Response::new(Body::new(FailingBody)),
    }
}

/// A body that fails before yielding anything: hyper then closes the connection
/// without writing the response.
struct FailingBody;

impl http_body::Body for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by an injected fault",
        ))))
    }
}
