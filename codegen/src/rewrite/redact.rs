//! Redaction: a field whose rustdoc carries [`SENSITIVE_MARKER`] (set by the normaliser
//! for `x-sensitive: true` properties) prints as `[redacted]` in `Debug`, both in the
//! type and in its builder. Serialisation is unchanged.

use std::collections::BTreeMap;

use quote::quote;

use super::{doc_text, module_items, remove_derive, submodule_items};
use crate::normalize::SENSITIVE_MARKER;

/// What a redacted field prints as in `Debug`.
pub const REDACTED: &str = "[redacted]";

/// `sensitive_extra`: types whose flattened `extra` map (additional properties) is
/// sensitive as a whole.
pub fn redact(file: &mut syn::File, sensitive_extra: &std::collections::BTreeSet<String>) {
    let Some(items) = module_items(file, "types") else {
        return;
    };
    // struct name → its sensitive field names
    let mut sensitive: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in items.iter() {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &s.fields else {
            continue;
        };
        let names: Vec<String> = fields
            .named
            .iter()
            .filter(|f| {
                doc_text(&f.attrs).contains(SENSITIVE_MARKER)
                    || (sensitive_extra.contains(&s.ident.to_string())
                        && f.ident.as_ref().is_some_and(|i| i == "extra"))
            })
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
            .collect();
        if !names.is_empty() {
            sensitive.insert(s.ident.to_string(), names);
        }
    }
    if sensitive.is_empty() {
        return;
    }
    let mut added = redact_structs(items, &sensitive);
    items.append(&mut added);
    if let Some(builders) = submodule_items(items, "builder") {
        let mut added = redact_structs(builders, &sensitive);
        builders.append(&mut added);
    }
}

/// Replaces the derived `Debug` of each struct named in `sensitive`; returns the impls.
fn redact_structs(
    items: &mut [syn::Item],
    sensitive: &BTreeMap<String, Vec<String>>,
) -> Vec<syn::Item> {
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        let Some(secret) = sensitive.get(&s.ident.to_string()) else {
            continue;
        };
        let syn::Fields::Named(fields) = &s.fields else {
            continue;
        };
        if !remove_derive(&mut s.attrs, "Debug") {
            continue;
        }
        let name = &s.ident;
        let label = name.to_string();
        let entries = fields
            .named
            .iter()
            .filter_map(|f| f.ident.as_ref())
            .map(|ident| {
                let key = ident.to_string();
                let key = key.strip_prefix("r#").unwrap_or(&key).to_string();
                if secret.contains(&ident.to_string()) {
                    quote! { .field(#key, &::std::format_args!(#REDACTED)) }
                } else {
                    quote! { .field(#key, &self.#ident) }
                }
            });
        impls.push(syn::parse_quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#label) #(#entries)* .finish()
                }
            }
        });
    }
    impls
}
