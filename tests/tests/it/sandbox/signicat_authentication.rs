//! End to end: the generated Signicat Authentication client against the sandbox, a
//! session completed as a test person (control API and the end user's HTML form), the
//! identified data read back; cancel, expiry and injected faults as a client sees them.

use std::time::{Duration, Instant};

use idverify_runtime::ErrorKind;
use idverify_sandbox::{Api, Fault, FaultKind, Outcome, Sandbox, SandboxHandle, persons};
use idverify_signicat_authentication::{self as signicat, types};
use serde_json::json;

const API: Api = Api::SignicatAuthentication;

/// Queues a fault for the next call.
fn add_fault(sandbox: &SandboxHandle, api: Option<Api>, kind: FaultKind) {
    sandbox
        .control()
        .faults()
        .add(Fault {
            api,
            kind,
            count: 1,
        })
        .expect("fault");
}

fn status_fault(status: u16, retry_after: Option<u64>) -> FaultKind {
    FaultKind::Status {
        status,
        retry_after,
    }
}

/// A plain HTTP client that does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn request(attributes: &[&str]) -> types::builder::CreateSessionRequest {
    types::CreateSessionRequest::builder()
        .flow(types::Flow::Redirect)
        .requested_attributes(
            attributes
                .iter()
                .map(|a| types::RequestedAttribute::from(*a))
                .collect::<Vec<_>>(),
        )
        .external_reference("order-42")
        .callback_urls(Some(types::CallbackUrls {
            success: Some("https://shop.example/done".into()),
            abort: Some("https://shop.example/aborted".into()),
            error: Some("https://shop.example/failed".into()),
        }))
}

async fn create(client: &signicat::Client, attributes: &[&str]) -> types::Session {
    client
        .create_session()
        .body(request(attributes))
        .send()
        .await
        .expect("create")
        .into_inner()
}

async fn get(client: &signicat::Client, id: &str) -> types::Session {
    client
        .get_session()
        .id(id)
        .send()
        .await
        .expect("get")
        .into_inner()
}

#[tokio::test]
async fn a_session_completed_through_the_control_api_returns_the_persons_requested_data() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let created = create(&client, &["name", "nin", "dateOfBirth", "email"]).await;
    assert_eq!(created.status, Some(types::SessionStatus::Created));
    assert_eq!(created.session_lifetime, Some(1200));
    let id = created.id.clone().unwrap();
    let page_url = created.authentication_url.clone().unwrap();
    assert!(page_url.starts_with(sandbox.base_url()), "{page_url}");

    // The end user opens the page: it offers the test persons.
    let page = browser().get(&page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"kari\""), "{html}");
    assert_eq!(
        get(&client, &id).await.status,
        Some(types::SessionStatus::WaitingForUser)
    );

    let done = sandbox
        .control()
        .complete(API, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    assert_eq!(done.status, "SUCCESS");

    let session = get(&client, &id).await;
    assert_eq!(session.status, Some(types::SessionStatus::Success));
    assert_eq!(session.external_reference.as_deref(), Some("order-42"));
    let subject = session.subject.expect("subject of a successful session");
    assert_eq!(subject.name.as_deref(), Some("Kari Fiktiv Nordkvinne"));
    assert_eq!(subject.date_of_birth.as_deref(), Some("1990-12-24"));
    assert_eq!(
        subject.email.as_deref(),
        Some("kari.nordkvinne@example.com")
    );
    let nin = subject.nin.expect("nin was requested");
    assert_eq!(nin.value.as_deref(), Some("99129012345"));
    assert_eq!(nin.issuing_country.as_deref(), Some("NOR"));
    // Only what was requested.
    assert_eq!(subject.first_name, None);
    assert!(subject.extra.get("phoneNumber").is_none());

    // Completed sessions cannot be cancelled: the vendor's problem document says why.
    let error = client
        .cancel_session()
        .id(&id)
        .send()
        .await
        .expect_err("cancel after completion");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let problem = error.typed().expect("typed problem");
    assert_eq!(problem.code.as_deref(), Some("session_not_cancellable"));
    assert!(error.request_id().is_some(), "traceId is the request id");

    // An open session can be cancelled.
    let other = create(&client, &["name"]).await;
    let cancelled = client
        .cancel_session()
        .id(other.id.as_deref().unwrap())
        .send()
        .await
        .expect("cancel an open session")
        .into_inner();
    assert_eq!(cancelled.status, Some(types::SessionStatus::Cancelled));
}

#[tokio::test]
async fn the_html_form_completes_the_session_and_redirects_to_the_callback() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let created = create(&client, &["firstName", "lastName", "phoneNumber"]).await;
    let id = created.id.clone().unwrap();
    let page_url = created.authentication_url.unwrap();

    let response = browser()
        .post(&page_url)
        .form(&[("person", "sven"), ("outcome", "success")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!("https://shop.example/done?sessionId={id}&externalReference=order-42")
    );

    let session = get(&client, &id).await;
    assert_eq!(session.status, Some(types::SessionStatus::Success));
    assert_eq!(session.provider.as_deref(), Some("sbid"));
    let subject = session.subject.unwrap();
    assert_eq!(subject.first_name.as_deref(), Some("Sven"));
    assert_eq!(subject.last_name.as_deref(), Some("Provperson"));
    assert_eq!(
        subject.extra.get("phoneNumber"),
        Some(&json!("+46700000003"))
    );
    assert_eq!(subject.nin, None, "not requested");

    // Fail on another session goes to the error callback and leaves no subject.
    let failed = create(&client, &["name"]).await;
    let response = browser()
        .post(failed.authentication_url.unwrap())
        .form(&[("person", "ola"), ("outcome", "error")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("https://shop.example/failed?sessionId=")
    );
    let failed = get(&client, failed.id.as_deref().unwrap()).await;
    assert_eq!(failed.status, Some(types::SessionStatus::Error));
    assert!(failed.subject.is_none());
}

#[tokio::test]
async fn sessions_expire_on_the_sandbox_clock() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let short = client
        .create_session()
        .body(request(&["name"]).session_lifetime(Some(60)))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(short.session_lifetime, Some(300), "raised to the minimum");
    let id = short.id.unwrap();

    // Past the lifetime (and past the access token's 600 s: the client sees a 401,
    // fetches a new token and replays the call).
    sandbox.control().advance(Duration::from_secs(601));
    let expired = get(&client, &id).await;
    assert_eq!(expired.status, Some(types::SessionStatus::Expired));
    assert_eq!(
        expired.error.and_then(|e| e.code).as_deref(),
        Some("session_expired")
    );
    let refused = browser()
        .post(format!(
            "{}/_sandbox/sessions/signicat-authentication/{id}/complete",
            sandbox.base_url()
        ))
        .json(&json!({ "person": "ola", "outcome": "success" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);

    sandbox.control().advance(Duration::from_secs(3600));
    let error = client
        .get_session()
        .id(&id)
        .send()
        .await
        .expect_err("removed");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        error.typed().and_then(|p| p.code.as_deref()),
        Some("session_not_found")
    );
}

#[tokio::test]
async fn the_client_retries_injected_503_and_429_faults() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let created = create(&client, &["name"]).await;
    let id = created.id.unwrap();

    // A 503 on a GET is retried.
    add_fault(&sandbox, Some(API), status_fault(503, None));
    assert_eq!(
        get(&client, &id).await.status,
        Some(types::SessionStatus::Created)
    );
    assert!(sandbox.faults().list().is_empty(), "the fault was hit");

    // A 429 with Retry-After is retried after the wait, even for a POST.
    add_fault(&sandbox, None, status_fault(429, Some(1)));
    let started = Instant::now();
    let again = create(&client, &["name"]).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited Retry-After"
    );
    assert_eq!(again.status, Some(types::SessionStatus::Created));
    assert!(sandbox.faults().list().is_empty());

    // A 503 on a POST is not retried: the client sees the vendor's error.
    add_fault(&sandbox, None, status_fault(503, None));
    let error = client
        .create_session()
        .body(request(&["name"]))
        .send()
        .await
        .expect_err("503 on a POST");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn invalid_requests_and_wrong_secrets_are_reported_in_the_vendors_shape() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let error = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::from("kiosk"))
                .requested_attributes(Vec::<types::RequestedAttribute>::new()),
        )
        .send()
        .await
        .expect_err("unknown flow");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let problem = error.typed().unwrap();
    assert_eq!(problem.invalid_params.len(), 1);
    assert_eq!(problem.invalid_params[0].name.as_deref(), Some("flow"));

    let wrong = sandbox
        .client_with_secret::<signicat::Client>("not-the-secret")
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

#[tokio::test]
async fn a_dropped_connection_is_retried_for_get_but_not_for_post() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let id = create(&client, &["name"]).await.id.unwrap();
    // GET is idempotent: the runtime sends it again on a fresh connection.
    add_fault(&sandbox, None, FaultKind::Drop);
    assert_eq!(
        get(&client, &id).await.status,
        Some(types::SessionStatus::Created)
    );
    // POST may have been acted on before the connection broke: it reaches the caller,
    // marked retryable.
    add_fault(&sandbox, None, FaultKind::Drop);
    let error = client
        .cancel_session()
        .id(&id)
        .send()
        .await
        .expect_err("the connection was dropped");
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.is_retryable());
    assert_eq!(error.status(), None);
}

#[tokio::test]
async fn session_pages_may_be_framed_only_by_the_embedded_parent_domains() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let policy = |session: types::Session| async move {
        browser()
            .get(session.authentication_url.expect("a page"))
            .send()
            .await
            .unwrap()
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string())
    };
    // A redirect session's page is not to be framed at all.
    let redirect = create(&client, &["name"]).await;
    let redirect_nonce = redirect.session_nonce.clone();
    assert_eq!(
        policy(redirect).await.as_deref(),
        Some("frame-ancestors 'none'")
    );
    // An embedded one only by the domains given, on any port.
    let embedded = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Embedded)
                .requested_attributes(vec![types::RequestedAttribute::Name])
                .embedded_parent_domains(Some(vec![
                    "shop.example".to_string(),
                    "localhost".to_string(),
                ])),
        )
        .send()
        .await
        .expect("create")
        .into_inner();
    // The embedded session carries a nonce, and reading it back with the nonce works.
    let nonce = embedded
        .session_nonce
        .clone()
        .expect("an embedded session's nonce");
    let read = client
        .get_session()
        .id(embedded.id.as_deref().unwrap())
        .session_nonce(nonce.as_str())
        .send()
        .await
        .expect("get with the nonce")
        .into_inner();
    assert_eq!(read.session_nonce.as_deref(), Some(nonce.as_str()));
    assert_eq!(redirect_nonce, None, "only the embedded flow has one");
    assert_eq!(
        policy(embedded).await.as_deref(),
        Some("frame-ancestors shop.example:* localhost:*")
    );
}
