//! Platform: what the application stacks of an account share — the network, the customer
//! key and the public hosted zone — built once and exported, so each application stack plans
//! and applies on its own state while reading these values from the platform's.
//!
//! The seed stacks stand alone (each seed describes its own network); `showcase` imports from
//! here. A consumer reads a value with `ctx.import(platform::VPC_ID)`, which renders a
//! `terraform_remote_state` data source pointed at this stack's S3 state.

use super::Env;
use tfsynth::modules::dns::{Zone, ZoneId};
use tfsynth::modules::kms::{Key, KeyRef};
use tfsynth::modules::networking::{NatGateways, SubnetIds, Vpc, VpcId, VpcRef};
use tfsynth::modules::{Account, Context, Foundation, Retention};
use tfsynth::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "platform",
    description: "Shared by the application stacks: network, customer key, hosted zone (exported)",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// The customer key's ARN.
pub const KEY_ARN: Export<String> = Export::new("platform", "kms_key_arn");
/// The VPC id.
pub const VPC_ID: Export<String> = Export::new("platform", "vpc_id");
/// Public subnet ids, one per AZ.
pub const PUBLIC_SUBNETS: Export<List<String>> = Export::new("platform", "public_subnet_ids");
/// Private subnet ids, one per AZ.
pub const PRIVATE_SUBNETS: Export<List<String>> = Export::new("platform", "private_subnet_ids");
/// Database subnet ids, one per AZ.
pub const DATABASE_SUBNETS: Export<List<String>> = Export::new("platform", "database_subnet_ids");
/// Every route table id, for gateway endpoints.
pub const ROUTE_TABLES: Export<List<String>> = Export::new("platform", "route_table_ids");
/// The hosted zone's id.
pub const ZONE_ID: Export<String> = Export::new("platform", "zone_id");

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    /// Where the environment deploys (the account the consuming stacks share).
    pub account: Account,
    /// The VPC range.
    pub cidr: &'static str,
    /// Availability zones.
    pub azs: &'static [&'static str],
    /// NAT layout.
    pub nat: NatGateways,
    /// The hosted zone's domain.
    pub domain: &'static str,
}

/// The settings table.
pub fn settings(env: Env) -> Settings {
    // The environment's application account, as every stack of the registry uses it.
    let account = super::ci::settings(env).account;
    let azs = &["us-east-1a", "us-east-1b", "us-east-1c"];
    match env {
        Env::Development => Settings {
            account,
            cidr: "10.40.0.0/16",
            azs,
            nat: NatGateways::Single,
            domain: "development.apps.example.com",
        },
        Env::Staging => Settings {
            account,
            cidr: "10.40.0.0/16",
            azs,
            nat: NatGateways::Single,
            domain: "staging.apps.example.com",
        },
        Env::Production => {
            Settings { account, cidr: "10.40.0.0/16", azs, nat: NatGateways::PerAz, domain: "apps.example.com" }
        }
    }
}

/// Builds the platform for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("platform-{}", env.name());
    let mut ctx = Foundation::new("platform", env, s.account).build();
    // The services the consuming stacks encrypt with this key.
    let key = Key::new("main", &name, format!("Platform {} data, shared by the application stacks", env.name()))
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .for_service("cloudfront.amazonaws.com")
        .build(&mut ctx);
    ctx.use_key(&key);
    let retention = if env == Env::Production {
        Retention::OneYear
    } else {
        Retention::Days(90, "non-production networks keep a quarter")
    };
    let net = Vpc::new("main", &name, s.cidr, s.azs)
        .nat(s.nat)
        .database_subnets()
        .flow_log_retention(retention)
        .build(&mut ctx);
    let zone = Zone::new("main", s.domain).comment(format!("Application stacks of {}", env.name())).build(&mut ctx);
    ctx.export(KEY_ARN, key.arn, "The customer key the application stacks encrypt with");
    ctx.export(VPC_ID, net.vpc_id.0, "The shared VPC");
    ctx.export(PUBLIC_SUBNETS, net.public_subnets.0, "Public subnets, for load balancers");
    ctx.export(PRIVATE_SUBNETS, net.private_subnets.0, "Private subnets, for workloads");
    let database = net.database_subnets.map_or_else(|| Expr::from(Vec::<Expr<String>>::new()), |d| d.0);
    ctx.export(DATABASE_SUBNETS, database, "Database subnets, without a route out");
    ctx.export(ROUTE_TABLES, net.route_tables, "Every route table, for gateway endpoints");
    ctx.export(ZONE_ID, zone.id.expr(), "The hosted zone of the application stacks");
    ctx.output(
        Output::new("name_servers", zone.name_servers).description("Delegate the domain to these from its parent"),
    );
    ctx.finish()
}

/// The platform's network as a consumer sees it: imported ids, with the range and zones the
/// settings give.
pub fn network(stack: &mut Context, env: Env) -> VpcRef {
    let s = settings(env);
    VpcRef {
        vpc_id: VpcId(stack.import(VPC_ID)),
        cidr: s.cidr,
        public_subnets: SubnetIds(stack.import(PUBLIC_SUBNETS)),
        private_subnets: SubnetIds(stack.import(PRIVATE_SUBNETS)),
        database_subnets: Some(SubnetIds(stack.import(DATABASE_SUBNETS))),
        azs: s.azs.to_vec(),
        route_tables: stack.import(ROUTE_TABLES),
        vpn_gateway_id: None,
        vpc: None,
    }
}

/// The platform's customer key, imported.
pub fn key(stack: &mut Context) -> KeyRef {
    KeyRef::external(stack.import(KEY_ARN))
}

/// The platform's hosted zone, imported, and its domain.
pub fn zone(stack: &mut Context, env: Env) -> (ZoneId, &'static str) {
    (ZoneId::from(stack.import(ZONE_ID)), settings(env).domain)
}
