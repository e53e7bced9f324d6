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
//! | `GET`/`POST /_sandbox/webhooks`, `DELETE /_sandbox/webhooks/{id}` | list, register (`{"api", "url", "secret"?, "audience"?, "environment"?, "events"?, "attempts"?, "backoff_ms"?}`), remove webhook receivers |
//! | `GET /_sandbox/deliveries?api=&session=` | every webhook delivery with its attempts |
//!
//! Webhooks follow each vendor's scheme: IDnow sends an RS256 JWT (`application/jwt`)
//! whose key is in the JWKS at `/idnow-platform/oidc/.well-known/jwks.json`; Idfy v1
//! sends JSON signed in `X-Idfy-Signature` (hex HMAC-SHA256 of the body under the
//! webhook's secret); Identify posts its `WebhookPayload`. Delivery is at least once:
//! retried with jittered backoff until a 2xx, every attempt under the same event id
//! (see [`webhooks`]). The Signicat APIs document no webhooks.
//!
//! Every error on a vendor's path is in that vendor's shape, also what the router answers
//! by itself: 405 (with `Allow`) for a method the path does not have, 400 for a path
//! segment that is not UTF-8, 413 for a body over the size limit.
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
mod signing;
mod util;
pub mod vendor;
pub mod vendors;
pub mod webhooks;

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
    pub webhooks: Arc<webhooks::Webhooks>,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
}

impl Shared {
    pub(crate) fn new(base_url: String) -> Self {
        let clock = Arc::new(Clock::new());
        Self {
            webhooks: Arc::new(webhooks::Webhooks::new(clock.clone())),
            clock,
            faults: Arc::new(Faults::new()),
            base_url,
        }
    }
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
        let shared = Arc::new(Shared::new(format!("http://{address}")));
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
    let routes = router
        .merge(control::routes(app.clone()))
        .merge(webhooks::routes(app.clone()))
        .fallback(|| async {
            ControlError::not_found("no such path in the sandbox").into_response()
        });
    // The middlewares wrap the routes as a whole: a layer of `routes` itself would see a
    // 405 before axum adds its `Allow` header.
    Router::new()
        .fallback_service(routes)
        .layer(middleware::from_fn_with_state(
            app.clone(),
            vendor_shaped_rejections,
        ))
        .layer(middleware::from_fn_with_state(app, apply_faults))
}

/// The vendor API a path belongs to (by its first segment), if any.
fn vendor_of<'a>(app: &'a App, path: &str) -> Option<&'a Arc<dyn Vendor>> {
    app.vendor(path.trim_start_matches('/').split('/').next().unwrap_or(""))
}

/// The middleware that puts what axum answers by itself on a vendor path (the empty 405
/// for a known path called with another method, the plain-text rejections of its
/// extractors, e.g. a path segment that is not UTF-8 or a body over the size limit)
/// into the vendor's error shape: clients of a vendor API parse every error as the
/// vendor's.
async fn vendor_shaped_rejections(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(vendor) = vendor_of(&app, request.uri().path()) else {
        return next.run(request).await;
    };
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if status == StatusCode::METHOD_NOT_ALLOWED && content_type.is_empty() {
        let allowed = response.headers().get(header::ALLOW).cloned();
        let detail = format!(
            "The method {method} is not allowed on this path; it accepts {}.",
            allowed
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        );
        let mut answer = vendor.error_response(status, &detail);
        if let Some(allowed) = allowed {
            answer.headers_mut().insert(header::ALLOW, allowed);
        }
        return answer;
    }
    if status.is_client_error() && content_type.starts_with("text/plain") {
        // axum's own message names what it could not read (`Invalid UTF-8 in `id``);
        // the rejections the sandbox's extractors (path segments as text, the body as
        // bytes) can make quote no request data.
        let text = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap_or_default();
        return vendor.error_response(status, String::from_utf8_lossy(&text).trim());
    }
    response
}

/// The middleware that applies injected faults to vendor calls.
async fn apply_faults(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(vendor) = vendor_of(&app, request.uri().path()) else {
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
