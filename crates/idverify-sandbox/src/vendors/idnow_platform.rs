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
//! (`{"$ref": "vault", "$id": ...}`, a tiny PDF-like byte string).
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

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use bytes::Bytes;
use idverify_idnow_platform::types;
use serde_json::{Value, json};

use crate::Shared;
use crate::clock::{rfc3339, unix_seconds};
use crate::kit::oauth;
use crate::persons::Person;
use crate::signing;
use crate::kit::{http::{json_response, query_param}, ids::{random_hex, random_uuid}, store::{PruneGate, insert_bounded}, strict_json::{from_value, parse_request}};
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};
use crate::webhooks::{Event, Message};

/// Name and path prefix.
/// Names this API in `WWW-Authenticate` of token errors.
const REALM: &str = "idnow-platform";
pub const NAME: &str = "idnow-platform";
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
];

/// The content of every vault file: a tiny PDF-like byte string.
pub fn file_bytes(vault_entry_id: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% idverify sandbox verification report {vault_entry_id}\n%%EOF\n")
        .into_bytes()
}

struct Record {
    session: types::Session,
    created_at: SystemTime,
    expires_at: SystemTime,
    documents: bool,
    input: Vec<types::Datablock>,
    output: Vec<types::Datablock>,
    /// Webhook events emitted for the session so far (`eventSequence`).
    events: u32,
}

fn is_open(status: &types::SessionStatus) -> bool {
    matches!(
        status,
        types::SessionStatus::Created | types::SessionStatus::Running
    )
}

impl Record {
    /// Marks an open session past its expiry `EXPIRED`; true if it did.
    fn age(&mut self, now: SystemTime) -> bool {
        if now >= self.expires_at && is_open(&self.session.session_status) {
            let at = rfc3339(self.expires_at);
            self.session.session_status = types::SessionStatus::Expired;
            self.session.completed_at = Some(at.clone());
            self.session.updated_at = Some(at);
            return true;
        }
        false
    }
}

#[derive(Default)]
struct Store {
    prune_gate: PruneGate,
    sessions: HashMap<String, Record>,
    /// Access token → (expiry, the client's environment).
    tokens: HashMap<String, (SystemTime, types::Environment)>,
    /// Vault entry id → (session id, environment).
    files: HashMap<String, (String, types::Environment)>,
    /// Presigned URL signature → (vault entry id, expiry).
    presigned: HashMap<String, (String, SystemTime)>,
}

impl Store {
    /// Drops expired tokens, sessions past their retention and their files; ages the others.
    /// Returns the sessions that have just expired.
    fn prune(&mut self, now: SystemTime) -> Vec<String> {
        self.tokens.retain(|_, (expiry, _)| *expiry > now);
        self.sessions.retain(|_, record| {
            record
                .created_at
                .checked_add(RETENTION)
                .is_none_or(|gone| gone > now)
        });
        let sessions = &self.sessions;
        self.files
            .retain(|_, (session, _)| sessions.contains_key(session));
        let files = &self.files;
        // An expired or forgotten presigned URL answers 403 all the same.
        self.presigned
            .retain(|_, (vault, expiry)| files.contains_key(vault) && *expiry > now);
        let mut expired = Vec::new();
        for (id, record) in &mut self.sessions {
            if record.age(now) {
                expired.push(id.clone());
            }
        }
        expired
    }
}

/// The IDnow platform API of a sandbox.
pub(crate) struct IdnowPlatform {
    shared: Arc<Shared>,
    state: Mutex<Store>,
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
            shared,
            state: Mutex::new(Store::default()),
        }
    }

    fn now(&self) -> SystemTime {
        self.shared.clock.now()
    }

    /// Locks the state, pruned as of now. Never held across an `.await`.
    fn state(&self) -> std::sync::MutexGuard<'_, Store> {
        let now = self.now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // Sessions expire when the sandbox next looks at them: their event goes out then.
        let expired = if state.prune_gate.due(now) {
            state.prune(now)
        } else {
            Vec::new()
        };
        for id in expired {
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
        let token = oauth::bearer_token(headers);
        let granted = token.and_then(|t| self.state().tokens.get(t).map(|(_, env)| env.clone()));
        let Some(granted) = granted else {
            let mut response = error_body(
                StatusCode::UNAUTHORIZED,
                json!(if token.is_some() {
                    "The access token is invalid or expired."
                } else {
                    "An access token is required (Authorization: Bearer)."
                }),
                "UNAUTHORIZED",
                None,
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            return Err(response);
        };
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
        webhooks.emit(
            event,
            Arc::new(move |subscription, attempt| {
                let now = unix_seconds(attempt.now) as i64;
                let claims = types::WebhookClaims {
                    iss: Some(issuer.clone()),
                    aud: Some(json!(subscription.audience)),
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
        let now = self.now();
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
        if state.sessions.len() >= MAX_SESSIONS {
            return None;
        }
        self.notify(&mut record);
        state.sessions.insert(id, record);
        Some(response)
    }
}

fn datablock_type(name: &str) -> types::DatablockType {
    serde_json::from_value(Value::String(name.to_string()))
        .unwrap_or_else(|_| types::DatablockType::Unknown(name.to_string()))
}

/// ISO 3166-1 alpha-2 for the test persons' alpha-3 countries.
fn alpha2(alpha3: &str) -> &str {
    match alpha3 {
        "NOR" => "NO",
        "SWE" => "SE",
        "NLD" => "NL",
        "DEU" => "DE",
        other => other,
    }
}

/// The output data blocks of a completed session for `person`: (blocks, vault file id).
fn output_blocks(
    person: &Person,
    documents: bool,
    now: SystemTime,
) -> (Vec<types::Datablock>, Option<String>) {
    let at = rfc3339(now);
    let block =
        |type_: types::DatablockType, step: &str, clock: i64, content: Value| types::Datablock {
            datablock_id: random_uuid(),
            type_,
            created_by: Some(types::DatablockCreator {
                step_id: Some(step.to_string()),
                clock: Some(clock),
            }),
            created_at: Some(at.clone()),
            status: Some(types::DatablockStatus::Stored),
            content: Some(content),
        };
    let mut identity = json!({
        "givenName": match person.middle_name {
            Some(middle) => format!("{} {middle}", person.first_name),
            None => person.first_name.to_string(),
        },
        "familyName": person.last_name,
        "birthDate": person.date_of_birth,
        "nationality": alpha2(person.country),
        "email": person.email,
        "phoneNumber": person.phone_number,
        "address": {
            "street": person.street,
            "zipCode": person.postal_code,
            "city": person.city,
            "country": alpha2(person.country),
        },
    });
    if let Some(object) = identity.as_object_mut() {
        object.retain(|_, v| !v.is_null());
    }
    let mut blocks = vec![block(
        types::DatablockType::BasicIdentity,
        "sandbox-identity",
        2,
        identity,
    )];
    let mut file = None;
    if documents {
        let vault = random_uuid();
        let year: i64 = rfc3339(now)[..4].parse().unwrap_or(2025);
        blocks.push(block(
            types::DatablockType::DocumentData,
            "sandbox-document",
            3,
            json!({
                "documentType": "ID",
                "documentNumber": format!("SBX{}", person.national_id),
                "expiryDate": format!("{}-12-31", year + 5),
                "issuanceDate": format!("{}-01-01", year - 5),
                "issuingCountry": alpha2(person.country),
                "issuingAuthority": person.country,
            }),
        ));
        blocks.push(block(
            types::DatablockType::DocumentVerification,
            "sandbox-document",
            3,
            json!({
                "verdict": {"status": "VERIFIED", "reason": "Sandbox test document"},
                "issues": [],
                "report": {"$ref": "vault", "$id": vault},
            }),
        ));
        file = Some(vault);
    }
    blocks.push(block(
        types::DatablockType::OutcomeStatus,
        "END-ACCEPT",
        4,
        json!({"outcome": "accepted"}),
    ));
    (blocks, file)
}

/// An error body in the spec's `ErrorResponse` shape.
fn error_body(
    status: StatusCode,
    message: Value,
    code: &str,
    fields: Option<Vec<String>>,
) -> Response {
    let mut extra = serde_json::Map::new();
    if let Some(fields) = fields {
        extra.insert("fields".into(), json!(fields));
    }
    let body = types::ErrorResponse {
        status_code: Some(i32::from(status.as_u16())),
        error: Some(status.canonical_reason().unwrap_or("Error").to_string()),
        message: Some(message),
        code: Some(code.to_string()),
        trace_id: Some(random_hex(16)),
        extra,
    };
    let mut response = json_response(&body);
    *response.status_mut() = status;
    response
}

/// A 400 naming each refused field.
fn bad_request(problems: Vec<(String, String)>) -> Response {
    let messages: Vec<String> = problems.iter().map(|(f, r)| format!("{f}: {r}")).collect();
    let fields = problems.into_iter().map(|(f, _)| f).collect();
    error_body(
        StatusCode::BAD_REQUEST,
        json!(messages),
        "VALIDATION_ERROR",
        Some(fields),
    )
}

fn not_found(what: &str) -> Response {
    error_body(
        StatusCode::NOT_FOUND,
        json!(format!("{what} not found")),
        "NOT_FOUND",
        None,
    )
}

/// An absolute http(s) URL with a host.
fn is_web_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Whether `name` looks like a data block name (camelCase letters and digits).
fn is_block_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn check_content<T: serde::de::DeserializeOwned>(
    name: &str,
    content: &Value,
    problems: &mut Vec<(String, String)>,
) {
    if let Err(error) = from_value::<T>(content) {
        let field = if error.name == "body" {
            format!("input.{name}")
        } else {
            format!("input.{name}.{}", error.name)
        };
        problems.push((field, error.reason));
    }
}

/// Parses and validates a create-session body: what serde cannot check (the input
/// blocks' shapes, the redirect URL) is checked here.
pub fn validate_create(body: &[u8]) -> Result<types::CreateSessionRequest, Vec<(String, String)>> {
    // The metadata's own members are a flattened map: serde loses the member's path
    // there, so its values are checked first.
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body)
        && let Some(Value::Object(metadata)) = object.get("metadata")
        && let Some((key, _)) = metadata.iter().find(|(_, v)| !v.is_string())
    {
        return Err(vec![(
            format!("metadata.{key}"),
            "Must be a string.".into(),
        )]);
    }
    // The spec marks no member of this body `nullable`; the data blocks' contents are
    // free-form there, their shapes are checked below.
    let request: types::CreateSessionRequest =
        parse_request(body, &[]).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    for (name, content) in &request.input {
        if !is_block_name(name) {
            problems.push((
                format!("input.{name}"),
                "Not a data block name (camelCase, e.g. basicIdentity).".into(),
            ));
            continue;
        }
        if !content.is_object() {
            problems.push((
                format!("input.{name}"),
                "Must be an object (the data block's content).".into(),
            ));
            continue;
        }
        match name.as_str() {
            "basicIdentity" => check_content::<types::BasicIdentity>(name, content, &mut problems),
            "documentData" => check_content::<types::DocumentData>(name, content, &mut problems),
            "documentsToSign" => {
                check_content::<types::DocumentsToSign>(name, content, &mut problems)
            }
            _ => {}
        }
    }
    if let Some(url) = &request.redirect_url
        && !is_web_url(url)
    {
        problems.push((
            "redirectUrl".into(),
            "Must be an absolute http(s) URL.".into(),
        ));
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

/// `url` with `state=<state>` added to its query.
fn with_state(url: &str, state: Option<&str>) -> String {
    let Some(state) = state else {
        return url.to_string();
    };
    let encoded: String = form_urlencoded::byte_serialize(state.as_bytes()).collect();
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{separator}state={encoded}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The environment of a test client, if `id` and `secret` are one.
fn client_environment(id: &str, secret: &str) -> Option<types::Environment> {
    match (id, secret) {
        (LIVE_CLIENT_ID, LIVE_CLIENT_SECRET) => Some(types::Environment::Live),
        (STAGING_CLIENT_ID, STAGING_CLIENT_SECRET) => Some(types::Environment::Staging),
        _ => None,
    }
}

/// The public key of webhook JWTs (as IDnow's `/oidc/.well-known/jwks.json`).
async fn jwks() -> Response {
    json_response(&signing::jwks())
}

async fn token(State(api): State<Arc<IdnowPlatform>>, headers: HeaderMap, body: Bytes) -> Response {
    let request = match oauth::read(REALM, &headers, &body) {
        Ok(request) => request,
        Err(answer) => return *answer,
    };
    let Some(environment) = client_environment(&request.client_id, &request.client_secret) else {
        return request.reject_client(REALM);
    };
    if let Some(answer) = request.grant_error(REALM) {
        return answer;
    }
    let form = &request.form;
    let access_token = random_hex(32);
    let now = api.now();
    let expiry = now.checked_add(TOKEN_LIFETIME).unwrap_or(now);
    insert_bounded(
        &mut api.state().tokens,
        MAX_SESSIONS,
        access_token.clone(),
        (expiry, environment),
        |(expiry, _)| *expiry,
    );
    let body = types::TokenResponse {
        access_token,
        expires_in: Some(TOKEN_LIFETIME.as_secs() as i64),
        token_type: Some("Bearer".into()),
        scope: form.get("scope").cloned(),
    };
    let mut response = json_response(&body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn list_flows(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path(environment): Path<String>,
    uri: Uri,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let mut problems = Vec::new();
    let mut number = |name: &str, default: u32, max: u32| match query_param(&uri, name) {
        None => default,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                problems.push((
                    name.to_string(),
                    format!("Must be a whole number from 1 to {max}."),
                ));
                default
            }
        },
    };
    // The spec's `page` is an int32.
    let page = number("page", 1, i32::MAX as u32);
    let size = number("size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    if !problems.is_empty() {
        return bad_request(problems);
    }
    let skip = (page as usize - 1).saturating_mul(size as usize);
    let content = FLOWS
        .iter()
        .skip(skip)
        .take(size as usize)
        .map(|(id, name, description, version, _)| types::Flow {
            id: id.to_string(),
            name: Some(name.to_string()),
            description: Some(description.to_string()),
            version: Some(*version),
            environment: Some(environment.clone()),
        })
        .collect();
    let total = FLOWS.len();
    json_response(&types::FlowList {
        content,
        page: Some(types::PageInfo {
            size: Some(size as i32),
            number: Some(page as i32),
            total_elements: Some(total as i64),
            total_pages: Some(total.div_ceil(size as usize) as i32),
        }),
    })
}

async fn create_session(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path((flow_id, environment)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let Some(flow) = FLOWS.iter().find(|f| f.0 == flow_id) else {
        return not_found("Flow");
    };
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(problems) => return bad_request(problems),
    };
    match api.create(flow, environment, request) {
        Some(created) => json_response(&created),
        None => error_body(
            StatusCode::TOO_MANY_REQUESTS,
            json!("The sandbox keeps at most 10000 sessions; wait for some to be removed."),
            "TOO_MANY_SESSIONS",
            None,
        ),
    }
}

async fn get_session(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path((environment, id)): Path<(String, String)>,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let session = api
        .state()
        .sessions
        .get(&id)
        .filter(|r| r.session.environment.as_ref() == Some(&environment))
        .map(|r| r.session.clone());
    match session {
        Some(session) => json_response(&session),
        None => not_found("Session"),
    }
}

async fn get_datablocks(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path((environment, id)): Path<(String, String)>,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let blocks = api
        .state()
        .sessions
        .get(&id)
        .filter(|r| r.session.environment.as_ref() == Some(&environment))
        .map(|r| r.input.iter().chain(&r.output).cloned().collect::<Vec<_>>());
    match blocks {
        Some(data_blocks) => json_response(&types::DatablockList { data_blocks }),
        None => not_found("Session"),
    }
}

async fn get_file(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path((environment, vault)): Path<(String, String)>,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let now = api.now();
    let expiry = now.checked_add(PRESIGNED_LIFETIME).unwrap_or(now);
    let signature = random_hex(32);
    {
        let mut state = api.state();
        if state.files.get(&vault).map(|(_, env)| env) != Some(&environment) {
            return not_found("File");
        }
        insert_bounded(
            &mut state.presigned,
            MAX_SESSIONS,
            signature.clone(),
            (vault.clone(), expiry),
            |(_, expiry)| *expiry,
        );
    }
    let location = format!(
        "{}{FILES_PATH}/{vault}?expires={}&signature={signature}",
        api.shared.base_url,
        unix_seconds(expiry)
    );
    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => not_found("File"),
    }
}

/// The presigned download URL: serves the file while the signature is valid.
async fn download(
    State(api): State<Arc<IdnowPlatform>>,
    Path(vault): Path<String>,
    uri: Uri,
) -> Response {
    let signature = query_param(&uri, "signature").unwrap_or_default();
    let now = api.now();
    let found = api.state().presigned.get(&signature).cloned();
    match found {
        Some((signed, expiry)) if signed == vault && expiry > now => {
            let bytes = file_bytes(&vault);
            let disposition =
                HeaderValue::from_str(&format!("attachment; filename=\"report-{vault}.pdf\""))
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/pdf"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        _ => error_body(
            StatusCode::FORBIDDEN,
            json!("The presigned URL is invalid or expired; request the file again."),
            "ACCESS_DENIED",
            None,
        ),
    }
}

async fn unknown_path(State(api): State<Arc<IdnowPlatform>>) -> Response {
    api.error_response(StatusCode::NOT_FOUND, "No such path in this API.")
}

impl Vendor for IdnowPlatform {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "IDnow platform API v1"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route(TOKEN_PATH, post(token))
            .route(JWKS_PATH, get(jwks))
            .route(
                &format!("{API_PATH}/flows/{{environment}}"),
                get(list_flows),
            )
            .route(
                &format!("{API_PATH}/flows/{{flow_id}}/{{environment}}/sessions"),
                post(create_session),
            )
            .route(
                &format!("{API_PATH}/{{environment}}/sessions/{{id}}"),
                get(get_session),
            )
            .route(
                &format!("{API_PATH}/{{environment}}/sessions/{{id}}/datablocks"),
                get(get_datablocks),
            )
            .route(
                &format!("{API_PATH}/{{environment}}/files/{{vault}}"),
                get(get_file),
            )
            .route(&format!("{FILES_PATH}/{{vault}}"), get(download))
            .route(&format!("/{NAME}"), any(unknown_path))
            .route(&format!("/{NAME}/{{*rest}}"), any(unknown_path))
            .with_state(self)
    }

    fn error_response(&self, status: StatusCode, detail: &str) -> Response {
        let code = match status.as_u16() {
            404 => "NOT_FOUND",
            429 => "TOO_MANY_REQUESTS",
            503 => "SERVICE_UNAVAILABLE",
            _ => "ERROR",
        };
        error_body(status, json!(detail), code, None)
    }

    fn open(&self, session_id: &str) -> Result<PageView, ControlError> {
        let now = rfc3339(self.now());
        let mut state = self.state();
        let record = state
            .sessions
            .get_mut(session_id)
            .ok_or_else(|| ControlError::not_found("no such session (or it was removed)"))?;
        let session = &mut record.session;
        if session.session_status == types::SessionStatus::Created {
            session.session_status = types::SessionStatus::Running;
            session.started_at = Some(now.clone());
            session.updated_at = Some(now);
            self.notify(record);
        }
        let session = &record.session;
        let mut details = vec![
            (
                "Flow".to_string(),
                session.flow_id.clone().unwrap_or_default(),
            ),
            (
                "Environment".to_string(),
                session
                    .environment
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
        ];
        if let Some(url) = &session.redirect_url {
            details.push(("Redirect URL".into(), url.clone()));
        }
        Ok(PageView {
            open: is_open(&session.session_status),
            status: session.session_status.to_string(),
            details,
        })
    }

    fn complete(
        &self,
        session_id: &str,
        person: &'static Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError> {
        let now_time = self.now();
        let now = rfc3339(now_time);
        let mut guard = self.state();
        let state = &mut *guard;
        let record = state
            .sessions
            .get_mut(session_id)
            .ok_or_else(|| ControlError::not_found("no such session (or it was removed)"))?;
        if !is_open(&record.session.session_status) {
            return Err(ControlError::not_open(
                &record.session.session_status.to_string(),
            ));
        }
        let session = &mut record.session;
        if session.started_at.is_none() {
            session.started_at = Some(now.clone());
        }
        session.updated_at = Some(now.clone());
        session.completed_at = Some(now.clone());
        let (status, verdict, step) = match outcome {
            Outcome::Success => (
                types::SessionStatus::Completed,
                types::SessionOutcome::Accepted,
                "END-ACCEPT",
            ),
            Outcome::Abort => (
                types::SessionStatus::Aborted,
                types::SessionOutcome::NoOutcome,
                "sandbox-identity",
            ),
            Outcome::Error => (
                types::SessionStatus::Error,
                types::SessionOutcome::Rejected,
                "END-REJECT",
            ),
        };
        session.session_status = status;
        session.outcome = Some(verdict.clone());
        session.last_step = Some(types::LastStep {
            step_id: Some(step.into()),
            step_description: Some(
                match outcome {
                    Outcome::Success => "Final decision step",
                    Outcome::Abort => "The user aborted",
                    Outcome::Error => "The identification failed",
                }
                .into(),
            ),
            step_name: None,
            step_type: None,
            verdict: Some(verdict.to_string()),
        });
        match outcome {
            Outcome::Success => {
                let (blocks, file) = output_blocks(person, record.documents, now_time);
                record.output = blocks;
                if let Some(file) = file {
                    let environment = session
                        .environment
                        .clone()
                        .unwrap_or(types::Environment::Live);
                    state
                        .files
                        .insert(file, (session_id.to_string(), environment));
                }
            }
            Outcome::Error => {
                record.output = vec![types::Datablock {
                    datablock_id: random_uuid(),
                    type_: types::DatablockType::OutcomeStatus,
                    created_by: Some(types::DatablockCreator {
                        step_id: Some(step.into()),
                        clock: Some(2),
                    }),
                    created_at: Some(now),
                    status: Some(types::DatablockStatus::Stored),
                    content: Some(json!({
                        "outcome": "rejected",
                        "reason": "The test person's identification failed (sandbox)."
                    })),
                }];
            }
            Outcome::Abort => {}
        }
        self.notify(record);
        let session = &record.session;
        Ok(Completion {
            status: session.session_status.to_string(),
            redirect_url: session
                .redirect_url
                .as_deref()
                .map(|url| with_state(url, session.state.as_deref())),
        })
    }

    fn webhook_format(&self) -> Option<&'static str> {
        Some(
            "RS256 JWT (application/jwt); key in the JWKS at /idnow-platform/oidc/.well-known/jwks.json",
        )
    }

    fn endpoints(&self) -> Vec<(&'static str, String)> {
        vec![
            ("base_url", format!("{}{API_PATH}", self.shared.base_url)),
            ("token_url", format!("{}{TOKEN_PATH}", self.shared.base_url)),
            ("jwks_url", format!("{}{JWKS_PATH}", self.shared.base_url)),
            ("live_client_id", LIVE_CLIENT_ID.to_string()),
            ("live_client_secret", LIVE_CLIENT_SECRET.to_string()),
            ("staging_client_id", STAGING_CLIENT_ID.to_string()),
            ("staging_client_secret", STAGING_CLIENT_SECRET.to_string()),
            (
                "flows",
                format!("{BASIC_FLOW_ID}, {DOCUMENT_FLOW_ID} (live and staging)"),
            ),
        ]
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
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient { environment: "live", id: LIVE_CLIENT_ID, secret: LIVE_CLIENT_SECRET };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[crate::TestClient { environment: "staging", id: STAGING_CLIENT_ID, secret: STAGING_CLIENT_SECRET }];
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::persons;
    use idverify_idnow_platform::TypedDatablock;

    fn api() -> IdnowPlatform {
        IdnowPlatform::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
    }

    fn request(json: Value) -> types::CreateSessionRequest {
        validate_create(json.to_string().as_bytes()).expect("valid request")
    }

    fn create(api: &IdnowPlatform, flow: usize, json: Value) -> types::CreateSessionResponse {
        api.create(&FLOWS[flow], types::Environment::Live, request(json))
            .unwrap()
    }

    fn stored(api: &IdnowPlatform, id: &str) -> types::Session {
        api.state().sessions[id].session.clone()
    }

    fn blocks(api: &IdnowPlatform, id: &str) -> Vec<types::Datablock> {
        let state = api.state();
        let record = &state.sessions[id];
        record.input.iter().chain(&record.output).cloned().collect()
    }

    #[test]
    fn validation_names_the_field() {
        let long_state = format!(r#"{{"state":"{}"}}"#, "x".repeat(2049));
        let cases: Vec<(String, &str)> = vec![
            (
                r#"{"input":{"basicIdentity":{"birthDate":7}}}"#.into(),
                "input.basicIdentity.birthDate",
            ),
            (
                r#"{"input":{"basicIdentity":{"address":{"city":false}}}}"#.into(),
                "input.basicIdentity.address.city",
            ),
            (
                r#"{"input":{"documentData":"ID"}}"#.into(),
                "input.documentData",
            ),
            (r#"{"input":{"Bad-Name":{}}}"#.into(), "input.Bad-Name"),
            (
                r#"{"input":{"documentsToSign":{"documents":[{"fileName":1}]}}}"#.into(),
                "input.documentsToSign.documents[0].fileName",
            ),
            (r#"{"input":[]}"#.into(), "input"),
            (
                r#"{"metadata":{"subjectId":"a","tier":3}}"#.into(),
                "metadata.tier",
            ),
            (
                r#"{"redirectUrl":"javascript:alert(1)"}"#.into(),
                "redirectUrl",
            ),
            (long_state, "state"),
            ("[1]".into(), "body"),
            ("".into(), "body"),
        ];
        for (body, field) in &cases {
            let problems = validate_create(body.as_bytes()).expect_err(body);
            let names: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
            assert_eq!(names, vec![*field], "{body}");
            assert!(!problems[0].1.is_empty());
        }
        let ok = request(json!({
            "input": {"basicIdentity": {"givenName": "Max"}, "customBlock": {"a": 1}},
            "metadata": {"subjectId": "s-1", "locale": "en", "tier": "gold"},
            "redirectUrl": "https://shop.example/done",
            "state": "csrf-1",
            "unknownField": true
        }));
        assert_eq!(ok.input.len(), 2);
        assert!(validate_create(b"{}").is_ok(), "a flow may need no input");
    }

    #[test]
    fn lifecycle_created_running_then_completed_once() {
        let api = api();
        let created = create(
            &api,
            1,
            json!({
                "input": {"basicIdentity": {"givenName": "Kari"}},
                "metadata": {"subjectId": "subject-1"},
                "redirectUrl": "https://shop.example/done?x=1",
                "state": "a b&c"
            }),
        );
        let id = created.session_context.session_id.clone();
        assert_eq!(created.flow_id, DOCUMENT_FLOW_ID);
        assert_eq!(created.flow_version, Some(2));
        assert_eq!(
            created.session_context.session_status,
            types::SessionStatus::Created
        );
        assert_eq!(
            created.player_url,
            format!("http://127.0.0.1:1/_sandbox/ui/{NAME}/{id}")
        );
        assert!(created.sdk_token.is_some());
        let session = stored(&api, &id);
        assert_eq!(session.subject_id.as_deref(), Some("subject-1"));
        assert_eq!(session.started_at, None);
        assert_eq!(blocks(&api, &id).len(), 1, "the input block only");

        let page = api.open(&id).unwrap();
        assert!(page.open);
        assert_eq!(page.status, "RUNNING");
        assert!(stored(&api, &id).started_at.is_some());

        let kari = persons::find("kari").unwrap();
        let done = api.complete(&id, kari, Outcome::Success).unwrap();
        assert_eq!(done.status, "COMPLETED");
        assert_eq!(
            done.redirect_url.as_deref(),
            Some("https://shop.example/done?x=1&state=a+b%26c")
        );
        let session = stored(&api, &id);
        assert_eq!(session.outcome, Some(types::SessionOutcome::Accepted));
        assert!(session.completed_at.is_some());
        assert_eq!(
            session.last_step.unwrap().verdict.as_deref(),
            Some("accepted")
        );

        let typed: Vec<TypedDatablock> = blocks(&api, &id)
            .iter()
            .map(|b| b.typed().expect("typed"))
            .collect();
        assert_eq!(typed.len(), 5);
        let TypedDatablock::BasicIdentity(identity) = &typed[1] else {
            panic!("{typed:?}")
        };
        assert_eq!(identity.given_name.as_deref(), Some("Kari Fiktiv"));
        assert_eq!(identity.family_name.as_deref(), Some("Nordkvinne"));
        assert_eq!(identity.birth_date.as_deref(), Some(kari.date_of_birth));
        let TypedDatablock::DocumentData(document) = &typed[2] else {
            panic!("{typed:?}")
        };
        assert_eq!(document.issuing_country.as_deref(), Some("NO"));
        let TypedDatablock::DocumentVerification(verification) = &typed[3] else {
            panic!("{typed:?}")
        };
        let report = verification.report.clone().unwrap();
        assert_eq!(report.ref_, "vault");
        assert_eq!(
            api.state().files.get(&report.id).map(|(s, _)| s.clone()),
            Some(id.clone())
        );
        let TypedDatablock::OutcomeStatus(outcome) = &typed[4] else {
            panic!("{typed:?}")
        };
        assert_eq!(outcome.outcome, Some(types::SessionOutcome::Accepted));

        let again = api.complete(&id, kari, Outcome::Abort).unwrap_err();
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(!api.open(&id).unwrap().open);
        assert_eq!(
            api.open("no-such-id").unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn abort_and_error() {
        let api = api();
        let ola = persons::find("ola").unwrap();
        let a = create(&api, 0, json!({}));
        let done = api
            .complete(&a.session_context.session_id, ola, Outcome::Abort)
            .unwrap();
        assert_eq!((done.status.as_str(), done.redirect_url), ("ABORTED", None));
        let session = stored(&api, &a.session_context.session_id);
        assert_eq!(session.outcome, Some(types::SessionOutcome::NoOutcome));
        assert!(blocks(&api, &a.session_context.session_id).is_empty());

        let b = create(&api, 0, json!({"redirectUrl": "https://shop.example/r"}));
        let done = api
            .complete(&b.session_context.session_id, ola, Outcome::Error)
            .unwrap();
        assert_eq!(done.status, "ERROR");
        assert_eq!(done.redirect_url.as_deref(), Some("https://shop.example/r"));
        let session = stored(&api, &b.session_context.session_id);
        assert_eq!(session.outcome, Some(types::SessionOutcome::Rejected));
        let blocks = blocks(&api, &b.session_context.session_id);
        assert_eq!(blocks.len(), 1);
        assert!(matches!(
            blocks[0].typed().unwrap(),
            TypedDatablock::OutcomeStatus(types::OutcomeStatus {
                outcome: Some(types::SessionOutcome::Rejected),
                ..
            })
        ));

        let basic = create(&api, 0, json!({}));
        api.complete(&basic.session_context.session_id, ola, Outcome::Success)
            .unwrap();
        let types: Vec<types::DatablockType> =
            super::tests::blocks(&api, &basic.session_context.session_id)
                .into_iter()
                .map(|b| b.type_)
                .collect();
        assert_eq!(
            types,
            vec![
                types::DatablockType::BasicIdentity,
                types::DatablockType::OutcomeStatus
            ],
            "the basic flow has no document blocks"
        );
    }

    #[test]
    fn expiry_and_pruning_on_the_clock() {
        let api = api();
        let ola = persons::find("ola").unwrap();
        let open = create(&api, 0, json!({}));
        let done = create(&api, 1, json!({}));
        let open_id = open.session_context.session_id.clone();
        let done_id = done.session_context.session_id.clone();
        api.complete(&done_id, ola, Outcome::Success).unwrap();
        api.state().tokens.insert(
            "t".into(),
            (api.now() + TOKEN_LIFETIME, types::Environment::Live),
        );
        assert_eq!(api.state().files.len(), 1);

        api.shared
            .clock
            .advance(SESSION_LIFETIME - Duration::from_secs(2));
        assert!(api.open(&open_id).unwrap().open);
        api.shared.clock.advance(Duration::from_secs(3));
        let page = api.open(&open_id).unwrap();
        assert!(!page.open);
        assert_eq!(page.status, "EXPIRED");
        let expired = stored(&api, &open_id);
        assert_eq!(expired.completed_at, expired.expires_at);
        assert_eq!(
            api.complete(&open_id, ola, Outcome::Success)
                .unwrap_err()
                .status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            stored(&api, &done_id).session_status,
            types::SessionStatus::Completed,
            "terminal sessions do not expire"
        );
        assert!(api.state().tokens.is_empty(), "tokens expire after 86400 s");

        api.shared.clock.advance(RETENTION);
        let state = api.state();
        assert!(state.sessions.is_empty(), "memory stays bounded");
        assert!(state.files.is_empty());
        drop(state);
        assert_eq!(
            api.open(&done_id).unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn bounded_maps_forget_the_entry_closest_to_expiry() {
        let now = SystemTime::now();
        let mut map: HashMap<String, SystemTime> = HashMap::new();
        for i in 0..MAX_SESSIONS {
            map.insert(format!("k{i}"), now + Duration::from_secs(i as u64 + 10));
        }
        insert_bounded(
            &mut map,
            MAX_SESSIONS,
            "new".into(),
            now + Duration::from_secs(5),
            |e| *e,
        );
        assert_eq!(map.len(), MAX_SESSIONS);
        assert!(!map.contains_key("k0"));
        assert!(map.contains_key("new"));
    }

    #[test]
    fn state_is_added_to_the_redirect_url() {
        assert_eq!(
            with_state("https://a.example/x", None),
            "https://a.example/x"
        );
        assert_eq!(
            with_state("https://a.example/x#top", Some("s=1")),
            "https://a.example/x?state=s%3D1#top"
        );
        assert_eq!(
            client_environment(LIVE_CLIENT_ID, LIVE_CLIENT_SECRET),
            Some(types::Environment::Live)
        );
        assert_eq!(
            client_environment(LIVE_CLIENT_ID, STAGING_CLIENT_SECRET),
            None
        );
    }
}
