//! Idfy Identification API v1 (legacy), under `/idfy-identification-v1/`.
//!
//! - `POST /idfy-identification-v1/oauth/connect/token`: OAuth2 client credentials (HTTP
//!   Basic or form fields) for [`CLIENT_ID`] / [`CLIENT_SECRET`], scope `identify` (an
//!   absent scope is granted `identify`); tokens live [`TOKEN_LIFETIME`] of sandbox time.
//! - Under `/idfy-identification-v1/identification/`, with the generated crate's types as
//!   bodies (PascalCase): `POST session` create, `GET session?requestId=&metaData=`
//!   retrieve, `GET session/status?requestId=` (`{Done}`), `PUT session/invalidate`
//!   (`{RequestId}`), `GET log/requestId/{requestId}`, `GET log/filter/{year}` (filters
//!   `month`, `day`, `status`, `identityProviderType`, `externalId`, `name` (a
//!   case-insensitive part of the name), `skip` (pages), `pageSize` (1–1000, default
//!   1000); `NextLink` is an absolute URL back to the sandbox), and
//!   `POST no/bankid/mobile` (headless Norwegian BankID on mobile).
//!
//! Every answer carries the headers `RequestId` (new for each call),
//! `X-Idfy-Environment: test` and `X-Idfy-AccountId` ([`ACCOUNT_ID`]). Errors are
//! `{NativeErrorCode, ErrorCode, ErrorMessage}`; a refused body names the field first in
//! `ErrorMessage` (`ReturnUrls.Success: ...`) with `ErrorCode` `invalid_request`.
//!
//! Lifecycle: `CREATED` → (end user opens the page) `USERINITIATED` → `SUCCESS`,
//! `USERABORTED` or `ERROR`; `INVALIDATED` by the invalidate call, which v1 allows after
//! completion too (the vendor recommended invalidating a session once read, so it cannot
//! be reused), except for `ERROR` sessions (400 `session_not_invalidatable`). A session lives
//! [`SESSION_LIFETIME`] (10 minutes) of sandbox time; if it is not completed by then it
//! reports `TIMEOUT` (error code `TIMEOUT`). One hour ([`RETENTION`]) after its expiry a
//! session is removed and answers 404; its log entry stays [`LOG_RETENTION`].
//!
//! The end user's page is `/_sandbox/ui/idfy-identification-v1/{RequestId}`; when it is
//! completed, the browser goes to the session's `ReturnUrls` Success / Abort / Error with
//! `[0]` → the status, `[1]` → the request id, `[2]` → the `ExternalReference` (empty when
//! none), each percent-encoded. Creating a session with the `ExternalReference` of a
//! session that is still open returns that session (the vendor does not create a second
//! identification).
//!
//! BankID on mobile: the mobile number (8 digits, optionally `+47`) and `DateOfBirth`
//! (`DDMMYY`) must be those of a Norwegian test person (e.g. `00000001` / `010180` for
//! `ola`); otherwise the answer is 200 with `OK: false` and
//! `InvalidMobileNumberOrDateOfBirth: true`. Such a session has no return URLs and is
//! completed through the control API (or the page, standing in for the phone); only its
//! own person can complete it successfully.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use bytes::Bytes;
use idverify_idfy_identification_v1::types;

use crate::Shared;
use crate::clock::rfc3339;
use crate::kit::oauth;
use crate::persons::{PERSONS, Person};
use crate::signing;
use crate::kit::{http::json_response, ids::random_hex, store::{PruneGate, insert_bounded}, strict_json::parse_request};
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};
use crate::webhooks::{Event, Message};

/// Name and path prefix.
pub const NAME: &str = "idfy-identification-v1";
/// The API's base path (append to the sandbox's base URL; the client adds
/// `/identification/...`).
pub const API_PATH: &str = "/idfy-identification-v1";
/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/idfy-identification-v1/oauth/connect/token";
/// The test client.
/// Names this API in `WWW-Authenticate` of token errors.
const REALM: &str = "idfy-identification-v1";
pub const CLIENT_ID: &str = "sandbox-idfy-client";
pub const CLIENT_SECRET: &str = "sandbox-idfy-secret";
/// The scope the token endpoint grants.
pub const SCOPE: &str = "identify";
/// How long an access token is valid (sandbox time), as the vendor's 3600 s.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// How long a session can be completed (sandbox time).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(600);
/// How long an expired session stays readable before it is removed.
pub const RETENTION: Duration = Duration::from_secs(3600);
/// How long a log entry is kept (sandbox time).
pub const LOG_RETENTION: Duration = Duration::from_secs(400 * 24 * 3600);
/// At most this many sessions (and as many tokens, and log entries) are kept.
pub const MAX_SESSIONS: usize = 10_000;
/// Largest and default log page size.
pub const MAX_PAGE_SIZE: usize = 1000;
/// The account every answer reports.
pub const ACCOUNT_ID: &str = "00000000-0000-4000-a000-00000000beef";

/// The event of every webhook: the session's status changed (the new one is in `data`).
///
/// Idfy documents its webhook signature (`X-Idfy-Signature`, the hex HMAC-SHA256 of the
/// body under the webhook's secret) but not its identification events; this event's
/// name and shape (`id`, `event`, `created`, `account`, `data` with `RequestId`,
/// `ExternalReference`, `Status`) are the sandbox's, an assumption.
pub const WEBHOOK_EVENT: &str = "identification_session_status_changed";

const SESSION_PATH: &str = "/idfy-identification-v1/identification/session";

/// The sandbox's copy of one session.
struct Record {
    /// The retrieve answer, without `MetaData` (added on request).
    result: types::IdentificationResponse,
    return_urls: Option<types::ReturnUrls>,
    external_reference: Option<String>,
    get_ssn: bool,
    addons: Vec<String>,
    language: Option<types::Language>,
    i_frame: bool,
    identity_provider: Option<types::IdentityProvider>,
    /// The test person a BankID on mobile session belongs to.
    mobile_person: Option<&'static str>,
    created_at: SystemTime,
    expires_at: SystemTime,
    /// The order of creation (log order).
    seq: u64,
}

fn is_open(status: Option<&types::Status>) -> bool {
    matches!(
        status,
        Some(types::Status::Created | types::Status::Userinitiated)
    )
}

fn status_name(status: Option<&types::Status>) -> String {
    status.map_or_else(|| "UNKNOWN".to_string(), |s| s.to_string())
}

fn error_details(code: &str, message: &str) -> types::ErrorDetails {
    types::ErrorDetails {
        native_error_code: None,
        error_code: Some(code.to_string()),
        error_message: Some(message.to_string()),
    }
}

impl Record {
    fn status(&self) -> Option<&types::Status> {
        self.result.status.as_ref()
    }

    /// Marks an open session whose lifetime is over as timed out; whether it did.
    fn expire_if_due(&mut self, now: SystemTime) -> bool {
        if now >= self.expires_at && is_open(self.status()) {
            self.result.status = Some(types::Status::Timeout);
            self.result.error = Some(error_details(
                "TIMEOUT",
                "The end-user did not finish the identification in time.",
            ));
            return true;
        }
        false
    }

    fn log_item(&self, id: &str) -> types::IdentificationLogItem {
        let success = self.status() == Some(&types::Status::Success);
        let environment = self.result.environment_info.as_ref();
        types::IdentificationLogItem {
            id: Some(id.to_string()),
            name: success.then(|| log_name(&self.result)).flatten(),
            status: self.result.status.clone(),
            client_ip: environment.and_then(|e| e.ip_address.clone()),
            user_agent: environment.and_then(|e| e.user_agent.clone()),
            identity_provider_type: self
                .result
                .identity_provider
                .clone()
                .or_else(|| self.identity_provider.clone()),
            language: self.language.clone(),
            externalid: self.external_reference.clone(),
            errorcode: self
                .result
                .error
                .as_ref()
                .and_then(|e| e.error_code.clone()),
            timestamp: Some(timestamp(self.created_at)),
            i_frame: Some(self.i_frame),
            social_security_number: Some(self.get_ssn),
            account_id: Some(ACCOUNT_ID.to_string()),
        }
    }
}

/// The log's name: "First Middle Last" (the session's `Name` is "Last, First Middle").
fn log_name(result: &types::IdentificationResponse) -> Option<String> {
    let parts: Vec<&str> = [&result.first_name, &result.middle_name, &result.last_name]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// ISO 8601 in UTC with 7 fractional digits, like the vendor's log timestamps.
fn timestamp(time: SystemTime) -> String {
    let base = rfc3339(time);
    let ticks = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos() / 100)
        .unwrap_or(0);
    format!("{}.{ticks:07}Z", base.trim_end_matches('Z'))
}

struct LogEntry {
    item: types::IdentificationLogItem,
    created_at: SystemTime,
    seq: u64,
}

#[derive(Default)]
struct Store {
    prune_gate: PruneGate,
    sessions: HashMap<String, Record>,
    logs: HashMap<String, LogEntry>,
    /// Access token → its expiry.
    tokens: HashMap<String, SystemTime>,
    next_seq: u64,
}

impl Store {
    /// Marks expired sessions, drops sessions past their retention, old log entries and
    /// expired tokens.
    fn prune(&mut self, now: SystemTime) {
        self.tokens.retain(|_, expiry| *expiry > now);
        let expired: Vec<String> = self
            .sessions
            .iter_mut()
            .filter_map(|(id, record)| record.expire_if_due(now).then(|| id.clone()))
            .collect();
        for id in expired {
            self.sync_log(&id);
        }
        self.sessions.retain(|_, record| {
            record
                .expires_at
                .checked_add(RETENTION)
                .is_none_or(|gone| gone > now)
        });
        self.logs.retain(|_, entry| {
            entry
                .created_at
                .checked_add(LOG_RETENTION)
                .is_none_or(|gone| gone > now)
        });
    }

    /// Writes the session's current state to its log entry (bounded: the oldest entry
    /// goes when [`MAX_SESSIONS`] exist).
    fn sync_log(&mut self, id: &str) {
        let Some(record) = self.sessions.get(id) else {
            return;
        };
        let entry = LogEntry {
            item: record.log_item(id),
            created_at: record.created_at,
            seq: record.seq,
        };
        if !self.logs.contains_key(id)
            && self.logs.len() >= MAX_SESSIONS
            && let Some(oldest) = self
                .logs
                .iter()
                .min_by_key(|(_, e)| e.seq)
                .map(|(k, _)| k.clone())
        {
            self.logs.remove(&oldest);
        }
        self.logs.insert(id.to_string(), entry);
    }

    fn insert(&mut self, id: String, mut record: Record) {
        record.seq = self.next_seq;
        self.next_seq += 1;
        self.sessions.insert(id.clone(), record);
        self.sync_log(&id);
    }
}

/// The Idfy Identification API v1 of a sandbox.
pub(crate) struct IdfyIdentificationV1 {
    shared: Arc<Shared>,
    state: Mutex<Store>,
}

/// What a create call produced.
enum Created {
    /// New (or the open session with the same `ExternalReference`): request id.
    Session(String),
    /// [`MAX_SESSIONS`] exist.
    Full,
}

impl IdfyIdentificationV1 {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            state: Mutex::new(Store::default()),
        }
    }

    /// Emits [`WEBHOOK_EVENT`] with the session's new status, signed with each
    /// webhook's secret when it has one.
    fn notify(&self, request_id: &str, record: &Record) {
        let webhooks = &self.shared.webhooks;
        if !webhooks.wanted(NAME) {
            return;
        }
        let created = rfc3339(self.now());
        let data = serde_json::json!({
            "RequestId": request_id,
            "ExternalReference": record.external_reference,
            "Status": status_name(record.status()),
        });
        let event = Event {
            api: NAME,
            name: WEBHOOK_EVENT.into(),
            session_id: request_id.into(),
            environment: None,
        };
        webhooks.emit(
            event,
            Arc::new(move |subscription, attempt| {
                let body = serde_json::json!({
                    "id": attempt.event_id,
                    "event": WEBHOOK_EVENT,
                    "created": created,
                    "account": ACCOUNT_ID,
                    "data": data,
                })
                .to_string();
                let headers = subscription
                    .secret
                    .as_ref()
                    .map(|secret| {
                        (
                            "X-Idfy-Signature",
                            signing::hmac_sha256_hex(secret, body.as_bytes()),
                        )
                    })
                    .into_iter()
                    .collect();
                Message {
                    content_type: "application/json",
                    body: body.into(),
                    headers,
                }
            }),
        );
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
        if token.is_some_and(|t| self.state().tokens.contains_key(t)) {
            return None;
        }
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            if token.is_some() {
                "The access token is invalid or expired."
            } else {
                "An access token is required (Authorization: Bearer)."
            },
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

    fn new_record(&self) -> Record {
        let now = self.now();
        Record {
            result: types::IdentificationResponse::default(),
            return_urls: None,
            external_reference: None,
            get_ssn: false,
            addons: Vec::new(),
            language: None,
            i_frame: false,
            identity_provider: None,
            mobile_person: None,
            created_at: now,
            expires_at: now.checked_add(SESSION_LIFETIME).unwrap_or(now),
            seq: 0,
        }
    }

    /// Creates a session from a validated request.
    fn create(&self, request: types::CreateIdentificationRequest) -> Created {
        let mut state = self.state();
        if let Some(reference) = &request.external_reference
            && let Some((id, _)) = state.sessions.iter().find(|(_, r)| {
                r.mobile_person.is_none()
                    && r.external_reference.as_ref() == Some(reference)
                    && is_open(r.status())
            })
        {
            return Created::Session(id.clone());
        }
        if state.sessions.len() >= MAX_SESSIONS {
            return Created::Full;
        }
        let id = random_hex(20);
        let mut record = self.new_record();
        record.result.status = Some(types::Status::Created);
        record.result.request_id = Some(id.clone());
        record.return_urls = request.return_urls;
        record.external_reference = request.external_reference;
        record.get_ssn = request.get_social_security_number == Some(true);
        record.addons = request
            .addonservices
            .map(|a| a.into_keys().collect())
            .unwrap_or_default();
        record.language = request.language;
        record.i_frame = request.i_frame.is_some();
        record.identity_provider = request.identity_provider;
        state.insert(id.clone(), record);
        Created::Session(id)
    }

    /// Starts a BankID on mobile session for a validated request; `None` when
    /// [`MAX_SESSIONS`] exist.
    fn create_mobile(
        &self,
        request: types::CreateBankIdMobileRequest,
        mobile: &str,
    ) -> Option<types::CreateBankIdMobileResponse> {
        let person = PERSONS.iter().find(|p| {
            p.provider == "nbid"
                && p.phone_number.strip_prefix("+47") == Some(mobile)
                && ddmmyy(p.date_of_birth) == request.date_of_birth
        });
        let Some(person) = person else {
            return Some(types::CreateBankIdMobileResponse {
                request_id: None,
                merchant_ref: None,
                error: Some(types::ErrorDetails {
                    native_error_code: Some("C161".into()),
                    error_code: Some("invalid_input".into()),
                    error_message: Some(
                        "No BankID on mobile for this mobile number and date of birth.".into(),
                    ),
                }),
                ok: Some(false),
                invalid_mobile_number_or_date_of_birth: Some(true),
            });
        };
        let mut state = self.state();
        if state.sessions.len() >= MAX_SESSIONS {
            return None;
        }
        let id = random_hex(20);
        let mut record = self.new_record();
        record.result.status = Some(types::Status::Created);
        record.result.request_id = Some(id.clone());
        record.external_reference = request.external_reference;
        record.get_ssn = request.get_social_security_number == Some(true);
        record.addons = request
            .addonservices
            .map(|a| a.into_keys().collect())
            .unwrap_or_default();
        record.identity_provider = Some(types::IdentityProvider::NoBankidMobile);
        record.mobile_person = Some(person.id);
        state.insert(id.clone(), record);
        Some(types::CreateBankIdMobileResponse {
            request_id: Some(id),
            merchant_ref: Some(merchant_ref()),
            error: None,
            ok: Some(true),
            invalid_mobile_number_or_date_of_birth: Some(false),
        })
    }

    /// The retrieve answer, with `MetaData` when asked for.
    fn retrieve(&self, id: &str, meta_data: bool) -> Option<types::IdentificationResponse> {
        let state = self.state();
        let record = state.sessions.get(id)?;
        let mut result = record.result.clone();
        if meta_data {
            let mut meta = BTreeMap::new();
            if record.status() == Some(&types::Status::Success) {
                for addon in &record.addons {
                    meta.insert(
                        addon.clone(),
                        "{\"sandbox\":true,\"note\":\"fictional add-on data\"}".to_string(),
                    );
                }
            }
            result.meta_data = Some(meta);
        }
        Some(result)
    }

    fn log_page(&self, filter: &LogFilter) -> types::IdentificationLogList {
        let state = self.state();
        let mut entries: Vec<&LogEntry> = state
            .logs
            .values()
            .filter(|e| filter.matches(&e.item))
            .collect();
        entries.sort_by_key(|e| e.seq);
        let total = entries.len();
        let pages = total.div_ceil(filter.page_size);
        let start = filter.skip.saturating_mul(filter.page_size);
        let list: Vec<_> = entries
            .iter()
            .skip(start)
            .take(filter.page_size)
            .map(|e| e.item.clone())
            .collect();
        let next_link = (filter.skip + 1 < pages).then(|| {
            format!(
                "{}{API_PATH}/identification/log/filter/{}?{}",
                self.shared.base_url,
                filter.year,
                filter.query(filter.skip + 1)
            )
        });
        types::IdentificationLogList {
            list: Some(list),
            next_link,
            total_links: Some(i32::try_from(pages).unwrap_or(i32::MAX)),
        }
    }
}

/// `YYYY-MM-DD` → `DDMMYY`.
pub fn ddmmyy(date: &str) -> String {
    let mut parts = date.split('-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return String::new();
    };
    format!("{day}{month}{}", year.get(2..).unwrap_or(""))
}

/// Whether `text` is a date as `DDMMYY`.
fn is_ddmmyy(text: &str) -> bool {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let day: u32 = text[0..2].parse().unwrap_or(0);
    let month: u32 = text[2..4].parse().unwrap_or(0);
    (1..=31).contains(&day) && (1..=12).contains(&month)
}

/// A Norwegian mobile number's 8 digits (`+47`/`0047` and spaces allowed).
fn norwegian_mobile(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| *c != ' ').collect();
    let national = compact
        .strip_prefix("+47")
        .or_else(|| compact.strip_prefix("0047"))
        .unwrap_or(&compact);
    (national.len() == 8 && national.bytes().all(|b| b.is_ascii_digit()))
        .then(|| national.to_string())
}

fn merchant_ref() -> String {
    const FIRST: [&str; 4] = ["SNILL", "RASK", "GLAD", "STILLE"];
    const SECOND: [&str; 4] = ["BANK", "ELG", "FJORD", "HYTTE"];
    let bits = u8::from_str_radix(&random_hex(1), 16).unwrap_or(0);
    format!(
        "{} {}",
        FIRST[usize::from(bits & 3)],
        SECOND[usize::from((bits >> 2) & 3)]
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A return URL with `[0]` status, `[1]` request id, `[2]` external reference replaced.
pub fn substitute(url: &str, status: &str, request_id: &str, external_reference: &str) -> String {
    url.replace("[0]", &percent_encode(status))
        .replace("[1]", &percent_encode(request_id))
        .replace("[2]", &percent_encode(external_reference))
}

/// The vendor's error body.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = json_response(&error_details(code, message));
    *response.status_mut() = status;
    response
}

fn bad_request(message: impl AsRef<str>) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request", message.as_ref())
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "session_not_found",
        "No session with this request id exists (or it expired and was removed).",
    )
}

fn too_many_sessions() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_sessions",
        "The sandbox keeps at most 10000 sessions; wait for some to expire.",
    )
}

/// Adds the headers every vendor answer carries.
fn with_vendor_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(&random_hex(16)) {
        headers.insert("RequestId", id);
    }
    headers.insert("X-Idfy-Environment", HeaderValue::from_static("test"));
    headers.insert("X-Idfy-AccountId", HeaderValue::from_static(ACCOUNT_ID));
    response
}

fn is_web_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Why a request was refused: `field: reason` for each problem, joined with `; `.
fn problems_message(problems: &[(String, String)]) -> String {
    problems
        .iter()
        .map(|(field, reason)| format!("{field}: {reason}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The members of a create-session body that the spec marks `nullable`.
const CREATE_NULLABLE: &[&str] = &[
    "iFrame.WebMessaging",
    "iFrame.Height",
    "GetSocialSecurityNumber",
    "PreFilledSocialSecurityNumber",
    "PageTitle",
    "ExternalReference",
    "Addonservices",
];

/// Parses and validates a create-session body; a refusal lists `(field, reason)`.
pub fn validate_create(
    body: &[u8],
) -> Result<types::CreateIdentificationRequest, Vec<(String, String)>> {
    let request: types::CreateIdentificationRequest =
        parse_request(body, CREATE_NULLABLE).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    if let Some(
        provider @ (types::IdentityProvider::Unknown(_) | types::IdentityProvider::UnknownValue),
    ) = &request.identity_provider
    {
        problems.push((
            "IdentityProvider".to_string(),
            format!(
                "Unknown identity provider `{provider}`; one of NO_BANKID_MOBILE, NO_BANKID_WEB, \
                 SWE_BANKID, SWE_BANKID_MOBILE, NO_BUYPASS, DA_NEMID, FI_TUPAS."
            ),
        ));
    }
    if let Some(language) = &request.language
        && language.is_unknown()
    {
        problems.push((
            "Language".to_string(),
            format!("Unknown language `{language}`; one of NO, EN, SV, DA, FI."),
        ));
    }
    match (&request.return_urls, &request.i_frame) {
        (None, None) => problems.push((
            "ReturnUrls".to_string(),
            "The ReturnUrls field is required (unless iFrame is set).".to_string(),
        )),
        (Some(urls), _) => {
            for (name, url) in [
                ("ReturnUrls.Success", &urls.success),
                ("ReturnUrls.Abort", &urls.abort),
                ("ReturnUrls.Error", &urls.error),
            ] {
                if !is_web_url(url) {
                    problems.push((name.to_string(), "Must be an absolute http(s) URL.".into()));
                }
            }
        }
        (None, Some(_)) => {}
    }
    if let Some(frame) = &request.i_frame
        && frame.domain.trim().is_empty()
    {
        problems.push(("iFrame.Domain".to_string(), "Must not be empty.".into()));
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

/// The members of a BankID on mobile body that the spec marks `nullable`.
const MOBILE_NULLABLE: &[&str] = &[
    "GetSocialSecurityNumber",
    "ExternalReference",
    "Addonservices",
];

/// Parses and validates a BankID on mobile body: the request and the 8-digit number.
pub fn validate_mobile(
    body: &[u8],
) -> Result<(types::CreateBankIdMobileRequest, String), Vec<(String, String)>> {
    let request: types::CreateBankIdMobileRequest =
        parse_request(body, MOBILE_NULLABLE).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    let mobile = norwegian_mobile(&request.mobile_number);
    if mobile.is_none() {
        problems.push((
            "MobileNumber".to_string(),
            "Must be a Norwegian mobile number of 8 digits (optionally +47).".to_string(),
        ));
    }
    if !is_ddmmyy(&request.date_of_birth) {
        problems.push((
            "DateOfBirth".to_string(),
            "Must be a date as DDMMYY (e.g. 071283).".to_string(),
        ));
    }
    match mobile {
        Some(mobile) if problems.is_empty() => Ok((request, mobile)),
        _ => Err(problems),
    }
}

/// The query parameters of the log filter, validated.
#[derive(Debug, Clone, PartialEq)]
struct LogFilter {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
    status: Option<types::Status>,
    identity_provider: Option<types::IdentityProvider>,
    external_id: Option<String>,
    name: Option<String>,
    skip: usize,
    page_size: usize,
}

impl LogFilter {
    fn parse(year: &str, query: Option<&str>) -> Result<Self, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let mut bad = |field: &str, reason: &str| problems.push((field.to_string(), reason.into()));
        let year = year.parse::<i32>().ok().filter(|y| (1..=9999).contains(y));
        if year.is_none() {
            bad("year", "Must be a year (e.g. 2024).");
        }
        let mut filter = LogFilter {
            year: year.unwrap_or(0),
            month: None,
            day: None,
            status: None,
            identity_provider: None,
            external_id: None,
            name: None,
            skip: 0,
            page_size: MAX_PAGE_SIZE,
        };
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let key = key.to_ascii_lowercase();
            let value = value.into_owned();
            match key.as_str() {
                // 0 means "every month / day", as in the vendor's own links.
                "month" => match value.parse::<u32>() {
                    Ok(0) => {}
                    Ok(m @ 1..=12) => filter.month = Some(m),
                    _ => bad("month", "Must be a month, 1 to 12."),
                },
                "day" => match value.parse::<u32>() {
                    Ok(0) => {}
                    Ok(d @ 1..=31) => filter.day = Some(d),
                    _ => bad("day", "Must be a day of the month, 1 to 31."),
                },
                "status" => {
                    let status = types::Status::from(value.as_str());
                    if status.is_unknown() {
                        bad("status", "Unknown status.");
                    } else {
                        filter.status = Some(status);
                    }
                }
                "identityprovidertype" => {
                    let provider = types::IdentityProvider::from(value.as_str());
                    if provider.is_unknown() {
                        bad("identityProviderType", "Unknown identity provider.");
                    } else {
                        filter.identity_provider = Some(provider);
                    }
                }
                "externalid" => filter.external_id = Some(value),
                "name" => filter.name = Some(value),
                // The spec's `skip` is an int32, which also keeps `skip + 1` in range.
                "skip" => match value.parse::<usize>() {
                    Ok(skip) if skip <= i32::MAX as usize => filter.skip = skip,
                    _ => bad("skip", "Must be a number of pages, 0 to 2147483647."),
                },
                "pagesize" => match value.parse::<usize>() {
                    Ok(size @ 1..=MAX_PAGE_SIZE) => filter.page_size = size,
                    _ => bad("pageSize", "Must be 1 to 1000."),
                },
                _ => {}
            }
        }
        if problems.is_empty() {
            Ok(filter)
        } else {
            Err(problems)
        }
    }

    fn matches(&self, item: &types::IdentificationLogItem) -> bool {
        // Active sessions are not listed, as at the vendor.
        if is_open(item.status.as_ref()) {
            return false;
        }
        let date = item.timestamp.as_deref().unwrap_or("");
        let part =
            |range: std::ops::Range<usize>| date.get(range).and_then(|s| s.parse::<i64>().ok());
        if part(0..4) != Some(i64::from(self.year)) {
            return false;
        }
        if self.month.is_some_and(|m| part(5..7) != Some(i64::from(m))) {
            return false;
        }
        if self.day.is_some_and(|d| part(8..10) != Some(i64::from(d))) {
            return false;
        }
        if self
            .status
            .as_ref()
            .is_some_and(|s| item.status.as_ref() != Some(s))
        {
            return false;
        }
        if self
            .identity_provider
            .as_ref()
            .is_some_and(|p| item.identity_provider_type.as_ref() != Some(p))
        {
            return false;
        }
        if self
            .external_id
            .as_ref()
            .is_some_and(|x| item.externalid.as_ref() != Some(x))
        {
            return false;
        }
        if let Some(name) = &self.name {
            let wanted = name.to_lowercase();
            if !item
                .name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains(&wanted))
            {
                return false;
            }
        }
        true
    }

    /// The query of the page `skip` with the same filters.
    fn query(&self, skip: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(month) = self.month {
            query.append_pair("month", &month.to_string());
        }
        if let Some(day) = self.day {
            query.append_pair("day", &day.to_string());
        }
        if let Some(status) = &self.status {
            query.append_pair("status", status.as_str());
        }
        if let Some(provider) = &self.identity_provider {
            query.append_pair("identityProviderType", provider.as_str());
        }
        if let Some(external_id) = &self.external_id {
            query.append_pair("externalId", external_id);
        }
        if let Some(name) = &self.name {
            query.append_pair("name", name);
        }
        query.append_pair("skip", &skip.to_string());
        query.append_pair("pageSize", &self.page_size.to_string());
        query.finish()
    }
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.into_owned())
}

/// The request id of a query, if there is a non-empty one.
fn request_id_param(uri: &Uri) -> Option<String> {
    query_param(uri, "requestId").filter(|id| !id.trim().is_empty())
}

fn missing_request_id() -> Response {
    bad_request("requestId: The requestId parameter is required.")
}

/// The provider a completed session reports for `person`.
fn provider_for(person: &Person) -> types::IdentityProvider {
    match person.provider {
        "nbid" => types::IdentityProvider::NoBankidWeb,
        "sbid" => types::IdentityProvider::SweBankid,
        _ => types::IdentityProvider::UnknownValue,
    }
}

async fn token(
    State(api): State<Arc<IdfyIdentificationV1>>,
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
    if let Some(scope) = form.get("scope")
        && !scope.split(' ').any(|s| s == SCOPE)
    {
        return oauth::error(
            StatusCode::BAD_REQUEST,
            REALM,
            "invalid_scope",
            "The scope must include identify.",
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
    };
    let mut response = json_response(&body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn create_session(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(problems) => return bad_request(problems_message(&problems)),
    };
    match api.create(request) {
        Created::Session(id) => json_response(&types::CreateIdentificationResponse {
            url: Some(api.page_url(&id)),
            request_id: Some(id),
        }),
        Created::Full => too_many_sessions(),
    }
}

async fn retrieve_session(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let Some(id) = request_id_param(&uri) else {
        return missing_request_id();
    };
    let meta_data = match query_param(&uri, "metaData").as_deref() {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(_) => return bad_request("metaData: Must be true or false."),
    };
    match api.retrieve(&id, meta_data) {
        Some(result) => json_response(&result),
        None => not_found(),
    }
}

async fn session_status(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let Some(id) = request_id_param(&uri) else {
        return missing_request_id();
    };
    let done = api.state().sessions.get(&id).map(|r| !is_open(r.status()));
    match done {
        Some(done) => json_response(&types::IdentificationCompleteResponse { done: Some(done) }),
        None => not_found(),
    }
}

async fn invalidate_session(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    // The spec marks no member of this body `nullable`.
    let request: types::InvalidateIdentificationRequest = match parse_request(&body, &[]) {
        Ok(request) => request,
        Err(e) => return bad_request(format!("{}: {}", e.name, e.reason)),
    };
    let result = {
        let mut state = api.state();
        let result = match state.sessions.get_mut(&request.request_id) {
            None => None,
            // v1 lets a completed session be invalidated (unlike v2); not a failed one.
            Some(record) if !matches!(record.status(), Some(types::Status::Error)) => {
                record.result.status = Some(types::Status::Invalidated);
                api.notify(&request.request_id, record);
                Some(Ok(()))
            }
            Some(record) => Some(Err(status_name(record.status()))),
        };
        if matches!(result, Some(Ok(()))) {
            state.sync_log(&request.request_id);
        }
        result
    };
    match result {
        None => not_found(),
        Some(Ok(())) => StatusCode::OK.into_response(),
        Some(Err(status)) => error(
            StatusCode::BAD_REQUEST,
            "session_not_invalidatable",
            &format!(
                "The session is {status}; only sessions that are not completed can be invalidated."
            ),
        ),
    }
}

async fn log_entry(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let item = api.state().logs.get(&id).map(|e| e.item.clone());
    match item {
        Some(item) => json_response(&item),
        None => error(
            StatusCode::NOT_FOUND,
            "log_entry_not_found",
            "No log entry with this request id exists.",
        ),
    }
}

async fn log_filter(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    Path(year): Path<String>,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    match LogFilter::parse(&year, uri.query()) {
        Ok(filter) => json_response(&api.log_page(&filter)),
        Err(problems) => bad_request(problems_message(&problems)),
    }
}

async fn bankid_mobile(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let (request, mobile) = match validate_mobile(&body) {
        Ok(valid) => valid,
        Err(problems) => return bad_request(problems_message(&problems)),
    };
    match api.create_mobile(request, &mobile) {
        Some(answer) => json_response(&answer),
        None => too_many_sessions(),
    }
}

async fn unknown_path(State(api): State<Arc<IdfyIdentificationV1>>) -> Response {
    api.error_response(StatusCode::NOT_FOUND, "No such path in this API.")
}

async fn add_headers(response: Response) -> Response {
    with_vendor_headers(response)
}

impl Vendor for IdfyIdentificationV1 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "Idfy Identification API v1 (legacy)"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route(TOKEN_PATH, post(token))
            .route(SESSION_PATH, post(create_session).get(retrieve_session))
            .route(&format!("{SESSION_PATH}/status"), get(session_status))
            .route(
                &format!("{SESSION_PATH}/invalidate"),
                put(invalidate_session),
            )
            .route(
                &format!("{API_PATH}/identification/log/requestId/{{id}}"),
                get(log_entry),
            )
            .route(
                &format!("{API_PATH}/identification/log/filter/{{year}}"),
                get(log_filter),
            )
            .route(
                &format!("{API_PATH}/identification/no/bankid/mobile"),
                post(bankid_mobile),
            )
            .route(&format!("/{NAME}"), any(unknown_path))
            .route(&format!("/{NAME}/{{*rest}}"), any(unknown_path))
            .layer(axum::middleware::map_response(add_headers))
            .with_state(self)
    }

    fn error_response(&self, status: StatusCode, detail: &str) -> Response {
        let code = match status.as_u16() {
            404 => "not_found",
            429 => "too_many_requests",
            503 => "service_unavailable",
            _ => "error",
        };
        with_vendor_headers(error(status, code, detail))
    }

    fn webhook_format(&self) -> Option<&'static str> {
        Some("JSON; X-Idfy-Signature: hex HMAC-SHA256 of the body under the webhook's secret")
    }

    fn open(&self, session_id: &str) -> Result<PageView, ControlError> {
        let mut state = self.state();
        let record = state
            .sessions
            .get_mut(session_id)
            .ok_or_else(|| ControlError::not_found("no such session (or it expired)"))?;
        let changed = record.status() == Some(&types::Status::Created);
        if changed {
            record.result.status = Some(types::Status::Userinitiated);
            self.notify(session_id, record);
        }
        let mut details = vec![(
            "Identity provider".to_string(),
            record.identity_provider.as_ref().map_or_else(
                || "any (the end user chooses)".to_string(),
                |p| p.to_string(),
            ),
        )];
        if let Some(language) = &record.language {
            details.push(("Language".into(), language.to_string()));
        }
        if let Some(reference) = &record.external_reference {
            details.push(("External reference".into(), reference.clone()));
        }
        if let Some(person) = record.mobile_person {
            details.push(("BankID on mobile of".into(), person.to_string()));
        }
        let view = PageView {
            open: is_open(record.status()),
            status: status_name(record.status()),
            details,
        };
        if changed {
            state.sync_log(session_id);
        }
        Ok(view)
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
        if !is_open(record.status()) {
            return Err(ControlError::not_open(&status_name(record.status())));
        }
        if outcome == Outcome::Success
            && let Some(owner) = record.mobile_person
            && owner != person.id
        {
            return Err(ControlError::bad_request(format!(
                "this BankID on mobile session is for the test person `{owner}`"
            )));
        }
        let result = &mut record.result;
        result.environment_info = Some(types::EnvironmentInfo {
            user_agent: Some("idverify-sandbox".into()),
            ip_address: Some("127.0.0.1".into()),
        });
        let urls = record.return_urls.as_ref();
        let url = match outcome {
            Outcome::Success => {
                result.status = Some(types::Status::Success);
                let middle = person
                    .middle_name
                    .map(|m| format!(" {m}"))
                    .unwrap_or_default();
                result.name = Some(format!(
                    "{}, {}{middle}",
                    person.last_name, person.first_name
                ));
                result.first_name = Some(person.first_name.to_string());
                result.middle_name = person.middle_name.map(str::to_string);
                result.last_name = Some(person.last_name.to_string());
                result.date_of_birth = Some(ddmmyy(person.date_of_birth));
                result.social_security_number =
                    record.get_ssn.then(|| person.national_id.to_string());
                result.identity_provider_unique_id =
                    Some(format!("sandbox-{}-{}", person.provider, person.id));
                result.identity_provider = Some(
                    record
                        .identity_provider
                        .clone()
                        .unwrap_or_else(|| provider_for(person)),
                );
                urls.map(|u| u.success.clone())
            }
            Outcome::Abort => {
                result.status = Some(types::Status::Useraborted);
                result.identity_provider = record.identity_provider.clone();
                urls.map(|u| u.abort.clone())
            }
            Outcome::Error => {
                result.status = Some(types::Status::Error);
                result.identity_provider = record.identity_provider.clone();
                result.error = Some(types::ErrorDetails {
                    native_error_code: Some("C325".into()),
                    error_code: Some("authentication_failed".into()),
                    error_message: Some(
                        "The test person's identification failed (sandbox).".into(),
                    ),
                });
                urls.map(|u| u.error.clone())
            }
        };
        let status = status_name(result.status.as_ref());
        let redirect_url = url.map(|url| {
            substitute(
                &url,
                &status,
                session_id,
                record.external_reference.as_deref().unwrap_or(""),
            )
        });
        self.notify(session_id, record);
        state.sync_log(session_id);
        Ok(Completion {
            status,
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
            (
                "session_lifetime_seconds",
                SESSION_LIFETIME.as_secs().to_string(),
            ),
        ]
    }
}

/// Starts this API of a sandbox.
pub(crate) fn start(shared: Arc<Shared>) -> Arc<dyn Vendor> {
    Arc::new(IdfyIdentificationV1::new(shared))
}

impl crate::SandboxApi for idverify_idfy_identification_v1::Client {
    const SANDBOX_API: crate::Api = crate::Api::IdfyIdentificationV1;
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

    fn api() -> IdfyIdentificationV1 {
        IdfyIdentificationV1::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
    }

    fn request(json: serde_json::Value) -> types::CreateIdentificationRequest {
        validate_create(json.to_string().as_bytes()).expect("valid request")
    }

    fn redirect_request(reference: &str) -> types::CreateIdentificationRequest {
        request(json!({
            "IdentityProvider": "NO_BANKID_WEB",
            "GetSocialSecurityNumber": true,
            "ExternalReference": reference,
            "ReturnUrls": {
                "Success": "https://a.example/ok?id=[1]&ref=[2]",
                "Abort": "https://a.example/abort/[1]",
                "Error": "https://a.example/error?status=[0]&ref=[2]"
            }
        }))
    }

    fn create(api: &IdfyIdentificationV1, body: types::CreateIdentificationRequest) -> String {
        match api.create(body) {
            Created::Session(id) => id,
            Created::Full => panic!("full"),
        }
    }

    fn fields(problems: &[(String, String)]) -> Vec<&str> {
        problems.iter().map(|(f, _)| f.as_str()).collect()
    }

    #[test]
    fn validation_names_the_field() {
        let urls = r#""ReturnUrls":{"Success":"https://a.example/s","Abort":"https://a.example/a","Error":"https://a.example/e"}"#;
        let cases: Vec<(String, &str)> = vec![
            ("{}".into(), "ReturnUrls"),
            (r#"{"ReturnUrls":{"Success":"https://a.example/s","Abort":"https://a.example/a"}}"#.into(), "ReturnUrls.Error"),
            (r#"{"ReturnUrls":{"Success":"javascript:x","Abort":"https://a.example/a","Error":"https://a.example/e"}}"#.into(), "ReturnUrls.Success"),
            (format!(r#"{{{urls},"IdentityProvider":"DE_EID"}}"#), "IdentityProvider"),
            (format!(r#"{{{urls},"IdentityProvider":"UNKNOWN"}}"#), "IdentityProvider"),
            (format!(r#"{{{urls},"Language":"DE"}}"#), "Language"),
            (format!(r#"{{{urls},"GetSocialSecurityNumber":"yes"}}"#), "GetSocialSecurityNumber"),
            (r#"{"iFrame":{"WebMessaging":true}}"#.into(), "iFrame.Domain"),
            (r#"{"iFrame":{"Domain":" "}}"#.into(), "iFrame.Domain"),
            ("[1]".into(), "body"),
            ("{".into(), "body"),
        ];
        for (body, field) in &cases {
            let problems = validate_create(body.as_bytes()).expect_err(body);
            assert_eq!(fields(&problems), vec![*field], "{body}");
            assert!(!problems[0].1.is_empty());
        }
        // An iframe session needs no return URLs; unknown fields are ignored.
        let ok = request(json!({"iFrame": {"Domain": "shop.example"}, "Other": 1}));
        assert!(ok.return_urls.is_none());
        assert_eq!(
            problems_message(&[("A".into(), "x.".into()), ("B".into(), "y.".into())]),
            "A: x.; B: y."
        );

        let mobile = |body: serde_json::Value| validate_mobile(body.to_string().as_bytes());
        assert_eq!(
            fields(&mobile(json!({"DateOfBirth": "010180"})).unwrap_err()),
            vec!["MobileNumber"]
        );
        assert_eq!(
            fields(&mobile(json!({"MobileNumber": "123", "DateOfBirth": "321380"})).unwrap_err()),
            vec!["MobileNumber", "DateOfBirth"]
        );
        let (_, number) =
            mobile(json!({"MobileNumber": "+47 0000 0001", "DateOfBirth": "010180"})).unwrap();
        assert_eq!(number, "00000001");
    }

    #[test]
    fn placeholders_are_substituted_and_encoded() {
        assert_eq!(
            substitute(
                "https://a.example/r?s=[0]&id=[1]&ref=[2]",
                "SUCCESS",
                "abc",
                "order 42/&x"
            ),
            "https://a.example/r?s=SUCCESS&id=abc&ref=order%2042%2F%26x"
        );
        assert_eq!(
            substitute("https://a.example/[2]", "ERROR", "i", ""),
            "https://a.example/"
        );
        assert_eq!(ddmmyy("1990-12-24"), "241290");
        assert_eq!(ddmmyy("2001-03-31"), "310301");
        assert!(is_ddmmyy("010740") && !is_ddmmyy("000740") && !is_ddmmyy("01074"));
        assert_eq!(
            norwegian_mobile("0047 99887766").as_deref(),
            Some("99887766")
        );
        assert_eq!(norwegian_mobile("+46700000003"), None);
    }

    #[test]
    fn lifecycle_created_userinitiated_then_completed_once() {
        let api = api();
        let id = create(&api, redirect_request("order-1"));
        let stored = api.retrieve(&id, false).unwrap();
        assert_eq!(stored.status, Some(types::Status::Created));
        assert_eq!(stored.request_id.as_deref(), Some(id.as_str()));
        assert_eq!(stored.name, None);

        // The same open reference gives the same session.
        assert_eq!(create(&api, redirect_request("order-1")), id);

        let page = api.open(&id).unwrap();
        assert!(page.open);
        assert_eq!(page.status, "USERINITIATED");

        let kari = persons::find("kari").unwrap();
        let done = api.complete(&id, kari, Outcome::Success).unwrap();
        assert_eq!(done.status, "SUCCESS");
        assert_eq!(
            done.redirect_url.as_deref(),
            Some(format!("https://a.example/ok?id={id}&ref=order-1").as_str())
        );
        let result = api.retrieve(&id, true).unwrap();
        assert_eq!(result.name.as_deref(), Some("Nordkvinne, Kari Fiktiv"));
        assert_eq!(result.date_of_birth.as_deref(), Some("241290"));
        assert_eq!(
            result.social_security_number.as_deref(),
            Some(kari.national_id)
        );
        assert_eq!(
            result.identity_provider,
            Some(types::IdentityProvider::NoBankidWeb)
        );
        assert_eq!(result.meta_data, Some(BTreeMap::new()));
        assert_eq!(api.retrieve(&id, false).unwrap().meta_data, None);

        let again = api.complete(&id, kari, Outcome::Abort).unwrap_err();
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(!api.open(&id).unwrap().open);
        assert_eq!(api.open("nope").unwrap_err().status, StatusCode::NOT_FOUND);

        // Completed: a new session for the same reference.
        assert_ne!(create(&api, redirect_request("order-1")), id);

        let log = &api.state().logs[&id].item;
        assert_eq!(log.name.as_deref(), Some("Kari Fiktiv Nordkvinne"));
        assert_eq!(log.status, Some(types::Status::Success));
        assert_eq!(log.social_security_number, Some(true));
        assert_eq!(log.externalid.as_deref(), Some("order-1"));
    }

    #[test]
    fn abort_error_and_bankid_on_mobile() {
        let api = api();
        let a = create(&api, redirect_request("a"));
        let b = create(&api, redirect_request("b"));
        let sven = persons::find("sven").unwrap();
        let done = api.complete(&a, sven, Outcome::Abort).unwrap();
        assert_eq!(done.status, "USERABORTED");
        assert_eq!(
            done.redirect_url,
            Some(format!("https://a.example/abort/{a}"))
        );
        let done = api.complete(&b, sven, Outcome::Error).unwrap();
        assert_eq!(
            done.redirect_url.as_deref(),
            Some("https://a.example/error?status=ERROR&ref=b")
        );
        let failed = api.retrieve(&b, false).unwrap();
        assert_eq!(failed.name, None);
        assert_eq!(
            failed.error.unwrap().error_code.as_deref(),
            Some("authentication_failed")
        );

        let ola = persons::find("ola").unwrap();
        let start = |number: &str, dob: &str| {
            let (request, mobile) = validate_mobile(
                json!({"MobileNumber": number, "DateOfBirth": dob, "GetSocialSecurityNumber": false})
                    .to_string()
                    .as_bytes(),
            )
            .unwrap();
            api.create_mobile(request, &mobile).unwrap()
        };
        let refused = start("99887766", "071283");
        assert_eq!(refused.ok, Some(false));
        assert_eq!(refused.invalid_mobile_number_or_date_of_birth, Some(true));
        assert_eq!(refused.request_id, None);
        let started = start("00000001", "010180");
        assert_eq!(started.ok, Some(true));
        assert!(started.merchant_ref.is_some());
        let id = started.request_id.unwrap();
        let kari = persons::find("kari").unwrap();
        assert_eq!(
            api.complete(&id, kari, Outcome::Success)
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
        let done = api.complete(&id, ola, Outcome::Success).unwrap();
        assert_eq!((done.status.as_str(), done.redirect_url), ("SUCCESS", None));
        let result = api.retrieve(&id, false).unwrap();
        assert_eq!(
            result.identity_provider,
            Some(types::IdentityProvider::NoBankidMobile)
        );
        assert_eq!(result.social_security_number, None, "not asked for");
        assert_eq!(result.date_of_birth.as_deref(), Some("010180"));
    }

    #[test]
    fn sessions_time_out_on_the_clock_and_are_pruned() {
        let api = api();
        let id = create(&api, redirect_request("t"));
        api.shared.clock.advance(Duration::from_secs(599));
        assert!(api.open(&id).unwrap().open);
        api.shared.clock.advance(Duration::from_secs(2));
        let page = api.open(&id).unwrap();
        assert!(!page.open);
        assert_eq!(page.status, "TIMEOUT");
        let ola = persons::find("ola").unwrap();
        assert_eq!(
            api.complete(&id, ola, Outcome::Success).unwrap_err().status,
            StatusCode::CONFLICT
        );
        let result = api.retrieve(&id, false).unwrap();
        assert_eq!(result.error.unwrap().error_code.as_deref(), Some("TIMEOUT"));
        assert_eq!(
            api.state().logs[&id].item.errorcode.as_deref(),
            Some("TIMEOUT")
        );

        // One hour after expiry the session is gone; the log entry stays.
        let later = create(&api, redirect_request("later"));
        api.shared.clock.advance(RETENTION);
        assert!(api.retrieve(&id, false).is_none());
        assert!(api.state().logs.contains_key(&id));
        assert!(api.state().sessions.contains_key(&later));
        api.shared.clock.advance(SESSION_LIFETIME);
        assert!(api.state().sessions.is_empty(), "memory stays bounded");
        api.shared.clock.advance(LOG_RETENTION);
        assert!(api.state().logs.is_empty(), "old log entries go too");
    }

    #[test]
    fn log_filter_pages_and_filters() {
        let api = api();
        let ola = persons::find("ola").unwrap();
        let mut ids = Vec::new();
        for i in 0..5 {
            let id = create(&api, redirect_request(&format!("r{i}")));
            api.complete(
                &id,
                ola,
                if i == 4 {
                    Outcome::Error
                } else {
                    Outcome::Success
                },
            )
            .unwrap();
            ids.push(id);
        }
        // Open sessions are not listed.
        create(&api, redirect_request("open"));
        let year = &timestamp(api.now())[0..4];
        let parse = |query: &str| LogFilter::parse(year, Some(query)).unwrap();
        let page = api.log_page(&parse("pageSize=2&status=SUCCESS"));
        assert_eq!(page.total_links, Some(2));
        let list = page.list.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id.as_deref(), Some(ids[0].as_str()));
        let next = page.next_link.unwrap();
        assert_eq!(
            next,
            format!(
                "http://127.0.0.1:1/idfy-identification-v1/identification/log/filter/{year}?status=SUCCESS&skip=1&pageSize=2"
            )
        );
        let last = api.log_page(&parse("pageSize=2&status=SUCCESS&skip=1"));
        assert_eq!(last.next_link, None);
        assert_eq!(last.list.unwrap()[1].id.as_deref(), Some(ids[3].as_str()));
        let by_ref = api.log_page(&parse("externalId=r4")).list.unwrap();
        assert_eq!(by_ref.len(), 1);
        assert_eq!(
            by_ref[0].errorcode.as_deref(),
            Some("authentication_failed")
        );
        assert_eq!(
            api.log_page(&parse("name=ola%20TEST")).list.unwrap().len(),
            4
        );
        assert_eq!(
            api.log_page(&parse("identityProviderType=SWE_BANKID"))
                .list
                .unwrap()
                .len(),
            0
        );
        assert_eq!(api.log_page(&parse("month=0&day=0")).list.unwrap().len(), 5);
        let other_year = LogFilter::parse("2001", None).unwrap();
        assert_eq!(api.log_page(&other_year).list.unwrap().len(), 0);

        for (year, query, field) in [
            ("x", "", "year"),
            ("2024", "month=13", "month"),
            ("2024", "day=x", "day"),
            ("2024", "status=DONE", "status"),
            ("2024", "identityProviderType=X", "identityProviderType"),
            ("2024", "skip=-1", "skip"),
            ("2024", "pageSize=1001", "pageSize"),
            ("2024", "pageSize=0", "pageSize"),
        ] {
            let problems = LogFilter::parse(year, Some(query)).unwrap_err();
            assert_eq!(fields(&problems), vec![field], "{query}");
        }
    }
}
