//! Pass 1: read a spec file (YAML or JSON) into a JSON value in OpenAPI 3.0 form.
//! Swagger 2.0 is converted with the `swagger2openapi` crate; OpenAPI 3.1 is brought
//! down to 3.0 by [`crate::openapi31`].

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Which OpenAPI version a document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceVersion {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

/// Parses YAML or JSON text (by the file's extension) into a JSON value.
pub fn parse_document(file: &Path, text: &str) -> Result<Value> {
    let is_json = file.extension().is_some_and(|e| e == "json");
    if is_json {
        serde_json::from_str(text).map_err(|e| {
            Error::at(
                file,
                format!("line {}, column {}", e.line(), e.column()),
                format!("invalid JSON: {e}"),
            )
        })
    } else {
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
            let location = e
                .location()
                .map(|l| format!("line {}, column {}", l.line(), l.column()));
            Error {
                file: file.to_path_buf(),
                location,
                message: format!("invalid YAML: {e}"),
            }
        })?;
        yaml_to_json(file, yaml, &mut String::new())
    }
}

/// YAML allows non-string keys (`200:` is an integer); OpenAPI means them as strings.
fn yaml_to_json(file: &Path, value: serde_yaml_ng::Value, pointer: &mut String) -> Result<Value> {
    use serde_yaml_ng::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Error::at_pointer(file, pointer, format!("number {f} has no JSON form"))
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                out.push(yaml_to_json(file, item, pointer)?);
                pointer.truncate(len);
            }
            Value::Array(out)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::at_pointer(
                            file,
                            pointer,
                            format!("mapping key {other:?} is not a string"),
                        ));
                    }
                };
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&crate::error::pointer_token(&key));
                let v = yaml_to_json(file, v, pointer)?;
                pointer.truncate(len);
                out.insert(key, v);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(file, tagged.value, pointer)?,
    })
}

/// Detects the document's version from its `swagger` / `openapi` field.
pub fn source_version(file: &Path, doc: &Value) -> Result<SourceVersion> {
    if let Some(v) = doc.get("swagger") {
        return match v.as_str() {
            Some("2.0") => Ok(SourceVersion::Swagger2),
            _ => Err(Error::at_pointer(
                file,
                "/swagger",
                format!("unsupported Swagger version {v}; only 2.0 is known"),
            )),
        };
    }
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => Ok(SourceVersion::OpenApi30),
        Some(v) if v.starts_with("3.1.") => Ok(SourceVersion::OpenApi31),
        Some(v) => Err(Error::at_pointer(
            file,
            "/openapi",
            format!("unsupported OpenAPI version `{v}`; 2.0, 3.0.x and 3.1.x are supported"),
        )),
        None => Err(Error::at_pointer(
            file,
            "",
            "not an OpenAPI document: no `openapi` or `swagger` field",
        )),
    }
}

/// Reads a spec file and returns it as an OpenAPI 3.0 JSON value.
pub fn load(file: &Path, text: &str) -> Result<Value> {
    let doc = parse_document(file, text)?;
    match source_version(file, &doc)? {
        SourceVersion::OpenApi30 => Ok(doc),
        SourceVersion::OpenApi31 => crate::openapi31::down_convert(file, doc),
        SourceVersion::Swagger2 => {
            let mut options = swagger2openapi::Options::new();
            // Repair the small schema mistakes real Swagger files carry instead of failing.
            options.patch = true;
            options.target_version = Some("3.0.3".to_string());
            swagger2openapi::convert_obj(&doc, &mut options).map_err(|e| {
                Error::new(
                    file,
                    format!("converting Swagger 2.0 to OpenAPI 3.0 failed: {e}"),
                )
            })?;
            Ok(std::mem::take(&mut options.openapi))
        }
    }
}
