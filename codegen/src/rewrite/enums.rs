//! Open string enums: typify's enums are closed, so one value a vendor adds would fail
//! the whole response. Every string enum gets an `Unknown` variant that any
//! unknown value deserialises into and serialises back from unchanged, and becomes
//! `#[non_exhaustive]`. The variant carries an opaque `idverify_runtime::UnknownValue`
//! rather than a `String`, so user code cannot match `Unknown("EXPIRED")`, a pattern that
//! would silently stop matching once a later spec makes `EXPIRED` a variant.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::{module_items, remove_derive};

// The JSON Schema of an open enum is written out too (`rewrite::schemars`): any string,
// the documented values listed.

pub fn open_enums(file: &mut syn::File) {
    let Some(items) = module_items(file, "types") else {
        return;
    };
    let mut opened = BTreeSet::new();
    let mut extra: Vec<syn::Item> = Vec::new();
    let mut renamed: Vec<String> = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Enum(e) = item else { continue };
        let Some(mut values) = string_enum_values(e) else {
            continue;
        };
        let name = e.ident.clone();
        // A documented value spelled `UNKNOWN` would take the catch-all's name.
        if let Some(v) = e.variants.iter_mut().find(|v| v.ident == "Unknown") {
            v.ident = syn::Ident::new("UnknownValue", v.ident.span());
            for (ident, _) in values.iter_mut().filter(|(i, _)| i == "Unknown") {
                *ident = v.ident.clone();
            }
            renamed.push(name.to_string());
        }
        remove_derive(&mut e.attrs, "Copy");
        remove_derive(&mut e.attrs, "Serialize");
        remove_derive(&mut e.attrs, "Deserialize");
        e.attrs.push(syn::parse_quote!(#[non_exhaustive]));
        for variant in e.variants.iter_mut() {
            variant.attrs.retain(|a| !a.path().is_ident("serde"));
        }
        e.variants.push(syn::parse_quote! {
            /// A value this version of the client does not know, kept exactly as received.
            Unknown(::idverify_runtime::UnknownValue)
        });
        let doc = super::doc_text(&e.attrs);
        extra.extend(impls(&name, &values));
        extra.push(super::schemars::open_enum_schema(
            &name,
            doc.trim(),
            &values,
        ));
        opened.insert(name.to_string());
    }
    // typify's Display / FromStr / TryFrom impls reject unknown values: replaced above.
    items.retain(|item| {
        let syn::Item::Impl(i) = item else {
            return true;
        };
        let Some((_, trait_path, _)) = &i.trait_ else {
            return true;
        };
        let replaced = trait_path.segments.last().is_some_and(|s| {
            matches!(
                s.ident.to_string().as_str(),
                "Display" | "FromStr" | "TryFrom"
            )
        });
        !(replaced && self_type_name(&i.self_ty).is_some_and(|n| opened.contains(&n)))
    });
    items.extend(extra);
    let mut rename = RenameUnknown(renamed);
    for item in items.iter_mut() {
        syn::visit_mut::VisitMut::visit_item_mut(&mut rename, item);
    }
}

/// Points `Enum::Unknown` paths (e.g. in a `Default` impl) at `Enum::UnknownValue`.
struct RenameUnknown(Vec<String>);

impl syn::visit_mut::VisitMut for RenameUnknown {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let n = path.segments.len();
        if n >= 2
            && path.segments[n - 1].ident == "Unknown"
            && self.0.iter().any(|e| path.segments[n - 2].ident == e)
        {
            path.segments[n - 1].ident =
                syn::Ident::new("UnknownValue", path.segments[n - 1].ident.span());
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

fn self_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    }
}

/// `(variant, wire value)` pairs if `e` is a serde string enum: unit variants only, no
/// enum-level serde attributes (those mark tagged or untagged unions).
fn string_enum_values(e: &syn::ItemEnum) -> Option<Vec<(syn::Ident, String)>> {
    if e.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return None;
    }
    let derives_serde = e
        .attrs
        .iter()
        .any(|a| a.path().is_ident("derive") && quote!(#a).to_string().contains("Deserialize"));
    if !derives_serde || e.variants.is_empty() {
        return None;
    }
    let mut values = Vec::new();
    for variant in &e.variants {
        if !matches!(variant.fields, syn::Fields::Unit) {
            return None;
        }
        let mut wire = variant.ident.to_string();
        for attr in &variant.attrs {
            if attr.path().is_ident("serde") {
                let mut rename = None;
                let parsed = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        let lit: syn::LitStr = meta.value()?.parse()?;
                        rename = Some(lit.value());
                    }
                    Ok(())
                });
                if parsed.is_err() {
                    return None;
                }
                if let Some(r) = rename {
                    wire = r;
                }
            }
        }
        values.push((variant.ident.clone(), wire));
    }
    Some(values)
}

fn impls(name: &syn::Ident, values: &[(syn::Ident, String)]) -> Vec<syn::Item> {
    let idents: Vec<&syn::Ident> = values.iter().map(|(i, _)| i).collect();
    let wires: Vec<&String> = values.iter().map(|(_, w)| w).collect();
    let tokens: TokenStream = quote! {
        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #wires, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether the value is one this version of the client does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#idents, )*
                    other => Self::Unknown(::idverify_runtime::UnknownValue::__from_wire(other.to_string())),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #( #wires => Self::#idents, )*
                    _ => Self::Unknown(::idverify_runtime::UnknownValue::__from_wire(value)),
                }
            }
        }

        impl ::std::convert::From<&::std::string::String> for #name {
            fn from(value: &::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::idverify_runtime::UnknownValue::__deserialize_enum(deserializer)
            }
        }
    };
    let file: syn::File = syn::parse2(tokens).expect("enum impls are valid Rust");
    file.items
}
