//! The `schemars` feature: the JSON Schema a service gets from `schemars::schema_for!` for
//! a response type accepts every example the vendor's spec gives of that type, and is
//! strict enough to refuse one with a member of the wrong type. And `codegen.toml`'s
//! own schema, `specs/codegen.schema.json`, which every `codegen.toml` names for editors.

use idverify_identify_videoident::types as identify;
use idverify_idfy_identification_v1::types as idfy;
use idverify_idnow_platform::types as idnow;
use idverify_signicat_authentication::types as signicat;
use idverify_signicat_identification_v2::types as idv2;
use idverify_tests::{spec, spec_examples, workspace_root};
use serde_json::Value;

use super::spec_examples::schema_of;

/// One response type of a crate: the spec it comes from, its component schema, and the
/// JSON Schema the type's `JsonSchema` derive gives.
struct Case {
    api: &'static str,
    component: &'static str,
    schema: Value,
}

fn case<T: schemars::JsonSchema>(api: &'static str, component: &'static str) -> Case {
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("a schema is JSON");
    Case {
        api,
        component,
        schema,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case::<signicat::Session>("signicat-authentication", "Session"),
        case::<idv2::Session>("signicat-identification-v2", "Session"),
        case::<idnow::Session>("idnow-platform", "Session"),
        case::<idfy::IdentificationResponse>("idfy-identification-v1", "IdentificationResponse"),
        case::<identify::GetIdentResponse>("identify-videoident", "GetIdentResponse"),
    ]
}

/// Every example in `api`'s spec of the component schema `component`: those beside a
/// schema that is a reference to it (responses, request bodies, properties), and its own.
fn examples_of(api: &str, component: &str) -> Vec<(String, Value)> {
    let document = spec(api);
    let target = format!("#/components/schemas/{component}");
    let own = format!("/components/schemas/{component}");
    spec_examples(&document)
        .into_iter()
        .filter(|(pointer, _)| {
            schema_of(&document, pointer).is_some_and(|at| {
                at == own
                    || document
                        .pointer(&at)
                        .and_then(|schema| schema.get("$ref"))
                        .is_some_and(|r| r == &Value::String(target.clone()))
            })
        })
        .collect()
}

fn validator(case: &Case) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&case.schema)
        .unwrap_or_else(|e| panic!("{}: {}: not a JSON Schema: {e}", case.api, case.component))
}

#[test]
fn every_example_of_a_response_type_validates_against_its_json_schema() {
    let mut failures = Vec::new();
    for case in cases() {
        let validator = validator(&case);
        let examples = examples_of(case.api, case.component);
        assert!(
            !examples.is_empty(),
            "specs/{}: no example of {}",
            case.api,
            case.component
        );
        for (pointer, example) in examples {
            for error in validator.iter_errors(&example) {
                failures.push(format!(
                    "specs/{}: {pointer} as {} (at {}): {error}",
                    case.api,
                    case.component,
                    error.instance_path()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A member of a documented example turned into a number where the type has text (or
/// into text where it has anything else) fails the schema: it describes the members.
#[test]
fn a_member_of_the_wrong_type_fails_the_json_schema() {
    for case in cases() {
        let validator = validator(&case);
        let (pointer, example) = examples_of(case.api, case.component)
            .into_iter()
            .next()
            .expect("an example");
        let object = example
            .as_object()
            .expect("a response example is an object");
        let (key, value) = object
            .iter()
            .find(|(_, v)| !v.is_null())
            .expect("a member that is set");
        let wrong = if value.is_string() {
            Value::from(7)
        } else {
            Value::from("seven")
        };
        let mut broken = example.clone();
        broken[key.as_str()] = wrong;
        assert!(
            !validator.is_valid(&broken),
            "specs/{}: {pointer} with `{key}` of the wrong type still validates as {}",
            case.api,
            case.component
        );
    }
}

/// Open enums take any string (a value added by the vendor later parses too), and their
/// schema lists the documented values for the reader.
#[test]
fn an_open_enum_schema_lists_its_values_and_takes_any_string() {
    let schema = serde_json::to_value(schemars::schema_for!(idfy::IdentityProvider)).unwrap();
    let documented = &schema["anyOf"][0]["enum"];
    assert!(
        documented
            .as_array()
            .is_some_and(|values| values.contains(&Value::from("NO_BANKID_WEB"))),
        "{schema:#}"
    );
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    assert!(validator.is_valid(&Value::from("NO_BANKID_WEB")));
    assert!(validator.is_valid(&Value::from("SOME_NEW_PROVIDER")));
    assert!(!validator.is_valid(&Value::from(3)));
    let parsed: idfy::IdentityProvider = serde_json::from_str("\"SOME_NEW_PROVIDER\"").unwrap();
    assert!(parsed.is_unknown());
}

/// Every `codegen.toml` of the specs and the fixture specs, as (path, text).
fn codegen_tomls() -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    for specs in ["specs", "tests/fixtures/specs"] {
        for entry in std::fs::read_dir(workspace_root().join(specs)).unwrap() {
            let path = entry.unwrap().path().join("codegen.toml");
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path, text));
            }
        }
    }
    out
}

fn codegen_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(workspace_root().join("specs/codegen.schema.json"))
        .expect("specs/codegen.schema.json, written by `cargo xtask codegen`");
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&schema).expect("codegen.schema.json is a JSON Schema")
}

#[test]
fn every_codegen_toml_names_the_schema_and_validates_against_it() {
    let validator = codegen_schema();
    let schema_file = workspace_root()
        .join("specs/codegen.schema.json")
        .canonicalize()
        .unwrap();
    let tomls = codegen_tomls();
    assert!(tomls.len() >= 10, "{} codegen.toml files", tomls.len());
    for (path, text) in tomls {
        let named = text
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("#:schema "))
            .unwrap_or_else(|| panic!("{}: does not start with `#:schema`", path.display()));
        assert_eq!(
            path.parent()
                .unwrap()
                .join(named.trim())
                .canonicalize()
                .ok(),
            Some(schema_file.clone()),
            "{}: `#:schema {named}` is not specs/codegen.schema.json",
            path.display()
        );
        let value: Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {}",
            path.display(),
            errors.join("\n")
        );
    }
}

/// What the generator refuses as a structure, the schema refuses too, so the editor
/// shows it: an unknown key, an unknown `kind`, a missing required key.
#[test]
fn the_codegen_schema_refuses_what_the_generator_refuses() {
    let validator = codegen_schema();
    let base = "[crate]\nname = \"x\"\nversion = \"0.1.0\"\ndescription = \"d\"\n\n[api]\nbase_url = \"https://x.example\"\n";
    let accepted: Value = toml::from_str(base).unwrap();
    assert!(validator.is_valid(&accepted));
    for (what, extra) in [
        ("an unknown key", "colour = \"blue\"\n"),
        ("an unknown auth kind", "\n[auth]\nkind = \"api-key\"\n"),
        ("an unknown error shape", "\n[errors]\nshape = \"soap\"\n"),
        (
            "a pagination without `items`",
            "\n[pagination.listThings]\nkind = \"cursor\"\nnext = \"n\"\nparam = \"p\"\n",
        ),
    ] {
        let text = format!("{base}{extra}");
        let value: Value = toml::from_str(&text).unwrap();
        assert!(!validator.is_valid(&value), "{what} validates");
        assert!(
            idverify_codegen::config::Config::parse(std::path::Path::new("codegen.toml"), &text)
                .is_err(),
            "{what} is accepted by the generator"
        );
    }
}
