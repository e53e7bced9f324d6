//! Operations return `idverify_runtime::Error<E>` instead of progenitor's error: it
//! carries the vendor's decoded error, request id and retryability, and its `Display`
//! never prints a body (progenitor's prints an unparsable body whole).
//!
//! Each builder's `send` is rewritten in place so that no failure passes through
//! progenitor's error type:
//! - a parameter that failed validation, or a header value that is not one, becomes
//!   `Error::invalid_request`; a request reqwest cannot build, `Error::transport`;
//! - progenitor's hook calls (`pre`, `exec`, `post`) become one
//!   `Runtime::send`, which authorises (an auth failure stays an `AuthError` as the
//!   error's `source()`), sends with retries and traces;
//! - the status `match` decodes through `idverify_runtime::decode`, which keeps the
//!   body as received and reads the vendor error in the shape the API declares
//!   (`API.error_shape`, from `[errors]` in `codegen.toml`).

use quote::ToTokens;
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
                    use super::{encode_path, ByteStream, ClientInfo, RequestBuilderExt, ResponseValue};
                );
            }
        }
    }
    for item in items.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
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
            f.sig.output = syn::parse_quote!(
                -> ::std::result::Result<#success, ::idverify_runtime::Error<#error>>
            );
            send_through_runtime(&mut f.block, &operation);
            RequestErrors(&operation).visit_block_mut(&mut f.block);
            DecodeViaRuntime(&operation).visit_block_mut(&mut f.block);
        }
    }
}

/// Replaces progenitor's `OperationInfo` and hook calls (`pre`, `exec`, `post`, then
/// `let response = result?`) by one `Runtime::send`.
fn send_through_runtime(block: &mut syn::Block, operation: &str) {
    let is_hook_step = |stmt: &syn::Stmt| {
        let text = stmt.to_token_stream().to_string();
        text.starts_with("let info = OperationInfo")
            || text.starts_with("client . pre (")
            || text.starts_with("let result = client . exec (")
            || text.starts_with("client . post (")
    };
    block.stmts.retain(|stmt| !is_hook_step(stmt));
    for stmt in block.stmts.iter_mut() {
        if stmt.to_token_stream().to_string() == "let response = result ? ;" {
            *stmt = syn::parse_quote!(
                let response = client.inner.send(&client.client, request, #operation).await?;
            );
        }
    }
}

/// Every `?` of the request-building part returns the runtime's error.
struct RequestErrors<'a>(&'a str);

impl VisitMut for RequestErrors<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let operation = self.0;
        let syn::Expr::Try(attempt) = expr else {
            return;
        };
        let inner = &mut attempt.expr;
        match inner.as_mut() {
            // Already the runtime's error (`Runtime::send`, decoding).
            syn::Expr::Await(_) => {}
            // `value.map_err(Error::InvalidRequest)?`: a parameter that failed validation.
            syn::Expr::MethodCall(call)
                if call.method == "map_err"
                    && call.args.to_token_stream().to_string() == "Error :: InvalidRequest" =>
            {
                call.args = syn::parse_quote!(
                    |message| ::idverify_runtime::Error::invalid_request(#operation, message)
                );
            }
            // `builder.build()?`: progenitor reports it as a communication error.
            syn::Expr::MethodCall(call) if call.method == "build" => {
                **inner = syn::parse_quote!(
                    #call.map_err(|e| ::idverify_runtime::Error::transport(#operation, e))
                );
            }
            // Header values (`value.to_string().try_into()?`).
            other => {
                **inner = syn::parse_quote!(
                    #other.map_err(|e| ::idverify_runtime::Error::invalid_request(
                        #operation,
                        ::std::string::ToString::to_string(&e),
                    ))
                );
            }
        }
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

/// In the status `match` of `send`: JSON bodies are decoded by
/// `idverify_runtime::decode` (documented errors in the API's declared shape); any
/// other progenitor error (an undocumented status, a body-less or raw error body) is an
/// unexpected response, body kept.
struct DecodeViaRuntime<'a>(&'a str);

impl VisitMut for DecodeViaRuntime<'_> {
    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        let operation = self.0;
        let body = arm.body.to_token_stream().to_string();
        let decodes_json = body.contains("ResponseValue :: from_response");
        if body.contains("Error :: ErrorResponse") && decodes_json {
            *arm.body = syn::parse_quote!(Err(
                ::idverify_runtime::decode::error(response, #operation, super::API.error_shape).await
            ));
        } else if decodes_json {
            *arm.body = syn::parse_quote!(
                ::idverify_runtime::decode::success(response, #operation).await
            );
        } else if body.contains("Error ::") {
            *arm.body = syn::parse_quote!(Err(
                ::idverify_runtime::Error::unexpected(#operation, response).await
            ));
        }
        syn::visit_mut::visit_arm_mut(self, arm);
    }

    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        syn::visit_mut::visit_expr_match_mut(self, m);
        merge_same_arms(m);
    }
}

/// Statuses decoded the same way share one arm (`400u16 | 401u16 => ...`). Only arms
/// without a guard on literal patterns are merged: they cannot overlap, so their order
/// does not matter, and the wildcard stays last.
fn merge_same_arms(m: &mut syn::ExprMatch) {
    let mut kept: Vec<syn::Arm> = Vec::with_capacity(m.arms.len());
    for arm in m.arms.drain(..) {
        let mergeable = |a: &syn::Arm| a.guard.is_none() && !matches!(a.pat, syn::Pat::Wild(_));
        let body = arm.body.to_token_stream().to_string();
        let same = kept.iter_mut().find(|k| {
            mergeable(k) && mergeable(&arm) && k.body.to_token_stream().to_string() == body
        });
        match same {
            Some(earlier) => {
                let (first, next) = (&earlier.pat, &arm.pat);
                earlier.pat = syn::parse_quote!(#first | #next);
            }
            None => kept.push(arm),
        }
    }
    m.arms = kept;
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    /// The shape of progenitor 0.15's `send` for an operation with a query parameter,
    /// a header, a JSON success and a JSON error.
    fn progenitor_send() -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                use super::{encode_path, ByteStream, ClientHooks, ClientInfo, Error, OperationInfo, RequestBuilderExt, ResponseValue};
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Problem>> {
                        let Self { client, id, trace } = self;
                        let id = id.map_err(Error::InvalidRequest)?;
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append("Trace", trace.to_string().try_into()?);
                        let mut request = client.client.get(url).headers(header_map).build()?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                            404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn send_never_goes_through_progenitors_error() {
        let mut file = progenitor_send();
        typed_errors(&mut file);
        // Without spaces: token streams print `>>` and `> >` alike only so.
        let text: String = file
            .to_token_stream()
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for gone in [
            "OperationInfo{",
            "client.pre",
            "client.exec",
            "client.post",
            "Error::InvalidRequest",
            "Error::ErrorResponse",
            "Error::UnexpectedResponse",
            "from_response",
            "progenitor_client::Error",
        ] {
            assert!(!text.contains(gone), "`{gone}` is left in {text}");
        }
        for expected in [
            quote!(-> ::std::result::Result<ResponseValue<types::Thing>, ::idverify_runtime::Error<types::Problem>>),
            quote!(
                client
                    .inner
                    .send(&client.client, request, "get_thing")
                    .await?
            ),
            quote!(::idverify_runtime::Error::invalid_request(
                "get_thing",
                message
            )),
            quote!(::idverify_runtime::Error::transport("get_thing", e)),
            quote!(::idverify_runtime::decode::success(response, "get_thing").await),
            quote!(
                ::idverify_runtime::decode::error(response, "get_thing", super::API.error_shape)
                    .await
            ),
            quote!(::idverify_runtime::Error::unexpected("get_thing", response).await),
        ] {
            let expected: String = expected
                .to_string()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            assert!(text.contains(&expected), "no `{expected}` in {text}");
        }
    }
}
