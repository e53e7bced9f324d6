//! IDnow platform API v1, under `/idnow-platform/`.
//!
//! - `POST /idnow-platform/oidc/token`: OAuth2 client credentials (HTTP Basic or form
//!   fields). Two test API clients exist, one created for the `live` environment
//!   ([`LIVE_CLIENT_ID`] / [`LIVE_CLIENT_SECRET`]) and one for `staging`
//!   ([`STAGING_CLIENT_ID`] / [`STAGING_CLIENT_SECRET`]); a token carries its client's
//!   environment and lives [`TOKEN_LIFETIME`] (86400 s) of sandbox time.
//! - Under `/idnow-platform/api/v1`, with the generated crate's types as bodies:
//!   `GET /flows/{environment}` (`page` 1-based, `size` 1–100, default 20),
//!   `POST /flows/{flowId}/{environment}/sessions` (200 with the new session),
//!   `GET /{environment}/sessions/{sessionId}`,
//!   `GET /{environment}/sessions/{sessionId}/datablocks` and
//!   `GET /{environment}/files/{vaultEntryId}` (302 to a presigned URL under
//!   `/idnow-platform/_files/`, valid [`PRESIGNED_LIFETIME`] (3600 s) of sandbox time;
//!   after that the URL answers 403).
//!
//! A token used on a path of the other environment answers 403 (`ENVIRONMENT_MISMATCH`);
//! sessions and files belong to the environment they were created in (404 in the other).
//!
//! Flows (the same in both environments): [`BASIC_FLOW_ID`] (version 1) produces the
//! `basicIdentity` and `outcomeStatus` data blocks; [`DOCUMENT_FLOW_ID`] (version 2) also
//! `documentData` and `documentVerification`, whose `report` is a vault file
//! (`{"$ref": "vault", "$id": ...}`, a tiny PDF-like byte string). Three more flows
//! behave like one of these two, so that the flow list has pages to walk.
//!
//! Lifecycle: `CREATED` → (end user opens the `playerUrl`, which is the sandbox page
//! `/_sandbox/ui/idnow-platform/{sessionId}`) `RUNNING` → `COMPLETED` (outcome
//! `accepted`), `ABORTED` (outcome `NO_OUTCOME`) or `ERROR` (outcome `rejected`). A session
//! not terminal [`SESSION_LIFETIME`] (24 h) after its creation is `EXPIRED`; it is removed
//! [`RETENTION`] (7 days) after its creation and then answers 404, as do its files.
//! After the page, the browser goes to the session's `redirectUrl` (with `state=` added
//! to its query when the session has a `state`), if it has one.
//!
//! Data blocks: the `input` blocks (`createdBy.stepId` `START`) and, once `COMPLETED`,
//! the flow's output blocks filled from the test person; an `ERROR` session has only an
//! `outcomeStatus` block (`rejected`).
//!
//! Errors are `types::ErrorResponse` (`{statusCode, error, message, code, traceId}`); a
//! refused body answers 400 with `code` `VALIDATION_ERROR`, `message` a list of
//! `"<field>: <reason>"` strings and `fields` the field names; the token endpoint
//! answers OAuth2 errors.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use idverify_idnow_platform::{spec_facts, types};
use serde_json::{Value, json};

use crate::Shared;
use crate::clock::{rfc3339, unix_seconds};
use crate::kit::oauth::{self, Issuer, Scope, TokenEndpoint};
use crate::persons::Person;
use crate::signing;
use crate::kit::http::{json_response, query_param};
use crate::kit::ids::{random_hex, random_uuid};
use crate::kit::store::{Prune, SessionStore, StateGuard, VendorState, after};
use crate::kit::strict_json::{from_value, parse_request};
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};
use crate::webhooks::{Event, Message};

mod datablocks;
mod errors;
mod routes;
mod store;
mod validate;
#[cfg(test)]
mod tests;

use datablocks::*;
use errors::*;
use store::*;
use validate::*;

/// The token endpoint: a token grants the environment of its test client; any scope.
const TOKENS: TokenEndpoint<types::Environment> = TokenEndpoint {
    realm: NAME,
    lifetime: TOKEN_LIFETIME,
    client: routes::client_environment,
    scope: Scope::Any,
    cap: MAX_SESSIONS,
};

pub const NAME: &str = super::Api::IdnowPlatform.name();

/// The API's path (append to the sandbox's base URL).
pub const API_PATH: &str = "/idnow-platform/api/v1";

/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/idnow-platform/oidc/token";

/// The issuer (`iss`) of webhook JWTs, below the sandbox's base URL.
pub const ISSUER_PATH: &str = "/idnow-platform/oidc";

/// The JWKS with the key that signs webhook JWTs.
pub const JWKS_PATH: &str = "/idnow-platform/oidc/.well-known/jwks.json";

/// How long a webhook JWT is valid after it is sent.
pub const WEBHOOK_JWT_LIFETIME: Duration = Duration::from_secs(300);

/// Where presigned file URLs point.
pub const FILES_PATH: &str = "/idnow-platform/_files";

/// The test API client created for the `live` environment.
pub const LIVE_CLIENT_ID: &str = "sandbox-idnow-live";

pub const LIVE_CLIENT_SECRET: &str = "sandbox-idnow-live-secret";

/// The test API client created for the `staging` environment.
pub const STAGING_CLIENT_ID: &str = "sandbox-idnow-staging";

pub const STAGING_CLIENT_SECRET: &str = "sandbox-idnow-staging-secret";

/// The flow producing `basicIdentity` and `outcomeStatus`.
pub const BASIC_FLOW_ID: &str = "sandbox-basic-identity";

/// The flow also producing `documentData` and `documentVerification` (with a file).
pub const DOCUMENT_FLOW_ID: &str = "sandbox-document-identity";

/// How long an access token is valid (sandbox time).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);

/// How long a session can be used after its creation.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(86_400);

/// How long after its creation a session (and its files) is removed.
pub const RETENTION: Duration = Duration::from_secs(7 * 86_400);

/// How long a presigned file URL is valid.
pub const PRESIGNED_LIFETIME: Duration = Duration::from_secs(3600);

/// At most this many sessions (and as many tokens and presigned URLs) are kept.
pub const MAX_SESSIONS: usize = 10_000;

/// The flow list's page size when `size` is absent, and its largest value.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

pub const MAX_PAGE_SIZE: u32 = 100;

/// The sandbox's flows: (id, name, description, version, produces documents).
const FLOWS: &[(&str, &str, &str, i64, bool)] = &[
    (
        BASIC_FLOW_ID,
        "Sandbox basic identity",
        "Identifies a test person: basicIdentity and outcomeStatus",
        1,
        false,
    ),
    (
        DOCUMENT_FLOW_ID,
        "Sandbox document identity",
        "Identifies a test person with an ID document and a verification report",
        2,
        true,
    ),
    // More flows, so that listing them pages.
    (
        "sandbox-reidentification",
        "Sandbox re-identification",
        "Identifies a returning test person: basicIdentity and outcomeStatus",
        1,
        false,
    ),
    (
        "sandbox-age-check",
        "Sandbox age check",
        "Checks a test person's age: basicIdentity and outcomeStatus",
        1,
        false,
    ),
    (
        "sandbox-document-capture",
        "Sandbox document capture",
        "Captures and checks a test person's ID document",
        3,
        true,
    ),
];

/// The content of every vault file: a tiny PDF-like byte string.
pub fn file_bytes(vault_entry_id: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% idverify sandbox verification report {vault_entry_id}\n%%EOF\n")
        .into_bytes()
}

/// The IDnow platform API of a sandbox.
pub(crate) struct IdnowPlatform {
    shared: Arc<Shared>,
    state: VendorState<Store>,
    tokens: Arc<Issuer<types::Environment>>,
}

fn parse_environment(text: &str) -> Option<types::Environment> {
    match text {
        "live" => Some(types::Environment::Live),
        "staging" => Some(types::Environment::Staging),
        _ => None,
    }
}

impl IdnowPlatform {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            state: VendorState::new(shared.clock.clone(), Store::default()),
            tokens: Arc::new(Issuer::new(TOKENS, shared.clock.clone())),
            shared,
        }
    }

    /// Locks the state, pruned as of now. Never held across an `.await`.
    fn state(&self) -> StateGuard<'_, Store> {
        let mut state = self.state.lock();
        // Sessions expire when the sandbox next looks at them: their event goes out then.
        for id in std::mem::take(&mut state.just_expired) {
            if let Some(record) = state.sessions.get_mut(&id) {
                self.notify(record);
            }
        }
        state
    }

    /// The path's environment if `headers` carry a valid token of that environment;
    /// otherwise the 401, 403 or 400 to answer.
    #[allow(clippy::result_large_err)]
    fn authorize(
        &self,
        headers: &HeaderMap,
        environment: &str,
    ) -> Result<types::Environment, Response> {
        let granted = self.tokens.check(headers);
        let granted = granted.map_err(|detail| {
            oauth::challenge(error_body(
                StatusCode::UNAUTHORIZED,
                json!(detail),
                "UNAUTHORIZED",
                None,
            ))
        })?;
        let Some(environment) = parse_environment(environment) else {
            return Err(bad_request(vec![(
                "environment".into(),
                format!("Unknown environment `{environment}`; one of live, staging."),
            )]));
        };
        if environment != granted {
            return Err(error_body(
                StatusCode::FORBIDDEN,
                json!(format!(
                    "The API client was created for the {granted} environment; it cannot access {environment}."
                )),
                "ENVIRONMENT_MISMATCH",
                None,
            ));
        }
        Ok(environment)
    }

    fn page_url(&self, id: &str) -> String {
        format!("{}/_sandbox/ui/{NAME}/{id}", self.shared.base_url)
    }

    /// Emits the webhook event of the session's new status, `session.<status>` (e.g.
    /// `session.completed`): an RS256 JWT whose `data` claim is a `WebhookEvent`,
    /// without personal data.
    fn notify(&self, record: &mut Record) {
        record.events += 1;
        let webhooks = &self.shared.webhooks;
        if !webhooks.wanted(NAME) {
            return;
        }
        let session = &record.session;
        let sequence = record.events.to_string();
        let name = format!(
            "session.{}",
            session.session_status.to_string().to_lowercase()
        );
        let environment = session.environment.clone();
        let payload = types::WebhookPayload {
            flow_id: session.flow_id.clone(),
            session_id: Some(session.session_id.clone()),
            session_status: Some(session.session_status.clone()),
        };
        let last_step_id = session.last_step.as_ref().and_then(|s| s.step_id.clone());
        let issuer = format!("{}{ISSUER_PATH}", self.shared.base_url);
        let event = Event {
            api: NAME,
            name: name.clone(),
            session_id: session.session_id.clone(),
            environment: environment.as_ref().map(ToString::to_string),
        };
        // What IDnow puts in `sub` is not documented; the sandbox names the session.
        let subject = session.session_id.clone();
        webhooks.emit(
            event,
            Arc::new(move |subscription, attempt| {
                let now = unix_seconds(attempt.now) as i64;
                let claims = types::WebhookClaims {
                    iss: Some(issuer.clone()),
                    aud: Some(json!(subscription.audience)),
                    sub: Some(subject.clone()),
                    iat: Some(now),
                    exp: Some(now + WEBHOOK_JWT_LIFETIME.as_secs() as i64),
                    data: types::WebhookEvent {
                        event_id: attempt.event_id.to_string(),
                        event_version: Some("1".into()),
                        event_name: name.clone(),
                        event_deliver_id: Some(attempt.delivery_attempt_id.clone()),
                        event_sequence: Some(sequence.clone()),
                        created_at: Some(rfc3339(attempt.now)),
                        environment: environment.clone(),
                        payload: payload.clone(),
                        last_step_id: last_step_id.clone(),
                        last_step_status: None,
                        last_step_type: None,
                    },
                };
                let jwt = serde_json::to_value(&claims)
                    .ok()
                    .and_then(|claims| signing::rs256_jwt(&claims))
                    .unwrap_or_default();
                Message {
                    content_type: "application/jwt",
                    body: jwt.into(),
                    headers: Vec::new(),
                }
            }),
        );
    }

    /// Creates a session of a known flow from a validated request; `None` when
    /// [`MAX_SESSIONS`] exist.
    fn create(
        &self,
        flow: &(&str, &str, &str, i64, bool),
        environment: types::Environment,
        request: types::CreateSessionRequest,
    ) -> Option<types::CreateSessionResponse> {
        let now = self.state.now();
        let expires_at = now.checked_add(SESSION_LIFETIME).unwrap_or(now);
        let id = random_uuid();
        let created = rfc3339(now);
        let input = request
            .input
            .iter()
            .map(|(name, content)| types::Datablock {
                datablock_id: random_uuid(),
                type_: datablock_type(name),
                created_by: Some(types::DatablockCreator {
                    step_id: Some("START".into()),
                    clock: Some(1),
                }),
                created_at: Some(created.clone()),
                status: Some(types::DatablockStatus::Stored),
                content: Some(content.clone()),
            })
            .collect();
        let session = types::Session {
            session_id: id.clone(),
            session_status: types::SessionStatus::Created,
            flow_id: Some(flow.0.to_string()),
            flow_version: Some(flow.3),
            environment: Some(environment.clone()),
            subject_id: request.metadata.as_ref().and_then(|m| m.subject_id.clone()),
            metadata: request.metadata.clone(),
            outcome: None,
            created_at: Some(created.clone()),
            started_at: None,
            updated_at: Some(created.clone()),
            completed_at: None,
            expires_at: Some(rfc3339(expires_at)),
            last_step: None,
            redirect_url: request.redirect_url.clone(),
            state: request.state.as_ref().map(|s| s.to_string()),
            results: None,
        };
        let response = types::CreateSessionResponse {
            flow_id: flow.0.to_string(),
            flow_version: Some(flow.3),
            environment: Some(environment),
            session_context: types::SessionContext {
                session_id: id.clone(),
                session_status: types::SessionStatus::Created,
                created_at: Some(created),
                expires_at: Some(rfc3339(expires_at)),
            },
            player_url: self.page_url(&id),
            sdk_token: Some(random_hex(32)),
        };
        let mut record = Record {
            session,
            created_at: now,
            expires_at,
            documents: flow.4,
            input,
            output: Vec::new(),
            events: 0,
        };
        let mut state = self.state();
        if state.sessions.is_full() {
            return None;
        }
        self.notify(&mut record);
        state.insert(id, record);
        Some(response)
    }
}

/// Starts this API of a sandbox.
pub(crate) fn start(shared: Arc<Shared>) -> Arc<dyn Vendor> {
    Arc::new(IdnowPlatform::new(shared))
}

impl crate::SandboxApi for idverify_idnow_platform::Client {
    const SANDBOX_API: crate::Api = crate::Api::IdnowPlatform;
    const API_PATH: &'static str = API_PATH;
    const TOKEN_PATH: &'static str = TOKEN_PATH;
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient {
        environment: "live",
        id: LIVE_CLIENT_ID,
        secret: LIVE_CLIENT_SECRET,
    };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[crate::TestClient {
        environment: "staging",
        id: STAGING_CLIENT_ID,
        secret: STAGING_CLIENT_SECRET,
    }];
}
