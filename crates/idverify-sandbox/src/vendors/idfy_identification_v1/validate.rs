//! What the create-session and BankID-on-mobile bodies must be, beyond what the generated
//! types check.

use super::*;
use crate::kit::http::is_web_url;

/// Why a request was refused: `field: reason` for each problem, joined with `; `.
pub(super) fn problems_message(problems: &[(String, String)]) -> String {
    problems
        .iter()
        .map(|(field, reason)| format!("{field}: {reason}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parses and validates a create-session body; a refusal lists `(field, reason)`.
pub fn validate_create(
    body: &[u8],
) -> Result<types::CreateIdentificationRequest, Vec<(String, String)>> {
    let request: types::CreateIdentificationRequest =
        parse_request(
        body,
        spec_facts::CREATE_SESSION.request_nullable,
    ).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    if let Some(
        provider @ (types::IdentityProvider::Unknown(_) | types::IdentityProvider::UnknownValue),
    ) = &request.identity_provider
    {
        problems.push((
            "IdentityProvider".to_string(),
            format!(
                "Unknown identity provider `{provider}`; one of NO_BANKID_MOBILE, NO_BANKID_WEB, \
                 SWE_BANKID, SWE_BANKID_MOBILE, NO_BUYPASS, DA_NEMID, FI_TUPAS."
            ),
        ));
    }
    if let Some(language) = &request.language
        && language.is_unknown()
    {
        problems.push((
            "Language".to_string(),
            format!("Unknown language `{language}`; one of NO, EN, SV, DA, FI."),
        ));
    }
    match (&request.return_urls, &request.i_frame) {
        (None, None) => problems.push((
            "ReturnUrls".to_string(),
            "The ReturnUrls field is required (unless iFrame is set).".to_string(),
        )),
        (Some(urls), _) => {
            for (name, url) in [
                ("ReturnUrls.Success", &urls.success),
                ("ReturnUrls.Abort", &urls.abort),
                ("ReturnUrls.Error", &urls.error),
            ] {
                if !is_web_url(url) {
                    problems.push((name.to_string(), "Must be an absolute http(s) URL.".into()));
                }
            }
        }
        (None, Some(_)) => {}
    }
    if let Some(frame) = &request.i_frame
        && frame.domain.trim().is_empty()
    {
        problems.push(("iFrame.Domain".to_string(), "Must not be empty.".into()));
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

/// Parses and validates a BankID on mobile body: the request and the 8-digit number.
pub fn validate_mobile(
    body: &[u8],
) -> Result<(types::CreateBankIdMobileRequest, String), Vec<(String, String)>> {
    let request: types::CreateBankIdMobileRequest =
        parse_request(
        body,
        spec_facts::CREATE_BANK_ID_MOBILE_SESSION.request_nullable,
    ).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    let mobile = norwegian_mobile(&request.mobile_number);
    if mobile.is_none() {
        problems.push((
            "MobileNumber".to_string(),
            "Must be a Norwegian mobile number of 8 digits (optionally +47).".to_string(),
        ));
    }
    if !is_ddmmyy(&request.date_of_birth) {
        problems.push((
            "DateOfBirth".to_string(),
            "Must be a date as DDMMYY (e.g. 071283).".to_string(),
        ));
    }
    match mobile {
        Some(mobile) if problems.is_empty() => Ok((request, mobile)),
        _ => Err(problems),
    }
}
