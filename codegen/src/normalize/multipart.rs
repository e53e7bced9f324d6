//! A `multipart/form-data` request body, which progenitor cannot generate, becomes a
//! typed form: the body is taken out of the operation and recorded as a
//! [`MultipartForm`] (its parts in the spec's order, each a file or a text part with its
//! encoding); its non-file properties become a component schema of their own
//! (`<Operation>FormFields`), so they are typed like any other schema. The rewrite pass
//! [`crate::rewrite::multipart`] then adds the form type and the operation's `body`.

use heck::ToPascalCase;
use serde_json::{Value, json};

use super::{Normalized, insert_schema, resolve_ref};
use crate::error::{Error, Result};

pub const MEDIA: &str = "multipart/form-data";

/// An operation's form body.
#[derive(Debug, Clone, PartialEq)]
pub struct MultipartForm {
    /// The Rust type generated for the form, e.g. `UploadDocumentForm`.
    pub type_name: String,
    /// The component schema of the non-file properties, when there are any.
    pub fields_schema: Option<String>,
    /// Whether the operation requires a body.
    pub required: bool,
    /// The parts, in the order of the schema's properties.
    pub parts: Vec<FormPart>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormPart {
    /// The wire name of the part.
    pub name: String,
    pub required: bool,
    pub description: Option<String>,
    pub kind: PartKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PartKind {
    /// `format: binary` (or an array of them: one part per file).
    File {
        repeated: bool,
        /// The `encoding`'s `contentType`, when it names one type.
        content_type: Option<String>,
    },
    /// Any other property; `json` when its `encoding` says JSON.
    Text { json: bool },
}

fn is_binary(doc: &Value, schema: &Value) -> bool {
    let schema = resolve_ref(doc, Some(schema)).unwrap_or_default();
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("format").and_then(Value::as_str) == Some("binary")
}

/// Takes the multipart body of the operation `op_id` at `pointer` (its `requestBody`)
/// out of the document and records its form. `media` is the `multipart/form-data`
/// media type object.
pub fn take(
    file: &std::path::Path,
    n: &mut Normalized,
    op_id: &str,
    pointer: &str,
    required: bool,
    media: &Value,
) -> Result<()> {
    let at = |message: String| {
        Error::at_pointer(
            file,
            &format!("{pointer}/content/{}", crate::error::pointer_token(MEDIA)),
            message,
        )
    };
    let schema = resolve_ref(&n.doc, media.get("schema")).unwrap_or(json!({}));
    if schema.get("allOf").is_some()
        || schema.get("oneOf").is_some()
        || schema.get("anyOf").is_some()
    {
        return Err(at(
            "a `multipart/form-data` body must be one object schema with `properties` (no allOf/oneOf/anyOf); \
             flatten it in overlay.yaml"
                .into(),
        ));
    }
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if properties.is_empty() {
        return Err(at(
            "a `multipart/form-data` body without `properties` cannot be typed; \
             list its parts in overlay.yaml"
                .into(),
        ));
    }
    let required_names: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let encoding = media.get("encoding").cloned().unwrap_or(json!({}));
    let base = op_id.to_pascal_case();
    let type_name = super::names::unique_type_name(&n.doc, &format!("{base}Form"), &[]);

    let mut parts = Vec::new();
    let mut fields = serde_json::Map::new();
    for (name, property) in &properties {
        let content_type = encoding[name.as_str()]["contentType"]
            .as_str()
            .map(str::trim)
            .filter(|c| !c.contains(','))
            .map(str::to_string);
        let resolved = resolve_ref(&n.doc, Some(property)).unwrap_or_default();
        let repeated_binary = resolved.get("type").and_then(Value::as_str) == Some("array")
            && resolved.get("items").is_some_and(|i| is_binary(&n.doc, i));
        let kind = if is_binary(&n.doc, property) || repeated_binary {
            PartKind::File {
                repeated: repeated_binary,
                content_type,
            }
        } else {
            fields.insert(name.clone(), property.clone());
            PartKind::Text {
                json: content_type.is_some_and(|c| {
                    let c = c.to_ascii_lowercase();
                    c == "application/json" || c.ends_with("+json")
                }),
            }
        };
        parts.push(FormPart {
            name: name.clone(),
            required: required_names.contains(&name.as_str()),
            description: resolved
                .get("description")
                .or_else(|| property.get("description"))
                .and_then(Value::as_str)
                .map(str::to_string),
            kind,
        });
    }
    let fields_schema = if fields.is_empty() {
        None
    } else {
        let name =
            super::names::unique_type_name(&n.doc, &format!("{base}FormFields"), &[&type_name]);
        let required: Vec<&str> = required_names
            .iter()
            .copied()
            .filter(|r| fields.contains_key(*r))
            .collect();
        let mut schema = json!({
            "type": "object",
            "description": format!("The text parts of the `{op_id}` form."),
            "properties": fields,
        });
        if !required.is_empty() {
            schema["required"] = json!(required);
        }
        insert_schema(&mut n.doc, &name, schema);
        Some(name)
    };
    let files: Vec<&str> = parts
        .iter()
        .filter(|p| matches!(p.kind, PartKind::File { .. }))
        .map(|p| p.name.as_str())
        .collect();
    n.notes.push(format!(
        "#{pointer}: `{MEDIA}` body generated as the form `{type_name}` (file parts: {}; \
         {} text part(s))",
        if files.is_empty() {
            "none".to_string()
        } else {
            files.join(", ")
        },
        parts.len() - files.len()
    ));
    n.multipart.insert(
        op_id.to_string(),
        MultipartForm {
            type_name,
            fields_schema,
            required,
            parts,
        },
    );
    if let Some(operation) = n
        .doc
        .pointer_mut(pointer.trim_end_matches("/requestBody"))
        .and_then(Value::as_object_mut)
    {
        operation.remove("requestBody");
    }
    Ok(())
}
