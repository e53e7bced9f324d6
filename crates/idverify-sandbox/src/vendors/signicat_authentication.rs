//! Signicat Authentication REST API v1 (eID Hub), under `/signicat-authentication/`.
//!
//! - `POST /signicat-authentication/auth/open/connect/token`: OAuth2 client credentials
//!   (HTTP Basic or form fields) for [`CLIENT_ID`] / [`CLIENT_SECRET`], scope
//!   `signicat-api`; tokens live [`TOKEN_LIFETIME`] of sandbox time.
//! - `POST .../auth/rest/sessions`, `GET .../sessions/{id}`,
//!   `POST .../sessions/{id}/cancel`, with the generated crate's types as bodies.
//!
//! Lifecycle: `CREATED` → (end user opens the page) `WAITING_FOR_USER` → `SUCCESS`,
//! `ABORT` or `ERROR`; `CANCELLED` by the cancel call while not completed. A session
//! lives `sessionLifetime` seconds (default 1200, values below 300 raised to 300). When
//! it expires before being completed it reports `ERROR` with error code
//! `session_expired`; one hour after its expiry any session is removed and answers 404.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use bytes::Bytes;
use idverify_signicat_authentication::types;
use serde_json::json;

use crate::Shared;
use crate::clock::rfc3339;
use crate::kit::oauth;
use crate::persons::Person;
use crate::kit::{http::{json_response, query_param}, ids::{random_hex, random_uuid}, store::{PruneGate, insert_bounded}, strict_json::parse_request};
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};

/// Name and path prefix.
pub const NAME: &str = "signicat-authentication";
/// The REST API's path (append to the sandbox's base URL).
pub const API_PATH: &str = "/signicat-authentication/auth/rest";
/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/signicat-authentication/auth/open/connect/token";
/// The test client.
/// Names this API in `WWW-Authenticate` of token errors.
const REALM: &str = "signicat-authentication";
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

struct Record {
    session: types::Session,
    expires_at: SystemTime,
    /// The embedded flow's `returnUrl` (not part of the session document).
    return_url: Option<String>,
    /// Who may frame the session's page (CSP `frame-ancestors` sources).
    frame_ancestors: Option<String>,
}

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

fn is_open(status: Option<&types::SessionStatus>) -> bool {
    matches!(
        status,
        Some(types::SessionStatus::Created | types::SessionStatus::WaitingForUser)
    )
}

fn status_name(status: Option<&types::SessionStatus>) -> String {
    status.map_or_else(|| "UNKNOWN".to_string(), |s| s.to_string())
}

impl Record {
    /// Marks an open session whose lifetime is over as failed.
    fn expire_if_due(&mut self, now: SystemTime) {
        if now >= self.expires_at && is_open(self.session.status.as_ref()) {
            self.session.status = Some(types::SessionStatus::Error);
            self.session.status_detail = Some("The session expired.".into());
            self.session.error = Some(types::SessionError {
                code: Some("session_expired".into()),
                title: Some("Session expired".into()),
                detail: Some(
                    "The end-user did not finish before the session lifetime ended.".into(),
                ),
            });
        }
    }
}

#[derive(Default)]
struct Store {
    prune_gate: PruneGate,
    sessions: HashMap<String, Record>,
    /// Access token → its expiry.
    tokens: HashMap<String, SystemTime>,
}

impl Store {
    /// Drops expired tokens and sessions past their retention; marks expired sessions.
    fn prune(&mut self, now: SystemTime) {
        self.tokens.retain(|_, expiry| *expiry > now);
        self.sessions.retain(|_, record| {
            record
                .expires_at
                .checked_add(RETENTION)
                .is_none_or(|gone| gone > now)
        });
        for record in self.sessions.values_mut() {
            record.expire_if_due(now);
        }
    }
}

/// The Signicat Authentication API of a sandbox.
pub(crate) struct SignicatAuthentication {
    shared: Arc<Shared>,
    state: Mutex<Store>,
}

impl SignicatAuthentication {
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
        if state.prune_gate.due(now) {
            state.prune(now);
        }
        state
    }

    /// A 401 unless `headers` carry a valid, unexpired bearer token.
    fn unauthorized(&self, headers: &HeaderMap) -> Option<Response> {
        let token = oauth::bearer_token(headers);
        let valid = token.is_some_and(|t| self.state().tokens.contains_key(t));
        if valid {
            return None;
        }
        let mut response = problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            if token.is_some() {
                "The access token is invalid or expired."
            } else {
                "An access token is required (Authorization: Bearer)."
            },
            "invalid_token",
            Vec::new(),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        Some(response)
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
        let now = self.now();
        let expires_at = now
            .checked_add(Duration::from_secs(lifetime.into()))
            .unwrap_or(now);
        let id = random_uuid();
        let headless = request.flow == types::Flow::Headless;
        let return_url = request.return_url.clone();
        let frame_ancestors =
            frame_ancestors(&request.flow, request.embedded_parent_domains.as_deref());
        let session = types::Session {
            id: Some(id.clone()),
            account_id: Some(account_id.unwrap_or_else(|| ACCOUNT_ID.to_string())),
            authentication_url: (!headless).then(|| self.page_url(&id)),
            status_url: Some(self.session_url(&id)),
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
        let mut state = self.state();
        if state.sessions.len() >= MAX_SESSIONS {
            return None;
        }
        state.sessions.insert(
            id,
            Record {
                session: session.clone(),
                expires_at,
                return_url,
                frame_ancestors,
            },
        );
        Some(session)
    }
}

/// An RFC 7807 problem document in Signicat's shape.
fn problem(
    status: StatusCode,
    title: &str,
    detail: &str,
    code: &str,
    invalid_params: Vec<types::InvalidParam>,
) -> Response {
    let body = types::Problem {
        type_: Some(format!("https://developer.signicat.com/errors/{code}")),
        title: Some(title.to_string()),
        detail: Some(detail.to_string()),
        code: Some(code.to_string()),
        status: Some(i32::from(status.as_u16())),
        trace_id: Some(format!("00-{}-{}-01", random_hex(16), random_hex(8))),
        invalid_params,
    };
    let body = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )],
        body,
    )
        .into_response()
}

fn invalid(name: &str, reason: impl Into<String>) -> types::InvalidParam {
    types::InvalidParam {
        name: Some(name.to_string()),
        reason: Some(reason.into()),
    }
}

fn bad_request(invalid_params: Vec<types::InvalidParam>) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "Invalid request",
        "The request body is invalid.",
        "invalid_request",
        invalid_params,
    )
}

fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Session not found",
        "No session with this id exists (or it expired and was removed).",
        "session_not_found",
        Vec::new(),
    )
}

fn is_web_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// How many tags a session may carry (each at most 100 characters, which the
/// generated type checks).
pub const MAX_TAGS: usize = 100;

/// The members of a create-session body that the spec marks `nullable`.
const CREATE_NULLABLE: &[&str] = &[
    "additionalParameters",
    "encryptionPublicKey.e",
    "encryptionPublicKey.n",
    "encryptionPublicKey.crv",
    "encryptionPublicKey.x",
    "encryptionPublicKey.y",
    "encryptionPublicKey.d",
    "tags",
    "returnUrl",
    "embeddedParentDomains",
    "allowedProviders",
    "language",
    "themeId",
    "externalReference",
    "usageReference",
    "sessionLifetime",
    "requestDomain",
    "expiresAt",
];

/// Parses and validates a create-session body: what serde cannot check (enum values
/// the generated types keep as `Unknown`, URLs) is checked here.
pub fn validate_create(
    body: &[u8],
) -> Result<types::CreateSessionRequest, Vec<types::InvalidParam>> {
    let request: types::CreateSessionRequest =
        parse_request(body, CREATE_NULLABLE).map_err(|e| vec![invalid(&e.name, e.reason)])?;
    let mut problems = Vec::new();
    if request
        .tags
        .as_ref()
        .is_some_and(|tags| tags.len() > MAX_TAGS)
    {
        problems.push(invalid("tags", format!("At most {MAX_TAGS} tags.")));
    }
    if request.flow.is_unknown() {
        problems.push(invalid(
            "flow",
            format!(
                "Unknown flow `{}`; one of headless, redirect, embedded.",
                request.flow
            ),
        ));
    }
    if let Some(loa) = &request.requested_loa
        && loa.is_unknown()
    {
        problems.push(invalid(
            "requestedLoa",
            format!("Unknown level of assurance `{loa}`; one of low, substantial, high."),
        ));
    }
    if let Some(alg) = request
        .encryption_public_key
        .as_ref()
        .and_then(|k| k.alg.as_ref())
        && alg.is_unknown()
    {
        problems.push(invalid(
            "encryptionPublicKey.alg",
            format!("Unknown algorithm `{alg}`; one of RSA-OAEP, ECDH-ES."),
        ));
    }
    if let Some(urls) = &request.callback_urls {
        for (name, url) in [
            ("callbackUrls.success", &urls.success),
            ("callbackUrls.abort", &urls.abort),
            ("callbackUrls.error", &urls.error),
        ] {
            if let Some(url) = url
                && !is_web_url(url)
            {
                problems.push(invalid(name, "Must be an absolute http(s) URL."));
            }
        }
    }
    if let Some(url) = &request.return_url
        && !is_web_url(url)
    {
        problems.push(invalid("returnUrl", "Must be an absolute http(s) URL."));
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

/// The subject for `person`, with only the requested attributes (plus the identifiers
/// `id` and `idpId`, which Signicat always returns).
pub fn subject(person: &Person, requested: &[String]) -> types::Subject {
    let wants = |name: &str| requested.iter().any(|r| r == name);
    let mut extra = serde_json::Map::new();
    if wants("phoneNumber") {
        extra.insert("phoneNumber".into(), json!(person.phone_number));
    }
    if wants("gender") {
        extra.insert("gender".into(), json!(person.gender));
    }
    if wants("address") {
        extra.insert(
            "address".into(),
            json!({
                "street": person.street,
                "postalCode": person.postal_code,
                "city": person.city,
                "country": person.country,
            }),
        );
    }
    if wants("nationality") {
        extra.insert("nationality".into(), json!(person.country));
    }
    types::Subject {
        id: Some(format!("sandbox-{}", person.id)),
        idp_id: Some(format!("{}-{}", person.provider, person.id)),
        name: wants("name").then(|| person.full_name()),
        first_name: wants("firstName").then(|| person.first_name.to_string()),
        middle_name: if wants("middleName") {
            person.middle_name.map(str::to_string)
        } else {
            None
        },
        last_name: wants("lastName").then(|| person.last_name.to_string()),
        date_of_birth: wants("dateOfBirth").then(|| person.date_of_birth.to_string()),
        nin: wants("nin").then(|| types::Nin {
            value: Some(person.national_id.to_string()),
            issuing_country: Some(person.country.to_string()),
            type_: Some("SOCIAL".into()),
        }),
        email: wants("email").then(|| person.email.to_string()),
        extra,
    }
}

/// `url` with `sessionId` (and `externalReference`) added to its query.
fn callback_with_params(url: &str, id: &str, external_reference: Option<&str>) -> String {
    let (base, fragment) = match url.find('#') {
        Some(at) => (&url[..at], &url[at..]),
        None => (url, ""),
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("sessionId", id);
    if let Some(reference) = external_reference {
        query.append_pair("externalReference", reference);
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{}{fragment}", query.finish())
}

async fn token(
    State(api): State<Arc<SignicatAuthentication>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = match oauth::read(REALM, &headers, &body) {
        Ok(request) => request,
        Err(answer) => return *answer,
    };
    if request.client_id != CLIENT_ID || request.client_secret != CLIENT_SECRET {
        return request.reject_client(REALM);
    }
    if let Some(answer) = request.grant_error(REALM) {
        return answer;
    }
    let form = &request.form;
    if form.get("scope").map(String::as_str) != Some(SCOPE) {
        return oauth::error(
            StatusCode::BAD_REQUEST,
            REALM,
            "invalid_scope",
            "The scope must be signicat-api.",
        );
    }
    let access_token = random_hex(32);
    let expiry = api
        .now()
        .checked_add(TOKEN_LIFETIME)
        .unwrap_or_else(|| api.now());
    insert_bounded(
        &mut api.state().tokens,
        MAX_SESSIONS,
        access_token.clone(),
        expiry,
        |expiry| *expiry,
    );
    let body = types::TokenResponse {
        access_token,
        expires_in: Some(TOKEN_LIFETIME.as_secs() as i64),
        token_type: Some("Bearer".into()),
        scope: Some(SCOPE.into()),
    };
    let mut response = json_response(&body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn create_session(
    State(api): State<Arc<SignicatAuthentication>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(params) => return bad_request(params),
    };
    match api.create(request, query_param(&uri, "signicat-accountId")) {
        Some(session) => json_response(&session),
        None => problem(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sessions",
            "The sandbox keeps at most 10000 sessions; wait for some to expire.",
            "too_many_sessions",
            Vec::new(),
        ),
    }
}

async fn get_session(
    State(api): State<Arc<SignicatAuthentication>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let session = api.state().sessions.get(&id).map(|r| r.session.clone());
    match session {
        Some(session) => json_response(&session),
        None => not_found(),
    }
}

async fn cancel_session(
    State(api): State<Arc<SignicatAuthentication>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let result = {
        let mut state = api.state();
        match state.sessions.get_mut(&id) {
            None => None,
            Some(record) if is_open(record.session.status.as_ref()) => {
                record.session.status = Some(types::SessionStatus::Cancelled);
                record.session.status_detail = Some("Cancelled by the API client.".into());
                Some(Ok(record.session.clone()))
            }
            Some(record) => Some(Err(status_name(record.session.status.as_ref()))),
        }
    };
    match result {
        None => not_found(),
        Some(Ok(session)) => json_response(&session),
        Some(Err(status)) => problem(
            StatusCode::BAD_REQUEST,
            "Session cannot be cancelled",
            &format!(
                "The session is {status}; only sessions that are not completed can be cancelled."
            ),
            "session_not_cancellable",
            Vec::new(),
        ),
    }
}

async fn unknown_path(State(api): State<Arc<SignicatAuthentication>>) -> Response {
    api.error_response(StatusCode::NOT_FOUND, "No such path in this API.")
}

impl Vendor for SignicatAuthentication {
    fn name(&self) -> &'static str {
        NAME
    }

    fn frame_ancestors(&self, session_id: &str) -> Option<String> {
        self.state()
            .sessions
            .get(session_id)?
            .frame_ancestors
            .clone()
    }

    fn title(&self) -> &'static str {
        "Signicat Authentication REST API v1"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route(TOKEN_PATH, post(token))
            .route(&format!("{API_PATH}/sessions"), post(create_session))
            .route(&format!("{API_PATH}/sessions/{{id}}"), get(get_session))
            .route(
                &format!("{API_PATH}/sessions/{{id}}/cancel"),
                post(cancel_session),
            )
            .route(&format!("/{NAME}"), any(unknown_path))
            .route(&format!("/{NAME}/{{*rest}}"), any(unknown_path))
            .with_state(self)
    }

    fn error_response(&self, status: StatusCode, detail: &str) -> Response {
        let title = status.canonical_reason().unwrap_or("Error");
        let code = match status.as_u16() {
            404 => "not_found",
            429 => "too_many_requests",
            503 => "service_unavailable",
            _ => "error",
        };
        problem(status, title, detail, code, Vec::new())
    }

    fn open(&self, session_id: &str) -> Result<PageView, ControlError> {
        let mut state = self.state();
        let record = state
            .sessions
            .get_mut(session_id)
            .ok_or_else(|| ControlError::not_found("no such session (or it expired)"))?;
        let session = &mut record.session;
        if session.status == Some(types::SessionStatus::Created) {
            session.status = Some(types::SessionStatus::WaitingForUser);
        }
        let mut details = vec![(
            "Requested attributes".to_string(),
            session
                .requested_attributes
                .as_deref()
                .unwrap_or_default()
                .join(", "),
        )];
        if let Some(reference) = &session.external_reference {
            details.push(("External reference".into(), reference.clone()));
        }
        Ok(PageView {
            open: is_open(session.status.as_ref()),
            status: status_name(session.status.as_ref()),
            details,
        })
    }

    fn complete(
        &self,
        session_id: &str,
        person: &'static Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError> {
        let mut state = self.state();
        let record = state
            .sessions
            .get_mut(session_id)
            .ok_or_else(|| ControlError::not_found("no such session (or it expired)"))?;
        let session = &mut record.session;
        if !is_open(session.status.as_ref()) {
            return Err(ControlError::not_open(&status_name(
                session.status.as_ref(),
            )));
        }
        session.provider = Some(person.provider.to_string());
        session.environment = Some(types::Environment {
            ip_address: Some("127.0.0.1".into()),
            user_agent: Some("idverify-sandbox".into()),
        });
        let urls = session.callback_urls.clone().unwrap_or_default();
        let callback = match outcome {
            Outcome::Success => {
                session.status = Some(types::SessionStatus::Success);
                session.loa = Some("substantial".into());
                session.subject = Some(subject(
                    person,
                    session.requested_attributes.as_deref().unwrap_or_default(),
                ));
                urls.success
            }
            Outcome::Abort => {
                session.status = Some(types::SessionStatus::Abort);
                session.status_detail = Some("The end-user aborted.".into());
                urls.abort
            }
            Outcome::Error => {
                session.status = Some(types::SessionStatus::Error);
                session.status_detail = Some("The authentication failed.".into());
                session.error = Some(types::SessionError {
                    code: Some("authentication_failed".into()),
                    title: Some("Authentication failed".into()),
                    detail: Some("The test person's authentication failed (sandbox).".into()),
                });
                urls.error
            }
        };
        let redirect_url = callback.or_else(|| record.return_url.clone()).map(|url| {
            callback_with_params(&url, session_id, session.external_reference.as_deref())
        });
        Ok(Completion {
            status: status_name(session.status.as_ref()),
            redirect_url,
        })
    }

    fn endpoints(&self) -> Vec<(&'static str, String)> {
        vec![
            ("base_url", format!("{}{API_PATH}", self.shared.base_url)),
            ("token_url", format!("{}{TOKEN_PATH}", self.shared.base_url)),
            ("client_id", CLIENT_ID.to_string()),
            ("client_secret", CLIENT_SECRET.to_string()),
            ("scope", SCOPE.to_string()),
        ]
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
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient { environment: "production", id: CLIENT_ID, secret: CLIENT_SECRET };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persons;

    fn api() -> SignicatAuthentication {
        SignicatAuthentication::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
    }

    fn request(json: serde_json::Value) -> types::CreateSessionRequest {
        validate_create(json.to_string().as_bytes()).expect("valid request")
    }

    fn names(params: &[types::InvalidParam]) -> Vec<&str> {
        params.iter().filter_map(|p| p.name.as_deref()).collect()
    }

    #[test]
    fn validation_names_the_field() {
        let cases: &[(&str, &str)] = &[
            (r#"{"requestedAttributes":[]}"#, "flow"),
            (r#"{"flow":"redirect"}"#, "requestedAttributes"),
            (r#"{"flow":"iframe","requestedAttributes":[]}"#, "flow"),
            (r#"{"flow":null,"requestedAttributes":[]}"#, "flow"),
            (
                r#"{"flow":"redirect","requestedAttributes":"name"}"#,
                "requestedAttributes",
            ),
            (
                r#"{"flow":"redirect","requestedAttributes":[],"sessionLifetime":"long"}"#,
                "sessionLifetime",
            ),
            (
                r#"{"flow":"redirect","requestedAttributes":[],"requestedLoa":"extreme"}"#,
                "requestedLoa",
            ),
            (
                r#"{"flow":"redirect","requestedAttributes":[],"callbackUrls":{"success":"javascript:alert(1)"}}"#,
                "callbackUrls.success",
            ),
            (
                r#"{"flow":"redirect","requestedAttributes":[],"callbackUrls":{"abort":7}}"#,
                "callbackUrls.abort",
            ),
            (
                r#"{"flow":"redirect","requestedAttributes":[],"themeId":"far-too-long-theme"}"#,
                "themeId",
            ),
            (
                r#"{"flow":"redirect","requestedAttributes":[],"encryptionPublicKey":{"alg":"none"}}"#,
                "encryptionPublicKey.alg",
            ),
            (r#"["flow"]"#, "body"),
            (r#"{"flow":"redirect","#, "body"),
            (
                r#"{"flow":"redirect","requestedAttributes":[],"callbackUrls":["https://a.example/ok"]}"#,
                "callbackUrls",
            ),
            (
                r#"{"flow":"redirect","requestedAttributes":[],"requestedLoa":null}"#,
                "requestedLoa",
            ),
            ("", "body"),
        ];
        for (body, field) in cases {
            let params = validate_create(body.as_bytes()).expect_err(body);
            assert_eq!(names(&params), vec![*field], "{body}");
            assert!(params[0].reason.as_deref().is_some_and(|r| !r.is_empty()));
        }
        let ok = request(
            json!({"flow": "headless", "requestedAttributes": ["name"], "unknownField": 1}),
        );
        assert_eq!(ok.flow, types::Flow::Headless);
        let many_tags =
            json!({"flow": "redirect", "requestedAttributes": [], "tags": vec!["t"; 101]});
        let params = validate_create(many_tags.to_string().as_bytes()).expect_err("101 tags");
        assert_eq!(names(&params), vec!["tags"]);
        // What the spec marks nullable may be null, also inside free-form members.
        request(json!({
            "flow": "redirect",
            "requestedAttributes": [],
            "returnUrl": null,
            "tags": null,
            "additionalParameters": {"sbid_flow": null},
            "encryptionPublicKey": {"kty": "EC", "d": null}
        }));
    }

    #[test]
    fn the_subject_carries_only_the_requested_attributes() {
        let kari = persons::find("kari").unwrap();
        let subject = subject(kari, &["name".into(), "nin".into(), "phoneNumber".into()]);
        assert_eq!(subject.name.as_deref(), Some("Kari Fiktiv Nordkvinne"));
        let nin = subject.nin.as_ref().unwrap();
        assert_eq!(nin.value.as_deref(), Some(kari.national_id));
        assert_eq!(nin.issuing_country.as_deref(), Some("NOR"));
        assert_eq!(
            subject.extra.get("phoneNumber"),
            Some(&json!(kari.phone_number))
        );
        assert_eq!(subject.email, None);
        assert_eq!(subject.date_of_birth, None);
        assert_eq!(subject.first_name, None);
        assert!(subject.id.is_some(), "the identifier is always there");
        assert_eq!(subject.extra.len(), 1);
    }

    #[test]
    fn callback_urls_get_the_session_id() {
        assert_eq!(
            callback_with_params("https://a.example/ok", "s1", None),
            "https://a.example/ok?sessionId=s1"
        );
        assert_eq!(
            callback_with_params("https://a.example/ok?x=1#top", "s1", Some("ref & more")),
            "https://a.example/ok?x=1&sessionId=s1&externalReference=ref+%26+more#top"
        );
    }

    #[test]
    fn lifecycle_created_waiting_then_completed_once() {
        let api = api();
        let session = api
            .create(
                request(json!({
                    "flow": "redirect",
                    "requestedAttributes": ["name", "email"],
                    "callbackUrls": {"success": "https://a.example/ok", "abort": "https://a.example/no"}
                })),
                None,
            )
            .unwrap();
        let id = session.id.unwrap();
        assert_eq!(session.status, Some(types::SessionStatus::Created));
        assert_eq!(session.session_lifetime, Some(1200));
        assert!(
            session
                .authentication_url
                .unwrap()
                .ends_with(&format!("/_sandbox/ui/{NAME}/{id}"))
        );

        let page = api.open(&id).unwrap();
        assert!(page.open);
        assert_eq!(page.status, "WAITING_FOR_USER");

        let ola = persons::find("ola").unwrap();
        let done = api.complete(&id, ola, Outcome::Success).unwrap();
        assert_eq!(done.status, "SUCCESS");
        assert_eq!(
            done.redirect_url.as_deref(),
            Some(format!("https://a.example/ok?sessionId={id}").as_str())
        );
        let stored = api.state().sessions[&id].session.clone();
        assert_eq!(stored.subject.unwrap().email.as_deref(), Some(ola.email));
        assert_eq!(stored.provider.as_deref(), Some("nbid"));

        let again = api.complete(&id, ola, Outcome::Abort).unwrap_err();
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(!api.open(&id).unwrap().open);
        assert_eq!(
            api.open("no-such-id").unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn abort_and_error_outcomes() {
        let api = api();
        let body = json!({"flow": "headless", "requestedAttributes": ["name"]});
        let a = api
            .create(request(body.clone()), Some("a-mine".into()))
            .unwrap();
        assert_eq!(a.account_id.as_deref(), Some("a-mine"));
        assert_eq!(
            a.authentication_url, None,
            "headless sessions have no page URL"
        );
        let b = api.create(request(body), None).unwrap();
        let sven = persons::find("sven").unwrap();
        let done = api
            .complete(a.id.as_deref().unwrap(), sven, Outcome::Abort)
            .unwrap();
        assert_eq!((done.status.as_str(), done.redirect_url), ("ABORT", None));
        let done = api
            .complete(b.id.as_deref().unwrap(), sven, Outcome::Error)
            .unwrap();
        assert_eq!(done.status, "ERROR");
        let state = api.state();
        let a = &state.sessions[a.id.as_deref().unwrap()].session;
        let b = &state.sessions[b.id.as_deref().unwrap()].session;
        assert!(a.subject.is_none() && b.subject.is_none());
        assert_eq!(
            b.error.as_ref().unwrap().code.as_deref(),
            Some("authentication_failed")
        );
    }

    #[test]
    fn lifetime_minimum_expiry_and_pruning() {
        let api = api();
        let short = api
            .create(
                request(
                    json!({"flow": "redirect", "requestedAttributes": [], "sessionLifetime": 10}),
                ),
                None,
            )
            .unwrap();
        assert_eq!(
            short.session_lifetime,
            Some(300),
            "raised to the soft minimum"
        );
        let negative = api
            .create(
                request(
                    json!({"flow": "redirect", "requestedAttributes": [], "sessionLifetime": -5}),
                ),
                None,
            )
            .unwrap();
        assert_eq!(negative.session_lifetime, Some(300));
        let long = api
            .create(
                request(json!({"flow": "redirect", "requestedAttributes": []})),
                None,
            )
            .unwrap();
        let short_id = short.id.unwrap();
        let long_id = long.id.unwrap();

        api.shared.clock.advance(Duration::from_secs(301));
        let page = api.open(&short_id).unwrap();
        assert!(!page.open);
        assert_eq!(page.status, "ERROR");
        let ola = persons::find("ola").unwrap();
        assert_eq!(
            api.complete(&short_id, ola, Outcome::Success)
                .unwrap_err()
                .status,
            StatusCode::CONFLICT
        );
        {
            let state = api.state();
            let expired = &state.sessions[&short_id].session;
            assert_eq!(
                expired.error.as_ref().unwrap().code.as_deref(),
                Some("session_expired")
            );
        }
        // The 1200 s session is untouched.
        assert!(api.open(&long_id).unwrap().open);

        // One hour after expiry the session is gone.
        api.shared.clock.advance(RETENTION);
        assert_eq!(
            api.open(&short_id).unwrap_err().status,
            StatusCode::NOT_FOUND
        );
        assert!(api.state().sessions.contains_key(&long_id));
        api.shared.clock.advance(Duration::from_secs(1200));
        assert!(api.state().sessions.is_empty(), "memory stays bounded");
    }
}
