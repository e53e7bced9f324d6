//! A strict JSON reader: objects only where a struct or map is read, `null` only where
//! the spec says `nullable`, and every failure naming the member it concerns.

use serde::de::DeserializeOwned;

/// Why a JSON body was refused: the field (a dotted path, `body` for the whole body)
/// and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub name: String,
    pub reason: String,
}

/// Parses `body` as a JSON object into `T`; a failure names the field it concerns.
///
/// The body must be an object, and so must every nested value read into a struct or a
/// map: serde would otherwise also fill a struct from an array of its members.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, FieldError> {
    parse(body, None)
}

/// [`parse_json`] for a vendor's request body, which also refuses `null` for a member
/// `T` knows unless `nullable` lists it: serde reads a `null` member as absent, while
/// the vendors' specs allow `null` only where they say `nullable`. Members `T` does not
/// know and the insides of free-form values (JSON values, maps of them) are not checked,
/// as the specs leave them open.
///
/// `nullable` holds member paths as the generated `spec_facts` list them:
/// `callbackUrls.success`, and `items[].name` for a member of any array item.
pub fn parse_request<T: DeserializeOwned>(body: &[u8], nullable: &[&str]) -> Result<T, FieldError> {
    parse(body, Some(nullable))
}

fn parse<T: DeserializeOwned>(body: &[u8], nullable: Option<&[&str]>) -> Result<T, FieldError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| FieldError {
        name: "body".into(),
        reason: format!("not valid JSON: {}", without_position(&e.to_string())),
    })?;
    if !value.is_object() {
        return Err(FieldError {
            name: "body".into(),
            reason: "must be a JSON object".into(),
        });
    }
    read_value(&value, nullable)
}

/// Reads `T` from a JSON value as [`parse_json`] reads a body (structs only from
/// objects); a failure names the field relative to `value` (`body` for `value` itself).
pub fn from_value<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, FieldError> {
    read_value(value, None)
}

fn read_value<T: DeserializeOwned>(
    value: &serde_json::Value,
    nullable: Option<&[&str]>,
) -> Result<T, FieldError> {
    let strict = StrictValue {
        value,
        path: String::new(),
        nullable,
    };
    serde_path_to_error::deserialize(strict).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        field_error(&path, &inner)
    })
}

/// Deserializes from a JSON value like serde_json does, except that a struct or a map
/// must come from a JSON object (serde's derived structs also accept an array of their
/// members in order, which no vendor does), and that an optional member is `null` only
/// where `nullable` allows it (`None`: anywhere).
struct StrictValue<'de, 'n> {
    value: &'de serde_json::Value,
    /// Where `value` is, as `a.b[0].c`; empty for the body.
    path: String,
    nullable: Option<&'n [&'n str]>,
}

impl<'de, 'n> StrictValue<'de, 'n> {
    fn child(&self, value: &'de serde_json::Value, path: String) -> Self {
        Self {
            value,
            path,
            nullable: self.nullable,
        }
    }

    fn require_object(&self) -> Result<(), serde_json::Error> {
        if self.value.is_object() {
            return Ok(());
        }
        use serde::de::Unexpected;
        let unexpected = match self.value {
            serde_json::Value::Null => Unexpected::Unit,
            serde_json::Value::Bool(b) => Unexpected::Bool(*b),
            serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Unexpected::Unsigned(u),
                (None, Some(i)) => Unexpected::Signed(i),
                _ => Unexpected::Float(n.as_f64().unwrap_or_default()),
            },
            serde_json::Value::String(s) => Unexpected::Str(s),
            serde_json::Value::Array(_) => Unexpected::Seq,
            serde_json::Value::Object(_) => Unexpected::Map,
        };
        Err(serde::de::Error::invalid_type(unexpected, &"a JSON object"))
    }
}

impl<'de> serde::Deserializer<'de> for StrictValue<'de, '_> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        match self.value {
            serde_json::Value::Null => visitor.visit_unit(),
            serde_json::Value::Bool(b) => visitor.visit_bool(*b),
            serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => visitor.visit_u64(u),
                (None, Some(i)) => visitor.visit_i64(i),
                _ => visitor.visit_f64(n.as_f64().unwrap_or_default()),
            },
            serde_json::Value::String(s) => visitor.visit_borrowed_str(s),
            serde_json::Value::Array(items) => {
                let mut items = SeqDeserializer::new(
                    items
                        .iter()
                        .enumerate()
                        .map(|(index, item)| self.child(item, format!("{}[{index}]", self.path))),
                );
                let value = visitor.visit_seq(&mut items)?;
                items.end()?;
                Ok(value)
            }
            serde_json::Value::Object(members) => {
                let mut members = MapDeserializer::new(members.iter().map(|(name, member)| {
                    let path = if self.path.is_empty() {
                        name.clone()
                    } else {
                        format!("{}.{name}", self.path)
                    };
                    (name.as_str(), self.child(member, path))
                }));
                let value = visitor.visit_map(&mut members)?;
                members.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if !self.value.is_null() {
            return visitor.visit_some(self);
        }
        match self.nullable {
            Some(nullable) if !nullable.contains(&any_index(&self.path).as_str()) => Err(
                serde::de::Error::custom("must not be null (leave it out instead)"),
            ),
            _ => visitor.visit_none(),
        }
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.require_object()?;
        self.deserialize_any(visitor)
    }

    fn deserialize_map<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.require_object()?;
        self.deserialize_any(visitor)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        serde::Deserializer::deserialize_enum(self.value, name, variants, visitor)
    }

    fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf unit unit_struct seq tuple tuple_struct identifier
    }
}

impl<'de, 'n> serde::de::IntoDeserializer<'de, serde_json::Error> for StrictValue<'de, 'n> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// serde_json appends " at line L column C"; the position says little here.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

fn field_error(path: &str, error: &serde_json::Error) -> FieldError {
    let reason = without_position(&error.to_string());
    let base = if path == "." { "" } else { path };
    let join = |field: &str| {
        if base.is_empty() {
            field.to_string()
        } else {
            format!("{base}.{field}")
        }
    };
    // A missing field is reported at its parent: name the field itself.
    if let Some(rest) = reason.strip_prefix("missing field `")
        && let Some(field) = rest.strip_suffix('`')
    {
        return FieldError {
            name: join(field),
            reason: format!("The {field} field is required."),
        };
    }
    FieldError {
        name: if base.is_empty() {
            "body".into()
        } else {
            base.to_string()
        },
        reason,
    }
}

/// `items[0].name` → `items[].name`: the spec's nullable members hold for every index.
fn any_index(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push(c);
            }
            ']' => {
                in_index = false;
                out.push(c);
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outer {
        flow: String,
        inner: Option<Inner>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<Outer>(br#"{"inner":null}"#).unwrap_err();
        assert_eq!(e.name, "flow");
        let e = parse_json::<Outer>(br#"{"flow":"x","inner":{}}"#).unwrap_err();
        assert_eq!(e.name, "inner.count");
        let e = parse_json::<Outer>(br#"{"flow":"x","inner":{"count":"many"}}"#).unwrap_err();
        assert_eq!(e.name, "inner.count");
        assert!(e.reason.contains("invalid type"), "{}", e.reason);
        let e = parse_json::<Outer>(br#"{"flow":7}"#).unwrap_err();
        assert_eq!(e.name, "flow");
        let e = parse_json::<Outer>(b"[1]").unwrap_err();
        assert_eq!(e.name, "body");
        let e = parse_json::<Outer>(b"{not json").unwrap_err();
        assert_eq!(e.name, "body");
        let e = parse_json::<Outer>(br#"{"flow":"x"} trailing"#).unwrap_err();
        assert_eq!(e.name, "body");
        assert!(parse_json::<Outer>(br#"{"flow":"x"}"#).is_ok());
    }

    #[test]
    fn objects_are_not_read_from_arrays() {
        let e = parse_json::<Outer>(br#"{"flow":"x","inner":[3]}"#).unwrap_err();
        assert_eq!(e.name, "inner");
        assert!(e.reason.contains("expected a JSON object"), "{}", e.reason);
        let e = parse_json::<Outer>(br#"{"flow":"x","inner":{"count":-1}}"#).unwrap_err();
        assert_eq!(e.name, "inner.count");
        let e = parse_json::<Outer>(br#"{"flow":null}"#).unwrap_err();
        assert!(e.reason.contains("invalid type: null"), "{}", e.reason);
        let map = parse_json::<std::collections::HashMap<String, serde_json::Value>>(
            br#"{"a":[1,{"b":null}],"c":1.5}"#,
        )
        .unwrap();
        assert_eq!(map["a"], serde_json::json!([1, {"b": null}]));
        assert_eq!(map["c"], serde_json::json!(1.5));
    }

    #[test]
    fn requests_carry_null_only_where_the_spec_allows_it() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Request {
            flow: Option<String>,
            inner: Option<Inner>,
            items: Option<Vec<Item>>,
            free: Option<serde_json::Map<String, serde_json::Value>>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            name: Option<String>,
        }
        let nullable = &["inner", "items[].name"];
        let parse = |body: &str| parse_request::<Request>(body.as_bytes(), nullable);
        assert!(parse(r#"{"inner":null,"items":[{},{"name":null}]}"#).is_ok());
        assert!(parse(r#"{"items":[{"name":null},{"name":null}]}"#).is_ok());
        // Free-form values and members the type does not know are open.
        assert!(parse(r#"{"free":{"a":[null],"b":null},"unknown":[null]}"#).is_ok());
        for (body, field) in [
            (r#"{"flow":null}"#, "flow"),
            (r#"{"free":null}"#, "free"),
            (r#"{"items":[null]}"#, "items[0]"),
        ] {
            let e = parse(body).unwrap_err();
            assert_eq!(e.name, field, "{body}");
            assert!(e.reason.contains("null"), "{}", e.reason);
        }
        assert!(parse_json::<Request>(br#"{"flow":null}"#).is_ok());
    }
}
