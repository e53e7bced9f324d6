//! The smallest useful program: one Signicat Authentication client, one call.
//! `one-call BASE_URL CLIENT_ID CLIENT_SECRET SESSION_ID`, e.g. against the sandbox.
//! `cargo xtask bench` measures its stripped size.

use idverify_runtime::Credentials;
use idverify_signicat_authentication as signicat;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, client_id, secret, id] = args.as_slice() else {
        eprintln!("usage: one-call BASE_URL CLIENT_ID CLIENT_SECRET SESSION_ID");
        return std::process::ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let client = signicat::Client::builder()
            .base_url(base_url)
            .token_url(format!("{base_url}/auth/open/connect/token"))
            .credentials(Credentials::client_credentials(client_id, secret))
            .build();
        let client = match client {
            Ok(client) => client,
            Err(e) => {
                eprintln!("{e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        match client.get_session().id(id.as_str()).send().await {
            Ok(session) => {
                println!("status: {:?}", session.status);
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}
