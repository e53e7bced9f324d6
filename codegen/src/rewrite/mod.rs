//! Pass 5: syn passes over progenitor's output, each fixing one thing for every API:
//!
//! 1. [`open_enums`]: every string enum gets `Unknown(idverify_runtime::UnknownValue)` and
//!    `#[non_exhaustive]`.
//! 2. [`allow_unknown_fields`]: no `deny_unknown_fields` (vendors add fields).
//! 3. [`redact`]: fields marked by [`crate::normalize::SENSITIVE_MARKER`] print
//!    `[redacted]` in `Debug`, in the type and in its builder.
//! 4. [`strip_api_version_header`]: progenitor's `api-version` header is not part of
//!    any vendor's API.
//! 5. [`optional_success`]: operations with a JSON and a body-less success return
//!    `Option<T>`.
//! 6. [`default_extra_maps`]: builders start with an empty map of additional
//!    properties instead of an error (typify treats the flattened map as required).
//! 7. [`multipart`]: operations with a `multipart/form-data` body get a typed form
//!    (`types::forms`) and `body(form)`; `send()` builds the request from its parts.
//! 8. [`typed_errors`]: `send()` sends through `Runtime::send` and returns
//!    `idverify_runtime::Error<E>`, built by the runtime's decoding.
//!    Then `absent_params`: an optional query parameter that is not set is not sent
//!    through reqwest's URL rewriting.
//! 9. [`doc_examples_as_text`]: progenitor's usage snippets are not runnable doctests;
//!    they are shown as text instead of counting as ignored tests.
//! 10. [`wire_names`]: enum values and properties generated from stand-ins (their Rust
//!     names collided) get their wire names back in every string literal.
//!
//! [`schemars`] runs after [`allow_unknown_fields`]: every serde type of `types` derives
//! `schemars::JsonSchema` behind the crate's `schemars` feature (open enums get theirs
//! from [`open_enums`]).

mod absent_params;
mod builder_inputs;
mod enums;
pub mod multipart;
mod optional_success;
mod redact;
pub mod schemars;
mod typed_errors;
mod wire_names;

use syn::visit_mut::VisitMut;

pub use enums::open_enums;
pub use optional_success::optional_success;
pub use redact::{REDACTED, redact};
pub use typed_errors::typed_errors;
pub use wire_names::wire_names;

/// A pass that left behind what it exists to rewrite: the pattern it looks for in
/// progenitor's output has changed (a progenitor upgrade), and the generated code would
/// silently lose what the pass guarantees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassFailed {
    pub pass: &'static str,
    pub reason: String,
}

impl std::fmt::Display for PassFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rewrite pass `{}` matched nothing it should have: {} (progenitor's output changed; \
             update codegen/src/rewrite/)",
            self.pass, self.reason
        )
    }
}

/// Runs every pass, in order, then checks that each did its job: what it rewrites is
/// gone from the file, and what it adds is there wherever the spec calls for it.
pub fn rewrite(
    file: &mut syn::File,
    normalized: &crate::normalize::Normalized,
) -> Result<(), PassFailed> {
    let optional = &normalized.optional_success;
    let operations = crate::facts::operations(&normalized.doc).len();
    let spec = normalized.doc.to_string();
    let text = |file: &syn::File| quote::quote!(#file).to_string();
    let fail = |pass: &'static str, reason: String| Err(PassFailed { pass, reason });

    // The passes run first, the checks after, on one text of the file (printing the file
    // costs more than most passes): each check looks for what its pass removes or adds,
    // which no later pass adds back or removes. Only `wire_names` needs a text of its own.
    open_enums(file);
    allow_unknown_fields(file);
    schemars::derive_json_schema(file);
    if let Some(reason) = schemars_missing(file) {
        return fail("schemars", reason);
    }
    redact(file, &normalized.sensitive_extra);
    strip_api_version_header(file);
    optional_success(file, optional);
    default_extra_maps(file);
    multipart::multipart(file, &normalized.multipart);
    typed_errors(file);
    let left = absent_params::absent_params(file);
    if left > 0 {
        return fail(
            "absent_params",
            format!("{left} optional query parameter(s) still sent when absent"),
        );
    }
    let rewritten = builder_inputs::builder_inputs(file);
    doc_examples_as_text(file);
    let before = text(file);
    if has_string_enum(&normalized.doc)
        && !before.contains("Unknown (:: idverify_runtime :: UnknownValue)")
    {
        return fail(
            "open_enums",
            "the spec has string enums, none got an `Unknown` variant".into(),
        );
    }
    if before.contains("deny_unknown_fields") {
        return fail(
            "allow_unknown_fields",
            "`deny_unknown_fields` is left".into(),
        );
    }
    if spec.contains(crate::normalize::SENSITIVE_MARKER) && !before.contains(REDACTED) {
        return fail(
            "redact",
            "the spec marks personal data, no `Debug` redacts it".into(),
        );
    }
    if before.contains("\"api-version\"") {
        return fail(
            "strip_api_version_header",
            "an `api-version` header is left".into(),
        );
    }
    let wrapped = before
        .matches("ResponseValue < :: std :: option :: Option <")
        .count();
    if wrapped < optional.len() {
        return fail(
            "optional_success",
            format!(
                "{} operation(s) need `Option<T>`, {wrapped} got it",
                optional.len()
            ),
        );
    }
    // `builder_inputs` has turned typify's "no value supplied for extra" into its own
    // message by now.
    if before.contains("the required member `extra`") {
        return fail(
            "default_extra_maps",
            "a builder still requires `extra`".into(),
        );
    }
    let forms = before.matches(multipart::MARKER).count();
    if forms != normalized.multipart.len() {
        return fail(
            "multipart",
            format!(
                "{} operation(s) have a multipart body, {forms} send it",
                normalized.multipart.len()
            ),
        );
    }
    let sent = before.matches("client . inner . send (").count();
    if sent != operations || before.contains("OperationInfo {") {
        return fail(
            "typed_errors",
            format!("{operations} operation(s), {sent} send through the runtime"),
        );
    }
    if before.contains("no value supplied for") {
        return fail(
            "builder_inputs",
            "a required member's message is typify's".into(),
        );
    }
    // Every setter of an optional constrained string now takes text.
    if before.contains("TryInto < :: std :: option :: Option < super ::")
        && rewritten > 0
        && before.matches("OptionalText <").count() < rewritten
    {
        return fail(
            "builder_inputs",
            format!("{rewritten} setter(s) rewritten, fewer take OptionalText"),
        );
    }
    if before.contains("```ignore") {
        return fail(
            "doc_examples_as_text",
            "an ```ignore example is left".into(),
        );
    }
    if normalized.wire_names.is_empty() {
        return Ok(());
    }
    let quoted = |s: &str| format!("{s:?}");
    let found = normalized
        .wire_names
        .keys()
        .filter(|s| before.contains(&quoted(s)))
        .count();
    wire_names(file, &normalized.wire_names);
    let after = text(file);
    if let Some(left) = normalized
        .wire_names
        .keys()
        .find(|s| after.contains(&quoted(s)))
    {
        return fail("wire_names", format!("the stand-in `{left}` is left"));
    }
    if found == 0 && !normalized.wire_names.is_empty() {
        return fail(
            "wire_names",
            "no stand-in for a colliding name was in the generated code".into(),
        );
    }
    Ok(())
}

/// What [`schemars::derive_json_schema`] and [`open_enums`] left without a JSON Schema:
/// a serde type of `types` without the derive, an open enum without its impl.
fn schemars_missing(file: &mut syn::File) -> Option<String> {
    let items = module_items(file, "types")?;
    let mut open = 0;
    let mut impls = 0;
    for item in items.iter() {
        match item {
            syn::Item::Struct(syn::ItemStruct { attrs, ident, .. })
            | syn::Item::Enum(syn::ItemEnum { attrs, ident, .. }) => {
                let text = quote::quote!(#(#attrs)*).to_string();
                if schemars::derives_serde(attrs) && !text.contains(schemars::DERIVE) {
                    return Some(format!("`{ident}` derives serde but not `JsonSchema`"));
                }
                if let syn::Item::Enum(e) = item
                    && quote::quote!(#e)
                        .to_string()
                        .contains("Unknown (:: idverify_runtime :: UnknownValue)")
                {
                    open += 1;
                }
            }
            syn::Item::Impl(i)
                if i.trait_.as_ref().is_some_and(|(_, path, _)| {
                    quote::quote!(#path).to_string() == ":: schemars :: JsonSchema"
                }) =>
            {
                impls += 1;
            }
            _ => {}
        }
    }
    (open != impls).then(|| format!("{open} open enum(s), {impls} with a `JsonSchema` impl"))
}

/// Whether the document has a string schema with `enum` anywhere (outside `servers`).
fn has_string_enum(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            (map.get("enum")
                .and_then(|e| e.as_array())
                .is_some_and(|values| values.iter().any(serde_json::Value::is_string)))
                // Server variables' enums are not types.
                || map
                    .iter()
                    .any(|(key, value)| key != "servers" && has_string_enum(value))
        }
        serde_json::Value::Array(items) => items.iter().any(has_string_enum),
        _ => false,
    }
}

/// In `types::builder`, `extra: Err("no value supplied for extra")` in `Default`
/// impls becomes `extra: Ok(Default::default())`: additional properties are optional.
pub fn default_extra_maps(file: &mut syn::File) {
    struct Pass;
    impl VisitMut for Pass {
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            if let syn::Member::Named(name) = &field.member
                && name == "extra"
                && quote::quote!(#field)
                    .to_string()
                    .contains("no value supplied for extra")
            {
                field.expr = syn::parse_quote!(Ok(Default::default()));
            }
            syn::visit_mut::visit_field_value_mut(self, field);
        }
    }
    let Some(types) = module_items(file, "types") else {
        return;
    };
    if let Some(builders) = submodule_items(types, "builder") {
        for item in builders.iter_mut() {
            Pass.visit_item_mut(item);
        }
    }
}

/// Turns ```` ```ignore ```` fences in doc comments into ```` ```text ````.
pub fn doc_examples_as_text(file: &mut syn::File) {
    struct Pass;
    impl VisitMut for Pass {
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if attr.path().is_ident("doc")
                && let syn::Meta::NameValue(nv) = &mut attr.meta
                && let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &mut nv.value
                && s.value().contains("```ignore")
            {
                *s = syn::LitStr::new(&s.value().replace("```ignore", "```text"), s.span());
            }
        }
    }
    Pass.visit_file_mut(file);
}

/// Removes `deny_unknown_fields` from every `#[serde(...)]` attribute (typify adds it for
/// `additionalProperties: false`; a vendor adding a field must not break clients).
pub fn allow_unknown_fields(file: &mut syn::File) {
    struct Pass;
    impl VisitMut for Pass {
        fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
            attrs.retain_mut(|attr| {
                if !attr.path().is_ident("serde") {
                    return true;
                }
                let Ok(list) = attr.meta.require_list() else {
                    return true;
                };
                let Ok(nested) = list.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                ) else {
                    return true;
                };
                let kept: Vec<&syn::Meta> = nested
                    .iter()
                    .filter(|m| !m.path().is_ident("deny_unknown_fields"))
                    .collect();
                if kept.len() == nested.len() {
                    return true;
                }
                if kept.is_empty() {
                    return false;
                }
                *attr = syn::parse_quote!(#[serde(#(#kept),*)]);
                true
            });
        }
        fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
            self.visit_attributes_mut(&mut item.attrs);
            syn::visit_mut::visit_item_struct_mut(self, item);
        }
        fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
            self.visit_attributes_mut(&mut item.attrs);
            syn::visit_mut::visit_item_enum_mut(self, item);
        }
    }
    Pass.visit_file_mut(file);
}

/// Removes `header_map.append(HeaderName::from_static("api-version"), ...)`.
pub fn strip_api_version_header(file: &mut syn::File) {
    struct Pass;
    impl VisitMut for Pass {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            block.stmts.retain(|stmt| {
                let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
                    return true;
                };
                if call.method != "append" {
                    return true;
                }
                let text = quote::quote!(#call).to_string();
                !text.contains("from_static (\"api-version\")")
            });
            syn::visit_mut::visit_block_mut(self, block);
        }
    }
    Pass.visit_file_mut(file);
}

/// The operation id a builder's `send` passes in its `OperationInfo`.
pub(crate) fn operation_id_of(f: &syn::ImplItemFn) -> Option<String> {
    let body = quote::quote!(#f).to_string();
    let start = body.find("operation_id : \"")? + "operation_id : \"".len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_string())
}

/// The items of `mod name` at the top of the file, if any.
pub(crate) fn module_items<'a>(
    file: &'a mut syn::File,
    name: &str,
) -> Option<&'a mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The items of `mod name` inside `items`.
pub(crate) fn submodule_items<'a>(
    items: &'a mut [syn::Item],
    name: &str,
) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Removes `name` from every `#[derive(...)]` of `attrs`; returns whether it was there.
pub(crate) fn remove_derive(attrs: &mut [syn::Attribute], name: &str) -> bool {
    let mut found = false;
    for attr in attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != name))
            .collect();
        if kept.len() != paths.len() {
            found = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    found
}

/// The text of the `///` doc comments in `attrs`.
pub(crate) fn doc_text(attrs: &[syn::Attribute]) -> String {
    let mut text = String::new();
    for attr in attrs {
        if attr.path().is_ident("doc")
            && let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            text.push_str(&s.value());
            text.push('\n');
        }
    }
    text
}
