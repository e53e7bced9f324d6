use super::*;
use crate::persons;
use serde_json::json;

fn api() -> SignicatIdentificationV2 {
    SignicatIdentificationV2::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
}

fn request(json: serde_json::Value) -> types::CreateSessionRequest {
    validate_create(json.to_string().as_bytes()).expect("valid request")
}

fn redirect(include: serde_json::Value) -> types::CreateSessionRequest {
    request(json!({
        "flow": "redirect",
        "include": include,
        "externalReference": "ref-1",
        "redirectSettings": {
            "successUrl": "https://a.example/ok",
            "abortUrl": " https://a.example/abort",
            "errorUrl": "https://a.example/error"
        }
    }))
}

fn names(params: &[types::InvalidParam]) -> Vec<&str> {
    params.iter().filter_map(|p| p.name.as_deref()).collect()
}

fn stored(api: &SignicatIdentificationV2, id: &str) -> types::Session {
    api.state.lock().sessions[id].session.clone()
}

#[test]
fn validation_names_the_field() {
    let urls = r#""redirectSettings":{"successUrl":"https://a.example/s","abortUrl":"https://a.example/a","errorUrl":"https://a.example/e"}"#;
    let cases: Vec<(String, &str)> = vec![
        ("{}".into(), "flow"),
        (r#"{"flow":"kiosk"}"#.into(), "flow"),
        (r#"{"flow":7}"#.into(), "flow"),
        (r#"{"flow":"headless","include":"name"}"#.into(), "include"),
        (r#"{"flow":"headless","include":["shoe_size"]}"#.into(), "include[0]"),
        (r#"{"flow":"headless","language":"xx"}"#.into(), "language"),
        (
            r#"{"flow":"headless","allowedProviders":["no_bankid_mobile","vipps"]}"#.into(),
            "allowedProviders[1]",
        ),
        (
            r#"{"flow":"headless","allowedProviders":["no_bankid_netcentric"]}"#.into(),
            "allowedProviders[0]",
        ),
        (r#"{"flow":"headless","ui":{"themeMode":"neon"}}"#.into(), "ui.themeMode"),
        (
            r#"{"flow":"headless","prefilledInput":{"nin":12}}"#.into(),
            "prefilledInput.nin",
        ),
        (
            r#"{"flow":"redirect","redirectSettings":{"successUrl":"https://a.example/s","abortUrl":"https://a.example/a"}}"#.into(),
            "redirectSettings.errorUrl",
        ),
        (
            r#"{"flow":"redirect","redirectSettings":{"successUrl":"javascript:alert(1)","abortUrl":"https://a.example/a","errorUrl":"https://a.example/e"}}"#.into(),
            "redirectSettings.successUrl",
        ),
        (r#"{"flow":"iframe"}"#.into(), "iframeSettings.postMessageTargetOrigin"),
        (
            r#"{"flow":"iframe","iframeSettings":{"postMessageTargetOrigin":"https://a.example/path"}}"#.into(),
            "iframeSettings.postMessageTargetOrigin",
        ),
        (format!(r#"{{"flow":"redirect",{urls},"externalReference":5}}"#), "externalReference"),
        (r#"["flow"]"#.into(), "body"),
        ("".into(), "body"),
    ];
    for (body, field) in &cases {
        let params = validate_create(body.as_bytes()).expect_err(body);
        assert_eq!(names(&params), vec![*field], "{body}");
        assert!(params[0].reason.as_deref().is_some_and(|r| !r.is_empty()));
    }
    // The guide's redirect sample (leading spaces in two URLs) is accepted.
    let ok = redirect(json!(["name", "nin"]));
    assert_eq!(ok.include, vec![types::Include::Name, types::Include::Nin]);
    let ok = request(json!({
        "flow": "iframe",
        "iframeSettings": {
            "parentDomains": ["https://a.example"],
            "postMessageTargetOrigin": "https://a.example"
        },
        "unknownField": true
    }));
    assert_eq!(ok.flow, types::Flow::Iframe);
}

#[test]
fn identity_follows_include() {
    let kari = persons::find("kari").unwrap();
    let provider = types::IdProviderType::NoBankidNetcentric;
    let bare = identity(kari, &provider, &[]);
    assert_eq!(
        bare.provider_id.as_deref(),
        Some("no_bankid_netcentric-kari")
    );
    assert_eq!((bare.full_name, bare.nin, bare.email), (None, None, None));
    let full = identity(
        kari,
        &provider,
        &[
            types::Include::Name,
            types::Include::DateOfBirth,
            types::Include::PhoneNumber,
        ],
    );
    assert_eq!(full.full_name.as_deref(), Some("Kari Fiktiv Nordkvinne"));
    assert_eq!(full.middle_name.as_deref(), Some("Fiktiv"));
    assert_eq!(full.date_of_birth.as_deref(), Some("1990-12-24"));
    assert_eq!(full.phone_number.as_deref(), Some(kari.phone_number));
    assert_eq!(full.nin, None);
    assert_eq!(full.email, None);
    let consent = identity(kari, &provider, &[types::Include::NinConsent]);
    assert_eq!(consent.nin.as_deref(), Some(kari.national_id));
}

#[test]
fn providers_follow_the_person_flow_and_allowed_list() {
    use types::IdProviderType as P;
    let ola = persons::find("ola").unwrap();
    let sven = persons::find("sven").unwrap();
    let redirect = types::Flow::Redirect;
    let headless = types::Flow::Headless;
    assert_eq!(
        provider_for(ola, &redirect, &[]),
        Some(P::NoBankidNetcentric)
    );
    assert_eq!(provider_for(ola, &headless, &[]), Some(P::NoBankidMobile));
    assert_eq!(
        provider_for(ola, &redirect, &[P::NoBankidMobile]),
        Some(P::NoBankidMobile)
    );
    assert_eq!(provider_for(ola, &redirect, &[P::SeBankid]), None);
    assert_eq!(provider_for(sven, &headless, &[]), Some(P::SeBankid));
}

#[test]
fn lifecycle_created_initiated_then_completed_once() {
    let api = api();
    let session = api.create(redirect(json!(["name", "email"]))).unwrap();
    let id = session.id.clone();
    assert_eq!(session.status, types::SessionStatus::Created);
    assert_eq!(session.language, Some(types::Language::En));
    assert_eq!(id.len(), 32);
    assert!(
        session
            .url
            .as_deref()
            .unwrap()
            .ends_with(&format!("/_sandbox/ui/{NAME}/{id}"))
    );
    assert_eq!(session.security_reference, None);

    let page = api.open(&id).unwrap();
    assert!(page.open);
    assert_eq!(page.status, "user_initiated");

    let ola = persons::find("ola").unwrap();
    let done = api.complete(&id, ola, Outcome::Success).unwrap();
    assert_eq!(done.status, "success");
    assert_eq!(done.redirect_url.as_deref(), Some("https://a.example/ok"));
    let session = stored(&api, &id);
    let identity = session.identity.unwrap();
    assert_eq!(identity.email.as_deref(), Some(ola.email));
    assert_eq!(identity.full_name.as_deref(), Some("Ola Testmann"));
    assert_eq!(identity.nin, None, "not included");
    assert_eq!(
        session.provider,
        Some(types::IdProviderType::NoBankidNetcentric)
    );

    let again = api.complete(&id, ola, Outcome::Abort).unwrap_err();
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(!api.open(&id).unwrap().open);
    assert_eq!(
        api.open("no-such-id").unwrap_err().status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn abort_error_headless_and_iframe() {
    let api = api();
    let a = api.create(redirect(json!([]))).unwrap();
    let sven = persons::find("sven").unwrap();
    let done = api.complete(&a.id, sven, Outcome::Abort).unwrap();
    assert_eq!(done.status, "user_aborted");
    assert_eq!(
        done.redirect_url.as_deref(),
        Some("https://a.example/abort"),
        "the leading space is trimmed"
    );
    let b = api.create(redirect(json!([]))).unwrap();
    let done = api.complete(&b.id, sven, Outcome::Error).unwrap();
    assert_eq!(done.status, "failed");
    let b = stored(&api, &b.id);
    assert!(b.identity.is_none());
    assert_eq!(
        b.error.unwrap().code.as_deref(),
        Some("identification_failed")
    );

    let headless = api
        .create(request(
            json!({"flow": "headless", "allowedProviders": ["se_bankid"]}),
        ))
        .unwrap();
    assert_eq!(headless.url, None);
    assert!(headless.security_reference.is_some());
    assert_eq!(
        api.open(&headless.id).unwrap_err().status,
        StatusCode::BAD_REQUEST
    );
    let ola = persons::find("ola").unwrap();
    assert_eq!(
        api.complete(&headless.id, ola, Outcome::Success)
            .unwrap_err()
            .status,
        StatusCode::BAD_REQUEST,
        "Ola has no Swedish BankID"
    );
    let done = api.complete(&headless.id, sven, Outcome::Success).unwrap();
    assert_eq!((done.status.as_str(), done.redirect_url), ("success", None));

    let iframe = api
        .create(request(json!({
            "flow": "iframe",
            "iframeSettings": {"postMessageTargetOrigin": "https://a.example"}
        })))
        .unwrap();
    let done = api.complete(&iframe.id, ola, Outcome::Success).unwrap();
    assert_eq!(
        done.redirect_url,
        Some(format!(
            "http://127.0.0.1:1{IFRAME_DONE_PATH}/{}",
            iframe.id
        ))
    );
}

#[test]
fn timeout_purge_and_removal_on_the_clock() {
    let api = api();
    let ola = persons::find("ola").unwrap();
    let open = api.create(redirect(json!(["name"]))).unwrap();
    let done = api.create(redirect(json!(["name", "nin"]))).unwrap();
    api.complete(&done.id, ola, Outcome::Success).unwrap();

    api.shared.clock.advance(Duration::from_secs(599));
    assert!(api.open(&open.id).unwrap().open);
    api.shared.clock.advance(Duration::from_secs(2));
    let page = api.open(&open.id).unwrap();
    assert!(!page.open);
    assert_eq!(page.status, "timed_out");
    assert_eq!(
        api.complete(&open.id, ola, Outcome::Success)
            .unwrap_err()
            .status,
        StatusCode::CONFLICT
    );
    assert!(
        stored(&api, &done.id).identity.is_some(),
        "kept for the hour"
    );

    api.shared.clock.advance(Duration::from_secs(3000));
    let purged = stored(&api, &done.id);
    assert_eq!(purged, reduced(&purged));
    assert_eq!(purged.identity, None);
    assert_eq!(purged.include, None);
    assert_eq!(purged.status, types::SessionStatus::Success);
    assert_eq!(purged.external_reference.as_deref(), Some("ref-1"));
    let environment = purged.environment.unwrap();
    assert_eq!(environment.user_agent.as_deref(), Some("idverify-sandbox"));
    assert_eq!(environment.ip_address, None);

    api.shared.clock.advance(RETENTION);
    assert!(api.state.lock().sessions.is_empty(), "memory stays bounded");
    assert_eq!(
        api.open(&done.id).unwrap_err().status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn the_list_pages_through_inactive_sessions_without_personal_data() {
    let api = api();
    let kari = persons::find("kari").unwrap();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let s = api.create(redirect(json!(["name", "nin"]))).unwrap();
        api.complete(&s.id, kari, Outcome::Success).unwrap();
        ids.push(s.id);
    }
    let active = api.create(redirect(json!([]))).unwrap();
    let first = api.list(2, None);
    assert_eq!(first.limit, Some(2));
    assert_eq!(
        first.data.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        ids[..2]
    );
    assert!(first.data.iter().all(|s| s.identity.is_none()));
    let cursor = decode_cursor(first.next_cursor.as_deref().unwrap()).unwrap();
    let second = api.list(2, Some(cursor));
    assert_eq!(second.data[0].id, ids[2]);
    let cursor = decode_cursor(second.next_cursor.as_deref().unwrap()).unwrap();
    let last = api.list(2, Some(cursor));
    assert_eq!(last.data.len(), 1);
    assert_eq!(last.next_cursor, None);
    assert!(api.list(100, None).data.iter().all(|s| s.id != active.id));
    assert_eq!(decode_cursor("nonsense"), None);
}

#[test]
fn script_json_cannot_close_the_script() {
    let text = script_json(&json!({"a": "</script><b>&\u{2028}"}));
    assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back["a"], "</script><b>&\u{2028}");
}
