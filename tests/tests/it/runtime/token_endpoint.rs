//! The token endpoint as a dependency like any other: throttling, outages and dropped
//! connections are retried under the call's retry policy and the client's retry budget
//! (honouring `Retry-After`), end as a retryable "unavailable" auth error, and are told
//! apart from refused credentials without reading text; concurrent callers share one
//! fetch during an outage. And credentials only go where the user pointed them: a custom
//! base URL with client credentials needs its token URL.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use idverify_identify_videoident as identify;
use idverify_runtime::{AuthFailure, BuildError, CallOptions, Credentials, ErrorKind, RetryPolicy};
use idverify_signicat_authentication as signicat;
use idverify_tests::LocalServer;
use serde_json::json;

/// A token endpoint whose first `failures` answers are `status` with `body` (and
/// `Retry-After` if set), each after `delay`; later ones issue a token.
struct TokenEndpoint {
    requests: AtomicUsize,
    failures: usize,
    status: StatusCode,
    body: serde_json::Value,
    retry_after: Option<&'static str>,
    delay: Duration,
    session_calls: AtomicUsize,
}

impl TokenEndpoint {
    fn failing(failures: usize, status: StatusCode) -> Self {
        Self {
            requests: AtomicUsize::new(0),
            failures,
            status,
            body: json!({}),
            retry_after: None,
            delay: Duration::ZERO,
            session_calls: AtomicUsize::new(0),
        }
    }
}

async fn token(State(endpoint): State<Arc<TokenEndpoint>>) -> Response {
    let n = endpoint.requests.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(endpoint.delay).await;
    if n < endpoint.failures {
        let mut response = (endpoint.status, axum::Json(endpoint.body.clone())).into_response();
        if let Some(after) = endpoint.retry_after {
            response
                .headers_mut()
                .insert("retry-after", after.parse().unwrap());
        }
        return response;
    }
    axum::Json(json!({ "access_token": "t", "expires_in": 600 })).into_response()
}

fn routes(endpoint: Arc<TokenEndpoint>) -> Router {
    Router::new()
        .route("/token", post(token))
        .route(
            "/sessions/{id}",
            get(|State(e): State<Arc<TokenEndpoint>>| async move {
                e.session_calls.fetch_add(1, Ordering::SeqCst);
                axum::Json(json!({ "id": "s-1", "status": "CREATED" }))
            }),
        )
        .with_state(endpoint)
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(30),
    }
}

async fn setup(endpoint: TokenEndpoint) -> (LocalServer, Arc<TokenEndpoint>, signicat::Client) {
    let endpoint = Arc::new(endpoint);
    let server = LocalServer::start(routes(endpoint.clone())).await;
    let client = client(&server.base_url, &format!("{}/token", server.base_url), 500);
    (server, endpoint, client)
}

fn client(base_url: &str, token_url: &str, retry_budget: u32) -> signicat::Client {
    signicat::Client::builder()
        .base_url(base_url)
        .token_url(token_url)
        .credentials(Credentials::client_credentials("id", "secret"))
        .retry(fast_retries())
        .retry_budget(retry_budget)
        .build()
        .unwrap()
}

/// A call's error when the token endpoint stayed unavailable through all attempts.
async fn unavailable_after_three_attempts(
    client: &signicat::Client,
) -> idverify_runtime::Error<signicat::types::Problem> {
    let error = client
        .get_session()
        .id("s-1")
        .send()
        .await
        .expect_err("the token endpoint is unavailable");
    assert_eq!(error.kind(), ErrorKind::Auth, "{error}");
    assert_eq!(
        error.auth_failure(),
        Some(AuthFailure::Unavailable),
        "{error}"
    );
    assert!(error.is_retryable(), "{error}");
    assert_eq!(error.attempts(), 3, "{error}");
    error
}

#[tokio::test]
async fn a_token_endpoint_outage_is_retried_until_it_recovers() {
    for status in [
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::BAD_GATEWAY,
    ] {
        let (_server, endpoint, client) = setup(TokenEndpoint::failing(2, status)).await;
        let got = client
            .get_session()
            .id("s-1")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{status}: the third token request succeeds: {e}"));
        assert_eq!(got.status(), 200);
        assert_eq!(endpoint.requests.load(Ordering::SeqCst), 3, "{status}");
    }
}

/// On paused time: the 7 s the token endpoint asks for pass at once in real time.
#[tokio::test(start_paused = true)]
async fn a_429_at_the_token_endpoint_waits_for_retry_after() {
    let (_server, endpoint, client) = setup(TokenEndpoint {
        retry_after: Some("7"),
        ..TokenEndpoint::failing(1, StatusCode::TOO_MANY_REQUESTS)
    })
    .await;
    // No attempt timeout: on paused time it would fire while the runtime waits for the
    // local server.
    let client = client.with_options(
        CallOptions::default()
            .retry(fast_retries())
            .attempt_timeout(None),
    );
    let started = tokio::time::Instant::now();
    let got = client
        .get_session()
        .id("s-1")
        .send()
        .await
        .expect("retried");
    assert_eq!(got.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_secs(7),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(endpoint.requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_lasting_outage_is_a_retryable_unavailable_auth_error() {
    let (_server, endpoint, client) = setup(TokenEndpoint {
        retry_after: Some("1"),
        ..TokenEndpoint::failing(usize::MAX, StatusCode::SERVICE_UNAVAILABLE)
    })
    .await;
    let client = client.with_options(CallOptions::default().retry(RetryPolicy {
        max_delay: Duration::from_millis(20),
        ..fast_retries()
    }));
    let error = unavailable_after_three_attempts(&client).await;
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    let auth = error.auth_error().expect("the token request's error");
    assert_eq!(auth.status(), Some(503));
    assert!(auth.is_retryable());
    let message = error.to_string();
    assert!(message.contains("unavailable"), "{message}");
    assert!(message.contains("503"), "{message}");
    assert!(!message.contains("refused"), "{message}");
    assert_eq!(endpoint.requests.load(Ordering::SeqCst), 3);
    assert_eq!(endpoint.session_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_retried_and_unavailable() {
    let (server, endpoint, _) = setup(TokenEndpoint::failing(0, StatusCode::OK)).await;
    let refusing = idverify_tests::refusing_url().await;
    let client = client(&server.base_url, &format!("{refusing}/token"), 500);
    unavailable_after_three_attempts(&client).await;
    assert_eq!(endpoint.session_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn refused_credentials_are_told_apart_and_not_retried() {
    for (status, code, failure) in [
        (
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            AuthFailure::CredentialsRefused,
        ),
        (
            StatusCode::BAD_REQUEST,
            "invalid_client",
            AuthFailure::CredentialsRefused,
        ),
        (
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            AuthFailure::CredentialsRefused,
        ),
        (
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            AuthFailure::CredentialsRefused,
        ),
        (
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            AuthFailure::RequestRefused,
        ),
        (StatusCode::NOT_FOUND, "", AuthFailure::RequestRefused),
    ] {
        let (_server, endpoint, client) = setup(TokenEndpoint {
            body: json!({ "error": code, "error_description": "no" }),
            ..TokenEndpoint::failing(usize::MAX, status)
        })
        .await;
        let error = client.get_session().id("s-1").send().await.expect_err(code);
        assert_eq!(error.kind(), ErrorKind::Auth);
        assert_eq!(
            error.auth_failure(),
            Some(failure),
            "{status} {code}: {error}"
        );
        assert!(!error.is_retryable(), "{status} {code}");
        assert_eq!(error.attempts(), 1, "{status} {code}");
        assert_eq!(
            endpoint.requests.load(Ordering::SeqCst),
            1,
            "{status} {code}"
        );
    }
}

#[tokio::test]
async fn concurrent_callers_share_one_fetch_during_an_outage() {
    let (_server, endpoint, client) = setup(TokenEndpoint {
        delay: Duration::from_millis(100),
        ..TokenEndpoint::failing(usize::MAX, StatusCode::SERVICE_UNAVAILABLE)
    })
    .await;
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_session().id("s-1").send().await })
        })
        .collect();
    for call in calls {
        let error = call.await.unwrap().expect_err("the outage lasts");
        assert_eq!(
            error.auth_failure(),
            Some(AuthFailure::Unavailable),
            "{error}"
        );
    }
    // One fetch with its three attempts, not one fetch per caller.
    assert_eq!(endpoint.requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn token_retries_spend_the_clients_retry_budget() {
    let endpoint = Arc::new(TokenEndpoint::failing(
        usize::MAX,
        StatusCode::SERVICE_UNAVAILABLE,
    ));
    let server = LocalServer::start(routes(endpoint.clone())).await;
    let client = client(&server.base_url, &format!("{}/token", server.base_url), 10);
    assert!(client.get_session().id("s-1").send().await.is_err());
    assert_eq!(client.runtime().retry_budget_available(), 0);
    let error = client
        .get_session()
        .id("s-1")
        .send()
        .await
        .expect_err("503");
    assert_eq!(error.attempts(), 1, "the empty budget pays for no retry");
    assert_eq!(endpoint.requests.load(Ordering::SeqCst), 3 + 1);
}

/// Identify's partner login: a refused key is refused credentials, an outage is retried.
#[tokio::test]
async fn identify_login_refusals_and_outages_are_told_apart() {
    let outage = Arc::new(AtomicUsize::new(1));
    let logins = Arc::new(AtomicUsize::new(0));
    let router = Router::new()
        .route(
            "/auth",
            post({
                let (outage, logins) = (outage.clone(), logins.clone());
                move |body: axum::Json<serde_json::Value>| async move {
                    logins.fetch_add(1, Ordering::SeqCst);
                    if outage.fetch_sub(1, Ordering::SeqCst) > 0 {
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                    if body["APIKEY"] != "key" {
                        let refused =
                            json!({ "result": false, "messages": ["Invalid partner or API key"] });
                        return (StatusCode::UNAUTHORIZED, axum::Json(refused)).into_response();
                    }
                    axum::Json(json!({ "token": "jwt" })).into_response()
                }
            }),
        )
        .route(
            "/project/getAll",
            get(|| async { axum::Json(json!({ "result": true, "messages": [], "data": [] })) }),
        );
    let server = LocalServer::start(router).await;
    let client = |key: &str| {
        identify::Client::builder()
            .base_url(&server.base_url)
            .credentials(Credentials::partner("partner", key))
            .retry(fast_retries())
            .build()
            .unwrap()
    };
    let error = client("wrong")
        .get_all_projects()
        .send()
        .await
        .expect_err("after the outage, a refused key");
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert_eq!(
        error.auth_failure(),
        Some(AuthFailure::CredentialsRefused),
        "{error}"
    );
    assert!(!error.is_retryable());
    assert_eq!(error.attempts(), 2, "one 503, then the refusal: {error}");
    assert_eq!(logins.load(Ordering::SeqCst), 2);

    outage.store(1, Ordering::SeqCst);
    client("key")
        .get_all_projects()
        .send()
        .await
        .expect("the login is retried past the outage");
    assert_eq!(logins.load(Ordering::SeqCst), 4);
}

#[test]
fn a_custom_base_url_with_client_credentials_needs_a_token_url() {
    let credentials = || Credentials::client_credentials("id", "secret");
    let error = signicat::Client::builder()
        .base_url("https://proxy.example.org/auth/rest")
        .credentials(credentials())
        .build()
        .expect_err("the secret would go to the production token endpoint");
    assert!(
        matches!(error, BuildError::TokenUrlRequired { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("token_url"), "{message}");
    assert!(message.contains("environment"), "{message}");

    // Pointed at a token endpoint, at a named environment, or without a secret: fine.
    for builder in [
        signicat::Client::builder()
            .base_url("https://proxy.example.org/auth/rest")
            .token_url("https://proxy.example.org/auth/open/connect/token")
            .credentials(credentials()),
        signicat::Client::builder()
            .base_url(signicat::environments::PRODUCTION.base_url)
            .credentials(credentials()),
        signicat::Client::builder()
            .environment(signicat::environments::PRODUCTION)
            .credentials(credentials()),
        signicat::Client::builder()
            .base_url("https://proxy.example.org/auth/rest")
            .credentials(Credentials::bearer("token")),
        signicat::Client::builder().base_url("https://proxy.example.org/auth/rest"),
    ] {
        builder.build().expect("builds");
    }
}

/// A token endpoint that does not answer in time: the attempt timeout ends each token
/// request, the operation timeout bounds them all, and the error is a retryable
/// "unavailable".
#[tokio::test]
async fn a_slow_token_endpoint_times_out_within_the_operation_timeout() {
    let (_server, endpoint, client) = setup(TokenEndpoint {
        delay: Duration::from_secs(5),
        ..TokenEndpoint::failing(0, StatusCode::OK)
    })
    .await;
    let client = client.with_options(
        CallOptions::default()
            .retry(fast_retries())
            .attempt_timeout(Some(Duration::from_millis(200)))
            .operation_timeout(Some(Duration::from_millis(500))),
    );
    let started = std::time::Instant::now();
    let error = client
        .get_session()
        .id("s-1")
        .send()
        .await
        .expect_err("too slow");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "gave up after {:?}",
        started.elapsed()
    );
    assert_eq!(
        error.auth_failure(),
        Some(AuthFailure::Unavailable),
        "{error}"
    );
    assert!(error.is_retryable());
    assert!(
        error.attempts() >= 2,
        "a timed-out token request is retried: {error}"
    );
    assert_eq!(endpoint.session_calls.load(Ordering::SeqCst), 0);
}
