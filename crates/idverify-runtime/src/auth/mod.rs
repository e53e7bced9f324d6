//! Everything about authenticating a client: the credentials a caller gives, the auth
//! state built from them and the API's [`AuthScheme`], putting credentials on a request,
//! and, after a 401, dropping the token the vendor rejected so the next
//! [`AuthState::apply`] fetches a new one. The retry loop knows none of the headers.
//!
//! Token providers: OAuth2 client credentials ([`oauth`]) and Identify partner login
//! ([`identify`]), both behind one single-flight cache ([`cache`]).

mod cache;
mod identify;
mod oauth;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::redact;
use crate::retry::{self, RetryBudget, RetryPolicy};
use cache::TokenCache;

/// How an API authenticates its callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// No authentication.
    None,
    /// OAuth2 client credentials; the access token goes as `Authorization: Bearer`.
    OAuth2ClientCredentials {
        /// Default token endpoint (an [`crate::Environment`] may override it).
        token_url: &'static str,
        scope: Option<&'static str>,
    },
    /// Identify VideoIdent: `POST {base_url}{login_path}` with `{PARTNER, APIKEY}` returns a
    /// JWT, sent as `X-API-TOKEN` with `X-API-PARTNER` on every call.
    IdentifyPartnerLogin { login_path: &'static str },
}

/// What a caller authenticates with. `Debug` never shows a secret.
#[derive(Clone)]
pub enum Credentials {
    /// No credentials (APIs without auth, or a `reqwest::Client` that adds them itself).
    None,
    /// A ready access token, sent as `Authorization: Bearer`; never refreshed.
    Bearer(SecretString),
    /// OAuth2 client id and secret.
    ClientCredentials {
        client_id: String,
        client_secret: SecretString,
    },
    /// Identify partner name and API key.
    Partner {
        partner: String,
        api_key: SecretString,
    },
}

impl Credentials {
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self::ClientCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }

    pub fn partner(partner: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self::Partner {
            partner: partner.into(),
            api_key: SecretString::from(api_key.into()),
        }
    }

    pub fn bearer(token: impl Into<String>) -> Self {
        Self::Bearer(SecretString::from(token.into()))
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = format_args!("{}", crate::REDACTED);
        match self {
            Self::None => f.write_str("None"),
            Self::Bearer(_) => f.debug_tuple("Bearer").field(&redacted).finish(),
            Self::ClientCredentials { client_id, .. } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", &redacted)
                .finish(),
            Self::Partner { partner, .. } => f
                .debug_struct("Partner")
                .field("partner", partner)
                .field("api_key", &redacted)
                .finish(),
        }
    }
}

/// Getting a token failed. Never carries a secret or a token; `Debug` and `Display`
/// show the configured endpoint, statuses and the vendor's error code when it is a
/// machine token, never the vendor's free text (`description` may echo input).
///
/// [`AuthError::failure`] says which kind of failure it is without reading text.
#[derive(Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint refused the credentials: 401, or 400 with OAuth2's
    /// `invalid_client`, `unauthorized_client` or `invalid_grant`; Identify's login
    /// answering 401 or 403. `error` and `description` are the vendor's OAuth2 error
    /// fields (Identify: its messages as `description`). Retrying cannot help.
    #[error("token endpoint {url} refused the credentials: {}", Answer(*.status, .error))]
    Rejected {
        url: String,
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },
    /// The token endpoint refused the request for another reason than the credentials
    /// (a scope or grant type it does not allow, 403, 404): a configuration problem.
    #[error("token endpoint {url} refused the token request: {}", Answer(*.status, .error))]
    RequestRefused {
        url: String,
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },
    /// The token endpoint is throttling (429) or failing (5xx), after the retries the
    /// policy allows; `retry_after` is its last `Retry-After`. Retryable.
    #[error("token endpoint {url} is unavailable: {}{}", Answer(*.status, &None), RetryAfter(*.retry_after))]
    Unavailable {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
    },
    /// The token endpoint answered 2xx with something that is not a usable token.
    #[error("token endpoint {url} gave an invalid token response: {reason}")]
    InvalidResponse { url: String, reason: String },
    /// The token endpoint could not be reached, or did not answer in time, after the
    /// retries the policy allows. Retryable.
    #[error("token endpoint {url} could not be reached: {source}")]
    Transport {
        url: String,
        #[source]
        source: Arc<reqwest::Error>,
    },
}

/// Which kind of failure an [`AuthError`] is (see [`crate::Error::auth_failure`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The credentials were refused ([`AuthError::Rejected`]): fix them; not retryable.
    CredentialsRefused,
    /// The token request was refused for another reason ([`AuthError::RequestRefused`]):
    /// fix the configuration (token URL, scope); not retryable.
    RequestRefused,
    /// The token endpoint is unavailable: 429, 5xx, unreachable or too slow
    /// ([`AuthError::Unavailable`], [`AuthError::Transport`]). Retryable: the runtime
    /// retried already, as its policy and budget allow.
    Unavailable,
    /// The token endpoint's success answer held no usable token
    /// ([`AuthError::InvalidResponse`]); not retryable.
    InvalidResponse,
}

impl AuthError {
    pub fn failure(&self) -> AuthFailure {
        match self {
            Self::Rejected { .. } => AuthFailure::CredentialsRefused,
            Self::RequestRefused { .. } => AuthFailure::RequestRefused,
            Self::Unavailable { .. } | Self::Transport { .. } => AuthFailure::Unavailable,
            Self::InvalidResponse { .. } => AuthFailure::InvalidResponse,
        }
    }

    /// Whether a later attempt could succeed: the token endpoint was unavailable.
    pub fn is_retryable(&self) -> bool {
        self.failure() == AuthFailure::Unavailable
    }

    /// The token endpoint's HTTP status, when it answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Rejected { status, .. }
            | Self::RequestRefused { status, .. }
            | Self::Unavailable { status, .. } => Some(*status),
            Self::InvalidResponse { .. } | Self::Transport { .. } => None,
        }
    }

    /// The token endpoint's last `Retry-After`, when it was unavailable.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A refusal of the credentials or of the request; which one `credentials` says.
    fn refused(
        url: &str,
        status: reqwest::StatusCode,
        credentials: bool,
        error: Option<String>,
        description: Option<String>,
    ) -> Self {
        let (url, status) = (url.to_string(), status.as_u16());
        if credentials {
            Self::Rejected {
                url,
                status,
                error,
                description,
            }
        } else {
            Self::RequestRefused {
                url,
                status,
                error,
                description,
            }
        }
    }

    /// Whether this failure came from an attempt that timed out (retries cost more).
    fn timed_out(&self) -> bool {
        matches!(self, Self::Transport { source, .. } if source.is_timeout())
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected {
                url,
                status,
                error,
                description,
            }
            | Self::RequestRefused {
                url,
                status,
                error,
                description,
            } => f
                .debug_struct(if matches!(self, Self::Rejected { .. }) {
                    "Rejected"
                } else {
                    "RequestRefused"
                })
                .field("url", url)
                .field("status", status)
                .field("error", &redact::token(error))
                .field("description", &redact::free_text(description))
                .finish(),
            Self::Unavailable {
                url,
                status,
                retry_after,
            } => f
                .debug_struct("Unavailable")
                .field("url", url)
                .field("status", status)
                .field("retry_after", retry_after)
                .finish(),
            Self::InvalidResponse { url, reason } => f
                .debug_struct("InvalidResponse")
                .field("url", url)
                .field("reason", reason)
                .finish(),
            Self::Transport { url, source } => f
                .debug_struct("Transport")
                .field("url", url)
                .field("source", source)
                .finish(),
        }
    }
}

/// `HTTP 401 Unauthorized (invalid_client)`: the status and the vendor's code if it is a
/// machine token.
struct Answer<'a>(u16, &'a Option<String>);

impl fmt::Display for Answer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", redact::Status(self.0))?;
        if let Some(code) = self.1 {
            write!(f, " ({})", redact::Token(code))?;
        }
        Ok(())
    }
}

/// `, retry after 15 s` when the endpoint said.
struct RetryAfter(Option<Duration>);

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(after) => write!(f, ", retry after {} s", after.as_secs()),
            None => Ok(()),
        }
    }
}

/// A failed token fetch with what the retries saw, shared by every caller that waited
/// for the same fetch.
#[derive(Debug, Clone)]
pub(crate) struct TokenFailure {
    pub error: AuthError,
    /// Token requests sent.
    pub attempts: u32,
}

/// How token requests are retried: the calling operation's policy and timeouts, and the
/// client's retry budget, as for its calls. A token request is safe to repeat.
#[derive(Clone, Copy)]
pub(crate) struct TokenRetry<'a> {
    pub policy: RetryPolicy,
    pub budget: &'a RetryBudget,
    pub attempt_timeout: Option<Duration>,
    pub deadline: Option<Instant>,
}

impl TokenRetry<'_> {
    /// Runs `fetch` (one token request with the given timeout) until it succeeds, fails
    /// for a reason a retry cannot help, or the policy, deadline or budget says stop.
    async fn run<T, F, Fut>(&self, fetch: F) -> Result<T, TokenFailure>
    where
        F: Fn(Option<Duration>) -> Fut,
        Fut: std::future::Future<Output = Result<T, AuthError>>,
    {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let error =
                match fetch(retry::attempt_timeout(self.attempt_timeout, self.deadline)).await {
                    Ok(token) => {
                        self.budget.refund();
                        return Ok(token);
                    }
                    Err(error) => error,
                };
            let wait = error.is_retryable().then(|| {
                retry::next_wait(
                    &self.policy,
                    self.budget,
                    attempts,
                    error.retry_after(),
                    error.timed_out(),
                    self.deadline,
                )
            });
            let Some(Some(wait)) = wait else {
                return Err(TokenFailure { error, attempts });
            };
            tracing::debug!(
                attempt = attempts,
                wait_ms = wait.as_millis() as u64,
                "token endpoint unavailable; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// The credentials do not fit the API's auth scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CredentialsMismatch {
    /// What the API authenticates with.
    pub expected: &'static str,
    /// What was given.
    pub given: &'static str,
}

/// Identify's headers: the partner name and the JWT from the login.
const PARTNER_HEADER: HeaderName = HeaderName::from_static("x-api-partner");
const PARTNER_TOKEN_HEADER: HeaderName = HeaderName::from_static("x-api-token");

/// A client's authentication: the scheme with its credentials and token cache.
pub(crate) enum AuthState {
    None,
    Bearer(SecretString),
    OAuth2 {
        token_url: String,
        scope: Option<String>,
        client_id: String,
        client_secret: SecretString,
        skew: Duration,
        cache: TokenCache,
    },
    Partner {
        login_url: String,
        partner: String,
        api_key: SecretString,
        cache: TokenCache,
    },
}

impl AuthState {
    /// The state for `scheme` with `credentials`. `base_url` is the client's (Identify
    /// logs in under it); `token_url` the OAuth2 endpoint to use when it is not the
    /// scheme's default (the builder's or the environment's).
    pub(crate) fn new(
        scheme: AuthScheme,
        credentials: Credentials,
        base_url: &str,
        token_url: Option<String>,
        skew: Duration,
    ) -> Result<Self, CredentialsMismatch> {
        let given = match &credentials {
            Credentials::None => "none",
            Credentials::Bearer(_) => "a bearer token",
            Credentials::ClientCredentials { .. } => "OAuth2 client credentials",
            Credentials::Partner { .. } => "an Identify partner login",
        };
        let mismatch = |expected| Err(CredentialsMismatch { expected, given });
        match (scheme, credentials) {
            (_, Credentials::None) => Ok(Self::None),
            (_, Credentials::Bearer(token)) => Ok(Self::Bearer(token)),
            (
                AuthScheme::OAuth2ClientCredentials {
                    token_url: default_url,
                    scope,
                },
                Credentials::ClientCredentials {
                    client_id,
                    client_secret,
                },
            ) => Ok(Self::OAuth2 {
                token_url: token_url.unwrap_or_else(|| default_url.to_string()),
                scope: scope.map(str::to_string),
                client_id,
                client_secret,
                skew,
                cache: TokenCache::new(),
            }),
            (
                AuthScheme::IdentifyPartnerLogin { login_path },
                Credentials::Partner { partner, api_key },
            ) => Ok(Self::Partner {
                login_url: format!("{base_url}{login_path}"),
                partner,
                api_key,
                cache: TokenCache::new(),
            }),
            (AuthScheme::OAuth2ClientCredentials { .. }, _) => {
                mismatch("OAuth2 client credentials")
            }
            (AuthScheme::IdentifyPartnerLogin { .. }, _) => mismatch("an Identify partner login"),
            (AuthScheme::None, _) => mismatch("no credentials"),
        }
    }

    /// The OAuth2 token endpoint this state fetches from, if any.
    pub(crate) fn token_url(&self) -> Option<&str> {
        match self {
            Self::OAuth2 { token_url, .. } => Some(token_url),
            _ => None,
        }
    }

    /// What `Debug` of a client shows: the scheme, never a credential.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Bearer(_) => "bearer token",
            Self::OAuth2 { .. } => "oauth2 client credentials",
            Self::Partner { .. } => "identify partner login",
        }
    }

    /// Puts the credentials on `request`, fetching a token through `http` if none is
    /// cached (token requests retried as `retry` says).
    pub(crate) async fn apply(
        &self,
        http: &reqwest::Client,
        request: &mut reqwest::Request,
        retry: TokenRetry<'_>,
    ) -> Result<(), TokenFailure> {
        match self {
            Self::None => {}
            Self::Bearer(token) => {
                request.headers_mut().insert(AUTHORIZATION, bearer(token));
            }
            Self::OAuth2 {
                token_url,
                scope,
                client_id,
                client_secret,
                skew,
                cache,
            } => {
                let token = cache
                    .get(|| {
                        retry.run(|timeout| {
                            oauth::fetch_client_credentials(
                                http,
                                token_url,
                                scope.as_deref(),
                                client_id,
                                client_secret,
                                *skew,
                                timeout,
                            )
                        })
                    })
                    .await?;
                request.headers_mut().insert(AUTHORIZATION, bearer(&token));
            }
            Self::Partner {
                login_url,
                partner,
                api_key,
                cache,
            } => {
                let token = cache
                    .get(|| {
                        retry.run(|timeout| {
                            identify::fetch_partner_token(
                                http, login_url, partner, api_key, timeout,
                            )
                        })
                    })
                    .await?;
                let headers = request.headers_mut();
                if let Ok(value) = HeaderValue::from_str(partner) {
                    headers.insert(PARTNER_HEADER, value);
                }
                headers.insert(
                    PARTNER_TOKEN_HEADER,
                    sensitive_header(token.expose_secret()),
                );
            }
        }
        Ok(())
    }

    /// After a 401 to `request`: drops the token it carried from the cache (unless a
    /// newer one is cached already). True when a fresh token can be fetched, i.e. the
    /// request carried a cached token; false for no auth or a fixed bearer token.
    pub(crate) async fn reject_token_of(&self, request: &reqwest::Request) -> bool {
        let header = |name: &HeaderName| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (cache, rejected) = match self {
            Self::OAuth2 { cache, .. } => (
                cache,
                header(&AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer ").map(str::to_string)),
            ),
            Self::Partner { cache, .. } => (cache, header(&PARTNER_TOKEN_HEADER)),
            Self::None | Self::Bearer(_) => return false,
        };
        let Some(rejected) = rejected else {
            return false;
        };
        cache.invalidate(&rejected).await;
        true
    }
}

/// Sends one token (or login) request with `timeout` and reads its answer. Failing to,
/// or a 429 or 5xx answer, is an error a retry may help with ([`AuthError::Transport`],
/// [`AuthError::Unavailable`]); any other answer is the caller's to read.
async fn send_token_request(
    mut request: reqwest::RequestBuilder,
    url: &str,
    timeout: Option<Duration>,
) -> Result<(reqwest::StatusCode, bytes::Bytes), AuthError> {
    let transport = |source: reqwest::Error| AuthError::Transport {
        url: url.to_string(),
        // The URL is named by the variant already.
        source: Arc::new(source.without_url()),
    };
    if let Some(timeout) = timeout {
        request = request.timeout(timeout);
    }
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Err(AuthError::Unavailable {
            url: url.to_string(),
            status: status.as_u16(),
            retry_after: retry::retry_after(response.headers()),
        });
    }
    let body = response.bytes().await.map_err(transport)?;
    Ok((status, body))
}

fn bearer(token: &SecretString) -> HeaderValue {
    sensitive_header(&format!("Bearer {}", token.expose_secret()))
}

/// A header value marked sensitive, so reqwest/hyper never log it.
fn sensitive_header(value: &str) -> HeaderValue {
    let mut value = HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
}
