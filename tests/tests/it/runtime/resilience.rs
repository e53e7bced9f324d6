//! The runtime under a misbehaving vendor: token single flight, retries by method and
//! status, Retry-After, timeouts and the retry budget. Uses the Signicat Authentication
//! client; the behaviour is the runtime's and the same for every generated client.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use idverify_runtime::{CallOptions, Credentials, ErrorKind, RetryPolicy};
use idverify_signicat_authentication as signicat;
use idverify_tests::LocalServer;
use serde_json::json;

/// What the vendor does next: the first `failures` calls to a session route answer
/// `status` (with `Retry-After` if set) or hang for `delay`; later calls succeed.
#[derive(Default)]
struct Faults {
    token_requests: AtomicUsize,
    session_calls: AtomicUsize,
    failures: AtomicUsize,
    status: AtomicUsize,
    retry_after: Option<&'static str>,
    delay: Option<Duration>,
    token_delay: Option<Duration>,
}

async fn session_route(State(f): State<Arc<Faults>>) -> axum::response::Response {
    let call = f.session_calls.fetch_add(1, Ordering::SeqCst);
    if call < f.failures.load(Ordering::SeqCst) {
        if let Some(delay) = f.delay {
            tokio::time::sleep(delay).await;
        } else {
            let status = StatusCode::from_u16(f.status.load(Ordering::SeqCst) as u16).unwrap();
            let mut response = (status, "").into_response();
            if let Some(after) = f.retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", after.parse().unwrap());
            }
            return response;
        }
    }
    axum::Json(json!({ "id": "s-1", "status": "CREATED" })).into_response()
}

fn routes(faults: Arc<Faults>) -> Router {
    Router::new()
        .route(
            "/token",
            post(|State(f): State<Arc<Faults>>| async move {
                f.token_requests.fetch_add(1, Ordering::SeqCst);
                if let Some(delay) = f.token_delay {
                    tokio::time::sleep(delay).await;
                }
                axum::Json(json!({ "access_token": "t", "expires_in": 600 }))
            }),
        )
        .route("/sessions/{id}", get(session_route))
        .route("/sessions", post(session_route))
        .with_state(faults)
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
    }
}

async fn setup(faults: Faults) -> (LocalServer, Arc<Faults>, signicat::Client) {
    let faults = Arc::new(faults);
    let server = LocalServer::start(routes(faults.clone())).await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("id", "secret"))
        .retry(fast_retries())
        .build()
        .unwrap();
    (server, faults, client)
}

fn create_body() -> signicat::types::builder::CreateSessionRequest {
    signicat::types::CreateSessionRequest::builder()
        .flow(signicat::types::Flow::Redirect)
        .requested_attributes(Vec::<signicat::types::RequestedAttribute>::new())
}

#[tokio::test]
async fn sixty_four_concurrent_calls_on_a_cold_cache_fetch_one_token() {
    let (_server, faults, client) = setup(Faults {
        token_delay: Some(Duration::from_millis(200)),
        ..Faults::default()
    })
    .await;
    let calls = (0..64).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .get_session()
                .id("s-1")
                .send()
                .await
                .map(|r| r.status())
        })
    });
    for call in calls {
        assert_eq!(call.await.unwrap().expect("call succeeds"), 200);
    }
    assert_eq!(faults.token_requests.load(Ordering::SeqCst), 1);
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 64);
}

#[tokio::test]
async fn a_503_is_retried_for_get_but_not_for_post() {
    let (_server, faults, client) = setup(Faults {
        status: AtomicUsize::new(503),
        ..Faults::default()
    })
    .await;
    faults.failures.store(2, Ordering::SeqCst);
    let got = client
        .get_session()
        .id("s-1")
        .send()
        .await
        .expect("GET retried until it succeeds");
    assert_eq!(got.status(), 200);
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 3);

    faults.session_calls.store(0, Ordering::SeqCst);
    faults.failures.store(1, Ordering::SeqCst);
    match client.create_session().body(create_body()).send().await {
        Err(e) if e.kind() == ErrorKind::UnexpectedStatus => assert_eq!(e.status().unwrap(), 503),
        other => panic!("POST must not be retried after a 503: {other:?}"),
    }
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 1);

    // ... unless the call is marked safe to retry.
    faults.session_calls.store(0, Ordering::SeqCst);
    faults.failures.store(1, Ordering::SeqCst);
    let safe = client.with_options(
        CallOptions::default()
            .retry(fast_retries())
            .retry_non_idempotent(true),
    );
    assert_eq!(
        safe.create_session()
            .body(create_body())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 2);
}

/// On paused time: the runtime's clock and sleeps are tokio's, so the 15 s the vendor
/// asks for pass at once in real time and exactly in the runtime's.
#[tokio::test(start_paused = true)]
async fn a_429_waits_for_retry_after_even_for_post() {
    let (_server, faults, client) = setup(Faults {
        status: AtomicUsize::new(429),
        retry_after: Some("15"),
        ..Faults::default()
    })
    .await;
    let client = client.with_options(
        CallOptions::default()
            .retry(RetryPolicy {
                max_delay: Duration::from_secs(60),
                ..fast_retries()
            })
            // No attempt timeout: on paused time it would be the next timer to fire
            // whenever the runtime waits for the local server.
            .attempt_timeout(None),
    );
    faults.failures.store(1, Ordering::SeqCst);
    let wall_clock = Instant::now();
    let started = tokio::time::Instant::now();
    let created = client
        .create_session()
        .body(create_body())
        .send()
        .await
        .expect("retried after 429");
    assert_eq!(created.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_secs(15),
        "waited {:?}",
        started.elapsed()
    );
    assert!(
        wall_clock.elapsed() < Duration::from_secs(5),
        "the wait was not real: {:?}",
        wall_clock.elapsed()
    );
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn attempts_stop_at_the_policy_limit_and_return_the_last_response() {
    let (_server, faults, client) = setup(Faults {
        status: AtomicUsize::new(502),
        ..Faults::default()
    })
    .await;
    faults.failures.store(100, Ordering::SeqCst);
    match client.get_session().id("s-1").send().await {
        Err(e) if e.kind() == ErrorKind::UnexpectedStatus => {
            assert_eq!(e.status().unwrap(), 502);
            assert!(e.is_retryable());
        }
        other => panic!("expected the vendor's 502: {other:?}"),
    }
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_slow_attempt_times_out_and_is_retried_for_get() {
    let (_server, faults, client) = setup(Faults {
        delay: Some(Duration::from_secs(5)),
        ..Faults::default()
    })
    .await;
    faults.failures.store(1, Ordering::SeqCst);
    let client = client.with_options(
        CallOptions::default()
            .retry(fast_retries())
            .attempt_timeout(Some(Duration::from_millis(300))),
    );
    let got = client
        .get_session()
        .id("s-1")
        .send()
        .await
        .expect("second attempt succeeds");
    assert_eq!(got.status(), 200);
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 2);

    // POST is not retried after a timeout: the vendor may have created the session.
    faults.session_calls.store(0, Ordering::SeqCst);
    faults.failures.store(1, Ordering::SeqCst);
    match client.create_session().body(create_body()).send().await {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Timeout, "{e}"),
        other => panic!("expected a timeout: {other:?}"),
    }
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_operation_timeout_bounds_all_attempts() {
    let (_server, faults, client) = setup(Faults {
        delay: Some(Duration::from_secs(5)),
        ..Faults::default()
    })
    .await;
    faults.failures.store(100, Ordering::SeqCst);
    let client = client.with_options(
        CallOptions::default()
            .retry(RetryPolicy {
                max_attempts: 10,
                ..fast_retries()
            })
            .attempt_timeout(Some(Duration::from_millis(200)))
            .operation_timeout(Some(Duration::from_millis(700))),
    );
    let started = Instant::now();
    let result = client.get_session().id("s-1").send().await;
    assert!(
        matches!(result, Err(ref e) if e.kind() == ErrorKind::Timeout),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "gave up after {:?}",
        started.elapsed()
    );
    assert!(faults.session_calls.load(Ordering::SeqCst) < 10);
}

#[tokio::test]
async fn an_empty_retry_budget_stops_retries() {
    let faults = Arc::new(Faults {
        status: AtomicUsize::new(503),
        ..Faults::default()
    });
    faults.failures.store(1000, Ordering::SeqCst);
    let server = LocalServer::start(routes(faults.clone())).await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("id", "secret"))
        .retry(fast_retries())
        .retry_budget(10)
        .build()
        .unwrap();
    for _ in 0..4 {
        assert!(client.get_session().id("s-1").send().await.is_err());
    }
    // 10 tokens pay for two retries (5 each); after that each call is tried once.
    assert_eq!(faults.session_calls.load(Ordering::SeqCst), 3 + 1 + 1 + 1);
    assert_eq!(client.runtime().retry_budget_available(), 0);
}
