//! End to end: the generated IDnow platform client against the sandbox with the `live`
//! and `staging` test clients: flows, sessions completed as test persons (control API
//! and the end user's HTML form), the data blocks read back typed, the vault file through
//! `get_file` and `file_url`, the environment separation, expiry of sessions and of
//! presigned URLs on the sandbox clock, a validation error and a wrong secret as a client
//! sees them.

use std::time::Duration;

use idverify_idnow_platform::{self as idnow, TypedDatablock, types};
use idverify_runtime::ErrorKind;
use idverify_sandbox::{Api, Outcome, Sandbox, SandboxHandle, persons};
use serde_json::json;

const API: Api = Api::IdnowPlatform;

fn live(sandbox: &SandboxHandle) -> idnow::Client {
    sandbox.client::<idnow::Client>().expect("client")
}

fn staging(sandbox: &SandboxHandle) -> idnow::Client {
    sandbox
        .client_builder_for::<idnow::Client>("staging")
        .expect("a staging test client")
        .build()
        .expect("client")
}

const LIVE: types::Environment = types::Environment::Live;
const STAGING: types::Environment = types::Environment::Staging;

/// A plain HTTP client that does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn create(
    client: &idnow::Client,
    flow: &str,
    request: types::builder::CreateSessionRequest,
) -> types::CreateSessionResponse {
    client
        .create_session()
        .flow_id(flow)
        .environment(LIVE)
        .body(request)
        .send()
        .await
        .expect("create")
        .into_inner()
}

async fn get(client: &idnow::Client, id: &str) -> types::Session {
    client
        .get_session()
        .environment(LIVE)
        .session_id(id)
        .send()
        .await
        .expect("get")
        .into_inner()
}

async fn datablocks(client: &idnow::Client, id: &str) -> Vec<TypedDatablock> {
    client
        .get_datablocks()
        .environment(LIVE)
        .session_id(id)
        .send()
        .await
        .expect("datablocks")
        .into_inner()
        .data_blocks
        .iter()
        .map(|b| b.typed().expect("typed view"))
        .collect()
}

async fn collect(stream: idnow::ResponseValue<idnow::ByteStream>) -> Vec<u8> {
    let body = axum::body::Body::from_stream(stream.into_inner_stream());
    axum::body::to_bytes(body, 1 << 20)
        .await
        .expect("read the file")
        .to_vec()
}

fn vendor_error<T: std::fmt::Debug>(
    result: Result<T, idverify_runtime::Error<types::ErrorResponse>>,
    status: u16,
) -> types::ErrorResponse {
    match result {
        Err(error) if error.kind() == ErrorKind::Vendor => {
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
            let body = error.typed().expect("typed error body").clone();
            assert_eq!(body.status_code, Some(i32::from(status)));
            body
        }
        other => panic!("expected a {status} in the vendor's shape, got {other:?}"),
    }
}

#[tokio::test]
async fn flows_are_listed_per_environment_and_paged() {
    let sandbox = Sandbox::start().await.unwrap();
    let flows = live(&sandbox)
        .list_flows()
        .environment(LIVE)
        .send()
        .await
        .expect("flows")
        .into_inner();
    let ids: Vec<&str> = flows.content.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "sandbox-basic-identity",
            "sandbox-document-identity",
            "sandbox-reidentification",
            "sandbox-age-check",
            "sandbox-document-capture"
        ]
    );
    assert!(flows.content.iter().all(|f| f.environment == Some(LIVE)));
    let page = flows.page.unwrap();
    assert_eq!(
        (page.number, page.size, page.total_elements),
        (Some(1), Some(20), Some(5))
    );

    let second = staging(&sandbox)
        .list_flows()
        .environment(STAGING)
        .page(2)
        .size(1)
        .send()
        .await
        .expect("flows")
        .into_inner();
    assert_eq!(second.content.len(), 1);
    assert_eq!(second.content[0].id, "sandbox-document-identity");
    assert_eq!(second.content[0].environment, Some(STAGING));
    assert_eq!(second.page.unwrap().total_pages, Some(5));
}

#[tokio::test]
async fn a_session_completed_through_the_control_api_gives_the_persons_data_and_file() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = live(&sandbox);
    let created = create(
        &client,
        "sandbox-document-identity",
        types::CreateSessionRequest::builder()
            .input(
                json!({"basicIdentity": {"givenName": "Kari", "familyName": "Nordkvinne"}})
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .metadata(Some(types::SessionMetadata {
                subject_id: Some("customer-7".into()),
                locale: Some("en".into()),
                extra: Default::default(),
            }))
            .redirect_url(Some("https://shop.example/done".into())),
    )
    .await;
    let id = created.session_context.session_id.clone();
    assert_eq!(created.flow_id, "sandbox-document-identity");
    assert_eq!(created.environment, Some(LIVE));
    assert_eq!(
        created.session_context.session_status,
        types::SessionStatus::Created
    );
    assert_eq!(
        created.player_url,
        format!("{}/_sandbox/ui/idnow-platform/{id}", sandbox.base_url())
    );
    assert!(created.sdk_token.is_some());

    // Before completion: only the input block, and no outcome.
    let session = get(&client, &id).await;
    assert_eq!(session.session_status, types::SessionStatus::Created);
    assert_eq!(session.outcome, None);
    assert_eq!(session.subject_id.as_deref(), Some("customer-7"));
    // Also read back under `metadata`, where some integrations look for it.
    assert_eq!(
        session.metadata.and_then(|m| m.subject_id).as_deref(),
        Some("customer-7")
    );
    assert_eq!(datablocks(&client, &id).await.len(), 1);

    // The end user opens the page: RUNNING.
    let page = browser().get(&created.player_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("value=\"kari\""));
    assert_eq!(
        get(&client, &id).await.session_status,
        types::SessionStatus::Running
    );

    let done = sandbox
        .control()
        .complete(API, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    assert_eq!(done.status, "COMPLETED");

    let session = get(&client, &id).await;
    assert_eq!(session.session_status, types::SessionStatus::Completed);
    assert_eq!(session.outcome, Some(types::SessionOutcome::Accepted));
    assert!(session.completed_at.is_some() && session.started_at.is_some());
    assert_eq!(
        session.redirect_url.as_deref(),
        Some("https://shop.example/done")
    );

    let blocks = datablocks(&client, &id).await;
    assert_eq!(blocks.len(), 5, "{blocks:?}");
    let TypedDatablock::BasicIdentity(input) = &blocks[0] else {
        panic!("{blocks:?}")
    };
    assert_eq!(input.given_name.as_deref(), Some("Kari"));
    let TypedDatablock::BasicIdentity(identity) = &blocks[1] else {
        panic!("{blocks:?}")
    };
    assert_eq!(identity.given_name.as_deref(), Some("Kari Fiktiv"));
    assert_eq!(identity.family_name.as_deref(), Some("Nordkvinne"));
    assert_eq!(identity.birth_date.as_deref(), Some("1990-12-24"));
    assert_eq!(
        identity.email.as_deref(),
        Some("kari.nordkvinne@example.com")
    );
    assert_eq!(
        identity.address.as_ref().and_then(|a| a.city.as_deref()),
        Some("Oslo")
    );
    let TypedDatablock::DocumentData(document) = &blocks[2] else {
        panic!("{blocks:?}")
    };
    assert_eq!(document.document_number.as_deref(), Some("SBX99129012345"));
    assert_eq!(document.issuing_country.as_deref(), Some("NO"));
    let TypedDatablock::DocumentVerification(verification) = &blocks[3] else {
        panic!("{blocks:?}")
    };
    assert_eq!(
        verification
            .verdict
            .as_ref()
            .and_then(|v| v.status.as_deref()),
        Some("VERIFIED")
    );
    let report = verification.report.clone().expect("a vault file");
    assert_eq!(report.ref_, "vault");
    let TypedDatablock::OutcomeStatus(outcome) = &blocks[4] else {
        panic!("{blocks:?}")
    };
    assert_eq!(outcome.outcome, Some(types::SessionOutcome::Accepted));

    // The file: the generated method follows the 302 and returns the bytes.
    let file = client
        .get_file()
        .environment(LIVE)
        .vault_entry_id(&report.id)
        .send()
        .await
        .expect("download");
    assert_eq!(
        file.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = collect(file).await;
    assert!(bytes.starts_with(b"%PDF-"), "{bytes:?}");
    assert!(bytes.ends_with(b"%%EOF\n"));

    // file_url gives the presigned URL; it serves the same bytes without a token...
    let url = client.file_url(LIVE, &report.id).await.expect("file URL");
    assert!(
        url.as_str().starts_with(&format!(
            "{}/idnow-platform/_files/{}?",
            sandbox.base_url(),
            report.id
        )),
        "{url}"
    );
    let direct = browser().get(url.clone()).send().await.unwrap();
    assert_eq!(direct.status(), 200);
    assert_eq!(direct.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // ... for 3600 s of sandbox time.
    sandbox.control().advance(Duration::from_secs(3601));
    let stale = browser().get(url).send().await.unwrap();
    assert_eq!(stale.status(), 403);
    let body: types::ErrorResponse = stale.json().await.unwrap();
    assert_eq!(body.status_code, Some(403));
    // A fresh URL works again.
    let fresh = client.file_url(LIVE, &report.id).await.expect("file URL");
    assert_eq!(browser().get(fresh).send().await.unwrap().status(), 200);

    // Completed sessions cannot be completed again.
    let again = sandbox
        .control()
        .complete(API, &id, &persons::OLA, Outcome::Abort)
        .expect_err("refused");
    assert_eq!(again.status, 409, "{again}");
    assert_eq!(again.code, "session_not_open");
}

#[tokio::test]
async fn the_page_completes_a_session_and_redirects_with_the_state() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = live(&sandbox);
    let created = create(
        &client,
        "sandbox-basic-identity",
        types::CreateSessionRequest::builder()
            .redirect_url(Some("https://shop.example/back?order=42".into()))
            .state("csrf 1&2"),
    )
    .await;
    let id = created.session_context.session_id;
    let response = browser()
        .post(&created.player_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("person=sven&outcome=success")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "https://shop.example/back?order=42&state=csrf+1%262"
    );
    let session = get(&client, &id).await;
    assert_eq!(session.session_status, types::SessionStatus::Completed);
    assert_eq!(session.state.as_deref(), Some("csrf 1&2"));
    let blocks = datablocks(&client, &id).await;
    assert_eq!(blocks.len(), 2, "the basic flow: identity and outcome");
    let TypedDatablock::BasicIdentity(identity) = &blocks[0] else {
        panic!("{blocks:?}")
    };
    assert_eq!(identity.given_name.as_deref(), Some("Sven"));
    assert_eq!(identity.nationality.as_deref(), Some("SE"));

    // Aborted and failed sessions.
    let aborted = create(&client, "sandbox-basic-identity", Default::default()).await;
    let id = aborted.session_context.session_id;
    let page = browser()
        .post(&aborted.player_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("person=ola&outcome=abort")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "no redirect URL: a closing page");
    let session = get(&client, &id).await;
    assert_eq!(session.session_status, types::SessionStatus::Aborted);
    assert_eq!(session.outcome, Some(types::SessionOutcome::NoOutcome));
    assert!(datablocks(&client, &id).await.is_empty());

    let failed = create(&client, "sandbox-basic-identity", Default::default()).await;
    let id = failed.session_context.session_id;
    sandbox
        .control()
        .complete(API, &id, &persons::EMMA, Outcome::Error)
        .expect("complete");
    let session = get(&client, &id).await;
    assert_eq!(session.session_status, types::SessionStatus::Error);
    assert_eq!(session.outcome, Some(types::SessionOutcome::Rejected));
    let blocks = datablocks(&client, &id).await;
    assert!(matches!(
        &blocks[..],
        [TypedDatablock::OutcomeStatus(types::OutcomeStatus {
            outcome: Some(types::SessionOutcome::Rejected),
            ..
        })]
    ));
}

#[tokio::test]
async fn live_and_staging_are_separated() {
    let sandbox = Sandbox::start().await.unwrap();
    let live_client = live(&sandbox);
    let created = create(&live_client, "sandbox-basic-identity", Default::default()).await;
    let id = created.session_context.session_id;
    let staging_client = staging(&sandbox);

    // The staging client on a live path: 403.
    let body = vendor_error(
        staging_client
            .get_session()
            .environment(LIVE)
            .session_id(&id)
            .send()
            .await,
        403,
    );
    assert_eq!(body.code.as_deref(), Some("ENVIRONMENT_MISMATCH"));
    vendor_error(
        staging_client.list_flows().environment(LIVE).send().await,
        403,
    );
    vendor_error(
        staging_client
            .get_datablocks()
            .environment(LIVE)
            .session_id(&id)
            .send()
            .await,
        403,
    );
    // The live client on a staging path too.
    vendor_error(
        live_client
            .create_session()
            .flow_id("sandbox-basic-identity")
            .environment(STAGING)
            .body(types::CreateSessionRequest::builder())
            .send()
            .await,
        403,
    );
    // In its own environment, the staging client does not see the live session.
    let body = vendor_error(
        staging_client
            .get_session()
            .environment(STAGING)
            .session_id(&id)
            .send()
            .await,
        404,
    );
    assert_eq!(body.code.as_deref(), Some("NOT_FOUND"));
    // An unknown flow and an unknown file are 404 in the vendor's shape.
    vendor_error(
        live_client
            .create_session()
            .flow_id("no-such-flow")
            .environment(LIVE)
            .body(types::CreateSessionRequest::builder())
            .send()
            .await,
        404,
    );
    let err = live_client
        .file_url(LIVE, "no-such-file")
        .await
        .expect_err("no such file");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn sessions_expire_on_the_sandbox_clock() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = live(&sandbox);
    let created = create(&client, "sandbox-basic-identity", Default::default()).await;
    let id = created.session_context.session_id;
    sandbox.control().advance(Duration::from_secs(86_400 - 5));
    assert_eq!(
        get(&client, &id).await.session_status,
        types::SessionStatus::Created
    );
    sandbox.control().advance(Duration::from_secs(10));
    let session = get(&client, &id).await;
    assert_eq!(session.session_status, types::SessionStatus::Expired);
    assert_eq!(session.completed_at, session.expires_at);
    let body = sandbox
        .control()
        .complete(API, &id, &persons::OLA, Outcome::Success)
        .expect_err("refused");
    assert_eq!(body.status, 409, "{body}");

    // Seven days after creation it is gone.
    sandbox.control().advance(Duration::from_secs(6 * 86_400));
    let body = vendor_error(
        client
            .get_session()
            .environment(LIVE)
            .session_id(&id)
            .send()
            .await,
        404,
    );
    assert_eq!(body.message, Some(json!("Session not found")));
}

#[tokio::test]
async fn validation_errors_name_the_field_in_the_vendors_shape() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = live(&sandbox);
    let body = vendor_error(
        client
            .create_session()
            .flow_id("sandbox-basic-identity")
            .environment(LIVE)
            .body(
                types::CreateSessionRequest::builder().input(
                    json!({"basicIdentity": {"birthDate": 19850822}})
                        .as_object()
                        .unwrap()
                        .clone(),
                ),
            )
            .send()
            .await,
        400,
    );
    assert_eq!(body.code.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(
        body.extra.get("fields"),
        Some(&json!(["input.basicIdentity.birthDate"]))
    );
    let messages = body.message.unwrap();
    assert!(
        messages[0]
            .as_str()
            .unwrap()
            .starts_with("input.basicIdentity.birthDate: "),
        "{messages}"
    );

    let body = vendor_error(
        client
            .create_session()
            .flow_id("sandbox-basic-identity")
            .environment(LIVE)
            .body(types::CreateSessionRequest::builder().redirect_url(Some("not a url".into())))
            .send()
            .await,
        400,
    );
    assert_eq!(body.extra.get("fields"), Some(&json!(["redirectUrl"])));
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_by_the_token_endpoint() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_with_secret::<idnow::Client>("wrong-secret")
        .expect("client");
    let err = client
        .list_flows()
        .environment(LIVE)
        .send()
        .await
        .expect_err("no token");
    assert_eq!(err.kind(), ErrorKind::Auth, "{err:?}");
    let message = format!("{err} {err:?}");
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("wrong-secret"), "{message}");

    // A staging secret with the live id is no client either.
    let staging_secret = sandbox
        .endpoint_for::<idnow::Client>("staging")
        .expect("staging")
        .client
        .secret;
    let mixed = sandbox
        .client_with_secret::<idnow::Client>(staging_secret)
        .expect("client");
    let err = mixed
        .list_flows()
        .environment(LIVE)
        .send()
        .await
        .expect_err("no token");
    assert_eq!(err.kind(), ErrorKind::Auth, "{err:?}");
}
