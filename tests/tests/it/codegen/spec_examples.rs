//! Every example in every spec is valid against the schema it illustrates, as a standard
//! JSON Schema validator reads it: what the docs show the vendor sending, the spec must
//! accept.

use std::fs;

use idverify_tests::{spec, spec_examples, workspace_root};
use serde_json::{Map, Value, json};

#[test]
fn every_example_validates_against_its_schema() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for api in apis() {
        let document = spec(&api);
        let schema_document = json_schema(document.clone());
        for (pointer, example) in spec_examples(&document) {
            let Some(schema_pointer) = schema_of(&document, &pointer) else {
                failures.push(format!(
                    "specs/{api}: {pointer}: no schema beside the example"
                ));
                continue;
            };
            // The whole document is the root, so `#/components/...` references resolve.
            let mut root = schema_document.clone();
            root.as_object_mut().unwrap().insert(
                "$ref".into(),
                Value::String(format!("#{}", fragment(&schema_pointer))),
            );
            let validator = jsonschema::draft4::options()
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("specs/{api}: {schema_pointer}: not a schema: {e}"));
            for error in validator.iter_errors(&example) {
                failures.push(format!(
                    "specs/{api}: {pointer} (at {}): {error}",
                    error.instance_path()
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} examples found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A JSON pointer as a URI fragment: characters a fragment may not hold (the braces of
/// path templates) percent-encoded.
fn fragment(pointer: &str) -> String {
    pointer
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '/' | '~' | '-' | '.' | '_' => c.to_string(),
            _ => c.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
        })
        .collect()
}

fn apis() -> Vec<String> {
    // The spec folders (`specs/codegen.schema.json` is beside them).
    let mut apis: Vec<String> = fs::read_dir(workspace_root().join("specs"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    apis.sort();
    apis
}

/// The schema an example illustrates: the `schema` beside it (a media type or a
/// parameter; two levels up for a named example's `value`), else the schema it sits in.
pub(super) fn schema_of(document: &Value, example_pointer: &str) -> Option<String> {
    let (mut parent, _) = example_pointer.rsplit_once('/')?;
    if parent.ends_with("/examples") || example_pointer.ends_with("/value") {
        // `.../examples/<name>/value`
        parent = parent.rsplit_once('/')?.0.rsplit_once('/')?.0;
    }
    let beside = format!("{parent}/schema");
    if document.pointer(&beside).is_some() {
        Some(beside)
    } else {
        document
            .pointer(parent)?
            .is_object()
            .then(|| parent.to_string())
    }
}

/// OpenAPI 3.0's `nullable: true` in JSON Schema terms: `null` is one more accepted type
/// (and enum value); beside `allOf`/`anyOf`/`oneOf`/`$ref` (whose schemas do not accept
/// `null` themselves), either the whole schema or `null`, as the generated `Option` reads it.
fn json_schema(mut value: Value) -> Value {
    translate(&mut value);
    value
}

fn translate(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    translate(child);
                }
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                nullable(map);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(translate),
        _ => {}
    }
}

fn nullable(map: &mut Map<String, Value>) {
    let composed = ["allOf", "anyOf", "oneOf", "$ref"]
        .iter()
        .any(|k| map.contains_key(*k));
    if !composed && let Some(Value::String(kind)) = map.get("type").cloned() {
        map.insert("type".into(), json!([kind, "null"]));
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            values.push(Value::Null);
        }
    } else {
        let schema = Value::Object(std::mem::take(map));
        map.insert("anyOf".into(), json!([schema, { "type": "null" }]));
    }
}
