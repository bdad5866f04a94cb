// Encoding the vendored schema text into the tables `compact.rs` reads in place. `build.rs`
// includes this file and runs it at build time, so a process never parses schema text; the
// crate compiles it only for its tests.

use super::hash::type_hash;

/// The schema as tables of little-endian records (layouts in `compact.rs`), and its types as
/// Rust source.
pub struct Encoded {
    /// The provider's local name in the header, e.g. `aws`.
    pub name: String,
    /// Its registry source, e.g. `hashicorp/aws`.
    pub source: String,
    /// The provider version in the header.
    pub version: String,
    /// Every name, each once, end to end.
    pub names: String,
    /// Attribute records of every block, each block's run sorted by name.
    pub attributes: Vec<u8>,
    /// Nested block type records, each block's run sorted by name.
    pub nested: Vec<u8>,
    /// Block records: where each block's attributes and nested block types are.
    pub blocks: Vec<u8>,
    /// Type records (provider, resources, data sources, ephemeral resources), sorted by kind
    /// and name.
    pub types: Vec<u8>,
    /// Open-addressed hash table of the types: slot holds the type's index + 1, 0 is empty.
    pub slots: Vec<u8>,
    /// A Rust slice expression of every distinct attribute type (`[Type::String, ...]`).
    pub type_source: String,
}

/// `terraform_remote_state`, built into Terraform (not a provider), which cross-stack imports
/// read producers' outputs with: vendored with aws, the provider every stack has.
pub const REMOTE_STATE: &str = r#"{"a":{"backend":["string","r"],"config":["dynamic","o"],"defaults":["dynamic","o"],"outputs":["dynamic","c"],"workspace":["string","o"]},"b":{}}"#;

/// Encodes a schema file's text: a `#tfsynth-schema <name> <source> <version>` header, then
/// one `kind<TAB>name<TAB>{block}` line per provider (`p`), resource (`r`), data source (`d`)
/// and ephemeral resource (`e`).
pub fn encode(text: &str) -> Result<Encoded, String> {
    let header = text.lines().next().ok_or("empty schema file")?;
    let fields = header.strip_prefix("#tfsynth-schema ").ok_or("not a tfsynth schema file")?;
    let [name, source, version] = fields.split(' ').collect::<Vec<_>>()[..] else {
        return Err(format!("malformed header `{header}`: want `#tfsynth-schema <name> <source> <version>`"));
    };
    let mut e = Encoder::default();
    let mut types = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let mut fields = line.splitn(3, '\t');
        let (Some(kind), Some(name), Some(block)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(format!("malformed schema line {}", n + 1));
        };
        let code = match kind {
            "p" => 0u8,
            "r" => 1,
            "d" => 2,
            "e" => 3,
            _ => return Err(format!("unknown schema line kind `{kind}` on line {}", n + 1)),
        };
        let block: serde_json::Value = serde_json::from_str(block).map_err(|err| format!("{kind} {name}: {err}"))?;
        types.push((code, name.to_owned(), e.block(&block)?));
    }
    if !types.iter().any(|(code, _, _)| *code == 0) {
        return Err("schema has no provider block".into());
    }
    if name == "aws" {
        let remote: serde_json::Value = serde_json::from_str(REMOTE_STATE).map_err(|err| err.to_string())?;
        types.push((2, "terraform_remote_state".to_owned(), e.block(&remote)?));
    }
    types.sort_unstable();
    let mut records = Vec::new();
    let mut slots = vec![0u16; (types.len() * 4).next_power_of_two()];
    let mask = slots.len() - 1;
    for (i, (code, name, block)) in types.iter().enumerate() {
        records.extend(e.name(name)?);
        records.extend([*code, 0, 0]);
        records.extend(block.to_le_bytes());
        let mut slot = usize::try_from(type_hash(*code, name)).unwrap_or_default() & mask;
        while slots[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        slots[slot] = u16::try_from(i + 1).map_err(|_| "more than 65,535 types")?;
    }
    let mut type_source = String::from("&[\n");
    for ty in &e.type_list {
        type_source.push_str("    ");
        type_source.push_str(&rust_type(ty));
        type_source.push_str(",\n");
    }
    type_source.push_str("]\n");
    Ok(Encoded {
        name: name.to_owned(),
        source: source.to_owned(),
        version: version.to_owned(),
        names: e.names,
        attributes: e.attributes,
        nested: e.nested,
        blocks: e.blocks,
        types: records,
        slots: slots.iter().flat_map(|s| s.to_le_bytes()).collect(),
        type_source,
    })
}

#[derive(Default)]
struct Encoder {
    names: String,
    name_at: std::collections::HashMap<String, u32>,
    attributes: Vec<u8>,
    nested: Vec<u8>,
    blocks: Vec<u8>,
    /// Blocks already encoded, by their text: many are identical (tags, timeouts).
    block_ids: std::collections::HashMap<String, u32>,
    type_list: Vec<serde_json::Value>,
    type_ids: std::collections::HashMap<String, u16>,
}

impl Encoder {
    /// A name's 5-byte reference: offset in `names` and length.
    fn name(&mut self, name: &str) -> Result<[u8; 5], String> {
        let len = u8::try_from(name.len()).map_err(|_| format!("name `{name}` is longer than 255 bytes"))?;
        let offset = if let Some(&offset) = self.name_at.get(name) {
            offset
        } else {
            let offset = u32::try_from(self.names.len()).map_err(|_| "names over 4 GiB")?;
            self.names.push_str(name);
            self.name_at.insert(name.to_owned(), offset);
            offset
        };
        let [a, b, c, d] = offset.to_le_bytes();
        Ok([a, b, c, d, len])
    }

    fn type_id(&mut self, ty: &serde_json::Value) -> Result<u16, String> {
        let key = ty.to_string();
        if let Some(&id) = self.type_ids.get(&key) {
            return Ok(id);
        }
        let id = u16::try_from(self.type_list.len()).map_err(|_| "more than 65,535 attribute types")?;
        self.type_list.push(ty.clone());
        self.type_ids.insert(key, id);
        Ok(id)
    }

    /// Encodes `block` (`{"a": {name: [type, flags] | [type, flags, [nesting, min, max, {block}]]},
    /// "b": {name: [nesting, min, max, {block}]}}`) and the blocks it nests; returns its id.
    fn block(&mut self, block: &serde_json::Value) -> Result<u32, String> {
        let key = block.to_string();
        if let Some(&id) = self.block_ids.get(&key) {
            return Ok(id);
        }
        let mut nested = Vec::new();
        for (name, spec) in sorted(&block["b"]) {
            let child = self.block(&spec[3])?;
            let nesting = nesting_code(name, &spec[0])?;
            let count = |v: &serde_json::Value| {
                v.as_u64().and_then(|n| u16::try_from(n).ok()).ok_or(format!("block `{name}`: bad item count {v}"))
            };
            let mut record = self.name(name)?.to_vec();
            record.push(nesting);
            record.extend(count(&spec[1])?.to_le_bytes());
            record.extend(count(&spec[2])?.to_le_bytes());
            record.extend(u16::try_from(child).map_err(|_| "more than 65,535 blocks")?.to_le_bytes());
            nested.push(record);
        }
        let mut attributes = Vec::new();
        for (name, spec) in sorted(&block["a"]) {
            let flags = spec[1].as_str().unwrap_or_default();
            let bits = [('r', 1u8), ('o', 2), ('c', 4), ('s', 8), ('d', 16), ('w', 32)]
                .iter()
                .filter(|(c, _)| flags.contains(*c))
                .fold(0, |acc, (_, bit)| acc | bit);
            let mut record = self.name(name)?.to_vec();
            record.push(bits);
            record.extend(self.type_id(&spec[0])?.to_le_bytes());
            // A `nested_type` attribute: its nesting (code + 1, 0 for none) and the block of
            // its attributes.
            let (nesting, block) = match spec.get(2) {
                Some(nested) => (nesting_code(name, &nested[0])? + 1, self.block(&nested[3])?),
                None => (0, 0),
            };
            record.extend([nesting, 0]);
            record.extend(u16::try_from(block).map_err(|_| "more than 65,535 blocks")?.to_le_bytes());
            attributes.push(record);
        }
        let count = |n: usize| u16::try_from(n).map_err(|_| "a block with more than 65,535 entries".to_owned());
        let id = u32::try_from(self.blocks.len() / 12).map_err(|_| "too many blocks")?;
        let attributes_start = u32::try_from(self.attributes.len() / 12).map_err(|_| "too many attributes")?;
        let nested_start = u32::try_from(self.nested.len() / 12).map_err(|_| "too many nested blocks")?;
        self.blocks.extend(attributes_start.to_le_bytes());
        self.blocks.extend(count(attributes.len())?.to_le_bytes());
        self.blocks.extend(count(nested.len())?.to_le_bytes());
        self.blocks.extend(nested_start.to_le_bytes());
        self.attributes.extend(attributes.concat());
        self.nested.extend(nested.concat());
        self.block_ids.insert(key, id);
        Ok(id)
    }
}

/// A nesting mode's code in the tables.
fn nesting_code(name: &str, mode: &serde_json::Value) -> Result<u8, String> {
    match mode.as_str() {
        Some("single") => Ok(0),
        Some("group") => Ok(1),
        Some("list") => Ok(2),
        Some("set") => Ok(3),
        Some("map") => Ok(4),
        other => Err(format!("`{name}`: unknown nesting {other:?}")),
    }
}

/// An object's entries sorted by name (none if it is not an object).
fn sorted(v: &serde_json::Value) -> Vec<(&String, &serde_json::Value)> {
    let mut entries: Vec<_> = v.as_object().into_iter().flatten().collect();
    entries.sort_unstable_by_key(|(name, _)| name.as_str());
    entries
}

/// A Terraform type constraint (as in `terraform providers schema -json`) as a Rust expression
/// of `schema::Type`.
fn rust_type(ty: &serde_json::Value) -> String {
    use serde_json::Value;
    match ty {
        Value::String(s) => match s.as_str() {
            "string" => "Type::String".into(),
            "number" => "Type::Number".into(),
            "bool" => "Type::Bool".into(),
            _ => "Type::Dynamic".into(),
        },
        Value::Array(parts) => match (parts.first().and_then(Value::as_str), parts.get(1)) {
            (Some("list"), Some(t)) => format!("Type::List(&{})", rust_type(t)),
            (Some("set"), Some(t)) => format!("Type::Set(&{})", rust_type(t)),
            (Some("map"), Some(t)) => format!("Type::Map(&{})", rust_type(t)),
            (Some("object"), Some(fields @ Value::Object(_))) => {
                let fields: Vec<String> =
                    sorted(fields).into_iter().map(|(k, t)| format!("({k:?}, {})", rust_type(t))).collect();
                format!("Type::Object(Fields(&[{}]))", fields.join(", "))
            }
            (Some("tuple"), Some(Value::Array(items))) => {
                let items: Vec<String> = items.iter().map(rust_type).collect();
                format!("Type::Tuple(&[{}])", items.join(", "))
            }
            _ => "Type::Dynamic".into(),
        },
        _ => "Type::Dynamic".into(),
    }
}
