//! One view of a verified person, whichever vendor verified them.
//!
//! [`VerifiedIdentity`] is built with `TryFrom` from each vendor's completed result:
//!
//! | vendor | from |
//! | --- | --- |
//! | Signicat Authentication | `&signicat_authentication::types::Session` (its `subject`) |
//! | Signicat Identification v2 | `&signicat_identification_v2::types::Session` (its `identity`) |
//! | Idfy Identification v1 | `&idfy_identification_v1::types::IdentificationResponse` |
//! | IDnow platform | `(&idnow_platform::types::Session, &idnow_platform::types::DatablockList)` (`basicIdentity`, `documentData`) |
//! | Identify VideoIdent | `&identify_videoident::types::Ident` (of `get_ident` or `get_ident_data`) |
//!
//! A session that did not succeed is [`IdentityError::NotSuccessful`], one without the
//! person's data [`IdentityError::Missing`] naming the member: never a half-empty
//! identity. Field names follow OpenID Connect's standard claims (`given_name`,
//! `family_name`, `birthdate`, `address`, `phone_number`) and the eIDAS minimum data set
//! where OIDC has no name (`birth_name`, `birth_place`).
//!
//! `Debug` shows which fields are present, never their values; `Serialize` and
//! `Deserialize` keep everything, so an identity can be stored (store it as the
//! personal data it is).
// With no vendor API turned on, the conversions' helpers have no caller.
#![cfg_attr(
    not(any(
        feature = "signicat-authentication",
        feature = "signicat-identification-v2",
        feature = "idfy-identification-v1",
        feature = "idnow-platform",
        feature = "identify-videoident"
    )),
    allow(dead_code)
)]

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Which vendor API verified the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Provider {
    /// Signicat Authentication REST API v1 (eID Hub).
    SignicatAuthentication,
    /// Signicat (Idfy) Identification API v2.
    SignicatIdentificationV2,
    /// The legacy Idfy Identification API v1.
    IdfyIdentificationV1,
    /// IDnow platform API v1.
    IdnowPlatform,
    /// Identify VideoIdent API 1.0.3.
    IdentifyVideoident,
}

/// How sure the vendor is that the person is who they claim (eIDAS levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LevelOfAssurance {
    /// eIDAS low.
    Low,
    /// eIDAS substantial.
    Substantial,
    /// eIDAS high.
    High,
    /// The vendor does not say.
    #[default]
    Unknown,
}

impl LevelOfAssurance {
    #[cfg(feature = "signicat-authentication")]
    fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" => Self::Low,
            "substantial" => Self::Substantial,
            "high" => Self::High,
            _ => Self::Unknown,
        }
    }
}

/// A date of birth: a full date, or only the year when the vendor gives no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthDate {
    /// The whole date.
    Date(NaiveDate),
    /// Only the year (OIDC's `0000`-less form `YYYY`).
    Year(i32),
}

impl BirthDate {
    /// The year of birth.
    pub fn year(&self) -> i32 {
        match self {
            Self::Date(date) => date.year(),
            Self::Year(year) => *year,
        }
    }

    /// `YYYY-MM-DD`, or `YYYY` for a year only (OIDC's `birthdate`).
    pub fn to_oidc(&self) -> String {
        match self {
            Self::Date(date) => date.format("%Y-%m-%d").to_string(),
            Self::Year(year) => format!("{year:04}"),
        }
    }

    /// `YYYY-MM-DD` or `YYYY`; `None` for anything else.
    fn parse_iso(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(Self::Date(date));
        }
        (text.len() == 4)
            .then(|| text.parse().ok().map(Self::Year))
            .flatten()
    }
}

/// What kind of identifier a [`NationalId`] is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NationalIdKind {
    /// A national identity number (e.g. a Norwegian fødselsnummer).
    NationalIdentityNumber,
    /// The number of an identity card.
    IdCard,
    /// The number of a passport.
    Passport,
    /// Another kind, as the vendor names it.
    Other(String),
}

/// An identifier a state issued to the person.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalId {
    /// The identifier.
    pub value: String,
    /// The issuing country (ISO 3166-1 alpha-2) when known.
    pub issuing_country: Option<String>,
    /// What it is.
    pub kind: NationalIdKind,
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NationalId")
            .field("value", &Redacted)
            .field("issuing_country", &self.issuing_country)
            .field("kind", &self.kind)
            .finish()
    }
}

/// A postal address (OIDC's `address` claim).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    /// Street and house number.
    pub street_address: Option<String>,
    /// City.
    pub locality: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country (ISO 3166-1 alpha-2 where the vendor gives a code).
    pub country: Option<String>,
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Address")?;
        f.write_str(crate::runtime::REDACTED)
    }
}

/// A person as a vendor verified them. See the [module docs](self).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VerifiedIdentity {
    /// The vendor API.
    pub provider: Provider,
    /// The e-ID or method the person used, as the vendor names it (`nbid`,
    /// `no_bankid_netcentric`, a flow id, ...).
    pub method: Option<String>,
    /// The person's id at the vendor or its e-ID, stable across sessions where the
    /// vendor says so (OIDC `sub`, scoped to `provider` and `method`).
    pub subject: Option<String>,
    /// Given name(s).
    pub given_name: Option<String>,
    /// Middle name(s).
    pub middle_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// The full name as the vendor gives it, else given, middle and family names.
    pub name: String,
    /// Date of birth (OIDC `birthdate`).
    pub birthdate: Option<BirthDate>,
    /// Place of birth (eIDAS).
    pub birth_place: Option<String>,
    /// Name at birth (eIDAS).
    pub birth_name: Option<String>,
    /// Nationality (ISO 3166-1 alpha-2 where the vendor gives a code).
    pub nationality: Option<String>,
    /// A national identity number, or the number of the identity document checked.
    pub national_id: Option<NationalId>,
    /// Postal address.
    pub address: Option<Address>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// The level of assurance, where the vendor says it.
    pub level_of_assurance: LevelOfAssurance,
    /// When the vendor verified the person, where it says.
    pub verified_at: Option<DateTime<Utc>>,
    /// The vendor's session (ident, request) id.
    pub session_id: String,
    /// The vendor's other attributes of the person, by the vendor's member names.
    pub other: BTreeMap<String, serde_json::Value>,
}

/// Prints `[redacted]`.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::runtime::REDACTED)
    }
}

/// `Some([redacted])` or `None`: shows whether a personal field is there, not its value.
fn presence<T>(value: &Option<T>) -> Option<Redacted> {
    value.as_ref().map(|_| Redacted)
}

impl fmt::Debug for VerifiedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedIdentity")
            .field("provider", &self.provider)
            .field("method", &self.method)
            .field("subject", &presence(&self.subject))
            .field("given_name", &presence(&self.given_name))
            .field("middle_name", &presence(&self.middle_name))
            .field("family_name", &presence(&self.family_name))
            .field("name", &Redacted)
            .field("birthdate", &presence(&self.birthdate))
            .field("birth_place", &presence(&self.birth_place))
            .field("birth_name", &presence(&self.birth_name))
            .field("nationality", &presence(&self.nationality))
            .field("national_id", &self.national_id)
            .field("address", &presence(&self.address))
            .field("email", &presence(&self.email))
            .field("phone_number", &presence(&self.phone_number))
            .field("level_of_assurance", &self.level_of_assurance)
            .field("verified_at", &self.verified_at)
            .field("session_id", &self.session_id)
            .field("other", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl VerifiedIdentity {
    /// The person's data with every value but the first letter masked (`K*** N*********`,
    /// `19**-**-**`, `99*********`): to show in logs or a console what was received
    /// without showing who.
    pub fn masked(&self) -> MaskedIdentity<'_> {
        MaskedIdentity(self)
    }
}

/// [`VerifiedIdentity::masked`]: `Display` shows the identity with its values masked.
pub struct MaskedIdentity<'a>(&'a VerifiedIdentity);

fn mask(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for MaskedIdentity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.0;
        writeln!(
            f,
            "provider:      {:?} ({})",
            id.provider,
            id.method.as_deref().unwrap_or("-")
        )?;
        writeln!(f, "name:          {}", mask(&id.name))?;
        if let Some(birthdate) = &id.birthdate {
            writeln!(f, "birthdate:     {}**-**-**", birthdate.year() / 100)?;
        }
        if let Some(national_id) = &id.national_id {
            let shown: String = national_id.value.chars().take(2).collect();
            writeln!(
                f,
                "national id:   {shown}{} ({:?}, {})",
                "*".repeat(national_id.value.chars().count().saturating_sub(2)),
                national_id.kind,
                national_id.issuing_country.as_deref().unwrap_or("-")
            )?;
        }
        for (label, value) in [
            ("nationality", &id.nationality),
            ("email", &id.email),
            ("phone", &id.phone_number),
        ] {
            if let Some(value) = value {
                writeln!(f, "{label:<14} {}", mask(value))?;
            }
        }
        writeln!(f, "assurance:     {:?}", id.level_of_assurance)?;
        write!(f, "session:       {}", id.session_id)
    }
}

/// Why a vendor's result gave no [`VerifiedIdentity`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityError {
    /// The session did not end in success; `status` is the vendor's.
    NotSuccessful {
        /// The vendor API.
        provider: Provider,
        /// The session's status as the vendor sends it (empty when absent).
        status: String,
    },
    /// A member the identity needs is absent; `member` is its path in the vendor's
    /// result (e.g. `subject`, `identity.lastName`).
    Missing {
        /// The vendor API.
        provider: Provider,
        /// The absent member.
        member: &'static str,
    },
}

impl IdentityError {
    fn missing(provider: Provider, member: &'static str) -> Self {
        Self::Missing { provider, member }
    }
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSuccessful { provider, status } => write!(
                f,
                "the {provider:?} session did not succeed (status `{status}`): no identity"
            ),
            Self::Missing { provider, member } => {
                write!(f, "the {provider:?} result has no `{member}`: no identity")
            }
        }
    }
}

impl std::error::Error for IdentityError {}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The full name: the vendor's, else the parts joined; `None` when there is no name.
fn full_name(
    name: Option<String>,
    given: &Option<String>,
    middle: &Option<String>,
    family: &Option<String>,
) -> Option<String> {
    name.or_else(|| {
        let parts: Vec<&str> = [given, middle, family]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

/// `Ok` for a successful session, else [`IdentityError::NotSuccessful`] with its status
/// as received.
#[cfg(any(
    feature = "signicat-authentication",
    feature = "signicat-identification-v2",
    feature = "idfy-identification-v1"
))]
fn succeeded(
    provider: Provider,
    successful: bool,
    status: Option<&str>,
) -> Result<(), IdentityError> {
    if successful {
        Ok(())
    } else {
        Err(IdentityError::NotSuccessful {
            provider,
            status: status.unwrap_or_default().to_string(),
        })
    }
}

/// The country an e-ID belongs to, from a provider name such as `no_bankid_mobile` or
/// `NO_BANKID_WEB` (the vendors prefix their Nordic e-IDs so).
#[cfg(any(
    feature = "signicat-identification-v2",
    feature = "idfy-identification-v1"
))]
fn country_of_method(method: &str) -> Option<String> {
    let prefix = method.split('_').next()?.to_ascii_uppercase();
    matches!(prefix.as_str(), "NO" | "SE" | "DK" | "FI").then_some(prefix)
}

/// ISO 3166-1 alpha-3 → alpha-2 for the countries the vendors serve; other codes as
/// they are.
#[cfg(any(
    feature = "signicat-authentication",
    feature = "idnow-platform",
    feature = "identify-videoident"
))]
fn alpha2(code: &str) -> String {
    let code = code.trim().to_ascii_uppercase();
    let two = match code.as_str() {
        "NOR" => "NO",
        "SWE" => "SE",
        "DNK" => "DK",
        "FIN" => "FI",
        "DEU" => "DE",
        "AUT" => "AT",
        "CHE" => "CH",
        "NLD" => "NL",
        "BEL" => "BE",
        "FRA" => "FR",
        "ITA" => "IT",
        "ESP" => "ES",
        "GBR" => "GB",
        "POL" => "PL",
        _ => return code,
    };
    two.to_string()
}

#[cfg(any(
    feature = "signicat-authentication",
    feature = "idnow-platform",
    feature = "identify-videoident"
))]
fn kind_of(kind: Option<&str>) -> NationalIdKind {
    match kind.map(|k| k.trim().to_ascii_lowercase()) {
        None => NationalIdKind::NationalIdentityNumber,
        // Signicat's eID Hub says `SOCIAL` for a national identity number.
        Some(k)
            if k.is_empty() || k == "nin" || k == "ssn" || k == "social" || k == "national_id" =>
        {
            NationalIdKind::NationalIdentityNumber
        }
        // IDnow's `ID`, Identify's `Personalausweis` (German identity card).
        Some(k) if k == "id" || k == "id_card" || k == "idcard" || k == "personalausweis" => {
            NationalIdKind::IdCard
        }
        Some(k) if k == "passport" || k == "reisepass" => NationalIdKind::Passport,
        Some(k) => NationalIdKind::Other(k),
    }
}

/// The name members of a vendor's result, as sent.
struct Names<'a> {
    full: Option<&'a Option<String>>,
    given: &'a Option<String>,
    middle: Option<&'a Option<String>>,
    family: &'a Option<String>,
}

/// An identity with the person's names and nothing else yet; `Missing(member)` when
/// the result has no name at all.
fn named(
    provider: Provider,
    session_id: String,
    names: Names<'_>,
    member: &'static str,
) -> Result<VerifiedIdentity, IdentityError> {
    let given = non_empty(names.given);
    let middle = names.middle.and_then(non_empty);
    let family = non_empty(names.family);
    let name = full_name(names.full.and_then(non_empty), &given, &middle, &family)
        .ok_or(IdentityError::missing(provider, member))?;
    let mut out = empty(provider, session_id, name);
    out.given_name = given;
    out.middle_name = middle;
    out.family_name = family;
    Ok(out)
}

fn empty(provider: Provider, session_id: String, name: String) -> VerifiedIdentity {
    VerifiedIdentity {
        provider,
        method: None,
        subject: None,
        given_name: None,
        middle_name: None,
        family_name: None,
        name,
        birthdate: None,
        birth_place: None,
        birth_name: None,
        nationality: None,
        national_id: None,
        address: None,
        email: None,
        phone_number: None,
        level_of_assurance: LevelOfAssurance::Unknown,
        verified_at: None,
        session_id,
        other: BTreeMap::new(),
    }
}

#[cfg(feature = "signicat-authentication")]
mod signicat_authentication {
    use super::*;
    use crate::signicat_authentication::types;

    const P: Provider = Provider::SignicatAuthentication;

    impl TryFrom<&types::Session> for VerifiedIdentity {
        type Error = IdentityError;

        /// The session's `subject`, once its status is `SUCCESS`.
        fn try_from(session: &types::Session) -> Result<Self, IdentityError> {
            succeeded(P, session.is_successful(), session.lifecycle_status())?;
            let missing = |member| IdentityError::missing(P, member);
            let session_id = session.id.clone().ok_or(missing("id"))?;
            let subject = session.subject.as_ref().ok_or(missing("subject"))?;
            let names = Names {
                full: Some(&subject.name),
                given: &subject.first_name,
                middle: Some(&subject.middle_name),
                family: &subject.last_name,
            };
            let mut out = named(P, session_id, names, "subject.name")?;
            out.method = session.provider.clone();
            out.subject = non_empty(&subject.id).or_else(|| non_empty(&subject.idp_id));
            out.birthdate = subject
                .date_of_birth
                .as_deref()
                .and_then(BirthDate::parse_iso);
            out.national_id = subject.nin.as_ref().and_then(|nin| {
                Some(NationalId {
                    value: non_empty(&nin.value)?,
                    issuing_country: non_empty(&nin.issuing_country).map(|c| alpha2(&c)),
                    kind: kind_of(nin.type_.as_deref()),
                })
            });
            out.email = non_empty(&subject.email);
            out.level_of_assurance = session
                .loa
                .as_deref()
                .map(LevelOfAssurance::parse)
                .unwrap_or_default();
            out.other = subject.extra.clone().into_iter().collect();
            Ok(out)
        }
    }
}

#[cfg(feature = "signicat-identification-v2")]
mod signicat_identification_v2 {
    use super::*;
    use crate::signicat_identification_v2::types;

    const P: Provider = Provider::SignicatIdentificationV2;

    impl TryFrom<&types::Session> for VerifiedIdentity {
        type Error = IdentityError;

        /// The session's `identity`, once its status is `success`.
        fn try_from(session: &types::Session) -> Result<Self, IdentityError> {
            succeeded(P, session.is_successful(), session.lifecycle_status())?;
            let missing = |member| IdentityError::missing(P, member);
            let identity = session.identity.as_ref().ok_or(missing("identity"))?;
            let names = Names {
                full: Some(&identity.full_name),
                given: &identity.first_name,
                middle: Some(&identity.middle_name),
                family: &identity.last_name,
            };
            let mut out = named(P, session.id.clone(), names, "identity.fullName")?;
            let method = session.provider.as_ref().map(|p| p.to_string());
            out.subject = non_empty(&identity.provider_id);
            out.birthdate = identity
                .date_of_birth
                .as_deref()
                .and_then(BirthDate::parse_iso);
            out.national_id = non_empty(&identity.nin).map(|value| NationalId {
                value,
                issuing_country: method.as_deref().and_then(country_of_method),
                kind: NationalIdKind::NationalIdentityNumber,
            });
            out.email = non_empty(&identity.email);
            out.phone_number = non_empty(&identity.phone_number);
            out.method = method;
            out.other = identity.extra.clone().into_iter().collect();
            if let Some(attributes) = &identity.attributes {
                for (key, value) in attributes {
                    out.other.insert(key.clone(), value.clone());
                }
            }
            Ok(out)
        }
    }
}

#[cfg(feature = "idfy-identification-v1")]
mod idfy_identification_v1 {
    use super::*;
    use crate::idfy_identification_v1::types;

    const P: Provider = Provider::IdfyIdentificationV1;

    /// `DDMMYY` (the v1 API's date of birth). The century is the latest that does not
    /// put the birth in the future.
    pub(super) fn ddmmyy(text: &str, today: NaiveDate) -> Option<BirthDate> {
        let text = text.trim();
        if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return BirthDate::parse_iso(text);
        }
        let day: u32 = text[0..2].parse().ok()?;
        let month: u32 = text[2..4].parse().ok()?;
        let yy: i32 = text[4..6].parse().ok()?;
        let century = today.year() / 100 * 100;
        let date = NaiveDate::from_ymd_opt(century + yy, month, day)?;
        if date <= today {
            Some(BirthDate::Date(date))
        } else {
            NaiveDate::from_ymd_opt(century - 100 + yy, month, day).map(BirthDate::Date)
        }
    }

    impl TryFrom<&types::IdentificationResponse> for VerifiedIdentity {
        type Error = IdentityError;

        /// The identified person, once `Status` is `SUCCESS` (the only status in which
        /// the end user is identified).
        fn try_from(session: &types::IdentificationResponse) -> Result<Self, IdentityError> {
            succeeded(P, session.is_successful(), session.lifecycle_status())?;
            let missing = |member| IdentityError::missing(P, member);
            let session_id = session.request_id.clone().ok_or(missing("RequestId"))?;
            let names = Names {
                full: Some(&session.name),
                given: &session.first_name,
                middle: Some(&session.middle_name),
                family: &session.last_name,
            };
            let mut out = named(P, session_id, names, "Name")?;
            let method = session.identity_provider.as_ref().map(|p| p.to_string());
            out.subject = non_empty(&session.identity_provider_unique_id);
            out.birthdate = session
                .date_of_birth
                .as_deref()
                .and_then(|d| ddmmyy(d, Utc::now().date_naive()));
            out.national_id = non_empty(&session.social_security_number).map(|value| NationalId {
                value,
                issuing_country: method.as_deref().and_then(country_of_method),
                kind: NationalIdKind::NationalIdentityNumber,
            });
            out.method = method;
            if let Some(meta) = &session.meta_data {
                for (key, value) in meta {
                    out.other.insert(key.clone(), value.clone().into());
                }
            }
            Ok(out)
        }
    }
}

#[cfg(feature = "idnow-platform")]
mod idnow_platform {
    use super::*;
    use crate::idnow_platform::{TypedDatablock, types};

    const P: Provider = Provider::IdnowPlatform;

    impl TryFrom<(&types::Session, &types::DatablockList)> for VerifiedIdentity {
        type Error = IdentityError;

        /// The session's `basicIdentity` (and `documentData`, for the national id) data
        /// blocks, once the session is `COMPLETED` with the outcome `accepted`.
        fn try_from(
            (session, blocks): (&types::Session, &types::DatablockList),
        ) -> Result<Self, IdentityError> {
            let accepted = session.outcome.as_ref() == Some(&types::SessionOutcome::Accepted);
            if !session.is_successful() || !accepted {
                return Err(IdentityError::NotSuccessful {
                    provider: P,
                    status: match &session.outcome {
                        Some(outcome) => format!("{}/{outcome}", session.session_status),
                        None => session.session_status.to_string(),
                    },
                });
            }
            let missing = |member| IdentityError::missing(P, member);
            let mut basic = None;
            let mut document = None;
            for block in &blocks.data_blocks {
                match block.typed() {
                    Ok(TypedDatablock::BasicIdentity(b)) => basic = Some(b),
                    Ok(TypedDatablock::DocumentData(d)) => document = Some(d),
                    _ => {}
                }
            }
            let basic = basic.ok_or(missing("dataBlocks[type=basicIdentity].content"))?;
            let names = Names {
                full: None,
                given: &basic.given_name,
                middle: None,
                family: &basic.family_name,
            };
            let mut out = named(
                P,
                session.session_id.clone(),
                names,
                "basicIdentity.familyName",
            )?;
            out.method = session.flow_id.clone();
            out.subject = non_empty(&session.subject_id);
            out.birthdate = basic.birth_date.as_deref().and_then(BirthDate::parse_iso);
            out.birth_place = non_empty(&basic.birth_place);
            out.birth_name = non_empty(&basic.birth_name);
            out.nationality = non_empty(&basic.nationality).map(|c| alpha2(&c));
            out.email = non_empty(&basic.email);
            out.phone_number = non_empty(&basic.phone_number);
            out.address = basic.address.as_ref().map(|a| Address {
                street_address: full_name(None, &a.street, &None, &a.house_number),
                locality: non_empty(&a.city),
                postal_code: non_empty(&a.zip_code),
                country: non_empty(&a.country).map(|c| alpha2(&c)),
            });
            out.verified_at = session
                .completed_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            if let Some(document) = document {
                out.national_id = non_empty(&document.document_number).map(|value| NationalId {
                    value,
                    issuing_country: non_empty(&document.issuing_country).map(|c| alpha2(&c)),
                    kind: kind_of(document.document_type.as_deref()),
                });
                for (key, value) in [
                    ("documentType", &document.document_type),
                    ("expiryDate", &document.expiry_date),
                    ("issuingAuthority", &document.issuing_authority),
                ] {
                    if let Some(value) = value {
                        out.other.insert(key.to_string(), value.clone().into());
                    }
                }
            }
            out.other.extend(basic.extra.clone());
            Ok(out)
        }
    }
}

#[cfg(feature = "identify-videoident")]
mod identify_videoident {
    use super::*;
    use crate::identify_videoident::{IdentStatus, types};

    const P: Provider = Provider::IdentifyVideoident;

    impl TryFrom<&types::Ident> for VerifiedIdentity {
        type Error = IdentityError;

        /// The ident's person, once its status code is `"5"` (`Successful`).
        fn try_from(ident: &types::Ident) -> Result<Self, IdentityError> {
            if ident.known_status() != Some(IdentStatus::Successful) {
                return Err(IdentityError::NotSuccessful {
                    provider: P,
                    status: ident.status_code.clone().unwrap_or_default(),
                });
            }
            let names = Names {
                full: None,
                given: &ident.person_first_name,
                middle: None,
                family: &ident.person_last_name,
            };
            let mut out = named(P, ident.id.clone(), names, "person_last_name")?;
            out.method = Some("videoident".to_string());
            out.birthdate = ident.birthday.as_deref().and_then(BirthDate::parse_iso);
            out.birth_place = non_empty(&ident.birth_place);
            out.birth_name = non_empty(&ident.person_maiden_name);
            out.nationality = non_empty(&ident.nationality).map(|c| alpha2(&c));
            out.email = non_empty(&ident.email);
            out.phone_number = non_empty(&ident.mobile_number);
            let street = full_name(None, &ident.street, &None, &ident.house_no);
            if street.is_some() || non_empty(&ident.city).is_some() {
                out.address = Some(Address {
                    street_address: street,
                    locality: non_empty(&ident.city),
                    postal_code: non_empty(&ident.postal_code),
                    country: non_empty(&ident.land).map(|c| alpha2(&c)),
                });
            }
            out.national_id = non_empty(&ident.id_number).map(|value| NationalId {
                value,
                issuing_country: non_empty(&ident.id_issuing_authority)
                    .filter(|a| a.len() <= 3)
                    .map(|c| alpha2(&c)),
                kind: match &ident.id_type {
                    Some(kind) => kind_of(Some(kind.as_str())),
                    None => NationalIdKind::IdCard,
                },
            });
            // Identify verifies in a video call with an agent.
            out.level_of_assurance = LevelOfAssurance::Unknown;
            Ok(out)
        }
    }

    impl TryFrom<&types::GetIdentResponse> for VerifiedIdentity {
        type Error = IdentityError;

        fn try_from(response: &types::GetIdentResponse) -> Result<Self, IdentityError> {
            Self::try_from(&response.data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_in_oidc_form() {
        assert_eq!(
            BirthDate::parse_iso("1990-12-24").map(|d| d.to_oidc()),
            Some("1990-12-24".into())
        );
        assert_eq!(BirthDate::parse_iso("1990"), Some(BirthDate::Year(1990)));
        assert_eq!(BirthDate::parse_iso("24.12.1990"), None);
    }

    #[cfg(feature = "idfy-identification-v1")]
    #[test]
    fn ddmmyy_takes_the_latest_century_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let date = |y, m, d| Some(BirthDate::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        assert_eq!(
            super::idfy_identification_v1::ddmmyy("010180", today),
            date(1980, 1, 1)
        );
        assert_eq!(
            super::idfy_identification_v1::ddmmyy("010120", today),
            date(2020, 1, 1)
        );
        assert_eq!(
            super::idfy_identification_v1::ddmmyy("311226", today),
            date(1926, 12, 31)
        );
        assert_eq!(super::idfy_identification_v1::ddmmyy("990180", today), None);
    }

    #[test]
    fn masking_keeps_first_letters() {
        assert_eq!(mask("Kari Fiktiv Nordkvinne"), "K*** F***** N*********");
    }
}
