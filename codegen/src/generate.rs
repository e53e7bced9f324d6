//! Pass 4: progenitor. All progenitor settings live here, so every crate is generated
//! the same way: builder interface, the runtime's inner type, progenitor's default
//! (empty) hooks: operations send through the runtime instead (see
//! [`crate::rewrite::typed_errors`]).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Once;

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use serde_json::Value;

use crate::config::TypesConfig;
use crate::error::{Error, Result, pointer_token};

/// What progenitor produced, and which optional dependencies the code uses.
pub struct Generated {
    pub tokens: TokenStream,
    pub uses_chrono: bool,
    pub uses_uuid: bool,
    pub uses_regress: bool,
    pub uses_futures: bool,
    /// progenitor's typed `httpmock` helpers (`operations`, `MockServerExt`), written
    /// against `crate::types`: the crate's `mock` module.
    pub mock_tokens: TokenStream,
    /// An operation has a `multipart/form-data` body (set from the normalised spec).
    pub uses_multipart: bool,
    /// A success response also comes encrypted (JWE; set from the normalised spec).
    pub uses_jwe: bool,
}

/// The inner type every generated client carries: the runtime's auth, retries, config.
pub fn inner_type() -> TokenStream {
    quote!(::idverify_runtime::Runtime)
}

fn settings(types: &TypesConfig) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    for (schema, replacement) in &types.replace {
        let impls: Vec<progenitor::TypeImpl> = replacement
            .impls
            .iter()
            .filter_map(|i| i.parse().ok())
            .collect();
        settings.with_replacement(schema, &replacement.rust, impls.into_iter());
    }
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(inner_type())
        .with_hooks(HooksMode::Optional)
        // Ordered maps: stable `Debug` and serialisation of free-form objects.
        .with_map_type("::std::collections::BTreeMap")
        .with_derive("PartialEq");
    settings
}

/// Parses the normalised document into `openapiv3` types; a structural error names the
/// JSON pointer where it happened.
pub fn parse_openapi(file: &Path, doc: &Value) -> Result<OpenAPI> {
    serde_path_to_error::deserialize(doc).map_err(|e| {
        let pointer = crate::overlay::path_to_pointer(e.path());
        Error::at_pointer(
            file,
            &pointer,
            format!("not valid OpenAPI 3.0: {}", e.inner()),
        )
    })
}

pub fn generate(file: &Path, doc: &Value, types: &TypesConfig) -> Result<Generated> {
    let spec = parse_openapi(file, doc)?;
    for schema in types.replace.keys() {
        if doc
            .pointer(&format!("/components/schemas/{}", pointer_token(schema)))
            .is_none()
        {
            return Err(Error::new(
                file,
                format!("codegen.toml replaces schema `{schema}`, which the spec does not define"),
            ));
        }
    }
    match run_progenitor(&spec, types) {
        Ok(Ok(generated)) => Ok(generated),
        Ok(Err(message)) => Err(Error::new(file, format!("progenitor: {message}"))),
        Err(panic) => Err(locate_panic(file, doc, types)
            .unwrap_or_else(|| Error::new(file, format!("progenitor panicked: {panic}")))),
    }
}

thread_local! {
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// Runs progenitor; `Err(message)` if it panicked. The default panic message is kept
/// off stderr: the caller reports it with the operation it hit.
fn run_progenitor(
    spec: &OpenAPI,
    types: &TypesConfig,
) -> std::result::Result<std::result::Result<Generated, String>, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET_PANICS.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut generator = Generator::new(&settings(types));
        let tokens = generator.generate_tokens(spec)?;
        let space = generator.get_type_space();
        let (uses_chrono, uses_uuid, uses_regress) =
            (space.uses_chrono(), space.uses_uuid(), space.uses_regress());
        let uses_futures = generator.uses_futures();
        let mock_tokens = generator.httpmock(spec, "crate")?;
        Ok::<_, progenitor::Error>(Generated {
            tokens,
            uses_chrono,
            uses_uuid,
            uses_regress,
            uses_futures,
            mock_tokens,
            uses_multipart: false,
            uses_jwe: false,
        })
    }));
    QUIET_PANICS.with(|q| q.set(false));
    match result {
        Ok(generated) => Ok(generated.map_err(|e| e.to_string())),
        Err(payload) => Err(payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".to_string())),
    }
}

/// progenitor's panics do not say which operation they hit: generate each operation
/// alone until one panics, and name it.
fn locate_panic(file: &Path, doc: &Value, types: &TypesConfig) -> Option<Error> {
    let paths = doc.get("paths")?.as_object()?;
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, operation) in item {
            if !operation.is_object() || method == "parameters" || !is_method(method) {
                continue;
            }
            let mut single = doc.clone();
            let mut only = serde_json::Map::new();
            for (k, v) in item {
                if !is_method(k) || k == method {
                    only.insert(k.clone(), v.clone());
                }
            }
            single["paths"] =
                Value::Object([(path.clone(), Value::Object(only))].into_iter().collect());
            let Ok(single_spec) = serde_json::from_value::<OpenAPI>(single) else {
                continue;
            };
            if let Err(panic) = run_progenitor(&single_spec, types) {
                let pointer = format!("/paths/{}/{method}", pointer_token(path));
                return Some(Error::at_pointer(
                    file,
                    &pointer,
                    format!(
                        "progenitor panicked generating operation `{}`: {panic}",
                        operation
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                    ),
                ));
            }
        }
    }
    None
}

fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}
