//! Property tests of the generated response types of all five clients, starting from
//! the documented examples in each spec: with unknown fields added they still parse
//! (and keep what they had); an unknown string (such as a new enum value) and a huge
//! one survive a round trip; nulls and wrong types never panic; truncated JSON and
//! nesting past serde's depth limit are errors, not panics or stack overflows.

use std::sync::LazyLock;

use idverify_identify_videoident::types as identify;
use idverify_idfy_identification_v1::types as idfy;
use idverify_idnow_platform::types as idnow;
use idverify_signicat_authentication::types as signicat;
use idverify_signicat_identification_v2::types as idv2;
use idverify_tests::{spec, without_nulls};
use proptest::prelude::*;
use proptest::sample::Index;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses `bytes` as one generated type and serialises it back.
type Parse = fn(&[u8]) -> Result<Value, serde_json::Error>;

fn parse<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let typed: T = serde_json::from_slice(bytes)?;
    Ok(serde_json::to_value(&typed).expect("a parsed value serialises"))
}

/// A documented response example and the type it is an example of.
struct Case {
    what: String,
    example: Value,
    parse: Parse,
}

macro_rules! cases {
    ($($api:expr => { $($pointer:expr => $ty:ty),* $(,)? }),* $(,)?) => {{
        let mut cases = Vec::new();
        $(
            let document = spec($api);
            $(
                let example = document
                    .pointer($pointer)
                    .unwrap_or_else(|| panic!("no example at {} in specs/{}", $pointer, $api))
                    .clone();
                cases.push(Case {
                    what: format!("{}{}", $api, $pointer),
                    example,
                    parse: parse::<$ty>,
                });
            )*
        )*
        cases
    }};
}

static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    cases! {
        "signicat-authentication" => {
            "/paths/~1sessions/post/responses/200/content/application~1json/example" => signicat::Session,
            "/components/responses/Problem/content/application~1problem+json/example" => signicat::Problem,
        },
        "signicat-identification-v2" => {
            "/paths/~1sessions/get/responses/200/content/application~1json/example" => idv2::SessionList,
            "/paths/~1sessions~1{id}/get/responses/200/content/application~1json/examples/success/value" => idv2::Session,
            "/paths/~1sessions~1{id}/get/responses/200/content/application~1json/examples/failed/value" => idv2::Session,
            "/paths/~1languages/get/responses/200/content/application~1json/example" => Vec<idv2::LanguageDetails>,
            "/components/responses/IdProviders/content/application~1json/example" => Vec<idv2::IdProvider>,
            "/components/responses/Error/content/application~1json/example" => idv2::ApiError,
        },
        "idnow-platform" => {
            "/paths/~1flows~1{environment}/get/responses/200/content/application~1json/example" => idnow::FlowList,
            "/paths/~1flows~1{flowId}~1{environment}~1sessions/post/responses/200/content/application~1json/example" => idnow::CreateSessionResponse,
            "/paths/~1{environment}~1sessions~1{sessionId}/get/responses/200/content/application~1json/example" => idnow::Session,
            "/paths/~1{environment}~1sessions~1{sessionId}~1datablocks/get/responses/200/content/application~1json/example" => idnow::DatablockList,
            "/components/responses/Error/content/application~1json/example" => idnow::ErrorResponse,
        },
        "idfy-identification-v1" => {
            "/paths/~1identification~1session/post/responses/200/content/application~1json/example" => idfy::CreateIdentificationResponse,
            "/paths/~1identification~1session/get/responses/200/content/application~1json/examples/withMetaData/value" => idfy::IdentificationResponse,
            "/paths/~1identification~1log~1requestId~1{requestId}/get/responses/200/content/application~1json/example" => idfy::IdentificationLogItem,
            "/paths/~1identification~1log~1filter~1{year}/get/responses/200/content/application~1json/example" => idfy::IdentificationLogList,
        },
        "identify-videoident" => {
            "/paths/~1ident~1create/post/responses/200/content/application~1json/example" => identify::CreateIdentResponse,
            "/paths/~1ident~1get~1{ident_id}/get/responses/200/content/application~1json/example" => identify::GetIdentResponse,
            "/paths/~1ident~1getIdentData~1{ident_id}/get/responses/200/content/application~1json/example" => identify::GetIdentDataResponse,
            "/paths/~1project~1getAll/get/responses/200/content/application~1json/example" => identify::GetAllProjectsResponse,
            "/paths/~1webhook~1getAll/get/responses/200/content/application~1json/example" => identify::GetAllWebhooksResponse,
        },
    }
});

/// JSON pointers of every value in `value` (itself included), objects' and arrays' too.
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, at: String, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let key = key.replace('~', "~0").replace('/', "~1");
                    walk(child, format!("{at}/{key}"), out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// The example of `case` and one of its pointers matching `keep`, picked by `index`.
fn pick(case: &Case, index: &Index, keep: impl Fn(&Value) -> bool) -> Option<String> {
    let candidates: Vec<String> = pointers(&case.example)
        .into_iter()
        .filter(|p| keep(case.example.pointer(p).expect("a pointer of the example")))
        .collect();
    (!candidates.is_empty()).then(|| candidates[index.index(candidates.len())].clone())
}

fn replaced(example: &Value, pointer: &str, with: Value) -> Value {
    let mut value = example.clone();
    *value
        .pointer_mut(pointer)
        .expect("a pointer of the example") = with;
    value
}

/// Whether `inner` is all in `outer`: the same scalars, arrays of the same length whose
/// items are in each other, objects whose members are in `outer`'s.
fn is_within(inner: &Value, outer: &Value) -> bool {
    match (inner, outer) {
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| is_within(v, w))),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| is_within(v, w))
        }
        (a, b) => a == b,
    }
}

fn case_index() -> impl Strategy<Value = usize> {
    0..CASES.len()
}

/// Small JSON values of any type.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value of another JSON type than `value`.
fn other_type(value: &Value, pick: u8) -> Value {
    let options = [
        Value::Null,
        Value::Bool(true),
        Value::from(-7),
        Value::from("x"),
        Value::Array(vec![Value::from(1)]),
        serde_json::json!({ "k": 1 }),
    ];
    let kind = |v: &Value| std::mem::discriminant(v);
    let differing: Vec<&Value> = options.iter().filter(|o| kind(o) != kind(value)).collect();
    differing[pick as usize % differing.len()].clone()
}

fn config() -> ProptestConfig {
    // Modest: the suite runs on two cores.
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

#[test]
fn every_documented_example_parses() {
    for case in CASES.iter() {
        let bytes = serde_json::to_vec(&case.example).unwrap();
        let back = (case.parse)(&bytes).unwrap_or_else(|e| panic!("{}: {e}", case.what));
        assert_eq!(
            without_nulls(&back),
            without_nulls(&case.example),
            "{}",
            case.what
        );
    }
}

/// Every string member of every example, one at a time, given a value never seen: it
/// parses (strings are plain strings, open enums or lenient dates) and comes back.
#[test]
fn new_values_in_string_members_round_trip() {
    let mut kept = 0;
    for case in CASES.iter() {
        for pointer in pointers(&case.example) {
            if !case.example.pointer(&pointer).unwrap().is_string() {
                continue;
            }
            let input = replaced(&case.example, &pointer, Value::from("NEW_VALUE"));
            let back = (case.parse)(&serde_json::to_vec(&input).unwrap())
                .unwrap_or_else(|e| panic!("{}{pointer}: {e}", case.what));
            assert_eq!(
                back.pointer(&pointer),
                Some(&Value::from("NEW_VALUE")),
                "{}{pointer}",
                case.what
            );
            kept += 1;
        }
    }
    assert!(kept > 100, "only {kept} string members in the examples");
}

proptest! {
    #![proptest_config(config())]

    /// Unknown members anywhere in an object: still parses, and keeps all it had.
    #[test]
    fn unknown_fields_are_accepted(
        case in case_index(),
        at in any::<Index>(),
        key in "[a-z]{1,8}_unknown",
        value in any_json(),
    ) {
        let case = &CASES[case];
        let pointer = pick(case, &at, Value::is_object).expect("examples are objects or hold some");
        let with = |value: Value| {
            let mut input = case.example.clone();
            input
                .pointer_mut(&pointer)
                .and_then(Value::as_object_mut)
                .expect("an object")
                .insert(key.clone(), value);
            (case.parse)(&serde_json::to_vec(&input).unwrap())
        };
        let plain = (case.parse)(&serde_json::to_vec(&case.example).unwrap()).unwrap();
        // A map of strings (`additionalProperties: {type: string}`, like Idfy's
        // `MetaData`) takes any key but checks the value: a string must do there.
        let back = with(value).or_else(|_| with(Value::from("text")));
        let back = back.map_err(|e| TestCaseError::fail(format!("{}{pointer}: {e}", case.what)))?;
        prop_assert!(
            is_within(&without_nulls(&plain), &without_nulls(&back)),
            "{}{}: lost members", case.what, pointer
        );
    }

    /// A string never seen before (a new enum value, a new status) where the example
    /// has a string: the round trip gives it back unchanged.
    #[test]
    fn unknown_strings_survive_a_round_trip(
        case in case_index(),
        at in any::<Index>(),
        new in "NEW_[A-Z_]{1,12}",
    ) {
        let case = &CASES[case];
        let Some(pointer) = pick(case, &at, Value::is_string) else { return Ok(()) };
        let input = replaced(&case.example, &pointer, Value::from(new.clone()));
        let back = (case.parse)(&serde_json::to_vec(&input).unwrap())
            .map_err(|e| TestCaseError::fail(format!("{}{pointer}: {e}", case.what)))?;
        prop_assert_eq!(back.pointer(&pointer), Some(&Value::from(new)), "{}{}", case.what, pointer);
    }

    /// `null` or a value of another type anywhere: an error or a value, never a panic.
    #[test]
    fn nulls_and_wrong_types_never_panic(
        case in case_index(),
        at in any::<Index>(),
        kind in any::<u8>(),
    ) {
        let case = &CASES[case];
        let pointer = pick(case, &at, |_| true).expect("every example has a root");
        let current = case.example.pointer(&pointer).unwrap();
        for with in [Value::Null, other_type(current, kind)] {
            let input = replaced(&case.example, &pointer, with);
            let _ = (case.parse)(&serde_json::to_vec(&input).unwrap());
        }
    }

    /// A huge string where the example has a string: parses and comes back whole.
    #[test]
    fn huge_strings_come_back_whole(
        case in case_index(),
        at in any::<Index>(),
        size in 100_000usize..1_000_000,
    ) {
        let case = &CASES[case];
        let Some(pointer) = pick(case, &at, Value::is_string) else { return Ok(()) };
        let huge = "é".repeat(size / 2);
        let input = replaced(&case.example, &pointer, Value::from(huge.clone()));
        let back = (case.parse)(&serde_json::to_vec(&input).unwrap())
            .map_err(|e| TestCaseError::fail(format!("{}{pointer}: {e}", case.what)))?;
        prop_assert_eq!(back.pointer(&pointer).and_then(Value::as_str), Some(huge.as_str()));
    }

    /// Any strict prefix of an example's JSON is invalid JSON: an error.
    #[test]
    fn truncated_json_is_an_error(case in case_index(), at in any::<Index>()) {
        let case = &CASES[case];
        let bytes = serde_json::to_vec(&case.example).unwrap();
        let cut = at.index(bytes.len());
        prop_assert!((case.parse)(&bytes[..cut]).is_err(), "{} cut at {}", case.what, cut);
    }

    /// Arrays nested past serde_json's depth limit (128) anywhere: an error, not a stack
    /// overflow.
    #[test]
    fn deep_nesting_is_an_error(
        case in case_index(),
        at in any::<Index>(),
        depth in 129usize..20_000,
    ) {
        let case = &CASES[case];
        let pointer = pick(case, &at, |_| true).expect("every example has a root");
        let marker = "\"__deep__\"";
        let input = replaced(&case.example, &pointer, serde_json::from_str(marker).unwrap());
        let text = serde_json::to_string(&input)
            .unwrap()
            .replacen(marker, &format!("{}{}", "[".repeat(depth), "]".repeat(depth)), 1);
        prop_assert!((case.parse)(text.as_bytes()).is_err(), "{}{} at depth {}", case.what, pointer, depth);
    }
}
