//! The generated Identify VideoIdent client against the sandbox (partner login at
//! `/auth`, `X-API-PARTNER` / `X-API-TOKEN` on every call, the
//! `{result, messages, data, response_status}` envelope, numeric-string status codes,
//! dates in several formats and a GET with a JSON body; what the client sent read from
//! the sandbox's journal), and the spec's examples.

use std::time::Duration;

use idverify_identify_videoident::{self as identify, IdentStatus, WebhookStatus, types};
use idverify_runtime::{Credentials, ErrorKind, ParsedDateTime, RetryPolicy, VendorErrorShape};
use idverify_sandbox::{Api, JournalEntry, Outcome, Sandbox, SandboxApi, journal, persons};
use idverify_tests::{assert_round_trip, fail_next_calls, round_trip_examples, spec};
use serde_json::json;

const API: Api = Api::IdentifyVideoident;
const PARTNER: &str = "911-internet";
const API_KEY: &str = "api-key";

/// The calls the sandbox received, as (method, path under the API's base URL).
fn calls(journal: &[JournalEntry]) -> Vec<(String, String)> {
    journal
        .iter()
        .map(|e| {
            let path = e
                .path
                .strip_prefix(identify::Client::API_PATH)
                .unwrap_or(&e.path);
            (e.method.clone(), path.to_string())
        })
        .collect()
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
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<identify::Client>().expect("client");
    let partner = sandbox.endpoint::<identify::Client>().client;

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
    let ident_id = created.ident_id.clone();
    assert_eq!(
        created.conference_url,
        Some(format!(
            "{}/_sandbox/ui/identify-videoident/{ident_id}",
            sandbox.base_url()
        ))
    );

    // Appointment.
    let appointment = client
        .set_onboardify_appointment()
        .body(
            types::SetAppointmentRequest::builder()
                .ident_id(&ident_id)
                .termin_date("2024-06-30T15:20+01:00")
                .termin_user("1"),
        )
        .send()
        .await
        .expect("appointment")
        .into_inner();
    assert!(!appointment.insert_id.is_empty());

    let person = persons::SVEN;
    sandbox
        .control()
        .complete(API, &ident_id, &person, Outcome::Success)
        .expect("complete");

    // Get.
    let ident = client
        .get_ident()
        .ident_id(&ident_id)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert!(ident.result);
    let data = &ident.data;
    assert_eq!(data.id, ident_id);
    assert_eq!(data.person_first_name.as_deref(), Some(person.first_name));
    assert_eq!(data.gender, Some(types::Gender::Male));
    assert_eq!(data.status_code.as_deref(), Some("5"));
    assert_eq!(data.status_code_number(), Some(5));
    assert_eq!(data.known_status(), Some(IdentStatus::Successful));
    // Three date formats in one payload, all read.
    let created_at = data.created_at.as_ref().unwrap();
    assert!(
        created_at.naive().is_some(),
        "DD-MM-YYYY HH:MM:SS: {}",
        created_at.raw()
    );
    let appointment_date = data.appointment_date.as_ref().unwrap();
    assert_eq!(
        appointment_date.with_offset().unwrap().to_rfc3339(),
        "2024-06-30T15:20:00+01:00"
    );
    assert_eq!(
        data.id_issue_date
            .as_ref()
            .unwrap()
            .date()
            .unwrap()
            .to_string(),
        "2021-05-10"
    );

    // All data.
    let all = client
        .get_ident_data()
        .ident_id(&ident_id)
        .send()
        .await
        .expect("ident data")
        .into_inner();
    let files = &all.data;
    assert_eq!(files.ident.id, ident_id);
    let pdf = files
        .identification_pdf
        .as_ref()
        .expect("identification pdf");
    assert_eq!(pdf.file_hash.as_ref().map(String::len), Some(64));
    assert!(matches!(
        pdf.file_date.as_ref().unwrap().parsed(),
        Some(ParsedDateTime::Local(_))
    ));
    assert_eq!(files.signed_pdf, None, "nothing to sign: null signed_pdf");
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
    let customer = files.ident.customer_id.as_deref().expect("customer id");
    assert!(
        screenshots[0]
            .download_url()
            .unwrap()
            .contains(&format!("/download/{customer}/")),
        "{:?}",
        screenshots[0].download_url()
    );

    // Projects.
    let projects = client
        .get_all_projects()
        .send()
        .await
        .expect("projects")
        .into_inner();
    assert_eq!(projects.response_status, Some(200));
    let ids: Vec<_> = projects
        .data
        .iter()
        .map(|p| (p.id.as_str(), p.status.as_deref().unwrap()))
        .collect();
    assert_eq!(ids, [("6", "Active"), ("7", "Inactive")]);
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
    assert!(
        webhooks.data[0]
            .updated_at
            .as_ref()
            .unwrap()
            .naive()
            .is_some()
    );

    // What went over the wire: one login for all of it, with the documented body.
    let journal = sandbox.journal(API);
    assert_eq!(
        calls(&journal),
        [
            ("POST", "/auth".to_string()),
            ("POST", "/ident/create".to_string()),
            ("POST", "/ident/setOnboardifyAppointment".to_string()),
            ("GET", format!("/ident/get/{ident_id}")),
            ("GET", format!("/ident/getIdentData/{ident_id}")),
            ("GET", "/project/getAll".to_string()),
            ("GET", "/project/get".to_string()),
            ("GET", "/webhook/getAll".to_string()),
        ]
        .map(|(m, p)| (m.to_string(), p))
    );
    assert_eq!(
        journal[0].json(),
        Some(json!({ "PARTNER": partner.id, "APIKEY": journal::REDACTED }))
    );
    let seen = &journal[1..];
    for s in seen {
        assert_eq!(s.header("x-api-partner"), Some(partner.id), "{s:?}");
        assert_eq!(s.header("x-api-token"), Some(journal::REDACTED), "{s:?}");
    }
    assert_eq!(
        seen[0].json(),
        Some(json!({
            "project_id": "6", "birthday": "1981-09-05", "email": "johndoe@identify24.de",
            "person_first_name": "JOHN", "person_last_name": "DOE", "mobile_phone": "01511111111",
            "nationality": "DE", "street": "MARKGRAFENSTR.", "house_no": "23", "zip_code": "94670",
            "city": "NÜRNBERG", "country": "DE", "gender": "MALE", "language": "en",
            "type_of_id": "Reisepass", "id_issue_date": "2021-05-10", "custom_id": "order-42"
        })),
        "absent optional fields are not sent"
    );
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(
        seen[1].json(),
        Some(
            json!({ "ident_id": ident_id, "termin_date": "2024-06-30T15:20+01:00", "termin_user": "1" })
        )
    );
    // The GET with a JSON body.
    assert_eq!(seen[5].json(), Some(json!({ "project_id": 6 })));
    assert_eq!(seen[5].header("content-type"), Some("application/json"));
    assert!(seen[4].body.is_empty(), "getAll sends no body");
    // The vendor requires Content-Type on every call: codegen.toml's [api.headers].
    for get_without_body in seen.iter().filter(|s| s.body.is_empty()) {
        assert_eq!(
            get_without_body.header("content-type"),
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
        person.first_name,
        person.last_name,
        person.national_id,
        person.street,
        person.city,
        "johndoe@identify24.de",
        "01511111111",
        "1981-09-05",
        "10-05-2021",
        "NÜRNBERG",
        "MARKGRAFENSTR.",
        &format!("/download/{customer}/"),
        partner.secret,
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
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<identify::Client>().expect("client");
    let created = client
        .create_ident()
        .body(create_request())
        .send()
        .await
        .expect("first call")
        .into_inner();
    let ident_id = created.ident_id;

    // 30 minutes idle: the vendor invalidates the JWT.
    sandbox.control().advance(Duration::from_secs(31 * 60));
    let ident = client
        .get_ident()
        .ident_id(&ident_id)
        .send()
        .await
        .expect("replayed after a new login");
    assert_eq!(ident.status(), 200);
    assert_eq!(ident.data.id, ident_id);

    // A POST with a body is replayed with its body.
    sandbox.control().advance(Duration::from_secs(31 * 60));
    let again = client
        .create_ident()
        .body(create_request())
        .send()
        .await
        .expect("create replayed after a new login");
    assert!(!again.ident_id.is_empty());

    let journal = sandbox.journal(API);
    let get = format!("/ident/get/{ident_id}");
    let seen: Vec<(String, String, u16)> = calls(&journal)
        .into_iter()
        .zip(&journal)
        .map(|((method, path), e)| (method, path, e.status))
        .collect();
    let expected: Vec<(String, String, u16)> = [
        ("POST", "/auth", 200),
        ("POST", "/ident/create", 200),
        ("GET", get.as_str(), 401),
        ("POST", "/auth", 200),
        ("GET", get.as_str(), 200),
        ("POST", "/ident/create", 401),
        ("POST", "/auth", 200),
        ("POST", "/ident/create", 200),
    ]
    .iter()
    .map(|(m, p, s)| (m.to_string(), p.to_string(), *s))
    .collect();
    assert_eq!(seen, expected);
    assert_eq!(journal[5].body, journal[7].body, "the same body replayed");
    assert_eq!(journal[7].json().unwrap()["project_id"], "6");
}

#[tokio::test]
async fn vendor_errors_come_back_as_the_typed_envelope() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder::<identify::Client>()
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
    assert_eq!(envelope.messages.len(), 1);
    assert_eq!(envelope.response_status, Some(404));
    let decoded = error.vendor().expect("decoded vendor error");
    assert_eq!(decoded.shape, VendorErrorShape::Identify);
    assert_eq!(
        decoded.message.as_deref(),
        Some(envelope.messages[0].as_str())
    );
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
    assert_eq!(error.typed().unwrap().messages.len(), 1);

    // 429: retried by the runtime as its policy allows, then typed.
    fail_next_calls(&sandbox, API, 429, 10);
    let before = sandbox.journal(API).len();
    let error = client
        .get_all_webhooks()
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().unwrap(), 429);
    assert!(!error.typed().unwrap().result);
    assert_eq!(error.typed().unwrap().response_status, Some(429));
    assert!(error.is_retryable());
    assert_eq!(sandbox.journal(API).len() - before, 3, "three attempts");
    sandbox.faults().clear();

    // A required field left out is caught before anything is sent.
    let before = sandbox.journal(API).len();
    let error = client
        .create_ident()
        .body(types::CreateIdentRequest::builder().project_id("6"))
        .send()
        .await
        .expect_err("missing required fields");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error:?}");
    assert_eq!(sandbox.journal(API).len(), before);
}

#[tokio::test]
async fn a_wrong_api_key_surfaces_the_login_error_without_the_key() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_with_secret::<identify::Client>("wrong-api-key")
        .unwrap();
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
            assert_eq!(description.as_deref(), Some("Invalid partner or API key."))
        }
        other => panic!("expected the refused login: {other:?}"),
    }
    assert!(!message.contains("wrong-api-key"), "{message}");
    assert!(!format!("{error:?}").contains("wrong-api-key"));
    let journal = sandbox.journal(API);
    assert_eq!(
        calls(&journal),
        [("POST".to_string(), "/auth".to_string())],
        "no call without a token"
    );
    assert_eq!(journal[0].status, 401);
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
    assert_eq!(ident.data.gender, Some(types::Gender::from("")));
    assert_eq!(ident.data.id_type, Some(types::TypeOfId::from("ghjhggh")));
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
    assert_eq!(data.gender, Some(types::Gender::from("DIVERSE")));
    assert_eq!(
        data.id_type,
        Some(types::TypeOfId::from("Aufenthaltstitel"))
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
