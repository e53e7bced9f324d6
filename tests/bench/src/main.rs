//! The benchmarks that `cargo xtask bench` runs in release mode:
//!
//! - `idverify-bench client [--quick]`: client overhead against hand-written reqwest +
//!   serde, and token requests under concurrency ([`client`]);
//! - `idverify-bench decode [--quick]`: the largest documented response of each API
//!   through its generated type and through a hand-written serde struct ([`decode`]);
//!   `--only API[:ours|:theirs]` decodes one API (one side) many times, to profile it.
//!
//! Each figure is printed as one tab-separated line, `figure<TAB>key<TAB>value<TAB>unit
//! <TAB>what`, which `cargo xtask bench` reads into its table.

mod client;
mod decode;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// The figures of a run, printed as they come.
pub(crate) struct Report;

impl Report {
    pub(crate) fn figure(&mut self, key: &str, value: f64, unit: &str, what: &str) {
        println!("figure\t{key}\t{value}\t{unit}\t{what}");
    }
}

/// The median (mean of the middle two for an even count).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// CPU time this thread has used.
pub(crate) fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the call to fill.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// The first example of the 2xx JSON response of `operation_id` in `specs/<api>/`.
pub(crate) fn spec_example(api: &str, operation_id: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs")
        .join(api)
        .join("openapi.yaml");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let spec: serde_json::Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let paths = spec["paths"].as_object().expect("paths");
    for item in paths.values() {
        for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
            if operation["operationId"] != operation_id {
                continue;
            }
            for (status, response) in operation["responses"].as_object().expect("responses") {
                if !status.starts_with('2') {
                    continue;
                }
                let media = &response["content"]["application/json"];
                if let Some(example) = media.get("example") {
                    return example.clone();
                }
                if let Some(example) = media
                    .get("examples")
                    .and_then(|e| e.as_object())
                    .and_then(|e| e.values().next())
                {
                    return example["value"].clone();
                }
            }
        }
    }
    panic!("{api}: no 2xx JSON example of `{operation_id}`");
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let mut report = Report;
    match args.first().map(String::as_str) {
        Some("client") => client::run(
            &if quick {
                client::Settings {
                    calls: 2_000,
                    rounds: 3,
                    only,
                }
            } else {
                client::Settings {
                    calls: 20_000,
                    rounds: 7,
                    only,
                }
            },
            &mut report,
        ),
        Some("decode") => decode::run(&decode::Settings { quick, only }, &mut report),
        _ => {
            eprintln!("usage: idverify-bench client|decode [--quick]");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
