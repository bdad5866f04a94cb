//! PostgreSQL instances and Aurora clusters.

use super::*;
use tfsynth::testing::{Template, absent, object_like};

#[test]
fn database_defaults_are_secure() {
    let (mut ctx, _) = networked("db");
    let app = app_group(&mut ctx);
    Postgres::new("main", "app-production", "15", "db.r6g.large").clients(&[&app]).build(&mut ctx);
    let doc = valid(ctx);
    let db = resource(&doc, "aws_db_instance", "main");
    for (field, want) in [
        ("storage_encrypted", json!(true)),
        ("kms_key_id", json!("${aws_kms_key.main.arn}")),
        ("manage_master_user_password", json!(true)),
        ("publicly_accessible", json!(false)),
        ("multi_az", json!(true)),
        ("deletion_protection", json!(true)),
        ("skip_final_snapshot", json!(false)),
        ("final_snapshot_identifier", json!("app-production-final")),
        ("backup_retention_period", json!(30)),
        ("backup_window", json!("03:00-04:00")),
        ("maintenance_window", json!("sun:04:30-sun:05:30")),
        ("auto_minor_version_upgrade", json!(true)),
        ("iam_database_authentication_enabled", json!(true)),
        ("performance_insights_kms_key_id", json!("${aws_kms_key.main.arn}")),
        ("performance_insights_retention_period", json!(7)),
        ("monitoring_interval", json!(60)),
    ] {
        assert_eq!(db[field], want, "{field}");
    }
    assert!(db.get("password").is_none(), "no password in the configuration");
    let params = resource(&doc, "aws_db_parameter_group", "main")["parameter"].as_array().unwrap().clone();
    assert!(params.contains(&json!({"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"})));
    // Only the given clients reach the database.
    let rules = doc["resource"]["aws_vpc_security_group_ingress_rule"].as_object().unwrap();
    let to_db: Vec<&Value> =
        rules.values().filter(|r| r["security_group_id"] == "${aws_security_group.main_db.id}").collect();
    assert_eq!(to_db.len(), 1);
    assert_eq!(to_db[0]["referenced_security_group_id"], "${aws_security_group.app.id}");
}

#[test]
fn database_setters_reach_the_instance() {
    let (mut ctx, _) = networked("db");
    Postgres::new("main", "cvd-production", "15", "db.r6g.xlarge")
        .storage(500, 1000)
        .database("cvd", "cvd_admin")
        .backup_window("02:00-03:00")
        .maintenance_window("Mon:04:00-Mon:05:00")
        .backup_retention(14)
        .insights_retention(731)
        .monitoring_interval(15)
        .minor_upgrades(MinorUpgrades::Manual("upgrades go through the change board"))
        .read_replicas(2)
        .replica_class("db.r6g.large")
        .replica_identifier("cvd-production-read-{n}")
        .replica_minor_upgrades(MinorUpgrades::Manual("replicas follow their primary by hand"))
        .parameter("log_min_duration_statement", "500")
        .deletion(Deletion::Unprotected("a test"))
        .log_retention(Retention::Days(30, "a test"))
        .build(&mut ctx);
    let doc = valid(ctx);
    let db = resource(&doc, "aws_db_instance", "main");
    assert_eq!(db["maintenance_window"], "mon:04:00-mon:05:00");
    assert_eq!(db["backup_window"], "02:00-03:00");
    assert_eq!((&db["allocated_storage"], &db["max_allocated_storage"]), (&json!(500), &json!(1000)));
    assert_eq!(db["performance_insights_retention_period"], 731);
    assert_eq!(db["monitoring_interval"], 15);
    assert_eq!(db["auto_minor_version_upgrade"], false);
    assert!(db["//"].as_str().unwrap().contains("CKV_AWS_226:upgrades go through the change board"));
    let replica = resource(&doc, "aws_db_instance", "main_replica");
    assert_eq!(replica["count"], 2);
    assert_eq!(replica["identifier"], "cvd-production-read-${count.index + 1}");
    assert_eq!(replica["instance_class"], "db.r6g.large");
    assert_eq!(replica["tags"], json!({"Type": "read-replica"}));
    let params = resource(&doc, "aws_db_parameter_group", "main")["parameter"].as_array().unwrap().clone();
    assert!(
        params.contains(&json!({"name": "log_min_duration_statement", "value": "500", "apply_method": "immediate"}))
    );
    assert_eq!(resource(&doc, "aws_cloudwatch_log_group", "main_rds_postgresql")["retention_in_days"], 30);
}

#[test]
fn database_opt_outs_are_explicit_and_recorded() {
    let (mut ctx, _) = networked("db");
    Postgres::new("main", "app-dev", "15", "db.t4g.micro")
        .multi_az(false)
        .deletion(Deletion::Unprotected("sandbox"))
        .build(&mut ctx);
    let doc = valid(ctx);
    let main = resource(&doc, "aws_db_instance", "main");
    assert_eq!(main["deletion_protection"], false);
    assert_eq!(main["skip_final_snapshot"], true);
    let waivers = main["//"].as_str().unwrap();
    assert!(waivers.contains("checkov:skip=CKV_AWS_293:sandbox") && waivers.contains("CKV_AWS_157"), "{waivers}");
}

#[test]
fn database_mistakes_are_reported() {
    let new = |id: &str, version: &str, class: &str| Postgres::new("main", id, version, class);
    let cases: Vec<(Postgres, &str)> = vec![
        (new("app", "15", "r6g.large"), "instance class `r6g.large` is not of the form db.<family>.<size>"),
        (new("app", "fifteen", "db.r6g.large"), "engine version `fifteen` is not a PostgreSQL version"),
        (new("App_DB", "15", "db.r6g.large"), "identifier `App_DB` is not a valid RDS identifier"),
        (new("app", "15", "db.r6g.large").backup_retention(0), "backup retention of 0 days is outside 1-35"),
        (new("app", "15", "db.r6g.large").storage(100, 50), "storage 100 GiB growing to 50 GiB is not valid"),
        (
            new("app", "15", "db.r6g.large").maintenance_window("sunday 4am"),
            "maintenance window `sunday 4am` is not ddd:hh:mm-ddd:hh:mm",
        ),
        (
            new("app", "15", "db.r6g.large").maintenance_window("sun:03:30-sun:04:30"),
            "maintenance window `sun:03:30-sun:04:30` overlaps the backup window `03:00-04:00`",
        ),
        (new("app", "15", "db.r6g.large").backup_window("3-4"), "backup window `3-4` is not hh:mm-hh:mm"),
        (new("app", "15", "db.r6g.large").insights_retention(30), "Performance Insights retention of 30 days"),
        (new("app", "15", "db.r6g.large").monitoring_interval(20), "a monitoring interval of 20 s"),
        (
            new("app", "15", "db.r6g.large").read_replicas(2).replica_identifier("app-read"),
            "2 replicas would share one identifier",
        ),
    ];
    for (db, want) in cases {
        let (mut ctx, _) = networked("db");
        db.build(&mut ctx);
        let message = only_problem(&ctx.finish());
        assert!(message.contains("db/production: aws_db_instance.main") && message.contains(want), "{want}: {message}");
    }
    let mut ctx = context("db");
    let net = Vpc::new("main", "n", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut ctx);
    new("app", "15", "db.r6g.large").network(&net).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("the network has no database subnets"));
    // Without any network the one problem is that, not the subnets it would have had.
    let mut ctx = context("db");
    new("app", "15", "db.r6g.large").build(&mut ctx);
    let problem = only_problem(&ctx.finish());
    assert!(problem.contains("no network to run in"), "{problem}");
}

#[test]
fn aurora_clusters_have_instances_and_windows() {
    let (mut ctx, _) = networked("aurora");
    Aurora::new("main", "ai-prism-prod", "15", "db.r6g.large")
        .instances(3)
        .instance_identifier("ai-prism-prod-{n}")
        .maintenance_window("sun:04:00-sun:05:00")
        .build(&mut ctx);
    let doc = valid(ctx);
    let cluster = resource(&doc, "aws_rds_cluster", "main");
    assert_eq!(cluster["preferred_maintenance_window"], "sun:04:00-sun:05:00");
    assert_eq!(cluster["storage_encrypted"], true);
    let instances = resource(&doc, "aws_rds_cluster_instance", "main");
    assert_eq!(instances["count"], 3);
    assert_eq!(instances["identifier"], "ai-prism-prod-${count.index}");

    let (mut ctx, _) = networked("aurora");
    Aurora::new("main", "x", "15", "db.r6g.large").instances(16).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("16 Aurora instances"));
}

#[test]
fn production_protects_what_holds_data_unless_told_otherwise() {
    let (mut ctx, _) = networked("shop");
    Postgres::new("main", "shop", "15", "db.t4g.micro").build(&mut ctx);
    Postgres::new("scratch", "scratch", "15", "db.t4g.micro")
        .deletion(Deletion::Unprotected("rebuilt from production every night"))
        .build(&mut ctx);
    let stack = ctx.finish();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let t = Template::from_stack(&stack);
    let protected = || object_like(json!({"lifecycle": {"prevent_destroy": true}}));
    t.has("aws_db_instance", object_like(json!({"identifier": "shop", "lifecycle": {"prevent_destroy": true}})));
    t.every("aws_kms_key", protected());
    t.every("aws_cloudwatch_log_group", protected());
    // The named opt-out removes both protections; what holds no data never gets it.
    t.has(
        "aws_db_instance",
        object_like(json!({"identifier": "scratch", "deletion_protection": false, "lifecycle": absent()})),
    );
    t.every("aws_security_group", object_like(json!({"lifecycle": absent()})));

    // Development, or a production context that allows teardown: nothing is held back.
    let mut ctx = Context::new(Stack::new("shop", "development").with_tier(Tier::Development), ACCOUNT);
    ctx.provider(Provider::aws("us-east-1"));
    Key::new("main", "shop", "shop").build(&mut ctx);
    let doc = document(&ctx.finish());
    assert!(resource(&doc, "aws_kms_key", "main")["lifecycle"].is_null());
    let mut ctx = super::super::common::context("shop");
    ctx.allow_teardown("a preview environment, rebuilt per pull request");
    let doc = document(&ctx.finish());
    assert!(resource(&doc, "aws_kms_key", "main")["lifecycle"].is_null());
}

#[test]
fn a_renamed_component_moves_every_block_it_owns() {
    let (mut ctx, _) = networked("shop");
    ctx.renamed("main", "primary", |ctx| {
        Postgres::new("primary", "shop", "15", "db.t4g.micro").read_replicas(2).build(ctx)
    });
    let stack = ctx.finish();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let moves: Vec<(String, String)> =
        stack.moved_blocks().iter().map(|m| (m.from().to_string(), m.to().to_string())).collect();
    let owned: Vec<String> = stack
        .resources()
        .map(|r| r.address().to_string())
        .filter(|a| a.split('.').nth(1).is_some_and(|n| n == "primary" || n.starts_with("primary_")))
        .collect();
    assert_eq!(moves.len(), owned.len(), "{moves:#?}");
    assert!(moves.contains(&("aws_db_instance.main".into(), "aws_db_instance.primary".into())), "{moves:#?}");
    // The replicas are one counted block: its move carries every instance.
    assert!(
        moves.contains(&("aws_db_instance.main_replica".into(), "aws_db_instance.primary_replica".into())),
        "{moves:#?}"
    );

    let (mut ctx, _) = networked("shop");
    ctx.renamed("main", "primary", |ctx| Postgres::new("db", "shop", "15", "db.t4g.micro").build(ctx));
    let found = messages(ctx);
    assert!(
        found.iter().any(|m| m.contains("renamed main -> primary: builds no resource under the new key")),
        "{found:#?}"
    );
}
