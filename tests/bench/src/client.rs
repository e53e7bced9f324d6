//! Client overhead: a generated client's `get_session().send()` (auth, retries, tracing
//! on) against a hand-written reqwest GET with a bearer header and `.json::<Session>()`
//! into the same type, same loopback server on its own thread. The client side runs on a
//! current-thread runtime on this thread, so this thread's CPU time is the client's CPU
//! time. Rounds alternate between the two (order swapped every round); the figures are
//! medians of per-round values, the ratio taken round by round.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use idverify_runtime::Credentials;
use idverify_signicat_authentication::{self as signicat, types::Session};

use crate::{Report, median, thread_cpu};

/// The session the server answers: the largest the API documents.
fn session_body() -> Vec<u8> {
    let example = crate::spec_example("signicat-authentication", "createSession");
    serde_json::to_vec(&example).expect("serialise the example")
}

struct Server {
    base_url: String,
    token_requests: Arc<AtomicUsize>,
    /// `expires_in` of the tokens it issues, in seconds.
    token_lifetime: Arc<AtomicU64>,
}

/// The loopback server, on a thread (and runtime) of its own.
fn start_server() -> Server {
    let token_requests = Arc::new(AtomicUsize::new(0));
    let token_lifetime = Arc::new(AtomicU64::new(600));
    let (tx, rx) = std::sync::mpsc::channel();
    let counter = token_requests.clone();
    let lifetime = token_lifetime.clone();
    let body = bytes_body(session_body());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let router = Router::new()
                .route(
                    "/token",
                    post(move || {
                        let n = counter.fetch_add(1, Ordering::SeqCst);
                        let expires_in = lifetime.load(Ordering::SeqCst);
                        async move {
                            axum::Json(serde_json::json!({
                                "access_token": format!("token-{n}"),
                                "token_type": "Bearer",
                                "expires_in": expires_in,
                            }))
                        }
                    }),
                )
                .route(
                    "/sessions/{id}",
                    get(move || {
                        let body = body.clone();
                        async move { ([("content-type", "application/json")], body) }
                    }),
                );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind a loopback port");
            tx.send(listener.local_addr().expect("address"))
                .expect("send the address");
            axum::serve(listener, router).await.expect("serve");
        });
    });
    let address = rx.recv().expect("the server's address");
    Server {
        base_url: format!("http://{address}"),
        token_requests,
        token_lifetime,
    }
}

fn bytes_body(body: Vec<u8>) -> axum::body::Bytes {
    axum::body::Bytes::from(body)
}

fn client(server: &Server, skew: Duration) -> signicat::Client {
    let mut options = idverify_runtime::CallOptions::default();
    // Variants for profiling (`--only`): what one setting costs.
    if std::env::var_os("BENCH_NO_TIMEOUT").is_some() {
        options = options.attempt_timeout(None);
    }
    if std::env::var_os("BENCH_NO_RETRY").is_some() {
        options = options.retry(idverify_runtime::RetryPolicy::none());
    }
    signicat::Client::builder()
        .call_options(options)
        .base_url(&server.base_url)
        .token_url(format!("{}/token", server.base_url))
        .credentials(Credentials::client_credentials("bench", "secret"))
        .token_refresh_skew(skew)
        .build()
        .expect("build the client")
}

#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
}

/// `calls` calls of `call`, `concurrency` at a time, on this thread.
async fn round<F, Fut>(calls: usize, concurrency: usize, call: F) -> Sample
where
    F: Fn() -> Fut + Clone + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let next = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let cpu = thread_cpu();
    let started = Instant::now();
    let local = tokio::task::LocalSet::new();
    for _ in 0..concurrency {
        let next = next.clone();
        let call = call.clone();
        local.spawn_local(async move {
            loop {
                let n = next.get();
                if n >= calls {
                    break;
                }
                next.set(n + 1);
                call().await;
            }
        });
    }
    local.await;
    Sample {
        wall: started.elapsed(),
        cpu: thread_cpu() - cpu,
    }
}

pub(crate) struct Settings {
    pub calls: usize,
    pub rounds: usize,
    /// `ours` or `theirs`: run only that side (to profile it), print only the number of
    /// calls made.
    pub only: Option<String>,
}

/// One concurrency level: medians of both sides and of the per-round CPU ratio.
struct Level {
    concurrency: usize,
    ours: Vec<Sample>,
    theirs: Vec<Sample>,
}

pub(crate) fn run(settings: &Settings, report: &mut Report) {
    // "Tracing on": a subscriber is installed (warnings and errors printed), so every
    // span and event goes through its level check, as in an application.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .try_init();
    let server = start_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    runtime.block_on(async {
        let ours = client(&server, Duration::from_secs(30));
        let theirs = reqwest::Client::new();
        let base = server.base_url.clone();
        let token = "Bearer token-0".to_string();

        let generated = {
            let ours = ours.clone();
            move || {
                let ours = ours.clone();
                async move {
                    let session = ours
                        .get_session()
                        .id("3d07c219")
                        .send()
                        .await
                        .expect("get_session");
                    std::hint::black_box(session);
                }
            }
        };
        let hand_written = {
            move || {
                let theirs = theirs.clone();
                let base = base.clone();
                let token = token.clone();
                async move {
                    let id = "3d07c219";
                    let session: Session = theirs
                        .get(format!("{base}/sessions/{id}"))
                        .header(reqwest::header::AUTHORIZATION, token)
                        .header(reqwest::header::ACCEPT, "application/json")
                        .send()
                        .await
                        .expect("GET")
                        .error_for_status()
                        .expect("a 2xx")
                        .json()
                        .await
                        .expect("a session");
                    std::hint::black_box(session);
                }
            }
        };

        if std::env::var_os("BENCH_SIZES").is_some() {
            let ours_future = ours.get_session().id("x").send();
            let their_future = reqwest::Client::new().get("http://x/").send();
            let http = reqwest::Client::new();
            let request = http.get("http://x/").build().unwrap();
            let send = ours.runtime().send::<()>(&http, request, "x");
            let response = reqwest::Response::from(axum::http::Response::new(Vec::<u8>::new()));
            let decode = idverify_runtime::decode::success::<Session, ()>(response, "x");
            eprintln!("Runtime::send {} bytes, decode::success {} bytes", std::mem::size_of_val(&send), std::mem::size_of_val(&decode));
            eprintln!(
                "future sizes: ours {} bytes, reqwest's send {} bytes; result {} bytes",
                std::mem::size_of_val(&ours_future),
                std::mem::size_of_val(&their_future),
                std::mem::size_of::<Result<signicat::ResponseValue<Session>, idverify_runtime::Error<signicat::types::Problem>>>(),
            );
        }
        // Warm up both connection pools (and the token cache) at the widest concurrency
        // (only the side profiled, with `--only`, so that all this thread runs is that side).
        let warm_up = 2_000.min(settings.calls);
        if settings.only.as_deref() != Some("theirs") {
            round(warm_up, 64, generated.clone()).await;
        }
        if settings.only.as_deref() != Some("ours") {
            round(warm_up, 64, hand_written.clone()).await;
        }

        if let Some(only) = &settings.only {
            for concurrency in [1, 64] {
                let mut cpu = Vec::new();
                for _ in 0..settings.rounds {
                    let sample = match only.as_str() {
                        "ours" => round(settings.calls, concurrency, generated.clone()).await,
                        _ => round(settings.calls, concurrency, hand_written.clone()).await,
                    };
                    cpu.push(sample.cpu.as_secs_f64() * 1e6 / settings.calls as f64);
                }
                eprintln!("{only} {concurrency}: {:.2} µs CPU per call", median(cpu));
            }
            // For a count of instructions per call (`cargo xtask bench` under callgrind).
            report.figure(
                "client.only.calls",
                (warm_up + 2 * settings.rounds * settings.calls) as f64,
                "calls",
                "calls made on this thread, warm-up included",
            );
            return;
        }
        let mut levels = Vec::new();
        for concurrency in [1, 64] {
            let mut level = Level {
                concurrency,
                ours: Vec::new(),
                theirs: Vec::new(),
            };
            for r in 0..settings.rounds {
                if r % 2 == 0 {
                    level
                        .ours
                        .push(round(settings.calls, concurrency, generated.clone()).await);
                    level
                        .theirs
                        .push(round(settings.calls, concurrency, hand_written.clone()).await);
                } else {
                    level
                        .theirs
                        .push(round(settings.calls, concurrency, hand_written.clone()).await);
                    level
                        .ours
                        .push(round(settings.calls, concurrency, generated.clone()).await);
                }
            }
            levels.push(level);
        }
        for level in &levels {
            let per_call = |d: Duration| d.as_secs_f64() * 1e6 / settings.calls as f64;
            let cpu = |s: &[Sample]| median(s.iter().map(|s| per_call(s.cpu)).collect());
            let wall = |s: &[Sample]| median(s.iter().map(|s| per_call(s.wall)).collect());
            let ratio = median(
                level
                    .ours
                    .iter()
                    .zip(&level.theirs)
                    .map(|(o, t)| t.cpu.as_secs_f64() / o.cpu.as_secs_f64())
                    .collect(),
            );
            let wall_ratio = median(
                level
                    .ours
                    .iter()
                    .zip(&level.theirs)
                    .map(|(o, t)| t.wall.as_secs_f64() / o.wall.as_secs_f64())
                    .collect(),
            );
            let c = level.concurrency;
            report.figure(
                &format!("client.c{c}.cpu_ratio"),
                ratio,
                "×",
                &format!(
                    "client CPU per call, hand-written / ours, {c} concurrent (median of {} rounds of {} calls)",
                    settings.rounds, settings.calls
                ),
            );
            report.figure(
                &format!("client.c{c}.ours_cpu_us"),
                cpu(&level.ours),
                "µs",
                &format!("generated client: CPU per call, {c} concurrent"),
            );
            report.figure(
                &format!("client.c{c}.theirs_cpu_us"),
                cpu(&level.theirs),
                "µs",
                &format!("hand-written reqwest + serde: CPU per call, {c} concurrent"),
            );
            report.figure(
                &format!("client.c{c}.ours_wall_us"),
                wall(&level.ours),
                "µs",
                &format!("generated client: wall time per call, {c} concurrent"),
            );
            report.figure(
                &format!("client.c{c}.theirs_wall_us"),
                wall(&level.theirs),
                "µs",
                &format!("hand-written reqwest + serde: wall time per call, {c} concurrent"),
            );
            report.figure(
                &format!("client.c{c}.wall_ratio"),
                wall_ratio,
                "×",
                &format!("throughput, ours / hand-written, {c} concurrent"),
            );
        }

        // Token requests: 64 cold concurrent calls on a fresh client, then 10,000 calls
        // 64 at a time while each token is used for 100 ms (issued for 1 s, refreshed
        // 900 ms early), so the run spans several token lifetimes.
        let cold = client(&server, Duration::from_secs(30));
        server.token_requests.store(0, Ordering::SeqCst);
        round(64, 64, {
            let cold = cold.clone();
            move || {
                let cold = cold.clone();
                async move {
                    cold.get_session().id("x").send().await.expect("get_session");
                }
            }
        })
        .await;
        report.figure(
            "tokens.cold64",
            server.token_requests.load(Ordering::SeqCst) as f64,
            "requests",
            "token requests for 64 concurrent calls on a cold client",
        );

        let lifetime = Duration::from_millis(100);
        server.token_lifetime.store(1, Ordering::SeqCst);
        let short = client(&server, Duration::from_secs(1) - lifetime);
        server.token_requests.store(0, Ordering::SeqCst);
        let calls = 10_000;
        let sample = round(calls, 64, {
            let short = short.clone();
            move || {
                let short = short.clone();
                async move {
                    short
                        .get_session()
                        .id("x")
                        .send()
                        .await
                        .expect("get_session");
                }
            }
        })
        .await;
        let fetched = server.token_requests.load(Ordering::SeqCst);
        let lifetimes = (sample.wall.as_secs_f64() / lifetime.as_secs_f64()).ceil();
        report.figure(
            "tokens.per10k",
            fetched as f64 * 10_000.0 / calls as f64,
            "requests",
            &format!(
                "token requests per 10,000 calls at 64 concurrent, each token used {} ms: the \
                 run took {:.2} s = {lifetimes} token lifetimes (1 request each is the least)",
                lifetime.as_millis(),
                sample.wall.as_secs_f64()
            ),
        );
        report.figure(
            "tokens.lifetimes",
            lifetimes,
            "lifetimes",
            "token lifetimes the 10,000 calls spanned",
        );
    });
}
