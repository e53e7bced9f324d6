//! Pass 2: apply an OpenAPI Overlay 1.0 document (`specs/<api>/overlay.yaml`): each action
//! selects nodes with a JSONPath (RFC 9535, via `serde_json_path`) and merges `update`
//! into them or `remove`s them. A vendor file is corrected without being edited.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overlay {
    overlay: String,
    #[allow(dead_code)]
    info: OverlayInfo,
    #[serde(default)]
    #[allow(dead_code)]
    extends: Option<String>,
    actions: Vec<Action>,
}

#[derive(Debug, Deserialize)]
struct OverlayInfo {
    #[allow(dead_code)]
    title: String,
    #[allow(dead_code)]
    version: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Action {
    target: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    update: Option<Value>,
    #[serde(default)]
    remove: bool,
}

/// Applies the overlay document `overlay` (already parsed from `file`) to `doc`.
pub fn apply(file: &Path, overlay: Value, doc: &mut Value) -> Result<()> {
    let overlay: Overlay = serde_path_to_error::deserialize(overlay).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        Error::at_pointer(file, &pointer, e.inner().to_string())
    })?;
    if !overlay.overlay.starts_with("1.") {
        return Err(Error::at_pointer(
            file,
            "/overlay",
            format!(
                "unsupported Overlay version `{}`; 1.x is supported",
                overlay.overlay
            ),
        ));
    }
    for (i, action) in overlay.actions.iter().enumerate() {
        let at = format!("/actions/{i}/target");
        let path = JsonPath::parse(&action.target).map_err(|e| {
            Error::at_pointer(
                file,
                &at,
                format!("invalid JSONPath `{}`: {e}", action.target),
            )
        })?;
        let mut pointers: Vec<String> = path
            .query_located(doc)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        if pointers.is_empty() {
            return Err(Error::at_pointer(
                file,
                &at,
                format!("target `{}` selects nothing in the spec", action.target),
            ));
        }
        match (&action.update, action.remove) {
            (Some(_), true) => {
                return Err(Error::at_pointer(
                    file,
                    &format!("/actions/{i}"),
                    "an action has either `update` or `remove: true`, not both",
                ));
            }
            (None, false) => {
                return Err(Error::at_pointer(
                    file,
                    &format!("/actions/{i}"),
                    "an action needs `update` or `remove: true`",
                ));
            }
            (Some(update), false) => {
                for pointer in &pointers {
                    let node = doc.pointer_mut(pointer).expect("pointer from query");
                    merge(node, update.clone())
                        .map_err(|m| Error::at_pointer(file, &format!("/actions/{i}/update"), m))?;
                }
            }
            (None, true) => {
                // Remove deepest and last first so earlier pointers stay valid.
                pointers.sort_by(|a, b| compare_pointers(b, a));
                for pointer in &pointers {
                    remove(doc, pointer);
                }
            }
        }
    }
    Ok(())
}

/// Overlay merge: objects merge key by key (recursively), arrays get the update appended,
/// anything else is replaced.
fn merge(target: &mut Value, update: Value) -> std::result::Result<(), String> {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (key, value) in update {
                match target.get_mut(&key) {
                    Some(existing @ Value::Object(_)) if value.is_object() => {
                        merge(existing, value)?;
                    }
                    _ => {
                        target.insert(key, value);
                    }
                }
            }
            Ok(())
        }
        (Value::Array(items), update) => {
            items.push(update);
            Ok(())
        }
        (target, update) => {
            *target = update;
            Ok(())
        }
    }
}

fn remove(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

/// Orders pointers so that array indices compare numerically.
fn compare_pointers(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |p: &str| -> Vec<String> { p.split('/').map(str::to_string).collect() };
    let (a, b) = (parts(a), parts(b));
    for (x, y) in a.iter().zip(b.iter()) {
        let ord = match (x.parse::<usize>(), y.parse::<usize>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if ord.is_ne() {
            return ord;
        }
    }
    a.len().cmp(&b.len())
}

/// Converts a `serde_path_to_error` path into a JSON pointer.
pub fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&crate::error::pointer_token(key)),
            Segment::Enum { variant } => out.push_str(variant),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}
