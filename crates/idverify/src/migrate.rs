//! From the legacy Idfy Identification API v1 to Signicat Identification v2, as the
//! vendor's migration guide maps it (features `idfy-identification-v1` and
//! `signicat-identification-v2`).
//!
//! - [`status`]: a v1 session status → the v2 status (the guide's status table);
//! - [`create_request`]: a v1 `POST /session` body → a v2 `POST /sessions` body;
//! - [`headless_request`]: a v1 `POST /no/bankid/mobile` body → a v2 headless
//!   `POST /sessions` body with `prefilledInput`.
//!
//! Nothing is dropped silently: every v1 member with no v2 home, or whose meaning
//! changes, is a [`Loss`] in the [`Migrated`] result, to read before sending.
//!
//! | v1 | v2 |
//! | --- | --- |
//! | `IdentityProvider` | `allowedProviders` (one) |
//! | `ReturnUrls` | `redirectSettings`, flow `redirect` (placeholders `[0]`–`[2]` are not substituted by v2: a loss) |
//! | `iFrame.Domain`, `WebMessaging` | `iframeSettings.parentDomains`, `postMessageTargetOrigin`, flow `iframe` |
//! | `Language` | `language` |
//! | `GetSocialSecurityNumber` | `include: nin` (`name` always: v1 always returned it) |
//! | `PreFilledSocialSecurityNumber` | `prefilledInput.nin` |
//! | `ExternalReference` | `externalReference` |
//! | `MobileNumber` (8 digits) | `prefilledInput.phoneNumber`, `+47` prefixed |
//! | `DateOfBirth` (`DDMMYY`) | `prefilledInput.dateOfBirth` (`YYYY-MM-DD`) |
//! | `PageTitle`, `iFrame.Height`, `Addonservices` | none: losses |

use std::fmt;

use chrono::{Datelike, NaiveDate, Utc};

use crate::idfy_identification_v1::types as v1;
use crate::signicat_identification_v2::types as v2;

/// A v1 member that the v2 request cannot carry, or carries with another meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    /// The v1 member, e.g. `PageTitle` or `ReturnUrls.Success`.
    pub member: &'static str,
    /// What happens to it.
    pub reason: &'static str,
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.member, self.reason)
    }
}

/// A v2 value, and what of the v1 value it could not carry.
#[derive(Debug, Clone, PartialEq)]
pub struct Migrated<T> {
    /// The v2 value.
    pub value: T,
    /// The v1 members lost or changed in meaning (empty when the mapping is exact).
    pub losses: Vec<Loss>,
}

/// The v2 status of a v1 status; `None` for v1's `UNKNOWN` and for values the v1
/// client does not know.
pub fn status(status: &v1::Status) -> Option<v2::SessionStatus> {
    Some(match status {
        v1::Status::Success => v2::SessionStatus::Success,
        v1::Status::Error => v2::SessionStatus::Failed,
        v1::Status::Useraborted => v2::SessionStatus::UserAborted,
        v1::Status::Invalidated => v2::SessionStatus::Invalidated,
        v1::Status::Timeout => v2::SessionStatus::TimedOut,
        v1::Status::Created => v2::SessionStatus::Created,
        v1::Status::Userinitiated => v2::SessionStatus::UserInitiated,
        _ => return None,
    })
}

/// The v2 ID provider of a v1 one; `None` for `UNKNOWN` and unknown values.
pub fn provider(provider: &v1::IdentityProvider) -> Option<v2::IdProviderType> {
    Some(match provider {
        v1::IdentityProvider::NoBankidMobile => v2::IdProviderType::NoBankidMobile,
        v1::IdentityProvider::NoBankidWeb => v2::IdProviderType::NoBankidNetcentric,
        v1::IdentityProvider::SweBankid | v1::IdentityProvider::SweBankidMobile => {
            v2::IdProviderType::SeBankid
        }
        v1::IdentityProvider::NoBuypass => v2::IdProviderType::NoBuypass,
        v1::IdentityProvider::DaNemid => v2::IdProviderType::DkNemid,
        // TUPAS became the Finnish Trust Network.
        v1::IdentityProvider::FiTupas => v2::IdProviderType::Ftn,
        _ => return None,
    })
}

fn language(language: &v1::Language) -> Option<v2::Language> {
    Some(match language {
        v1::Language::No => v2::Language::No,
        v1::Language::En => v2::Language::En,
        v1::Language::Sv => v2::Language::Sv,
        v1::Language::Da => v2::Language::Da,
        v1::Language::Fi => v2::Language::Fi,
        _ => return None,
    })
}

fn include(get_nin: Option<bool>) -> Vec<v2::Include> {
    // v1 returned the name of every identified person; v2 only when asked.
    let mut include = vec![v2::Include::Name];
    if get_nin == Some(true) {
        include.push(v2::Include::Nin);
    }
    include
}

fn has_placeholder(url: &str) -> bool {
    ["[0]", "[1]", "[2]"].iter().any(|p| url.contains(p))
}

/// A v1 create request (`POST /session`) as a v2 one (`POST /sessions`).
pub fn create_request(
    request: &v1::CreateIdentificationRequest,
) -> Migrated<v2::CreateSessionRequest> {
    let mut losses = Vec::new();
    let mut lose = |member, reason| losses.push(Loss { member, reason });
    let allowed_providers = match &request.identity_provider {
        None => Vec::new(),
        Some(p) => match provider(p) {
            Some(p) => vec![p],
            None => {
                lose(
                    "IdentityProvider",
                    "no v2 ID provider for it: every provider of the account is allowed",
                );
                Vec::new()
            }
        },
    };
    let language = request.language.as_ref().and_then(|l| {
        let mapped = language(l);
        if mapped.is_none() {
            lose("Language", "no v2 language for it: the UI is in English");
        }
        mapped
    });
    let redirect_settings = request.return_urls.as_ref().map(|urls| {
        for (member, url) in [
            ("ReturnUrls.Success", &urls.success),
            ("ReturnUrls.Abort", &urls.abort),
            ("ReturnUrls.Error", &urls.error),
        ] {
            if has_placeholder(url) {
                lose(
                    member,
                    "v2 does not substitute the placeholders [0] (status), [1] (request id), [2] (external reference); the URL is sent as written",
                );
            }
        }
        v2::RedirectSettings {
            success_url: Some(urls.success.clone()),
            abort_url: Some(urls.abort.clone()),
            error_url: Some(urls.error.clone()),
        }
    });
    let iframe_settings = request.i_frame.as_ref().map(|frame| {
        if frame.height.is_some() {
            lose(
                "iFrame.Height",
                "no v2 home: the embedding page sizes the iframe",
            );
        }
        let web_messaging = frame.web_messaging == Some(true);
        if !web_messaging {
            lose(
                "iFrame.WebMessaging",
                "v2 always posts a message to the parent and never redirects it",
            );
        }
        v2::IframeSettings {
            parent_domains: vec![frame.domain.clone()],
            post_message_target_origin: web_messaging.then(|| frame.domain.clone()),
        }
    });
    let flow = if iframe_settings.is_some() {
        v2::Flow::Iframe
    } else {
        v2::Flow::Redirect
    };
    if request.page_title.is_some() {
        lose(
            "PageTitle",
            "no v2 home: the page title comes from the account's theme",
        );
    }
    if request
        .addonservices
        .as_ref()
        .is_some_and(|a| !a.is_empty())
    {
        lose(
            "Addonservices",
            "no v2 home: ask for extra data with `include` (e.g. resources) instead",
        );
    }
    let prefilled_input = request
        .pre_filled_social_security_number
        .as_ref()
        .map(|nin| v2::PrefilledInput {
            nin: Some(nin.clone()),
            date_of_birth: None,
            phone_number: None,
            user_name: None,
            username: None,
        });
    Migrated {
        value: v2::CreateSessionRequest {
            allowed_providers,
            department_id: None,
            external_reference: request.external_reference.clone(),
            flow,
            iframe_settings,
            include: include(request.get_social_security_number),
            language,
            prefilled_input,
            redirect_settings,
            ui: None,
        },
        losses,
    }
}

/// `DDMMYY` → `YYYY-MM-DD`, the century the latest that is not in the future; `None`
/// when it is not such a date.
fn iso_date_of_birth(ddmmyy: &str) -> Option<String> {
    let text = ddmmyy.trim();
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let today = Utc::now().date_naive();
    let (day, month, yy) = (
        text[0..2].parse().ok()?,
        text[2..4].parse().ok()?,
        text[4..6].parse::<i32>().ok()?,
    );
    let century = today.year() / 100 * 100;
    let date = NaiveDate::from_ymd_opt(century + yy, month, day)
        .filter(|d| *d <= today)
        .or_else(|| NaiveDate::from_ymd_opt(century - 100 + yy, month, day))?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// A Norwegian mobile number with its country code (`99887766` → `+4799887766`).
fn norwegian_phone(number: &str) -> String {
    let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("0047") {
        format!("+47{rest}")
    } else {
        format!("+47{digits}")
    }
}

/// A v1 headless BankID on mobile request (`POST /no/bankid/mobile`) as a v2 headless
/// session (`POST /sessions`, flow `headless`).
pub fn headless_request(
    request: &v1::CreateBankIdMobileRequest,
) -> Migrated<v2::CreateSessionRequest> {
    let mut losses = Vec::new();
    let date_of_birth = match iso_date_of_birth(&request.date_of_birth) {
        Some(date) => date,
        None => {
            losses.push(Loss {
                member: "DateOfBirth",
                reason: "not a DDMMYY date: sent as written (v2 takes DDMMYY for Norwegian BankID on mobile)",
            });
            request.date_of_birth.clone()
        }
    };
    if request
        .addonservices
        .as_ref()
        .is_some_and(|a| !a.is_empty())
    {
        losses.push(Loss {
            member: "Addonservices",
            reason: "no v2 home: ask for extra data with `include` instead",
        });
    }
    Migrated {
        value: v2::CreateSessionRequest {
            allowed_providers: vec![v2::IdProviderType::NoBankidMobile],
            department_id: None,
            external_reference: request.external_reference.clone(),
            flow: v2::Flow::Headless,
            iframe_settings: None,
            include: include(request.get_social_security_number),
            language: None,
            prefilled_input: Some(v2::PrefilledInput {
                nin: None,
                date_of_birth: Some(date_of_birth),
                phone_number: Some(norwegian_phone(&request.mobile_number)),
                user_name: None,
                username: None,
            }),
            redirect_settings: None,
            ui: None,
        },
        losses,
    }
}
