//! `cargo xtask bench [--quick] [--skip-cold]`: every figure of `BENCHMARKS.md` in one
//! run, baselines in the same run, printed as one table; without `--quick` the table is
//! written into `BENCHMARKS.md` between its markers (the text around them is kept).
//!
//! Codegen is timed here, in process; everything else runs as cargo commands: the client
//! and decoding benchmarks (`tests/bench`, release), the sandbox load benchmark
//! (`crates/idverify-sandbox/benches/load.rs`), debug builds after touching each
//! generated file, a release build of the smallest binary, and the first `cargo xtask
//! codegen` in a fresh clone. A benchmark that fails (a command that fails, a figure
//! missing from its output) fails the run; a figure that misses its goal does not.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::pipeline;

pub const BEGIN: &str = "<!-- bench:begin (written by `cargo xtask bench`) -->";
pub const END: &str = "<!-- bench:end -->";

#[derive(Debug, Clone)]
pub struct Options {
    pub quick: bool,
    /// Leave out the cold build in a fresh clone (minutes).
    pub skip_cold: bool,
    pub root: PathBuf,
}

/// One row of the table.
struct Row {
    group: &'static str,
    what: String,
    value: String,
    goal: String,
    /// `None`: no goal; `Some(met)`.
    met: Option<bool>,
}

struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn add(&mut self, group: &'static str, what: impl Into<String>, value: impl Into<String>) {
        self.rows.push(Row {
            group,
            what: what.into(),
            value: value.into(),
            goal: String::new(),
            met: None,
        });
    }

    fn goal(
        &mut self,
        group: &'static str,
        what: impl Into<String>,
        value: impl Into<String>,
        goal: impl Into<String>,
        met: bool,
    ) {
        self.rows.push(Row {
            group,
            what: what.into(),
            value: value.into(),
            goal: goal.into(),
            met: Some(met),
        });
    }

    fn markdown(&self) -> String {
        let mut out =
            String::from("| group | figure | value | goal | |\n| --- | --- | --- | --- | --- |\n");
        for row in &self.rows {
            let met = match row.met {
                Some(true) => "met",
                Some(false) => "**missed**",
                None => "",
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {met} |\n",
                row.group, row.what, row.value, row.goal
            ));
        }
        out
    }

    fn text(&self) -> String {
        let width = self.rows.iter().map(|r| r.what.len()).max().unwrap_or(0);
        let mut out = String::new();
        let mut group = "";
        for row in &self.rows {
            if row.group != group {
                group = row.group;
                out.push_str(&format!("\n{group}\n"));
            }
            let met = match row.met {
                Some(true) => "  met",
                Some(false) => "  MISSED",
                None => "",
            };
            let goal = if row.goal.is_empty() {
                String::new()
            } else {
                format!("  (goal {})", row.goal)
            };
            out.push_str(&format!(
                "  {:<width$}  {:>14}{goal}{met}\n",
                row.what, row.value
            ));
        }
        out
    }
}

/// The figures a benchmark binary printed (`figure<TAB>key<TAB>value<TAB>unit<TAB>what`).
type Figures = BTreeMap<String, f64>;

fn parse_figures(stdout: &str) -> Figures {
    stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            (fields.next()? == "figure").then_some(())?;
            let key = fields.next()?.to_string();
            let value = fields.next()?.parse().ok()?;
            Some((key, value))
        })
        .collect()
}

fn figure(figures: &Figures, key: &str) -> Result<f64, String> {
    figures
        .get(key)
        .copied()
        .ok_or_else(|| format!("the benchmark printed no figure `{key}`"))
}

/// `cargo <args>` in `root`, failing with its output when it fails.
fn cargo(root: &Path, args: &[&str], envs: &[(&str, String)]) -> Result<String, String> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root).args(args);
    for (name, value) in envs {
        command.env(name, value);
    }
    let output = command
        .output()
        .map_err(|e| format!("cargo {}: {e}", args.join(" ")))?;
    if !output.status.success() {
        return Err(format!(
            "cargo {} failed ({}):\n{}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn timed<T>(f: impl FnOnce() -> Result<T, String>) -> Result<(T, Duration), String> {
    let started = Instant::now();
    let value = f()?;
    Ok((value, started.elapsed()))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Runs every benchmark, prints the table to `out` (progress to `err`) and, unless
/// quick, writes it into `BENCHMARKS.md`.
pub fn run(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), String> {
    let root = &options.root;
    let mut table = Table { rows: Vec::new() };
    let mut step = |name: &str| {
        let _ = writeln!(err, "bench: {name}");
    };

    step("codegen in process");
    codegen(options, &mut table)?;

    step("client overhead and token requests (cargo run --release -p idverify-bench -- client)");
    client(options, &mut table)?;

    step("decoding (cargo run --release -p idverify-bench -- decode)");
    decode(options, &mut table)?;

    step("incremental debug builds after touching generated.rs");
    incremental_builds(options, &mut table)?;

    step("lines per crate");
    lines(root, &mut table)?;

    step("smallest binary, stripped");
    binary_size(options, &mut table)?;

    step("sandbox load (cargo bench -p idverify-sandbox --bench load)");
    sandbox(options, &mut table)?;

    if options.quick || options.skip_cold {
        table.add(
            "build",
            "cold first `cargo xtask codegen` on a fresh clone",
            "not measured (--quick/--skip-cold)",
        );
    } else {
        step("cold first `cargo xtask codegen` in a fresh clone (minutes)");
        cold_codegen(root, &mut table)?;
    }

    let header = header(options);
    let _ = writeln!(out, "{header}");
    let _ = write!(out, "{}", table.text());
    if !options.quick {
        write_benchmarks_md(root, &header, &table)?;
        let _ = writeln!(out, "\nwrote {}", root.join("BENCHMARKS.md").display());
    }
    Ok(())
}

fn header(options: &Options) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let command = if options.quick {
        "cargo xtask bench --quick"
    } else if options.skip_cold {
        "cargo xtask bench --skip-cold"
    } else {
        "cargo xtask bench"
    };
    format!(
        "Machine: {cpu}, {cores} cores (1-minute load average {load} at the end). {rustc}.\n\
         Date: {date}. Command: `{command}`."
    )
}

fn codegen(options: &Options, table: &mut Table) -> Result<(), String> {
    let runs = if options.quick { 3 } else { 10 };
    let mut totals = Vec::new();
    let mut per_crate: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for _ in 0..runs {
        let started = Instant::now();
        let plans = pipeline::plan_all(&options.root, None).map_err(|e| e.to_string())?;
        totals.push(started.elapsed().as_secs_f64());
        for (layout, plan) in &plans {
            if layout.root != options.root {
                continue;
            }
            for api in &plan.apis {
                per_crate
                    .entry(api.crate_name.clone())
                    .or_default()
                    .push(api.elapsed.as_secs_f64());
            }
        }
    }
    for (name, times) in per_crate {
        table.add(
            "codegen",
            format!("{name} (in process)"),
            format!("{:.0} ms", median(times) * 1000.0),
        );
    }
    let total = median(totals);
    table.goal(
        "codegen",
        format!("total, all APIs and fixtures (median of {runs})"),
        format!("{:.0} ms", total * 1000.0),
        "< 500 ms",
        total < 0.5,
    );
    Ok(())
}

fn bench_binary(options: &Options, what: &str) -> Result<Figures, String> {
    let mut args = vec![
        "run",
        "--quiet",
        "--release",
        "-p",
        "idverify-bench",
        "--bin",
        "idverify-bench",
        "--",
        what,
    ];
    if options.quick {
        args.push("--quick");
    }
    let stdout = cargo(&options.root, &args, &[])?;
    Ok(parse_figures(&stdout))
}

fn client(options: &Options, table: &mut Table) -> Result<(), String> {
    let f = bench_binary(options, "client")?;
    for (c, goal) in [(1, 0.99), (64, 0.97)] {
        let ratio = figure(&f, &format!("client.c{c}.cpu_ratio"))?;
        table.goal(
            "client",
            format!("CPU per call, hand-written / ours, {c} concurrent"),
            format!("{ratio:.3}×"),
            format!("≥ {goal}×"),
            ratio >= goal,
        );
        table.add(
            "client",
            format!("CPU per call, ours / hand-written, {c} concurrent"),
            format!(
                "{:.1} / {:.1} µs",
                figure(&f, &format!("client.c{c}.ours_cpu_us"))?,
                figure(&f, &format!("client.c{c}.theirs_cpu_us"))?
            ),
        );
        table.add(
            "client",
            format!("wall per call, ours / hand-written, {c} concurrent"),
            format!(
                "{:.1} / {:.1} µs",
                figure(&f, &format!("client.c{c}.ours_wall_us"))?,
                figure(&f, &format!("client.c{c}.theirs_wall_us"))?
            ),
        );
    }
    client_instructions(options, table)?;
    let cold = figure(&f, "tokens.cold64")?;
    table.goal(
        "client",
        "token requests, 64 concurrent calls on a cold client",
        format!("{cold:.0}"),
        "1",
        cold == 1.0,
    );
    let per_10k = figure(&f, "tokens.per10k")?;
    let lifetimes = figure(&f, "tokens.lifetimes")?;
    table.goal(
        "client",
        format!("token requests per 10,000 calls, 64 concurrent, over {lifetimes:.0} token lifetimes of 100 ms"),
        format!("{per_10k:.0}"),
        format!("≤ {lifetimes:.0} (one per lifetime)"),
        per_10k <= lifetimes,
    );
    Ok(())
}

/// Instructions per call on the client's thread, each side alone under callgrind: a
/// count that, unlike CPU time, a shared machine's load does not move. Both sides make
/// the same calls (1 and 64 concurrent, the warm-up included) and build the same
/// clients, whose cost is included. Left out, and said, where valgrind is not installed.
fn client_instructions(options: &Options, table: &mut Table) -> Result<(), String> {
    let what = "instructions per call on the client thread (callgrind), hand-written / ours";
    let has_valgrind = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_valgrind {
        table.add("client", what, "not measured (valgrind is not installed)");
        return Ok(());
    }
    let binary = target_dir(&options.root).join("release/idverify-bench");
    let dir = std::env::temp_dir().join(format!("idverify-bench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut per_call = Vec::new();
    for side in ["theirs", "ours"] {
        let out = dir.join(format!("{side}.%p"));
        let output = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg("--separate-threads=yes")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(&binary)
            .args(["client", "--quick", "--only", side])
            .output()
            .map_err(|e| format!("valgrind {}: {e}", binary.display()))?;
        if !output.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(format!(
                "valgrind --tool=callgrind {} client --only {side} failed ({}):\n{}",
                binary.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let calls = figure(
            &parse_figures(&String::from_utf8_lossy(&output.stdout)),
            "client.only.calls",
        )?;
        // Thread 1 is the client's (the server has threads of its own).
        let main_thread = std::fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{side}.")) && n.ends_with("-01"))
            })
            .ok_or_else(|| {
                format!(
                    "callgrind wrote no profile of the client thread in {}",
                    dir.display()
                )
            })?;
        let text = std::fs::read_to_string(&main_thread).map_err(|e| e.to_string())?;
        let instructions = text
            .lines()
            .find_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .ok_or_else(|| format!("{}: no `summary:` line", main_thread.display()))?;
        per_call.push(instructions / calls);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (theirs, ours) = (per_call[0], per_call[1]);
    table.add(
        "client",
        what,
        format!(
            "{:.1}K / {:.1}K = {:.3}×",
            theirs / 1e3,
            ours / 1e3,
            theirs / ours
        ),
    );
    Ok(())
}

fn decode(options: &Options, table: &mut Table) -> Result<(), String> {
    let f = bench_binary(options, "decode")?;
    let apis: Vec<String> = f
        .keys()
        .filter_map(|k| k.strip_prefix("decode.")?.strip_suffix(".ratio"))
        .map(str::to_string)
        .collect();
    if apis.is_empty() {
        return Err("the decoding benchmark printed no figure".into());
    }
    for api in apis {
        let ratio = figure(&f, &format!("decode.{api}.ratio"))?;
        let ours = figure(&f, &format!("decode.{api}.ours_per_s"))?;
        let theirs = figure(&f, &format!("decode.{api}.theirs_per_s"))?;
        table.goal(
            "decode",
            format!("{api}: generated / hand-written serde, per second"),
            format!("{ours:.0} / {theirs:.0} = {ratio:.2}×"),
            "≥ 0.9×",
            ratio >= 0.9,
        );
    }
    Ok(())
}

/// The generated crates of the workspace (`crates/*/src/generated.rs`), sorted.
fn generated_crates(root: &Path) -> Result<Vec<String>, String> {
    let mut crates: Vec<String> = std::fs::read_dir(root.join(pipeline::CRATES_DIR))
        .map_err(|e| format!("read crates/: {e}"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("src/generated.rs").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    Ok(crates)
}

fn incremental_builds(options: &Options, table: &mut Table) -> Result<(), String> {
    let root = &options.root;
    for name in generated_crates(root)? {
        cargo(root, &["build", "--quiet", "-p", &name], &[])?;
        let file = root
            .join(pipeline::CRATES_DIR)
            .join(&name)
            .join("src/generated.rs");
        let touched = std::fs::File::options()
            .append(true)
            .open(&file)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        touched.map_err(|e| format!("touch {}: {e}", file.display()))?;
        let (_, took) = timed(|| cargo(root, &["build", "--quiet", "-p", &name], &[]))?;
        let seconds = took.as_secs_f64();
        table.goal(
            "build",
            format!("debug build of {name} after touching generated.rs"),
            format!("{seconds:.1} s"),
            "< 5 s",
            seconds < 5.0,
        );
    }
    Ok(())
}

fn lines(root: &Path, table: &mut Table) -> Result<(), String> {
    for name in generated_crates(root)? {
        let src = root.join(pipeline::CRATES_DIR).join(&name).join("src");
        let count =
            |file: &str| std::fs::read_to_string(src.join(file)).map_or(0, |t| t.lines().count());
        table.add(
            "size",
            format!("lines of {name} (generated.rs + lib.rs)"),
            format!("{} + {}", count("generated.rs"), count("lib.rs")),
        );
    }
    Ok(())
}

/// The facade's examples (file stems, sorted) with the features each is built with for
/// the size figure: `rustls` and the APIs of its `required-features` in the facade's
/// manifest, as a program for those vendors only would turn on.
fn example_features(root: &Path) -> Result<Vec<(String, Vec<String>)>, String> {
    let facade = root.join(pipeline::CRATES_DIR).join("idverify");
    let manifest = facade.join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let parsed: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let required: BTreeMap<&str, Vec<String>> = parsed
        .get("example")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|example| {
            let name = example.get("name")?.as_str()?;
            let features = example
                .get("required-features")?
                .as_array()?
                .iter()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect();
            Some((name, features))
        })
        .collect();
    let mut examples = Vec::new();
    let Ok(entries) = std::fs::read_dir(facade.join("examples")) else {
        return Ok(examples);
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.extension().is_some_and(|x| x == "rs")
            && let Some(stem) = path.file_stem()
        {
            let stem = stem.to_string_lossy().into_owned();
            let mut features = vec!["rustls".to_string()];
            features.extend(required.get(stem.as_str()).cloned().unwrap_or_default());
            examples.push((stem, features));
        }
    }
    examples.sort();
    Ok(examples)
}

/// How many of the examples `--quick` builds: each is a release build of its own (the
/// sandbox and the facade with its features), 40 s to 2 min on 2 busy cores after a
/// change to the sandbox; two take less than the one build of every example with all
/// features did (about 3 min).
const QUICK_EXAMPLES: usize = 2;

fn binary_size(options: &Options, table: &mut Table) -> Result<(), String> {
    let root = &options.root;
    let mut candidates: Vec<(String, PathBuf)> = Vec::new();
    let target = target_dir(root);
    let mut examples = example_features(root)?;
    let all = examples.len();
    if options.quick {
        // The fewest features first: those with one API, which are the small ones.
        examples.sort_by_key(|(_, features)| features.len());
        examples.truncate(QUICK_EXAMPLES);
    }
    for (stem, features) in &examples {
        let features = features.join(",");
        cargo(
            root,
            &[
                "build",
                "--quiet",
                "--release",
                "-p",
                "idverify",
                "--example",
                stem,
                "--no-default-features",
                "--features",
                &features,
            ],
            &[],
        )?;
        // Each build overwrites the example's file of the last build: measure it now.
        let copy =
            std::env::temp_dir().join(format!("idverify-bench-{stem}-{}", std::process::id()));
        let path = target.join("release/examples").join(stem);
        std::fs::copy(&path, &copy).map_err(|e| format!("copy {}: {e}", path.display()))?;
        candidates.push((format!("example `{stem}` (features `{features}`)"), copy));
    }
    let quick_note = if options.quick && all > examples.len() {
        format!(" (--quick: {} of {all} built)", examples.len())
    } else {
        String::new()
    };
    if examples.is_empty() {
        cargo(
            root,
            &[
                "build",
                "--quiet",
                "--release",
                "-p",
                "idverify-bench",
                "--bin",
                "one-call",
            ],
            &[],
        )?;
        let path = target.join("release/one-call");
        let copy =
            std::env::temp_dir().join(format!("idverify-bench-one-call-{}", std::process::id()));
        std::fs::copy(&path, &copy).map_err(|e| format!("copy {}: {e}", path.display()))?;
        candidates.push((
            "`one-call` (no example yet: one client, one call to the sandbox)".into(),
            copy,
        ));
    }
    let mut sizes = Vec::new();
    for (what, copy) in candidates {
        let stripped = Command::new("strip")
            .arg(&copy)
            .status()
            .is_ok_and(|s| s.success());
        let size = std::fs::metadata(&copy).map_err(|e| e.to_string());
        let _ = std::fs::remove_file(&copy);
        sizes.push((size?.len(), what, stripped));
    }
    sizes.sort();
    let (size, what, stripped) = sizes.into_iter().next().ok_or("no binary was built")?;
    let mib = size as f64 / (1024.0 * 1024.0);
    table.goal(
        "size",
        format!(
            "smallest binary, {}: {what}{quick_note}",
            if stripped {
                "stripped"
            } else {
                "NOT stripped (no `strip`)"
            }
        ),
        format!("{mib:.1} MiB ({:.2} MB)", size as f64 / 1e6),
        "< 8 MB",
        size < 8_000_000,
    );
    Ok(())
}

/// The target dir cargo uses for `root`: `CARGO_TARGET_DIR`, else `root/target`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn sandbox(options: &Options, table: &mut Table) -> Result<(), String> {
    let sessions = if options.quick { 10_000 } else { 100_000 };
    let stdout = cargo(
        &options.root,
        &[
            "bench",
            "--quiet",
            "-p",
            "idverify-sandbox",
            "--bench",
            "load",
        ],
        &[
            ("SANDBOX_LOAD_SESSIONS", sessions.to_string()),
            ("SANDBOX_LOAD_CLIENTS", "64".into()),
            ("SANDBOX_LOAD_CAP", "0".into()),
        ],
    )?;
    let rate = stdout
        .lines()
        .find_map(|l| {
            let (before, _) = l.split_once(" sessions created+completed+read per second")?;
            before.rsplit_once("= ")?.1.trim().parse::<f64>().ok()
        })
        .ok_or("the load benchmark printed no rate")?;
    table.add(
        "sandbox",
        format!("sessions/s at 64 clients ({sessions} sessions)"),
        format!("{rate:.0}"),
    );
    let memory = stdout
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix(&format!("after {sessions:>7} sessions: "))
        })
        .ok_or("the load benchmark printed no memory figure")?;
    table.add(
        "sandbox",
        format!("memory after {sessions} sessions"),
        memory.trim().to_string(),
    );
    Ok(())
}

/// How many warm runs follow the cold one.
const WARM_RUNS: usize = 5;

/// Clones the repository (its committed state) into a temporary folder and times the
/// first `cargo xtask codegen` there with a target dir of its own, then [`WARM_RUNS`]
/// more (their median is the warm figure).
fn cold_codegen(root: &Path, table: &mut Table) -> Result<(), String> {
    let clone = std::env::temp_dir().join(format!("idverify-bench-clone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&clone);
    let status = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(root)
        .arg(&clone)
        .status()
        .map_err(|e| format!("git clone: {e}"))?;
    if !status.success() {
        return Err(format!("git clone {} failed", root.display()));
    }
    let run = || {
        let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(&clone)
            .args(["xtask", "codegen"])
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .map_err(|e| format!("cargo xtask codegen: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "cargo xtask codegen in a fresh clone failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    };
    let cold = timed(run);
    // Warm: the median of a few runs, as a user sees it run after run (one run on a
    // shared machine is as likely as not to catch a neighbour's burst).
    let warm = cold.as_ref().ok().map(|_| {
        let mut runs = Vec::new();
        for _ in 0..WARM_RUNS {
            runs.push(timed(run)?.1);
        }
        runs.sort();
        Ok::<_, String>(runs[runs.len() / 2])
    });
    let _ = std::fs::remove_dir_all(&clone);
    let (_, cold) = cold?;
    let warm = warm.expect("measured after a cold run")?;
    table.goal(
        "build",
        "cold first `cargo xtask codegen` on a fresh clone",
        format!("{:.0} s", cold.as_secs_f64()),
        "< 120 s",
        cold.as_secs_f64() < 120.0,
    );
    table.goal(
        "build",
        format!("warm `cargo xtask codegen` (the same clone again, median of {WARM_RUNS})"),
        format!("{:.2} s", warm.as_secs_f64()),
        "< 0.5 s",
        warm.as_secs_f64() < 0.5,
    );
    Ok(())
}

fn write_benchmarks_md(root: &Path, header: &str, table: &Table) -> Result<(), String> {
    let path = root.join("BENCHMARKS.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = format!("{BEGIN}\n\n{header}\n\n{}\n{END}", table.markdown());
    let text = match (existing.find(BEGIN), existing.find(END)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{generated}{}",
            &existing[..begin],
            &existing[end + END.len()..]
        ),
        _ => format!("# Benchmarks\n\n{generated}\n{existing}"),
    };
    std::fs::write(&path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_read_from_tab_separated_lines() {
        let figures = parse_figures(
            "noise\nfigure\tclient.c1.cpu_ratio\t0.98\t×\tratio\nfigure\tbroken\tx\t\t\n",
        );
        assert_eq!(figures.get("client.c1.cpu_ratio"), Some(&0.98));
        assert!(!figures.contains_key("broken"));
        assert!(figure(&figures, "missing").is_err());
    }
}
