//! The payload of an open enum's `Unknown` variant.

use std::fmt;

/// A value of an open enum (a vendor's documented vocabulary) that this version of the
/// client does not know, kept exactly as received and sent back unchanged.
///
/// Read it with [`as_str`](Self::as_str). It cannot be built or matched by value: code
/// written as `Status::Unknown("EXPIRED")` would silently stop matching the day a
/// regenerated client turns `EXPIRED` into a variant of its own. Compare with the
/// enum's documented variants instead, or with `as_str()` when a value is not yet
/// documented (and expect that comparison to move to a variant after an upgrade).
///
/// ```compile_fail
/// // Not constructible from outside the runtime:
/// let value = idverify_runtime::UnknownValue(String::from("EXPIRED"));
/// ```
///
/// To send a value that the spec does not list, convert the text into the enum
/// (`Status::from("kiosk")`): an unknown text becomes `Unknown`, a documented one its
/// variant.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For generated enums only: keeps a received value the enum does not list.
    #[doc(hidden)]
    pub fn __from_wire(value: String) -> Self {
        Self(value)
    }

    /// For generated enums only: reads an open enum from a string as `String` would
    /// (same input accepted, same errors), without allocating for a documented value:
    /// a borrowed text goes through `T: From<&str>`, an owned one through
    /// `T: From<String>` (kept as it is in `Unknown`).
    #[doc(hidden)]
    pub fn __deserialize_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: for<'a> From<&'a str> + From<String>,
    {
        deserializer.deserialize_string(EnumVisitor(std::marker::PhantomData))
    }
}

struct EnumVisitor<T>(std::marker::PhantomData<T>);

impl<T> serde::de::Visitor<'_> for EnumVisitor<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_bytes<E: serde::de::Error>(self, value: &[u8]) -> Result<T, E> {
        match std::str::from_utf8(value) {
            Ok(text) => Ok(T::from(text)),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(value), &self)),
        }
    }

    fn visit_byte_buf<E: serde::de::Error>(self, value: Vec<u8>) -> Result<T, E> {
        match String::from_utf8(value) {
            Ok(text) => Ok(T::from(text)),
            Err(e) => Err(E::invalid_value(
                serde::de::Unexpected::Bytes(&e.into_bytes()),
                &self,
            )),
        }
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An open enum as generated.
    #[derive(Debug, PartialEq)]
    enum Mode {
        Known,
        Unknown(UnknownValue),
    }
    impl From<&str> for Mode {
        fn from(value: &str) -> Self {
            match value {
                "known" => Self::Known,
                other => Self::Unknown(UnknownValue::__from_wire(other.to_string())),
            }
        }
    }
    impl From<String> for Mode {
        fn from(value: String) -> Self {
            match value.as_str() {
                "known" => Self::Known,
                _ => Self::Unknown(UnknownValue::__from_wire(value)),
            }
        }
    }
    impl<'de> serde::Deserialize<'de> for Mode {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            UnknownValue::__deserialize_enum(deserializer)
        }
    }

    #[test]
    fn an_open_enum_reads_what_a_string_reads() {
        // Borrowed, escaped (owned) and from a `Value` (owned).
        let read = |json: &str| serde_json::from_str::<Mode>(json);
        assert_eq!(read(r#""known""#).unwrap(), Mode::Known);
        assert_eq!(read(r#""kno\u0077n""#).unwrap(), Mode::Known);
        assert_eq!(
            serde_json::from_value::<Mode>(serde_json::json!("known")).unwrap(),
            Mode::Known
        );
        let Mode::Unknown(other) = read(r#""new\nvalue""#).unwrap() else {
            panic!("unknown text read as a variant");
        };
        assert_eq!(other.as_str(), "new\nvalue");
        for json in ["7", "null", "[]", "{}"] {
            assert_eq!(
                read(json).unwrap_err().to_string(),
                serde_json::from_str::<String>(json)
                    .unwrap_err()
                    .to_string(),
                "{json}"
            );
        }
    }

    #[test]
    fn keeps_the_wire_value() {
        let value = UnknownValue::__from_wire("pending_review".into());
        assert_eq!(value.as_str(), "pending_review");
        assert_eq!(value.to_string(), "pending_review");
        assert_eq!(format!("{value:?}"), "\"pending_review\"");
    }
}
