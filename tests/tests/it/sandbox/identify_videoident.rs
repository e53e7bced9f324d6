//! End to end: the generated Identify VideoIdent client against the sandbox — partner
//! login through the runtime, an ident completed as a test person (control API and the
//! end user's HTML form), the ident and its data read back, the refusals, the JWT's idle
//! timeout on the sandbox clock (a new login and the call succeeds), ident removal
//! after 90 days, a validation error in the vendor's envelope and a wrong API key.

use std::time::Duration;

use idverify_identify_videoident::{self as identify, IdentStatus, types};
use idverify_runtime::{ErrorKind, VendorErrorShape};
use idverify_sandbox::{Api, Outcome, Sandbox, SandboxHandle, persons};
use serde_json::{Value, json};

const API: Api = Api::IdentifyVideoident;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn request() -> types::builder::CreateIdentRequest {
    types::CreateIdentRequest::builder()
        .project_id("6")
        .birthday("1981-09-05")
        .email("johndoe@example.com")
        .person_first_name("JOHN")
        .person_last_name("DOE")
        .mobile_phone("01511111111")
        .nationality("DE")
        .street("MARKGRAFENSTR.")
        .house_no("23")
        .zip_code("94670")
        .city("NÜRNBERG")
        .country("DE")
        .language(Some(types::Language::En))
        .custom_id(Some("order-42".to_string()))
}

async fn create(client: &identify::Client) -> types::CreateIdentResponse {
    client
        .create_ident()
        .body(request())
        .send()
        .await
        .expect("create")
        .into_inner()
}

async fn get(client: &identify::Client, id: &str) -> types::Ident {
    client
        .get_ident()
        .ident_id(id)
        .send()
        .await
        .expect("get")
        .into_inner()
        .data
}

#[tokio::test]
async fn an_ident_completed_through_the_control_api_returns_the_persons_data() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<identify::Client>().expect("client");
    let created = create(&client).await;
    assert!(created.result);
    assert_eq!(created.response_status, Some(200));
    let id = created.ident_id.clone();
    assert_eq!(
        created.conference_url.as_deref(),
        Some(format!("{}/_sandbox/ui/{API}/{id}", sandbox.base_url()).as_str())
    );
    let ident = get(&client, &id).await;
    assert_eq!(ident.status.as_deref(), Some("Created"));
    assert_eq!(ident.status_code.as_deref(), Some("1"));
    assert!(ident.created_at.as_ref().unwrap().naive().is_some());

    // Ident data only once successful.
    let error = client
        .get_ident_data()
        .ident_id(&id)
        .send()
        .await
        .expect_err("not yet");
    assert_eq!(error.status().unwrap(), 402);

    let appointment = client
        .set_onboardify_appointment()
        .body(
            types::SetAppointmentRequest::builder()
                .ident_id(id.clone())
                .termin_date("2024-06-30T15:20+01:00")
                .termin_user("1"),
        )
        .send()
        .await
        .expect("appointment")
        .into_inner();
    assert!(!appointment.insert_id.is_empty());

    let body = sandbox
        .control()
        .complete(API, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    assert_eq!(body.status, "Successful");
    assert!(body.redirect_url.is_none());

    let ident = get(&client, &id).await;
    assert_eq!(ident.known_status(), Some(IdentStatus::Successful));
    assert_eq!(ident.person_first_name.as_deref(), Some("Kari Fiktiv"));
    assert_eq!(ident.person_last_name.as_deref(), Some("Nordkvinne"));
    assert_eq!(ident.birthday.as_deref(), Some("1990-12-24"));
    assert_eq!(ident.custom_id.as_deref(), Some("order-42"));
    assert_eq!(
        ident.appointment_date.as_ref().unwrap().raw(),
        "2024-06-30T15:20+01:00"
    );

    let data = client
        .get_ident_data()
        .ident_id(&id)
        .send()
        .await
        .expect("ident data")
        .into_inner()
        .data;
    assert_eq!(data.ident.person_last_name.as_deref(), Some("Nordkvinne"));
    assert_eq!(data.signed_pdf, None, "nothing to sign");
    let pdf = data.identification_pdf.unwrap();
    let url = pdf.download_url.unwrap();
    assert!(url.starts_with(&format!(
        "{}/download/",
        sandbox.endpoint::<identify::Client>().base_url
    )));
    assert!(pdf.file_date.unwrap().naive().is_some());
    assert_eq!(data.recordings.unwrap().len(), 1);
    assert_eq!(data.screenshots.unwrap().len(), 2);

    // The file is served to the partner (same headers as every call).
    let token = raw_login(&sandbox).await;
    let file = browser()
        .get(&url)
        .header("X-API-PARTNER", "sandbox-partner")
        .header("X-API-TOKEN", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(browser().get(&url).send().await.unwrap().status(), 401);

    // Refusals: completing twice, an appointment for a closed ident.
    let refused = sandbox
        .control()
        .complete(API, &id, &persons::OLA, Outcome::Abort)
        .expect_err("refused");
    assert_eq!(refused.status, 409, "{refused}");
    let error = client
        .set_onboardify_appointment()
        .body(
            types::SetAppointmentRequest::builder()
                .ident_id(id.clone())
                .termin_date("2024-07-01T10:00+02:00")
                .termin_user("1"),
        )
        .send()
        .await
        .expect_err("closed");
    assert_eq!(error.status().unwrap(), 402);
    assert_eq!(error.vendor().unwrap().shape, VendorErrorShape::Identify);

    let error = client
        .get_ident()
        .ident_id("nope")
        .send()
        .await
        .expect_err("404");
    assert_eq!(error.status().unwrap(), 404);
    assert!(!error.typed().unwrap().result);
}

async fn raw_login(sandbox: &SandboxHandle) -> String {
    let response = browser()
        .post(sandbox.endpoint::<identify::Client>().token_url)
        .json(&json!({ "PARTNER": "sandbox-partner", "APIKEY": "sandbox-api-key" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["result"], true);
    assert_eq!(body["response_status"], 200);
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_page_form_completes_and_shows_done() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<identify::Client>().expect("client");
    let created = create(&client).await;
    let url = created.conference_url.unwrap();
    let page = browser().get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("value=\"sven\""));
    assert_eq!(
        get(&client, &created.ident_id).await.status.as_deref(),
        Some("In progress")
    );
    let done = browser()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("person=sven&outcome=success")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200, "no callback URL: the done page");
    assert!(done.headers().get("location").is_none());
    assert!(done.text().await.unwrap().contains("Successful"));
    let ident = get(&client, &created.ident_id).await;
    assert_eq!(ident.status_code.as_deref(), Some("5"));
    assert_eq!(ident.person_first_name.as_deref(), Some("Sven"));
    assert_eq!(ident.land.as_deref(), Some("SE"));

    // Aborted through the page.
    let other = create(&client).await;
    let done = browser()
        .post(other.conference_url.unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("person=ola&outcome=abort")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(
        get(&client, &other.ident_id).await.status.as_deref(),
        Some("Aborted")
    );
}

#[tokio::test]
async fn an_idle_token_means_a_new_login_and_idents_expire_after_90_days() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<identify::Client>().expect("client");
    let id = create(&client).await.ident_id;
    let old_token = raw_login(&sandbox).await;

    sandbox.control().advance(Duration::from_secs(31 * 60));
    // The idle token is refused in the envelope...
    let refused = browser()
        .get(format!(
            "{}/project/getAll",
            sandbox.endpoint::<identify::Client>().base_url
        ))
        .header("X-API-PARTNER", "sandbox-partner")
        .header("X-API-TOKEN", &old_token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["result"], false);
    assert!(body["messages"][0].as_str().unwrap().contains("expired"));
    // ...and the client logs in again and its call succeeds.
    assert_eq!(get(&client, &id).await.id, id);
    let projects = client.get_all_projects().send().await.unwrap().into_inner();
    assert_eq!(projects.data[0].id, "6");
    let project = client
        .get_project()
        .body(types::GetProjectRequest::builder().project_id(6))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(project.data.status.as_deref(), Some("Active"));
    let webhooks = client.get_all_webhooks().send().await.unwrap().into_inner();
    assert_eq!(webhooks.data.len(), 2);

    sandbox
        .control()
        .advance(Duration::from_secs(90 * 24 * 3600));
    let error = client
        .get_ident()
        .ident_id(&id)
        .send()
        .await
        .expect_err("removed");
    assert_eq!(error.status().unwrap(), 404);
}

#[tokio::test]
async fn validation_errors_and_a_wrong_api_key() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<identify::Client>().expect("client");
    let error = client
        .create_ident()
        .body(request().birthday("05.09.1981").project_id("99"))
        .send()
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().unwrap(), 400);
    let envelope = error.typed().expect("the envelope");
    assert!(!envelope.result);
    assert_eq!(envelope.response_status, Some(400));
    assert_eq!(envelope.messages.len(), 2, "{:?}", envelope.messages);
    assert!(envelope.messages[0].starts_with("project_id:"));
    assert!(envelope.messages[1].starts_with("birthday:"));
    assert_eq!(error.vendor().unwrap().shape, VendorErrorShape::Identify);

    let error = client
        .get_project()
        .body(types::GetProjectRequest::builder().project_id(99))
        .send()
        .await
        .expect_err("unknown project");
    assert_eq!(error.status().unwrap(), 404);

    let wrong = sandbox
        .client_with_secret::<identify::Client>("wrong-api-key")
        .expect("client");
    let error = wrong
        .get_all_projects()
        .send()
        .await
        .expect_err("wrong key");
    assert_eq!(error.kind(), ErrorKind::Auth);
    let message = error.to_string();
    assert!(message.contains("401"), "{message}");
    // The vendor's own words are on the typed error, not in the text.
    assert!(!message.contains("Invalid partner or API key"), "{message}");
    assert_eq!(
        error.auth_failure(),
        Some(idverify_runtime::AuthFailure::CredentialsRefused)
    );
    match error.auth_error() {
        Some(idverify_runtime::AuthError::Rejected { description, .. }) => {
            assert_eq!(description.as_deref(), Some("Invalid partner or API key."))
        }
        other => panic!("expected the refused login: {other:?}"),
    }
    assert!(!message.contains("wrong-api-key"));
}
