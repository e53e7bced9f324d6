//! `wait_until_final` of every API against the sandbox, written as an application would
//! use it: a session completed through the control API while the waiter polls, an
//! aborted one with and without `success_only`, `max_wait` passing, a session the
//! vendor does not know, and a `Retry-After` honoured between polls.

use std::time::{Duration, Instant};

use idverify_identify_videoident as identify;
use idverify_idfy_identification_v1 as idfy;
use idverify_idnow_platform as idnow;
use idverify_runtime::RetryPolicy;
use idverify_runtime::waiter::{WaitError, Waiter};
use idverify_sandbox::faults::{Fault, FaultKind};
use idverify_sandbox::scenario::Clients;
use idverify_sandbox::{Api, Outcome, Sandbox, SandboxHandle, persons};
use idverify_signicat_authentication as authentication;
use idverify_signicat_identification_v2 as idv2;

/// How a wait ended, the same for every API.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Final(String),
    Unsuccessful(String),
    TimedOut {
        polls: u32,
        last_status: Option<String>,
        had_session: bool,
    },
    Gone {
        seen: bool,
    },
    Failed(Option<u16>),
}

#[derive(Clone, Copy)]
struct Settings {
    min_delay: Duration,
    max_wait: Duration,
    success_only: bool,
}

const QUICK: Settings = Settings {
    min_delay: Duration::from_millis(10),
    max_wait: Duration::from_secs(20),
    success_only: false,
};

fn configure<'a, T: Send + 'a, E: Send + 'a>(
    waiter: Waiter<'a, T, E>,
    settings: Settings,
) -> Waiter<'a, T, E> {
    let waiter = waiter
        .min_delay(settings.min_delay)
        .max_delay(settings.min_delay * 4)
        .max_wait(settings.max_wait);
    if settings.success_only {
        waiter.success_only()
    } else {
        waiter
    }
}

/// A polled session's status as received, and its generated `is_final()` and
/// `is_successful()`.
type Read<T> = fn(&T) -> (String, bool, bool);

fn ended<T, E>(result: Result<T, WaitError<T, E>>, read: Read<T>) -> Ended {
    match result {
        Ok(session) => {
            let (status, is_final, _) = read(&session);
            assert!(is_final, "{status}: the waiter ended on a final session");
            Ended::Final(status)
        }
        Err(WaitError::Unsuccessful { status: s, session }) => {
            let (status, is_final, is_successful) = read(&session);
            assert_eq!(status, s, "the error carries the final session");
            assert!(is_final && !is_successful, "{status}");
            Ended::Unsuccessful(s)
        }
        Err(WaitError::TimedOut {
            polls,
            last_status,
            last,
            ..
        }) => {
            if let Some(last) = &last {
                let (status, is_final, _) = read(last);
                assert!(
                    !is_final,
                    "{status}: a wait that timed out saw no final session"
                );
            }
            Ended::TimedOut {
                polls,
                last_status,
                had_session: last.is_some(),
            }
        }
        Err(WaitError::Gone { seen, .. }) => Ended::Gone { seen },
        Err(WaitError::Vendor(error)) => Ended::Failed(error.status().map(|s| s.as_u16())),
        Err(other) => panic!("unexpected wait error: {other}"),
    }
}

/// Waits for `id` of `api` with the generated `wait_until_final`.
async fn wait(clients: &Clients, api: Api, id: &str, settings: Settings) -> Ended {
    match api {
        Api::SignicatAuthentication => ended(
            configure(clients.authentication.wait_until_final(id), settings).await,
            |s: &authentication::types::Session| {
                let status = s.status.as_ref().map(|s| s.to_string()).unwrap_or_default();
                assert_eq!(s.lifecycle_status(), Some(status.as_str()));
                (status, s.is_final(), s.is_successful())
            },
        ),
        Api::SignicatIdentificationV2 => ended(
            configure(clients.idv2.wait_until_final(id), settings).await,
            |s: &idv2::types::Session| (s.status.to_string(), s.is_final(), s.is_successful()),
        ),
        Api::IdfyIdentificationV1 => ended(
            configure(clients.idfy.wait_until_final(id), settings).await,
            |s: &idfy::types::IdentificationResponse| {
                let status = s.status.as_ref().map(|s| s.to_string()).unwrap_or_default();
                (status, s.is_final(), s.is_successful())
            },
        ),
        Api::IdnowPlatform => ended(
            configure(
                clients
                    .idnow
                    .wait_until_final(idnow::types::Environment::Live, id),
                settings,
            )
            .await,
            |s: &idnow::types::Session| {
                (
                    s.session_status.to_string(),
                    s.is_final(),
                    s.is_successful(),
                )
            },
        ),
        Api::IdentifyVideoident => ended(
            configure(clients.identify.wait_until_final(id), settings).await,
            |s: &identify::types::GetIdentResponse| {
                let status = s.data.status_code.clone().unwrap_or_default();
                (status, s.is_final(), s.is_successful())
            },
        ),
    }
}

/// The final statuses of the sandbox's outcomes, per API.
fn status_of(api: Api, outcome: Outcome) -> &'static str {
    match (api, outcome) {
        (Api::SignicatAuthentication, Outcome::Success) => "SUCCESS",
        (Api::SignicatAuthentication, Outcome::Abort) => "ABORT",
        (Api::SignicatIdentificationV2, Outcome::Success) => "success",
        (Api::SignicatIdentificationV2, Outcome::Abort) => "user_aborted",
        (Api::IdfyIdentificationV1, Outcome::Success) => "SUCCESS",
        (Api::IdfyIdentificationV1, Outcome::Abort) => "USERABORTED",
        (Api::IdnowPlatform, Outcome::Success) => "COMPLETED",
        (Api::IdnowPlatform, Outcome::Abort) => "ABORTED",
        (Api::IdentifyVideoident, Outcome::Success) => "5",
        (Api::IdentifyVideoident, Outcome::Abort) => "3",
        (api, outcome) => panic!("no status for {api} {outcome:?}"),
    }
}

fn clients(sandbox: &SandboxHandle) -> Clients {
    Clients::new(sandbox.base_url(), RetryPolicy::default())
}

/// Journal entries of `api` that read a session (the polls), not tokens or creates.
fn polls(sandbox: &SandboxHandle, api: Api) -> usize {
    sandbox
        .journal(api)
        .iter()
        .filter(|e| e.method == "GET" && e.status != 0)
        .count()
}

#[tokio::test]
async fn every_api_waits_for_a_session_completed_while_it_polls() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = clients(&sandbox);
    for &api in Api::ALL {
        let id = clients.create(api, "wait-success").await.expect("create");
        let waiting = {
            let clients = clients.clone();
            let id = id.clone();
            tokio::spawn(async move {
                let settings = Settings {
                    success_only: true,
                    ..QUICK
                };
                wait(&clients, api, &id, settings).await
            })
        };
        // Complete only once the waiter has polled and seen the session open.
        let started = Instant::now();
        while polls(&sandbox, api) < 2 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{api}: no poll"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        sandbox
            .control()
            .complete(api, &id, &persons::KARI, Outcome::Success)
            .expect("complete");
        assert_eq!(
            waiting.await.unwrap(),
            Ended::Final(status_of(api, Outcome::Success).into()),
            "{api}"
        );
    }
}

#[tokio::test]
async fn an_aborted_session_is_final_and_unsuccessful_when_success_is_required() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = clients(&sandbox);
    for &api in Api::ALL {
        let id = clients.create(api, "wait-abort").await.expect("create");
        sandbox
            .control()
            .complete(api, &id, &persons::KARI, Outcome::Abort)
            .expect("abort");
        let aborted = status_of(api, Outcome::Abort).to_string();
        assert_eq!(
            wait(&clients, api, &id, QUICK).await,
            Ended::Final(aborted.clone()),
            "{api}: any final status ends the wait"
        );
        let strict = Settings {
            success_only: true,
            ..QUICK
        };
        assert_eq!(
            wait(&clients, api, &id, strict).await,
            Ended::Unsuccessful(aborted),
            "{api}"
        );
    }
}

#[tokio::test]
async fn max_wait_ends_with_the_last_session_seen() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = clients(&sandbox);
    for &api in Api::ALL {
        let id = clients.create(api, "wait-timeout").await.expect("create");
        let short = Settings {
            min_delay: Duration::from_millis(20),
            max_wait: Duration::from_millis(150),
            success_only: false,
        };
        match wait(&clients, api, &id, short).await {
            Ended::TimedOut {
                polls,
                last_status: Some(status),
                had_session: true,
            } => {
                // At least the first poll and the one at the deadline.
                assert!(polls >= 2, "{api}: {polls} polls");
                assert_ne!(status, status_of(api, Outcome::Success), "{api}");
            }
            other => panic!("{api}: expected a timeout, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_session_the_vendor_does_not_know_ends_the_wait_as_gone() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = clients(&sandbox);
    for &api in Api::ALL {
        // A well-formed id the sandbox never issued.
        let id = match api {
            Api::IdnowPlatform => "0197c55f-5af6-7e3d-af9b-f2359b134be8",
            Api::SignicatIdentificationV2 => "3f7d2a4e8b5c4b6e9a1f0c2d4e6f8a0b",
            _ => "00000000-0000-4000-8000-000000000000",
        };
        assert_eq!(
            wait(&clients, api, id, QUICK).await,
            Ended::Gone { seen: false },
            "{api}"
        );
    }
}

#[tokio::test]
async fn the_waiter_honours_retry_after_between_polls() {
    let sandbox = Sandbox::start().await.unwrap();
    // No retries in the call: the 429 reaches the waiter, which must wait as told.
    let clients = Clients::new(sandbox.base_url(), RetryPolicy::none());
    let api = Api::SignicatIdentificationV2;
    let id = clients.create(api, "wait-throttled").await.expect("create");
    sandbox
        .control()
        .complete(api, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    sandbox
        .faults()
        .add(Fault {
            api: Some(api),
            kind: FaultKind::Status {
                status: 429,
                retry_after: Some(1),
            },
            count: 1,
        })
        .expect("fault");
    let started = Instant::now();
    assert_eq!(
        wait(&clients, api, &id, QUICK).await,
        Ended::Final("success".into())
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "polled again before the vendor's Retry-After"
    );
    let statuses: Vec<u16> = sandbox
        .journal(api)
        .iter()
        .filter(|e| e.method == "GET")
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, vec![429, 200]);
}

#[tokio::test]
async fn dropping_the_wait_stops_polling() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = clients(&sandbox);
    let api = Api::SignicatAuthentication;
    let id = clients.create(api, "wait-dropped").await.expect("create");
    let waiter = clients
        .authentication
        .wait_until_final(&id)
        .min_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(10));
    // Give up on the wait after a few polls; no poll may follow.
    let _ = tokio::time::timeout(Duration::from_millis(100), waiter).await;
    let after_drop = polls(&sandbox, api);
    assert!(after_drop >= 2, "{after_drop} polls");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(polls(&sandbox, api), after_drop);
}
