//! A vendor's own OpenAPI 3.0 file as it comes: `multipart/form-data` uploads (the
//! `multipart` fixture), checked part by part by a local server that authenticates like
//! the vendor.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use idverify_fixture_multipart as uploads;
use idverify_runtime::multipart::FilePart;
use idverify_runtime::{Credentials, ErrorKind, RetryPolicy};
use idverify_tests::LocalServer;
use serde_json::json;

/// One part as the server read it.
#[derive(Debug, Clone, PartialEq)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn part(name: &str, file_name: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Part {
    Part {
        name: name.into(),
        file_name: file_name.map(Into::into),
        content_type: content_type.map(Into::into),
        body: body.to_vec(),
    }
}

#[derive(Default)]
struct Received {
    /// Each request: its `Authorization` and its parts.
    requests: Mutex<Vec<(Option<String>, Vec<Part>)>>,
    /// Statuses to answer before succeeding.
    fail_first: Mutex<Vec<u16>>,
}

async fn read_parts(headers: &HeaderMap, mut form: Multipart) -> (Option<String>, Vec<Part>) {
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.expect("a well-formed form") {
        parts.push(Part {
            name: field.name().unwrap_or_default().to_string(),
            file_name: field.file_name().map(str::to_string),
            content_type: field.content_type().map(str::to_string),
            body: field.bytes().await.expect("part body").to_vec(),
        });
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (auth, parts)
}

async fn upload(
    State(received): State<Arc<Received>>,
    headers: HeaderMap,
    form: Multipart,
) -> axum::response::Response {
    let request = read_parts(&headers, form).await;
    received.requests.lock().unwrap().push(request);
    let fail = received.fail_first.lock().unwrap().pop();
    match fail {
        Some(status) => StatusCode::from_u16(status).unwrap().into_response(),
        None => (
            StatusCode::CREATED,
            axum::Json(json!({ "id": "d-1", "status": "received" })),
        )
            .into_response(),
    }
}

async fn selfies(
    State(received): State<Arc<Received>>,
    headers: HeaderMap,
    form: Multipart,
) -> StatusCode {
    let request = read_parts(&headers, form).await;
    received.requests.lock().unwrap().push(request);
    StatusCode::NO_CONTENT
}

async fn setup() -> (LocalServer, Arc<Received>, uploads::Client) {
    let received = Arc::new(Received::default());
    let router = Router::new()
        .route(
            "/oauth/token",
            post(|| async { axum::Json(json!({ "access_token": "t-1", "expires_in": 600 })) }),
        )
        .route("/verifications/{id}/documents", post(upload))
        .route("/verifications/{id}/selfies", post(selfies))
        .with_state(received.clone());
    let server = LocalServer::start(router).await;
    let client = uploads::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/oauth/token", server.base_url))
        .credentials(Credentials::client_credentials("id", "secret"))
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
        .build()
        .unwrap();
    (server, received, client)
}

fn document_form() -> uploads::types::UploadDocumentForm {
    uploads::types::UploadDocumentForm::new()
        .front(FilePart::bytes(b"\xff\xd8front".to_vec()).file_name("front.jpg"))
        .back(
            FilePart::bytes(&b"back side"[..])
                .file_name("back.png")
                .content_type("image/png"),
        )
        .document_type(uploads::types::DocumentType::Passport)
        .metadata(uploads::types::DocumentMetadata {
            issuing_country: Some("NO".to_string()),
            pages: Some(2),
        })
        .tags(vec!["first".to_string(), "second".to_string()])
        .attempt(3)
}

#[tokio::test]
async fn a_document_upload_arrives_part_by_part_with_credentials() {
    let (_server, received, client) = setup().await;
    let document = client
        .upload_document()
        .verification_id("v-1")
        .body(document_form())
        .send()
        .await
        .unwrap();
    assert_eq!(document.status(), 201);
    assert_eq!(document.into_inner().id.as_deref(), Some("d-1"));

    let requests = received.requests.lock().unwrap().clone();
    let [(auth, parts)] = requests.as_slice() else {
        panic!("one request expected: {requests:?}")
    };
    assert_eq!(auth.as_deref(), Some("Bearer t-1"));
    assert_eq!(
        parts,
        &[
            // The spec's `encoding` gives the front's type; the part's own wins for the back.
            part(
                "front",
                Some("front.jpg"),
                Some("image/jpeg"),
                b"\xff\xd8front"
            ),
            part("back", Some("back.png"), Some("image/png"), b"back side"),
            part("documentType", None, None, b"passport"),
            // `encoding: application/json`: the object as JSON.
            part(
                "metadata",
                None,
                Some("application/json"),
                br#"{"issuingCountry":"NO","pages":2}"#,
            ),
            // An array of strings: one part per item.
            part("tags", None, None, b"first"),
            part("tags", None, None, b"second"),
            part("attempt", None, None, b"3"),
        ]
    );
}

#[tokio::test]
async fn repeated_files_are_one_part_each_and_booleans_are_text() {
    let (_server, received, client) = setup().await;
    let response = client
        .upload_selfies()
        .verification_id("v-1")
        .body_map(|form| {
            form.images(b"selfie one".to_vec())
                .images(FilePart::bytes(b"selfie two".to_vec()).content_type("image/jpeg"))
                .liveness(true)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let requests = received.requests.lock().unwrap().clone();
    assert_eq!(
        requests[0].1,
        [
            part(
                "images",
                None,
                Some("application/octet-stream"),
                b"selfie one"
            ),
            part("images", None, Some("image/jpeg"), b"selfie two"),
            part("liveness", None, None, b"true"),
        ]
    );
}

#[tokio::test]
async fn a_form_held_in_memory_is_retried_whole() {
    let (_server, received, client) = setup().await;
    received.fail_first.lock().unwrap().push(429);
    let document = client
        .upload_document()
        .verification_id("v-1")
        .body(document_form())
        .send()
        .await
        .unwrap();
    assert_eq!(document.status(), 201);
    let requests = received.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "retried once after the 429");
    assert_eq!(requests[0], requests[1], "the same parts both times");
    assert_eq!(requests[1].1.len(), 7);
}

#[tokio::test]
async fn a_streamed_file_is_sent_once_and_never_retried() {
    let (_server, received, client) = setup().await;
    received.fail_first.lock().unwrap().push(429);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(b"chunk one, ".to_vec()), Ok(b"chunk two".to_vec())];
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let form = document_form().front(FilePart::stream(stream).file_name("front.jpg"));
    let error = client
        .upload_document()
        .verification_id("v-1")
        .body(form)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.attempts(), 1);
    let requests = received.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].1[0].body, b"chunk one, chunk two");
}

#[tokio::test]
async fn a_missing_required_file_is_refused_before_sending() {
    let (_server, received, client) = setup().await;
    let error = client
        .upload_document()
        .verification_id("v-1")
        .body_map(|form| form.document_type(uploads::types::DocumentType::IdCard))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(error.to_string().contains("front"), "{error}");
    assert!(received.requests.lock().unwrap().is_empty());
}

#[test]
fn a_forms_debug_shows_neither_file_names_nor_contents() {
    let form = document_form();
    let debug = format!("{form:?}");
    for private in ["front.jpg", "back.png", "back side"] {
        assert!(!debug.contains(private), "{private} in {debug}");
    }
    assert!(debug.contains("[redacted]"), "{debug}");
}
