//! Part of pass `config`: how clients authenticate, read from the spec's
//! `securitySchemes` and `security` where `codegen.toml` has no `[auth]`. A vendor's own
//! file that declares OAuth2 client credentials then needs no `[auth]` at all.
//!
//! Read: the first requirement of the document's `security` (else the first scheme)
//! that names an `oauth2` scheme with a `clientCredentials` flow: its `tokenUrl`, and the
//! requirement's scopes (space-separated) as the scope. Other schemes (API keys,
//! bearer tokens) leave the client without a token provider; the caller passes
//! `Credentials::bearer` or sets headers on its own `reqwest::Client`. Every choice is
//! reported as a normalisation note.

use std::path::Path;

use serde_json::Value;

use crate::config::{AuthConfig, check_url};
use crate::error::{Error, Result};

/// What the spec says about auth, and a note saying what was read.
pub fn auth_from_spec(spec: &Path, doc: &Value) -> Result<(AuthConfig, String)> {
    let schemes = doc["components"]["securitySchemes"].as_object();
    let Some(schemes) = schemes.filter(|s| !s.is_empty()) else {
        return Ok((
            AuthConfig::None,
            "#/components/securitySchemes: none declared and no [auth] in codegen.toml: the client sends no credentials of its own".into(),
        ));
    };
    // (scheme name, scopes) in the order the document prefers them.
    let mut candidates: Vec<(String, Vec<String>)> = Vec::new();
    for requirement in doc["security"].as_array().into_iter().flatten() {
        for (name, scopes) in requirement.as_object().into_iter().flatten() {
            let scopes = scopes
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect();
            candidates.push((name.clone(), scopes));
        }
    }
    candidates.extend(schemes.keys().map(|name| (name.clone(), Vec::new())));
    for (name, scopes) in candidates {
        let Some(scheme) = schemes.get(&name) else {
            return Err(Error::at_pointer(
                spec,
                "/security",
                format!("names `{name}`, which is not in components/securitySchemes"),
            ));
        };
        if scheme["type"] != "oauth2" {
            continue;
        }
        let flow = &scheme["flows"]["clientCredentials"];
        let Some(token_url) = flow["tokenUrl"].as_str() else {
            continue;
        };
        let pointer =
            format!("/components/securitySchemes/{name}/flows/clientCredentials/tokenUrl");
        check_url(token_url).map_err(|m| Error::at_pointer(spec, &pointer, m))?;
        let scope = (!scopes.is_empty()).then(|| scopes.join(" "));
        let note = format!(
            "#{pointer}: OAuth2 client credentials from `{token_url}`{}",
            scope
                .as_deref()
                .map(|s| format!(", scope `{s}`"))
                .unwrap_or_default()
        );
        return Ok((
            AuthConfig::Oauth2ClientCredentials {
                token_url: token_url.to_string(),
                scope,
            },
            note,
        ));
    }
    let kinds: Vec<String> = schemes
        .iter()
        .map(|(name, s)| format!("{name} ({})", s["type"].as_str().unwrap_or("?")))
        .collect();
    Ok((
        AuthConfig::None,
        format!(
            "#/components/securitySchemes: no OAuth2 client-credentials scheme ({}); the client sends no credentials of its own (pass `Credentials::bearer`, or declare [auth] in codegen.toml)",
            kinds.join(", ")
        ),
    ))
}
