//! What an operation's error carries: the body exactly as the vendor sent it, the
//! vendor error read in the shape the API declares in `codegen.toml`, and, for a failed
//! token request, the `AuthError` itself as `source()`.

use std::error::Error as _;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use idverify_idnow_platform as idnow;
use idverify_runtime::{AuthError, Credentials, ErrorKind, VendorErrorShape};
use idverify_signicat_authentication as signicat;
use idverify_tests::LocalServer;

/// A documented problem body in odd formatting: spaces and a tab around members, an
/// escaped `æ`, members out of the schema's order, one the schema does not know. Read
/// and written again it would come out different.
const PROBLEM_AS_SENT: &str = "{ \"title\" : \"Bad  request\" ,\n\t\"type\":\"about:blank\",\"status\":400,\"detail\":\"nin \\u00e6 is invalid\" , \"extra\":[1, 2] }";

#[tokio::test]
async fn a_documented_error_body_is_kept_byte_for_byte() {
    let server = LocalServer::start(Router::new().route(
        "/sessions/{id}",
        get(|| async {
            (
                StatusCode::BAD_REQUEST,
                [("content-type", "application/problem+json")],
                PROBLEM_AS_SENT,
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
    assert_eq!(error.kind(), ErrorKind::Vendor, "{error:?}");
    assert_eq!(error.raw_body(), Some(PROBLEM_AS_SENT.as_bytes()));
    assert_eq!(
        error.typed().and_then(|p| p.title.as_deref()),
        Some("Bad  request")
    );
    let vendor = error.vendor().expect("the problem document, decoded");
    assert_eq!(vendor.shape, VendorErrorShape::Problem);
    assert_eq!(vendor.message.as_deref(), Some("nin æ is invalid"));
}

#[tokio::test]
async fn a_documented_error_is_read_in_the_declared_shape() {
    // IDnow declares `generic` (`{statusCode, error, message, code, traceId}`). Guessed
    // from its members, this body would pass for a problem document (it has `traceId`)
    // and lose its `message`.
    let server = LocalServer::start(Router::new().route(
        "/flows/{environment}",
        get(|| async {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({
                    "statusCode": 400,
                    "error": "Bad Request",
                    "message": "page must be positive",
                    "code": "invalid_page",
                    "traceId": "tr-7",
                })),
            )
        }),
    ))
    .await;
    let client = idnow::Client::builder()
        .base_url(&server.base_url)
        .credentials(Credentials::bearer("token"))
        .build()
        .unwrap();
    let error = client
        .list_flows()
        .environment(idnow::types::Environment::Live)
        .send()
        .await
        .expect_err("400");
    assert_eq!(error.kind(), ErrorKind::Vendor, "{error:?}");
    let vendor = error.vendor().expect("decoded");
    assert_eq!(vendor.shape, VendorErrorShape::Generic);
    assert_eq!(vendor.code.as_deref(), Some("invalid_page"));
    assert_eq!(vendor.message.as_deref(), Some("page must be positive"));
    assert_eq!(error.request_id().as_deref(), Some("tr-7"));
}

#[tokio::test]
async fn a_refused_token_request_is_the_errors_typed_source() {
    let server = LocalServer::start(Router::new().route(
        "/token",
        post(|| async {
            (
                StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({
                    "error": "invalid_client",
                    "error_description": "Unknown client",
                })),
            )
        }),
    ))
    .await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("id", "wrong secret"))
        .build()
        .unwrap();
    let error = client.get_session().id("s").send().await.expect_err("401");
    assert_eq!(error.kind(), ErrorKind::Auth);
    let source = error.source().expect("the auth error");
    match source.downcast_ref::<AuthError>() {
        Some(AuthError::Rejected {
            status,
            error: code,
            description,
            ..
        }) => {
            assert_eq!(*status, 401);
            assert_eq!(code.as_deref(), Some("invalid_client"));
            assert_eq!(description.as_deref(), Some("Unknown client"));
        }
        other => panic!("expected AuthError::Rejected, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("wrong secret"), "{message}");
}
