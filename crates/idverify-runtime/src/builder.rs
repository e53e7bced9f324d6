//! `Client::builder()`: environment or base URL, credentials, HTTP settings, then `build()`.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{ApiDescriptor, Environment};
use crate::auth::{AuthState, Credentials};
use crate::http::{HttpSettings, NoRedirectClient};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::runtime::{CallOptions, Runtime};

/// Implemented by every generated `Client`.
pub trait GeneratedClient: Sized {
    /// What the runtime needs to know about the API.
    const API: &'static ApiDescriptor;

    /// The client of `base_url`, sending with `http` through `runtime` (called by `build()`).
    fn from_parts(base_url: &str, http: reqwest::Client, runtime: Runtime) -> Self;
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// `http://` is only allowed for loopback hosts (tests, the sandbox).
    #[error("{what} `{url}` is not HTTPS; plain HTTP is only allowed for loopback hosts")]
    InsecureUrl {
        /// Which URL (`base URL`, `token URL`).
        what: &'static str,
        /// The URL as given.
        url: String,
    },
    #[error("{what} `{url}` is not a valid URL: {reason}")]
    /// A URL given to the builder (base URL or token URL) does not parse.
    InvalidUrl {
        /// Which URL (`base URL`, `token URL`).
        what: &'static str,
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    #[error("{api} authenticates with {expected}; the credentials given are {given}")]
    /// The credentials are of another kind than the API's auth scheme takes.
    WrongCredentials {
        /// The API's crate name.
        api: &'static str,
        /// The kind of credentials the API takes.
        expected: &'static str,
        /// The kind given.
        given: &'static str,
    },
    /// OAuth2 client credentials with a base URL of no named environment and no token
    /// URL: the client secret would go to the production token endpoint, not to where
    /// the base URL points.
    #[error(
        "{api}: the base URL `{base_url}` is none of the API's environments, so the token \
         endpoint is unknown; set `token_url(..)` (or pick an environment with \
         `environment(..)`) rather than send the client secret to `{default_token_url}`"
    )]
    TokenUrlRequired {
        /// The API's crate name.
        api: &'static str,
        /// The base URL given.
        base_url: String,
        /// The token endpoint the secret would otherwise have gone to.
        default_token_url: String,
    },
    #[error("building the HTTP client failed: {0}")]
    /// reqwest could not build the HTTP client (e.g. the TLS backend failed to start).
    Http(#[from] reqwest::Error),
}

/// Builds a generated client. Defaults: the API's production environment, connect
/// timeout 10 s, 30 s per attempt, no operation timeout, 3 attempts with backoff from
/// 200 ms (full jitter, capped at 20 s), a retry budget of 500 tokens, tokens refreshed
/// 30 s before they expire.
pub struct ClientBuilder<C> {
    environment: Environment,
    base_url: Option<String>,
    token_url: Option<String>,
    credentials: Credentials,
    http: Option<reqwest::Client>,
    http_settings: HttpSettings,
    options: CallOptions,
    retry_budget: u32,
    token_refresh_skew: Duration,
    #[cfg(feature = "jwe")]
    decryption_key: Option<crate::jwe::DecryptionKey>,
    client: PhantomData<fn() -> C>,
}

impl<C: GeneratedClient> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: GeneratedClient> ClientBuilder<C> {
    /// A builder with the API's defaults: production, no credentials, default retries and timeouts.
    pub fn new() -> Self {
        Self {
            environment: C::API.default_environment,
            base_url: None,
            token_url: None,
            credentials: Credentials::None,
            http: None,
            http_settings: HttpSettings {
                connect_timeout: Duration::from_secs(10),
                configure: None,
            },
            options: CallOptions::default(),
            retry_budget: 500,
            token_refresh_skew: Duration::from_secs(30),
            #[cfg(feature = "jwe")]
            decryption_key: None,
            client: PhantomData,
        }
    }

    /// One of the vendor's environments (the crate's `environments` module).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// A base URL of your own (a proxy, a sandbox); overrides the environment's. With
    /// OAuth2 client credentials, give the token endpoint too ([`Self::token_url`]),
    /// unless the URL is one of the API's environments': `build()` will not guess it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A token endpoint of your own; overrides the environment's.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// What the client authenticates with (its kind must match the API's auth scheme).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Use this `reqwest::Client` (its timeouts, proxy, TLS settings) instead of one built
    /// from this builder's settings. Operations that must not follow redirects (such as
    /// IDnow's `file_url`) cannot change a given client: they use one built from this
    /// builder's settings, so give proxy or TLS settings with [`Self::configure_http`]
    /// when such operations are used.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Changes every `reqwest::ClientBuilder` this builder uses (proxy, TLS roots,
    /// headers...): applied after the builder's own settings, to the client of every
    /// call and to the no-redirect client of operations that read redirects themselves.
    pub fn configure_http(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http_settings.configure = Some(Arc::new(configure));
        self
    }

    /// Timeout for connecting to the vendor (each attempt).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http_settings.connect_timeout = timeout;
        self
    }

    /// Timeout of one HTTP attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.attempt_timeout = Some(timeout);
        self
    }

    /// Timeout of a whole operation, retries, waits and a token request included
    /// (default none).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.options.operation_timeout = Some(timeout);
        self
    }

    /// Retry policy of every call (default: 3 attempts, 200 ms base, 20 s cap).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = policy;
        self
    }

    /// Size of the retry budget shared by all calls: a retry costs 5 tokens (a timeout
    /// 10), a success returns 1 (default 500).
    pub fn retry_budget(mut self, tokens: u32) -> Self {
        self.retry_budget = tokens;
        self
    }

    /// All call options at once.
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// How long before its expiry a cached token is replaced.
    pub fn token_refresh_skew(mut self, skew: Duration) -> Self {
        self.token_refresh_skew = skew;
        self
    }

    /// The private key to decrypt encrypted (JWE) success responses with: a vendor
    /// given its public half ([`crate::jwe::DecryptionKey::public_jwk`]) encrypts its
    /// results, and the operations return them decrypted, typed as usual. Responses
    /// that are not encrypted are read as they are.
    #[cfg(feature = "jwe")]
    pub fn decryption_key(mut self, key: crate::jwe::DecryptionKey) -> Self {
        self.decryption_key = Some(key);
        self
    }

    /// The client, or why this configuration is refused (see [`BuildError`]).
    pub fn build(self) -> Result<C, BuildError> {
        let api = C::API;
        let base_url = self
            .base_url
            .clone()
            .unwrap_or_else(|| self.environment.base_url.to_string());
        let base_url = base_url.trim_end_matches('/').to_string();
        check_url("base URL", &base_url)?;
        let http = match self.http {
            Some(http) => http,
            None => self.http_settings.client(true)?,
        };
        // A base URL of a named environment takes that environment's token endpoint; any
        // other needs one given, or the client secret would go to the default endpoint.
        let named = match &self.base_url {
            None => Some(&self.environment),
            Some(_) => api
                .environments
                .iter()
                .find(|e| e.base_url.trim_end_matches('/') == base_url),
        };
        let token_url = self
            .token_url
            .or_else(|| named.and_then(|e| e.token_url).map(str::to_string));
        if let (
            crate::AuthScheme::OAuth2ClientCredentials {
                token_url: default_token_url,
                ..
            },
            Credentials::ClientCredentials { .. },
            None,
            None,
        ) = (api.auth, &self.credentials, &token_url, named)
        {
            return Err(BuildError::TokenUrlRequired {
                api: api.crate_name,
                base_url,
                default_token_url: default_token_url.to_string(),
            });
        }
        let auth = AuthState::new(
            api.auth,
            self.credentials,
            &base_url,
            token_url,
            self.token_refresh_skew,
        )
        .map_err(|m| BuildError::WrongCredentials {
            api: api.crate_name,
            expected: m.expected,
            given: m.given,
        })?;
        if let Some(token_url) = auth.token_url() {
            check_url("token URL", token_url)?;
        }
        let runtime = Runtime::new(
            api,
            auth,
            self.options,
            RetryBudget::new(self.retry_budget),
            NoRedirectClient::new(self.http_settings),
            #[cfg(feature = "jwe")]
            self.decryption_key,
        );
        Ok(C::from_parts(&base_url, http, runtime))
    }
}

/// HTTPS only, except for loopback hosts.
fn check_url(what: &'static str, url: &str) -> Result<(), BuildError> {
    let parsed = url::Url::parse(url).map_err(|e| BuildError::InvalidUrl {
        what,
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err(BuildError::InsecureUrl {
            what,
            url: url.to_string(),
        }),
        other => Err(BuildError::InvalidUrl {
            what,
            url: url.to_string(),
            reason: format!("scheme `{other}` is not http(s)"),
        }),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
