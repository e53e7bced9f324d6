//! `cargo xtask try-spec <file>`: what a user runs before adding a vendor. It generates
//! a crate from any vendor OpenAPI 3.x or Swagger 2.0 file into a temporary workspace
//! beside a copy of the runtime, builds it, and reports what generation did: operations
//! generated, normalisation notes, or the error that stops it (with file and place).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use crate::{files, pipeline};

/// What to try.
#[derive(Debug, Clone)]
pub struct TrySpec {
    /// The vendor's file.
    pub file: PathBuf,
    /// The API's folder name (default: from the file name).
    pub name: Option<String>,
    /// The workspace whose runtime and `Cargo.lock` are used.
    pub workspace: PathBuf,
    /// Where cargo builds (default `<workspace>/target/try-spec`, kept between runs).
    pub target_dir: Option<PathBuf>,
    /// Keep the temporary workspace in this folder instead of deleting it.
    pub keep: Option<PathBuf>,
}

/// An API folder name from a file name: `idfy-api-swagger-2.0.json` → `idfy-api-swagger-2-0`.
fn name_from(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-').to_string();
    if name.is_empty() {
        "vendor".to_string()
    } else {
        name
    }
}

/// A `codegen.toml` for the file: its first absolute server as the base URL and, where
/// the file declares OAuth2 client credentials, that token URL.
fn config_for(name: &str, doc: &Value) -> String {
    // Server variables take their defaults (the typed servers are generated too).
    let mut base_url = doc["servers"][0]["url"]
        .as_str()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .unwrap_or("https://vendor.invalid")
        .to_string();
    if let Some(variables) = doc["servers"][0]["variables"].as_object() {
        for (name, variable) in variables {
            if let Some(default) = variable["default"].as_str() {
                base_url = base_url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    let token_url = doc["components"]["securitySchemes"]
        .as_object()
        .into_iter()
        .flat_map(|schemes| schemes.values())
        .find_map(|scheme| scheme["flows"]["clientCredentials"]["tokenUrl"].as_str());
    let auth = match token_url {
        Some(url) => format!("kind = \"oauth2-client-credentials\"\ntoken_url = {url:?}\n"),
        None => "kind = \"none\"\n".to_string(),
    };
    format!(
        "[crate]\nname = \"idverify-{name}\"\nversion = \"0.0.0\"\ndescription = \"Tried from a vendor file.\"\n\n[api]\nbase_url = {base_url:?}\n\n[auth]\n{auth}"
    )
}

/// Runs the whole try, printing to `out`/`err`. Returns 0 when the crate builds.
pub fn run(args: &TrySpec, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    macro_rules! say {
        ($w:expr, $($arg:tt)*) => {{ let _ = writeln!($w, $($arg)*); }};
    }
    let name = args.name.clone().unwrap_or_else(|| name_from(&args.file));
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(e) => {
            say!(err, "error: {}: cannot read: {e}", args.file.display());
            return 1;
        }
    };
    let temp = match tempfile::Builder::new()
        .prefix("idverify-try-spec-")
        .tempdir()
    {
        Ok(temp) => temp,
        Err(e) => {
            say!(err, "error: cannot create a temporary folder: {e}");
            return 1;
        }
    };
    let root = args
        .keep
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    let extension = args
        .file
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .filter(|e| ["json", "yaml", "yml"].contains(&e.as_str()))
        .unwrap_or_else(|| "yaml".to_string());
    let api_dir = root.join(pipeline::SPECS_DIR).join(&name);
    let spec_path = api_dir.join(format!("openapi.{extension}"));
    let doc = match crate::load::load(&args.file, &text) {
        Ok(doc) => doc,
        Err(e) => {
            say!(err, "error: {e}");
            return 1;
        }
    };
    let setup = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(&api_dir)?;
        std::fs::write(&spec_path, &text)?;
        std::fs::write(api_dir.join("codegen.toml"), config_for(&name, &doc))?;
        copy_dir(
            &args.workspace.join("crates/idverify-runtime"),
            &root.join("crates/idverify-runtime"),
        )?;
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n",
        )?;
        // The workspace's dependency versions, so most are already built.
        std::fs::copy(args.workspace.join("Cargo.lock"), root.join("Cargo.lock"))?;
        Ok(())
    })();
    if let Err(e) = setup {
        say!(err, "error: preparing {}: {e}", root.display());
        return 1;
    }
    let started = Instant::now();
    // An operation the generator cannot take is set aside by an overlay (as a user
    // would), and generation tried again: the report lists them all, with the reason.
    let mut set_aside: Vec<(String, String, String)> = Vec::new();
    let overlay_path = api_dir.join("overlay.yaml");
    let plans = loop {
        match pipeline::plan_all(&root, None) {
            Ok(plans) => break plans,
            Err(e) => {
                let operation = e.location.as_deref().and_then(operation_at);
                match operation {
                    Some((path, method))
                        if set_aside.len() < MAX_SET_ASIDE
                            && !set_aside.iter().any(|(p, m, _)| *p == path && *m == method) =>
                    {
                        set_aside.push((path, method, e.message.clone()));
                        if let Err(e) = std::fs::write(&overlay_path, overlay_for(&set_aside)) {
                            say!(err, "error: writing {}: {e}", overlay_path.display());
                            return 1;
                        }
                    }
                    _ => {
                        say!(out, "{}: generation failed", args.file.display());
                        report_set_aside(out, &set_aside);
                        say!(err, "error: {e}");
                        say!(
                            err,
                            "fix it in specs/{name}/overlay.yaml (OpenAPI Overlay 1.0) or report a generator gap"
                        );
                        return 1;
                    }
                }
            }
        }
    };
    let elapsed = started.elapsed();
    let Some(api) = plans.first().and_then(|(_, plan)| plan.apis.first()) else {
        say!(err, "error: nothing was generated");
        return 1;
    };
    let operations = api
        .files
        .iter()
        .find(|f| f.path.ends_with("generated.rs"))
        .map(|f| f.contents.matches("pub async fn send(").count())
        .unwrap_or_default();
    say!(out, "{}", args.file.display());
    say!(out, "  crate          {}", api.crate_name);
    say!(out, "  operations     {operations} generated");
    say!(
        out,
        "  generated      {} lines in {:.1} ms",
        api.generated_lines,
        elapsed.as_secs_f64() * 1000.0
    );
    let size: usize = api
        .files
        .iter()
        .filter(|f| f.path.ends_with("generated.rs"))
        .map(|f| f.contents.len())
        .sum();
    say!(
        out,
        "  crate size     {:.1} KiB of generated code",
        size as f64 / 1024.0
    );
    report_set_aside(out, &set_aside);
    say!(out, "  normalisation  {} notes", api.notes.len());
    for note in &api.notes {
        say!(out, "    {note}");
    }
    for (layout, plan) in &plans {
        if let Err(e) = files::write(&layout.root, &plan.files()) {
            say!(err, "error: writing the crate: {e}");
            return 1;
        }
    }
    let target = args
        .target_dir
        .clone()
        .unwrap_or_else(|| args.workspace.join("target/try-spec"));
    // cargo runs in the temporary workspace: a relative path would land there.
    let target = std::path::absolute(&target).unwrap_or(target);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let started = Instant::now();
    let build = Command::new(cargo)
        .args(["build", "--package", &api.crate_name])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output();
    match build {
        Ok(output) if output.status.success() => {
            say!(
                out,
                "  build          ok in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            if args.keep.is_some() {
                say!(out, "  kept in        {}", root.display());
            }
            0
        }
        Ok(output) => {
            say!(out, "  build          FAILED");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let errors: Vec<&str> = stderr
                .lines()
                .filter(|l| l.starts_with("error"))
                .take(20)
                .collect();
            say!(err, "{}", errors.join("\n"));
            say!(
                err,
                "the generated crate does not build; rerun with --keep DIR to read it"
            );
            1
        }
        Err(e) => {
            say!(err, "error: running cargo: {e}");
            1
        }
    }
}

/// At most this many operations are set aside before giving up.
const MAX_SET_ASIDE: usize = 200;

/// `(path, method)` of an error located in an operation (`#/paths/<path>/<method>...`).
fn operation_at(location: &str) -> Option<(String, String)> {
    let mut tokens = location.strip_prefix("#/paths/")?.split('/');
    let unescape = |t: &str| t.replace("~1", "/").replace("~0", "~");
    let path = unescape(tokens.next()?);
    let method = tokens.next()?.to_string();
    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    METHODS.contains(&method.as_str()).then_some((path, method))
}

/// An OpenAPI Overlay 1.0 document removing the operations set aside.
fn overlay_for(set_aside: &[(String, String, String)]) -> String {
    let mut text = String::from(
        "overlay: 1.0.0\ninfo:\n  title: Operations the generator cannot take yet\n  version: 1.0.0\nactions:\n",
    );
    for (path, method, reason) in set_aside {
        let target = format!(
            "$.paths['{}'].{method}",
            path.replace('\\', "\\\\").replace('\'', "\\'")
        );
        let reason = reason.lines().next().unwrap_or_default();
        text.push_str(&format!(
            "  - target: {}\n    description: {}\n    remove: true\n",
            serde_json::to_string(&target).unwrap_or_default(),
            serde_json::to_string(reason).unwrap_or_default(),
        ));
    }
    text
}

fn report_set_aside(out: &mut dyn Write, set_aside: &[(String, String, String)]) {
    if set_aside.is_empty() {
        let _ = writeln!(out, "  need overlay   none");
        return;
    }
    let _ = writeln!(
        out,
        "  need overlay   {} operation(s), removed by the overlay below:",
        set_aside.len()
    );
    for (path, method, reason) in set_aside {
        let _ = writeln!(out, "    {} {path}: {reason}", method.to_uppercase());
    }
    let _ = writeln!(out, "  overlay.yaml");
    for line in overlay_for(set_aside).lines() {
        let _ = writeln!(out, "    {line}");
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_name() == "target" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
