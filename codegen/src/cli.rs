//! `cargo xtask codegen` (and `try-spec`): the commands around the passes. It lives in the library so the
//! tests run exactly what users run; `xtask` only forwards its arguments here.
//!
//! The xtask is a workspace of its own (`xtask/Cargo.toml`), outside the graph of the
//! generated manifests: a deleted vendor crate or a broken generated `Cargo.toml` cannot
//! stop the generator that repairs it.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crate::try_spec::TrySpec;
use crate::{files, pipeline, removal};

pub const USAGE: &str = "usage: cargo xtask codegen [--check] [--api NAME] [--verbose] [--root DIR]
       cargo xtask try-spec FILE [--name NAME] [--keep DIR] [--target-dir DIR] [--root DIR]
       cargo xtask bench [--quick] [--skip-cold] [--root DIR]

codegen: regenerate every client crate from specs/
  --check     write nothing; print a diff for each stale or missing file and fail
  --api NAME  only the API in specs/NAME/ (the facade is still checked/written)
  --verbose   print what normalisation changed in each spec
  --root DIR  workspace root (default: the one this xtask belongs to)

try-spec: generate and build a crate from a vendor's OpenAPI/Swagger FILE in a
temporary workspace, and report operations, normalisation notes and the build
  --name NAME       API folder name (default: from the file name)
  --keep DIR        build in DIR and keep it (default: a temporary folder)
  --target-dir DIR  cargo's target dir (default: target/try-spec)

bench: run every benchmark (baselines in the same run), print one table and
write it into BENCHMARKS.md; fails only when a benchmark breaks, never on a figure
  --quick      fewer iterations, no cold build, BENCHMARKS.md left as it is (CI)
  --skip-cold  leave out the cold first `cargo xtask codegen` in a fresh clone";

/// Exit status of a run: 0 success, 1 failure, 2 bad usage.
pub type Status = u8;

struct Args {
    check: bool,
    api: Option<String>,
    verbose: bool,
    root: PathBuf,
}

fn parse_args(
    args: impl IntoIterator<Item = String>,
    default_root: PathBuf,
) -> Result<Args, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("codegen") => {}
        Some("-h" | "--help") | None => return Err(USAGE.to_string()),
        Some(other) => return Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
    let mut parsed = Args {
        check: false,
        api: None,
        verbose: false,
        root: default_root,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => parsed.check = true,
            "--verbose" | "-v" => parsed.verbose = true,
            "--api" => parsed.api = Some(args.next().ok_or("--api needs a name")?),
            "--root" => parsed.root = PathBuf::from(args.next().ok_or("--root needs a directory")?),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    Ok(parsed)
}

fn parse_try_spec(args: &[String], default_root: PathBuf) -> Result<TrySpec, String> {
    let mut args = args.iter();
    let mut file = None;
    let mut parsed = TrySpec {
        file: PathBuf::new(),
        name: None,
        workspace: default_root,
        target_dir: None,
        keep: None,
    };
    let value = |flag: &str, next: Option<&String>| {
        next.cloned()
            .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--name" => parsed.name = Some(value("--name", args.next())?),
            "--keep" => parsed.keep = Some(PathBuf::from(value("--keep", args.next())?)),
            "--target-dir" => {
                parsed.target_dir = Some(PathBuf::from(value("--target-dir", args.next())?))
            }
            "--root" => parsed.workspace = PathBuf::from(value("--root", args.next())?),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other if other.starts_with('-') => {
                return Err(format!("unknown argument `{other}`\n\n{USAGE}"));
            }
            other if file.is_none() => file = Some(PathBuf::from(other)),
            other => return Err(format!("one FILE only; `{other}` is a second\n\n{USAGE}")),
        }
    }
    parsed.file = file.ok_or_else(|| format!("try-spec needs a FILE\n\n{USAGE}"))?;
    Ok(parsed)
}

/// Runs the command given by `args` (without the program name), printing progress to
/// `out` and problems to `err`. A closed `out` (`| head`) is not an error.
pub fn run(
    args: impl IntoIterator<Item = String>,
    default_root: PathBuf,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Status {
    macro_rules! say {
        ($w:expr, $($arg:tt)*) => {{ let _ = writeln!($w, $($arg)*); }};
    }
    let args: Vec<String> = args.into_iter().collect();
    if args.first().map(String::as_str) == Some("bench") {
        let mut options = crate::bench::Options {
            quick: false,
            skip_cold: false,
            root: default_root,
        };
        let mut rest = args[1..].iter();
        while let Some(arg) = rest.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--skip-cold" => options.skip_cold = true,
                "--root" => match rest.next() {
                    Some(dir) => options.root = PathBuf::from(dir),
                    None => {
                        say!(err, "--root needs a directory\n\n{USAGE}");
                        return 2;
                    }
                },
                other => {
                    say!(err, "unknown argument `{other}`\n\n{USAGE}");
                    return 2;
                }
            }
        }
        return match crate::bench::run(&options, out, err) {
            Ok(()) => 0,
            Err(message) => {
                say!(err, "error: a benchmark failed: {message}");
                1
            }
        };
    }
    if args.first().map(String::as_str) == Some("try-spec") {
        return match parse_try_spec(&args[1..], default_root) {
            Ok(try_spec) => crate::try_spec::run(&try_spec, out, err),
            Err(message) => {
                say!(err, "{message}");
                2
            }
        };
    }
    let args = match parse_args(args, default_root) {
        Ok(args) => args,
        Err(message) => {
            say!(err, "{message}");
            return 2;
        }
    };
    let started = Instant::now();
    let plans = match pipeline::plan_all(&args.root, args.api.as_deref()) {
        Ok(plans) => plans,
        Err(e) => {
            say!(err, "error: {e}");
            say!(err, "nothing was written");
            return 1;
        }
    };
    let generated_in = started.elapsed();
    for (_, plan) in &plans {
        for api in &plan.apis {
            say!(
                out,
                "{:<40} {:>6} lines  {:>7.1} ms  ({} normalisation notes)",
                api.crate_name,
                api.generated_lines,
                api.elapsed.as_secs_f64() * 1000.0,
                api.notes.len()
            );
            if args.verbose {
                for note in &api.notes {
                    say!(out, "    {note}");
                }
            }
        }
    }
    say!(
        out,
        "generated in memory in {:.1} ms",
        generated_in.as_secs_f64() * 1000.0
    );
    // Generated crates whose spec folder is gone (only knowable when planning them all).
    let orphans: Vec<(PathBuf, PathBuf)> = if args.api.is_none() {
        plans
            .iter()
            .flat_map(|(layout, plan)| {
                pipeline::orphaned_crates(&layout.root, plan)
                    .into_iter()
                    .map(|p| (layout.root.clone(), p))
            })
            .collect()
    } else {
        Vec::new()
    };
    if args.check {
        for (root, orphan) in &orphans {
            say!(
                err,
                "{}: generated code, but no spec folder produces this crate any more; \
                 run `cargo xtask codegen` to remove it, or restore its spec",
                root.join(orphan).display()
            );
        }
        if !orphans.is_empty() {
            say!(err, "error: {} orphaned generated crate(s)", orphans.len());
            return 1;
        }
        let mut stale = Vec::new();
        for (layout, plan) in &plans {
            for s in files::check(&layout.root, &plan.files()) {
                stale.push((layout.root.join(&s.path), s.diff));
            }
        }
        if stale.is_empty() {
            say!(out, "all generated files are fresh");
            return 0;
        }
        for (_, diff) in &stale {
            say!(err, "{diff}");
        }
        say!(
            err,
            "error: {} generated file(s) are stale or missing:",
            stale.len()
        );
        for (path, _) in &stale {
            say!(err, "  {}", path.display());
        }
        say!(err, "run `cargo xtask codegen` and commit the result");
        return 1;
    }
    let mut changed = 0;
    for (layout, plan) in &plans {
        match files::write(&layout.root, &plan.files()) {
            Ok(paths) => {
                for path in &paths {
                    say!(out, "wrote {}", layout.root.join(path).display());
                }
                changed += paths.len();
            }
            Err(e) => {
                say!(
                    err,
                    "error: writing generated files under {} failed: {e}",
                    layout.root.display()
                );
                return 1;
            }
        }
    }
    for (root, orphan) in &orphans {
        match removal::remove_orphan(root, orphan) {
            Ok(removed) => {
                say!(
                    out,
                    "removed {}: no spec folder produces it any more",
                    root.join(&removed.crate_dir).display()
                );
                if let Some(kept_in) = &removed.kept_in {
                    say!(
                        err,
                        "kept its hand-written files in {}: {}; move what you need, then delete the folder",
                        root.join(kept_in).display(),
                        removed
                            .kept
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                changed += 1;
            }
            Err(e) => {
                say!(
                    err,
                    "error: removing the orphaned crate {} failed: {e}",
                    root.join(orphan).display()
                );
                return 1;
            }
        }
    }
    say!(
        out,
        "{changed} file(s) changed, total {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    0
}
