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

/// An S3 state backend with DynamoDB locking.
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
    /// DynamoDB table used for state locking.
    pub dynamodb_table: Option<String>,
}

impl S3Backend {
    /// An encrypted S3 backend; add locking with [`lock_table`](Self::lock_table).
    pub fn new(bucket: impl Into<String>, key: impl Into<String>, region: impl Into<String>) -> Self {
        Self { bucket: bucket.into(), key: key.into(), region: region.into(), encrypt: true, dynamodb_table: None }
    }

    /// `dynamodb_table = name`: lock the state while a run holds it.
    pub fn lock_table(mut self, table: impl Into<String>) -> Self {
        self.dynamodb_table = Some(table.into());
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
        if let Some(table) = &self.dynamodb_table {
            args.push(("dynamodb_table", table.clone().into()));
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
