//! The generated Idfy Identification v1 client: every sample of the vendor's docs round
//! trips, newer responses still decode, personal data stays out of `Debug`, and every
//! operation (plus the `NextLink` helper) works against the sandbox, with the OAuth2
//! token endpoint; what the client sent is read from the sandbox's journal.

use idfy::types;
use idverify_idfy_identification_v1 as idfy;
use idverify_runtime::{ErrorKind, VendorErrorShape};
use idverify_sandbox::{Api, JournalEntry, Outcome, Sandbox, SandboxApi, SandboxHandle, persons};
use idverify_tests::{api_calls, body_text, fail_next_calls, round_trip_examples, token_requests};
use serde_json::json;

const SANDBOX_API: Api = Api::IdfyIdentificationV1;

const API: &str = "idfy-identification-v1";
const REQUEST_ID: &str = "25191832985138881678wuuPNTgWL4Aq7R";

#[test]
fn every_sample_in_the_spec_round_trips() {
    let count = round_trip_examples!(API, {
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/redirect/value" => types::CreateIdentificationRequest,
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/redirectWithReference/value" => types::CreateIdentificationRequest,
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/iframe/value" => types::CreateIdentificationRequest,
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/iframeWithAddons/value" => types::CreateIdentificationRequest,
        "/paths/~1identification~1session/post/responses/200/content/application~1json/example" => types::CreateIdentificationResponse,
        "/paths/~1identification~1session/get/responses/200/content/application~1json/examples/restApiFlow/value" => types::IdentificationResponse,
        "/paths/~1identification~1session/get/responses/200/content/application~1json/examples/withMetaData/value" => types::IdentificationResponse,
        "/paths/~1identification~1session~1invalidate/put/requestBody/content/application~1json/example" => types::InvalidateIdentificationRequest,
        "/paths/~1identification~1log~1requestId~1{requestId}/get/responses/200/content/application~1json/example" => types::IdentificationLogItem,
        "/paths/~1identification~1log~1filter~1{year}/get/responses/200/content/application~1json/example" => types::IdentificationLogList,
        "/paths/~1identification~1no~1bankid~1mobile/post/requestBody/content/application~1json/example" => types::CreateBankIdMobileRequest,
        "/components/schemas/TokenRequest/example" => types::TokenRequest,
        "/components/schemas/TokenResponse/example" => types::TokenResponse,
    });
    assert_eq!(count, 13);
}

#[test]
fn the_seed_samples_decode_to_the_documented_values() {
    let spec = idverify_tests::spec(API);
    let at = |pointer: &str| spec.pointer(pointer).unwrap().clone();

    // REST API Flow guide, step 1.
    let create: types::CreateIdentificationRequest = serde_json::from_value(at(
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/redirect/value",
    ))
    .unwrap();
    assert_eq!(
        create.identity_provider,
        Some(types::IdentityProvider::NoBankidWeb)
    );
    assert_eq!(create.language, Some(types::Language::No));
    assert_eq!(create.get_social_security_number, Some(true));
    let urls = create.return_urls.unwrap();
    assert!(urls.error.ends_with("status=[0]"));
    assert!(urls.success.ends_with("requestid=[1]&externalid=[2]"));

    // Migration guide, v1 iframe: no ReturnUrls, iFrame with its required Domain.
    let iframe: types::CreateIdentificationRequest = serde_json::from_value(at(
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/iframe/value",
    ))
    .unwrap();
    assert!(iframe.return_urls.is_none());
    let frame = iframe.i_frame.unwrap();
    assert_eq!(frame.domain, "https://example.com");
    assert_eq!(frame.web_messaging, Some(true));
    // `Domain` is required.
    assert!(
        serde_json::from_value::<types::IFrameSettings>(json!({ "WebMessaging": true })).is_err()
    );

    // REST API Flow guide, step 3.
    let session: types::IdentificationResponse = serde_json::from_value(at(
        "/paths/~1identification~1session/get/responses/200/content/application~1json/examples/restApiFlow/value",
    ))
    .unwrap();
    assert_eq!(session.status, Some(types::Status::Success));
    assert_eq!(session.date_of_birth.as_deref(), Some("010740"));
    assert_eq!(
        session.social_security_number.as_deref(),
        Some("01074012345")
    );
    assert_eq!(
        session.environment_info.unwrap().ip_address.as_deref(),
        Some("127.0.0.1")
    );

    // Migration guide, v1 headless BankID on mobile.
    let mobile: types::CreateBankIdMobileRequest = serde_json::from_value(at(
        "/paths/~1identification~1no~1bankid~1mobile/post/requestBody/content/application~1json/example",
    ))
    .unwrap();
    assert_eq!(mobile.mobile_number, "99887766");
    assert_eq!(mobile.date_of_birth, "071283");

    let list: types::IdentificationLogList = serde_json::from_value(at(
        "/paths/~1identification~1log~1filter~1{year}/get/responses/200/content/application~1json/example",
    ))
    .unwrap();
    assert_eq!(list.total_links, Some(5));
    assert_eq!(list.next_skip(), Some(1));
    let items = list.list.unwrap();
    assert_eq!(
        items[1].identity_provider_type,
        Some(types::IdentityProvider::FiTupas)
    );
    assert_eq!(items[1].status, Some(types::Status::Error));
    assert_eq!(items[1].errorcode.as_deref(), Some("TIMEOUT"));
    // The 7-digit fraction is kept as sent.
    assert_eq!(
        items[1].timestamp.as_deref(),
        Some("2018-11-01T13:13:45.1501963Z")
    );
}

#[test]
fn responses_from_a_newer_api_still_deserialize() {
    let session: types::IdentificationResponse = serde_json::from_value(json!({
        "Name": "Wayne, Bruce Thomas",
        "MiddleName": null,
        "Error": null,
        "MetaData": null,
        "Status": "PENDING_REVIEW",
        "IdentityProvider": "NO_VIPPS",
        "EnvironmentInfo": { "UserAgent": "ua", "IPAddress": null, "DeviceId": "d-1" },
        "RiskScore": { "value": 3 }
    }))
    .expect("forward compatible");
    assert_eq!(session.status, Some(types::Status::from("PENDING_REVIEW")));
    assert_eq!(
        session.identity_provider,
        Some(types::IdentityProvider::from("NO_VIPPS"))
    );
    assert_eq!(session.middle_name, None);
    assert_eq!(session.error, None);
    assert_eq!(session.environment_info.unwrap().ip_address, None);
    // An unknown value is sent back exactly as received.
    assert_eq!(
        serde_json::to_value(types::Status::from("PENDING_REVIEW")).unwrap(),
        json!("PENDING_REVIEW")
    );

    // `UNKNOWN` is a documented value, distinct from the catch-all.
    let item: types::IdentificationLogItem = serde_json::from_value(json!({
        "Status": "UNKNOWN", "IdentityProviderType": "UNKNOWN", "Language": "DE", "Name": null,
        "NewFlag": true
    }))
    .unwrap();
    assert_eq!(item.status, Some(types::Status::UnknownValue));
    assert_eq!(
        item.identity_provider_type,
        Some(types::IdentityProvider::UnknownValue)
    );
    assert_eq!(item.language, Some(types::Language::from("DE")));
    assert_eq!(
        serde_json::to_value(&item.status).unwrap(),
        json!("UNKNOWN")
    );

    let mobile: types::CreateBankIdMobileResponse = serde_json::from_value(json!({
        "RequestId": "r", "MerchantRef": null, "Error": null, "OK": true,
        "InvalidMobileNumberOrDateOfBirth": null, "SecurityReference": "x"
    }))
    .unwrap();
    assert_eq!(mobile.ok, Some(true));
    assert_eq!(mobile.merchant_ref, None);
}

#[test]
fn personal_data_is_redacted_from_debug_output() {
    let session: types::IdentificationResponse = serde_json::from_value(json!({
        "Name": "Wayne, Bruce Thomas",
        "FirstName": "Bruce",
        "MiddleName": "Thomas",
        "LastName": "Wayne",
        "DateOfBirth": "010740",
        "Status": "SUCCESS",
        "SocialSecurityNumber": "01074012345",
        "IdentityProviderUniqueId": "9875-4000-1-54321",
        "IdentityProvider": "NO_BANKID_WEB",
        "EnvironmentInfo": { "UserAgent": "Mozilla/5.0", "IPAddress": "198.51.100.23" },
        "MetaData": { "no.personal.info": "{\"Address\":\"Mountain Drive 1007\"}" },
        "RequestId": REQUEST_ID
    }))
    .unwrap();
    let log: types::IdentificationLogList = serde_json::from_value(json!({
        "List": [{ "Id": "log-1", "Name": "Selina Kyle", "ClientIp": "203.0.113.9", "Status": "SUCCESS" }],
        // The next page's link repeats the filters, a person's name among them.
        "NextLink": "/identification/log/filter/2017?name=Harvey%20Dent&skip=1"
    }))
    .unwrap();
    let mobile = types::CreateBankIdMobileRequest {
        mobile_number: "99887766".into(),
        date_of_birth: "071283".into(),
        get_social_security_number: Some(true),
        external_reference: Some("ref-1".into()),
        addonservices: None,
    };
    let create = types::CreateIdentificationRequest {
        pre_filled_social_security_number: Some("23071212345".into()),
        ..Default::default()
    };
    let debug = format!("{session:?} {session:#?} {log:?} {mobile:?} {create:?}");
    for personal in [
        "Wayne",
        "Bruce",
        "Thomas",
        "010740",
        "01074012345",
        "9875-4000-1-54321",
        "198.51.100.23",
        "Mountain Drive",
        "Selina Kyle",
        "Harvey",
        "203.0.113.9",
        "99887766",
        "071283",
        "23071212345",
    ] {
        assert!(!debug.contains(personal), "`{personal}` appears in {debug}");
    }
    assert!(debug.contains("[redacted]"));
    // What is not personal stays visible, so the output is still useful.
    assert!(debug.contains(REQUEST_ID));
    assert!(debug.contains("Mozilla/5.0"));
    assert!(debug.contains("ref-1"));
    // Serialisation is unchanged.
    assert_eq!(
        serde_json::to_value(&session).unwrap()["SocialSecurityNumber"],
        json!("01074012345")
    );
}

// ---------------------------------------------------------------------------------
// A local vendor.

/// `path` under the path of the API's base URL: a relative link as the vendor may write
/// one.
fn api_path(path: &str) -> String {
    format!("{}{path}", idfy::Client::API_PATH)
}

fn last_call(sandbox: &SandboxHandle) -> JournalEntry {
    api_calls::<idfy::Client>(sandbox).pop().expect("a call")
}

fn token_forms(sandbox: &SandboxHandle) -> Vec<String> {
    token_requests::<idfy::Client>(sandbox)
        .iter()
        .map(body_text)
        .collect()
}

#[tokio::test]
async fn a_redirect_identification_from_create_to_invalidate() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");

    // Create.
    let created = client
        .create_session()
        .body(
            types::CreateIdentificationRequest::builder()
                .identity_provider(Some(types::IdentityProvider::NoBankidWeb))
                .language(Some(types::Language::No))
                .get_social_security_number(Some(true))
                .external_reference(Some("order-42".to_string()))
                .return_urls(Some(types::ReturnUrls {
                    error: "https://shop.example/error?status=[0]".into(),
                    abort: "https://shop.example/abort?requestid=[1]".into(),
                    success: "https://shop.example/ok?requestid=[1]&externalid=[2]".into(),
                })),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 200);
    assert!(created.headers().contains_key("RequestId"));
    assert_eq!(created.headers()["X-Idfy-Environment"], "test");
    let call = last_call(&sandbox);
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/identification/session")
    );
    assert_eq!(call.header("authorization"), Some("Bearer [redacted]"));
    assert!(
        call.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    // PascalCase on the wire; absent options are not sent.
    assert_eq!(
        call.json().unwrap(),
        json!({
            "IdentityProvider": "NO_BANKID_WEB",
            "Language": "NO",
            "GetSocialSecurityNumber": true,
            "ExternalReference": "order-42",
            "ReturnUrls": {
                "Error": "https://shop.example/error?status=[0]",
                "Abort": "https://shop.example/abort?requestid=[1]",
                "Success": "https://shop.example/ok?requestid=[1]&externalid=[2]"
            }
        })
    );
    let created = created.into_inner();
    let request_id = created.request_id.clone().expect("a request id");
    assert!(created.url.unwrap().ends_with(&request_id));

    let person = persons::OLA;
    sandbox
        .control()
        .complete(SANDBOX_API, &request_id, &person, Outcome::Success)
        .expect("complete");

    // Status.
    let status = client
        .retrieve_session_status()
        .request_id(&request_id)
        .send()
        .await
        .expect("status");
    assert_eq!(status.done, Some(true));
    let call = last_call(&sandbox);
    assert_eq!(call.path, "/identification/session/status");
    assert_eq!(
        call.query.as_deref(),
        Some(&*format!("requestId={request_id}"))
    );

    // Retrieve, with metadata.
    let session = client
        .retrieve_session()
        .request_id(&request_id)
        .meta_data(true)
        .send()
        .await
        .expect("retrieve")
        .into_inner();
    let call = last_call(&sandbox);
    assert_eq!(call.path, "/identification/session");
    let query = call.query.unwrap();
    assert!(query.contains("metaData=true"), "{query}");
    assert!(
        query.contains(&format!("requestId={request_id}")),
        "{query}"
    );
    assert_eq!(session.status, Some(types::Status::Success));
    assert_eq!(
        session.social_security_number.as_deref(),
        Some(person.national_id)
    );
    assert_eq!(session.date_of_birth.as_deref(), Some("010180"));
    assert_eq!(session.error, None);
    assert!(session.meta_data.is_some());

    // Invalidate: PUT with the request id in the body, nothing in the answer.
    let invalidated = client
        .invalidate_session()
        .body(types::InvalidateIdentificationRequest {
            request_id: request_id.clone(),
        })
        .send()
        .await
        .expect("invalidate");
    assert_eq!(invalidated.status(), 200);
    let call = last_call(&sandbox);
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("PUT", "/identification/session/invalidate")
    );
    assert_eq!(call.query, None);
    assert_eq!(call.json().unwrap(), json!({ "RequestId": request_id }));

    // One token, asked for with the `identify` scope, served all calls.
    let forms = token_forms(&sandbox);
    assert_eq!(forms.len(), 1);
    assert!(
        forms[0].contains("grant_type=client_credentials"),
        "{}",
        forms[0]
    );
    assert!(forms[0].contains("scope=identify"), "{}", forms[0]);

    let debug = format!("{session:?} {client:?}");
    for secret in [
        person.national_id,
        person.last_name,
        sandbox.endpoint::<idfy::Client>().client.secret,
    ] {
        assert!(!debug.contains(secret), "`{secret}` in {debug}");
    }
}

#[tokio::test]
async fn headless_bankid_on_mobile() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");

    let started = client
        .create_bank_id_mobile_session()
        .body(
            types::CreateBankIdMobileRequest::builder()
                .mobile_number("00000001")
                .date_of_birth("010180")
                .get_social_security_number(Some(true))
                .external_reference(Some("123456789".to_string())),
        )
        .send()
        .await
        .expect("start")
        .into_inner();
    let call = last_call(&sandbox);
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/identification/no/bankid/mobile")
    );
    assert_eq!(
        call.json().unwrap(),
        json!({ "MobileNumber": "00000001", "DateOfBirth": "010180", "GetSocialSecurityNumber": true, "ExternalReference": "123456789" })
    );
    assert_eq!(started.ok, Some(true));
    assert!(started.merchant_ref.is_some());
    assert!(started.request_id.is_some());
    assert_eq!(started.invalid_mobile_number_or_date_of_birth, Some(false));

    let rejected = client
        .create_bank_id_mobile_session()
        .body(
            types::CreateBankIdMobileRequest::builder()
                .mobile_number("11111111")
                .date_of_birth("010101"),
        )
        .send()
        .await
        .expect("a 200 that says no")
        .into_inner();
    assert_eq!(rejected.ok, Some(false));
    assert_eq!(rejected.invalid_mobile_number_or_date_of_birth, Some(true));
    assert_eq!(
        rejected.error.unwrap().native_error_code.as_deref(),
        Some("C161")
    );

    // Both required fields are checked before anything is sent.
    let calls = sandbox.journal(SANDBOX_API).len();
    let missing = client
        .create_bank_id_mobile_session()
        .body(types::CreateBankIdMobileRequest::builder().mobile_number("00000001"))
        .send()
        .await;
    assert_eq!(
        missing.expect_err("DateOfBirth is required").kind(),
        ErrorKind::InvalidRequest
    );
    assert_eq!(sandbox.journal(SANDBOX_API).len(), calls);
}

#[tokio::test]
async fn logs_by_request_id_and_by_filter_following_next_link() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");
    // Two completed identifications of the same person: two log entries.
    let mut ids = Vec::new();
    for reference in ["order-42", "order-43"] {
        let created = client
            .create_session()
            .body(
                types::CreateIdentificationRequest::builder()
                    .identity_provider(Some(types::IdentityProvider::NoBankidWeb))
                    .external_reference(Some(reference.to_string()))
                    .return_urls(Some(types::ReturnUrls {
                        error: "https://shop.example/error".into(),
                        abort: "https://shop.example/abort".into(),
                        success: "https://shop.example/ok".into(),
                    })),
            )
            .send()
            .await
            .expect("create")
            .into_inner();
        let id = created.request_id.unwrap();
        sandbox
            .control()
            .complete(SANDBOX_API, &id, &persons::OLA, Outcome::Success)
            .expect("complete");
        ids.push(id);
    }
    let year: i32 = idverify_sandbox::clock::rfc3339(sandbox.control().now())[..4]
        .parse()
        .expect("a year");

    let entry = client
        .retrieve_log_entry()
        .request_id(&ids[0])
        .send()
        .await
        .expect("log entry")
        .into_inner();
    assert_eq!(
        last_call(&sandbox).path,
        format!("/identification/log/requestId/{}", ids[0])
    );
    assert_eq!(entry.id.as_deref(), Some(ids[0].as_str()));
    assert_eq!(
        entry.identity_provider_type,
        Some(types::IdentityProvider::NoBankidWeb)
    );

    let first = client
        .list_log_entries()
        .year(year)
        .status(types::Status::Success)
        .identity_provider_type(types::IdentityProvider::NoBankidWeb)
        .skip(0)
        .page_size(1)
        .send()
        .await
        .expect("first page")
        .into_inner();
    let call = last_call(&sandbox);
    assert_eq!(call.path, format!("/identification/log/filter/{year}"));
    let query = call.query.unwrap();
    for pair in [
        "status=SUCCESS",
        "identityProviderType=NO_BANKID_WEB",
        "skip=0",
        "pageSize=1",
    ] {
        assert!(query.split('&').any(|p| p == pair), "{pair} not in {query}");
    }
    let filtered = client
        .list_log_entries()
        .year(year)
        .month(1)
        .day(1)
        .external_id("order-42")
        .name("Ola Testmann")
        .send()
        .await;
    let call = last_call(&sandbox);
    assert!(filtered.is_ok(), "{filtered:?}");
    let query = call.query.unwrap();
    for pair in [
        "month=1",
        "day=1",
        "externalId=order-42",
        "name=Ola+Testmann",
    ] {
        assert!(query.split('&').any(|p| p == pair), "{pair} not in {query}");
    }
    assert_eq!(first.total_links, Some(2));
    assert_eq!(first.list.as_ref().unwrap().len(), 1);
    assert_eq!(first.next_skip(), Some(1));

    let next_link = first.next_link.clone().expect("a next page");
    let second = client
        .list_log_entries_next_page(&next_link)
        .await
        .expect("second page");
    assert_eq!(second.status(), 200);
    assert!(second.headers().contains_key("RequestId"));
    let call = last_call(&sandbox);
    assert_eq!(call.path, format!("/identification/log/filter/{year}"));
    assert!(
        call.query.as_deref().unwrap().contains("skip=1"),
        "{:?}",
        call.query
    );
    assert_eq!(call.header("authorization"), Some("Bearer [redacted]"));
    let second = second.into_inner();
    assert_eq!(second.list.as_ref().unwrap().len(), 1);
    assert_ne!(
        second.list.as_ref().unwrap()[0].id,
        first.list.as_ref().unwrap()[0].id
    );
    assert_eq!(second.next_link, None);
    assert_eq!(second.next_skip(), None);

    // A relative link is resolved against the base URL.
    client
        .list_log_entries_next_page(&api_path(&format!(
            "/identification/log/filter/{year}?skip=1"
        )))
        .await
        .expect("relative link");
    assert_eq!(last_call(&sandbox).query.as_deref(), Some("skip=1"));

    // A link to another host is refused before anything (the token) is sent.
    let calls = sandbox.journal(SANDBOX_API).len();
    let foreign = client
        .list_log_entries_next_page(
            "https://id.signere.no/history/1dd0f6f9/filter?year=2017&name=Selina%20Kyle&skip=1",
        )
        .await;
    let refused = foreign.expect_err("a foreign host is refused");
    assert_eq!(refused.kind(), ErrorKind::InvalidRequest);
    let message = refused.to_string();
    assert!(message.contains("list_log_entries_next_page"), "{message}");
    assert!(message.contains("https://id.signere.no"), "{message}");
    assert!(!message.contains("Selina"), "{message}");
    assert_eq!(sandbox.journal(SANDBOX_API).len(), calls);

    // The debug output of a page holds no names or IP addresses.
    // (The page's NextLink names the sandbox's own address, the same as the IP.)
    let debug = format!("{first:?} {entry:?}");
    assert!(!debug.contains(persons::OLA.last_name), "{debug}");
    let debug = format!("{:?} {entry:?}", first.list);
    let ip = entry.client_ip.clone().expect("an IP address");
    assert!(!debug.contains(&ip), "`{ip}` in {debug}");
}

#[tokio::test]
async fn vendor_errors_are_typed_and_a_revoked_token_is_replaced() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");

    let error = client
        .retrieve_session()
        .request_id("nope")
        .send()
        .await
        .expect_err("unknown session");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().unwrap(), 404);
    let request_id = error.headers()["RequestId"].to_str().unwrap().to_string();
    // The vendor's `RequestId` header is the error's request id, shown in Display.
    assert_eq!(error.request_id().as_deref(), Some(request_id.as_str()));
    assert!(error.to_string().contains(&request_id), "{error}");
    let body = error.typed().expect("the vendor's error body");
    assert_eq!(body.error_code.as_deref(), Some("session_not_found"));
    assert!(body.error_message.is_some());
    assert_eq!(body.native_error_code, None);
    let vendor_error = error.vendor().unwrap();
    assert_eq!(vendor_error.shape, VendorErrorShape::Idfy);
    assert_eq!(vendor_error.code.as_deref(), Some("session_not_found"));

    // The next-page helper types the log filter's documented errors the same way.
    let error = client
        .list_log_entries_next_page(&api_path("/identification/log/filter/0"))
        .await
        .expect_err("documented error status");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().unwrap(), 400);
    assert_eq!(error.operation(), "list_log_entries_next_page");
    assert_eq!(
        error.typed().unwrap().error_code.as_deref(),
        Some("invalid_request")
    );

    // The vendor rejects the token: the next call gets a new one and is replayed once.
    let created = client
        .create_bank_id_mobile_session()
        .body(
            types::CreateBankIdMobileRequest::builder()
                .mobile_number("00000001")
                .date_of_birth("010180"),
        )
        .send()
        .await
        .expect("start")
        .into_inner();
    fail_next_calls(&sandbox, SANDBOX_API, 401, 1);
    let status = client
        .retrieve_session_status()
        .request_id(created.request_id.unwrap())
        .send()
        .await
        .expect("replayed after 401");
    assert_eq!(status.done, Some(false));
    assert_eq!(token_forms(&sandbox).len(), 2);
    let statuses: Vec<u16> = api_calls::<idfy::Client>(&sandbox)
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses[statuses.len() - 2..], [401, 200]);

    // The next-page helper goes through the same replay.
    fail_next_calls(&sandbox, SANDBOX_API, 401, 1);
    client
        .list_log_entries_next_page(&api_path("/identification/log/filter/2023?skip=1"))
        .await
        .expect("helper replayed after 401");
    assert_eq!(token_forms(&sandbox).len(), 3);
}

#[test]
fn the_production_host_and_https() {
    assert_eq!(
        idfy::environments::PRODUCTION.base_url,
        "https://api.idfy.io"
    );
    assert!(
        idfy::Client::builder()
            .base_url("http://api.idfy.io")
            .build()
            .is_err()
    );
}
