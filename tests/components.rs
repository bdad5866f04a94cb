//! The components' secure defaults, how they vary by environment, and the message each invalid
//! configuration gets.

mod common;

use common::{only_problem, resource};

use serde_json::{Value, json};
use tfsynth::modules::cache::{Auth, Availability, Redis};
use tfsynth::modules::database::{Deletion, Postgres};
use tfsynth::modules::networking::{NatGateways, Network, Peer, Port, SecurityGroup, SubnetLayout, Vpc};
use tfsynth::modules::{Account, KmsKey, kms};
use tfsynth::prelude::*;
use tfsynth::render::json::document;
use tfsynth::stacks::{Env, registry};

const ACCOUNT: Account = Account { id: "123456789012", region: "us-east-1" };

fn base() -> (Stack, KmsKey) {
    let mut stack = Stack::new("components", "production");
    stack.provider(Provider::aws(ACCOUNT.region));
    let key = kms::Key::new("main", "components", "test key").for_log_groups().build(&mut stack, &ACCOUNT);
    (stack, key)
}

fn network(stack: &mut Stack, key: &KmsKey) -> Network {
    Vpc::new("components", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).database_subnets().build(stack, &ACCOUNT, key)
}

#[test]
fn kms_keys_rotate_and_are_aliased() {
    let (stack, _) = base();
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let key = resource(&doc, "aws_kms_key", "main");
    assert_eq!(key["enable_key_rotation"], true);
    assert_eq!(key["deletion_window_in_days"], 30);
    assert!(key["policy"].as_str().unwrap().contains("logs.us-east-1.amazonaws.com"));
    assert_eq!(resource(&doc, "aws_kms_alias", "main")["name"], "alias/components");
}

#[test]
fn network_defaults_are_locked_down() {
    let (mut stack, key) = base();
    network(&mut stack, &key);
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let default_sg = resource(&doc, "aws_default_security_group", "default");
    assert!(default_sg.get("ingress").is_none() && default_sg.get("egress").is_none(), "{default_sg}");
    assert!(resource(&doc, "aws_subnet", "public").get("map_public_ip_on_launch").is_none());
    let flow = resource(&doc, "aws_flow_log", "main");
    assert_eq!(flow["traffic_type"], "ALL");
    let logs = resource(&doc, "aws_cloudwatch_log_group", "flow_logs");
    assert_eq!(logs["retention_in_days"], 365);
    assert_eq!(logs["kms_key_id"], "${aws_kms_key.main.arn}");
    // The flow-log role may write to its own log group only.
    let policy = resource(&doc, "aws_iam_role_policy", "flow_logs_flow_logs")["policy"].as_str().unwrap().to_owned();
    assert!(
        policy.contains("aws_cloudwatch_log_group.flow_logs.arn") && !policy.contains(r#"Resource = ["*"]"#),
        "{policy}"
    );
    // Database subnets have a route table with no route out.
    let routes = doc["resource"]["aws_route"].as_object().unwrap();
    assert!(routes.values().all(|r| r["route_table_id"] != "${aws_route_table.database.id}"));
    assert_eq!(
        resource(&doc, "aws_subnet", "database")["for_each"],
        json!({"us-east-1a": "10.0.64.0/20", "us-east-1b": "10.0.80.0/20"})
    );
}

#[test]
fn nat_layouts() {
    for (nat, gateways) in
        [(NatGateways::None, None), (NatGateways::Single, Some(false)), (NatGateways::PerAz, Some(true))]
    {
        let (mut stack, key) = base();
        Vpc::new("n", "10.0.0.0/16", &["us-east-1a", "us-east-1b", "us-east-1c"])
            .nat(nat)
            .build(&mut stack, &ACCOUNT, &key);
        validate(&stack).expect("valid");
        let doc = document(&stack);
        let nat_gw = &doc["resource"]["aws_nat_gateway"]["main"];
        match gateways {
            None => assert!(nat_gw.is_null(), "{nat:?}"),
            Some(per_az) => {
                assert_eq!(nat_gw["for_each"].as_object().map(serde_json::Map::len), per_az.then_some(3), "{nat:?}");
            }
        }
    }
}

#[test]
fn network_mistakes_are_reported() {
    let (mut stack, key) = base();
    Vpc::new("n", "10.0.0.0/16", &["us-east-1a"]).build(&mut stack, &ACCOUNT, &key);
    let message = only_problem(&stack);
    assert!(
        message.contains("aws_subnet.private: availability_zone: 1 availability zone(s) given")
            && message.contains("at least two AZs"),
        "{message}"
    );

    let (mut stack, key) = base();
    let overlapping = SubnetLayout::Explicit {
        public: vec!["10.0.1.0/24", "10.0.2.0/24"],
        private: vec!["10.0.2.0/24", "10.0.20.0/24"],
        database: vec![],
    };
    Vpc::new("n", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).layout(overlapping).build(&mut stack, &ACCOUNT, &key);
    assert!(only_problem(&stack).contains("public subnet 10.0.2.0/24 overlaps private subnet 10.0.2.0/24"));

    let (mut stack, key) = base();
    Vpc::new("n", "10.0.0.0/26", &["us-east-1a", "us-east-1b", "us-east-1c"]).build(&mut stack, &ACCOUNT, &key);
    assert!(only_problem(&stack).contains("6 subnets of /30 (3 AZs x 2 tiers) do not fit in 10.0.0.0/26"));
}

#[test]
fn security_group_rules_are_checked() {
    let (mut stack, key) = base();
    let net = network(&mut stack, &key);
    let sg = SecurityGroup::new(&mut stack, &net.vpc_id, "db", "db", "database");
    sg.allow_in(&mut stack, Port::tcp(5432), Peer::Internet, "oops");
    let message = only_problem(&stack);
    assert!(message.contains("opens the PostgreSQL port 5432 to 0.0.0.0/0"), "{message}");
    assert!(message.contains("allow_database_from_internet"), "{message}");

    let (mut stack, key) = base();
    let net = network(&mut stack, &key);
    let sg = SecurityGroup::new(&mut stack, &net.vpc_id, "db", "db", "database");
    sg.allow_database_from_internet(&mut stack, Port::tcp(5432), "public demo dataset, read-only user");
    sg.allow_in(&mut stack, Port::tcp_range(0, 10), Peer::Cidr("10.0.0.0/8"), "bad range");
    let message = only_problem(&stack);
    assert!(message.contains("port range 0-10 is not valid"), "{message}");
}

fn postgres(stack: &mut Stack, key: &KmsKey, db: Postgres) {
    let net = network(stack, key);
    let app = SecurityGroup::new(stack, &net.vpc_id, "app", "app", "application");
    db.build(stack, &ACCOUNT, &net, key, &[&app]);
}

#[test]
fn database_defaults_are_secure() {
    let (mut stack, key) = base();
    postgres(&mut stack, &key, Postgres::new("app-production", "15", "db.r6g.large"));
    validate(&stack).expect("valid");
    let doc = document(&stack);
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
        ("iam_database_authentication_enabled", json!(true)),
        ("performance_insights_kms_key_id", json!("${aws_kms_key.main.arn}")),
    ] {
        assert_eq!(db[field], want, "{field}");
    }
    assert!(db.get("password").is_none(), "no password in the configuration");
    let params = resource(&doc, "aws_db_parameter_group", "main")["parameter"].as_array().unwrap().clone();
    assert!(params.contains(&json!({"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"})));
    // Only the given clients reach the database.
    let rules = doc["resource"]["aws_vpc_security_group_ingress_rule"].as_object().unwrap();
    let to_db: Vec<&Value> =
        rules.values().filter(|r| r["security_group_id"] == "${aws_security_group.database.id}").collect();
    assert_eq!(to_db.len(), 1);
    assert_eq!(to_db[0]["referenced_security_group_id"], "${aws_security_group.app.id}");
}

#[test]
fn database_opt_outs_are_explicit_and_recorded() {
    let (mut stack, key) = base();
    let db = Postgres::new("app-dev", "15", "db.t4g.micro").multi_az(false).deletion(Deletion::Unprotected("sandbox"));
    postgres(&mut stack, &key, db);
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let main = resource(&doc, "aws_db_instance", "main");
    assert_eq!(main["deletion_protection"], false);
    assert_eq!(main["skip_final_snapshot"], true);
    let waivers = main["//"].as_str().unwrap();
    assert!(waivers.contains("checkov:skip=CKV_AWS_293:sandbox") && waivers.contains("CKV_AWS_157"), "{waivers}");
}

#[test]
fn database_mistakes_are_reported() {
    let cases: [(Postgres, &str); 5] = [
        (Postgres::new("app", "15", "r6g.large"), "instance class `r6g.large` is not of the form db.<family>.<size>"),
        (Postgres::new("app", "fifteen", "db.r6g.large"), "engine version `fifteen` is not a PostgreSQL version"),
        (Postgres::new("App_DB", "15", "db.r6g.large"), "identifier `App_DB` is not a valid RDS identifier"),
        (Postgres::new("app", "15", "db.r6g.large").backup_retention(0), "backup retention of 0 days is outside 1-35"),
        (Postgres::new("app", "15", "db.r6g.large").storage(100, 50), "storage 100 GiB growing to 50 GiB is not valid"),
    ];
    for (db, want) in cases {
        let (mut stack, key) = base();
        postgres(&mut stack, &key, db);
        let message = only_problem(&stack);
        assert!(message.contains("components/production: aws_db_instance.main") && message.contains(want), "{message}");
    }
    let (mut stack, key) = base();
    let net = Vpc::new("n", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut stack, &ACCOUNT, &key);
    Postgres::new("app", "15", "db.r6g.large").build(&mut stack, &ACCOUNT, &net, &key, &[]);
    assert!(only_problem(&stack).contains("the network has no database subnets"));
}

fn redis(stack: &mut Stack, key: &KmsKey, cache: Redis) {
    let net = network(stack, key);
    let app = SecurityGroup::new(stack, &net.vpc_id, "app", "app", "application");
    cache.build(stack, &net, key, &[&app]);
}

#[test]
fn cache_defaults_are_secure() {
    let (mut stack, key) = base();
    redis(&mut stack, &key, Redis::new("app-production", "cache.r6g.large"));
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    for (field, want) in [
        ("at_rest_encryption_enabled", json!(true)),
        ("transit_encryption_enabled", json!(true)),
        ("kms_key_id", json!("${aws_kms_key.main.arn}")),
        ("multi_az_enabled", json!(true)),
        ("automatic_failover_enabled", json!(true)),
        ("num_cache_clusters", json!(2)),
        ("user_group_ids", json!(["${aws_elasticache_user_group.main.id}"])),
    ] {
        assert_eq!(group[field], want, "{field}");
    }
    assert!(group.get("auth_token").is_none());
    assert_eq!(resource(&doc, "aws_elasticache_user", "default")["access_string"], "off -@all");
    assert_eq!(resource(&doc, "aws_elasticache_user", "app")["authentication_mode"], json!([{"type": "iam"}]));
}

#[test]
fn cache_auth_token_lives_in_secrets_manager() {
    let (mut stack, key) = base();
    redis(
        &mut stack,
        &key,
        Redis::new("app-production", "cache.r6g.large").auth(Auth::Token { variable: "redis_auth_token" }),
    );
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    assert_eq!(group["auth_token"], "${var.redis_auth_token}");
    assert!(group.get("user_group_ids").is_none());
    assert_eq!(doc["variable"]["redis_auth_token"]["sensitive"], true);
    assert_eq!(resource(&doc, "aws_secretsmanager_secret", "cache_auth_token")["name"], "app-production/auth-token");
}

/// The token mode plans for real, with the token passed as the pipeline would.
#[test]
fn cache_auth_token_plans() {
    let Some(plugins) = common::terraform_toolchain() else { return };
    let (mut stack, key) = base();
    redis(
        &mut stack,
        &key,
        Redis::new("app-production", "cache.r6g.large").auth(Auth::Token { variable: "redis_auth_token" }),
    );
    let vars = ("terraform.tfvars.json", r#"{"redis_auth_token": "0123456789abcdef0123"}"#);
    let dir = common::workspace(&plugins, "main.tf", &render(&stack, Format::Hcl), &[], &[vars]);
    let plan = common::validate_and_plan(dir.path());
    let group = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "aws_elasticache_replication_group.main");
    assert!(
        group.is_some_and(|g| g["change"]["after_sensitive"]["auth_token"] == true),
        "the token is planned as sensitive"
    );
}

#[test]
fn cache_single_node_has_no_failover() {
    let (mut stack, key) = base();
    redis(&mut stack, &key, Redis::new("app-dev", "cache.t4g.micro").availability(Availability::SingleNode));
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    assert_eq!((&group["multi_az_enabled"], &group["automatic_failover_enabled"]), (&json!(false), &json!(false)));
    assert_eq!(group["num_cache_clusters"], 1);
}

#[test]
fn cache_mistakes_are_reported() {
    let cases: [(Redis, &str); 3] = [
        (
            Redis::new("app", "cache.r6g.large").availability(Availability::MultiAz { replicas: 0 }),
            "0 replicas with Multi-AZ",
        ),
        (Redis::new("app", "r6g.large"), "node type `r6g.large` is not of the form cache.<family>.<size>"),
        (Redis::new("a".repeat(41), "cache.r6g.large"), "is not valid"),
    ];
    for (cache, want) in cases {
        let (mut stack, key) = base();
        redis(&mut stack, &key, cache);
        let message = only_problem(&stack);
        assert!(message.contains("aws_elasticache_replication_group.main") && message.contains(want), "{message}");
    }
}

#[test]
fn takeoff_environments_differ_as_the_settings_say() {
    let doc = |env| document(&registry().build("takeoff", env).expect("stack"));
    let (dev, prod) = (doc(Env::Development), doc(Env::Production));
    assert!(dev["resource"]["aws_nat_gateway"]["main"]["for_each"].is_null(), "development has one NAT gateway");
    assert_eq!(prod["resource"]["aws_nat_gateway"]["main"]["for_each"].as_object().unwrap().len(), 3);
    assert_eq!(dev["resource"]["aws_db_instance"]["main"]["deletion_protection"], false);
    assert_eq!(prod["resource"]["aws_db_instance"]["main"]["deletion_protection"], true);
    assert_eq!(dev["resource"]["aws_db_instance"]["main"]["multi_az"], false);
    assert_eq!(prod["resource"]["aws_db_instance"]["replica"]["count"], 1);
    assert!(dev["resource"]["aws_db_instance"]["replica"].is_null());
    assert_eq!(dev["resource"]["aws_elasticache_replication_group"]["main"]["automatic_failover_enabled"], false);
    assert_eq!(prod["resource"]["aws_elasticache_replication_group"]["main"]["automatic_failover_enabled"], true);
    assert_eq!(dev["resource"]["aws_cloudwatch_log_group"]["flow_logs"]["retention_in_days"], 30);
    assert_eq!(prod["resource"]["aws_cloudwatch_log_group"]["flow_logs"]["retention_in_days"], 365);
    assert_eq!(dev["resource"]["aws_lb"]["main"]["enable_deletion_protection"], false);
    assert_eq!(prod["resource"]["aws_lb"]["main"]["enable_deletion_protection"], true);
    assert_eq!(dev["resource"]["aws_ecs_service"]["api"]["desired_count"], 1);
    assert_eq!(prod["resource"]["aws_ecs_service"]["api"]["desired_count"], 3);
    assert_eq!(prod["resource"]["aws_appautoscaling_target"]["worker"]["max_capacity"], 20);
    assert_eq!(dev["resource"]["aws_db_instance"]["main"]["instance_class"], "db.t4g.micro");
    assert_eq!(prod["resource"]["aws_db_instance"]["main"]["instance_class"], "db.r6g.large");
}
