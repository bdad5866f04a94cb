//! The vendored hashicorp/aws provider schema and validation of stacks against it.
//!
//! The schema is compiled into the binary as tables `build.rs` encodes (`compact.rs` describes
//! them); [`Schema::aws`] reads them in place, so looking a type up costs a hash probe and no
//! process ever parses schema text.

mod compact;
#[cfg(test)]
mod encode;
mod hash;
mod rules;
mod suggest;
mod validate;

use compact::Tables;
pub use compact::{AttributeSchema, Attributes, BlockSchema, BlockType, BlockTypes, Fields, Nesting, Table, Type};
pub use suggest::did_you_mean;
pub use validate::validate;

use crate::model::Kind;

/// The tables of the vendored schema, from `build.rs`.
static VENDORED: Tables = Tables {
    names: include_str!(concat!(env!("OUT_DIR"), "/aws.names")),
    attributes: include_bytes!(concat!(env!("OUT_DIR"), "/aws.attributes")),
    nested: include_bytes!(concat!(env!("OUT_DIR"), "/aws.nested")),
    blocks: include_bytes!(concat!(env!("OUT_DIR"), "/aws.blocks")),
    types: include_bytes!(concat!(env!("OUT_DIR"), "/aws.types")),
    slots: include_bytes!(concat!(env!("OUT_DIR"), "/aws.slots")),
    type_list: include!(concat!(env!("OUT_DIR"), "/aws.type_list.rs")),
};

/// The provider schema: the provider's own configuration block, every resource type and every
/// data source.
pub struct Schema {
    version: &'static str,
    tables: &'static Tables,
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

fn kind_code(kind: Kind) -> u8 {
    match kind {
        Kind::Managed => 1,
        Kind::Data => 2,
    }
}

impl Schema {
    /// The vendored hashicorp/aws schema.
    pub fn aws() -> &'static Schema {
        static AWS: Schema =
            Schema { version: include_str!(concat!(env!("OUT_DIR"), "/aws.version")), tables: &VENDORED };
        &AWS
    }

    /// The provider version the schema was taken from, e.g. `5.100.0`.
    pub fn version(&self) -> &str {
        self.version
    }

    /// The schema of the provider's own configuration block (empty if the schema had none).
    pub fn provider(&self) -> BlockSchema {
        self.tables.find_type(0, "aws").unwrap_or_else(|| self.tables.block(usize::MAX))
    }

    /// The schema of resource (or data source) type `ty`, if the provider has it.
    pub fn block(&self, kind: Kind, ty: &str) -> Option<BlockSchema> {
        self.tables.find_type(kind_code(kind), ty)
    }

    /// Whether the provider has resource (or data source) type `ty`.
    pub fn has_type(&self, kind: Kind, ty: &str) -> bool {
        self.tables.find_type(kind_code(kind), ty).is_some()
    }

    /// Every resource (or data source) type name, sorted.
    pub fn type_names(&self, kind: Kind) -> impl Iterator<Item = &'static str> {
        let (code, tables) = (kind_code(kind), self.tables);
        (0..tables.type_count()).map(move |i| tables.type_at(i)).filter(move |t| t.0 == code).map(|t| t.1)
    }
}

#[cfg(test)]
mod tests;
