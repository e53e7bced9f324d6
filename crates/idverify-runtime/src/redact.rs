//! What of a vendor's text `Debug` and `Display` may show. A vendor can echo a request's
//! values into any member of its error body (a name, a national id, an e-mail address),
//! so free text is never shown, and codes and ids only when they look like machine
//! tokens.

use std::fmt;

/// `text` if it is a short machine token (`^[A-Za-z0-9_.:-]{1,64}$`) that is not a
/// bare number of seven digits or more (a national id or a phone number looks like
/// one); else `None`.
pub(crate) fn machine_token(text: &str) -> Option<&str> {
    let charset = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'));
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let bare_number = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'_' | b'.' | b':' | b'-'));
    (charset && !(bare_number && digits >= 7)).then_some(text)
}

/// A vendor's code or id for `Debug`/`Display`: itself if it is a machine token, else
/// [`crate::REDACTED`].
pub(crate) struct Token<'a>(pub &'a str);

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(machine_token(self.0).unwrap_or(crate::REDACTED))
    }
}

impl fmt::Debug for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match machine_token(self.0) {
            Some(token) => fmt::Debug::fmt(token, f),
            None => f.write_str(crate::REDACTED),
        }
    }
}

/// A status as `HTTP 503 Service Unavailable`.
#[derive(Clone, Copy)]
pub(crate) struct Status(pub u16);

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.0)?;
        if let Some(reason) = http::StatusCode::from_u16(self.0)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            write!(f, " {reason}")?;
        }
        Ok(())
    }
}

/// An optional vendor code or id for `Debug`.
pub(crate) fn token(text: &Option<String>) -> Option<Token<'_>> {
    text.as_deref().map(Token)
}

/// Free text for `Debug`: only whether there is some.
pub(crate) fn free_text(text: &Option<String>) -> Option<Redacted> {
    text.as_ref().map(|_| Redacted)
}

/// Prints [`crate::REDACTED`].
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_machine_tokens_pass() {
        for token in [
            "invalid_client",
            "E_SESSION",
            "about:blank",
            "12",
            "404",
            "req-8f3a",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ] {
            assert_eq!(machine_token(token), Some(token), "{token}");
        }
        for text in [
            "",
            "Kari Nordmann",
            "01017012345",
            "010170-12345",
            "kari.nordmann@example.com",
            "https://example.com/probs/out-of-credit",
            "nin 01017012345 is invalid",
            &"a".repeat(65),
        ] {
            assert_eq!(machine_token(text), None, "{text}");
        }
    }
}
