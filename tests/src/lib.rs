//! Helpers for the cross-crate tests in `tests/`.

use std::path::{Path, PathBuf};

use idverify_sandbox::{Api, Fault, FaultKind, JournalEntry, SandboxApi, SandboxHandle};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// An HTTP server on 127.0.0.1 (a free port) serving `router`; stopped on drop.
pub struct LocalServer {
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl LocalServer {
    pub async fn start(router: axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serve");
        });
        Self {
            base_url: format!("http://{address}"),
            task,
        }
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The calls of `C`'s API a sandbox received, oldest first, without its token requests
/// (Identify: logins), each path under the API's base URL (`/sessions/1`).
pub fn api_calls<C: SandboxApi>(sandbox: &SandboxHandle) -> Vec<JournalEntry> {
    sandbox
        .journal(C::SANDBOX_API)
        .into_iter()
        .filter(|entry| entry.path != C::TOKEN_PATH)
        .filter_map(|mut entry| {
            entry.path = entry.path.strip_prefix(C::API_PATH)?.to_string();
            Some(entry)
        })
        .collect()
}

/// The token requests (Identify: logins) `C`'s API received, oldest first.
pub fn token_requests<C: SandboxApi>(sandbox: &SandboxHandle) -> Vec<JournalEntry> {
    sandbox
        .journal(C::SANDBOX_API)
        .into_iter()
        .filter(|entry| entry.path == C::TOKEN_PATH)
        .collect()
}

/// Makes the next `count` calls of `api` answer `status` in the vendor's error shape (a
/// 401 stands for a token the vendor revoked, a 429 for throttling).
pub fn fail_next_calls(sandbox: &SandboxHandle, api: Api, status: u16, count: u32) {
    sandbox
        .faults()
        .add(Fault {
            api: Some(api),
            kind: FaultKind::Status {
                status,
                retry_after: None,
            },
            count,
        })
        .expect("a valid fault");
}

/// A request body as text (a token request's form).
pub fn body_text(entry: &JournalEntry) -> String {
    String::from_utf8_lossy(&entry.body).into_owned()
}

/// `http://127.0.0.1:<port>` with nothing listening on the port: every connection is
/// refused before a request is sent.
pub async fn refusing_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{address}")
}

/// Copies a directory tree (files and folders only), skipping `target`.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            copy_tree(&path, &to.join(&name))?;
        } else {
            std::fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}

/// A spec of `specs/<api>/` as JSON.
pub fn spec(api: &str) -> serde_json::Value {
    let dir = workspace_root().join("specs").join(api);
    for name in ["openapi.yaml", "openapi.yml", "openapi.json"] {
        if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
            return serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    panic!("no spec in {}", dir.display());
}

/// Every example in a spec, as (JSON pointer, value): each `example`, and each
/// `examples.<name>.value` of media types and parameters.
pub fn spec_examples(spec: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    fn walk(value: &serde_json::Value, pointer: &str, out: &mut Vec<(String, serde_json::Value)>) {
        let serde_json::Value::Object(map) = value else {
            if let serde_json::Value::Array(items) = value {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{pointer}/{i}"), out);
                }
            }
            return;
        };
        for (key, child) in map {
            let child_pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
            match key.as_str() {
                "example" => out.push((child_pointer, child.clone())),
                "examples"
                    if child.is_object()
                        && child
                            .as_object()
                            .unwrap()
                            .values()
                            .all(|v| v.get("value").is_some()) =>
                {
                    for (name, example) in child.as_object().unwrap() {
                        out.push((
                            format!("{child_pointer}/{name}/value"),
                            example["value"].clone(),
                        ));
                    }
                }
                _ => walk(child, &child_pointer, out),
            }
        }
    }
    let mut out = Vec::new();
    walk(spec, "", &mut out);
    out
}

/// Drops `null` members: absent optional fields are not serialised.
pub fn without_nulls(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(without_nulls).collect())
        }
        other => other.clone(),
    }
}

/// Deserialises `value` as `T` and serialises it back: the JSON must be equivalent
/// (nulls aside). Returns the typed value.
pub fn assert_round_trip<T>(what: &str, value: &serde_json::Value) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let typed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| {
        panic!(
            "{what} does not deserialise as {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let back = serde_json::to_value(&typed).expect("serialise");
    assert_eq!(
        without_nulls(&back),
        without_nulls(value),
        "{what} changed in a round trip"
    );
    typed
}

/// Round-trips every example of `specs/<api>/` through the type given for its pointer,
/// and fails if an example has no type listed (so new examples get tested too).
///
/// ```text
/// round_trip_examples!("signicat-authentication", {
///     "/paths/~1sessions/post/requestBody/content/application~1json/example" => types::CreateSessionRequest,
/// });
/// ```
#[macro_export]
macro_rules! round_trip_examples {
    ($api:expr, { $($pointer:expr => $ty:ty),* $(,)? }) => {{
        let spec = $crate::spec($api);
        let examples = $crate::spec_examples(&spec);
        let listed: Vec<&str> = vec![$($pointer),*];
        for (pointer, _) in &examples {
            assert!(listed.contains(&pointer.as_str()), "example at {pointer} in specs/{} has no type listed", $api);
        }
        $(
            let value = spec.pointer($pointer).unwrap_or_else(|| panic!("no example at {}", $pointer));
            $crate::assert_round_trip::<$ty>($pointer, value);
        )*
        examples.len()
    }};
}

/// Runs `cargo <args>` in the workspace at `dir` (a user's workspace the test made), in a
/// target dir of its own kept between runs (`target/vendoring`), so it never waits on
/// the lock of the build running the tests, and with this workspace's `Cargo.lock`
/// copied in so an offline build finds every dependency cached.
pub fn cargo_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let root = workspace_root();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    std::process::Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root.join("target/vendoring"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo")
}

/// The generated crates' READMEs, whose code runs as this crate's doctests: each
/// quickstart against the sandbox, each auth example compiled.
pub mod readmes {
    #[doc = include_str!("../../crates/idverify-identify-videoident/README.md")]
    pub mod identify_videoident {}
    #[doc = include_str!("../../crates/idverify-idfy-identification-v1/README.md")]
    pub mod idfy_identification_v1 {}
    #[doc = include_str!("../../crates/idverify-idnow-platform/README.md")]
    pub mod idnow_platform {}
    #[doc = include_str!("../../crates/idverify-signicat-authentication/README.md")]
    pub mod signicat_authentication {}
    #[doc = include_str!("../../crates/idverify-signicat-identification-v2/README.md")]
    pub mod signicat_identification_v2 {}
}
