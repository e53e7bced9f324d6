//! Receiving vendors' webhooks (feature `webhooks`): verify, then read a typed event.
//!
//! Three schemes are in use:
//! - a JWT signed with RS256 whose key is published in a JWKS ([`JwtVerifier`]): the
//!   key is picked by `kid`; `alg` must be RS256 (`none` and HMAC algorithms are
//!   refused before any key is looked at); `iss`, `aud`, `exp`, `nbf` and `iat` are
//!   checked; an unknown `kid` refetches the JWKS (the vendor rotated its key), at most
//!   once per [`JWKS_REFRESH_INTERVAL`] whether the last fetch succeeded or failed;
//! - a hex HMAC-SHA256 of the raw body in a header ([`verify_hmac_sha256_hex`]), strict
//!   hex, compared in constant time;
//! - none at all (the vendor documents no signature): the body is only read.
//!
//! A generated crate's `webhooks` module names its vendor's events (`webhooks::Event`,
//! an enum to match on) and builds a [`Receiver`] for them: raw body bytes and headers
//! in, the verified, typed event out, whatever the web framework. Bodies over
//! [`Receiver::max_body`] are refused unread. Feature `axum` adds an extractor
//! ([`axum::Webhook`]); [`SeenEvents`] drops the repeats of at-least-once delivery;
//! feature `test-util` signs payloads in each scheme ([`test_util`]).
//!
//! JWT handling is the `jsonwebtoken` crate's; HMAC is `hmac`/`sha2`. Errors say what
//! failed, never the token, the body or the secret.

#[cfg(feature = "axum")]
pub mod axum;
mod hmac;
mod jwt;
mod receiver;
mod seen;
#[cfg(feature = "test-util")]
pub mod test_util;

use std::time::Duration;

pub use http::HeaderMap;
pub use jsonwebtoken::jwk::JwkSet;

pub use self::hmac::verify_hmac_sha256_hex;
pub use self::jwt::JwtVerifier;
pub use self::receiver::{Receiver, Text, UnknownEvent, VendorEvent};
pub use self::seen::SeenEvents;

/// The shortest time between two JWKS fetches caused by unknown keys, whether the last
/// one succeeded or failed: a flood of tokens with made-up `kid`s cannot turn into a
/// flood of requests to the vendor, not even while its JWKS endpoint is down.
pub const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// Clock skew allowed on `exp`, `nbf` and `iat`.
pub const LEEWAY: Duration = Duration::from_secs(60);
/// The largest body a [`Receiver`] reads unless told otherwise (256 KiB): vendors'
/// events are small, and a larger body is refused before it is verified.
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;

/// Why a webhook was not accepted. [`WebhookError::status`] is the HTTP status to
/// answer with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is larger than the receiver accepts.
    #[error("the webhook's body is larger than {limit} bytes")]
    TooLarge {
        /// The receiver's limit, in bytes.
        limit: usize,
    },
    /// The header that must carry the signature is absent.
    #[error("the webhook has no `{0}` header")]
    MissingHeader(&'static str),
    /// Not a compact JWT, no `kid`, a signature that is not hex, a body that is not
    /// JSON.
    #[error("the webhook is malformed: {0}")]
    Malformed(&'static str),
    /// A JWT with `alg: none`: it claims to need no signature.
    #[error("the webhook is an unsigned JWT (`alg: none`)")]
    Unsigned,
    /// The JWT names an algorithm other than the one the vendor uses (e.g. HS256, as
    /// in a token "signed" with the public key as an HMAC secret).
    #[error("the webhook's signing algorithm is not the vendor's (expected {expected})")]
    WrongAlgorithm {
        /// The vendor's algorithm (`RS256`).
        expected: &'static str,
    },
    /// No key with the JWT's `kid` in the JWKS, even after fetching it again.
    #[error("no key with the webhook's key id in the vendor's JWKS")]
    UnknownKey,
    /// The signature does not match: the body was changed, or signed with another
    /// key or secret.
    #[error("the webhook's signature does not match")]
    InvalidSignature,
    /// `exp` is in the past (beyond the allowed skew).
    #[error("the webhook has expired")]
    Expired,
    /// `nbf` or `iat` is in the future (beyond the allowed skew).
    #[error("the webhook is not valid yet")]
    NotYetValid,
    /// `iss` is not the vendor's issuer.
    #[error("the webhook's issuer is not the expected one")]
    WrongIssuer,
    /// `aud` does not contain the expected audience.
    #[error("the webhook is for another audience")]
    WrongAudience,
    /// A claim the check needs is missing or has the wrong type.
    #[error("the webhook lacks the `{0}` claim or it has the wrong type")]
    MissingClaim(String),
    /// The verified body or claims do not have the documented shape.
    #[error("the webhook does not have the documented shape (at `{path}`)")]
    Payload {
        /// Where in the body the shape differs (member names, never values).
        path: String,
    },
    /// The JWKS URL is plain `http://` to a host that is not loopback, or not a URL:
    /// keys fetched that way could be anyone's.
    #[error("the JWKS URL must be HTTPS (plain HTTP only for loopback hosts)")]
    InsecureJwksUrl,
    /// The JWKS could not be fetched or read.
    #[error("cannot get the vendor's JWKS: {0}")]
    Jwks(String),
}

impl WebhookError {
    /// The HTTP status a receiver answers with: 413 for a body too large, 400 for one
    /// that cannot be read, 401 for one that is not the vendor's (forged, tampered,
    /// expired), 503 while the vendor's keys cannot be fetched (the vendor retries),
    /// 500 for a receiver misconfigured.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Malformed(_) | Self::Payload { .. } => StatusCode::BAD_REQUEST,
            Self::MissingHeader(_)
            | Self::Unsigned
            | Self::WrongAlgorithm { .. }
            | Self::UnknownKey
            | Self::InvalidSignature
            | Self::Expired
            | Self::NotYetValid
            | Self::WrongIssuer
            | Self::WrongAudience
            | Self::MissingClaim(_) => StatusCode::UNAUTHORIZED,
            Self::Jwks(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::InsecureJwksUrl => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Reads verified JSON as `T`; a mismatch names where, never what.
fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, WebhookError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        if error.inner().is_data() {
            WebhookError::Payload {
                path: error.path().to_string(),
            }
        } else {
            WebhookError::Malformed("the body is not JSON")
        }
    })?;
    deserializer
        .end()
        .map_err(|_| WebhookError::Malformed("the body is not JSON"))?;
    Ok(value)
}
