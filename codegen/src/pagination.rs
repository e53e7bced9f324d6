//! Part of pass `emit`: `into_stream()` on the builders of list operations named in
//! `[pagination.<operationId>]` of `codegen.toml`. The paging itself (next request,
//! repeats, the page cap, following links only on the client's origin) is
//! `idverify_runtime::pagination`; this pass tells it how to read a page (its items and
//! what it says of the next page) and how to set the cursor or page parameter. Every
//! name is checked against the generated code, so a table that no longer fits its spec
//! fails generation naming its key.

use std::path::Path;

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::config::PaginationConfig;
use crate::error::{Error, Result};
use crate::inspect;

/// Items for the `builder` module, one `impl` per paginated operation.
pub fn items(
    file: &syn::File,
    doc: &Value,
    pagination: &std::collections::BTreeMap<String, PaginationConfig>,
    config: &Path,
) -> Result<TokenStream> {
    let mut out = TokenStream::new();
    for (operation_id, table) in pagination {
        out.extend(one(file, doc, operation_id, table, config)?);
    }
    Ok(out)
}

fn one(
    file: &syn::File,
    doc: &Value,
    operation_id: &str,
    table: &PaginationConfig,
    config: &Path,
) -> Result<TokenStream> {
    let key = format!("pagination.{operation_id}");
    let fail =
        |field: &str, message: String| Error::new(config, format!("{key}.{field}: {message}"));
    if crate::waiters::find_operation(doc, operation_id).is_none() {
        return Err(Error::new(
            config,
            format!("{key}: the spec has no operation `{operation_id}`"),
        ));
    }
    let builder = inspect::builder(file, operation_id).ok_or_else(|| {
        Error::new(
            config,
            format!("{key}: no generated builder for `{operation_id}`"),
        )
    })?;
    let page_type = &builder.success;
    let error = &builder.error;
    let page_name = inspect::type_name(page_type).unwrap_or_default();
    let page_struct = inspect::type_struct(file, &page_name).ok_or_else(|| {
        Error::new(
            config,
            format!("{key}: `{operation_id}` does not answer with a generated struct"),
        )
    })?;
    let items_wire = match table {
        PaginationConfig::Cursor { items, .. }
        | PaginationConfig::Page { items, .. }
        | PaginationConfig::Link { items, .. } => items,
    };
    let items_field = inspect::field_by_wire(page_struct, items_wire).ok_or_else(|| {
        fail(
            "items",
            format!("`{page_name}` has no member `{items_wire}`"),
        )
    })?;
    let items_ident = items_field.ident.clone().expect("named field");
    let (items_expr, vec_type) = match inspect::unwrap_generic(&items_field.ty, "Option") {
        Some(inner) => (quote!(page.#items_ident.unwrap_or_default()), inner),
        None => (quote!(page.#items_ident), &items_field.ty),
    };
    let item = inspect::unwrap_generic(vec_type, "Vec").ok_or_else(|| {
        fail(
            "items",
            format!("`{page_name}.{items_wire}` is not an array"),
        )
    })?;
    let item = &inspect::qualify(file, item);

    let page = format_ident!("page");
    let read = |field: &str, path: &str| -> Result<inspect::Access> {
        inspect::access(file, &page_name, &page, path)
            .map_err(|m| fail(field, format!("`{path}`: {m}")))
    };
    let setter = |param: &str| -> Result<(syn::Ident, syn::Type)> {
        let name = param.to_snake_case();
        let ty = builder.field_type(&name).ok_or_else(|| {
            fail(
                "param",
                format!("`{operation_id}` has no parameter `{param}`"),
            )
        })?;
        Ok((format_ident!("{}", name), ty))
    };
    let number_of = |access: &inspect::Access| {
        let expr = &access.expr;
        quote!((|| ::idverify_runtime::pagination::PageNumber::to_page_number(#expr))())
    };
    let none = quote!(::std::option::Option::None);
    let operation = builder.method.to_string();
    let out_of_range = quote! {
        ::std::result::Result::Err(::idverify_runtime::Error::invalid_request(
            #operation,
            "the page number does not fit the parameter's type",
        ))
    };
    let mismatch = quote! {
        ::std::result::Result::Err(::idverify_runtime::Error::invalid_request(
            #operation,
            "the paginator asked for a page this kind of paging does not have (generator bug)",
        ))
    };
    let (kind, next, number, total, arms, what) = match table {
        PaginationConfig::Cursor { next, param, .. } => {
            let access = read("next", next)?;
            let expr = &access.expr;
            let (setter, _) = setter(param)?;
            (
                quote!(::idverify_runtime::pagination::PageKind::Cursor),
                quote!((|| ::std::option::Option::Some(::std::string::ToString::to_string(#expr)))()),
                none.clone(),
                none.clone(),
                quote! {
                    ::idverify_runtime::pagination::PageRequest::Cursor(cursor) => {
                        builder.#setter(cursor).send().await
                    }
                },
                format!("the cursor `{next}` sent back as `{param}`"),
            )
        }
        PaginationConfig::Page {
            param,
            number,
            total_pages,
            first,
            ..
        } => {
            let (setter, ty) = setter(param)?;
            let number_expr = match number {
                Some(path) => number_of(&read("number", path)?),
                None => none.clone(),
            };
            let total_expr = match total_pages {
                Some(path) => number_of(&read("total_pages", path)?),
                None => none.clone(),
            };
            (
                quote!(::idverify_runtime::pagination::PageKind::Page { first: #first }),
                none.clone(),
                number_expr,
                total_expr,
                quote! {
                    ::idverify_runtime::pagination::PageRequest::Number(number) => {
                        match <#ty as ::idverify_runtime::pagination::PageNumber>::from_page_number(number) {
                            ::std::option::Option::Some(number) => builder.#setter(number).send().await,
                            ::std::option::Option::None => #out_of_range,
                        }
                    }
                },
                format!("page numbers in `{param}` from {first}"),
            )
        }
        PaginationConfig::Link {
            next,
            fallback_param,
            ..
        } => {
            let access = read("next", next)?;
            let expr = &access.expr;
            let facts = format_ident!("{}", operation_id.to_snake_case().to_shouty_snake_case());
            let fallback = match fallback_param {
                Some(param) => {
                    let (setter, ty) = setter(param)?;
                    quote! {
                        ::idverify_runtime::pagination::PageRequest::Number(number) => {
                            match <#ty as ::idverify_runtime::pagination::PageNumber>::from_page_number(number) {
                                ::std::option::Option::Some(number) => builder.#setter(number).send().await,
                                ::std::option::Option::None => #out_of_range,
                            }
                        }
                    }
                }
                None => TokenStream::new(),
            };
            let fallback_value = match fallback_param {
                Some(param) => quote!(::std::option::Option::Some(#param)),
                None => none.clone(),
            };
            (
                quote!(::idverify_runtime::pagination::PageKind::Link { fallback_param: #fallback_value }),
                quote!((|| ::std::option::Option::Some(::std::string::ToString::to_string(#expr)))()),
                none.clone(),
                none.clone(),
                quote! {
                    ::idverify_runtime::pagination::PageRequest::Link(url) => {
                        let request = ::idverify_runtime::pagination::link_request(&client.client, url)
                            .map_err(|e| ::idverify_runtime::Error::transport(#operation, e))?;
                        let response = client.inner.send(&client.client, request, #operation).await?;
                        match response.status().as_u16() {
                            200..=299 => ::idverify_runtime::decode::success(response, #operation).await,
                            status if super::spec_facts::#facts.documents_error(status) => {
                                ::std::result::Result::Err(
                                    ::idverify_runtime::decode::error(response, #operation, super::API.error_shape).await,
                                )
                            }
                            _ => ::std::result::Result::Err(::idverify_runtime::Error::unexpected(#operation, response).await),
                        }
                    }
                    #fallback
                },
                match fallback_param {
                    Some(param) => format!(
                        "the link `{next}`, followed on the client's origin only (a link elsewhere is read for its `{param}`, set on this request)"
                    ),
                    None => format!("the link `{next}`, followed on the client's origin only"),
                },
            )
        }
    };
    let builder_ident = &builder.ident;
    let doc = format!(
        "Every item (`{items_wire}`) of this listing across pages, as a `Stream` of \
         `Result<item, Error>`; pages are fetched as the items are used up, following \
         {what}.\n\n\
         A cursor, link or page that repeats, or more pages than \
         [`max_pages`](idverify_runtime::pagination::Paginator::max_pages) (default \
         [`DEFAULT_MAX_PAGES`](idverify_runtime::pagination::DEFAULT_MAX_PAGES)), ends \
         the stream with an error: a listing is never cut short silently. Each page is \
         one call through the runtime."
    );
    Ok(quote! {
        impl<'a> #builder_ident<'a> {
            #[doc = #doc]
            pub fn into_stream(self) -> ::idverify_runtime::pagination::Paginator<'a, #item, #error> {
                fn parts(#page: #page_type) -> (::std::vec::Vec<#item>, ::idverify_runtime::pagination::PageInfo) {
                    let info = ::idverify_runtime::pagination::PageInfo {
                        next: #next,
                        number: #number,
                        total_pages: #total,
                    };
                    (#items_expr, info)
                }
                let client = self.client;
                let spec = ::idverify_runtime::pagination::PageSpec {
                    operation: #operation,
                    kind: #kind,
                    base_url: client.baseurl.clone(),
                    parts,
                };
                ::idverify_runtime::pagination::Paginator::new(spec, move |request| {
                    let builder = self.clone();
                    async move {
                        match request {
                            ::idverify_runtime::pagination::PageRequest::First => builder.send().await,
                            #arms
                            #[allow(unreachable_patterns)]
                            _ => #mismatch,
                        }
                    }
                })
            }
        }
    })
}
