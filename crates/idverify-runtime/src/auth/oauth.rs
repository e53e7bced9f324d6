//! OAuth2 client credentials (RFC 6749 §4.4): the token request and its answer.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::AuthError;

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

/// OAuth2 error codes (RFC 6749 §5.2) that mean the credentials themselves were refused.
const CREDENTIALS_REFUSED: &[&str] = &["invalid_client", "unauthorized_client", "invalid_grant"];

/// Requests a client-credentials token (one attempt, within `timeout`). Returns the
/// token and how long to use it (its lifetime less `skew`).
pub(super) async fn fetch_client_credentials(
    http: &reqwest::Client,
    token_url: &str,
    scope: Option<&str>,
    client_id: &str,
    client_secret: &SecretString,
    skew: Duration,
    timeout: Option<Duration>,
) -> Result<(SecretString, Option<Duration>), AuthError> {
    let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let request = http
        .post(token_url)
        .basic_auth(client_id, Some(client_secret.expose_secret()))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form);
    let (status, body) = super::request::send_token_request(request, token_url, timeout).await?;
    if !status.is_success() {
        let parsed: Option<OAuthErrorBody> = serde_json::from_slice(&body).ok();
        let error = parsed.as_ref().and_then(|p| p.error.clone());
        // 401: client authentication failed (§5.2), whatever the code says.
        let credentials = status == reqwest::StatusCode::UNAUTHORIZED
            || (status == reqwest::StatusCode::BAD_REQUEST
                && error
                    .as_deref()
                    .is_some_and(|e| CREDENTIALS_REFUSED.contains(&e)));
        return Err(AuthError::refused(
            token_url,
            status,
            credentials,
            error,
            parsed.and_then(|p| p.error_description),
        ));
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
