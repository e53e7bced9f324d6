//! One span per operation, with operation id, status, attempts, duration and the
//! vendor's request id, and nothing from bodies or credentials.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{get, post};
use idverify_runtime::Credentials;
use idverify_signicat_authentication as signicat;
use idverify_tests::LocalServer;
use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything traced on this thread until the guard drops, span `events` included.
fn capture(events: FmtSpan) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(events)
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn each_operation_is_one_span_without_personal_data() {
    let server = LocalServer::start(
        Router::new()
            .route("/token", post(|| async { axum::Json(json!({ "access_token": "tok-SECRET", "expires_in": 600 })) }))
            .route(
                "/sessions/{id}",
                get(|| async {
                    (
                        [("x-request-id", "req-42")],
                        axum::Json(json!({ "id": "s-1", "status": "SUCCESS", "subject": { "name": "Ola Nordmann" } })),
                    )
                }),
            ),
    )
    .await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("client-1", "client-SECRET"))
        .build()
        .unwrap();

    let (captured, _guard) = capture(FmtSpan::CLOSE);

    client.get_session().id("s-1").send().await.unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let closes: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("idverify.request") && l.contains("close"))
        .collect();
    assert_eq!(closes.len(), 1, "one span per operation:\n{log}");
    let span = closes[0];
    for field in [
        "operation=\"get_session\"",
        "status=200",
        "attempts=1",
        "request_id=\"req-42\"",
        "duration_ms=",
    ] {
        assert!(span.contains(field), "{field} missing in {span}");
    }
    for secret in ["Ola Nordmann", "tok-SECRET", "client-SECRET"] {
        assert!(
            !log.contains(secret),
            "{secret} appears in the trace:\n{log}"
        );
    }
}

/// `listLogEntries` filters by a person's name in the query string: the name reaches the
/// vendor and nothing else (no span, no error's `Display` or `Debug`).
#[tokio::test]
async fn a_name_in_the_query_reaches_no_span_and_no_error() {
    use idverify_idfy_identification_v1 as idfy;

    let server = LocalServer::start(
        Router::new()
            .route(
                "/token",
                post(|| async {
                    axum::Json(json!({ "access_token": "tok-1", "expires_in": 600 }))
                }),
            )
            .route(
                "/identification/log/filter/{year}",
                get(|| async {
                    (
                        axum::http::StatusCode::BAD_REQUEST,
                        axum::Json(
                            json!({ "ErrorCode": "BadRequest", "ErrorMessage": "bad filter" }),
                        ),
                    )
                }),
            ),
    )
    .await;
    let client = idfy::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("client-1", "secret-1"))
        .build()
        .unwrap();

    let (captured, _guard) = capture(FmtSpan::FULL);

    let error = client
        .list_log_entries()
        .year(2024)
        .name("Bruce Wayne")
        .send()
        .await
        .expect_err("the vendor answers 400");

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("idverify.request"),
        "the call is traced:\n{log}"
    );
    let shown = [format!("{error}"), format!("{error:?}"), log];
    for text in &shown {
        for form in ["Bruce", "Wayne"] {
            assert!(!text.contains(form), "{form} appears in:\n{text}");
        }
    }
}
