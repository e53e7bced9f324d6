//! Bad input gets an error naming the file and the place in it, and changes nothing on
//! disk. Overlays correct a spec without editing it.

use std::path::{Path, PathBuf};

use idverify_codegen::{files, pipeline};

const CONFIG: &str = r#"
[crate]
name = "idverify-example"
version = "0.1.0"
description = "Example."

[api]
base_url = "https://example.invalid"

[auth]
kind = "none"
"#;

const GOOD_SPEC: &str = r##"
openapi: 3.0.3
info: { title: Example, version: "1" }
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: A thing.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Thing" }
  /things:
    delete:
      operationId: deleteAll
      responses:
        "204": { description: Gone. }
components:
  schemas:
    Thing:
      type: object
      properties:
        id: { type: string }
"##;

/// A workspace-shaped temp dir with one API folder.
fn root_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn plan_error(root: &Path) -> String {
    match pipeline::plan_all(root, None) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// Each `(toml, expected)`: `CONFIG` with `toml` appended fails planning with an error
/// naming `codegen.toml` and containing `expected`.
fn assert_config_errors(cases: &[(&str, &str)]) {
    for (extra, expected) in cases {
        let config = format!("{CONFIG}\n{extra}");
        let root = root_with(&[
            ("specs/example/codegen.toml", &config),
            ("specs/example/openapi.yaml", GOOD_SPEC),
        ]);
        let error = plan_error(root.path());
        assert!(error.contains("specs/example/codegen.toml"), "{error}");
        assert!(error.contains(expected), "{expected} not in: {error}");
    }
}

fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn malformed_yaml_names_file_line_and_column() {
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        (
            "specs/example/openapi.yaml",
            "openapi: 3.0.3\ninfo: [unclosed\npaths: {}\n",
        ),
    ]);
    let error = plan_error(root.path());
    assert!(error.contains("specs/example/openapi.yaml"), "{error}");
    assert!(
        error.contains("line 2") || error.contains("line 3"),
        "{error}"
    );
    assert!(error.contains("column"), "{error}");
}

#[test]
fn malformed_json_names_line_and_column() {
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        (
            "specs/example/openapi.json",
            "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {,}\n}",
        ),
    ]);
    let error = plan_error(root.path());
    assert!(
        error.contains("specs/example/openapi.json at line 3, column"),
        "{error}"
    );
}

#[test]
fn a_structural_error_names_its_json_pointer() {
    let spec = GOOD_SPEC.replace("\"204\": { description: Gone. }", "\"204\": 5");
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", &spec),
    ]);
    let error = plan_error(root.path());
    assert!(
        error.contains("#/paths/~1things/delete/responses/204"),
        "{error}"
    );
}

#[test]
fn an_openapi_31_construct_without_30_form_is_named() {
    let spec = GOOD_SPEC
        .replace("openapi: 3.0.3", "openapi: 3.1.0")
        .replace(
            "id: { type: string }",
            "id: { type: array, prefixItems: [{ type: string }] }",
        );
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", &spec),
    ]);
    let error = plan_error(root.path());
    assert!(
        error.contains("#/components/schemas/Thing/properties/id/prefixItems"),
        "{error}"
    );
    assert!(error.contains("prefixItems"), "{error}");
}

#[test]
fn a_bad_codegen_toml_names_the_line() {
    let config = CONFIG.replace("kind = \"none\"", "kind = \"magic\"");
    let root = root_with(&[
        ("specs/example/codegen.toml", &config),
        ("specs/example/openapi.yaml", GOOD_SPEC),
    ]);
    let error = plan_error(root.path());
    assert!(
        error.contains("specs/example/codegen.toml at line 11"),
        "{error}"
    );
    assert!(error.contains("magic"), "{error}");

    let config = CONFIG.replace("https://example.invalid", "ftp://example.invalid");
    let root = root_with(&[
        ("specs/example/codegen.toml", &config),
        ("specs/example/openapi.yaml", GOOD_SPEC),
    ]);
    let error = plan_error(root.path());
    assert!(error.contains("api.base_url"), "{error}");
}

#[test]
fn webhook_settings_are_checked_against_the_config_and_the_spec() {
    let cases = [
        (
            "[webhooks]\nkind = \"jwt-rs256\"\nclaims = \"Claims\"\njwks_url = \"https://example.invalid/jwks\"\nissuer = \"https://example.invalid\"\n",
            "webhooks.claims: `Claims` is not in the spec's components/schemas",
        ),
        (
            "[webhooks]\nkind = \"jwt-rs256\"\nclaims = \"Thing\"\njwks_url = \"https://example.invalid/jwks\"\nissuer = \"https://example.invalid\"\n[webhooks.environments.test]\njwks_url = \"https://example.invalid/jwks\"\nissuer = \"x\"\n",
            "webhooks.environments.test: no such environment",
        ),
        (
            "[webhooks]\nkind = \"hmac-sha256-hex\"\nheader = \"X Signature\"\n",
            "webhooks.header `X Signature` is not an HTTP header name",
        ),
        ("[webhooks]\nkind = \"pgp\"\n", "pgp"),
        (
            "[webhooks]\nkind = \"hmac-sha256-hex\"\nheader = \"X-Signature\"\n[webhooks.events]\nname = \"id\"\nnames = {}\n",
            "webhooks.events needs `body`",
        ),
        (
            "[webhooks]\nkind = \"unsigned\"\nbody = \"Thing\"\n[webhooks.events]\nat = \"id\"\nname = \"id\"\nnames = {}\n",
            "webhooks.events.at needs `type`",
        ),
        (
            "[webhooks]\nkind = \"unsigned\"\nbody = \"Thing\"\n[webhooks.events]\nname = \"id\"\nnames = { a = \"Other\" }\n",
            "`Other` is not a variant name",
        ),
        (
            "[webhooks]\nkind = \"unsigned\"\nbody = \"Thing\"\n[webhooks.events]\nname = \"id\"\nnames = { a = \"A\", b = \"A\" }\n",
            "variant `A` is used twice",
        ),
        (
            "[webhooks]\nkind = \"unsigned\"\nbody = \"Nothing\"\n[webhooks.events]\nname = \"id\"\nnames = {}\n",
            "webhooks.body: `Nothing` is not in the spec's components/schemas",
        ),
        // Fields are checked against the generated types.
        (
            "[webhooks]\nkind = \"unsigned\"\nbody = \"Thing\"\n[webhooks.events]\nname = \"event_name\"\nnames = {}\n",
            "webhooks.events.name: `Thing` has no field `event_name`",
        ),
        (
            "[webhooks]\nkind = \"unsigned\"\nbody = \"Thing\"\n[webhooks.events]\nname = \"id\"\nid = [\"id\", \"ident\"]\nnames = {}\n",
            "webhooks.events.id: `Thing` has no field `ident`",
        ),
    ];
    assert_config_errors(&cases);
}

#[test]
fn waiter_and_pagination_tables_are_checked_against_the_spec_and_the_code() {
    let waiter = |operation: &str, status: &str, finals: &str, successful: &str| {
        format!(
            "[waiter]\noperation = \"{operation}\"\nstatus = \"{status}\"\nfinal = [{finals}]\nsuccessful = [{successful}]\n"
        )
    };
    let cases = [
        (
            waiter("getNothing", "id", "\"done\"", "\"done\""),
            "waiter.operation: the spec has no operation `getNothing`".to_string(),
        ),
        (
            waiter("getThing", "state", "\"done\"", "\"done\""),
            "waiter.status: `state`: `Thing` has no member `state`".to_string(),
        ),
        (
            waiter("getThing", "id", "\"done\"", "\"ok\""),
            "waiter.successful: `ok` is not one of waiter.final".to_string(),
        ),
        (
            waiter("getThing", "id", "", ""),
            "waiter.final: list at least one status".to_string(),
        ),
        (
            "[pagination.listNothing]\nkind = \"cursor\"\nitems = \"id\"\nnext = \"id\"\nparam = \"cursor\"\n".to_string(),
            "pagination.listNothing: the spec has no operation `listNothing`".to_string(),
        ),
        (
            "[pagination.getThing]\nkind = \"cursor\"\nitems = \"id\"\nnext = \"id\"\nparam = \"cursor\"\n".to_string(),
            "pagination.getThing.items: `Thing.id` is not an array".to_string(),
        ),
        (
            "[pagination.getThing]\nkind = \"scroll\"\nitems = \"id\"\n".to_string(),
            "scroll".to_string(),
        ),
    ];
    let cases: Vec<(&str, &str)> = cases
        .iter()
        .map(|(toml, expected)| (toml.as_str(), expected.as_str()))
        .collect();
    assert_config_errors(&cases);
}

#[test]
fn webhook_events_are_generated_from_the_config() {
    let config = format!(
        "{CONFIG}\n[webhooks]\nkind = \"unsigned\"\nbody = \"Thing\"\n[webhooks.events]\nname = \"id\"\nid = [\"id\"]\n[webhooks.events.names]\n\"thing.made\" = \"ThingMade\"\n"
    );
    let root = root_with(&[
        ("specs/example/codegen.toml", &config),
        ("specs/example/openapi.yaml", GOOD_SPEC),
    ]);
    let plans = pipeline::plan_all(root.path(), None).expect("a valid [webhooks.events]");
    let files: Vec<_> = plans.iter().flat_map(|(_, plan)| plan.files()).collect();
    let generated = files
        .iter()
        .find(|f| f.path.ends_with("generated.rs"))
        .map(|f| f.contents.clone())
        .unwrap();
    for expected in [
        "pub enum Event",
        "ThingMade(super::types::Thing)",
        "Other(UnknownEvent<super::types::Thing>)",
        "Some(\"thing.made\") => Self::ThingMade(payload)",
        "pub fn receiver() -> Receiver",
        "#[cfg(feature = \"test-util\")]",
    ] {
        assert!(generated.contains(expected), "{expected}");
    }
    let manifest = files
        .iter()
        .find(|f| f.path.ends_with("Cargo.toml"))
        .map(|f| f.contents.clone())
        .unwrap();
    assert!(
        manifest.contains("axum = [\"idverify-runtime/axum\"]"),
        "{manifest}"
    );
    assert!(
        manifest.contains("test-util = [\"idverify-runtime/test-util\"]"),
        "{manifest}"
    );
}

#[test]
fn an_unknown_error_shape_is_named_with_its_key_and_the_known_ones() {
    let config = format!("{CONFIG}\n[errors]\nshape = \"soap-fault\"\n");
    let root = root_with(&[
        ("specs/example/codegen.toml", &config),
        ("specs/example/openapi.yaml", GOOD_SPEC),
    ]);
    let error = plan_error(root.path());
    assert!(
        error.contains("specs/example/codegen.toml at line 14"),
        "{error}"
    );
    assert!(
        error.contains("errors.shape `soap-fault` is not a known error shape"),
        "{error}"
    );
    assert!(
        error.contains("problem, oauth, idfy, identify, generic"),
        "{error}"
    );

    // A declared shape is carried into the API's descriptor.
    let config = format!("{CONFIG}\n[errors]\nshape = \"oauth\"\n");
    let root = root_with(&[
        ("specs/example/codegen.toml", &config),
        ("specs/example/openapi.yaml", GOOD_SPEC),
    ]);
    let plans = pipeline::plan_all(root.path(), None).expect("a known shape");
    let generated = plans
        .iter()
        .flat_map(|(_, plan)| plan.files())
        .find(|f| f.path.ends_with("src/generated.rs"))
        .expect("generated.rs");
    assert!(
        generated
            .contents
            .contains("::idverify_runtime::VendorErrorShape::OAuth"),
        "no declared shape in the descriptor"
    );
}

#[test]
fn a_missing_codegen_toml_is_reported() {
    let root = root_with(&[("specs/example/openapi.yaml", GOOD_SPEC)]);
    let error = plan_error(root.path());
    assert!(error.contains("specs/example/codegen.toml"), "{error}");
}

#[test]
fn an_overlay_target_that_selects_nothing_is_an_error() {
    let overlay = r#"
overlay: 1.0.0
info: { title: Fixes, version: "1" }
actions:
  - target: "$.paths['/nowhere'].get"
    update: { description: x }
"#;
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", GOOD_SPEC),
        ("specs/example/overlay.yaml", overlay),
    ]);
    let error = plan_error(root.path());
    assert!(
        error.contains("specs/example/overlay.yaml at #/actions/0/target"),
        "{error}"
    );
    assert!(error.contains("selects nothing"), "{error}");
}

#[test]
fn an_overlay_updates_and_removes() {
    let overlay = r#"
overlay: 1.0.0
info: { title: Fixes, version: "1" }
actions:
  - target: "$.components.schemas.Thing.properties"
    update:
      owner: { type: string, description: Owner of the thing., x-sensitive: true }
  - target: "$.paths['/things'].delete"
    remove: true
"#;
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", GOOD_SPEC),
        ("specs/example/overlay.yaml", overlay),
    ]);
    let plans = pipeline::plan_all(root.path(), None).expect("generation");
    let generated = plans[0].1.apis[0]
        .files
        .iter()
        .find(|f| f.path.ends_with("generated.rs"))
        .unwrap()
        .contents
        .clone();
    assert!(
        generated.contains("pub owner:"),
        "the overlay added a property"
    );
    assert!(generated.contains("Owner of the thing."));
    assert!(
        !generated.contains("fn delete_all"),
        "the overlay removed an operation"
    );
    assert!(generated.contains("fn get_thing"));
    assert!(
        generated.contains("specs/example/overlay.yaml"),
        "the header names the overlay"
    );
}

#[test]
fn a_progenitor_panic_is_caught_and_names_the_operation() {
    // progenitor asserts that a response media type has no `encoding`.
    let spec = GOOD_SPEC.replace(
        "              schema: { $ref: \"#/components/schemas/Thing\" }",
        "              schema: { $ref: \"#/components/schemas/Thing\" }\n              encoding: { id: { contentType: text/plain } }",
    );
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", &spec),
    ]);
    let error = plan_error(root.path());
    assert!(error.contains("#/paths/~1things~1{id}/get"), "{error}");
    assert!(
        error.contains("getThing") || error.contains("get_thing"),
        "{error}"
    );
    assert!(error.contains("panicked"), "{error}");
}

#[test]
fn an_unsupported_request_media_type_is_named() {
    let spec = GOOD_SPEC.replace(
        "      operationId: deleteAll\n",
        "      operationId: deleteAll\n      requestBody:\n        content:\n          application/xml:\n            schema: { type: object }\n",
    );
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", &spec),
    ]);
    let error = plan_error(root.path());
    assert!(
        error.contains("#/paths/~1things/delete/requestBody/content"),
        "{error}"
    );
    assert!(error.contains("application/xml"), "{error}");
}

#[test]
fn a_multipart_form_without_properties_is_named() {
    let spec = GOOD_SPEC.replace(
        "      operationId: deleteAll\n",
        "      operationId: deleteAll\n      requestBody:\n        content:\n          multipart/form-data:\n            schema: { type: object }\n",
    );
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", &spec),
    ]);
    let error = plan_error(root.path());
    assert!(
        error.contains("#/paths/~1things/delete/requestBody/content/multipart~1form-data"),
        "{error}"
    );
    assert!(
        error.contains("multipart/form-data") && error.contains("properties"),
        "{error}"
    );
}

#[test]
fn a_failed_generation_changes_no_file() {
    // A workspace with a generated crate, then one API's spec breaks.
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", GOOD_SPEC),
        (
            "specs/second/codegen.toml",
            &CONFIG.replace("idverify-example", "idverify-second"),
        ),
        ("specs/second/openapi.yaml", GOOD_SPEC),
    ]);
    for (layout, plan) in pipeline::plan_all(root.path(), None).unwrap() {
        files::write(&layout.root, &plan.files()).unwrap();
    }
    let before = snapshot(root.path());
    assert!(
        before
            .iter()
            .any(|(p, _)| p.ends_with("crates/idverify-example/src/generated.rs"))
    );

    // `example` changes validly, `second` breaks: nothing may be written, not even
    // `example`, which comes first.
    std::fs::write(
        root.path().join("specs/example/openapi.yaml"),
        GOOD_SPEC.replace("A thing.", "A changed thing."),
    )
    .unwrap();
    std::fs::write(
        root.path().join("specs/second/openapi.yaml"),
        "openapi: 3.0.3\ninfo: {",
    )
    .unwrap();
    let spec_files: Vec<PathBuf> = ["specs/example/openapi.yaml", "specs/second/openapi.yaml"]
        .iter()
        .map(|p| root.path().join(p))
        .collect();
    let error = plan_error(root.path());
    assert!(error.contains("specs/second/openapi.yaml"), "{error}");
    let after: Vec<_> = snapshot(root.path())
        .into_iter()
        .filter(|(p, _)| !spec_files.contains(p))
        .collect();
    let before: Vec<_> = before
        .into_iter()
        .filter(|(p, _)| !spec_files.contains(p))
        .collect();
    assert!(before == after, "a failed generation changed files on disk");
}

#[test]
fn adding_a_spec_folder_adds_a_crate_and_a_facade_feature() {
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", GOOD_SPEC),
    ]);
    let plans = pipeline::plan_all(root.path(), None).unwrap();
    let files = plans[0].1.files();
    let paths: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    for expected in [
        "crates/idverify-example/Cargo.toml",
        "crates/idverify-example/src/generated.rs",
        "crates/idverify-example/src/lib.rs",
        "crates/idverify/Cargo.toml",
        "crates/idverify/src/lib.rs",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} not planned: {paths:?}"
        );
    }
    let facade = files
        .iter()
        .find(|f| f.path.ends_with("idverify/Cargo.toml"))
        .unwrap();
    assert!(
        facade
            .contents
            .contains("example = [\"dep:idverify-example\"]"),
        "{}",
        facade.contents
    );
    assert!(
        facade.contents.contains("full = [\"example\"]"),
        "{}",
        facade.contents
    );
}

#[test]
fn a_crate_whose_spec_folder_is_gone_is_reported() {
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", GOOD_SPEC),
    ]);
    let plans = pipeline::plan_all(root.path(), None).unwrap();
    for (layout, plan) in &plans {
        files::write(&layout.root, &plan.files()).unwrap();
    }
    assert!(pipeline::orphaned_crates(root.path(), &plans[0].1).is_empty());

    // The crate of a spec folder that was removed keeps its generated code.
    let old = root.path().join("crates/idverify-removed/src");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("generated.rs"), "// @generated").unwrap();
    let plans = pipeline::plan_all(root.path(), None).unwrap();
    assert_eq!(
        pipeline::orphaned_crates(root.path(), &plans[0].1),
        vec![PathBuf::from("crates/idverify-removed")]
    );
}

#[test]
fn views_are_checked_against_the_generated_types() {
    let cases = [
        (
            "[types.views.codes.Status]\ndoc = \"d\"\nvalues = { \"5\" = { variant = \"Done\", doc = \"d\" } }\nread = [{ schema = \"Nope\", field = \"id\", number = \"n\", method = \"m\" }]\n",
            "types.views.codes.Status.read[0]: the generated types have no struct `Nope` with a field `id`",
        ),
        (
            "[types.views.codes.Status]\ndoc = \"d\"\nvalues = { \"five\" = { variant = \"Done\", doc = \"d\" } }\nread = []\n",
            "types.views.codes.Status.values: `five` is not a non-negative number",
        ),
        (
            "[types.views.content.Typed]\ndoc = \"d\"\nschema = \"Thing\"\ntag = \"kind\"\ncontent = \"id\"\nmethod = \"typed\"\nvariants = {}\n",
            "types.views.content.Typed: the generated types have no struct `Thing` with a field `kind`",
        ),
        (
            "[types.views.content.Typed]\ndoc = \"d\"\nschema = \"Thing\"\ntag = \"id\"\ncontent = \"id\"\nmethod = \"typed\"\nvariants = { a = \"Missing\" }\n",
            "types.views.content.Typed: the generated types have no struct `Missing` (variants.a)",
        ),
    ];
    assert_config_errors(&cases);
}

#[test]
fn spec_facts_list_statuses_and_nullable_request_members_through_refs() {
    let spec = r##"
openapi: 3.0.3
info: { title: Example, version: "1" }
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        content:
          application/json:
            schema: { $ref: "#/components/schemas/New" }
      responses:
        "201": { description: Made. }
        default: { description: Failed. }
components:
  schemas:
    New:
      type: object
      properties:
        name: { type: string, nullable: true }
        plain: { type: string }
        inner: { $ref: "#/components/schemas/Inner" }
        items: { type: array, items: { $ref: "#/components/schemas/Inner" } }
        self: { $ref: "#/components/schemas/New" }
    Inner:
      type: object
      nullable: true
      properties:
        note: { type: string, nullable: true }
"##;
    let root = root_with(&[
        ("specs/example/codegen.toml", CONFIG),
        ("specs/example/openapi.yaml", spec),
    ]);
    let normalized = idverify_codegen::normalize::normalize(
        Path::new("openapi.yaml"),
        idverify_codegen::load::load(Path::new("openapi.yaml"), spec).unwrap(),
    )
    .unwrap();
    let operations = idverify_codegen::facts::operations(&normalized.doc);
    assert_eq!(operations.len(), 1);
    let create = &operations[0];
    assert_eq!(
        (create.id.as_str(), create.method.as_str()),
        ("create_thing", "POST")
    );
    assert_eq!(create.statuses, ["201", "4XX", "5XX"]);
    assert_eq!(
        create.request_nullable,
        ["inner", "inner.note", "items[]", "items[].note", "name"],
        "recursion through `self` ends"
    );
    let plans = pipeline::plan_all(root.path(), None).unwrap();
    let generated = plans[0].1.apis[0]
        .files
        .iter()
        .find(|f| f.path.ends_with("generated.rs"))
        .unwrap();
    assert!(generated.contents.contains("pub mod spec_facts"));
    assert!(generated.contents.contains("pub const CREATE_THING"));
}

/// A pass whose pattern is gone from progenitor's output (as after an upgrade) fails
/// generation with its name, instead of silently generating code without its fix.
#[test]
fn a_rewrite_pass_that_matches_nothing_fails_with_its_name() {
    let spec = r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}"#;
    let normalized = idverify_codegen::normalize::normalize(
        Path::new("openapi.json"),
        serde_json::from_str(spec).unwrap(),
    )
    .unwrap();
    // The header is set with `insert` where the pass expects `append`.
    let mut file: syn::File = syn::parse_quote! {
        pub mod builder {
            fn build() {
                header_map.insert(HeaderName::from_static("api-version"), value);
            }
        }
    };
    let error = idverify_codegen::rewrite::rewrite(&mut file, &normalized).unwrap_err();
    assert_eq!(error.pass, "strip_api_version_header");
    assert!(
        error.to_string().contains("`strip_api_version_header`"),
        "{error}"
    );

    // Without the stray header every pass is satisfied.
    let mut file: syn::File = syn::parse_quote! {
        pub mod builder {}
    };
    idverify_codegen::rewrite::rewrite(&mut file, &normalized).unwrap();
}
