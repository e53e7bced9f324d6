//! Removing a vendor is deleting its spec folder and running `cargo xtask codegen`: the
//! generator starts whatever state the generated crates are in (it is a workspace of its
//! own), removes the crate the spec made, keeps hand-written files aside, and leaves a
//! workspace that builds.

use std::path::Path;
use std::process::Command;

use idverify_codegen::cli;
use idverify_tests::{copy_tree, workspace_root};

/// A user's workspace holding our specs, the runtime, the generated crates and the
/// facade (the hand-written sandbox and tests depend on every vendor, so they stay out).
fn user_workspace() -> tempfile::TempDir {
    let root = workspace_root();
    let work = tempfile::tempdir().unwrap();
    copy_tree(&root.join("specs"), &work.path().join("specs")).unwrap();
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "idverify-sandbox" {
            continue;
        }
        copy_tree(&entry.path(), &work.path().join("crates").join(&name)).unwrap();
    }
    std::fs::write(
        work.path().join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n",
    )
    .unwrap();
    // The same dependency versions as here, so the offline build finds them cached.
    std::fs::copy(root.join("Cargo.lock"), work.path().join("Cargo.lock")).unwrap();
    work
}

/// `cargo xtask codegen` in `dir`: the same entry point the xtask binary calls.
fn codegen(dir: &Path) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = cli::run(
        ["codegen".to_string()],
        dir.to_path_buf(),
        &mut out,
        &mut err,
    );
    (
        status,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    Command::new(cargo)
        .args(args)
        .current_dir(dir)
        // A target dir of its own (kept between runs, shared with the vendoring tests)
        // so it never waits on the lock of the build running these tests.
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target/vendoring"),
        )
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo")
}

fn assert_builds(dir: &Path) {
    let output = cargo(
        dir,
        &["build", "--offline", "--workspace", "--all-features"],
    );
    assert!(
        output.status.success(),
        "the workspace does not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn facade_manifest(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("crates/idverify/Cargo.toml")).unwrap()
}

#[test]
fn deleting_a_spec_folder_removes_its_crate_and_keeps_hand_written_code_aside() {
    let work = user_workspace();
    let dir = work.path();
    // Signicat Authentication's lib.rs is the template; Identify's has hand-written views.
    let identify_lib =
        std::fs::read_to_string(dir.join("crates/idverify-identify-videoident/src/lib.rs"))
            .unwrap();
    assert!(!idverify_codegen::emit::is_template_lib_rs(&identify_lib));
    std::fs::remove_dir_all(dir.join("specs/signicat-authentication")).unwrap();
    std::fs::remove_dir_all(dir.join("specs/identify-videoident")).unwrap();
    let (status, out, err) = codegen(dir);
    assert_eq!(status, 0, "{out}\n{err}");
    assert!(!dir.join("crates/idverify-signicat-authentication").exists());
    assert!(!dir.join("crates/idverify-identify-videoident").exists());
    assert!(
        !dir.join("removed/idverify-signicat-authentication")
            .exists(),
        "nothing hand-written to keep"
    );
    let kept = dir.join("removed/idverify-identify-videoident/src/lib.rs");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), identify_lib);
    assert!(
        err.contains("removed/idverify-identify-videoident") && err.contains("src/lib.rs"),
        "the user is told where the hand-written file went: {err}"
    );
    let facade = facade_manifest(dir);
    assert!(
        !facade.contains("idverify-signicat-authentication"),
        "{facade}"
    );
    assert!(!facade.contains("idverify-identify-videoident"), "{facade}");
    assert!(facade.contains("idverify-idnow-platform"), "{facade}");
    // A second run has nothing left to do, and the check agrees.
    let (status, out, _) = codegen(dir);
    assert_eq!(status, 0);
    assert!(out.contains("0 file(s) changed"), "{out}");
    assert_builds(dir);
}

#[test]
fn a_deleted_crate_or_a_broken_generated_manifest_is_repaired_by_one_run() {
    let work = user_workspace();
    let dir = work.path();
    std::fs::remove_dir_all(dir.join("specs/idnow-platform")).unwrap();
    std::fs::remove_dir_all(dir.join("crates/idverify-idnow-platform")).unwrap();
    let broken = dir.join("crates/idverify-idfy-identification-v1/Cargo.toml");
    std::fs::write(&broken, "[package\nname = ").unwrap();
    let stuck = cargo(dir, &["metadata", "--offline", "--format-version", "1"]);
    assert!(
        !stuck.status.success(),
        "cargo cannot load the workspace before the run"
    );
    let (status, out, err) = codegen(dir);
    assert_eq!(status, 0, "{out}\n{err}");
    assert!(!facade_manifest(dir).contains("idverify-idnow-platform"));
    assert!(
        std::fs::read_to_string(&broken)
            .unwrap()
            .starts_with("# @generated by `cargo xtask codegen`")
    );
    assert_builds(dir);
}
