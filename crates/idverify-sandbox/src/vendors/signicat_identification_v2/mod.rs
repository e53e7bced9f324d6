//! Signicat (Idfy) Identification API v2, under `/signicat-identification-v2/`.
//!
//! - `POST /signicat-identification-v2/oauth/connect/token`: OAuth2 client credentials
//!   (HTTP Basic or form fields) for [`CLIENT_ID`] / [`CLIENT_SECRET`], scope
//!   `identify`; tokens live [`TOKEN_LIFETIME`] of sandbox time.
//! - Under `.../identification/v2`: `POST /sessions` (201 with the session),
//!   `GET /sessions/{id}`, `POST /sessions/{id}/invalidate` (204), `GET /sessions`
//!   (`limit`, default 20, at most 100; `cursor` = the previous page's `nextCursor`),
//!   `GET /languages`, `GET /id-providers`, `GET /id-providers/account`, with the
//!   generated crate's types as bodies.
//!
//! Lifecycle: `created` → (end user opens the page) `user_initiated` → `success`,
//! `user_aborted` or `failed`; `invalidated` by the invalidate call while not completed
//! (completed, timed out or invalidated sessions are refused with a 400). A session not
//! completed [`SESSION_LIFETIME`] (10 minutes) after its creation is `timed_out`.
//! [`PERSONAL_DATA_LIFETIME`] (1 hour) after creation a session keeps only `id`,
//! `created`, `expires`, `status`, `language`, `flow`, `provider`,
//! `environment.userAgent`, `externalReference` and `error`; [`RETENTION`] (24 hours)
//! after creation it is removed and answers 404.
//!
//! The list holds only sessions that are no longer active (not `created` or
//! `user_initiated`), oldest first, each in the reduced form above (no personal data).
//!
//! Flows: `redirect` sessions send the browser (303) to `redirectSettings.successUrl`,
//! `abortUrl` or `errorUrl` (surrounding spaces trimmed, no parameters added); `iframe`
//! sessions end on a page that posts `{"sessionId", "status"}` to the parent window
//! with `postMessage` and `iframeSettings.postMessageTargetOrigin`; `headless` sessions
//! have no page and are completed through the control API.
//!
//! Errors are Signicat problem documents (`types::ApiError`): 400 with `invalidParams`
//! naming each bad field, 401, 404 `session_not_found`; the token endpoint answers
//! OAuth2 errors.


use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use idverify_signicat_identification_v2::{spec_facts, types};

use crate::Shared;
use crate::clock::rfc3339;
use crate::kit::oauth::{self, Issuer, Scope, TokenEndpoint};
use crate::persons::Person;
use crate::kit::html::escape_html;
use crate::kit::http::{json_response, query_param};
use crate::kit::ids::random_hex;
use crate::kit::store::{Prune, SessionStore, VendorState, after};
use crate::kit::strict_json::parse_request;
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};

mod errors;
mod identity;
mod iframe;
mod routes;
mod store;
mod validate;
#[cfg(test)]
mod tests;

use errors::*;
use identity::*;
use iframe::*;
use store::*;
use validate::*;

/// Name and path prefix.
pub const NAME: &str = super::Api::SignicatIdentificationV2.name();

/// The API's path (append to the sandbox's base URL).
pub const API_PATH: &str = "/signicat-identification-v2/identification/v2";

/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/signicat-identification-v2/oauth/connect/token";

/// Where an `iframe` session's page ends (it posts the message to the parent window).
pub const IFRAME_DONE_PATH: &str = "/signicat-identification-v2/_iframe";

/// The token endpoint: the test client, scope `identify`.
const TOKENS: TokenEndpoint<()> = TokenEndpoint {
    realm: NAME,
    lifetime: TOKEN_LIFETIME,
    client: |id, secret| (id == CLIENT_ID && secret == CLIENT_SECRET).then_some(()),
    scope: Scope::Exactly(SCOPE),
    cap: MAX_SESSIONS,
};

pub const CLIENT_ID: &str = "sandbox-idv2-client";

pub const CLIENT_SECRET: &str = "sandbox-idv2-secret";

/// The scope the token endpoint requires.
pub const SCOPE: &str = "identify";

/// How long an access token is valid (sandbox time).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// How long a session can be used after its creation.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(600);

/// How long personal data is kept after a session's creation.
pub const PERSONAL_DATA_LIFETIME: Duration = Duration::from_secs(3600);

/// How long after its creation a session is removed altogether.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);

/// At most this many sessions (and as many tokens) are kept.
pub const MAX_SESSIONS: usize = 10_000;

/// The list's page size when `limit` is absent, and its largest value.
pub const DEFAULT_LIMIT: u32 = 20;

pub const MAX_LIMIT: u32 = 100;

/// The Signicat Identification API v2 of a sandbox.
pub(crate) struct SignicatIdentificationV2 {
    shared: Arc<Shared>,
    state: VendorState<Store>,
    tokens: Arc<Issuer<()>>,
}

impl SignicatIdentificationV2 {
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
        Some(oauth::challenge(problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            detail,
            "unauthorized",
            Vec::new(),
        )))
    }

    fn page_url(&self, id: &str) -> String {
        format!("{}/_sandbox/ui/{NAME}/{id}", self.shared.base_url)
    }

    /// Creates a session from a validated request; `None` when [`MAX_SESSIONS`] exist.
    fn create(&self, request: types::CreateSessionRequest) -> Option<types::Session> {
        let now = self.state.now();
        let expires_at = now.checked_add(SESSION_LIFETIME).unwrap_or(now);
        let id = random_hex(16);
        let headless = request.flow == types::Flow::Headless;
        let session = types::Session {
            id: id.clone(),
            url: (!headless).then(|| self.page_url(&id)),
            security_reference: headless.then(security_reference),
            status: types::SessionStatus::Created,
            created: rfc3339(now),
            expires: rfc3339(expires_at),
            provider: None,
            identity: None,
            environment: None,
            allowed_providers: (!request.allowed_providers.is_empty())
                .then_some(request.allowed_providers),
            language: Some(request.language.unwrap_or(types::Language::En)),
            flow: request.flow,
            include: (!request.include.is_empty()).then_some(request.include),
            redirect_settings: request.redirect_settings,
            iframe_settings: request.iframe_settings,
            external_reference: request.external_reference,
            department_id: request.department_id,
            ui: request.ui,
            prefilled_input: request.prefilled_input,
            resources: None,
            audit_trail: None,
            error: None,
        };
        let record = Record {
            session: session.clone(),
            created_at: now,
            purged: false,
        };
        self.state.lock().insert(id, record).then_some(session)
    }

    /// A page of inactive sessions after `cursor` (a sequence number).
    fn list(&self, limit: u32, after: Option<u64>) -> types::SessionList {
        let state = self.state.lock();
        let limit_usize = limit as usize;
        // One more than the page tells whether there is a next one.
        let done: Vec<(u64, &Record)> = state
            .sessions
            .in_creation_order(after)
            .filter(|(_, _, r)| !is_active(&r.session.status))
            .map(|(seq, _, r)| (seq, r))
            .take(limit_usize + 1)
            .collect();
        let next_cursor =
            (done.len() > limit_usize).then(|| encode_cursor(done[limit_usize - 1].0));
        types::SessionList {
            limit: Some(limit as i32),
            next_cursor,
            data: done
                .into_iter()
                .take(limit_usize)
                .map(|(_, r)| reduced(&r.session))
                .collect(),
        }
    }
}

/// Two words shown on the end user's device in the headless flow.
fn security_reference() -> String {
    const COLOURS: [&str; 4] = ["Blue", "Green", "Red", "Yellow"];
    const ANIMALS: [&str; 4] = ["Tiger", "Otter", "Falcon", "Moose"];
    let n = usize::from_str_radix(&random_hex(1), 16).unwrap_or(0);
    format!("{} {}", ANIMALS[n % 4], COLOURS[(n / 4) % 4])
}

fn encode_cursor(seq: u64) -> String {
    format!("c{seq:x}")
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    u64::from_str_radix(cursor.strip_prefix('c')?, 16).ok()
}

/// Starts this API of a sandbox.
pub(crate) fn start(shared: Arc<Shared>) -> Arc<dyn Vendor> {
    Arc::new(SignicatIdentificationV2::new(shared))
}

impl crate::SandboxApi for idverify_signicat_identification_v2::Client {
    const SANDBOX_API: crate::Api = crate::Api::SignicatIdentificationV2;
    const API_PATH: &'static str = API_PATH;
    const TOKEN_PATH: &'static str = TOKEN_PATH;
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient {
        environment: "production",
        id: CLIENT_ID,
        secret: CLIENT_SECRET,
    };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[];
}
