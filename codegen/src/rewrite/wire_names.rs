//! Enum values and properties whose Rust names collided were generated from stand-ins
//! (see [`crate::normalize::names`]): every string literal that is a stand-in becomes
//! the wire name again (serde renames, `Display`, `FromStr`, messages), and doc comments
//! quoting it quote the wire name. A stand-in is a spelling found nowhere in the spec,
//! so no other literal is touched.

use std::collections::BTreeMap;

use proc_macro2::{Group, Literal, TokenStream, TokenTree};
use syn::visit_mut::VisitMut;

pub fn wire_names(file: &mut syn::File, wire: &BTreeMap<String, String>) {
    if wire.is_empty() {
        return;
    }
    struct Pass<'a>(&'a BTreeMap<String, String>);
    impl VisitMut for Pass<'_> {
        fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
            if let Some(name) = self.0.get(&lit.value()) {
                *lit = syn::LitStr::new(name, lit.span());
            }
        }
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if attr.path().is_ident("doc")
                && let syn::Meta::NameValue(nv) = &mut attr.meta
                && let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &mut nv.value
            {
                let mut text = s.value();
                for (stand_in, name) in self.0 {
                    text = text.replace(&format!("\"{stand_in}\""), &format!("\"{name}\""));
                    text = text.replace(&format!("`{stand_in}`"), &format!("`{name}`"));
                }
                *s = syn::LitStr::new(&text, s.span());
                return;
            }
            // `#[serde(rename = "...")]`: the arguments are plain tokens.
            if let syn::Meta::List(list) = &mut attr.meta {
                list.tokens = replace_tokens(std::mem::take(&mut list.tokens), self.0);
            }
            syn::visit_mut::visit_attribute_mut(self, attr);
        }
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            mac.tokens = replace_tokens(std::mem::take(&mut mac.tokens), self.0);
        }
    }
    Pass(wire).visit_file_mut(file);
}

/// String literal tokens that are stand-ins, anywhere in `tokens`, made wire names.
fn replace_tokens(tokens: TokenStream, wire: &BTreeMap<String, String>) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut out = Group::new(group.delimiter(), replace_tokens(group.stream(), wire));
                out.set_span(group.span());
                TokenTree::Group(out)
            }
            TokenTree::Literal(literal) => {
                match syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into()) {
                    Ok(s) if wire.contains_key(&s.value()) => {
                        TokenTree::Literal(Literal::string(&wire[&s.value()]))
                    }
                    _ => TokenTree::Literal(literal),
                }
            }
            other => other,
        })
        .collect()
}
