//! Auth read from the spec's `securitySchemes` where `codegen.toml` has no `[auth]`.

use std::path::Path;

use idverify_codegen::pipeline;

const CONFIG_WITHOUT_AUTH: &str = r#"
[crate]
name = "idverify-example"
version = "0.1.0"
description = "Example."

[api]
base_url = "https://api.example.invalid"
"#;

fn spec(security: &str) -> String {
    format!(
        r##"
openapi: 3.0.3
info: {{ title: Example, version: "1" }}
{security}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200": {{ description: Things. }}
"##
    )
}

fn plan(spec: &str) -> Result<(String, Vec<String>), String> {
    let dir = tempfile::tempdir().unwrap();
    let api = dir.path().join("specs/example");
    std::fs::create_dir_all(&api).unwrap();
    std::fs::write(api.join("codegen.toml"), CONFIG_WITHOUT_AUTH).unwrap();
    std::fs::write(api.join("openapi.yaml"), spec).unwrap();
    let plans = pipeline::plan_all(dir.path(), None).map_err(|e| e.to_string())?;
    let api = &plans[0].1.apis[0];
    let generated = api
        .files
        .iter()
        .find(|f| f.path.ends_with(Path::new("src/generated.rs")))
        .unwrap();
    Ok((generated.contents.clone(), api.notes.clone()))
}

#[test]
fn oauth2_client_credentials_come_from_security_schemes() {
    let (generated, notes) = plan(&spec(
        r#"
security:
  - vendor: [read, write]
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-Key }
    vendor:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.example.invalid/token
          scopes: { read: Read., write: Write., admin: Admin. }
"#,
    ))
    .unwrap();
    let compact: String = generated.split_whitespace().collect();
    assert!(
        compact.contains(r#"token_url:"https://auth.example.invalid/token",scope:::std::option::Option::Some("readwrite")"#),
        "the descriptor carries the token URL and the required scopes"
    );
    assert!(
        compact.contains(
            r#"token_url:::std::option::Option::Some("https://auth.example.invalid/token""#
        ),
        "the production environment uses it"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("OAuth2 client credentials from `https://auth.example.invalid/token`, scope `read write`")),
        "{notes:?}"
    );
}

#[test]
fn schemes_without_a_token_flow_leave_the_client_without_a_provider_and_say_so() {
    let (generated, notes) = plan(&spec(
        r#"
security:
  - key: []
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-Key }
"#,
    ))
    .unwrap();
    assert!(generated.contains("auth: ::idverify_runtime::AuthScheme::None"));
    assert!(
        notes.iter().any(|n| n.contains("key (apiKey)")),
        "{notes:?}"
    );
}

#[test]
fn a_requirement_naming_an_unknown_scheme_or_a_bad_token_url_is_named() {
    let unknown = plan(&spec(
        "security:\n  - missing: []\ncomponents:\n  securitySchemes:\n    key: { type: apiKey, in: header, name: X-Key }\n",
    ))
    .unwrap_err();
    assert!(
        unknown.contains("#/security") && unknown.contains("`missing`"),
        "{unknown}"
    );
    let insecure = plan(&spec(
        "components:\n  securitySchemes:\n    o:\n      type: oauth2\n      flows:\n        clientCredentials:\n          tokenUrl: /token\n          scopes: {}\n",
    ))
    .unwrap_err();
    assert!(
        insecure.contains("#/components/securitySchemes/o/flows/clientCredentials/tokenUrl"),
        "{insecure}"
    );
}
