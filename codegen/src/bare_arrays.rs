//! Part of pass `emit`: wrapper objects that a vendor may also send as a bare array of
//! their items (`[types.bare_array]` in `codegen.toml`), where its docs show neither
//! shape. The struct keeps its derived `Serialize` (the wrapper); its `Deserialize`
//! reads either shape: an array becomes the named member, the others absent.

use std::collections::BTreeMap;
use std::path::Path;

use quote::format_ident;

use crate::error::{Error, Result};
use crate::inspect;

pub fn apply(file: &mut syn::File, tables: &BTreeMap<String, String>, config: &Path) -> Result<()> {
    for (schema, member) in tables {
        let key = format!("types.bare_array.{schema}");
        let item = inspect::type_struct(file, schema).ok_or_else(|| {
            Error::new(
                config,
                format!("{key}: the generated types have no struct `{schema}`"),
            )
        })?;
        let field = inspect::field_by_wire(item, member).ok_or_else(|| {
            Error::new(
                config,
                format!("{key}: `{schema}` has no member `{member}`"),
            )
        })?;
        if inspect::unwrap_generic(&field.ty, "Vec").is_none() {
            return Err(Error::new(
                config,
                format!("{key}: `{schema}.{member}` is not a required array"),
            ));
        }
        let syn::Fields::Named(named) = &item.fields else {
            unreachable!("field_by_wire found a named field");
        };
        for other in &named.named {
            let is_member = other.ident == field.ident;
            if !is_member && inspect::unwrap_generic(&other.ty, "Option").is_none() {
                return Err(Error::new(
                    config,
                    format!(
                        "{key}: `{schema}` has a required member besides `{member}`; a bare array cannot fill it"
                    ),
                ));
            }
        }
        let ident = item.ident.clone();
        let mut wrapped = item.clone();
        wrapped.ident = format_ident!("Wrapped");
        wrapped.vis = syn::Visibility::Inherited;
        wrapped.attrs = vec![syn::parse_quote!(#[derive(::serde::Deserialize)])];
        for f in wrapped.fields.iter_mut() {
            f.vis = syn::Visibility::Inherited;
            f.attrs.retain(|a| a.path().is_ident("serde"));
        }
        let names: Vec<&syn::Ident> = named
            .named
            .iter()
            .filter_map(|f| f.ident.as_ref())
            .collect();
        let doc = format!(
            "Reads `{schema}` as documented, or from a bare array of its `{member}` (the vendor's docs show neither shape)."
        );
        let deserialize: syn::ItemImpl = syn::parse_quote! {
            #[doc = #doc]
            impl<'de> ::serde::Deserialize<'de> for #ident {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    #wrapped
                    let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                    let value = if value.is_array() {
                        let mut object = ::serde_json::Map::new();
                        object.insert(#member.to_string(), value);
                        ::serde_json::Value::Object(object)
                    } else {
                        value
                    };
                    let Wrapped { #(#names),* } = <Wrapped as ::serde::Deserialize>::deserialize(value)
                        .map_err(<D::Error as ::serde::de::Error>::custom)?;
                    ::std::result::Result::Ok(Self { #(#names),* })
                }
            }
        };
        let types = file
            .items
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
                _ => None,
            })
            .expect("type_struct found the types module");
        for item in types.1.iter_mut() {
            if let syn::Item::Struct(s) = item
                && s.ident == ident
            {
                crate::rewrite::remove_derive(&mut s.attrs, "Deserialize");
            }
        }
        types.1.push(syn::Item::Impl(deserialize));
    }
    Ok(())
}
