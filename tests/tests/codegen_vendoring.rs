//! Generated crates build outside this workspace: copied with the runtime into a user's
//! workspace (no workspace inheritance, no path into the generator), and generated from
//! a real vendor file.

use std::path::Path;
use std::process::Command;

use idverify_codegen::{files, pipeline};
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

/// The legacy vendor's own Swagger 2.0 file (97 paths), read from `../shared/reference/`
/// beside the repository, goes through the whole pipeline and the crate builds.
#[test]
fn the_legacy_vendor_swagger_file_yields_a_crate_that_builds() {
    let root = workspace_root();
    let reference = root.join("../shared/reference/idfy-api-swagger-2.0.json");
    assert!(
        reference.is_file(),
        "{} is missing: this test needs the shared reference files beside the repository",
        reference.display()
    );
    let work = tempfile::tempdir().unwrap();
    let api = work.path().join("specs/idfy-legacy");
    std::fs::create_dir_all(&api).unwrap();
    std::fs::copy(&reference, api.join("openapi.json")).unwrap();
    std::fs::write(
        api.join("codegen.toml"),
        r#"[crate]
name = "idverify-idfy-legacy"
version = "0.0.0"
description = "The legacy Idfy API, whole, from the vendor's Swagger 2.0 file."

[api]
base_url = "https://api.idfy.io"

[auth]
kind = "oauth2-client-credentials"
token_url = "https://api.idfy.io/oauth/connect/token"
scope = "identify"
"#,
    )
    .unwrap();
    copy_tree(
        &root.join("crates/idverify-runtime"),
        &work.path().join("crates/idverify-runtime"),
    )
    .unwrap();
    std::fs::write(
        work.path().join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n",
    )
    .unwrap();
    let plans =
        pipeline::plan_all(work.path(), None).unwrap_or_else(|e| panic!("codegen failed: {e}"));
    let api = &plans[0].1.apis[0];
    let generated = api
        .files
        .iter()
        .find(|f| f.path.ends_with("generated.rs"))
        .unwrap();
    let swagger: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&reference).unwrap()).unwrap();
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
    let generated_operations = generated.contents.matches("pub async fn send(").count();
    assert_eq!(
        generated_operations, documented,
        "every operation of the vendor's file is generated"
    );
    for (layout, plan) in &plans {
        files::write(&layout.root, &plan.files()).unwrap();
    }
    cargo_build(work.path(), "idverify-idfy-legacy");
}
