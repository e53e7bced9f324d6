//! Operations return `idverify_runtime::Error<E>` instead of progenitor's error: it
//! carries the vendor's decoded error, request id and retryability, and its `Display`
//! never prints a body (progenitor's prints an unparsable body whole). progenitor's
//! `send` is kept, private, as `send_progenitor`; the crate's public `Error` becomes the
//! runtime's.

use quote::{ToTokens, quote};
use syn::visit_mut::VisitMut;

use super::{module_items, operation_id_of};

pub fn typed_errors(file: &mut syn::File) {
    for item in file.items.iter_mut() {
        if let syn::Item::Use(u) = item
            && matches!(u.vis, syn::Visibility::Public(_))
            && u.tree
                .to_token_stream()
                .to_string()
                .starts_with("progenitor_client ::")
        {
            *u = syn::parse_quote!(
                pub use progenitor_client::{ByteStream, ClientInfo, ResponseValue};
            );
        }
    }
    file.items.push(syn::parse_quote!(
        /// The error of every operation: see [`idverify_runtime::Error`].
        pub use ::idverify_runtime::{Error, ErrorKind, VendorError};
    ));
    let Some(items) = module_items(file, "builder") else {
        return;
    };
    for item in items.iter_mut() {
        if let syn::Item::Use(u) = item {
            let text = u.tree.to_token_stream().to_string();
            if text.starts_with("super ::") && text.contains("Error") {
                *u = syn::parse_quote!(
                    use super::{
                        encode_path, ByteStream, ClientHooks, ClientInfo, OperationInfo,
                        RequestBuilderExt, ResponseValue,
                    };
                );
            }
        }
    }
    items.insert(
        0,
        syn::parse_quote!(
            use ::progenitor_client::Error;
        ),
    );
    for item in items.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let mut added = Vec::new();
        for impl_item in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            if f.sig.ident != "send" {
                continue;
            }
            let Some((success, error)) = result_types(&f.sig.output) else {
                continue;
            };
            let Some(operation) = operation_id_of(f) else {
                continue;
            };
            DecodeViaRuntime.visit_block_mut(&mut f.block);
            let docs: Vec<syn::Attribute> = f
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect();
            f.sig.ident = syn::Ident::new("send_progenitor", f.sig.ident.span());
            f.vis = syn::Visibility::Inherited;
            f.attrs.retain(|a| !a.path().is_ident("doc"));
            let to_json = if error.to_token_stream().to_string() == "ByteStream" {
                quote!(|_| ::std::option::Option::None)
            } else {
                quote!(|body| ::serde_json::to_value(body).ok())
            };
            added.push(syn::ImplItem::Fn(syn::parse_quote! {
                #(#docs)*
                pub async fn send(self) -> ::std::result::Result<#success, ::idverify_runtime::Error<#error>> {
                    match self.send_progenitor().await {
                        Ok(value) => Ok(value),
                        Err(error) => Err(::idverify_runtime::Error::from_progenitor(error, #operation, #to_json).await),
                    }
                }
            }));
        }
        imp.items.extend(added);
    }
}

/// `Result<S, Error<E>>` → `(S, E)`.
fn result_types(output: &syn::ReturnType) -> Option<(syn::Type, syn::Type)> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(path) = ty.as_ref() else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    });
    let success = types.next()?;
    let error = types.next()?;
    let syn::Type::Path(error_path) = &error else {
        return None;
    };
    let error_last = error_path.path.segments.last()?;
    if error_last.ident != "Error" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(error_args) = &error_last.arguments else {
        return None;
    };
    let inner = error_args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })?;
    Some((success, inner))
}

/// In the status `match` of `send`, JSON bodies are decoded by
/// `idverify_runtime::decode`, which keeps status and headers when a body does not
/// match its schema (progenitor's decoding loses both).
struct DecodeViaRuntime;

impl VisitMut for DecodeViaRuntime {
    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        let body = arm.body.to_token_stream().to_string();
        if body.contains("Error :: ErrorResponse")
            && body.contains("ResponseValue :: from_response")
        {
            *arm.body = syn::parse_quote!(Err(::idverify_runtime::decode::error(response).await));
        } else if body.contains("ResponseValue :: from_response") {
            *arm.body = syn::parse_quote!(::idverify_runtime::decode::success(response).await);
        }
        syn::visit_mut::visit_arm_mut(self, arm);
    }
}
