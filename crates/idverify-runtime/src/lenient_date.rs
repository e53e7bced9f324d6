//! A date/time that some vendors write in several formats in one payload. Parsing never
//! fails: a value no known format reads keeps its raw text. Serialisation gives back the
//! text exactly as received.

use std::fmt;
use std::sync::LazyLock;

use chrono::format::{Item, Parsed, StrftimeItems};
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

/// The formats of a kind, parsed once (chrono's `parse_from_str` re-reads its format
/// string on every call, which costs more than reading the date).
struct Formats {
    offset: Vec<Vec<Item<'static>>>,
    local: Vec<Vec<Item<'static>>>,
    date: Vec<Vec<Item<'static>>>,
}

static FORMATS: LazyLock<Formats> = LazyLock::new(|| {
    let items = |formats: &[&'static str]| {
        formats
            .iter()
            .map(|f| {
                StrftimeItems::new(f)
                    .parse()
                    .expect("the known formats are valid")
            })
            .collect()
    };
    Formats {
        offset: items(OFFSET_FORMATS),
        local: items(LOCAL_FORMATS),
        date: items(DATE_FORMATS),
    }
});

/// `text` read with `items` (as chrono's `parse_from_str` does with a format string).
fn read(text: &str, items: &[Item<'static>]) -> Option<Parsed> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text, items.iter()).ok()?;
    Some(parsed)
}

fn parse(text: &str) -> Option<ParsedDateTime> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(ParsedDateTime::Offset(dt));
    }
    parse_exact(text).or_else(|| parse_with_formats(text))
}

/// The forms after RFC 3339, in order, with chrono's format parser.
fn parse_with_formats(text: &str) -> Option<ParsedDateTime> {
    let formats = &*FORMATS;
    let zulu = text.strip_suffix('Z').map(|t| format!("{t}+00:00"));
    let text_or_zulu = zulu.as_deref().unwrap_or(text);
    for items in &formats.offset {
        if let Some(dt) = read(text_or_zulu, items).and_then(|p| p.to_datetime().ok()) {
            return Some(ParsedDateTime::Offset(dt));
        }
    }
    for items in &formats.local {
        if let Some(dt) = read(text, items).and_then(|p| p.to_naive_datetime_with_offset(0).ok()) {
            return Some(ParsedDateTime::Local(dt));
        }
    }
    for items in &formats.date {
        if let Some(d) = read(text, items).and_then(|p| p.to_naive_date().ok()) {
            return Some(ParsedDateTime::Date(d));
        }
    }
    None
}

/// The forms without offset written exactly (two-digit fields, a four-digit year, one
/// separator): `YYYY-MM-DD`, `DD-MM-YYYY`, each optionally followed by ` HH:MM[:SS]`
/// (or `THH:MM[:SS]` after `YYYY-MM-DD`), read without chrono's format machinery. A text
/// of any of these shapes fails every offset format (each wants a `T` right after a
/// two-digit day) and is read by the first local or date format of the same shape, so
/// the result is the one [`parse`]'s formats give; a shape it does not know, or a field
/// out of range (a leap second), is left to them.
fn parse_exact(text: &str) -> Option<ParsedDateTime> {
    let b = text.as_bytes();
    if !matches!(b.len(), 10 | 16 | 19) {
        return None;
    }
    let number = |at: usize, len: usize| -> Option<u32> {
        b.get(at..at + len)?.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let (year_first, date) = if b[4] == b'-' && b[7] == b'-' {
        (
            true,
            NaiveDate::from_ymd_opt(number(0, 4)? as i32, number(5, 2)?, number(8, 2)?)?,
        )
    } else if b[2] == b'-' && b[5] == b'-' {
        (
            false,
            NaiveDate::from_ymd_opt(number(6, 4)? as i32, number(3, 2)?, number(0, 2)?)?,
        )
    } else {
        return None;
    };
    if b.len() == 10 {
        return Some(ParsedDateTime::Date(date));
    }
    if !(b[10] == b' ' || (year_first && b[10] == b'T')) || b[13] != b':' {
        return None;
    }
    let second = match b.len() {
        16 => 0,
        19 if b[16] == b':' => number(17, 2)?,
        _ => return None,
    };
    let time = chrono::NaiveTime::from_hms_opt(number(11, 2)?, number(14, 2)?, second)?;
    Some(ParsedDateTime::Local(date.and_time(time)))
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

    #[test]
    fn the_exact_forms_read_as_the_formats_do() {
        // Texts of every shape the exact reader knows, and near misses, with digits drawn
        // from a fixed sequence (out-of-range fields included).
        let shapes = [
            "dd-dd-dddd",
            "dddd-dd-dd",
            "dd-dd-dddd dd:dd:dd",
            "dd-dd-dddd dd:dd",
            "dddd-dd-dd dd:dd:dd",
            "dddd-dd-dd dd:dd",
            "dddd-dd-ddTdd:dd:dd",
            "dddd-dd-ddTdd:dd",
            "dd-dd-ddddTdd:dd:dd",
            "dd-dd-dddd dd:dd:dd.d",
            "dddd-dd-dd dd:ddd",
            "dd-dd-dddd ddddd",
            "dddd-dd-dd dd:dd:dd",
        ];
        let mut seed = 0x2545_f491_u32;
        let mut checked = 0;
        for shape in shapes {
            for round in 0..4000 {
                let text: String = shape
                    .chars()
                    .map(|c| {
                        if c != 'd' {
                            return c;
                        }
                        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                        // Mostly small digits (so that many texts are valid dates), some large.
                        let limit = if round % 2 == 0 { 3 } else { 10 };
                        char::from(b'0' + ((seed >> 24) % limit) as u8)
                    })
                    .collect();
                let expected = if DateTime::parse_from_rfc3339(&text).is_ok() {
                    None
                } else {
                    parse_with_formats(&text)
                };
                if let Some(exact) = parse_exact(&text) {
                    assert_eq!(Some(exact), expected, "{text}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 5_000, "{checked}");
        for text in [
            "2024-13-01",
            "31-02-2023",
            "2023-08-03 24:00",
            "2023-08-03 12:00:60",
        ] {
            assert_eq!(parse_exact(text), None, "{text}");
        }
        assert_eq!(
            LenientDateTime::new("2023-08-03 12:00:60").parsed(),
            parse_with_formats("2023-08-03 12:00:60")
        );
    }
}
