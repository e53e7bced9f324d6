//! Signicat Authentication REST API v1 (eID Hub), under `/signicat-authentication/`.
//!
//! - `POST /signicat-authentication/auth/open/connect/token`: OAuth2 client credentials
//!   (HTTP Basic or form fields) for [`CLIENT_ID`] / [`CLIENT_SECRET`], scope
//!   `signicat-api`; tokens live [`TOKEN_LIFETIME`] of sandbox time.
//! - `POST .../auth/rest/sessions`, `GET .../sessions/{id}`,
//!   `POST .../sessions/{id}/cancel`, with the generated crate's types as bodies.
//!
//! A session created with an `encryptionPublicKey` is read back from `getSession`
//! encrypted to it: a compact JWE (`A256GCM`) with `Content-Type: application/jose`.
//!
//! Lifecycle: `CREATED` → (end user opens the page) `WAITING_FOR_USER` → `SUCCESS`,
//! `ABORT` or `ERROR`; `CANCELLED` by the cancel call while not completed. A session
//! lives `sessionLifetime` seconds (default 1200, values below 300 raised to 300). When
//! it expires before being completed it reports `EXPIRED` with error code
//! `session_expired`; one hour after its expiry any session is removed and answers 404.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use idverify_signicat_authentication::{spec_facts, types};
use serde_json::json;

use crate::Shared;
use crate::clock::rfc3339;
use crate::kit::oauth::{self, Issuer, Scope, TokenEndpoint};
use crate::persons::Person;
use crate::kit::http::{json_response, query_param};
use crate::kit::ids::{random_hex, random_uuid};
use crate::kit::store::{Prune, SessionStore, VendorState, after};
use crate::kit::strict_json::parse_request;
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};

mod errors;
mod identity;
mod routes;
mod store;
mod validate;
#[cfg(test)]
mod tests;

use errors::*;
use identity::*;
use store::*;
use validate::*;

/// Name and path prefix.
pub const NAME: &str = super::Api::SignicatAuthentication.name();

/// The REST API's path (append to the sandbox's base URL).
pub const API_PATH: &str = "/signicat-authentication/auth/rest";

/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/signicat-authentication/auth/open/connect/token";

/// The test client.
/// The token endpoint: the test client, scope `signicat-api`.
const TOKENS: TokenEndpoint<()> = TokenEndpoint {
    realm: NAME,
    lifetime: TOKEN_LIFETIME,
    client: |id, secret| (id == CLIENT_ID && secret == CLIENT_SECRET).then_some(()),
    scope: Scope::Exactly(SCOPE),
    cap: MAX_SESSIONS,
};

pub const CLIENT_ID: &str = "sandbox-client";

pub const CLIENT_SECRET: &str = "sandbox-secret";

/// The scope the token endpoint requires.
pub const SCOPE: &str = "signicat-api";

/// How long an access token is valid (sandbox time).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(600);

/// Session lifetime when `sessionLifetime` is absent, and its soft minimum.
pub const DEFAULT_SESSION_LIFETIME: u32 = 1200;

pub const MIN_SESSION_LIFETIME: u32 = 300;

/// How long an expired session stays readable before it is removed.
pub const RETENTION: Duration = Duration::from_secs(3600);

/// At most this many sessions (and as many tokens) are kept.
pub const MAX_SESSIONS: usize = 10_000;

/// The account id reported when the call names none.
pub const ACCOUNT_ID: &str = "a-sandbox-account";

/// `embeddedParentDomains` are what the spec says they are for: the page's CSP
/// `frame-ancestors`. A domain is a host (any port: `example.com:*`); a redirect
/// session's page may not be framed at all.
fn frame_ancestors(flow: &types::Flow, parent_domains: Option<&[String]>) -> Option<String> {
    match flow {
        types::Flow::Redirect => Some("'none'".into()),
        types::Flow::Embedded => {
            let sources: Vec<String> = parent_domains
                .unwrap_or_default()
                .iter()
                .filter(|d| {
                    !d.is_empty()
                        && d.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                })
                .map(|d| format!("{d}:*"))
                .collect();
            (!sources.is_empty()).then(|| sources.join(" "))
        }
        _ => None,
    }
}

/// The Signicat Authentication API of a sandbox.
pub(crate) struct SignicatAuthentication {
    shared: Arc<Shared>,
    state: VendorState<Store>,
    tokens: Arc<Issuer<()>>,
}

impl SignicatAuthentication {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            state: VendorState::new(shared.clock.clone(), Store::default()),
            tokens: Arc::new(Issuer::new(TOKENS, shared.clock.clone())),
            shared,
        }
    }

    /// A 401 unless `headers` carry a valid, unexpired bearer token.
    fn unauthorized(&self, headers: &HeaderMap) -> Option<Response> {
        let detail = self.tokens.check(headers).err()?;
        let problem = problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            detail,
            "invalid_token",
            Vec::new(),
        );
        Some(oauth::challenge(problem))
    }

    fn session_url(&self, id: &str) -> String {
        format!("{}{API_PATH}/sessions/{id}", self.shared.base_url)
    }

    fn page_url(&self, id: &str) -> String {
        format!("{}/_sandbox/ui/{NAME}/{id}", self.shared.base_url)
    }

    /// Creates a session from a validated request; `None` when [`MAX_SESSIONS`] exist.
    fn create(
        &self,
        request: types::CreateSessionRequest,
        account_id: Option<String>,
    ) -> Option<types::Session> {
        let lifetime = request
            .session_lifetime
            .map_or(DEFAULT_SESSION_LIFETIME, |s| {
                u32::try_from(s).unwrap_or(0).max(MIN_SESSION_LIFETIME)
            });
        let now = self.state.now();
        let expires_at = now
            .checked_add(Duration::from_secs(lifetime.into()))
            .unwrap_or(now);
        let id = random_uuid();
        let headless = request.flow == types::Flow::Headless;
        // The embedded flow's session comes with a nonce that `getSession` may be given.
        let session_nonce = (request.flow == types::Flow::Embedded).then(|| random_hex(16));
        let return_url = request.return_url.clone();
        let frame_ancestors =
            frame_ancestors(&request.flow, request.embedded_parent_domains.as_deref());
        let session = types::Session {
            id: Some(id.clone()),
            account_id: Some(account_id.unwrap_or_else(|| ACCOUNT_ID.to_string())),
            authentication_url: (!headless).then(|| self.page_url(&id)),
            status_url: Some(self.session_url(&id)),
            session_nonce,
            status: Some(types::SessionStatus::Created),
            flow: Some(request.flow),
            requested_attributes: Some(request.requested_attributes),
            callback_urls: request.callback_urls,
            tags: request
                .tags
                .map(|tags| tags.into_iter().map(String::from).collect()),
            allowed_providers: request
                .allowed_providers
                .map(|p| p.into_iter().map(String::from).collect()),
            language: request.language,
            theme_id: request.theme_id.map(String::from),
            external_reference: request.external_reference.map(String::from),
            usage_reference: request.usage_reference,
            session_lifetime: Some(lifetime as i32),
            request_domain: request.request_domain,
            expires_at: Some(rfc3339(expires_at)),
            message_transport_properties: Some(types::MessageTransportProperties {
                message_level_encryption: Some("NOT_REQUIRED".into()),
                require_hsm_signing: Some(false),
            }),
            ..Default::default()
        };
        let record = Record {
            session: session.clone(),
            expires_at,
            return_url,
            frame_ancestors,
            encryption_key: request
                .encryption_public_key
                .as_ref()
                .and_then(|key| public_jwk(key).ok()),
        };
        self.state.lock().insert(id, record).then_some(session)
    }
}

/// Starts this API of a sandbox.
pub(crate) fn start(shared: Arc<Shared>) -> Arc<dyn Vendor> {
    Arc::new(SignicatAuthentication::new(shared))
}

impl crate::SandboxApi for idverify_signicat_authentication::Client {
    const SANDBOX_API: crate::Api = crate::Api::SignicatAuthentication;
    const API_PATH: &'static str = API_PATH;
    const TOKEN_PATH: &'static str = TOKEN_PATH;
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient {
        environment: "production",
        id: CLIENT_ID,
        secret: CLIENT_SECRET,
    };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[];
}
