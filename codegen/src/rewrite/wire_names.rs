//! Enum values and properties whose Rust names collided were generated from stand-ins
//! (see [`crate::normalize::names`]): every string literal that is a stand-in becomes
//! the wire name again (serde renames, `Display`, `FromStr`, messages), and doc comments
//! quoting it quote the wire name. A stand-in is a spelling found nowhere in the spec,
//! so no other literal is touched.

use std::collections::BTreeMap;

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
            syn::visit_mut::visit_attribute_mut(self, attr);
        }
    }
    Pass(wire).visit_file_mut(file);
}
