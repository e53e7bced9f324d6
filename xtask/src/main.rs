//! `cargo xtask codegen [--check] [--api NAME] [--verbose] [--root DIR]`
//!
//! Regenerates every client crate from `specs/` (or checks that they are fresh).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use idverify_codegen::files;

/// `println!` that ignores a closed stdout (`cargo xtask codegen | head`) instead of
/// panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
use idverify_codegen::pipeline;

const USAGE: &str = "usage: cargo xtask codegen [--check] [--api NAME] [--verbose] [--root DIR]

  --check     write nothing; print a diff for each stale or missing file and fail
  --api NAME  only the API in specs/NAME/ (the facade is still checked/written)
  --verbose   print what normalisation changed in each spec
  --root DIR  workspace root (default: the one this xtask belongs to)";

struct Args {
    check: bool,
    api: Option<String>,
    verbose: bool,
    root: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("codegen") => {}
        Some("-h" | "--help") | None => return Err(USAGE.to_string()),
        Some(other) => return Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
    let mut parsed = Args {
        check: false,
        api: None,
        verbose: false,
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in the workspace")
            .to_path_buf(),
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

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let plans = match pipeline::plan_all(&args.root, args.api.as_deref()) {
        Ok(plans) => plans,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("nothing was written");
            return ExitCode::FAILURE;
        }
    };
    let generated_in = started.elapsed();
    for (_, plan) in &plans {
        for api in &plan.apis {
            out!(
                "{:<40} {:>6} lines  {:>7.1} ms  ({} normalisation notes)",
                api.crate_name,
                api.generated_lines,
                api.elapsed.as_secs_f64() * 1000.0,
                api.notes.len()
            );
            if args.verbose {
                for note in &api.notes {
                    out!("    {note}");
                }
            }
        }
    }
    out!(
        "generated in memory in {:.1} ms",
        generated_in.as_secs_f64() * 1000.0
    );
    // Generated crates whose spec folder is gone (only knowable when planning them all).
    let orphans: Vec<PathBuf> = if args.api.is_none() {
        plans
            .iter()
            .flat_map(|(layout, plan)| {
                pipeline::orphaned_crates(&layout.root, plan)
                    .into_iter()
                    .map(|p| layout.root.join(p))
            })
            .collect()
    } else {
        Vec::new()
    };
    for orphan in &orphans {
        eprintln!(
            "{}: generated code, but no spec folder produces this crate any more; \
             delete the crate or restore its spec",
            orphan.display()
        );
    }
    if args.check {
        if !orphans.is_empty() {
            eprintln!("error: {} orphaned generated crate(s)", orphans.len());
            return ExitCode::FAILURE;
        }
        let mut stale = Vec::new();
        for (layout, plan) in &plans {
            for s in files::check(&layout.root, &plan.files()) {
                stale.push((layout.root.join(&s.path), s.diff));
            }
        }
        if stale.is_empty() {
            out!("all generated files are fresh");
            return ExitCode::SUCCESS;
        }
        for (_, diff) in &stale {
            eprintln!("{diff}");
        }
        eprintln!(
            "error: {} generated file(s) are stale or missing:",
            stale.len()
        );
        for (path, _) in &stale {
            eprintln!("  {}", path.display());
        }
        eprintln!("run `cargo xtask codegen` and commit the result");
        return ExitCode::FAILURE;
    }
    let mut changed = 0;
    for (layout, plan) in &plans {
        match files::write(&layout.root, &plan.files()) {
            Ok(paths) => {
                for path in &paths {
                    out!("wrote {}", layout.root.join(path).display());
                }
                changed += paths.len();
            }
            Err(e) => {
                eprintln!(
                    "error: writing generated files under {} failed: {e}",
                    layout.root.display()
                );
                return ExitCode::FAILURE;
            }
        }
    }
    out!(
        "{changed} file(s) changed, total {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    ExitCode::SUCCESS
}
