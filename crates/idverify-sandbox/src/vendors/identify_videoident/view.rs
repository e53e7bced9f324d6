//! How an ident reads back: the `Ident` document, its files, the vendor's date formats.

use super::*;

pub(super) fn has_pdf_to_sign(request: &types::CreateIdentRequest) -> bool {
    request.pdf_url.is_some() || request.pdf_content.is_some()
}

/// The bytes of a file of a successful ident (fictional placeholders).
pub(super) fn file_content(id: &str, record: &Record, name: &str) -> Option<Vec<u8>> {
    let known = matches!(
        name,
        "identification.pdf" | "recording-1.webm" | "screenshot-1.png" | "screenshot-2.png"
    ) || (name == "signed.pdf" && has_pdf_to_sign(&record.request));
    let person = record.person?;
    known.then(|| {
        format!(
            "idverify sandbox: fictional {name} of ident {id}, test person {}\n",
            person.id
        )
        .into_bytes()
    })
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The vendor's size text, e.g. `1.42 MB` (at least `0.01 MB`).
pub(super) fn file_size(bytes: usize) -> String {
    let mb = (bytes as f64 / (1024.0 * 1024.0)).max(0.01);
    format!("{mb:.2} MB")
}

/// `DD-MM-YYYY HH:MM:SS` (UTC), as the vendor writes `created_at`.
pub fn vendor_datetime(time: SystemTime) -> String {
    let iso = rfc3339(time);
    format!(
        "{}-{}-{} {}",
        &iso[8..10],
        &iso[5..7],
        &iso[0..4],
        &iso[11..19]
    )
}

/// `YYYY-MM-DD` → `DD-MM-YYYY` (other text unchanged).
pub(super) fn ddmmyyyy(date: &str) -> String {
    if is_iso_date(date) {
        format!("{}-{}-{}", &date[8..10], &date[5..7], &date[0..4])
    } else {
        date.to_string()
    }
}

/// ISO 3166 alpha-3 → alpha-2 for the test persons' countries.
pub(super) fn alpha2(country: &str) -> String {
    match country {
        "NOR" => "NO",
        "SWE" => "SE",
        "NLD" => "NL",
        "DNK" => "DK",
        "FIN" => "FI",
        "DEU" => "DE",
        other => return other.chars().take(2).collect(),
    }
    .to_string()
}

/// The ident as `ident/get` shows it. Unset text fields are empty strings, as at the
/// vendor.
pub(super) fn ident_view(id: &str, record: &Record) -> types::Ident {
    let request = &record.request;
    let text = |value: &Option<String>| Some(value.clone().unwrap_or_default());
    let given = |value: &str| Some(value.to_string());
    let (code, status) = record.state.code_and_text();
    let mut ident: types::Ident = types::builder::Ident::default()
        .id(id)
        .try_into()
        .unwrap_or_else(|_| unreachable!("only `id` is required"));
    ident.customer_id = given(&record.customer_id);
    ident.project_id = given(&request.project_id);
    for field in [
        &mut ident.company_name,
        &mut ident.company_hrb_number,
        &mut ident.company_hrb_city,
        &mut ident.company_street,
        &mut ident.company_house_no,
        &mut ident.company_zip_code,
        &mut ident.company_city,
        &mut ident.phone_number,
        &mut ident.id_mrz,
        &mut ident.person_maiden_name,
    ] {
        *field = Some(String::new());
    }
    ident.company_country = given("DE");
    ident.person_title = text(&request.person_title);
    ident.gender = Some(
        request
            .gender
            .clone()
            .unwrap_or_else(|| types::Gender::from("")),
    );
    ident.person_first_name = given(&request.person_first_name);
    ident.person_last_name = given(&request.person_last_name);
    ident.person_position = text(&request.person_position);
    ident.email = given(&request.email);
    ident.street = given(&request.street);
    ident.house_no = given(&request.house_no);
    ident.postal_code = given(&request.zip_code);
    ident.city = given(&request.city);
    ident.land = given(&request.country);
    ident.mobile_number = given(&request.mobile_phone);
    ident.id_type = Some(
        request
            .type_of_id
            .clone()
            .unwrap_or_else(|| types::TypeOfId::from("")),
    );
    ident.nationality = given(&request.nationality);
    ident.id_issuing_authority = text(&request.issuing_authority);
    ident.id_issue_date = request
        .id_issue_date
        .as_ref()
        .map(|d| ddmmyyyy(d.raw()).into());
    ident.id_expire_date = request
        .id_end_date
        .as_ref()
        .map(|d| ddmmyyyy(d.raw()).into());
    ident.id_number = text(&request.id_number);
    ident.international_code = text(&request.international_code);
    ident.birthday = given(&request.birthday);
    ident.birth_place = text(&request.birth_place);
    ident.custom_id = text(&request.custom_id);
    ident.custom1 = text(&request.custom1);
    ident.custom2 = text(&request.custom2);
    ident.custom3 = text(&request.custom3);
    ident.custom4 = text(&request.custom4);
    ident.status = given(status);
    ident.status_code = given(code);
    ident.created_at = Some(vendor_datetime(record.created_at).into());
    ident.appointment_date = record.appointment.as_deref().map(Into::into);

    if let (IdentState::Successful, Some(person)) = (record.state, record.person) {
        // What the identification established, merged over the request.
        let first = match person.middle_name {
            Some(middle) => format!("{} {middle}", person.first_name),
            None => person.first_name.to_string(),
        };
        let (street, house_no) = person
            .street
            .rsplit_once(' ')
            .unwrap_or((person.street, ""));
        let country = alpha2(person.country);
        ident.person_first_name = Some(first);
        ident.person_last_name = given(person.last_name);
        ident.birthday = given(person.date_of_birth);
        ident.gender = Some(if person.gender == "female" {
            types::Gender::Female
        } else {
            types::Gender::Male
        });
        ident.street = given(street);
        ident.house_no = given(house_no);
        ident.postal_code = given(person.postal_code);
        ident.city = given(person.city);
        ident.land = Some(country.clone());
        ident.nationality = Some(country.clone());
        ident.id_type = Some(
            request
                .type_of_id
                .clone()
                .filter(|t| !t.is_unknown())
                .unwrap_or(types::TypeOfId::Personalausweis),
        );
        ident.id_number = Some(format!("T{}", person.national_id));
        if ident.id_issuing_authority.as_deref() == Some("") {
            ident.id_issuing_authority = Some(country);
        }
        ident
            .id_issue_date
            .get_or_insert_with(|| "01-01-2020".into());
        ident
            .id_expire_date
            .get_or_insert_with(|| "31-12-2029".into());
    }
    ident
}
