#![doc = include_str!("../README.md")]

#[cfg(feature = "cli")]
pub mod cli;
pub mod convert;
pub mod error;
pub mod expr;
pub mod model;
pub mod pipeline;
pub mod policy;
pub mod render;
#[cfg(feature = "cli")]
mod review;
pub mod schema;
pub mod testing;
/// The drivers of terraform, checkov and the emulator that the command line and tfsynth's own
/// tests use: public with the `test-tools` feature, and not a stable API.
#[cfg(feature = "test-tools")]
pub mod tools;
#[cfg(not(feature = "test-tools"))]
mod tools;

#[path = "../modules/mod.rs"]
pub mod modules;

pub use error::{Diagnostic, Error, Result};

/// Everything a stack or component author needs, in one import: `use crate::prelude::*;`.
pub mod prelude {
    pub use crate::error::{Diagnostic, Error, Result};
    pub use crate::expr::{
        Address, Any, Expr, Expression, IntoTemplatePart, List, Map, Num, TemplatePart, ValueType, call, cidrsubnet,
        count_index, each_key, each_value, element, for_entries, for_list, for_map, for_object, jsonencode, length,
        local, lookup, merge, module, var,
    };
    pub use crate::model::{
        Adoption, Arguments, Body, Endpoint, Export, Import, Kind, ModuleCall, Moved, Output, Provider, ProviderRef,
        Ref, Removed, RequiredProvider, Resource, S3Backend, Stack, Tier, Variable,
    };
    pub use crate::pipeline::{
        ApplyRequirement, Environment, PipelineSettings, Registry, StackDef, TERRAFORM_VERSION, settings_table, synth,
    };
    pub use crate::policy::security::Approval;
    pub use crate::policy::{Date, Rule, Waiver};
    pub use crate::render::{Format, render, render_expression};
    pub use crate::schema::validate;
    pub use crate::template;
}
