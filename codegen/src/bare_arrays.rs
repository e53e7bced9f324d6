//! Part of pass `emit`: wrapper objects that a vendor may also send as a bare array of
//! their items (`[types.bare_array]` in `codegen.toml`), where its docs show neither
//! shape. The struct keeps its derived `Serialize` (the wrapper); its `Deserialize`
//! reads either shape in one pass (no intermediate `serde_json::Value`): an array
//! becomes the named member, the others absent.

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
        let member_ident = field.ident.as_ref().expect("a named field");
        let member_ty = &field.ty;
        let others: Vec<&syn::Ident> = names
            .iter()
            .copied()
            .filter(|n| *n != member_ident)
            .collect();
        let doc = format!(
            "Reads `{schema}` as documented, or from a bare array of its `{member}` (the vendor's docs show neither shape)."
        );
        let expecting = format!("`{schema}` (an object) or a bare array of its `{member}`");
        // The document is read once, as it comes: an array into the member, an object
        // into the struct.
        let deserialize: syn::ItemImpl = syn::parse_quote! {
            #[doc = #doc]
            impl<'de> ::serde::Deserialize<'de> for #ident {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    #wrapped
                    struct Shapes;
                    impl<'de> ::serde::de::Visitor<'de> for Shapes {
                        type Value = Wrapped;
                        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(#expecting)
                        }
                        fn visit_seq<A: ::serde::de::SeqAccess<'de>>(self, seq: A) -> ::std::result::Result<Wrapped, A::Error> {
                            let #member_ident = <#member_ty as ::serde::Deserialize>::deserialize(
                                ::serde::de::value::SeqAccessDeserializer::new(seq),
                            )?;
                            ::std::result::Result::Ok(Wrapped {
                                #member_ident,
                                #(#others: ::std::option::Option::None,)*
                            })
                        }
                        fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> ::std::result::Result<Wrapped, A::Error> {
                            <Wrapped as ::serde::Deserialize>::deserialize(
                                ::serde::de::value::MapAccessDeserializer::new(map),
                            )
                        }
                    }
                    let Wrapped { #(#names),* } = deserializer.deserialize_any(Shapes)?;
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
