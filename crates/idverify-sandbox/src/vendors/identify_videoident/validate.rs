//! What the create-ident and appointment bodies must be, beyond what the generated types
//! check.

use super::*;

pub(super) fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |r: std::ops::Range<usize>| {
        text.get(r.clone())
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|s| s.parse::<u32>().ok())
    };
    matches!(
        (number(0..4), number(5..7), number(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

/// `YYYY-MM-DDThh:mm[:ss]` followed by `Z` or `±hh:mm`.
pub(super) fn is_appointment_date(text: &str) -> bool {
    // The format is ASCII, and the slices below are at byte offsets, which in other
    // text may fall inside a character.
    if !text.is_ascii() {
        return false;
    }
    let Some((date, rest)) = text.split_once('T') else {
        return false;
    };
    if !is_iso_date(date) || rest.len() < 5 {
        return false;
    }
    let clock = |s: &str| {
        let b = s.as_bytes();
        b.len() == 5
            && b[2] == b':'
            && s[0..2].parse::<u32>().is_ok_and(|h| h < 24)
            && s[3..5].parse::<u32>().is_ok_and(|m| m < 60)
    };
    let (time, zone) = rest.split_at(5);
    let zone = match zone.strip_prefix(':') {
        Some(with_seconds) if with_seconds.len() >= 2 => {
            if !with_seconds[..2].parse::<u32>().is_ok_and(|s| s < 60) {
                return false;
            }
            &with_seconds[2..]
        }
        Some(_) => return false,
        None => zone,
    };
    clock(time)
        && (zone == "Z" || ((zone.starts_with('+') || zone.starts_with('-')) && clock(&zone[1..])))
}

pub(super) fn field_message(field: &str, reason: &str) -> String {
    format!("{field}: {reason}")
}

/// Parses and validates a create body; a refusal lists `(field, reason)`.
pub fn validate_create(body: &[u8]) -> Result<types::CreateIdentRequest, Vec<(String, String)>> {
    let mut request: types::CreateIdentRequest =
        parse_request(body, spec_facts::CREATE_IDENT.request_nullable).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    let mut bad = |field: &str, reason: &str| problems.push((field.to_string(), reason.into()));
    for (field, value) in [
        ("project_id", &request.project_id),
        ("birthday", &request.birthday),
        ("email", &request.email),
        ("person_first_name", &request.person_first_name),
        ("person_last_name", &request.person_last_name),
        ("mobile_phone", &request.mobile_phone),
        ("nationality", &request.nationality),
        ("street", &request.street),
        ("house_no", &request.house_no),
        ("zip_code", &request.zip_code),
        ("city", &request.city),
        ("country", &request.country),
    ] {
        if value.trim().is_empty() {
            bad(field, &format!("The {field} field is required."));
        }
    }
    if !request.project_id.trim().is_empty() {
        match PROJECTS.iter().find(|(id, _, _)| *id == request.project_id) {
            None => bad("project_id", "Unknown project (see project/getAll)."),
            Some((_, _, status)) if *status != "Active" => {
                bad("project_id", "The project is not active.")
            }
            Some(_) => {}
        }
    }
    if !request.birthday.trim().is_empty() && !is_iso_date(&request.birthday) {
        bad("birthday", "Must be a date as YYYY-MM-DD.");
    }
    if !request.email.trim().is_empty() && !request.email.contains('@') {
        bad("email", "Must be an e-mail address.");
    }
    for (field, value) in [
        ("nationality", Some(&request.nationality)),
        ("country", Some(&request.country)),
        ("id_country", request.id_country.as_ref()),
    ] {
        if let Some(value) = value
            && !value.is_empty()
            && !(value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()))
        {
            bad(field, "Must be an uppercase two-letter code (ISO 3166).");
        }
    }
    if let Some(gender) = &request.gender
        && gender.is_unknown()
    {
        bad("gender", "Must be MALE or FEMALE.");
    }
    if let Some(kind) = &request.type_of_id
        && kind.is_unknown()
    {
        bad("type_of_id", "Must be Personalausweis or Reisepass.");
    }
    for (field, value) in [
        ("id_issue_date", &request.id_issue_date),
        ("id_end_date", &request.id_end_date),
    ] {
        if let Some(date) = value
            && !is_iso_date(date.raw())
        {
            bad(field, "Must be a date as YYYY-MM-DD.");
        }
    }
    // Documented: an unset or invalid language is `de`.
    if request.language.as_ref().is_none_or(|l| l.is_unknown()) {
        request.language = Some(types::Language::De);
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

/// Parses and validates an appointment body.
pub fn validate_appointment(
    body: &[u8],
) -> Result<types::SetAppointmentRequest, Vec<(String, String)>> {
    let request: types::SetAppointmentRequest =
        parse_request(body, spec_facts::SET_ONBOARDIFY_APPOINTMENT.request_nullable).map_err(|e| vec![(e.name, e.reason)])?;
    let mut problems = Vec::new();
    if request.ident_id.trim().is_empty() {
        problems.push(("ident_id".into(), "The ident_id field is required.".into()));
    }
    if !is_appointment_date(request.termin_date.raw()) {
        problems.push((
            "termin_date".into(),
            "Must be ISO 8601 as YYYY-MM-DDThh:mmTZD (e.g. 2024-06-30T15:20+01:00).".into(),
        ));
    }
    if request.termin_user.trim().is_empty() {
        problems.push((
            "termin_user".into(),
            "The termin_user field is required.".into(),
        ));
    }
    if problems.is_empty() {
        Ok(request)
    } else {
        Err(problems)
    }
}

pub(super) fn messages(problems: &[(String, String)]) -> Vec<String> {
    problems
        .iter()
        .map(|(field, reason)| field_message(field, reason))
        .collect()
}
