//! One span per operation and one per HTTP attempt inside it, their fields named as
//! OpenTelemetry's HTTP client conventions name them, and nothing from bodies,
//! credentials or the query string.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::response::IntoResponse;
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
    let (attempts, operations) = span_closes(&log);
    assert_eq!(operations.len(), 1, "one span per operation:\n{log}");
    for field in [
        "idverify.operation=\"get_session\"",
        "idverify.api=\"idverify-signicat-authentication\"",
        "http.request.method=\"GET\"",
        "url.template=\"/sessions/{id}\"",
        "http.response.status_code=200",
        "idverify.attempts=1",
        "idverify.request_id=\"req-42\"",
    ] {
        assert!(
            operations[0].contains(field),
            "{field} missing in {}",
            operations[0]
        );
    }
    // The token request is no attempt of the operation; the call is one.
    assert_eq!(attempts.len(), 1, "one span per attempt:\n{log}");
    let attempt = attempts[0];
    assert!(
        attempt.contains("idverify.operation"),
        "the attempt is inside the operation's span: {attempt}"
    );
    for field in [
        "otel.name=GET /sessions/{id}",
        "otel.kind=\"client\"",
        "server.address=\"127.0.0.1\"",
        "server.port=",
        "http.response.status_code=200",
    ] {
        assert!(attempt.contains(field), "{field} missing in {attempt}");
    }
    assert!(
        !attempt.contains("resend_count") && !attempt.contains("error.type"),
        "a first attempt that succeeds is no resend and no error: {attempt}"
    );
    for secret in ["Ola Nordmann", "tok-SECRET", "client-SECRET"] {
        assert!(
            !log.contains(secret),
            "{secret} appears in the trace:\n{log}"
        );
    }
}

/// The closing lines of the attempt spans and of the operation spans in `log`.
fn span_closes(log: &str) -> (Vec<&str>, Vec<&str>) {
    log.lines()
        .filter(|l| l.contains("idverify.operation{") && l.contains("close time."))
        .partition(|l| l.contains("idverify.attempt{"))
}

/// A retried call: one attempt span per request sent, the resend counted, the failed
/// attempt typed by its status; the operation's span ends with the final status.
#[tokio::test]
async fn each_attempt_is_a_span_inside_the_operation() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = LocalServer::start(Router::new().route(
        "/sessions/{id}",
        get(move || {
            let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if first {
                    axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                } else {
                    axum::Json(json!({ "id": "s-1", "status": "SUCCESS" })).into_response()
                }
            }
        }),
    ))
    .await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .credentials(Credentials::bearer("tok-SECRET"))
        .retry(idverify_runtime::RetryPolicy {
            max_attempts: 2,
            base_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(1),
        })
        .build()
        .unwrap();

    let (captured, _guard) = capture(FmtSpan::CLOSE);
    client.get_session().id("s-1").send().await.unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let (attempts, operations) = span_closes(&log);
    assert_eq!(attempts.len(), 2, "two attempts:\n{log}");
    assert!(
        attempts[0].contains("error.type=\"503\"") && !attempts[0].contains("resend_count"),
        "{}",
        attempts[0]
    );
    assert!(
        attempts[1].contains("http.request.resend_count=1")
            && attempts[1].contains("http.response.status_code=200"),
        "{}",
        attempts[1]
    );
    assert_eq!(operations.len(), 1, "{log}");
    assert!(
        operations[0].contains("idverify.attempts=2") && !operations[0].contains("error.type"),
        "{}",
        operations[0]
    );
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
        log.contains("idverify.operation") && log.contains("error.type=\"400\""),
        "the call is traced, its error typed by status:\n{log}"
    );
    let shown = [format!("{error}"), format!("{error:?}"), log];
    for text in &shown {
        for form in ["Bruce", "Wayne"] {
            assert!(!text.contains(form), "{form} appears in:\n{text}");
        }
    }
}
