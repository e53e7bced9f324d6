//! JSON Schemas of the generated types, behind each crate's `schemars` feature: every
//! serde type in `types` derives `schemars::JsonSchema`, so a service can put the
//! vendor's types into its own OpenAPI document. Open enums serialise by hand
//! (the `enums` pass), so their schema is written by hand as well: any string, with the
//! documented values listed (the `anyOf` idiom of an open enum in OpenAPI).

use quote::quote;

use super::module_items;

/// The attribute every derived type gets.
pub const DERIVE: &str = "cfg_attr (feature = \"schemars\" , derive (:: schemars :: JsonSchema))";

/// Adds `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]` to every
/// struct and enum of `types` that derives serde's traits.
pub fn derive_json_schema(file: &mut syn::File) {
    let Some(items) = module_items(file, "types") else {
        return;
    };
    for item in items.iter_mut() {
        let attrs = match item {
            syn::Item::Struct(s) => &mut s.attrs,
            syn::Item::Enum(e) => &mut e.attrs,
            _ => continue,
        };
        if derives_serde(attrs) {
            attrs.push(syn::parse_quote!(
                #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
            ));
        }
    }
}

/// Whether one of `attrs` is a `#[derive(..)]` naming serde's `Serialize` or `Deserialize`.
pub(crate) fn derives_serde(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive") && {
            let text = quote!(#a).to_string();
            text.contains("Serialize") || text.contains("Deserialize")
        }
    })
}

/// `impl JsonSchema` for an open enum (behind the feature): a string, either one of the
/// documented `values` or any other.
pub(crate) fn open_enum_schema(
    name: &syn::Ident,
    doc: &str,
    values: &[(syn::Ident, String)],
) -> syn::Item {
    let name_text = name.to_string();
    let wires = values.iter().map(|(_, w)| w);
    let description = (!doc.is_empty()).then(|| quote!("description": #doc,));
    syn::parse_quote! {
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                #name_text.into()
            }

            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::concat!(::std::module_path!(), "::", #name_text).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    #description
                    "anyOf": [
                        { "type": "string", "enum": [#(#wires),*] },
                        { "type": "string", "description": "A value this version of the client does not know, kept as received." }
                    ]
                })
            }
        }
    }
}
