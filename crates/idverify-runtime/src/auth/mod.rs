//! Everything about authenticating a client: the credentials a caller gives, the auth
//! state built from them and the API's [`AuthScheme`], putting credentials on a request,
//! and, after a 401, dropping the token the vendor rejected so the next
//! [`AuthState::apply`] fetches a new one. The retry loop knows none of the headers.
//!
//! Token providers: OAuth2 client credentials ([`oauth`]) and Identify partner login
//! ([`identify`]), both behind one single-flight cache ([`cache`]), sent and retried by
//! [`request`]; their failures are [`error`]s.

mod cache;
mod error;
mod identify;
mod oauth;
mod request;

use std::fmt;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use cache::TokenCache;
pub use error::{AuthError, AuthFailure};
pub(crate) use request::{TokenFailure, TokenRetry};

/// How an API authenticates its callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// No authentication.
    None,
    /// OAuth2 client credentials; the access token goes as `Authorization: Bearer`.
    OAuth2ClientCredentials {
        /// Default token endpoint (an [`crate::Environment`] may override it).
        token_url: &'static str,
        /// The scope to ask for, if the API needs one.
        scope: Option<&'static str>,
    },
    /// Identify VideoIdent: `POST {base_url}{login_path}` with `{PARTNER, APIKEY}` returns a
    /// JWT, sent as `X-API-TOKEN` with `X-API-PARTNER` on every call.
    IdentifyPartnerLogin {
        /// The login path below the base URL (`/auth`).
        login_path: &'static str,
    },
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
        /// The OAuth2 client id.
        client_id: String,
        /// The OAuth2 client secret.
        client_secret: SecretString,
    },
    /// Identify partner name and API key.
    Partner {
        /// The partner name (`X-API-PARTNER`).
        partner: String,
        /// The partner's API key.
        api_key: SecretString,
    },
}

impl Credentials {
    /// OAuth2 client credentials (client id and secret).
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self::ClientCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }

    /// Identify's partner name and API key.
    pub fn partner(partner: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self::Partner {
            partner: partner.into(),
            api_key: SecretString::from(api_key.into()),
        }
    }

    /// A ready access token, sent as `Authorization: Bearer` and never refreshed.
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
        /// `partner` as the `X-API-PARTNER` value (`None` if it cannot be one).
        partner_header: Option<HeaderValue>,
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
                cache: TokenCache::new(bearer),
            }),
            (
                AuthScheme::IdentifyPartnerLogin { login_path },
                Credentials::Partner { partner, api_key },
            ) => Ok(Self::Partner {
                login_url: format!("{base_url}{login_path}"),
                partner_header: HeaderValue::from_str(&partner).ok(),
                partner,
                api_key,
                cache: TokenCache::new(sensitive_header),
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
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, bearer(token.expose_secret()));
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
                request.headers_mut().insert(AUTHORIZATION, token);
            }
            Self::Partner {
                login_url,
                partner,
                partner_header,
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
                if let Some(value) = partner_header {
                    headers.insert(PARTNER_HEADER, value.clone());
                }
                headers.insert(PARTNER_TOKEN_HEADER, token);
            }
        }
        Ok(())
    }

    /// After a 401 to `request`: drops the token it carried from the cache (unless a
    /// newer one is cached already). True when a fresh token can be fetched, i.e. the
    /// request carried a cached token; false for no auth or a fixed bearer token.
    pub(crate) fn reject_token_of(&self, request: &reqwest::Request) -> bool {
        let (cache, header) = match self {
            Self::OAuth2 { cache, .. } => (cache, AUTHORIZATION),
            Self::Partner { cache, .. } => (cache, PARTNER_TOKEN_HEADER),
            Self::None | Self::Bearer(_) => return false,
        };
        let Some(rejected) = request.headers().get(header) else {
            return false;
        };
        cache.invalidate(rejected);
        true
    }

    /// Whether a 401 can be answered by fetching a new token (and replaying the call).
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Self::OAuth2 { .. } | Self::Partner { .. })
    }
}

/// `Bearer <token>`, marked sensitive.
fn bearer(token: &str) -> HeaderValue {
    sensitive_header(&format!("Bearer {token}"))
}

/// A header value marked sensitive, so reqwest/hyper never log it.
fn sensitive_header(value: &str) -> HeaderValue {
    let mut value = HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
}
