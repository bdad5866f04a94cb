//! S3 buckets: public access blocked, versioned, encrypted, TLS-only, objects owned by the
//! bucket owner, with lifecycle rules.
//!
//! ```
//! use tfsynth::modules::{Account, kms, storage::{AccessLogs, Bucket, Encryption}};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! let key = kms::Key::new("main", "demo", "demo").build(&mut stack, &account);
//! let logs = Bucket::for_access_logs("logs", "demo-production-logs", &account).build(&mut stack);
//! let uploads = Bucket::new("uploads", "demo-production-uploads")
//!     .encryption(Encryption::Kms(key.clone()))
//!     .access_logs(AccessLogs::To(logs))
//!     .expire_after_days(7)
//!     .build(&mut stack);
//! validate(&stack)?;
//! assert!(render(&stack, Format::Hcl).contains("restrict_public_buckets = true"));
//! # let _ = uploads;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::KmsKey;
use super::iam::{Statement, policy};
use crate::prelude::*;

/// What a bucket gives the components that use it.
#[derive(Debug, Clone)]
pub struct BucketRef {
    /// The bucket name.
    pub name: Expr<String>,
    /// The bucket ARN.
    pub arn: Expr<String>,
    /// The bucket's regional domain name, for CloudFront origins.
    pub regional_domain_name: Expr<String>,
}

/// How objects are encrypted at rest.
#[derive(Debug, Clone)]
pub enum Encryption {
    /// A customer-managed KMS key (the default choice for data).
    Kms(KmsKey),
    /// S3-managed keys, for buckets AWS services write to that cannot use KMS (ALB access
    /// logs), with the reason.
    S3Managed(&'static str),
}

/// A bucket under construction.
#[derive(Debug, Clone)]
#[must_use = "a bucket does nothing until built into a stack"]
pub struct Bucket {
    key: String,
    name: String,
    encryption: Option<Encryption>,
    expire_after_days: Option<u32>,
    noncurrent_days: u32,
    policy: Vec<Statement>,
    access_logs: Option<AccessLogs>,
}

/// Where a bucket's server access logs go.
#[derive(Debug, Clone)]
pub enum AccessLogs {
    /// To this bucket, under `<bucket name>/`.
    To(BucketRef),
    /// Nowhere, with the reason (e.g. the bucket receives access logs itself).
    Off(&'static str),
}

impl Bucket {
    /// Bucket `key` (the Terraform name) called `name` (globally unique, 3-63 characters).
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            encryption: None,
            expire_after_days: None,
            noncurrent_days: 30,
            policy: Vec::new(),
            access_logs: None,
        }
    }

    /// How objects are encrypted; a bucket without it is a synth error.
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// Deletes current objects `days` after creation (e.g. temporary uploads).
    pub fn expire_after_days(mut self, days: u32) -> Self {
        self.expire_after_days = Some(days);
        self
    }

    /// Grants more access in the bucket policy (the TLS-only rule is always there).
    pub fn allow(mut self, statement: Statement) -> Self {
        self.policy.push(statement);
        self
    }

    /// Where server access logs go; a bucket without this choice is a synth error.
    pub fn access_logs(mut self, logs: AccessLogs) -> Self {
        self.access_logs = Some(logs);
        self
    }

    /// A bucket that receives other buckets' server access logs in `account`: SSE-S3 (log
    /// delivery cannot write to SSE-KMS buckets), writable by the S3 logging service for this
    /// account only, logs kept a year.
    pub fn for_access_logs(key: impl Into<String>, name: impl Into<String>, account: &super::Account) -> Self {
        let name = name.into();
        let put = Statement::allow(["s3:PutObject"])
            .sid("S3ServerAccessLogs")
            .service("logging.s3.amazonaws.com")
            .on(format!("arn:aws:s3:::{name}/*"))
            .when("StringEquals", "aws:SourceAccount", account.id);
        Self::new(key, name)
            .encryption(Encryption::S3Managed("S3 server access log delivery cannot write to SSE-KMS buckets"))
            .access_logs(AccessLogs::Off("this bucket receives access logs; logging it would loop"))
            .expire_after_days(365)
            .allow(put)
    }

    fn check(&self, stack: &mut Stack) {
        let n = &self.name;
        let ok = (3..=63).contains(&n.len())
            && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && n.starts_with(|c: char| c.is_ascii_alphanumeric())
            && n.ends_with(|c: char| c.is_ascii_alphanumeric())
            && !n.contains("..");
        if !ok {
            let help =
                "use 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit";
            let at = format!("aws_s3_bucket.{}", self.key);
            stack.problem_at(at, "bucket", format!("bucket name `{n}` is not valid"), help);
        }
        if self.encryption.is_none() {
            let help = "choose Encryption::Kms(key), or Encryption::S3Managed(reason) where a service cannot use KMS";
            stack.problem(format!("aws_s3_bucket.{}", self.key), "no encryption chosen", help);
        }
    }

    /// Adds the bucket and its settings to `stack`.
    pub fn build(self, stack: &mut Stack) -> BucketRef {
        self.check(stack);
        let key = self.key.as_str();
        let mut bucket = Resource::new("aws_s3_bucket", key).set("bucket", self.name.as_str());
        let waivers = [
            ("CKV_AWS_144", "cross-region replication is a disaster-recovery decision made per bucket, not by default"),
            ("CKV2_AWS_62", "no consumer of object events exists for this bucket"),
        ];
        for (check, reason) in waivers {
            bucket = bucket.skip_check(check, reason);
        }
        if let Some(Encryption::S3Managed(reason)) = &self.encryption {
            bucket = bucket.skip_check("CKV_AWS_145", *reason);
        }
        match &self.access_logs {
            Some(AccessLogs::Off(reason)) => bucket = bucket.skip_check("CKV_AWS_18", *reason),
            Some(AccessLogs::To(_)) => {}
            None => {
                let help = "choose AccessLogs::To(logs bucket), or AccessLogs::Off(reason)";
                stack.problem(format!("aws_s3_bucket.{}", self.key), "no access logging chosen", help);
            }
        }
        let bucket = stack.add(bucket);
        let id = bucket.id();
        stack.add(
            Resource::new("aws_s3_bucket_public_access_block", key)
                .set("bucket", id.clone())
                .set("block_public_acls", true)
                .set("block_public_policy", true)
                .set("ignore_public_acls", true)
                .set("restrict_public_buckets", true),
        );
        stack.add(
            Resource::new("aws_s3_bucket_ownership_controls", key)
                .set("bucket", id.clone())
                .block("rule", Body::new().set("object_ownership", "BucketOwnerEnforced")),
        );
        stack.add(
            Resource::new("aws_s3_bucket_versioning", key)
                .set("bucket", id.clone())
                .block("versioning_configuration", Body::new().set("status", "Enabled")),
        );
        let default = match &self.encryption {
            Some(Encryption::Kms(k)) => {
                Body::new().set("sse_algorithm", "aws:kms").set("kms_master_key_id", k.arn.clone())
            }
            _ => Body::new().set("sse_algorithm", "AES256"),
        };
        let kms = matches!(self.encryption, Some(Encryption::Kms(_)));
        stack.add(
            Resource::new("aws_s3_bucket_server_side_encryption_configuration", key).set("bucket", id.clone()).block(
                "rule",
                Body::new().block("apply_server_side_encryption_by_default", default).set("bucket_key_enabled", kms),
            ),
        );
        self.lifecycle(stack, &id);
        if let Some(AccessLogs::To(target)) = &self.access_logs {
            stack.add(
                Resource::new("aws_s3_bucket_logging", key)
                    .set("bucket", id.clone())
                    .set("target_bucket", target.name.clone())
                    .set("target_prefix", format!("{}/", self.name)),
            );
        }
        let arn = bucket.arn();
        // Refuse plain HTTP for everyone, whatever else the policy grants.
        let tls_only = Statement::deny(["s3:*"])
            .sid("DenyInsecureTransport")
            .aws_principal("*")
            .on(arn.clone())
            .on(template![arn.clone(), "/*"])
            .when("Bool", "aws:SecureTransport", "false");
        stack.add(
            Resource::new("aws_s3_bucket_policy", key)
                .set("bucket", id)
                .set("policy", policy(std::iter::once(tls_only).chain(self.policy))),
        );
        BucketRef {
            name: bucket.attr("bucket").typed(),
            arn,
            regional_domain_name: bucket.attr("bucket_regional_domain_name").typed(),
        }
    }

    fn lifecycle(&self, stack: &mut Stack, id: &Expr<String>) {
        let mut rule = Body::new()
            .set("id", "housekeeping")
            .set("status", "Enabled")
            .block("filter", Body::new())
            .block("abort_incomplete_multipart_upload", Body::new().set("days_after_initiation", 7))
            .block("noncurrent_version_expiration", Body::new().set("noncurrent_days", self.noncurrent_days));
        if let Some(days) = self.expire_after_days {
            rule = rule.block("expiration", Body::new().set("days", days));
        }
        stack.add(
            Resource::new("aws_s3_bucket_lifecycle_configuration", &self.key)
                .set("bucket", id.clone())
                .block("rule", rule),
        );
    }
}
