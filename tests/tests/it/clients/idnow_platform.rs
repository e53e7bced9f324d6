//! The generated IDnow platform client against the sandbox (OIDC token endpoint, flows,
//! sessions, data blocks, files with their 302 to a presigned URL; what the client sent
//! read from the sandbox's journal), data blocks of kinds the sandbox does not make, the
//! spec's examples, and the hand-written helpers.

use axum::Router;
use axum::routing::{get, post};
use idverify_idnow_platform::{self as idnow, TypedDatablock, types};
use idverify_runtime::ErrorKind;
use idverify_sandbox::{Api, Outcome, Person, Sandbox, SandboxApi, SandboxHandle, persons};
use idverify_tests::{
    LocalServer, api_calls, body_text, round_trip_examples, token_requests, without_nulls,
};
use serde_json::{Value, json};

const API: Api = Api::IdnowPlatform;

/// The personal data the vendor's data blocks carry in these tests.
const GIVEN_NAME: &str = "Erika";
const FAMILY_NAME: &str = "Musterfrau";
const BIRTH_DATE: &str = "1964-08-12";
const DOCUMENT_NUMBER: &str = "T22000129";
const STREET: &str = "Heidestrasse";
const SIGNED_CONTENT: &str = "JVBERi0xLjcgc2lnbmVkIGNvbnRyYWN0";
const SUBJECT_ID: &str = "customer-4711";
const PLAYER_TOKEN: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.player";
const SDK_TOKEN: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.sdk";
const STATE: &str = "csrf-9f8e7d";

fn datablocks_body() -> Value {
    json!({
        "dataBlocks": [
            {
                "datablockId": "db-1",
                "type": "basicIdentity",
                "createdBy": { "stepId": "START", "clock": 1 },
                "createdAt": "2026-02-26T22:27:53.206Z",
                "status": "STORED",
                "content": {
                    "givenName": GIVEN_NAME,
                    "familyName": FAMILY_NAME,
                    "birthDate": BIRTH_DATE,
                    "address": { "street": STREET, "houseNumber": "17", "zipCode": "51147", "city": "Köln", "country": "DE" },
                    "academicTitle": "Dr."
                }
            },
            {
                "datablockId": "db-2",
                "type": "documentData",
                "createdBy": { "stepId": "doc", "clock": 3 },
                "createdAt": "2026-02-26T22:32:55.174Z",
                "status": "STORED",
                "content": { "documentType": "ID", "documentNumber": DOCUMENT_NUMBER, "issuingCountry": "DE", "expiryDate": "2031-08-01" }
            },
            {
                "datablockId": "db-3",
                "type": "documentVerification",
                "createdBy": { "stepId": "doc", "clock": 3 },
                "status": "STORED",
                "content": {
                    "verdict": { "status": "VERIFIED" },
                    "issues": [],
                    "report": { "$ref": "vault", "$id": "48b99c09-8747-4ef0-9692-6bd24c089c72" }
                }
            },
            {
                "datablockId": "db-4",
                "type": "outcomeStatus",
                "createdBy": { "stepId": "END-ACCEPT", "clock": 4 },
                "status": "STORED",
                "content": { "outcome": "accepted" }
            },
            {
                "datablockId": "db-5",
                "type": "documentsToSign",
                "createdBy": { "stepId": "START", "clock": 1 },
                "status": "STORED",
                "content": { "documents": [ { "documentId": "contract-1", "mimeType": "application/pdf", "content": SIGNED_CONTENT } ] }
            },
            {
                "datablockId": "db-6",
                "type": "livenessCheck",
                "createdBy": { "stepId": "selfie", "clock": 2 },
                "status": "STORED",
                "content": { "score": 0.98, "selfie": { "$ref": "vault", "$id": "f-selfie" }, "givenName": GIVEN_NAME }
            },
            {
                "datablockId": "db-7",
                "type": "documentImages",
                "status": "DELETED",
                "content": null
            }
        ]
    })
}

/// A session of the document flow completed as `person`: its id and its report's vault
/// entry id.
async fn completed_document_session(
    sandbox: &SandboxHandle,
    client: &idnow::Client,
    person: &Person,
) -> (String, String) {
    let created = client
        .create_session()
        .flow_id("sandbox-document-identity")
        .environment(types::Environment::Live)
        .body(types::CreateSessionRequest::builder())
        .send()
        .await
        .expect("create")
        .into_inner();
    let id = created.session_context.session_id;
    sandbox
        .control()
        .complete(API, &id, person, Outcome::Success)
        .expect("complete");
    let blocks = client
        .get_datablocks()
        .environment(types::Environment::Live)
        .session_id(&id)
        .send()
        .await
        .expect("datablocks")
        .into_inner();
    let report = blocks
        .data_blocks
        .iter()
        .find_map(|b| match b.typed() {
            Ok(TypedDatablock::DocumentVerification(v)) => v.report,
            _ => None,
        })
        .expect("a report in the vault");
    (id, report.id)
}

async fn collect(stream: idnow::ResponseValue<idnow::ByteStream>) -> Vec<u8> {
    let body = axum::body::Body::from_stream(stream.into_inner_stream());
    axum::body::to_bytes(body, 1 << 20)
        .await
        .expect("read the file")
        .to_vec()
}

#[tokio::test]
async fn list_flows_create_session_and_poll_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idnow::Client>().expect("client");

    let flows = client
        .list_flows()
        .environment(types::Environment::Live)
        .page(2)
        .size(1)
        .send()
        .await
        .expect("list flows")
        .into_inner();
    assert_eq!(flows.content.len(), 1);
    assert_eq!(flows.content[0].id, "sandbox-document-identity");
    assert_eq!(flows.content[0].version, Some(2));
    assert_eq!(flows.content[0].environment, Some(types::Environment::Live));
    let page = flows.page.expect("page");
    assert_eq!(
        (page.size, page.number, page.total_pages),
        (Some(1), Some(2), Some(5))
    );
    let listed = api_calls::<idnow::Client>(&sandbox);
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].method.as_str(), listed[0].path.as_str()),
        ("GET", "/flows/live")
    );
    let query = listed[0].query.as_deref().unwrap_or_default();
    assert!(
        query == "page=2&size=1" || query == "size=1&page=2",
        "{query}"
    );
    assert_eq!(listed[0].header("authorization"), Some("Bearer [redacted]"));

    let identity = types::BasicIdentity::builder()
        .given_name(Some(GIVEN_NAME.to_string()))
        .family_name(Some(FAMILY_NAME.to_string()))
        .birth_date(Some(BIRTH_DATE.to_string()))
        // typify's builders do not default the map of additional members.
        .extra(serde_json::Map::new());
    let identity: types::BasicIdentity = identity.try_into().unwrap();
    let mut input = serde_json::Map::new();
    input.insert(
        "basicIdentity".into(),
        serde_json::to_value(&identity).unwrap(),
    );
    let mut extra = std::collections::BTreeMap::new();
    extra.insert("channel".to_string(), "web".to_string());
    let metadata = types::SessionMetadata::builder()
        .subject_id(Some(SUBJECT_ID.to_string()))
        .locale(Some("de-DE".to_string()))
        .extra(extra);
    let created = client
        .create_session()
        .flow_id("sandbox-basic-identity")
        .environment(types::Environment::Live)
        .body(
            types::CreateSessionRequest::builder()
                .input(input)
                .metadata(Some(metadata.try_into().unwrap()))
                .redirect_url(Some("https://example.com/done".to_string()))
                .state(STATE),
        )
        .send()
        .await
        .expect("create session");
    assert!(created.status().is_success(), "{}", created.status());
    let created = created.into_inner();
    assert_eq!(created.flow_id, "sandbox-basic-identity");
    assert_eq!(created.environment, Some(types::Environment::Live));
    assert_eq!(
        created.session_context.session_status,
        types::SessionStatus::Created
    );
    let id = created.session_context.session_id.clone();
    assert!(created.player_url.ends_with(&id), "{}", created.player_url);
    assert!(created.sdk_token.is_some());

    let posted = api_calls::<idnow::Client>(&sandbox);
    let posted = &posted[1];
    assert_eq!(
        (posted.method.as_str(), posted.path.as_str()),
        ("POST", "/flows/sandbox-basic-identity/live/sessions")
    );
    assert_eq!(posted.header("authorization"), Some("Bearer [redacted]"));
    assert_eq!(posted.header("content-type"), Some("application/json"));
    assert_eq!(
        posted.json().unwrap(),
        json!({
            "input": { "basicIdentity": { "givenName": GIVEN_NAME, "familyName": FAMILY_NAME, "birthDate": BIRTH_DATE } },
            "metadata": { "subjectId": SUBJECT_ID, "locale": "de-DE", "channel": "web" },
            "redirectUrl": "https://example.com/done",
            "state": STATE
        })
    );

    sandbox
        .control()
        .complete(API, &id, &persons::OLA, Outcome::Success)
        .expect("complete");
    let session = client
        .get_session()
        .environment(types::Environment::Live)
        .session_id(&id)
        .send()
        .await
        .expect("get session")
        .into_inner();
    assert_eq!(session.session_status, types::SessionStatus::Completed);
    assert_eq!(session.outcome, Some(types::SessionOutcome::Accepted));
    assert_eq!(session.subject_id.as_deref(), Some(SUBJECT_ID));
    assert_eq!(session.state.as_deref(), Some(STATE));
    assert_eq!(
        session
            .last_step
            .as_ref()
            .and_then(|s| s.step_id.as_deref()),
        Some("END-ACCEPT")
    );
    assert_eq!(
        api_calls::<idnow::Client>(&sandbox)[2].path,
        format!("/live/sessions/{id}")
    );

    // One token for all calls, fetched with the client-credentials grant.
    let tokens = token_requests::<idnow::Client>(&sandbox);
    assert_eq!(tokens.len(), 1);
    let form = body_text(&tokens[0]);
    assert!(form.contains("grant_type=client_credentials"), "{form}");
}

/// A token route and a data-block route serving [`datablocks_body`]: kinds and members
/// the sandbox's flows do not produce (an unknown type, a deleted block, an extra member).
async fn datablocks_server() -> LocalServer {
    LocalServer::start(
        Router::new()
            .route(
                "/oidc/token",
                post(|| async { axum::Json(json!({ "access_token": "at-1", "expires_in": 86400, "token_type": "Bearer" })) }),
            )
            .route(
                "/api/v1/live/sessions/sess-1/datablocks",
                get(|| async { axum::Json(datablocks_body()) }),
            ),
    )
    .await
}

#[tokio::test]
async fn data_blocks_come_back_raw_and_typed() {
    let server = datablocks_server().await;
    let client = idnow::Client::builder()
        .base_url(format!("{}/api/v1", server.base_url))
        .token_url(format!("{}/oidc/token", server.base_url))
        .credentials(idverify_runtime::Credentials::client_credentials(
            "client-7", "s",
        ))
        .build()
        .expect("client");
    let blocks = client
        .get_datablocks()
        .environment(types::Environment::Live)
        .session_id("sess-1")
        .send()
        .await
        .expect("datablocks")
        .into_inner();
    assert_eq!(blocks.data_blocks.len(), 7);
    // The raw form keeps everything the vendor sent.
    assert_eq!(
        serde_json::to_value(&blocks).unwrap(),
        without_nulls(&datablocks_body())
    );

    let typed: Vec<TypedDatablock> = blocks
        .data_blocks
        .iter()
        .map(|b| b.typed().expect("typed view"))
        .collect();
    let TypedDatablock::BasicIdentity(identity) = &typed[0] else {
        panic!("{:?}", typed[0]);
    };
    assert_eq!(identity.given_name.as_deref(), Some(GIVEN_NAME));
    assert_eq!(identity.birth_date.as_deref(), Some(BIRTH_DATE));
    assert_eq!(
        identity.address.as_ref().and_then(|a| a.street.as_deref()),
        Some(STREET)
    );
    assert_eq!(identity.extra.get("academicTitle"), Some(&json!("Dr.")));
    let TypedDatablock::DocumentData(document) = &typed[1] else {
        panic!("{:?}", typed[1]);
    };
    assert_eq!(document.document_number.as_deref(), Some(DOCUMENT_NUMBER));
    let TypedDatablock::DocumentVerification(verification) = &typed[2] else {
        panic!("{:?}", typed[2]);
    };
    assert_eq!(
        verification
            .verdict
            .as_ref()
            .and_then(|v| v.status.as_deref()),
        Some("VERIFIED")
    );
    let report = verification.report.as_ref().expect("report reference");
    assert_eq!(report.ref_, "vault");
    assert_eq!(report.id, "48b99c09-8747-4ef0-9692-6bd24c089c72");
    assert_eq!(
        typed[3],
        TypedDatablock::OutcomeStatus(
            types::OutcomeStatus::builder()
                .outcome(Some(types::SessionOutcome::Accepted))
                .extra(serde_json::Map::new())
                .try_into()
                .unwrap()
        )
    );
    let TypedDatablock::DocumentsToSign(to_sign) = &typed[4] else {
        panic!("{:?}", typed[4]);
    };
    assert_eq!(
        to_sign.documents[0].content.as_deref(),
        Some(SIGNED_CONTENT)
    );
    // An unknown type is kept as raw JSON, its type as received.
    assert_eq!(
        blocks.data_blocks[5].type_,
        types::DatablockType::from("livenessCheck")
    );
    assert_eq!(
        typed[5],
        TypedDatablock::Other(datablocks_body()["dataBlocks"][5]["content"].clone())
    );
    // A deleted block has no content.
    assert_eq!(
        blocks.data_blocks[6].status,
        Some(types::DatablockStatus::Deleted)
    );
    assert_eq!(typed[6], TypedDatablock::NoContent);

    // A known type whose content has the wrong shape is an error, not a silent default.
    let mut broken = blocks.data_blocks[0].clone();
    broken.content = Some(json!({ "givenName": 42 }));
    assert!(broken.typed().is_err());

    // Nothing personal in Debug output, raw or typed.
    let debug = format!("{blocks:?} {blocks:#?} {typed:?} {typed:#?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    for personal in [
        GIVEN_NAME,
        FAMILY_NAME,
        BIRTH_DATE,
        DOCUMENT_NUMBER,
        STREET,
        "51147",
        SIGNED_CONTENT,
    ] {
        assert!(
            !debug.contains(personal),
            "`{personal}` appears in Debug output"
        );
    }
}

/// `file_url` cannot use the client's own HTTP client (it follows redirects): it uses one
/// made from the builder's settings, so what `configure_http` sets (a proxy, TLS roots,
/// here the user agent) reaches it too.
#[tokio::test]
async fn file_url_uses_the_builders_http_settings() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder::<idnow::Client>()
        .configure_http(|http| http.user_agent("acme-gateway/1"))
        .build()
        .expect("client");
    let (_, report) = completed_document_session(&sandbox, &client, &persons::KARI).await;
    client
        .file_url(types::Environment::Live, &report)
        .await
        .expect("presigned URL");
    let calls = api_calls::<idnow::Client>(&sandbox);
    assert_eq!(
        calls.last().map(|c| c.path.clone()),
        Some(format!("/live/files/{report}"))
    );
    for call in &calls {
        assert_eq!(
            call.header("user-agent"),
            Some("acme-gateway/1"),
            "{}",
            call.path
        );
    }
    assert_eq!(
        sandbox.journal(API).len(),
        calls.len() + 1,
        "the token request besides; no redirect followed"
    );
}

#[tokio::test]
async fn files_download_through_the_redirect_and_file_url_returns_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idnow::Client>().expect("client");
    let (_, report) = completed_document_session(&sandbox, &client, &persons::KARI).await;
    let before = sandbox.journal(API).len();

    // The generated method follows the 302 and returns the file's bytes.
    let file = client
        .get_file()
        .environment(types::Environment::Live)
        .vault_entry_id(&report)
        .send()
        .await
        .expect("download");
    assert_eq!(file.status(), 200);
    assert_eq!(
        file.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = collect(file).await;
    assert!(bytes.starts_with(b"%PDF-"), "{bytes:?}");

    // The hand-written helper stops at the 302 and returns the presigned URL.
    let url = client
        .file_url(types::Environment::Live, &report)
        .await
        .expect("presigned URL");
    assert!(
        url.as_str().starts_with(&format!(
            "{}/idnow-platform/_files/{report}?",
            sandbox.base_url()
        )),
        "{url}"
    );
    let calls: Vec<(String, u16)> = sandbox.journal(API)[before..]
        .iter()
        .map(|e| (e.path.clone(), e.status))
        .collect();
    let files = format!("{}/live/files/{report}", idnow::Client::API_PATH);
    let download = format!("/idnow-platform/_files/{report}");
    // file_url did not follow the redirect: the presigned URL was fetched once, by
    // get_file.
    assert_eq!(
        calls,
        [(files.clone(), 302), (download, 200), (files.clone(), 302)]
    );
    let journal = sandbox.journal(API);
    assert!(
        journal
            .iter()
            .filter(|e| e.path == files)
            .all(|e| e.header("authorization") == Some("Bearer [redacted]"))
    );
    // It shares the token cache with the generated methods.
    assert_eq!(token_requests::<idnow::Client>(&sandbox).len(), 1);

    // No redirect: an error carrying the status, not the body.
    let err = client
        .file_url(types::Environment::Live, "no-such-file")
        .await
        .expect_err("unknown file");
    assert_eq!(err.kind(), ErrorKind::UnexpectedStatus, "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let message = err.to_string();
    assert!(message.contains("404"), "{message}");
    assert!(!message.contains("not found"), "{message}");

    // The generated method types the vendor's error body.
    match client
        .get_file()
        .environment(types::Environment::Live)
        .vault_entry_id("no-such-file")
        .send()
        .await
    {
        Err(e) if e.kind() == ErrorKind::Vendor => {
            assert_eq!(e.status().map(|s| s.as_u16()), Some(404));
            assert_eq!(
                e.typed().and_then(|t| t.message.clone()),
                Some(json!("File not found"))
            );
        }
        Err(other) => panic!("expected the vendor's error body, got {other:?}"),
        Ok(_) => panic!("expected the vendor's error body, got a file"),
    }
}

#[tokio::test]
async fn vendor_errors_are_typed_and_keep_unknown_members() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idnow::Client>().expect("client");
    match client
        .get_session()
        .environment(types::Environment::Live)
        .session_id("nope")
        .send()
        .await
    {
        Err(error) if error.kind() == ErrorKind::Vendor => {
            assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
            assert_eq!(error.operation(), "get_session");
            assert!(!error.is_retryable());
            let body = error.typed().expect("typed error body");
            assert_eq!(body.status_code, Some(404));
            assert_eq!(body.error.as_deref(), Some("Not Found"));
            assert_eq!(body.message, Some(json!("Session not found")));
        }
        other => panic!("expected the vendor's error body, got {other:?}"),
    }
    match client
        .create_session()
        .flow_id("flow-unknown")
        .environment(types::Environment::Live)
        .body(types::CreateSessionRequest::builder())
        .send()
        .await
    {
        Err(error) if error.kind() == ErrorKind::Vendor => {
            assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
            assert_eq!(
                error.typed().and_then(|t| t.message.clone()),
                Some(json!("Flow not found"))
            );
        }
        other => panic!("expected the vendor's error body, got {other:?}"),
    }
    // A member the spec does not name (`fields`) is kept.
    match client
        .create_session()
        .flow_id("sandbox-basic-identity")
        .environment(types::Environment::Live)
        .body(types::CreateSessionRequest::builder().redirect_url(Some("not a URL".to_string())))
        .send()
        .await
    {
        Err(error) if error.kind() == ErrorKind::Vendor => {
            assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
            let body = error.typed().expect("typed error body");
            assert_eq!(body.extra.get("fields"), Some(&json!(["redirectUrl"])));
        }
        other => panic!("expected the vendor's error body, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_credentials_surface_the_token_endpoint_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_with_secret::<idnow::Client>("wrong-secret")
        .unwrap();
    let err = client
        .file_url(types::Environment::Live, "x")
        .await
        .expect_err("no token");
    assert_eq!(err.kind(), ErrorKind::Auth, "{err:?}");
    let message = format!("{err} {err:?}");
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("wrong-secret"), "{message}");
    assert!(api_calls::<idnow::Client>(&sandbox).is_empty());
    assert_eq!(token_requests::<idnow::Client>(&sandbox).len(), 1);
}

#[test]
fn every_example_in_the_spec_round_trips() {
    let count = round_trip_examples!("idnow-platform", {
        "/paths/~1flows~1{environment}/get/responses/200/content/application~1json/example" => types::FlowList,
        "/paths/~1flows~1{flowId}~1{environment}~1sessions/post/requestBody/content/application~1json/example" => types::CreateSessionRequest,
        "/paths/~1flows~1{flowId}~1{environment}~1sessions/post/responses/200/content/application~1json/example" => types::CreateSessionResponse,
        "/paths/~1{environment}~1sessions~1{sessionId}/get/responses/200/content/application~1json/example" => types::Session,
        "/paths/~1{environment}~1sessions~1{sessionId}~1datablocks/get/responses/200/content/application~1json/example" => types::DatablockList,
        "/components/responses/Error/content/application~1json/example" => types::ErrorResponse,
        "/components/schemas/BasicIdentity/example" => types::BasicIdentity,
        "/components/schemas/WebhookClaims/example" => types::WebhookClaims,
        "/components/schemas/TokenResponse/example" => types::TokenResponse,
    });
    assert_eq!(count, 9);
}

#[test]
fn the_vendor_samples_decode_to_what_they_say() {
    let spec = idverify_tests::spec("idnow-platform");
    let blocks: types::DatablockList = serde_json::from_value(
        spec.pointer("/paths/~1{environment}~1sessions~1{sessionId}~1datablocks/get/responses/200/content/application~1json/example")
            .unwrap()
            .clone(),
    )
    .unwrap();
    let kinds: Vec<&str> = blocks
        .data_blocks
        .iter()
        .map(|b| match b.typed().expect("typed") {
            TypedDatablock::BasicIdentity(_) => "basicIdentity",
            TypedDatablock::DocumentData(_) => "documentData",
            TypedDatablock::DocumentVerification(v) => {
                assert_eq!(
                    v.report.map(|r| r.id).as_deref(),
                    Some("48b99c09-8747-4ef0-9692-6bd24c089c72")
                );
                "documentVerification"
            }
            TypedDatablock::OutcomeStatus(o) => {
                assert_eq!(o.outcome, Some(types::SessionOutcome::Accepted));
                "outcomeStatus"
            }
            TypedDatablock::DocumentsToSign(_) => "documentsToSign",
            TypedDatablock::NoContent => "none",
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "basicIdentity",
            "documentData",
            "documentVerification",
            "outcomeStatus",
            "none"
        ]
    );

    let claims: types::WebhookClaims = serde_json::from_value(
        spec.pointer("/components/schemas/WebhookClaims/example")
            .unwrap()
            .clone(),
    )
    .unwrap();
    assert_eq!(claims.data.event_name, "session.completed");
    assert_eq!(claims.data.environment, Some(types::Environment::Live));
    assert_eq!(
        claims.data.payload.session_status,
        Some(types::SessionStatus::Completed)
    );
}

#[test]
fn responses_from_a_newer_api_still_deserialize() {
    let session: types::Session = serde_json::from_value(json!({
        "sessionId": "s",
        "sessionStatus": "PAUSED",
        "outcome": "REFER_TO_REVIEW",
        "environment": "preprod",
        "startedAt": null,
        "lastStep": null,
        "riskScore": { "value": 3 }
    }))
    .expect("forward compatible");
    assert_eq!(session.session_status, types::SessionStatus::from("PAUSED"));
    assert_eq!(
        session.outcome,
        Some(types::SessionOutcome::from("REFER_TO_REVIEW"))
    );
    assert_eq!(
        session.environment,
        Some(types::Environment::from("preprod"))
    );
    assert_eq!(session.started_at, None);
    assert_eq!(session.last_step, None);
    // Unknown values are sent back unchanged.
    assert_eq!(
        serde_json::to_value(&session.session_status).unwrap(),
        json!("PAUSED")
    );

    let event: types::WebhookEvent = serde_json::from_value(json!({
        "eventId": "e1",
        "eventName": "session.step_completed",
        "environment": "staging",
        "payload": { "flowId": "f", "sessionId": "s", "sessionStatus": "SUSPENDED", "newThing": 1 },
        "lastStepType": null,
        "signatureVersion": 2
    }))
    .expect("forward compatible event");
    assert_eq!(
        event.payload.session_status,
        Some(types::SessionStatus::from("SUSPENDED"))
    );
    assert_eq!(event.last_step_type, None);
}

#[test]
fn debug_output_of_sessions_and_requests_hides_personal_data_and_tokens() {
    let created: types::CreateSessionResponse = serde_json::from_value(json!({
        "flowId": "flow-1",
        "sessionContext": { "sessionId": "sess-1", "sessionStatus": "CREATED" },
        "playerUrl": format!("https://player.eu.platform.idnow.io/?token={PLAYER_TOKEN}"),
        "sdkToken": SDK_TOKEN
    }))
    .unwrap();
    let session: types::Session = serde_json::from_value(json!({
        "sessionId": "sess-1", "sessionStatus": "COMPLETED", "subjectId": SUBJECT_ID, "state": STATE
    }))
    .unwrap();
    let request: types::CreateSessionRequest = serde_json::from_value(json!({
        "input": { "basicIdentity": { "givenName": GIVEN_NAME, "birthDate": BIRTH_DATE } },
        "metadata": { "subjectId": SUBJECT_ID },
        "state": STATE
    }))
    .unwrap();
    let token: types::TokenResponse =
        serde_json::from_value(json!({ "access_token": "at-secret-1", "expires_in": 86400 }))
            .unwrap();
    let debug = format!("{created:?} {session:?} {request:#?} {token:?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    for secret in [
        PLAYER_TOKEN,
        SDK_TOKEN,
        SUBJECT_ID,
        STATE,
        GIVEN_NAME,
        BIRTH_DATE,
        "at-secret-1",
    ] {
        assert!(
            !debug.contains(secret),
            "`{secret}` appears in Debug output"
        );
    }
    // Still there for the program.
    assert!(created.player_url.ends_with(PLAYER_TOKEN));
}

#[test]
fn environments_and_paths_follow_the_vendor() {
    assert_eq!(
        idnow::environments::PRODUCTION.base_url,
        "https://api.eu.platform.idnow.io/api/v1"
    );
    assert_eq!(
        idnow::environments::SANDBOX.token_url,
        Some("https://auth.eu.platform.idnow.sx/oidc/token")
    );
    assert_eq!(types::Environment::Live.to_string(), "live");
    assert_eq!(types::Environment::Staging.to_string(), "staging");
    // The token endpoint is the runtime's, not an operation.
    let spec = idverify_tests::spec("idnow-platform");
    let paths: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
    assert!(paths.iter().all(|p| !p.contains("token")), "{paths:?}");
}

#[test]
fn flow_and_data_block_lists_are_read_as_the_wrapper_or_a_bare_array() {
    // The docs show neither shape: both are read, to the same value.
    let wrapped: types::DatablockList = serde_json::from_value(datablocks_body()).unwrap();
    let bare: types::DatablockList =
        serde_json::from_value(datablocks_body()["dataBlocks"].clone()).unwrap();
    assert_eq!(bare, wrapped);
    assert!(!bare.data_blocks.is_empty());
    // Written back, it is the wrapper.
    assert!(serde_json::to_value(&bare).unwrap()["dataBlocks"].is_array());

    let flows: types::FlowList =
        serde_json::from_value(json!([{ "id": "flow-1" }, { "id": "flow-2" }])).unwrap();
    assert_eq!(flows.content.len(), 2);
    assert_eq!(flows.page, None);
    let wrapped: types::FlowList = serde_json::from_value(json!({
        "content": [{ "id": "flow-1" }],
        "page": { "number": 1, "totalPages": 1 }
    }))
    .unwrap();
    assert_eq!(wrapped.page.and_then(|p| p.total_pages), Some(1));
    // Neither shape: an error, not an empty list.
    assert!(serde_json::from_value::<types::FlowList>(json!({ "flows": [] })).is_err());
    assert!(serde_json::from_value::<types::FlowList>(json!("flows")).is_err());
}
