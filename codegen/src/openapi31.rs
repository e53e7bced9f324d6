//! OpenAPI 3.1 → 3.0 where the meaning survives; a clear error naming the construct
//! (and its JSON pointer) where it does not.

use std::path::Path;

use serde_json::{Value, json};

use crate::error::{Error, Result, pointer_token};

/// JSON Schema 2020-12 keywords with no OpenAPI 3.0 equivalent.
const UNSUPPORTED_KEYWORDS: &[&str] = &[
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "propertyNames",
    "contains",
    "$dynamicRef",
    "$dynamicAnchor",
];

pub fn down_convert(file: &Path, mut doc: Value) -> Result<Value> {
    let obj = doc
        .as_object_mut()
        .ok_or_else(|| Error::at_pointer(file, "", "document is not an object"))?;
    obj.insert("openapi".into(), json!("3.0.3"));
    obj.remove("jsonSchemaDialect");
    if obj
        .get("webhooks")
        .is_some_and(|w| w.as_object().is_some_and(|m| !m.is_empty()))
    {
        // Webhooks are requests the vendor sends to us: nothing for a client to call.
        // Keep them visible to a reader of the normalised document.
        let webhooks = obj.remove("webhooks").unwrap_or_default();
        obj.insert("x-webhooks".into(), webhooks);
    } else {
        obj.remove("webhooks");
    }
    if let Some(info) = obj.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
    if obj
        .get("components")
        .and_then(|c| c.get("pathItems"))
        .is_some()
    {
        return Err(Error::at_pointer(
            file,
            "/components/pathItems",
            "OpenAPI 3.1 `components.pathItems` has no 3.0 form",
        ));
    }
    if obj.get("paths").is_none() {
        obj.insert("paths".into(), json!({}));
    }
    walk(file, &mut doc, &mut String::new(), false)?;
    Ok(doc)
}

/// Visits every object; rewrites those that look like schemas.
/// `names_are_keys` is true for maps keyed by user names (`properties`), whose keys are
/// never keywords.
fn walk(file: &Path, value: &mut Value, pointer: &mut String, names_are_keys: bool) -> Result<()> {
    match value {
        Value::Object(map) => {
            if !names_are_keys && is_schema_like(map) {
                rewrite_schema(file, map, pointer)?;
            }
            for (key, child) in map.iter_mut() {
                // `example`/`examples` hold data, not schemas.
                let is_data = matches!(key.as_str(), "example" | "examples" | "default" | "enum");
                if is_data && !names_are_keys {
                    continue;
                }
                let child_names_are_keys = !names_are_keys
                    && matches!(
                        key.as_str(),
                        "properties" | "schemas" | "responses" | "paths"
                    );
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&pointer_token(key));
                walk(file, child, pointer, child_names_are_keys)?;
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                walk(file, item, pointer, false)?;
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

fn is_schema_like(map: &serde_json::Map<String, Value>) -> bool {
    [
        "type",
        "properties",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "const",
        "$ref",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
        || UNSUPPORTED_KEYWORDS.iter().any(|k| map.contains_key(*k))
}

fn rewrite_schema(
    file: &Path,
    map: &mut serde_json::Map<String, Value>,
    pointer: &str,
) -> Result<()> {
    for keyword in UNSUPPORTED_KEYWORDS {
        if map.contains_key(*keyword) {
            return Err(Error::at_pointer(
                file,
                &format!("{pointer}/{}", pointer_token(keyword)),
                format!("JSON Schema keyword `{keyword}` (OpenAPI 3.1) has no OpenAPI 3.0 form"),
            ));
        }
    }
    // `type: [T, "null"]` → `type: T, nullable: true`
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let non_null: Vec<&Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .collect();
        let nullable = non_null.len() < types.len();
        match non_null.as_slice() {
            [single] => {
                map.insert("type".into(), (*single).clone());
            }
            [] => {
                map.remove("type");
            }
            _ => {
                return Err(Error::at_pointer(
                    file,
                    &format!("{pointer}/type"),
                    format!(
                        "a schema with several types {} has no OpenAPI 3.0 form; use oneOf",
                        Value::Array(types.clone())
                    ),
                ));
            }
        }
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
    }
    // `oneOf: [{...}, {type: "null"}]` → nullable
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(options)) = map.get_mut(key) {
            let before = options.len();
            options.retain(|o| o.get("type").and_then(Value::as_str) != Some("null"));
            if options.len() < before {
                map.insert("nullable".into(), Value::Bool(true));
            }
        }
    }
    // Numeric exclusive bounds → boolean form.
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if let Some(c) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![c]));
    }
    // Schema `examples` (an array) → `example` (the first).
    if let Some(Value::Array(examples)) = map.get("examples").cloned()
        && !map.contains_key("example")
    {
        map.remove("examples");
        if let Some(first) = examples.into_iter().next() {
            map.insert("example".into(), first);
        }
    }
    for dropped in [
        "$schema",
        "$id",
        "$anchor",
        "$comment",
        "contentMediaType",
        "contentEncoding",
    ] {
        map.remove(dropped);
    }
    // 3.1 allows siblings next to `$ref`; 3.0 ignores them. Keep the meaning with allOf.
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").unwrap_or_default();
        let description = map.remove("description");
        let rest: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
        map.insert("allOf".into(), json!([{ "$ref": reference }]));
        if let Some(d) = description {
            map.insert("description".into(), d);
        }
        for (k, v) in rest {
            map.insert(k, v);
        }
    }
    Ok(())
}
