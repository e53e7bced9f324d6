//! Nothing a vendor sends is printed: with personal data (a name, a national id, an
//! e-mail address) in every member of every vendor error shape, in the request id
//! header and in the token endpoint's error body, neither `Debug` nor `Display` of the
//! resulting error (nor of its vendor error, parameters or auth error) shows any of it.
//! What they show is fixed text, statuses, counts, and codes that are machine tokens.

use std::error::Error as _;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use idverify_identify_videoident as identify;
use idverify_runtime::{Credentials, ErrorKind, RetryPolicy, VendorError, VendorErrorShape};
use idverify_signicat_authentication as signicat;
use idverify_tests::LocalServer;
use serde_json::{Value, json};

/// Personal data a vendor might echo back, each on its own so that the redaction of
/// codes cannot pass one for a machine token.
const PERSONAL: &[&str] = &["Kari Nordmann", "01017012345", "kari.nordmann@example.com"];

/// What must never be printed, whichever of [`PERSONAL`] a body held.
const NEVER_SHOWN: &[&str] = &["Kari", "Nordmann", "01017012345", "example.com"];

/// A body of `shape` with `value` in every member that shape has.
fn body(shape: VendorErrorShape, value: &str) -> Value {
    let params = json!([{ "name": value, "field": value, "reason": value, "message": value }]);
    match shape {
        VendorErrorShape::Problem => json!({
            "type": value, "title": value, "detail": value, "code": value, "status": 400,
            "traceId": value, "message": value, "invalidParams": params, "errors": params,
        }),
        VendorErrorShape::OAuth => json!({
            "error": value, "error_description": value, "error_uri": value,
        }),
        VendorErrorShape::Idfy => json!({
            "NativeErrorCode": value, "ErrorCode": value, "ErrorMessage": value,
        }),
        VendorErrorShape::Identify => json!({
            "result": false, "messages": [value, value], "response_status": value,
        }),
        VendorErrorShape::Generic => json!({
            "code": value, "errorCode": value, "error": value, "error_code": value,
            "message": value, "errorMessage": value, "traceId": value, "errors": params,
            "statusCode": 400,
        }),
        _ => unreachable!("a shape this test does not know"),
    }
}

const SHAPES: [VendorErrorShape; 5] = [
    VendorErrorShape::Problem,
    VendorErrorShape::OAuth,
    VendorErrorShape::Idfy,
    VendorErrorShape::Identify,
    VendorErrorShape::Generic,
];

fn assert_nothing_personal(what: &str, printed: &str) {
    for personal in NEVER_SHOWN {
        assert!(
            !printed.contains(personal),
            "{what} shows `{personal}`: {printed}"
        );
    }
}

/// Every way the error can be printed: `Display`, `Debug` (plain and pretty), its
/// vendor error and parameters, and the whole `source()` chain.
fn assert_error_shows_nothing_personal<E>(what: &str, error: &idverify_runtime::Error<E>) {
    assert_nothing_personal(what, &error.to_string());
    assert_nothing_personal(what, &format!("{error:?}"));
    assert_nothing_personal(what, &format!("{error:#?}"));
    if let Some(vendor) = error.vendor() {
        assert_nothing_personal(what, &format!("{vendor:?}"));
        for param in &vendor.invalid_params {
            assert_nothing_personal(what, &format!("{param:?}"));
        }
    }
    let mut source = error.source();
    while let Some(s) = source {
        assert_nothing_personal(what, &s.to_string());
        assert_nothing_personal(what, &format!("{s:?}"));
        source = s.source();
    }
}

#[test]
fn decoded_vendor_errors_show_nothing_personal() {
    for shape in SHAPES {
        for value in PERSONAL {
            let bytes = serde_json::to_vec(&body(shape, value)).unwrap();
            for decoded in [
                VendorError::decode_as(shape, &bytes),
                VendorError::decode(&bytes),
            ] {
                let decoded = decoded.unwrap_or_else(|| panic!("{shape:?} decodes"));
                let what = format!("{shape:?} with {value}");
                assert_nothing_personal(&what, &format!("{decoded:?}"));
                assert_nothing_personal(&what, &format!("{decoded:#?}"));
                for param in &decoded.invalid_params {
                    assert_nothing_personal(&what, &format!("{param:?}"));
                }
            }
        }
    }
}

#[test]
fn machine_codes_are_still_shown() {
    let decoded = VendorError::decode(
        br#"{"type":"about:blank","title":"Kari Nordmann","code":"invalid_request","traceId":"t-1"}"#,
    )
    .unwrap();
    let debug = format!("{decoded:?}");
    assert!(debug.contains("invalid_request"), "{debug}");
    assert!(debug.contains("t-1"), "{debug}");
    assert!(!debug.contains("Kari"), "{debug}");
}

/// Each shape's body with personal data, as a documented status (400: decoded in the
/// API's declared problem shape) and an undocumented one (409: shape guessed), with a
/// personal request id header.
#[tokio::test]
async fn operation_errors_from_every_shape_show_nothing_personal() {
    for shape in SHAPES {
        for value in PERSONAL {
            for status in [StatusCode::BAD_REQUEST, StatusCode::CONFLICT] {
                let body = body(shape, value);
                let request_id = value.to_string();
                let server = LocalServer::start(Router::new().route(
                    "/sessions/{id}",
                    get(move || async move {
                        (status, [("x-request-id", request_id)], axum::Json(body)).into_response()
                    }),
                ))
                .await;
                let client = signicat::Client::builder()
                    .base_url(&server.base_url)
                    .build()
                    .unwrap();
                let error = client
                    .get_session()
                    .id("s")
                    .send()
                    .await
                    .expect_err("error");
                assert!(
                    matches!(
                        error.kind(),
                        ErrorKind::Vendor | ErrorKind::UnexpectedStatus
                    ),
                    "{error:?}"
                );
                assert!(error.vendor().is_some(), "{shape:?} decoded: {error:?}");
                assert_error_shows_nothing_personal(&format!("{shape:?} {status} {value}"), &error);
            }
        }
    }
}

/// The token endpoint's OAuth error body with personal data, for a refusal of the
/// credentials, of the request, and an outage.
#[tokio::test]
async fn token_endpoint_errors_show_nothing_personal() {
    for value in PERSONAL {
        for status in [
            StatusCode::UNAUTHORIZED,
            StatusCode::BAD_REQUEST,
            StatusCode::FORBIDDEN,
            StatusCode::SERVICE_UNAVAILABLE,
        ] {
            let body = body(VendorErrorShape::OAuth, value);
            let server = LocalServer::start(Router::new().route(
                "/token",
                post(move || async move { (status, axum::Json(body)).into_response() }),
            ))
            .await;
            let client = signicat::Client::builder()
                .base_url(&server.base_url)
                .token_url(format!("{}/token", server.base_url))
                .credentials(Credentials::client_credentials("id", "secret"))
                .retry(RetryPolicy::none())
                .build()
                .unwrap();
            let error = client.get_session().id("s").send().await.expect_err("auth");
            assert_eq!(error.kind(), ErrorKind::Auth);
            let what = format!("token endpoint {status} {value}");
            assert_error_shows_nothing_personal(&what, &error);
            let auth = error.auth_error().expect("the auth error");
            assert_nothing_personal(&what, &format!("{auth:?}"));
            assert_nothing_personal(&what, &auth.to_string());
        }
    }
}

/// Identify's refused login, its messages holding personal data.
#[tokio::test]
async fn a_refused_identify_login_shows_nothing_personal() {
    for value in PERSONAL {
        let body = body(VendorErrorShape::Identify, value);
        let server = LocalServer::start(Router::new().route(
            "/auth",
            post(move || async move { (StatusCode::UNAUTHORIZED, axum::Json(body)) }),
        ))
        .await;
        let client = identify::Client::builder()
            .base_url(&server.base_url)
            .credentials(Credentials::partner("partner", "key"))
            .build()
            .unwrap();
        let error = client.get_all_projects().send().await.expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::Auth);
        assert_error_shows_nothing_personal(&format!("identify login {value}"), &error);
    }
}
