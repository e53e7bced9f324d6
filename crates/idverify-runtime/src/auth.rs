//! Credentials and the token providers: OAuth2 client credentials and Identify partner
//! login. A token is cached until shortly before it expires; concurrent callers on a cold
//! cache wait for one fetch (single flight) instead of each fetching their own.

use std::fmt;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;

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

/// Getting a token failed. Never carries a secret or a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint refused the credentials (or failed); `error` and
    /// `description` are the vendor's OAuth2 error fields when present.
    #[error("token endpoint {url} answered {status}: {}", describe(.error, .description))]
    Rejected {
        url: String,
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },
    /// The token endpoint answered 2xx with something that is not a usable token.
    #[error("token endpoint {url} gave an invalid token response: {reason}")]
    InvalidResponse { url: String, reason: String },
    /// The token endpoint could not be reached.
    #[error("token endpoint {url} could not be reached: {source}")]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
}

fn describe(error: &Option<String>, description: &Option<String>) -> String {
    match (error, description) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => "no error details".to_string(),
    }
}

impl AuthError {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Rejected { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A cached token and when to stop using it.
struct Cached {
    token: SecretString,
    refresh_at: Option<Instant>,
}

/// One token cache with single-flight refresh.
pub(crate) struct TokenCache {
    slot: Mutex<Option<Cached>>,
}

impl TokenCache {
    pub(crate) fn new() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }

    /// The cached token, or the one `fetch` returns. The lock is held across the fetch:
    /// callers arriving meanwhile wait and then reuse the fresh token.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<SecretString, AuthError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(SecretString, Option<Duration>), AuthError>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(cached) = slot.as_ref()
            && cached.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(cached.token.clone());
        }
        let (token, lifetime) = fetch().await?;
        *slot = Some(Cached {
            token: token.clone(),
            refresh_at: lifetime.map(|l| Instant::now() + l),
        });
        Ok(token)
    }

    /// Drops the cached token if it is `rejected` (the one a 401 answered); a newer one is
    /// kept, so concurrent 401s cause one refresh, not one each.
    pub(crate) async fn invalidate(&self, rejected: &str) {
        let mut slot = self.slot.lock().await;
        if slot
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected)
        {
            *slot = None;
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// Requests a client-credentials token. Returns the token and how long to use it (its
/// lifetime less `skew`).
pub(crate) async fn fetch_client_credentials(
    http: &reqwest::Client,
    token_url: &str,
    scope: Option<&str>,
    client_id: &str,
    client_secret: &SecretString,
    skew: Duration,
) -> Result<(SecretString, Option<Duration>), AuthError> {
    let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let response = http
        .post(token_url)
        .basic_auth(client_id, Some(client_secret.expose_secret()))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .send()
        .await
        .map_err(|source| AuthError::Transport {
            url: token_url.to_string(),
            source,
        })?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|source| AuthError::Transport {
            url: token_url.to_string(),
            source,
        })?;
    if !status.is_success() {
        let parsed: Option<OAuthErrorBody> = serde_json::from_slice(&body).ok();
        return Err(AuthError::Rejected {
            url: token_url.to_string(),
            status: status.as_u16(),
            error: parsed.as_ref().and_then(|p| p.error.clone()),
            description: parsed.and_then(|p| p.error_description),
        });
    }
    let invalid = |reason: &str| AuthError::InvalidResponse {
        url: token_url.to_string(),
        reason: reason.to_string(),
    };
    let parsed: TokenResponse = serde_json::from_slice(&body)
        .map_err(|_| invalid("the body is not a JSON token response"))?;
    let token = parsed
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid("no `access_token`"))?;
    let lifetime = match parsed.expires_in {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => {
            let seconds = value
                .as_i64()
                .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                .ok_or_else(|| invalid("`expires_in` is not a number"))?;
            if seconds < 0 {
                return Err(invalid("`expires_in` is negative"));
            }
            Some(Duration::from_secs(seconds as u64).saturating_sub(skew))
        }
    };
    Ok((SecretString::from(token), lifetime))
}

#[derive(Deserialize)]
struct PartnerLoginResponse {
    token: Option<String>,
    messages: Option<Vec<String>>,
}

/// Identify partner login. The JWT's idle timeout (30 min) is not known in advance, so
/// the token has no fixed lifetime: a 401 drops it and logs in again.
pub(crate) async fn fetch_partner_token(
    http: &reqwest::Client,
    login_url: &str,
    partner: &str,
    api_key: &SecretString,
) -> Result<(SecretString, Option<Duration>), AuthError> {
    let body = serde_json::json!({ "PARTNER": partner, "APIKEY": api_key.expose_secret() });
    let response = http
        .post(login_url)
        .json(&body)
        .send()
        .await
        .map_err(|source| AuthError::Transport {
            url: login_url.to_string(),
            source,
        })?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|source| AuthError::Transport {
            url: login_url.to_string(),
            source,
        })?;
    let parsed: Option<PartnerLoginResponse> = serde_json::from_slice(&bytes).ok();
    if !status.is_success() {
        return Err(AuthError::Rejected {
            url: login_url.to_string(),
            status: status.as_u16(),
            error: None,
            description: parsed.and_then(|p| p.messages).map(|m| m.join("; ")),
        });
    }
    let token = parsed
        .and_then(|p| p.token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AuthError::InvalidResponse {
            url: login_url.to_string(),
            reason: "no `token` in the login response".to_string(),
        })?;
    Ok((SecretString::from(token), None))
}
