//! Bad answers from a vendor: a useless token response gives a clear auth error, and an
//! error body in an undocumented shape still yields the status and request id.

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use idverify_runtime::{Credentials, ErrorKind};
use idverify_signicat_authentication as signicat;
use idverify_tests::LocalServer;

async fn client_with_token_response(
    body: &'static str,
    status: StatusCode,
) -> (LocalServer, signicat::Client) {
    let server = LocalServer::start(
        Router::new()
            .route(
                "/token",
                post(move || async move { (status, [("content-type", "application/json")], body) }),
            )
            .route(
                "/sessions/{id}",
                get(|| async { axum::Json(serde_json::json!({ "id": "s" })) }),
            ),
    )
    .await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("id", "secret"))
        .build()
        .unwrap();
    (server, client)
}

#[tokio::test]
async fn useless_token_responses_are_named() {
    for (body, expected) in [
        ("<html>maintenance</html>", "not a JSON token response"),
        (r#"{"token_type":"Bearer"}"#, "no `access_token`"),
        (
            r#"{"access_token":"t","expires_in":-5}"#,
            "`expires_in` is negative",
        ),
    ] {
        let (_server, client) = client_with_token_response(body, StatusCode::OK).await;
        let error = client.get_session().id("s").send().await.expect_err(body);
        assert_eq!(error.kind(), ErrorKind::Auth, "{error}");
        let message = error.to_string();
        assert!(message.contains(expected), "{message}");
        assert!(
            message.contains("/token"),
            "names the token endpoint: {message}"
        );
    }
}

#[tokio::test]
async fn an_error_body_in_another_shape_keeps_status_and_request_id() {
    let server = LocalServer::start(Router::new().route(
        "/sessions/{id}",
        get(|| async {
            (
                StatusCode::BAD_GATEWAY,
                [("x-request-id", "gw-7"), ("content-type", "text/html")],
                "<h1>Bad gateway</h1>",
            )
                .into_response()
        }),
    ))
    .await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .retry(idverify_runtime::RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.get_session().id("s").send().await.expect_err("502");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(error.request_id().as_deref(), Some("gw-7"));
    assert!(error.is_retryable());
    assert_eq!(error.raw_body(), Some(&b"<h1>Bad gateway</h1>"[..]));

    // A documented error status (400) whose body is not the documented problem JSON.
    let server = LocalServer::start(Router::new().route(
        "/sessions/{id}",
        get(|| async {
            (
                StatusCode::BAD_REQUEST,
                [("x-request-id", "r-9")],
                "plain text",
            )
                .into_response()
        }),
    ))
    .await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let error = client.get_session().id("s").send().await.expect_err("400");
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.request_id().as_deref(), Some("r-9"));
    assert!(error.to_string().contains("400"), "{error}");
}
