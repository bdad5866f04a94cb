//! Customer-managed KMS keys: rotation on, a 30-day deletion window, an alias, and a key policy
//! that names exactly who may use the key.
//!
//! ```
//! use tfsynth::modules::{Account, kms::Key};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! let key = Key::new("main", "demo-production", "Demo data").for_log_groups().build(&mut stack, &account);
//! validate(&stack)?;
//! assert_eq!(render_expression(&key.arn.into()), "aws_kms_key.main.arn");
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::Account;
use super::iam::{Statement, policy};
use crate::prelude::*;

/// A key, ready to be passed to the components that encrypt with it.
#[derive(Debug, Clone)]
pub struct KmsKey {
    /// The key ARN (what `kms_key_id` arguments take).
    pub arn: Expr<String>,
    /// The key id.
    pub id: Expr<String>,
}

/// A key under construction.
#[derive(Debug, Clone)]
#[must_use = "a key does nothing until built into a stack"]
pub struct Key {
    id: String,
    alias: String,
    description: String,
    services: Vec<String>,
    log_groups: bool,
}

impl Key {
    /// Key `id` (the Terraform name) with alias `alias/<alias>`.
    pub fn new(id: impl Into<String>, alias: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            alias: alias.into(),
            description: description.into(),
            services: Vec::new(),
            log_groups: false,
        }
    }

    /// Lets CloudWatch Logs encrypt log groups of this account with the key.
    pub fn for_log_groups(mut self) -> Self {
        self.log_groups = true;
        self
    }

    /// Lets `service` (e.g. `ecs-tasks.amazonaws.com`) decrypt and generate data keys when
    /// acting for this account.
    pub fn for_service(mut self, service: impl Into<String>) -> Self {
        self.services.push(service.into());
        self
    }

    /// Adds the key and its alias to `stack`.
    pub fn build(self, stack: &mut Stack, account: &Account) -> KmsKey {
        let mut statements = vec![
            // Without this the key could become unmanageable; IAM policies then decide who else may use it.
            Statement::allow(["kms:*"]).sid("AccountAdministration").aws_principal(account.root_arn()).on("*"),
        ];
        if self.log_groups {
            let logs = format!("logs.{}.amazonaws.com", account.region);
            let context = format!("arn:aws:logs:{}:{}:log-group:*", account.region, account.id);
            statements.push(
                Statement::allow([
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ])
                .sid("CloudWatchLogs")
                .service(logs)
                .on("*")
                .when("ArnLike", "kms:EncryptionContext:aws:logs:arn", context),
            );
        }
        for service in &self.services {
            statements.push(
                Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"])
                    .sid(format!("Service{}", statements.len()))
                    .service(service.as_str())
                    .on("*")
                    .when("StringEquals", "aws:SourceAccount", account.id),
            );
        }
        let key = stack.add(
            Resource::new("aws_kms_key", &self.id)
                .set("description", self.description)
                .set("enable_key_rotation", true)
                .set("deletion_window_in_days", 30)
                .set("policy", policy(statements)),
        );
        stack.add(
            Resource::new("aws_kms_alias", &self.id)
                .set("name", format!("alias/{}", self.alias))
                .set("target_key_id", key.id()),
        );
        KmsKey { arn: key.arn(), id: key.id() }
    }
}
