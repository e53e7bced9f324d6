//! The generated Signicat Authentication client against a local server that speaks the
//! vendor's wire format: token endpoint, create, get, cancel.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use idverify_runtime::{Credentials, ErrorKind, VendorErrorShape};
use idverify_signicat_authentication as signicat;
use idverify_tests::{LocalServer, workspace_root};
use serde_json::{Value, json};

const CLIENT_SECRET: &str = "s3cr3t-client-secret";

#[derive(Default)]
struct Vendor {
    token_requests: AtomicUsize,
    /// Tokens issued so far; the last one is valid.
    tokens: Mutex<Vec<String>>,
    sessions: Mutex<Vec<Value>>,
    token_forms: Mutex<Vec<String>>,
}

fn authorized(vendor: &Vendor, headers: &HeaderMap) -> bool {
    let tokens = vendor.tokens.lock().unwrap();
    let expected = tokens.last().map(|t| format!("Bearer {t}"));
    headers.get("authorization").and_then(|v| v.to_str().ok()) == expected.as_deref()
}

fn problem(status: StatusCode, title: &str) -> axum::response::Response {
    (
        status,
        [("content-type", "application/problem+json")],
        json!({ "type": "about:blank", "title": title, "status": status.as_u16(), "traceId": "trace-1" })
            .to_string(),
    )
        .into_response()
}

fn vendor_routes(vendor: Arc<Vendor>) -> Router {
    Router::new()
        .route(
            "/auth/open/connect/token",
            post(|State(v): State<Arc<Vendor>>, headers: HeaderMap, body: String| async move {
                v.token_requests.fetch_add(1, Ordering::SeqCst);
                v.token_forms.lock().unwrap().push(body.clone());
                let basic = headers.get("authorization").and_then(|h| h.to_str().ok()).unwrap_or("");
                // base64("client-1:s3cr3t-client-secret")
                if basic != "Basic Y2xpZW50LTE6czNjcjN0LWNsaWVudC1zZWNyZXQ=" {
                    return (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": "invalid_client" })))
                        .into_response();
                }
                let mut tokens = v.tokens.lock().unwrap();
                let token = format!("token-{}", tokens.len() + 1);
                tokens.push(token.clone());
                axum::Json(json!({ "access_token": token, "expires_in": 600, "token_type": "Bearer", "scope": "signicat-api" }))
                    .into_response()
            }),
        )
        .route(
            "/auth/rest/sessions",
            post(|State(v): State<Arc<Vendor>>, headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                if !authorized(&v, &headers) {
                    return problem(StatusCode::UNAUTHORIZED, "Unauthorized");
                }
                if body.get("flow").is_none() {
                    return problem(StatusCode::BAD_REQUEST, "flow is required");
                }
                let mut sessions = v.sessions.lock().unwrap();
                let id = format!("sess-{}", sessions.len() + 1);
                let session = json!({
                    "id": id,
                    "accountId": "a-test",
                    "status": "CREATED",
                    "authenticationUrl": format!("https://id.example/auth/{id}"),
                    "flow": body["flow"],
                    "requestedAttributes": body["requestedAttributes"],
                    "externalReference": body["externalReference"],
                });
                sessions.push(session.clone());
                axum::Json(session).into_response()
            }),
        )
        .route(
            "/auth/rest/sessions/{id}",
            get(|State(v): State<Arc<Vendor>>, Path(id): Path<String>, headers: HeaderMap| async move {
                if !authorized(&v, &headers) {
                    return problem(StatusCode::UNAUTHORIZED, "Unauthorized");
                }
                let sessions = v.sessions.lock().unwrap();
                match sessions.iter().find(|s| s["id"] == id.as_str()) {
                    Some(s) => {
                        let mut s = s.clone();
                        // The end-user finished: the seed's subject comes back.
                        s["status"] = json!("SUCCESS");
                        s["subject"] = json!({
                            "id": "9578-6000-4-48855",
                            "name": "John Doe",
                            "dateOfBirth": "2002-06-01",
                            "nin": { "value": "123456789", "issuingCountry": "NOR", "type": "SOCIAL" },
                            "email": "john_doe@mail.com",
                            "phoneNumber": "+4799716935"
                        });
                        s["environment"] = json!({ "ipAddress": "198.51.100.23", "userAgent": "test" });
                        axum::Json(s).into_response()
                    }
                    None => problem(StatusCode::NOT_FOUND, "Session not found"),
                }
            }),
        )
        .route(
            "/auth/rest/sessions/{id}/cancel",
            post(|State(v): State<Arc<Vendor>>, Path(id): Path<String>, headers: HeaderMap| async move {
                if !authorized(&v, &headers) {
                    return problem(StatusCode::UNAUTHORIZED, "Unauthorized");
                }
                let mut sessions = v.sessions.lock().unwrap();
                match sessions.iter_mut().find(|s| s["id"] == id.as_str()) {
                    Some(s) => {
                        s["status"] = json!("CANCELLED");
                        axum::Json(s.clone()).into_response()
                    }
                    None => problem(StatusCode::NOT_FOUND, "Session not found"),
                }
            }),
        )
        .with_state(vendor)
}

fn client(server: &LocalServer, secret: &str) -> signicat::Client {
    signicat::Client::builder()
        .base_url(format!("{}/auth/rest", server.base_url))
        .token_url(format!("{}/auth/open/connect/token", server.base_url))
        .credentials(Credentials::client_credentials("client-1", secret))
        .build()
        .expect("client")
}

#[tokio::test]
async fn create_get_and_cancel_a_session() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server, CLIENT_SECRET);

    let request = signicat::types::CreateSessionRequest::builder()
        .flow(signicat::types::Flow::Redirect)
        .requested_attributes(vec![
            signicat::types::RequestedAttribute::Name,
            signicat::types::RequestedAttribute::Nin,
        ])
        .external_reference(Some("order-42".try_into().unwrap()))
        .prefilled_input(Some(
            signicat::types::PrefilledInput::builder()
                .nin(Some("07128312345".to_string()))
                .try_into()
                .unwrap(),
        ));
    let created = client
        .create_session()
        .body(request)
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
    assert_eq!(subject.name.as_deref(), Some("John Doe"));
    assert_eq!(
        subject.nin.as_ref().and_then(|n| n.value.as_deref()),
        Some("123456789")
    );
    // Attributes beyond the named ones are kept.
    assert_eq!(
        subject.extra.get("phoneNumber"),
        Some(&json!("+4799716935"))
    );

    let cancelled = client
        .cancel_session()
        .id(&id)
        .send()
        .await
        .expect("cancel")
        .into_inner();
    assert_eq!(
        cancelled.status,
        Some(signicat::types::SessionStatus::Cancelled)
    );

    // One token for the three calls, requested with the documented scope.
    assert_eq!(vendor.token_requests.load(Ordering::SeqCst), 1);
    let form = vendor.token_forms.lock().unwrap()[0].clone();
    assert!(form.contains("grant_type=client_credentials"), "{form}");
    assert!(form.contains("scope=signicat-api"), "{form}");

    // Nothing personal or secret in Debug output of anything the user holds.
    let debug = format!("{fetched:?} {fetched:#?} {client:?} {created:?}");
    for secret in [
        "John Doe",
        "123456789",
        "john_doe@mail.com",
        "+4799716935",
        "198.51.100.23",
        "2002-06-01",
        CLIENT_SECRET,
        "token-1",
    ] {
        assert!(
            !debug.contains(secret),
            "`{secret}` appears in Debug output"
        );
    }
}

#[tokio::test]
async fn vendor_errors_are_typed_and_unknown_sessions_are_404() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor)).await;
    let client = client(&server, CLIENT_SECRET);
    match client.get_session().id("nope").send().await {
        Err(error) if error.kind() == ErrorKind::Vendor => {
            assert_eq!(error.status().unwrap(), 404);
            let problem = error.typed().unwrap();
            assert_eq!(problem.title.as_deref(), Some("Session not found"));
            assert_eq!(error.vendor().unwrap().shape, VendorErrorShape::Problem);
            assert_eq!(error.request_id().as_deref(), Some("trace-1"));
            assert!(!error.is_retryable());
            let shown = error.to_string();
            assert!(
                shown.contains("get_session") && shown.contains("404") && shown.contains("trace-1"),
                "{shown}"
            );
        }
        other => panic!("expected the vendor's problem document, got {other:?}"),
    }
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_call_replayed() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server, CLIENT_SECRET);
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
    // The vendor revokes the token (issues a new one the client does not know).
    vendor.tokens.lock().unwrap().push("rotated".into());
    let again = client
        .create_session()
        .body(body())
        .send()
        .await
        .expect("replayed after 401");
    assert_eq!(again.status(), 200);
    assert_eq!(vendor.token_requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn bad_client_credentials_surface_the_token_endpoint_error() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server, "wrong-secret");
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
    assert_eq!(vendor.token_requests.load(Ordering::SeqCst), 1);
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
    });
    assert_eq!(count, 3);

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
        Some(signicat::types::SessionStatus::Unknown(
            "PENDING_REVIEW".into()
        ))
    );
    assert_eq!(
        session.flow,
        Some(signicat::types::Flow::Unknown("kiosk".into()))
    );
    assert_eq!(session.provider, None);
}

#[tokio::test]
async fn errors_never_show_bodies_or_personal_data() {
    let server = LocalServer::start(
        Router::new()
            .route(
                "/sessions/{id}",
                get(|Path(id): Path<String>| async move {
                    if id == "garbled" {
                        // Right status, wrong shape: `status` is not a string.
                        return axum::Json(json!({ "id": "s", "status": 7, "subject": { "name": "Kari Nordmann" } })).into_response();
                    }
                    (
                        StatusCode::BAD_REQUEST,
                        [("content-type", "application/problem+json")],
                        json!({ "title": "Invalid", "detail": "NIN 01017012345 is invalid", "invalidParams": [{ "name": "nin", "reason": "01017012345 is not valid" }] })
                            .to_string(),
                    )
                        .into_response()
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
