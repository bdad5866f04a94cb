//! SVG-AI's buckets (seed 003): the main bucket, the frontend CloudFront serves, the models
//! the AI service reads, uploads kept a week, and conversions aged into cheaper classes.

use super::Settings;
use tfsynth::modules::Context;
use tfsynth::modules::edge::Distribution;
use tfsynth::modules::kms::{Key, KeyRef};
use tfsynth::modules::storage::{AccessLogs, Bucket, BucketRef, Cors, Encryption, StorageClass};
use tfsynth::prelude::*;

/// The buckets the rest of the stack uses.
pub(super) struct Buckets {
    pub main: BucketRef,
    pub frontend: BucketRef,
    pub models: BucketRef,
    pub uploads: BucketRef,
    pub conversions: BucketRef,
}

/// Builds the buckets, each access-logged to `logs`.
pub(super) fn buckets(ctx: &mut Context, s: &Settings, logs: &BucketRef) -> Buckets {
    // Seed fix: the seed's random suffix becomes the account id, which is as unique and stable.
    let named = |what: &str| match what {
        "main" => format!("svg-ai-{}-{}", s.env_name, s.account.id),
        _ => format!("svg-ai-{what}-{}", s.account.id),
    };
    let bucket = |key: &str| Bucket::new(key, named(key)).access_logs(AccessLogs::To(logs.clone()));
    // Seed 003's "production bucket", versioned; its long-lived objects age through
    // Intelligent-Tiering (configuration `archive-old-files`).
    let mut main = bucket("main").intelligent_tiering("archive-old-files", 90, 180);
    if let Some(region) = s.backup_region {
        let (backup, key) = backup(ctx, s, region);
        main = main.replicate_to(&backup, &key);
    }
    let main = main.build(ctx);
    let site = [format!("https://{}", s.domain), format!("https://www.{}", s.domain)];
    let frontend = bucket("frontend")
        .allow(Distribution::read_statement(&s.account, &named("frontend")))
        .cors(Cors { origins: site.to_vec(), methods: vec!["GET", "HEAD"], headers: vec!["*"], max_age_seconds: 3000 })
        .build(ctx);
    let models = bucket("models").build(ctx);
    // Seed 003: uploads are deleted after 7 days, and arrive through Transfer Acceleration.
    let uploads = bucket("uploads").expire_after_days(7).build(ctx);
    ctx.add(
        Resource::new("aws_s3_bucket_accelerate_configuration", "uploads")
            .set("bucket", uploads.name.clone())
            .set("status", "Enabled"),
    );
    let conversions = bucket("conversions")
        .transition(30, StorageClass::StandardIa)
        .transition(90, StorageClass::Glacier)
        .expire_after_days(365)
        .build(ctx);
    Buckets { main, frontend, models, uploads, conversions }
}

/// Seed 003's disaster-recovery copy (L678-687): `svg-ai-backup-<account>` in `region`, through
/// an aws provider aliased `backup`, encrypted with a key of its own region. Seed fix: the
/// seed's daily `aws s3 sync` becomes S3 replication, which copies each new version within
/// minutes and needs no scheduler.
fn backup(ctx: &mut Context, s: &Settings, region: &'static str) -> (BucketRef, KeyRef) {
    let provider = ctx.aws_region("backup", region);
    ctx.in_region(&provider, region, |ctx| {
        let key = Key::new("backup", format!("svg-ai-backup-{region}"), "SVG-AI backups").build(ctx);
        let bucket = Bucket::new("backup", format!("svg-ai-backup-{}", s.account.id))
            .encryption(Encryption::Kms(key.clone()))
            .noncurrent_versions_kept(90)
            .access_logs(AccessLogs::Off("a replica: reads and writes are logged at the source bucket"))
            .build(ctx);
        (bucket, key)
    })
}
