//! `idverify-sandbox [--port PORT]`: serves every vendor API on 127.0.0.1, prints the
//! base URLs and test credentials, and runs until Ctrl-C.

use std::process::ExitCode;

const USAGE: &str = "usage: idverify-sandbox [--port PORT]

Serves local stand-ins for the identity-verification vendors' APIs on 127.0.0.1
(port 0, the default, picks a free port) until Ctrl-C.";

fn parse_args(args: &[String]) -> Result<Option<u16>, String> {
    let mut port = 0u16;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let value = match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" | "-p" => iter
                .next()
                .ok_or_else(|| format!("{arg} needs a value"))?
                .clone(),
            other => match other.strip_prefix("--port=") {
                Some(value) => value.to_string(),
                None => return Err(format!("unknown argument `{other}`")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("`{value}` is not a port number (0-65535)"))?;
    }
    Ok(Some(port))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match parse_args(&args) {
        Ok(Some(port)) => port,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("idverify-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match idverify_sandbox::Sandbox::builder()
        .port(port)
        .start()
        .await
    {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("idverify-sandbox: cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("idverify sandbox listening on {}", sandbox.base_url());
    println!("control API: {}/_sandbox", sandbox.base_url());
    println!("test persons: {}/_sandbox/persons", sandbox.base_url());
    println!(
        "webhooks: POST {0}/_sandbox/webhooks, deliveries at {0}/_sandbox/deliveries",
        sandbox.base_url()
    );
    for (title, endpoints) in sandbox.endpoints() {
        println!("\n{title}");
        for (label, value) in endpoints {
            println!("  {label:<14} {value}");
        }
    }
    println!("\nPress Ctrl-C to stop.");
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("idverify-sandbox: cannot wait for Ctrl-C: {error}");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::parse_args;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_the_port() {
        assert_eq!(parse_args(&args(&[])), Ok(Some(0)));
        assert_eq!(parse_args(&args(&["--port", "8080"])), Ok(Some(8080)));
        assert_eq!(parse_args(&args(&["--port=9"])), Ok(Some(9)));
        assert_eq!(parse_args(&args(&["--help"])), Ok(None));
        assert!(parse_args(&args(&["--port"])).is_err());
        assert!(parse_args(&args(&["--port", "70000"])).is_err());
        assert!(parse_args(&args(&["--verbose"])).is_err());
    }
}
