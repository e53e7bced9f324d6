//! A local server that behaves like the identity-verification vendors' APIs, for
//! examples and CI.
//!
//! ```no_run
//! # #[cfg(feature = "signicat-authentication")]
//! # async fn demo() -> std::io::Result<()> {
//! use idverify_sandbox::{Api, Outcome, Sandbox, persons};
//! use idverify_signicat_authentication as signicat;
//!
//! let sandbox = Sandbox::start().await?;
//! let client = sandbox.client::<signicat::Client>().expect("client");
//! // ... create a session with `client`, then finish it as a test person:
//! # let session_id = "";
//! let _ = sandbox
//!     .control()
//!     .complete(Api::SignicatAuthentication, session_id, &persons::KARI, Outcome::Success);
//! // What the client sent, secrets redacted:
//! let requests = sandbox.journal(Api::SignicatAuthentication);
//! # let _ = (client, requests);
//! // The server stops when `sandbox` is dropped.
//! # Ok(()) }
//! ```
//!
//! Each API is a feature named like it (`signicat-authentication`,
//! `signicat-identification-v2`, `idfy-identification-v1`, `idnow-platform`,
//! `identify-videoident`; all on by default, with `jwe`, which implies
//! `signicat-authentication`): a program that embeds the sandbox for one vendor turns on
//! that vendor's feature only and carries nothing of the others. An API whose feature is
//! off keeps its [`Api`] value ([`Api::is_built_in`] says which are served); asking for
//! it (the control API, [`Control`], a path under its prefix) answers a 404
//! `api_not_built` naming the feature, and [`SandboxHandle::client`] of its client does
//! not compile.
//!
//! One listener on 127.0.0.1 serves every API built in under its own path prefix
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
//! | `GET /_sandbox/journal?api=` | the requests the API received (see [`journal`]) |
//!
//! In a test, [`SandboxHandle::control`] does the same in typed calls, and
//! [`SandboxHandle::client`] gives a generated client logged in as the test client.
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

mod api;
pub mod clock;
pub mod control;
pub mod faults;
mod handle;
pub mod journal;
// The vendors' shared toolkit (OAuth2, session stores, strict JSON): each part serves
// some vendors, so a build with only some of them leaves parts unused; the build with
// all of them (`cfg(all_vendors)`, set by build.rs) still finds dead code in it.
#[cfg_attr(not(all_vendors), allow(dead_code))]
mod kit;
mod page;
pub mod persons;
mod router;
#[cfg(all_vendors)]
pub mod scenario;
#[cfg(any(feature = "idfy-identification-v1", feature = "idnow-platform"))]
mod signing;
pub mod vendor;
pub mod vendors;
pub mod webhooks;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::sync::oneshot;

pub use api::{Api, UnknownApi};
pub use clock::Clock;
pub use control::Control;
pub use faults::{Fault, FaultKind, Faults};
pub use handle::{Endpoint, SandboxApi, SandboxHandle, TestClient, UnknownEnvironment};
pub use journal::JournalEntry;
pub use persons::{PERSONS, Person};
pub use vendor::{Completion, ControlError, Outcome, Vendor};
#[cfg(feature = "signicat-authentication")]
pub use vendors::signicat_authentication;

/// State every part of the sandbox shares.
pub(crate) struct Shared {
    pub clock: Arc<Clock>,
    pub faults: Arc<Faults>,
    pub webhooks: Arc<webhooks::Webhooks>,
    pub journal: journal::Journal,
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
            journal: journal::Journal::new(),
            base_url,
        }
    }
}

/// The running application: shared state and the vendor APIs.
pub(crate) struct App {
    pub shared: Arc<Shared>,
    /// In the order of [`Api::ALL`]; `None` for an API whose feature is off.
    vendors: Vec<Option<Arc<dyn Vendor>>>,
}

impl App {
    /// `api`'s vendor, or a 404 naming the feature that would build it in.
    pub fn vendor(&self, api: Api) -> Result<&Arc<dyn Vendor>, ControlError> {
        self.vendors[api.index()]
            .as_ref()
            .ok_or_else(|| ControlError::not_built(api))
    }

    /// The vendors built in, in the order of [`Api::ALL`].
    pub fn served(&self) -> impl Iterator<Item = &Arc<dyn Vendor>> {
        self.vendors.iter().flatten()
    }

    /// The vendor called `name`, or a 404 naming the APIs there are (or the feature
    /// that builds it in).
    pub fn vendor_named(&self, name: &str) -> Result<&Arc<dyn Vendor>, ControlError> {
        Api::from_name(name)
            .ok_or_else(|| ControlError::not_found(UnknownApi(name.to_string()).to_string()))
            .and_then(|api| self.vendor(api))
    }
}

/// The vendor API a path belongs to (by its first segment), if any.
pub(crate) fn api_of_path(path: &str) -> Option<Api> {
    Api::from_name(path.trim_start_matches('/').split('/').next().unwrap_or(""))
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
        let router = router::router(app.clone());
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

/// A build without some API: it is listed nowhere, and every way of asking for it
/// (typed control, control API, its paths) answers an error naming its feature.
#[cfg(all(test, not(all_vendors)))]
mod not_built_tests {
    use super::*;

    fn names_the_feature(text: &str, api: Api) {
        assert!(
            text.contains(&format!("feature `{}` of idverify-sandbox", api.name())),
            "{text}"
        );
    }

    #[tokio::test]
    async fn an_api_not_built_in_is_refused_naming_its_feature() {
        let missing = *Api::ALL
            .iter()
            .find(|api| !api.is_built_in())
            .expect("an API not built in");
        let sandbox = Sandbox::start().await.expect("sandbox");
        let built: Vec<_> = Api::ALL
            .iter()
            .filter(|api| api.is_built_in())
            .map(|api| api.name())
            .collect();
        let listed: Vec<_> = sandbox.apis().into_iter().map(|(name, _)| name).collect();
        assert_eq!(listed, built);

        let error = sandbox
            .control()
            .complete(missing, "some-id", &persons::KARI, Outcome::Success)
            .unwrap_err();
        assert_eq!(error.status, 404);
        assert_eq!(error.code, "api_not_built");
        names_the_feature(&error.message, missing);

        let http = reqwest::Client::new();
        for (method, path, body) in [
            ("GET", format!("/{missing}/any/path"), None),
            ("GET", format!("/_sandbox/journal?api={missing}"), None),
            (
                "POST",
                format!("/_sandbox/sessions/{missing}/some-id/complete"),
                Some(r#"{"person": "kari", "outcome": "success"}"#),
            ),
            (
                "POST",
                "/_sandbox/faults".into(),
                Some(r#"{"api": "API", "kind": "drop"}"#),
            ),
            (
                "POST",
                "/_sandbox/webhooks".into(),
                Some(r#"{"api": "API", "url": "http://127.0.0.1:9/hook"}"#),
            ),
        ] {
            let url = format!("{}{path}", sandbox.base_url());
            let request = match body {
                None => http.get(&url),
                Some(body) => http.post(&url).body(body.replace("API", missing.name())),
            };
            let response = request.send().await.expect("an answer");
            assert_eq!(response.status(), 404, "{method} {path}");
            let json: serde_json::Value = response.json().await.expect("a JSON body");
            assert_eq!(json["error"], "api_not_built", "{method} {path}: {json}");
            names_the_feature(json["message"].as_str().unwrap_or(""), missing);
        }
    }
}
