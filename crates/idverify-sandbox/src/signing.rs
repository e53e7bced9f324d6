//! Signatures on webhooks: an RS256 JWT with a JWKS for the public key (IDnow), and a
//! hex HMAC-SHA256 of the body (the legacy Idfy scheme).
//!
//! The RSA key is made once per process, on first use, and never leaves it; the JWKS
//! publishes its public half under a `kid` derived from the key itself. RSA comes from
//! `aws-lc-rs`, which the TLS stack already builds.

#[cfg(feature = "idnow-platform")]
pub use rs256::{jwks, rs256_jwt};

#[cfg(feature = "idnow-platform")]
mod rs256 {
    use std::sync::OnceLock;

    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
    use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::{Digest, Sha256};

    struct WebhookKey {
        pair: RsaKeyPair,
        kid: String,
        n: String,
        e: String,
    }

    /// `None` only if the system cannot make an RSA key (then JWT webhooks cannot be sent).
    fn key() -> Option<&'static WebhookKey> {
        static KEY: OnceLock<Option<WebhookKey>> = OnceLock::new();
        KEY.get_or_init(|| {
            let pair = RsaKeyPair::generate(KeySize::Rsa2048).ok()?;
            let public = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
            let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&public.n)[..12]);
            Some(WebhookKey {
                kid: format!("sandbox-{kid}"),
                n: URL_SAFE_NO_PAD.encode(&public.n),
                e: URL_SAFE_NO_PAD.encode(&public.e),
                pair,
            })
        })
        .as_ref()
    }

    /// The JWKS (RFC 7517) with the public key of [`rs256_jwt`].
    pub fn jwks() -> serde_json::Value {
        let keys: Vec<_> = key()
            .map(|key| {
                serde_json::json!({
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": key.kid,
                    "n": key.n,
                    "e": key.e,
                })
            })
            .into_iter()
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// A compact JWS (RFC 7515) of `claims`, signed RS256, with the JWKS key's `kid`.
    pub fn rs256_jwt(claims: &serde_json::Value) -> Option<String> {
        let key = key()?;
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "kid": key.kid });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; key.pair.public_modulus_len()];
        key.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .ok()?;
        Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// Lowercase hex HMAC-SHA256 of `body` under `secret`.
#[cfg(feature = "idfy-identification-v1")]
pub fn hmac_sha256_hex(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    // HMAC takes keys of any length; the error branch cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "idfy-identification-v1")]
    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        assert_eq!(
            hmac_sha256_hex("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[cfg(feature = "idnow-platform")]
    #[test]
    fn jwt_verifies_with_the_published_key() {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let jwt = rs256_jwt(&serde_json::json!({ "sub": "x" })).expect("signed");
        let jwks = jwks();
        let jwk = &jwks["keys"][0];
        let mut parts = jwt.rsplitn(2, '.');
        let signature = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
        let input = parts.next().unwrap();
        let header: serde_json::Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(input.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["kid"], jwk["kid"]);
        let public = aws_lc_rs::signature::RsaPublicKeyComponents {
            n: URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap(),
            e: URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap(),
        };
        public
            .verify(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                input.as_bytes(),
                &signature,
            )
            .expect("valid signature");
        let mut tampered = input.to_string();
        tampered.push('x');
        assert!(
            public
                .verify(
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                    tampered.as_bytes(),
                    &signature,
                )
                .is_err()
        );
    }
}
