//! The vendor's value formats: ddmmyy dates, Norwegian mobile numbers, return URL
//! placeholders.

use super::*;

/// `YYYY-MM-DD` → `DDMMYY`.
pub fn ddmmyy(date: &str) -> String {
    let mut parts = date.split('-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return String::new();
    };
    format!("{day}{month}{}", year.get(2..).unwrap_or(""))
}

/// Whether `text` is a date as `DDMMYY`.
pub(super) fn is_ddmmyy(text: &str) -> bool {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let day: u32 = text[0..2].parse().unwrap_or(0);
    let month: u32 = text[2..4].parse().unwrap_or(0);
    (1..=31).contains(&day) && (1..=12).contains(&month)
}

/// A Norwegian mobile number's 8 digits (`+47`/`0047` and spaces allowed).
pub(super) fn norwegian_mobile(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| *c != ' ').collect();
    let national = compact
        .strip_prefix("+47")
        .or_else(|| compact.strip_prefix("0047"))
        .unwrap_or(&compact);
    (national.len() == 8 && national.bytes().all(|b| b.is_ascii_digit()))
        .then(|| national.to_string())
}

pub(super) fn merchant_ref() -> String {
    const FIRST: [&str; 4] = ["SNILL", "RASK", "GLAD", "STILLE"];
    const SECOND: [&str; 4] = ["BANK", "ELG", "FJORD", "HYTTE"];
    let bits = u8::from_str_radix(&random_hex(1), 16).unwrap_or(0);
    format!(
        "{} {}",
        FIRST[usize::from(bits & 3)],
        SECOND[usize::from((bits >> 2) & 3)]
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(super) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A return URL with `[0]` status, `[1]` request id, `[2]` external reference replaced.
pub fn substitute(url: &str, status: &str, request_id: &str, external_reference: &str) -> String {
    url.replace("[0]", &percent_encode(status))
        .replace("[1]", &percent_encode(request_id))
        .replace("[2]", &percent_encode(external_reference))
}
