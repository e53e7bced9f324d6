//! What a create-session body must be, beyond what the generated types check.

use super::*;
use crate::kit::http::is_web_url;

/// Whether `name` looks like a data block name (camelCase letters and digits).
pub(super) fn is_block_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

pub(super) fn check_content<T: serde::de::DeserializeOwned>(
    name: &str,
    content: &Value,
    problems: &mut Vec<(String, String)>,
) {
    if let Err(error) = from_value::<T>(content) {
        let field = if error.name == "body" {
            format!("input.{name}")
        } else {
            format!("input.{name}.{}", error.name)
        };
        problems.push((field, error.reason));
    }
}

/// Parses and validates a create-session body: what serde cannot check (the input
/// blocks' shapes, the redirect URL) is checked here.
pub fn validate_create(body: &[u8]) -> Result<types::CreateSessionRequest, Vec<(String, String)>> {
    // The metadata's own members are a flattened map: serde loses the member's path
    // there, so its values are checked first.
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body)
        && let Some(Value::Object(metadata)) = object.get("metadata")
        && let Some((key, _)) = metadata.iter().find(|(_, v)| !v.is_string())
    {
        return Err(vec![(
            format!("metadata.{key}"),
            "Must be a string.".into(),
        )]);
    }
    // The spec marks no member of this body `nullable`; the data blocks' contents are
    // free-form there, their shapes are checked below.
    let request: types::CreateSessionRequest =
        parse_request(body, spec_facts::CREATE_SESSION.request_nullable).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    for (name, content) in &request.input {
        if !is_block_name(name) {
            problems.push((
                format!("input.{name}"),
                "Not a data block name (camelCase, e.g. basicIdentity).".into(),
            ));
            continue;
        }
        if !content.is_object() {
            problems.push((
                format!("input.{name}"),
                "Must be an object (the data block's content).".into(),
            ));
            continue;
        }
        match name.as_str() {
            "basicIdentity" => check_content::<types::BasicIdentity>(name, content, &mut problems),
            "documentData" => check_content::<types::DocumentData>(name, content, &mut problems),
            "documentsToSign" => {
                check_content::<types::DocumentsToSign>(name, content, &mut problems)
            }
            _ => {}
        }
    }
    if let Some(url) = &request.redirect_url
        && !is_web_url(url)
    {
        problems.push((
            "redirectUrl".into(),
            "Must be an absolute http(s) URL.".into(),
        ));
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}
