//! An OAuth2 client-credentials token endpoint (RFC 6749 §4.4) and the bearer check of
//! the calls, as every OAuth vendor of the sandbox serves them: the form, client
//! authentication (HTTP Basic or form fields), `grant_type`, the scope rule, the token
//! answer and the error answer. A vendor supplies a [`TokenEndpoint`] (its clients,
//! scope rule and token lifetime) and, for a refused call, its own error shape.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;

use crate::clock::Clock;
use crate::kit::http::json_response;
use crate::kit::ids::random_hex;
use crate::kit::store::{SessionStore, VendorState, after};

/// Issued access tokens, each with what it grants (`()` when a token grants nothing
/// more than access), removed when they expire.
pub(crate) type Tokens<G> = SessionStore<G>;

/// Which `scope` a token request must ask for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope {
    /// Exactly this one; the answer names it.
    Exactly(&'static str),
    /// When given, one including this; the answer names none.
    Includes(&'static str),
    /// Any or none; the answer repeats what was asked.
    Any,
}

/// What differs between the vendors' token endpoints.
pub(crate) struct TokenEndpoint<G> {
    /// Names the vendor in `WWW-Authenticate` of token errors.
    pub realm: &'static str,
    /// How long a token is valid (sandbox time).
    pub lifetime: Duration,
    /// What a token of the client `(id, secret)` grants, or `None` for a client the
    /// vendor does not know.
    pub client: fn(&str, &str) -> Option<G>,
    pub scope: Scope,
    /// At most this many tokens are kept; the first to expire makes room.
    pub cap: usize,
}

/// A vendor's token endpoint with the tokens it issued, on the sandbox clock.
pub(crate) struct Issuer<G> {
    endpoint: TokenEndpoint<G>,
    tokens: VendorState<Tokens<G>>,
}

impl<G: Clone + Send + Sync + 'static> Issuer<G> {
    pub fn new(endpoint: TokenEndpoint<G>, clock: Arc<Clock>) -> Self {
        Self {
            tokens: VendorState::new(clock, Tokens::new(endpoint.cap)),
            endpoint,
        }
    }

    /// The token endpoint at `path` (POST).
    pub fn route(self: Arc<Self>, path: &str) -> Router {
        Router::new().route(path, post(token::<G>)).with_state(self)
    }

    /// What the request's bearer token grants; else the reason for the vendor's 401
    /// (to be sent through [`challenge`]).
    pub fn check(&self, headers: &HeaderMap) -> Result<G, &'static str> {
        check_bearer(headers, &self.tokens.lock()).cloned()
    }

    /// Keeps `token` until `expiry`.
    pub fn keep(&self, token: String, grant: G, expiry: SystemTime) {
        self.tokens.lock().insert_evicting(token, grant, expiry);
    }

    /// How many tokens are held.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.tokens.lock().len()
    }
}

async fn token<G: Clone + Send + Sync + 'static>(
    State(issuer): State<Arc<Issuer<G>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = issuer.tokens.now();
    issuer
        .endpoint
        .answer(&headers, &body, now, |token, grant, expiry| {
            issuer.keep(token, grant, expiry)
        })
}

impl<G> TokenEndpoint<G> {
    /// Answers a token request: the OAuth2 error, or a new token, which `keep` stores
    /// with what it grants and its expiry.
    pub fn answer(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
        keep: impl FnOnce(String, G, SystemTime),
    ) -> Response {
        let request = match read(self.realm, headers, body) {
            Ok(request) => request,
            Err(answer) => return *answer,
        };
        let Some(grant) = (self.client)(&request.client_id, &request.client_secret) else {
            return request.reject_client(self.realm);
        };
        if let Some(answer) = request.grant_error(self.realm) {
            return answer;
        }
        let asked = request.form.get("scope");
        let scope = match self.scope {
            Scope::Exactly(scope) if asked.map(String::as_str) == Some(scope) => Some(scope.into()),
            Scope::Exactly(scope) => {
                return self.invalid_scope(&format!("The scope must be {scope}."));
            }
            Scope::Includes(scope) if asked.is_some_and(|a| !a.split(' ').any(|s| s == scope)) => {
                return self.invalid_scope(&format!("The scope must include {scope}."));
            }
            Scope::Includes(_) => None,
            Scope::Any => asked.cloned(),
        };
        let access_token = random_hex(32);
        keep(access_token.clone(), grant, after(now, self.lifetime));
        let mut body = serde_json::json!({
            "access_token": access_token,
            "expires_in": self.lifetime.as_secs(),
            "token_type": "Bearer",
        });
        if let Some(scope) = scope {
            body["scope"] = serde_json::Value::String(scope);
        }
        let mut response = json_response(&body);
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    fn invalid_scope(&self, description: &str) -> Response {
        error(
            StatusCode::BAD_REQUEST,
            self.realm,
            "invalid_scope",
            description,
        )
    }
}

/// What a valid bearer token of `headers` grants; else the reason to give in the
/// vendor's 401.
fn check_bearer<'t, G>(headers: &HeaderMap, tokens: &'t Tokens<G>) -> Result<&'t G, &'static str> {
    match bearer_token(headers) {
        Some(token) => tokens
            .get(token)
            .ok_or("The access token is invalid or expired."),
        None => Err("An access token is required (Authorization: Bearer)."),
    }
}

/// A vendor's 401 with the bearer challenge (RFC 6750 §3).
pub(crate) fn challenge(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// A token request whose client has authenticated in some way (not yet checked).
pub(crate) struct TokenRequest {
    pub client_id: String,
    pub client_secret: String,
    /// The form fields (first value of each).
    pub form: HashMap<String, String>,
    /// The status for a wrong client: 401 when it used HTTP Basic, else 400.
    pub reject_status: StatusCode,
}

/// Reads the form and the client's credentials; answers `invalid_client` when there are
/// none. `realm` names the vendor in `WWW-Authenticate`.
pub(crate) fn read(
    realm: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TokenRequest, Box<Response>> {
    let mut form: HashMap<String, String> = HashMap::new();
    for (key, value) in form_urlencoded::parse(body) {
        form.entry(key.into_owned()).or_insert(value.into_owned());
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|encoded| {
            base64_decode(encoded.trim())
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|pair| {
                    pair.split_once(':')
                        .map(|(id, secret)| (id.to_string(), secret.to_string()))
                })
        });
    let (credentials, reject_status) = match basic {
        Some(decoded) => (decoded, StatusCode::UNAUTHORIZED),
        None => (
            form.get("client_id")
                .zip(form.get("client_secret"))
                .map(|(id, secret)| (id.clone(), secret.clone())),
            StatusCode::BAD_REQUEST,
        ),
    };
    let Some((client_id, client_secret)) = credentials else {
        return Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            realm,
            "invalid_client",
            "Client authentication is required (HTTP Basic or client_id and client_secret).",
        )));
    };
    Ok(TokenRequest {
        client_id,
        client_secret,
        form,
        reject_status,
    })
}

impl TokenRequest {
    /// `invalid_client` for a client the vendor does not know.
    pub fn reject_client(&self, realm: &str) -> Response {
        error(
            self.reject_status,
            realm,
            "invalid_client",
            "Client authentication failed.",
        )
    }

    /// The error answer unless `grant_type` is `client_credentials`, the only grant served.
    pub fn grant_error(&self, realm: &str) -> Option<Response> {
        match self.form.get("grant_type").map(String::as_str) {
            Some("client_credentials") => None,
            None => Some(error(
                StatusCode::BAD_REQUEST,
                realm,
                "invalid_request",
                "The grant_type parameter is required.",
            )),
            Some(_) => Some(error(
                StatusCode::BAD_REQUEST,
                realm,
                "unsupported_grant_type",
                "Only client_credentials is supported.",
            )),
        }
    }
}

/// An OAuth2 error answer (RFC 6749 §5.2).
pub(crate) fn error(status: StatusCode, realm: &str, error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut response = json_response(&body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED
        && let Ok(value) = HeaderValue::from_str(&format!("Basic realm=\"{realm}\""))
    {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The bearer token of a request (`Authorization: Bearer <token>`), if any.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// Decodes standard base64 (padding optional); `None` on anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64() {
        assert_eq!(
            base64_decode("c2FuZGJveC1jbGllbnQ6c2FuZGJveC1zZWNyZXQ=").unwrap(),
            b"sandbox-client:sandbox-secret"
        );
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert_eq!(base64_decode("not base64!"), None);
    }
}
