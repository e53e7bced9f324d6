//! What the type builders take and what they say when something is missing:
//! - an optional member whose type is a constrained string (a length limit or pattern:
//!   typify makes it a newtype) takes `&str`, `String`, the newtype or an `Option` of
//!   any of them (`idverify_runtime::OptionalText`), instead of only
//!   `Option<Newtype>`: `.external_reference("order-42")` compiles, and a value past the
//!   limit is reported by `send()` naming the member and the limit;
//! - a required member never set names the type and the member
//!   (`CreateSessionRequest: the required member `flow` is not set (call `.flow(..)`)`)
//!   instead of typify's `no value supplied for flow`.

use std::collections::BTreeSet;

use quote::quote;
use syn::visit_mut::VisitMut;

use super::module_items;

/// The newtypes of `types` that convert from `&str` (typify's constrained strings).
fn constrained_strings(items: &[syn::Item]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(i) => {
                let (_, path, _) = i.trait_.as_ref()?;
                let text = quote!(#path).to_string().replace(' ', "");
                (text.ends_with("TryFrom<&str>") || text.ends_with("TryFrom<&'_str>"))
                    .then(|| match &*i.self_ty {
                        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                        _ => None,
                    })
                    .flatten()
            }
            _ => None,
        })
        .collect()
}

/// Rewrites the builders; returns how many setters now take text.
pub fn builder_inputs(file: &mut syn::File) -> usize {
    let Some(items) = module_items(file, "types") else {
        return 0;
    };
    let newtypes = constrained_strings(items);
    let mut markers: Vec<syn::Item> = newtypes
        .iter()
        .map(|name| {
            let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
            syn::parse_quote!(impl ::idverify_runtime::ConstrainedText for #ident {})
        })
        .collect();
    let mut rewritten = 0;
    for item in items.iter_mut() {
        let syn::Item::Mod(builder) = item else {
            continue;
        };
        if builder.ident != "builder" {
            continue;
        }
        let Some((_, builder_items)) = builder.content.as_mut() else {
            continue;
        };
        for item in builder_items.iter_mut() {
            let syn::Item::Impl(imp) = item else { continue };
            let type_name = match &*imp.self_ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            if imp.trait_.is_none() {
                for member in imp.items.iter_mut() {
                    if let syn::ImplItem::Fn(f) = member
                        && setter_takes_text(f, &newtypes)
                    {
                        rewritten += 1;
                    }
                }
            } else if let Some(name) = type_name {
                // `impl Default for builder::X`: the "not set" messages of required members.
                let mut messages = MissingMessages(&name);
                messages.visit_item_impl_mut(imp);
            }
        }
    }
    items.append(&mut markers);
    rewritten
}

/// `where T: TryInto<Option<super::X>>, T::Error: Display` with `X` a constrained
/// string → `where T: OptionalText<super::X>`, and the conversion with it.
fn setter_takes_text(f: &mut syn::ImplItemFn, newtypes: &BTreeSet<String>) -> bool {
    let Some(where_clause) = f.sig.generics.where_clause.as_mut() else {
        return false;
    };
    let mut target = None;
    for predicate in &where_clause.predicates {
        let text = quote!(#predicate).to_string().replace(' ', "");
        if let Some(rest) =
            text.strip_prefix("T:::std::convert::TryInto<::std::option::Option<super::")
            && let Some(name) = rest.strip_suffix(">>")
            && newtypes.contains(name)
        {
            target = Some(name.to_string());
        }
    }
    let Some(name) = target else {
        return false;
    };
    let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
    where_clause.predicates = syn::parse_quote!(T: ::idverify_runtime::OptionalText<super::#ident>);
    struct Convert;
    impl VisitMut for Convert {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            if let syn::Expr::MethodCall(call) = expr
                && call.method == "try_into"
                && call.args.is_empty()
                && matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("value"))
            {
                *expr = syn::parse_quote!(::idverify_runtime::OptionalText::into_optional(value));
                return;
            }
            syn::visit_mut::visit_expr_mut(self, expr);
        }
    }
    Convert.visit_block_mut(&mut f.block);
    true
}

/// typify's `"no value supplied for flow"` → a message naming the type and member.
struct MissingMessages<'a>(&'a str);

impl VisitMut for MissingMessages<'_> {
    fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
        if let Some(member) = lit.value().strip_prefix("no value supplied for ") {
            *lit = syn::LitStr::new(
                &format!(
                    "{}: the required member `{member}` is not set (call `.{member}(..)`)",
                    self.0
                ),
                lit.span(),
            );
        }
    }
}
