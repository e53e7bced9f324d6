//! The Signicat (Idfy) Identification API v2 client: every spec example round-trips,
//! responses from a newer API and purged sessions deserialize, personal data stays out of
//! `Debug`, and the generated client against the sandbox (token endpoint, sessions,
//! invalidation, paging, languages, ID providers; what it sent read from the sandbox's
//! journal), with fixed answers for what the sandbox does not send.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use idverify_runtime::{Credentials, ErrorKind, VendorErrorShape};
use idverify_sandbox::{Api, Outcome, Sandbox, persons};
use idverify_signicat_identification_v2 as idv2;
use idverify_tests::{
    LocalServer, api_calls, assert_round_trip, body_text, round_trip_examples, token_requests,
};
use serde_json::{Value, json};

use idv2::types;

// ---------------------------------------------------------------------------------------
// Examples and types
// ---------------------------------------------------------------------------------------

#[test]
fn every_example_in_the_spec_round_trips() {
    let count = round_trip_examples!("signicat-identification-v2", {
        "/paths/~1sessions/post/requestBody/content/application~1json/examples/redirect/value" => types::CreateSessionRequest,
        "/paths/~1sessions/post/requestBody/content/application~1json/examples/iframe/value" => types::CreateSessionRequest,
        "/paths/~1sessions/post/requestBody/content/application~1json/examples/headless/value" => types::CreateSessionRequest,
        "/paths/~1sessions/get/responses/200/content/application~1json/example" => types::SessionList,
        "/paths/~1sessions~1{id}/get/responses/200/content/application~1json/examples/success/value" => types::Session,
        "/paths/~1sessions~1{id}/get/responses/200/content/application~1json/examples/purged/value" => types::Session,
        "/paths/~1sessions~1{id}/get/responses/200/content/application~1json/examples/failed/value" => types::Session,
        "/paths/~1languages/get/responses/200/content/application~1json/example" => Vec<types::LanguageDetails>,
        "/components/responses/Session/content/application~1json/example" => types::Session,
        "/components/responses/IdProviders/content/application~1json/example" => Vec<types::IdProvider>,
        "/components/responses/Error/content/application~1json/example" => types::ApiError,
        "/components/schemas/CreateSessionRequest/properties/include/example" => Vec<types::Include>,
        "/components/schemas/IframeMessage/example" => types::IframeMessage,
    });
    assert_eq!(count, 13);
}

#[test]
fn the_seed_samples_decode_to_the_documented_values() {
    let spec = idverify_tests::spec("signicat-identification-v2");
    let example = |name: &str| {
        spec.pointer(&format!(
            "/paths/~1sessions/post/requestBody/content/application~1json/examples/{name}/value"
        ))
        .unwrap()
        .clone()
    };

    let redirect: types::CreateSessionRequest =
        serde_json::from_value(example("redirect")).unwrap();
    assert_eq!(redirect.flow, types::Flow::Redirect);
    assert_eq!(redirect.language, Some(types::Language::No));
    assert_eq!(
        redirect.allowed_providers,
        vec![types::IdProviderType::NoBankidMobile]
    );
    assert_eq!(
        redirect.include,
        vec![types::Include::Name, types::Include::Nin]
    );
    let settings = redirect.redirect_settings.unwrap();
    assert_eq!(
        settings.success_url.as_deref(),
        Some("https://secure.wayneenterprises.com/success")
    );
    // The guide's sample has a leading space; it is kept, not "fixed" by the client.
    assert_eq!(
        settings.abort_url.as_deref(),
        Some(" https://secure.wayneenterprises.com/abort")
    );

    let iframe: types::CreateSessionRequest = serde_json::from_value(example("iframe")).unwrap();
    assert_eq!(iframe.flow, types::Flow::Iframe);
    let iframe_settings = iframe.iframe_settings.unwrap();
    assert_eq!(
        iframe_settings.parent_domains,
        vec!["https://secure.wayneenterprises.com".to_string()]
    );
    assert_eq!(
        iframe_settings.post_message_target_origin.as_deref(),
        Some("https://secure.wayneenterprises.com")
    );

    let headless: types::CreateSessionRequest =
        serde_json::from_value(example("headless")).unwrap();
    assert_eq!(headless.flow, types::Flow::Headless);
    assert_eq!(headless.language, None);
    assert_eq!(headless.external_reference.as_deref(), Some("123456789"));
    let prefilled = headless.prefilled_input.unwrap();
    assert_eq!(prefilled.phone_number.as_deref(), Some("+4799887766"));
    assert_eq!(prefilled.date_of_birth.as_deref(), Some("1983-12-07"));
}

#[test]
fn every_documented_enum_value_is_known_and_serialises_as_on_the_wire() {
    fn known<T>(wire: &str) -> T
    where
        T: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
    {
        let value: T = serde_json::from_value(json!(wire)).unwrap();
        assert!(
            !format!("{value:?}").starts_with("Unknown"),
            "`{wire}` is not a known {}",
            std::any::type_name::<T>()
        );
        assert_eq!(serde_json::to_value(&value).unwrap(), json!(wire));
        value
    }
    for status in [
        "created",
        "user_initiated",
        "user_aborted",
        "timed_out",
        "invalidated",
        "failed",
        "success",
    ] {
        known::<types::SessionStatus>(status);
    }
    for include in [
        "name",
        "date_of_birth",
        "phone_number",
        "nin",
        "email",
        "organization",
        "nin_consent",
        "resource.vipps_aml_person",
    ] {
        known::<types::Include>(include);
    }
    assert_eq!(
        known::<types::Include>("resource.vipps_aml_person"),
        types::Include::ResourceVippsAmlPerson
    );
    for flow in ["redirect", "iframe", "headless"] {
        known::<types::Flow>(flow);
    }
    for status in ["success", "aborted", "error"] {
        known::<types::IframeMessageStatus>(status);
    }
    for mode in ["light", "dark"] {
        known::<types::ThemeMode>(mode);
    }
    for theme in ["default", "light_blue"] {
        known::<types::ColorTheme>(theme);
    }
    for provider in [
        "no_bankid_netcentric",
        "no_bankid_mobile",
        "se_bankid",
        "sms_otp",
        "freja",
        "microsoft",
        "github",
        "linkedin",
        "itsme",
        "idin",
        "digid",
        "eherkenning",
    ] {
        known::<types::IdProviderType>(provider);
    }
}

#[test]
fn a_create_request_built_in_code_has_the_vendors_field_names() {
    let request: types::CreateSessionRequest = types::CreateSessionRequest::builder()
        .flow(types::Flow::Iframe)
        .allowed_providers(vec![
            types::IdProviderType::NoBankidNetcentric,
            types::IdProviderType::SeBankid,
        ])
        .language(Some(types::Language::Sv))
        .include(vec![
            types::Include::Name,
            types::Include::NinConsent,
            types::Include::ResourceVippsAmlPerson,
        ])
        .iframe_settings(Some(
            types::IframeSettings::builder()
                .parent_domains(vec!["https://shop.example".to_string()])
                .post_message_target_origin(Some("https://shop.example".to_string()))
                .try_into()
                .unwrap(),
        ))
        .department_id(Some("dept-7".to_string()))
        .ui(Some(
            types::UiSettings::builder()
                .hide_provider_header(Some(true))
                .hide_footer(Some(false))
                .theme_mode(Some(types::ThemeMode::Dark))
                .color_theme(Some(types::ColorTheme::LightBlue))
                .top_bar(Some(
                    types::TopBarSettings::builder()
                        .title(Some("Shop".to_string()))
                        .foreground_color(Some("#ffffff".to_string()))
                        .background_color(Some("#000000".to_string()))
                        .try_into()
                        .unwrap(),
                ))
                .try_into()
                .unwrap(),
        ))
        .prefilled_input(Some(
            types::PrefilledInput::builder()
                .nin(Some("07128312345".to_string()))
                // Norwegian BankID on mobile also takes DDMMYY.
                .date_of_birth(Some("071283".to_string()))
                .username(Some("brucewayne".to_string()))
                .try_into()
                .unwrap(),
        ))
        .try_into()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "flow": "iframe",
            "allowedProviders": ["no_bankid_netcentric", "se_bankid"],
            "language": "sv",
            "include": ["name", "nin_consent", "resource.vipps_aml_person"],
            "iframeSettings": {
                "parentDomains": ["https://shop.example"],
                "postMessageTargetOrigin": "https://shop.example"
            },
            "departmentId": "dept-7",
            "ui": {
                "hideProviderHeader": true,
                "hideFooter": false,
                "themeMode": "dark",
                "colorTheme": "light_blue",
                "topBar": { "title": "Shop", "foregroundColor": "#ffffff", "backgroundColor": "#000000" }
            },
            "prefilledInput": { "nin": "07128312345", "dateOfBirth": "071283", "username": "brucewayne" }
        })
    );
}

#[test]
fn a_session_after_the_one_hour_purge_still_deserializes() {
    // Exactly the fields the migration guide says remain after one hour.
    let purged = json!({
        "id": "3f7d2a4e8b5c4b6e9a1f0c2d4e6f8a0b",
        "created": "2021-04-23T12:00:00Z",
        "expires": "2021-04-23T12:10:00Z",
        "status": "success",
        "language": "no",
        "flow": "headless",
        "provider": "no_bankid_mobile",
        "environment": { "userAgent": "Mozilla/5.0" },
        "externalReference": "123456789",
        "error": { "message": "none", "code": "ok" }
    });
    let session: types::Session = assert_round_trip("purged session", &purged);
    assert_eq!(session.status, types::SessionStatus::Success);
    assert_eq!(session.flow, types::Flow::Headless);
    assert_eq!(
        session.provider,
        Some(types::IdProviderType::NoBankidMobile)
    );
    assert_eq!(session.language, Some(types::Language::No));
    assert_eq!(session.external_reference.as_deref(), Some("123456789"));
    let environment = session.environment.as_ref().unwrap();
    assert_eq!(environment.user_agent.as_deref(), Some("Mozilla/5.0"));
    assert_eq!(environment.ip_address, None);
    assert!(session.identity.is_none());
    assert!(session.audit_trail.is_none());
    assert!(session.prefilled_input.is_none());
    assert!(session.resources.is_none());
    assert!(session.security_reference.is_none());
    assert!(session.url.is_none());

    // The purged fields may also come back as explicit nulls.
    let mut nulls = purged.clone();
    for field in [
        "url",
        "securityReference",
        "identity",
        "allowedProviders",
        "include",
        "redirectSettings",
        "iframeSettings",
        "departmentId",
        "ui",
        "prefilledInput",
        "resources",
        "auditTrail",
    ] {
        nulls[field] = Value::Null;
    }
    nulls["environment"]["ipAddress"] = Value::Null;
    let session: types::Session = assert_round_trip("purged session with nulls", &nulls);
    assert!(session.identity.is_none());

    // A purged page of the session list.
    let page = json!({ "limit": 10, "data": [purged] });
    let page: types::SessionList = assert_round_trip("purged page", &page);
    assert_eq!(page.next_cursor, None);
    assert_eq!(page.data.len(), 1);
}

#[test]
fn responses_from_a_newer_api_still_deserialize() {
    let session: types::Session = serde_json::from_value(json!({
        "id": "s-1",
        "created": "2030-01-01T00:00:00Z",
        "expires": "2030-01-01T00:10:00Z",
        "status": "pending_review",
        "flow": "app2app",
        "provider": "pl_mojeid",
        "language": "pl",
        "url": null,
        "securityReference": null,
        "riskScore": { "level": "low" },
        "include": ["name", "address"],
        "identity": { "providerId": "p-1", "middleName": null, "address": "1007 Mountain Drive" },
        "resources": [{ "type": "kyc_report", "status": "queued" }],
        "auditTrail": { "events": [{ "id": 1, "eventType": "warning" }] }
    }))
    .expect("forward compatible");
    assert_eq!(session.status, types::SessionStatus::from("pending_review"));
    assert_eq!(session.flow, types::Flow::from("app2app"));
    assert_eq!(
        session.provider,
        Some(types::IdProviderType::from("pl_mojeid"))
    );
    assert_eq!(session.language, Some(types::Language::from("pl")));
    assert_eq!(session.url, None);
    assert_eq!(
        session.include,
        Some(vec![types::Include::Name, types::Include::from("address")])
    );
    let identity = session.identity.as_ref().unwrap();
    assert_eq!(identity.middle_name, None);
    // New identity fields are kept (and redacted, see below).
    assert_eq!(
        identity.extra.get("address"),
        Some(&json!("1007 Mountain Drive"))
    );
    let resource = &session.resources.as_ref().unwrap()[0];
    assert_eq!(
        resource.type_,
        Some(types::ResourceType::from("kyc_report"))
    );
    assert_eq!(resource.status, Some(types::ResourceStatus::from("queued")));
    // Unknown values are sent back unchanged.
    let back = serde_json::to_value(&session).unwrap();
    assert_eq!(back["status"], "pending_review");
    assert_eq!(back["identity"]["address"], "1007 Mountain Drive");
    assert_eq!(back["auditTrail"]["events"][0]["eventType"], "warning");

    let message: types::IframeMessage =
        serde_json::from_str(r#"{"sessionId":"s-1","status":"expired","extra":1}"#).unwrap();
    assert_eq!(message.status, types::IframeMessageStatus::from("expired"));
}

/// A successful session holding every kind of personal data the API returns.
fn full_session() -> Value {
    json!({
        "id": "sess-pii",
        "url": "https://id.signicat.io/sessions/sess-pii",
        "securityReference": "Tiger Blue",
        "status": "success",
        "created": "2021-04-23T12:00:00Z",
        "expires": "2021-04-23T12:10:00Z",
        "provider": "no_bankid_mobile",
        "flow": "headless",
        "identity": {
            "providerId": "9578-6000-4-48855",
            "fullName": "Bruce Thomas Wayne",
            "firstName": "Bruce",
            "middleName": "Thomas",
            "lastName": "Wayneson",
            "dateOfBirth": "1983-12-07",
            "nin": "07128312345",
            "phoneNumber": "+4799887766",
            "email": "bruce@wayneenterprises.com",
            "organization": { "name": "Wayne Enterprises", "organizationNumber": "987654321", "country": "NO" },
            "attributes": { "gender": "m", "bankAccount": "12345678903" },
            "homeAddress": "1007 Mountain Drive"
        },
        "environment": { "userAgent": "Mozilla/5.0", "ipAddress": "203.0.113.77" },
        "prefilledInput": { "nin": "07128312345", "phoneNumber": "+4799887766", "dateOfBirth": "071283", "username": "bwayne-login" },
        "auditTrail": {
            "certificate": "MIIcertificateOfBruce",
            "events": [{ "id": 1, "name": "signed", "eventType": "success", "eventData": { "signer": "Alfred Pennyworth" } }]
        }
    })
}

const PERSONAL_VALUES: &[&str] = &[
    "9578-6000-4-48855",
    "Bruce",
    "Thomas",
    "Wayneson",
    "1983-12-07",
    "071283",
    "07128312345",
    "+4799887766",
    "bruce@wayneenterprises.com",
    "Wayne Enterprises",
    "987654321",
    "12345678903",
    "1007 Mountain Drive",
    "203.0.113.77",
    "bwayne-login",
    "MIIcertificateOfBruce",
    "Alfred Pennyworth",
];

#[test]
fn personal_data_is_redacted_from_debug_output() {
    let session: types::Session = serde_json::from_value(full_session()).unwrap();
    let debug = format!("{session:?}\n{session:#?}");
    for value in PERSONAL_VALUES {
        assert!(
            !debug.contains(value),
            "`{value}` appears in Debug output:\n{debug}"
        );
    }
    assert!(debug.contains("[redacted]"), "{debug}");
    // What is not personal stays visible for debugging.
    assert!(debug.contains("sess-pii"), "{debug}");
    assert!(debug.contains("Mozilla/5.0"), "{debug}");
    assert!(debug.contains("Tiger Blue"), "{debug}");
    // Serialisation is unchanged.
    assert_eq!(serde_json::to_value(&session).unwrap(), full_session());

    // Builders holding personal data are redacted too.
    let builder = types::PrefilledInput::builder()
        .nin(Some("07128312345".to_string()))
        .phone_number(Some("+4799887766".to_string()));
    let debug = format!("{builder:?}");
    assert!(
        !debug.contains("07128312345") && !debug.contains("+4799887766"),
        "{debug}"
    );

    let token: types::TokenResponse = serde_json::from_value(
        json!({ "access_token": "eyJ-secret-token", "expires_in": 3600, "token_type": "Bearer" }),
    )
    .unwrap();
    assert!(!format!("{token:?}").contains("eyJ-secret-token"));
}

// ---------------------------------------------------------------------------------------
// End to end against the sandbox
// ---------------------------------------------------------------------------------------

const API: Api = Api::SignicatIdentificationV2;

#[tokio::test]
async fn create_get_invalidate_list_and_configuration_calls() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");
    let secret = sandbox.endpoint::<idv2::Client>().client.secret;

    // Create a headless session (the guide's headless sample, built in code).
    let created = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Headless)
                .allowed_providers(vec![types::IdProviderType::NoBankidMobile])
                .include(vec![types::Include::Name, types::Include::Nin])
                .external_reference(Some("123456789".to_string()))
                .prefilled_input(Some(
                    types::PrefilledInput::builder()
                        .phone_number(Some("+4799887766".to_string()))
                        .date_of_birth(Some("1983-12-07".to_string()))
                        .try_into()
                        .unwrap(),
                )),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let created = created.into_inner();
    assert_eq!(created.status, types::SessionStatus::Created);
    assert_eq!(created.flow, types::Flow::Headless);
    assert_eq!(created.url, None, "a headless session has no page");
    assert!(
        created.security_reference.is_some(),
        "shown to the end user"
    );
    assert!(!created.created.is_empty());
    let calls = api_calls::<idv2::Client>(&sandbox);
    let call = &calls[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/sessions")
    );
    assert_eq!(call.header("authorization"), Some("Bearer [redacted]"));
    assert_eq!(call.header("content-type"), Some("application/json"));
    assert_eq!(
        call.json().unwrap(),
        json!({
            "allowedProviders": ["no_bankid_mobile"],
            "flow": "headless",
            "include": ["name", "nin"],
            "externalReference": "123456789",
            "prefilledInput": { "phoneNumber": "+4799887766", "dateOfBirth": "1983-12-07" }
        })
    );

    // Poll it after the end user has identified.
    let person = persons::OLA;
    sandbox
        .control()
        .complete(API, &created.id, &person, Outcome::Success)
        .expect("complete");
    let fetched = client
        .get_session()
        .id(&created.id)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(fetched.status, types::SessionStatus::Success);
    assert_eq!(
        fetched.provider,
        Some(types::IdProviderType::NoBankidMobile)
    );
    let identity = fetched.identity.as_ref().expect("identity");
    assert!(
        identity
            .full_name
            .as_deref()
            .unwrap()
            .contains(person.last_name)
    );
    assert_eq!(identity.nin.as_deref(), Some(person.national_id));
    assert!(fetched.environment.is_some());
    let debug = format!("{fetched:?} {client:?}");
    for value in [
        person.first_name,
        person.last_name,
        person.national_id,
        secret,
    ] {
        assert!(!debug.contains(value), "`{value}` appears in Debug output");
    }

    // A completed session cannot be invalidated: the vendor's error comes back typed.
    match client.invalidate_session().id(&created.id).send().await {
        Err(error) if error.kind() == ErrorKind::Vendor => {
            assert_eq!(error.status().unwrap(), 400);
            let body = error.typed().unwrap();
            assert_eq!(body.code.as_deref(), Some("session_not_active"));
            assert_eq!(body.title.as_deref(), Some("Session cannot be invalidated"));
            assert!(!error.is_retryable());
        }
        other => panic!("expected a typed 400, got {other:?}"),
    }

    // A redirect session, invalidated before the end user starts it.
    let redirect = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Redirect)
                .redirect_settings(Some(
                    types::RedirectSettings::builder()
                        .success_url(Some("https://shop.example/ok".to_string()))
                        .abort_url(Some("https://shop.example/abort".to_string()))
                        .error_url(Some("https://shop.example/error".to_string()))
                        .try_into()
                        .unwrap(),
                )),
        )
        .send()
        .await
        .expect("create redirect")
        .into_inner();
    assert!(redirect.url.as_deref().unwrap().ends_with(&redirect.id));
    assert_eq!(
        redirect
            .redirect_settings
            .as_ref()
            .and_then(|r| r.abort_url.as_deref()),
        Some("https://shop.example/abort")
    );
    let invalidated = client
        .invalidate_session()
        .id(&redirect.id)
        .send()
        .await
        .expect("invalidate");
    assert_eq!(invalidated.status(), 204);
    let call = api_calls::<idv2::Client>(&sandbox).pop().unwrap();
    assert_eq!(call.method, "POST");
    assert_eq!(call.path, format!("/sessions/{}/invalidate", redirect.id));
    assert_eq!(call.header("authorization"), Some("Bearer [redacted]"));
    assert!(
        call.body.is_empty(),
        "invalidate sends no body: {:?}",
        call.body
    );
    let reread = client
        .get_session()
        .id(&redirect.id)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(reread.status, types::SessionStatus::Invalidated);

    // List with a cursor, page by page.
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    let before = api_calls::<idv2::Client>(&sandbox).len();
    loop {
        let mut call = client.list_sessions().limit(1);
        if let Some(c) = &cursor {
            call = call.cursor(c.clone());
        }
        let page = call.send().await.expect("list").into_inner();
        pages += 1;
        assert_eq!(page.limit, Some(1));
        ids.extend(page.data.iter().map(|s| s.id.clone()));
        assert!(page.data.iter().all(|s| s.identity.is_none()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(ids, [created.id.clone(), redirect.id.clone()]);
    let lists: Vec<String> = api_calls::<idv2::Client>(&sandbox)[before..]
        .iter()
        .map(|c| format!("{}?{}", c.path, c.query.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(lists.len(), 2, "{lists:?}");
    assert!(
        lists[0].contains("limit=1") && !lists[0].contains("cursor"),
        "{}",
        lists[0]
    );
    assert!(
        lists[1].contains("cursor=") && lists[1].contains("limit=1"),
        "{}",
        lists[1]
    );

    // Languages and ID providers.
    let languages = client
        .list_languages()
        .send()
        .await
        .expect("languages")
        .into_inner();
    assert!(languages.iter().any(|l| l.id == Some(types::Language::No)));
    let all = client
        .list_id_providers()
        .send()
        .await
        .expect("providers")
        .into_inner();
    let account = client
        .list_account_id_providers()
        .send()
        .await
        .expect("account providers")
        .into_inner();
    assert!(account.len() <= all.len());
    assert!(
        api_calls::<idv2::Client>(&sandbox)
            .iter()
            .any(|c| c.method == "GET" && c.path == "/id-providers/account")
    );

    // One token for all these calls, asked for with the documented scope.
    let forms: Vec<String> = token_requests::<idv2::Client>(&sandbox)
        .iter()
        .map(body_text)
        .collect();
    assert_eq!(forms.len(), 1);
    assert!(
        forms[0].contains("grant_type=client_credentials"),
        "{}",
        forms[0]
    );
    assert!(forms[0].contains("scope=identify"), "{}", forms[0]);
    assert!(
        !forms[0].contains("client_secret"),
        "the secret goes as HTTP Basic: {}",
        forms[0]
    );
    assert_eq!(
        sandbox.journal(API)[0].header("authorization"),
        Some("Basic [redacted]")
    );
}

/// A fixed token route and `GET {path}` answering `body` with `status`: answers the
/// sandbox does not give (values and members newer than the spec, the SDK's error form,
/// an error that echoes the input).
async fn fixed_answer(path: &str, status: StatusCode, body: Value) -> (LocalServer, idv2::Client) {
    let answer = move || {
        let body = body.clone();
        async move { (status, axum::Json(body)) }
    };
    let server = LocalServer::start(
        Router::new()
            .route(
                "/oauth/connect/token",
                post(|| async { axum::Json(json!({ "access_token": "t", "expires_in": 3600 })) }),
            )
            .route(path, get(answer.clone()).post(answer)),
    )
    .await;
    let client = idv2::Client::builder()
        .base_url(format!("{}/identification/v2", server.base_url))
        .token_url(format!("{}/oauth/connect/token", server.base_url))
        .credentials(Credentials::client_credentials("client-v2", "s"))
        .build()
        .expect("client");
    (server, client)
}

#[tokio::test]
async fn languages_and_id_providers_keep_unknown_values_and_members() {
    let (_server, client) = fixed_answer(
        "/identification/v2/languages",
        StatusCode::OK,
        json!([
            { "id": "en", "name": "English" },
            { "id": "no", "name": "Norsk", "nativeName": "norsk" },
            { "id": "pl", "name": "Polski" }
        ]),
    )
    .await;
    let languages = client
        .list_languages()
        .send()
        .await
        .expect("languages")
        .into_inner();
    assert_eq!(languages.len(), 3);
    assert_eq!(languages[1].id, Some(types::Language::No));
    assert_eq!(languages[1].extra.get("nativeName"), Some(&json!("norsk")));
    assert_eq!(languages[2].id, Some(types::Language::from("pl")));

    let (_server, client) = fixed_answer(
        "/identification/v2/id-providers",
        StatusCode::OK,
        json!([
            { "type": "no_bankid_mobile", "name": "BankID på mobil", "logoUrl": "https://cdn.example/nbid.svg" },
            { "type": "se_bankid", "name": "BankID", "logoWidth": "80%" },
            { "type": "vipps", "name": "Vipps", "beta": true }
        ]),
    )
    .await;
    let all = client
        .list_id_providers()
        .send()
        .await
        .expect("providers")
        .into_inner();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].type_, Some(types::IdProviderType::NoBankidMobile));
    assert_eq!(all[1].logo_width.as_deref(), Some("80%"));
    assert_eq!(all[2].type_, Some(types::IdProviderType::from("vipps")));
    assert_eq!(all[2].extra.get("beta"), Some(&json!(true)));
}

#[tokio::test]
async fn vendor_errors_come_back_typed() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idv2::Client>().expect("client");

    match client.get_session().id("nope").send().await {
        Err(error) if error.kind() == ErrorKind::Vendor => {
            assert_eq!(error.status().unwrap(), 404);
            let problem = error.typed().unwrap();
            assert_eq!(problem.title.as_deref(), Some("Session not found"));
            assert!(problem.trace_id.is_some());
            assert_eq!(error.vendor().unwrap().shape, VendorErrorShape::Problem);
            assert_eq!(error.operation(), "get_session");
        }
        other => panic!("expected a typed 404, got {other:?}"),
    }

    // The vendor SDK's validation error form.
    let (_server, client) = fixed_answer(
        "/identification/v2/sessions",
        StatusCode::BAD_REQUEST,
        json!({
            "message": "Validation failed",
            "code": "validation_error",
            "errors": [{ "field": "prefilledInput.phoneNumber", "message": "Required for headless" }]
        }),
    )
    .await;
    let err = client
        .create_session()
        .body(types::CreateSessionRequest::builder().flow(types::Flow::Headless))
        .send()
        .await
        .expect_err("headless without a phone number");
    assert_eq!(err.kind(), ErrorKind::Vendor, "{err:?}");
    assert_eq!(err.status().unwrap(), 400);
    let body = err.typed().unwrap();
    assert_eq!(body.message.as_deref(), Some("Validation failed"));
    assert_eq!(
        body.errors[0].field.as_deref(),
        Some("prefilledInput.phoneNumber")
    );
    let vendor = err.vendor().unwrap();
    assert_eq!(vendor.code.as_deref(), Some("validation_error"));
    assert_eq!(vendor.message.as_deref(), Some("Validation failed"));

    // An error echoing personal input: typed and reachable, but not in Display or Debug.
    let (_server, client) = fixed_answer(
        "/identification/v2/sessions",
        StatusCode::BAD_REQUEST,
        json!({
            "title": "Invalid request",
            "detail": "NIN 00012345678 is invalid",
            "status": 400,
            "traceId": "trace-400",
            "invalidParams": [{ "name": "prefilledInput.nin", "reason": "00012345678 fails the checksum" }]
        }),
    )
    .await;
    let err = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Redirect)
                .prefilled_input(Some(
                    types::PrefilledInput::builder()
                        .nin(Some("00012345678".to_string()))
                        .try_into()
                        .unwrap(),
                )),
        )
        .send()
        .await
        .expect_err("invalid nin");
    assert_eq!(err.kind(), ErrorKind::Vendor);
    let problem = err.typed().unwrap();
    assert_eq!(
        problem.detail.as_deref(),
        Some("NIN 00012345678 is invalid")
    );
    assert_eq!(
        problem.invalid_params[0].name.as_deref(),
        Some("prefilledInput.nin")
    );
    let shown = format!("{err} {err:?} {problem:?}");
    assert!(!shown.contains("00012345678"), "{shown}");
    assert!(shown.contains("trace-400"), "{shown}");
}

#[tokio::test]
async fn bad_client_credentials_surface_the_token_endpoint_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_with_secret::<idv2::Client>("wrong-secret")
        .unwrap();
    let err = client.list_languages().send().await.expect_err("must fail");
    let message = err.to_string();
    assert!(message.contains("/oauth/connect/token"), "{message}");
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("wrong-secret"), "{message}");
    let journal = sandbox.journal(API);
    assert_eq!(journal.len(), 1, "no API call without a token");
    assert!(journal[0].path.ends_with("/oauth/connect/token"));
}

#[test]
fn environments_and_https() {
    assert_eq!(
        idv2::environments::PRODUCTION.base_url,
        "https://api.signicat.io/identification/v2"
    );
    assert_eq!(
        idv2::environments::PRODUCTION.token_url,
        Some("https://api.signicat.io/oauth/connect/token")
    );
    assert_eq!(
        idv2::environments::IDFY.base_url,
        "https://api.idfy.io/identification/v2"
    );
    let err = idv2::Client::builder()
        .base_url("http://api.signicat.io/identification/v2")
        .build()
        .expect_err("plain http to a remote host");
    assert!(err.to_string().contains("not HTTPS"), "{err}");
}
