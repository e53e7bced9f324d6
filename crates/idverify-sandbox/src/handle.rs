//! A running sandbox as a test sees it: ready generated clients for its APIs, their
//! endpoints and test credentials, the typed control client and the request journal.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use idverify_runtime::{BuildError, ClientBuilder, Credentials, GeneratedClient};
use tokio::sync::oneshot;

use crate::control::Control;
use crate::journal::JournalEntry;
use crate::{Api, App, Clock, Faults};

/// One test client of a sandbox API: the environment it belongs to, its id (client id
/// or Identify partner) and its secret (client secret or API key).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TestClient {
    pub environment: &'static str,
    pub id: &'static str,
    pub secret: &'static str,
}

impl fmt::Debug for TestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestClient")
            .field("environment", &self.environment)
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// A generated client whose API the sandbox serves: where the API is under the
/// sandbox's base URL and which test clients it accepts. Implemented for the five
/// generated `Client` types of the APIs built in, so asking a sandbox for any other
/// client does not compile.
#[diagnostic::on_unimplemented(
    message = "the sandbox serves no API of `{Self}`",
    note = "a vendor API's client is served when the feature of idverify-sandbox named like the API is on (e.g. `idfy-identification-v1`)"
)]
pub trait SandboxApi: GeneratedClient {
    /// The API in the control API's terms.
    const SANDBOX_API: Api;
    /// The path of the API's base URL under the sandbox's (`/idnow-platform/api/v1`).
    const API_PATH: &'static str;
    /// The path of its token endpoint (Identify: its partner login).
    const TOKEN_PATH: &'static str;
    /// The test client of the default environment.
    const DEFAULT_CLIENT: TestClient;
    /// The test clients of its other environments (IDnow: `staging`).
    const OTHER_CLIENTS: &'static [TestClient];

    /// The runtime's credentials for a test client's id and secret.
    fn credentials(id: &str, secret: &str) -> Credentials {
        Credentials::client_credentials(id, secret)
    }
}

/// Where a sandbox API is and how to log in to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The base URL a generated client takes.
    pub base_url: String,
    /// The token endpoint (Identify: the partner login, which the client finds by itself).
    pub token_url: String,
    /// The test client.
    pub client: TestClient,
}

impl Endpoint {
    /// `C`'s endpoint in the sandbox at `sandbox_url` (e.g. a sandbox binary's printed
    /// URL), with the test client of its default environment.
    pub fn of<C: SandboxApi>(sandbox_url: &str) -> Self {
        Self::with_client::<C>(sandbox_url, C::DEFAULT_CLIENT)
    }

    /// `C`'s endpoint with the test client of `environment`.
    pub fn of_environment<C: SandboxApi>(
        sandbox_url: &str,
        environment: &str,
    ) -> Result<Self, UnknownEnvironment> {
        let client = std::iter::once(&C::DEFAULT_CLIENT)
            .chain(C::OTHER_CLIENTS)
            .find(|client| client.environment == environment)
            .ok_or_else(|| UnknownEnvironment {
                api: C::SANDBOX_API,
                environment: environment.to_string(),
                known: std::iter::once(&C::DEFAULT_CLIENT)
                    .chain(C::OTHER_CLIENTS)
                    .map(|client| client.environment)
                    .collect(),
            })?;
        Ok(Self::with_client::<C>(sandbox_url, *client))
    }

    fn with_client<C: SandboxApi>(sandbox_url: &str, client: TestClient) -> Self {
        let sandbox_url = sandbox_url.trim_end_matches('/');
        Self {
            base_url: format!("{sandbox_url}{}", C::API_PATH),
            token_url: format!("{sandbox_url}{}", C::TOKEN_PATH),
            client,
        }
    }

    /// A builder of `C` with this endpoint's URLs and test client filled in (other
    /// settings, such as retries, at the runtime's defaults).
    pub fn client_builder<C: SandboxApi>(&self) -> ClientBuilder<C> {
        // The runtime uses the token URL only for OAuth2; Identify's client derives its
        // login URL from the base URL.
        ClientBuilder::<C>::new()
            .base_url(self.base_url.clone())
            .token_url(self.token_url.clone())
            .credentials(C::credentials(self.client.id, self.client.secret))
    }
}

/// An environment the sandbox has no test client for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEnvironment {
    pub api: Api,
    pub environment: String,
    pub known: Vec<&'static str>,
}

impl fmt::Display for UnknownEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has no test client for the environment `{}`; it has: {}",
            self.api,
            self.environment,
            self.known.join(", ")
        )
    }
}

impl std::error::Error for UnknownEnvironment {}

/// A running sandbox; stops serving when dropped.
pub struct SandboxHandle {
    pub(crate) address: SocketAddr,
    pub(crate) app: Arc<App>,
    pub(crate) stop: Option<oneshot::Sender<()>>,
    pub(crate) task: Option<tokio::task::JoinHandle<()>>,
}

impl fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
        self.app.served().map(|v| (v.name(), v.title())).collect()
    }

    /// Each API's endpoints and test credentials, as printed by the binary.
    pub fn endpoints(&self) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
        self.app
            .served()
            .map(|v| (v.title(), v.endpoints()))
            .collect()
    }

    /// `C`'s base URL, token URL and the test client of its default environment.
    pub fn endpoint<C: SandboxApi>(&self) -> Endpoint {
        Endpoint::of::<C>(self.base_url())
    }

    /// [`endpoint`](Self::endpoint) with the test client of `environment` (IDnow:
    /// `live` or `staging`).
    pub fn endpoint_for<C: SandboxApi>(
        &self,
        environment: &str,
    ) -> Result<Endpoint, UnknownEnvironment> {
        Endpoint::of_environment::<C>(self.base_url(), environment)
    }

    /// A builder of `C` pointed at this sandbox with its default test client; change
    /// retries, timeouts or credentials before `build()`.
    pub fn client_builder<C: SandboxApi>(&self) -> ClientBuilder<C> {
        self.endpoint::<C>().client_builder()
    }

    /// [`client_builder`](Self::client_builder) with the test client of `environment`.
    pub fn client_builder_for<C: SandboxApi>(
        &self,
        environment: &str,
    ) -> Result<ClientBuilder<C>, UnknownEnvironment> {
        Ok(self.endpoint_for::<C>(environment)?.client_builder())
    }

    /// A ready client of `C` against this sandbox, logged in as its default test client.
    pub fn client<C: SandboxApi>(&self) -> Result<C, BuildError> {
        self.client_builder::<C>().build()
    }

    /// A client of `C` that logs in as the default test client's id with `secret`
    /// instead of its own (client secret or API key): to see a refused login.
    pub fn client_with_secret<C: SandboxApi>(&self, secret: &str) -> Result<C, BuildError> {
        let id = C::DEFAULT_CLIENT.id;
        self.client_builder::<C>()
            .credentials(C::credentials(id, secret))
            .build()
    }

    /// The control client: complete sessions, move the clock, add faults, read webhook
    /// deliveries, as the control API under `/_sandbox/` does.
    pub fn control(&self) -> Control<'_> {
        Control::new(&self.app)
    }

    /// The requests `api` received, oldest first (see [`crate::journal`]).
    pub fn journal(&self, api: Api) -> Vec<JournalEntry> {
        self.app.shared.journal.entries(api)
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
