//! The vendored hashicorp/aws provider schema and validation of stacks against it.
//!
//! The schema is compiled into the binary (`compact.rs` describes the format; `build.rs`
//! decompresses the vendored file); [`Schema::aws`] indexes it once per process, and each type's
//! block schema is parsed the first time a stack uses it.

mod compact;
/// Splitting and flattening the schema text (also run by `build.rs`).
mod lines;
mod rules;
mod suggest;
mod validate;

use std::io::Read;
use std::sync::OnceLock;

use compact::Blocks;
pub use compact::{AttributeSchema, BlockSchema, BlockType, Nesting, Type};
pub use suggest::did_you_mean;
pub use validate::validate;

use crate::model::Kind;

const VENDORED: &str = include_str!(concat!(env!("OUT_DIR"), "/aws.blocks"));
/// The version, every type as `(kind, name, block id)` sorted by kind and name, and the byte
/// range of each block of [`VENDORED`], from `build.rs`.
type Index = (&'static str, &'static [(&'static str, &'static str, usize)], &'static [(usize, usize)]);
#[allow(clippy::unreadable_literal)] // generated offsets
const VENDORED_INDEX: Index = include!(concat!(env!("OUT_DIR"), "/aws.index.rs"));

/// The provider schema: the provider's own configuration block, every resource type and every
/// data source, each parsed the first time it is asked for.
pub struct Schema {
    version: &'static str,
    types: &'static [(&'static str, &'static str, usize)],
    blocks: Blocks,
    /// The parsed block of each entry of `types`.
    parsed: Vec<OnceLock<BlockSchema>>,
    /// `types` by (kind code, name), built on first use: a large stack looks types up hundreds
    /// of thousands of times, and a hash beats a binary search over every type name.
    by_name: OnceLock<foldhash::HashMap<(&'static str, &'static str), usize>>,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema")
            .field("version", &self.version)
            .field("resources", &self.type_names(Kind::Managed).count())
            .field("data_sources", &self.type_names(Kind::Data).count())
            .finish_non_exhaustive()
    }
}

fn kind_code(kind: Kind) -> &'static str {
    match kind {
        Kind::Managed => "r",
        Kind::Data => "d",
    }
}

impl Schema {
    /// The vendored hashicorp/aws schema, loaded once per process.
    pub fn aws() -> &'static Schema {
        static AWS: OnceLock<Schema> = OnceLock::new();
        AWS.get_or_init(Schema::load_vendored)
    }

    /// The vendored schema's index afresh (what [`aws`](Self::aws) does once); for
    /// benchmarks. It was flattened and sorted at build time.
    pub fn load_vendored() -> Schema {
        let (version, types, ranges) = VENDORED_INDEX;
        Schema::new(version, types, Blocks::new(VENDORED, ranges))
    }

    /// Decompresses and flattens a schema file in the vendored (gzip) format. The text is kept
    /// for the rest of the process, as the vendored one is: types are parsed from it on use.
    pub fn load(gz: &[u8]) -> Result<Schema, String> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz).read_to_string(&mut text).map_err(|e| e.to_string())?;
        let text: &'static str = Box::leak(text.into_boxed_str());
        let flat = lines::flatten(text)?;
        if !flat.types.iter().any(|(kind, _, _)| *kind == "p") {
            return Err("schema has no provider block".into());
        }
        let mut all = String::new();
        let mut ranges = Vec::new();
        for block in &flat.blocks {
            ranges.push((all.len(), all.len() + block.len()));
            all.push_str(block);
        }
        let blocks = Blocks::new(Box::leak(all.into_boxed_str()), Box::leak(ranges.into_boxed_slice()));
        Ok(Schema::new(flat.version, Box::leak(flat.types.into_boxed_slice()), blocks))
    }

    fn new(version: &'static str, types: &'static [(&'static str, &'static str, usize)], blocks: Blocks) -> Schema {
        Schema {
            version,
            types,
            blocks,
            parsed: types.iter().map(|_| OnceLock::new()).collect(),
            by_name: OnceLock::new(),
        }
    }

    /// The provider version the schema was taken from, e.g. `5.100.0`.
    pub fn version(&self) -> &str {
        self.version
    }

    fn parsed(&self, i: usize) -> &BlockSchema {
        self.parsed[i].get_or_init(|| BlockSchema::parse(self.blocks.get(self.types[i].2), self.blocks))
    }

    fn find(&self, kind: &str, ty: &str) -> Option<usize> {
        let by_name = self
            .by_name
            .get_or_init(|| self.types.iter().enumerate().map(|(i, (kind, name, _))| ((*kind, *name), i)).collect());
        by_name.get(&(kind, ty)).copied()
    }

    /// The schema of the provider's own configuration block.
    pub fn provider(&self) -> &BlockSchema {
        static EMPTY: OnceLock<BlockSchema> = OnceLock::new();
        match self.types.iter().position(|(k, _, _)| *k == "p") {
            Some(i) => self.parsed(i),
            None => EMPTY.get_or_init(BlockSchema::default),
        }
    }

    /// The schema of resource (or data source) type `ty`, if the provider has it.
    pub fn block(&self, kind: Kind, ty: &str) -> Option<&BlockSchema> {
        self.find(kind_code(kind), ty).map(|i| self.parsed(i))
    }

    /// Whether the provider has resource (or data source) type `ty`.
    pub fn has_type(&self, kind: Kind, ty: &str) -> bool {
        self.find(kind_code(kind), ty).is_some()
    }

    /// Every resource (or data source) type name, sorted.
    pub fn type_names(&self, kind: Kind) -> impl Iterator<Item = &str> {
        let code = kind_code(kind);
        self.types.iter().filter(move |(k, _, _)| *k == code).map(|(_, name, _)| *name)
    }
}

#[cfg(test)]
mod tests;
