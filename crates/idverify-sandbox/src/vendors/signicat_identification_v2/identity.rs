//! What a completed session reports about its test person.

use super::*;

/// The ID provider a test person identifies with in a session: the first of the
/// person's eIDs the session allows (headless: one that runs without a UI).
pub fn provider_for(
    person: &Person,
    flow: &types::Flow,
    allowed: &[types::IdProviderType],
) -> Option<types::IdProviderType> {
    use types::IdProviderType as P;
    let candidates: &[P] = match person.provider {
        "nbid" => &[P::NoBankidNetcentric, P::NoBankidMobile, P::NoBankid],
        "sbid" => &[P::SeBankid],
        "idin" => &[P::Idin],
        _ => &[P::SmsOtp],
    };
    candidates
        .iter()
        .filter(|p| *flow != types::Flow::Headless || headless_capable(p))
        .find(|p| allowed.is_empty() || allowed.contains(p))
        .cloned()
}

/// The identity of `person`: `providerId` always, the rest as `include` asks.
pub fn identity(
    person: &Person,
    provider: &types::IdProviderType,
    include: &[types::Include],
) -> types::Identity {
    let wants = |value: types::Include| include.contains(&value);
    let name = wants(types::Include::Name);
    types::Identity {
        provider_id: Some(format!("{provider}-{}", person.id)),
        full_name: name.then(|| person.full_name()),
        first_name: name.then(|| person.first_name.to_string()),
        middle_name: if name {
            person.middle_name.map(str::to_string)
        } else {
            None
        },
        last_name: name.then(|| person.last_name.to_string()),
        date_of_birth: wants(types::Include::DateOfBirth).then(|| person.date_of_birth.to_string()),
        nin: (wants(types::Include::Nin) || wants(types::Include::NinConsent))
            .then(|| person.national_id.to_string()),
        phone_number: wants(types::Include::PhoneNumber).then(|| person.phone_number.to_string()),
        email: wants(types::Include::Email).then(|| person.email.to_string()),
        organization: None,
        attributes: None,
        extra: serde_json::Map::new(),
    }
}
