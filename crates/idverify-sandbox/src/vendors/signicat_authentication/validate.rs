//! What a create-session body must be, beyond what the generated types check.

use super::*;
use crate::kit::http::is_web_url;

/// How many tags a session may carry (each at most 100 characters, which the
/// generated type checks).
pub const MAX_TAGS: usize = 100;

/// Parses and validates a create-session body: what serde cannot check (enum values
/// the generated types keep as `Unknown`, URLs) is checked here.
pub fn validate_create(
    body: &[u8],
) -> Result<types::CreateSessionRequest, Vec<types::InvalidParam>> {
    let request: types::CreateSessionRequest =
        parse_request(
        body,
        spec_facts::CREATE_SESSION.request_nullable,
    ).map_err(|e| vec![invalid(&e.name, e.reason)])?;
    let mut problems = Vec::new();
    if request
        .tags
        .as_ref()
        .is_some_and(|tags| tags.len() > MAX_TAGS)
    {
        problems.push(invalid("tags", format!("At most {MAX_TAGS} tags.")));
    }
    if request.flow.is_unknown() {
        problems.push(invalid(
            "flow",
            format!(
                "Unknown flow `{}`; one of headless, redirect, embedded.",
                request.flow
            ),
        ));
    }
    if let Some(loa) = &request.requested_loa
        && loa.is_unknown()
    {
        problems.push(invalid(
            "requestedLoa",
            format!("Unknown level of assurance `{loa}`; one of low, substantial, high."),
        ));
    }
    if let Some(alg) = request
        .encryption_public_key
        .as_ref()
        .and_then(|k| k.alg.as_ref())
        && alg.is_unknown()
    {
        problems.push(invalid(
            "encryptionPublicKey.alg",
            format!("Unknown algorithm `{alg}`; one of RSA-OAEP, ECDH-ES."),
        ));
    }
    if let Some(key) = &request.encryption_public_key
        && !key.alg.as_ref().is_some_and(|alg| alg.is_unknown())
        && let Err(reason) = public_jwk(key)
    {
        problems.push(invalid("encryptionPublicKey", reason));
    }
    if let Some(urls) = &request.callback_urls {
        for (name, url) in [
            ("callbackUrls.success", &urls.success),
            ("callbackUrls.abort", &urls.abort),
            ("callbackUrls.error", &urls.error),
        ] {
            if let Some(url) = url
                && !is_web_url(url)
            {
                problems.push(invalid(name, "Must be an absolute http(s) URL."));
            }
        }
    }
    if let Some(url) = &request.return_url
        && !is_web_url(url)
    {
        problems.push(invalid("returnUrl", "Must be an absolute http(s) URL."));
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

/// The `encryptionPublicKey` as the public JWK results are encrypted to: its type's
/// members only (`n`, `e` for RSA; `crv`, `x`, `y` for EC), or why it is unusable.
pub fn public_jwk(
    key: &types::EncryptionKey,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    if key.d.is_some() {
        return Err("Must not carry the private key (`d` must be null).".into());
    }
    let members: &[&str] = match (key.kty.as_deref(), key.alg.as_ref()) {
        (Some("RSA"), None | Some(types::EncryptionAlgorithm::RsaOaep)) => &["n", "e"],
        (Some("EC"), None | Some(types::EncryptionAlgorithm::EcdhEs)) => &["crv", "x", "y"],
        (Some("RSA" | "EC"), Some(_)) => {
            return Err("`alg` must be RSA-OAEP for an RSA key and ECDH-ES for an EC key.".into());
        }
        _ => return Err("`kty` must be RSA or EC.".into()),
    };
    let value = serde_json::to_value(key).map_err(|e| e.to_string())?;
    let mut jwk = serde_json::Map::new();
    for name in ["kty", "kid", "alg"].iter().chain(members) {
        if let Some(member) = value.get(*name).filter(|v| !v.is_null()) {
            jwk.insert((*name).to_string(), member.clone());
        }
    }
    if let Some(missing) = members.iter().find(|m| !jwk.contains_key(**m)) {
        return Err(format!("A {} key needs `{missing}`.", key.kty.as_deref().unwrap_or("")));
    }
    // A key the sandbox cannot encrypt to would fail every read of the session.
    #[cfg(feature = "jwe")]
    idverify_runtime::jwe::encrypt(b"{}", &jwk, "A256GCM")
        .map_err(|e| format!("Not a usable public key: {e}."))?;
    #[cfg(not(feature = "jwe"))]
    return Err(
        "This sandbox was built without its `jwe` feature and cannot encrypt results; \
         leave out `encryptionPublicKey`."
            .into(),
    );
    #[cfg(feature = "jwe")]
    Ok(jwk)
}
