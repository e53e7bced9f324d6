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

    #[test]
    fn keeps_the_wire_value() {
        let value = UnknownValue::__from_wire("pending_review".into());
        assert_eq!(value.as_str(), "pending_review");
        assert_eq!(value.to_string(), "pending_review");
        assert_eq!(format!("{value:?}"), "\"pending_review\"");
    }
}
