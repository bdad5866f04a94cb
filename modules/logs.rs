//! CloudWatch log groups: always KMS-encrypted, always with a retention. A retention shorter
//! than a year carries its reason, which is written as the waiver of the scanners' one-year
//! check (`CKV_AWS_338`), so every environment scans clean for a stated reason. An
//! [`Archive`] streams a group's events to S3 for keeping longer.
//!
//! ```
//! use tfsynth::modules::{Account, Context, Retention, kms::Key, logs::LogGroup};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "development"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = Key::new("main", "demo", "Demo logs").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! LogGroup::new("app", "/demo/app").retention(Retention::Days(30, "a sandbox")).build(&mut ctx);
//! LogGroup::new("odd", "/demo/odd").retention(Retention::Days(31, "not a CloudWatch value")).build(&mut ctx);
//! let stack = ctx.finish();
//! let message = validate(&stack).unwrap_err().to_string();
//! assert!(message.contains("retention of 31 days is not one CloudWatch accepts"));
//! assert!(render(&stack, Format::Hcl).contains("# checkov:skip=CKV_AWS_338:a sandbox"));
//! ```

use super::iam::{Role, Statement};
use super::kms::KeyRef;
use super::storage::BucketRef;
use super::{Context, Retention};
use crate::prelude::*;

/// A log group, for the components that write to it.
#[derive(Debug, Clone)]
pub struct LogGroupRef {
    /// The log group ARN.
    pub arn: Expr<String>,
    /// The log group name.
    pub name: Expr<String>,
    /// The log group itself, for `depends_on` where a service would otherwise create it first.
    pub resource: Ref,
}

/// CloudWatch accepts only these retentions.
const ALLOWED_DAYS: &[u16] =
    &[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// A log group under construction.
#[derive(Debug, Clone)]
#[must_use = "a log group does nothing until built into a stack"]
pub struct LogGroup {
    key: String,
    name: Expression,
    retention: Retention,
    kms_key: Option<KeyRef>,
}

impl LogGroup {
    /// Log group `key` called `name`, keeping logs a year.
    pub fn new(key: impl Into<String>, name: impl Into<Expression>) -> Self {
        Self { key: key.into(), name: name.into(), retention: Retention::OneYear, kms_key: None }
    }

    /// How long logs are kept.
    pub fn retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Adds the log group.
    pub fn build(self, ctx: &mut Context) -> LogGroupRef {
        ctx.within("logs", |ctx| {
            let address = format!("aws_cloudwatch_log_group.{}", self.key);
            let key = ctx.key_for(&address, self.kms_key.as_ref());
            let days = self.retention.days();
            if !ALLOWED_DAYS.contains(&days) {
                ctx.problem_at(
                    address,
                    "retention_in_days",
                    format!("retention of {days} days is not one CloudWatch accepts"),
                    format!("use one of {ALLOWED_DAYS:?}"),
                );
            }
            let mut group = Resource::new("aws_cloudwatch_log_group", &self.key)
                .set_by("retention_in_days", "LogGroup::retention")
                .set_by("kms_key_id", "LogGroup::kms_key")
                .set("name", self.name)
                .set("retention_in_days", days)
                .set("kms_key_id", key.arn);
            if let Some(reason) = self.retention.shorter_than_a_year() {
                group = group.skip_check("CKV_AWS_338", reason);
            }
            let group = ctx.add(group);
            LogGroupRef { arn: group.arn(), name: group.attr("name").typed(), resource: group }
        })
    }
}

/// A log archive, for what else reads its stream.
#[derive(Debug, Clone)]
pub struct ArchiveRef {
    /// The delivery stream's ARN.
    pub stream_arn: Expr<String>,
    /// The delivery stream itself.
    pub resource: Ref,
}

/// A copy of every event of a log group, streamed through Kinesis Data Firehose into an S3
/// bucket for keeping longer than CloudWatch (seed 003's "long-term log streaming to S3"):
/// the stream is encrypted with the customer key and each role may do its one step only.
#[derive(Debug, Clone)]
#[must_use = "an archive does nothing until built into a stack"]
pub struct Archive {
    key: String,
    name: String,
    source: LogGroupRef,
    bucket: BucketRef,
    prefix: String,
    kms_key: Option<KeyRef>,
}

impl Archive {
    /// Archive `key`: stream `name` copying `source` into `bucket` under `logs/`.
    pub fn new(key: impl Into<String>, name: impl Into<String>, source: &LogGroupRef, bucket: &BucketRef) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            source: source.clone(),
            bucket: bucket.clone(),
            prefix: "logs/".into(),
            kms_key: None,
        }
    }

    /// The object key prefix (ending in `/`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Adds the delivery stream, the subscription and their roles.
    pub fn build(self, ctx: &mut Context) -> ArchiveRef {
        ctx.within("logs", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> ArchiveRef {
        let (k, name) = (self.key.as_str(), self.name.as_str());
        let at = format!("aws_kinesis_firehose_delivery_stream.{k}");
        if !self.prefix.ends_with('/') {
            let message = format!("prefix `{}` does not end in /", self.prefix);
            ctx.problem_at(&at, "extended_s3_configuration.prefix", message, "end the prefix with /");
        }
        let key = ctx.key_for(&at, self.kms_key.as_ref());
        let account = *ctx.account();
        let bucket = self.bucket.arn.clone();
        let delivery = Role::for_service(format!("{k}_delivery"), format!("{name}-delivery"), "firehose.amazonaws.com")
            .policy(
                "delivery",
                vec![
                    Statement::allow([
                        "s3:AbortMultipartUpload",
                        "s3:GetBucketLocation",
                        "s3:ListBucket",
                        "s3:PutObject",
                    ])
                    .sid("Bucket")
                    .on(bucket.clone())
                    .on(template![bucket.clone(), "/", self.prefix.as_str(), "*"]),
                    Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"]).sid("Key").on(key.arn.clone()),
                ],
            )
            .build(ctx);
        let s3 = Body::new()
            .set("role_arn", delivery.arn)
            .set("bucket_arn", bucket)
            .set("prefix", self.prefix.as_str())
            .set("error_output_prefix", format!("{}errors/", self.prefix))
            .set("compression_format", "GZIP")
            .set("kms_key_arn", key.arn.clone());
        let encryption =
            Body::new().set("enabled", true).set("key_type", "CUSTOMER_MANAGED_CMK").set("key_arn", key.arn);
        let stream = ctx.add(
            Resource::new("aws_kinesis_firehose_delivery_stream", k)
                .set("name", name)
                .set("destination", "extended_s3")
                .block("server_side_encryption", encryption)
                .block("extended_s3_configuration", s3)
                // Firehose checks its role when the stream is created.
                .depends_on(&self.bucket.policy),
        );
        let logs = format!("logs.{}.amazonaws.com", account.region);
        let subscription = Role::for_service(format!("{k}_subscription"), format!("{name}-subscription"), &logs)
            .policy(
                "subscription",
                vec![
                    Statement::allow(["firehose:PutRecord", "firehose:PutRecordBatch"]).sid("Stream").on(stream.arn()),
                ],
            )
            .build(ctx);
        ctx.add(
            Resource::new("aws_cloudwatch_log_subscription_filter", k)
                .set("name", name)
                .set("log_group_name", self.source.name)
                .set("filter_pattern", "")
                .set("destination_arn", stream.arn())
                .set("role_arn", subscription.arn),
        );
        ArchiveRef { stream_arn: stream.arn(), resource: stream }
    }
}
