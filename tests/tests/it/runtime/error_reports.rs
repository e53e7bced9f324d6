//! Errors in a user's words: an undocumented 503 or 429 reads as the vendor's status,
//! a connection lost after sending says the vendor may have processed the request (and
//! one refused before sending says it was not sent), and the attempts made and the last
//! `Retry-After` are on the error.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use idverify_runtime::{ErrorKind, RetryPolicy};
use idverify_signicat_authentication as signicat;
use idverify_tests::LocalServer;
use tokio::io::AsyncReadExt;

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
    }
}

fn client(base_url: &str) -> signicat::Client {
    signicat::Client::builder()
        .base_url(base_url)
        .retry(fast_retries())
        .build()
        .unwrap()
}

fn create_body() -> signicat::types::builder::CreateSessionRequest {
    signicat::types::CreateSessionRequest::builder()
        .flow(signicat::types::Flow::Redirect)
        .requested_attributes(Vec::new())
}

/// A route answering `status` with `Retry-After: after`.
fn answering(status: StatusCode, after: &'static str) -> axum::routing::MethodRouter {
    let handler = move || async move { (status, [("retry-after", after)], "").into_response() };
    get(handler).post(handler)
}

#[tokio::test]
async fn undocumented_outages_and_throttling_read_as_the_vendors_status() {
    let server = LocalServer::start(
        Router::new()
            .route(
                "/sessions/{id}",
                answering(StatusCode::SERVICE_UNAVAILABLE, "2"),
            )
            .route("/sessions", answering(StatusCode::TOO_MANY_REQUESTS, "1")),
    )
    .await;
    let client = client(&server.base_url);

    let error = client.get_session().id("s").send().await.expect_err("503");
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus);
    let message = error.to_string();
    assert!(
        message.contains("HTTP 503 Service Unavailable, not documented for this operation"),
        "{message}"
    );
    assert!(!message.contains("undocumented status"), "{message}");
    assert_eq!(error.attempts(), 3, "{message}");
    assert!(message.contains("3 attempts"), "{message}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(2)));

    let error = client
        .create_session()
        .body(create_body())
        .send()
        .await
        .expect_err("429");
    let message = error.to_string();
    assert!(
        message.contains("HTTP 429 Too Many Requests, not documented for this operation"),
        "{message}"
    );
    assert_eq!(
        error.attempts(),
        3,
        "a 429 is retried for POST too: {message}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert!(!error.maybe_processed(), "a 429 was not processed");
}

#[tokio::test]
async fn a_documented_error_reports_one_attempt_and_its_status() {
    let server = LocalServer::start(Router::new().route(
        "/sessions/{id}",
        get(|| async {
            (
                StatusCode::NOT_FOUND,
                axum::Json(serde_json::json!({ "title": "Not found", "status": 404 })),
            )
        }),
    ))
    .await;
    let error = client(&server.base_url)
        .get_session()
        .id("s")
        .send()
        .await
        .expect_err("404");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.retry_after(), None);
    assert!(!error.maybe_processed());
    assert!(error.to_string().contains("HTTP 404 Not Found"), "{error}");
}

/// A server that reads each request's head and closes the connection without answering.
async fn hanging_up() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut received = Vec::new();
            let mut buf = [0u8; 4096];
            while !received.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                }
            }
            drop(socket);
        }
    });
    (format!("http://{address}"), connections)
}

#[tokio::test]
async fn a_connection_lost_after_sending_may_have_been_processed() {
    let (base_url, connections) = hanging_up().await;
    let client = client(&base_url);
    let error = client
        .create_session()
        .body(create_body())
        .send()
        .await
        .expect_err("no answer");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(error.maybe_processed(), "{error}");
    assert!(error.to_string().contains("may have processed"), "{error}");
    assert_eq!(error.attempts(), 1, "a POST is not sent again: {error}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);

    let error = client
        .get_session()
        .id("s")
        .send()
        .await
        .expect_err("no answer");
    assert!(error.maybe_processed(), "{error}");
    assert_eq!(error.attempts(), 3, "a GET is: {error}");
}

#[tokio::test]
async fn a_connection_refused_before_sending_was_not_processed() {
    let error = client(&idverify_tests::refusing_url().await)
        .create_session()
        .body(create_body())
        .send()
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(!error.maybe_processed(), "{error}");
    let message = error.to_string();
    assert!(message.contains("not sent"), "{message}");
    assert!(!message.contains("may have processed"), "{message}");
    assert_eq!(
        error.attempts(),
        3,
        "never sent, so retried for POST: {message}"
    );
}

#[tokio::test]
async fn a_documented_status_with_another_body_says_so() {
    let server = LocalServer::start(Router::new().route(
        "/sessions",
        post(|| async { (StatusCode::BAD_REQUEST, "oops") }),
    ))
    .await;
    let error = client(&server.base_url)
        .create_session()
        .body(create_body())
        .send()
        .await
        .expect_err("400");
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus);
    let message = error.to_string();
    assert!(message.contains("HTTP 400 Bad Request"), "{message}");
    assert!(
        message.contains("not the documented error body"),
        "{message}"
    );
    assert!(
        !message.contains("not documented for this operation"),
        "{message}"
    );
}
