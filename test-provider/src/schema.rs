//! The vendored schema as the protocol's `Schema` messages.

use tfsynth::schema::{Attributes, BlockSchema, Nesting, Type};

use crate::protocol::{Attribute, Block, NestedBlock, Object, Schema};

/// `block` at schema version 0 (the vendored schemas do not record versions; terraform only
/// compares them with stored state, and these plans start from none).
pub fn schema(block: BlockSchema) -> Schema {
    Schema { version: 0, block: Some(convert(block)) }
}

fn convert(block: BlockSchema) -> Block {
    let block_types = block
        .blocks
        .iter()
        .map(|(name, b)| NestedBlock {
            type_name: name.to_owned(),
            block: Some(convert(b.block())),
            nesting: nesting(b.nesting),
            min_items: i64::try_from(b.min_items).unwrap_or(i64::MAX),
            max_items: i64::try_from(b.max_items).unwrap_or(i64::MAX),
        })
        .collect();
    Block { version: 0, attributes: attributes(block.attributes), block_types, deprecated: false }
}

fn attributes(table: Attributes) -> Vec<Attribute> {
    table
        .iter()
        .map(|(name, a)| {
            let (ty, nested_type) = match a.nested {
                Some((mode, inner)) => {
                    (Vec::new(), Some(Object { attributes: attributes(inner), nesting: nesting(mode) }))
                }
                None => (type_json(&a.ty).to_string().into_bytes(), None),
            };
            Attribute {
                name: name.to_owned(),
                r#type: ty,
                nested_type,
                required: a.required,
                optional: a.optional,
                computed: a.computed,
                sensitive: a.sensitive,
                deprecated: a.deprecated,
                write_only: a.write_only,
            }
        })
        .collect()
}

/// The protocol's nesting codes.
fn nesting(n: Nesting) -> i32 {
    match n {
        Nesting::Single => 1,
        Nesting::List => 2,
        Nesting::Set => 3,
        Nesting::Map => 4,
        Nesting::Group => 5,
    }
}

/// A type constraint as Terraform writes it in JSON: `"string"`, `["list", "number"]`, ...
pub fn type_json(ty: &Type) -> serde_json::Value {
    use serde_json::json;
    match ty {
        Type::String => json!("string"),
        Type::Number => json!("number"),
        Type::Bool => json!("bool"),
        Type::Dynamic => json!("dynamic"),
        Type::List(t) => json!(["list", type_json(t)]),
        Type::Set(t) => json!(["set", type_json(t)]),
        Type::Map(t) => json!(["map", type_json(t)]),
        Type::Object(fields) => {
            let fields: serde_json::Map<String, serde_json::Value> =
                fields.iter().map(|(name, t)| (name.to_owned(), type_json(t))).collect();
            json!(["object", fields])
        }
        Type::Tuple(items) => json!(["tuple", items.iter().map(type_json).collect::<Vec<_>>()]),
    }
}
