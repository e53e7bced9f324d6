//! Verifying vendors' webhooks before trusting them (feature `webhooks`).
//!
//! Two schemes are in use:
//! - a JWT signed with RS256 whose key is published in a JWKS ([`JwtVerifier`]): the
//!   key is picked by `kid`, `iss`, `aud` and `exp` are checked, and an unknown `kid`
//!   refetches the JWKS (the vendor rotated its key), at most once per
//!   [`JWKS_REFRESH_INTERVAL`] by default;
//! - a hex HMAC-SHA256 of the raw body in a header ([`verify_hmac_sha256_hex`]), compared
//!   in constant time.
//!
//! JWT handling is the `jsonwebtoken` crate's; HMAC is `hmac`/`sha2`. Errors say what
//! failed, never the token, the body or the secret.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use hmac::{Hmac, Mac};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use sha2::Sha256;
// tokio's clock, like the rest of the runtime: tests can move it with paused time.
use tokio::time::Instant;

/// The shortest time between two JWKS fetches caused by unknown keys: a flood of
/// tokens with made-up `kid`s cannot turn into a flood of requests to the vendor.
pub const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// Clock skew allowed on `exp`.
pub const LEEWAY: Duration = Duration::from_secs(60);

/// Why a webhook was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// Not a compact JWT, no `kid`, or a signature header that is not hex.
    #[error("the webhook is malformed: {0}")]
    Malformed(&'static str),
    /// The JWT names an algorithm other than the one the vendor uses.
    #[error("the webhook's signing algorithm is not the vendor's (expected {expected})")]
    WrongAlgorithm { expected: &'static str },
    /// No key with the JWT's `kid` in the JWKS, even after fetching it again.
    #[error("no key with the webhook's key id in the vendor's JWKS")]
    UnknownKey,
    /// The signature does not match.
    #[error("the webhook's signature does not match")]
    InvalidSignature,
    /// `exp` is in the past (beyond the allowed skew).
    #[error("the webhook has expired")]
    Expired,
    /// `iss` is not the vendor's issuer.
    #[error("the webhook's issuer is not the expected one")]
    WrongIssuer,
    /// `aud` does not contain the expected audience.
    #[error("the webhook is for another audience")]
    WrongAudience,
    /// A claim the check needs is missing or has the wrong type.
    #[error("the webhook lacks the `{0}` claim or it has the wrong type")]
    MissingClaim(String),
    /// The verified claims do not have the documented shape.
    #[error("the webhook's claims do not have the documented shape (at `{path}`)")]
    Claims { path: String },
    /// The JWKS could not be fetched or read.
    #[error("cannot get the vendor's JWKS: {0}")]
    Jwks(String),
}

/// Checks that `signature` (a header's value) is the hex HMAC-SHA256 of the raw `body`
/// under `secret`. Read `body` as received, before any JSON parsing: re-serialising
/// changes the bytes.
pub fn verify_hmac_sha256_hex(
    secret: &SecretString,
    body: &[u8],
    signature: &str,
) -> Result<(), WebhookError> {
    let expected =
        decode_hex(signature.trim()).ok_or(WebhookError::Malformed("the signature is not hex"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| WebhookError::InvalidSignature)?;
    mac.update(body);
    // Constant time: the comparison does not tell an attacker how much matched.
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::InvalidSignature)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Verifies RS256 webhook JWTs against a JWKS and reads their claims as `C`.
///
/// Keep one per endpoint and reuse it: it caches the JWKS.
pub struct JwtVerifier<C> {
    jwks_url: String,
    issuer: String,
    audience: String,
    /// `None` if no HTTP client could be built; fetching the JWKS then fails with that.
    http: Option<reqwest::Client>,
    keys: tokio::sync::Mutex<KeyCache>,
    refresh_interval: Duration,
    claims: PhantomData<fn() -> C>,
}

#[derive(Default)]
struct KeyCache {
    set: Option<JwkSet>,
    fetched: Option<Instant>,
    /// Keys given by the caller: never refetched.
    fixed: bool,
}

impl<C> fmt::Debug for JwtVerifier<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("jwks_url", &self.jwks_url)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl<C: DeserializeOwned> JwtVerifier<C> {
    /// Verifies tokens from `issuer`, signed with a key of the JWKS at `jwks_url`, for
    /// `audience` (what the vendor was told to put in `aud`).
    pub fn new(
        jwks_url: impl Into<String>,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        Self {
            jwks_url: jwks_url.into(),
            issuer: issuer.into(),
            audience: audience.into(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .ok(),
            keys: tokio::sync::Mutex::new(KeyCache::default()),
            refresh_interval: JWKS_REFRESH_INTERVAL,
            claims: PhantomData,
        }
    }

    /// Fetches the JWKS with this client (proxy, TLS settings) instead of a default one.
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The shortest time between two JWKS fetches caused by unknown keys (default
    /// [`JWKS_REFRESH_INTERVAL`]).
    pub fn with_refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// Uses these keys and never fetches the JWKS (offline checks, pinned keys).
    pub fn with_keys(self, keys: JwkSet) -> Self {
        let keys = KeyCache {
            set: Some(keys),
            fetched: Some(Instant::now()),
            fixed: true,
        };
        Self {
            keys: tokio::sync::Mutex::new(keys),
            ..self
        }
    }

    /// Verifies `token` (the webhook's body, a compact JWT) and returns its claims.
    pub async fn verify(&self, token: &[u8]) -> Result<C, WebhookError> {
        let token = std::str::from_utf8(token)
            .map_err(|_| WebhookError::Malformed("the body is not text"))?
            .trim();
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| WebhookError::Malformed("the body is not a compact JWT"))?;
        if header.alg != Algorithm::RS256 {
            return Err(WebhookError::WrongAlgorithm { expected: "RS256" });
        }
        let kid = header
            .kid
            .ok_or(WebhookError::Malformed("the JWT has no key id (`kid`)"))?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = LEEWAY.as_secs();
        let claims: serde_json::Value = jsonwebtoken::decode(token, &key, &validation)
            .map_err(|error| jwt_error(error.into_kind()))?
            .claims;
        serde_path_to_error::deserialize(claims).map_err(|error| WebhookError::Claims {
            path: error.path().to_string(),
        })
    }

    /// The key with id `kid`, fetching the JWKS when it is not (yet) known.
    async fn key(&self, kid: &str) -> Result<DecodingKey, WebhookError> {
        let mut cache = self.keys.lock().await;
        if let Some(jwk) = cache.set.as_ref().and_then(|set| set.find(kid)) {
            return DecodingKey::from_jwk(jwk).map_err(|_| WebhookError::UnknownKey);
        }
        let may_fetch = !cache.fixed
            && cache
                .fetched
                .is_none_or(|at| at.elapsed() >= self.refresh_interval);
        if !may_fetch {
            return Err(WebhookError::UnknownKey);
        }
        let set = self.fetch().await?;
        cache.fetched = Some(Instant::now());
        let key = set.find(kid).map(DecodingKey::from_jwk);
        cache.set = Some(set);
        match key {
            Some(Ok(key)) => Ok(key),
            _ => Err(WebhookError::UnknownKey),
        }
    }

    async fn fetch(&self) -> Result<JwkSet, WebhookError> {
        let http = self
            .http
            .as_ref()
            .ok_or_else(|| WebhookError::Jwks("no HTTP client could be built".into()))?;
        let response = http.get(&self.jwks_url).send().await.map_err(|e| {
            WebhookError::Jwks(if e.is_timeout() {
                "no answer in time".into()
            } else {
                "the request failed".into()
            })
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(WebhookError::Jwks(format!("the server answered {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|_| WebhookError::Jwks("the answer was cut off".into()))?;
        serde_json::from_slice(&body).map_err(|_| WebhookError::Jwks("not a JWKS".into()))
    }
}

fn jwt_error(kind: jsonwebtoken::errors::ErrorKind) -> WebhookError {
    use jsonwebtoken::errors::ErrorKind as Kind;
    match kind {
        Kind::InvalidSignature => WebhookError::InvalidSignature,
        Kind::ExpiredSignature => WebhookError::Expired,
        Kind::InvalidIssuer => WebhookError::WrongIssuer,
        Kind::InvalidAudience => WebhookError::WrongAudience,
        Kind::MissingRequiredClaim(claim) | Kind::InvalidClaimFormat(claim) => {
            WebhookError::MissingClaim(claim)
        }
        Kind::InvalidAlgorithm | Kind::MissingAlgorithm => {
            WebhookError::WrongAlgorithm { expected: "RS256" }
        }
        Kind::InvalidRsaKey(_) | Kind::InvalidKeyFormat => WebhookError::UnknownKey,
        // Base64, JSON or UTF-8 trouble in the token: its text is not repeated.
        _ => WebhookError::Malformed("the JWT could not be decoded"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_string())
    }

    #[test]
    fn hmac_signatures_are_checked_against_the_raw_body() {
        // RFC 4231, test case 2.
        let signature = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let body = b"what do ya want for nothing?";
        verify_hmac_sha256_hex(&secret("Jefe"), body, signature).unwrap();
        verify_hmac_sha256_hex(&secret("Jefe"), body, &signature.to_uppercase()).unwrap();
        assert!(matches!(
            verify_hmac_sha256_hex(&secret("jefe"), body, signature),
            Err(WebhookError::InvalidSignature)
        ));
        assert!(matches!(
            verify_hmac_sha256_hex(&secret("Jefe"), b"what do ya want for nothing!", signature),
            Err(WebhookError::InvalidSignature)
        ));
        assert!(matches!(
            verify_hmac_sha256_hex(&secret("Jefe"), body, "not hex"),
            Err(WebhookError::Malformed(_))
        ));
        assert!(matches!(
            verify_hmac_sha256_hex(&secret("Jefe"), body, &signature[..10]),
            Err(WebhookError::InvalidSignature)
        ));
    }

    #[tokio::test]
    async fn tokens_that_are_not_rs256_jwts_are_refused_before_any_key_lookup() {
        let verifier: JwtVerifier<serde_json::Value> =
            JwtVerifier::new("http://127.0.0.1:9/jwks", "issuer", "audience")
                .with_keys(JwkSet { keys: Vec::new() });
        assert!(matches!(
            verifier.verify(b"not a jwt").await,
            Err(WebhookError::Malformed(_))
        ));
        // {"alg":"HS256","kid":"k"} . {} . signature
        let hs256 = b"eyJhbGciOiJIUzI1NiIsImtpZCI6ImsifQ.e30.c2ln";
        assert!(matches!(
            verifier.verify(hs256).await,
            Err(WebhookError::WrongAlgorithm { .. })
        ));
        // {"alg":"RS256","kid":"k"} with pinned keys that lack `k`: no fetch, unknown.
        let rs256 = b"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.e30.c2ln";
        assert!(matches!(
            verifier.verify(rs256).await,
            Err(WebhookError::UnknownKey)
        ));
    }
}
