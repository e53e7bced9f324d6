//! End to end: the generated Signicat Identification API v2 client against the sandbox,
//! sessions completed as test persons (control API, the end user's HTML form in the
//! redirect and iframe flows), the identity read back as `include` asked; invalidation,
//! the list, timeout and the 1-hour purge on the sandbox clock, validation errors and a
//! wrong secret as a client sees them.

use std::num::NonZeroU32;

use std::time::Duration;

use idverify_runtime::ErrorKind;
use idverify_sandbox::{Api, Outcome, Sandbox, persons};
use idverify_signicat_identification_v2::{self as idv2, types};

const API: Api = Api::SignicatIdentificationV2;

/// A plain HTTP client that does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn redirect_request(include: Vec<types::Include>) -> types::builder::CreateSessionRequest {
    types::CreateSessionRequest::builder()
        .flow(types::Flow::Redirect)
        .include(include)
        .language(Some(types::Language::No))
        .external_reference(Some("order-42".to_string()))
        .redirect_settings(Some(types::RedirectSettings {
            success_url: Some("https://shop.example/done".into()),
            // The migration guide's sample has a leading space: accepted, trimmed.
            abort_url: Some(" https://shop.example/aborted".into()),
            error_url: Some("https://shop.example/failed".into()),
        }))
}

async fn create(
    client: &idv2::Client,
    request: types::builder::CreateSessionRequest,
) -> types::Session {
    client
        .create_session()
        .body(request)
        .send()
        .await
        .expect("create")
        .into_inner()
}

async fn get(client: &idv2::Client, id: &str) -> types::Session {
    client
        .get_session()
        .id(id)
        .send()
        .await
        .expect("get")
        .into_inner()
}

#[tokio::test]
async fn a_session_completed_through_the_control_api_returns_the_included_identity() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let created = create(
        &client,
        redirect_request(vec![
            types::Include::Name,
            types::Include::Nin,
            types::Include::DateOfBirth,
        ]),
    )
    .await;
    assert_eq!(created.status, types::SessionStatus::Created);
    assert_eq!(created.flow, types::Flow::Redirect);
    let id = created.id.clone();
    let url = created.url.clone().unwrap();
    assert_eq!(
        url,
        format!(
            "{}/_sandbox/ui/signicat-identification-v2/{id}",
            sandbox.base_url()
        )
    );

    // The end user opens the page: it offers the test persons.
    let page = browser().get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"kari\""), "{html}");
    assert_eq!(
        get(&client, &id).await.status,
        types::SessionStatus::UserInitiated
    );

    let done = sandbox
        .control()
        .complete(API, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    assert_eq!(done.status, "success");

    let session = get(&client, &id).await;
    assert_eq!(session.status, types::SessionStatus::Success);
    assert_eq!(session.external_reference.as_deref(), Some("order-42"));
    assert_eq!(
        session.provider,
        Some(types::IdProviderType::NoBankidNetcentric)
    );
    let identity = session.identity.expect("identity of a successful session");
    assert_eq!(
        identity.provider_id.as_deref(),
        Some("no_bankid_netcentric-kari")
    );
    assert_eq!(
        identity.full_name.as_deref(),
        Some("Kari Fiktiv Nordkvinne")
    );
    assert_eq!(identity.first_name.as_deref(), Some("Kari"));
    assert_eq!(identity.middle_name.as_deref(), Some("Fiktiv"));
    assert_eq!(identity.last_name.as_deref(), Some("Nordkvinne"));
    assert_eq!(identity.nin.as_deref(), Some("99129012345"));
    assert_eq!(identity.date_of_birth.as_deref(), Some("1990-12-24"));
    // Only what was included.
    assert_eq!(identity.email, None);
    assert_eq!(identity.phone_number, None);

    // Completing again is refused by the control API.
    let refused = sandbox
        .control()
        .complete(API, &id, &persons::OLA, Outcome::Abort)
        .expect_err("refused");
    assert_eq!(refused.status, 409, "{refused}");

    // Completed sessions cannot be invalidated: the vendor's error says why.
    let error = client
        .invalidate_session()
        .id(&id)
        .send()
        .await
        .expect_err("invalidate after completion");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let body = error.typed().expect("typed error");
    assert_eq!(body.code.as_deref(), Some("session_not_active"));
    assert!(error.request_id().is_some(), "traceId is the request id");

    // An open session can be invalidated, once; then it cannot be completed.
    let other = create(&client, redirect_request(vec![])).await;
    client
        .invalidate_session()
        .id(&other.id)
        .send()
        .await
        .expect("invalidate an open session");
    assert_eq!(
        get(&client, &other.id).await.status,
        types::SessionStatus::Invalidated
    );
    let again = client
        .invalidate_session()
        .id(&other.id)
        .send()
        .await
        .expect_err("already invalidated");
    assert_eq!(again.status().map(|s| s.as_u16()), Some(400));
    let refused = sandbox
        .control()
        .complete(API, &other.id, &persons::KARI, Outcome::Success)
        .expect_err("refused");
    assert_eq!(refused.status, 409, "{refused}");

    // Unknown sessions are 404 in the vendor's shape.
    let missing = client
        .get_session()
        .id("no-such-session")
        .send()
        .await
        .expect_err("unknown id");
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        missing.typed().and_then(|e| e.code.as_deref()),
        Some("session_not_found")
    );
    let missing = client
        .invalidate_session()
        .id("no-such-session")
        .send()
        .await
        .expect_err("unknown id");
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn the_html_form_redirects_to_the_redirect_settings() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let created = create(
        &client,
        redirect_request(vec![types::Include::Email, types::Include::PhoneNumber]),
    )
    .await;
    // A redirect session's page is not to be framed by anyone.
    let page = browser()
        .get(created.url.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()["content-security-policy"],
        "frame-ancestors 'none'"
    );

    let response = browser()
        .post(created.url.unwrap())
        .form(&[("person", "sven"), ("outcome", "success")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        "https://shop.example/done"
    );
    let session = get(&client, &created.id).await;
    assert_eq!(session.status, types::SessionStatus::Success);
    assert_eq!(session.provider, Some(types::IdProviderType::SeBankid));
    let identity = session.identity.unwrap();
    assert_eq!(
        identity.email.as_deref(),
        Some("sven.provperson@example.com")
    );
    assert_eq!(identity.phone_number.as_deref(), Some("+46700000003"));
    assert_eq!(identity.full_name, None, "name not included");
    assert_eq!(identity.nin, None);

    // Abort goes to the abort URL (the leading space trimmed), fail to the error URL.
    for (outcome, location, status) in [
        (
            "abort",
            "https://shop.example/aborted",
            types::SessionStatus::UserAborted,
        ),
        (
            "error",
            "https://shop.example/failed",
            types::SessionStatus::Failed,
        ),
    ] {
        let created = create(&client, redirect_request(vec![types::Include::Name])).await;
        let response = browser()
            .post(created.url.unwrap())
            .form(&[("person", "ola"), ("outcome", outcome)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"].to_str().unwrap(),
            location,
            "{outcome}"
        );
        let session = get(&client, &created.id).await;
        assert_eq!(session.status, status);
        assert!(session.identity.is_none());
        if status == types::SessionStatus::Failed {
            assert_eq!(
                session.error.and_then(|e| e.code).as_deref(),
                Some("identification_failed")
            );
        }
    }
}

#[tokio::test]
async fn the_iframe_flow_ends_with_a_post_message_to_the_target_origin() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let created = create(
        &client,
        types::CreateSessionRequest::builder()
            .flow(types::Flow::Iframe)
            .iframe_settings(Some(types::IframeSettings {
                parent_domains: vec![
                    "https://shop.example/checkout".into(),
                    "http://localhost:8080".into(),
                ],
                post_message_target_origin: Some("https://shop.example".into()),
            })),
    )
    .await;
    // Only the parent domains may frame the page (their origins, as a CSP directive).
    let page = browser()
        .get(created.url.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()["content-security-policy"],
        "frame-ancestors https://shop.example http://localhost:8080"
    );
    let response = browser()
        .post(created.url.unwrap())
        .form(&[("person", "emma"), ("outcome", "abort")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!(
            "{}/signicat-identification-v2/_iframe/{}",
            sandbox.base_url(),
            created.id
        )
    );
    let html = browser()
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let expected = format!(
        "window.parent.postMessage(JSON.stringify({{\"sessionId\":\"{}\",\"status\":\"aborted\"}}), \"https://shop.example\");",
        created.id
    );
    assert!(html.contains(&expected), "{html}");
}

#[tokio::test]
async fn headless_sessions_are_completed_through_the_control_api() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let created = create(
        &client,
        types::CreateSessionRequest::builder()
            .flow(types::Flow::Headless)
            .allowed_providers(vec![types::IdProviderType::NoBankidMobile])
            .include(vec![types::Include::Nin]),
    )
    .await;
    assert_eq!(created.url, None);
    assert!(created.security_reference.is_some());
    let refused = sandbox
        .control()
        .complete(API, &created.id, &persons::SVEN, Outcome::Success)
        .expect_err("refused");
    assert_eq!(refused.status, 400, "{refused}");
    // There is no page for the end user: its form is refused as its GET is.
    let page = format!(
        "{}/_sandbox/ui/signicat-identification-v2/{}",
        sandbox.base_url(),
        created.id
    );
    let posted = browser()
        .post(&page)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("person=ola&outcome=success")
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 400);
    assert_eq!(
        get(&client, &created.id).await.status,
        types::SessionStatus::Created
    );
    sandbox
        .control()
        .complete(API, &created.id, &persons::OLA, Outcome::Success)
        .expect("complete");
    let session = get(&client, &created.id).await;
    assert_eq!(
        session.provider,
        Some(types::IdProviderType::NoBankidMobile)
    );
    assert_eq!(
        session.identity.unwrap().nin.as_deref(),
        Some("99018012345")
    );
}

#[tokio::test]
async fn sessions_time_out_then_lose_personal_data_on_the_sandbox_clock() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let open = create(&client, redirect_request(vec![types::Include::Name])).await;
    let done = create(
        &client,
        redirect_request(vec![types::Include::Name, types::Include::Nin]),
    )
    .await;
    sandbox
        .control()
        .complete(API, &done.id, &persons::OLA, Outcome::Success)
        .expect("complete");

    sandbox.control().advance(Duration::from_secs(601));
    assert_eq!(
        get(&client, &open.id).await.status,
        types::SessionStatus::TimedOut
    );
    let refused = sandbox
        .control()
        .complete(API, &open.id, &persons::OLA, Outcome::Success)
        .expect_err("refused");
    assert_eq!(refused.status, 409, "{refused}");
    let kept = get(&client, &done.id).await;
    assert!(
        kept.identity.is_some(),
        "personal data is kept for the hour"
    );
    assert!(kept.redirect_settings.is_some());

    // One hour after creation (and past the token's lifetime: the client refreshes it).
    sandbox.control().advance(Duration::from_secs(3000));
    let purged = get(&client, &done.id).await;
    assert_eq!(purged.status, types::SessionStatus::Success);
    assert_eq!(purged.id, done.id);
    assert_eq!(purged.created, done.created);
    assert_eq!(purged.expires, done.expires);
    assert_eq!(purged.flow, types::Flow::Redirect);
    assert_eq!(purged.language, Some(types::Language::No));
    assert_eq!(purged.external_reference.as_deref(), Some("order-42"));
    assert_eq!(
        purged.provider,
        Some(types::IdProviderType::NoBankidNetcentric)
    );
    let environment = purged.environment.unwrap();
    assert!(environment.user_agent.is_some());
    assert_eq!(environment.ip_address, None);
    assert_eq!(purged.identity, None);
    assert_eq!(purged.include, None);
    assert_eq!(purged.redirect_settings, None);
    assert_eq!(purged.url, None);
    assert_eq!(purged.allowed_providers, None);
}

#[tokio::test]
async fn the_list_pages_through_completed_sessions_without_personal_data() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let mut finished = Vec::new();
    for person in [&persons::OLA, &persons::KARI, &persons::SVEN] {
        let s = create(&client, redirect_request(vec![types::Include::Name])).await;
        sandbox
            .control()
            .complete(API, &s.id, person, Outcome::Success)
            .expect("complete");
        finished.push(s.id);
    }
    let active = create(&client, redirect_request(vec![])).await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut call = client.list_sessions().limit(NonZeroU32::new(2).unwrap());
        if let Some(c) = &cursor {
            call = call.cursor(c.clone());
        }
        let page = call.send().await.expect("list").into_inner();
        pages += 1;
        assert_eq!(page.limit, Some(2));
        for session in &page.data {
            assert!(session.identity.is_none(), "no personal data");
            assert!(session.redirect_settings.is_none());
            seen.push(session.id.clone());
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen, finished, "oldest first, active sessions left out");
    assert!(!seen.contains(&active.id));

    let error = client
        .list_sessions()
        .cursor("not-a-cursor")
        .send()
        .await
        .expect_err("bad cursor");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(
        error.typed().unwrap().invalid_params[0].name.as_deref(),
        Some("cursor")
    );
}

#[tokio::test]
async fn languages_and_id_providers() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let languages = client.list_languages().send().await.unwrap().into_inner();
    assert!(
        languages
            .iter()
            .any(|l| l.id == Some(types::Language::No) && l.name.as_deref() == Some("Norsk"))
    );
    let all = client
        .list_id_providers()
        .send()
        .await
        .unwrap()
        .into_inner();
    let account = client
        .list_account_id_providers()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(account.len() < all.len());
    for provider in [
        types::IdProviderType::NoBankidNetcentric,
        types::IdProviderType::SeBankid,
        types::IdProviderType::Idin,
    ] {
        assert!(
            account.iter().any(|p| p.type_.as_ref() == Some(&provider)),
            "{provider}"
        );
    }
    assert!(
        all.iter()
            .all(|p| p.type_.as_ref().is_some_and(|t| !t.is_unknown()))
    );
}

#[tokio::test]
async fn invalid_requests_and_wrong_secrets_are_reported_in_the_vendors_shape() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let error = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Redirect)
                .redirect_settings(Some(types::RedirectSettings {
                    success_url: Some("https://shop.example/done".into()),
                    abort_url: Some("https://shop.example/aborted".into()),
                    error_url: None,
                })),
        )
        .send()
        .await
        .expect_err("missing errorUrl");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let body = error.typed().unwrap();
    assert_eq!(body.code.as_deref(), Some("invalid_request"));
    assert_eq!(body.invalid_params.len(), 1);
    assert_eq!(
        body.invalid_params[0].name.as_deref(),
        Some("redirectSettings.errorUrl")
    );
    assert_eq!(
        error.vendor().map(|v| v.invalid_params[0].name.clone()),
        Some("redirectSettings.errorUrl".to_string())
    );

    let error = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::from("kiosk"))
                .include(vec![types::Include::from("shoe_size")]),
        )
        .send()
        .await
        .expect_err("unknown flow and include");
    let names: Vec<_> = error
        .typed()
        .unwrap()
        .invalid_params
        .iter()
        .filter_map(|p| p.name.clone())
        .collect();
    assert_eq!(names, ["flow", "include[0]"]);

    let wrong = sandbox
        .client_with_secret::<idv2::Client>("not-the-secret")
        .expect("client");
    let error = wrong
        .get_session()
        .id("x")
        .send()
        .await
        .expect_err("wrong secret");
    let message = error.to_string();
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("not-the-secret"), "{message}");
}
