//! Networks, security groups, KMS keys and accounts.

use super::*;
use tfsynth::testing::{Template, array_with, exact, object_like, regex};

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
    let stack = ctx.finish();
    let template = Template::from_stack(&stack);
    let doc = document(&stack);
    let default_sg = resource(&doc, "aws_default_security_group", "main");
    assert!(default_sg.get("ingress").is_none() && default_sg.get("egress").is_none(), "{default_sg}");
    assert!(resource(&doc, "aws_subnet", "main_public").get("map_public_ip_on_launch").is_none());
    assert_eq!(resource(&doc, "aws_flow_log", "main")["traffic_type"], "ALL");
    let logs = resource(&doc, "aws_cloudwatch_log_group", "main_flow_logs");
    assert_eq!(logs["retention_in_days"], 365);
    assert_eq!(logs["kms_key_id"], "${aws_kms_key.main.arn}");
    // The flow-log role may write to its own log group only.
    let writes = object_like(
        json!({"Action": array_with(vec![exact(json!("logs:PutLogEvents"))]), "Resource": regex(r"aws_cloudwatch_log_group\.main_flow_logs\.arn")}),
    );
    template.has("aws_iam_role_policy", object_like(json!({"policy": {"Statement": array_with(vec![writes])}})));
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
fn vpn_gateways_propagate_into_the_private_route_tables() {
    for (nat, per_az) in [(NatGateways::Single, false), (NatGateways::PerAz, true)] {
        let mut ctx = context("vpn");
        let net = Vpc::new("main", "vpn", "10.0.0.0/16", &["us-east-1a", "us-east-1b"])
            .nat(nat)
            .vpn_gateway(64512)
            .build(&mut ctx);
        assert_eq!(net.vpn_gateway_id.map(|id| render_expression(&id.into())), Some("aws_vpn_gateway.main.id".into()));
        let doc = valid(ctx);
        let vgw = resource(&doc, "aws_vpn_gateway", "main");
        assert_eq!((&vgw["vpc_id"], &vgw["amazon_side_asn"]), (&json!("${aws_vpc.main.id}"), &json!("64512")));
        let propagation = resource(&doc, "aws_vpn_gateway_route_propagation", "main_private");
        assert_eq!(propagation["vpn_gateway_id"], "${aws_vpn_gateway.main.id}");
        if per_az {
            assert_eq!(propagation["for_each"], "${aws_route_table.main_private}", "{nat:?}");
            assert_eq!(propagation["route_table_id"], "${each.value.id}", "{nat:?}");
        } else {
            assert_eq!(propagation["route_table_id"], "${aws_route_table.main_private.id}", "{nat:?}");
        }
    }
    // Without it, no gateway.
    let (ctx, net) = networked("plain");
    assert!(net.vpn_gateway_id.is_none());
    assert!(valid(ctx)["resource"]["aws_vpn_gateway"].is_null());

    let mut ctx = context("vpn");
    Vpc::new("main", "vpn", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).vpn_gateway(7224).build(&mut ctx);
    let problem = only_problem(&ctx.finish());
    assert!(
        problem.contains("aws_vpn_gateway.main: amazon_side_asn: BGP number 7224 is not a private ASN"),
        "{problem}"
    );
}
