//! The vendored schema file and its parsed form.
//!
//! `aws.schema.gz` is gzip-compressed text, one line per provider, resource and data source:
//!
//! ```text
//! #tfsynth-schema aws 5.100.0
//! p<TAB>aws<TAB>{block}
//! r<TAB>aws_vpc<TAB>{block}
//! d<TAB>aws_region<TAB>{block}
//! ```
//!
//! where `{block}` is `{"a": {name: [type, flags]}, "b": {name: [nesting, min, max, {block}]}}`
//! with descriptions stripped, `type` as in `terraform providers schema -json` and `flags` a
//! string of `r`equired, `o`ptional, `c`omputed, `s`ensitive, `d`eprecated, `w`rite-only.
//! `build.rs` flattens it: every block on a line of its own, a nested block type naming its
//! block by number (`[nesting, min, max, id]`), so reading a type scans only its own block.
//! Blocks are parsed only when a stack uses them. Regenerate with `cargo run --bin vendor-schema`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

/// A Terraform type constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `string`.
    String,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `dynamic` / any.
    Dynamic,
    /// `list(T)`.
    List(Box<Type>),
    /// `set(T)`.
    Set(Box<Type>),
    /// `map(T)`.
    Map(Box<Type>),
    /// `object({...})`.
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`.
    Tuple(Vec<Type>),
}

impl Type {
    fn parse(v: &Value) -> Type {
        match v {
            Value::String(s) => match s.as_str() {
                "string" => Type::String,
                "number" => Type::Number,
                "bool" => Type::Bool,
                _ => Type::Dynamic,
            },
            Value::Array(parts) => match (parts.first().and_then(Value::as_str), parts.get(1)) {
                (Some("list"), Some(t)) => Type::List(Box::new(Type::parse(t))),
                (Some("set"), Some(t)) => Type::Set(Box::new(Type::parse(t))),
                (Some("map"), Some(t)) => Type::Map(Box::new(Type::parse(t))),
                (Some("object"), Some(Value::Object(attrs))) => {
                    Type::Object(attrs.iter().map(|(k, t)| (k.clone(), Type::parse(t))).collect())
                }
                (Some("tuple"), Some(Value::Array(items))) => Type::Tuple(items.iter().map(Type::parse).collect()),
                _ => Type::Dynamic,
            },
            _ => Type::Dynamic,
        }
    }

    /// The element type of a list or set of objects: the shape an attribute-as-block takes.
    pub fn object_elements(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Type::List(t) | Type::Set(t) => match t.as_ref() {
                Type::Object(attrs) => Some(attrs),
                _ => None,
            },
            _ => None,
        }
    }
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Dynamic => f.write_str("any"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Object(_) => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}

/// One attribute of a block. The flags mirror the provider schema's own.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeSchema {
    /// Its type.
    pub ty: Type,
    /// Must be set.
    pub required: bool,
    /// May be set.
    pub optional: bool,
    /// Filled in by the provider.
    pub computed: bool,
    /// Redacted by Terraform.
    pub sensitive: bool,
    /// Deprecated by the provider.
    pub deprecated: bool,
}

impl AttributeSchema {
    /// Computed by the provider and never set in configuration.
    pub fn is_read_only(&self) -> bool {
        self.computed && !self.optional && !self.required
    }
}

/// How a nested block type repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block.
    Single,
    /// Exactly like single, but absent blocks read as an empty object.
    Group,
    /// An ordered list of blocks.
    List,
    /// An unordered set of blocks.
    Set,
    /// Blocks keyed by a label.
    Map,
}

/// A nested block type. Its contents are parsed the first time they are asked for: some
/// types nest deeply (`aws_wafv2_web_acl` is 680 KB of schema) and a stack uses few branches.
#[derive(Debug, Clone)]
pub struct BlockType {
    /// How it repeats.
    pub nesting: Nesting,
    /// Fewest blocks allowed.
    pub min_items: u64,
    /// Most blocks allowed; 0 means no limit.
    pub max_items: u64,
    text: &'static str,
    blocks: Blocks,
    parsed: OnceLock<BlockSchema>,
}

impl BlockType {
    /// What goes inside.
    pub fn block(&self) -> &BlockSchema {
        self.parsed.get_or_init(|| BlockSchema::parse(self.text, self.blocks))
    }

    /// The most blocks allowed, if limited.
    pub fn max(&self) -> Option<u64> {
        match self.nesting {
            Nesting::Single | Nesting::Group => Some(1),
            _ => (self.max_items > 0).then_some(self.max_items),
        }
    }
}

/// Every block of the flattened schema, each on a line of its own.
#[derive(Debug, Clone, Copy)]
pub(super) struct Blocks {
    text: &'static str,
    ranges: &'static [(usize, usize)],
}

impl Blocks {
    pub(super) fn new(text: &'static str, ranges: &'static [(usize, usize)]) -> Self {
        Self { text, ranges }
    }

    /// Block `id`'s text (empty for an id the table does not hold).
    pub(super) fn get(self, id: usize) -> &'static str {
        self.ranges.get(id).and_then(|&(start, end)| self.text.get(start..end)).unwrap_or_default()
    }
}

/// One block as written in the flattened schema: nested blocks by id.
#[derive(Deserialize)]
struct RawBlock<'a> {
    #[serde(borrow, default)]
    a: BTreeMap<Cow<'a, str>, (Value, Cow<'a, str>)>,
    #[serde(borrow, default)]
    b: BTreeMap<Cow<'a, str>, (Cow<'a, str>, u64, u64, usize)>,
}

/// The attributes and nested block types of a block.
#[derive(Debug, Clone, Default)]
pub struct BlockSchema {
    /// Attributes by name.
    pub attributes: BTreeMap<String, AttributeSchema>,
    /// Nested block types by name.
    pub blocks: BTreeMap<String, BlockType>,
}

impl BlockSchema {
    /// Parses one block of the flattened schema; nested blocks are parsed when first used.
    /// Text that is not in the format gives an empty block (the vendored file is checked by
    /// tests).
    pub(super) fn parse(text: &'static str, blocks: Blocks) -> BlockSchema {
        let Ok(raw) = serde_json::from_str::<RawBlock<'static>>(text) else {
            return BlockSchema::default();
        };
        let attributes = raw
            .a
            .into_iter()
            .map(|(name, (ty, flags))| {
                let attr = AttributeSchema {
                    ty: Type::parse(&ty),
                    required: flags.contains('r'),
                    optional: flags.contains('o'),
                    computed: flags.contains('c'),
                    sensitive: flags.contains('s'),
                    deprecated: flags.contains('d'),
                };
                (name.into_owned(), attr)
            })
            .collect();
        let blocks = raw
            .b
            .into_iter()
            .map(|(name, (nesting, min_items, max_items, block))| {
                let nesting = match nesting.as_ref() {
                    "single" => Nesting::Single,
                    "group" => Nesting::Group,
                    "set" => Nesting::Set,
                    "map" => Nesting::Map,
                    _ => Nesting::List,
                };
                let block = BlockType {
                    nesting,
                    min_items,
                    max_items,
                    text: blocks.get(block),
                    blocks,
                    parsed: OnceLock::new(),
                };
                (name.into_owned(), block)
            })
            .collect();
        BlockSchema { attributes, blocks }
    }

    /// Every name that may appear in configuration: settable attributes and block types.
    pub fn settable_names(&self) -> impl Iterator<Item = &str> {
        let attrs = self.attributes.iter().filter(|(_, a)| !a.is_read_only()).map(|(n, _)| n.as_str());
        attrs.chain(self.blocks.keys().map(String::as_str))
    }
}
