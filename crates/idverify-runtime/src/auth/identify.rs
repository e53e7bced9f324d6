//! Identify VideoIdent partner login: `{PARTNER, APIKEY}` in, a JWT out.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::AuthError;

#[derive(Deserialize)]
struct PartnerLoginResponse {
    token: Option<String>,
    messages: Option<Vec<String>>,
}

/// Identify partner login (one attempt, within `timeout`). The JWT's idle timeout (30 min) is not known in advance, so
/// the token has no fixed lifetime: a 401 drops it and logs in again.
pub(super) async fn fetch_partner_token(
    http: &reqwest::Client,
    login_url: &str,
    partner: &str,
    api_key: &SecretString,
    timeout: Option<Duration>,
) -> Result<(SecretString, Option<Duration>), AuthError> {
    let body = serde_json::json!({ "PARTNER": partner, "APIKEY": api_key.expose_secret() });
    let (status, bytes) =
        super::request::send_token_request(http.post(login_url).json(&body), login_url, timeout)
            .await?;
    let parsed: Option<PartnerLoginResponse> = serde_json::from_slice(&bytes).ok();
    if !status.is_success() {
        // Identify answers a wrong partner or key with 401 (403: not allowed to log in).
        let credentials = matches!(status.as_u16(), 401 | 403);
        return Err(AuthError::refused(
            login_url,
            status,
            credentials,
            None,
            parsed.and_then(|p| p.messages).map(|m| m.join("; ")),
        ));
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
