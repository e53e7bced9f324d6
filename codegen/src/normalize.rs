//! Pass 3: reshape an OpenAPI 3.0 document into what progenitor 0.15 can generate from,
//! keeping the wire meaning. Each step records a note, so a user can see what was done to
//! a vendor's file (`cargo xtask codegen --verbose`).
//!
//! Steps, in order: missing operation ids; one media type per request and response
//! (`+json` is JSON); `default` responses; one body type per success and per error group
//! of an operation; `x-sensitive` properties marked for redaction; open enums (the
//! documented values or any string) read as their string enum.

use std::collections::BTreeMap;
use std::path::Path;

use heck::{ToPascalCase, ToSnakeCase};
use serde_json::{Map, Value, json};

use crate::error::{Error, Result, pointer_token};

pub mod multipart;
pub mod names;

pub use multipart::{FormPart, MultipartForm, PartKind};

/// Text appended to the description of every `x-sensitive` property. The generated field
/// carries it in its rustdoc, which is how [`crate::rewrite`] finds the fields to redact.
pub const SENSITIVE_MARKER: &str = "Personal or secret data: redacted from `Debug` output.";

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The result of normalisation.
#[derive(Debug, Default)]
pub struct Normalized {
    pub doc: Value,
    /// What was changed, one line each, with the JSON pointer it concerns.
    pub notes: Vec<String>,
    /// Operations whose typed success response also has body-less success statuses:
    /// operation id → those statuses. The generated method returns `Option<T>`, `None`
    /// for these statuses.
    pub optional_success: BTreeMap<String, Vec<u16>>,
    /// Component schemas (as Rust type names) whose `additionalProperties` schema is
    /// `x-sensitive`: their flattened `extra` map is redacted too.
    pub sensitive_extra: std::collections::BTreeSet<String>,
    /// Operations whose body is a `multipart/form-data` form: operation id → the form.
    pub multipart: BTreeMap<String, MultipartForm>,
    /// Stand-ins generation saw for enum values and properties whose Rust names
    /// collided (see [`names`]): stand-in → wire name.
    pub wire_names: BTreeMap<String, String>,
    /// Success responses (JSON pointers) that also come encrypted (`application/jose`,
    /// `application/jwt`, `application/jose+json`): the runtime decrypts them to the JSON
    /// body kept here, so the crate gets the `jwe` feature.
    pub encrypted_responses: Vec<String>,
}

pub fn normalize(file: &Path, doc: Value) -> Result<Normalized> {
    let mut n = Normalized {
        doc,
        ..Default::default()
    };
    if !n.doc.is_object() {
        return Err(Error::at_pointer(file, "", "the document is not an object"));
    }
    names::schema_names(&mut n.doc, &mut n.notes);
    let ops = operations(&n.doc);
    assign_operation_ids(&mut n, &ops);
    for op in &ops {
        normalize_request_body(file, &mut n, op)?;
        normalize_responses(file, &mut n, op)?;
    }
    mark_sensitive(&mut n.doc);
    drop_noop_constraints(&mut n.doc);
    open_enums(&mut n.doc, "", &mut n.notes);
    n.wire_names = names::member_names(&mut n.doc, &mut n.notes);
    if let Some(schemas) = n
        .doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let extra = schema.get("additionalProperties");
            if extra
                .and_then(|e| e.get("x-sensitive"))
                .and_then(Value::as_bool)
                == Some(true)
            {
                n.sensitive_extra.insert(name.to_pascal_case());
            }
        }
    }
    Ok(n)
}

/// Where an operation lives: `/paths/<path>/<method>`.
#[derive(Debug, Clone)]
struct OpRef {
    path: String,
    method: String,
}

impl OpRef {
    fn pointer(&self) -> String {
        format!("/paths/{}/{}", pointer_token(&self.path), self.method)
    }
}

fn operations(doc: &Value) -> Vec<OpRef> {
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if item.get(*method).is_some_and(Value::is_object) {
                    ops.push(OpRef {
                        path: path.clone(),
                        method: method.to_string(),
                    });
                }
            }
        }
    }
    ops
}

fn op_mut<'a>(doc: &'a mut Value, op: &OpRef) -> &'a mut Map<String, Value> {
    doc.pointer_mut(&op.pointer())
        .and_then(Value::as_object_mut)
        .expect("operation listed from the document")
}

fn op_id(doc: &Value, op: &OpRef) -> String {
    doc.pointer(&format!("{}/operationId", op.pointer()))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// progenitor needs a unique `operationId` on every operation. Missing ones are made from
/// the method and path (`GET /sessions/{id}` → `get_sessions_by_id`); duplicates (after
/// conversion to snake case, which is how progenitor names methods) get a suffix.
fn assign_operation_ids(n: &mut Normalized, ops: &[OpRef]) {
    let mut seen = std::collections::BTreeSet::new();
    for op in ops {
        let existing = op_id(&n.doc, op);
        let base = if existing.is_empty() {
            let mut name = op.method.clone();
            for segment in op.path.split('/').filter(|s| !s.is_empty()) {
                if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    name.push_str("_by_");
                    name.push_str(param);
                } else {
                    name.push('_');
                    name.push_str(segment);
                }
            }
            name.to_snake_case()
        } else {
            existing.clone()
        };
        let mut id = base.clone();
        let mut k = 2;
        while !seen.insert(id.to_snake_case()) {
            id = format!("{base}_{k}");
            k += 1;
        }
        if id != existing {
            n.notes.push(if existing.is_empty() {
                format!("#{}: no operationId; named it `{id}`", op.pointer())
            } else {
                format!(
                    "#{}: duplicate operationId `{existing}`; renamed to `{id}`",
                    op.pointer()
                )
            });
            op_mut(&mut n.doc, op).insert("operationId".into(), Value::String(id));
        }
    }
}

/// A media type without its parameters, lower case (`application/json; charset=utf-8`
/// → `application/json`).
fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json_media(media: &str) -> bool {
    let essence = essence(media);
    essence == "application/json"
        || essence == "text/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Picks the one media type progenitor will see: JSON first, then the other kinds it
/// supports, in this order.
fn choose_media(content: &Map<String, Value>, request: bool) -> Option<String> {
    // Plain `application/json` first: a `+json` variant (JSON Patch, ...) is the exception.
    if let Some(m) = content
        .keys()
        .find(|m| essence(m) == "application/json")
        .or_else(|| content.keys().find(|m| is_json_media(m)))
    {
        return Some(m.clone());
    }
    if request {
        for wanted in [
            "application/x-www-form-urlencoded",
            "application/octet-stream",
            "text/plain",
        ] {
            if let Some(m) = content.keys().find(|m| essence(m) == wanted) {
                return Some(m.clone());
            }
        }
        None
    } else {
        content.keys().next().cloned()
    }
}

fn normalize_request_body(file: &Path, n: &mut Normalized, op: &OpRef) -> Result<()> {
    let pointer = format!("{}/requestBody", op.pointer());
    let body = resolve_ref(&n.doc, n.doc.pointer(&pointer));
    let Some(mut body) = body else { return Ok(()) };
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    if content.is_empty() {
        return Ok(());
    }
    if choose_media(content, true).is_none()
        && let Some(media) = content
            .iter()
            .find(|(m, _)| {
                m.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case(multipart::MEDIA)
            })
            .map(|(_, media)| media.clone())
    {
        let required = body.get("required").and_then(Value::as_bool) == Some(true);
        let id = op_id(&n.doc, op);
        return multipart::take(file, n, &id, &pointer, required, &media);
    }
    let Some(chosen) = choose_media(content, true) else {
        let kinds: Vec<&String> = content.keys().collect();
        return Err(Error::at_pointer(
            file,
            &format!("{pointer}/content"),
            format!(
                "request body media types {kinds:?} are not supported by the generator \
                 (JSON, form-urlencoded, multipart/form-data, octet-stream, text/plain are); remove or retarget \
                 this operation in overlay.yaml"
            ),
        ));
    };
    let changed = content.len() > 1 || (is_json_media(&chosen) && chosen != "application/json");
    if !changed {
        return Ok(());
    }
    let (key, dropped) = keep_only(content, &chosen);
    n.notes.push(format!(
        "#{pointer}: request body {}",
        media_note(&chosen, &key, &dropped)
    ));
    if let Some(slot) = n.doc.pointer_mut(&pointer) {
        *slot = body;
    }
    Ok(())
}

/// Follows a local `$ref` (`#/components/...`) and returns a copy of the target.
fn resolve_ref(doc: &Value, value: Option<&Value>) -> Option<Value> {
    let mut value = value?;
    for _ in 0..8 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/") => value = doc.pointer(&r[1..])?,
            _ => return Some(value.clone()),
        }
    }
    Some(value.clone())
}

#[derive(Debug, Clone, PartialEq)]
enum BodyKind {
    Json(Value),
    None,
    Raw,
}

fn body_kind(response: &Value) -> BodyKind {
    match response.get("content").and_then(Value::as_object) {
        Some(content) if !content.is_empty() => match content.get("application/json") {
            Some(media) => BodyKind::Json(media.get("schema").cloned().unwrap_or(json!({}))),
            None => BodyKind::Raw,
        },
        _ => BodyKind::None,
    }
}

fn normalize_responses(file: &Path, n: &mut Normalized, op: &OpRef) -> Result<()> {
    let pointer = format!("{}/responses", op.pointer());
    let Some(responses) = n.doc.pointer(&pointer).and_then(Value::as_object).cloned() else {
        return Ok(());
    };
    let id = op_id(&n.doc, op);
    let type_base = id.to_pascal_case();
    // Inline `$ref`d responses so each can be reshaped on its own.
    let mut resolved: Vec<(String, Value)> = Vec::new();
    for (status, response) in responses {
        let mut response = resolve_ref(&n.doc, Some(&response)).unwrap_or(json!({}));
        if !response.is_object() {
            return Err(Error::at_pointer(
                file,
                &format!("{pointer}/{}", pointer_token(&status)),
                "a response must be an object",
            ));
        }
        if response.get("description").is_none() {
            response["description"] = json!("");
        }
        normalize_response_media(
            n,
            &format!("{pointer}/{}", pointer_token(&status)),
            &mut response,
        );
        resolved.push((status, response));
    }

    // `default`: with a declared success it stands for the errors; alone it is the success.
    let has_success = resolved.iter().any(|(s, _)| s.starts_with('2'));
    if let Some(index) = resolved.iter().position(|(s, _)| s == "default") {
        let (_, default) = resolved.remove(index);
        let targets: Vec<&str> = if has_success {
            vec!["4XX", "5XX"]
        } else {
            vec!["2XX"]
        };
        let mut added = Vec::new();
        for target in targets {
            if !resolved.iter().any(|(s, _)| s == target) {
                resolved.push((target.to_string(), default.clone()));
                added.push(target);
            }
        }
        n.notes.push(format!(
            "#{pointer}/default: `default` response expressed as {added:?}"
        ));
    }

    let is_success = |s: &str| s.starts_with('2');
    let is_error = |s: &str| s.starts_with('4') || s.starts_with('5');
    for (group, filter) in [
        ("success", &is_success as &dyn Fn(&str) -> bool),
        ("error", &is_error),
    ] {
        let members: Vec<usize> = (0..resolved.len())
            .filter(|&i| filter(&resolved[i].0))
            .collect();
        let kinds: Vec<BodyKind> = members.iter().map(|&i| body_kind(&resolved[i].1)).collect();
        let mut distinct: Vec<&BodyKind> = Vec::new();
        for k in &kinds {
            if !distinct.contains(&k) {
                distinct.push(k);
            }
        }
        if distinct.len() <= 1 {
            continue;
        }
        let has_json = kinds.iter().any(|k| matches!(k, BodyKind::Json(_)));
        let mut remove = Vec::new();
        let mut empty_statuses = Vec::new();
        if has_json {
            for (&i, kind) in members.iter().zip(&kinds) {
                let status = resolved[i].0.clone();
                match kind {
                    BodyKind::Raw => {
                        n.notes.push(format!(
                            "#{pointer}/{status}: non-JSON {group} body alongside JSON ones; \
                             left undocumented (returned as an unexpected response, body intact)"
                        ));
                        remove.push(i);
                    }
                    BodyKind::None if group == "success" => {
                        match status.parse::<u16>() {
                            Ok(code) => empty_statuses.push(code),
                            Err(_) => {
                                return Err(Error::at_pointer(
                                    file,
                                    &format!("{pointer}/{status}"),
                                    "a body-less success range next to a JSON success body \
                                     cannot be typed; give it a body or an exact status",
                                ));
                            }
                        }
                        remove.push(i);
                    }
                    BodyKind::None => {
                        n.notes.push(format!(
                            "#{pointer}/{status}: body-less error response alongside JSON ones; \
                             left undocumented (returned as an unexpected response with its status)"
                        ));
                        remove.push(i);
                    }
                    BodyKind::Json(_) => {}
                }
            }
            // Several JSON schemas: one `oneOf` type for the group.
            let mut schemas: Vec<Value> = Vec::new();
            for kind in &kinds {
                if let BodyKind::Json(schema) = kind
                    && !schemas.contains(schema)
                {
                    schemas.push(schema.clone());
                }
            }
            if schemas.len() > 1 {
                let suffix = if group == "success" {
                    "Success"
                } else {
                    "ErrorBody"
                };
                let name = unique_schema_name(&n.doc, &format!("{type_base}{suffix}"));
                let (union, how) = match merge_objects(&n.doc, &schemas) {
                    Some(merged) => (
                        merged,
                        "merged into one object with every documented property",
                    ),
                    // No lossless typed form: keep the body as JSON.
                    None => (json!({}), "kept as free-form JSON"),
                };
                let mut union = union;
                union["description"] = json!(format!(
                    "The {group} bodies of `{id}`, {}.",
                    describe_schemas(&schemas)
                ));
                insert_schema(&mut n.doc, &name, union);
                for (&i, kind) in members.iter().zip(&kinds) {
                    if matches!(kind, BodyKind::Json(_)) {
                        resolved[i].1["content"]["application/json"]["schema"] =
                            json!({ "$ref": format!("#/components/schemas/{name}") });
                    }
                }
                n.notes.push(format!(
                    "#{pointer}: {} different JSON {group} bodies {how} as `{name}`",
                    schemas.len()
                ));
            } else if let Some(schema) = schemas.first()
                && schema.get("$ref").is_none()
                && kinds
                    .iter()
                    .filter(|k| matches!(k, BodyKind::Json(_)))
                    .count()
                    > 1
            {
                // One inline schema used by several statuses: name it once.
                let suffix = if group == "success" {
                    "Response"
                } else {
                    "ErrorBody"
                };
                let name = unique_schema_name(&n.doc, &format!("{type_base}{suffix}"));
                insert_schema(&mut n.doc, &name, schema.clone());
                for (&i, kind) in members.iter().zip(&kinds) {
                    if matches!(kind, BodyKind::Json(_)) {
                        resolved[i].1["content"]["application/json"]["schema"] =
                            json!({ "$ref": format!("#/components/schemas/{name}") });
                    }
                }
            }
        } else {
            // Raw and body-less only: everything becomes a byte stream.
            for &i in &members {
                if body_kind(&resolved[i].1) == BodyKind::None {
                    resolved[i].1["content"] = json!({ "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } });
                }
            }
            n.notes.push(format!(
                "#{pointer}: mixed non-JSON and empty {group} bodies all returned as byte streams"
            ));
        }
        if !empty_statuses.is_empty() {
            n.notes.push(format!(
                "#{pointer}: body-less success {empty_statuses:?} next to a JSON body; \
                 the method returns Option<T> (None for those statuses)"
            ));
            n.optional_success.insert(id.clone(), empty_statuses);
        }
        remove.sort_unstable();
        for i in remove.into_iter().rev() {
            resolved.remove(i);
        }
    }

    let mut out = Map::new();
    for (status, response) in resolved {
        out.insert(status, response);
    }
    if let Some(slot) = n.doc.pointer_mut(&pointer) {
        *slot = Value::Object(out);
    }
    Ok(())
}

fn normalize_response_media(n: &mut Normalized, pointer: &str, response: &mut Value) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    if content.is_empty() {
        return;
    }
    let Some(chosen) = choose_media(content, false) else {
        return;
    };
    if content.len() == 1 && chosen == "application/json" {
        return;
    }
    let (key, dropped) = keep_only(content, &chosen);
    let encrypted = key == "application/json" && dropped.iter().any(|m| is_encrypted_media(m));
    if encrypted {
        n.encrypted_responses.push(pointer.to_string());
    }
    if !dropped.is_empty() || key != chosen {
        n.notes.push(format!(
            "#{pointer}/content: response {}{}",
            media_note(&chosen, &key, &dropped),
            if encrypted {
                " (the encrypted form is decrypted to it by the runtime: feature `jwe`)"
            } else {
                ""
            }
        ));
    }
}

/// Whether a response of `doc` (an operation's or a component's) offers a JSON body also
/// as a JWE: what `normalize_response_media` records.
pub fn has_encrypted_responses(doc: &Value) -> bool {
    let offers = |response: &Value| {
        response
            .get("content")
            .and_then(Value::as_object)
            .is_some_and(|content| {
                content.keys().any(|m| is_json_media(m))
                    && content.keys().any(|m| is_encrypted_media(m))
            })
    };
    let operations = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|op| op.get("responses").and_then(Value::as_object))
        .flat_map(|responses| responses.values());
    let components = doc
        .pointer("/components/responses")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|responses| responses.values());
    operations.chain(components).any(offers)
}

/// A JWE body: what [`idverify_runtime::jwe`] decrypts.
fn is_encrypted_media(media: &str) -> bool {
    matches!(
        essence(media).as_str(),
        "application/jose" | "application/jwt" | "application/jose+json"
    )
}

/// Keeps only the `chosen` media type (JSON variants under `application/json`, which is
/// what progenitor recognises); returns its new key and the dropped types.
fn keep_only(content: &mut Map<String, Value>, chosen: &str) -> (String, Vec<String>) {
    let media = content.get(chosen).cloned().unwrap_or_default();
    let dropped: Vec<String> = content.keys().filter(|k| *k != chosen).cloned().collect();
    let key = if is_json_media(chosen) {
        "application/json".to_string()
    } else {
        chosen.to_string()
    };
    content.clear();
    content.insert(key.clone(), media);
    (key, dropped)
}

fn media_note(chosen: &str, key: &str, dropped: &[String]) -> String {
    let mut note = if chosen == key {
        format!("kept `{chosen}`")
    } else {
        format!("`{chosen}` read as `{key}`")
    };
    if !dropped.is_empty() {
        note.push_str(&format!(", dropped {}", dropped.join(", ")));
    }
    note
}

/// One object schema with the properties of all `schemas` (all optional), if each is an
/// object and no property name has two different schemas. An untagged `oneOf` would
/// be lossy: the first variant whose fields are all optional matches any body.
fn merge_objects(doc: &Value, schemas: &[Value]) -> Option<Value> {
    let mut properties = Map::new();
    for schema in schemas {
        let schema = resolve_ref(doc, Some(schema))?;
        if schema.get("type").and_then(Value::as_str) != Some("object") {
            return None;
        }
        for (name, property) in schema.get("properties")?.as_object()? {
            match properties.get(name) {
                Some(existing) if existing != property => return None,
                _ => {
                    properties.insert(name.clone(), property.clone());
                }
            }
        }
    }
    Some(json!({ "type": "object", "properties": properties }))
}

fn describe_schemas(schemas: &[Value]) -> String {
    let names: Vec<String> = schemas
        .iter()
        .map(|s| match s.get("$ref").and_then(Value::as_str) {
            Some(r) => format!("`{}`", r.rsplit('/').next().unwrap_or(r)),
            None => "an inline schema".to_string(),
        })
        .collect();
    format!("one of {}", names.join(", "))
}

fn unique_schema_name(doc: &Value, base: &str) -> String {
    let taken = |name: &str| {
        doc.pointer(&format!("/components/schemas/{name}"))
            .is_some()
    };
    let mut name = base.to_string();
    let mut k = 2;
    while taken(&name) {
        name = format!("{base}{k}");
        k += 1;
    }
    name
}

fn insert_schema(doc: &mut Value, name: &str, schema: Value) {
    let root = doc.as_object_mut().expect("document is an object");
    let components = root.entry("components").or_insert_with(|| json!({}));
    if !components.is_object() {
        *components = json!({});
    }
    let schemas = components
        .as_object_mut()
        .expect("object")
        .entry("schemas")
        .or_insert_with(|| json!({}));
    if let Some(schemas) = schemas.as_object_mut() {
        schemas.insert(name.to_string(), schema);
    }
}

/// `minLength: 0` and `minItems: 0` constrain nothing, but typify turns them into
/// `len < 0` checks that the compiler warns about.
fn drop_noop_constraints(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in ["minLength", "minItems", "minProperties"] {
                if map.get(key).and_then(Value::as_u64) == Some(0) {
                    map.remove(key);
                }
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    drop_noop_constraints(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_noop_constraints),
        _ => {}
    }
}

/// Every property with `x-sensitive: true` gets [`SENSITIVE_MARKER`] in its description,
/// so the marker reaches the generated field's rustdoc. A `$ref` property with siblings
/// (description, mark) is wrapped in a one-element `allOf` first: OpenAPI 3.0 ignores
/// siblings of `$ref`.
fn mark_sensitive(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for property in properties.values_mut() {
                    // OpenAPI 3.0 ignores siblings of `$ref` (a description, the
                    // sensitivity mark): keep them by wrapping the reference in `allOf`.
                    if let Value::Object(p) = property
                        && p.len() > 1
                        && let Some(reference) = p.remove("$ref")
                    {
                        p.insert("allOf".into(), json!([{ "$ref": reference }]));
                    }
                    let sensitive =
                        property.get("x-sensitive").and_then(Value::as_bool) == Some(true);
                    if sensitive && let Value::Object(p) = property {
                        let description = p
                            .get("description")
                            .and_then(Value::as_str)
                            .map(|d| format!("{}\n\n{SENSITIVE_MARKER}", d.trim_end()))
                            .unwrap_or_else(|| SENSITIVE_MARKER.to_string());
                        p.insert("description".into(), Value::String(description));
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    mark_sensitive(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mark_sensitive),
        _ => {}
    }
}

/// An open enum, `anyOf: [{type: string, enum: [...]}, {type: string}]`, says "one of the
/// documented values, or any other string": what every generated string enum already is
/// (its `Unknown` variant). Progenitor would make it an untagged union, so it is
/// read as the enum alone.
fn open_enums(value: &mut Value, pointer: &str, notes: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(documented) = open_enum_values(map) {
                map.remove("anyOf");
                map.insert("type".into(), json!("string"));
                map.insert("enum".into(), documented);
                notes.push(format!(
                    "{pointer}: open enum (documented values or any string) read as its string enum"
                ));
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    open_enums(child, &format!("{pointer}/{}", pointer_token(key)), notes);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                open_enums(item, &format!("{pointer}/{i}"), notes);
            }
        }
        _ => {}
    }
}

/// The documented values of an open enum, when `schema` is one.
fn open_enum_values(schema: &Map<String, Value>) -> Option<Value> {
    let [first, second] = schema.get("anyOf")?.as_array()?.as_slice() else {
        return None;
    };
    let is_string = |s: &Value| s.get("type").and_then(Value::as_str) == Some("string");
    let (listed, any) = if first.get("enum").is_some() {
        (first, second)
    } else {
        (second, first)
    };
    (is_string(listed) && is_string(any) && any.get("enum").is_none())
        .then(|| listed.get("enum").cloned())
        .flatten()
}

#[cfg(test)]
mod open_enum_tests {
    use super::*;

    #[test]
    fn an_open_enum_becomes_its_string_enum() {
        let mut doc = json!({ "components": { "schemas": { "Gender": {
            "description": "d",
            "anyOf": [{ "type": "string", "enum": ["MALE", "FEMALE"] }, { "type": "string" }]
        }}}});
        let mut notes = Vec::new();
        open_enums(&mut doc, "", &mut notes);
        assert_eq!(
            doc["components"]["schemas"]["Gender"],
            json!({ "description": "d", "type": "string", "enum": ["MALE", "FEMALE"] })
        );
        assert_eq!(
            notes,
            [
                "/components/schemas/Gender: open enum (documented values or any string) read as its string enum"
            ]
        );
    }

    #[test]
    fn other_unions_stay() {
        let union =
            json!({ "anyOf": [{ "type": "string", "enum": ["a"] }, { "type": "integer" }] });
        let mut doc = union.clone();
        open_enums(&mut doc, "", &mut Vec::new());
        assert_eq!(doc, union);
    }
}

#[cfg(test)]
mod encrypted_response_tests {
    use super::*;

    fn response(content: Value) -> (Normalized, Value) {
        let mut n = Normalized::default();
        let mut response = json!({ "description": "", "content": content });
        normalize_response_media(&mut n, "/paths/~1s/get/responses/200", &mut response);
        (n, response)
    }

    #[test]
    fn a_json_response_that_also_comes_as_a_jwe_is_marked_encrypted() {
        for media in [
            "application/jose",
            "application/jwt",
            "application/jose+json; charset=utf-8",
        ] {
            let (n, response) = response(json!({
                "application/json": { "schema": { "type": "object" } },
                media: { "schema": { "type": "string" } },
            }));
            assert_eq!(
                n.encrypted_responses,
                ["/paths/~1s/get/responses/200"],
                "{media}"
            );
            assert_eq!(
                response["content"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .collect::<Vec<_>>(),
                ["application/json"]
            );
            assert!(n.notes[0].contains("feature `jwe`"), "{:?}", n.notes);
        }
    }

    #[test]
    fn other_alternatives_are_not() {
        let (n, _) = response(json!({
            "application/json": { "schema": { "type": "object" } },
            "application/xml": { "schema": { "type": "object" } },
        }));
        assert!(n.encrypted_responses.is_empty());
        // A JWE alone is no JSON body to decrypt to.
        let (n, _) = response(json!({ "application/jose": { "schema": { "type": "string" } } }));
        assert!(n.encrypted_responses.is_empty());
    }

    #[test]
    fn a_document_offering_an_encrypted_result_is_found_before_normalising() {
        let content = json!({
            "application/json": { "schema": { "type": "object" } },
            "application/jose": { "schema": { "type": "string" } },
        });
        let in_operation = json!({ "paths": { "/s": { "get": { "responses": {
            "200": { "description": "", "content": content }
        }}}}});
        let in_component = json!({ "paths": {}, "components": { "responses": {
            "Session": { "description": "", "content": content }
        }}});
        assert!(has_encrypted_responses(&in_operation));
        assert!(has_encrypted_responses(&in_component));
        assert!(!has_encrypted_responses(
            &json!({ "paths": { "/s": { "get": { "responses": {
                "200": { "description": "", "content": { "application/json": {} } }
            }}}}})
        ));
    }
}
