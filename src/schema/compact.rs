//! The vendored schemas' tables and the views that read them in place.
//!
//! Each `vendored/<name>.schema.gz` is gzip-compressed text, one line per provider block,
//! resource, data source and ephemeral resource:
//!
//! ```text
//! #tfsynth-schema aws hashicorp/aws 5.100.0
//! p<TAB>aws<TAB>{block}
//! r<TAB>aws_vpc<TAB>{block}
//! d<TAB>aws_region<TAB>{block}
//! e<TAB>aws_kms_secrets<TAB>{block}
//! ```
//!
//! where `{block}` is `{"a": {name: [type, flags] | [type, flags, nested]}, "b": {name:
//! [nesting, min, max, {block}]}}` with descriptions stripped, `type` as in `terraform providers
//! schema -json`, `flags` a string of `r`equired, `o`ptional, `c`omputed, `s`ensitive,
//! `d`eprecated, `w`rite-only, and `nested` (an attribute with a `nested_type`) `[nesting, min,
//! max, {"a": ...}]`, whose `type` is the object type its attributes amount to. Regenerate them
//! with `cargo run --bin vendor-schema`.
//!
//! `build.rs` encodes each (`encode.rs`) into tables of little-endian records that the binary
//! holds and reads where they lie: nothing is parsed, allocated or initialised at run time,
//! so threads never wait on one another for a type. Identical blocks are stored once.
//!
//! | table | record | fields |
//! |---|---|---|
//! | attributes | 12 bytes | name (offset `u32`, length `u8`), flags `u8`, type `u16`, nesting `u8` (0: not nested, else 1 + the block nesting code), 1 unused, nested attributes' block `u16` |
//! | nested | 12 bytes | name (5), nesting `u8`, min `u16`, max `u16`, block `u16` |
//! | blocks | 12 bytes | first attribute `u32`, attributes `u16`, nested `u16`, first nested `u32` |
//! | types | 12 bytes | name (5), kind `u8` (`0` provider, `1` resource, `2` data, `3` ephemeral), 2 unused, block `u32` |
//!
//! Each block's attributes and nested blocks are sorted by name (found by binary search); the
//! types are sorted by kind and name, and found through an open-addressed hash table.

/// The tables of one encoded schema.
#[derive(Debug)]
pub(super) struct Tables {
    pub(super) names: &'static str,
    pub(super) attributes: &'static [u8],
    pub(super) nested: &'static [u8],
    pub(super) blocks: &'static [u8],
    pub(super) types: &'static [u8],
    pub(super) slots: &'static [u8],
    pub(super) type_list: &'static [Type],
}

const ATTRIBUTE: usize = 12;
const NESTED: usize = 12;
const BLOCK: usize = 12;
const TYPE: usize = 12;

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    bytes.get(at..at + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    bytes.get(at..at + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Tables {
    /// The name a record starts with.
    fn name(&self, record: &[u8]) -> &'static str {
        let start = u32_at(record, 0) as usize;
        let len = record.get(4).copied().map_or(0, usize::from);
        self.names.get(start..start + len).unwrap_or_default()
    }

    /// Block `id`.
    pub(super) fn block(&'static self, id: usize) -> BlockSchema {
        let record = id.checked_mul(BLOCK).and_then(|at| self.blocks.get(at..at + BLOCK)).unwrap_or_default();
        BlockSchema {
            attributes: Table::new(self, self.attributes, u32_at(record, 0) as usize, u16_at(record, 4).into()),
            blocks: Table::new(self, self.nested, u32_at(record, 8) as usize, u16_at(record, 6).into()),
        }
    }

    /// The number of types.
    pub(super) fn type_count(&self) -> usize {
        self.types.len() / TYPE
    }

    /// Type `i`: kind code, name and block id.
    pub(super) fn type_at(&self, i: usize) -> (u8, &'static str, usize) {
        let record = self.types.get(i * TYPE..(i + 1) * TYPE).unwrap_or_default();
        (record.get(5).copied().unwrap_or_default(), self.name(record), u32_at(record, 8) as usize)
    }

    /// The block of the type named `name` of kind `kind`.
    pub(super) fn find_type(&'static self, kind: u8, name: &str) -> Option<BlockSchema> {
        let slots = self.slots.len() / 2;
        if slots == 0 {
            return None;
        }
        let mask = slots - 1;
        let mut slot = usize::try_from(super::hash::type_hash(kind, name)).unwrap_or_default() & mask;
        loop {
            let i = usize::from(u16_at(self.slots, slot * 2)).checked_sub(1)?;
            let (k, n, block) = self.type_at(i);
            if k == kind && n == name {
                return Some(self.block(block));
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// What a record of a block's table reads as: an attribute or a nested block type.
pub(super) trait Entry: Sized {
    /// Bytes per record.
    const WIDTH: usize;
    /// Reads one record.
    fn decode(tables: &'static Tables, record: &[u8]) -> Self;
}

/// A block's attributes or nested block types, by name: its run of one table's records,
/// sorted by name and decoded when read.
pub struct Table<E> {
    tables: &'static Tables,
    records: &'static [u8],
    entry: std::marker::PhantomData<fn() -> E>,
}

/// A block's attributes, by name.
pub type Attributes = Table<AttributeSchema>;

/// A block's nested block types, by name.
pub type BlockTypes = Table<BlockType>;

impl<E> Clone for Table<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Table<E> {}

impl<E: Entry> std::fmt::Debug for Table<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.keys()).finish()
    }
}

// `Entry` stays private on purpose: only the schema's own record kinds have tables.
#[allow(private_bounds)]
impl<E: Entry> Table<E> {
    /// Records `start..start + len` of `table`.
    fn new(tables: &'static Tables, table: &'static [u8], start: usize, len: usize) -> Self {
        let records = table.get(start * E::WIDTH..(start + len) * E::WIDTH).unwrap_or_default();
        Table { tables, records, entry: std::marker::PhantomData }
    }

    fn len(self) -> usize {
        self.records.len() / E::WIDTH
    }

    fn record(self, i: usize) -> &'static [u8] {
        self.records.get(i * E::WIDTH..(i + 1) * E::WIDTH).unwrap_or_default()
    }

    fn find(self, name: &str) -> Option<&'static [u8]> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            let record = self.record(mid);
            match self.tables.name(record).cmp(name) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(record),
            }
        }
        None
    }

    /// Every record with its name, sorted by name.
    fn records(self) -> impl Iterator<Item = (&'static str, &'static [u8])> {
        (0..self.len()).map(move |i| {
            let record = self.record(i);
            (self.tables.name(record), record)
        })
    }

    /// The entry named `name`.
    pub fn get(&self, name: &str) -> Option<E> {
        self.find(name).map(|record| E::decode(self.tables, record))
    }

    /// Whether there is an entry named `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// Every entry, sorted by name.
    pub fn iter(self) -> impl Iterator<Item = (&'static str, E)> {
        self.records().map(move |(name, record)| (name, E::decode(self.tables, record)))
    }

    /// The names, sorted.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        self.records().map(|(name, _)| name)
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// A Terraform type constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    List(&'static Type),
    /// `set(T)`.
    Set(&'static Type),
    /// `map(T)`.
    Map(&'static Type),
    /// `object({...})`.
    Object(Fields),
    /// `tuple([...])`.
    Tuple(&'static [Type]),
}

/// The attributes of an object type, sorted by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields(pub(crate) &'static [(&'static str, Type)]);

impl Fields {
    /// The type of field `name`.
    pub fn get(&self, name: &str) -> Option<&'static Type> {
        let fields = self.0;
        fields.binary_search_by(|(n, _)| (*n).cmp(name)).ok().map(|i| &fields[i].1)
    }

    /// Whether the object has field `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The field names, sorted.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        self.0.iter().map(|(n, _)| *n)
    }

    /// The fields and their types, sorted by name.
    pub fn iter(self) -> impl Iterator<Item = (&'static str, &'static Type)> {
        self.0.iter().map(|(n, t)| (*n, t))
    }
}

impl Type {
    /// The element type of a list or set of objects: the shape an attribute-as-block takes.
    pub fn object_elements(&self) -> Option<Fields> {
        match self {
            Type::List(Type::Object(fields)) | Type::Set(Type::Object(fields)) => Some(*fields),
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
#[derive(Debug, Clone, Copy)]
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
    /// Sent to the provider but never stored in the plan or state (Terraform 1.11+): takes
    /// ephemeral values.
    pub write_only: bool,
    /// For an attribute with a `nested_type`: how its objects repeat, and their attributes
    /// (`ty` is the object type they amount to).
    pub nested: Option<(Nesting, Attributes)>,
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

impl Nesting {
    /// The nesting of a table's code (`encode.rs`'s `nesting_code`).
    fn from_code(code: u8) -> Self {
        match code {
            0 => Nesting::Single,
            1 => Nesting::Group,
            3 => Nesting::Set,
            4 => Nesting::Map,
            _ => Nesting::List,
        }
    }
}

/// A nested block type.
#[derive(Debug, Clone, Copy)]
pub struct BlockType {
    /// How it repeats.
    pub nesting: Nesting,
    /// Fewest blocks allowed.
    pub min_items: u64,
    /// Most blocks allowed; 0 means no limit.
    pub max_items: u64,
    block: BlockSchema,
}

impl BlockType {
    /// What goes inside.
    pub fn block(self) -> BlockSchema {
        self.block
    }

    /// The most blocks allowed, if limited.
    pub fn max(&self) -> Option<u64> {
        match self.nesting {
            Nesting::Single | Nesting::Group => Some(1),
            _ => (self.max_items > 0).then_some(self.max_items),
        }
    }
}

impl Entry for AttributeSchema {
    const WIDTH: usize = ATTRIBUTE;

    fn decode(tables: &'static Tables, record: &[u8]) -> Self {
        let flags = record.get(5).copied().unwrap_or_default();
        let ty = tables.type_list.get(usize::from(u16_at(record, 6))).copied().unwrap_or(Type::Dynamic);
        let nested = record
            .get(8)
            .copied()
            .and_then(|n| n.checked_sub(1))
            .map(|code| (Nesting::from_code(code), tables.block(usize::from(u16_at(record, 10))).attributes));
        AttributeSchema {
            ty,
            required: flags & 1 != 0,
            optional: flags & 2 != 0,
            computed: flags & 4 != 0,
            sensitive: flags & 8 != 0,
            deprecated: flags & 16 != 0,
            write_only: flags & 32 != 0,
            nested,
        }
    }
}

impl Entry for BlockType {
    const WIDTH: usize = NESTED;

    fn decode(tables: &'static Tables, record: &[u8]) -> Self {
        BlockType {
            nesting: Nesting::from_code(record.get(5).copied().unwrap_or(2)),
            min_items: u64::from(u16_at(record, 6)),
            max_items: u64::from(u16_at(record, 8)),
            block: tables.block(usize::from(u16_at(record, 10))),
        }
    }
}

impl Attributes {
    /// The names of the attributes that must be set (read from the flags alone).
    pub fn required(self) -> impl Iterator<Item = &'static str> {
        self.records().filter(|(_, record)| record.get(5).is_some_and(|flags| flags & 1 != 0)).map(|(name, _)| name)
    }
}

impl BlockTypes {
    /// The block types that must appear, with the fewest blocks allowed (read without decoding
    /// the rest).
    pub fn required(self) -> impl Iterator<Item = (&'static str, u64)> {
        self.records().map(|(name, record)| (name, u64::from(u16_at(record, 6)))).filter(|(_, min)| *min > 0)
    }
}

/// The attributes and nested block types of a block.
#[derive(Debug, Clone, Copy)]
pub struct BlockSchema {
    /// Attributes by name.
    pub attributes: Attributes,
    /// Nested block types by name.
    pub blocks: BlockTypes,
}

impl BlockSchema {
    /// Every name that may appear in configuration: settable attributes and block types.
    pub fn settable_names(self) -> impl Iterator<Item = &'static str> {
        let attrs = self.attributes.iter().filter(|(_, a)| !a.is_read_only()).map(|(n, _)| n);
        attrs.chain(self.blocks.keys())
    }
}
