//! End to end: the generated Idfy Identification v1 client against the sandbox — a
//! session completed as a test person (control API and the end user's HTML form, with
//! the return URL's placeholders substituted), the identified data read back; the
//! invalidate refusal, expiry on the sandbox clock, logs, headless BankID on mobile,
//! validation errors in the vendor's shape and a wrong client secret.

use std::time::Duration;

use idverify_idfy_identification_v1::{self as idfy, types};
use idverify_runtime::{ErrorKind, VendorErrorShape};
use idverify_sandbox::{Api, Outcome, Sandbox, SandboxHandle, persons};
use serde_json::Value;

const API: Api = Api::IdfyIdentificationV1;

/// A plain HTTP client that does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn request(reference: &str) -> types::builder::CreateIdentificationRequest {
    types::CreateIdentificationRequest::builder()
        .identity_provider(Some(types::IdentityProvider::NoBankidWeb))
        .language(Some(types::Language::No))
        .get_social_security_number(Some(true))
        .external_reference(Some(reference.to_string()))
        .return_urls(Some(types::ReturnUrls {
            error: "https://shop.example/error?status=[0]&ref=[2]".into(),
            abort: "https://shop.example/abort?requestid=[1]".into(),
            success: "https://shop.example/ok?status=[0]&requestid=[1]&externalid=[2]".into(),
        }))
}

async fn create(client: &idfy::Client, reference: &str) -> types::CreateIdentificationResponse {
    client
        .create_session()
        .body(request(reference))
        .send()
        .await
        .expect("create")
        .into_inner()
}

async fn retrieve(client: &idfy::Client, id: &str) -> types::IdentificationResponse {
    client
        .retrieve_session()
        .request_id(id)
        .send()
        .await
        .expect("retrieve")
        .into_inner()
}

async fn done(client: &idfy::Client, id: &str) -> Option<bool> {
    client
        .retrieve_session_status()
        .request_id(id)
        .send()
        .await
        .expect("status")
        .into_inner()
        .done
}

#[tokio::test]
async fn a_session_completed_through_the_control_api_returns_the_persons_data() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");
    let created = client
        .create_session()
        .body(request("order-42"))
        .send()
        .await
        .expect("create");
    // The vendor's headers are there, and the request id header is a fresh one.
    assert_eq!(created.headers()["X-Idfy-Environment"], "test");
    assert!(created.headers().contains_key("RequestId"));
    let created = created.into_inner();
    let id = created.request_id.clone().unwrap();
    assert_eq!(
        created.url.as_deref(),
        Some(format!("{}/_sandbox/ui/{API}/{id}", sandbox.base_url()).as_str())
    );
    assert_eq!(done(&client, &id).await, Some(false));
    assert_eq!(
        retrieve(&client, &id).await.status,
        Some(types::Status::Created)
    );

    // The end user opens the page.
    let page = browser().get(created.url.unwrap()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("value=\"kari\""));
    assert_eq!(
        retrieve(&client, &id).await.status,
        Some(types::Status::Userinitiated)
    );

    let body = sandbox
        .control()
        .complete(API, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    assert_eq!(body.status, "SUCCESS");
    assert_eq!(
        body.redirect_url,
        Some(format!(
            "https://shop.example/ok?status=SUCCESS&requestid={id}&externalid=order-42"
        ))
    );
    assert_eq!(done(&client, &id).await, Some(true));

    let session = client
        .retrieve_session()
        .request_id(&id)
        .meta_data(true)
        .send()
        .await
        .expect("retrieve")
        .into_inner();
    assert_eq!(session.status, Some(types::Status::Success));
    assert_eq!(session.request_id.as_deref(), Some(id.as_str()));
    assert_eq!(session.name.as_deref(), Some("Nordkvinne, Kari Fiktiv"));
    assert_eq!(session.first_name.as_deref(), Some("Kari"));
    assert_eq!(session.middle_name.as_deref(), Some("Fiktiv"));
    assert_eq!(session.last_name.as_deref(), Some("Nordkvinne"));
    assert_eq!(session.date_of_birth.as_deref(), Some("241290"));
    assert_eq!(
        session.social_security_number.as_deref(),
        Some("99129012345")
    );
    assert_eq!(
        session.identity_provider,
        Some(types::IdentityProvider::NoBankidWeb)
    );
    assert!(session.identity_provider_unique_id.is_some());
    assert_eq!(session.error, None);
    assert!(session.meta_data.is_some(), "asked for with metaData=true");

    // v1 recommends invalidating a session once read, so it cannot be reused.
    client
        .invalidate_session()
        .body(types::InvalidateIdentificationRequest {
            request_id: id.clone(),
        })
        .send()
        .await
        .expect("invalidate after completion");
    assert_eq!(
        retrieve(&client, &id).await.status,
        Some(types::Status::Invalidated)
    );

    // A failed session is not invalidated: a 400 in the vendor's shape.
    let failed = create(&client, "order-44").await.request_id.unwrap();
    sandbox
        .control()
        .complete(API, &failed, &persons::OLA, Outcome::Error)
        .expect("complete");
    let error = client
        .invalidate_session()
        .body(types::InvalidateIdentificationRequest {
            request_id: failed.clone(),
        })
        .send()
        .await
        .expect_err("invalidate a failed session");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let body = error.typed().expect("ErrorDetails");
    assert_eq!(
        body.error_code.as_deref(),
        Some("session_not_invalidatable")
    );
    assert!(
        body.error_message.as_deref().unwrap().contains("ERROR"),
        "{body:?}"
    );
    assert!(error.request_id().is_some(), "the RequestId header");
    assert_eq!(error.vendor().unwrap().shape, VendorErrorShape::Idfy);

    // An open session can be invalidated, once.
    let other = create(&client, "order-43").await.request_id.unwrap();
    let invalidated = client
        .invalidate_session()
        .body(types::InvalidateIdentificationRequest {
            request_id: other.clone(),
        })
        .send()
        .await
        .expect("invalidate an open session");
    assert_eq!(invalidated.status(), 200);
    assert_eq!(
        retrieve(&client, &other).await.status,
        Some(types::Status::Invalidated)
    );
    assert_eq!(done(&client, &other).await, Some(true));
    let refused = sandbox
        .control()
        .complete(API, &other, &persons::OLA, Outcome::Success)
        .expect_err("refused");
    assert_eq!(refused.status, 409, "{refused}");

    // Unknown sessions: 404 in the vendor's shape.
    let error = client
        .retrieve_session()
        .request_id("no-such-session")
        .send()
        .await
        .expect_err("unknown");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        error.typed().and_then(|e| e.error_code.as_deref()),
        Some("session_not_found")
    );
}

#[tokio::test]
async fn the_html_form_redirects_to_the_return_url_with_placeholders_substituted() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");
    let reference = "order 7/ø&x";
    let created = create(&client, reference).await;
    let id = created.request_id.unwrap();

    let response = browser()
        .post(created.url.unwrap())
        .form(&[("person", "ola"), ("outcome", "success")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!(
            "https://shop.example/ok?status=SUCCESS&requestid={id}&externalid=order%207%2F%C3%B8%26x"
        )
    );
    let session = retrieve(&client, &id).await;
    assert_eq!(session.status, Some(types::Status::Success));
    assert_eq!(session.name.as_deref(), Some("Testmann, Ola"));
    assert_eq!(session.date_of_birth.as_deref(), Some("010180"));
    assert_eq!(
        session.social_security_number.as_deref(),
        Some("99018012345")
    );

    // Abort and Fail go to their own URLs.
    let aborted = create(&client, "order-abort").await;
    let aborted_id = aborted.request_id.unwrap();
    let response = browser()
        .post(aborted.url.unwrap())
        .form(&[("person", "ola"), ("outcome", "abort")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("https://shop.example/abort?requestid={aborted_id}")
    );
    let aborted = retrieve(&client, &aborted_id).await;
    assert_eq!(aborted.status, Some(types::Status::Useraborted));
    assert_eq!(aborted.name, None);

    let failed = create(&client, "order-fail").await;
    let failed_id = failed.request_id.unwrap();
    let response = browser()
        .post(failed.url.unwrap())
        .form(&[("person", "sven"), ("outcome", "error")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        "https://shop.example/error?status=ERROR&ref=order-fail"
    );
    let failed = retrieve(&client, &failed_id).await;
    assert_eq!(failed.status, Some(types::Status::Error));
    assert!(failed.error.is_some() && failed.name.is_none());

    // The logs hold the finished sessions; a page links to the next one in the sandbox.
    let entry = client
        .retrieve_log_entry()
        .request_id(&id)
        .send()
        .await
        .expect("log entry")
        .into_inner();
    assert_eq!(entry.status, Some(types::Status::Success));
    assert_eq!(entry.externalid.as_deref(), Some(reference));
    assert_eq!(entry.name.as_deref(), Some("Ola Testmann"));
    let year: i32 = entry.timestamp.as_deref().unwrap()[0..4].parse().unwrap();
    let first = client
        .list_log_entries()
        .year(year)
        .page_size(2)
        .send()
        .await
        .expect("first page")
        .into_inner();
    assert_eq!(first.total_links, Some(2));
    let ids: Vec<_> = first
        .list
        .unwrap()
        .into_iter()
        .filter_map(|i| i.id)
        .collect();
    assert_eq!(ids, vec![id.clone(), aborted_id.clone()]);
    let next = first.next_link.expect("a second page");
    assert!(next.starts_with(sandbox.base_url()), "{next}");
    let second = client
        .list_log_entries_next_page(&next)
        .await
        .expect("second page")
        .into_inner();
    assert_eq!(second.next_link, None);
    let ids: Vec<_> = second
        .list
        .unwrap()
        .into_iter()
        .filter_map(|i| i.id)
        .collect();
    assert_eq!(ids, vec![failed_id]);
    let only_aborted = client
        .list_log_entries()
        .year(year)
        .status(types::Status::Useraborted)
        .send()
        .await
        .expect("filtered")
        .into_inner();
    let ids: Vec<_> = only_aborted
        .list
        .unwrap()
        .into_iter()
        .filter_map(|i| i.id)
        .collect();
    assert_eq!(ids, vec![aborted_id]);
}

#[tokio::test]
async fn sessions_time_out_on_the_sandbox_clock() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");
    let id = create(&client, "order-slow").await.request_id.unwrap();

    sandbox.control().advance(Duration::from_secs(601));
    let session = retrieve(&client, &id).await;
    assert_eq!(session.status, Some(types::Status::Timeout));
    assert_eq!(
        session.error.and_then(|e| e.error_code).as_deref(),
        Some("TIMEOUT")
    );
    assert_eq!(done(&client, &id).await, Some(true));
    let refused = sandbox
        .control()
        .complete(API, &id, &persons::OLA, Outcome::Success)
        .expect_err("refused");
    assert_eq!(refused.status, 409, "{refused}");

    // An hour later (past the 3600 s token too: the client fetches a new one and
    // replays) the session is gone, its log entry is not.
    sandbox.control().advance(Duration::from_secs(3600));
    let error = client
        .retrieve_session()
        .request_id(&id)
        .send()
        .await
        .expect_err("removed");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    let entry = client
        .retrieve_log_entry()
        .request_id(&id)
        .send()
        .await
        .expect("log entry")
        .into_inner();
    assert_eq!(entry.status, Some(types::Status::Timeout));
    assert_eq!(entry.errorcode.as_deref(), Some("TIMEOUT"));
}

#[tokio::test]
async fn headless_bankid_on_mobile_is_completed_through_the_control_api() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");
    let started = client
        .create_bank_id_mobile_session()
        .body(
            types::CreateBankIdMobileRequest::builder()
                .mobile_number("+4700000002")
                .date_of_birth("241290")
                .get_social_security_number(Some(true))
                .external_reference(Some("mobile-1".to_string())),
        )
        .send()
        .await
        .expect("start")
        .into_inner();
    assert_eq!(started.ok, Some(true));
    assert_eq!(started.invalid_mobile_number_or_date_of_birth, Some(false));
    assert!(started.merchant_ref.is_some());
    let id = started.request_id.unwrap();
    assert_eq!(done(&client, &id).await, Some(false));

    // Only the phone's owner can approve.
    let refused = sandbox
        .control()
        .complete(API, &id, &persons::OLA, Outcome::Success)
        .expect_err("refused");
    assert_eq!(refused.status, 400, "{refused}");
    let body = sandbox
        .control()
        .complete(API, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    assert!(body.redirect_url.is_none(), "headless: no redirect");
    let session = retrieve(&client, &id).await;
    assert_eq!(session.status, Some(types::Status::Success));
    assert_eq!(
        session.identity_provider,
        Some(types::IdentityProvider::NoBankidMobile)
    );
    assert_eq!(
        session.social_security_number.as_deref(),
        Some("99129012345")
    );

    // A number and date of birth that do not match: 200 with OK false.
    let refused = client
        .create_bank_id_mobile_session()
        .body(
            types::CreateBankIdMobileRequest::builder()
                .mobile_number("99887766")
                .date_of_birth("071283"),
        )
        .send()
        .await
        .expect("a 200 that says no")
        .into_inner();
    assert_eq!(refused.ok, Some(false));
    assert_eq!(refused.invalid_mobile_number_or_date_of_birth, Some(true));
    assert_eq!(refused.request_id, None);

    // A malformed date of birth: 400 naming the field.
    let error = client
        .create_bank_id_mobile_session()
        .body(
            types::CreateBankIdMobileRequest::builder()
                .mobile_number("00000001")
                .date_of_birth("1980-01-01"),
        )
        .send()
        .await
        .expect_err("bad date");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let message = error.typed().unwrap().error_message.clone().unwrap();
    assert!(message.starts_with("DateOfBirth:"), "{message}");
}

#[tokio::test]
async fn invalid_requests_and_wrong_secrets_are_reported_in_the_vendors_shape() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idfy::Client>().expect("client");
    let error = client
        .create_session()
        .body(
            types::CreateIdentificationRequest::builder()
                .identity_provider(Some(types::IdentityProvider::from("DE_EID")))
                .return_urls(Some(types::ReturnUrls {
                    error: "https://shop.example/e".into(),
                    abort: "https://shop.example/a".into(),
                    success: "https://shop.example/s".into(),
                })),
        )
        .send()
        .await
        .expect_err("unknown provider");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let body = error.typed().expect("ErrorDetails");
    assert_eq!(body.error_code.as_deref(), Some("invalid_request"));
    let message = body.error_message.as_deref().unwrap();
    assert!(message.starts_with("IdentityProvider:"), "{message}");

    // No return URLs and no iframe.
    let error = client
        .create_session()
        .body(types::CreateIdentificationRequest::builder())
        .send()
        .await
        .expect_err("no ReturnUrls");
    let message = error.typed().unwrap().error_message.clone().unwrap();
    assert!(message.starts_with("ReturnUrls:"), "{message}");

    // A log filter the sandbox cannot take.
    let error = client
        .list_log_entries()
        .year(2024)
        .page_size(5000)
        .send()
        .await
        .expect_err("page too large");
    let message = error.typed().unwrap().error_message.clone().unwrap();
    assert!(message.starts_with("pageSize:"), "{message}");

    let wrong = client_with_wrong_secret(&sandbox);
    let error = wrong
        .retrieve_session_status()
        .request_id("x")
        .send()
        .await
        .expect_err("wrong secret");
    assert_eq!(error.kind(), ErrorKind::Auth);
    let message = error.to_string();
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("not-the-secret"), "{message}");

    // Without a token at all: 401 in the vendor's shape.
    let response = browser()
        .get(format!(
            "{}/identification/session/status?requestId=x",
            sandbox.endpoint::<idfy::Client>().base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("requestid"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["ErrorCode"], "unauthorized");
}

fn client_with_wrong_secret(sandbox: &SandboxHandle) -> idfy::Client {
    sandbox
        .client_with_secret::<idfy::Client>("not-the-secret")
        .expect("client")
}
