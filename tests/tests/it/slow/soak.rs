//! A soak through the sandbox: 1,000 sessions created, completed and read across the
//! five APIs while 30% of the vendor calls (token endpoints included) answer 429 or 503
//! or have their connection dropped. Each create must either succeed exactly once (the
//! sandbox holds exactly one session for its reference) or fail with an error the caller
//! sees, and nothing the vendor may have processed is sent again: no reference is ever
//! created twice. Prints the counts.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use idverify_runtime::RetryPolicy;
use idverify_sandbox::scenario::{Clients, Failure};
use idverify_sandbox::{Api, Fault, FaultKind, Outcome, PERSONS, Sandbox, SandboxHandle};

const SESSIONS_PER_API: usize = 200;
const FAULT_RATE: f64 = 0.3;
/// The journal keeps the last 500 requests per API: check well before it wraps.
const BATCH: usize = 40;

/// The faults are drawn from this; the same seed gives the same run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> f64 {
        // xorshift64*: enough for picking faults.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Debug, Default)]
struct Counts {
    faults: BTreeMap<&'static str, usize>,
    created: usize,
    create_failed: BTreeMap<String, usize>,
    read: usize,
    read_failed: BTreeMap<String, usize>,
    token_requests_faulted: usize,
}

fn maybe_fault(
    sandbox: &SandboxHandle,
    api: Api,
    dice: &mut Dice,
    counts: &mut Counts,
    count: u32,
) {
    if dice.next() >= FAULT_RATE {
        return;
    }
    let (name, kind) = match (dice.next() * 3.0) as u32 {
        0 => (
            "429",
            FaultKind::Status {
                status: 429,
                retry_after: None,
            },
        ),
        1 => (
            "503",
            FaultKind::Status {
                status: 503,
                retry_after: None,
            },
        ),
        _ => ("drop", FaultKind::Drop),
    };
    *counts.faults.entry(name).or_default() += 1;
    sandbox
        .faults()
        .add(Fault {
            api: Some(api),
            kind,
            count,
        })
        .expect("a valid fault");
}

fn failure_name(failure: &Failure) -> String {
    format!(
        "{:?}{}",
        failure.kind,
        failure.status.map(|s| format!(" {s}")).unwrap_or_default()
    )
}

/// How many created sessions (2xx answers to a create) the sandbox journal shows for
/// each reference of `references`.
fn created_in_journal(
    sandbox: &SandboxHandle,
    api: Api,
    references: &[String],
) -> HashMap<String, usize> {
    let mut found: HashMap<String, usize> = references.iter().map(|r| (r.clone(), 0)).collect();
    for entry in sandbox.journal(api) {
        if entry.method != "POST" || !(200..300).contains(&entry.status) {
            continue;
        }
        let body = String::from_utf8_lossy(&entry.body);
        for reference in references {
            if body.contains(reference.as_str()) {
                *found.get_mut(reference).unwrap() += 1;
            }
        }
    }
    found
}

async fn soak_one(sandbox: &SandboxHandle, clients: &Clients, api: Api, seed: u64) -> Counts {
    let mut dice = Dice(seed);
    let mut counts = Counts::default();
    for batch in 0..SESSIONS_PER_API.div_ceil(BATCH) {
        // Past every token's lifetime on the sandbox's clock: the vendor refuses the
        // cached token, and the client's token request meets the faults too.
        sandbox.control().advance(Duration::from_secs(2 * 3600));
        // The first call now meets a 401, then a token request: a fault of two calls
        // reaches the token endpoint whenever the first call is retried.
        maybe_fault(sandbox, api, &mut dice, &mut counts, 2);
        let mut outcomes: Vec<(String, Result<String, Failure>)> = Vec::new();
        for i in batch * BATCH..((batch + 1) * BATCH).min(SESSIONS_PER_API) {
            // Fixed width, so no reference is a prefix of another.
            let reference = format!("soak{i:05}x");
            maybe_fault(sandbox, api, &mut dice, &mut counts, 1);
            let created = clients.create(api, &reference).await;
            if let Ok(id) = &created {
                sandbox
                    .control()
                    .complete(api, id, &PERSONS[i % PERSONS.len()], Outcome::Success)
                    .expect("complete through the control API");
                maybe_fault(sandbox, api, &mut dice, &mut counts, 1);
                match clients.read(api, id).await {
                    Ok(_) => counts.read += 1,
                    Err(failure) => {
                        *counts
                            .read_failed
                            .entry(failure_name(&failure))
                            .or_default() += 1
                    }
                }
            }
            outcomes.push((reference, created));
        }
        let references: Vec<String> = outcomes.iter().map(|(r, _)| r.clone()).collect();
        let in_journal = created_in_journal(sandbox, api, &references);
        for (reference, created) in &outcomes {
            let held = in_journal[reference];
            match created {
                Ok(_) => {
                    counts.created += 1;
                    assert_eq!(
                        held,
                        1,
                        "{}: {reference} was created {held} times for one success",
                        api.name()
                    );
                }
                Err(failure) => {
                    *counts
                        .create_failed
                        .entry(failure_name(failure))
                        .or_default() += 1;
                    assert!(
                        failure.kind.is_some(),
                        "the caller sees the runtime's error: {failure:?}"
                    );
                    assert_eq!(
                        held,
                        0,
                        "{}: {reference} failed for the caller ({}) but the vendor holds it",
                        api.name(),
                        failure.message
                    );
                }
            }
        }
    }
    counts.token_requests_faulted = sandbox
        .journal(api)
        .iter()
        .filter(|e| e.path.contains("token") || e.path.ends_with("/auth"))
        .filter(|e| !(200..300).contains(&e.status))
        .count();
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sessions_through_injected_faults_are_each_created_once_or_fail_visibly() {
    let sandbox = Sandbox::start().await.unwrap();
    // Short waits, so the soak takes seconds.
    let retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
    };
    let clients = Clients::new(sandbox.base_url(), retry);
    let apis = [
        Api::SignicatAuthentication,
        Api::SignicatIdentificationV2,
        Api::IdfyIdentificationV1,
        Api::IdnowPlatform,
        Api::IdentifyVideoident,
    ];
    let mut total_created = 0;
    let mut total_failed = 0;
    for (n, api) in apis.into_iter().enumerate() {
        let counts = soak_one(&sandbox, &clients, api, 0x5eed_0000 + n as u64).await;
        println!(
            "{:<28} created {:>3}, create failed {:?}, read {:>3}, read failed {:?}, faults {:?}, token requests faulted (in the journal's last 500 calls) {}",
            api.name(),
            counts.created,
            counts.create_failed,
            counts.read,
            counts.read_failed,
            counts.faults,
            counts.token_requests_faulted,
        );
        total_created += counts.created;
        total_failed += counts.create_failed.values().sum::<usize>();
        assert_eq!(
            counts.created + counts.create_failed.values().sum::<usize>(),
            SESSIONS_PER_API
        );
        assert!(
            counts.created > SESSIONS_PER_API / 2,
            "{}: retries should carry most creates through 30% faults: {counts:?}",
            api.name()
        );
    }
    println!(
        "soak: {total_created} sessions created once, {total_failed} creates failed visibly, 0 created twice"
    );
}
