//! Moving from the legacy Idfy Identification v1 to Signicat Identification v2: the
//! v1 requests an integration sends today, converted with `idverify::migrate`, what
//! does not carry over, then the converted request run against v2.
//!
//! ```text
//! cargo run -p idverify --example migrate_v1_to_v2
//! ```
//!
//! With no credentials the v2 session runs against the embedded sandbox (the test person
//! Kari completes it). With `IDFY_CLIENT_ID` and `IDFY_CLIENT_SECRET` set it is created
//! at the vendor's production v2 API and the URL for the person to open is printed.

use std::time::Duration;

use idverify::identity::VerifiedIdentity;
use idverify::idfy_identification_v1::types as v1;
use idverify::migrate;
use idverify::runtime::Credentials;
use idverify::signicat_identification_v2::Client;
use idverify_sandbox::{Api, Outcome, Sandbox, persons};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A v1 redirect request as the migration guide shows it, with a page title and a
    // placeholder in a return URL, which v2 does not carry.
    let v1_request = v1::CreateIdentificationRequest::builder()
        .identity_provider(Some(v1::IdentityProvider::NoBankidWeb))
        .language(Some(v1::Language::No))
        .get_social_security_number(Some(true))
        .external_reference(Some("123456789".to_string()))
        .page_title(Some("Log in to the shop".to_string()))
        .return_urls(Some(v1::ReturnUrls {
            success: "https://shop.example/done?request=[1]".into(),
            abort: "https://shop.example/aborted".into(),
            error: "https://shop.example/failed".into(),
        }));
    let v1_request: v1::CreateIdentificationRequest = v1_request.try_into()?;
    let migrated = migrate::create_request(&v1_request);
    println!("1. v1 POST /session → v2 POST /sessions:");
    println!("{}", serde_json::to_string_pretty(&migrated.value)?);
    println!("2. not carried over ({}):", migrated.losses.len());
    for loss in &migrated.losses {
        println!("   - {loss}");
    }

    let headless = v1::CreateBankIdMobileRequest::builder()
        .mobile_number("99887766")
        .date_of_birth("071283")
        .get_social_security_number(Some(true));
    let headless = migrate::headless_request(&headless.try_into()?);
    println!(
        "3. v1 POST /no/bankid/mobile → v2 headless: {}",
        serde_json::to_string(&headless.value.prefilled_input)?
    );
    for (v1_status, label) in [
        (v1::Status::Useraborted, "USERABORTED"),
        (v1::Status::Timeout, "TIMEOUT"),
    ] {
        let v2_status = migrate::status(&v1_status).ok_or("no v2 status")?;
        println!("4. status {label} → {v2_status}");
    }

    let real = std::env::var("IDFY_CLIENT_ID")
        .ok()
        .zip(std::env::var("IDFY_CLIENT_SECRET").ok());
    let sandbox = match real {
        Some(_) => None,
        None => Some(Sandbox::start().await?),
    };
    let client = match (&real, &sandbox) {
        (Some((id, secret)), _) => Client::production()
            .credentials(Credentials::client_credentials(id, secret))
            .build()?,
        (None, Some(sandbox)) => sandbox.client::<Client>()?,
        (None, None) => unreachable!("a sandbox runs without credentials"),
    };
    let session = client
        .create_session()
        .body(migrated.value)
        .send()
        .await?
        .into_inner();
    println!("5. created v2 session {}", session.id);
    let person = async {
        match &sandbox {
            Some(sandbox) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                sandbox.control().complete(
                    Api::SignicatIdentificationV2,
                    &session.id,
                    &persons::KARI,
                    Outcome::Success,
                )?;
            }
            None => println!("   open {}", session.url.as_deref().unwrap_or("?")),
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    let wait = client
        .wait_until_final(&session.id)
        .min_delay(Duration::from_millis(100))
        .success_only();
    let (person, done) = tokio::join!(person, wait);
    person?;
    let identity = VerifiedIdentity::try_from(&done?)?;
    println!("6. verified identity (masked):\n{}", identity.masked());
    Ok(())
}
