//! The data blocks a completed session reports about its test person.

use super::*;

pub(super) fn datablock_type(name: &str) -> types::DatablockType {
    serde_json::from_value(Value::String(name.to_string()))
        .unwrap_or_else(|_| types::DatablockType::from(name))
}

/// ISO 3166-1 alpha-2 for the test persons' alpha-3 countries.
pub(super) fn alpha2(alpha3: &str) -> &str {
    match alpha3 {
        "NOR" => "NO",
        "SWE" => "SE",
        "NLD" => "NL",
        "DEU" => "DE",
        other => other,
    }
}

/// The output data blocks of a completed session for `person`: (blocks, vault file id).
pub(super) fn output_blocks(
    person: &Person,
    documents: bool,
    now: SystemTime,
) -> (Vec<types::Datablock>, Option<String>) {
    let at = rfc3339(now);
    let block =
        |type_: types::DatablockType, step: &str, clock: i64, content: Value| types::Datablock {
            datablock_id: random_uuid(),
            type_,
            created_by: Some(types::DatablockCreator {
                step_id: Some(step.to_string()),
                clock: Some(clock),
            }),
            created_at: Some(at.clone()),
            status: Some(types::DatablockStatus::Stored),
            content: Some(content),
        };
    let mut identity = json!({
        "givenName": match person.middle_name {
            Some(middle) => format!("{} {middle}", person.first_name),
            None => person.first_name.to_string(),
        },
        "familyName": person.last_name,
        "birthDate": person.date_of_birth,
        "nationality": alpha2(person.country),
        "email": person.email,
        "phoneNumber": person.phone_number,
        "address": {
            "street": person.street,
            "zipCode": person.postal_code,
            "city": person.city,
            "country": alpha2(person.country),
        },
    });
    if let Some(object) = identity.as_object_mut() {
        object.retain(|_, v| !v.is_null());
    }
    let mut blocks = vec![block(
        types::DatablockType::BasicIdentity,
        "sandbox-identity",
        2,
        identity,
    )];
    let mut file = None;
    if documents {
        let vault = random_uuid();
        let year: i64 = rfc3339(now)[..4].parse().unwrap_or(2025);
        blocks.push(block(
            types::DatablockType::DocumentData,
            "sandbox-document",
            3,
            json!({
                "documentType": "ID",
                "documentNumber": format!("SBX{}", person.national_id),
                "expiryDate": format!("{}-12-31", year + 5),
                "issuanceDate": format!("{}-01-01", year - 5),
                "issuingCountry": alpha2(person.country),
                "issuingAuthority": person.country,
            }),
        ));
        blocks.push(block(
            types::DatablockType::DocumentVerification,
            "sandbox-document",
            3,
            json!({
                "verdict": {"status": "VERIFIED", "reason": "Sandbox test document"},
                "issues": [],
                "report": {"$ref": "vault", "$id": vault},
            }),
        ));
        file = Some(vault);
    }
    blocks.push(block(
        types::DatablockType::OutcomeStatus,
        "END-ACCEPT",
        4,
        json!({"outcome": "accepted"}),
    ));
    (blocks, file)
}
