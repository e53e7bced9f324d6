//! Every spec passes two independent validators, so the tools users feed our specs to
//! (linters, mock servers, other generators) read them as we do: `openapi-spec-validator`
//! (PyPI) and Redocly's `lint` (npm, its recommended rules; warnings are allowed, errors
//! are not). Both come from `tests/tools/install`.

use std::path::{Path, PathBuf};
use std::process::Command;

use idverify_tests::workspace_root;

fn tool(relative: &str, name: &str) -> PathBuf {
    let path = workspace_root().join(relative);
    assert!(
        path.is_file(),
        "{name} is needed to validate the specs and was not found at {}: run tests/tools/install",
        path.display()
    );
    path
}

fn specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("specs"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .flat_map(|dir| {
            ["openapi.yaml", "openapi.json"]
                .map(|name| dir.join(name))
                .into_iter()
                .filter(|p| p.is_file())
        })
        .collect();
    specs.sort();
    assert!(specs.len() >= 5, "{specs:?}");
    specs
}

fn run(program: &Path, args: &[&str], spec: &Path) -> (bool, String) {
    let output = Command::new(program)
        .args(args)
        .arg(spec)
        // Redocly would otherwise ask its servers for news.
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn every_spec_passes_openapi_spec_validator() {
    let validator = tool(
        "target/tools/venv/bin/openapi-spec-validator",
        "openapi-spec-validator",
    );
    for spec in specs() {
        let (ok, text) = run(&validator, &[], &spec);
        assert!(ok && text.contains("OK"), "{}:\n{text}", spec.display());
    }
}

#[test]
fn every_spec_passes_redocly_lint_without_errors() {
    let redocly = tool(
        "target/tools/node/node_modules/.bin/redocly",
        "@redocly/cli",
    );
    for spec in specs() {
        let (ok, text) = run(&redocly, &["lint", "--format", "summary"], &spec);
        assert!(ok, "{}:\n{text}", spec.display());
        assert!(
            !text.lines().any(|l| l.starts_with("error")),
            "{}:\n{text}",
            spec.display()
        );
    }
}
