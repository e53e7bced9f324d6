//! Fictional test persons a session can be completed as.
//!
//! Every value is made up. National identity numbers are deliberately impossible
//! (a day or month that does not exist), phone numbers use unassigned prefixes and
//! e-mail addresses use `example.com`.

use serde::Serialize;

/// One fictional person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// Stable id used by the control API and the end-user page.
    pub id: &'static str,
    pub first_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<&'static str>,
    pub last_name: &'static str,
    /// `YYYY-MM-DD`.
    pub date_of_birth: &'static str,
    /// National identity number (fictional, impossible).
    pub national_id: &'static str,
    /// ISO 3166-1 alpha-3.
    pub country: &'static str,
    pub phone_number: &'static str,
    pub email: &'static str,
    pub gender: &'static str,
    pub street: &'static str,
    pub postal_code: &'static str,
    pub city: &'static str,
    /// The eID method a vendor reports for this person (e.g. `nbid`).
    pub provider: &'static str,
}

impl Person {
    /// First, middle and last name.
    pub fn full_name(&self) -> String {
        match self.middle_name {
            Some(middle) => format!("{} {middle} {}", self.first_name, self.last_name),
            None => format!("{} {}", self.first_name, self.last_name),
        }
    }
}

/// The test person `ola`.
pub const OLA: Person = Person {
    id: "ola",
    first_name: "Ola",
    middle_name: None,
    last_name: "Testmann",
    date_of_birth: "1980-01-01",
    // Day 99 does not exist.
    national_id: "99018012345",
    country: "NOR",
    phone_number: "+4700000001",
    email: "ola.testmann@example.com",
    gender: "male",
    street: "Eksempelveien 1",
    postal_code: "0001",
    city: "Oslo",
    provider: "nbid",
};

/// The test person `kari`.
pub const KARI: Person = Person {
    id: "kari",
    first_name: "Kari",
    middle_name: Some("Fiktiv"),
    last_name: "Nordkvinne",
    date_of_birth: "1990-12-24",
    national_id: "99129012345",
    country: "NOR",
    phone_number: "+4700000002",
    email: "kari.nordkvinne@example.com",
    gender: "female",
    street: "Prøvegata 2",
    postal_code: "0002",
    city: "Oslo",
    provider: "nbid",
};

/// The test person `sven`.
pub const SVEN: Person = Person {
    id: "sven",
    first_name: "Sven",
    middle_name: None,
    last_name: "Provperson",
    date_of_birth: "1985-06-15",
    // Month 13 does not exist.
    national_id: "198513150000",
    country: "SWE",
    phone_number: "+46700000003",
    email: "sven.provperson@example.com",
    gender: "male",
    street: "Testgatan 3",
    postal_code: "000 03",
    city: "Stockholm",
    provider: "sbid",
};

/// The test person `emma`.
pub const EMMA: Person = Person {
    id: "emma",
    first_name: "Emma",
    middle_name: None,
    last_name: "de Proef",
    date_of_birth: "2001-03-31",
    // Starts with 00: no such citizen service number is issued.
    national_id: "000000000",
    country: "NLD",
    phone_number: "+31600000004",
    email: "emma.deproef@example.com",
    gender: "female",
    street: "Voorbeeldstraat 4",
    postal_code: "0004 AA",
    city: "Amsterdam",
    provider: "idin",
};

/// The test persons.
pub const PERSONS: &[Person] = &[OLA, KARI, SVEN, EMMA];

/// The person with `id`.
pub fn find(id: &str) -> Option<&'static Person> {
    PERSONS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_are_distinct_and_clearly_fictional() {
        assert!(PERSONS.len() >= 3);
        for (i, person) in PERSONS.iter().enumerate() {
            assert_eq!(find(person.id), Some(person));
            assert!(person.email.ends_with("@example.com"));
            for other in &PERSONS[i + 1..] {
                assert_ne!(person.id, other.id);
                assert_ne!(person.national_id, other.national_id);
            }
        }
        assert_eq!(find("kari").unwrap().full_name(), "Kari Fiktiv Nordkvinne");
        assert_eq!(find("nobody"), None);
    }
}
