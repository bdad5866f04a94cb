//! The `terraform` block: version constraints, required providers and the state backend.

use crate::expr::Expression;

use indexmap::IndexMap;

/// A provider requirement: `aws = { source = "hashicorp/aws", version = "~> 5.0" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredProvider {
    /// Registry source, e.g. `hashicorp/aws`.
    pub source: String,
    /// Version constraint, e.g. `~> 5.100`.
    pub version: String,
}

impl RequiredProvider {
    /// A provider from the registry: `source` such as `hashicorp/random`, `version` a
    /// constraint such as `~> 3.6`.
    pub fn new(source: impl Into<String>, version: impl Into<String>) -> Self {
        Self { source: source.into(), version: version.into() }
    }

    /// `hashicorp/aws` at `version`, e.g. `~> 5.100`.
    pub fn aws(version: impl Into<String>) -> Self {
        Self::new("hashicorp/aws", version)
    }
}

/// An S3 state backend, encrypted and locked with a lock file next to the state (Terraform
/// 1.10+; the DynamoDB lock table it replaces is deprecated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Backend {
    /// State bucket name.
    pub bucket: String,
    /// Object key of this stack's state, e.g. `production/terraform.tfstate`.
    pub key: String,
    /// Bucket region.
    pub region: String,
    /// Server-side encryption of the state object.
    pub encrypt: bool,
    /// Whether a run holds a lock file (`<key>.tflock`) while it works on the state.
    pub use_lockfile: bool,
}

impl S3Backend {
    /// An encrypted S3 backend with lock-file locking.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>, region: impl Into<String>) -> Self {
        Self { bucket: bucket.into(), key: key.into(), region: region.into(), encrypt: true, use_lockfile: true }
    }

    /// No locking: two runs may write the state at once. Only for throwaway sandboxes.
    pub fn unlocked(mut self) -> Self {
        self.use_lockfile = false;
        self
    }

    /// `encrypt = false`. State holds secrets; only for throwaway sandboxes.
    pub fn unencrypted(mut self) -> Self {
        self.encrypt = false;
        self
    }

    /// The backend's arguments in the order Terraform documents them.
    pub fn arguments(&self) -> Vec<(&'static str, Expression)> {
        let mut args = vec![
            ("bucket", self.bucket.clone().into()),
            ("key", self.key.clone().into()),
            ("region", self.region.clone().into()),
            ("encrypt", self.encrypt.into()),
        ];
        if self.use_lockfile {
            args.push(("use_lockfile", true.into()));
        }
        args
    }
}

/// The contents of the `terraform` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerraformSettings {
    /// `required_version`, e.g. `>= 1.5.0`.
    pub required_version: Option<String>,
    /// `required_providers`, by local name.
    pub required_providers: IndexMap<String, RequiredProvider>,
    /// The state backend; `None` keeps local state.
    pub backend: Option<S3Backend>,
}
