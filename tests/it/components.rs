//! The components: secure defaults, every setter, several of each per stack, and the message
//! each invalid configuration gets.

use serde_json::{Value, json};
use tfsynth::modules::alarms::{Alarm, Comparison, Metric, ServiceAlarms, Topic};
use tfsynth::modules::audit::Trail;
use tfsynth::modules::budgets::Budget;
use tfsynth::modules::cache::{Auth, Availability, Redis};
use tfsynth::modules::compute::{
    Capacity, CapacityReservation, Cluster, ClusterRef, Container, Ec2Capacity, HealthCheck, Scaling, Schedule,
    Service, ServiceRef, Statistic, Target, Task,
};
use tfsynth::modules::container_registry::{Repository, Tags};
use tfsynth::modules::dashboards::{Dashboard, Widget};
use tfsynth::modules::database::{Aurora, MinorUpgrades, Postgres};
use tfsynth::modules::dns::{AliasRecord, Certificate, ZoneId};
use tfsynth::modules::edge::Distribution;
use tfsynth::modules::events::EventRule;
use tfsynth::modules::firewall::{ManagedGroup, WebAcl};
use tfsynth::modules::functions::{Code, Function};
use tfsynth::modules::kms::Key;
use tfsynth::modules::kms::KeyRef;
use tfsynth::modules::load_balancing::{Alb, AlbRef, Condition, TargetGroup, TargetGroupRef};
use tfsynth::modules::logs::Archive;
use tfsynth::modules::networking::{
    Gateway, NatGateways, Peer, Port, SecurityGroup, SecurityGroupRef, SubnetLayout, Vpc, VpcRef,
};
use tfsynth::modules::secrets::{Parameter, Rotation, Secret};
use tfsynth::modules::storage::{AccessLogs, Bucket, Cors, ObjectLock, StorageClass};
use tfsynth::modules::tables::{KeyType, Table};
use tfsynth::modules::{Context, Deletion, Retention};
use tfsynth::prelude::*;
use tfsynth::stacks::{Env, registry};

use super::common::{ACCOUNT, context, document, only_problem, problems, resource};

const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/example";
const ZONE: ZoneId = ZoneId::new("Z0COMPONENTS0000001");

/// A context with a two-AZ network that has database subnets, as the default network.
fn networked(name: &str) -> (Context, VpcRef) {
    let mut ctx = context(name);
    let net = Vpc::new("main", name, "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).database_subnets().build(&mut ctx);
    ctx.use_network(&net);
    (ctx, net)
}

fn valid(ctx: Context) -> Value {
    let stack = ctx.finish();
    if let Err(e) = validate(&stack) {
        panic!("{e}");
    }
    document(&stack)
}

/// All messages of an invalid context.
fn messages(ctx: Context) -> Vec<String> {
    problems(&ctx.finish()).iter().map(ToString::to_string).collect()
}

fn app_group(ctx: &mut Context) -> SecurityGroupRef {
    SecurityGroup::new("app", "app", "application").build(ctx)
}

#[test]
fn kms_keys_rotate_and_are_aliased() {
    let mut ctx = context("keys");
    Key::new("backups", "keys-backups", "backups").deletion_window(7).build(&mut ctx);
    let doc = valid(ctx);
    let key = resource(&doc, "aws_kms_key", "main");
    assert_eq!(key["enable_key_rotation"], true);
    assert_eq!(key["deletion_window_in_days"], 30);
    assert!(key["policy"].as_str().unwrap().contains("logs.us-east-1.amazonaws.com"));
    assert_eq!(resource(&doc, "aws_kms_alias", "main")["name"], "alias/keys");
    assert_eq!(resource(&doc, "aws_kms_key", "backups")["deletion_window_in_days"], 7);

    let mut ctx = context("keys");
    Key::new("short", "keys-short", "short").deletion_window(3).build(&mut ctx);
    assert!(
        only_problem(&ctx.finish())
            .contains("aws_kms_key.short: deletion_window_in_days: a deletion window of 3 days is outside 7-30")
    );
}

#[test]
fn network_defaults_are_locked_down() {
    let (ctx, _) = networked("net");
    let doc = valid(ctx);
    let default_sg = resource(&doc, "aws_default_security_group", "main");
    assert!(default_sg.get("ingress").is_none() && default_sg.get("egress").is_none(), "{default_sg}");
    assert!(resource(&doc, "aws_subnet", "main_public").get("map_public_ip_on_launch").is_none());
    assert_eq!(resource(&doc, "aws_flow_log", "main")["traffic_type"], "ALL");
    let logs = resource(&doc, "aws_cloudwatch_log_group", "main_flow_logs");
    assert_eq!(logs["retention_in_days"], 365);
    assert_eq!(logs["kms_key_id"], "${aws_kms_key.main.arn}");
    // The flow-log role may write to its own log group only.
    let policy =
        resource(&doc, "aws_iam_role_policy", "main_flow_logs_flow_logs")["policy"].as_str().unwrap().to_owned();
    assert!(policy.contains("aws_cloudwatch_log_group.main_flow_logs.arn"), "{policy}");
    // Database subnets have a route table with no route out.
    let routes = doc["resource"]["aws_route"].as_object().unwrap();
    assert!(routes.values().all(|r| r["route_table_id"] != "${aws_route_table.main_database.id}"));
    assert_eq!(
        resource(&doc, "aws_subnet", "main_database")["for_each"],
        json!({"us-east-1a": "10.0.64.0/20", "us-east-1b": "10.0.80.0/20"})
    );
}

#[test]
fn nat_layouts() {
    for (nat, gateways) in
        [(NatGateways::None, None), (NatGateways::Single, Some(false)), (NatGateways::PerAz, Some(true))]
    {
        let mut ctx = context("nat");
        Vpc::new("edge", "nat", "10.0.0.0/16", &["us-east-1a", "us-east-1b", "us-east-1c"]).nat(nat).build(&mut ctx);
        let doc = valid(ctx);
        let nat_gw = &doc["resource"]["aws_nat_gateway"]["edge"];
        match gateways {
            None => assert!(nat_gw.is_null(), "{nat:?}"),
            Some(per_az) => {
                assert_eq!(nat_gw["for_each"].as_object().map(serde_json::Map::len), per_az.then_some(3), "{nat:?}");
            }
        }
    }
}

#[test]
fn flow_logs_can_go_to_a_bucket() {
    use tfsynth::modules::networking::FlowLogs;
    let mut ctx = context("flows");
    let delivery = FlowLogs::bucket_statements(&ACCOUNT, "flows-logs-123456789012");
    let logs = delivery.into_iter().fold(Bucket::for_access_logs("logs", "flows-logs-123456789012"), Bucket::allow);
    let logs = logs.build(&mut ctx);
    Vpc::new("main", "flows", "10.0.0.0/16", &["us-east-1a", "us-east-1b"])
        .flow_logs(FlowLogs::Bucket(logs))
        .build(&mut ctx);
    let doc = valid(ctx);
    let flow = resource(&doc, "aws_flow_log", "main");
    assert_eq!(flow["log_destination_type"], "s3");
    assert_eq!(flow["log_destination"], "${aws_s3_bucket.logs.arn}");
    // Delivery starts with a check of the bucket policy, which must allow it by then.
    assert_eq!(flow["depends_on"][0], "aws_s3_bucket_policy.logs");
    let policy = resource(&doc, "aws_s3_bucket_policy", "logs")["policy"].as_str().unwrap().to_owned();
    assert!(
        policy.contains("delivery.logs.amazonaws.com")
            && policy.contains("flows-logs-123456789012/AWSLogs/123456789012/*"),
        "{policy}"
    );
    assert!(doc["resource"]["aws_iam_role"].get("main_flow_logs").is_none(), "S3 delivery needs no role");
}

#[test]
fn network_mistakes_are_reported() {
    let mut ctx = context("net");
    Vpc::new("main", "n", "10.0.0.0/16", &["us-east-1a"]).build(&mut ctx);
    let message = only_problem(&ctx.finish());
    assert!(
        message.contains("aws_subnet.main_private: availability_zone: 1 availability zone(s) given")
            && message.contains("at least two AZs"),
        "{message}"
    );
    let mut ctx = context("net");
    let overlapping = SubnetLayout::Explicit {
        public: vec!["10.0.1.0/24", "10.0.2.0/24"],
        private: vec!["10.0.2.0/24", "10.0.20.0/24"],
        database: vec![],
    };
    Vpc::new("main", "n", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).layout(overlapping).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("public subnet 10.0.2.0/24 overlaps private subnet 10.0.2.0/24"));
    let mut ctx = context("net");
    Vpc::new("main", "n", "10.0.0.0/26", &["us-east-1a", "us-east-1b", "us-east-1c"]).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("6 subnets of /30 (3 AZs x 2 tiers) do not fit in 10.0.0.0/26"));
    // A component with no network to run in says how to give it one.
    let mut ctx = context("net");
    SecurityGroup::new("app", "app", "app").build(&mut ctx);
    let message = only_problem(&ctx.finish());
    assert!(
        message.contains("aws_security_group.app: no network to run in") && message.contains("ctx.use_network"),
        "{message}"
    );
}

#[test]
fn security_group_rules_are_checked() {
    let (mut ctx, _) = networked("sg");
    let sg = SecurityGroup::new("db", "db", "database").build(&mut ctx);
    sg.allow_in(&mut ctx, Port::tcp(5432), Peer::Internet, "oops");
    let message = only_problem(&ctx.finish());
    assert!(message.contains("opens the PostgreSQL port 5432 to 0.0.0.0/0"), "{message}");
    assert!(message.contains("allow_database_from_internet"), "{message}");

    let (mut ctx, _) = networked("sg");
    let sg = SecurityGroup::new("db", "db", "database").build(&mut ctx);
    sg.allow_database_from_internet(&mut ctx, Port::tcp(5432), "public demo dataset, read-only user");
    sg.allow_in(&mut ctx, Port::tcp_range(0, 10), Peer::Cidr("10.0.0.0/8"), "bad range");
    let message = only_problem(&ctx.finish());
    assert!(message.contains("port range 0-10 is not valid"), "{message}");
}

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
fn cache_defaults_are_secure() {
    let (mut ctx, _) = networked("cache");
    let app = app_group(&mut ctx);
    Redis::new("main", "app-production", "cache.r6g.large").clients(&[&app]).build(&mut ctx);
    let doc = valid(ctx);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    for (field, want) in [
        ("at_rest_encryption_enabled", json!(true)),
        ("transit_encryption_enabled", json!(true)),
        ("kms_key_id", json!("${aws_kms_key.main.arn}")),
        ("multi_az_enabled", json!(true)),
        ("automatic_failover_enabled", json!(true)),
        ("num_cache_clusters", json!(2)),
        ("user_group_ids", json!(["${aws_elasticache_user_group.main.id}"])),
        ("snapshot_window", json!("03:00-05:00")),
        ("maintenance_window", json!("sun:05:30-sun:06:30")),
    ] {
        assert_eq!(group[field], want, "{field}");
    }
    assert!(group.get("auth_token").is_none());
    assert_eq!(resource(&doc, "aws_elasticache_user", "main_default")["access_string"], "off -@all");
    assert_eq!(resource(&doc, "aws_elasticache_user", "main_app")["authentication_mode"], json!([{"type": "iam"}]));
}

#[test]
fn cache_setters_reach_the_group() {
    let (mut ctx, _) = networked("cache");
    Redis::new("main", "ai-prism-prod", "cache.r6g.large")
        .availability(Availability::MultiAz { replicas: 2 })
        .description("AI-Prism sessions and queues")
        .snapshot_retention(7)
        .snapshot_window("01:00-02:00")
        .maintenance_window("Sat:05:00-Sat:06:00")
        .parameter("timeout", "300")
        .build(&mut ctx);
    let doc = valid(ctx);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    assert_eq!(group["num_cache_clusters"], 3);
    assert_eq!(group["description"], "AI-Prism sessions and queues");
    assert_eq!(group["snapshot_window"], "01:00-02:00");
    assert_eq!(group["maintenance_window"], "sat:05:00-sat:06:00");
    let params = resource(&doc, "aws_elasticache_parameter_group", "main")["parameter"].clone();
    assert_eq!(
        params,
        json!([{"name": "maxmemory-policy", "value": "volatile-lru"}, {"name": "timeout", "value": "300"}])
    );
}

#[test]
fn cache_auth_token_lives_in_secrets_manager() {
    let (mut ctx, _) = networked("cache");
    let reason = "a legacy worker speaks only AUTH; the token is kept in the Terraform state";
    Redis::new("main", "app-production", "cache.r6g.large")
        .auth(Auth::Token { variable: "redis_auth_token", reason })
        .build(&mut ctx);
    let doc = valid(ctx);
    assert!(doc["variable"]["redis_auth_token"]["description"].as_str().is_some_and(|d| d.contains(reason)));
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    assert_eq!(group["auth_token"], "${var.redis_auth_token}");
    assert!(group.get("user_group_ids").is_none());
    assert_eq!(doc["variable"]["redis_auth_token"]["sensitive"], true);
    assert_eq!(
        resource(&doc, "aws_secretsmanager_secret", "main_cache_auth_token")["name"],
        "app-production/auth-token"
    );
}

#[test]
fn a_role_is_granted_iam_access_to_the_cache_in_one_call() {
    let (mut ctx, _) = networked("cache");
    let cache = Redis::new("main", "app-production", "cache.r6g.large").build(&mut ctx);
    let role =
        tfsynth::modules::iam::Role::for_service("worker", "app-worker", "ecs-tasks.amazonaws.com").build(&mut ctx);
    cache.grant_connect(&mut ctx, &role);
    let doc = valid(ctx);
    let grant = resource(&doc, "aws_iam_role_policy", "main_connect_worker");
    assert_eq!(grant["role"], "${aws_iam_role.worker.id}");
    let policy = grant["policy"].as_str().expect("policy");
    assert!(
        policy.contains("elasticache:Connect")
            && policy.contains("aws_elasticache_replication_group.main.arn")
            && policy.contains("aws_elasticache_user.main_app.arn"),
        "{policy}"
    );
}

#[test]
fn cache_auth_token_needs_a_reason_that_names_the_state() {
    let (mut ctx, _) = networked("cache");
    Redis::new("main", "app-production", "cache.r6g.large")
        .auth(Auth::Token { variable: "redis_auth_token", reason: "the worker is old" })
        .build(&mut ctx);
    let problem = only_problem(&ctx.finish());
    assert!(problem.contains("auth_token: the AUTH token opt-out does not acknowledge the state"), "{problem}");
}

#[test]
fn cache_single_node_has_no_failover() {
    let (mut ctx, _) = networked("cache");
    Redis::new("main", "app-dev", "cache.t4g.micro").availability(Availability::SingleNode).build(&mut ctx);
    let doc = valid(ctx);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    assert_eq!((&group["multi_az_enabled"], &group["automatic_failover_enabled"]), (&json!(false), &json!(false)));
    assert_eq!(group["num_cache_clusters"], 1);
}

#[test]
fn cache_mistakes_are_reported() {
    let cases: Vec<(Redis, &str)> = vec![
        (
            Redis::new("main", "app", "cache.r6g.large").availability(Availability::MultiAz { replicas: 0 }),
            "0 replicas with Multi-AZ",
        ),
        (Redis::new("main", "app", "r6g.large"), "node type `r6g.large` is not of the form cache.<family>.<size>"),
        (Redis::new("main", "a".repeat(41), "cache.r6g.large"), "is not valid"),
        (Redis::new("main", "app", "cache.r6g.large").snapshot_window("3am"), "snapshot window `3am`"),
    ];
    for (cache, want) in cases {
        let (mut ctx, _) = networked("cache");
        cache.build(&mut ctx);
        let message = only_problem(&ctx.finish());
        assert!(message.contains("aws_elasticache_replication_group.main") && message.contains(want), "{message}");
    }
}

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

fn groups(ctx: &mut Context) -> (TargetGroupRef, TargetGroupRef) {
    let blue = TargetGroup::new("blue", "apps-blue", 8000).build(ctx);
    let green = TargetGroup::new("green", "apps-green", 8000).build(ctx);
    (blue, green)
}

fn alb(ctx: &mut Context) -> (AlbRef, TargetGroupRef, TargetGroupRef) {
    let (blue, green) = groups(ctx);
    let alb = Alb::new("main", "apps", CERT)
        .default_target(&blue)
        .weighted(10, Condition::path(&["/canary/*"]), &[(&blue, 90), (&green, 10)])
        .build(ctx);
    (alb, blue, green)
}

#[test]
fn load_balancer_defaults() {
    let (mut ctx, _) = networked("apps");
    alb(&mut ctx);
    let doc = valid(ctx);
    let lb = resource(&doc, "aws_lb", "main");
    assert_eq!(lb["drop_invalid_header_fields"], true);
    assert_eq!(lb["enable_deletion_protection"], true);
    assert_eq!(lb["access_logs"][0]["enabled"], true);
    // ELB writes a test object when logging starts: the bucket policy must come first.
    assert_eq!(lb["depends_on"], json!(["aws_s3_bucket_policy.main_alb_logs"]));
    let https = resource(&doc, "aws_lb_listener", "main_https");
    assert_eq!(https["ssl_policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
    let http = resource(&doc, "aws_lb_listener", "main_http");
    assert_eq!(http["default_action"][0]["redirect"][0]["status_code"], "HTTP_301");
    let weighted = &resource(&doc, "aws_lb_listener_rule", "main_https_10")["action"][0]["forward"][0]["target_group"];
    assert_eq!(weighted.as_array().map(Vec::len), Some(2));
    assert_eq!(weighted[1]["weight"], 10);
    let health = &resource(&doc, "aws_lb_target_group", "blue")["health_check"][0];
    assert_eq!(
        (&health["path"], &health["matcher"], &health["timeout"]),
        (&json!("/health"), &json!("200"), &json!(5))
    );
}

#[test]
fn target_group_setters_reach_the_health_check() {
    let (mut ctx, _) = networked("apps");
    let api = TargetGroup::new("api", "takeoff-production-api", 8000)
        .health_path("/api/health")
        .health_check_timeout(10)
        .health_check_interval(60)
        .thresholds(2, 5)
        .matcher("200-299")
        .deregistration_delay(120)
        .build(&mut ctx);
    Alb::new("main", "apps", CERT).default_target(&api).build(&mut ctx);
    let doc = valid(ctx);
    let tg = resource(&doc, "aws_lb_target_group", "api");
    assert_eq!(tg["name"], "takeoff-production-api");
    assert_eq!(tg["deregistration_delay"], 120);
    assert_eq!(
        tg["health_check"][0],
        json!({"enabled": true, "path": "/api/health", "port": "traffic-port", "protocol": "HTTP", "matcher": "200-299",
               "interval": 60, "timeout": 10, "healthy_threshold": 2, "unhealthy_threshold": 5})
    );
}

#[test]
fn load_balancer_mistakes_are_reported() {
    let (mut ctx, _) = networked("apps");
    let web = TargetGroup::new("web", "apps-web", 8080).health_check_timeout(30).build(&mut ctx);
    Alb::new("main", "a-load-balancer-name-longer-than-32", CERT).default_target(&web).build(&mut ctx);
    let found = messages(ctx);
    assert!(
        found.iter().any(|m| m.contains("load balancer name `a-load-balancer-name-longer-than-32` is not valid")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m
                .contains("aws_lb_target_group.web: health_check: timeout 30 s is not shorter than the interval 30 s")),
        "{found:#?}"
    );

    let (mut ctx, _) = networked("apps");
    Alb::new("main", "apps", CERT).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("aws_lb.main: no default target group"));

    let (mut ctx, _) = networked("apps");
    let (blue, green) = groups(&mut ctx);
    Alb::new("main", "apps", CERT).default_weighted(&[(&blue, 0), (&green, 0)]).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("aws_lb_listener.main_https: every default weight is 0"));
}

#[test]
fn blue_green_splits_the_default_action_by_weight() {
    let (mut ctx, _) = networked("apps");
    let (blue, green) = groups(&mut ctx);
    Alb::new("main", "apps", CERT).default_weighted(&[(&blue, 90), (&green, 10)]).build(&mut ctx);
    let doc = valid(ctx);
    let action = &resource(&doc, "aws_lb_listener", "main_https")["default_action"][0];
    assert_eq!(
        action["forward"][0]["target_group"],
        json!([
            {"arn": "${aws_lb_target_group.blue.arn}", "weight": 90},
            {"arn": "${aws_lb_target_group.green.arn}", "weight": 10}
        ])
    );
}

#[test]
fn web_acl_defaults_and_association() {
    let (mut ctx, _) = networked("apps");
    let (lb, _, _) = alb(&mut ctx);
    WebAcl::new("main", "apps-waf")
        .managed(ManagedGroup::aws("AWSManagedRulesCommonRuleSet").count("SizeRestrictions_BODY"))
        .rate_rule_name("RateLimitRule")
        .protect(&lb)
        .build(&mut ctx);
    let doc = valid(ctx);
    let acl = resource(&doc, "aws_wafv2_web_acl", "main");
    let rules = acl["rule"].as_array().unwrap();
    let rate = &rules[0];
    assert_eq!(rate["name"], "RateLimitRule");
    assert_eq!(rate["visibility_config"][0]["metric_name"], "RateLimitRule");
    assert_eq!(rate["action"], json!([{"block": [{}]}]), "the rate rule blocks");
    assert!(rate.get("override_action").is_none());
    assert_eq!(rate["statement"][0]["rate_based_statement"][0]["limit"], 2000);
    let names: Vec<&str> =
        rules.iter().filter_map(|r| r["statement"][0]["managed_rule_group_statement"][0]["name"].as_str()).collect();
    assert!(
        names.contains(&"AWSManagedRulesKnownBadInputsRuleSet") && names.contains(&"AWSManagedRulesSQLiRuleSet"),
        "{names:?}"
    );
    assert!(rules[1..].iter().all(|r| r["override_action"] == json!([{"none": [{}]}])));
    assert_eq!(resource(&doc, "aws_wafv2_web_acl_association", "main_main")["resource_arn"], "${aws_lb.main.arn}");
    assert_eq!(resource(&doc, "aws_cloudwatch_log_group", "main_waf")["name"], "aws-waf-logs-apps-waf");
}

#[test]
fn web_acl_mistakes_are_reported() {
    let (mut ctx, _) = networked("apps");
    let (lb, _, _) = alb(&mut ctx);
    WebAcl::new("main", "apps-waf").rate_limit(1000, 90).protect(&lb).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("rate window of 90 s"));
    let (mut ctx, _) = networked("apps");
    alb(&mut ctx);
    WebAcl::new("main", "apps-waf").build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("aws_wafv2_web_acl.main: the web ACL protects nothing"));
}

fn cluster(ctx: &mut Context) -> ClusterRef {
    Cluster::new("main", "apps").service_connect("apps.local").build(ctx)
}

#[test]
fn services_run_private_hardened_and_least_privileged() {
    let (mut ctx, _) = networked("apps");
    let token = Secret::new("token", "apps/token").rotation(Rotation::AtSource("issued elsewhere")).build(&mut ctx);
    let cluster = cluster(&mut ctx);
    let container = Container::new("api", "example/api:1.0").port(8000).secret("TOKEN", &token).env("WORKERS", 4_u16);
    Service::new("api", &cluster, container)
        .capacity(Capacity::Spot)
        .autoscale(Scaling::new(2, 4).target(Target::Cpu(70.0)))
        .build(&mut ctx);
    let doc = valid(ctx);
    let cluster = resource(&doc, "aws_ecs_cluster", "main");
    assert_eq!(cluster["setting"][0], json!({"name": "containerInsights", "value": "enabled"}));
    let svc = resource(&doc, "aws_ecs_service", "api");
    assert_eq!(svc["network_configuration"][0]["assign_public_ip"], false);
    assert_eq!(svc["network_configuration"][0]["security_groups"], json!(["${aws_security_group.api_service.id}"]));
    assert_eq!(svc["deployment_circuit_breaker"][0], json!({"enable": true, "rollback": true}));
    assert_eq!(svc["lifecycle"]["ignore_changes"], json!(["desired_count"]));
    assert_eq!(svc["capacity_provider_strategy"][0]["capacity_provider"], "FARGATE_SPOT");
    let definition =
        resource(&doc, "aws_ecs_task_definition", "api")["container_definitions"].as_str().unwrap().to_owned();
    for part in [
        "readonlyRootFilesystem = true",
        "user = \"1000\"",
        "privileged = false",
        "valueFrom = aws_secretsmanager_secret.token.arn",
        // ECS takes environment values as strings only.
        "name = \"WORKERS\", value = \"4\"",
    ] {
        assert!(definition.contains(part), "{part} missing from {definition}");
    }
    let execution =
        resource(&doc, "aws_iam_role_policy", "api_execution_execution")["policy"].as_str().unwrap().to_owned();
    assert!(
        execution.contains("secretsmanager:GetSecretValue")
            && execution.contains("aws_secretsmanager_secret.token.arn"),
        "{execution}"
    );
    let task = resource(&doc, "aws_iam_role_policy", "api_task_task")["policy"].as_str().unwrap().to_owned();
    assert!(!task.contains("secretsmanager"), "the task role cannot read secrets: {task}");
}

#[test]
fn services_behind_a_load_balancer_open_their_port_to_it_only() {
    let (mut ctx, _) = networked("apps");
    let (lb, blue, _) = alb(&mut ctx);
    let cluster = cluster(&mut ctx);
    let container = Container::new("api", "example/api:1.0")
        .port(8000)
        .health(HealthCheck::http(8000, "/health").interval(60).timeout(15).start_period(30).retries(3));
    Service::new("api", &cluster, container)
        .name("apps-api")
        .behind(&lb, &blue)
        .health_check_grace_period(120)
        .autoscale(Scaling::new(1, 3).target(Target::RequestsPerTarget(500.0)))
        .build(&mut ctx);
    let doc = valid(ctx);
    let svc = resource(&doc, "aws_ecs_service", "api");
    assert_eq!(svc["name"], "apps-api");
    assert_eq!(svc["health_check_grace_period_seconds"], 120);
    assert_eq!(svc["depends_on"], json!(["aws_lb_listener.main_https"]));
    let ingress = resource(&doc, "aws_vpc_security_group_ingress_rule", "api_service_in_8000_main_alb");
    assert_eq!(ingress["referenced_security_group_id"], "${aws_security_group.main_alb.id}");
    let egress = resource(&doc, "aws_vpc_security_group_egress_rule", "main_alb_out_8000_api_service");
    assert_eq!(egress["referenced_security_group_id"], "${aws_security_group.api_service.id}");
    let label = &resource(&doc, "aws_appautoscaling_policy", "api_requests")["target_tracking_scaling_policy_configuration"]
        [0]["predefined_metric_specification"][0]["resource_label"];
    assert_eq!(label, "${aws_lb.main.arn_suffix}/${aws_lb_target_group.blue.arn_suffix}");
    let definition =
        resource(&doc, "aws_ecs_task_definition", "api")["container_definitions"].as_str().unwrap().to_owned();
    assert!(definition.contains("interval = 60, timeout = 15, retries = 3, startPeriod = 30"), "{definition}");
}

#[test]
fn services_reach_each_other_through_service_connect() {
    let (mut ctx, _) = networked("apps");
    let cluster = cluster(&mut ctx);
    let ai = Service::new("ai", &cluster, Container::new("ai", "example/ai:1.0").port(5001))
        .name("cvd-ai")
        .discoverable()
        .build(&mut ctx);
    assert_eq!(ai.endpoint.as_deref(), Some("http://cvd-ai:5001"));
    let app = Container::new("app", "example/app:1.0").env("AI_URL", ai.endpoint.clone().unwrap());
    let app = Service::new("app", &cluster, app).name("cvd-app").calls(&ai).build(&mut ctx);
    assert_eq!(render_expression(app.arn.expression()), "aws_ecs_service.app.id");
    assert_eq!(render_expression(app.security_group.id.expression()), "aws_security_group.app_service.id");
    let doc = valid(ctx);
    assert_eq!(
        resource(&doc, "aws_ecs_cluster", "main")["service_connect_defaults"][0]["namespace"],
        "${aws_service_discovery_http_namespace.main.arn}"
    );
    let server = &resource(&doc, "aws_ecs_service", "ai")["service_connect_configuration"][0];
    assert_eq!(server["service"][0]["discovery_name"], "cvd-ai");
    assert_eq!(server["service"][0]["client_alias"][0], json!({"port": 5001, "dns_name": "cvd-ai"}));
    let client = &resource(&doc, "aws_ecs_service", "app")["service_connect_configuration"][0];
    assert_eq!(client["enabled"], true);
    assert!(client.get("service").is_none(), "a caller only joins the namespace");
    let rule = resource(&doc, "aws_vpc_security_group_ingress_rule", "ai_service_in_5001_app_service");
    assert_eq!(rule["referenced_security_group_id"], "${aws_security_group.app_service.id}");
    let definition =
        resource(&doc, "aws_ecs_task_definition", "ai")["container_definitions"].as_str().unwrap().to_owned();
    assert!(definition.contains("name = \"ai\", appProtocol = \"http\""), "{definition}");
}

#[test]
fn service_mistakes_are_reported() {
    fn check(build: impl Fn(&ClusterRef) -> Service, want: &str) {
        let (mut ctx, _) = networked("apps");
        let cluster = cluster(&mut ctx);
        build(&cluster).build(&mut ctx);
        let found = messages(ctx);
        assert!(found.iter().any(|m| m.contains(want)), "{want}: {found:#?}");
    }
    fn api(c: &ClusterRef) -> Service {
        Service::new("api", c, Container::new("api", "x"))
    }
    check(|c| api(c).size(256, 4096), "256 CPU units with 4096 MiB is not a Fargate size");
    check(|c| api(c).deployment(150, 120), "deployment bounds 150/120 are not valid");
    check(
        |c| api(c).desired(5).autoscale(Scaling::new(1, 3).target(Target::Cpu(70.0))),
        "the desired count 5 is outside 1..3",
    );
    check(
        |c| api(c).desired(2).autoscale(Scaling::new(10, 2).target(Target::Cpu(70.0))),
        "aws_appautoscaling_target.api: min 10 is above max 2",
    );
    check(|c| api(c).autoscale(Scaling::new(2, 4).target(Target::Cpu(170.0))), "CPU target 170 % is outside 0-100");
    check(|c| api(c).autoscale(Scaling::new(2, 4).target(Target::Memory(0.0))), "memory target 0 % is outside 0-100");
    check(|c| api(c).autoscale(Scaling::new(2, 4)), "autoscaling without a target");
    check(
        |c| {
            api(c).autoscale(Scaling::new(2, 4).target(Target::Cpu(70.0)).schedule(Schedule {
                name: "night",
                expression: "22:00",
                timezone: "UTC",
                min: 1,
                max: 2,
            }))
        },
        "schedule `night`: `22:00` is not a schedule expression",
    );
    check(|c| api(c).discoverable(), "discoverable without a port or a Service Connect namespace");
}

#[test]
fn credentials_never_go_into_the_environment() {
    let cases: [(Container, &str); 4] = [
        (
            Container::new("api", "x").env("ANTHROPIC_API_KEY", "sk-ant-api03-secret"),
            "container_definitions.api.environment.ANTHROPIC_API_KEY: environment variable `ANTHROPIC_API_KEY` looks like a credential, in plain text",
        ),
        (
            Container::new("api", "x").env("DATABASE_URL", "postgresql://cvd_admin:hunter2@db.internal:5432/cvd"),
            "environment variable `DATABASE_URL` is a URL with a password in it",
        ),
        (
            Container::new("api", "x")
                .env("REDIS_URL", template!["redis://:", var("token").typed::<String>(), "@cache:6379"]),
            "environment variable `REDIS_URL` is a URL with a password in it",
        ),
        (Container::new("api", "x").user("root"), "the container runs as root"),
    ];
    for (container, want) in cases {
        let (mut ctx, _) = networked("apps");
        ctx.variable(Variable::new("token", "string").sensitive());
        let cluster = cluster(&mut ctx);
        Service::new("api", &cluster, container).build(&mut ctx);
        let message = only_problem(&ctx.finish());
        assert!(message.contains("aws_ecs_task_definition.api") && message.contains(want), "{want}: {message}");
        if want.contains("credential") || want.contains("password") {
            assert!(message.contains(".secret(NAME, &secret)"), "{message}");
        }
    }
}

#[test]
fn json_secrets_are_read_one_key_at_a_time() {
    let (mut ctx, _) = networked("apps");
    let db = Postgres::new("main", "apps", "15", "db.t4g.micro").build(&mut ctx);
    let ecs = cluster(&mut ctx);
    let container = Container::new("api", "x").secret("DATABASE_SECRET", &db.master_secret);
    Service::new("api", &ecs, container).build(&mut ctx);
    let message = only_problem(&ctx.finish());
    assert!(message.contains("`DATABASE_SECRET` would receive a whole JSON secret (username, password)"), "{message}");
    assert!(message.contains(".secret_key(\"DATABASE_SECRET\", &secret, \"password\")"), "{message}");

    let (mut ctx, _) = networked("apps");
    let db = Postgres::new("main", "apps", "15", "db.t4g.micro").build(&mut ctx);
    let ecs = cluster(&mut ctx);
    let container = Container::new("api", "x").secret_key("DATABASE_PASSWORD", &db.master_secret, "pasword");
    Service::new("api", &ecs, container).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("the secret has no JSON key `pasword`"));
}

#[test]
fn alarms_notify_an_encrypted_topic() {
    let (mut ctx, _) = networked("apps");
    let (lb, blue, _) = alb(&mut ctx);
    let cluster = cluster(&mut ctx);
    let api = Service::new("api", &cluster, Container::new("api", "x").port(8000)).behind(&lb, &blue).build(&mut ctx);
    let topic = Topic::new("alerts", "apps-alerts").email("oncall@example.com").build(&mut ctx);
    ServiceAlarms::new("api", &topic, &api).load_balancer(&lb, &blue).build(&mut ctx);
    ServiceAlarms::new("quick", &topic, &api).utilization(60.0, 70.0).periods(1, 300).build(&mut ctx);
    let depth = Metric::new("Takeoff/Worker", "QueueDepth", Statistic::Maximum).dimension("Queue", "default");
    Alarm::new("queue", "apps-queue-depth", &topic, depth)
        .when(Comparison::Above, 500.0)
        .periods(3, 60)
        .build(&mut ctx);
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_sns_topic", "alerts")["kms_master_key_id"], "${aws_kms_key.main.arn}");
    let alarms = doc["resource"]["aws_cloudwatch_metric_alarm"].as_object().unwrap();
    let names: Vec<&String> = alarms.keys().collect();
    assert_eq!(
        names,
        [
            "api_cpu",
            "api_memory",
            "api_running",
            "api_unhealthy",
            "api_latency",
            "api_5xx",
            "quick_cpu",
            "quick_memory",
            "quick_running",
            "queue"
        ]
    );
    assert_eq!(alarms["api_cpu"]["threshold"], 80.0);
    assert_eq!(alarms["api_cpu"]["alarm_description"], "CPU above 80% for 10 minutes");
    assert_eq!(alarms["quick_cpu"]["alarm_description"], "CPU above 60% for 5 minutes");
    assert_eq!(alarms["quick_cpu"]["evaluation_periods"], 1);
    assert_eq!(alarms["api_5xx"]["metric_query"][2]["expression"], "100 * errors / MAX([errors, requests])");
    assert_eq!(alarms["queue"]["dimensions"], json!({"Queue": "default"}));
    assert_eq!((&alarms["queue"]["period"], &alarms["queue"]["statistic"]), (&json!(60), &json!("Maximum")));

    let mut ctx = context("apps");
    Topic::new("alerts", "apps-alerts").email("not-an-address").build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("`not-an-address` is not an e-mail address"));
}

#[test]
fn certificates_validate_through_dns() {
    let mut ctx = context("apps");
    let cert = Certificate::new("site", "apps.example.com", &ZONE).build(&mut ctx);
    assert_eq!(render_expression(&cert.arn.into()), "aws_acm_certificate_validation.site.certificate_arn");
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_acm_certificate", "site")["validation_method"], "DNS");
    let mut ctx = context("apps");
    Certificate::new("site", "apps.example.com", &ZoneId::new("not-a-zone")).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("aws_acm_certificate.site: `not-a-zone` is not a hosted zone id"));
    // A zone another stack exports is an expression, not checked as text.
    let mut ctx = context("apps");
    let zone = ZoneId::from(var("zone_id").typed::<String>());
    ctx.variable(Variable::new("zone_id", "string"));
    AliasRecord::new("www", &zone, "www.apps.example.com").to("d1.cloudfront.net", "Z2FDTNDATAQYW2").build(&mut ctx);
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_route53_record", "www")["zone_id"], "${var.zone_id}");
}

#[test]
fn accounts_are_checked() {
    let mut s = Stack::new("acct", "production");
    s.provider(Provider::aws("us-east-1"));
    let ctx = Context::new(s, tfsynth::modules::Account::new("1234", "us-east-1"));
    let message = only_problem(&ctx.finish());
    assert!(message.contains("acct/production: account: account id `1234` is not 12 digits"), "{message}");
    let mut s = Stack::new("acct", "production");
    s.provider(Provider::aws("us-east-1"));
    let ctx = Context::new(s, tfsynth::modules::Account::new("123456789012", "US East"));
    assert!(only_problem(&ctx.finish()).contains("region `US East` is not a region name"));
}

#[test]
fn repositories_are_scanned_pruned_and_immutable_unless_a_reason_is_given() {
    let mut ctx = context("apps");
    Repository::new("api", "apps-api").keep_last(20).build(&mut ctx);
    Repository::new("dev", "apps-dev").tags(Tags::Mutable("development redeploys `main`")).build(&mut ctx);
    let doc = valid(ctx);
    let repo = resource(&doc, "aws_ecr_repository", "api");
    assert_eq!(repo["image_tag_mutability"], "IMMUTABLE");
    assert_eq!(repo["image_scanning_configuration"][0]["scan_on_push"], true);
    assert!(resource(&doc, "aws_ecr_lifecycle_policy", "api")["policy"].as_str().unwrap().contains("countNumber = 20"));
    let dev = resource(&doc, "aws_ecr_repository", "dev");
    assert_eq!(dev["image_tag_mutability"], "MUTABLE");
    assert!(dev["//"].as_str().unwrap().contains("checkov:skip=CKV_AWS_51:development redeploys `main`"));
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
fn retention_below_a_year_carries_its_reason_to_checkov() {
    use tfsynth::modules::logs::LogGroup;
    let mut ctx = context("logs");
    LogGroup::new("app", "/apps/app")
        .retention(Retention::Days(14, "development logs are for debugging only"))
        .build(&mut ctx);
    LogGroup::new("audit", "/apps/audit").retention(Retention::Days(731, "kept two years")).build(&mut ctx);
    let stack = ctx.finish();
    validate(&stack).expect("valid");
    let hcl = render(&stack, Format::Hcl);
    assert!(hcl.contains("# checkov:skip=CKV_AWS_338:development logs are for debugging only"), "{hcl}");
    assert!(!hcl.contains("kept two years"), "a longer retention needs no waiver");
}

#[test]
fn takeoff_environments_differ_as_the_settings_say() {
    let doc = |env| document(&registry().build("takeoff", env).expect("stack"));
    let (dev, prod) = (doc(Env::Development), doc(Env::Production));
    let r = |d: &Value, ty: &str, name: &str| d["resource"][ty][name].clone();
    assert!(r(&dev, "aws_nat_gateway", "main")["for_each"].is_null(), "development has one NAT gateway");
    assert_eq!(r(&prod, "aws_nat_gateway", "main")["for_each"].as_object().unwrap().len(), 3);
    assert_eq!(r(&dev, "aws_db_instance", "main")["deletion_protection"], false);
    assert_eq!(r(&prod, "aws_db_instance", "main")["deletion_protection"], true);
    assert_eq!(r(&dev, "aws_db_instance", "main")["multi_az"], false);
    assert_eq!(r(&prod, "aws_db_instance", "main_replica")["count"], 1);
    assert!(r(&dev, "aws_db_instance", "main_replica").is_null());
    assert_eq!(r(&prod, "aws_db_instance", "main")["maintenance_window"], "mon:04:00-mon:05:00");
    assert_eq!(r(&dev, "aws_elasticache_replication_group", "main")["automatic_failover_enabled"], false);
    assert_eq!(r(&prod, "aws_elasticache_replication_group", "main")["automatic_failover_enabled"], true);
    assert_eq!(r(&dev, "aws_cloudwatch_log_group", "main_flow_logs")["retention_in_days"], 30);
    assert_eq!(r(&prod, "aws_cloudwatch_log_group", "main_flow_logs")["retention_in_days"], 365);
    assert_eq!(r(&dev, "aws_lb", "main")["enable_deletion_protection"], false);
    assert_eq!(r(&prod, "aws_lb", "main")["enable_deletion_protection"], true);
    assert_eq!(r(&dev, "aws_ecs_service", "api")["desired_count"], 1);
    assert_eq!(r(&prod, "aws_ecs_service", "api")["desired_count"], 3);
    assert_eq!(r(&prod, "aws_appautoscaling_target", "worker")["max_capacity"], 20);
    assert_eq!(r(&prod, "aws_lb_target_group", "api")["health_check"][0]["timeout"], 10);
}

/// Two of every component in one stack, each with its own key.
pub fn two_of_everything() -> Stack {
    let mut ctx = context("twins");
    let other_key = Key::new("second", "twins-second", "second key")
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .build(&mut ctx);
    let azs = ["us-east-1a", "us-east-1b"];
    let net =
        Vpc::new("main", "twins-main", "10.0.0.0/16", &azs).database_subnets().nat(NatGateways::Single).build(&mut ctx);
    let other =
        Vpc::new("data", "twins-data", "10.1.0.0/16", &azs).database_subnets().nat(NatGateways::None).build(&mut ctx);
    ctx.use_network(&net);
    let app = app_group(&mut ctx);
    Postgres::new("orders", "twins-orders", "15", "db.t4g.micro")
        .clients(&[&app])
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    Postgres::new("billing", "twins-billing", "16", "db.t4g.micro")
        .network(&other)
        .kms_key(&other_key)
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    Aurora::new("search", "twins-search", "15", "db.r6g.large")
        .instances(1)
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    Aurora::new("reports", "twins-reports", "15", "db.r6g.large")
        .instances(1)
        .network(&other)
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    Redis::new("sessions", "twins-sessions", "cache.t4g.micro")
        .availability(Availability::SingleNode)
        .clients(&[&app])
        .build(&mut ctx);
    Redis::new("queues", "twins-queues", "cache.t4g.micro")
        .availability(Availability::SingleNode)
        .network(&other)
        .build(&mut ctx);
    let logs = Bucket::for_access_logs("logs", "twins-logs-123456789012").build(&mut ctx);
    Bucket::new("uploads", "twins-uploads-123456789012").access_logs(AccessLogs::To(logs.clone())).build(&mut ctx);
    let site = Bucket::new("site", "twins-site-123456789012")
        .access_logs(AccessLogs::To(logs))
        .allow(Distribution::read_statement(&ACCOUNT, "twins-site-123456789012"))
        .build(&mut ctx);
    let (blue, green) = groups(&mut ctx);
    let admin = TargetGroup::new("admin", "twins-admin", 9000).build(&mut ctx);
    let public = Alb::new("public", "twins-public", CERT)
        .deletion(Deletion::Unprotected("a test"))
        .default_target(&blue)
        .weighted(10, Condition::host(&["canary.example.com"]), &[(&blue, 90), (&green, 10)])
        .build(&mut ctx);
    let internal = Alb::new("admin", "twins-admin", CERT)
        .deletion(Deletion::Unprotected("a test"))
        .default_target(&admin)
        .build(&mut ctx);
    WebAcl::new("public", "twins-public").protect(&public).build(&mut ctx);
    WebAcl::new("admin", "twins-admin").rate_limit(100, 60).protect(&internal).build(&mut ctx);
    let web = Cluster::new("web", "twins-web").service_connect("web.local").build(&mut ctx);
    let jobs = Cluster::new("jobs", "twins-jobs").build(&mut ctx);
    let backend = Service::new("backend", &web, Container::new("backend", "example/backend:1.0").port(7000))
        .discoverable()
        .build(&mut ctx);
    let front = Service::new("front", &web, Container::new("front", "example/front:1.0").port(8000))
        .behind(&public, &blue)
        .calls(&backend)
        .autoscale(Scaling::new(2, 4).target(Target::Cpu(70.0)))
        .build(&mut ctx);
    Service::new("canary", &web, Container::new("canary", "example/front:1.1").port(8000))
        .behind(&public, &green)
        .desired(1)
        .build(&mut ctx);
    Service::new("admin", &jobs, Container::new("admin", "example/admin:1.0").port(9000))
        .behind(&internal, &admin)
        .build(&mut ctx);
    let zone = ZONE;
    let c1 = Certificate::new("site", "twins.example.com", &zone).build(&mut ctx);
    Certificate::new("admin", "admin.twins.example.com", &zone).build(&mut ctx);
    let cdn = Distribution::new("site", &site, c1.arn).aliases(&["twins.example.com"]).build(&mut ctx);
    let site2 = Bucket::new("docs", "twins-docs-123456789012")
        .access_logs(AccessLogs::Off("a test"))
        .allow(Distribution::read_statement(&ACCOUNT, "twins-docs-123456789012"))
        .build(&mut ctx);
    Distribution::new("docs", &site2, CERT).aliases(&["docs.twins.example.com"]).build(&mut ctx);
    AliasRecord::new("site", &zone, "twins.example.com").target(&cdn).build(&mut ctx);
    AliasRecord::new("public", &zone, "api.twins.example.com").target(&public).build(&mut ctx);
    let alerts = Topic::new("alerts", "twins-alerts").email("a@example.com").build(&mut ctx);
    let pages = Topic::new("pages", "twins-pages").kms_key(&other_key).email("b@example.com").build(&mut ctx);
    ServiceAlarms::new("front", &alerts, &front).load_balancer(&public, &blue).build(&mut ctx);
    ServiceAlarms::new("backend", &pages, &backend).build(&mut ctx);
    Repository::new("front", "twins-front").build(&mut ctx);
    Repository::new("backend", "twins-backend").build(&mut ctx);
    Secret::new("one", "twins/one").rotation(Rotation::AtSource("a test")).build(&mut ctx);
    Secret::new("two", "twins/two").rotation(Rotation::AtSource("a test")).kms_key(&other_key).build(&mut ctx);
    SecurityGroup::new("extra", "twins-extra", "extra").network(&other).build(&mut ctx);
    the_other_half(&mut ctx, &other, &other_key, &front);
    ctx.finish()
}

/// Two of each component issue 13 added: functions, schedules, tables, budgets, trails,
/// dashboards, parameters, log archives, EC2 capacity, reservations, one-off tasks, endpoints
/// and network ACLs.
fn the_other_half(ctx: &mut Context, other: &VpcRef, other_key: &KeyRef, front: &ServiceRef) {
    let azs = ["us-east-1a", "us-east-1b"];
    Vpc::new("edge", "twins-edge", "10.2.0.0/16", &azs)
        .database_subnets()
        .nat(NatGateways::Single)
        .gateway_endpoint(Gateway::S3)
        .gateway_endpoint(Gateway::DynamoDb)
        .network_acls()
        .build(ctx);
    let code = |file: &str| Code::S3 { bucket: "twins-artifacts".into(), key: file.into() };
    let stop = Function::new("stop", "twins-stop", "python3.11", "index.handler", code("stop.zip"))
        .env("SHUTDOWN_TIME", "19:00")
        .build(ctx);
    let start = Function::new("start", "twins-start", "python3.11", "index.handler", code("start.zip"))
        .network(other)
        .kms_key(other_key)
        .build(ctx);
    EventRule::schedule("stop", "twins-stop", "cron(0 19 ? * MON-FRI *)").invoke(&stop).build(ctx);
    EventRule::schedule("start", "twins-start", "cron(0 7 ? * MON-FRI *)")
        .invoke_with(&start, Expression::from_iter([("action", Expression::from("start"))]))
        .build(ctx);
    Table::new("backups", "twins-backups", "id", KeyType::String).sort_key("at", KeyType::Number).build(ctx);
    Table::new("locks", "twins-locks", "id", KeyType::String).ttl("expires").kms_key(other_key).build(ctx);
    Budget::new("all", "twins-monthly", 1000).notify_at(80).notify_at(100).email("finance@example.com").build(ctx);
    Budget::new("api", "twins-api", 200).tag("Component", "api").notify_at(90).email("api@example.com").build(ctx);
    let access = Bucket::for_access_logs("trail_logs", "twins-trail-logs-123456789012").build(ctx);
    let audit = Trail::new("audit", "twins-audit", "twins-audit-123456789012")
        .access_logs(AccessLogs::To(access.clone()))
        .build(ctx);
    Trail::new("security", "twins-security", "twins-security-123456789012")
        .access_logs(AccessLogs::To(access.clone()))
        .object_lock(ObjectLock::Governance { days: 30 })
        .log_retention(Retention::Days(90, "a test"))
        .build(ctx);
    let cpu =
        |cluster: &str| Metric::new("AWS/ECS", "CPUUtilization", Statistic::Average).dimension("ClusterName", cluster);
    Dashboard::new("web", "Twins-Web").widget(Widget::graph("CPU", [cpu("twins-web")])).build(ctx);
    Dashboard::new("audit", "Twins-Audit")
        .widget(Widget::graph("CPU", [cpu("twins-web"), cpu("twins-jobs")]))
        .widget(Widget::query("Console logins", audit.log_group.name.clone(), "filter eventName = 'ConsoleLogin'"))
        .build(ctx);
    Parameter::new("trail_bucket", "/twins/trail-bucket", audit.bucket.name.clone()).build(ctx);
    let url = template!["https://", audit.bucket.regional_domain_name.clone()];
    Parameter::new("trail_url", "/twins/trail-url", url).kms_key(other_key).build(ctx);
    let archive = Bucket::new("archive", "twins-archive-123456789012").access_logs(AccessLogs::To(access)).build(ctx);
    Archive::new("trail", "twins-trail-archive", &audit.log_group, &archive).build(ctx);
    Archive::new("front", "twins-front-archive", &front.log_group, &archive).prefix("front/").build(ctx);
    let ec2 = Cluster::new("hosts", "twins-hosts")
        .ec2_capacity(Ec2Capacity::new("spot", "twins-spot", &["t3.medium", "t3a.medium"]).spot().instances(0, 4))
        .build(ctx);
    Cluster::new("more", "twins-more")
        .ec2_capacity(Ec2Capacity::new("steady", "twins-steady", &["t3.small"]))
        .build(ctx);
    CapacityReservation::new("baseline", "t3.medium", "us-east-1a", 2).build(ctx);
    CapacityReservation::new("spare", "t3.small", "us-east-1b", 1).build(ctx);
    Task::new("migrate", &ec2, Container::new("migrate", "example/migrate:1.0")).build(ctx);
    Task::new("report", &ec2, Container::new("report", "example/report:1.0")).xray().size(512, 1024).build(ctx);
}

#[test]
fn two_of_every_component_live_in_one_stack() {
    let stack = two_of_everything();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let doc = document(&stack);
    for (ty, names) in [
        ("aws_vpc", &["main", "data"][..]),
        ("aws_db_instance", &["orders", "billing"]),
        ("aws_rds_cluster", &["search", "reports"]),
        ("aws_elasticache_replication_group", &["sessions", "queues"]),
        ("aws_lb", &["public", "admin"]),
        ("aws_wafv2_web_acl", &["public", "admin"]),
        ("aws_ecs_cluster", &["web", "jobs"]),
        ("aws_ecs_service", &["backend", "front", "canary", "admin"]),
        ("aws_cloudfront_distribution", &["site", "docs"]),
        ("aws_kms_key", &["main", "second"]),
        ("aws_lambda_function", &["stop", "start"]),
        ("aws_cloudwatch_event_rule", &["stop", "start"]),
        ("aws_lambda_permission", &["stop_stop", "start_start"]),
        ("aws_dynamodb_table", &["backups", "locks"]),
        ("aws_budgets_budget", &["all", "api"]),
        ("aws_cloudtrail", &["audit", "security"]),
        ("aws_cloudwatch_dashboard", &["web", "audit"]),
        ("aws_ssm_parameter", &["trail_bucket", "trail_url"]),
        ("aws_kinesis_firehose_delivery_stream", &["trail", "front"]),
        ("aws_ecs_capacity_provider", &["spot", "steady"]),
        ("aws_ec2_capacity_reservation", &["baseline", "spare"]),
        ("aws_ecs_task_definition", &["migrate", "report"]),
        ("aws_vpc_endpoint", &["edge_s3", "edge_dynamodb"]),
        ("aws_network_acl", &["edge_public", "edge_private", "edge_database"]),
    ] {
        for name in names {
            resource(&doc, ty, name);
        }
    }
    assert_eq!(resource(&doc, "aws_db_instance", "billing")["kms_key_id"], "${aws_kms_key.second.arn}");
}

#[cfg(not(skip_tools))]
#[test]
fn two_of_every_component_plan_identically_in_both_formats() {
    use super::common::tools;
    let stack = two_of_everything();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let files = Format::ALL.map(|f| vec![(f.file_name().to_owned(), render(&stack, f))]);
    let plans = tools::plan_formats(&files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plans[0], plans[1], "JSON and HCL plan differently");
}
