//! Signicat (Idfy) Identification v2: create a redirect session, send the person to it,
//! wait until it is final, read who they are.
//!
//! ```text
//! cargo run -p idverify --example signicat_identification_v2
//! ```
//!
//! With no credentials it runs against the embedded sandbox, where the test person Kari
//! completes the session through the sandbox's control API. With `IDFY_CLIENT_ID` and
//! `IDFY_CLIENT_SECRET` set it talks to the vendor's production API and prints the URL
//! for the person to open.

use std::time::Duration;

use idverify::identity::VerifiedIdentity;
use idverify::runtime::Credentials;
use idverify::signicat_identification_v2::{Client, types};
use idverify_sandbox::{Api, Outcome, Sandbox, persons};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    println!(
        "1. client for {}",
        if real.is_some() {
            "Signicat"
        } else {
            "the sandbox"
        }
    );

    let session = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Redirect)
                .allowed_providers(vec![types::IdProviderType::NoBankidNetcentric])
                .include(vec![
                    types::Include::Name,
                    types::Include::DateOfBirth,
                    types::Include::Nin,
                ])
                .redirect_settings(Some(types::RedirectSettings {
                    success_url: Some("https://shop.example/done".into()),
                    abort_url: Some("https://shop.example/aborted".into()),
                    error_url: Some("https://shop.example/failed".into()),
                })),
        )
        .send()
        .await?
        .into_inner();
    println!(
        "2. created session {} (a token was fetched first)",
        session.id
    );

    let person = async {
        match &sandbox {
            Some(sandbox) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let done = sandbox.control().complete(
                    Api::SignicatIdentificationV2,
                    &session.id,
                    &persons::KARI,
                    Outcome::Success,
                )?;
                println!("3. the test person completed the session: {}", done.status);
            }
            None => println!(
                "3. open {} to identify yourself",
                session.url.as_deref().unwrap_or("?")
            ),
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    let wait = client
        .wait_until_final(&session.id)
        .min_delay(Duration::from_millis(100))
        .max_wait(Duration::from_secs(600))
        .success_only();
    let (person, done) = tokio::join!(person, wait);
    person?;
    let done = done?;
    println!("4. the session is final: {}", done.status);

    // Personal data is kept for an hour after creation: read it now.
    let identity = VerifiedIdentity::try_from(&done)?;
    println!("5. verified identity (masked):\n{}", identity.masked());
    Ok(())
}
