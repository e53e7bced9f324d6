//! `cargo bench -p idverify-sandbox --bench load`
//!
//! Load on the sandbox binary, run as a child process so that `/proc/<pid>/status`
//! (VmRSS = resident now, VmHWM = peak resident) measures the sandbox alone, without the
//! load generator. Concurrent clients (tokio tasks of this process) loop over one
//! session cycle each: create a session through the generated client, complete it as a
//! test person through the control API, read it back through the generated client. The
//! cycles go round-robin over all five APIs, so every vendor module's store is loaded.
//!
//! Prints, in three phases:
//! 1. load: sessions per second over a measured window after a warm-up, latency p50/p99
//!    of a cycle (overall and per API), and the sandbox's memory every few thousand
//!    sessions. Every vendor refuses new sessions once it holds 10,000, so the sandbox
//!    clock jumps past the longest retention every `SANDBOX_LOAD_JUMP_EVERY` sessions
//!    (with no cycle in flight) and the sessions created before are pruned.
//! 2. pruning: the clock jumps past every retention once more; the next call to each API
//!    prunes its store, and the last session read back answers 404 instead of 409.
//! 3. at the cap (unless `SANDBOX_LOAD_CAP=0`): every API filled to its session cap
//!    without clock jumps, the next create refused with 429, and memory at that point,
//!    which is the most that sessions can take; then pruned again.
//!
//! Settings (environment): `SANDBOX_LOAD_SESSIONS` (100000), `SANDBOX_LOAD_CLIENTS` (64),
//! `SANDBOX_LOAD_JUMP_EVERY` (25000, at most 5 × (cap − clients)), `SANDBOX_LOAD_CAP` (1).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use idverify_identify_videoident as identify;
use idverify_idfy_identification_v1 as idfy;
use idverify_idnow_platform as idnow;
use idverify_runtime::RetryPolicy;
use idverify_sandbox::vendors::{
    identify_videoident as identify_sandbox, idfy_identification_v1 as idfy_sandbox,
    idnow_platform as idnow_sandbox, signicat_authentication as authentication_sandbox,
    signicat_identification_v2 as idv2_sandbox,
};
use idverify_sandbox::{Api, Endpoint, PERSONS, SandboxApi};
use idverify_signicat_authentication as authentication;
use idverify_signicat_identification_v2 as idv2;
use serde_json::json;
use tokio::sync::RwLock;

/// More failed cycles than this and the run stops: the figures would mean nothing.
const MAX_FAILURES: usize = 100;

struct Settings {
    sessions: usize,
    clients: usize,
    /// Sessions between two clock jumps.
    jump_every: usize,
    fill_to_cap: bool,
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}=`{text}` is not a whole number")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        let settings = Self {
            sessions: env_number("SANDBOX_LOAD_SESSIONS", 100_000),
            clients: env_number("SANDBOX_LOAD_CLIENTS", 64).max(1),
            jump_every: env_number("SANDBOX_LOAD_JUMP_EVERY", 25_000),
            fill_to_cap: env_number("SANDBOX_LOAD_CAP", 1) != 0,
        };
        // A jump only prunes sessions whose cycle has finished; the ones in flight
        // (one per client) belong to the next period.
        let most = APIS.len() * session_cap().saturating_sub(settings.clients);
        assert!(
            (1..=most).contains(&settings.jump_every),
            "SANDBOX_LOAD_JUMP_EVERY must be 1..={most}: more sessions than the caps allow \
             would be refused with 429"
        );
        settings
    }
}

/// The smallest per-API session cap: every vendor refuses to create beyond it.
fn session_cap() -> usize {
    [
        authentication_sandbox::MAX_SESSIONS,
        idv2_sandbox::MAX_SESSIONS,
        idfy_sandbox::MAX_SESSIONS,
        idnow_sandbox::MAX_SESSIONS,
        identify_sandbox::MAX_IDENTS,
    ]
    .into_iter()
    .min()
    .unwrap_or(0)
}

/// How long, at most, a session stays in the sandbox after its creation.
fn longest_retention() -> Duration {
    let authentication =
        Duration::from_secs(authentication_sandbox::DEFAULT_SESSION_LIFETIME.into())
            + authentication_sandbox::RETENTION;
    [
        authentication,
        idv2_sandbox::RETENTION,
        idfy_sandbox::SESSION_LIFETIME + idfy_sandbox::RETENTION,
        idnow_sandbox::RETENTION,
        identify_sandbox::IDENT_LIFETIME,
    ]
    .into_iter()
    .max()
    .unwrap_or_default()
}

/// The sandbox binary as a child process; killed when dropped.
struct SandboxProcess {
    child: Child,
    base_url: String,
}

impl SandboxProcess {
    fn spawn() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_idverify-sandbox"))
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the sandbox binary");
        let stdout = child.stdout.take().expect("the sandbox's stdout");
        let mut process = Self {
            child,
            base_url: String::new(),
        };
        let (found, url) = std::sync::mpsc::channel();
        // Read to the end: a full pipe would block the sandbox's next print.
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("idverify sandbox listening on ")
                    && let Some(found) = found.take()
                {
                    let _ = found.send(url.trim().to_string());
                }
            }
        });
        process.base_url = url
            .recv_timeout(Duration::from_secs(30))
            .expect("the sandbox prints its URL within 30 s");
        process
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy)]
struct Memory {
    rss_kib: u64,
    peak_kib: u64,
}

impl Memory {
    fn of(pid: u32) -> Self {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .expect("read /proc/<pid>/status (Linux only)");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        Self {
            rss_kib: field("VmRSS:"),
            peak_kib: field("VmHWM:"),
        }
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// CPU time (user + system) a process has used, in micro-seconds, from
/// `/proc/<pid>/stat`. Unlike wall-clock rates it does not change when other work shares
/// the machine.
fn cpu_micros(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces: the fields are counted after its `)`.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime (fields 14 and 15), in USER_HZ = 100 ticks a second.
    (ticks(11) + ticks(12)) * 10_000
}

/// The 1-minute load average: how busy the machine is, this run included. Figures taken
/// while other work shares the CPUs are slower; the CPU time per cycle is not.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

impl std::fmt::Display for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "VmRSS {:6.1} MiB, VmHWM {:6.1} MiB",
            mib(self.rss_kib),
            mib(self.peak_kib)
        )
    }
}

const APIS: [Api; 5] = [
    Api::SignicatAuthentication,
    Api::SignicatIdentificationV2,
    Api::IdfyIdentificationV1,
    Api::IdnowPlatform,
    Api::IdentifyVideoident,
];

/// Why a call failed, with the HTTP status when there was one.
#[derive(Debug)]
struct Failure {
    status: Option<u16>,
    message: String,
}

impl Failure {
    fn call<E>(api: Api, what: &str, error: &idverify_runtime::Error<E>) -> Self {
        Self {
            status: error.status().map(|s| s.as_u16()),
            message: format!("{} {what}: {error}", api.name()),
        }
    }

    fn other(api: Api, message: String) -> Self {
        Self {
            status: None,
            message: format!("{}: {message}", api.name()),
        }
    }
}

/// One generated client per API, shared by all tasks as one application would, and a
/// plain HTTP client for the control API.
struct Clients {
    base_url: String,
    control: reqwest::Client,
    authentication: authentication::Client,
    idv2: idv2::Client,
    idfy: idfy::Client,
    idnow: idnow::Client,
    identify: identify::Client,
}

const SUCCESS_URL: &str = "https://shop.example/done";
const ABORT_URL: &str = "https://shop.example/aborted";
const ERROR_URL: &str = "https://shop.example/failed";

/// A generated client of the sandbox API `C` with its test client. No retries: a
/// refused call shows in the figures instead of being hidden.
fn sandbox_client<C: SandboxApi>(base_url: &str) -> C {
    Endpoint::of::<C>(base_url)
        .client_builder::<C>()
        .retry(RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("client of {}: {e}", C::SANDBOX_API))
}

impl Clients {
    fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_string(),
            control: reqwest::Client::new(),
            authentication: sandbox_client(base_url),
            idv2: sandbox_client(base_url),
            idfy: sandbox_client(base_url),
            idnow: sandbox_client(base_url),
            identify: sandbox_client(base_url),
        }
    }

    /// Creates a session; its id. `n` makes references unique: Idfy returns the open
    /// session with the same external reference instead of a new one.
    async fn create(&self, api: Api, n: usize) -> Result<String, Failure> {
        match api {
            Api::SignicatAuthentication => {
                use authentication::types;
                let request = types::CreateSessionRequest::builder()
                    .flow(types::Flow::Redirect)
                    .requested_attributes(vec![
                        types::RequestedAttribute::Name,
                        types::RequestedAttribute::Nin,
                        types::RequestedAttribute::DateOfBirth,
                    ])
                    .callback_urls(Some(types::CallbackUrls {
                        success: Some(SUCCESS_URL.into()),
                        abort: Some(ABORT_URL.into()),
                        error: Some(ERROR_URL.into()),
                    }));
                let session = self
                    .authentication
                    .create_session()
                    .body(request)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?
                    .into_inner();
                session
                    .id
                    .ok_or_else(|| Failure::other(api, "created session without id".into()))
            }
            Api::SignicatIdentificationV2 => {
                use idv2::types;
                let request = types::CreateSessionRequest::builder()
                    .flow(types::Flow::Redirect)
                    .include(vec![
                        types::Include::Name,
                        types::Include::Nin,
                        types::Include::DateOfBirth,
                    ])
                    .external_reference(Some(format!("load-{n}")))
                    .redirect_settings(Some(types::RedirectSettings {
                        success_url: Some(SUCCESS_URL.into()),
                        abort_url: Some(ABORT_URL.into()),
                        error_url: Some(ERROR_URL.into()),
                    }));
                let session = self
                    .idv2
                    .create_session()
                    .body(request)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?;
                Ok(session.into_inner().id)
            }
            Api::IdfyIdentificationV1 => {
                use idfy::types;
                let request = types::CreateIdentificationRequest::builder()
                    .identity_provider(Some(types::IdentityProvider::NoBankidWeb))
                    .language(Some(types::Language::No))
                    .get_social_security_number(Some(true))
                    .external_reference(Some(format!("load-{n}")))
                    .return_urls(Some(types::ReturnUrls {
                        error: ERROR_URL.into(),
                        abort: ABORT_URL.into(),
                        success: SUCCESS_URL.into(),
                    }));
                let created = self
                    .idfy
                    .create_session()
                    .body(request)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?
                    .into_inner();
                created
                    .request_id
                    .ok_or_else(|| Failure::other(api, "created session without id".into()))
            }
            Api::IdnowPlatform => {
                let created = self
                    .idnow
                    .create_session()
                    .flow_id(idnow_sandbox::BASIC_FLOW_ID)
                    .environment(idnow::types::Environment::Live)
                    .body(
                        idnow::types::CreateSessionRequest::builder()
                            .redirect_url(Some(SUCCESS_URL.into())),
                    )
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?;
                Ok(created.into_inner().session_context.session_id)
            }
            Api::IdentifyVideoident => {
                let request = identify::types::CreateIdentRequest::builder()
                    .project_id("6")
                    .birthday("1981-09-05")
                    .email("johndoe@example.com")
                    .person_first_name("JOHN")
                    .person_last_name("DOE")
                    .mobile_phone("01511111111")
                    .nationality("DE")
                    .street("MARKGRAFENSTR.")
                    .house_no("23")
                    .zip_code("94670")
                    .city("NÜRNBERG")
                    .country("DE")
                    .custom_id(Some(format!("load-{n}")));
                let created = self
                    .identify
                    .create_ident()
                    .body(request)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?;
                Ok(created.into_inner().ident_id)
            }
        }
    }

    /// Reads a session back; its status in the vendor's words.
    async fn read(&self, api: Api, id: &str) -> Result<String, Failure> {
        let status = match api {
            Api::SignicatAuthentication => self
                .authentication
                .get_session()
                .id(id)
                .send()
                .await
                .map_err(|e| Failure::call(api, "get", &e))?
                .into_inner()
                .status
                .map(|s| s.to_string()),
            Api::SignicatIdentificationV2 => Some(
                self.idv2
                    .get_session()
                    .id(id)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "get", &e))?
                    .into_inner()
                    .status
                    .to_string(),
            ),
            Api::IdfyIdentificationV1 => self
                .idfy
                .retrieve_session()
                .request_id(id)
                .send()
                .await
                .map_err(|e| Failure::call(api, "get", &e))?
                .into_inner()
                .status
                .map(|s| s.to_string()),
            Api::IdnowPlatform => Some(
                self.idnow
                    .get_session()
                    .environment(idnow::types::Environment::Live)
                    .session_id(id)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "get", &e))?
                    .into_inner()
                    .session_status
                    .to_string(),
            ),
            Api::IdentifyVideoident => {
                self.identify
                    .get_ident()
                    .ident_id(id)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "get", &e))?
                    .into_inner()
                    .data
                    .status
            }
        };
        status.ok_or_else(|| Failure::other(api, format!("session {id} without status")))
    }

    /// `POST /_sandbox/sessions/{api}/{id}/complete`: the HTTP status and the session's
    /// new status (when it was completed).
    async fn complete(&self, api: Api, id: &str, n: usize) -> Result<(u16, String), Failure> {
        let person = PERSONS[n % PERSONS.len()].id;
        let response = self
            .control
            .post(format!(
                "{}/_sandbox/sessions/{}/{id}/complete",
                self.base_url,
                api.name()
            ))
            .json(&json!({ "person": person, "outcome": "success" }))
            .send()
            .await
            .map_err(|e| Failure::other(api, format!("complete: {e}")))?;
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        Ok((status, body["status"].as_str().unwrap_or("").to_string()))
    }

    /// Create, complete, read back; the session's id.
    async fn cycle(&self, api: Api, n: usize) -> Result<String, Failure> {
        let id = self.create(api, n).await?;
        let (status, completed) = self.complete(api, &id, n).await?;
        if status != 200 {
            return Err(Failure {
                status: Some(status),
                message: format!("{} complete {id}: HTTP {status}", api.name()),
            });
        }
        let read = self.read(api, &id).await?;
        if !read.eq_ignore_ascii_case(&completed) {
            return Err(Failure::other(
                api,
                format!("session {id} reads `{read}` after it was completed as `{completed}`"),
            ));
        }
        Ok(id)
    }

    async fn advance_clock(&self, by: Duration) {
        let response = self
            .control
            .post(format!("{}/_sandbox/clock/advance", self.base_url))
            .json(&json!({ "seconds": by.as_secs() }))
            .send()
            .await
            .expect("advance the sandbox clock");
        assert!(
            response.status().is_success(),
            "clock/advance: HTTP {}",
            response.status()
        );
    }
}

/// p in 0..=1 of sorted micro-seconds, in milli-seconds (nearest rank).
fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

fn p50_p99(latencies: &[u32]) -> (f64, f64) {
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    (percentile(&sorted, 0.50), percentile(&sorted, 0.99))
}

/// What the tasks of one load phase record, under one lock (a few thousand locks a
/// second: negligible next to the HTTP calls).
struct Progress {
    done: usize,
    failures: Vec<String>,
    row_latencies: Vec<u32>,
    row_started: Instant,
    row_first: usize,
    row_cpu_micros: u64,
    measured: Vec<u32>,
    measured_per_api: [Vec<u32>; 5],
    measure_started: Option<Instant>,
    measure_cpu_micros: u64,
    /// This process's CPU time when the measured window began.
    measure_own_cpu_micros: u64,
    last_ids: [Option<String>; 5],
    memory_at: Vec<(usize, Memory)>,
}

struct Phase {
    total: usize,
    /// Sessions between clock jumps; `None` never jumps.
    jump_every: Option<usize>,
    warmup: usize,
    row_every: usize,
    /// Extra rows (and memory readings) at these session counts.
    checkpoints: Vec<usize>,
}

struct PhaseResult {
    sessions: usize,
    measured_sessions: usize,
    measured_seconds: f64,
    /// Sandbox CPU time per cycle over the measured window.
    measured_cpu_micros: f64,
    /// This process's (the clients') CPU time per cycle over the measured window.
    measured_own_cpu_micros: f64,
    measured: Vec<u32>,
    measured_per_api: [Vec<u32>; 5],
    last_ids: [Option<String>; 5],
    memory_at: Vec<(usize, Memory)>,
    failures: Vec<String>,
}

impl Phase {
    /// Sessions created since the last clock jump, i.e. held by the sandbox.
    fn held(&self, done: usize) -> usize {
        match self.jump_every {
            Some(every) if done > 0 => done - every * ((done - 1) / every),
            _ => done,
        }
    }

    fn is_row(&self, done: usize) -> bool {
        done.is_multiple_of(self.row_every)
            || done == self.total
            || self.checkpoints.contains(&done)
    }
}

fn print_row_header() {
    println!(
        "  {:>9} {:>9} {:>9} {:>8} {:>8} {:>13} {:>10} {:>10} {:>5}",
        "sessions",
        "held/API",
        "cycles/s",
        "p50 ms",
        "p99 ms",
        "CPU µs/cycle",
        "VmRSS MiB",
        "VmHWM MiB",
        "load"
    );
}

async fn run_phase(
    clients: &Arc<Clients>,
    pid: u32,
    concurrency: usize,
    phase: Phase,
) -> PhaseResult {
    let phase = Arc::new(phase);
    let jump = longest_retention() + Duration::from_secs(60);
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // Cycles hold it shared; a clock jump holds it alone, so no session is pruned
    // between its creation and its read-back.
    let gate = Arc::new(RwLock::new(()));
    let progress = Arc::new(Mutex::new(Progress {
        done: 0,
        failures: Vec::new(),
        row_latencies: Vec::new(),
        row_started: Instant::now(),
        row_first: 0,
        row_cpu_micros: cpu_micros(pid),
        measured: Vec::with_capacity(phase.total),
        measured_per_api: Default::default(),
        measure_started: if phase.warmup == 0 {
            Some(Instant::now())
        } else {
            None
        },
        measure_cpu_micros: cpu_micros(pid),
        measure_own_cpu_micros: cpu_micros(std::process::id()),
        last_ids: Default::default(),
        memory_at: Vec::new(),
    }));
    print_row_header();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (clients, phase, next, stop, gate, progress) = (
                clients.clone(),
                phase.clone(),
                next.clone(),
                stop.clone(),
                gate.clone(),
                progress.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= phase.total || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Some(every) = phase.jump_every
                        && n > 0
                        && n.is_multiple_of(every)
                    {
                        let _alone = gate.write().await;
                        clients.advance_clock(jump).await;
                    }
                    let shared = gate.read().await;
                    let api = APIS[n % APIS.len()];
                    let started = Instant::now();
                    let result = clients.cycle(api, n).await;
                    let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
                    drop(shared);
                    let mut p = progress.lock().unwrap();
                    match result {
                        Ok(id) => p.last_ids[api.index()] = Some(id),
                        Err(failure) => {
                            p.failures.push(failure.message);
                            if p.failures.len() > MAX_FAILURES {
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    p.done += 1;
                    let done = p.done;
                    p.row_latencies.push(micros);
                    if p.measure_started.is_some() {
                        p.measured.push(micros);
                        p.measured_per_api[api.index()].push(micros);
                    } else if done >= phase.warmup {
                        p.measure_started = Some(Instant::now());
                        p.measure_cpu_micros = cpu_micros(pid);
                        p.measure_own_cpu_micros = cpu_micros(std::process::id());
                    }
                    if phase.is_row(done) {
                        let count = done - p.row_first;
                        let seconds = p.row_started.elapsed().as_secs_f64();
                        let cpu = cpu_micros(pid);
                        let (p50, p99) = p50_p99(&p.row_latencies);
                        let memory = Memory::of(pid);
                        println!(
                            "  {done:>9} {:>9} {:>9.0} {p50:>8.2} {p99:>8.2} {:>13.0} {:>10.1} {:>10.1} {:>5}",
                            phase.held(done).div_ceil(APIS.len()),
                            count as f64 / seconds,
                            cpu.saturating_sub(p.row_cpu_micros) as f64 / count as f64,
                            mib(memory.rss_kib),
                            mib(memory.peak_kib),
                            load_average(),
                        );
                        p.memory_at.push((done, memory));
                        p.row_latencies.clear();
                        p.row_started = Instant::now();
                        p.row_cpu_micros = cpu;
                        p.row_first = done;
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a load task panicked");
    }
    let ended = Instant::now();
    let p = Arc::try_unwrap(progress)
        .ok()
        .expect("tasks have ended")
        .into_inner()
        .unwrap();
    let measured_seconds = p
        .measure_started
        .map_or(0.0, |started| (ended - started).as_secs_f64());
    let per_cycle = |used: u64| used as f64 / p.measured.len() as f64;
    let measured_cpu_micros = per_cycle(cpu_micros(pid).saturating_sub(p.measure_cpu_micros));
    let measured_own_cpu_micros =
        per_cycle(cpu_micros(std::process::id()).saturating_sub(p.measure_own_cpu_micros));
    PhaseResult {
        sessions: p.done,
        measured_sessions: p.measured.len(),
        measured_seconds,
        measured_cpu_micros,
        measured_own_cpu_micros,
        measured: p.measured,
        measured_per_api: p.measured_per_api,
        last_ids: p.last_ids,
        memory_at: p.memory_at,
        failures: p.failures,
    }
}

/// Jumps the clock past every retention, then makes one call per API (each call
/// prunes that API's store first): the last session read back must now be gone.
async fn prune_all(clients: &Clients, last_ids: &[Option<String>; 5]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut before = Vec::new();
    for api in APIS {
        let id = last_ids[api.index()].as_deref().unwrap_or("none");
        before.push(clients.complete(api, id, 0).await.map_or(0, |(s, _)| s));
    }
    let jump = longest_retention() + Duration::from_secs(60);
    clients.advance_clock(jump).await;
    println!(
        "  clock +{} s (the longest retention + 60 s); `complete` of each API's last session \
         answers 409 while it is held (already completed), 404 once it is removed:",
        jump.as_secs()
    );
    for (api, before) in APIS.into_iter().zip(before) {
        let id = last_ids[api.index()].as_deref().unwrap_or("none");
        let after = clients.complete(api, id, 0).await.map_or(0, |(s, _)| s);
        println!(
            "    {:<28} before the jump {before}, after {after}",
            api.name()
        );
        if after != 404 {
            problems.push(format!(
                "{}: session {id} answers {after} after every retention passed",
                api.name()
            ));
        }
    }
    problems
}

/// Reads each API's session `count` times, one call at a time; the mean in micro-seconds.
/// Run with few and with many sessions held, the difference is what holding them costs
/// every call.
async fn time_reads(clients: &Clients, ids: &[String; 5], count: usize) -> [f64; 5] {
    let mut means = [0.0; 5];
    for api in APIS {
        let started = Instant::now();
        for _ in 0..count {
            clients
                .read(api, &ids[api.index()])
                .await
                .expect("read the timed session");
        }
        means[api.index()] = started.elapsed().as_secs_f64() * 1e6 / count as f64;
    }
    means
}

fn print_phase_summary(result: &PhaseResult, warmup: usize) {
    let rate = result.measured_sessions as f64 / result.measured_seconds;
    let (p50, p99) = p50_p99(&result.measured);
    println!(
        "  {} sessions; measured after a warm-up of {warmup}: {} sessions in {:.1} s = \
         {rate:.0} sessions created+completed+read per second; cycle p50 {p50:.2} ms, \
         p99 {p99:.2} ms; CPU per cycle: sandbox {:.0} µs, clients {:.0} µs",
        result.sessions,
        result.measured_sessions,
        result.measured_seconds,
        result.measured_cpu_micros,
        result.measured_own_cpu_micros
    );
    for api in APIS {
        let (p50, p99) = p50_p99(&result.measured_per_api[api.index()]);
        println!("    {:<28} p50 {p50:6.2} ms  p99 {p99:6.2} ms", api.name());
    }
}

async fn run(settings: Settings) -> Vec<String> {
    let sandbox = SandboxProcess::spawn();
    let pid = sandbox.pid();
    let clients = Arc::new(Clients::new(&sandbox.base_url));
    let cap = session_cap();
    let mut problems = Vec::new();
    println!(
        "idverify-sandbox load: sandbox pid {pid} at {}, {} CPUs, {} clients, {} sessions \
         round-robin over {}",
        sandbox.base_url,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        settings.clients,
        settings.sessions,
        APIS.map(Api::name).join(", ")
    );
    println!(
        "one cycle = create (generated client) + complete as a test person (control API) + \
         get (generated client); CPU µs/cycle = the sandbox's CPU time per cycle; load = \
         1-minute load average (now {})",
        load_average()
    );
    let start = Memory::of(pid);
    println!("sandbox memory at start: {start}");

    println!(
        "\n1. load: the sandbox clock jumps +{} s every {} sessions (each API holds at most \
         {cap} sessions)",
        (longest_retention() + Duration::from_secs(60)).as_secs(),
        settings.jump_every
    );
    let warmup = (settings.sessions / 50).min(2_000);
    let load = run_phase(
        &clients,
        pid,
        settings.clients,
        Phase {
            total: settings.sessions,
            jump_every: Some(settings.jump_every),
            warmup,
            row_every: (settings.sessions / 20).clamp(1, 5_000),
            checkpoints: vec![10_000, 50_000],
        },
    )
    .await;
    print_phase_summary(&load, warmup);
    println!("  sandbox memory: start {start}");
    for (done, memory) in &load.memory_at {
        if [10_000, 50_000, load.sessions].contains(done) {
            println!("    after {done:>7} sessions: {memory}");
        }
    }
    problems.extend(load.failures.iter().take(10).cloned());

    println!("\n2. pruning");
    problems.extend(prune_all(&clients, &load.last_ids).await);
    let pruned = Memory::of(pid);
    println!("  sandbox memory after pruning: {pruned}");

    if settings.fill_to_cap {
        // One session per API to time single reads with, first with nothing else held.
        let mut timed: [String; 5] = Default::default();
        for api in APIS {
            timed[api.index()] = clients
                .cycle(api, api.index())
                .await
                .unwrap_or_else(|failure| panic!("{}", failure.message));
        }
        let reads = 500;
        let alone = time_reads(&clients, &timed, reads).await;
        let total = (cap - 1) * APIS.len();
        println!(
            "\n3. at the cap: {total} more sessions without clock jumps fill every API to its \
             {cap}"
        );
        let full = run_phase(
            &clients,
            pid,
            settings.clients,
            Phase {
                total,
                jump_every: None,
                warmup: 0,
                row_every: total.div_ceil(10).min(5_000),
                checkpoints: Vec::new(),
            },
        )
        .await;
        print_phase_summary(&full, 0);
        problems.extend(full.failures.iter().take(10).cloned());
        for api in APIS {
            let refused = clients.create(api, usize::MAX).await;
            let status = match &refused {
                Ok(_) => "created (not refused)".to_string(),
                Err(failure) => failure
                    .status
                    .map_or_else(|| failure.message.clone(), |s| format!("HTTP {s}")),
            };
            println!("    one more create at {:<28} {status}", api.name());
            if refused.as_ref().err().and_then(|f| f.status) != Some(429) {
                problems.push(format!(
                    "{}: a create beyond the cap gave {status}",
                    api.name()
                ));
            }
        }
        let at_cap = Memory::of(pid);
        let crowded = time_reads(&clients, &timed, reads).await;
        println!("  one get at a time ({reads} each), mean:");
        for api in APIS {
            println!(
                "    {:<28} {:7.0} µs with 1 session held, {:7.0} µs with {cap}",
                api.name(),
                alone[api.index()],
                crowded[api.index()]
            );
        }
        println!("  sandbox memory with every API at its cap: {at_cap}");
        problems.extend(prune_all(&clients, &timed.map(Some)).await);
        println!("  sandbox memory after pruning: {}", Memory::of(pid));
    }

    println!(
        "\nwhat bounds memory: each API keeps at most {cap} sessions (a create beyond answers \
         429) and {cap} tokens (the one expiring first is dropped), Idfy at most {cap} log \
         entries (the oldest is dropped); calls drop sessions past their (at most once a second) \
         retention (Signicat Authentication lifetime + {} s, Signicat Identification v2 {} h, \
         Idfy lifetime + {} s, IDnow {} days, Identify {} days after creation). Freed memory \
         is reused by the sandbox, not necessarily returned to the system, so VmRSS after \
         pruning stays near its peak while VmHWM stops growing.",
        authentication_sandbox::RETENTION.as_secs(),
        idv2_sandbox::RETENTION.as_secs() / 3600,
        idfy_sandbox::RETENTION.as_secs(),
        idnow_sandbox::RETENTION.as_secs() / 86_400,
        identify_sandbox::IDENT_LIFETIME.as_secs() / 86_400,
    );
    drop(sandbox);
    problems
}

fn main() -> ExitCode {
    let settings = Settings::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let problems = runtime.block_on(run(settings));
    if problems.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!("\nproblems:");
    for problem in &problems {
        eprintln!("  {problem}");
    }
    ExitCode::FAILURE
}
