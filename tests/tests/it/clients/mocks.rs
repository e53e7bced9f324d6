//! The generated typed mocks (feature `mock`), used as a unit test of an application
//! would use them: an `httpmock::MockServer`, one typed expectation per operation
//! (`server.get_session(|when, then| ..)`), a client from `mock::client(&server)`, and the
//! call checked to have happened. One per API.

use httpmock::MockServer;
use idverify_identify_videoident as identify;
use idverify_idfy_identification_v1 as idfy;
use idverify_idnow_platform as idnow;
use idverify_runtime::ErrorKind;
use idverify_signicat_authentication as authentication;
use idverify_signicat_identification_v2 as idv2;
use idverify_tests::spec;
use serde::de::DeserializeOwned;

/// The (first) documented example answer of `GET {path}` in `api`'s spec, as `T`.
fn example<T: DeserializeOwned>(api: &str, path: &str) -> T {
    example_of(api, "get", path, "200")
}

/// The (first) documented example of one answer of `method path` in `api`'s spec.
fn example_of<T: DeserializeOwned>(api: &str, method: &str, path: &str, status: &str) -> T {
    let doc = spec(api);
    let mut response = &doc["paths"][path][method]["responses"][status];
    if let Some(pointer) = response["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        response = doc.pointer(pointer).expect("a response $ref that resolves");
    }
    let media = &response["content"]["application/json"];
    let example = match media.get("example") {
        Some(example) => example.clone(),
        None => media["examples"]
            .as_object()
            .and_then(|e| e.values().next())
            .map(|e| e["value"].clone())
            .unwrap_or_else(|| panic!("{api}: no example for GET {path}")),
    };
    serde_json::from_value(example).unwrap_or_else(|e| panic!("{api} {path}: {e}"))
}

/// The mock server's expectations are set up outside the async runtime: httpmock's
/// typed methods are blocking.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn signicat_authentication_get_session_is_mocked_by_id() {
    let server = MockServer::start();
    // The spec documents a session's shape by the create answer's example.
    let session: authentication::types::Session =
        example_of("signicat-authentication", "post", "/sessions", "200");
    let answered = session.clone();
    let found = {
        use authentication::mock::MockServerExt;
        server.get_session(|when, then| {
            when.id("sess-1");
            then.ok(&answered);
        })
    };
    let client = authentication::mock::client(&server);
    let got = runtime()
        .block_on(client.get_session().id("sess-1").send())
        .expect("mocked session")
        .into_inner();
    assert_eq!(got, session);
    found.assert();
    // Another id is not what the mock answers for.
    let error = runtime()
        .block_on(client.get_session().id("sess-2").send())
        .expect_err("no mock for this id");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[test]
fn signicat_v2_get_session_and_a_typed_error_answer() {
    let server = MockServer::start();
    let session: idv2::types::Session = example("signicat-identification-v2", "/sessions/{id}");
    let problem: idv2::types::ApiError = serde_json::from_value(serde_json::json!({
        "type": "https://api.signicat.io/problems/not-found",
        "title": "Not found",
        "status": 404,
        "code": "session_not_found"
    }))
    .unwrap();
    let (found, missing) = {
        use idv2::mock::MockServerExt;
        let answered = session.clone();
        let found = server.get_session(|when, then| {
            when.id("a.b");
            then.ok(&answered);
        });
        let missing = server.get_session(|when, then| {
            when.id("gone");
            then.not_found(&problem);
        });
        (found, missing)
    };
    let client = idv2::mock::client(&server);
    let rt = runtime();
    // A path value with a regex character matches itself only.
    let got = rt
        .block_on(client.get_session().id("a.b").send())
        .expect("session")
        .into_inner();
    assert_eq!(got, session);
    let error = rt
        .block_on(client.get_session().id("aXb").send())
        .expect_err("`.` is not a wildcard");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_ne!(
        error.typed().and_then(|p| p.code.as_deref()),
        Some("session_not_found"),
        "httpmock's own 404, not the mocked problem"
    );
    let error = rt
        .block_on(client.get_session().id("gone").send())
        .expect_err("mocked 404");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(
        error.typed().and_then(|p| p.code.as_deref()),
        Some("session_not_found")
    );
    found.assert();
    missing.assert();
}

#[test]
fn idfy_v1_retrieve_session_is_mocked_by_its_query() {
    let server = MockServer::start();
    let session: idfy::types::IdentificationResponse =
        example("idfy-identification-v1", "/identification/session");
    let answered = session.clone();
    let found = {
        use idfy::mock::MockServerExt;
        server.retrieve_session(|when, then| {
            when.request_id("req-1");
            then.ok(&answered);
        })
    };
    let client = idfy::mock::client(&server);
    let got = runtime()
        .block_on(client.retrieve_session().request_id("req-1").send())
        .expect("mocked session")
        .into_inner();
    assert_eq!(got, session);
    found.assert();
}

#[test]
fn idnow_get_session_is_mocked_by_environment_and_id() {
    let server = MockServer::start();
    let session: idnow::types::Session =
        example("idnow-platform", "/{environment}/sessions/{sessionId}");
    let answered = session.clone();
    let found = {
        use idnow::mock::MockServerExt;
        server.get_session(|when, then| {
            when.environment(idnow::types::Environment::Live)
                .session_id("s-1");
            then.ok(&answered);
        })
    };
    let client = idnow::mock::client(&server);
    let rt = runtime();
    let got = rt
        .block_on(
            client
                .get_session()
                .environment(idnow::types::Environment::Live)
                .session_id("s-1")
                .send(),
        )
        .expect("mocked session")
        .into_inner();
    assert_eq!(got, session);
    found.assert();
    // The waiter polls through the same client: a completed session ends it at once.
    let done = rt
        .block_on(
            client
                .wait_until_final(idnow::types::Environment::Live, "s-1")
                .wait(),
        )
        .expect("final");
    assert_eq!(done.session_status, idnow::types::SessionStatus::Completed);
    found.assert_calls(2);
}

#[test]
fn identify_get_ident_is_mocked_by_id() {
    let server = MockServer::start();
    let ident: identify::types::GetIdentResponse =
        example("identify-videoident", "/ident/get/{ident_id}");
    let answered = ident.clone();
    let found = {
        use identify::mock::MockServerExt;
        server.get_ident(|when, then| {
            when.ident_id("ece4f137");
            then.ok(&answered);
        })
    };
    let client = identify::mock::client(&server);
    let got = runtime()
        .block_on(client.get_ident().ident_id("ece4f137").send())
        .expect("mocked ident")
        .into_inner();
    assert_eq!(got, ident);
    found.assert();
}
