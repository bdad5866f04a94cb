//! The vendored provider schemas and validation of stacks against them.
//!
//! Each schema is compiled into the binary as tables `build.rs` encodes (`compact.rs` describes
//! them); [`Schema`] reads them in place, so looking a type up costs a hash probe and no
//! process ever parses schema text.

mod compact;
#[cfg(test)]
mod encode;
mod hash;
mod refactor;
mod rules;
pub mod stateful;
mod suggest;
mod validate;

use compact::Tables;
pub use compact::{AttributeSchema, Attributes, BlockSchema, BlockType, BlockTypes, Fields, Nesting, Table, Type};
pub use suggest::did_you_mean;
pub use validate::validate;

use crate::model::Kind;

/// Every vendored provider, by name, from `build.rs`.
static VENDORED: &[Schema] = include!(concat!(env!("OUT_DIR"), "/providers.rs"));

/// One vendored provider's schema: its own configuration block, every resource type, data
/// source and ephemeral resource.
pub struct Schema {
    name: &'static str,
    source: &'static str,
    version: &'static str,
    tables: &'static Tables,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema")
            .field("source", &self.source)
            .field("version", &self.version)
            .field("resources", &self.type_names(Kind::Managed).count())
            .field("data_sources", &self.type_names(Kind::Data).count())
            .field("ephemeral_resources", &self.type_names(Kind::Ephemeral).count())
            .finish_non_exhaustive()
    }
}

fn kind_code(kind: Kind) -> u8 {
    match kind {
        Kind::Managed => 1,
        Kind::Data => 2,
        Kind::Ephemeral => 3,
    }
}

impl Schema {
    /// Every vendored provider, sorted by name.
    pub fn all() -> &'static [Schema] {
        VENDORED
    }

    /// The vendored provider with local name `name` (`aws`, `random`, `kubernetes`, ...).
    pub fn named(name: &str) -> Option<&'static Schema> {
        // `build.rs` lists them sorted by name; every reference checked asks for its provider.
        VENDORED.binary_search_by(|s| s.name.cmp(name)).ok().map(|i| &VENDORED[i])
    }

    /// The vendored hashicorp/aws schema.
    ///
    /// # Panics
    ///
    /// Never: aws is always vendored (`build.rs` fails without it).
    pub fn aws() -> &'static Schema {
        Self::named("aws").expect("hashicorp/aws is vendored")
    }

    /// The vendored provider of a block of type `ty` whose provider is `provider` (see
    /// [`Resource::provider_name`](crate::model::Resource::provider_name)), else (for types
    /// built into Terraform) whichever vendored provider holds it.
    pub fn for_type(kind: Kind, ty: &str, provider: &str) -> Option<&'static Schema> {
        match Self::named(provider) {
            Some(schema) => Some(schema),
            None => VENDORED.iter().find(|s| s.has_type(kind, ty)),
        }
    }

    /// The provider's local name, e.g. `aws`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The provider's registry source, e.g. `hashicorp/aws`.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The provider version the schema was taken from, e.g. `5.100.0`.
    pub fn version(&self) -> &'static str {
        self.version
    }

    /// The version constraint a stack that uses the provider requires: the vendored major
    /// and minor version and later patches of it, or later minors where the major is 1 or
    /// more (`~> 5.100`, `~> 0.14.0`).
    pub fn version_constraint(&self) -> String {
        let mut parts = self.version.split('.');
        let (major, minor) = (parts.next().unwrap_or("0"), parts.next().unwrap_or("0"));
        if major == "0" { format!("~> 0.{minor}.0") } else { format!("~> {major}.{minor}") }
    }

    /// The schema of the provider's own configuration block (empty if the schema had none).
    pub fn provider(&self) -> BlockSchema {
        self.tables.find_type(0, self.name).unwrap_or_else(|| self.tables.block(usize::MAX))
    }

    /// The schema of resource (data source, ephemeral resource) type `ty`, if the provider
    /// has it.
    pub fn block(&self, kind: Kind, ty: &str) -> Option<BlockSchema> {
        self.tables.find_type(kind_code(kind), ty)
    }

    /// Whether the provider has resource (data source, ephemeral resource) type `ty`.
    pub fn has_type(&self, kind: Kind, ty: &str) -> bool {
        self.tables.find_type(kind_code(kind), ty).is_some()
    }

    /// Every resource (data source, ephemeral resource) type name, sorted.
    pub fn type_names(&self, kind: Kind) -> impl Iterator<Item = &'static str> {
        let (code, tables) = (kind_code(kind), self.tables);
        (0..tables.type_count()).map(move |i| tables.type_at(i)).filter(move |t| t.0 == code).map(|t| t.1)
    }
}

/// The schema of a block of type `ty` from the provider it belongs to (see
/// [`Schema::for_type`]).
pub fn block_of(kind: Kind, ty: &str, provider: &str) -> Option<BlockSchema> {
    Schema::for_type(kind, ty, provider)?.block(kind, ty)
}

#[cfg(test)]
mod tests;
