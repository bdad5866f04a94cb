//! S3 buckets: public access blocked, versioned, encrypted, TLS-only, objects owned by the
//! bucket owner, with lifecycle rules: incomplete uploads and old versions cleaned up, and
//! optional expiry, storage-class transitions, Intelligent-Tiering, CORS and Object Lock.
//!
//! ```
//! use tfsynth::modules::{Account, Context, kms, storage::{AccessLogs, Bucket, StorageClass}};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").build(&mut ctx);
//! ctx.use_key(&key);
//! let logs = Bucket::for_access_logs("logs", "demo-production-logs").build(&mut ctx);
//! let uploads = Bucket::new("uploads", "demo-production-uploads")
//!     .access_logs(AccessLogs::To(logs))
//!     .transition(30, StorageClass::StandardIa)
//!     .expire_after_days(365)
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! let hcl = render(&stack, Format::Hcl);
//! assert!(hcl.contains("restrict_public_buckets = true"));
//! assert!(hcl.contains(r#"storage_class = "STANDARD_IA""#));
//! # let _ = uploads;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::iam::{Role, Statement, policy};
use super::kms::KeyRef;
use super::{Account, Context};
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
    /// The bucket itself, for the escape hatch.
    pub resource: Ref,
    /// The bucket policy: services that deliver to the bucket must wait for it.
    pub policy: Ref,
}

/// How objects are encrypted at rest.
#[derive(Debug, Clone)]
pub enum Encryption {
    /// A customer-managed KMS key (the default: the context's key).
    Kms(KeyRef),
    /// S3-managed keys, for buckets AWS services write to that cannot use KMS (ALB access
    /// logs), with the reason.
    S3Managed(&'static str),
}

/// Where a bucket's server access logs go.
// Chosen once per component; boxing the handle would only burden callers.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum AccessLogs {
    /// To this bucket, under `<bucket name>/`.
    To(BucketRef),
    /// Nowhere, with the reason (e.g. the bucket receives access logs itself).
    Off(&'static str),
}

/// An S3 storage class objects move to as they age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageClass {
    /// Infrequent access.
    StandardIa,
    /// Infrequent access in one AZ.
    OneZoneIa,
    /// Intelligent-Tiering.
    IntelligentTiering,
    /// Glacier Instant Retrieval.
    GlacierIr,
    /// Glacier Flexible Retrieval.
    Glacier,
    /// Glacier Deep Archive.
    DeepArchive,
}

impl StorageClass {
    fn name(self) -> &'static str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::OneZoneIa => "ONEZONE_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }
}

/// Cross-origin requests a browser may make to the bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    /// Origins allowed, e.g. `https://example.com`.
    pub origins: Vec<String>,
    /// Methods allowed, e.g. `GET`, `PUT`.
    pub methods: Vec<&'static str>,
    /// Request headers allowed.
    pub headers: Vec<&'static str>,
    /// Seconds a browser may cache the preflight answer.
    pub max_age_seconds: u32,
}

/// Object Lock: objects cannot be deleted or overwritten for a while (write once, read many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectLock {
    /// Users with special permission may still delete.
    Governance {
        /// Days each object version is locked.
        days: u16,
    },
    /// Nobody, the root user included, may delete until the period ends.
    Compliance {
        /// Days each object version is locked.
        days: u16,
    },
}

/// A bucket under construction.
#[derive(Debug, Clone)]
#[must_use = "a bucket does nothing until built into a stack"]
pub struct Bucket {
    key: String,
    name: String,
    encryption: Option<Encryption>,
    expire_after_days: Option<u32>,
    transitions: Vec<(u32, StorageClass)>,
    noncurrent_days: u32,
    policy: Vec<Statement>,
    access_logs: Option<AccessLogs>,
    cors: Option<Cors>,
    intelligent_tiering: Option<(&'static str, u16, u16)>,
    object_lock: Option<ObjectLock>,
    log_delivery: bool,
    replica: Option<(BucketRef, KeyRef)>,
}

impl Bucket {
    /// Bucket `key` called `name` (globally unique, 3-63 characters), encrypted with the
    /// context's key.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            encryption: None,
            expire_after_days: None,
            transitions: Vec::new(),
            noncurrent_days: 30,
            policy: Vec::new(),
            access_logs: None,
            cors: None,
            intelligent_tiering: None,
            object_lock: None,
            log_delivery: false,
            replica: None,
        }
    }

    /// Replicates every object, and deletions, to `destination` — typically a bucket in
    /// another region, built through [`Context::in_region`] — encrypted there with `key`, the
    /// destination's own (regional) key. S3 copies each new version within minutes; a role
    /// only S3 acting for this account can assume reads here and writes there.
    pub fn replicate_to(mut self, destination: &BucketRef, key: &KeyRef) -> Self {
        self.replica = Some((destination.clone(), key.clone()));
        self
    }

    /// A bucket that receives other buckets' server access logs: SSE-S3 (log delivery cannot
    /// write to SSE-KMS buckets), writable by the S3 logging service for this account only,
    /// logs kept a year.
    pub fn for_access_logs(key: impl Into<String>, name: impl Into<String>) -> Self {
        let mut bucket = Self::new(key, name)
            .encryption(Encryption::S3Managed("S3 server access log delivery cannot write to SSE-KMS buckets"))
            .access_logs(AccessLogs::Off("this bucket receives access logs; logging it would loop"))
            .expire_after_days(365);
        bucket.log_delivery = true;
        bucket
    }

    /// How objects are encrypted (default: the context's KMS key).
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// Deletes current objects `days` after creation (e.g. temporary uploads).
    pub fn expire_after_days(mut self, days: u32) -> Self {
        self.expire_after_days = Some(days);
        self
    }

    /// Moves objects to `class` `days` after creation (seed 003: IA at 30, Glacier at 90).
    pub fn transition(mut self, days: u32, class: StorageClass) -> Self {
        self.transitions.push((days, class));
        self
    }

    /// Days old versions are kept after being replaced (30 by default).
    pub fn noncurrent_versions_kept(mut self, days: u32) -> Self {
        self.noncurrent_days = days;
        self
    }

    /// Moves objects to Intelligent-Tiering at once; configuration `id` archives those not
    /// read for `archive_days` and deep-archives those not read for `deep_archive_days`.
    pub fn intelligent_tiering(mut self, id: &'static str, archive_days: u16, deep_archive_days: u16) -> Self {
        self.intelligent_tiering = Some((id, archive_days, deep_archive_days));
        self
    }

    /// Allows browsers on other origins to read or write.
    pub fn cors(mut self, cors: Cors) -> Self {
        self.cors = Some(cors);
        self
    }

    /// Locks every new object version against deletion for a while.
    pub fn object_lock(mut self, lock: ObjectLock) -> Self {
        self.object_lock = Some(lock);
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

    fn check(&self, stack: &mut Context, at: &str) {
        let n = &self.name;
        let ok = (3..=63).contains(&n.len())
            && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && n.starts_with(|c: char| c.is_ascii_alphanumeric())
            && n.ends_with(|c: char| c.is_ascii_alphanumeric())
            && !n.contains("..");
        if !ok {
            let help =
                "use 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit";
            stack.problem_at(at, "bucket", format!("bucket name `{n}` is not valid"), help);
        }
        if self.access_logs.is_none() {
            let help = "choose AccessLogs::To(logs bucket), or AccessLogs::Off(reason)";
            stack.problem(at, "no access logging chosen", help);
        }
        let mut days: Vec<u32> = self.transitions.iter().map(|(d, _)| *d).collect();
        days.sort_unstable();
        if let (Some(expire), Some(last)) = (self.expire_after_days, days.last())
            && expire <= *last
        {
            let message = format!("objects expire after {expire} days, before their transition at {last}");
            stack.problem_at(at, "lifecycle", message, "expire objects after their last transition");
        }
        if let Some(ObjectLock::Governance { days: 0 } | ObjectLock::Compliance { days: 0 }) = self.object_lock {
            stack.problem_at(at, "object_lock", "an object lock of 0 days", "lock objects for at least a day");
        }
    }

    /// Adds the bucket and its settings.
    pub fn build(self, ctx: &mut Context) -> BucketRef {
        ctx.within("storage", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> BucketRef {
        let k = self.key.as_str();
        let at = format!("aws_s3_bucket.{k}");
        self.check(ctx, &at);
        let encryption = match &self.encryption {
            Some(e) => e.clone(),
            None => Encryption::Kms(ctx.key_for(&at, None)),
        };
        let mut bucket = Resource::new("aws_s3_bucket", k)
            .set("bucket", self.name.as_str())
            .set_opt("force_destroy", ctx.teardown().map(|_| true));
        if self.object_lock.is_some() {
            bucket = bucket.set("object_lock_enabled", true);
        }
        if self.replica.is_none() {
            let reason = "cross-region replication is a disaster-recovery decision made per bucket, not by default";
            bucket = bucket.skip_check("CKV_AWS_144", reason);
        }
        bucket = bucket.skip_check("CKV2_AWS_62", "no consumer of object events exists for this bucket");
        if let Encryption::S3Managed(reason) = &encryption {
            bucket = bucket.skip_check("CKV_AWS_145", *reason);
        }
        if let Some(AccessLogs::Off(reason)) = &self.access_logs {
            bucket = bucket.skip_check("CKV_AWS_18", *reason);
        }
        let bucket = ctx.add(bucket);
        let id = bucket.id();
        ctx.add(
            Resource::new("aws_s3_bucket_public_access_block", k)
                .set("bucket", id.clone())
                .set("block_public_acls", true)
                .set("block_public_policy", true)
                .set("ignore_public_acls", true)
                .set("restrict_public_buckets", true),
        );
        ctx.add(
            Resource::new("aws_s3_bucket_ownership_controls", k)
                .set("bucket", id.clone())
                .block("rule", Body::new().set("object_ownership", "BucketOwnerEnforced")),
        );
        let versioning = ctx.add(
            Resource::new("aws_s3_bucket_versioning", k)
                .set("bucket", id.clone())
                .block("versioning_configuration", Body::new().set("status", "Enabled")),
        );
        let (default, kms) = match &encryption {
            Encryption::Kms(key) => {
                (Body::new().set("sse_algorithm", "aws:kms").set("kms_master_key_id", key.arn.clone()), true)
            }
            Encryption::S3Managed(_) => (Body::new().set("sse_algorithm", "AES256"), false),
        };
        ctx.add(
            Resource::new("aws_s3_bucket_server_side_encryption_configuration", k).set("bucket", id.clone()).block(
                "rule",
                Body::new().block("apply_server_side_encryption_by_default", default).set("bucket_key_enabled", kms),
            ),
        );
        self.lifecycle(ctx, &id);
        self.extras(ctx, &id, &versioning);
        if let Some((destination, key)) = &self.replica {
            self.replicate(ctx, &bucket, &encryption, &versioning, destination, key);
        }
        if let Some(AccessLogs::To(target)) = &self.access_logs {
            ctx.add(
                Resource::new("aws_s3_bucket_logging", k)
                    .set("bucket", id.clone())
                    .set("target_bucket", target.name.clone())
                    .set("target_prefix", format!("{}/", self.name))
                    // Delivery starts with a test write the target's policy must already allow.
                    .depends_on(&target.policy),
            );
        }
        let arn = bucket.arn();
        let account = *ctx.account();
        // Refuse plain HTTP for everyone, whatever else the policy grants.
        let tls_only = Statement::deny(["s3:*"])
            .sid("DenyInsecureTransport")
            .aws_principal("*")
            .on(arn.clone())
            .on(template![arn.clone(), "/*"])
            .when("Bool", "aws:SecureTransport", "false");
        let delivery = self.log_delivery.then(|| log_delivery(&account, &self.name));
        let statements = std::iter::once(tls_only).chain(delivery).chain(self.policy);
        let policy =
            ctx.add(Resource::new("aws_s3_bucket_policy", k).set("bucket", id).set("policy", policy(statements)));
        BucketRef {
            name: bucket.attr("bucket").typed(),
            arn,
            regional_domain_name: bucket.attr("bucket_regional_domain_name").typed(),
            resource: bucket,
            policy,
        }
    }

    /// The replication role and rule: every object and delete marker to `destination`,
    /// re-encrypted with `key`.
    fn replicate(
        &self,
        ctx: &mut Context,
        bucket: &Ref,
        encryption: &Encryption,
        versioning: &Ref,
        destination: &BucketRef,
        key: &KeyRef,
    ) {
        let k = self.key.as_str();
        let mut statements = vec![
            Statement::allow(["s3:GetReplicationConfiguration", "s3:ListBucket"]).sid("Source").on(bucket.arn()),
            Statement::allow([
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ])
            .sid("SourceObjects")
            .on(template![bucket.arn(), "/*"]),
            Statement::allow(["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"])
                .sid("Destination")
                .on(template![destination.arn.clone(), "/*"]),
            Statement::allow(["kms:Encrypt"]).sid("DestinationKey").on(key.arn.clone()),
        ];
        if let Encryption::Kms(source) = encryption {
            statements.push(Statement::allow(["kms:Decrypt"]).sid("SourceKey").on(source.arn.clone()));
        }
        let name = format!("{}-replication", self.name);
        let role = Role::for_service(format!("{k}_replication"), name, "s3.amazonaws.com")
            .policy("replication", statements)
            .build(ctx);
        let destination = Body::new()
            .set("bucket", destination.arn.clone())
            .block("encryption_configuration", Body::new().set("replica_kms_key_id", key.arn.clone()));
        let replication = Body::new()
            .set("id", "everything")
            .set("status", "Enabled")
            .block("filter", Body::new())
            .block("delete_marker_replication", Body::new().set("status", "Enabled"))
            .block(
                "source_selection_criteria",
                Body::new().block("sse_kms_encrypted_objects", Body::new().set("status", "Enabled")),
            )
            .block("destination", destination);
        ctx.add(
            Resource::new("aws_s3_bucket_replication_configuration", k)
                .set("role", role.arn)
                .set("bucket", bucket.id())
                .block("rule", replication)
                // Replication needs versioning on in the source first.
                .depends_on(versioning),
        );
    }

    fn lifecycle(&self, stack: &mut Context, id: &Expr<String>) {
        let mut rule = Body::new()
            .set("id", "housekeeping")
            .set("status", "Enabled")
            .block("filter", Body::new())
            .block("abort_incomplete_multipart_upload", Body::new().set("days_after_initiation", 7))
            .block("noncurrent_version_expiration", Body::new().set("noncurrent_days", self.noncurrent_days));
        let mut transitions = self.transitions.clone();
        if self.intelligent_tiering.is_some() {
            transitions.insert(0, (0, StorageClass::IntelligentTiering));
        }
        for (days, class) in transitions {
            rule = rule.block("transition", Body::new().set("days", days).set("storage_class", class.name()));
        }
        if let Some(days) = self.expire_after_days {
            rule = rule.block("expiration", Body::new().set("days", days));
        }
        stack.add(
            Resource::new("aws_s3_bucket_lifecycle_configuration", &self.key)
                .set("bucket", id.clone())
                .block("rule", rule),
        );
    }

    /// CORS, Intelligent-Tiering archive tiers and Object Lock, where asked for.
    fn extras(&self, stack: &mut Context, id: &Expr<String>, versioning: &Ref) {
        let k = self.key.as_str();
        if let Some(cors) = &self.cors {
            let rule = Body::new()
                .set("allowed_origins", cors.origins.clone())
                .set("allowed_methods", cors.methods.clone())
                .set("allowed_headers", cors.headers.clone())
                .set("max_age_seconds", cors.max_age_seconds);
            stack.add(
                Resource::new("aws_s3_bucket_cors_configuration", k).set("bucket", id.clone()).block("cors_rule", rule),
            );
        }
        if let Some((configuration, archive, deep)) = self.intelligent_tiering {
            let tier = |access: &str, days: u16| Body::new().set("access_tier", access).set("days", days);
            stack.add(
                Resource::new("aws_s3_bucket_intelligent_tiering_configuration", k)
                    .set("bucket", id.clone())
                    .set("name", configuration)
                    .set("status", "Enabled")
                    .block("tiering", tier("ARCHIVE_ACCESS", archive))
                    .block("tiering", tier("DEEP_ARCHIVE_ACCESS", deep)),
            );
        }
        if let Some(lock) = self.object_lock {
            let (mode, days) = match lock {
                ObjectLock::Governance { days } => ("GOVERNANCE", days),
                ObjectLock::Compliance { days } => ("COMPLIANCE", days),
            };
            let retention = Body::new().set("mode", mode).set("days", days);
            stack.add(
                Resource::new("aws_s3_bucket_object_lock_configuration", k)
                    .set("bucket", id.clone())
                    .block("rule", Body::new().block("default_retention", retention))
                    // Object Lock needs versioning on: set after it, removed before it.
                    .depends_on(versioning),
            );
        }
    }
}

/// The statement that lets S3 server access logging deliver to `name` for `account` only.
fn log_delivery(account: &Account, name: &str) -> Statement {
    Statement::allow(["s3:PutObject"])
        .sid("S3ServerAccessLogs")
        .service("logging.s3.amazonaws.com")
        .on(format!("arn:aws:s3:::{name}/*"))
        .when("StringEquals", "aws:SourceAccount", account.id.as_str())
}
