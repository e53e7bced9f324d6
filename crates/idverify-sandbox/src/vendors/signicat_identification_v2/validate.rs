//! What a create-session body must be, beyond what the generated types check.

use super::*;
use crate::kit::http::is_web_url;

/// An absolute http(s) URL with a host, after trimming surrounding spaces (the
/// migration guide's own sample has a leading space).
pub(super) fn is_trimmed_web_url(url: &str) -> bool {
    is_web_url(url.trim())
}

/// `scheme://host[:port]`, nothing after.
pub(super) fn is_origin(origin: &str) -> bool {
    is_trimmed_web_url(origin)
        && origin
            .trim()
            .split("://")
            .nth(1)
            .is_some_and(|r| !r.contains('/'))
}

/// The providers that can run without a UI.
pub(super) fn headless_capable(provider: &types::IdProviderType) -> bool {
    matches!(
        provider,
        types::IdProviderType::NoBankidMobile | types::IdProviderType::SeBankid
    )
}

/// Parses and validates a create-session body: what serde cannot check (enum values
/// the generated types keep as `Unknown`, URLs, what each flow needs) is checked here.
pub fn validate_create(
    body: &[u8],
) -> Result<types::CreateSessionRequest, Vec<types::InvalidParam>> {
    // The spec marks no member of this body `nullable`.
    let request: types::CreateSessionRequest =
        parse_request(body, spec_facts::CREATE_SESSION.request_nullable).map_err(|e| vec![invalid(&e.name, e.reason)])?;
    let mut problems = Vec::new();
    if request.flow.is_unknown() {
        problems.push(invalid(
            "flow",
            format!(
                "Unknown flow `{}`; one of redirect, iframe, headless.",
                request.flow
            ),
        ));
    }
    if let Some(language) = &request.language
        && language.is_unknown()
    {
        problems.push(invalid(
            "language",
            format!("Unknown language `{language}`; see GET /languages."),
        ));
    }
    for (i, include) in request.include.iter().enumerate() {
        if include.is_unknown() {
            problems.push(invalid(
                &format!("include[{i}]"),
                format!("Unknown include value `{include}`."),
            ));
        }
    }
    for (i, provider) in request.allowed_providers.iter().enumerate() {
        if provider.is_unknown() {
            problems.push(invalid(
                &format!("allowedProviders[{i}]"),
                format!("Unknown ID provider `{provider}`; see GET /id-providers."),
            ));
        } else if request.flow == types::Flow::Headless && !headless_capable(provider) {
            problems.push(invalid(
                &format!("allowedProviders[{i}]"),
                format!(
                    "`{provider}` does not support the headless flow (no_bankid_mobile, se_bankid)."
                ),
            ));
        }
    }
    match request.flow {
        types::Flow::Redirect => {
            let urls = request.redirect_settings.clone().unwrap_or_default();
            for (name, url) in [
                ("redirectSettings.successUrl", &urls.success_url),
                ("redirectSettings.abortUrl", &urls.abort_url),
                ("redirectSettings.errorUrl", &urls.error_url),
            ] {
                match url {
                    None => {
                        problems.push(invalid(name, "Required for the redirect flow.".to_string()))
                    }
                    Some(url) if !is_trimmed_web_url(url) => {
                        problems.push(invalid(name, "Must be an absolute http(s) URL."))
                    }
                    Some(_) => {}
                }
            }
        }
        types::Flow::Iframe => {
            let settings = request.iframe_settings.clone().unwrap_or_default();
            match &settings.post_message_target_origin {
                None => problems.push(invalid(
                    "iframeSettings.postMessageTargetOrigin",
                    "Required for the iframe flow.",
                )),
                Some(origin) if !is_origin(origin) => problems.push(invalid(
                    "iframeSettings.postMessageTargetOrigin",
                    "Must be an origin: scheme://host[:port].",
                )),
                Some(_) => {}
            }
            for (i, domain) in settings.parent_domains.iter().enumerate() {
                if !is_trimmed_web_url(domain) {
                    problems.push(invalid(
                        &format!("iframeSettings.parentDomains[{i}]"),
                        "Must be an absolute http(s) URL.",
                    ));
                }
            }
        }
        _ => {}
    }
    if let Some(ui) = &request.ui {
        if ui.theme_mode.as_ref().is_some_and(|m| m.is_unknown()) {
            problems.push(invalid("ui.themeMode", "One of light, dark."));
        }
        if ui.color_theme.as_ref().is_some_and(|c| c.is_unknown()) {
            problems.push(invalid("ui.colorTheme", "One of default, light_blue."));
        }
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}
