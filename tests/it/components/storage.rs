//! Buckets and the CloudFront distributions in front of them.

use super::*;

#[test]
fn buckets_are_private_versioned_encrypted_and_tls_only() {
    let mut ctx = context("apps");
    let logs = Bucket::for_access_logs("logs", "apps-logs-123456789012").build(&mut ctx);
    Bucket::new("data", "apps-data-123456789012")
        .access_logs(AccessLogs::To(logs))
        .expire_after_days(7)
        .build(&mut ctx);
    let doc = valid(ctx);
    let block = resource(&doc, "aws_s3_bucket_public_access_block", "data");
    for field in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] {
        assert_eq!(block[field], true, "{field}");
    }
    assert_eq!(resource(&doc, "aws_s3_bucket_versioning", "data")["versioning_configuration"][0]["status"], "Enabled");
    let sse = &resource(&doc, "aws_s3_bucket_server_side_encryption_configuration", "data")["rule"][0];
    assert_eq!(sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"], "aws:kms");
    assert_eq!(sse["apply_server_side_encryption_by_default"][0]["kms_master_key_id"], "${aws_kms_key.main.arn}");
    let policy = resource(&doc, "aws_s3_bucket_policy", "data")["policy"].as_str().unwrap().to_owned();
    assert!(policy.contains("aws:SecureTransport") && policy.contains("Deny"), "{policy}");
    assert_eq!(
        resource(&doc, "aws_s3_bucket_lifecycle_configuration", "data")["rule"][0]["expiration"],
        json!([{"days": 7}])
    );
    // Logging starts once the target's policy lets S3 deliver.
    assert_eq!(resource(&doc, "aws_s3_bucket_logging", "data")["depends_on"], json!(["aws_s3_bucket_policy.logs"]));
}

#[test]
fn bucket_options() {
    let mut ctx = context("apps");
    Bucket::new("conversions", "apps-conversions-123456789012")
        .access_logs(AccessLogs::Off("a test"))
        .transition(30, StorageClass::StandardIa)
        .transition(90, StorageClass::Glacier)
        .expire_after_days(365)
        .cors(Cors {
            origins: vec!["https://svg-ai.com".into()],
            methods: vec!["GET", "PUT"],
            headers: vec!["*"],
            max_age_seconds: 3000,
        })
        .object_lock(ObjectLock::Governance { days: 30 })
        .build(&mut ctx);
    Bucket::new("uploads", "apps-uploads-123456789012")
        .access_logs(AccessLogs::Off("a test"))
        .intelligent_tiering("archive-old-files", 90, 180)
        .build(&mut ctx);
    let doc = valid(ctx);
    let rule = &resource(&doc, "aws_s3_bucket_lifecycle_configuration", "conversions")["rule"][0];
    assert_eq!(
        rule["transition"],
        json!([{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 90, "storage_class": "GLACIER"}])
    );
    assert_eq!(rule["expiration"], json!([{"days": 365}]));
    assert_eq!(
        resource(&doc, "aws_s3_bucket_cors_configuration", "conversions")["cors_rule"][0]["allowed_methods"],
        json!(["GET", "PUT"])
    );
    assert_eq!(resource(&doc, "aws_s3_bucket", "conversions")["object_lock_enabled"], true);
    assert_eq!(
        resource(&doc, "aws_s3_bucket_object_lock_configuration", "conversions")["rule"][0]["default_retention"],
        json!([{"mode": "GOVERNANCE", "days": 30}])
    );
    // Set after versioning and removed before it: moto, like S3, refuses Object Lock changes on
    // a bucket whose versioning is off (a destroy failed when the two ran in parallel).
    assert_eq!(
        resource(&doc, "aws_s3_bucket_object_lock_configuration", "conversions")["depends_on"],
        json!(["aws_s3_bucket_versioning.conversions"])
    );
    let tiering = resource(&doc, "aws_s3_bucket_intelligent_tiering_configuration", "uploads");
    assert_eq!(tiering["name"], "archive-old-files");
    assert_eq!(tiering["tiering"][1], json!({"access_tier": "DEEP_ARCHIVE_ACCESS", "days": 180}));
    assert_eq!(
        resource(&doc, "aws_s3_bucket_lifecycle_configuration", "uploads")["rule"][0]["transition"],
        json!([{"days": 0, "storage_class": "INTELLIGENT_TIERING"}])
    );
}

#[test]
fn bucket_mistakes_are_reported() {
    let mut ctx = context("apps");
    Bucket::new("data", "Apps_Data").transition(90, StorageClass::Glacier).expire_after_days(30).build(&mut ctx);
    let found = messages(ctx);
    assert!(found.iter().any(|m| m.contains("bucket name `Apps_Data` is not valid")), "{found:#?}");
    assert!(
        found.iter().any(|m| m.contains("no access logging chosen") && m.contains("AccessLogs::Off(reason)")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|m| m.contains("objects expire after 30 days, before their transition at 90")),
        "{found:#?}"
    );
}

#[test]
fn distributions_serve_https_only_from_a_private_bucket() {
    let mut ctx = context("apps");
    let site = Bucket::new("site", "apps-site-123456789012")
        .access_logs(AccessLogs::Off("a test"))
        .allow(Distribution::read_statement(&ACCOUNT, "apps-site-123456789012"))
        .build(&mut ctx);
    Distribution::new("site", &site, CERT)
        .aliases(&["apps.example.com", "www.apps.example.com"])
        .api_origin("lb.example.com", &["/api/*", "/health"])
        .error_page(404, 404, "/404.html")
        .build(&mut ctx);
    let doc = valid(ctx);
    let d = resource(&doc, "aws_cloudfront_distribution", "site");
    assert_eq!(d["aliases"], json!(["apps.example.com", "www.apps.example.com"]));
    assert_eq!(d["default_cache_behavior"][0]["viewer_protocol_policy"], "redirect-to-https");
    assert_eq!(d["viewer_certificate"][0]["minimum_protocol_version"], "TLSv1.2_2021");
    assert_eq!(d["ordered_cache_behavior"][0]["path_pattern"], "/api/*");
    assert_eq!(d["ordered_cache_behavior"][1]["path_pattern"], "/health");
    assert_eq!(
        d["custom_error_response"],
        json!([{"error_code": 404, "response_code": 404, "response_page_path": "/404.html"}])
    );
    assert_eq!(d["origin"][0]["origin_access_control_id"], "${aws_cloudfront_origin_access_control.site.id}");

    let mut ctx = context("apps");
    let site = Bucket::new("site", "apps-site-123456789012").access_logs(AccessLogs::Off("a test")).build(&mut ctx);
    Distribution::new("site", &site, CERT).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("the distribution answers to no name"));
}

#[test]
fn distributions_cache_each_path_for_its_own_lifetime() {
    let mut ctx = context("apps");
    let site = Bucket::new("site", "apps-site-123456789012").access_logs(AccessLogs::Off("a test")).build(&mut ctx);
    Distribution::new("site", &site, CERT)
        .aliases(&["apps.example.com"])
        .api_origin("lb.example.com", &["/api/*"])
        .cache_for(0)
        .cache_paths(&["*.js", "*.css"], 86_400)
        .cache_paths(&["*.png"], 604_800)
        .build(&mut ctx);
    let doc = valid(ctx);
    let d = resource(&doc, "aws_cloudfront_distribution", "site");
    // Pages are not cached: AWS's CachingDisabled.
    assert_eq!(d["default_cache_behavior"][0]["cache_policy_id"], "4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
    let behaviors = d["ordered_cache_behavior"].as_array().unwrap();
    let paths: Vec<(&str, &str)> = behaviors
        .iter()
        .map(|b| (b["path_pattern"].as_str().unwrap(), b["cache_policy_id"].as_str().unwrap()))
        .collect();
    let day = "${aws_cloudfront_cache_policy.site_ttl_86400.id}";
    let week = "${aws_cloudfront_cache_policy.site_ttl_604800.id}";
    // The API first (uncached), then the cached paths in the order given.
    assert_eq!(paths[1..], [("*.js", day), ("*.css", day), ("*.png", week)]);
    assert_eq!(paths[0].0, "/api/*");
    // One policy per lifetime, capped at it.
    assert_eq!(doc["resource"]["aws_cloudfront_cache_policy"].as_object().unwrap().len(), 2);
    let policy = resource(&doc, "aws_cloudfront_cache_policy", "site_ttl_86400");
    assert_eq!(
        (&policy["default_ttl"], &policy["max_ttl"], &policy["min_ttl"]),
        (&json!(86_400), &json!(86_400), &json!(0))
    );
    assert_eq!(policy["name"], "apps-example-com-ttl-86400");
}
