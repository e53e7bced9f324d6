//! Webhooks signed in each vendor's scheme, to test receivers without the vendor
//! (feature `test-util`; not for production). A generated crate's
//! `webhooks::test_util` fills in its vendor's header, issuer and types.
//!
//! ```
//! use idverify_runtime::webhooks::test_util::{JwtSigner, TestRequest};
//! use idverify_runtime::webhooks::JwtVerifier;
//!
//! let signer = JwtSigner::new();
//! // A verifier that trusts the signer's key and fetches nothing.
//! let verifier: JwtVerifier<serde_json::Value> =
//!     JwtVerifier::new("https://vendor.example/jwks", "https://vendor.example", "me")
//!         .with_keys(signer.jwks());
//! let claims = serde_json::json!({
//!     "iss": "https://vendor.example", "aud": "me", "exp": idverify_runtime::webhooks::test_util::unix_now() + 300,
//! });
//! let request: TestRequest = signer.request(&claims);
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # runtime.block_on(async {
//! assert_eq!(verifier.verify(&request.body).await.unwrap()["aud"], "me");
//! # });
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use jsonwebtoken::jwk::JwkSet;
use serde::Serialize;
use sha2::Sha256;

use super::HeaderMap;

/// A webhook request as a vendor would send it: headers and body.
#[derive(Debug, Clone)]
pub struct TestRequest {
    /// The headers the vendor would send (signature included).
    pub headers: HeaderMap,
    /// The body, as sent.
    pub body: Vec<u8>,
}

impl TestRequest {
    fn new(content_type: &'static str, body: Vec<u8>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        Self { headers, body }
    }

    /// As a POST to `uri`, e.g. for `tower::ServiceExt::oneshot` on a router.
    pub fn into_http(self, uri: &str) -> http::Request<Vec<u8>> {
        let mut request = http::Request::new(self.body);
        *request.method_mut() = http::Method::POST;
        if let Ok(uri) = uri.parse() {
            *request.uri_mut() = uri;
        }
        *request.headers_mut() = self.headers;
        request
    }
}

/// Seconds since the Unix epoch, for `iat`/`exp` claims.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Signs JWTs with RS256 under a fresh RSA key, and publishes its public half as a
/// JWKS (for [`JwtVerifier::with_keys`](super::JwtVerifier::with_keys), or served
/// where a verifier fetches it).
pub struct JwtSigner {
    pair: RsaKeyPair,
    kid: String,
}

impl std::fmt::Debug for JwtSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Default for JwtSigner {
    fn default() -> Self {
        Self::new()
    }
}

impl JwtSigner {
    /// A new 2048-bit key with the key id `test-key`.
    ///
    /// # Panics
    /// If the system cannot make an RSA key (a broken crypto library).
    pub fn new() -> Self {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("an RSA key for tests");
        Self {
            pair,
            kid: "test-key".into(),
        }
    }

    /// The same key under another key id.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self
    }

    /// The key id (`kid`) the signer puts in its JWT headers.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWKS with the public key.
    pub fn jwks(&self) -> JwkSet {
        let public = PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
        let jwks = serde_json::json!({ "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&public.n),
            "e": URL_SAFE_NO_PAD.encode(&public.e),
        }]});
        serde_json::from_value(jwks).expect("a JWKS of one RSA key")
    }

    /// The public key's modulus: what an attacker signs HS256 tokens with, hoping the
    /// verifier takes the public key as an HMAC secret.
    pub fn public_modulus(&self) -> Vec<u8> {
        PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key()).n
    }

    /// A compact JWT of `claims`, signed RS256, with this signer's `kid`.
    pub fn sign(&self, claims: &impl Serialize) -> String {
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "kid": self.kid });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims as JSON"))
        );
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .expect("an RS256 signature");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The signed JWT as a webhook request (`Content-Type: application/jwt`).
    pub fn request(&self, claims: &impl Serialize) -> TestRequest {
        TestRequest::new("application/jwt", self.sign(claims).into_bytes())
    }
}

/// Lowercase hex HMAC-SHA256 of `body` under `secret`.
pub fn hmac_sha256_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// `payload` as JSON, signed with the hex HMAC-SHA256 under `secret` in `header`.
pub fn hmac_request(header: &'static str, secret: &str, payload: &impl Serialize) -> TestRequest {
    let mut request = json_request(payload);
    let signature = hmac_sha256_hex(secret, &request.body);
    request.headers.insert(
        HeaderName::from_bytes(header.as_bytes()).expect("a header name"),
        HeaderValue::from_str(&signature).expect("hex is a header value"),
    );
    request
}

/// `payload` as an unsigned JSON webhook.
pub fn json_request(payload: &impl Serialize) -> TestRequest {
    TestRequest::new(
        "application/json",
        serde_json::to_vec(payload).expect("the payload as JSON"),
    )
}
