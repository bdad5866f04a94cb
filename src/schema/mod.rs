//! The vendored hashicorp/aws provider schema and validation of stacks against it.
//!
//! The schema is compiled into the binary ([`compact`] describes the format); [`Schema::aws`]
//! decompresses and indexes it once per process, and each type's block schema is parsed the
//! first time a stack uses it.

mod compact;
mod rules;
mod suggest;
mod validate;

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::OnceLock;

pub use compact::{AttributeSchema, BlockSchema, BlockType, Nesting, Type};
pub use suggest::did_you_mean;
pub use validate::validate;

use crate::model::Kind;

const VENDORED: &[u8] = include_bytes!("aws.schema.gz");

/// One line of the vendored file, parsed on first use.
struct Entry {
    range: std::ops::Range<usize>,
    parsed: OnceLock<BlockSchema>,
}

/// The provider schema: the provider's own configuration block, every resource type and every
/// data source.
pub struct Schema {
    version: String,
    text: String,
    provider: Entry,
    resources: BTreeMap<String, Entry>,
    data_sources: BTreeMap<String, Entry>,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema")
            .field("version", &self.version)
            .field("resources", &self.resources.len())
            .field("data_sources", &self.data_sources.len())
            .finish_non_exhaustive()
    }
}

impl Schema {
    /// The vendored hashicorp/aws schema, loaded once per process.
    ///
    /// # Panics
    ///
    /// If the vendored file is corrupt, which the unit tests would have caught.
    pub fn aws() -> &'static Schema {
        static AWS: OnceLock<Schema> = OnceLock::new();
        AWS.get_or_init(|| {
            Schema::load(VENDORED)
                .expect("the vendored schema is valid; regenerate it with `cargo run --bin vendor-schema`")
        })
    }

    /// Decompresses and indexes the vendored file afresh (what [`aws`](Self::aws) does once);
    /// for benchmarks.
    pub fn load_vendored() -> Result<Schema, String> {
        Schema::load(VENDORED)
    }

    /// Decompresses and indexes a schema file in the vendored format.
    pub fn load(gz: &[u8]) -> Result<Schema, String> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz).read_to_string(&mut text).map_err(|e| e.to_string())?;
        let header = text.lines().next().ok_or("empty schema file")?;
        let version = header.strip_prefix("#tfsynth-schema aws ").ok_or("not a tfsynth schema file")?.to_owned();
        let mut provider = None;
        let mut resources = BTreeMap::new();
        let mut data_sources = BTreeMap::new();
        let mut offset = header.len() + 1;
        for line in text[offset..].split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let mut fields = line.trim_end().splitn(3, '\t');
            let (Some(kind), Some(name), Some(_)) = (fields.next(), fields.next(), fields.next()) else {
                return Err(format!("malformed schema line at byte {start}"));
            };
            let body_start = start + kind.len() + name.len() + 2;
            let entry = Entry { range: body_start..offset, parsed: OnceLock::new() };
            match kind {
                "p" => provider = Some(entry),
                "r" => _ = resources.insert(name.to_owned(), entry),
                "d" => _ = data_sources.insert(name.to_owned(), entry),
                other => return Err(format!("unknown schema line kind `{other}`")),
            }
        }
        let provider = provider.ok_or("schema has no provider block")?;
        Ok(Schema { version, text, provider, resources, data_sources })
    }

    /// The provider version the schema was taken from, e.g. `5.100.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    fn parse<'a>(&'a self, entry: &'a Entry) -> &'a BlockSchema {
        entry.parsed.get_or_init(|| {
            let value: serde_json::Value = serde_json::from_str(&self.text[entry.range.clone()]).unwrap_or_default();
            BlockSchema::parse(&value)
        })
    }

    /// The schema of the provider's own configuration block.
    pub fn provider(&self) -> &BlockSchema {
        self.parse(&self.provider)
    }

    /// The schema of resource (or data source) type `ty`, if the provider has it.
    pub fn block(&self, kind: Kind, ty: &str) -> Option<&BlockSchema> {
        self.types(kind).get(ty).map(|e| self.parse(e))
    }

    /// Whether the provider has resource (or data source) type `ty`.
    pub fn has_type(&self, kind: Kind, ty: &str) -> bool {
        self.types(kind).contains_key(ty)
    }

    /// Every resource (or data source) type name, sorted.
    pub fn type_names(&self, kind: Kind) -> impl Iterator<Item = &str> {
        self.types(kind).keys().map(String::as_str)
    }

    fn types(&self, kind: Kind) -> &BTreeMap<String, Entry> {
        match kind {
            Kind::Managed => &self.resources,
            Kind::Data => &self.data_sources,
        }
    }
}

#[cfg(test)]
mod tests;
