//! Names that become the same Rust identifier (progenitor and typify recase every name:
//! `document_info` and `Document_Info` are both `DocumentInfo`; enum values `ABC` and
//! `abc` are both `Abc`) are told apart before generation, deterministically (by the
//! order of the file, so the same file always gives the same names) and with a note
//! each (`cargo xtask codegen --verbose`).
//!
//! - Component schemas: the first keeps its name, each other gets a number
//!   (`DocumentInfo2`); schema names are not on the wire, so only the `$ref`s change.
//! - Enum values and properties of one object: the first keeps its identifier, each
//!   other gets a suffix from its spelling (`SpeLower`, `SpeUpper`, else `Alt`). Their
//!   wire names must not change, so generation sees a stand-in value (a spelling found
//!   nowhere in the file) that [`crate::rewrite::wire_names`] turns back into the wire
//!   name in every string literal of the generated code: serde renames, `Display`,
//!   `FromStr`.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToPascalCase, ToSnakeCase};
use serde_json::Value;

use crate::error::pointer_token;

/// Names as typify makes identifiers of them (close to `typify_impl::util::sanitize`).
pub fn rust_name(input: &str, pascal: bool) -> String {
    let cleaned: String = input
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = if pascal {
        cleaned.to_pascal_case()
    } else {
        cleaned.to_snake_case()
    };
    match out.chars().next() {
        None => "x".to_string(),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) if pascal => format!("X{out}"),
        Some(_) => format!("x{out}"),
    }
}

/// A component schema name based on `base` whose Rust type name no schema (nor any of
/// `taken`) has.
pub fn unique_type_name(doc: &Value, base: &str, taken: &[&str]) -> String {
    let used: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|s| s.keys())
        .map(String::as_str)
        .chain(taken.iter().copied())
        .map(|n| rust_name(n, true))
        .collect();
    let mut name = base.to_string();
    let mut k = 2;
    while used.contains(&rust_name(&name, true)) {
        name = format!("{base}{k}");
        k += 1;
    }
    name
}

/// Renames component schemas whose Rust type names collide, rewriting every `$ref`.
pub fn schema_names(doc: &mut Value, notes: &mut Vec<String>) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let all: BTreeSet<String> = names.iter().map(|n| rust_name(n, true)).collect();
    for name in &names {
        let ident = rust_name(name, true);
        if used.insert(ident.clone()) {
            continue;
        }
        let base = ident;
        let mut k = 2;
        let mut new = format!("{base}{k}");
        while used.contains(&new) || all.contains(&new) || schemas.contains_key(&new) {
            k += 1;
            new = format!("{base}{k}");
        }
        used.insert(new.clone());
        renames.insert(name.clone(), new);
    }
    if renames.is_empty() {
        return;
    }
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("listed above");
    let old = std::mem::take(schemas);
    for (name, schema) in old {
        let key = renames.get(&name).cloned().unwrap_or(name);
        schemas.insert(key, schema);
    }
    let refs: BTreeMap<String, String> = renames
        .iter()
        .map(|(old, new)| {
            (
                format!("#/components/schemas/{}", pointer_token(old)),
                format!("#/components/schemas/{}", pointer_token(new)),
            )
        })
        .collect();
    rewrite_refs(doc, &refs);
    for (old, new) in &renames {
        notes.push(format!(
            "/components/schemas/{}: its Rust name is another schema's; generated as `{new}`",
            pointer_token(old)
        ));
    }
}

fn rewrite_refs(value: &mut Value, refs: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(new) = refs.get(r.as_str())
            {
                *r = new.clone();
            }
            for child in map.values_mut() {
                rewrite_refs(child, refs);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_refs(i, refs)),
        _ => {}
    }
}

/// The suffix telling a twin apart by its spelling.
fn suffix(value: &str) -> &'static str {
    let letters = || value.chars().filter(|c| c.is_alphabetic());
    if letters().all(char::is_lowercase) {
        "lower"
    } else if letters().all(char::is_uppercase) {
        "upper"
    } else {
        "alt"
    }
}

/// Stand-ins for names that collide among `names` (identifiers made with `pascal`):
/// index → stand-in. `original` is the whole file's text: a stand-in never appears in it.
fn stand_ins(names: &[&str], pascal: bool, original: &str) -> BTreeMap<usize, String> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let all: BTreeSet<String> = names.iter().map(|n| rust_name(n, pascal)).collect();
    let mut out = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        let ident = rust_name(name, pascal);
        if used.insert(ident) {
            continue;
        }
        // `-` is not in an identifier: typify then always writes a serde rename, which
        // is where the wire name goes back.
        let base = format!("{name}-{}", suffix(name));
        let mut candidate = base.clone();
        let mut k = 2;
        loop {
            let ident = rust_name(&candidate, pascal);
            let quoted = serde_json::to_string(&candidate).unwrap_or_default();
            if !used.contains(&ident) && !all.contains(&ident) && !original.contains(&quoted) {
                used.insert(ident);
                break;
            }
            candidate = format!("{base}{k}");
            k += 1;
        }
        out.insert(i, candidate);
    }
    out
}

/// Enum values and object properties whose identifiers collide get stand-ins; returns
/// stand-in → wire name.
pub fn member_names(doc: &mut Value, notes: &mut Vec<String>) -> BTreeMap<String, String> {
    let original = doc.to_string();
    let mut wire = BTreeMap::new();
    walk(doc, "", &original, &mut wire, notes);
    wire
}

fn walk(
    value: &mut Value,
    pointer: &str,
    original: &str,
    wire: &mut BTreeMap<String, String>,
    notes: &mut Vec<String>,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(values)) = map.get_mut("enum")
                && values.iter().all(Value::is_string)
            {
                let names: Vec<String> = values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                for (i, stand_in) in stand_ins(&refs, true, original) {
                    notes.push(format!(
                        "{pointer}/enum/{i}: `{}` and another value are one Rust variant; \
                         generated as `{}` (wire value kept)",
                        names[i],
                        rust_name(&stand_in, true)
                    ));
                    wire.insert(stand_in.clone(), names[i].clone());
                    values[i] = Value::String(stand_in);
                }
            }
            let renamed = match map.get("properties").and_then(Value::as_object) {
                Some(properties) => {
                    let keys: Vec<&str> = properties.keys().map(String::as_str).collect();
                    stand_ins(&keys, false, original)
                        .into_iter()
                        .map(|(i, s)| (keys[i].to_string(), s))
                        .collect::<Vec<_>>()
                }
                None => Vec::new(),
            };
            if !renamed.is_empty() {
                if let Some(Value::Object(properties)) = map.get_mut("properties") {
                    let old = std::mem::take(properties);
                    for (key, schema) in old {
                        let key = renamed
                            .iter()
                            .find(|(k, _)| *k == key)
                            .map(|(_, s)| s.clone())
                            .unwrap_or(key);
                        properties.insert(key, schema);
                    }
                }
                if let Some(Value::Array(required)) = map.get_mut("required") {
                    for r in required.iter_mut() {
                        if let Some((_, s)) = renamed.iter().find(|(k, _)| r == k.as_str()) {
                            *r = Value::String(s.clone());
                        }
                    }
                }
                for (key, stand_in) in renamed {
                    notes.push(format!(
                        "{pointer}/properties/{}: its Rust field is another property's; \
                         generated as `{}` (wire name kept)",
                        pointer_token(&key),
                        rust_name(&stand_in, false)
                    ));
                    wire.insert(stand_in, key);
                }
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    walk(
                        child,
                        &format!("{pointer}/{}", pointer_token(key)),
                        original,
                        wire,
                        notes,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{pointer}/{i}"), original, wire, notes);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn colliding_schemas_are_renamed_with_their_refs() {
        let mut doc = json!({ "components": { "schemas": {
            "document_info": { "type": "object" },
            "Document_Info": { "type": "object", "properties": { "a": { "$ref": "#/components/schemas/document_info" } } },
            "Holder": { "properties": { "x": { "$ref": "#/components/schemas/Document_Info" } } }
        }}});
        let mut notes = Vec::new();
        schema_names(&mut doc, &mut notes);
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let keys: Vec<&String> = schemas.keys().collect();
        assert_eq!(keys, ["document_info", "DocumentInfo2", "Holder"]);
        assert_eq!(
            doc["components"]["schemas"]["Holder"]["properties"]["x"]["$ref"],
            "#/components/schemas/DocumentInfo2"
        );
        assert_eq!(
            doc["components"]["schemas"]["DocumentInfo2"]["properties"]["a"]["$ref"],
            "#/components/schemas/document_info"
        );
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn case_twins_get_stand_ins_that_map_back() {
        let mut doc = json!({ "enum": ["SPE", "spe", "Spe", "other"] });
        let wire = member_names(&mut doc, &mut Vec::new());
        assert_eq!(doc["enum"], json!(["SPE", "spe-lower", "Spe-alt", "other"]));
        assert_eq!(wire["spe-lower"], "spe");
        assert_eq!(wire["Spe-alt"], "Spe");
        // Stable: the same input gives the same names.
        let mut again = json!({ "enum": ["SPE", "spe", "Spe", "other"] });
        member_names(&mut again, &mut Vec::new());
        assert_eq!(again, doc);
    }

    #[test]
    fn a_stand_in_never_takes_a_spelling_of_the_file() {
        let mut doc = json!({ "enum": ["A", "a", "a-lower"] });
        let wire = member_names(&mut doc, &mut Vec::new());
        assert_eq!(doc["enum"], json!(["A", "a-lower2", "a-lower"]));
        assert_eq!(wire["a-lower2"], "a");
    }

    #[test]
    fn colliding_properties_keep_their_wire_names() {
        let mut doc =
            json!({ "properties": { "fileName": {}, "file_name": {} }, "required": ["file_name"] });
        let wire = member_names(&mut doc, &mut Vec::new());
        assert_eq!(doc["required"], json!(["file_name-lower"]));
        assert!(doc["properties"].get("file_name-lower").is_some());
        assert_eq!(wire["file_name-lower"], "file_name");
    }
}
