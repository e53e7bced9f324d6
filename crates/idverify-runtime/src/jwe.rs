//! Encrypted responses (JWE, RFC 7516): a vendor that was given a public key answers with
//! the result encrypted to it, and the client, given the private key
//! ([`crate::ClientBuilder::decryption_key`]), decrypts it before decoding, so the
//! operation returns its usual typed value.
//!
//! A success response is read as encrypted when its `Content-Type` is `application/jose`
//! or `application/jwt` (compact serialisation) or `application/jose+json` (JSON
//! serialisation). Key management `RSA-OAEP`, `RSA-OAEP-256` (RSA keys), `ECDH-ES` and
//! `ECDH-ES+A128KW`/`A192KW`/`A256KW` (EC keys on P-256, P-384, P-521); content
//! encryption `A128GCM`, `A192GCM`, `A256GCM`, `A128CBC-HS256`, `A192CBC-HS384`,
//! `A256CBC-HS512`. The cryptography is `josekit`'s (over OpenSSL), behind the `jwe`
//! feature; [`DecryptError`] is always there, so a client without the feature still says
//! why it cannot read an encrypted answer.

use std::fmt;

/// The media types of an encrypted body.
const COMPACT_MEDIA: [&str; 2] = ["application/jose", "application/jwt"];
const JSON_MEDIA: &str = "application/jose+json";

/// Why an encrypted (JWE) success response could not be read. Nothing of the token, the
/// key or the content is in it; algorithm names only when they look like machine tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecryptError {
    /// The response is encrypted and the client has no decryption key (or was built
    /// without the `jwe` feature).
    NoKey,
    /// The body is not a JWE: `what` says which part is wrong.
    Malformed {
        /// Which part is wrong (`"five dot-separated parts"`, `"the protected header"`).
        what: &'static str,
    },
    /// The token uses an algorithm, content encryption or compression this client does
    /// not decrypt.
    Unsupported {
        /// `alg`, `enc` or `zip`.
        parameter: &'static str,
        /// Its value in the token.
        value: String,
    },
    /// The token was encrypted for another key: its `kid` names another key, its
    /// algorithm is not this key's, or this key cannot unwrap its content key.
    WrongKey {
        /// Which of those it is.
        reason: &'static str,
    },
    /// The token's content does not authenticate: its ciphertext, tag, IV or protected
    /// header were changed. (With `ECDH-ES` and no `kid` in the token, a token for
    /// another key on the same curve also ends here: the two cannot be told apart.)
    Tampered,
    /// The decrypted content is not a JSON document (e.g. a nested, signed JWT: `cty`
    /// `JWT`).
    NotJson,
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoKey => f.write_str(
                "the response is encrypted (JWE) and the client has no decryption key: \
                 build it with the `jwe` feature and `ClientBuilder::decryption_key`",
            ),
            Self::Malformed { what } => write!(f, "the encrypted response is not a JWE: {what}"),
            Self::Unsupported { parameter, value } => write!(
                f,
                "the encrypted response uses `{parameter}` {}, which this client does not decrypt",
                crate::redact::Token(value)
            ),
            Self::WrongKey { reason } => write!(
                f,
                "the encrypted response is not for this decryption key: {reason}"
            ),
            Self::Tampered => f.write_str(
                "the encrypted response does not authenticate: it was changed on the way \
                 (or encrypted for another key on the same curve)",
            ),
            Self::NotJson => f.write_str("the decrypted response is not a JSON document"),
        }
    }
}

impl std::error::Error for DecryptError {}

/// How a body is encrypted, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Serialization {
    Compact,
    Json,
}

/// The serialisation of an encrypted body, `None` for any other media type.
pub(crate) fn encrypted_media(headers: &http::HeaderMap) -> Option<Serialization> {
    let value = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or("").trim();
    if COMPACT_MEDIA
        .iter()
        .any(|m| essence.eq_ignore_ascii_case(m))
    {
        Some(Serialization::Compact)
    } else if essence.eq_ignore_ascii_case(JSON_MEDIA) {
        Some(Serialization::Json)
    } else {
        None
    }
}

#[cfg(feature = "jwe")]
pub use with_key::{DecryptionKey, KeyError, decrypt, encrypt};

#[cfg(feature = "jwe")]
pub(crate) use with_key::decrypt_response;

#[cfg(feature = "jwe")]
mod with_key {
    use std::fmt;

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use josekit::jwe::{self, JweContentEncryption, JweDecrypter, JweHeader};
    use josekit::jwk::Jwk;
    use secrecy::SecretString;
    use serde_json::{Map, Value};

    use super::{DecryptError, Serialization, encrypted_media};
    use crate::error::Error;

    /// Why a key was refused. Never shows the key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum KeyError {
        /// The text is not a JWK, or lacks a member a key of its type needs.
        NotAKey {
            /// What is wrong.
            reason: String,
        },
        /// A public key where a private key is needed (no `d`).
        NotPrivate,
        /// A key type or algorithm this client does not decrypt with.
        Unsupported {
            /// The key type or algorithm.
            value: String,
        },
        /// Generating a key failed in the crypto library.
        Generate,
    }

    impl fmt::Display for KeyError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Self::NotAKey { reason } => write!(f, "not a usable JWK: {reason}"),
                Self::NotPrivate => f.write_str(
                    "the JWK is a public key (no `d`); decrypting needs the private key",
                ),
                Self::Unsupported { value } => write!(
                    f,
                    "key type or algorithm {} is not supported (RSA with RSA-OAEP or \
                     RSA-OAEP-256; EC P-256, P-384 or P-521 with ECDH-ES or ECDH-ES+A*KW)",
                    crate::redact::Token(value)
                ),
                Self::Generate => f.write_str("generating the key failed"),
            }
        }
    }

    impl std::error::Error for KeyError {}

    /// The private key a client decrypts encrypted responses with, and whose public half
    /// ([`DecryptionKey::public_jwk`]) is given to the vendor. `Debug` shows the key
    /// type, algorithm and `kid` only.
    #[derive(Clone)]
    pub struct DecryptionKey {
        /// The private JWK, without `kid` (checked against the token's here, so that a
        /// token without `kid` is still read).
        jwk: Jwk,
        alg: &'static str,
        kty: &'static str,
        kid: Option<String>,
        decrypter: Box<dyn JweDecrypter>,
    }

    impl fmt::Debug for DecryptionKey {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("DecryptionKey")
                .field("kty", &self.kty)
                .field("alg", &self.alg)
                .field("kid", &self.kid.as_deref().map(crate::redact::Token))
                .finish_non_exhaustive()
        }
    }

    impl DecryptionKey {
        /// A private key from its JWK (JSON). Its `alg` is used when present, else
        /// `RSA-OAEP` for RSA keys and `ECDH-ES` for EC keys (what Signicat accepts).
        pub fn from_jwk(json: &str) -> Result<Self, KeyError> {
            let jwk = Jwk::from_bytes(json.as_bytes()).map_err(|e| KeyError::NotAKey {
                reason: first_line(&e.to_string()),
            })?;
            Self::from_josekit(jwk)
        }

        /// A new RSA key pair (`bits` at least 2048) for `RSA-OAEP`, with `kid`.
        pub fn generate_rsa(bits: u32, kid: impl Into<String>) -> Result<Self, KeyError> {
            if bits < 2048 {
                return Err(KeyError::Unsupported {
                    value: format!("RSA-{bits}"),
                });
            }
            let mut jwk = Jwk::generate_rsa_key(bits).map_err(|_| KeyError::Generate)?;
            jwk.set_algorithm("RSA-OAEP");
            jwk.set_key_id(kid);
            Self::from_josekit(jwk)
        }

        /// A new P-256 key pair for `ECDH-ES`, with `kid`.
        pub fn generate_p256(kid: impl Into<String>) -> Result<Self, KeyError> {
            let mut jwk = Jwk::generate_ec_key(josekit::jwk::alg::ec::EcCurve::P256)
                .map_err(|_| KeyError::Generate)?;
            jwk.set_algorithm("ECDH-ES");
            jwk.set_key_id(kid);
            Self::from_josekit(jwk)
        }

        fn from_josekit(mut jwk: Jwk) -> Result<Self, KeyError> {
            if jwk.parameter("d").is_none() {
                return Err(KeyError::NotPrivate);
            }
            let kty = match jwk.key_type() {
                "RSA" => "RSA",
                "EC" => "EC",
                other => {
                    return Err(KeyError::Unsupported {
                        value: other.to_string(),
                    });
                }
            };
            let alg = match (kty, jwk.algorithm()) {
                ("RSA", None | Some("RSA-OAEP")) => "RSA-OAEP",
                ("RSA", Some("RSA-OAEP-256")) => "RSA-OAEP-256",
                ("EC", None | Some("ECDH-ES")) => "ECDH-ES",
                ("EC", Some("ECDH-ES+A128KW")) => "ECDH-ES+A128KW",
                ("EC", Some("ECDH-ES+A192KW")) => "ECDH-ES+A192KW",
                ("EC", Some("ECDH-ES+A256KW")) => "ECDH-ES+A256KW",
                (_, Some(other)) => {
                    return Err(KeyError::Unsupported {
                        value: other.to_string(),
                    });
                }
                (_, None) => unreachable!("key types are matched above"),
            };
            jwk.set_algorithm(alg);
            let kid = jwk.key_id().map(str::to_string);
            jwk.set_parameter("kid", None)
                .map_err(|e| KeyError::NotAKey {
                    reason: first_line(&e.to_string()),
                })?;
            let decrypter = decrypter(alg, &jwk).map_err(|e| KeyError::NotAKey {
                reason: first_line(&e.to_string()),
            })?;
            Ok(Self {
                jwk,
                alg,
                kty,
                kid,
                decrypter,
            })
        }

        /// The key management algorithm (`RSA-OAEP`, `ECDH-ES`, ...).
        pub fn algorithm(&self) -> &'static str {
            self.alg
        }

        /// The key's id, if it has one.
        pub fn kid(&self) -> Option<&str> {
            self.kid.as_deref()
        }

        /// The public key as a JWK to give the vendor: `kty`, `use` `enc`, `alg`, `kid`
        /// and the public members (`n`, `e` or `crv`, `x`, `y`); never `d`.
        pub fn public_jwk(&self) -> Map<String, Value> {
            let public = self
                .jwk
                .to_public_key()
                .expect("a private key that made a decrypter has a public half");
            let mut map: Map<String, Value> = public.as_ref().clone();
            map.remove("d");
            map.insert("use".into(), Value::from("enc"));
            map.insert("alg".into(), Value::from(self.alg));
            if let Some(kid) = &self.kid {
                map.insert("kid".into(), Value::from(kid.as_str()));
            }
            map
        }

        /// The private key as a JWK, to keep it (in a secret store) for later clients.
        pub fn private_jwk(&self) -> SecretString {
            let mut map: Map<String, Value> = self.jwk.as_ref().clone();
            if let Some(kid) = &self.kid {
                map.insert("kid".into(), Value::from(kid.as_str()));
            }
            SecretString::from(Value::Object(map).to_string())
        }
    }

    fn decrypter(alg: &str, jwk: &Jwk) -> Result<Box<dyn JweDecrypter>, josekit::JoseError> {
        Ok(match alg {
            "RSA-OAEP" => Box::new(jwe::RSA_OAEP.decrypter_from_jwk(jwk)?),
            "RSA-OAEP-256" => Box::new(jwe::RSA_OAEP_256.decrypter_from_jwk(jwk)?),
            "ECDH-ES" => Box::new(jwe::ECDH_ES.decrypter_from_jwk(jwk)?),
            "ECDH-ES+A128KW" => Box::new(jwe::ECDH_ES_A128KW.decrypter_from_jwk(jwk)?),
            "ECDH-ES+A192KW" => Box::new(jwe::ECDH_ES_A192KW.decrypter_from_jwk(jwk)?),
            _ => Box::new(jwe::ECDH_ES_A256KW.decrypter_from_jwk(jwk)?),
        })
    }

    fn content_encryption(enc: &str) -> Option<&'static dyn JweContentEncryption> {
        use josekit::jwe::enc;
        Some(match enc {
            "A128GCM" => &enc::A128GCM,
            "A192GCM" => &enc::A192GCM,
            "A256GCM" => &enc::A256GCM,
            "A128CBC-HS256" => &enc::A128CBC_HS256,
            "A192CBC-HS384" => &enc::A192CBC_HS384,
            "A256CBC-HS512" => &enc::A256CBC_HS512,
            _ => return None,
        })
    }

    fn first_line(text: &str) -> String {
        text.lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(120)
            .collect()
    }

    /// The parts of a compact JWE, its protected header decoded.
    struct Compact<'a> {
        header: Map<String, Value>,
        encrypted_key: &'a str,
    }

    fn parse_compact(token: &str) -> Result<Compact<'_>, DecryptError> {
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 5 {
            return Err(DecryptError::Malformed {
                what: "a compact JWE has five dot-separated parts",
            });
        }
        let header = URL_SAFE_NO_PAD
            .decode(parts[0])
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
            .ok_or(DecryptError::Malformed {
                what: "the protected header is not base64url-encoded JSON",
            })?;
        if parts[1..].iter().any(|p| {
            !p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }) {
            return Err(DecryptError::Malformed {
                what: "a part is not base64url",
            });
        }
        Ok(Compact {
            header,
            encrypted_key: parts[1],
        })
    }

    /// Checks the header against the key before any cryptography: `alg`, `enc`, `zip`,
    /// `kid`.
    fn check_header(header: &Map<String, Value>, key: &DecryptionKey) -> Result<(), DecryptError> {
        let text = |name: &str| header.get(name).and_then(Value::as_str);
        let alg = text("alg").ok_or(DecryptError::Malformed {
            what: "the protected header has no `alg`",
        })?;
        let enc = text("enc").ok_or(DecryptError::Malformed {
            what: "the protected header has no `enc`",
        })?;
        if let Some(zip) = header.get("zip") {
            // A compressed payload can expand without bound; no vendor here compresses.
            return Err(DecryptError::Unsupported {
                parameter: "zip",
                value: zip.as_str().unwrap_or("").to_string(),
            });
        }
        if content_encryption(enc).is_none() {
            return Err(DecryptError::Unsupported {
                parameter: "enc",
                value: enc.to_string(),
            });
        }
        if alg != key.alg {
            let known = [
                "RSA-OAEP",
                "RSA-OAEP-256",
                "ECDH-ES",
                "ECDH-ES+A128KW",
                "ECDH-ES+A192KW",
                "ECDH-ES+A256KW",
            ];
            return Err(if known.contains(&alg) {
                DecryptError::WrongKey {
                    reason: "the token's `alg` is not this key's algorithm",
                }
            } else {
                DecryptError::Unsupported {
                    parameter: "alg",
                    value: alg.to_string(),
                }
            });
        }
        if let (Some(theirs), Some(ours)) = (text("kid"), key.kid.as_deref())
            && theirs != ours
        {
            return Err(DecryptError::WrongKey {
                reason: "the token's `kid` names another key",
            });
        }
        if key.kty == "EC"
            && let (Some(theirs), Some(ours)) = (
                header
                    .get("epk")
                    .and_then(|epk| epk.get("crv"))
                    .and_then(Value::as_str),
                key.jwk.curve(),
            )
            && theirs != ours
        {
            return Err(DecryptError::WrongKey {
                reason: "the token's ephemeral key is on another curve",
            });
        }
        Ok(())
    }

    /// After a failed decryption: whether this key can unwrap the content key at all
    /// (a wrong key) or the content failed to authenticate (tampering).
    fn classify(compact: &Compact<'_>, key: &DecryptionKey) -> DecryptError {
        let Some(enc) = compact
            .header
            .get("enc")
            .and_then(Value::as_str)
            .and_then(content_encryption)
        else {
            return DecryptError::Tampered;
        };
        let Ok(header) = JweHeader::from_map(compact.header.clone()) else {
            return DecryptError::Malformed {
                what: "the protected header is not a JWE header",
            };
        };
        let encrypted_key = match URL_SAFE_NO_PAD.decode(compact.encrypted_key) {
            Ok(bytes) if !bytes.is_empty() => Some(bytes),
            Ok(_) => None,
            Err(_) => {
                return DecryptError::Malformed {
                    what: "the encrypted key is not base64url",
                };
            }
        };
        match key
            .decrypter
            .decrypt(encrypted_key.as_deref(), enc, &header)
        {
            Ok(cek) if cek.len() == enc.key_len() => DecryptError::Tampered,
            _ => DecryptError::WrongKey {
                reason: "this key cannot unwrap the token's content key",
            },
        }
    }

    /// Decrypts a JWE (compact serialisation) with `key` and returns its content.
    pub fn decrypt(token: &str, key: &DecryptionKey) -> Result<Vec<u8>, DecryptError> {
        let token = token.trim();
        let compact = parse_compact(token)?;
        check_header(&compact.header, key)?;
        match jwe::deserialize_compact(token, key.decrypter.as_ref()) {
            Ok((content, _)) => Ok(content),
            Err(_) => Err(classify(&compact, key)),
        }
    }

    /// Decrypts a JWE in JSON serialisation (one recipient, or the one whose `kid` is
    /// this key's) to compact form and then as [`decrypt`].
    fn decrypt_json(body: &[u8], key: &DecryptionKey) -> Result<Vec<u8>, DecryptError> {
        let malformed = |what| DecryptError::Malformed { what };
        let value: Map<String, Value> =
            serde_json::from_slice(body).map_err(|_| malformed("the body is not a JSON JWE"))?;
        let text = |name: &str| value.get(name).and_then(Value::as_str);
        let protected = text("protected").ok_or(malformed("the JSON JWE has no `protected`"))?;
        if value.contains_key("unprotected") || value.contains_key("aad") {
            // Unprotected headers and extra AAD have no compact form.
            return Err(malformed(
                "the JSON JWE has unprotected headers or `aad`, which are not read",
            ));
        }
        let recipients: Vec<Map<String, Value>> = match value.get("recipients") {
            Some(Value::Array(list)) => {
                list.iter().filter_map(|r| r.as_object().cloned()).collect()
            }
            _ => vec![value.clone()],
        };
        let recipient = recipients
            .iter()
            .find(|r| {
                r.get("header")
                    .and_then(|h| h.get("kid"))
                    .and_then(Value::as_str)
                    .is_none_or(|kid| Some(kid) == key.kid.as_deref())
            })
            .ok_or(DecryptError::WrongKey {
                reason: "no recipient of the token is this key",
            })?;
        if recipient
            .get("header")
            .is_some_and(|h| h.as_object().is_some_and(|h| h.keys().any(|k| k != "kid")))
        {
            return Err(malformed(
                "the JSON JWE has per-recipient headers beyond `kid`, which are not read",
            ));
        }
        let encrypted_key = recipient
            .get("encrypted_key")
            .and_then(Value::as_str)
            .unwrap_or("");
        let compact = [
            protected,
            encrypted_key,
            text("iv").unwrap_or(""),
            text("ciphertext").ok_or(malformed("the JSON JWE has no `ciphertext`"))?,
            text("tag").unwrap_or(""),
        ]
        .join(".");
        decrypt(&compact, key)
    }

    /// Encrypts `content` for the public key `public_jwk` as a compact JWE with content
    /// encryption `enc` (e.g. `A256GCM`), as a vendor does; for sandboxes and tests.
    pub fn encrypt(
        content: &[u8],
        public_jwk: &Map<String, Value>,
        enc: &str,
    ) -> Result<String, KeyError> {
        let jwk = Jwk::from_map(public_jwk.clone()).map_err(|e| KeyError::NotAKey {
            reason: first_line(&e.to_string()),
        })?;
        let alg = jwk.algorithm().map(str::to_string).unwrap_or_else(|| {
            if jwk.key_type() == "EC" {
                "ECDH-ES".into()
            } else {
                "RSA-OAEP".into()
            }
        });
        let not_a_key = |e: josekit::JoseError| KeyError::NotAKey {
            reason: first_line(&e.to_string()),
        };
        let mut header = JweHeader::new();
        header.set_content_encryption(enc);
        if let Some(kid) = jwk.key_id() {
            header.set_key_id(kid);
        }
        let token = match alg.as_str() {
            "RSA-OAEP" => jwe::serialize_compact(
                content,
                &header,
                &jwe::RSA_OAEP.encrypter_from_jwk(&jwk).map_err(not_a_key)?,
            ),
            "RSA-OAEP-256" => jwe::serialize_compact(
                content,
                &header,
                &jwe::RSA_OAEP_256
                    .encrypter_from_jwk(&jwk)
                    .map_err(not_a_key)?,
            ),
            "ECDH-ES" => jwe::serialize_compact(
                content,
                &header,
                &jwe::ECDH_ES.encrypter_from_jwk(&jwk).map_err(not_a_key)?,
            ),
            other => {
                return Err(KeyError::Unsupported {
                    value: other.into(),
                });
            }
        };
        token.map_err(not_a_key)
    }

    /// The response with its encrypted success body decrypted (and `Content-Type`
    /// `application/json`); any other response as it is.
    pub(crate) async fn decrypt_response<E>(
        key: &DecryptionKey,
        mut response: reqwest::Response,
        operation: &'static str,
    ) -> Result<reqwest::Response, Error<E>> {
        if !response.status().is_success() {
            return Ok(response);
        }
        let Some(serialization) = encrypted_media(response.headers()) else {
            return Ok(response);
        };
        let status = response.status();
        let version = response.version();
        let attempts = Error::<E>::attempts_of(&response);
        let mut headers = std::mem::take(response.headers_mut());
        let extensions = std::mem::take(response.extensions_mut());
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::transport(operation, e).with_attempts(attempts))?;
        let content = match serialization {
            Serialization::Compact => std::str::from_utf8(&body)
                .map_err(|_| DecryptError::Malformed {
                    what: "the body is not text",
                })
                .and_then(|token| decrypt(token, key)),
            Serialization::Json => decrypt_json(&body, key),
        }
        .and_then(|content| {
            serde_json::from_slice::<serde::de::IgnoredAny>(&content)
                .map(|_| content)
                .map_err(|_| DecryptError::NotJson)
        });
        let content = match content {
            Ok(content) => content,
            Err(error) => {
                return Err(
                    Error::decrypt(operation, error, status, headers, body.to_vec())
                        .with_attempts(attempts),
                );
            }
        };
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        headers.remove(http::header::CONTENT_LENGTH);
        let mut decrypted = http::Response::new(content);
        *decrypted.status_mut() = status;
        *decrypted.version_mut() = version;
        *decrypted.headers_mut() = headers;
        *decrypted.extensions_mut() = extensions;
        Ok(reqwest::Response::from(decrypted))
    }
}

#[cfg(all(test, feature = "jwe"))]
mod tests {
    use super::*;

    fn token_parts(token: &str) -> Vec<String> {
        token.split('.').map(str::to_string).collect()
    }

    fn flip(part: &str) -> String {
        let mut bytes = part.as_bytes().to_vec();
        let i = bytes.len() / 2;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn rsa_and_ec_round_trip_and_fail_distinctly() {
        for (key, other) in [
            (
                DecryptionKey::generate_rsa(2048, "one").unwrap(),
                DecryptionKey::generate_rsa(2048, "two").unwrap(),
            ),
            (
                DecryptionKey::generate_p256("one").unwrap(),
                DecryptionKey::generate_p256("two").unwrap(),
            ),
        ] {
            for enc in ["A256GCM", "A128CBC-HS256", "A256CBC-HS512"] {
                let token = encrypt(br#"{"a":1}"#, &key.public_jwk(), enc).unwrap();
                assert_eq!(decrypt(&token, &key).unwrap(), br#"{"a":1}"#);
                assert!(matches!(
                    decrypt(&token, &other),
                    Err(DecryptError::WrongKey { .. })
                ));
                // Each of IV, ciphertext, tag changed: the content does not authenticate.
                for part in 2..5 {
                    let mut parts = token_parts(&token);
                    parts[part] = flip(&parts[part]);
                    assert_eq!(
                        decrypt(&parts.join("."), &key),
                        Err(DecryptError::Tampered),
                        "{} part {part} changed",
                        key.algorithm()
                    );
                }
            }
        }
    }

    #[test]
    fn a_wrong_rsa_key_with_the_same_kid_is_told_from_tampering() {
        let key = DecryptionKey::generate_rsa(2048, "same").unwrap();
        let other = DecryptionKey::generate_rsa(2048, "same").unwrap();
        let token = encrypt(b"{}", &key.public_jwk(), "A256GCM").unwrap();
        assert_eq!(
            decrypt(&token, &other),
            Err(DecryptError::WrongKey {
                reason: "this key cannot unwrap the token's content key"
            })
        );
    }

    #[test]
    fn a_token_without_kid_is_read() {
        let key = DecryptionKey::generate_p256("k").unwrap();
        let mut public = key.public_jwk();
        public.remove("kid");
        let token = encrypt(b"[]", &public, "A256GCM").unwrap();
        assert_eq!(decrypt(&token, &key).unwrap(), b"[]");
    }

    #[test]
    fn malformed_and_unsupported_tokens_are_named() {
        let key = DecryptionKey::generate_p256("k").unwrap();
        assert!(matches!(
            decrypt("a.b.c", &key),
            Err(DecryptError::Malformed { .. })
        ));
        assert!(matches!(
            decrypt("!!.b.c.d.e", &key),
            Err(DecryptError::Malformed { .. })
        ));
        use base64::Engine as _;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"ECDH-ES","enc":"A256GCM","zip":"DEF"}"#);
        assert_eq!(
            decrypt(&format!("{header}.a.b.c.d"), &key),
            Err(DecryptError::Unsupported {
                parameter: "zip",
                value: "DEF".into()
            })
        );
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM"}"#);
        assert!(matches!(
            decrypt(&format!("{header}.a.b.c.d"), &key),
            Err(DecryptError::Unsupported {
                parameter: "alg",
                ..
            })
        ));
    }

    #[test]
    fn keys_never_show_their_private_part() {
        let key = DecryptionKey::generate_rsa(2048, "mine").unwrap();
        let private = key.private_jwk();
        let d = serde_json::from_str::<serde_json::Value>(secrecy::ExposeSecret::expose_secret(
            &private,
        ))
        .unwrap()["d"]
            .as_str()
            .unwrap()
            .to_string();
        let shown = format!("{key:?} {private:?}");
        assert!(!shown.contains(&d), "{shown}");
        assert!(
            shown.contains("RSA-OAEP") && shown.contains("mine"),
            "{shown}"
        );
        assert!(!key.public_jwk().contains_key("d"));
        // The kept private JWK makes the same key again.
        let again =
            DecryptionKey::from_jwk(secrecy::ExposeSecret::expose_secret(&private)).unwrap();
        let token = encrypt(b"{}", &key.public_jwk(), "A256GCM").unwrap();
        assert_eq!(decrypt(&token, &again).unwrap(), b"{}");
        assert_eq!(
            DecryptionKey::from_jwk(&serde_json::Value::Object(key.public_jwk()).to_string())
                .unwrap_err(),
            KeyError::NotPrivate
        );
    }
}
