//! What a completed session reports about its test person, and where the browser goes next.

use super::*;

/// The subject for `person`, with only the requested attributes (plus the identifiers
/// `id` and `idpId`, which Signicat always returns).
pub fn subject(person: &Person, requested: &[types::RequestedAttribute]) -> types::Subject {
    // By wire name: names the spec does not list yet (`nationality`) arrive as `Unknown`.
    let wants = |name: &str| requested.iter().any(|r| r.to_string() == name);
    let mut extra = serde_json::Map::new();
    if wants("phoneNumber") {
        extra.insert("phoneNumber".into(), json!(person.phone_number));
    }
    if wants("gender") {
        extra.insert("gender".into(), json!(person.gender));
    }
    if wants("address") {
        extra.insert(
            "address".into(),
            json!({
                "street": person.street,
                "postalCode": person.postal_code,
                "city": person.city,
                "country": person.country,
            }),
        );
    }
    if wants("nationality") {
        extra.insert("nationality".into(), json!(person.country));
    }
    types::Subject {
        id: Some(format!("sandbox-{}", person.id)),
        idp_id: Some(format!("{}-{}", person.provider, person.id)),
        name: wants("name").then(|| person.full_name()),
        first_name: wants("firstName").then(|| person.first_name.to_string()),
        middle_name: if wants("middleName") {
            person.middle_name.map(str::to_string)
        } else {
            None
        },
        last_name: wants("lastName").then(|| person.last_name.to_string()),
        date_of_birth: wants("dateOfBirth").then(|| person.date_of_birth.to_string()),
        nin: wants("nin").then(|| types::Nin {
            value: Some(person.national_id.to_string()),
            issuing_country: Some(person.country.to_string()),
            type_: Some("SOCIAL".into()),
        }),
        email: wants("email").then(|| person.email.to_string()),
        extra,
    }
}

/// `url` with `sessionId` (and `externalReference`) added to its query.
pub(super) fn callback_with_params(url: &str, id: &str, external_reference: Option<&str>) -> String {
    let (base, fragment) = match url.find('#') {
        Some(at) => (&url[..at], &url[at..]),
        None => (url, ""),
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("sessionId", id);
    if let Some(reference) = external_reference {
        query.append_pair("externalReference", reference);
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{}{fragment}", query.finish())
}
