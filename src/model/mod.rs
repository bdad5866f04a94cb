//! The document model: everything a Terraform root module holds, in a deterministic order.

mod addresses;
mod amend;
mod body;
mod exports;
mod items;
mod module_call;
mod provider;
mod refactor;
mod resource;
mod stack;
mod terraform;
mod variable;

pub use body::{Arguments, Body, Item};
pub use exports::{Export, Import};
pub use module_call::ModuleCall;
pub use provider::{Provider, ProviderRef};
pub(crate) use refactor::Ids;
pub use refactor::{Adoption, Endpoint, Moved, Removed};
pub use resource::{Kind, Lifecycle, Ref, Repetition, Resource, SkippedCheck};
pub use stack::{Stack, Tier};
pub use terraform::{RequiredProvider, S3Backend, TerraformSettings, admits};
pub use variable::{Output, Validation, Variable};
