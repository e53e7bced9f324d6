//! Operations with a JSON success body and body-less success statuses (200 + 204):
//! progenitor allows one success type, so the normaliser dropped the body-less statuses
//! and this pass puts them back: the method returns `ResponseValue<Option<T>>`, `None`
//! for those statuses.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use quote::quote;
use syn::visit_mut::VisitMut;

use super::module_items;

pub fn optional_success(file: &mut syn::File, optional: &BTreeMap<String, Vec<u16>>) {
    if optional.is_empty() {
        return;
    }
    let by_method: BTreeMap<String, Vec<u16>> = optional
        .iter()
        .map(|(id, s)| (id.to_snake_case(), s.clone()))
        .collect();
    let Some(items) = module_items(file, "builder") else {
        return;
    };
    for item in items.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        for impl_item in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            if f.sig.ident != "send" {
                continue;
            }
            let body = quote!(#f).to_string();
            let Some(statuses) = by_method.iter().find_map(|(id, s)| {
                body.contains(&format!("operation_id : \"{id}\""))
                    .then_some(s)
            }) else {
                continue;
            };
            wrap_return_type(&mut f.sig.output);
            let arms: Vec<syn::Arm> = statuses
                .iter()
                .map(|code| {
                    syn::parse_quote! {
                        #code => Ok(ResponseValue::new(
                            ::std::option::Option::None,
                            response.status(),
                            response.headers().clone(),
                        )),
                    }
                })
                .collect();
            AddArms(arms).visit_block_mut(&mut f.block);
        }
    }
}

/// `Result<ResponseValue<T>, E>` → `Result<ResponseValue<Option<T>>, E>`.
fn wrap_return_type(output: &mut syn::ReturnType) {
    struct Wrap;
    impl VisitMut for Wrap {
        fn visit_path_segment_mut(&mut self, segment: &mut syn::PathSegment) {
            if segment.ident == "ResponseValue"
                && let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments
                && let Some(syn::GenericArgument::Type(ty)) = args.args.first_mut()
            {
                let inner = ty.clone();
                *ty = syn::parse_quote!(::std::option::Option<#inner>);
                return;
            }
            syn::visit_mut::visit_path_segment_mut(self, segment);
        }
    }
    Wrap.visit_return_type_mut(output);
}

/// Adds the arms at the start of the `match response.status().as_u16()`.
struct AddArms(Vec<syn::Arm>);

impl VisitMut for AddArms {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        let scrutinee = {
            let e = &m.expr;
            quote!(#e).to_string()
        };
        if scrutinee.contains("status ()") && scrutinee.contains("as_u16") {
            for (i, arm) in self.0.drain(..).enumerate() {
                m.arms.insert(i, arm);
            }
            return;
        }
        syn::visit_mut::visit_expr_match_mut(self, m);
    }
}
