//! `multipart/form-data` request bodies: what a generated form (one per operation whose
//! body is a multipart form) is built from.
//!
//! A form is replayable, and so retried like any other request, when every file part is
//! in memory ([`FilePart::bytes`]): it is encoded once (by reqwest's multipart support)
//! into one buffer that each attempt sends again. A form with a streamed file part
//! ([`FilePart::stream`]) is sent once: a stream cannot be read twice, so neither a
//! retry nor the replay after a rejected token happens for it.
//!
//! `Debug` of a part or form shows sizes, part names and content types, never file
//! names (they often carry a person's name) or contents.

use std::fmt;

use bytes::Bytes;
use futures_util::TryStreamExt;
use serde_json::Value;

use crate::error::Error;

/// A file sent as one part of a form: its bytes (or a stream of them), with an optional
/// file name and content type.
pub struct FilePart {
    data: Data,
    file_name: Option<String>,
    content_type: Option<String>,
}

enum Data {
    Bytes(Bytes),
    Stream {
        body: reqwest::Body,
        length: Option<u64>,
    },
}

impl FilePart {
    /// A file held in memory. Forms of such parts are retried when a retry is allowed.
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Self {
            data: Data::Bytes(data.into()),
            file_name: None,
            content_type: None,
        }
    }

    /// A file read as it is sent (e.g. `reqwest::Body::wrap_stream(...)` or a
    /// `tokio::fs::File`). A form with a streamed part is never retried.
    pub fn stream(body: impl Into<reqwest::Body>) -> Self {
        Self {
            data: Data::Stream {
                body: body.into(),
                length: None,
            },
            file_name: None,
            content_type: None,
        }
    }

    /// [`FilePart::stream`] of a known length: the form is sent with a `Content-Length`.
    pub fn stream_with_length(body: impl Into<reqwest::Body>, length: u64) -> Self {
        Self {
            data: Data::Stream {
                body: body.into(),
                length: Some(length),
            },
            file_name: None,
            content_type: None,
        }
    }

    /// The part's `filename` (in its `Content-Disposition`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's `Content-Type`, e.g. `image/jpeg`. Without it the part is sent with
    /// the type the spec's `encoding` gives, else `application/octet-stream`.
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// Whether the part can be sent again (it is held in memory).
    pub fn is_replayable(&self) -> bool {
        matches!(self.data, Data::Bytes(_))
    }

    /// The size in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.data {
            Data::Bytes(bytes) => Some(bytes.len() as u64),
            Data::Stream { length, .. } => *length,
        }
    }

    /// Whether the part is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl From<Bytes> for FilePart {
    fn from(data: Bytes) -> Self {
        Self::bytes(data)
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(data: Vec<u8>) -> Self {
        Self::bytes(data)
    }
}

impl From<&'static [u8]> for FilePart {
    fn from(data: &'static [u8]) -> Self {
        Self::bytes(data)
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("FilePart");
        match &self.data {
            Data::Bytes(bytes) => out.field("bytes", &bytes.len()),
            Data::Stream { length, .. } => out.field("stream", length),
        };
        if self.file_name.is_some() {
            out.field("file_name", &crate::REDACTED);
        }
        out.field("content_type", &self.content_type).finish()
    }
}

/// How a non-file property is sent, from the spec's `encoding` (and the property's type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `text/plain`: strings as they are, numbers and booleans as JSON writes them; an
    /// array is one part per item; an object (the spec's default for objects) is JSON.
    Text,
    /// `application/json`: one part holding the value as JSON.
    Json,
}

/// A form being built, part by part, in the order the parts are added.
pub struct Form {
    inner: reqwest::multipart::Form,
    replayable: bool,
    parts: Vec<String>,
}

impl Default for Form {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field("parts", &self.parts)
            .field("replayable", &self.replayable)
            .finish()
    }
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self {
            inner: reqwest::multipart::Form::new(),
            replayable: true,
            parts: Vec::new(),
        }
    }

    /// Whether every part is in memory, so the request can be sent again.
    pub fn is_replayable(&self) -> bool {
        self.replayable
    }

    /// Adds a file part named `name`; its content type is the part's own, else
    /// `default_content_type` (the spec's `encoding`), else `application/octet-stream`.
    pub fn file(
        mut self,
        name: &str,
        file: FilePart,
        default_content_type: Option<&str>,
    ) -> Result<Self, String> {
        let mime = file
            .content_type
            .as_deref()
            .or(default_content_type)
            .unwrap_or("application/octet-stream")
            .to_string();
        let mut part = match file.data {
            Data::Bytes(bytes) => reqwest::multipart::Part::stream(reqwest::Body::from(bytes)),
            Data::Stream { body, length } => {
                self.replayable = false;
                match length {
                    Some(length) => reqwest::multipart::Part::stream_with_length(body, length),
                    None => reqwest::multipart::Part::stream(body),
                }
            }
        };
        part = part
            .mime_str(&mime)
            .map_err(|_| format!("part `{name}`: `{mime}` is not a content type"))?;
        if let Some(file_name) = file.file_name {
            part = part.file_name(file_name);
        }
        self.inner = self.inner.part(name.to_string(), part);
        self.parts.push(name.to_string());
        Ok(self)
    }

    /// Adds the text part(s) of the property `name` with `value` (nothing for `null`).
    pub fn field(mut self, name: &str, value: &Value, encoding: Encoding) -> Self {
        match (value, encoding) {
            (Value::Null, _) => {}
            (Value::Array(items), Encoding::Text) => {
                for item in items {
                    self = self.field(name, item, Encoding::Text);
                }
            }
            (Value::Object(_), _) | (_, Encoding::Json) => {
                let part = reqwest::multipart::Part::text(value.to_string())
                    .mime_str("application/json")
                    .expect("a valid content type");
                self.inner = self.inner.part(name.to_string(), part);
                self.parts.push(name.to_string());
            }
            (Value::String(text), Encoding::Text) => {
                self.inner = self.inner.text(name.to_string(), text.clone());
                self.parts.push(name.to_string());
            }
            (other, Encoding::Text) => {
                self.inner = self.inner.text(name.to_string(), other.to_string());
                self.parts.push(name.to_string());
            }
        }
        self
    }

    /// Adds the text parts of `fields` (a generated struct of a form's non-file
    /// properties), in the order of `encodings` (wire name, encoding); members that
    /// `encodings` does not list (additional properties) follow as text.
    pub fn fields<T: serde::Serialize>(
        mut self,
        fields: &T,
        encodings: &[(&str, Encoding)],
    ) -> Result<Self, String> {
        let value = serde_json::to_value(fields).map_err(|e| e.to_string())?;
        let Value::Object(mut members) = value else {
            return Err("the form's fields are not an object".to_string());
        };
        for (name, encoding) in encodings {
            if let Some(value) = members.remove(*name) {
                self = self.field(name, &value, *encoding);
            }
        }
        for (name, value) in members {
            self = self.field(&name, &value, Encoding::Text);
        }
        Ok(self)
    }
}

/// Finishes `builder` with `form` as its body. A replayable form is encoded into one
/// buffer, so that [`crate::Runtime::send`] can retry the request; a streamed one is
/// sent as a stream, once.
pub async fn request<E>(
    builder: reqwest::RequestBuilder,
    form: Form,
    operation: &'static str,
) -> Result<reqwest::Request, Error<E>> {
    let builder = if form.replayable {
        let content_type = format!("multipart/form-data; boundary={}", form.inner.boundary());
        let chunks: Vec<Bytes> = form
            .inner
            .into_stream()
            .try_collect()
            .await
            .map_err(|e| Error::transport(operation, e))?;
        builder
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(chunks.concat())
    } else {
        builder.multipart(form.inner)
    };
    builder.build().map_err(|e| Error::transport(operation, e))
}
