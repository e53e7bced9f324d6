//! Part of pass `emit`: typed views declared in `[types.views]` of `codegen.toml`,
//! generated beside the types (they used to be hand-written per crate):
//! - `codes`: an enum naming the numeric codes a vendor sends as strings, with a
//!   `number` and an enum method on each schema that carries such a member;
//! - `content`: an enum typing a raw JSON member by a discriminator member, with a
//!   method on the schema that parses it.
//!
//! Every schema and field named is checked against the generated types, so a view that
//! no longer fits its spec fails generation naming its `codegen.toml` key.

use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::{CodesView, ContentView, ViewsConfig};
use crate::error::{Error, Result};

/// The named fields of `struct name` in the generated `types` module.
fn fields<'a>(file: &'a syn::File, name: &str) -> Option<&'a syn::FieldsNamed> {
    let types = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })?;
    types.iter().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == name => match &s.fields {
            syn::Fields::Named(named) => Some(named),
            _ => None,
        },
        _ => None,
    })
}

/// Whether field `field` of `struct schema` exists; `Some(is_option)` if it does.
fn field_is_option(file: &syn::File, schema: &str, field: &str) -> Option<bool> {
    let named = fields(file, schema)?;
    let found = named
        .named
        .iter()
        .find(|f| f.ident.as_ref().is_some_and(|i| i == field))?;
    let ty = quote!(#found.ty).to_string().replace(' ', "");
    Some(ty.contains("Option<"))
}

fn ident(config: &Path, key: &str, name: &str) -> Result<syn::Ident> {
    syn::parse_str::<syn::Ident>(name)
        .map_err(|_| Error::new(config, format!("{key}: `{name}` is not a Rust identifier")))
}

/// The views' items, checked against `file` (the generated, rewritten client).
pub fn items(file: &syn::File, views: &ViewsConfig, config: &Path) -> Result<TokenStream> {
    let mut out = TokenStream::new();
    for (name, view) in &views.codes {
        out.extend(codes(file, name, view, config)?);
    }
    for (name, view) in &views.content {
        out.extend(content(file, name, view, config)?);
    }
    Ok(out)
}

fn codes(file: &syn::File, name: &str, view: &CodesView, config: &Path) -> Result<TokenStream> {
    let key = format!("types.views.codes.{name}");
    let enum_name = ident(config, &key, name)?;
    let mut variants = Vec::new();
    let mut numbers = Vec::new();
    let mut docs = Vec::new();
    for (code, value) in &view.values {
        let number: u32 = code.parse().map_err(|_| {
            Error::new(
                config,
                format!("{key}.values: `{code}` is not a non-negative number"),
            )
        })?;
        variants.push(ident(
            config,
            &format!("{key}.values.{code}.variant"),
            &value.variant,
        )?);
        numbers.push(number);
        docs.push(format!("{number}: {}", value.doc));
    }
    let doc = &view.doc;
    let mut readers = TokenStream::new();
    for (i, read) in view.read.iter().enumerate() {
        let at = format!("{key}.read[{i}]");
        let Some(optional) = field_is_option(file, &read.schema, &read.field) else {
            return Err(Error::new(
                config,
                format!(
                    "{at}: the generated types have no struct `{}` with a field `{}`",
                    read.schema, read.field
                ),
            ));
        };
        let schema = ident(config, &format!("{at}.schema"), &read.schema)?;
        let field = ident(config, &format!("{at}.field"), &read.field)?;
        let number = ident(config, &format!("{at}.number"), &read.number)?;
        let method = ident(config, &format!("{at}.method"), &read.method)?;
        let text = if optional {
            quote!(self.#field.as_deref()?)
        } else {
            quote!(self.#field.as_str())
        };
        let number_doc = format!(
            "`{}` as a number; `None` when absent or not a number.",
            read.field
        );
        let method_doc = format!(
            "`{}` as a [`{name}`]; `None` when absent or not a number.",
            read.field
        );
        readers.extend(quote! {
            impl types::#schema {
                #[doc = #number_doc]
                pub fn #number(&self) -> ::std::option::Option<u32> {
                    #text.trim().parse().ok()
                }
                #[doc = #method_doc]
                pub fn #method(&self) -> ::std::option::Option<#enum_name> {
                    self.#number().map(#enum_name::from_code)
                }
            }
        });
    }
    Ok(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #enum_name {
            #( #[doc = #docs] #variants, )*
            /// A code the documentation does not list.
            Other(u32),
        }
        impl #enum_name {
            /// The variant of `code`; a code the documentation does not list gives `Other`.
            pub fn from_code(code: u32) -> Self {
                match code {
                    #( #numbers => Self::#variants, )*
                    other => Self::Other(other),
                }
            }
            /// The numeric code, as the vendor sends it (without the quotes).
            pub fn code(self) -> u32 {
                match self {
                    #( Self::#variants => #numbers, )*
                    Self::Other(code) => code,
                }
            }
        }
        #readers
    })
}

fn content(file: &syn::File, name: &str, view: &ContentView, config: &Path) -> Result<TokenStream> {
    let key = format!("types.views.content.{name}");
    let missing =
        |what: &str| Error::new(config, format!("{key}: the generated types have no {what}"));
    let tag_optional = field_is_option(file, &view.schema, &view.tag).ok_or_else(|| {
        missing(&format!(
            "struct `{}` with a field `{}`",
            view.schema, view.tag
        ))
    })?;
    let content_optional = field_is_option(file, &view.schema, &view.content).ok_or_else(|| {
        missing(&format!(
            "struct `{}` with a field `{}`",
            view.schema, view.content
        ))
    })?;
    let enum_name = ident(config, &key, name)?;
    let schema = ident(config, &format!("{key}.schema"), &view.schema)?;
    let tag = ident(config, &format!("{key}.tag"), &view.tag)?;
    let content = ident(config, &format!("{key}.content"), &view.content)?;
    let method = ident(config, &format!("{key}.method"), &view.method)?;
    let mut wire = Vec::new();
    let mut variants = Vec::new();
    for (value, target) in &view.variants {
        if fields(file, target).is_none() {
            return Err(missing(&format!("struct `{target}` (variants.{value})")));
        }
        wire.push(value.clone());
        variants.push(ident(config, &format!("{key}.variants.{value}"), target)?);
    }
    let variant_docs: Vec<String> = wire.iter().map(|w| format!("`{w}`.")).collect();
    let doc = &view.doc;
    let method_doc = format!(
        "The `{content_field}` typed by `{tag_field}`. Values without a typed view (and unknown \
         ones) give [`{name}::Other`] with the raw content; no content gives \
         [`{name}::NoContent`].\n\nFails only if the content of a known value does not have \
         that value's shape (a known field with another JSON type).",
        content_field = view.content,
        tag_field = view.tag,
    );
    let content_expr = if content_optional {
        quote! {
            match &self.#content {
                ::std::option::Option::None
                | ::std::option::Option::Some(::serde_json::Value::Null) => {
                    return ::std::result::Result::Ok(#enum_name::NoContent)
                }
                ::std::option::Option::Some(content) => content,
            }
        }
    } else {
        quote! {
            match &self.#content {
                ::serde_json::Value::Null => return ::std::result::Result::Ok(#enum_name::NoContent),
                content => content,
            }
        }
    };
    let tag_expr = if tag_optional {
        quote!(self.#tag.as_ref().map(|t| t.as_str()).unwrap_or_default())
    } else {
        quote!(self.#tag.as_str())
    };
    let debug_names: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
    Ok(quote! {
        #[doc = #doc]
        ///
        /// `Debug` never prints personal data: the typed contents redact their personal
        /// fields, and `Other` prints as `[redacted]`.
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #enum_name {
            #( #[doc = #variant_docs] #variants(types::#variants), )*
            /// No content (absent or `null`).
            NoContent,
            /// Any other value (types added later, ...): the raw content.
            Other(::serde_json::Value),
        }
        impl ::std::fmt::Debug for #enum_name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #( Self::#variants(c) => f.debug_tuple(#debug_names).field(c).finish(), )*
                    Self::NoContent => f.write_str("NoContent"),
                    Self::Other(_) => f
                        .debug_tuple("Other")
                        .field(&format_args!("{}", ::idverify_runtime::REDACTED))
                        .finish(),
                }
            }
        }
        impl types::#schema {
            #[doc = #method_doc]
            pub fn #method(&self) -> ::std::result::Result<#enum_name, ::serde_json::Error> {
                let content = #content_expr;
                ::std::result::Result::Ok(match #tag_expr {
                    #( #wire => #enum_name::#variants(
                        <types::#variants as ::serde::Deserialize>::deserialize(content)?,
                    ), )*
                    _ => #enum_name::Other(content.clone()),
                })
            }
        }
    })
}
