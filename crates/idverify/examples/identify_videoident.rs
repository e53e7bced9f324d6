//! Identify VideoIdent: log in as a partner, create an ident with the person's data,
//! let them take the video call, wait until the ident is final, read who they are.
//!
//! ```text
//! cargo run -p idverify --example identify_videoident
//! ```
//!
//! With no credentials it runs against the embedded sandbox, where the test person Kari
//! completes the ident through the sandbox's control API. With `IDENTIFY_PARTNER`,
//! `IDENTIFY_API_KEY` and `IDENTIFY_PROJECT_ID` set it talks to Identify's production
//! API and prints the conference URL for the person to open.

use std::time::Duration;

use idverify::identify_videoident::{Client, types};
use idverify::identity::VerifiedIdentity;
use idverify::runtime::Credentials;
use idverify_sandbox::{Api, Outcome, Sandbox, persons};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var("IDENTIFY_PARTNER")
        .ok()
        .zip(std::env::var("IDENTIFY_API_KEY").ok());
    let project = std::env::var("IDENTIFY_PROJECT_ID").unwrap_or_else(|_| "6".to_string());
    let sandbox = match real {
        Some(_) => None,
        None => Some(Sandbox::start().await?),
    };
    let client = match (&real, &sandbox) {
        (Some((partner, key)), _) => Client::production()
            .credentials(Credentials::partner(partner, key))
            .build()?,
        (None, Some(sandbox)) => sandbox.client::<Client>()?,
        (None, None) => unreachable!("a sandbox runs without credentials"),
    };
    println!(
        "1. client for {}",
        if real.is_some() {
            "Identify"
        } else {
            "the sandbox"
        }
    );

    // The person's data as your onboarding collected it; the agent checks it in the call.
    let kari = &persons::KARI;
    let created = client
        .create_ident()
        .body(
            types::CreateIdentRequest::builder()
                .project_id(project.as_str())
                .person_first_name(kari.first_name)
                .person_last_name(kari.last_name)
                .birthday(kari.date_of_birth)
                .email(kari.email)
                .mobile_phone(kari.phone_number)
                .nationality("NO")
                .street(kari.street)
                .house_no("2")
                .zip_code(kari.postal_code)
                .city(kari.city)
                .country("NO"),
        )
        .send()
        .await?
        .into_inner();
    let id = created.ident_id.clone();
    println!("2. created ident {id} (after the partner login)");

    let person = async {
        match &sandbox {
            Some(sandbox) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let done = sandbox.control().complete(
                    Api::IdentifyVideoident,
                    &id,
                    kari,
                    Outcome::Success,
                )?;
                println!(
                    "3. the test person took the video call: status code {}",
                    done.status
                );
            }
            None => println!(
                "3. open {} for the video call",
                created.conference_url.as_deref().unwrap_or("?")
            ),
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    let wait = client
        .wait_until_final(&id)
        .min_delay(Duration::from_millis(100))
        .max_wait(Duration::from_secs(1800))
        .success_only();
    let (person, done) = tokio::join!(person, wait);
    person?;
    let done = done?;
    println!(
        "4. the ident is final: {} ({})",
        done.data.status.as_deref().unwrap_or("?"),
        done.data.status_code.as_deref().unwrap_or("?")
    );

    let identity = VerifiedIdentity::try_from(&done)?;
    println!("5. verified identity (masked):\n{}", identity.masked());
    Ok(())
}
