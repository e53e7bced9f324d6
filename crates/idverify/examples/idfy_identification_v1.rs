//! The legacy Idfy Identification API v1: create a session, send the person to it, wait
//! until it is final, read who they are.
//!
//! ```text
//! cargo run -p idverify --example idfy_identification_v1
//! ```
//!
//! With no credentials it runs against the embedded sandbox, where the test person Kari
//! completes the session through the sandbox's control API. With `IDFY_V1_CLIENT_ID` and
//! `IDFY_V1_CLIENT_SECRET` set it talks to the vendor's production API and prints the URL
//! for the person to open. New integrations use v2 (see `migrate_v1_to_v2`).

use std::time::Duration;

use idverify::identity::VerifiedIdentity;
use idverify::idfy_identification_v1::{Client, types};
use idverify::runtime::Credentials;
use idverify_sandbox::{Api, Outcome, Sandbox, persons};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var("IDFY_V1_CLIENT_ID")
        .ok()
        .zip(std::env::var("IDFY_V1_CLIENT_SECRET").ok());
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
    println!(
        "1. client for {}",
        if real.is_some() {
            "Idfy"
        } else {
            "the sandbox"
        }
    );

    let created = client
        .create_session()
        .body(
            types::CreateIdentificationRequest::builder()
                .identity_provider(Some(types::IdentityProvider::NoBankidWeb))
                .language(Some(types::Language::En))
                .get_social_security_number(Some(true))
                .return_urls(Some(types::ReturnUrls {
                    success: "https://shop.example/done?id=[1]".into(),
                    abort: "https://shop.example/aborted".into(),
                    error: "https://shop.example/failed".into(),
                })),
        )
        .send()
        .await?
        .into_inner();
    let id = created.request_id.clone().ok_or("no request id")?;
    println!("2. created session {id} (a token was fetched first)");

    let person = async {
        match &sandbox {
            Some(sandbox) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let done = sandbox.control().complete(
                    Api::IdfyIdentificationV1,
                    &id,
                    &persons::KARI,
                    Outcome::Success,
                )?;
                println!("3. the test person completed the session: {}", done.status);
            }
            None => println!(
                "3. open {} to identify yourself",
                created.url.as_deref().unwrap_or("?")
            ),
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    let wait = client
        .wait_until_final(&id)
        .min_delay(Duration::from_millis(100))
        .max_wait(Duration::from_secs(600))
        .success_only();
    let (person, done) = tokio::join!(person, wait);
    person?;
    let done = done?;
    println!(
        "4. the session is final: {}",
        done.status.as_ref().map(|s| s.as_str()).unwrap_or("?")
    );

    let identity = VerifiedIdentity::try_from(&done)?;
    println!("5. verified identity (masked):\n{}", identity.masked());
    Ok(())
}
