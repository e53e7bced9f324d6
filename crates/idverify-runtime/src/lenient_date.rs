//! A date/time that some vendors write in several formats in one payload. Parsing never
//! fails: a value no known format reads keeps its raw text. Serialisation gives back the
//! text exactly as received.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

/// What a [`LenientDateTime`] could be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParsedDateTime {
    /// With a UTC offset (ISO 8601 / RFC 3339).
    Offset(DateTime<FixedOffset>),
    /// Date and time without an offset (the vendor's local time).
    Local(NaiveDateTime),
    /// A date alone.
    Date(NaiveDate),
}

/// A date or date-time as text, with what it could be parsed as.
///
/// Known forms: ISO 8601 with offset (`2024-06-30T15:20:00+01:00`, also without
/// seconds, or `Z`), ISO 8601 without offset, `YYYY-MM-DD HH:MM[:SS]`,
/// `DD-MM-YYYY HH:MM[:SS]`, `YYYY-MM-DD`, `DD-MM-YYYY`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LenientDateTime {
    raw: String,
    parsed: Option<ParsedDateTime>,
}

const OFFSET_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M%:z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M%z",
];
const LOCAL_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
];
const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%d-%m-%Y"];

impl LenientDateTime {
    /// Reads `raw` in the known forms; any other text is kept, unparsed.
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = parse(raw.trim());
        Self { raw, parsed }
    }

    /// The text as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// What the text was read as, if any known format matched.
    pub fn parsed(&self) -> Option<ParsedDateTime> {
        self.parsed
    }

    /// The date and time without offset (a date alone is midnight).
    pub fn naive(&self) -> Option<NaiveDateTime> {
        match self.parsed? {
            ParsedDateTime::Offset(dt) => Some(dt.naive_local()),
            ParsedDateTime::Local(dt) => Some(dt),
            ParsedDateTime::Date(d) => d.and_hms_opt(0, 0, 0),
        }
    }

    /// The instant, when the text carried an offset.
    pub fn with_offset(&self) -> Option<DateTime<FixedOffset>> {
        match self.parsed? {
            ParsedDateTime::Offset(dt) => Some(dt),
            _ => None,
        }
    }

    /// The date (of a date-time, in its own offset).
    pub fn date(&self) -> Option<NaiveDate> {
        self.naive().map(|dt| dt.date())
    }
}

fn parse(text: &str) -> Option<ParsedDateTime> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(ParsedDateTime::Offset(dt));
    }
    let zulu = text.strip_suffix('Z').map(|t| format!("{t}+00:00"));
    let text_or_zulu = zulu.as_deref().unwrap_or(text);
    for format in OFFSET_FORMATS {
        if let Ok(dt) = DateTime::parse_from_str(text_or_zulu, format) {
            return Some(ParsedDateTime::Offset(dt));
        }
    }
    for format in LOCAL_FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
            return Some(ParsedDateTime::Local(dt));
        }
    }
    for format in DATE_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(text, format) {
            return Some(ParsedDateTime::Date(d));
        }
    }
    None
}

impl fmt::Display for LenientDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for LenientDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.parsed {
            Some(parsed) => write!(f, "LenientDateTime({:?} = {parsed:?})", self.raw),
            None => write!(f, "LenientDateTime({:?}, unparsed)", self.raw),
        }
    }
}

impl std::str::FromStr for LenientDateTime {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl From<&str> for LenientDateTime {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for LenientDateTime {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl serde::Serialize for LenientDateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> serde::Deserialize<'de> for LenientDateTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// Any string: the known forms are read, any other text is kept as received.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for LenientDateTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LenientDateTime".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "idverify_runtime::LenientDateTime".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A date or date-time as text: ISO 8601 with or without offset \
                (`2024-06-30T15:20:00+01:00`), `YYYY-MM-DD HH:MM[:SS]`, \
                `DD-MM-YYYY HH:MM[:SS]`, `YYYY-MM-DD` or `DD-MM-YYYY`; other text is kept \
                as received.",
            "examples": ["2024-06-30T15:20:00+01:00", "03-08-2023 12:45:56"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_known_form_and_keeps_the_rest() {
        let cases = [
            ("03-08-2023 12:45:56", "2023-08-03 12:45:56"),
            ("2024-11-11 11:11", "2024-11-11 11:11:00"),
            ("2023-08-03T15:00:00Z", "2023-08-03 15:00:00"),
            ("2024-06-30T15:20+01:00", "2024-06-30 15:20:00"),
            ("2024-06-01T13:45:30", "2024-06-01 13:45:30"),
            ("1978-01-01", "1978-01-01 00:00:00"),
            ("17-06-2025", "2025-06-17 00:00:00"),
        ];
        for (raw, expected) in cases {
            let value = LenientDateTime::new(raw);
            assert_eq!(
                value.naive().map(|d| d.to_string()).as_deref(),
                Some(expected),
                "{raw}"
            );
            assert_eq!(
                serde_json::to_value(&value).unwrap(),
                serde_json::json!(raw)
            );
        }
        let offset = LenientDateTime::new("2024-06-30T15:20+01:00");
        assert_eq!(
            offset.with_offset().unwrap().to_rfc3339(),
            "2024-06-30T15:20:00+01:00"
        );

        let odd: LenientDateTime = serde_json::from_str("\"next Tuesday\"").unwrap();
        assert_eq!(odd.parsed(), None);
        assert_eq!(odd.raw(), "next Tuesday");
        assert_eq!(serde_json::to_string(&odd).unwrap(), "\"next Tuesday\"");
    }
}
