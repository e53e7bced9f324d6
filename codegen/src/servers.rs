//! Server URLs with variables (`https://api.{region}.vendor.com` with `region` an
//! enum): each enum variable becomes a typed enum in the crate's `environments` module,
//! with one `Environment` per combination of values (`SERVER_EU`, ...), `server(..)`
//! picking one, and `Client::server(..)` starting a client there. Variables without an
//! enum take their default. The first server of the spec is read.

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::config::{AuthConfig, Config};
use crate::error::{Error, Result};
use crate::normalize::names::rust_name;

/// More combinations than this are refused: each is a constant.
const MAX_COMBINATIONS: usize = 64;

struct Variable {
    name: String,
    description: Option<String>,
    values: Vec<String>,
    default: String,
}

/// The items to add to `environments` and `impl Client`, if the first server has enum
/// variables; a note saying what was generated.
pub fn items(
    file: &std::path::Path,
    doc: &Value,
    config: &Config,
) -> Result<Option<(TokenStream, TokenStream, String)>> {
    let Some(server) = doc.pointer("/servers/0") else {
        return Ok(None);
    };
    let Some(url) = server.get("url").and_then(Value::as_str) else {
        return Ok(None);
    };
    let mut variables = Vec::new();
    let mut fixed = Vec::new();
    if let Some(declared) = server.get("variables").and_then(Value::as_object) {
        for (name, variable) in declared {
            let default = variable
                .get("default")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let values: Vec<String> = variable
                .get("enum")
                .and_then(Value::as_array)
                .map(|v| {
                    v.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if values.is_empty() {
                fixed.push((name.clone(), default));
            } else {
                variables.push(Variable {
                    name: name.clone(),
                    description: variable
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    values,
                    default,
                });
            }
        }
    }
    if variables.is_empty() {
        return Ok(None);
    }
    let combinations: usize = variables.iter().map(|v| v.values.len()).product();
    if combinations > MAX_COMBINATIONS {
        return Err(Error::at_pointer(
            file,
            "/servers/0/variables",
            format!(
                "{combinations} combinations of server variables (at most {MAX_COMBINATIONS}); \
                 set [api] base_url and drop the variables in overlay.yaml"
            ),
        ));
    }
    let mut base = url.to_string();
    for (name, value) in &fixed {
        base = base.replace(&format!("{{{name}}}"), value);
    }
    let token_url = match config.auth.as_ref() {
        Some(AuthConfig::Oauth2ClientCredentials { token_url, .. }) => {
            quote!(::std::option::Option::Some(#token_url))
        }
        _ => quote!(::std::option::Option::None),
    };

    let mut env_items = Vec::new();
    let mut types = Vec::new();
    let mut args = Vec::new();
    for variable in &variables {
        let ty = format_ident!("{}", rust_name(&variable.name, true));
        let variants: Vec<syn::Ident> = variable
            .values
            .iter()
            .map(|v| format_ident!("{}", rust_name(v, true)))
            .collect();
        let values = &variable.values;
        let default = variants
            .iter()
            .zip(values)
            .find(|(_, v)| **v == variable.default)
            .map(|(ident, _)| ident.clone())
            .unwrap_or_else(|| variants[0].clone());
        let doc = format!(
            "The `{}` of the server URL `{url}`.{}",
            variable.name,
            variable
                .description
                .as_ref()
                .map(|d| format!("\n\n{d}"))
                .unwrap_or_default()
        );
        let value_docs = values.iter().map(|v| format!("`{v}`"));
        env_items.push(quote! {
            #[doc = #doc]
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub enum #ty {
                #(
                    #[doc = #value_docs]
                    #variants,
                )*
            }
            impl #ty {
                /// Every value the spec lists.
                pub const ALL: &[Self] = &[#(Self::#variants),*];
                /// The value as it goes into the URL.
                pub fn as_str(self) -> &'static str {
                    match self {
                        #(Self::#variants => #values,)*
                    }
                }
            }
            impl ::std::fmt::Display for #ty {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        });
        types.push((ty, variants, values.clone(), default));
        args.push(format_ident!("{}", variable.name.to_snake_case()));
    }
    // Every combination: a constant, and an arm of `server`.
    let mut combos: Vec<Vec<usize>> = vec![Vec::new()];
    for (_, _, values, _) in &types {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                (0..values.len()).map(move |i| {
                    let mut next = c.clone();
                    next.push(i);
                    next
                })
            })
            .collect();
    }
    let mut consts = Vec::new();
    let mut arms = Vec::new();
    for combo in &combos {
        let mut url = base.clone();
        let mut names = Vec::new();
        let mut pattern = Vec::new();
        for ((ty, variants, values, _), (&i, variable)) in
            types.iter().zip(combo.iter().zip(&variables))
        {
            url = url.replace(&format!("{{{}}}", variable.name), &values[i]);
            names.push(values[i].clone());
            let variant = &variants[i];
            pattern.push(quote!(#ty::#variant));
        }
        let name = names.join("-");
        let ident = format_ident!("SERVER_{}", name.to_shouty_snake_case());
        let doc = format!("The server `{url}`.");
        consts.push(quote! {
            #[doc = #doc]
            pub const #ident: ::idverify_runtime::Environment = ::idverify_runtime::Environment {
                name: #name,
                base_url: #url,
                token_url: #token_url,
            };
        });
        let pattern = if pattern.len() == 1 {
            pattern.remove(0)
        } else {
            quote!((#(#pattern),*))
        };
        arms.push(quote!(#pattern => #ident));
    }
    let params: Vec<TokenStream> = types
        .iter()
        .zip(&args)
        .map(|((ty, ..), arg)| quote!(#arg: environments::#ty))
        .collect();
    let env_params: Vec<TokenStream> = types
        .iter()
        .zip(&args)
        .map(|((ty, ..), arg)| quote!(#arg: #ty))
        .collect();
    let scrutinee = if args.len() == 1 {
        let arg = &args[0];
        quote!(#arg)
    } else {
        quote!((#(#args),*))
    };
    let doc = format!("The server `{url}` with these values.");
    let consts_list: Vec<syn::Ident> = combos
        .iter()
        .map(|combo| {
            let name: Vec<&str> = combo
                .iter()
                .zip(&types)
                .map(|(&i, (_, _, values, _))| values[i].as_str())
                .collect();
            format_ident!("SERVER_{}", name.join("-").to_shouty_snake_case())
        })
        .collect();
    env_items.push(quote! {
        #(#consts)*

        /// Every server the spec's variables allow.
        pub const SERVERS: &[::idverify_runtime::Environment] = &[#(#consts_list),*];

        #[doc = #doc]
        pub fn server(#(#env_params),*) -> ::idverify_runtime::Environment {
            match #scrutinee {
                #(#arms,)*
            }
        }
    });
    let client_doc = format!(
        "Starts a client for the server `{url}` with these values (see [`environments::server`])."
    );
    let client_items = quote! {
        #[doc = #client_doc]
        pub fn server(#(#params),*) -> ::idverify_runtime::ClientBuilder<Self> {
            ::idverify_runtime::ClientBuilder::new().environment(environments::server(#(#args),*))
        }
    };
    // `#[derive(Default)]` on an enum needs `#[default]` on one variant.
    let mut env = quote!(#(#env_items)*);
    for (ty, _, _, default) in &types {
        env = mark_default(env, ty, default);
    }
    let note = format!(
        "/servers/0: variables {} of `{url}` generated as typed `environments::server(..)` ({} server(s))",
        variables
            .iter()
            .map(|v| format!("`{}`", v.name))
            .collect::<Vec<_>>()
            .join(", "),
        combos.len()
    );
    Ok(Some((env, client_items, note)))
}

/// Puts `#[default]` on `variant` of `enum ty` in `tokens`.
fn mark_default(tokens: TokenStream, ty: &syn::Ident, variant: &syn::Ident) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(tokens.clone()) else {
        return tokens;
    };
    for item in file.items.iter_mut() {
        if let syn::Item::Enum(e) = item
            && e.ident == *ty
        {
            for v in e.variants.iter_mut() {
                if v.ident == *variant {
                    v.attrs.push(syn::parse_quote!(#[default]));
                }
            }
        }
    }
    quote!(#file)
}

/// Adds the items to the generated file: into `mod environments` and `impl Client`.
pub fn apply(file: &mut syn::File, env: TokenStream, client: TokenStream) {
    let env_items = syn::parse2::<syn::File>(env)
        .map(|f| f.items)
        .unwrap_or_default();
    let client_items: Vec<syn::ImplItem> =
        syn::parse2::<syn::ItemImpl>(quote!(impl Client { #client }))
            .map(|i| i.items)
            .unwrap_or_default();
    if let Some(items) = crate::rewrite::module_items(file, "environments") {
        items.extend(env_items);
    }
    for item in file.items.iter_mut() {
        if let syn::Item::Impl(imp) = item
            && imp.trait_.is_none()
            && quote!(#imp).to_string().contains("fn builder ()")
            && let syn::Type::Path(p) = imp.self_ty.as_ref()
            && p.path.is_ident("Client")
        {
            imp.items.extend(client_items);
            break;
        }
    }
}
