//! From a request's body and headers to a vendor's typed event.

use std::fmt;

use secrecy::SecretString;
use serde::de::DeserializeOwned;

use super::{DEFAULT_MAX_BODY, HeaderMap, JwtVerifier, WebhookError, parse_json};

/// A vendor's event type, generated in each crate's `webhooks` module as `Event`.
pub trait VendorEvent: Sized {
    /// What the verified body (or the JWT's claims) is read as.
    type Verified: DeserializeOwned;

    /// The event a verified body announces.
    fn from_verified(verified: Self::Verified) -> Self;
}

/// An event whose name the crate does not know (the vendor added it): its name and
/// payload, kept. The fields are private, so no `match` arm can name an event by a
/// misspelt string; compare [`UnknownEvent::name`] if you must.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownEvent<P> {
    name: Option<String>,
    payload: P,
}

impl<P> UnknownEvent<P> {
    /// An unknown event named `name` (`None`: the payload names none).
    pub fn new(name: Option<String>, payload: P) -> Self {
        Self { name, payload }
    }

    /// The event's name as received.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The event's body, read as the vendor's event type.
    pub fn payload(&self) -> &P {
        &self.payload
    }

    /// The event's body, taken out.
    pub fn into_payload(self) -> P {
        self.payload
    }
}

/// A text member of a generated type, required or optional, read the same way (the
/// generated event code reads names and ids through it).
pub trait Text {
    /// The text, if the member is set.
    fn text(&self) -> Option<&str>;
}

impl Text for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl Text for Option<String> {
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }
}

enum Scheme<C> {
    Jwt(JwtVerifier<C>),
    Hmac {
        header: &'static str,
        secret: SecretString,
    },
    Unsigned,
}

/// Verifies webhooks of one vendor and reads them as its event type `E`.
///
/// Framework-neutral: give it the request's headers and raw body bytes
/// ([`Receiver::receive`]). Keep one and share it (it caches a vendor's JWKS).
pub struct Receiver<E: VendorEvent> {
    scheme: Scheme<E::Verified>,
    max_body: usize,
}

impl<E: VendorEvent> fmt::Debug for Receiver<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match &self.scheme {
            Scheme::Jwt(verifier) => format!("{verifier:?}"),
            // The secret is never shown.
            Scheme::Hmac { header, .. } => format!("HMAC-SHA256 in `{header}`"),
            Scheme::Unsigned => "unsigned".into(),
        };
        f.debug_struct("Receiver")
            .field("scheme", &scheme)
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl<E: VendorEvent> Receiver<E> {
    /// Bodies are RS256 JWTs checked by `verifier`; their claims are `E::Verified`.
    pub fn jwt(verifier: JwtVerifier<E::Verified>) -> Self {
        Self::with_scheme(Scheme::Jwt(verifier))
    }

    /// Bodies are JSON signed by the hex HMAC-SHA256 under `secret` in `header`.
    pub fn hmac_sha256_hex(header: &'static str, secret: SecretString) -> Self {
        Self::with_scheme(Scheme::Hmac { header, secret })
    }

    /// Bodies are JSON the vendor does not sign: anyone who knows the URL can post
    /// one. Keep the URL secret, and read what an event announces back from the API
    /// before acting on it.
    pub fn unsigned() -> Self {
        Self::with_scheme(Scheme::Unsigned)
    }

    fn with_scheme(scheme: Scheme<E::Verified>) -> Self {
        Self {
            scheme,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Refuses bodies larger than `bytes` (default [`DEFAULT_MAX_BODY`]).
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The largest body accepted.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// Verifies a webhook request (its headers and raw body, as received) and returns
    /// the event it announces.
    pub async fn receive(&self, headers: &HeaderMap, body: &[u8]) -> Result<E, WebhookError> {
        if body.len() > self.max_body {
            return Err(WebhookError::TooLarge {
                limit: self.max_body,
            });
        }
        let verified = match &self.scheme {
            Scheme::Jwt(verifier) => verifier.verify(body).await?,
            Scheme::Hmac { header, secret } => {
                let signature = headers
                    .get(*header)
                    .ok_or(WebhookError::MissingHeader(header))?
                    .to_str()
                    .map_err(|_| WebhookError::Malformed("the signature is not hex"))?;
                super::verify_hmac_sha256_hex(secret, body, signature)?;
                parse_json(body)?
            }
            Scheme::Unsigned => parse_json(body)?,
        };
        Ok(E::from_verified(verified))
    }
}
