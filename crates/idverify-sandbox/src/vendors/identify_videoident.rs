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
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use idverify_identify_videoident::types;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Shared;
use crate::clock::{rfc3339, unix_seconds};
use crate::persons::Person;
use crate::kit::{ids::{random_hex, random_uuid}, store::PruneGate, strict_json::parse_request};
use crate::vendor::{Completion, ControlError, Outcome, PageView, Vendor};
use crate::webhooks::{Event, Message};

/// Name and path prefix.
pub const NAME: &str = "identify-videoident";
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

/// An ident's state; only `Successful` / `"5"` is documented, the rest are assumptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentState {
    Created,
    InProgress,
    Aborted,
    Failed,
    Successful,
}

impl IdentState {
    /// (`status_code`, `status`).
    pub fn code_and_text(self) -> (&'static str, &'static str) {
        match self {
            Self::Created => ("1", "Created"),
            Self::InProgress => ("2", "In progress"),
            Self::Aborted => ("3", "Aborted"),
            Self::Failed => ("4", "Failed"),
            Self::Successful => ("5", "Successful"),
        }
    }

    fn is_open(self) -> bool {
        matches!(self, Self::Created | Self::InProgress)
    }
}

/// The sandbox's copy of one ident.
struct Record {
    request: types::CreateIdentRequest,
    state: IdentState,
    /// The test person once successful.
    person: Option<&'static Person>,
    customer_id: String,
    appointment: Option<String>,
    created_at: SystemTime,
    completed_at: Option<SystemTime>,
}

#[derive(Default)]
struct Store {
    prune_gate: PruneGate,
    idents: HashMap<String, Record>,
    /// Token id (`jti`) → when it was last used.
    tokens: HashMap<String, SystemTime>,
    next_customer: u64,
    next_insert: u64,
}

impl Store {
    fn prune(&mut self, now: SystemTime) {
        self.tokens.retain(|_, used| {
            used.checked_add(TOKEN_IDLE)
                .is_none_or(|idle_out| idle_out > now)
        });
        self.idents.retain(|_, record| {
            record
                .created_at
                .checked_add(IDENT_LIFETIME)
                .is_none_or(|gone| gone > now)
        });
    }
}

/// The Identify VideoIdent API of a sandbox.
pub(crate) struct IdentifyVideoident {
    shared: Arc<Shared>,
    /// The JWT signing key, random for each sandbox.
    key: Vec<u8>,
    state: Mutex<Store>,
}

/// Why a call was refused: status and messages.
type Refusal = (StatusCode, Vec<String>);

impl IdentifyVideoident {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            key: random_hex(32).into_bytes(),
            state: Mutex::new(Store {
                next_customer: 29_000,
                next_insert: 1,
                ..Store::default()
            }),
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
        let now = self.now();
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
        let mut state = self.state();
        if state.tokens.len() >= MAX_IDENTS
            && let Some(oldest) = state
                .tokens
                .iter()
                .min_by_key(|(_, used)| **used)
                .map(|(jti, _)| jti.clone())
        {
            state.tokens.remove(&oldest);
        }
        state.tokens.insert(jti, now);
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
            let now = self.now();
            let mut state = self.state();
            if let Some(used) = state.tokens.get_mut(&jti) {
                *used = now;
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
        let now = self.now();
        let mut state = self.state();
        if state.idents.len() >= MAX_IDENTS {
            return None;
        }
        let id = random_uuid();
        let customer_id = state.next_customer.to_string();
        state.next_customer += 1;
        state.idents.insert(
            id.clone(),
            Record {
                request,
                state: IdentState::Created,
                person: None,
                customer_id,
                appointment: None,
                created_at: now,
                completed_at: None,
            },
        );
        Some(id)
    }

    fn ident(&self, id: &str) -> Option<types::Ident> {
        self.state().idents.get(id).map(|r| ident_view(id, r))
    }

    fn ident_data(&self, id: &str) -> Result<types::IdentData, Refusal> {
        let state = self.state();
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
        let mut state = self.state();
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
        let state = self.state();
        let (id, record) = state
            .idents
            .iter()
            .find(|(_, r)| r.customer_id == customer_id && r.state == IdentState::Successful)?;
        let content = file_content(id, record, name)?;
        let kind = match name.rsplit('.').next() {
            Some("pdf") => "application/pdf",
            Some("webm") => "video/webm",
            _ => "image/png",
        };
        Some((kind, content))
    }
}

fn has_pdf_to_sign(request: &types::CreateIdentRequest) -> bool {
    request.pdf_url.is_some() || request.pdf_content.is_some()
}

/// The bytes of a file of a successful ident (fictional placeholders).
fn file_content(id: &str, record: &Record, name: &str) -> Option<Vec<u8>> {
    let known = matches!(
        name,
        "identification.pdf" | "recording-1.webm" | "screenshot-1.png" | "screenshot-2.png"
    ) || (name == "signed.pdf" && has_pdf_to_sign(&record.request));
    let person = record.person?;
    known.then(|| {
        format!(
            "idverify sandbox: fictional {name} of ident {id}, test person {}\n",
            person.id
        )
        .into_bytes()
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The vendor's size text, e.g. `1.42 MB` (at least `0.01 MB`).
fn file_size(bytes: usize) -> String {
    let mb = (bytes as f64 / (1024.0 * 1024.0)).max(0.01);
    format!("{mb:.2} MB")
}

/// `DD-MM-YYYY HH:MM:SS` (UTC), as the vendor writes `created_at`.
pub fn vendor_datetime(time: SystemTime) -> String {
    let iso = rfc3339(time);
    format!(
        "{}-{}-{} {}",
        &iso[8..10],
        &iso[5..7],
        &iso[0..4],
        &iso[11..19]
    )
}

/// `YYYY-MM-DD` → `DD-MM-YYYY` (other text unchanged).
fn ddmmyyyy(date: &str) -> String {
    if is_iso_date(date) {
        format!("{}-{}-{}", &date[8..10], &date[5..7], &date[0..4])
    } else {
        date.to_string()
    }
}

fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |r: std::ops::Range<usize>| {
        text.get(r.clone())
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|s| s.parse::<u32>().ok())
    };
    matches!(
        (number(0..4), number(5..7), number(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

/// `YYYY-MM-DDThh:mm[:ss]` followed by `Z` or `±hh:mm`.
fn is_appointment_date(text: &str) -> bool {
    // The format is ASCII, and the slices below are at byte offsets, which in other
    // text may fall inside a character.
    if !text.is_ascii() {
        return false;
    }
    let Some((date, rest)) = text.split_once('T') else {
        return false;
    };
    if !is_iso_date(date) || rest.len() < 5 {
        return false;
    }
    let clock = |s: &str| {
        let b = s.as_bytes();
        b.len() == 5
            && b[2] == b':'
            && s[0..2].parse::<u32>().is_ok_and(|h| h < 24)
            && s[3..5].parse::<u32>().is_ok_and(|m| m < 60)
    };
    let (time, zone) = rest.split_at(5);
    let zone = match zone.strip_prefix(':') {
        Some(with_seconds) if with_seconds.len() >= 2 => {
            if !with_seconds[..2].parse::<u32>().is_ok_and(|s| s < 60) {
                return false;
            }
            &with_seconds[2..]
        }
        Some(_) => return false,
        None => zone,
    };
    clock(time)
        && (zone == "Z" || ((zone.starts_with('+') || zone.starts_with('-')) && clock(&zone[1..])))
}

/// ISO 3166 alpha-3 → alpha-2 for the test persons' countries.
fn alpha2(country: &str) -> String {
    match country {
        "NOR" => "NO",
        "SWE" => "SE",
        "NLD" => "NL",
        "DNK" => "DK",
        "FIN" => "FI",
        "DEU" => "DE",
        other => return other.chars().take(2).collect(),
    }
    .to_string()
}

/// The ident as `ident/get` shows it. Unset text fields are empty strings, as at the
/// vendor.
fn ident_view(id: &str, record: &Record) -> types::Ident {
    let request = &record.request;
    let text = |value: &Option<String>| Some(value.clone().unwrap_or_default());
    let given = |value: &str| Some(value.to_string());
    let (code, status) = record.state.code_and_text();
    let mut ident: types::Ident = types::builder::Ident::default()
        .id(id)
        .try_into()
        .unwrap_or_else(|_| unreachable!("only `id` is required"));
    ident.customer_id = given(&record.customer_id);
    ident.project_id = given(&request.project_id);
    for field in [
        &mut ident.company_name,
        &mut ident.company_hrb_number,
        &mut ident.company_hrb_city,
        &mut ident.company_street,
        &mut ident.company_house_no,
        &mut ident.company_zip_code,
        &mut ident.company_city,
        &mut ident.phone_number,
        &mut ident.id_mrz,
        &mut ident.person_maiden_name,
    ] {
        *field = Some(String::new());
    }
    ident.company_country = given("DE");
    ident.person_title = text(&request.person_title);
    ident.gender = Some(
        request
            .gender
            .clone()
            .unwrap_or_else(|| types::Gender::Unknown(String::new())),
    );
    ident.person_first_name = given(&request.person_first_name);
    ident.person_last_name = given(&request.person_last_name);
    ident.person_position = text(&request.person_position);
    ident.email = given(&request.email);
    ident.street = given(&request.street);
    ident.house_no = given(&request.house_no);
    ident.postal_code = given(&request.zip_code);
    ident.city = given(&request.city);
    ident.land = given(&request.country);
    ident.mobile_number = given(&request.mobile_phone);
    ident.id_type = Some(
        request
            .type_of_id
            .clone()
            .unwrap_or_else(|| types::TypeOfId::Unknown(String::new())),
    );
    ident.nationality = given(&request.nationality);
    ident.id_issuing_authority = text(&request.issuing_authority);
    ident.id_issue_date = request
        .id_issue_date
        .as_ref()
        .map(|d| ddmmyyyy(d.raw()).into());
    ident.id_expire_date = request
        .id_end_date
        .as_ref()
        .map(|d| ddmmyyyy(d.raw()).into());
    ident.id_number = text(&request.id_number);
    ident.international_code = text(&request.international_code);
    ident.birthday = given(&request.birthday);
    ident.birth_place = text(&request.birth_place);
    ident.custom_id = text(&request.custom_id);
    ident.custom1 = text(&request.custom1);
    ident.custom2 = text(&request.custom2);
    ident.custom3 = text(&request.custom3);
    ident.custom4 = text(&request.custom4);
    ident.status = given(status);
    ident.status_code = given(code);
    ident.created_at = Some(vendor_datetime(record.created_at).into());
    ident.appointment_date = record.appointment.as_deref().map(Into::into);

    if let (IdentState::Successful, Some(person)) = (record.state, record.person) {
        // What the identification established, merged over the request.
        let first = match person.middle_name {
            Some(middle) => format!("{} {middle}", person.first_name),
            None => person.first_name.to_string(),
        };
        let (street, house_no) = person
            .street
            .rsplit_once(' ')
            .unwrap_or((person.street, ""));
        let country = alpha2(person.country);
        ident.person_first_name = Some(first);
        ident.person_last_name = given(person.last_name);
        ident.birthday = given(person.date_of_birth);
        ident.gender = Some(if person.gender == "female" {
            types::Gender::Female
        } else {
            types::Gender::Male
        });
        ident.street = given(street);
        ident.house_no = given(house_no);
        ident.postal_code = given(person.postal_code);
        ident.city = given(person.city);
        ident.land = Some(country.clone());
        ident.nationality = Some(country.clone());
        ident.id_type = Some(
            request
                .type_of_id
                .clone()
                .filter(|t| !t.is_unknown())
                .unwrap_or(types::TypeOfId::Personalausweis),
        );
        ident.id_number = Some(format!("T{}", person.national_id));
        if ident.id_issuing_authority.as_deref() == Some("") {
            ident.id_issuing_authority = Some(country);
        }
        ident
            .id_issue_date
            .get_or_insert_with(|| "01-01-2020".into());
        ident
            .id_expire_date
            .get_or_insert_with(|| "31-12-2029".into());
    }
    ident
}

fn field_message(field: &str, reason: &str) -> String {
    format!("{field}: {reason}")
}

/// Parses and validates a create body; a refusal lists `(field, reason)`.
pub fn validate_create(body: &[u8]) -> Result<types::CreateIdentRequest, Vec<(String, String)>> {
    let mut request: types::CreateIdentRequest =
        parse_request(body, &[]).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    let mut bad = |field: &str, reason: &str| problems.push((field.to_string(), reason.into()));
    for (field, value) in [
        ("project_id", &request.project_id),
        ("birthday", &request.birthday),
        ("email", &request.email),
        ("person_first_name", &request.person_first_name),
        ("person_last_name", &request.person_last_name),
        ("mobile_phone", &request.mobile_phone),
        ("nationality", &request.nationality),
        ("street", &request.street),
        ("house_no", &request.house_no),
        ("zip_code", &request.zip_code),
        ("city", &request.city),
        ("country", &request.country),
    ] {
        if value.trim().is_empty() {
            bad(field, &format!("The {field} field is required."));
        }
    }
    if !request.project_id.trim().is_empty() {
        match PROJECTS.iter().find(|(id, _, _)| *id == request.project_id) {
            None => bad("project_id", "Unknown project (see project/getAll)."),
            Some((_, _, status)) if *status != "Active" => {
                bad("project_id", "The project is not active.")
            }
            Some(_) => {}
        }
    }
    if !request.birthday.trim().is_empty() && !is_iso_date(&request.birthday) {
        bad("birthday", "Must be a date as YYYY-MM-DD.");
    }
    if !request.email.trim().is_empty() && !request.email.contains('@') {
        bad("email", "Must be an e-mail address.");
    }
    for (field, value) in [
        ("nationality", Some(&request.nationality)),
        ("country", Some(&request.country)),
        ("id_country", request.id_country.as_ref()),
    ] {
        if let Some(value) = value
            && !value.is_empty()
            && !(value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()))
        {
            bad(field, "Must be an uppercase two-letter code (ISO 3166).");
        }
    }
    if let Some(gender) = &request.gender
        && gender.is_unknown()
    {
        bad("gender", "Must be MALE or FEMALE.");
    }
    if let Some(kind) = &request.type_of_id
        && kind.is_unknown()
    {
        bad("type_of_id", "Must be Personalausweis or Reisepass.");
    }
    for (field, value) in [
        ("id_issue_date", &request.id_issue_date),
        ("id_end_date", &request.id_end_date),
    ] {
        if let Some(date) = value
            && !is_iso_date(date.raw())
        {
            bad(field, "Must be a date as YYYY-MM-DD.");
        }
    }
    // Documented: an unset or invalid language is `de`.
    if request.language.as_ref().is_none_or(|l| l.is_unknown()) {
        request.language = Some(types::Language::De);
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

/// Parses and validates an appointment body.
pub fn validate_appointment(
    body: &[u8],
) -> Result<types::SetAppointmentRequest, Vec<(String, String)>> {
    let request: types::SetAppointmentRequest =
        parse_request(body, &[]).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    if request.ident_id.trim().is_empty() {
        problems.push(("ident_id".into(), "The ident_id field is required.".into()));
    }
    if !is_appointment_date(request.termin_date.raw()) {
        problems.push((
            "termin_date".into(),
            "Must be ISO 8601 as YYYY-MM-DDThh:mmTZD (e.g. 2024-06-30T15:20+01:00).".into(),
        ));
    }
    if request.termin_user.trim().is_empty() {
        problems.push((
            "termin_user".into(),
            "The termin_user field is required.".into(),
        ));
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

fn messages(problems: &[(String, String)]) -> Vec<String> {
    problems
        .iter()
        .map(|(field, reason)| field_message(field, reason))
        .collect()
}

fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The vendor's error envelope.
fn envelope_error(status: StatusCode, messages: Vec<String>) -> Response {
    json_response(
        status,
        &types::Envelope {
            messages,
            response_status: Some(i32::from(status.as_u16())),
            result: false,
        },
    )
}

fn refused((status, messages): Refusal) -> Response {
    envelope_error(status, messages)
}

fn not_found_refusal() -> Refusal {
    (
        StatusCode::NOT_FOUND,
        vec!["Ident not found (or it was removed after 90 days).".into()],
    )
}

fn bad_request(problems: &[(String, String)]) -> Response {
    envelope_error(StatusCode::BAD_REQUEST, messages(problems))
}

const OK: i32 = 200;

async fn login(State(api): State<Arc<IdentifyVideoident>>, body: Bytes) -> Response {
    match api.login(&body) {
        Ok(token) => {
            let mut response = json_response(
                StatusCode::OK,
                &types::PartnerLoginResponse {
                    messages: vec!["Successful..".into()],
                    response_status: Some(OK),
                    result: true,
                    token: Some(token),
                },
            );
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(refusal) => refused(refusal),
    }
}

async fn create_ident(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(problems) => return bad_request(&problems),
    };
    match api.create(request) {
        Some(id) => json_response(
            StatusCode::OK,
            &types::CreateIdentResponse {
                conference_url: Some(api.page_url(&id)),
                ident_id: id,
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        None => envelope_error(
            StatusCode::TOO_MANY_REQUESTS,
            vec!["The sandbox keeps at most 10000 idents; wait for some to be removed.".into()],
        ),
    }
}

async fn set_appointment(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_appointment(&body) {
        Ok(request) => request,
        Err(problems) => return bad_request(&problems),
    };
    match api.set_appointment(&request) {
        Ok(insert_id) => json_response(
            StatusCode::OK,
            &types::SetAppointmentResponse {
                insert_id,
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        Err(refusal) => refused(refusal),
    }
}

async fn get_ident(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    match api.ident(&id) {
        Some(ident) => json_response(
            StatusCode::OK,
            &types::GetIdentResponse {
                data: ident,
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        None => refused(not_found_refusal()),
    }
}

async fn get_ident_data(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    match api.ident_data(&id) {
        Ok(data) => json_response(
            StatusCode::OK,
            &types::GetIdentDataResponse {
                data,
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        Err(refusal) => refused(refusal),
    }
}

fn project(id: &str, title: &str, status: &str) -> types::Project {
    types::Project {
        id: id.to_string(),
        status: Some(status.to_string()),
        title: Some(title.to_string()),
    }
}

async fn all_projects(State(api): State<Arc<IdentifyVideoident>>, headers: HeaderMap) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    json_response(
        StatusCode::OK,
        &types::GetAllProjectsResponse {
            data: PROJECTS
                .iter()
                .map(|(id, title, status)| project(id, title, status))
                .collect(),
            messages: Vec::new(),
            response_status: Some(OK),
            result: true,
        },
    )
}

async fn get_project(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request: types::GetProjectRequest = match parse_request(&body, &[]) {
        Ok(request) => request,
        Err(e) => return bad_request(&[(e.name, e.reason)]),
    };
    let wanted = request.project_id.to_string();
    match PROJECTS.iter().find(|(id, _, _)| *id == wanted) {
        Some((id, title, status)) => json_response(
            StatusCode::OK,
            &types::GetProjectResponse {
                data: project(id, title, status),
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        None => envelope_error(StatusCode::NOT_FOUND, vec!["Project not found.".into()]),
    }
}

async fn all_webhooks(State(api): State<Arc<IdentifyVideoident>>, headers: HeaderMap) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let webhook = |id: &str, status: &str, url: &str| types::Webhook {
        created_at: Some("2020-06-21 11:03:49".into()),
        id: id.to_string(),
        status: Some(status.to_string()),
        updated_at: Some("2024-03-06 17:54:32".into()),
        url: Some(url.to_string()),
    };
    json_response(
        StatusCode::OK,
        &types::GetAllWebhooksResponse {
            data: vec![
                webhook("1", "3", "https://partner.example/identify/webhook"),
                webhook("2", "4", "https://partner.example/identify/old-webhook"),
            ],
            messages: Vec::new(),
            response_status: Some(OK),
            result: true,
        },
    )
}

async fn download(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    Path((customer_id, name)): Path<(String, String)>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    match api.download(&customer_id, &name) {
        Some((kind, content)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            content,
        )
            .into_response(),
        None => envelope_error(StatusCode::NOT_FOUND, vec!["File not found.".into()]),
    }
}

async fn unknown_path(State(api): State<Arc<IdentifyVideoident>>) -> Response {
    api.error_response(StatusCode::NOT_FOUND, "No such path in this API.")
}

impl Vendor for IdentifyVideoident {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "Identify VideoIdent API 1.0.3"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route(LOGIN_PATH, post(login))
            .route(&format!("{API_PATH}/ident/create"), post(create_ident))
            .route(
                &format!("{API_PATH}/ident/setOnboardifyAppointment"),
                post(set_appointment),
            )
            .route(&format!("{API_PATH}/ident/get/{{id}}"), get(get_ident))
            .route(
                &format!("{API_PATH}/ident/getIdentData/{{id}}"),
                get(get_ident_data),
            )
            .route(&format!("{API_PATH}/project/getAll"), get(all_projects))
            .route(&format!("{API_PATH}/project/get"), get(get_project))
            .route(&format!("{API_PATH}/webhook/getAll"), get(all_webhooks))
            .route(
                &format!("{API_PATH}/download/{{customer}}/{{file}}"),
                get(download),
            )
            .route(&format!("/{NAME}"), any(unknown_path))
            .route(&format!("/{NAME}/{{*rest}}"), any(unknown_path))
            .with_state(self)
    }

    fn error_response(&self, status: StatusCode, detail: &str) -> Response {
        envelope_error(status, vec![detail.to_string()])
    }

    fn open(&self, session_id: &str) -> Result<PageView, ControlError> {
        let mut state = self.state();
        let record = state
            .idents
            .get_mut(session_id)
            .ok_or_else(|| ControlError::not_found("no such ident (or it was removed)"))?;
        if record.state == IdentState::Created {
            record.state = IdentState::InProgress;
            self.notify(session_id, record);
        }
        let request = &record.request;
        let mut details = vec![
            ("Project".to_string(), request.project_id.clone()),
            (
                "Customer (as sent)".to_string(),
                format!("{} {}", request.person_first_name, request.person_last_name),
            ),
            (
                "Language".to_string(),
                request
                    .language
                    .as_ref()
                    .map_or_else(|| "de".to_string(), |l| l.to_string()),
            ),
        ];
        if let Some(appointment) = &record.appointment {
            details.push(("Appointment".into(), appointment.clone()));
        }
        Ok(PageView {
            open: record.state.is_open(),
            status: record.state.code_and_text().1.to_string(),
            details,
        })
    }

    fn complete(
        &self,
        session_id: &str,
        person: &'static Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError> {
        let now = self.now();
        let mut state = self.state();
        let record = state
            .idents
            .get_mut(session_id)
            .ok_or_else(|| ControlError::not_found("no such ident (or it was removed)"))?;
        if !record.state.is_open() {
            return Err(ControlError::not_open(record.state.code_and_text().1));
        }
        record.state = match outcome {
            Outcome::Success => {
                record.person = Some(person);
                IdentState::Successful
            }
            Outcome::Abort => IdentState::Aborted,
            Outcome::Error => IdentState::Failed,
        };
        record.completed_at = Some(now);
        self.notify(session_id, record);
        Ok(Completion {
            status: record.state.code_and_text().1.to_string(),
            // No callback URL in the create request: the page shows "done".
            redirect_url: None,
        })
    }

    fn webhook_format(&self) -> Option<&'static str> {
        Some("JSON WebhookPayload, unsigned")
    }

    fn endpoints(&self) -> Vec<(&'static str, String)> {
        vec![
            ("base_url", format!("{}{API_PATH}", self.shared.base_url)),
            ("login_url", format!("{}{LOGIN_PATH}", self.shared.base_url)),
            ("partner", PARTNER.to_string()),
            ("api_key", API_KEY.to_string()),
            (
                "token_idle_timeout_seconds",
                TOKEN_IDLE.as_secs().to_string(),
            ),
            ("projects", "6 (active), 7 (inactive)".to_string()),
        ]
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
    const DEFAULT_CLIENT: crate::TestClient = crate::TestClient { environment: "production", id: PARTNER, secret: API_KEY };
    const OTHER_CLIENTS: &'static [crate::TestClient] = &[];

    /// Identify's partner login: the partner name and its API key.
    fn credentials(partner: &str, api_key: &str) -> idverify_runtime::Credentials {
        idverify_runtime::Credentials::partner(partner, api_key)
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::persons;

    fn api() -> IdentifyVideoident {
        IdentifyVideoident::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
    }

    fn body() -> serde_json::Value {
        json!({
            "project_id": "6", "birthday": "1981-09-05", "email": "john@example.com",
            "person_first_name": "JOHN", "person_last_name": "DOE", "mobile_phone": "01511111111",
            "nationality": "DE", "street": "MARKGRAFENSTR.", "house_no": "23",
            "zip_code": "94670", "city": "NÜRNBERG", "country": "DE", "custom_id": "order-1",
            "pdf_url": "https://partner.example/contract.pdf"
        })
    }

    fn create(api: &IdentifyVideoident) -> String {
        let request = validate_create(body().to_string().as_bytes()).unwrap();
        api.create(request).unwrap()
    }

    fn headers(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-partner", HeaderValue::from_static(PARTNER));
        headers.insert("x-api-token", HeaderValue::from_str(token).unwrap());
        headers
    }

    fn login(api: &IdentifyVideoident) -> String {
        api.login(
            json!({"PARTNER": PARTNER, "APIKEY": API_KEY})
                .to_string()
                .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn validation_names_the_field() {
        let mut missing = body();
        missing.as_object_mut().unwrap().remove("birthday");
        let cases = [
            (missing, vec!["birthday"]),
            (json!({"project_id": "6"}), vec!["birthday"]),
            (
                {
                    let mut b = body();
                    b["birthday"] = json!("05-09-1981");
                    b["country"] = json!("Germany");
                    b
                },
                vec!["birthday", "country"],
            ),
            (
                {
                    let mut b = body();
                    b["project_id"] = json!("7");
                    b["gender"] = json!("OTHER");
                    b["type_of_id"] = json!("Führerschein");
                    b["id_end_date"] = json!("2031");
                    b["email"] = json!(" ");
                    b
                },
                vec!["email", "project_id", "gender", "type_of_id", "id_end_date"],
            ),
            (
                {
                    let mut b = body();
                    b["house_no"] = json!(23);
                    b
                },
                vec!["house_no"],
            ),
        ];
        for (body, fields) in cases {
            let problems = validate_create(body.to_string().as_bytes()).expect_err("refused");
            let names: Vec<_> = problems.iter().map(|(f, _)| f.as_str()).collect();
            assert_eq!(names, fields, "{body}");
        }
        // An unknown language is `de`, as documented.
        let mut b = body();
        b["language"] = json!("fr");
        let request = validate_create(b.to_string().as_bytes()).unwrap();
        assert_eq!(request.language, Some(types::Language::De));

        let appointment = |v: serde_json::Value| validate_appointment(v.to_string().as_bytes());
        assert!(
            appointment(json!({"ident_id": "x", "termin_date": "2024-06-30T15:20+01:00", "termin_user": "1"}))
                .is_ok()
        );
        assert!(
            appointment(
                json!({"ident_id": "x", "termin_date": "2024-06-30T15:20:10Z", "termin_user": "1"})
            )
            .is_ok()
        );
        let problems = appointment(
            json!({"ident_id": "x", "termin_date": "30.06.2024 15:20", "termin_user": ""}),
        )
        .unwrap_err();
        assert_eq!(problems[0].0, "termin_date");
        assert_eq!(problems[1].0, "termin_user");
        assert_eq!(
            appointment(json!({"ident_id": "x", "termin_user": "1"})).unwrap_err()[0].0,
            "termin_date"
        );
    }

    #[test]
    fn lifecycle_created_in_progress_successful_with_the_persons_data() {
        let api = api();
        let id = create(&api);
        let ident = api.ident(&id).unwrap();
        assert_eq!(ident.status_code.as_deref(), Some("1"));
        assert_eq!(ident.status.as_deref(), Some("Created"));
        assert_eq!(ident.person_first_name.as_deref(), Some("JOHN"));
        assert_eq!(ident.postal_code.as_deref(), Some("94670"));
        assert_eq!(
            ident.company_name.as_deref(),
            Some(""),
            "unset text is empty"
        );
        let created_at = ident.created_at.unwrap();
        assert_eq!(created_at.raw(), vendor_datetime(api.now()));
        assert_eq!(
            api.ident_data(&id).unwrap_err().0,
            StatusCode::PAYMENT_REQUIRED
        );

        let insert = api
            .set_appointment(&validate_appointment(
                json!({"ident_id": id, "termin_date": "2024-06-30T15:20+01:00", "termin_user": "1"})
                    .to_string()
                    .as_bytes(),
            ).unwrap())
            .unwrap();
        assert_eq!(insert, "1");

        let page = api.open(&id).unwrap();
        assert!(page.open);
        assert_eq!(page.status, "In progress");
        assert_eq!(api.ident(&id).unwrap().status_code.as_deref(), Some("2"));

        let kari = persons::find("kari").unwrap();
        let done = api.complete(&id, kari, Outcome::Success).unwrap();
        assert_eq!(
            (done.status.as_str(), done.redirect_url),
            ("Successful", None)
        );
        let again = api.complete(&id, kari, Outcome::Abort).unwrap_err();
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(!api.open(&id).unwrap().open);

        let data = api.ident_data(&id).unwrap();
        let ident = &data.ident;
        assert_eq!(ident.status_code.as_deref(), Some("5"));
        assert_eq!(ident.person_first_name.as_deref(), Some("Kari Fiktiv"));
        assert_eq!(ident.person_last_name.as_deref(), Some("Nordkvinne"));
        assert_eq!(ident.birthday.as_deref(), Some("1990-12-24"));
        assert_eq!(ident.gender, Some(types::Gender::Female));
        assert_eq!(ident.street.as_deref(), Some("Prøvegata"));
        assert_eq!(ident.house_no.as_deref(), Some("2"));
        assert_eq!(ident.land.as_deref(), Some("NO"));
        assert_eq!(ident.email.as_deref(), Some("john@example.com"), "as sent");
        assert_eq!(ident.custom_id.as_deref(), Some("order-1"));
        assert_eq!(
            ident.appointment_date.as_ref().unwrap().raw(),
            "2024-06-30T15:20+01:00"
        );
        let pdf = data.identification_pdf.unwrap();
        let url = pdf.download_url.unwrap();
        let customer = ident.customer_id.clone().unwrap();
        assert_eq!(
            url,
            format!(
                "http://127.0.0.1:1/identify-videoident/download/{customer}/identification.pdf"
            )
        );
        let (kind, content) = api.download(&customer, "identification.pdf").unwrap();
        assert_eq!(kind, "application/pdf");
        assert_eq!(pdf.file_hash.unwrap(), hex(&Sha256::digest(&content)));
        assert!(data.signed_pdf.is_some(), "a PDF was to be signed");
        assert_eq!(data.recordings.unwrap().len(), 1);
        assert_eq!(
            data.screenshots.unwrap()[1].file_name.as_deref(),
            Some("screenshot-2.png")
        );
        assert!(api.download(&customer, "other.png").is_none());

        // An appointment for a closed ident is refused.
        let refused = api
            .set_appointment(&types::SetAppointmentRequest {
                ident_id: id.clone(),
                termin_date: "2024-06-30T15:20+01:00".into(),
                termin_user: "1".into(),
            })
            .unwrap_err();
        assert_eq!(refused.0, StatusCode::PAYMENT_REQUIRED);
        assert!(api.ident("nope").is_none());
        assert_eq!(api.open("nope").unwrap_err().status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn abort_and_failure() {
        let api = api();
        let a = create(&api);
        let b = create(&api);
        let sven = persons::find("sven").unwrap();
        assert_eq!(
            api.complete(&a, sven, Outcome::Abort).unwrap().status,
            "Aborted"
        );
        assert_eq!(
            api.complete(&b, sven, Outcome::Error).unwrap().status,
            "Failed"
        );
        assert_eq!(api.ident(&a).unwrap().status_code.as_deref(), Some("3"));
        let failed = api.ident(&b).unwrap();
        assert_eq!(failed.status_code.as_deref(), Some("4"));
        assert_eq!(
            failed.person_first_name.as_deref(),
            Some("JOHN"),
            "no person data"
        );
        assert_eq!(
            api.ident_data(&b).unwrap_err().0,
            StatusCode::PAYMENT_REQUIRED
        );
    }

    #[test]
    fn tokens_are_signed_jwts_that_idle_out_on_the_clock() {
        let api = api();
        let wrong = api.login(
            json!({"PARTNER": PARTNER, "APIKEY": "x"})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(wrong.unwrap_err().0, StatusCode::UNAUTHORIZED);
        let missing = api.login(json!({"PARTNER": PARTNER}).to_string().as_bytes());
        let (status, messages) = missing.unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(messages[0].starts_with("APIKEY:"), "{messages:?}");

        let token = login(&api);
        let parts: Vec<_> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "HS256");
        assert!(api.unauthorized(&headers(&token)).is_none());

        // A changed payload or another sandbox's signature is refused.
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode("{\"sub\":\"sandbox-partner\",\"jti\":\"x\"}"),
            parts[2]
        );
        assert!(api.unauthorized(&headers(&forged)).is_some());
        assert!(api2_refuses(&token));
        let mut other_partner = headers(&token);
        other_partner.insert("x-api-partner", HeaderValue::from_static("someone-else"));
        assert!(api.unauthorized(&other_partner).is_some());
        assert!(api.unauthorized(&HeaderMap::new()).is_some());

        // Every accepted call restarts the idle time.
        api.shared.clock.advance(Duration::from_secs(20 * 60));
        assert!(api.unauthorized(&headers(&token)).is_none());
        api.shared.clock.advance(Duration::from_secs(20 * 60));
        assert!(api.unauthorized(&headers(&token)).is_none());
        api.shared.clock.advance(TOKEN_IDLE);
        assert!(
            api.unauthorized(&headers(&token)).is_some(),
            "idle 30 minutes"
        );
        assert!(api.state().tokens.is_empty(), "idle tokens are dropped");
        assert!(api.unauthorized(&headers(&login(&api))).is_none());
    }

    fn api2_refuses(token: &str) -> bool {
        api().unauthorized(&headers(token)).is_some()
    }

    #[test]
    fn idents_are_removed_after_90_days_and_memory_stays_bounded() {
        let api = api();
        let id = create(&api);
        api.shared
            .clock
            .advance(IDENT_LIFETIME - Duration::from_secs(60));
        let later = create(&api);
        assert!(api.ident(&id).is_some());
        api.shared.clock.advance(Duration::from_secs(61));
        assert!(api.ident(&id).is_none(), "gone after 90 days");
        assert!(api.ident(&later).is_some());
        assert!(api.open(&id).is_err());
        api.shared.clock.advance(IDENT_LIFETIME);
        assert!(api.state().idents.is_empty());

        for _ in 0..MAX_IDENTS {
            create(&api);
        }
        let request = validate_create(body().to_string().as_bytes()).unwrap();
        assert!(api.create(request).is_none(), "full");
    }

    #[test]
    fn dates_in_the_vendors_formats() {
        let t = std::time::UNIX_EPOCH + Duration::from_secs(1_694_600_726); // 2023-09-13T10:25:26Z
        assert_eq!(vendor_datetime(t), "13-09-2023 10:25:26");
        assert_eq!(ddmmyyyy("2021-05-10"), "10-05-2021");
        assert!(
            is_iso_date("2024-02-29") && !is_iso_date("2024-13-01") && !is_iso_date("24-01-01")
        );
        assert!(is_appointment_date("1997-07-16T19:20+01:00"));
        assert!(!is_appointment_date("1997-07-16T19:20"));
        assert!(!is_appointment_date("1997-07-16T25:20Z"));
        assert!(!is_appointment_date("1997-07-16T12:0é"));
        assert!(!is_appointment_date("1997-07-16T15:20:€Z"));
        assert_eq!(file_size(10), "0.01 MB");
        assert_eq!(alpha2("SWE"), "SE");
    }
}
