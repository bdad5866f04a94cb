//! The vendored hashicorp/aws provider schema and validation of stacks against it.
//!
//! The schema is compiled into the binary (`compact.rs` describes the format; `build.rs`
//! decompresses the vendored file); [`Schema::aws`] indexes it once per process, and each type's
//! block schema is parsed the first time a stack uses it.

mod compact;
/// Splitting the schema text into lines (also run by `build.rs`).
mod lines;
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

const VENDORED: &str = include_str!(concat!(env!("OUT_DIR"), "/aws.schema"));
/// The version and `(kind, name, start, end)` of every line of [`VENDORED`], from `build.rs`.
type Index = (&'static str, &'static [(&'static str, &'static str, usize, usize)]);
#[allow(clippy::unreadable_literal)] // generated offsets
const VENDORED_INDEX: Index = include!(concat!(env!("OUT_DIR"), "/aws.index.rs"));

/// One line of the vendored file, parsed on first use.
/// `terraform_remote_state` (built into Terraform, not the provider), in the vendored format.
const REMOTE_STATE: &str = r#"{"a":{"backend":["string","r"],"config":["dynamic","o"],"defaults":["dynamic","o"],"outputs":["dynamic","c"],"workspace":["string","o"]},"b":{}}"#;

struct Entry {
    text: &'static str,
    parsed: OnceLock<BlockSchema>,
}

/// The provider schema: the provider's own configuration block, every resource type and every
/// data source.
pub struct Schema {
    version: String,
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
    pub fn aws() -> &'static Schema {
        static AWS: OnceLock<Schema> = OnceLock::new();
        AWS.get_or_init(Schema::load_vendored)
    }

    /// Builds the vendored schema's index afresh (what [`aws`](Self::aws) does once); for
    /// benchmarks. The lines were split at build time.
    pub fn load_vendored() -> Schema {
        let (version, lines) = VENDORED_INDEX;
        let lines = lines.iter().map(|&(kind, name, start, end)| (kind, name, start..end));
        Schema::from_lines(version, VENDORED, lines)
    }

    /// Decompresses and indexes a schema file in the vendored (gzip) format. The text is kept
    /// for the rest of the process, as the vendored one is: types are parsed from it on use.
    pub fn load(gz: &[u8]) -> Result<Schema, String> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz).read_to_string(&mut text).map_err(|e| e.to_string())?;
        let text: &'static str = Box::leak(text.into_boxed_str());
        let (version, lines) = lines::split_lines(text)?;
        if !lines.iter().any(|(kind, _, _)| *kind == "p") {
            return Err("schema has no provider block".into());
        }
        Ok(Schema::from_lines(version, text, lines.into_iter()))
    }

    fn from_lines<'t>(version: &str, text: &'static str, lines: impl Iterator<Item = lines::Line<'t>>) -> Schema {
        let mut provider = Entry { text: "", parsed: OnceLock::new() };
        let mut resources = BTreeMap::new();
        let mut data_sources = BTreeMap::new();
        for (kind, name, range) in lines {
            let entry = Entry { text: &text[range], parsed: OnceLock::new() };
            match kind {
                "p" => provider = entry,
                "r" => _ = resources.insert(name.to_owned(), entry),
                _ => _ = data_sources.insert(name.to_owned(), entry),
            }
        }
        // Terraform's own data source, which cross-stack imports read producers' outputs with.
        data_sources.insert("terraform_remote_state".to_owned(), Entry { text: REMOTE_STATE, parsed: OnceLock::new() });
        Schema { version: version.to_owned(), provider, resources, data_sources }
    }

    /// The provider version the schema was taken from, e.g. `5.100.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    fn parse(entry: &Entry) -> &BlockSchema {
        entry.parsed.get_or_init(|| BlockSchema::parse(entry.text))
    }

    /// The schema of the provider's own configuration block.
    pub fn provider(&self) -> &BlockSchema {
        Self::parse(&self.provider)
    }

    /// The schema of resource (or data source) type `ty`, if the provider has it.
    pub fn block(&self, kind: Kind, ty: &str) -> Option<&BlockSchema> {
        self.types(kind).get(ty).map(Self::parse)
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
