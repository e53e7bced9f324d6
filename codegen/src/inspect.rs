//! Reading the generated client back: the structs of `types` and their fields by wire
//! name, the operation builders of `builder` and the types their `send()` returns. The
//! passes that add code from `codegen.toml` data (waiters, paginators) use it to check
//! every name they were given and to write the right types.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The items of module `name` at the top of `file`.
pub fn module<'a>(file: &'a syn::File, name: &str) -> Option<&'a [syn::Item]> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, i)| i.as_slice()),
        _ => None,
    })
}

/// `struct name` of the generated `types` module.
pub fn type_struct<'a>(file: &'a syn::File, name: &str) -> Option<&'a syn::ItemStruct> {
    module(file, "types")?.iter().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    })
}

/// The wire name of a field: its `#[serde(rename = "..")]`, else its identifier.
pub fn wire_name(field: &syn::Field) -> Option<String> {
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut rename = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                rename = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if rename.is_some() {
            return rename;
        }
    }
    field.ident.as_ref().map(|i| i.to_string())
}

/// The field of `item` sent as `wire` on the wire.
pub fn field_by_wire<'a>(item: &'a syn::ItemStruct, wire: &str) -> Option<&'a syn::Field> {
    let syn::Fields::Named(named) = &item.fields else {
        return None;
    };
    named
        .named
        .iter()
        .find(|f| wire_name(f).as_deref() == Some(wire))
}

/// The last segment of a type path and its generic arguments.
fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

/// The first generic type argument of `ty` if its last segment is `wrapper`.
pub fn unwrap_generic<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<&'a syn::Type> {
    let segment = last_segment(ty)?;
    if segment.ident != wrapper {
        return None;
    }
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// The name a type path ends with (`types::Session` → `Session`).
pub fn type_name(ty: &syn::Type) -> Option<String> {
    last_segment(ty).map(|s| s.ident.to_string())
}

/// How to reach a member from a value of a generated type.
pub struct Access {
    /// An expression of type `&leaf`, inside a function returning `Option<_>` (it uses
    /// `?` on optional members), starting from the variable `root`.
    pub expr: TokenStream,
    /// The member's type, without `Option`.
    pub leaf: syn::Type,
}

/// The expression reaching `path` (wire names, `.`-separated) from `root` of generated
/// type `root_type`; an error names the first segment that does not resolve.
pub fn access(
    file: &syn::File,
    root_type: &str,
    root: &syn::Ident,
    path: &str,
) -> Result<Access, String> {
    let mut expr = quote!(#root);
    let mut is_reference = false;
    let mut current = root_type.to_string();
    let mut leaf = None;
    for segment in path.split('.') {
        let item = type_struct(file, &current)
            .ok_or_else(|| format!("`{current}` is not a struct of the generated types"))?;
        let field = field_by_wire(item, segment)
            .ok_or_else(|| format!("`{current}` has no member `{segment}`"))?;
        let ident = field.ident.as_ref().expect("named field");
        let (inner, optional) = match unwrap_generic(&field.ty, "Option") {
            Some(inner) => (inner.clone(), true),
            None => (field.ty.clone(), false),
        };
        if optional {
            expr = quote!(#expr.#ident.as_ref()?);
            is_reference = true;
        } else {
            expr = quote!(#expr.#ident);
            is_reference = false;
        }
        current = type_name(&inner).unwrap_or_default();
        leaf = Some(inner);
    }
    if !is_reference {
        expr = quote!(&#expr);
    }
    Ok(Access {
        expr,
        leaf: leaf.ok_or_else(|| "the path is empty".to_string())?,
    })
}

/// An operation's builder, read from the generated `builder` module.
pub struct Builder<'a> {
    pub ident: syn::Ident,
    /// The client method that makes it (`get_session`).
    pub method: syn::Ident,
    pub item: &'a syn::ItemStruct,
    /// `T` of `send()`'s `ResponseValue<T>`.
    pub success: syn::Type,
    /// `E` of `send()`'s `idverify_runtime::Error<E>`.
    pub error: syn::Type,
}

impl Builder<'_> {
    /// The type a setter takes for builder field `name` (`T` of `Result<Option<T>,
    /// String>` or of `Result<T, String>`).
    pub fn field_type(&self, name: &str) -> Option<syn::Type> {
        let syn::Fields::Named(named) = &self.item.fields else {
            return None;
        };
        let field = named
            .named
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == name))?;
        let inner = unwrap_generic(&field.ty, "Result")?;
        Some(unwrap_generic(inner, "Option").unwrap_or(inner).clone())
    }
}

/// The builder of operation `operation_id`.
pub fn builder<'a>(file: &'a syn::File, operation_id: &str) -> Option<Builder<'a>> {
    let items = module(file, "builder")?;
    let ident = format_ident!("{}", operation_id.to_upper_camel_case());
    let item = items.iter().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == ident => Some(s),
        _ => None,
    })?;
    let send = items.iter().find_map(|item| match item {
        syn::Item::Impl(i) if type_name(&i.self_ty).is_some_and(|n| ident == n) => {
            i.items.iter().find_map(|f| match f {
                syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
                _ => None,
            })
        }
        _ => None,
    })?;
    let syn::ReturnType::Type(_, output) = &send.sig.output else {
        return None;
    };
    let response = unwrap_generic(output, "Result")?;
    let success = unwrap_generic(response, "ResponseValue")?.clone();
    let error = match last_segment(output).map(|s| &s.arguments) {
        Some(syn::PathArguments::AngleBracketed(args)) => args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .nth(1)
            .and_then(|t| unwrap_generic(t, "Error"))?
            .clone(),
        _ => return None,
    };
    Some(Builder {
        method: format_ident!("{}", operation_id.to_snake_case()),
        ident,
        item,
        success,
        error,
    })
}

/// The wire values of generated string enum `name` (from its `as_str`), if it is one.
pub fn enum_values(file: &syn::File, name: &str) -> Option<Vec<String>> {
    let items = module(file, "types")?;
    let as_str = items.iter().find_map(|item| match item {
        syn::Item::Impl(i)
            if i.trait_.is_none() && type_name(&i.self_ty).is_some_and(|n| n == name) =>
        {
            i.items.iter().find_map(|f| match f {
                syn::ImplItem::Fn(f) if f.sig.ident == "as_str" => Some(f),
                _ => None,
            })
        }
        _ => None,
    })?;
    let mut values = Vec::new();
    collect_str_literals(&quote!(#as_str), &mut values);
    Some(values)
}

fn collect_str_literals(tokens: &TokenStream, out: &mut Vec<String>) {
    for tree in tokens.clone() {
        match tree {
            proc_macro2::TokenTree::Literal(lit) => {
                if let Ok(syn::Lit::Str(s)) = syn::parse_str::<syn::Lit>(&lit.to_string()) {
                    out.push(s.value());
                }
            }
            proc_macro2::TokenTree::Group(group) => collect_str_literals(&group.stream(), out),
            _ => {}
        }
    }
}

/// `ty`, as written inside the `types` module, made usable outside it: a one-segment
/// path naming a generated type becomes `types::Name` (also inside generic arguments).
pub fn qualify(file: &syn::File, ty: &syn::Type) -> syn::Type {
    struct Qualify<'a>(&'a [syn::Item]);
    impl syn::visit_mut::VisitMut for Qualify<'_> {
        fn visit_type_path_mut(&mut self, path: &mut syn::TypePath) {
            syn::visit_mut::visit_type_path_mut(self, path);
            if path.qself.is_none()
                && path.path.leading_colon.is_none()
                && path.path.segments.len() == 1
            {
                let name = &path.path.segments[0].ident;
                let generated = self.0.iter().any(|item| match item {
                    syn::Item::Struct(s) => &s.ident == name,
                    syn::Item::Enum(e) => &e.ident == name,
                    syn::Item::Type(t) => &t.ident == name,
                    _ => false,
                });
                if generated {
                    path.path.segments.insert(0, format_ident!("types").into());
                }
            }
        }
    }
    let mut out = ty.clone();
    if let Some(items) = module(file, "types") {
        syn::visit_mut::VisitMut::visit_type_mut(&mut Qualify(items), &mut out);
    }
    out
}
