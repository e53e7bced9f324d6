//! `cargo bench -p idverify-tests --bench runtime_overhead`
//!
//! Prints: token requests per 10,000 calls made 64 at a time on one client, and the
//! time per call of a generated client (token cache, hooks, retries, typed decoding)
//! against a raw reqwest GET to the same loopback server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use idverify_runtime::Credentials;
use idverify_signicat_authentication as signicat;
use idverify_tests::LocalServer;
use serde_json::json;

const CALLS: usize = 10_000;
const CONCURRENCY: usize = 64;

async fn run<F, Fut>(call: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let next = next.clone();
            let call = call.clone();
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < CALLS {
                    call().await;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let counter = tokens.clone();
    let session = json!({ "id": "3d07c219", "accountId": "a-1", "status": "SUCCESS", "provider": "nbid", "flow": "redirect" });
    let body = session.clone();
    let server = LocalServer::start(
        Router::new()
            .route(
                "/token",
                post(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async { axum::Json(json!({ "access_token": "t", "expires_in": 600 })) }
                }),
            )
            .route(
                "/sessions/{id}",
                get(move || {
                    let body = body.clone();
                    async move { axum::Json(body) }
                }),
            ),
    )
    .await;

    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("id", "secret"))
        .build()
        .unwrap();
    let raw = reqwest::Client::new();
    let url = format!("{}/sessions/3d07c219", server.base_url);

    // Warm both connection pools.
    client.get_session().id("3d07c219").send().await.unwrap();
    raw.get(&url).send().await.unwrap().bytes().await.unwrap();
    tokens.store(0, Ordering::SeqCst);

    // A fresh client: the token cache starts cold under 64 concurrent callers.
    let cold = signicat::Client::builder()
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("id", "secret"))
        .build()
        .unwrap();
    let generated = run(move || {
        let cold = cold.clone();
        async move {
            let session = cold.get_session().id("3d07c219").send().await.unwrap();
            assert_eq!(session.id.as_deref(), Some("3d07c219"));
        }
    })
    .await;
    let token_requests = tokens.load(Ordering::SeqCst);

    let raw_time = run(move || {
        let raw = raw.clone();
        let url = url.clone();
        async move {
            let bytes = raw
                .get(&url)
                .header("authorization", "Bearer t")
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(!bytes.is_empty());
        }
    })
    .await;

    let per_call = |d: Duration| d.as_secs_f64() * 1e6 / CALLS as f64;
    println!("{CALLS} calls, {CONCURRENCY} at a time, one client, loopback server");
    println!("token requests:             {token_requests} per {CALLS} calls");
    println!(
        "generated client:           {:>8.1} us/call  ({:.0} calls/s)",
        per_call(generated),
        CALLS as f64 / generated.as_secs_f64()
    );
    println!(
        "raw reqwest GET:            {:>8.1} us/call  ({:.0} calls/s)",
        per_call(raw_time),
        CALLS as f64 / raw_time.as_secs_f64()
    );
    println!(
        "overhead of client + hooks: {:>8.1} us/call",
        per_call(generated) - per_call(raw_time)
    );
}
