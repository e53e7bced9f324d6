//! Part of pass `emit`: the hidden `spec_facts` module of each client crate, facts of
//! the normalised spec that hand-written code needs (each operation's documented
//! statuses, the nullable members of its request body), so that nobody copies them from
//! the spec by hand.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation's facts, read from the normalised document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub statuses: Vec<String>,
    pub request_nullable: Vec<String>,
}

/// Every operation of `doc`, in path then method order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            let statuses = operation["responses"]
                .as_object()
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            let mut nullable = BTreeSet::new();
            if let Some(schema) = request_schema(doc, &operation["requestBody"]) {
                walk(doc, schema, "", &mut Vec::new(), &mut nullable);
            }
            out.push(Operation {
                id: id.to_snake_case(),
                method: method.to_uppercase(),
                path: path.clone(),
                statuses,
                request_nullable: nullable.into_iter().collect(),
            });
        }
    }
    out
}

/// The `$ref` target of `value` inside `doc` (`#/components/...` only), or `value`.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(value),
        None => value,
    }
}

fn request_schema<'a>(doc: &'a Value, body: &'a Value) -> Option<&'a Value> {
    let content = resolve(doc, body)["content"].as_object()?;
    let media = content
        .get("application/json")
        .or_else(|| content.values().next())?;
    media.get("schema")
}

fn is_nullable(doc: &Value, schema: &Value) -> bool {
    schema["nullable"] == Value::Bool(true) || resolve(doc, schema)["nullable"] == Value::Bool(true)
}

/// Collects the dotted paths of nullable members below `schema`. `refs` holds the
/// references being walked, so recursive schemas end.
fn walk(
    doc: &Value,
    schema: &Value,
    prefix: &str,
    refs: &mut Vec<String>,
    out: &mut BTreeSet<String>,
) {
    let reference = schema["$ref"].as_str().map(str::to_string);
    if let Some(r) = &reference {
        if refs.contains(r) {
            return;
        }
        refs.push(r.clone());
    }
    let resolved = resolve(doc, schema);
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in resolved[key].as_array().into_iter().flatten() {
            walk(doc, member, prefix, refs, out);
        }
    }
    if let Some(properties) = resolved["properties"].as_object() {
        for (name, property) in properties {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            if is_nullable(doc, property) {
                out.insert(path.clone());
            }
            walk(doc, property, &path, refs, out);
        }
    }
    if let Some(items) = resolved.get("items") {
        let path = format!("{prefix}[]");
        if is_nullable(doc, items) {
            out.insert(path.clone());
        }
        walk(doc, items, &path, refs, out);
    }
    if reference.is_some() {
        refs.pop();
    }
}

/// The `spec_facts` module: one `OperationFacts` constant per operation and `OPERATIONS`.
pub fn module(doc: &Value) -> TokenStream {
    let operations = operations(doc);
    let names: Vec<_> = operations
        .iter()
        .map(|o| format_ident!("{}", o.id.to_shouty_snake_case()))
        .collect();
    let constants = operations.iter().zip(&names).map(|(o, name)| {
        let (id, method, path) = (&o.id, &o.method, &o.path);
        let statuses = &o.statuses;
        let nullable = &o.request_nullable;
        let doc = format!("`{method} {path}`.");
        quote! {
            #[doc = #doc]
            pub const #name: ::idverify_runtime::OperationFacts = ::idverify_runtime::OperationFacts {
                id: #id,
                method: #method,
                path: #path,
                statuses: &[#(#statuses),*],
                request_nullable: &[#(#nullable),*],
            };
        }
    });
    quote! {
        /// Facts of the spec for hand-written code: each operation's documented statuses
        /// and the nullable members of its request body. Generated; not a stable API.
        #[doc(hidden)]
        pub mod spec_facts {
            #(#constants)*
            /// Every operation, in path order.
            pub const OPERATIONS: &[::idverify_runtime::OperationFacts] = &[#(#names),*];
        }
    }
}
