use super::*;
use crate::persons;
use serde_json::json;

fn api() -> IdfyIdentificationV1 {
    IdfyIdentificationV1::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
}

fn request(json: serde_json::Value) -> types::CreateIdentificationRequest {
    validate_create(json.to_string().as_bytes()).expect("valid request")
}

fn redirect_request(reference: &str) -> types::CreateIdentificationRequest {
    request(json!({
        "IdentityProvider": "NO_BANKID_WEB",
        "GetSocialSecurityNumber": true,
        "ExternalReference": reference,
        "ReturnUrls": {
            "Success": "https://a.example/ok?id=[1]&ref=[2]",
            "Abort": "https://a.example/abort/[1]",
            "Error": "https://a.example/error?status=[0]&ref=[2]"
        }
    }))
}

fn create(api: &IdfyIdentificationV1, body: types::CreateIdentificationRequest) -> String {
    match api.create(body) {
        Created::Session(id) => id,
        Created::Full => panic!("full"),
    }
}

fn fields(problems: &[(String, String)]) -> Vec<&str> {
    problems.iter().map(|(f, _)| f.as_str()).collect()
}

#[test]
fn validation_names_the_field() {
    let urls = r#""ReturnUrls":{"Success":"https://a.example/s","Abort":"https://a.example/a","Error":"https://a.example/e"}"#;
    let cases: Vec<(String, &str)> = vec![
        ("{}".into(), "ReturnUrls"),
        (r#"{"ReturnUrls":{"Success":"https://a.example/s","Abort":"https://a.example/a"}}"#.into(), "ReturnUrls.Error"),
        (r#"{"ReturnUrls":{"Success":"javascript:x","Abort":"https://a.example/a","Error":"https://a.example/e"}}"#.into(), "ReturnUrls.Success"),
        (format!(r#"{{{urls},"IdentityProvider":"DE_EID"}}"#), "IdentityProvider"),
        (format!(r#"{{{urls},"IdentityProvider":"UNKNOWN"}}"#), "IdentityProvider"),
        (format!(r#"{{{urls},"Language":"DE"}}"#), "Language"),
        (format!(r#"{{{urls},"GetSocialSecurityNumber":"yes"}}"#), "GetSocialSecurityNumber"),
        (r#"{"iFrame":{"WebMessaging":true}}"#.into(), "iFrame.Domain"),
        (r#"{"iFrame":{"Domain":" "}}"#.into(), "iFrame.Domain"),
        ("[1]".into(), "body"),
        ("{".into(), "body"),
    ];
    for (body, field) in &cases {
        let problems = validate_create(body.as_bytes()).expect_err(body);
        assert_eq!(fields(&problems), vec![*field], "{body}");
        assert!(!problems[0].1.is_empty());
    }
    // An iframe session needs no return URLs; unknown fields are ignored.
    let ok = request(json!({"iFrame": {"Domain": "shop.example"}, "Other": 1}));
    assert!(ok.return_urls.is_none());
    assert_eq!(
        problems_message(&[("A".into(), "x.".into()), ("B".into(), "y.".into())]),
        "A: x.; B: y."
    );

    let mobile = |body: serde_json::Value| validate_mobile(body.to_string().as_bytes());
    assert_eq!(
        fields(&mobile(json!({"DateOfBirth": "010180"})).unwrap_err()),
        vec!["MobileNumber"]
    );
    assert_eq!(
        fields(&mobile(json!({"MobileNumber": "123", "DateOfBirth": "321380"})).unwrap_err()),
        vec!["MobileNumber", "DateOfBirth"]
    );
    let (_, number) =
        mobile(json!({"MobileNumber": "+47 0000 0001", "DateOfBirth": "010180"})).unwrap();
    assert_eq!(number, "00000001");
}

#[test]
fn placeholders_are_substituted_and_encoded() {
    assert_eq!(
        substitute(
            "https://a.example/r?s=[0]&id=[1]&ref=[2]",
            "SUCCESS",
            "abc",
            "order 42/&x"
        ),
        "https://a.example/r?s=SUCCESS&id=abc&ref=order%2042%2F%26x"
    );
    assert_eq!(
        substitute("https://a.example/[2]", "ERROR", "i", ""),
        "https://a.example/"
    );
    assert_eq!(ddmmyy("1990-12-24"), "241290");
    assert_eq!(ddmmyy("2001-03-31"), "310301");
    assert!(is_ddmmyy("010740") && !is_ddmmyy("000740") && !is_ddmmyy("01074"));
    assert_eq!(
        norwegian_mobile("0047 99887766").as_deref(),
        Some("99887766")
    );
    assert_eq!(norwegian_mobile("+46700000003"), None);
}

#[test]
fn lifecycle_created_userinitiated_then_completed_once() {
    let api = api();
    let id = create(&api, redirect_request("order-1"));
    let stored = api.retrieve(&id, false).unwrap();
    assert_eq!(stored.status, Some(types::Status::Created));
    assert_eq!(stored.request_id.as_deref(), Some(id.as_str()));
    assert_eq!(stored.name, None);

    // The same open reference gives the same session.
    assert_eq!(create(&api, redirect_request("order-1")), id);

    let page = api.open(&id).unwrap();
    assert!(page.open);
    assert_eq!(page.status, "USERINITIATED");

    let kari = persons::find("kari").unwrap();
    let done = api.complete(&id, kari, Outcome::Success).unwrap();
    assert_eq!(done.status, "SUCCESS");
    assert_eq!(
        done.redirect_url.as_deref(),
        Some(format!("https://a.example/ok?id={id}&ref=order-1").as_str())
    );
    let result = api.retrieve(&id, true).unwrap();
    assert_eq!(result.name.as_deref(), Some("Nordkvinne, Kari Fiktiv"));
    assert_eq!(result.date_of_birth.as_deref(), Some("241290"));
    assert_eq!(
        result.social_security_number.as_deref(),
        Some(kari.national_id)
    );
    assert_eq!(
        result.identity_provider,
        Some(types::IdentityProvider::NoBankidWeb)
    );
    assert_eq!(result.meta_data, Some(BTreeMap::new()));
    assert_eq!(api.retrieve(&id, false).unwrap().meta_data, None);

    let again = api.complete(&id, kari, Outcome::Abort).unwrap_err();
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(!api.open(&id).unwrap().open);
    assert_eq!(api.open("nope").unwrap_err().status, StatusCode::NOT_FOUND);

    // Completed: a new session for the same reference.
    assert_ne!(create(&api, redirect_request("order-1")), id);

    let log = &api.state.lock().logs[&id].item;
    assert_eq!(log.name.as_deref(), Some("Kari Fiktiv Nordkvinne"));
    assert_eq!(log.status, Some(types::Status::Success));
    assert_eq!(log.social_security_number, Some(true));
    assert_eq!(log.externalid.as_deref(), Some("order-1"));
}

#[test]
fn abort_error_and_bankid_on_mobile() {
    let api = api();
    let a = create(&api, redirect_request("a"));
    let b = create(&api, redirect_request("b"));
    let sven = persons::find("sven").unwrap();
    let done = api.complete(&a, sven, Outcome::Abort).unwrap();
    assert_eq!(done.status, "USERABORTED");
    assert_eq!(
        done.redirect_url,
        Some(format!("https://a.example/abort/{a}"))
    );
    let done = api.complete(&b, sven, Outcome::Error).unwrap();
    assert_eq!(
        done.redirect_url.as_deref(),
        Some("https://a.example/error?status=ERROR&ref=b")
    );
    let failed = api.retrieve(&b, false).unwrap();
    assert_eq!(failed.name, None);
    assert_eq!(
        failed.error.unwrap().error_code.as_deref(),
        Some("authentication_failed")
    );

    let ola = persons::find("ola").unwrap();
    let start = |number: &str, dob: &str| {
        let (request, mobile) = validate_mobile(
            json!({"MobileNumber": number, "DateOfBirth": dob, "GetSocialSecurityNumber": false})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
        api.create_mobile(request, &mobile).unwrap()
    };
    let refused = start("99887766", "071283");
    assert_eq!(refused.ok, Some(false));
    assert_eq!(refused.invalid_mobile_number_or_date_of_birth, Some(true));
    assert_eq!(refused.request_id, None);
    let started = start("00000001", "010180");
    assert_eq!(started.ok, Some(true));
    assert!(started.merchant_ref.is_some());
    let id = started.request_id.unwrap();
    let kari = persons::find("kari").unwrap();
    assert_eq!(
        api.complete(&id, kari, Outcome::Success)
            .unwrap_err()
            .status,
        StatusCode::BAD_REQUEST
    );
    let done = api.complete(&id, ola, Outcome::Success).unwrap();
    assert_eq!((done.status.as_str(), done.redirect_url), ("SUCCESS", None));
    let result = api.retrieve(&id, false).unwrap();
    assert_eq!(
        result.identity_provider,
        Some(types::IdentityProvider::NoBankidMobile)
    );
    assert_eq!(result.social_security_number, None, "not asked for");
    assert_eq!(result.date_of_birth.as_deref(), Some("010180"));
}

#[test]
fn sessions_time_out_on_the_clock_and_are_pruned() {
    let api = api();
    let id = create(&api, redirect_request("t"));
    api.shared.clock.advance(Duration::from_secs(599));
    assert!(api.open(&id).unwrap().open);
    api.shared.clock.advance(Duration::from_secs(2));
    let page = api.open(&id).unwrap();
    assert!(!page.open);
    assert_eq!(page.status, "TIMEOUT");
    let ola = persons::find("ola").unwrap();
    assert_eq!(
        api.complete(&id, ola, Outcome::Success).unwrap_err().status,
        StatusCode::CONFLICT
    );
    let result = api.retrieve(&id, false).unwrap();
    assert_eq!(result.error.unwrap().error_code.as_deref(), Some("TIMEOUT"));
    assert_eq!(
        api.state.lock().logs[&id].item.errorcode.as_deref(),
        Some("TIMEOUT")
    );

    // One hour after expiry the session is gone; the log entry stays.
    let later = create(&api, redirect_request("later"));
    api.shared.clock.advance(RETENTION);
    assert!(api.retrieve(&id, false).is_none());
    assert!(api.state.lock().logs.contains_key(&id));
    assert!(api.state.lock().sessions.contains_key(&later));
    api.shared.clock.advance(SESSION_LIFETIME);
    assert!(api.state.lock().sessions.is_empty(), "memory stays bounded");
    api.shared.clock.advance(LOG_RETENTION);
    assert!(api.state.lock().logs.is_empty(), "old log entries go too");
}

#[test]
fn log_filter_pages_and_filters() {
    let api = api();
    let ola = persons::find("ola").unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = create(&api, redirect_request(&format!("r{i}")));
        api.complete(
            &id,
            ola,
            if i == 4 {
                Outcome::Error
            } else {
                Outcome::Success
            },
        )
        .unwrap();
        ids.push(id);
    }
    // Open sessions are not listed.
    create(&api, redirect_request("open"));
    let year = &timestamp(api.state.now())[0..4];
    let parse = |query: &str| LogFilter::parse(year, Some(query)).unwrap();
    let page = api.log_page(&parse("pageSize=2&status=SUCCESS"));
    assert_eq!(page.total_links, Some(2));
    let list = page.list.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id.as_deref(), Some(ids[0].as_str()));
    let next = page.next_link.unwrap();
    assert_eq!(
        next,
        format!(
            "http://127.0.0.1:1/idfy-identification-v1/identification/log/filter/{year}?status=SUCCESS&skip=1&pageSize=2"
        )
    );
    let last = api.log_page(&parse("pageSize=2&status=SUCCESS&skip=1"));
    assert_eq!(last.next_link, None);
    assert_eq!(last.list.unwrap()[1].id.as_deref(), Some(ids[3].as_str()));
    let by_ref = api.log_page(&parse("externalId=r4")).list.unwrap();
    assert_eq!(by_ref.len(), 1);
    assert_eq!(
        by_ref[0].errorcode.as_deref(),
        Some("authentication_failed")
    );
    assert_eq!(
        api.log_page(&parse("name=ola%20TEST")).list.unwrap().len(),
        4
    );
    assert_eq!(
        api.log_page(&parse("identityProviderType=SWE_BANKID"))
            .list
            .unwrap()
            .len(),
        0
    );
    assert_eq!(api.log_page(&parse("month=0&day=0")).list.unwrap().len(), 5);
    let other_year = LogFilter::parse("2001", None).unwrap();
    assert_eq!(api.log_page(&other_year).list.unwrap().len(), 0);

    for (year, query, field) in [
        ("x", "", "year"),
        ("2024", "month=13", "month"),
        ("2024", "day=x", "day"),
        ("2024", "status=DONE", "status"),
        ("2024", "identityProviderType=X", "identityProviderType"),
        ("2024", "skip=-1", "skip"),
        ("2024", "pageSize=1001", "pageSize"),
        ("2024", "pageSize=0", "pageSize"),
    ] {
        let problems = LogFilter::parse(year, Some(query)).unwrap_err();
        assert_eq!(fields(&problems), vec![field], "{query}");
    }
}
