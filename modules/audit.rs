//! CloudTrail: a multi-region trail with log-file validation, encrypted with the customer key,
//! delivered to a bucket of its own whose objects are locked (nobody, not even an
//! administrator, deletes the record early) and streamed to an expiring CloudWatch log group
//! for queries and alarms.
//!
//! ```
//! use tfsynth::modules::audit::Trail;
//! use tfsynth::modules::storage::{AccessLogs, Bucket};
//! use tfsynth::modules::{Account, Context, kms};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().for_trails().build(&mut ctx);
//! ctx.use_key(&key);
//! let access = Bucket::for_access_logs("access", "demo-access-logs").build(&mut ctx);
//! let trail = Trail::new("audit", "demo-audit", "demo-audit-trail").access_logs(AccessLogs::To(access)).build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! let hcl = render(&stack, Format::Hcl);
//! assert!(hcl.contains("enable_log_file_validation    = true"));
//! assert!(hcl.contains(r#"mode = "COMPLIANCE""#));
//! # let _ = trail;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::iam::{Role, Statement};
use super::kms::KeyRef;
use super::logs::{LogGroup, LogGroupRef};
use super::storage::{AccessLogs, Bucket, BucketRef, ObjectLock};
use super::{Context, Retention};
use crate::prelude::*;

/// A trail, for alarms on its log group and for the stack's outputs.
#[derive(Debug, Clone)]
pub struct TrailRef {
    /// The trail ARN.
    pub arn: Expr<String>,
    /// The bucket the trail delivers to.
    pub bucket: BucketRef,
    /// The log group the trail streams to.
    pub log_group: LogGroupRef,
    /// The trail itself, for the escape hatch.
    pub resource: Ref,
}

/// A trail under construction.
#[derive(Debug, Clone)]
#[must_use = "a trail does nothing until built into a stack"]
pub struct Trail {
    key: String,
    name: String,
    bucket: String,
    lock: ObjectLock,
    retention: Retention,
    access_logs: Option<AccessLogs>,
    kms_key: Option<KeyRef>,
}

impl Trail {
    /// Trail `key` called `name`, delivering to a new bucket called `bucket` whose objects are
    /// locked in compliance mode for a year; its log group keeps a year too.
    pub fn new(key: impl Into<String>, name: impl Into<String>, bucket: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            bucket: bucket.into(),
            lock: ObjectLock::Compliance { days: 365 },
            retention: Retention::OneYear,
            access_logs: None,
            kms_key: None,
        }
    }

    /// How long delivered log files are locked.
    pub fn object_lock(mut self, lock: ObjectLock) -> Self {
        self.lock = lock;
        self
    }

    /// How long the CloudWatch copy is kept.
    pub fn log_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Where the trail bucket's own access logs go (required, as for every bucket).
    pub fn access_logs(mut self, logs: AccessLogs) -> Self {
        self.access_logs = Some(logs);
        self
    }

    /// The key to encrypt with instead of the context's; its policy must allow CloudTrail
    /// ([`Key::for_trails`](super::kms::Key::for_trails)).
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Adds the trail, its bucket, log group and delivery role.
    pub fn build(self, ctx: &mut Context) -> TrailRef {
        ctx.within("audit", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> TrailRef {
        let (k, name) = (self.key.as_str(), self.name.as_str());
        let at = format!("aws_cloudtrail.{k}");
        let key = ctx.key_for(&at, self.kms_key.as_ref());
        let account = *ctx.account();
        let trail_arn = account.arn("cloudtrail", &format!("trail/{name}"));
        let bucket_arn = format!("arn:aws:s3:::{}", self.bucket);
        // CloudTrail checks the bucket policy when the trail is created; only this trail may write.
        let from_trail = |s: Statement| {
            s.service("cloudtrail.amazonaws.com").when("StringEquals", "aws:SourceArn", trail_arn.as_str())
        };
        let mut bucket = Bucket::new(format!("{k}_trail"), &self.bucket)
            .encryption(super::storage::Encryption::Kms(key.clone()))
            .object_lock(self.lock)
            .allow(from_trail(Statement::allow(["s3:GetBucketAcl"]).sid("TrailAclCheck").on(bucket_arn.as_str())))
            .allow(
                from_trail(Statement::allow(["s3:PutObject"]).sid("TrailWrite"))
                    .on(format!("{bucket_arn}/AWSLogs/{}/*", account.id))
                    .when("StringEquals", "s3:x-amz-acl", "bucket-owner-full-control"),
            );
        if let Some(logs) = self.access_logs {
            bucket = bucket.access_logs(logs);
        }
        let bucket = bucket.build(ctx);
        let log_group = LogGroup::new(format!("{k}_trail"), format!("/aws/cloudtrail/{name}"))
            .retention(self.retention)
            .kms_key(&key)
            .build(ctx);
        let role = Role::for_service(format!("{k}_trail"), format!("{name}-trail"), "cloudtrail.amazonaws.com")
            .policy(
                "logs",
                vec![
                    Statement::allow(["logs:CreateLogStream", "logs:PutLogEvents"])
                        .sid("Logs")
                        .on(template![log_group.arn.clone(), ":log-stream:*"]),
                ],
            )
            .build(ctx);
        let trail = Resource::new("aws_cloudtrail", k)
            .set("name", name)
            .set("s3_bucket_name", bucket.name.clone())
            .set("kms_key_id", key.arn.clone())
            .set("is_multi_region_trail", true)
            .set("include_global_service_events", true)
            .set("enable_log_file_validation", true)
            .set("cloud_watch_logs_group_arn", template![log_group.arn.clone(), ":*"])
            .set("cloud_watch_logs_role_arn", role.arn)
            .depends_on(&bucket.policy)
            .skip_check(
                "CKV_AWS_252",
                "log files are read from the bucket and the log group; nothing consumes a per-file notification",
            );
        let trail = ctx.add(trail);
        TrailRef { arn: trail.arn(), bucket, log_group, resource: trail }
    }
}
