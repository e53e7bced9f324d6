//! The generated Identify VideoIdent client against a local server that speaks the
//! vendor's wire format: partner login at `/auth`, `X-API-PARTNER` / `X-API-TOKEN` on
//! every call, the `{result, messages, data, response_status}` envelope, numeric-string
//! status codes, dates in several formats and a GET with a JSON body.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use idverify_identify_videoident::{self as identify, IdentStatus, WebhookStatus, types};
use idverify_runtime::{Credentials, ErrorKind, ParsedDateTime, RetryPolicy, VendorErrorShape};
use idverify_tests::{LocalServer, assert_round_trip, round_trip_examples, spec};
use serde_json::{Value, json};

const PARTNER: &str = "911-internet";
const API_KEY: &str = "api-key";

/// One request the vendor received (login excluded).
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    partner: Option<String>,
    token: Option<String>,
    content_type: Option<String>,
    body: Option<Value>,
}

#[derive(Default)]
struct Vendor {
    logins: AtomicUsize,
    login_bodies: Mutex<Vec<Value>>,
    /// The token currently valid; `None` once the vendor expired it.
    valid_token: Mutex<Option<String>>,
    seen: Mutex<Vec<Seen>>,
    /// Answers every authorised call with 429 while set.
    throttled: std::sync::atomic::AtomicBool,
}

fn envelope_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(
            json!({ "result": false, "messages": [message], "response_status": status.as_u16() }),
        ),
    )
        .into_response()
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Records the request and checks the partner headers: `Err` is the vendor's error answer.
fn admit(
    vendor: &Vendor,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &str,
) -> Result<Option<Value>, (StatusCode, &'static str)> {
    let body = (!body.is_empty()).then(|| serde_json::from_str::<Value>(body).expect("JSON body"));
    let seen = Seen {
        method,
        path: uri.path().to_string(),
        partner: header(headers, "x-api-partner"),
        token: header(headers, "x-api-token"),
        content_type: header(headers, "content-type"),
        body: body.clone(),
    };
    vendor.seen.lock().unwrap().push(seen.clone());
    let valid = vendor.valid_token.lock().unwrap().clone();
    if seen.partner.as_deref() != Some(PARTNER) || valid.is_none() || seen.token != valid {
        return Err((StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    if vendor.throttled.load(Ordering::SeqCst) {
        return Err((StatusCode::TOO_MANY_REQUESTS, "Too many requests"));
    }
    Ok(body)
}

/// The ident the vendor returns: the seed's `ident/getIdentData` sample, with a gender
/// and the partner's reference filled in.
fn stored_ident(id: &str) -> Value {
    let mut ident = spec("identify-videoident")
        .pointer("/paths/~1ident~1getIdentData~1{ident_id}/get/responses/200/content/application~1json/example/data/ident")
        .expect("the seed's ident sample")
        .clone();
    ident["id"] = json!(id);
    ident["gender"] = json!("MALE");
    ident["custom_id"] = json!("order-42");
    ident
}

const IDENT_ID: &str = "e9b57479-644d-11ef-b4ac-005056bb3f3f";

fn vendor_routes(vendor: Arc<Vendor>) -> Router {
    Router::new()
        .route(
            "/auth",
            post(|State(v): State<Arc<Vendor>>, body: String| async move {
                let body: Value = serde_json::from_str(&body).expect("login body is JSON");
                v.login_bodies.lock().unwrap().push(body.clone());
                if body["PARTNER"] != PARTNER || body["APIKEY"] != API_KEY {
                    return envelope_error(StatusCode::UNAUTHORIZED, "Invalid partner or API key");
                }
                let n = v.logins.fetch_add(1, Ordering::SeqCst) + 1;
                let token = format!("jwt-{n}");
                *v.valid_token.lock().unwrap() = Some(token.clone());
                axum::Json(json!({ "result": true, "response_status": 200, "token": token, "messages": ["Successful.."] }))
                    .into_response()
            }),
        )
        .route(
            "/ident/create",
            post(|State(v): State<Arc<Vendor>>, method: Method, uri: Uri, headers: HeaderMap, body: String| async move {
                let body = match admit(&v, method, &uri, &headers, &body) {
                    Ok(body) => body.expect("create has a body"),
                    Err((status, message)) => return envelope_error(status, message),
                };
                for field in ["project_id", "birthday", "email", "person_first_name", "person_last_name",
                              "mobile_phone", "nationality", "street", "house_no", "zip_code", "city", "country"] {
                    if body.get(field).is_none() {
                        return envelope_error(StatusCode::BAD_REQUEST, &format!("{field} is required"));
                    }
                }
                axum::Json(json!({
                    "result": true,
                    "messages": [],
                    "ident_id": IDENT_ID,
                    "conference_url": format!("https://identify24.de/apply/{IDENT_ID}")
                }))
                .into_response()
            }),
        )
        .route(
            "/ident/setOnboardifyAppointment",
            post(|State(v): State<Arc<Vendor>>, method: Method, uri: Uri, headers: HeaderMap, body: String| async move {
                if let Err((status, message)) = admit(&v, method, &uri, &headers, &body) {
                    return envelope_error(status, message);
                }
                axum::Json(json!({ "result": true, "messages": [], "insert_id": "4711" })).into_response()
            }),
        )
        .route(
            "/ident/get/{ident_id}",
            get(|State(v): State<Arc<Vendor>>, Path(id): Path<String>, method: Method, uri: Uri, headers: HeaderMap, body: String| async move {
                if let Err((status, message)) = admit(&v, method, &uri, &headers, &body) {
                    return envelope_error(status, message);
                }
                if id != IDENT_ID {
                    return envelope_error(StatusCode::NOT_FOUND, "Ident not found");
                }
                let mut ident = stored_ident(&id);
                // The seed's ident/get sample writes the appointment in ISO 8601.
                ident["appointment_date"] = json!("2023-08-03T15:00:00Z");
                axum::Json(json!({ "result": true, "messages": [], "data": ident })).into_response()
            }),
        )
        .route(
            "/ident/getIdentData/{ident_id}",
            get(|State(v): State<Arc<Vendor>>, Path(id): Path<String>, method: Method, uri: Uri, headers: HeaderMap, body: String| async move {
                if let Err((status, message)) = admit(&v, method, &uri, &headers, &body) {
                    return envelope_error(status, message);
                }
                axum::Json(json!({
                    "result": true,
                    "messages": [],
                    "data": {
                        "ident": stored_ident(&id),
                        "identification_pdf": {
                            "file_name": "identification_pdf",
                            "download_url": "https://api.identify24.de/download/secret-path/identification.pdf",
                            "file_date": "21-02-2024 11:10:25",
                            "file_size": "1.42 MB",
                            "file_hash": "ad00dc69f4f145342e74baccb9986987566849b8bd213b5920a8f2a238006e37"
                        },
                        "signed_pdf": null,
                        "recordings": [{
                            "file_name": "65e5a013502a2.webm",
                            "download_url": "https://api.identify24.de/download/secret-path/65e5a013502a2.webm",
                            "file_date": "13-09-2024 10:28:59",
                            "file_size": "12.27 MB"
                        }],
                        "screenshots": [{
                            "file_name": "28804.png",
                            "download_link": "https://api.identify24.de/download/29078/28804.png",
                            "file_date": "13-09-2024 10:28:18",
                            "file_size": "0.31 MB"
                        }]
                    }
                }))
                .into_response()
            }),
        )
        .route(
            "/project/getAll",
            get(|State(v): State<Arc<Vendor>>, method: Method, uri: Uri, headers: HeaderMap, body: String| async move {
                if let Err((status, message)) = admit(&v, method, &uri, &headers, &body) {
                    return envelope_error(status, message);
                }
                axum::Json(json!({
                    "result": true, "messages": [],
                    "data": [
                        { "id": "6", "title": "911 Internet GmbH", "status": "Active" },
                        { "id": "7", "title": "Second project", "status": "Inactive" }
                    ],
                    "response_status": 200
                }))
                .into_response()
            }),
        )
        .route(
            "/project/get",
            get(|State(v): State<Arc<Vendor>>, method: Method, uri: Uri, headers: HeaderMap, body: String| async move {
                let body = match admit(&v, method, &uri, &headers, &body) {
                    Ok(body) => body,
                    Err((status, message)) => return envelope_error(status, message),
                };
                match body.as_ref().and_then(|b| b["project_id"].as_i64()) {
                    Some(6) => axum::Json(json!({
                        "result": true, "messages": [],
                        "data": { "id": "6", "title": "911 Internet GmbH", "status": "Active" },
                        "response_status": 200
                    }))
                    .into_response(),
                    Some(_) => envelope_error(StatusCode::NOT_FOUND, "Project not found"),
                    None => envelope_error(StatusCode::BAD_REQUEST, "project_id is required"),
                }
            }),
        )
        .route(
            "/webhook/getAll",
            get(|State(v): State<Arc<Vendor>>, method: Method, uri: Uri, headers: HeaderMap, body: String| async move {
                if let Err((status, message)) = admit(&v, method, &uri, &headers, &body) {
                    return envelope_error(status, message);
                }
                axum::Json(json!({
                    "result": true, "response_status": 200, "messages": [],
                    "data": [
                        { "id": "1", "status": "3", "url": "https://partner.example/hook",
                          "created_at": "2020-06-21 11:03:49", "updated_at": "2024-03-06 17:54:32" },
                        { "id": "2", "status": "4", "url": "https://partner.example/old",
                          "created_at": "2020-06-21 11:03:49", "updated_at": "2024-03-06 17:54:32" }
                    ]
                }))
                .into_response()
            }),
        )
        .with_state(vendor)
}

fn client(server: &LocalServer, api_key: &str) -> identify::Client {
    identify::Client::builder()
        .base_url(server.base_url.clone())
        .credentials(Credentials::partner(PARTNER, api_key))
        .build()
        .expect("client")
}

fn create_request() -> types::builder::CreateIdentRequest {
    types::CreateIdentRequest::builder()
        .project_id("6")
        .birthday("1981-09-05")
        .email("johndoe@identify24.de")
        .person_first_name("JOHN")
        .person_last_name("DOE")
        .mobile_phone("01511111111")
        .nationality("DE")
        .street("MARKGRAFENSTR.")
        .house_no("23")
        .zip_code("94670")
        .city("NÜRNBERG")
        .country("DE")
        .gender(Some(types::Gender::Male))
        .language(Some(types::Language::En))
        .type_of_id(Some(types::TypeOfId::Reisepass))
        .id_issue_date(Some("2021-05-10".into()))
        .custom_id(Some("order-42".to_string()))
}

#[tokio::test]
async fn every_operation_against_the_vendor_wire_format() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server, API_KEY);

    // Create.
    let created = client
        .create_ident()
        .body(create_request())
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 200);
    let created = created.into_inner();
    assert!(created.result);
    assert!(created.messages.is_empty());
    assert_eq!(created.ident_id, IDENT_ID);
    assert_eq!(
        created.conference_url.as_deref(),
        Some(format!("https://identify24.de/apply/{IDENT_ID}").as_str())
    );

    // Appointment.
    let appointment = client
        .set_onboardify_appointment()
        .body(
            types::SetAppointmentRequest::builder()
                .ident_id(IDENT_ID)
                .termin_date("2024-06-30T15:20+01:00")
                .termin_user("1"),
        )
        .send()
        .await
        .expect("appointment")
        .into_inner();
    assert_eq!(appointment.insert_id, "4711");

    // Get.
    let ident = client
        .get_ident()
        .ident_id(IDENT_ID)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert!(ident.result);
    assert_eq!(ident.response_status, None);
    let data = &ident.data;
    assert_eq!(data.id, IDENT_ID);
    assert_eq!(data.person_first_name.as_deref(), Some("Sven"));
    assert_eq!(data.gender, Some(types::Gender::Male));
    assert_eq!(data.id_type, Some(types::TypeOfId::Personalausweis));
    assert_eq!(data.status_code.as_deref(), Some("5"));
    assert_eq!(data.status_code_number(), Some(5));
    assert_eq!(data.known_status(), Some(IdentStatus::Successful));
    // Three date formats in one payload, all read.
    let created_at = data.created_at.as_ref().unwrap();
    assert_eq!(created_at.raw(), "13-09-2024 10:25:26");
    assert_eq!(
        created_at.naive().unwrap().to_string(),
        "2024-09-13 10:25:26"
    );
    let appointment_date = data.appointment_date.as_ref().unwrap();
    assert_eq!(
        appointment_date.with_offset().unwrap().to_rfc3339(),
        "2023-08-03T15:00:00+00:00"
    );
    assert_eq!(
        data.id_expire_date
            .as_ref()
            .unwrap()
            .date()
            .unwrap()
            .to_string(),
        "2031-05-09"
    );

    // All data.
    let all = client
        .get_ident_data()
        .ident_id(IDENT_ID)
        .send()
        .await
        .expect("ident data")
        .into_inner();
    let files = &all.data;
    assert_eq!(files.ident.customer_id.as_deref(), Some("29078"));
    assert_eq!(
        files
            .ident
            .appointment_date
            .as_ref()
            .unwrap()
            .naive()
            .unwrap()
            .to_string(),
        "2024-11-11 11:11:00"
    );
    let pdf = files
        .identification_pdf
        .as_ref()
        .expect("identification pdf");
    assert_eq!(
        pdf.file_hash.as_deref(),
        Some("ad00dc69f4f145342e74baccb9986987566849b8bd213b5920a8f2a238006e37")
    );
    assert!(matches!(
        pdf.file_date.as_ref().unwrap().parsed(),
        Some(ParsedDateTime::Local(_))
    ));
    assert_eq!(files.signed_pdf, None, "null signed_pdf");
    let recordings = files.recordings.as_ref().unwrap();
    assert_eq!(recordings.len(), 1);
    assert!(
        recordings[0]
            .download_url
            .as_deref()
            .unwrap()
            .ends_with(".webm")
    );
    let screenshots = files.screenshots.as_ref().unwrap();
    assert_eq!(
        screenshots[0].download_url(),
        Some("https://api.identify24.de/download/29078/28804.png")
    );

    // Projects.
    let projects = client
        .get_all_projects()
        .send()
        .await
        .expect("projects")
        .into_inner();
    assert_eq!(projects.response_status, Some(200));
    let titles: Vec<_> = projects
        .data
        .iter()
        .map(|p| (p.id.as_str(), p.title.as_deref().unwrap()))
        .collect();
    assert_eq!(
        titles,
        [("6", "911 Internet GmbH"), ("7", "Second project")]
    );
    let project = client
        .get_project()
        .body(types::GetProjectRequest::builder().project_id(6))
        .send()
        .await
        .expect("project")
        .into_inner();
    assert_eq!(project.data.id, "6");
    assert_eq!(project.data.status.as_deref(), Some("Active"));

    // Webhooks.
    let webhooks = client
        .get_all_webhooks()
        .send()
        .await
        .expect("webhooks")
        .into_inner();
    let statuses: Vec<_> = webhooks
        .data
        .iter()
        .map(types::Webhook::known_status)
        .collect();
    assert_eq!(
        statuses,
        [Some(WebhookStatus::Success), Some(WebhookStatus::Failed)]
    );
    assert_eq!(
        webhooks.data[0].updated_at.as_ref().unwrap().raw(),
        "2024-03-06 17:54:32"
    );

    // One login for all of it, with the documented body.
    assert_eq!(vendor.logins.load(Ordering::SeqCst), 1);
    assert_eq!(
        vendor.login_bodies.lock().unwrap()[0],
        json!({ "PARTNER": PARTNER, "APIKEY": API_KEY })
    );

    // What went over the wire.
    let seen = vendor.seen.lock().unwrap().clone();
    let summary: Vec<_> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("POST", "/ident/create"),
            ("POST", "/ident/setOnboardifyAppointment"),
            ("GET", &*format!("/ident/get/{IDENT_ID}")),
            ("GET", &*format!("/ident/getIdentData/{IDENT_ID}")),
            ("GET", "/project/getAll"),
            ("GET", "/project/get"),
            ("GET", "/webhook/getAll"),
        ]
    );
    for s in &seen {
        assert_eq!(s.partner.as_deref(), Some(PARTNER), "{s:?}");
        assert_eq!(s.token.as_deref(), Some("jwt-1"), "{s:?}");
    }
    let create_body = seen[0].body.clone().unwrap();
    assert_eq!(
        create_body,
        json!({
            "project_id": "6", "birthday": "1981-09-05", "email": "johndoe@identify24.de",
            "person_first_name": "JOHN", "person_last_name": "DOE", "mobile_phone": "01511111111",
            "nationality": "DE", "street": "MARKGRAFENSTR.", "house_no": "23", "zip_code": "94670",
            "city": "NÜRNBERG", "country": "DE", "gender": "MALE", "language": "en",
            "type_of_id": "Reisepass", "id_issue_date": "2021-05-10", "custom_id": "order-42"
        }),
        "absent optional fields are not sent"
    );
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(
        seen[1].body,
        Some(
            json!({ "ident_id": IDENT_ID, "termin_date": "2024-06-30T15:20+01:00", "termin_user": "1" })
        )
    );
    // The GET with a JSON body.
    assert_eq!(seen[5].body, Some(json!({ "project_id": 6 })));
    assert_eq!(seen[5].content_type.as_deref(), Some("application/json"));
    assert_eq!(seen[4].body, None, "getAll sends no body");
    // The vendor requires Content-Type on every call: codegen.toml's [api.headers].
    for get_without_body in seen.iter().filter(|s| s.body.is_none()) {
        assert_eq!(
            get_without_body.content_type.as_deref(),
            Some("application/json"),
            "{}",
            get_without_body.path
        );
    }

    // Nothing personal or secret in the Debug output of what the user holds.
    let debug = format!(
        "{ident:?} {ident:#?} {all:?} {client:?} {:?}",
        create_request()
    );
    for secret in [
        "Sven",
        "Faerber",
        "sven@3flows.com",
        "Markgrafenstr.",
        "51427",
        "Bergisch Gladbach",
        "017624751749",
        "LJFE8J32NDM",
        "1973-12-17",
        "BERLIN",
        "10-05-2021",
        "secret-path",
        "/download/29078/",
        "johndoe@identify24.de",
        "1981-09-05",
        "NÜRNBERG",
        API_KEY,
        "jwt-1",
    ] {
        assert!(
            !debug.contains(secret),
            "`{secret}` appears in Debug output"
        );
    }
    assert!(debug.contains("[redacted]"));
    // Non-personal fields stay readable.
    assert!(debug.contains("Successful"), "{debug}");
}

#[tokio::test]
async fn an_expired_token_means_a_new_login_and_the_call_succeeds() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server, API_KEY);

    client.get_all_projects().send().await.expect("first call");
    assert_eq!(vendor.logins.load(Ordering::SeqCst), 1);

    // 30 minutes idle: the vendor invalidates the JWT.
    *vendor.valid_token.lock().unwrap() = None;
    let ident = client
        .get_ident()
        .ident_id(IDENT_ID)
        .send()
        .await
        .expect("replayed after a new login");
    assert_eq!(ident.status(), 200);
    assert_eq!(ident.data.id, IDENT_ID);
    assert_eq!(vendor.logins.load(Ordering::SeqCst), 2);

    let seen = vendor.seen.lock().unwrap().clone();
    let tokens: Vec<_> = seen.iter().map(|s| s.token.clone().unwrap()).collect();
    assert_eq!(tokens, ["jwt-1", "jwt-1", "jwt-2"]);
    assert_eq!(seen[1].path, seen[2].path, "the same call replayed");

    // A POST with a body is replayed with its body.
    *vendor.valid_token.lock().unwrap() = None;
    let created = client
        .create_ident()
        .body(create_request())
        .send()
        .await
        .expect("create replayed after a new login");
    assert_eq!(created.ident_id, IDENT_ID);
    assert_eq!(vendor.logins.load(Ordering::SeqCst), 3);
    let seen = vendor.seen.lock().unwrap().clone();
    let last = seen.last().unwrap();
    assert_eq!(last.token.as_deref(), Some("jwt-3"));
    assert_eq!(last.body.as_ref().unwrap()["project_id"], "6");
}

#[tokio::test]
async fn vendor_errors_come_back_as_the_typed_envelope() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = identify::Client::builder()
        .base_url(server.base_url.clone())
        .credentials(Credentials::partner(PARTNER, API_KEY))
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .expect("client");

    let error = client
        .get_ident()
        .ident_id("nope")
        .send()
        .await
        .expect_err("unknown ident");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().unwrap(), 404);
    let envelope = error.typed().expect("the documented envelope");
    assert!(!envelope.result);
    assert_eq!(envelope.messages, ["Ident not found"]);
    assert_eq!(envelope.response_status, Some(404));
    let decoded = error.vendor().expect("decoded vendor error");
    assert_eq!(decoded.shape, VendorErrorShape::Identify);
    assert_eq!(decoded.message.as_deref(), Some("Ident not found"));
    assert!(!error.is_retryable());
    let shown = error.to_string();
    assert!(
        shown.contains("get_ident") && shown.contains("404"),
        "{shown}"
    );
    assert!(!shown.contains("nope"), "no URL in the message: {shown}");

    let error = client
        .get_project()
        .body(types::GetProjectRequest::builder().project_id(99))
        .send()
        .await
        .expect_err("unknown project");
    assert_eq!(error.status().unwrap(), 404);
    assert_eq!(error.typed().unwrap().messages, ["Project not found"]);

    // 429: retried by the runtime as its policy allows, then typed.
    vendor.throttled.store(true, Ordering::SeqCst);
    let before = vendor.seen.lock().unwrap().len();
    let error = client
        .get_all_webhooks()
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().unwrap(), 429);
    assert_eq!(error.typed().unwrap().messages, ["Too many requests"]);
    assert!(error.is_retryable());
    assert_eq!(
        vendor.seen.lock().unwrap().len() - before,
        3,
        "three attempts"
    );
    vendor.throttled.store(false, Ordering::SeqCst);

    // A required field left out is caught before anything is sent.
    let before = vendor.seen.lock().unwrap().len();
    let error = client
        .create_ident()
        .body(types::CreateIdentRequest::builder().project_id("6"))
        .send()
        .await
        .expect_err("missing required fields");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error:?}");
    assert_eq!(vendor.seen.lock().unwrap().len(), before);
}

#[tokio::test]
async fn a_wrong_api_key_surfaces_the_login_error_without_the_key() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server, "wrong-api-key");
    let error = client
        .get_all_projects()
        .send()
        .await
        .expect_err("must fail");
    assert_eq!(error.kind(), ErrorKind::Auth);
    let message = error.to_string();
    assert!(message.contains("/auth"), "{message}");
    // The vendor's own words are on the typed error, not in the text (they may echo input).
    assert!(!message.contains("Invalid partner or API key"), "{message}");
    assert_eq!(
        error.auth_failure(),
        Some(idverify_runtime::AuthFailure::CredentialsRefused)
    );
    match error.auth_error() {
        Some(idverify_runtime::AuthError::Rejected { description, .. }) => {
            assert_eq!(description.as_deref(), Some("Invalid partner or API key"))
        }
        other => panic!("expected the refused login: {other:?}"),
    }
    assert!(!message.contains("wrong-api-key"), "{message}");
    assert!(!format!("{error:?}").contains("wrong-api-key"));
    assert!(
        vendor.seen.lock().unwrap().is_empty(),
        "no call without a token"
    );
}

#[test]
fn production_is_the_documented_host() {
    assert_eq!(
        identify::environments::PRODUCTION.base_url,
        "https://api.identify24.de"
    );
    let err = identify::Client::builder()
        .base_url("http://api.identify24.de")
        .credentials(Credentials::partner(PARTNER, API_KEY))
        .build()
        .expect_err("plain http to a remote host");
    assert!(err.to_string().contains("not HTTPS"), "{err}");
}

#[test]
fn every_seed_sample_round_trips() {
    let count = round_trip_examples!("identify-videoident", {
        "/paths/~1ident~1create/post/requestBody/content/application~1json/examples/body/value" => types::CreateIdentRequest,
        "/paths/~1ident~1create/post/requestBody/content/application~1json/examples/curl/value" => types::CreateIdentRequest,
        "/paths/~1ident~1create/post/responses/200/content/application~1json/example" => types::CreateIdentResponse,
        "/paths/~1ident~1setOnboardifyAppointment/post/requestBody/content/application~1json/example" => types::SetAppointmentRequest,
        "/paths/~1ident~1setOnboardifyAppointment/post/responses/200/content/application~1json/example" => types::SetAppointmentResponse,
        "/paths/~1ident~1get~1{ident_id}/get/responses/200/content/application~1json/example" => types::GetIdentResponse,
        "/paths/~1ident~1getIdentData~1{ident_id}/get/responses/200/content/application~1json/example" => types::GetIdentDataResponse,
        "/paths/~1project~1getAll/get/responses/200/content/application~1json/example" => types::GetAllProjectsResponse,
        "/paths/~1project~1get/get/requestBody/content/application~1json/example" => types::GetProjectRequest,
        "/paths/~1project~1get/get/responses/200/content/application~1json/example" => types::GetProjectResponse,
        "/paths/~1webhook~1getAll/get/responses/200/content/application~1json/example" => types::GetAllWebhooksResponse,
        "/components/schemas/PartnerLoginRequest/example" => types::PartnerLoginRequest,
        "/components/schemas/PartnerLoginResponse/example" => types::PartnerLoginResponse,
        "/components/schemas/WebhookPayload/example" => types::WebhookPayload,
    });
    assert_eq!(count, 14);
}

#[test]
fn the_seed_samples_read_as_documented() {
    let spec = spec("identify-videoident");
    let at = |pointer: &str| spec.pointer(pointer).unwrap().clone();

    let ident: types::GetIdentResponse = assert_round_trip(
        "get",
        &at("/paths/~1ident~1get~1{ident_id}/get/responses/200/content/application~1json/example"),
    );
    // The seed's odd values are kept: an empty gender, an undocumented ID type.
    assert_eq!(
        ident.data.gender,
        Some(types::Gender::Unknown(String::new()))
    );
    assert_eq!(
        ident.data.id_type,
        Some(types::TypeOfId::Unknown("ghjhggh".into()))
    );
    assert_eq!(ident.data.known_status(), Some(IdentStatus::Successful));
    assert_eq!(
        ident
            .data
            .created_at
            .as_ref()
            .unwrap()
            .naive()
            .unwrap()
            .to_string(),
        "2023-08-03 12:45:56"
    );

    let data: types::GetIdentDataResponse = assert_round_trip(
        "data",
        &at(
            "/paths/~1ident~1getIdentData~1{ident_id}/get/responses/200/content/application~1json/example",
        ),
    );
    let screenshots = data.data.screenshots.as_ref().unwrap();
    assert_eq!(screenshots.len(), 2);
    assert_eq!(
        screenshots[1].download_url(),
        Some("https://api.identify24.de/download/29078/54071.png")
    );
    assert!(data.data.signed_pdf.as_ref().unwrap().file_hash.is_some());

    let login: types::PartnerLoginResponse = assert_round_trip(
        "login",
        &at("/components/schemas/PartnerLoginResponse/example"),
    );
    assert!(login.result);
    assert_eq!(login.token.as_deref(), Some("xxx"));
    assert_eq!(login.response_status, Some(200));

    // The webhook payload sample holds placeholders: no status code to read.
    let payload: types::WebhookPayload =
        assert_round_trip("payload", &at("/components/schemas/WebhookPayload/example"));
    assert_eq!(payload.status_code_number(), None);
}

#[test]
fn responses_from_a_newer_api_still_deserialize() {
    let ident: types::GetIdentResponse = serde_json::from_value(json!({
        "result": true,
        "messages": ["ok"],
        "response_status": null,
        "brand_new_envelope_field": { "x": 1 },
        "data": {
            "id": "i-1",
            "gender": "DIVERSE",
            "id_type": "Aufenthaltstitel",
            "status": "Cancelled",
            "status_code": "7",
            "appointment_date": null,
            "person_first_name": null,
            "created_at": "next Tuesday",
            "video_quality": "HD"
        }
    }))
    .expect("forward compatible");
    assert_eq!(ident.response_status, None);
    let data = &ident.data;
    assert_eq!(data.gender, Some(types::Gender::Unknown("DIVERSE".into())));
    assert_eq!(
        data.id_type,
        Some(types::TypeOfId::Unknown("Aufenthaltstitel".into()))
    );
    assert_eq!(data.appointment_date, None);
    assert_eq!(data.person_first_name, None);
    assert_eq!(data.known_status(), Some(IdentStatus::Other(7)));
    // A date in a format nobody knows does not fail the response; its text is kept.
    let created_at = data.created_at.as_ref().unwrap();
    assert_eq!(created_at.raw(), "next Tuesday");
    assert_eq!(created_at.parsed(), None);
    // Unknown enum values go back out unchanged.
    assert_eq!(
        serde_json::to_value(&ident.data).unwrap()["gender"],
        "DIVERSE"
    );

    let files: types::GetIdentDataResponse = serde_json::from_value(json!({
        "result": true,
        "messages": [],
        "data": {
            "ident": { "id": "i-1" },
            "identification_pdf": null,
            "signed_pdf": null,
            "recordings": null,
            "screenshots": [{ "file_name": "1.png", "download_link": "https://x/1.png", "thumbnail": "t" }],
            "documents": []
        }
    }))
    .expect("null files");
    assert_eq!(files.data.recordings, None);
    assert_eq!(files.data.identification_pdf, None);

    let webhooks: types::GetAllWebhooksResponse = serde_json::from_value(json!({
        "result": true, "messages": [], "data": [{ "id": "9", "status": "5", "url": null }]
    }))
    .unwrap();
    assert_eq!(
        webhooks.data[0].known_status(),
        Some(WebhookStatus::Other(5))
    );
}

#[test]
fn typed_views_of_the_documented_codes() {
    for (code, status) in [
        (1, WebhookStatus::Pending),
        (2, WebhookStatus::Running),
        (3, WebhookStatus::Success),
        (4, WebhookStatus::Failed),
    ] {
        assert_eq!(WebhookStatus::from_code(code), status);
        assert_eq!(status.code(), code);
        let webhook = types::Webhook::builder()
            .id("1")
            .status(Some(code.to_string()));
        let webhook: types::Webhook = webhook.try_into().unwrap();
        assert_eq!(webhook.known_status(), Some(status));
    }
    assert_eq!(IdentStatus::from_code(5), IdentStatus::Successful);
    assert_eq!(IdentStatus::Successful.code(), 5);

    let payload: types::WebhookPayload = serde_json::from_value(json!({
        "ident_id": "i-1", "status": "Successful", "status_code": " 5 ",
        "first_name": "Erika", "last_name": "Mustermann"
    }))
    .unwrap();
    assert_eq!(payload.known_status(), Some(IdentStatus::Successful));
    let debug = format!("{payload:?}");
    assert!(
        !debug.contains("Erika") && !debug.contains("Mustermann"),
        "{debug}"
    );
    assert!(debug.contains("[redacted]"), "{debug}");
}

#[test]
fn login_bodies_keep_secrets_out_of_debug() {
    let request = types::PartnerLoginRequest::builder()
        .partner(PARTNER)
        .apikey("very-secret-key");
    let request: types::PartnerLoginRequest = request.try_into().unwrap();
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({ "PARTNER": PARTNER, "APIKEY": "very-secret-key" })
    );
    let response: types::PartnerLoginResponse = serde_json::from_value(json!({
        "result": true, "response_status": 200, "token": "eyJ.secret.jwt", "messages": ["Successful.."]
    }))
    .unwrap();
    let debug = format!("{request:?} {response:?}");
    assert!(!debug.contains("very-secret-key"), "{debug}");
    assert!(!debug.contains("eyJ.secret.jwt"), "{debug}");
    assert!(debug.contains(PARTNER), "{debug}");
}
