//! IDnow platform: pick a flow, create a session, send the person to it, wait until it
//! is final, read its data blocks and who the person is.
//!
//! ```text
//! cargo run -p idverify --example idnow_platform
//! ```
//!
//! With no credentials it runs against the embedded sandbox, where the test person Kari
//! completes the session through the sandbox's control API. With `IDNOW_CLIENT_ID`,
//! `IDNOW_CLIENT_SECRET` and `IDNOW_FLOW_ID` set it talks to IDnow's sandbox
//! environment (`api.eu.platform.idnow.sx`) and prints the URL for the person to open.

use std::time::Duration;

use futures_util::TryStreamExt;
use idverify::identity::VerifiedIdentity;
use idverify::idnow_platform::{Client, environments, types};
use idverify::runtime::Credentials;
use idverify_sandbox::{Api, Outcome, Sandbox, persons};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var("IDNOW_CLIENT_ID")
        .ok()
        .zip(std::env::var("IDNOW_CLIENT_SECRET").ok());
    let sandbox = match real {
        Some(_) => None,
        None => Some(Sandbox::start().await?),
    };
    let client = match (&real, &sandbox) {
        (Some((id, secret)), _) => Client::builder()
            .environment(environments::SANDBOX)
            .credentials(Credentials::client_credentials(id, secret))
            .build()?,
        (None, Some(sandbox)) => sandbox.client::<Client>()?,
        (None, None) => unreachable!("a sandbox runs without credentials"),
    };
    println!(
        "1. client for {}",
        if real.is_some() {
            "IDnow"
        } else {
            "the sandbox"
        }
    );

    let live = types::Environment::Live;
    let flows: Vec<types::Flow> = client
        .list_flows()
        .environment(live.clone())
        .into_stream()
        .try_collect()
        .await?;
    let flow_id = match std::env::var("IDNOW_FLOW_ID") {
        Ok(id) => id,
        Err(_) => flows
            .iter()
            .find(|f| f.id.contains("document"))
            .ok_or("no flow")?
            .id
            .clone(),
    };
    println!("2. {} flows published; using {flow_id}", flows.len());

    let created = client
        .create_session()
        .flow_id(&flow_id)
        .environment(live.clone())
        .body(
            types::CreateSessionRequest::builder()
                .redirect_url(Some("https://shop.example/done".to_string())),
        )
        .send()
        .await?
        .into_inner();
    let id = created.session_context.session_id.clone();
    println!("3. created session {id}");

    let person = async {
        match &sandbox {
            Some(sandbox) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let done = sandbox.control().complete(
                    Api::IdnowPlatform,
                    &id,
                    &persons::KARI,
                    Outcome::Success,
                )?;
                println!("4. the test person completed the session: {}", done.status);
            }
            None => println!("4. open {} to identify yourself", created.player_url),
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    let wait = client
        .wait_until_final(live.clone(), &id)
        .min_delay(Duration::from_millis(100))
        .max_wait(Duration::from_secs(600))
        .success_only();
    let (person, done) = tokio::join!(person, wait);
    person?;
    let done = done?;
    println!(
        "5. the session is final: {} ({:?})",
        done.session_status, done.outcome
    );

    let blocks = client
        .get_datablocks()
        .environment(live)
        .session_id(&id)
        .send()
        .await?
        .into_inner();
    let kinds: Vec<String> = blocks
        .data_blocks
        .iter()
        .map(|b| b.type_.to_string())
        .collect();
    println!("6. data blocks: {}", kinds.join(", "));
    let identity = VerifiedIdentity::try_from((&done, &blocks))?;
    println!("7. verified identity (masked):\n{}", identity.masked());
    Ok(())
}
