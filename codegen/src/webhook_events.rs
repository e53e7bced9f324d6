//! Part of pass `emit`: a crate's typed webhook events, from `[webhooks.events]` of
//! `codegen.toml` — the `webhooks::Event` enum (one variant per known event name,
//! `Other` for the rest), the `Receiver` that verifies a request in the vendor's
//! scheme and yields an `Event`, and the `test_util` module (feature `test-util`)
//! that signs requests in that scheme. The generic parts are
//! `idverify_runtime::webhooks`'.
//!
//! [`check`] tests every schema and field named against the generated types, so a
//! configuration that no longer fits its spec fails generation naming its key.

use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::config::{EventsConfig, WebhooksConfig};
use crate::error::{Error, Result};

/// The items added to the `webhooks` module; empty without `[webhooks.events]`.
pub fn items(webhooks: &WebhooksConfig) -> TokenStream {
    let (Some(events), Some(verified)) = (webhooks.events(), webhooks.verified()) else {
        return TokenStream::new();
    };
    let event = event_enum(events, verified);
    let receivers = receivers(webhooks);
    let test_util = test_util(webhooks, verified);
    quote! {
        pub use ::idverify_runtime::webhooks::{HeaderMap, SeenEvents, UnknownEvent};
        #event
        #receivers
        #test_util
    }
}

fn event_enum(events: &EventsConfig, verified: &str) -> TokenStream {
    let verified_ident = format_ident!("{}", verified);
    let payload = format_ident!("{}", events.event_type(verified));
    let name_field = format_ident!("{}", events.name);
    let names: Vec<&String> = events.names.keys().collect();
    let variants: Vec<syn::Ident> = events
        .names
        .values()
        .map(|v| format_ident!("{}", v.variant()))
        .collect();
    let docs = events.names.iter().map(|(name, v)| match v.doc() {
        Some(doc) => format!("`{name}`: {doc}"),
        None => format!("`{name}`."),
    });
    let at = match &events.at {
        Some(field) => {
            let field = format_ident!("{}", field);
            quote!(verified.#field)
        }
        None => quote!(verified),
    };
    let enum_doc = format!(
        "A verified webhook's event, by its `{}` ([`{payload}`](super::types::{payload}) in every variant). Names this crate does not know are [`Event::Other`], kept with the name.",
        events.name
    );
    let id = (!events.id.is_empty()).then(|| {
        let fields = events.id.iter().map(|f| format_ident!("{}", f));
        let doc = format!(
            "The event's identity, the same on every delivery of it (`{}`): what [`SeenEvents::first_time`] takes. `None` if the body lacks a part of it.",
            events.id.join("`, `")
        );
        quote! {
            #[doc = #doc]
            pub fn id(&self) -> ::std::option::Option<::std::string::String> {
                let payload = self.payload();
                let parts: ::std::option::Option<::std::vec::Vec<&str>> = [
                    #(::idverify_runtime::webhooks::Text::text(&payload.#fields)),*
                ]
                .into_iter()
                .collect();
                parts.map(|parts| parts.join(":"))
            }
        }
    });
    quote! {
        #[doc = #enum_doc]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(
                #[doc = #docs]
                #variants(super::types::#payload),
            )*
            /// An event this crate does not know (the vendor added it): its name and payload.
            Other(UnknownEvent<super::types::#payload>),
        }

        impl Event {
            /// The event's name as received (`None`: the body names none).
            pub fn name(&self) -> ::std::option::Option<&str> {
                ::idverify_runtime::webhooks::Text::text(&self.payload().#name_field)
            }

            /// What the event carries, whichever it is.
            pub fn payload(&self) -> &super::types::#payload {
                match self {
                    #(Self::#variants(payload) => payload,)*
                    Self::Other(other) => other.payload(),
                }
            }

            pub fn into_payload(self) -> super::types::#payload {
                match self {
                    #(Self::#variants(payload) => payload,)*
                    Self::Other(other) => other.into_payload(),
                }
            }

            #id
        }

        impl ::idverify_runtime::webhooks::VendorEvent for Event {
            type Verified = super::types::#verified_ident;

            fn from_verified(verified: Self::Verified) -> Self {
                let payload = #at;
                match ::idverify_runtime::webhooks::Text::text(&payload.#name_field) {
                    #(::std::option::Option::Some(#names) => Self::#variants(payload),)*
                    name => {
                        let name = name.map(::std::string::ToString::to_string);
                        Self::Other(UnknownEvent::new(name, payload))
                    }
                }
            }
        }
    }
}

fn receivers(webhooks: &WebhooksConfig) -> TokenStream {
    let alias = quote! {
        /// Verifies webhook requests (headers and raw body) and reads their [`Event`]; see
        /// [`Receiver::receive`](::idverify_runtime::webhooks::Receiver::receive).
        pub type Receiver = ::idverify_runtime::webhooks::Receiver<Event>;
    };
    let constructors = match webhooks {
        WebhooksConfig::JwtRs256 { environments, .. } => {
            let per_environment = environments.keys().map(|env| {
                let function = format_ident!("{}_receiver", env);
                let verifier = format_ident!("{}_verifier", env);
                let doc = format!(
                    "A receiver of `{env}` environment webhooks sent for `audience` (see [`{verifier}`])."
                );
                quote! {
                    #[doc = #doc]
                    pub fn #function(audience: impl Into<String>) -> Receiver {
                        Receiver::jwt(#verifier(audience))
                    }
                }
            });
            quote! {
                /// A receiver of production webhooks sent for `audience` (see [`verifier`]);
                /// [`Receiver::jwt`](::idverify_runtime::webhooks::Receiver::jwt) takes a verifier of your own.
                pub fn receiver(audience: impl Into<String>) -> Receiver {
                    Receiver::jwt(verifier(audience))
                }
                #(#per_environment)*
            }
        }
        WebhooksConfig::HmacSha256Hex { .. } => quote! {
            /// A receiver of webhooks signed with `secret` (the webhook's secret) in
            /// [`SIGNATURE_HEADER`]; a request without it is refused.
            pub fn receiver(secret: ::idverify_runtime::SecretString) -> Receiver {
                Receiver::hmac_sha256_hex(SIGNATURE_HEADER, secret)
            }
        },
        WebhooksConfig::Unsigned { .. } => quote! {
            /// A receiver of the vendor's webhooks. The vendor documents no signature:
            /// anyone who knows the URL can post one, so keep it secret and read what an
            /// event announces back from the API before acting on it.
            pub fn receiver() -> Receiver {
                Receiver::unsigned()
            }
        },
    };
    quote!(#alias #constructors)
}

fn test_util(webhooks: &WebhooksConfig, verified: &str) -> TokenStream {
    let verified = format_ident!("{}", verified);
    let items = match webhooks {
        WebhooksConfig::JwtRs256 { .. } => quote! {
            pub use ::idverify_runtime::webhooks::test_util::{JwtSigner, unix_now};

            /// A production receiver for `audience` that trusts `signer`'s key (and
            /// fetches no JWKS).
            pub fn receiver(signer: &JwtSigner, audience: impl Into<String>) -> super::Receiver {
                super::Receiver::jwt(
                    super::Verifier::new(super::JWKS_URL, super::ISSUER, audience)
                        .with_keys(signer.jwks()),
                )
            }

            /// `claims` signed by `signer`, as the vendor sends them (set `iss` to
            /// [`ISSUER`](super::ISSUER), `aud`, and `exp` after [`unix_now`]).
            pub fn request(signer: &JwtSigner, claims: &super::super::types::#verified) -> TestRequest {
                signer.request(claims)
            }
        },
        WebhooksConfig::HmacSha256Hex { .. } => quote! {
            /// `body` signed with `secret`, as the vendor sends it.
            pub fn request(secret: &str, body: &super::super::types::#verified) -> TestRequest {
                ::idverify_runtime::webhooks::test_util::hmac_request(super::SIGNATURE_HEADER, secret, body)
            }
        },
        WebhooksConfig::Unsigned { .. } => quote! {
            /// `body` as the vendor sends it.
            pub fn request(body: &super::super::types::#verified) -> TestRequest {
                ::idverify_runtime::webhooks::test_util::json_request(body)
            }
        },
    };
    quote! {
        /// Webhook requests as the vendor makes them, to test a receiver without the
        /// vendor (feature `test-util`).
        #[cfg(feature = "test-util")]
        pub mod test_util {
            pub use ::idverify_runtime::webhooks::test_util::TestRequest;
            #items
        }
    }
}

/// Whether the schemas and fields `[webhooks.events]` names are in the generated types.
pub fn check(file: &syn::File, webhooks: &WebhooksConfig, config: &Path) -> Result<()> {
    let (Some(events), Some(verified)) = (webhooks.events(), webhooks.verified()) else {
        return Ok(());
    };
    let fail = |message: String| Err(Error::new(config, message));
    let Some(verified_fields) = fields(file, verified) else {
        return fail(format!(
            "webhooks: `{verified}` is not a struct of the generated types"
        ));
    };
    let event_type = events.event_type(verified);
    if let Some(at) = &events.at
        && !verified_fields.contains(at)
    {
        return fail(format!(
            "webhooks.events.at: `{verified}` has no field `{at}`"
        ));
    }
    let Some(event_fields) = fields(file, event_type) else {
        return fail(format!(
            "webhooks.events.type: `{event_type}` is not a struct of the generated types"
        ));
    };
    for (key, field) in [("name", &events.name)]
        .into_iter()
        .chain(events.id.iter().map(|f| ("id", f)))
    {
        if !event_fields.contains(field) {
            return fail(format!(
                "webhooks.events.{key}: `{event_type}` has no field `{field}`"
            ));
        }
    }
    Ok(())
}

/// The field names of `struct name` in the generated `types` module.
fn fields(file: &syn::File, name: &str) -> Option<Vec<String>> {
    let types = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })?;
    types.iter().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == name => Some(
            s.fields
                .iter()
                .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
                .collect(),
        ),
        _ => None,
    })
}
