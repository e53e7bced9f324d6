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

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use bytes::Bytes;
use idverify_signicat_identification_v2::types;

use crate::Shared;
use crate::clock::rfc3339;
use crate::kit::oauth;
use crate::persons::Person;
use crate::kit::{html::escape_html, http::{json_response, query_param}, ids::random_hex, store::{PruneGate, insert_bounded}, strict_json::parse_request};
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};

/// Name and path prefix.
pub const NAME: &str = "signicat-identification-v2";
/// The API's path (append to the sandbox's base URL).
pub const API_PATH: &str = "/signicat-identification-v2/identification/v2";
/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/signicat-identification-v2/oauth/connect/token";
/// Where an `iframe` session's page ends (it posts the message to the parent window).
pub const IFRAME_DONE_PATH: &str = "/signicat-identification-v2/_iframe";
/// The test client.
/// Names this API in `WWW-Authenticate` of token errors.
const REALM: &str = "signicat-identification-v2";
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

struct Record {
    session: types::Session,
    /// Creation order: the list's sort key and cursor.
    seq: u64,
    created_at: SystemTime,
    purged: bool,
}

fn is_active(status: &types::SessionStatus) -> bool {
    matches!(
        status,
        types::SessionStatus::Created | types::SessionStatus::UserInitiated
    )
}

/// The session as kept after the 1-hour purge (and as listed): no personal data.
pub fn reduced(session: &types::Session) -> types::Session {
    types::Session {
        id: session.id.clone(),
        created: session.created.clone(),
        expires: session.expires.clone(),
        status: session.status.clone(),
        language: session.language.clone(),
        flow: session.flow.clone(),
        provider: session.provider.clone(),
        environment: session.environment.as_ref().map(|e| types::Environment {
            user_agent: e.user_agent.clone(),
            ip_address: None,
        }),
        external_reference: session.external_reference.clone(),
        error: session.error.clone(),
        allowed_providers: None,
        audit_trail: None,
        department_id: None,
        identity: None,
        iframe_settings: None,
        include: None,
        prefilled_input: None,
        redirect_settings: None,
        resources: None,
        security_reference: None,
        ui: None,
        url: None,
    }
}

impl Record {
    /// Times out an active session past its lifetime; purges personal data after the hour.
    fn age(&mut self, now: SystemTime) {
        let at = |d: Duration| self.created_at.checked_add(d).unwrap_or(self.created_at);
        if now >= at(SESSION_LIFETIME) && is_active(&self.session.status) {
            self.session.status = types::SessionStatus::TimedOut;
        }
        if now >= at(PERSONAL_DATA_LIFETIME) && !self.purged {
            self.session = reduced(&self.session);
            self.purged = true;
        }
    }
}

#[derive(Default)]
struct Store {
    prune_gate: PruneGate,
    sessions: HashMap<String, Record>,
    /// Access token → its expiry.
    tokens: HashMap<String, SystemTime>,
    next_seq: u64,
}

impl Store {
    /// Drops expired tokens and sessions past their retention; ages the others.
    fn prune(&mut self, now: SystemTime) {
        self.tokens.retain(|_, expiry| *expiry > now);
        self.sessions.retain(|_, record| {
            record
                .created_at
                .checked_add(RETENTION)
                .is_none_or(|gone| gone > now)
        });
        for record in self.sessions.values_mut() {
            record.age(now);
        }
    }
}

/// The Signicat Identification API v2 of a sandbox.
pub(crate) struct SignicatIdentificationV2 {
    shared: Arc<Shared>,
    state: Mutex<Store>,
}

impl SignicatIdentificationV2 {
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
            "unauthorized",
            Vec::new(),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        Some(response)
    }

    fn page_url(&self, id: &str) -> String {
        format!("{}/_sandbox/ui/{NAME}/{id}", self.shared.base_url)
    }

    /// Creates a session from a validated request; `None` when [`MAX_SESSIONS`] exist.
    fn create(&self, request: types::CreateSessionRequest) -> Option<types::Session> {
        let now = self.now();
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
        let mut state = self.state();
        if state.sessions.len() >= MAX_SESSIONS {
            return None;
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        state.sessions.insert(
            id,
            Record {
                session: session.clone(),
                seq,
                created_at: now,
                purged: false,
            },
        );
        Some(session)
    }

    /// A page of inactive sessions after `cursor` (a sequence number).
    fn list(&self, limit: u32, after: Option<u64>) -> types::SessionList {
        let state = self.state();
        let mut done: Vec<&Record> = state
            .sessions
            .values()
            .filter(|r| !is_active(&r.session.status))
            .filter(|r| after.is_none_or(|a| r.seq > a))
            .collect();
        done.sort_by_key(|r| r.seq);
        let limit_usize = limit as usize;
        let next_cursor =
            (done.len() > limit_usize).then(|| encode_cursor(done[limit_usize - 1].seq));
        types::SessionList {
            limit: Some(limit as i32),
            next_cursor,
            data: done
                .into_iter()
                .take(limit_usize)
                .map(|r| reduced(&r.session))
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

/// An error body: Signicat's problem document (`types::ApiError`).
fn problem(
    status: StatusCode,
    title: &str,
    detail: &str,
    code: &str,
    invalid_params: Vec<types::InvalidParam>,
) -> Response {
    let body = types::ApiError {
        type_: Some(format!("https://developer.signicat.com/errors/{code}")),
        title: Some(title.to_string()),
        detail: Some(detail.to_string()),
        code: Some(code.to_string()),
        status: Some(i32::from(status.as_u16())),
        trace_id: Some(format!("00-{}-{}-01", random_hex(16), random_hex(8))),
        invalid_params,
        message: None,
        errors: Vec::new(),
    };
    let mut response = json_response(&body);
    *response.status_mut() = status;
    response
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
        "The request is invalid.",
        "invalid_request",
        invalid_params,
    )
}

fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Session not found",
        "No session with this id exists (or it was removed).",
        "session_not_found",
        Vec::new(),
    )
}

/// An absolute http(s) URL with a host, after trimming surrounding spaces (the
/// migration guide's own sample has a leading space).
fn is_web_url(url: &str) -> bool {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// `scheme://host[:port]`, nothing after.
fn is_origin(origin: &str) -> bool {
    is_web_url(origin)
        && origin
            .trim()
            .split("://")
            .nth(1)
            .is_some_and(|r| !r.contains('/'))
}

/// The providers that can run without a UI.
fn headless_capable(provider: &types::IdProviderType) -> bool {
    matches!(
        provider,
        types::IdProviderType::NoBankidMobile | types::IdProviderType::SeBankid
    )
}

/// Parses and validates a create-session body: what serde cannot check (enum values
/// the generated types keep as `Unknown`, URLs, what each flow needs) is checked here.
pub fn validate_create(
    body: &[u8],
) -> Result<types::CreateSessionRequest, Vec<types::InvalidParam>> {
    // The spec marks no member of this body `nullable`.
    let request: types::CreateSessionRequest =
        parse_request(body, &[]).map_err(|e| vec![invalid(&e.name, e.reason)])?;
    let mut problems = Vec::new();
    if request.flow.is_unknown() {
        problems.push(invalid(
            "flow",
            format!(
                "Unknown flow `{}`; one of redirect, iframe, headless.",
                request.flow
            ),
        ));
    }
    if let Some(language) = &request.language
        && language.is_unknown()
    {
        problems.push(invalid(
            "language",
            format!("Unknown language `{language}`; see GET /languages."),
        ));
    }
    for (i, include) in request.include.iter().enumerate() {
        if include.is_unknown() {
            problems.push(invalid(
                &format!("include[{i}]"),
                format!("Unknown include value `{include}`."),
            ));
        }
    }
    for (i, provider) in request.allowed_providers.iter().enumerate() {
        if provider.is_unknown() {
            problems.push(invalid(
                &format!("allowedProviders[{i}]"),
                format!("Unknown ID provider `{provider}`; see GET /id-providers."),
            ));
        } else if request.flow == types::Flow::Headless && !headless_capable(provider) {
            problems.push(invalid(
                &format!("allowedProviders[{i}]"),
                format!(
                    "`{provider}` does not support the headless flow (no_bankid_mobile, se_bankid)."
                ),
            ));
        }
    }
    match request.flow {
        types::Flow::Redirect => {
            let urls = request.redirect_settings.clone().unwrap_or_default();
            for (name, url) in [
                ("redirectSettings.successUrl", &urls.success_url),
                ("redirectSettings.abortUrl", &urls.abort_url),
                ("redirectSettings.errorUrl", &urls.error_url),
            ] {
                match url {
                    None => {
                        problems.push(invalid(name, "Required for the redirect flow.".to_string()))
                    }
                    Some(url) if !is_web_url(url) => {
                        problems.push(invalid(name, "Must be an absolute http(s) URL."))
                    }
                    Some(_) => {}
                }
            }
        }
        types::Flow::Iframe => {
            let settings = request.iframe_settings.clone().unwrap_or_default();
            match &settings.post_message_target_origin {
                None => problems.push(invalid(
                    "iframeSettings.postMessageTargetOrigin",
                    "Required for the iframe flow.",
                )),
                Some(origin) if !is_origin(origin) => problems.push(invalid(
                    "iframeSettings.postMessageTargetOrigin",
                    "Must be an origin: scheme://host[:port].",
                )),
                Some(_) => {}
            }
            for (i, domain) in settings.parent_domains.iter().enumerate() {
                if !is_web_url(domain) {
                    problems.push(invalid(
                        &format!("iframeSettings.parentDomains[{i}]"),
                        "Must be an absolute http(s) URL.",
                    ));
                }
            }
        }
        _ => {}
    }
    if let Some(ui) = &request.ui {
        if ui.theme_mode.as_ref().is_some_and(|m| m.is_unknown()) {
            problems.push(invalid("ui.themeMode", "One of light, dark."));
        }
        if ui.color_theme.as_ref().is_some_and(|c| c.is_unknown()) {
            problems.push(invalid("ui.colorTheme", "One of default, light_blue."));
        }
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

/// The ID provider a test person identifies with in a session: the first of the
/// person's eIDs the session allows (headless: one that runs without a UI).
pub fn provider_for(
    person: &Person,
    flow: &types::Flow,
    allowed: &[types::IdProviderType],
) -> Option<types::IdProviderType> {
    use types::IdProviderType as P;
    let candidates: &[P] = match person.provider {
        "nbid" => &[P::NoBankidNetcentric, P::NoBankidMobile, P::NoBankid],
        "sbid" => &[P::SeBankid],
        "idin" => &[P::Idin],
        _ => &[P::SmsOtp],
    };
    candidates
        .iter()
        .filter(|p| *flow != types::Flow::Headless || headless_capable(p))
        .find(|p| allowed.is_empty() || allowed.contains(p))
        .cloned()
}

/// The identity of `person`: `providerId` always, the rest as `include` asks.
pub fn identity(
    person: &Person,
    provider: &types::IdProviderType,
    include: &[types::Include],
) -> types::Identity {
    let wants = |value: types::Include| include.contains(&value);
    let name = wants(types::Include::Name);
    types::Identity {
        provider_id: Some(format!("{provider}-{}", person.id)),
        full_name: name.then(|| person.full_name()),
        first_name: name.then(|| person.first_name.to_string()),
        middle_name: if name {
            person.middle_name.map(str::to_string)
        } else {
            None
        },
        last_name: name.then(|| person.last_name.to_string()),
        date_of_birth: wants(types::Include::DateOfBirth).then(|| person.date_of_birth.to_string()),
        nin: (wants(types::Include::Nin) || wants(types::Include::NinConsent))
            .then(|| person.national_id.to_string()),
        phone_number: wants(types::Include::PhoneNumber).then(|| person.phone_number.to_string()),
        email: wants(types::Include::Email).then(|| person.email.to_string()),
        organization: None,
        attributes: None,
        extra: serde_json::Map::new(),
    }
}

async fn token(
    State(api): State<Arc<SignicatIdentificationV2>>,
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
            "The scope must be identify.",
        );
    }
    let access_token = random_hex(32);
    let now = api.now();
    let expiry = now.checked_add(TOKEN_LIFETIME).unwrap_or(now);
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
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(params) => return bad_request(params),
    };
    match api.create(request) {
        Some(session) => {
            let mut response = json_response(&session);
            *response.status_mut() = StatusCode::CREATED;
            response
        }
        None => problem(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sessions",
            "The sandbox keeps at most 10000 sessions; wait for some to be removed.",
            "too_many_sessions",
            Vec::new(),
        ),
    }
}

async fn list_sessions(
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let mut problems = Vec::new();
    let limit = match query_param(&uri, "limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                problems.push(invalid(
                    "limit",
                    format!("Must be a whole number from 1 to {MAX_LIMIT}."),
                ));
                DEFAULT_LIMIT
            }
        },
    };
    let after = match query_param(&uri, "cursor") {
        None => None,
        Some(text) => match decode_cursor(&text) {
            Some(seq) => Some(seq),
            None => {
                problems.push(invalid("cursor", "Not a cursor returned by this API."));
                None
            }
        },
    };
    if !problems.is_empty() {
        return bad_request(problems);
    }
    json_response(&api.list(limit, after))
}

async fn get_session(
    State(api): State<Arc<SignicatIdentificationV2>>,
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

async fn invalidate_session(
    State(api): State<Arc<SignicatIdentificationV2>>,
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
            Some(record) if is_active(&record.session.status) => {
                record.session.status = types::SessionStatus::Invalidated;
                Some(Ok(()))
            }
            Some(record) => Some(Err(record.session.status.to_string())),
        }
    };
    match result {
        None => not_found(),
        Some(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Some(Err(status)) => problem(
            StatusCode::BAD_REQUEST,
            "Session cannot be invalidated",
            &format!(
                "The session is {status}; only sessions that are not completed can be invalidated."
            ),
            "session_not_active",
            Vec::new(),
        ),
    }
}

const LANGUAGES: &[(types::Language, &str)] = &[
    (types::Language::En, "English"),
    (types::Language::No, "Norsk"),
    (types::Language::Sv, "Svenska"),
    (types::Language::Da, "Dansk"),
    (types::Language::Fi, "Suomi"),
    (types::Language::De, "Deutsch"),
    (types::Language::Nl, "Nederlands"),
];

async fn languages(
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let list: Vec<types::LanguageDetails> = LANGUAGES
        .iter()
        .map(|(id, name)| types::LanguageDetails {
            id: Some(id.clone()),
            name: Some(name.to_string()),
            extra: serde_json::Map::new(),
        })
        .collect();
    json_response(&list)
}

/// Every provider: (type, name, description, whether the sandbox account has it).
fn providers() -> Vec<(types::IdProviderType, &'static str, &'static str, bool)> {
    use types::IdProviderType as P;
    vec![
        (P::NoBankidNetcentric, "BankID", "Norwegian BankID", true),
        (
            P::NoBankidMobile,
            "BankID på mobil",
            "Norwegian BankID on mobile",
            true,
        ),
        (P::SeBankid, "BankID", "Swedish BankID", true),
        (P::NoBuypass, "Buypass", "Norwegian Buypass ID", false),
        (P::Mitid, "MitID", "Danish MitID", false),
        (P::Ftn, "FTN", "Finnish Trust Network", false),
        (P::SmsOtp, "SMS OTP", "One-time code by SMS", false),
        (P::Freja, "Freja eID", "Freja eID", false),
        (P::Itsme, "itsme", "itsme", false),
        (P::Idin, "iDIN", "Dutch iDIN", true),
        (P::Digid, "DigiD", "Dutch DigiD", false),
    ]
}

async fn id_providers(
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let account_only = uri.path().ends_with("/account");
    let list: Vec<types::IdProvider> = providers()
        .into_iter()
        .filter(|(_, _, _, on_account)| !account_only || *on_account)
        .map(|(type_, name, description, _)| types::IdProvider {
            logo_url: Some(format!("https://static.example/logos/{type_}.svg")),
            type_: Some(type_),
            name: Some(name.to_string()),
            description: Some(description.to_string()),
            logo_url_negative: None,
            logo_width: None,
            extra: serde_json::Map::new(),
        })
        .collect();
    json_response(&list)
}

/// Embeds `value` as JSON in a `<script>`: no `<`, `>`, `&` or line separators that
/// could end the script or confuse the parser.
fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The last page of an `iframe` session: posts the `IframeMessage` to the parent.
async fn iframe_done(
    State(api): State<Arc<SignicatIdentificationV2>>,
    Path(id): Path<String>,
) -> Response {
    let found = api.state().sessions.get(&id).map(|r| {
        (
            r.session.status.clone(),
            r.session
                .iframe_settings
                .as_ref()
                .and_then(|s| s.post_message_target_origin.clone()),
        )
    });
    let Some((status, Some(origin))) = found else {
        return not_found();
    };
    let status = match status {
        types::SessionStatus::Success => types::IframeMessageStatus::Success,
        types::SessionStatus::UserAborted => types::IframeMessageStatus::Aborted,
        types::SessionStatus::Failed => types::IframeMessageStatus::Error,
        _ => return not_found(),
    };
    let message = types::IframeMessage {
        session_id: id.clone(),
        status,
    };
    let message = serde_json::to_value(&message).unwrap_or_default();
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Done</title></head>\
         <body>\n<p>The session is <strong id=\"status\">{status}</strong>.</p>\n\
         <script>window.parent.postMessage(JSON.stringify({message}), {origin});</script>\n\
         </body></html>\n",
        status = escape_html(message["status"].as_str().unwrap_or("")),
        message = script_json(&message),
        origin = script_json(&serde_json::Value::String(origin)),
    );
    let mut response = Html(page).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    crate::page::with_frame_ancestors(response, api.frame_ancestors(&id))
}

/// The origin (`scheme://host[:port]`) of an absolute http(s) URL, if it is one that can
/// stand in a CSP source list.
fn csp_origin(url: &str) -> Option<String> {
    let origin = url
        .trim()
        .splitn(4, '/')
        .take(3)
        .collect::<Vec<_>>()
        .join("/");
    (is_origin(&origin) && !origin.contains([';', ',', '\'', '"'])).then_some(origin)
}

async fn unknown_path(State(api): State<Arc<SignicatIdentificationV2>>) -> Response {
    api.error_response(StatusCode::NOT_FOUND, "No such path in this API.")
}

impl Vendor for SignicatIdentificationV2 {
    fn name(&self) -> &'static str {
        NAME
    }

    /// An iframe session's page may be framed only by its `iframeSettings.parentDomains`
    /// (when given); a redirect session's page by nobody.
    fn frame_ancestors(&self, session_id: &str) -> Option<String> {
        let state = self.state();
        let session = &state.sessions.get(session_id)?.session;
        match session.flow {
            types::Flow::Redirect => Some("'none'".into()),
            types::Flow::Iframe => {
                let mut origins: Vec<String> = session
                    .iframe_settings
                    .as_ref()?
                    .parent_domains
                    .iter()
                    .filter_map(|domain| csp_origin(domain))
                    .collect();
                origins.dedup();
                (!origins.is_empty()).then(|| origins.join(" "))
            }
            _ => None,
        }
    }

    fn title(&self) -> &'static str {
        "Signicat (Idfy) Identification API v2"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route(TOKEN_PATH, post(token))
            .route(
                &format!("{API_PATH}/sessions"),
                post(create_session).get(list_sessions),
            )
            .route(&format!("{API_PATH}/sessions/{{id}}"), get(get_session))
            .route(
                &format!("{API_PATH}/sessions/{{id}}/invalidate"),
                post(invalidate_session),
            )
            .route(&format!("{API_PATH}/languages"), get(languages))
            .route(&format!("{API_PATH}/id-providers"), get(id_providers))
            .route(
                &format!("{API_PATH}/id-providers/account"),
                get(id_providers),
            )
            .route(&format!("{IFRAME_DONE_PATH}/{{id}}"), get(iframe_done))
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
            .ok_or_else(|| ControlError::not_found("no such session (or it was removed)"))?;
        let session = &mut record.session;
        if session.flow == types::Flow::Headless {
            return Err(ControlError::bad_request(
                "headless sessions have no page; complete them with POST /_sandbox/sessions/…/complete",
            ));
        }
        if session.status == types::SessionStatus::Created {
            session.status = types::SessionStatus::UserInitiated;
        }
        let include: Vec<String> = session
            .include
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut details = vec![
            ("Flow".to_string(), session.flow.to_string()),
            (
                "Include".to_string(),
                if include.is_empty() {
                    "(providerId only)".to_string()
                } else {
                    include.join(", ")
                },
            ),
        ];
        if let Some(allowed) = &session.allowed_providers {
            let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            details.push(("Allowed providers".into(), allowed.join(", ")));
        }
        if let Some(reference) = &session.external_reference {
            details.push(("External reference".into(), reference.clone()));
        }
        Ok(PageView {
            open: is_active(&session.status),
            status: session.status.to_string(),
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
            .ok_or_else(|| ControlError::not_found("no such session (or it was removed)"))?;
        let session = &mut record.session;
        if !is_active(&session.status) {
            return Err(ControlError::not_open(&session.status.to_string()));
        }
        let allowed = session.allowed_providers.clone().unwrap_or_default();
        let provider = provider_for(person, &session.flow, &allowed).ok_or_else(|| {
            ControlError::bad_request(format!(
                "test person `{}` has no eID the session allows (allowedProviders, flow {})",
                person.id, session.flow
            ))
        })?;
        session.provider = Some(provider.clone());
        session.environment = Some(types::Environment {
            user_agent: Some("idverify-sandbox".into()),
            ip_address: Some("127.0.0.1".into()),
        });
        let urls = session.redirect_settings.clone().unwrap_or_default();
        let url = match outcome {
            Outcome::Success => {
                session.status = types::SessionStatus::Success;
                session.identity = Some(identity(
                    person,
                    &provider,
                    session.include.as_deref().unwrap_or_default(),
                ));
                urls.success_url
            }
            Outcome::Abort => {
                session.status = types::SessionStatus::UserAborted;
                urls.abort_url
            }
            Outcome::Error => {
                session.status = types::SessionStatus::Failed;
                session.error = Some(types::SessionError {
                    message: Some("The test person's identification failed (sandbox).".into()),
                    code: Some("identification_failed".into()),
                    provider_code: Some("SANDBOX".into()),
                });
                urls.error_url
            }
        };
        let redirect_url = match session.flow {
            types::Flow::Redirect => url.map(|u| u.trim().to_string()),
            types::Flow::Iframe => Some(format!(
                "{}{IFRAME_DONE_PATH}/{session_id}",
                self.shared.base_url
            )),
            _ => None,
        };
        Ok(Completion {
            status: session.status.to_string(),
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
    Arc::new(SignicatIdentificationV2::new(shared))
}

impl crate::SandboxApi for idverify_signicat_identification_v2::Client {
    const SANDBOX_API: crate::Api = crate::Api::SignicatIdentificationV2;
    const API_PATH: &'static str = API_PATH;
    const TOKEN_PATH: &'static str = TOKEN_PATH;
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient { environment: "production", id: CLIENT_ID, secret: CLIENT_SECRET };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[];
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::persons;
    use serde_json::json;

    fn api() -> SignicatIdentificationV2 {
        SignicatIdentificationV2::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
    }

    fn request(json: serde_json::Value) -> types::CreateSessionRequest {
        validate_create(json.to_string().as_bytes()).expect("valid request")
    }

    fn redirect(include: serde_json::Value) -> types::CreateSessionRequest {
        request(json!({
            "flow": "redirect",
            "include": include,
            "externalReference": "ref-1",
            "redirectSettings": {
                "successUrl": "https://a.example/ok",
                "abortUrl": " https://a.example/abort",
                "errorUrl": "https://a.example/error"
            }
        }))
    }

    fn names(params: &[types::InvalidParam]) -> Vec<&str> {
        params.iter().filter_map(|p| p.name.as_deref()).collect()
    }

    fn stored(api: &SignicatIdentificationV2, id: &str) -> types::Session {
        api.state().sessions[id].session.clone()
    }

    #[test]
    fn validation_names_the_field() {
        let urls = r#""redirectSettings":{"successUrl":"https://a.example/s","abortUrl":"https://a.example/a","errorUrl":"https://a.example/e"}"#;
        let cases: Vec<(String, &str)> = vec![
            ("{}".into(), "flow"),
            (r#"{"flow":"kiosk"}"#.into(), "flow"),
            (r#"{"flow":7}"#.into(), "flow"),
            (r#"{"flow":"headless","include":"name"}"#.into(), "include"),
            (r#"{"flow":"headless","include":["shoe_size"]}"#.into(), "include[0]"),
            (r#"{"flow":"headless","language":"xx"}"#.into(), "language"),
            (
                r#"{"flow":"headless","allowedProviders":["no_bankid_mobile","vipps"]}"#.into(),
                "allowedProviders[1]",
            ),
            (
                r#"{"flow":"headless","allowedProviders":["no_bankid_netcentric"]}"#.into(),
                "allowedProviders[0]",
            ),
            (r#"{"flow":"headless","ui":{"themeMode":"neon"}}"#.into(), "ui.themeMode"),
            (
                r#"{"flow":"headless","prefilledInput":{"nin":12}}"#.into(),
                "prefilledInput.nin",
            ),
            (
                r#"{"flow":"redirect","redirectSettings":{"successUrl":"https://a.example/s","abortUrl":"https://a.example/a"}}"#.into(),
                "redirectSettings.errorUrl",
            ),
            (
                r#"{"flow":"redirect","redirectSettings":{"successUrl":"javascript:alert(1)","abortUrl":"https://a.example/a","errorUrl":"https://a.example/e"}}"#.into(),
                "redirectSettings.successUrl",
            ),
            (r#"{"flow":"iframe"}"#.into(), "iframeSettings.postMessageTargetOrigin"),
            (
                r#"{"flow":"iframe","iframeSettings":{"postMessageTargetOrigin":"https://a.example/path"}}"#.into(),
                "iframeSettings.postMessageTargetOrigin",
            ),
            (format!(r#"{{"flow":"redirect",{urls},"externalReference":5}}"#), "externalReference"),
            (r#"["flow"]"#.into(), "body"),
            ("".into(), "body"),
        ];
        for (body, field) in &cases {
            let params = validate_create(body.as_bytes()).expect_err(body);
            assert_eq!(names(&params), vec![*field], "{body}");
            assert!(params[0].reason.as_deref().is_some_and(|r| !r.is_empty()));
        }
        // The guide's redirect sample (leading spaces in two URLs) is accepted.
        let ok = redirect(json!(["name", "nin"]));
        assert_eq!(ok.include, vec![types::Include::Name, types::Include::Nin]);
        let ok = request(json!({
            "flow": "iframe",
            "iframeSettings": {
                "parentDomains": ["https://a.example"],
                "postMessageTargetOrigin": "https://a.example"
            },
            "unknownField": true
        }));
        assert_eq!(ok.flow, types::Flow::Iframe);
    }

    #[test]
    fn identity_follows_include() {
        let kari = persons::find("kari").unwrap();
        let provider = types::IdProviderType::NoBankidNetcentric;
        let bare = identity(kari, &provider, &[]);
        assert_eq!(
            bare.provider_id.as_deref(),
            Some("no_bankid_netcentric-kari")
        );
        assert_eq!((bare.full_name, bare.nin, bare.email), (None, None, None));
        let full = identity(
            kari,
            &provider,
            &[
                types::Include::Name,
                types::Include::DateOfBirth,
                types::Include::PhoneNumber,
            ],
        );
        assert_eq!(full.full_name.as_deref(), Some("Kari Fiktiv Nordkvinne"));
        assert_eq!(full.middle_name.as_deref(), Some("Fiktiv"));
        assert_eq!(full.date_of_birth.as_deref(), Some("1990-12-24"));
        assert_eq!(full.phone_number.as_deref(), Some(kari.phone_number));
        assert_eq!(full.nin, None);
        assert_eq!(full.email, None);
        let consent = identity(kari, &provider, &[types::Include::NinConsent]);
        assert_eq!(consent.nin.as_deref(), Some(kari.national_id));
    }

    #[test]
    fn providers_follow_the_person_flow_and_allowed_list() {
        use types::IdProviderType as P;
        let ola = persons::find("ola").unwrap();
        let sven = persons::find("sven").unwrap();
        let redirect = types::Flow::Redirect;
        let headless = types::Flow::Headless;
        assert_eq!(
            provider_for(ola, &redirect, &[]),
            Some(P::NoBankidNetcentric)
        );
        assert_eq!(provider_for(ola, &headless, &[]), Some(P::NoBankidMobile));
        assert_eq!(
            provider_for(ola, &redirect, &[P::NoBankidMobile]),
            Some(P::NoBankidMobile)
        );
        assert_eq!(provider_for(ola, &redirect, &[P::SeBankid]), None);
        assert_eq!(provider_for(sven, &headless, &[]), Some(P::SeBankid));
    }

    #[test]
    fn lifecycle_created_initiated_then_completed_once() {
        let api = api();
        let session = api.create(redirect(json!(["name", "email"]))).unwrap();
        let id = session.id.clone();
        assert_eq!(session.status, types::SessionStatus::Created);
        assert_eq!(session.language, Some(types::Language::En));
        assert_eq!(id.len(), 32);
        assert!(
            session
                .url
                .as_deref()
                .unwrap()
                .ends_with(&format!("/_sandbox/ui/{NAME}/{id}"))
        );
        assert_eq!(session.security_reference, None);

        let page = api.open(&id).unwrap();
        assert!(page.open);
        assert_eq!(page.status, "user_initiated");

        let ola = persons::find("ola").unwrap();
        let done = api.complete(&id, ola, Outcome::Success).unwrap();
        assert_eq!(done.status, "success");
        assert_eq!(done.redirect_url.as_deref(), Some("https://a.example/ok"));
        let session = stored(&api, &id);
        let identity = session.identity.unwrap();
        assert_eq!(identity.email.as_deref(), Some(ola.email));
        assert_eq!(identity.full_name.as_deref(), Some("Ola Testmann"));
        assert_eq!(identity.nin, None, "not included");
        assert_eq!(
            session.provider,
            Some(types::IdProviderType::NoBankidNetcentric)
        );

        let again = api.complete(&id, ola, Outcome::Abort).unwrap_err();
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(!api.open(&id).unwrap().open);
        assert_eq!(
            api.open("no-such-id").unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn abort_error_headless_and_iframe() {
        let api = api();
        let a = api.create(redirect(json!([]))).unwrap();
        let sven = persons::find("sven").unwrap();
        let done = api.complete(&a.id, sven, Outcome::Abort).unwrap();
        assert_eq!(done.status, "user_aborted");
        assert_eq!(
            done.redirect_url.as_deref(),
            Some("https://a.example/abort"),
            "the leading space is trimmed"
        );
        let b = api.create(redirect(json!([]))).unwrap();
        let done = api.complete(&b.id, sven, Outcome::Error).unwrap();
        assert_eq!(done.status, "failed");
        let b = stored(&api, &b.id);
        assert!(b.identity.is_none());
        assert_eq!(
            b.error.unwrap().code.as_deref(),
            Some("identification_failed")
        );

        let headless = api
            .create(request(
                json!({"flow": "headless", "allowedProviders": ["se_bankid"]}),
            ))
            .unwrap();
        assert_eq!(headless.url, None);
        assert!(headless.security_reference.is_some());
        assert_eq!(
            api.open(&headless.id).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let ola = persons::find("ola").unwrap();
        assert_eq!(
            api.complete(&headless.id, ola, Outcome::Success)
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST,
            "Ola has no Swedish BankID"
        );
        let done = api.complete(&headless.id, sven, Outcome::Success).unwrap();
        assert_eq!((done.status.as_str(), done.redirect_url), ("success", None));

        let iframe = api
            .create(request(json!({
                "flow": "iframe",
                "iframeSettings": {"postMessageTargetOrigin": "https://a.example"}
            })))
            .unwrap();
        let done = api.complete(&iframe.id, ola, Outcome::Success).unwrap();
        assert_eq!(
            done.redirect_url,
            Some(format!(
                "http://127.0.0.1:1{IFRAME_DONE_PATH}/{}",
                iframe.id
            ))
        );
    }

    #[test]
    fn timeout_purge_and_removal_on_the_clock() {
        let api = api();
        let ola = persons::find("ola").unwrap();
        let open = api.create(redirect(json!(["name"]))).unwrap();
        let done = api.create(redirect(json!(["name", "nin"]))).unwrap();
        api.complete(&done.id, ola, Outcome::Success).unwrap();

        api.shared.clock.advance(Duration::from_secs(599));
        assert!(api.open(&open.id).unwrap().open);
        api.shared.clock.advance(Duration::from_secs(2));
        let page = api.open(&open.id).unwrap();
        assert!(!page.open);
        assert_eq!(page.status, "timed_out");
        assert_eq!(
            api.complete(&open.id, ola, Outcome::Success)
                .unwrap_err()
                .status,
            StatusCode::CONFLICT
        );
        assert!(
            stored(&api, &done.id).identity.is_some(),
            "kept for the hour"
        );

        api.shared.clock.advance(Duration::from_secs(3000));
        let purged = stored(&api, &done.id);
        assert_eq!(purged, reduced(&purged));
        assert_eq!(purged.identity, None);
        assert_eq!(purged.include, None);
        assert_eq!(purged.status, types::SessionStatus::Success);
        assert_eq!(purged.external_reference.as_deref(), Some("ref-1"));
        let environment = purged.environment.unwrap();
        assert_eq!(environment.user_agent.as_deref(), Some("idverify-sandbox"));
        assert_eq!(environment.ip_address, None);

        api.shared.clock.advance(RETENTION);
        assert!(api.state().sessions.is_empty(), "memory stays bounded");
        assert_eq!(
            api.open(&done.id).unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn the_list_pages_through_inactive_sessions_without_personal_data() {
        let api = api();
        let kari = persons::find("kari").unwrap();
        let mut ids = Vec::new();
        for _ in 0..5 {
            let s = api.create(redirect(json!(["name", "nin"]))).unwrap();
            api.complete(&s.id, kari, Outcome::Success).unwrap();
            ids.push(s.id);
        }
        let active = api.create(redirect(json!([]))).unwrap();
        let first = api.list(2, None);
        assert_eq!(first.limit, Some(2));
        assert_eq!(
            first.data.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            ids[..2]
        );
        assert!(first.data.iter().all(|s| s.identity.is_none()));
        let cursor = decode_cursor(first.next_cursor.as_deref().unwrap()).unwrap();
        let second = api.list(2, Some(cursor));
        assert_eq!(second.data[0].id, ids[2]);
        let cursor = decode_cursor(second.next_cursor.as_deref().unwrap()).unwrap();
        let last = api.list(2, Some(cursor));
        assert_eq!(last.data.len(), 1);
        assert_eq!(last.next_cursor, None);
        assert!(api.list(100, None).data.iter().all(|s| s.id != active.id));
        assert_eq!(decode_cursor("nonsense"), None);
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let text = script_json(&json!({"a": "</script><b>&\u{2028}"}));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["a"], "</script><b>&\u{2028}");
    }
}
