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
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bytes::Bytes;
use idverify_idfy_identification_v1::{spec_facts, types};

use crate::Shared;
use crate::clock::rfc3339;
use crate::kit::oauth::{self, Issuer, Scope, TokenEndpoint};
use crate::persons::{PERSONS, Person};
use crate::signing;
use crate::kit::http::json_response;
use crate::kit::ids::random_hex;
use crate::kit::store::{Prune, SessionStore, VendorState, after};
use crate::kit::strict_json::parse_request;
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};
use crate::webhooks::{Event, Message};

mod errors;
mod logs;
mod routes;
mod store;
mod validate;
mod values;
#[cfg(test)]
mod tests;

use errors::*;
use logs::*;
use store::*;
use validate::*;
use values::*;

/// Name and path prefix.
pub const NAME: &str = super::Api::IdfyIdentificationV1.name();

/// The API's base path (append to the sandbox's base URL; the client adds
/// `/identification/...`).
pub const API_PATH: &str = "/idfy-identification-v1";

/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/idfy-identification-v1/oauth/connect/token";

/// The token endpoint: the test client; a scope, when asked for, includes `identify`.
const TOKENS: TokenEndpoint<()> = TokenEndpoint {
    realm: NAME,
    lifetime: TOKEN_LIFETIME,
    client: |id, secret| (id == CLIENT_ID && secret == CLIENT_SECRET).then_some(()),
    scope: Scope::Includes(SCOPE),
    cap: MAX_SESSIONS,
};

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
/// name and shape (the spec's `WebhookNotification`: `id`, `event`, `created`,
/// `account`, `data` with `RequestId`, `ExternalReference`, `Status`) are assumed.
pub const WEBHOOK_EVENT: &str = "identification_session_status_changed";

const SESSION_PATH: &str = "/idfy-identification-v1/identification/session";

/// The Idfy Identification API v1 of a sandbox.
pub(crate) struct IdfyIdentificationV1 {
    shared: Arc<Shared>,
    state: VendorState<Store>,
    tokens: Arc<Issuer<()>>,
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
            state: VendorState::new(shared.clock.clone(), Store::default()),
            tokens: Arc::new(Issuer::new(TOKENS, shared.clock.clone())),
            shared,
        }
    }

    /// Emits [`WEBHOOK_EVENT`] with the session's new status, signed with each
    /// webhook's secret when it has one.
    fn notify(&self, request_id: &str, record: &Record) {
        let webhooks = &self.shared.webhooks;
        if !webhooks.wanted(NAME) {
            return;
        }
        let created = rfc3339(self.state.now());
        let data = types::WebhookNotificationData {
            request_id: Some(request_id.to_string()),
            external_reference: record.external_reference.clone(),
            status: Some(
                record
                    .status()
                    .cloned()
                    .unwrap_or(types::Status::UnknownValue),
            ),
        };
        let event = Event {
            api: NAME,
            name: WEBHOOK_EVENT.into(),
            session_id: request_id.into(),
            environment: None,
        };
        webhooks.emit(
            event,
            Arc::new(move |subscription, attempt| {
                let body = types::WebhookNotification {
                    id: attempt.event_id.to_string(),
                    event: WEBHOOK_EVENT.into(),
                    created: Some(created.clone()),
                    account: Some(ACCOUNT_ID.into()),
                    data: data.clone(),
                };
                let body = serde_json::to_string(&body).unwrap_or_default();
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

    /// A 401 unless `headers` carry a valid, unexpired bearer token.
    fn unauthorized(&self, headers: &HeaderMap) -> Option<Response> {
        let detail = self.tokens.check(headers).err()?;
        Some(oauth::challenge(error(StatusCode::UNAUTHORIZED, "unauthorized", detail)))
    }

    fn page_url(&self, id: &str) -> String {
        format!("{}/_sandbox/ui/{NAME}/{id}", self.shared.base_url)
    }

    fn new_record(&self) -> Record {
        let now = self.state.now();
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
        }
    }

    /// Creates a session from a validated request.
    fn create(&self, request: types::CreateIdentificationRequest) -> Created {
        let mut state = self.state.lock();
        if let Some(reference) = &request.external_reference
            && let Some(id) = state.open_with_reference(reference)
        {
            return Created::Session(id);
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
        let mut state = self.state.lock();
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
        let state = self.state.lock();
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
        let state = self.state.lock();
        let entries: Vec<&LogEntry> = state
            .logs
            .in_creation_order(None)
            .map(|(_, _, entry)| entry)
            .filter(|e| filter.matches(&e.item))
            .collect();
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

/// Starts this API of a sandbox.
pub(crate) fn start(shared: Arc<Shared>) -> Arc<dyn Vendor> {
    Arc::new(IdfyIdentificationV1::new(shared))
}

impl crate::SandboxApi for idverify_idfy_identification_v1::Client {
    const SANDBOX_API: crate::Api = crate::Api::IdfyIdentificationV1;
    const API_PATH: &'static str = API_PATH;
    const TOKEN_PATH: &'static str = TOKEN_PATH;
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient {
        environment: "production",
        id: CLIENT_ID,
        secret: CLIENT_SECRET,
    };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[];
}
