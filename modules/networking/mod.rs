//! The network: a VPC across N availability zones with public, private and optional database
//! subnets, an internet gateway, NAT, routing, VPC flow logs and a locked-down default
//! security group.
//!
//! ```
//! use tfsynth::modules::{Account, kms, networking::{NatGateways, Vpc}};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! let key = kms::Key::new("main", "demo", "demo data").for_log_groups().build(&mut stack, &account);
//! let net = Vpc::new("demo-production", "10.0.0.0/16", &["us-east-1a", "us-east-1b"])
//!     .nat(NatGateways::PerAz)
//!     .build(&mut stack, &account, &key);
//! validate(&stack)?;
//! let hcl = render(&stack, Format::Hcl);
//! assert!(hcl.contains(r#"us-east-1a = "10.0.0.0/20""#));
//! assert!(hcl.contains(r#"resource "aws_flow_log" "main""#));
//! # let _ = net;
//! # Ok::<(), tfsynth::Error>(())
//! ```

mod cidr;
mod security_group;

pub use cidr::{Plan, SubnetLayout, plan};
pub use security_group::{Peer, Port, SecurityGroup};

use super::iam::{Statement, service_role};
use super::logs::{Retention, log_group};
use super::{Account, KmsKey};
use crate::prelude::*;

/// How many NAT gateways the private subnets share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatGateways {
    /// No NAT: private subnets have no route out (isolated workloads, VPC endpoints only).
    None,
    /// One NAT gateway in the first AZ: cheaper, but private subnets lose egress if that AZ fails.
    Single,
    /// One NAT gateway per AZ: each AZ keeps egress on its own.
    PerAz,
}

/// The id of a VPC, as components take it.
#[derive(Debug, Clone)]
pub struct VpcId(pub Expr<String>);

/// The ids of a tier's subnets, one per AZ, as components take them.
#[derive(Debug, Clone)]
pub struct SubnetIds(pub Expr<List<String>>);

/// What the network gives the components built on it.
#[derive(Debug, Clone)]
pub struct Network {
    /// The VPC.
    pub vpc_id: VpcId,
    /// The VPC range.
    pub cidr: &'static str,
    /// Public subnets: load balancers and NAT gateways only.
    pub public_subnets: SubnetIds,
    /// Private subnets: workloads, egress through NAT.
    pub private_subnets: SubnetIds,
    /// Database subnets (no route out of the VPC), if asked for.
    pub database_subnets: Option<SubnetIds>,
    /// The availability zones.
    pub azs: Vec<&'static str>,
}

/// A VPC under construction.
#[derive(Debug, Clone)]
#[must_use = "a VPC does nothing until built into a stack"]
pub struct Vpc {
    name: String,
    cidr: &'static str,
    azs: Vec<&'static str>,
    nat: NatGateways,
    layout: SubnetLayout,
    database_subnets: bool,
    flow_log_retention: Retention,
}

impl Vpc {
    /// A VPC `name` over `cidr` in `azs`, with `/20`-sized subnets carved from a `/16`, a NAT
    /// gateway per AZ, and flow logs kept for a year.
    pub fn new(name: impl Into<String>, cidr: &'static str, azs: &[&'static str]) -> Self {
        Self {
            name: name.into(),
            cidr,
            azs: azs.to_vec(),
            nat: NatGateways::PerAz,
            layout: SubnetLayout::Carved { newbits: 4 },
            database_subnets: false,
            flow_log_retention: Retention::OneYear,
        }
    }

    /// The NAT layout.
    pub fn nat(mut self, nat: NatGateways) -> Self {
        self.nat = nat;
        self
    }

    /// How subnet ranges are chosen.
    pub fn layout(mut self, layout: SubnetLayout) -> Self {
        self.layout = layout;
        self
    }

    /// Adds a database tier: subnets with no route out of the VPC.
    pub fn database_subnets(mut self) -> Self {
        self.database_subnets = true;
        self
    }

    /// How long flow logs are kept.
    pub fn flow_log_retention(mut self, retention: Retention) -> Self {
        self.flow_log_retention = retention;
        self
    }

    /// Adds the network to `stack`. Flow logs are encrypted with `key`, which must allow log
    /// groups ([`Key::for_log_groups`](super::kms::Key::for_log_groups)).
    pub fn build(self, stack: &mut Stack, account: &Account, key: &KmsKey) -> Network {
        if self.azs.len() < 2 {
            let help = "use at least two AZs so load balancers and databases can fail over";
            stack.problem_at(
                "aws_subnet.private",
                "availability_zone",
                format!("{} availability zone(s) given", self.azs.len()),
                help,
            );
        }
        let plan = match plan(self.cidr, self.azs.len(), self.database_subnets, &self.layout) {
            Ok(plan) => plan,
            Err(message) => {
                stack.problem_at("aws_vpc.main", "cidr_block", message, "fix the VPC range or the subnet layout");
                Plan { public: Vec::new(), private: Vec::new(), database: Vec::new() }
            }
        };
        let name = self.name.as_str();
        let vpc = stack.add(
            Resource::new("aws_vpc", "main")
                .set("cidr_block", self.cidr)
                .set("enable_dns_hostnames", true)
                .set("enable_dns_support", true)
                .set("tags", tags(format!("{name}-vpc"))),
        );
        // With no rules the default group denies everything, so nothing can rely on it.
        stack.add(
            Resource::new("aws_default_security_group", "default")
                .set("vpc_id", vpc.id())
                .set("tags", tags(format!("{name}-default-deny"))),
        );
        let igw = stack.add(
            Resource::new("aws_internet_gateway", "main")
                .set("vpc_id", vpc.id())
                .set("tags", tags(format!("{name}-igw"))),
        );
        let subnet = |tier: &str, ranges: &[ipnet::Ipv4Net]| {
            let by_az: Expression = self.azs.iter().zip(ranges).map(|(az, r)| (*az, r.to_string())).collect();
            Resource::new("aws_subnet", tier)
                .for_each(by_az)
                .set("vpc_id", vpc.id())
                .set("availability_zone", each_key())
                .set("cidr_block", each_value())
                .set(
                    "tags",
                    Expression::from_iter([
                        ("Name", template![format!("{name}-{tier}-"), each_key()]),
                        ("Tier", tier.into()),
                    ]),
                )
        };
        let public = stack.add(subnet("public", &plan.public));
        let private = stack.add(subnet("private", &plan.private));
        let database = self.database_subnets.then(|| stack.add(subnet("database", &plan.database)));

        let public_rt = route_table(stack, "public", &vpc, None, format!("{name}-public"));
        stack.add(
            Resource::new("aws_route", "public_internet")
                .set("route_table_id", public_rt.id())
                .set("destination_cidr_block", "0.0.0.0/0")
                .set("gateway_id", igw.id()),
        );
        associate(stack, "public", &public, &public_rt, false);
        self.private_routing(stack, &vpc, &igw, &public, &private);
        if let Some(database) = &database {
            // No route out: databases answer the VPC and nothing else.
            let rt = route_table(stack, "database", &vpc, None, format!("{name}-database"));
            associate(stack, "database", database, &rt, false);
        }
        self.flow_logs(stack, account, key, &vpc);

        let ids = |r: &Ref| SubnetIds(for_list("s", r.whole(), |s| s.attr("id").typed()));
        Network {
            vpc_id: VpcId(vpc.id()),
            cidr: self.cidr,
            public_subnets: ids(&public),
            private_subnets: ids(&private),
            database_subnets: database.as_ref().map(ids),
            azs: self.azs,
        }
    }

    fn private_routing(&self, stack: &mut Stack, vpc: &Ref, igw: &Ref, public: &Ref, private: &Ref) {
        let name = &self.name;
        let first_az = self.azs.first().copied().unwrap_or_default();
        match self.nat {
            NatGateways::None => {
                let rt = route_table(stack, "private", vpc, None, format!("{name}-private"));
                associate(stack, "private", private, &rt, false);
            }
            NatGateways::Single => {
                let eip = stack
                    .add(Resource::new("aws_eip", "nat").set("domain", "vpc").set("tags", tags(format!("{name}-nat"))));
                let nat = stack.add(
                    Resource::new("aws_nat_gateway", "main")
                        .set("allocation_id", eip.id())
                        .set("subnet_id", public.at(first_az, "id"))
                        .set("tags", tags(format!("{name}-nat")))
                        .depends_on(igw),
                );
                let rt = route_table(stack, "private", vpc, None, format!("{name}-private"));
                nat_route(stack, &rt, nat.id(), false);
                associate(stack, "private", private, &rt, false);
            }
            NatGateways::PerAz => {
                let per_az: Expression = self.azs.iter().map(|az| (*az, *az)).collect();
                let az_name =
                    |what: &str| Expression::from_iter([("Name", template![format!("{name}-{what}-"), each_key()])]);
                let eip = stack.add(
                    Resource::new("aws_eip", "nat")
                        .for_each(per_az.clone())
                        .set("domain", "vpc")
                        .set("tags", az_name("nat")),
                );
                let nat = stack.add(
                    Resource::new("aws_nat_gateway", "main")
                        .for_each(per_az.clone())
                        .set("allocation_id", eip.at(each_key(), "id"))
                        .set("subnet_id", public.at(each_key(), "id"))
                        .set("tags", az_name("nat"))
                        .depends_on(igw),
                );
                let rt = route_table(stack, "private", vpc, Some(per_az), format!("{name}-private"));
                nat_route(stack, &rt, nat.at(each_key(), "id").typed(), true);
                associate(stack, "private", private, &rt, true);
            }
        }
    }

    fn flow_logs(&self, stack: &mut Stack, account: &Account, key: &KmsKey, vpc: &Ref) {
        let name = &self.name;
        let group = log_group(stack, "flow_logs", format!("/vpc/{name}/flow-logs"), key, self.flow_log_retention);
        let writes = Statement::allow(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"])
            .on(template![group.arn.clone(), ":*"]);
        let describes = Statement::allow(["logs:DescribeLogGroups"]).on(group.arn.clone());
        let role = service_role(
            stack,
            "flow_logs",
            format!("{name}-vpc-flow-logs"),
            "vpc-flow-logs.amazonaws.com",
            account,
            vec![("flow-logs", vec![writes, describes])],
        );
        stack.add(
            Resource::new("aws_flow_log", "main")
                .set("vpc_id", vpc.id())
                .set("traffic_type", "ALL")
                .set("log_destination_type", "cloud-watch-logs")
                .set("log_destination", group.arn)
                .set("iam_role_arn", role.arn)
                .set("max_aggregation_interval", 60)
                .set("tags", tags(format!("{name}-flow-logs"))),
        );
    }
}

fn tags(name: String) -> Expression {
    Expression::from_iter([("Name", name)])
}

/// A route table, one per AZ when `per_az` holds the AZ map.
fn route_table(stack: &mut Stack, key: &str, vpc: &Ref, per_az: Option<Expression>, name: String) -> Ref {
    let r = Resource::new("aws_route_table", key).set("vpc_id", vpc.id());
    let r = match per_az {
        Some(azs) => {
            r.for_each(azs).set("tags", Expression::from_iter([("Name", template![format!("{name}-"), each_key()])]))
        }
        None => r.set("tags", tags(name)),
    };
    stack.add(r)
}

fn nat_route(stack: &mut Stack, table: &Ref, nat: Expr<String>, per_az: bool) {
    let r =
        Resource::new("aws_route", "private_nat").set("destination_cidr_block", "0.0.0.0/0").set("nat_gateway_id", nat);
    let r = if per_az {
        let tables = Expression::from(table.whole());
        r.for_each(tables).set("route_table_id", each_value().attr("id"))
    } else {
        r.set("route_table_id", table.id())
    };
    stack.add(r);
}

/// Associates every subnet of `subnets` with `table` (or with its own AZ's table).
fn associate(stack: &mut Stack, key: &str, subnets: &Ref, table: &Ref, per_az: bool) {
    let table_id = if per_az { table.at(each_key(), "id").typed() } else { table.id() };
    stack.add(
        Resource::new("aws_route_table_association", key)
            .for_each(subnets.whole())
            .set("subnet_id", each_value().attr("id"))
            .set("route_table_id", table_id),
    );
}
