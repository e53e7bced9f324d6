//! `multipart/form-data` bodies (recorded by [`crate::normalize::multipart`], taken out
//! of the spec progenitor saw): each becomes a form type in `types::forms` (re-exported
//! from `types`) with one method per property (file parts take an
//! `idverify_runtime::multipart::FilePart`; text parts take what the typed builder of
//! the form's `<Operation>FormFields` schema takes), and the operation's builder gets
//! `body(form)` / `body_map(|form| ...)`. `send()` turns the form into parts, in the
//! spec's order, and builds the request with `idverify_runtime::multipart::request`,
//! which keeps it replayable when every file is in memory.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{module_items, operation_id_of, remove_derive, submodule_items};
use crate::normalize::names::rust_name;
use crate::normalize::{MultipartForm, PartKind};

/// Text every rewritten `send` contains once, for the post-condition.
pub const MARKER: &str = ":: idverify_runtime :: multipart :: request (";

pub fn multipart(file: &mut syn::File, forms: &BTreeMap<String, MultipartForm>) {
    if forms.is_empty() {
        return;
    }
    let mut form_items = Vec::new();
    if let Some(types) = module_items(file, "types") {
        let builders: Vec<syn::Item> = submodule_items(types, "builder")
            .map(|items| items.clone())
            .unwrap_or_default();
        for form in forms.values() {
            form_items.push(form_type(form, &builders));
        }
        types.push(syn::parse_quote! {
            /// The `multipart/form-data` request bodies, one form per operation.
            pub mod forms {
                #(#form_items)*
            }
        });
        types.push(syn::parse_quote!(
            pub use self::forms::*;
        ));
    }
    let Some(builder) = module_items(file, "builder") else {
        return;
    };
    let by_struct: BTreeMap<String, (&String, &MultipartForm)> = forms
        .iter()
        .map(|(id, form)| (rust_name(id, true), (id, form)))
        .collect();
    for item in builder.iter_mut() {
        match item {
            syn::Item::Struct(s) => {
                if let Some((_, form)) = by_struct.get(&s.ident.to_string())
                    && let syn::Fields::Named(fields) = &mut s.fields
                {
                    let ty = format_ident!("{}", form.type_name);
                    // A streamed file part cannot be cloned, nor can a builder holding it.
                    remove_derive(&mut s.attrs, "Clone");
                    fields
                        .named
                        .push(syn::parse_quote!(body: super::types::forms::#ty));
                }
            }
            syn::Item::Impl(imp) => {
                let syn::Type::Path(path) = imp.self_ty.as_ref() else {
                    continue;
                };
                let Some(name) = path.path.segments.last().map(|s| s.ident.to_string()) else {
                    continue;
                };
                let Some((id, form)) = by_struct.get(&name) else {
                    continue;
                };
                rewrite_builder(imp, id, form);
            }
            _ => {}
        }
    }
}

fn rewrite_builder(imp: &mut syn::ItemImpl, id: &str, form: &MultipartForm) {
    let ty = format_ident!("{}", form.type_name);
    for impl_item in imp.items.iter_mut() {
        let syn::ImplItem::Fn(f) = impl_item else {
            continue;
        };
        if f.sig.ident == "new" {
            struct AddBody;
            impl syn::visit_mut::VisitMut for AddBody {
                fn visit_expr_struct_mut(&mut self, s: &mut syn::ExprStruct) {
                    if s.path.is_ident("Self") {
                        s.fields
                            .push(syn::parse_quote!(body: ::std::default::Default::default()));
                    }
                }
            }
            syn::visit_mut::VisitMut::visit_block_mut(&mut AddBody, &mut f.block);
        }
        // `OperationInfo` names the operation as progenitor does: in snake case.
        if f.sig.ident == "send"
            && let Some(operation) = operation_id_of(f)
            && operation == rust_name(id, false)
        {
            rewrite_send(&mut f.block, &operation);
        }
    }
    let doc = format!(
        "The `multipart/form-data` body: see [`{0}`](super::types::{0}).",
        form.type_name
    );
    imp.items.push(syn::parse_quote! {
        #[doc = #doc]
        pub fn body(mut self, value: super::types::forms::#ty) -> Self {
            self.body = value;
            self
        }
    });
    imp.items.push(syn::parse_quote! {
        /// Fills in the form body part by part: `.body_map(|form| form.name(value))`.
        pub fn body_map(
            mut self,
            f: impl ::std::ops::FnOnce(super::types::forms::#ty) -> super::types::forms::#ty,
        ) -> Self {
            self.body = f(self.body);
            self
        }
    });
}

/// In `send`: `body` joins the destructuring, becomes the form's parts, and the request
/// is built with them.
fn rewrite_send(block: &mut syn::Block, id: &str) {
    let mut insert_at = None;
    for (i, stmt) in block.stmts.iter_mut().enumerate() {
        let syn::Stmt::Local(local) = stmt else {
            continue;
        };
        if let syn::Pat::Struct(pattern) = &mut local.pat
            && pattern.path.is_ident("Self")
        {
            let binding: syn::Pat = syn::parse_quote!(body);
            pattern.fields.push(syn::FieldPat {
                attrs: Vec::new(),
                member: syn::Member::Named(format_ident!("body")),
                colon_token: None,
                pat: Box::new(binding),
            });
            insert_at = Some(i + 1);
            continue;
        }
        let Some(init) = &mut local.init else {
            continue;
        };
        if let syn::Expr::Try(attempt) = init.expr.as_mut()
            && let syn::Expr::MethodCall(call) = attempt.expr.as_mut()
            && call.method == "build"
        {
            let receiver = &call.receiver;
            *init.expr = syn::parse_quote!(
                ::idverify_runtime::multipart::request(#receiver, body, #id).await?
            );
        }
    }
    if let Some(at) = insert_at {
        block.stmts.insert(
            at,
            syn::parse_quote!(
                let body = body.into_form().map_err(Error::InvalidRequest)?;
            ),
        );
    }
}

/// The form type of one operation.
fn form_type(form: &MultipartForm, builders: &[syn::Item]) -> TokenStream {
    let ty = format_ident!("{}", form.type_name);
    // The typed builder of the text parts, and its setters.
    let fields = form
        .fields_schema
        .as_ref()
        .map(|schema| format_ident!("{}", rust_name(schema, true)));
    let setters: Vec<syn::ImplItemFn> = fields
        .as_ref()
        .map(|fields| builder_setters(builders, &fields.to_string()))
        .unwrap_or_default();
    let setter_names: Vec<String> = setters.iter().map(|f| f.sig.ident.to_string()).collect();

    let mut members = Vec::new();
    let mut methods = Vec::new();
    let mut steps = Vec::new();
    for (i, part) in form.parts.iter().enumerate() {
        let wire = &part.name;
        match &part.kind {
            PartKind::File {
                repeated,
                content_type,
            } => {
                let member = format_ident!("file_{i}");
                let mut method = rust_name(wire, false);
                while setter_names.contains(&method)
                    || ["new", "into_form"].contains(&method.as_str())
                {
                    method.push_str("_file");
                }
                let method = syn::Ident::new(&method, proc_macro2::Span::call_site());
                let default_type = match content_type {
                    Some(c) => quote!(::std::option::Option::Some(#c)),
                    None => quote!(::std::option::Option::None),
                };
                let mut doc = if *repeated {
                    format!("Adds a file to the `{wire}` parts (one part per call).")
                } else {
                    format!("The `{wire}` file part.")
                };
                if part.required {
                    doc.push_str(" Required.");
                }
                if let Some(content_type) = content_type {
                    doc.push_str(&format!(
                        " Sent as `{content_type}` unless the part says otherwise."
                    ));
                }
                if let Some(description) = &part.description {
                    doc.push_str("\n\n");
                    doc.push_str(description);
                }
                let missing = format!("no file supplied for the required part `{wire}`");
                if *repeated {
                    members.push(
                        quote!(#member: ::std::vec::Vec<::idverify_runtime::multipart::FilePart>),
                    );
                    methods.push(quote! {
                        #[doc = #doc]
                        pub fn #method(mut self, value: impl ::std::convert::Into<::idverify_runtime::multipart::FilePart>) -> Self {
                            self.#member.push(value.into());
                            self
                        }
                    });
                    if part.required {
                        steps.push(quote! {
                            if self.#member.is_empty() {
                                return ::std::result::Result::Err(#missing.to_string());
                            }
                        });
                    }
                    steps.push(quote! {
                        for part in self.#member {
                            form = form.file(#wire, part, #default_type)?;
                        }
                    });
                } else {
                    members.push(quote!(#member: ::std::option::Option<::idverify_runtime::multipart::FilePart>));
                    methods.push(quote! {
                        #[doc = #doc]
                        pub fn #method(mut self, value: impl ::std::convert::Into<::idverify_runtime::multipart::FilePart>) -> Self {
                            self.#member = ::std::option::Option::Some(value.into());
                            self
                        }
                    });
                    if part.required {
                        steps.push(quote! {
                            let part = self.#member.ok_or_else(|| #missing.to_string())?;
                            form = form.file(#wire, part, #default_type)?;
                        });
                    } else {
                        steps.push(quote! {
                            if let ::std::option::Option::Some(part) = self.#member {
                                form = form.file(#wire, part, #default_type)?;
                            }
                        });
                    }
                }
            }
            PartKind::Text { json } => {
                let encoding = if *json {
                    quote!(::idverify_runtime::multipart::Encoding::Json)
                } else {
                    quote!(::idverify_runtime::multipart::Encoding::Text)
                };
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = fields.remove(#wire) {
                        form = form.field(#wire, &value, #encoding);
                    }
                });
            }
        }
    }
    let (fields_member, fields_read, rest) = match &fields {
        Some(fields) => (
            quote!(fields: super::builder::#fields,),
            quote! {
                let fields: super::#fields = ::std::convert::TryInto::try_into(self.fields)
                    .map_err(|e: super::error::ConversionError| e.to_string())?;
                let mut fields = match ::serde_json::to_value(&fields) {
                    ::std::result::Result::Ok(::serde_json::Value::Object(members)) => members,
                    ::std::result::Result::Ok(_) => ::std::default::Default::default(),
                    ::std::result::Result::Err(e) => return ::std::result::Result::Err(e.to_string()),
                };
            },
            quote! {
                // Additional properties, as text.
                for (name, value) in fields {
                    form = form.field(&name, &value, ::idverify_runtime::multipart::Encoding::Text);
                }
            },
        ),
        None => (quote!(), quote!(), quote!()),
    };
    let delegates = setters.iter().map(|setter| {
        let sig = &setter.sig;
        let name = &sig.ident;
        let attrs = setter.attrs.iter().filter(|a| a.path().is_ident("doc"));
        let doc = format!("The text part of the form's `{name}` field.");
        quote! {
            #[doc = #doc]
            #(#attrs)*
            pub #sig {
                self.fields = self.fields.#name(value);
                self
            }
        }
    });
    let doc = format!(
        "A `multipart/form-data` body, part by part (parts: {}).",
        form.parts
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Default)]
        pub struct #ty {
            #(#members,)*
            #fields_member
        }

        impl #ty {
            pub fn new() -> Self {
                ::std::default::Default::default()
            }

            #(#methods)*

            #(#delegates)*

            /// The parts to send, in the spec's order; an error names a required part
            /// that is missing or a value that is not valid.
            pub fn into_form(self) -> ::std::result::Result<::idverify_runtime::multipart::Form, ::std::string::String> {
                #fields_read
                let mut form = ::idverify_runtime::multipart::Form::new();
                #(#steps)*
                #rest
                ::std::result::Result::Ok(form)
            }
        }
    }
}

/// The setters (`fn name<T>(mut self, value: T) -> Self`) of `builder::<name>`.
fn builder_setters(builders: &[syn::Item], name: &str) -> Vec<syn::ImplItemFn> {
    let mut out = Vec::new();
    for item in builders {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(path) = imp.self_ty.as_ref() else {
            continue;
        };
        if !path.path.is_ident(name) {
            continue;
        }
        for impl_item in &imp.items {
            if let syn::ImplItem::Fn(f) = impl_item
                && f.sig.inputs.len() == 2
                && f.sig.generics.params.len() == 1
            {
                out.push(f.clone());
            }
        }
    }
    out
}
