#![doc = include_str!("../README.md")]

pub mod check;
pub mod cli;
pub mod diff;
pub mod error;
pub mod expr;
pub mod graph;
pub mod model;
pub mod policy;
pub mod registry;
pub mod render;
pub mod schema;
pub mod summary;
pub mod synth;
pub mod toolchain;

#[path = "../modules/mod.rs"]
pub mod modules;
#[path = "../stacks/mod.rs"]
pub mod stacks;

pub use error::{Diagnostic, Error, Result};

/// Everything a stack or component author needs, in one import: `use crate::prelude::*;`.
pub mod prelude {
    pub use crate::error::{Diagnostic, Error, Result};
    pub use crate::expr::{
        Any, Expr, Expression, IntoTemplatePart, List, Map, Num, call, cidrsubnet, count_index, each_key, each_value,
        element, for_entries, for_list, for_map, for_object, jsonencode, length, local, lookup, merge, module, var,
    };
    pub use crate::model::{
        Arguments, Body, ModuleCall, Moved, Output, Provider, ProviderRef, Ref, RequiredProvider, Resource, S3Backend,
        Stack, Variable,
    };
    pub use crate::registry::{Environment, Registry, StackDef};
    pub use crate::render::{Format, render, render_expression};
    pub use crate::schema::validate;
    pub use crate::template;
}
