//! Part of pass `emit`: `wait_until_final` from `[waiter]` of `codegen.toml`, on the
//! client (taking the get operation's required parameters) and on the get operation's
//! builder (for its optional parameters). The polling itself is
//! `idverify_runtime::waiter`; this pass only tells it the operation, how to read the
//! status and which statuses are final and successful. Every name is checked against
//! the spec and the generated code, so a `[waiter]` that no longer fits fails generation
//! naming its key.

use std::path::Path;

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::config::WaiterConfig;
use crate::error::{Error, Result};
use crate::inspect;

/// The operation `operation_id` of `doc` and its path template.
pub fn find_operation<'a>(doc: &'a Value, operation_id: &str) -> Option<(&'a str, &'a Value)> {
    doc["paths"].as_object()?.iter().find_map(|(path, item)| {
        item.as_object()?.values().find_map(|op| {
            (op["operationId"].as_str() == Some(operation_id)).then_some((path.as_str(), op))
        })
    })
}

/// The parameters a call cannot do without: the path's, in the order they appear, then
/// the required query parameters in the spec's order.
fn required_params(doc: &Value, path: &str, operation: &Value) -> Vec<String> {
    let mut out: Vec<String> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect();
    let resolve = |p: &'_ Value| -> Value {
        match p["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => doc.pointer(pointer).cloned().unwrap_or(Value::Null),
            None => p.clone(),
        }
    };
    let item = &doc["paths"][path];
    let declared = item["parameters"]
        .as_array()
        .into_iter()
        .chain(operation["parameters"].as_array())
        .flatten()
        .map(resolve);
    for parameter in declared {
        if parameter["in"] == "query"
            && parameter["required"] == Value::Bool(true)
            && let Some(name) = parameter["name"].as_str()
            && !out.iter().any(|n| n == name)
        {
            out.push(name.to_string());
        }
    }
    out
}

/// Top-level items (`impl Client`) and items for the `builder` module.
pub struct WaiterItems {
    pub top: TokenStream,
    pub builder: TokenStream,
}

pub fn items(
    file: &syn::File,
    doc: &Value,
    waiter: &WaiterConfig,
    config: &Path,
) -> Result<WaiterItems> {
    let fail = |key: &str, message: String| Error::new(config, format!("waiter.{key}: {message}"));
    let (path, operation_doc) = find_operation(doc, &waiter.operation).ok_or_else(|| {
        fail(
            "operation",
            format!("the spec has no operation `{}`", waiter.operation),
        )
    })?;
    let builder = inspect::builder(file, &waiter.operation).ok_or_else(|| {
        fail(
            "operation",
            format!("no generated builder for `{}`", waiter.operation),
        )
    })?;
    let success = &builder.success;
    let error = &builder.error;
    let root_type = inspect::type_name(success).unwrap_or_default();
    let value = format_ident!("value");
    let status = inspect::access(file, &root_type, &value, &waiter.status)
        .map_err(|m| fail("status", format!("`{}`: {m}", waiter.status)))?;
    let status_expr = &status.expr;
    let leaf = inspect::type_name(&status.leaf).unwrap_or_default();
    // A status typed as an enum: every listed value must be one of its documented ones,
    // so a typo cannot make a waiter that never ends.
    if let Some(values) = inspect::enum_values(file, &leaf) {
        for listed in waiter.final_statuses.iter().chain(&waiter.successful) {
            if !values.contains(listed) {
                return Err(fail(
                    "final",
                    format!(
                        "`{listed}` is not a value of `{leaf}` (documented: {})",
                        values.join(", ")
                    ),
                ));
            }
        }
    } else if leaf != "String" {
        return Err(fail(
            "status",
            format!(
                "`{}` is a `{leaf}`, not a string or string enum",
                waiter.status
            ),
        ));
    }
    let finals = &waiter.final_statuses;
    let successful = &waiter.successful;
    let operation = builder.method.to_string();
    let builder_ident = &builder.ident;
    let method = &builder.method;
    let note = waiter
        .note
        .as_deref()
        .map(|n| format!("\n\n{n}"))
        .unwrap_or_default();
    let doc_builder = format!(
        "Polls this operation until the session's `{}` is final ({}); successful: {}.{note}\n\n\
         Returns an [`idverify_runtime::waiter::Waiter`]: set `min_delay`, `max_delay`, \
         `max_wait` or `success_only()` on it, then `.await` it.",
        waiter.status,
        quote_list(finals),
        quote_list(successful),
    );
    let root_ident = format_ident!("{}", root_type);
    let doc_status = format!(
        "The session's `{}` as received (`None` when absent): what \
         [`Client::{method}`](super::Client::{method})'s waiter polls.",
        waiter.status,
        method = builder.method
    );
    let doc_final = format!(
        "Whether the session is final: its `{}` is one of {}. It changes no more.{note}",
        waiter.status,
        quote_list(finals)
    );
    let doc_successful = format!(
        "Whether the session is final and successful: its `{}` is {}{}.{note}",
        waiter.status,
        if successful.len() == 1 { "" } else { "one of " },
        quote_list(successful)
    );
    let builder_items = quote! {
        impl types::#root_ident {
            #[doc = #doc_status]
            pub fn lifecycle_status(&self) -> ::std::option::Option<&str> {
                let #value = self;
                ::std::option::Option::Some(#status_expr.as_str())
            }
            #[doc = #doc_final]
            pub fn is_final(&self) -> bool {
                self.lifecycle_status().is_some_and(|s| [#(#finals),*].contains(&s))
            }
            #[doc = #doc_successful]
            pub fn is_successful(&self) -> bool {
                self.lifecycle_status().is_some_and(|s| [#(#successful),*].contains(&s))
            }
        }

        impl<'a> #builder_ident<'a> {
            #[doc = #doc_builder]
            pub fn wait_until_final(self) -> ::idverify_runtime::waiter::Waiter<'a, #success, #error> {
                fn status(#value: &#success) -> ::std::option::Option<&str> {
                    #value.lifecycle_status()
                }
                ::idverify_runtime::waiter::Waiter::new(
                    ::idverify_runtime::waiter::WaiterSpec {
                        operation: #operation,
                        status,
                        final_statuses: &[#(#finals),*],
                        successful: &[#(#successful),*],
                    },
                    move || self.clone().send(),
                )
            }
        }
    };

    let mut generics = Vec::new();
    let mut args = Vec::new();
    let mut bounds = Vec::new();
    let mut setters = Vec::new();
    let required = required_params(doc, path, operation_doc);
    for (i, param) in required.iter().enumerate() {
        let name = param.to_snake_case();
        let ty = builder.field_type(&name).ok_or_else(|| {
            fail(
                "operation",
                format!(
                    "the builder of `{}` has no setter for required parameter `{param}`",
                    waiter.operation
                ),
            )
        })?;
        let generic = format_ident!("P{i}");
        let arg = format_ident!("{}", name);
        bounds.push(quote!(#generic: ::std::convert::TryInto<#ty>));
        args.push(quote!(#arg: #generic));
        setters.push(quote!(.#arg(#arg)));
        generics.push(generic);
    }
    let params = required
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let doc_client = format!(
        "Polls [`Client::{method}`] for the session with these parameters ({params}) \
         until its `{}` is final ({}); successful: {}.{note}\n\n\
         Each poll is one call through the runtime (credentials, retries, its own span); \
         between polls the waiter sleeps a jittered delay growing from `min_delay` to \
         `max_delay`, at least any `Retry-After`, and stops after `max_wait` with \
         [`idverify_runtime::waiter::WaitError::TimedOut`]. A 404 ends it with `Gone`. \
         Dropping the future stops polling. For the operation's optional parameters, call \
         `wait_until_final()` on its builder instead.",
        waiter.status,
        quote_list(finals),
        quote_list(successful),
    );
    let top = quote! {
        impl Client {
            #[doc = #doc_client]
            pub fn wait_until_final<'a, #(#generics),*>(&'a self, #(#args),*)
                -> ::idverify_runtime::waiter::Waiter<'a, #success, #error>
            where
                #(#bounds),*
            {
                self.#method()#(#setters)*.wait_until_final()
            }
        }
    };
    Ok(WaiterItems {
        top,
        builder: builder_items,
    })
}

fn quote_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
