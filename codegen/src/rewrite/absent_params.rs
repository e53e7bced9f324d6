//! An optional query parameter that is not set costs nothing: progenitor's `send` calls
//! `.query(..)` for every query parameter, set or not, and reqwest rewrites the URL for
//! each call (an absent one adds nothing: the rewrite is wasted). Each optional one is
//! moved out of the request chain into `if param.is_some() { .. }`, in place, so that
//! the parameters present keep their order in the query string. The header map starts
//! empty (`HeaderMap::new()` allocates on its first header, not before).

use quote::ToTokens;
use std::collections::BTreeSet;

use super::module_items;

/// Rewrites every builder's `send`; returns the optional query parameters it found that
/// it could not move (zero unless progenitor's output changed shape).
pub fn absent_params(file: &mut syn::File) -> usize {
    let Some(items) = module_items(file, "builder") else {
        return 0;
    };
    // Builder struct → its optional members (`Result<Option<T>, String>`).
    let mut optional: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for item in items.iter() {
        if let syn::Item::Struct(s) = item {
            let members = s
                .fields
                .iter()
                .filter(|f| {
                    let ty = f.ty.to_token_stream().to_string();
                    ty.starts_with("Result < Option <")
                        || ty.starts_with(
                            ":: std :: result :: Result < :: std :: option :: Option <",
                        )
                })
                .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
                .collect();
            optional.insert(s.ident.to_string(), members);
        }
    }
    let mut left = 0;
    for item in items.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = imp.self_ty.as_ref() else {
            continue;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let Some(members) = optional.get(&name) else {
            continue;
        };
        for impl_item in imp.items.iter_mut() {
            if let syn::ImplItem::Fn(f) = impl_item
                && f.sig.ident == "send"
            {
                left += rewrite_send(&mut f.block, members);
            }
        }
    }
    left
}

/// The optional member that `.query(&progenitor_client::QueryParam::new("name", &member))`
/// sends, if `args` are those of such a call.
fn optional_query(
    args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
    members: &BTreeSet<String>,
) -> Option<syn::Ident> {
    let [syn::Expr::Reference(param)] = args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let syn::Expr::Call(call) = param.expr.as_ref() else {
        return None;
    };
    if !call
        .func
        .to_token_stream()
        .to_string()
        .ends_with("QueryParam :: new")
    {
        return None;
    }
    let Some(syn::Expr::Reference(value)) = call.args.iter().nth(1) else {
        return None;
    };
    let syn::Expr::Path(path) = value.expr.as_ref() else {
        return None;
    };
    let ident = path.path.get_ident()?;
    members.contains(&ident.to_string()).then(|| ident.clone())
}

/// `let mut request = <chain>;` split at its optional query parameters, if `stmt` is
/// that statement and the chain has one.
fn split_request(stmt: &syn::Stmt, members: &BTreeSet<String>) -> Option<Vec<syn::Stmt>> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    if !matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "request") {
        return None;
    }
    let init = local.init.as_ref()?;
    // The chain, outermost call first, down to its receiver (`client.client`).
    let mut calls: Vec<&syn::ExprMethodCall> = Vec::new();
    let mut wrapped_in_try = false;
    let mut expr = init.expr.as_ref();
    if let syn::Expr::Try(t) = expr {
        wrapped_in_try = true;
        expr = t.expr.as_ref();
    }
    while let syn::Expr::MethodCall(call) = expr {
        calls.push(call);
        expr = call.receiver.as_ref();
    }
    if !calls
        .iter()
        .any(|c| c.method == "query" && optional_query(&c.args, members).is_some())
    {
        return None;
    }
    let mut stmts: Vec<syn::Stmt> = Vec::new();
    let mut current: syn::Expr = expr.clone();
    for call in calls.iter().rev() {
        let method = &call.method;
        let turbofish = &call.turbofish;
        let args = &call.args;
        match (call.method == "query")
            .then(|| optional_query(args, members))
            .flatten()
        {
            Some(member) => {
                if current.to_token_stream().to_string() != "request" {
                    stmts.push(syn::parse_quote!(let request = #current;));
                }
                stmts.push(syn::parse_quote!(
                    let request = if #member.is_some() {
                        request.query(#args)
                    } else {
                        request
                    };
                ));
                current = syn::parse_quote!(request);
            }
            None => current = syn::parse_quote!(#current.#method #turbofish (#args)),
        }
    }
    let attrs = &local.attrs;
    let pat = &local.pat;
    let init: syn::Expr = if wrapped_in_try {
        syn::parse_quote!(#current?)
    } else {
        current
    };
    stmts.push(syn::parse_quote!(#(#attrs)* let #pat = #init;));
    Some(stmts)
}

/// Splits `let mut request = <chain>;` of one `send` at its optional query parameters.
fn rewrite_send(block: &mut syn::Block, members: &BTreeSet<String>) -> usize {
    let mut left = 0;
    let mut stmts = Vec::with_capacity(block.stmts.len());
    for stmt in block.stmts.drain(..) {
        match split_request(&stmt, members) {
            Some(split) => stmts.extend(split),
            None => stmts.push(stmt),
        }
    }
    block.stmts = stmts;
    struct EmptyHeaders;
    impl syn::visit_mut::VisitMut for EmptyHeaders {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            if let syn::Expr::Call(call) = expr
                && call
                    .func
                    .to_token_stream()
                    .to_string()
                    .ends_with("HeaderMap :: with_capacity")
            {
                let func = &call.func;
                let new = func
                    .to_token_stream()
                    .to_string()
                    .replace("with_capacity", "new");
                let func: syn::Expr = syn::parse_str(&new).expect("a path");
                *expr = syn::parse_quote!(#func());
            }
        }
    }
    syn::visit_mut::VisitMut::visit_block_mut(&mut EmptyHeaders, block);
    // What is still chained after the rewrite.
    struct Left<'a>(&'a BTreeSet<String>, usize);
    impl syn::visit_mut::VisitMut for Left<'_> {
        fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
            syn::visit_mut::visit_expr_method_call_mut(self, call);
            if call.method == "query"
                && optional_query(&call.args, self.0).is_some()
                && call.receiver.to_token_stream().to_string() != "request"
            {
                self.1 += 1;
            }
        }
    }
    let mut visitor = Left(members, 0);
    syn::visit_mut::VisitMut::visit_block_mut(&mut visitor, block);
    left += visitor.1;
    left
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn an_optional_query_parameter_is_sent_only_when_set_and_the_order_is_kept() {
        let mut file: syn::File = syn::parse2(quote! {
            pub mod builder {
                pub struct ListThings<'a> {
                    client: &'a super::Client,
                    page: Result<Option<i64>, String>,
                    kind: Result<String, String>,
                    size: Result<Option<i64>, String>,
                }
                impl<'a> ListThings<'a> {
                    pub async fn send(self) -> Result<(), ()> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        #[allow(unused_mut)]
                        let mut request = client
                            .client
                            .get(url)
                            .query(&progenitor_client::QueryParam::new("page", &page))
                            .query(&progenitor_client::QueryParam::new("kind", &kind))
                            .query(&progenitor_client::QueryParam::new("size", &size))
                            .headers(header_map)
                            .build()?;
                        Ok(())
                    }
                }
            }
        })
        .unwrap();
        assert_eq!(absent_params(&mut file), 0);
        let text = quote!(#file).to_string();
        let expected = quote! {
            let mut header_map = ::reqwest::header::HeaderMap::new();
            let request = client.client.get(url);
            let request = if page.is_some() {
                request.query(&progenitor_client::QueryParam::new("page", &page))
            } else {
                request
            };
            let request = request.query(&progenitor_client::QueryParam::new("kind", &kind));
            let request = if size.is_some() {
                request.query(&progenitor_client::QueryParam::new("size", &size))
            } else {
                request
            };
            #[allow(unused_mut)]
            let mut request = request.headers(header_map).build()?;
        }
        .to_string();
        assert!(text.contains(&expected), "{text}");
    }
}
