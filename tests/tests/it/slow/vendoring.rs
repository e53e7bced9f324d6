//! Generated crates build outside this workspace: copied with the runtime into a user's
//! workspace (no workspace inheritance, no path into the generator), and generated from
//! a vendor's own file with `cargo xtask try-spec`.

use std::path::Path;
use std::process::Command;

use idverify_tests::{copy_tree, workspace_root};

/// `cargo build --offline` in `dir`, in a target dir of its own (kept between runs) so it
/// never waits on the lock of the build running these tests.
fn cargo_build(dir: &Path, package: &str) {
    let root = workspace_root();
    // The same dependency versions as here, so the offline build finds them cached.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args(["build", "--offline", "--package", package])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root.join("target/vendoring"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "{package} did not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_generated_crate_builds_when_vendored_elsewhere() {
    let root = workspace_root();
    let vendor = tempfile::tempdir().unwrap();
    for krate in ["idverify-signicat-authentication", "idverify-runtime"] {
        copy_tree(
            &root.join("crates").join(krate),
            &vendor.path().join("vendor").join(krate),
        )
        .unwrap();
    }
    // A user's workspace: their own crate depending on the vendored client.
    std::fs::write(
        vendor.path().join("Cargo.toml"),
        r#"[workspace]
resolver = "3"
members = ["app", "vendor/idverify-signicat-authentication", "vendor/idverify-runtime"]
"#,
    )
    .unwrap();
    std::fs::create_dir_all(vendor.path().join("app/src")).unwrap();
    std::fs::write(
        vendor.path().join("app/Cargo.toml"),
        r#"[package]
name = "app"
version = "0.1.0"
edition = "2024"

[dependencies]
idverify-signicat-authentication = { path = "../vendor/idverify-signicat-authentication" }
"#,
    )
    .unwrap();
    std::fs::write(
        vendor.path().join("app/src/lib.rs"),
        "pub fn client() -> idverify_signicat_authentication::Client {\n    \
         idverify_signicat_authentication::Client::builder().build().unwrap()\n}\n",
    )
    .unwrap();
    cargo_build(vendor.path(), "app");
}

/// `cargo xtask try-spec` on a vendor's Swagger 2.0 file (the suite's own fixture; CI also
/// runs it on the real vendor files it has): every operation is generated, the notes say
/// what normalisation changed, and the crate builds.
#[test]
fn try_spec_generates_and_builds_a_crate_from_a_vendor_file() {
    let root = workspace_root();
    let file = root.join("tests/fixtures/specs/swagger2/openapi.json");
    let swagger: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let documented: usize = swagger["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "parameters")
                .count()
        })
        .sum();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = idverify_codegen::cli::run(
        [
            "try-spec".to_string(),
            file.display().to_string(),
            "--name".to_string(),
            "legacy".to_string(),
            "--target-dir".to_string(),
            root.join("target/vendoring").display().to_string(),
        ],
        root.clone(),
        &mut out,
        &mut err,
    );
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(status, 0, "{out}\n{err}");
    assert!(out.contains("crate          idverify-legacy"), "{out}");
    assert!(
        out.contains(&format!("operations     {documented}\n")),
        "every documented operation is generated: {out}"
    );
    assert!(out.contains("normalisation  "), "{out}");
    assert!(out.contains("dropped"), "the notes say what changed: {out}");
    assert!(out.contains("build          ok"), "{out}");
}

#[test]
fn try_spec_reports_a_file_it_cannot_read_as_such() {
    let root = workspace_root();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("vendor.yaml");
    std::fs::write(&file, "openapi: 3.0.3\ninfo: [\n").unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = idverify_codegen::cli::run(
        ["try-spec".to_string(), file.display().to_string()],
        root,
        &mut out,
        &mut err,
    );
    let err = String::from_utf8(err).unwrap();
    assert_eq!(status, 1);
    assert!(err.contains("vendor.yaml") && err.contains("line"), "{err}");
}
