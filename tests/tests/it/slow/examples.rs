//! The facade's examples, as a newcomer runs them with no vendor account: each exits 0
//! against the embedded sandbox and prints the steps and the identity, with no name,
//! national id or date of birth of the test person unmasked.

use std::process::Command;

use idverify_sandbox::persons;
use idverify_tests::workspace_root;

const EXAMPLES: &[&str] = &[
    "signicat_authentication",
    "signicat_identification_v2",
    "idfy_identification_v1",
    "idnow_platform",
    "identify_videoident",
    "migrate_v1_to_v2",
];

/// The credentials the examples read: none may leak in from the environment.
const CREDENTIALS: &[&str] = &[
    "SIGNICAT_CLIENT_ID",
    "SIGNICAT_CLIENT_SECRET",
    "IDFY_CLIENT_ID",
    "IDFY_CLIENT_SECRET",
    "IDFY_V1_CLIENT_ID",
    "IDFY_V1_CLIENT_SECRET",
    "IDNOW_CLIENT_ID",
    "IDNOW_CLIENT_SECRET",
    "IDNOW_FLOW_ID",
    "IDENTIFY_PARTNER",
    "IDENTIFY_API_KEY",
    "IDENTIFY_PROJECT_ID",
];

#[test]
fn every_example_runs_against_the_sandbox_and_masks_the_person() {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    // `cargo test` builds the examples already; this only makes sure they are there.
    let built = Command::new(&cargo)
        .args(["build", "-q", "-p", "idverify", "--examples"])
        .current_dir(&root)
        .status()
        .expect("run cargo");
    assert!(built.success(), "the examples build");
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("debug/examples");
    let kari = &persons::KARI;
    let unmasked = [
        kari.first_name,
        kari.last_name,
        kari.national_id,
        kari.date_of_birth,
        "24.12.1990",
        "241290",
    ];
    for example in EXAMPLES {
        let mut command = Command::new(dir.join(example));
        for name in CREDENTIALS {
            command.env_remove(name);
        }
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("{example}: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{example} failed:\n{stdout}\n{stderr}"
        );
        assert!(
            stdout.contains("verified identity (masked)"),
            "{example}:\n{stdout}"
        );
        for value in unmasked {
            assert!(
                !stdout.contains(value) && !stderr.contains(value),
                "{example} prints {value}:\n{stdout}"
            );
        }
    }
}
