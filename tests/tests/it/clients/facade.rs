//! The facade crate re-exports every API crate behind a feature named after its spec
//! folder, and `full` turns them all on.

use idverify_tests::workspace_root;

#[test]
fn the_facade_reexports_every_api() {
    let apis = [
        idverify::signicat_authentication::API,
        idverify::signicat_identification_v2::API,
        idverify::idfy_identification_v1::API,
        idverify::idnow_platform::API,
        idverify::identify_videoident::API,
    ];
    let mut names: Vec<&str> = apis.iter().map(|a| a.crate_name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), apis.len());
    for api in apis {
        assert!(
            api.default_environment.base_url.starts_with("https://"),
            "{}",
            api.crate_name
        );
    }
    // The runtime is reachable too, so users need one dependency.
    let _: idverify::runtime::Credentials = idverify::runtime::Credentials::None;
}

#[test]
fn every_spec_folder_is_a_facade_feature() {
    let manifest =
        std::fs::read_to_string(workspace_root().join("crates/idverify/Cargo.toml")).unwrap();
    let full = manifest
        .lines()
        .find(|l| l.starts_with("full = "))
        .expect("a `full` feature");
    let mut folders = 0;
    for entry in std::fs::read_dir(workspace_root().join("specs")).unwrap() {
        let entry = entry.unwrap();
        // `specs/codegen.schema.json` is beside the spec folders.
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().into_string().unwrap();
        assert!(
            manifest.contains(&format!("\n{name} = [\"dep:")),
            "no feature `{name}`"
        );
        assert!(
            full.contains(&format!("\"{name}\"")),
            "`full` lacks `{name}`"
        );
        folders += 1;
    }
    assert_eq!(folders, 5);
}
