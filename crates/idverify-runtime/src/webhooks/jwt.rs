//! RS256 JWTs verified against a JWKS, with a key cache that never makes a valid
//! token wait for a fetch and never fetches more than once per refresh interval.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
// tokio's clock, like the rest of the runtime: tests can move it with paused time.
use tokio::time::Instant;

use super::{JWKS_REFRESH_INTERVAL, LEEWAY, WebhookError};

/// Verifies RS256 webhook JWTs against a JWKS and reads their claims as `C`.
///
/// Keep one per endpoint and reuse it: it caches the JWKS. Tokens whose key is cached
/// are verified without waiting, even while a fetch for an unknown key is under way.
pub struct JwtVerifier<C> {
    jwks_url: String,
    issuer: String,
    audience: String,
    /// `None` if no HTTP client could be built; fetching the JWKS then fails with that.
    http: Option<reqwest::Client>,
    /// Held only to read or update, never across a fetch.
    keys: Mutex<KeyCache>,
    /// One fetch at a time; only tokens with an unknown key wait for it.
    fetching: tokio::sync::Mutex<()>,
    refresh_interval: Duration,
    claims: PhantomData<fn() -> C>,
}

#[derive(Default)]
struct KeyCache {
    set: Option<Arc<JwkSet>>,
    /// When the last fetch ended, whatever its outcome.
    attempted: Option<Instant>,
    /// Whether that fetch failed (the keys of an earlier one are kept).
    failed: bool,
    /// Counts fetches, so a caller that waited for one sees that it happened.
    generation: u64,
    /// Keys given by the caller: never refetched.
    fixed: bool,
}

impl KeyCache {
    fn find(&self, kid: &str) -> Option<Result<DecodingKey, WebhookError>> {
        let jwk = self.set.as_ref()?.find(kid)?;
        Some(DecodingKey::from_jwk(jwk).map_err(|_| WebhookError::UnknownKey))
    }

    /// The answer for a key that is not there, without fetching.
    fn missing(&self) -> WebhookError {
        if self.failed {
            WebhookError::Jwks("the last fetch failed; not tried again yet".into())
        } else {
            WebhookError::UnknownKey
        }
    }
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

/// The parts of a JWT header the checks read.
#[derive(serde::Deserialize)]
struct Header {
    alg: Option<String>,
    kid: Option<String>,
}

impl<C: DeserializeOwned> JwtVerifier<C> {
    /// Verifies tokens from `issuer`, signed with a key of the JWKS at `jwks_url`, for
    /// `audience` (what the vendor was told to put in `aud`). The JWKS URL must be
    /// HTTPS (plain HTTP only for loopback hosts); otherwise every token fails with
    /// [`WebhookError::InsecureJwksUrl`].
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
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .ok(),
            keys: Mutex::new(KeyCache::default()),
            fetching: tokio::sync::Mutex::new(()),
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
    /// [`JWKS_REFRESH_INTERVAL`]); failed fetches count like successful ones.
    pub fn with_refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// Uses these keys and never fetches the JWKS (offline checks, pinned keys, tests).
    pub fn with_keys(self, keys: JwkSet) -> Self {
        let keys = KeyCache {
            set: Some(Arc::new(keys)),
            fixed: true,
            ..KeyCache::default()
        };
        Self {
            keys: Mutex::new(keys),
            ..self
        }
    }

    /// Verifies `token` (the webhook's body, a compact JWT) and returns its claims.
    pub async fn verify(&self, token: &[u8]) -> Result<C, WebhookError> {
        let token = std::str::from_utf8(token)
            .map_err(|_| WebhookError::Malformed("the body is not text"))?
            .trim();
        let kid = check_header(token)?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY.as_secs();
        let claims: serde_json::Value = jsonwebtoken::decode(token, &key, &validation)
            .map_err(|error| jwt_error(error.into_kind()))?
            .claims;
        // `iat` in the future: signed by a clock far ahead, or made to outlive `exp`.
        if let Some(iat) = claims.get("iat") {
            let iat = iat
                .as_u64()
                .ok_or_else(|| WebhookError::MissingClaim("iat".into()))?;
            if iat > unix_now().saturating_add(LEEWAY.as_secs()) {
                return Err(WebhookError::NotYetValid);
            }
        }
        serde_path_to_error::deserialize(claims).map_err(|error| WebhookError::Payload {
            path: error.path().to_string(),
        })
    }

    fn cache(&self) -> MutexGuard<'_, KeyCache> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The key with id `kid`, fetching the JWKS when it is not (yet) known and the last
    /// fetch is at least the refresh interval ago.
    async fn key(&self, kid: &str) -> Result<DecodingKey, WebhookError> {
        let seen = {
            let cache = self.cache();
            if let Some(key) = cache.find(kid) {
                return key;
            }
            if cache.fixed {
                return Err(WebhookError::UnknownKey);
            }
            if !is_secure(&self.jwks_url) {
                return Err(WebhookError::InsecureJwksUrl);
            }
            cache.generation
        };
        let _fetching = self.fetching.lock().await;
        {
            let cache = self.cache();
            if cache.generation != seen {
                // A fetch ended while this call waited: its keys are the news.
                return cache.find(kid).unwrap_or_else(|| Err(cache.missing()));
            }
            if cache
                .attempted
                .is_some_and(|at| at.elapsed() < self.refresh_interval)
            {
                return Err(cache.missing());
            }
        }
        let fetched = self.fetch().await;
        let mut cache = self.cache();
        cache.attempted = Some(Instant::now());
        cache.generation += 1;
        match fetched {
            Ok(set) => {
                cache.failed = false;
                cache.set = Some(Arc::new(set));
                cache.find(kid).unwrap_or(Err(WebhookError::UnknownKey))
            }
            Err(error) => {
                cache.failed = true;
                Err(error)
            }
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

/// The `kid` of an RS256 token; `alg: none` and every other algorithm are refused
/// here, before a key is looked up.
fn check_header(token: &str) -> Result<String, WebhookError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(WebhookError::Malformed("the body is not a compact JWT"));
    };
    let header: Header = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or(WebhookError::Malformed("the JWT's header cannot be read"))?;
    match header.alg.as_deref() {
        Some("RS256") => {}
        Some(alg) if alg.eq_ignore_ascii_case("none") => return Err(WebhookError::Unsigned),
        Some(_) => return Err(WebhookError::WrongAlgorithm { expected: "RS256" }),
        None => return Err(WebhookError::Malformed("the JWT names no algorithm")),
    }
    header
        .kid
        .ok_or(WebhookError::Malformed("the JWT has no key id (`kid`)"))
}

/// HTTPS, or plain HTTP to a loopback host (tests, a local sandbox).
fn is_secure(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn jwt_error(kind: jsonwebtoken::errors::ErrorKind) -> WebhookError {
    use jsonwebtoken::errors::ErrorKind as Kind;
    match kind {
        Kind::InvalidSignature => WebhookError::InvalidSignature,
        Kind::ExpiredSignature => WebhookError::Expired,
        Kind::ImmatureSignature => WebhookError::NotYetValid,
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

    fn pinned() -> JwtVerifier<serde_json::Value> {
        JwtVerifier::new("https://jwks.invalid/jwks", "issuer", "audience")
            .with_keys(JwkSet { keys: Vec::new() })
    }

    fn token(header: &str) -> String {
        format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(header))
    }

    #[tokio::test]
    async fn tokens_that_are_not_rs256_jwts_are_refused_before_any_key_lookup() {
        let verifier = pinned();
        assert!(matches!(
            verifier.verify(b"not a jwt").await,
            Err(WebhookError::Malformed(_))
        ));
        for header in [
            r#"{"alg":"HS256","kid":"k"}"#,
            r#"{"alg":"RS512","kid":"k"}"#,
        ] {
            assert!(matches!(
                verifier.verify(token(header).as_bytes()).await,
                Err(WebhookError::WrongAlgorithm { .. })
            ));
        }
        for header in [r#"{"alg":"none","kid":"k"}"#, r#"{"alg":"None"}"#] {
            assert!(matches!(
                verifier.verify(token(header).as_bytes()).await,
                Err(WebhookError::Unsigned)
            ));
        }
        assert!(matches!(
            verifier
                .verify(token(r#"{"alg":"RS256"}"#).as_bytes())
                .await,
            Err(WebhookError::Malformed(_))
        ));
        // Pinned keys that lack `k`: no fetch, unknown.
        assert!(matches!(
            verifier
                .verify(token(r#"{"alg":"RS256","kid":"k"}"#).as_bytes())
                .await,
            Err(WebhookError::UnknownKey)
        ));
    }

    #[tokio::test]
    async fn a_jwks_url_must_be_https_unless_loopback() {
        for url in [
            "http://jwks.example/jwks",
            "http://10.0.0.1/jwks",
            "ftp://127.0.0.1/jwks",
            "not a url",
        ] {
            let verifier: JwtVerifier<serde_json::Value> =
                JwtVerifier::new(url, "issuer", "audience");
            assert!(
                matches!(
                    verifier
                        .verify(token(r#"{"alg":"RS256","kid":"k"}"#).as_bytes())
                        .await,
                    Err(WebhookError::InsecureJwksUrl)
                ),
                "{url}"
            );
        }
        for url in [
            "https://jwks.example/jwks",
            "http://127.0.0.1:9/jwks",
            "http://[::1]:9/jwks",
            "http://localhost:9/jwks",
        ] {
            assert!(is_secure(url), "{url}");
        }
    }
}
