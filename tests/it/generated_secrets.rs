//! Generated secrets and second regions through the components: a password generated on each
//! run and written write-only to a database and its secrets, and a bucket replicated into a
//! bucket built through an aliased provider in another region.

use serde_json::json;
use tfsynth::modules::database::Postgres;
use tfsynth::modules::kms::Key;
use tfsynth::modules::networking::{SecurityGroup, Vpc};
use tfsynth::modules::secrets::{Password, Secret};
use tfsynth::modules::storage::{AccessLogs, Bucket, Encryption};
use tfsynth::prelude::*;

use super::common::{context, document, only_problem, resource};

#[test]
fn a_generated_password_reaches_the_database_and_its_secret_write_only() {
    let mut ctx = context("db");
    let net = Vpc::new("main", "db", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).database_subnets().build(&mut ctx);
    ctx.use_network(&net);
    let app = SecurityGroup::new("app", "app", "application").build(&mut ctx);
    let password = Password::new("db", 32).build(&mut ctx);
    let db = Postgres::new("main", "app-production", "15", "db.r6g.large")
        .clients(&[&app])
        .generated_password(&password, 3)
        .build(&mut ctx);
    Secret::new("url", "app/database-url")
        .write_only(template!["postgresql://app_admin:", password.value.clone(), "@", db.endpoint.clone(), "/app"], 3)
        .build(&mut ctx);
    let stack = ctx.finish();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let doc = document(&stack);
    let instance = resource(&doc, "aws_db_instance", "main");
    assert_eq!(instance["password_wo"], "${ephemeral.random_password.db.result}");
    assert_eq!(instance["password_wo_version"], 3);
    assert!(instance.get("manage_master_user_password").is_none() && instance.get("password").is_none());
    // The credentials secret the component writes, and what readers of `master_secret` get.
    let credentials = resource(&doc, "aws_secretsmanager_secret_version", "main_master");
    assert_eq!(
        credentials["secret_string_wo"],
        "${jsonencode({ username = \"app_admin\", password = ephemeral.random_password.db.result })}"
    );
    assert_eq!(db.master_secret.json_keys, ["username", "password"]);
    assert_eq!(render_expression(db.master_secret.arn.expression()), "aws_secretsmanager_secret.main_master.arn");
    let url = resource(&doc, "aws_secretsmanager_secret_version", "url");
    assert_eq!(url["secret_string_wo_version"], 3);
    // Rotated by bumping the version: the reason is written for checkov and reviewers.
    let secret = resource(&doc, "aws_secretsmanager_secret", "url");
    assert!(secret["//"].to_string().contains("CKV2_AWS_57"), "{secret}");
    assert_eq!(
        doc["ephemeral"]["random_password"]["db"],
        json!({"length": 32, "special": true, "override_special": "-_.~!*"})
    );
}

#[test]
fn a_password_of_a_useless_length_is_refused() {
    let mut ctx = context("short");
    Password::new("pin", 6).build(&mut ctx);
    let problem = only_problem(&ctx.finish());
    assert!(problem.contains("ephemeral.random_password.pin: length: a password of 6 characters"), "{problem}");
}

#[test]
fn a_component_built_in_another_region_uses_the_alias_and_a_key_of_that_region() {
    let mut ctx = context("regions");
    let dr = ctx.aws_region("dr", "us-west-2");
    // The context's key is in us-east-1: in us-west-2 a component without its own key says so.
    ctx.in_region(&dr, "us-west-2", |ctx| {
        Bucket::new("orphan", "regions-orphan").access_logs(AccessLogs::Off("a test bucket")).build(ctx);
    });
    let problem = only_problem(&ctx.finish());
    assert!(problem.contains("aws_s3_bucket.orphan") && problem.contains("no KMS key to encrypt with"), "{problem}");

    let mut ctx = context("regions");
    let dr = ctx.aws_region("dr", "us-west-2");
    let (replica, key) = ctx.in_region(&dr, "us-west-2", |ctx| {
        assert_eq!(ctx.account().region, "us-west-2");
        let key = Key::new("dr", "regions-dr", "replicas").build(ctx);
        let bucket = Bucket::new("replica", "regions-replica")
            .encryption(Encryption::Kms(key.clone()))
            .access_logs(AccessLogs::Off("a replica; access is logged at the source"))
            .build(ctx);
        (bucket, key)
    });
    assert_eq!(ctx.account().region, "us-east-1", "the region is restored after the closure");
    Bucket::new("source", "regions-source")
        .access_logs(AccessLogs::Off("a test bucket"))
        .replicate_to(&replica, &key)
        .build(&mut ctx);
    let stack = ctx.finish();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let doc = document(&stack);
    // The alias copies the default configuration's settings, with its own region.
    let aliased = &doc["provider"]["aws"][1];
    assert_eq!((aliased["alias"].as_str(), aliased["region"].as_str()), (Some("dr"), Some("us-west-2")));
    for (ty, name) in [("aws_kms_key", "dr"), ("aws_s3_bucket", "replica"), ("aws_s3_bucket_policy", "replica")] {
        assert_eq!(resource(&doc, ty, name)["provider"], "aws.dr", "{ty}.{name}");
    }
    assert!(resource(&doc, "aws_s3_bucket", "source").get("provider").is_none());
    let replication = resource(&doc, "aws_s3_bucket_replication_configuration", "source");
    assert_eq!(replication["rule"][0]["destination"][0]["bucket"], "${aws_s3_bucket.replica.arn}");
    assert_eq!(
        replication["rule"][0]["destination"][0]["encryption_configuration"][0]["replica_kms_key_id"],
        "${aws_kms_key.dr.arn}"
    );
    // Replicated, so no waiver of checkov's replication check on the source.
    assert!(!resource(&doc, "aws_s3_bucket", "source")["//"].to_string().contains("CKV_AWS_144"));
}
