//! Generated crates build outside this workspace: copied with the runtime into a user's
//! workspace (no workspace inheritance, no path into the generator), and generated from
//! a vendor's own file with `cargo xtask try-spec`.

use std::path::Path;

use idverify_tests::{cargo_in, copy_tree, workspace_root};

/// `cargo build --offline --package <package>` in `dir`; fails the test with cargo's errors.
fn cargo_build(dir: &Path, package: &str) {
    let output = cargo_in(dir, &["build", "--offline", "--package", package]);
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
        out.contains(&format!("operations     {documented} generated\n")),
        "every documented operation is generated: {out}"
    );
    assert!(out.contains("normalisation  "), "{out}");
    assert!(out.contains("dropped"), "the notes say what changed: {out}");
    assert!(out.contains("build          ok"), "{out}");
}

/// A modern vendor file as published: uploads, an operation the generator cannot take
/// (an XML-only body), case twins, colliding schema names, a server variable. try-spec
/// sets the one operation aside with its reason and the overlay that does it, notes
/// what normalisation did, and the crate builds.
#[test]
fn try_spec_sets_aside_what_it_cannot_take_and_builds_the_rest() {
    let root = workspace_root();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("kyc-vendor.yaml");
    let mut spec: serde_json::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/specs/multipart/openapi.yaml")).unwrap(),
    )
    .unwrap();
    let names: serde_json::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/specs/names/openapi.yaml")).unwrap(),
    )
    .unwrap();
    for (name, schema) in names["components"]["schemas"].as_object().unwrap() {
        spec["components"]["schemas"][name] = schema.clone();
    }
    for (path, item) in names["paths"].as_object().unwrap() {
        spec["paths"][path] = item.clone();
    }
    spec["servers"] = serde_json::json!([{
        "url": "https://{region}.kyc.invalid",
        "variables": { "region": { "enum": ["eu", "us"], "default": "eu" } }
    }]);
    spec["paths"]["/legacy/xml"] = serde_json::json!({ "post": {
        "operationId": "postXml",
        "requestBody": { "content": { "application/xml": { "schema": { "type": "string" } } } },
        "responses": { "204": { "description": "Done." } }
    }});
    std::fs::write(&file, serde_yaml_ng::to_string(&spec).unwrap()).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = idverify_codegen::cli::run(
        [
            "try-spec".to_string(),
            file.display().to_string(),
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
    assert!(out.contains("operations     4 generated\n"), "{out}");
    assert!(
        out.contains("need overlay   1 operation(s)")
            && out.contains("POST /legacy/xml: request body media types [\"application/xml\"]"),
        "{out}"
    );
    assert!(
        out.contains("target: \"$.paths['/legacy/xml'].post\"") && out.contains("remove: true"),
        "the overlay to copy: {out}"
    );
    for note in [
        "generated as the form `UploadDocumentForm`",
        "generated as `DocumentInfo2`",
        "generated as `SpeLower` (wire value kept)",
        "typed `environments::server(..)`",
    ] {
        assert!(out.contains(note), "{note}: {out}");
    }
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

/// A vendor file that declares OAuth2 client credentials in `securitySchemes`, with no
/// `[auth]` in `codegen.toml`, gives a client that fetches its token there: generated,
/// built and run as a user's program against a local server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_url_declared_in_security_schemes_is_where_the_client_gets_its_token() {
    use std::sync::{Arc, Mutex};

    use axum::http::HeaderMap;
    use axum::routing::{get, post};

    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (token_log, call_log) = (seen.clone(), seen.clone());
    let server = idverify_tests::LocalServer::start(
        axum::Router::new()
            .route(
                "/oauth/token",
                post(move |headers: HeaderMap, body: String| async move {
                    let basic = headers["authorization"].to_str().unwrap().to_string();
                    token_log
                        .lock()
                        .unwrap()
                        .push(format!("token {basic} {body}"));
                    axum::Json(serde_json::json!({
                        "access_token": "token-from-spec", "token_type": "Bearer", "expires_in": 300
                    }))
                }),
            )
            .route(
                "/api/things",
                get(move |headers: HeaderMap| async move {
                    let bearer = headers["authorization"].to_str().unwrap().to_string();
                    call_log.lock().unwrap().push(format!("call {bearer}"));
                    "[]"
                }),
            ),
    )
    .await;
    let base = server.base_url.clone();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().to_path_buf();
    let api = dir.join("specs/example");
    std::fs::create_dir_all(&api).unwrap();
    std::fs::write(
        api.join("openapi.yaml"),
        format!(
            r#"openapi: 3.0.3
info: {{ title: Example, version: "1" }}
security:
  - vendor: [things]
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200": {{ description: Things. }}
components:
  securitySchemes:
    vendor:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: {base}/oauth/token
          scopes: {{ things: Read things. }}
"#
        ),
    )
    .unwrap();
    std::fs::write(
        api.join("codegen.toml"),
        format!(
            "[crate]\nname = \"idverify-example\"\nversion = \"0.1.0\"\ndescription = \"Example.\"\n\n[api]\nbase_url = \"{base}/api\"\n"
        ),
    )
    .unwrap();
    let root = workspace_root();
    copy_tree(
        &root.join("crates/idverify-runtime"),
        &dir.join("crates/idverify-runtime"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("app/src")).unwrap();
    std::fs::write(
        dir.join("app/Cargo.toml"),
        r#"[package]
name = "app"
version = "0.1.0"
edition = "2024"

[dependencies]
idverify-example = { path = "../crates/idverify-example" }
idverify-runtime = { path = "../crates/idverify-runtime" }
tokio = { version = "1", features = ["macros", "rt"] }
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("app/src/main.rs"),
        r#"#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client = idverify_example::Client::production()
        .credentials(idverify_runtime::Credentials::client_credentials("app", "s3cret"))
        .build()
        .expect("client");
    client.list_things().send().await.expect("call");
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"app\", \"crates/*\"]\n",
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status =
            idverify_codegen::cli::run(["codegen".to_string()], dir.clone(), &mut out, &mut err);
        assert_eq!(status, 0, "{}", String::from_utf8_lossy(&err));
        cargo_in(&dir, &["run", "--offline", "--quiet", "--package", "app"])
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "the app failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen = seen.lock().unwrap().clone();
    // `app:s3cret`, as HTTP Basic.
    assert_eq!(
        seen,
        [
            "token Basic YXBwOnMzY3JldA== grant_type=client_credentials&scope=things".to_string(),
            "call Bearer token-from-spec".to_string(),
        ]
    );
}
