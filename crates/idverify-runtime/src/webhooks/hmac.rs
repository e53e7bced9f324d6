//! Hex HMAC-SHA256 of the raw body, in a header.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::WebhookError;

/// An HMAC-SHA256 is 32 bytes (64 hex digits).
const SIGNATURE_BYTES: usize = 32;

/// Checks that `signature` (a header's value) is the hex HMAC-SHA256 of the raw `body`
/// under `secret`. Read `body` as received, before any JSON parsing: re-serialising
/// changes the bytes. The signature must be exactly 64 hex digits (either case; spaces
/// around it are ignored): a sign, a prefix or any other character is
/// [`WebhookError::Malformed`].
pub fn verify_hmac_sha256_hex(
    secret: &SecretString,
    body: &[u8],
    signature: &str,
) -> Result<(), WebhookError> {
    let expected = hex::decode(signature.trim())
        .map_err(|_| WebhookError::Malformed("the signature is not hex"))?;
    if expected.len() != SIGNATURE_BYTES {
        return Err(WebhookError::Malformed(
            "the signature is not 64 hex digits",
        ));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| WebhookError::InvalidSignature)?;
    mac.update(body);
    // Constant time: the comparison does not tell an attacker how much matched.
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::InvalidSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_string())
    }

    // RFC 4231, test case 2.
    const SIGNATURE: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    const BODY: &[u8] = b"what do ya want for nothing?";

    #[test]
    fn hmac_signatures_are_checked_against_the_raw_body() {
        verify_hmac_sha256_hex(&secret("Jefe"), BODY, SIGNATURE).unwrap();
        verify_hmac_sha256_hex(&secret("Jefe"), BODY, &SIGNATURE.to_uppercase()).unwrap();
        verify_hmac_sha256_hex(&secret("Jefe"), BODY, &format!(" {SIGNATURE} ")).unwrap();
        assert!(matches!(
            verify_hmac_sha256_hex(&secret("jefe"), BODY, SIGNATURE),
            Err(WebhookError::InvalidSignature)
        ));
        assert!(matches!(
            verify_hmac_sha256_hex(&secret("Jefe"), b"what do ya want for nothing!", SIGNATURE),
            Err(WebhookError::InvalidSignature)
        ));
    }

    #[test]
    fn only_hex_digits_make_a_signature() {
        // `u8::from_str_radix` would read "+5" as 5: each pair here is such a trap.
        let plus = format!("+5{}", &SIGNATURE[2..]);
        let minus = format!("-0{}", &SIGNATURE[2..]);
        for signature in [
            "not hex",
            plus.as_str(),
            minus.as_str(),
            &SIGNATURE[1..],
            &SIGNATURE[..10],
            &format!("sha256={SIGNATURE}"),
            &format!("{} {}", &SIGNATURE[..32], &SIGNATURE[32..]),
            "",
        ] {
            assert!(
                matches!(
                    verify_hmac_sha256_hex(&secret("Jefe"), BODY, signature),
                    Err(WebhookError::Malformed(_))
                ),
                "{signature:?}"
            );
        }
    }
}
