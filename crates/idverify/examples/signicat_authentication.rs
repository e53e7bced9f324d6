//! Signicat Authentication (eID Hub): create a session, send the person to it, wait until
//! it is final, read who they are.
//!
//! ```text
//! cargo run -p idverify --example signicat_authentication
//! ```
//!
//! With no credentials it runs against the embedded sandbox, where the test person Kari
//! completes the session through the sandbox's control API. With `SIGNICAT_CLIENT_ID`
//! and `SIGNICAT_CLIENT_SECRET` set it talks to Signicat's production API and prints the
//! URL for the person to open.

use std::time::Duration;

use idverify::identity::VerifiedIdentity;
use idverify::runtime::Credentials;
use idverify::signicat_authentication::{Client, types};
use idverify_sandbox::{Api, Outcome, Sandbox, persons};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var("SIGNICAT_CLIENT_ID")
        .ok()
        .zip(std::env::var("SIGNICAT_CLIENT_SECRET").ok());
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
                .requested_attributes(vec![
                    types::RequestedAttribute::Name,
                    types::RequestedAttribute::FirstName,
                    types::RequestedAttribute::LastName,
                    types::RequestedAttribute::DateOfBirth,
                    types::RequestedAttribute::Nin,
                ])
                .callback_urls(Some(types::CallbackUrls {
                    success: Some("https://shop.example/done".into()),
                    abort: Some("https://shop.example/aborted".into()),
                    error: Some("https://shop.example/failed".into()),
                })),
        )
        .send()
        .await?
        .into_inner();
    let id = session.id.clone().ok_or("the session has no id")?;
    println!("2. created session {id} (a token was fetched first)");

    let person = async {
        match &sandbox {
            Some(sandbox) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let done = sandbox.control().complete(
                    Api::SignicatAuthentication,
                    &id,
                    &persons::KARI,
                    Outcome::Success,
                )?;
                println!("3. the test person completed the session: {}", done.status);
            }
            None => println!(
                "3. open {} to identify yourself",
                session.authentication_url.as_deref().unwrap_or("?")
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
