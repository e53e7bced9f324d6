//! What an optional, constrained string member of a request takes in its builder.
//!
//! typify makes a string with a length limit or a pattern a newtype that converts from
//! `&str` and `String` only through `TryFrom`, so a builder setter typed
//! `TryInto<Option<Newtype>>` refused `"order-42"` with an `E0277` listing unrelated
//! impls. The generated setters take [`OptionalText`] instead: the text, the newtype, or
//! an `Option` of either. A value that breaks the limit is kept as the builder's error
//! and reported by `send()`, naming the member and the limit.

use std::fmt::Display;

/// Marks the generated newtypes of constrained strings.
pub trait ConstrainedText {}

/// A value for an optional constrained-string member: `&str`, `String`, `&String`, the
/// newtype `T`, or an `Option` of one of them (`None` unsets the member).
pub trait OptionalText<T> {
    /// The member's value, or why the text does not fit `T`.
    fn into_optional(self) -> Result<Option<T>, String>;
}

impl<T> OptionalText<T> for Option<T> {
    fn into_optional(self) -> Result<Option<T>, String> {
        Ok(self)
    }
}

impl<T: ConstrainedText> OptionalText<T> for T {
    fn into_optional(self) -> Result<Option<T>, String> {
        Ok(Some(self))
    }
}

impl<'a, T> OptionalText<T> for &'a str
where
    T: ConstrainedText + TryFrom<&'a str>,
    T::Error: Display,
{
    fn into_optional(self) -> Result<Option<T>, String> {
        T::try_from(self).map(Some).map_err(|e| e.to_string())
    }
}

impl<'a, T> OptionalText<T> for &'a String
where
    T: ConstrainedText + TryFrom<&'a str>,
    T::Error: Display,
{
    fn into_optional(self) -> Result<Option<T>, String> {
        T::try_from(self.as_str())
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

impl<T> OptionalText<T> for String
where
    T: ConstrainedText + TryFrom<String>,
    T::Error: Display,
{
    fn into_optional(self) -> Result<Option<T>, String> {
        T::try_from(self).map(Some).map_err(|e| e.to_string())
    }
}

impl<'a, T> OptionalText<T> for Option<&'a str>
where
    T: ConstrainedText + TryFrom<&'a str>,
    T::Error: Display,
{
    fn into_optional(self) -> Result<Option<T>, String> {
        self.map(T::try_from).transpose().map_err(|e| e.to_string())
    }
}

impl<T> OptionalText<T> for Option<String>
where
    T: ConstrainedText + TryFrom<String>,
    T::Error: Display,
{
    fn into_optional(self) -> Result<Option<T>, String> {
        self.map(T::try_from).transpose().map_err(|e| e.to_string())
    }
}
