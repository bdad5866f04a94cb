//! What the generated pipelines pin and require: the generator's input, set once on the
//! [`Registry`](super::Registry) and read by both the stacks (`required_version`) and the
//! pipelines (the Terraform they install, what an Atlantis apply needs).

use serde::Serialize;

/// The Terraform version tfsynth is tested with, and what a registry pins unless told
/// otherwise.
pub const TERRAFORM_VERSION: &str = "1.11.4";

/// What an Atlantis project needs before `atlantis apply` runs (its `apply_requirements`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplyRequirement {
    /// A reviewer approved the pull request.
    Approved,
    /// The pull request can be merged: checks passed, no conflicts.
    Mergeable,
    /// The branch is up to date with its base.
    Undiverged,
}

/// The pipelines' pins and requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineSettings {
    /// The exact Terraform version: every stack's `required_version` (unless the stack sets a
    /// constraint, which must then admit it) and the version every pipeline installs.
    pub terraform_version: String,
    /// What a development project's apply needs on Atlantis; staging and production always
    /// need all three.
    pub development_requirements: Vec<ApplyRequirement>,
}

impl Default for PipelineSettings {
    /// [`TERRAFORM_VERSION`]; development applies once mergeable and up to date, without an
    /// approval.
    fn default() -> Self {
        Self {
            terraform_version: TERRAFORM_VERSION.to_owned(),
            development_requirements: vec![ApplyRequirement::Mergeable, ApplyRequirement::Undiverged],
        }
    }
}
