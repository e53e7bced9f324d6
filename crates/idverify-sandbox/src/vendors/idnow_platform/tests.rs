use super::routes::{client_environment, with_state};
use super::*;
use crate::persons;
use idverify_idnow_platform::TypedDatablock;

fn api() -> IdnowPlatform {
    IdnowPlatform::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
}

fn request(json: Value) -> types::CreateSessionRequest {
    validate_create(json.to_string().as_bytes()).expect("valid request")
}

fn create(api: &IdnowPlatform, flow: usize, json: Value) -> types::CreateSessionResponse {
    api.create(&FLOWS[flow], types::Environment::Live, request(json))
        .unwrap()
}

fn stored(api: &IdnowPlatform, id: &str) -> types::Session {
    api.state().sessions[id].session.clone()
}

fn blocks(api: &IdnowPlatform, id: &str) -> Vec<types::Datablock> {
    let state = api.state();
    let record = &state.sessions[id];
    record.input.iter().chain(&record.output).cloned().collect()
}

#[test]
fn validation_names_the_field() {
    let long_state = format!(r#"{{"state":"{}"}}"#, "x".repeat(2049));
    let cases: Vec<(String, &str)> = vec![
        (
            r#"{"input":{"basicIdentity":{"birthDate":7}}}"#.into(),
            "input.basicIdentity.birthDate",
        ),
        (
            r#"{"input":{"basicIdentity":{"address":{"city":false}}}}"#.into(),
            "input.basicIdentity.address.city",
        ),
        (
            r#"{"input":{"documentData":"ID"}}"#.into(),
            "input.documentData",
        ),
        (r#"{"input":{"Bad-Name":{}}}"#.into(), "input.Bad-Name"),
        (
            r#"{"input":{"documentsToSign":{"documents":[{"fileName":1}]}}}"#.into(),
            "input.documentsToSign.documents[0].fileName",
        ),
        (r#"{"input":[]}"#.into(), "input"),
        (
            r#"{"metadata":{"subjectId":"a","tier":3}}"#.into(),
            "metadata.tier",
        ),
        (
            r#"{"redirectUrl":"javascript:alert(1)"}"#.into(),
            "redirectUrl",
        ),
        (long_state, "state"),
        ("[1]".into(), "body"),
        ("".into(), "body"),
    ];
    for (body, field) in &cases {
        let problems = validate_create(body.as_bytes()).expect_err(body);
        let names: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, vec![*field], "{body}");
        assert!(!problems[0].1.is_empty());
    }
    let ok = request(json!({
        "input": {"basicIdentity": {"givenName": "Max"}, "customBlock": {"a": 1}},
        "metadata": {"subjectId": "s-1", "locale": "en", "tier": "gold"},
        "redirectUrl": "https://shop.example/done",
        "state": "csrf-1",
        "unknownField": true
    }));
    assert_eq!(ok.input.len(), 2);
    assert!(validate_create(b"{}").is_ok(), "a flow may need no input");
}

#[test]
fn lifecycle_created_running_then_completed_once() {
    let api = api();
    let created = create(
        &api,
        1,
        json!({
            "input": {"basicIdentity": {"givenName": "Kari"}},
            "metadata": {"subjectId": "subject-1"},
            "redirectUrl": "https://shop.example/done?x=1",
            "state": "a b&c"
        }),
    );
    let id = created.session_context.session_id.clone();
    assert_eq!(created.flow_id, DOCUMENT_FLOW_ID);
    assert_eq!(created.flow_version, Some(2));
    assert_eq!(
        created.session_context.session_status,
        types::SessionStatus::Created
    );
    assert_eq!(
        created.player_url,
        format!("http://127.0.0.1:1/_sandbox/ui/{NAME}/{id}")
    );
    assert!(created.sdk_token.is_some());
    let session = stored(&api, &id);
    assert_eq!(session.subject_id.as_deref(), Some("subject-1"));
    assert_eq!(session.started_at, None);
    assert_eq!(blocks(&api, &id).len(), 1, "the input block only");

    let page = api.open(&id).unwrap();
    assert!(page.open);
    assert_eq!(page.status, "RUNNING");
    assert!(stored(&api, &id).started_at.is_some());

    let kari = persons::find("kari").unwrap();
    let done = api.complete(&id, kari, Outcome::Success).unwrap();
    assert_eq!(done.status, "COMPLETED");
    assert_eq!(
        done.redirect_url.as_deref(),
        Some("https://shop.example/done?x=1&state=a+b%26c")
    );
    let session = stored(&api, &id);
    assert_eq!(session.outcome, Some(types::SessionOutcome::Accepted));
    assert!(session.completed_at.is_some());
    assert_eq!(
        session.last_step.unwrap().verdict.as_deref(),
        Some("accepted")
    );

    let typed: Vec<TypedDatablock> = blocks(&api, &id)
        .iter()
        .map(|b| b.typed().expect("typed"))
        .collect();
    assert_eq!(typed.len(), 5);
    let TypedDatablock::BasicIdentity(identity) = &typed[1] else {
        panic!("{typed:?}")
    };
    assert_eq!(identity.given_name.as_deref(), Some("Kari Fiktiv"));
    assert_eq!(identity.family_name.as_deref(), Some("Nordkvinne"));
    assert_eq!(identity.birth_date.as_deref(), Some(kari.date_of_birth));
    let TypedDatablock::DocumentData(document) = &typed[2] else {
        panic!("{typed:?}")
    };
    assert_eq!(document.issuing_country.as_deref(), Some("NO"));
    let TypedDatablock::DocumentVerification(verification) = &typed[3] else {
        panic!("{typed:?}")
    };
    let report = verification.report.clone().unwrap();
    assert_eq!(report.ref_, "vault");
    assert_eq!(
        api.state().files.get(&report.id).map(|(s, _)| s.clone()),
        Some(id.clone())
    );
    let TypedDatablock::OutcomeStatus(outcome) = &typed[4] else {
        panic!("{typed:?}")
    };
    assert_eq!(outcome.outcome, Some(types::SessionOutcome::Accepted));

    let again = api.complete(&id, kari, Outcome::Abort).unwrap_err();
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(!api.open(&id).unwrap().open);
    assert_eq!(
        api.open("no-such-id").unwrap_err().status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn abort_and_error() {
    let api = api();
    let ola = persons::find("ola").unwrap();
    let a = create(&api, 0, json!({}));
    let done = api
        .complete(&a.session_context.session_id, ola, Outcome::Abort)
        .unwrap();
    assert_eq!((done.status.as_str(), done.redirect_url), ("ABORTED", None));
    let session = stored(&api, &a.session_context.session_id);
    assert_eq!(session.outcome, Some(types::SessionOutcome::NoOutcome));
    assert!(blocks(&api, &a.session_context.session_id).is_empty());

    let b = create(&api, 0, json!({"redirectUrl": "https://shop.example/r"}));
    let done = api
        .complete(&b.session_context.session_id, ola, Outcome::Error)
        .unwrap();
    assert_eq!(done.status, "ERROR");
    assert_eq!(done.redirect_url.as_deref(), Some("https://shop.example/r"));
    let session = stored(&api, &b.session_context.session_id);
    assert_eq!(session.outcome, Some(types::SessionOutcome::Rejected));
    let blocks = blocks(&api, &b.session_context.session_id);
    assert_eq!(blocks.len(), 1);
    assert!(matches!(
        blocks[0].typed().unwrap(),
        TypedDatablock::OutcomeStatus(types::OutcomeStatus {
            outcome: Some(types::SessionOutcome::Rejected),
            ..
        })
    ));

    let basic = create(&api, 0, json!({}));
    api.complete(&basic.session_context.session_id, ola, Outcome::Success)
        .unwrap();
    let types: Vec<types::DatablockType> =
        super::tests::blocks(&api, &basic.session_context.session_id)
            .into_iter()
            .map(|b| b.type_)
            .collect();
    assert_eq!(
        types,
        vec![
            types::DatablockType::BasicIdentity,
            types::DatablockType::OutcomeStatus
        ],
        "the basic flow has no document blocks"
    );
}

#[test]
fn expiry_and_pruning_on_the_clock() {
    let api = api();
    let ola = persons::find("ola").unwrap();
    let open = create(&api, 0, json!({}));
    let done = create(&api, 1, json!({}));
    let open_id = open.session_context.session_id.clone();
    let done_id = done.session_context.session_id.clone();
    api.complete(&done_id, ola, Outcome::Success).unwrap();
    api.tokens.keep(
        "t".into(),
        types::Environment::Live,
        api.state.now() + TOKEN_LIFETIME,
    );
    assert_eq!(api.state().files.len(), 1);

    api.shared
        .clock
        .advance(SESSION_LIFETIME - Duration::from_secs(2));
    assert!(api.open(&open_id).unwrap().open);
    api.shared.clock.advance(Duration::from_secs(3));
    let page = api.open(&open_id).unwrap();
    assert!(!page.open);
    assert_eq!(page.status, "EXPIRED");
    let expired = stored(&api, &open_id);
    assert_eq!(expired.completed_at, expired.expires_at);
    assert_eq!(
        api.complete(&open_id, ola, Outcome::Success)
            .unwrap_err()
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        stored(&api, &done_id).session_status,
        types::SessionStatus::Completed,
        "terminal sessions do not expire"
    );
    assert_eq!(api.tokens.held(), 0, "tokens expire after 86400 s");

    api.shared.clock.advance(RETENTION);
    let state = api.state();
    assert!(state.sessions.is_empty(), "memory stays bounded");
    assert!(state.files.is_empty());
    drop(state);
    assert_eq!(
        api.open(&done_id).unwrap_err().status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn bounded_maps_forget_the_entry_closest_to_expiry() {
    let now = SystemTime::now();
    let mut map = oauth::Tokens::new(MAX_SESSIONS);
    for i in 0..MAX_SESSIONS {
        map.insert(format!("k{i}"), (), now + Duration::from_secs(i as u64 + 10));
    }
    map.insert_evicting("new".into(), (), now + Duration::from_secs(5));
    assert_eq!(map.len(), MAX_SESSIONS);
    assert!(!map.contains_key("k0"));
    assert!(map.contains_key("new"));
}

#[test]
fn state_is_added_to_the_redirect_url() {
    assert_eq!(
        with_state("https://a.example/x", None),
        "https://a.example/x"
    );
    assert_eq!(
        with_state("https://a.example/x#top", Some("s=1")),
        "https://a.example/x?state=s%3D1#top"
    );
    assert_eq!(
        client_environment(LIVE_CLIENT_ID, LIVE_CLIENT_SECRET),
        Some(types::Environment::Live)
    );
    assert_eq!(
        client_environment(LIVE_CLIENT_ID, STAGING_CLIENT_SECRET),
        None
    );
}
