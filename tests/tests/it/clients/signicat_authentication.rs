//! The generated Signicat Authentication client against the sandbox (token endpoint,
//! create, get, cancel, what the client sent read from the sandbox's journal), the
//! spec's examples, and error bodies the vendor may send that the sandbox does not.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use idverify_runtime::{ErrorKind, VendorErrorShape};
use idverify_sandbox::{Api, Outcome, Sandbox, SandboxApi, persons};
use idverify_signicat_authentication as signicat;
use idverify_tests::{
    LocalServer, api_calls, body_text, fail_next_calls, token_requests, workspace_root,
};
use serde_json::{Value, json};

const API: Api = Api::SignicatAuthentication;

#[tokio::test]
async fn create_get_and_cancel_a_session() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let endpoint = sandbox.endpoint::<signicat::Client>();

    let request = || {
        signicat::types::CreateSessionRequest::builder()
            .flow(signicat::types::Flow::Redirect)
            .requested_attributes(vec![
                signicat::types::RequestedAttribute::Name,
                signicat::types::RequestedAttribute::Nin,
                signicat::types::RequestedAttribute::DateOfBirth,
                signicat::types::RequestedAttribute::Email,
                signicat::types::RequestedAttribute::PhoneNumber,
            ])
            .external_reference("order-42")
            .prefilled_input(Some(
                signicat::types::PrefilledInput::builder()
                    .nin(Some("07128312345".to_string()))
                    .try_into()
                    .unwrap(),
            ))
    };
    let created = client
        .create_session()
        .body(request())
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 200);
    let created = created.into_inner();
    assert_eq!(
        created.status,
        Some(signicat::types::SessionStatus::Created)
    );
    assert_eq!(created.flow, Some(signicat::types::Flow::Redirect));
    let id = created.id.clone().expect("session id");
    assert!(
        created
            .authentication_url
            .as_deref()
            .unwrap()
            .ends_with(&id)
    );
    let posted = sandbox.journal(API);
    let posted = posted
        .iter()
        .find(|e| e.method == "POST" && e.path.ends_with("/auth/rest/sessions"))
        .expect("the create call");
    assert_eq!(posted.header("content-type"), Some("application/json"));
    assert_eq!(posted.header("authorization"), Some("Bearer [redacted]"));
    assert_eq!(
        posted.json().unwrap(),
        json!({
            "flow": "redirect",
            "requestedAttributes": ["name", "nin", "dateOfBirth", "email", "phoneNumber"],
            "externalReference": "order-42",
            "prefilledInput": { "nin": "07128312345" }
        })
    );

    let person = persons::KARI;
    sandbox
        .control()
        .complete(API, &id, &person, Outcome::Success)
        .expect("complete");
    let fetched = client
        .get_session()
        .id(&id)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(
        fetched.status,
        Some(signicat::types::SessionStatus::Success)
    );
    let subject = fetched.subject.as_ref().expect("subject");
    assert!(
        subject.name.as_deref().unwrap().contains(person.last_name),
        "{:?}",
        subject.name
    );
    assert_eq!(
        subject.nin.as_ref().and_then(|n| n.value.as_deref()),
        Some(person.national_id)
    );
    // Attributes beyond the named ones are kept.
    assert_eq!(
        subject.extra.get("phoneNumber"),
        Some(&json!(person.phone_number))
    );

    // A session not yet completed can be cancelled.
    let open = client
        .create_session()
        .body(request())
        .send()
        .await
        .expect("create")
        .into_inner();
    let cancelled = client
        .cancel_session()
        .id(open.id.as_deref().unwrap())
        .send()
        .await
        .expect("cancel")
        .into_inner();
    assert_eq!(
        cancelled.status,
        Some(signicat::types::SessionStatus::Cancelled)
    );

    // One token for the four calls, requested with the documented scope.
    let tokens = token_requests::<signicat::Client>(&sandbox);
    assert_eq!(tokens.len(), 1);
    assert_eq!(api_calls::<signicat::Client>(&sandbox).len(), 4);
    let form = body_text(&tokens[0]);
    assert!(form.contains("grant_type=client_credentials"), "{form}");
    assert!(form.contains("scope=signicat-api"), "{form}");

    // Nothing personal or secret in Debug output of anything the user holds.
    let debug = format!("{fetched:?} {fetched:#?} {client:?} {created:?}");
    for secret in [
        person.first_name,
        person.last_name,
        person.national_id,
        person.email,
        person.phone_number,
        person.date_of_birth,
        endpoint.client.secret,
    ] {
        assert!(
            !debug.contains(secret),
            "`{secret}` appears in Debug output"
        );
    }
}

#[tokio::test]
async fn vendor_errors_are_typed_and_unknown_sessions_are_404() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    match client.get_session().id("nope").send().await {
        Err(error) if error.kind() == ErrorKind::Vendor => {
            assert_eq!(error.status().unwrap(), 404);
            let problem = error.typed().unwrap();
            assert_eq!(problem.title.as_deref(), Some("Session not found"));
            assert_eq!(error.vendor().unwrap().shape, VendorErrorShape::Problem);
            let trace_id = problem.trace_id.clone().expect("a trace id");
            assert_eq!(error.request_id().as_deref(), Some(trace_id.as_str()));
            assert!(!error.is_retryable());
            let shown = error.to_string();
            assert!(
                shown.contains("get_session") && shown.contains("404") && shown.contains(&trace_id),
                "{shown}"
            );
        }
        other => panic!("expected the vendor's problem document, got {other:?}"),
    }
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_call_replayed() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let body = || {
        signicat::types::CreateSessionRequest::builder()
            .flow(signicat::types::Flow::Headless)
            .requested_attributes(Vec::<signicat::types::RequestedAttribute>::new())
    };
    client
        .create_session()
        .body(body())
        .send()
        .await
        .expect("first call");
    // The vendor rejects the token it issued.
    fail_next_calls(&sandbox, API, 401, 1);
    let again = client
        .create_session()
        .body(body())
        .send()
        .await
        .expect("replayed after 401");
    assert_eq!(again.status(), 200);
    let calls: Vec<(String, u16)> = sandbox
        .journal(API)
        .into_iter()
        .map(|e| {
            (
                if e.path == signicat::Client::TOKEN_PATH {
                    "token"
                } else {
                    "create"
                }
                .to_string(),
                e.status,
            )
        })
        .collect();
    let calls: Vec<(&str, u16)> = calls.iter().map(|(c, s)| (c.as_str(), *s)).collect();
    assert_eq!(
        calls,
        [
            ("token", 200),
            ("create", 200),
            ("create", 401),
            ("token", 200),
            ("create", 200)
        ]
    );
}

#[tokio::test]
async fn bad_client_credentials_surface_the_token_endpoint_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_with_secret::<signicat::Client>("wrong-secret")
        .unwrap();
    let err = client
        .get_session()
        .id("x")
        .send()
        .await
        .expect_err("must fail");
    let message = err.to_string();
    assert!(message.contains("/auth/open/connect/token"), "{message}");
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("wrong-secret"), "{message}");
    assert!(api_calls::<signicat::Client>(&sandbox).is_empty());
    let tokens = token_requests::<signicat::Client>(&sandbox);
    assert_eq!(tokens.len(), 1, "the token request only");
    let form = body_text(&tokens[0]);
    assert!(!form.contains("wrong-secret"), "{form}");
}

#[test]
fn plain_http_is_refused_unless_loopback() {
    let err = signicat::Client::builder()
        .base_url("http://api.signicat.com/auth/rest")
        .build()
        .expect_err("http to a remote host");
    assert!(err.to_string().contains("not HTTPS"), "{err}");
    assert!(
        signicat::Client::builder()
            .base_url("http://127.0.0.1:9/auth/rest")
            .build()
            .is_ok()
    );
    assert_eq!(
        signicat::environments::PRODUCTION.base_url,
        "https://api.signicat.com/auth/rest"
    );
}

fn spec() -> Value {
    let text = std::fs::read_to_string(
        workspace_root().join("specs/signicat-authentication/openapi.yaml"),
    )
    .unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

#[test]
fn the_seed_samples_round_trip() {
    // Every example of the spec (the seed's samples), each through its type.
    let count = idverify_tests::round_trip_examples!("signicat-authentication", {
        "/paths/~1sessions/post/requestBody/content/application~1json/example" => signicat::types::CreateSessionRequest,
        "/paths/~1sessions/post/responses/200/content/application~1json/example" => signicat::types::Session,
        "/components/responses/Problem/content/application~1problem+json/example" => signicat::types::Problem,
        // An encrypted session is a JWE: text the runtime decrypts before typing it.
        "/paths/~1sessions~1{id}/get/responses/200/content/application~1jose/schema/example" => String,
    });
    assert_eq!(count, 4);

    let response = spec()
        .pointer("/paths/~1sessions/post/responses/200/content/application~1json/example")
        .cloned()
        .unwrap();
    let typed: signicat::types::Session = serde_json::from_value(response).unwrap();
    assert_eq!(typed.status, Some(signicat::types::SessionStatus::Success));
    assert_eq!(
        typed.subject.as_ref().unwrap().extra.get("attribute_1"),
        Some(&json!("random_attr"))
    );
}

#[test]
fn responses_from_a_newer_api_still_deserialize() {
    let session: signicat::types::Session = serde_json::from_value(json!({
        "id": "s", "status": "PENDING_REVIEW", "flow": "kiosk", "newField": { "x": 1 }, "provider": null
    }))
    .expect("forward compatible");
    assert_eq!(
        session.status,
        Some(signicat::types::SessionStatus::from("PENDING_REVIEW"))
    );
    assert_eq!(session.flow, Some(signicat::types::Flow::from("kiosk")));
    assert_eq!(session.provider, None);
}

#[tokio::test]
async fn errors_never_show_bodies_or_personal_data() {
    let server = LocalServer::start(
        Router::new()
            // Right status, wrong shape: `status` is not a string.
            .route(
                "/sessions/garbled",
                get(|| async {
                    axum::Json(json!({ "id": "s", "status": 7, "subject": { "name": "Kari Nordmann" } }))
                }),
            )
            .route(
                "/sessions/x",
                get(|| async {
                    (
                        StatusCode::BAD_REQUEST,
                        [("content-type", "application/problem+json")],
                        json!({ "title": "Invalid", "detail": "NIN 01017012345 is invalid", "invalidParams": [{ "name": "nin", "reason": "01017012345 is not valid" }] })
                            .to_string(),
                    )
                }),
            ),
    )
    .await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .build()
        .unwrap();

    let garbled = client
        .get_session()
        .id("garbled")
        .send()
        .await
        .expect_err("schema mismatch");
    assert_eq!(garbled.kind(), ErrorKind::InvalidResponse);
    assert_eq!(garbled.status().map(|s| s.as_u16()), Some(200));
    let shown = format!(
        "{garbled} {garbled:?} {:?}",
        std::error::Error::source(&garbled).map(|s| s.to_string())
    );
    assert!(
        !shown.contains("Kari") && !shown.contains("Nordmann"),
        "{shown}"
    );
    assert!(
        String::from_utf8_lossy(garbled.raw_body().unwrap()).contains("Kari Nordmann"),
        "the body is kept for whoever asks"
    );

    let rejected = client
        .get_session()
        .id("x")
        .send()
        .await
        .expect_err("vendor error");
    let shown = format!("{rejected} {rejected:?}");
    assert!(!shown.contains("01017012345"), "{shown}");
    assert_eq!(rejected.vendor().unwrap().invalid_params[0].name, "nin");
    assert!(
        rejected
            .vendor()
            .unwrap()
            .message
            .as_deref()
            .unwrap()
            .contains("01017012345"),
        "reachable on request"
    );
}

#[tokio::test]
async fn builders_take_text_and_report_a_broken_limit_or_a_missing_member_at_send() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().unwrap();
    let request = || {
        signicat::types::CreateSessionRequest::builder()
            .flow(signicat::types::Flow::Redirect)
            .requested_attributes(vec![signicat::types::RequestedAttribute::Name])
    };
    // `&str`, `String` and `Option`s of them all fit an optional constrained string.
    let reference = String::from("order-7");
    let _ = request().external_reference(&reference);
    let _ = request().external_reference(Some("order-7"));
    let _ = request().external_reference(None::<&str>);
    let created = client
        .create_session()
        .body(request().external_reference(reference))
        .send()
        .await
        .expect("created")
        .into_inner();
    assert_eq!(created.external_reference.as_deref(), Some("order-7"));

    // Past the limit: `send()` names the member and the limit; nothing is sent.
    let calls = api_calls::<signicat::Client>(&sandbox).len();
    let error = client
        .create_session()
        .body(request().external_reference("x".repeat(101)))
        .send()
        .await
        .expect_err("too long");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    let message = error.to_string();
    assert!(
        message.contains("external_reference") && message.contains("longer than 100 characters"),
        "{message}"
    );
    assert_eq!(api_calls::<signicat::Client>(&sandbox).len(), calls);

    // A required member never set: the type and the member are named.
    let error = client
        .create_session()
        .body(signicat::types::CreateSessionRequest::builder())
        .send()
        .await
        .expect_err("no flow");
    let message = error.to_string();
    assert!(
        message.contains("CreateSessionRequest: the required member `flow` is not set"),
        "{message}"
    );
}
