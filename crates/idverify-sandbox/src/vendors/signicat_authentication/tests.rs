use super::*;
use crate::persons;

fn api() -> SignicatAuthentication {
    SignicatAuthentication::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
}

fn request(json: serde_json::Value) -> types::CreateSessionRequest {
    validate_create(json.to_string().as_bytes()).expect("valid request")
}

fn names(params: &[types::InvalidParam]) -> Vec<&str> {
    params.iter().filter_map(|p| p.name.as_deref()).collect()
}

#[test]
fn validation_names_the_field() {
    let cases: &[(&str, &str)] = &[
        (r#"{"requestedAttributes":[]}"#, "flow"),
        (r#"{"flow":"redirect"}"#, "requestedAttributes"),
        (r#"{"flow":"iframe","requestedAttributes":[]}"#, "flow"),
        (r#"{"flow":null,"requestedAttributes":[]}"#, "flow"),
        (
            r#"{"flow":"redirect","requestedAttributes":"name"}"#,
            "requestedAttributes",
        ),
        (
            r#"{"flow":"redirect","requestedAttributes":[],"sessionLifetime":"long"}"#,
            "sessionLifetime",
        ),
        (
            r#"{"flow":"redirect","requestedAttributes":[],"requestedLoa":"extreme"}"#,
            "requestedLoa",
        ),
        (
            r#"{"flow":"redirect","requestedAttributes":[],"callbackUrls":{"success":"javascript:alert(1)"}}"#,
            "callbackUrls.success",
        ),
        (
            r#"{"flow":"redirect","requestedAttributes":[],"callbackUrls":{"abort":7}}"#,
            "callbackUrls.abort",
        ),
        (
            r#"{"flow":"redirect","requestedAttributes":[],"themeId":"far-too-long-theme"}"#,
            "themeId",
        ),
        (
            r#"{"flow":"redirect","requestedAttributes":[],"encryptionPublicKey":{"alg":"none"}}"#,
            "encryptionPublicKey.alg",
        ),
        (r#"["flow"]"#, "body"),
        (r#"{"flow":"redirect","#, "body"),
        (
            r#"{"flow":"redirect","requestedAttributes":[],"callbackUrls":["https://a.example/ok"]}"#,
            "callbackUrls",
        ),
        (
            r#"{"flow":"redirect","requestedAttributes":[],"requestedLoa":"highest"}"#,
            "requestedLoa",
        ),
        ("", "body"),
    ];
    for (body, field) in cases {
        let params = validate_create(body.as_bytes()).expect_err(body);
        assert_eq!(names(&params), vec![*field], "{body}");
        assert!(params[0].reason.as_deref().is_some_and(|r| !r.is_empty()));
    }
    let ok = request(
        json!({"flow": "headless", "requestedAttributes": ["name"], "unknownField": 1}),
    );
    assert_eq!(ok.flow, types::Flow::Headless);
    let many_tags =
        json!({"flow": "redirect", "requestedAttributes": [], "tags": vec!["t"; 101]});
    let params = validate_create(many_tags.to_string().as_bytes()).expect_err("101 tags");
    assert_eq!(names(&params), vec!["tags"]);
    // What the spec marks nullable may be null, also inside free-form members.
    request(json!({
        "flow": "redirect",
        "requestedAttributes": [],
        "requestedLoa": null,
        "returnUrl": null,
        "tags": null,
        "additionalParameters": {"sbid_flow": null}
    }));
    #[cfg(feature = "jwe")]
    request(json!({
        "flow": "redirect",
        "requestedAttributes": [],
        "encryptionPublicKey": ec_public_key_with_null_d()
    }));
}

#[cfg(feature = "jwe")]
fn ec_public_key_with_null_d() -> serde_json::Value {
    let key = idverify_runtime::jwe::DecryptionKey::generate_p256("k").unwrap();
    let mut jwk = key.public_jwk();
    jwk.insert("d".into(), serde_json::Value::Null);
    serde_json::Value::Object(jwk)
}

#[cfg(feature = "jwe")]
#[test]
fn an_encryption_key_must_be_a_usable_public_key() {
    let create = |key: serde_json::Value| {
        validate_create(
            json!({"flow": "redirect", "requestedAttributes": [], "encryptionPublicKey": key})
                .to_string()
                .as_bytes(),
        )
    };
    assert!(create(ec_public_key_with_null_d()).is_ok());
    let mut private = ec_public_key_with_null_d();
    private["d"] = json!("c2VjcmV0");
    let mut wrong_alg = ec_public_key_with_null_d();
    wrong_alg["alg"] = json!("RSA-OAEP");
    let mut no_x = ec_public_key_with_null_d();
    no_x.as_object_mut().unwrap().remove("x");
    let mut bad_point = ec_public_key_with_null_d();
    bad_point["x"] = json!("AAAA");
    for (key, says) in [
        (private, "private key"),
        (wrong_alg, "`alg`"),
        (no_x, "`x`"),
        (bad_point, "usable"),
        // The vendor's own sample: an RSA key whose modulus is a placeholder.
        (
            json!({"kty": "RSA", "alg": "RSA-OAEP", "e": "AQAB", "n": "zN4Vqjwfs8uSqlOyjJLxw89BzkOW_blablabla", "d": null}),
            "usable",
        ),
    ] {
        let params = create(key.clone()).expect_err(&key.to_string());
        assert_eq!(names(&params), vec!["encryptionPublicKey"], "{key}");
        let reason = params[0].reason.as_deref().unwrap_or_default();
        assert!(reason.contains(says), "{reason}");
        assert!(!reason.contains("c2VjcmV0"), "{reason}");
    }
}

#[test]
fn the_subject_carries_only_the_requested_attributes() {
    let kari = persons::find("kari").unwrap();
    let subject = subject(kari, &["name".into(), "nin".into(), "phoneNumber".into()]);
    assert_eq!(subject.name.as_deref(), Some("Kari Fiktiv Nordkvinne"));
    let nin = subject.nin.as_ref().unwrap();
    assert_eq!(nin.value.as_deref(), Some(kari.national_id));
    assert_eq!(nin.issuing_country.as_deref(), Some("NOR"));
    assert_eq!(
        subject.extra.get("phoneNumber"),
        Some(&json!(kari.phone_number))
    );
    assert_eq!(subject.email, None);
    // A documented name is a variant; a misspelt one is kept but returns nothing.
    assert_eq!(
        types::RequestedAttribute::from("dateOfBirth"),
        types::RequestedAttribute::DateOfBirth
    );
    let born = super::identity::subject(kari, &[types::RequestedAttribute::DateOfBirth]);
    assert_eq!(born.date_of_birth.as_deref(), Some(kari.date_of_birth));
    let misspelt = types::RequestedAttribute::from("dob");
    assert_eq!(misspelt, types::RequestedAttribute::from("dob"));
    assert_eq!(super::identity::subject(kari, &[misspelt]).date_of_birth, None);
    assert_eq!(subject.date_of_birth, None);
    assert_eq!(subject.first_name, None);
    assert!(subject.id.is_some(), "the identifier is always there");
    assert_eq!(subject.extra.len(), 1);
}

#[test]
fn callback_urls_get_the_session_id() {
    assert_eq!(
        callback_with_params("https://a.example/ok", "s1", None),
        "https://a.example/ok?sessionId=s1"
    );
    assert_eq!(
        callback_with_params("https://a.example/ok?x=1#top", "s1", Some("ref & more")),
        "https://a.example/ok?x=1&sessionId=s1&externalReference=ref+%26+more#top"
    );
}

#[test]
fn lifecycle_created_waiting_then_completed_once() {
    let api = api();
    let session = api
        .create(
            request(json!({
                "flow": "redirect",
                "requestedAttributes": ["name", "email"],
                "callbackUrls": {"success": "https://a.example/ok", "abort": "https://a.example/no"}
            })),
            None,
        )
        .unwrap();
    let id = session.id.unwrap();
    assert_eq!(session.status, Some(types::SessionStatus::Created));
    assert_eq!(session.session_lifetime, Some(1200));
    assert!(
        session
            .authentication_url
            .unwrap()
            .ends_with(&format!("/_sandbox/ui/{NAME}/{id}"))
    );

    let page = api.open(&id).unwrap();
    assert!(page.open);
    assert_eq!(page.status, "WAITING_FOR_USER");

    let ola = persons::find("ola").unwrap();
    let done = api.complete(&id, ola, Outcome::Success).unwrap();
    assert_eq!(done.status, "SUCCESS");
    assert_eq!(
        done.redirect_url.as_deref(),
        Some(format!("https://a.example/ok?sessionId={id}").as_str())
    );
    let stored = api.state.lock().sessions[&id].session.clone();
    assert_eq!(stored.subject.unwrap().email.as_deref(), Some(ola.email));
    assert_eq!(stored.provider.as_deref(), Some("nbid"));

    let again = api.complete(&id, ola, Outcome::Abort).unwrap_err();
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(!api.open(&id).unwrap().open);
    assert_eq!(
        api.open("no-such-id").unwrap_err().status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn abort_and_error_outcomes() {
    let api = api();
    let body = json!({"flow": "headless", "requestedAttributes": ["name"]});
    let a = api
        .create(request(body.clone()), Some("a-mine".into()))
        .unwrap();
    assert_eq!(a.account_id.as_deref(), Some("a-mine"));
    assert_eq!(
        a.authentication_url, None,
        "headless sessions have no page URL"
    );
    let b = api.create(request(body), None).unwrap();
    let sven = persons::find("sven").unwrap();
    let done = api
        .complete(a.id.as_deref().unwrap(), sven, Outcome::Abort)
        .unwrap();
    assert_eq!((done.status.as_str(), done.redirect_url), ("ABORT", None));
    let done = api
        .complete(b.id.as_deref().unwrap(), sven, Outcome::Error)
        .unwrap();
    assert_eq!(done.status, "ERROR");
    let state = api.state.lock();
    let a = &state.sessions[a.id.as_deref().unwrap()].session;
    let b = &state.sessions[b.id.as_deref().unwrap()].session;
    assert!(a.subject.is_none() && b.subject.is_none());
    assert_eq!(
        b.error.as_ref().unwrap().code.as_deref(),
        Some("authentication_failed")
    );
}

#[test]
fn lifetime_minimum_expiry_and_pruning() {
    let api = api();
    let short = api
        .create(
            request(
                json!({"flow": "redirect", "requestedAttributes": [], "sessionLifetime": 10}),
            ),
            None,
        )
        .unwrap();
    assert_eq!(
        short.session_lifetime,
        Some(300),
        "raised to the soft minimum"
    );
    let negative = api
        .create(
            request(
                json!({"flow": "redirect", "requestedAttributes": [], "sessionLifetime": -5}),
            ),
            None,
        )
        .unwrap();
    assert_eq!(negative.session_lifetime, Some(300));
    let long = api
        .create(
            request(json!({"flow": "redirect", "requestedAttributes": []})),
            None,
        )
        .unwrap();
    let short_id = short.id.unwrap();
    let long_id = long.id.unwrap();

    api.shared.clock.advance(Duration::from_secs(301));
    let page = api.open(&short_id).unwrap();
    assert!(!page.open);
    assert_eq!(page.status, "EXPIRED");
    let ola = persons::find("ola").unwrap();
    assert_eq!(
        api.complete(&short_id, ola, Outcome::Success)
            .unwrap_err()
            .status,
        StatusCode::CONFLICT
    );
    {
        let state = api.state.lock();
        let expired = &state.sessions[&short_id].session;
        assert_eq!(
            expired.error.as_ref().unwrap().code.as_deref(),
            Some("session_expired")
        );
    }
    // The 1200 s session is untouched.
    assert!(api.open(&long_id).unwrap().open);

    // One hour after expiry the session is gone.
    api.shared.clock.advance(RETENTION);
    assert_eq!(
        api.open(&short_id).unwrap_err().status,
        StatusCode::NOT_FOUND
    );
    assert!(api.state.lock().sessions.contains_key(&long_id));
    api.shared.clock.advance(Duration::from_secs(1200));
    assert!(api.state.lock().sessions.is_empty(), "memory stays bounded");
}
