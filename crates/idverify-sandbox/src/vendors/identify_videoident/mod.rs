//! Identify VideoIdent API 1.0.3, under `/identify-videoident/` (the real base is
//! `https://api.identify24.de`).
//!
//! - `POST /identify-videoident/auth` with `{"PARTNER", "APIKEY"}` for [`PARTNER`] /
//!   [`API_KEY`] answers `{result: true, response_status: 200, token, messages}`. The
//!   token is a JWT (HS256, signed with a key drawn at random for each sandbox). Every
//!   other call needs `X-API-PARTNER` (the partner) and `X-API-TOKEN` (the JWT); a token
//!   not used for [`TOKEN_IDLE`] (30 minutes) of sandbox time is invalid, and every
//!   accepted call starts its idle time again. A missing, wrong or idle token, or a
//!   partner header that is not the token's partner, answers 401; a wrong API key at
//!   login answers 401 too.
//! - With the generated crate's types as bodies: `POST ident/create`,
//!   `POST ident/setOnboardifyAppointment`, `GET ident/get/{ident_id}`,
//!   `GET ident/getIdentData/{ident_id}`, `GET project/getAll`, `GET project/get` (a GET
//!   with the JSON body `{"project_id": 6}`), `GET webhook/getAll` (a fixed list), and
//!   `GET download/{customer_id}/{file}` for the files `getIdentData` lists (same
//!   headers as every call).
//!
//! Every answer is the envelope `{result, messages, data, response_status}` (create,
//! appointment and login put their fields at the top level instead of `data`, as the
//! vendor documents); errors are `{result: false, messages: [...], response_status}`. A
//! refused body answers 400 with one message per problem, each starting with the field
//! (`birthday: Must be a date as YYYY-MM-DD.`); the spec marks no member of a request
//! body `nullable`, so `null` is refused everywhere. Unknown idents answer 404.
//!
//! Projects: `6` (active) and `7` (inactive); idents can only be created in an active
//! project. Language: an unset or unknown language is `de`, as documented.
//!
//! Lifecycle. The documentation names one status only (`Successful`, code `"5"`); the
//! other codes are the sandbox's assumptions: `"1"` `Created` → (the end user opens the
//! conference page) `"2"` `In progress` → `"5"` `Successful`, `"3"` `Aborted` or
//! `"4"` `Failed`. An appointment can be set while the ident is open (402 otherwise);
//! `getIdentData` answers 402 unless the ident is `Successful` (also an assumption).
//! After success the ident holds the test person's name, birthday, gender, address,
//! nationality and ID document, merged with the create request (e-mail, mobile number,
//! project, custom fields, birthplace stay as sent). An ident lives [`IDENT_LIFETIME`]
//! (90 days) of sandbox time, then it is removed and answers 404. Dates are written as
//! the vendor does: `created_at` and file dates `DD-MM-YYYY HH:MM:SS`, ID document dates
//! `DD-MM-YYYY`, the appointment as sent.
//!
//! The conference URL is `/_sandbox/ui/identify-videoident/{ident_id}`. The create
//! request has no return URL, so after the page the sandbox shows its "done" page; the
//! partner reads the status with `ident/get`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use idverify_identify_videoident::{spec_facts, types};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Shared;
use crate::clock::{rfc3339, unix_seconds};
use crate::persons::Person;
use crate::kit::ids::{random_hex, random_uuid};
use crate::kit::store::{Prune, SessionStore, VendorState, after};
use crate::kit::strict_json::parse_request;
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};
use crate::webhooks::{Event, Message};

mod errors;
mod routes;
mod store;
mod validate;
mod view;
#[cfg(test)]
mod tests;

use errors::*;
use store::*;
use validate::*;
use view::*;

/// Name and path prefix.
pub const NAME: &str = super::Api::IdentifyVideoident.name();

/// The API's base path (append to the sandbox's base URL; the client adds
/// `/ident/create` etc.).
pub const API_PATH: &str = "/identify-videoident";

/// The partner login's path.
pub const LOGIN_PATH: &str = "/identify-videoident/auth";

/// The test partner and its API key.
pub const PARTNER: &str = "sandbox-partner";

pub const API_KEY: &str = "sandbox-api-key";

/// A token not used for this long (sandbox time) is invalid.
pub const TOKEN_IDLE: Duration = Duration::from_secs(30 * 60);

/// How long an ident is kept (sandbox time), as documented.
pub const IDENT_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);

/// At most this many idents (and as many tokens) are kept.
pub const MAX_IDENTS: usize = 10_000;

/// The partner's projects: (id, title, status).
pub const PROJECTS: &[(&str, &str, &str)] = &[
    ("6", "Sandbox project", "Active"),
    ("7", "Sandbox project (inactive)", "Inactive"),
];

type HmacSha256 = Hmac<Sha256>;

/// The Identify VideoIdent API of a sandbox.
pub(crate) struct IdentifyVideoident {
    shared: Arc<Shared>,
    /// The JWT signing key, random for each sandbox.
    key: Vec<u8>,
    state: VendorState<Store>,
}

/// Why a call was refused: status and messages.
type Refusal = (StatusCode, Vec<String>);

impl IdentifyVideoident {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            key: random_hex(32).into_bytes(),
            state: VendorState::new(shared.clock.clone(), Store::default()),
            shared,
        }
    }

    /// Posts the ident's new status to the webhooks as Identify's `WebhookPayload`
    /// (plain JSON, no signature: Identify documents none). The event name is the new
    /// status code (`"2"`, `"5"`, ...).
    fn notify(&self, id: &str, record: &Record) {
        let webhooks = &self.shared.webhooks;
        if !webhooks.wanted(NAME) {
            return;
        }
        let ident = ident_view(id, record);
        let payload = types::WebhookPayload {
            ident_id: Some(id.to_string()),
            status: ident.status,
            status_code: ident.status_code.clone(),
            project_id: ident.project_id,
            custom_id: ident.custom_id,
            company_name: ident.company_name,
            first_name: ident.person_first_name,
            last_name: ident.person_last_name,
            custom1: ident.custom1,
            custom2: ident.custom2,
            custom3: ident.custom3,
            custom4: ident.custom4,
        };
        let body = bytes::Bytes::from(serde_json::to_vec(&payload).unwrap_or_default());
        let event = Event {
            api: NAME,
            name: ident.status_code.unwrap_or_default(),
            session_id: id.to_string(),
            environment: None,
        };
        webhooks.emit(
            event,
            Arc::new(move |_, _| Message {
                content_type: "application/json",
                body: body.clone(),
                headers: Vec::new(),
            }),
        );
    }

    fn page_url(&self, id: &str) -> String {
        format!("{}/_sandbox/ui/{NAME}/{id}", self.shared.base_url)
    }

    fn sign(&self, input: &str) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.key).ok()?;
        mac.update(input.as_bytes());
        Some(mac)
    }

    /// Logs the partner in: a new JWT, or why not.
    fn login(&self, body: &[u8]) -> Result<String, Refusal> {
        // The login is not an operation of the spec (the runtime performs it): no
        // member is nullable.
        let request: types::PartnerLoginRequest = parse_request(body, &[]).map_err(|e| {
            (
                StatusCode::BAD_REQUEST,
                vec![field_message(&e.name, &e.reason)],
            )
        })?;
        if request.partner != PARTNER || request.apikey != API_KEY {
            return Err((
                StatusCode::UNAUTHORIZED,
                vec!["Invalid partner or API key.".into()],
            ));
        }
        let now = self.state.now();
        let jti = random_uuid();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = json!({
            "iss": "idverify-sandbox",
            "sub": PARTNER,
            "iat": unix_seconds(now),
            "jti": jti,
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{header}.{payload}");
        let signature = self
            .sign(&input)
            .map(|mac| URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
            .ok_or_else(|| {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    vec!["Cannot sign.".to_string()],
                )
            })?;
        // When full, the token idle the longest goes.
        self.state.lock()
            .tokens
            .insert_evicting(jti, (), after(now, TOKEN_IDLE));
        Ok(format!("{input}.{signature}"))
    }

    /// The token's id when `token` is a JWT this sandbox signed for `partner`.
    fn verify(&self, token: &str, partner: &str) -> Option<String> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.sign(&format!("{header}.{payload}"))?
            .verify_slice(&signature)
            .ok()?;
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        if claims["sub"].as_str() != Some(partner) {
            return None;
        }
        claims["jti"].as_str().map(str::to_string)
    }

    /// A 401 envelope unless `X-API-PARTNER` and `X-API-TOKEN` are valid; an accepted
    /// token's idle time starts again.
    fn unauthorized(&self, headers: &HeaderMap) -> Option<Response> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let (Some(partner), Some(token)) = (text("x-api-partner"), text("x-api-token")) else {
            return Some(envelope_error(
                StatusCode::UNAUTHORIZED,
                vec!["The X-API-PARTNER and X-API-TOKEN headers are required.".into()],
            ));
        };
        if let Some(jti) = self.verify(token.trim(), partner.trim()) {
            let now = self.state.now();
            let mut state = self.state.lock();
            if state.tokens.contains_key(&jti) {
                state.tokens.set_removal(&jti, after(now, TOKEN_IDLE));
                return None;
            }
        }
        Some(envelope_error(
            StatusCode::UNAUTHORIZED,
            vec!["Unauthorized: the token is invalid or expired; authenticate again.".into()],
        ))
    }

    /// Creates an ident from a validated request: its id, or `None` when full.
    fn create(&self, request: types::CreateIdentRequest) -> Option<String> {
        let now = self.state.now();
        let mut state = self.state.lock();
        if state.idents.is_full() {
            return None;
        }
        let id = random_uuid();
        let customer_id = state.next_customer.to_string();
        state.next_customer += 1;
        let record = Record {
            request,
            state: IdentState::Created,
            person: None,
            customer_id,
            appointment: None,
            created_at: now,
            completed_at: None,
        };
        state.insert(id.clone(), record);
        Some(id)
    }

    fn ident(&self, id: &str) -> Option<types::Ident> {
        self.state.lock().idents.get(id).map(|r| ident_view(id, r))
    }

    fn ident_data(&self, id: &str) -> Result<types::IdentData, Refusal> {
        let state = self.state.lock();
        let record = state.idents.get(id).ok_or_else(not_found_refusal)?;
        if record.state != IdentState::Successful {
            return Err((
                StatusCode::PAYMENT_REQUIRED,
                vec![format!(
                    "Request failed: the ident is {}; its data is available once it is Successful.",
                    record.state.code_and_text().1
                )],
            ));
        }
        let base = format!(
            "{}{API_PATH}/download/{}",
            self.shared.base_url, record.customer_id
        );
        let date = vendor_datetime(record.completed_at.unwrap_or(record.created_at));
        let file = |name: &str| {
            let content = file_content(id, record, name).unwrap_or_default();
            types::IdentFile {
                download_url: Some(format!("{base}/{name}")),
                file_date: Some(date.clone().into()),
                file_hash: name
                    .ends_with(".pdf")
                    .then(|| hex(&Sha256::digest(&content))),
                file_name: Some(name.to_string()),
                file_size: Some(file_size(content.len())),
            }
        };
        let screenshot = |name: &str| {
            let file = file(name);
            types::Screenshot {
                download_link: file.download_url,
                file_date: file.file_date,
                file_hash: None,
                file_name: file.file_name,
                file_size: file.file_size,
            }
        };
        Ok(types::IdentData {
            ident: ident_view(id, record),
            identification_pdf: Some(file("identification.pdf")),
            signed_pdf: has_pdf_to_sign(&record.request).then(|| file("signed.pdf")),
            recordings: Some(vec![file("recording-1.webm")]),
            screenshots: Some(vec![
                screenshot("screenshot-1.png"),
                screenshot("screenshot-2.png"),
            ]),
        })
    }

    fn set_appointment(&self, request: &types::SetAppointmentRequest) -> Result<String, Refusal> {
        let mut state = self.state.lock();
        let insert_id = state.next_insert;
        let record = state
            .idents
            .get_mut(&request.ident_id)
            .ok_or_else(not_found_refusal)?;
        if !record.state.is_open() {
            return Err((
                StatusCode::PAYMENT_REQUIRED,
                vec![format!(
                    "Request failed: the ident is {}; only open idents get an appointment.",
                    record.state.code_and_text().1
                )],
            ));
        }
        record.appointment = Some(request.termin_date.to_string());
        state.next_insert += 1;
        Ok(insert_id.to_string())
    }

    /// A downloadable file: (content type, bytes).
    fn download(&self, customer_id: &str, name: &str) -> Option<(&'static str, Vec<u8>)> {
        let state = self.state.lock();
        let id = state.by_customer.get(customer_id)?;
        let record = state
            .idents
            .get(id)
            .filter(|r| r.state == IdentState::Successful)?;
        let content = file_content(id, record, name)?;
        let kind = match name.rsplit('.').next() {
            Some("pdf") => "application/pdf",
            Some("webm") => "video/webm",
            _ => "image/png",
        };
        Some((kind, content))
    }
}

/// Starts this API of a sandbox.
pub(crate) fn start(shared: Arc<Shared>) -> Arc<dyn Vendor> {
    Arc::new(IdentifyVideoident::new(shared))
}

impl crate::SandboxApi for idverify_identify_videoident::Client {
    const SANDBOX_API: crate::Api = crate::Api::IdentifyVideoident;
    const API_PATH: &'static str = API_PATH;
    const TOKEN_PATH: &'static str = LOGIN_PATH;
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient {
        environment: "production",
        id: PARTNER,
        secret: API_KEY,
    };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[];

    /// Identify's partner login: the partner name and its API key.
    fn credentials(partner: &str, api_key: &str) -> idverify_runtime::Credentials {
        idverify_runtime::Credentials::partner(partner, api_key)
    }
}
