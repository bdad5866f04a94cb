//! Values on the wire: Terraform sends and expects msgpack, with an unknown value written as
//! extension type 0 (go-cty's encoding). The tool walks a value alongside its schema to plan
//! it (computed attributes it was not given become unknown, write-only ones null) or to fill
//! it (computed attributes become known placeholders, as a read must return).

use rmpv::Value;
use tfsynth::schema::{Attributes, BlockSchema, Nesting, Type};

use crate::protocol::{Diagnostic, DynamicValue};

/// go-cty's unknown value: a fixext1 of type 0.
fn unknown() -> Value {
    Value::Ext(0, vec![0])
}

/// Decodes a msgpack value (an absent one is null).
pub fn decode(value: Option<&DynamicValue>) -> Result<Value, Diagnostic> {
    let bytes = value.map(|v| v.msgpack.as_slice()).unwrap_or_default();
    if bytes.is_empty() {
        return Ok(Value::Nil);
    }
    rmpv::decode::read_value(&mut &bytes[..])
        .map_err(|e| Diagnostic::error("the tfsynth test provider could not decode a value", e.to_string()))
}

/// Encodes a value as msgpack.
pub fn encode(value: &Value) -> DynamicValue {
    let mut msgpack = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = rmpv::encode::write_value(&mut msgpack, value);
    DynamicValue { msgpack, json: Vec::new() }
}

/// What to do with an attribute a value leaves null.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// Plan: a computed one becomes unknown.
    Plan,
    /// Read: a computed one becomes a placeholder naming `path` and the attribute.
    Fill(&'a str),
}

/// The planned state of a proposed one (null, a destroy, stays null).
pub fn planned(block: BlockSchema, proposed: Value) -> Value {
    walk_block(block, proposed, Mode::Plan)
}

/// A read result: `config` with every computed attribute it leaves null filled in, each
/// placeholder naming `ty` (the type, e.g. `random_password`) and the attribute.
pub fn fill(block: BlockSchema, config: Value, ty: &str) -> Value {
    walk_block(block, config, Mode::Fill(ty))
}

/// The entries of an object value, by name.
fn entries(value: Value) -> Vec<(String, Value)> {
    match value {
        Value::Map(entries) => {
            entries.into_iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), v)).collect()
        }
        _ => Vec::new(),
    }
}

fn object(entries: Vec<(String, Value)>) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (Value::from(k), v)).collect())
}

fn walk_block(block: BlockSchema, value: Value, mode: Mode<'_>) -> Value {
    if matches!(value, Value::Nil) || matches!(value, Value::Ext(..)) {
        return value;
    }
    let entries = entries(value)
        .into_iter()
        .map(|(name, v)| {
            let v = if let Some(b) = block.blocks.get(&name) {
                each(b.nesting, v, &|item| walk_block(b.block(), item, mode))
            } else {
                v
            };
            (name, v)
        })
        .collect();
    walk_attributes(block.attributes, entries, mode)
}

/// Plans or fills the attributes of one object.
fn walk_attributes(attributes: Attributes, given: Vec<(String, Value)>, mode: Mode<'_>) -> Value {
    let walked = given
        .into_iter()
        .map(|(name, v)| {
            let Some(a) = attributes.get(&name) else { return (name, v) };
            let v = match (&v, a.nested) {
                _ if a.write_only => Value::Nil,
                (Value::Nil, _) if a.computed => match mode {
                    Mode::Plan => unknown(),
                    Mode::Fill(path) => placeholder(&a.ty, &format!("{path}.{name}")),
                },
                (Value::Nil | Value::Ext(..), _) | (_, None) => v,
                (_, Some((nesting, inner))) => each(nesting, v, &|item| {
                    if matches!(item, Value::Nil) { item } else { walk_attributes(inner, entries(item), mode) }
                }),
            };
            (name, v)
        })
        .collect();
    object(walked)
}

/// Applies `f` to each object of a nested value: the one object, or each element of a list,
/// set or map.
fn each(nesting: Nesting, value: Value, f: &dyn Fn(Value) -> Value) -> Value {
    match (nesting, value) {
        (Nesting::List | Nesting::Set, Value::Array(items)) => Value::Array(items.into_iter().map(f).collect()),
        (Nesting::Map, Value::Map(items)) => Value::Map(items.into_iter().map(|(k, v)| (k, f(v))).collect()),
        (Nesting::Single | Nesting::Group, v) => f(v),
        (_, v) => v,
    }
}

/// A known value of type `ty` that says where it came from.
fn placeholder(ty: &Type, path: &str) -> Value {
    let marker = || Value::from(format!("tfsynth-test-provider:{path}"));
    match ty {
        Type::String => marker(),
        Type::Number => Value::from(0),
        Type::Bool => Value::from(false),
        Type::List(_) | Type::Set(_) => Value::Array(Vec::new()),
        Type::Map(_) => Value::Map(Vec::new()),
        Type::Object(fields) => object(
            fields.iter().map(|(name, t)| (name.to_owned(), placeholder(t, &format!("{path}.{name}")))).collect(),
        ),
        Type::Tuple(items) => Value::Array(items.iter().map(|t| placeholder(t, path)).collect()),
        // A dynamic value carries its type: `[type JSON, value]`.
        Type::Dynamic => Value::Array(vec![Value::Binary(b"\"string\"".to_vec()), marker()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfsynth::model::Kind;
    use tfsynth::schema::Schema;

    fn block(provider: &str, kind: Kind, ty: &str) -> BlockSchema {
        Schema::named(provider).and_then(|s| s.block(kind, ty)).expect("vendored")
    }

    fn get<'a>(v: &'a Value, name: &str) -> &'a Value {
        v.as_map().and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(name))).map(|(_, v)| v).expect(name)
    }

    #[test]
    fn a_create_plans_computed_attributes_unknown_and_write_only_ones_null() {
        let proposed = object(vec![
            ("name".into(), Value::from("db")),
            ("secret_id".into(), Value::from("arn:secret")),
            ("secret_string".into(), Value::Nil),
            ("secret_string_wo".into(), Value::from("hunter2")),
            ("arn".into(), Value::Nil),
            ("version_stages".into(), Value::Nil),
        ]);
        let plan = planned(block("aws", Kind::Managed, "aws_secretsmanager_secret_version"), proposed);
        assert_eq!(get(&plan, "secret_id"), &Value::from("arn:secret"));
        assert_eq!(get(&plan, "arn"), &unknown());
        assert_eq!(get(&plan, "version_stages"), &unknown());
        assert_eq!(get(&plan, "secret_string_wo"), &Value::Nil, "a write-only value is never planned");
        // The bytes terraform reads: fixext1, type 0.
        assert!(encode(&unknown()).msgpack == [0xd4, 0, 0]);
    }

    #[test]
    fn a_read_fills_computed_attributes_with_placeholders() {
        let config = object(vec![("length".into(), Value::from(32)), ("result".into(), Value::Nil)]);
        let read = fill(block("random", Kind::Ephemeral, "random_password"), config, "random_password");
        assert_eq!(get(&read, "result"), &Value::from("tfsynth-test-provider:random_password.result"));
        assert_eq!(get(&read, "length"), &Value::from(32));
    }
}
