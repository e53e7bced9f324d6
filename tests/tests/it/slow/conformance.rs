//! The sandbox against our own specs: schemathesis generates valid and invalid requests
//! for every operation of each spec in `specs/` and checks every answer (no 5xx, status,
//! content type, headers and body as documented, invalid input refused with a 4xx, 405
//! for a method a path does not have, created resources readable). Its settings (checks,
//! examples, seed) are in `tests/conformance/schemathesis.toml`; this test starts the
//! sandbox, obtains credentials as a user does (OAuth2 client credentials, Identify's
//! partner login), completes the sessions whose data some operations need, and runs
//! schemathesis once per API (IDnow once per environment's client).
//!
//! schemathesis comes from `tests/tools/install` (or the `SCHEMATHESIS` environment
//! variable names it); without it this test fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use idverify_sandbox::{Api, Endpoint, Outcome, Sandbox, SandboxHandle, persons};
use idverify_tests::workspace_root;
use serde_json::{Value, json};

/// One schemathesis run: a spec against the sandbox's base URL of that API.
struct Run {
    /// What the report calls it.
    label: &'static str,
    /// The directory under `specs/`.
    spec: &'static str,
    base_url: String,
    /// Authentication headers: (name, value).
    headers: Vec<(&'static str, String)>,
    /// The ids the config file pins for operations that need a completed session.
    pinned: Pinned,
}

/// The ids of completed sessions, for the `${...}` of the config file.
struct Pinned {
    idnow_vault_entry: String,
    identify_ident: String,
}

/// The schemathesis executable: `SCHEMATHESIS`, else the one `tests/tools/install` puts
/// in `target/tools/venv`.
fn schemathesis() -> PathBuf {
    let path = std::env::var_os("SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/tools/venv/bin/schemathesis"));
    let version = Command::new(&path).arg("--version").output();
    match version {
        Ok(output) if output.status.success() => path,
        _ => panic!(
            "schemathesis is needed for the sandbox's conformance run and was not found at \
             {}: run tests/tools/install (or set SCHEMATHESIS to its path)",
            path.display()
        ),
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// Reads a JSON answer, failing with its status and body unless it is a success.
async fn json_of(response: reqwest::RequestBuilder, what: &str) -> Value {
    let response = response
        .send()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "{what}: {status} {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"))
}

/// An access token from the endpoint's OAuth2 client-credentials token endpoint.
async fn oauth_token(endpoint: &Endpoint, scope: Option<&str>) -> String {
    let mut form = vec![("grant_type", "client_credentials")];
    form.extend(scope.map(|scope| ("scope", scope)));
    let answer = json_of(
        http()
            .post(&endpoint.token_url)
            .basic_auth(endpoint.client.id, Some(endpoint.client.secret))
            .form(&form),
        &endpoint.token_url,
    )
    .await;
    answer["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

fn bearer(token: &str) -> Vec<(&'static str, String)> {
    vec![("Authorization", format!("Bearer {token}"))]
}

fn with_headers(
    mut request: reqwest::RequestBuilder,
    headers: &[(&'static str, String)],
) -> reqwest::RequestBuilder {
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request
}

/// Identify's partner login: the headers every other call carries.
async fn identify_headers(sandbox: &SandboxHandle) -> Vec<(&'static str, String)> {
    let endpoint = sandbox.endpoint::<idverify_identify_videoident::Client>();
    let partner = endpoint.client.id;
    let answer = json_of(
        http()
            .post(&endpoint.token_url)
            .json(&json!({ "PARTNER": partner, "APIKEY": endpoint.client.secret })),
        "Identify partner login",
    )
    .await;
    let token = answer["token"].as_str().expect("token");
    vec![
        ("X-API-PARTNER", partner.to_string()),
        ("X-API-TOKEN", token.to_string()),
    ]
}

/// Data that only a completed session has, which the run cannot create through the API:
/// IDnow vault files (one per environment) and Identify's ident data.
struct Completed {
    idnow_live: IdnowSession,
    idnow_staging: IdnowSession,
    identify_ident: String,
}

struct IdnowSession {
    environment: &'static str,
    /// Its client's access token.
    token: String,
    id: String,
    vault_entry: String,
}

async fn idnow_token(sandbox: &SandboxHandle, environment: &str) -> String {
    let endpoint = sandbox
        .endpoint_for::<idverify_idnow_platform::Client>(environment)
        .expect("a test client of the environment");
    oauth_token(&endpoint, None).await
}

/// A completed IDnow session of the flow whose data blocks reference a vault file.
async fn idnow_session(sandbox: &SandboxHandle, environment: &'static str) -> IdnowSession {
    let token = idnow_token(sandbox, environment).await;
    let api = sandbox
        .endpoint::<idverify_idnow_platform::Client>()
        .base_url;
    let created = json_of(
        http()
            .post(format!(
                "{api}/flows/{}/{environment}/sessions",
                idverify_sandbox::vendors::idnow_platform::DOCUMENT_FLOW_ID
            ))
            .bearer_auth(&token)
            .json(&json!({})),
        "IDnow create session",
    )
    .await;
    let id = created["sessionContext"]["sessionId"]
        .as_str()
        .expect("sessionId")
        .to_string();
    sandbox
        .control()
        .complete(Api::IdnowPlatform, &id, &persons::EMMA, Outcome::Success)
        .expect("complete the IDnow session");
    let blocks = json_of(
        http()
            .get(format!("{api}/{environment}/sessions/{id}/datablocks"))
            .bearer_auth(&token),
        "IDnow data blocks",
    )
    .await;
    let vault_entry = blocks["dataBlocks"]
        .as_array()
        .expect("dataBlocks")
        .iter()
        .find_map(|block| block["content"]["report"]["$id"].as_str())
        .expect("a data block with a vault file")
        .to_string();
    IdnowSession {
        environment,
        token,
        id,
        vault_entry,
    }
}

async fn completed_sessions(sandbox: &SandboxHandle) -> Completed {
    let idnow_live = idnow_session(sandbox, "live").await;
    let idnow_staging = idnow_session(sandbox, "staging").await;

    let create = with_headers(
        http().post(format!(
            "{}/ident/create",
            sandbox
                .endpoint::<idverify_identify_videoident::Client>()
                .base_url
        )),
        &identify_headers(sandbox).await,
    );
    let created = json_of(
        create.json(&json!({
            "project_id": "6",
            "birthday": "1990-04-12",
            "email": "emma.testperson@example.com",
            "person_first_name": "EMMA",
            "person_last_name": "TESTPERSON",
            "mobile_phone": "01511111111",
            "nationality": "DE",
            "street": "TESTSTRASSE",
            "house_no": "1",
            "zip_code": "10115",
            "city": "BERLIN",
            "country": "DE"
        })),
        "Identify create ident",
    )
    .await;
    let identify_ident = created["ident_id"].as_str().expect("ident_id").to_string();
    sandbox
        .control()
        .complete(
            Api::IdentifyVideoident,
            &identify_ident,
            &persons::EMMA,
            Outcome::Success,
        )
        .expect("complete the Identify ident");
    Completed {
        idnow_live,
        idnow_staging,
        identify_ident,
    }
}

/// What the completed sessions read as, to show that the run's requests left them alone.
async fn read_completed(sandbox: &SandboxHandle, completed: &Completed) -> Vec<Value> {
    let api = sandbox
        .endpoint::<idverify_idnow_platform::Client>()
        .base_url;
    let mut documents = Vec::new();
    for session in [&completed.idnow_live, &completed.idnow_staging] {
        let (environment, id) = (session.environment, &session.id);
        for path in [
            format!("{api}/{environment}/sessions/{id}"),
            format!("{api}/{environment}/sessions/{id}/datablocks"),
        ] {
            let request = http().get(&path).bearer_auth(&session.token);
            documents.push(json_of(request, &path).await);
        }
    }
    let path = format!(
        "{}/ident/getIdentData/{}",
        sandbox
            .endpoint::<idverify_identify_videoident::Client>()
            .base_url,
        completed.identify_ident
    );
    let request = with_headers(http().get(&path), &identify_headers(sandbox).await);
    documents.push(json_of(request, &path).await);
    documents
}

/// The runs, with fresh credentials (the shortest-lived token, Signicat
/// Authentication's, lasts 600 s, far longer than all runs together).
async fn runs(sandbox: &SandboxHandle, completed: &Completed) -> Vec<Run> {
    let pinned = |idnow: &IdnowSession| Pinned {
        idnow_vault_entry: idnow.vault_entry.clone(),
        identify_ident: completed.identify_ident.clone(),
    };
    let idnow_run = |label, idnow: &IdnowSession| Run {
        label,
        spec: "idnow-platform",
        base_url: sandbox
            .endpoint::<idverify_idnow_platform::Client>()
            .base_url,
        headers: bearer(&idnow.token),
        pinned: pinned(idnow),
    };
    vec![
        Run {
            label: "signicat-authentication",
            spec: "signicat-authentication",
            base_url: sandbox
                .endpoint::<idverify_signicat_authentication::Client>()
                .base_url,
            headers: bearer(
                &oauth_token(
                    &sandbox.endpoint::<idverify_signicat_authentication::Client>(),
                    Some("signicat-api"),
                )
                .await,
            ),
            pinned: pinned(&completed.idnow_live),
        },
        Run {
            label: "signicat-identification-v2",
            spec: "signicat-identification-v2",
            base_url: sandbox
                .endpoint::<idverify_signicat_identification_v2::Client>()
                .base_url,
            headers: bearer(
                &oauth_token(
                    &sandbox.endpoint::<idverify_signicat_identification_v2::Client>(),
                    Some("identify"),
                )
                .await,
            ),
            pinned: pinned(&completed.idnow_live),
        },
        Run {
            label: "idfy-identification-v1",
            spec: "idfy-identification-v1",
            base_url: sandbox
                .endpoint::<idverify_idfy_identification_v1::Client>()
                .base_url,
            headers: bearer(
                &oauth_token(
                    &sandbox.endpoint::<idverify_idfy_identification_v1::Client>(),
                    Some("identify"),
                )
                .await,
            ),
            pinned: pinned(&completed.idnow_live),
        },
        // A token belongs to the environment its client was created for, and calls for
        // the other environment answer the documented 403: one run per client reaches
        // the success answers of both environments.
        idnow_run("idnow-platform (live client)", &completed.idnow_live),
        idnow_run("idnow-platform (staging client)", &completed.idnow_staging),
        Run {
            label: "identify-videoident",
            spec: "identify-videoident",
            base_url: sandbox
                .endpoint::<idverify_identify_videoident::Client>()
                .base_url,
            headers: identify_headers(sandbox).await,
            pinned: pinned(&completed.idnow_live),
        },
    ]
}

fn run_schemathesis(schemathesis: &Path, run: &Run, workdir: &Path) -> Output {
    let root = workspace_root();
    let mut command = Command::new(schemathesis);
    command
        .arg("--config-file")
        .arg(root.join("tests/conformance/schemathesis.toml"))
        .arg("run")
        .arg(root.join("specs").join(run.spec).join("openapi.yaml"))
        .arg("--url")
        .arg(&run.base_url);
    for (name, value) in &run.headers {
        command.arg("--header").arg(format!("{name}: {value}"));
    }
    // The config file reads every variable it names, whichever spec the run is for.
    command
        .env(
            "IDVERIFY_CONFORMANCE_IDNOW_VAULT_ENTRY_ID",
            &run.pinned.idnow_vault_entry,
        )
        .env(
            "IDVERIFY_CONFORMANCE_IDENTIFY_IDENT_ID",
            &run.pinned.identify_ident,
        )
        // Whatever schemathesis and Hypothesis keep on disk goes to a directory of its
        // own, not into the workspace.
        .current_dir(workdir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", schemathesis.display()))
}

#[test]
fn the_sandbox_conforms_to_our_specs() {
    let schemathesis = schemathesis();
    // schemathesis is a blocking child process of this thread; the sandbox answers it
    // from the runtime's worker threads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sandbox = runtime
        .block_on(Sandbox::start())
        .expect("start the sandbox");
    let completed = runtime.block_on(completed_sessions(&sandbox));
    let before = runtime.block_on(read_completed(&sandbox, &completed));
    let workdir = tempfile::tempdir().expect("a working directory");

    let mut failures = Vec::new();
    let mut timings = Vec::new();
    for run in runtime.block_on(runs(&sandbox, &completed)) {
        let started = Instant::now();
        let output = run_schemathesis(&schemathesis, &run, workdir.path());
        timings.push(format!("{}: {} s", run.label, started.elapsed().as_secs()));
        if !output.status.success() {
            failures.push(format!(
                "==== {} ({}): schemathesis {} ====\n{}{}",
                run.label,
                run.base_url,
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            ));
        }
    }
    println!("schemathesis runs: {}", timings.join(", "));
    assert!(
        failures.is_empty(),
        "schemathesis found problems:\n\n{}",
        failures.join("\n\n")
    );

    let after = runtime.block_on(read_completed(&sandbox, &completed));
    assert_eq!(
        before, after,
        "the completed sessions changed while other requests were made"
    );
}
