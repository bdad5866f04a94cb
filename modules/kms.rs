//! Customer-managed KMS keys: rotation on, a 30-day deletion window, an alias, and a key policy
//! that names exactly who may use the key.
//!
//! ```
//! use tfsynth::modules::{Account, Context, kms::Key};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = Key::new("main", "demo-production", "Demo data").for_log_groups().build(&mut ctx);
//! let backups = Key::new("backups", "demo-backups", "Demo backups").deletion_window(7).build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert_eq!(render_expression(&key.arn.into()), "aws_kms_key.main.arn");
//! assert_eq!(render_expression(&backups.arn.into()), "aws_kms_key.backups.arn");
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::Context;
use super::iam::{Statement, policy};
use crate::prelude::*;

/// A key, ready to be passed to the components that encrypt with it.
#[derive(Debug, Clone)]
pub struct KeyRef {
    /// The key ARN (what `kms_key_id` arguments take).
    pub arn: Expr<String>,
    /// The key id.
    pub id: Expr<String>,
    /// The key itself, for the escape hatch.
    pub resource: Option<Ref>,
}

impl KeyRef {
    /// A key created elsewhere (another stack, the console), by ARN.
    pub fn external(arn: impl Into<Expr<String>>) -> Self {
        let arn = arn.into();
        Self { id: arn.clone(), arn, resource: None }
    }

    /// Stands in for a key that is missing, after the problem was recorded.
    pub(super) fn missing() -> Self {
        Self::external("")
    }
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
    trails: bool,
    deletion_window: u8,
}

impl Key {
    /// KMS key `key` with alias `alias/<alias>`.
    pub fn new(key: impl Into<String>, alias: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            id: key.into(),
            alias: alias.into(),
            description: description.into(),
            services: Vec::new(),
            log_groups: false,
            trails: false,
            deletion_window: 30,
        }
    }

    /// Lets CloudWatch Logs encrypt log groups of this account with the key.
    pub fn for_log_groups(mut self) -> Self {
        self.log_groups = true;
        self
    }

    /// Lets CloudTrail encrypt the trails of this account with the key.
    pub fn for_trails(mut self) -> Self {
        self.trails = true;
        self
    }

    /// Lets `service` (e.g. `ecs-tasks.amazonaws.com`) decrypt and generate data keys when
    /// acting for this account.
    pub fn for_service(mut self, service: impl Into<String>) -> Self {
        self.services.push(service.into());
        self
    }

    /// Days a scheduled deletion waits, 7-30 (30 by default).
    pub fn deletion_window(mut self, days: u8) -> Self {
        self.deletion_window = days;
        self
    }

    /// Adds the key and its alias.
    pub fn build(self, ctx: &mut Context) -> KeyRef {
        ctx.within("kms", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> KeyRef {
        let account = *ctx.account();
        if !(7..=30).contains(&self.deletion_window) {
            ctx.problem_at(
                format!("aws_kms_key.{}", self.id),
                "deletion_window_in_days",
                format!("a deletion window of {} days is outside 7-30", self.deletion_window),
                "use 7-30 days",
            );
        }
        let mut statements = vec![
            // Without this the key could become unmanageable; IAM policies then decide who else may use it.
            Statement::allow(["kms:*"]).sid("AccountAdministration").aws_principal(account.root_arn()).on("*"),
        ];
        if self.log_groups {
            let logs = format!("logs.{}.amazonaws.com", account.region);
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
                .when(
                    "ArnLike",
                    "kms:EncryptionContext:aws:logs:arn",
                    account.arn("logs", "log-group:*"),
                ),
            );
        }
        if self.trails {
            statements.push(
                Statement::allow(["kms:GenerateDataKey*", "kms:DescribeKey"])
                    .sid("CloudTrail")
                    .service("cloudtrail.amazonaws.com")
                    .on("*")
                    .when(
                        "StringLike",
                        "kms:EncryptionContext:aws:cloudtrail:arn",
                        format!("arn:aws:cloudtrail:*:{}:trail/*", account.id),
                    )
                    .when("StringEquals", "aws:SourceAccount", account.id.as_str()),
            );
        }
        for service in &self.services {
            statements.push(
                Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"])
                    .sid(format!("Service{}", statements.len()))
                    .service(service.as_str())
                    .on("*")
                    .when("StringEquals", "aws:SourceAccount", account.id.as_str()),
            );
        }
        let key = ctx.add(
            Resource::new("aws_kms_key", &self.id)
                .set("description", self.description)
                .set("enable_key_rotation", true)
                .set("deletion_window_in_days", self.deletion_window)
                .set("policy", policy(statements)),
        );
        ctx.add(
            Resource::new("aws_kms_alias", &self.id)
                .set("name", format!("alias/{}", self.alias))
                .set("target_key_id", key.id()),
        );
        KeyRef { arn: key.arn(), id: key.id(), resource: Some(key) }
    }
}
