//! The network: a VPC across N availability zones with public, private and optional database
//! subnets, an internet gateway, NAT, routing, VPC flow logs and a locked-down default
//! security group.
//!
//! ```
//! use tfsynth::modules::{Account, Context, kms, networking::{NatGateways, Vpc}};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo data").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! let net = Vpc::new("main", "demo-production", "10.0.0.0/16", &["us-east-1a", "us-east-1b"])
//!     .nat(NatGateways::PerAz)
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! let hcl = render(&stack, Format::Hcl);
//! assert!(hcl.contains(r#"us-east-1a = "10.0.0.0/20""#));
//! assert!(hcl.contains(r#"resource "aws_flow_log" "main""#));
//! # let _ = net;
//! # Ok::<(), tfsynth::Error>(())
//! ```

mod acl;
mod cidr;
mod security_group;

pub use cidr::{Plan, SubnetLayout, plan};
pub use security_group::{Peer, Port, SecurityGroup, SecurityGroupRef};

use super::iam::{Role, Statement};
use super::logs::LogGroup;
use super::storage::BucketRef;
use super::{Account, Context, Retention};
use crate::prelude::*;

/// How many NAT gateways the private subnets share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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
pub struct VpcRef {
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
    /// Every route table of the network, for gateway endpoints.
    pub route_tables: Expr<List<String>>,
    /// The virtual private gateway, when the network has one ([`Vpc::vpn_gateway`]): VPN
    /// connections and Direct Connect attach to it.
    pub vpn_gateway_id: Option<Expr<String>>,
    /// The VPC itself, for the escape hatch.
    pub vpc: Option<Ref>,
}

impl VpcRef {
    /// Whether this stands in for a missing network ([`missing`](Self::missing)): its
    /// problem is reported already, so what it lacks is not reported again.
    pub(crate) fn is_missing(&self) -> bool {
        self.cidr.is_empty() && self.azs.is_empty() && self.vpc.is_none()
    }

    /// Stands in for a network that is missing, after the problem was recorded.
    pub(super) fn missing() -> Self {
        let none = || SubnetIds(Expr::from(Vec::<Expr<String>>::new()));
        VpcRef {
            vpc_id: VpcId(Expr::from("")),
            cidr: "",
            public_subnets: none(),
            private_subnets: none(),
            database_subnets: None,
            azs: Vec::new(),
            route_tables: Expr::from(Vec::<Expr<String>>::new()),
            vpn_gateway_id: None,
            vpc: None,
        }
    }
}

/// Where VPC flow logs go.
// Chosen once per component; boxing the handle would only burden callers.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum FlowLogs {
    /// An encrypted CloudWatch log group kept this long, written through a role (the default,
    /// a year).
    CloudWatch(Retention),
    /// An S3 bucket (seed 003; under `AWSLogs/<account>/vpcflowlogs/`), whose policy allows delivery
    /// ([`FlowLogs::bucket_statements`]); no role is needed.
    Bucket(BucketRef),
}

/// A gateway VPC endpoint: traffic to the service stays on the AWS network, free, without
/// NAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Gateway {
    /// Amazon S3.
    S3,
    /// Amazon DynamoDB.
    DynamoDb,
}

impl Gateway {
    fn service(self) -> &'static str {
        match self {
            Gateway::S3 => "s3",
            Gateway::DynamoDb => "dynamodb",
        }
    }
}

impl FlowLogs {
    /// What the policy of bucket `bucket` must allow before flow logs can be delivered to
    /// it, for `account` only: give each to the bucket with [`Bucket::allow`](super::storage::Bucket::allow).
    pub fn bucket_statements(account: &Account, bucket: &str) -> [Statement; 2] {
        let from_account = |s: Statement| {
            s.service("delivery.logs.amazonaws.com").when("StringEquals", "aws:SourceAccount", account.id.as_str())
        };
        [
            from_account(
                Statement::allow(["s3:GetBucketAcl"]).sid("FlowLogsAclCheck").on(format!("arn:aws:s3:::{bucket}")),
            ),
            from_account(Statement::allow(["s3:PutObject"]).sid("FlowLogsWrite"))
                .on(format!("arn:aws:s3:::{bucket}/AWSLogs/{}/*", account.id))
                .when("StringEquals", "s3:x-amz-acl", "bucket-owner-full-control"),
        ]
    }
}

/// A VPC under construction.
#[derive(Debug, Clone)]
#[must_use = "a VPC does nothing until built into a stack"]
pub struct Vpc {
    key: String,
    name: String,
    cidr: &'static str,
    azs: Vec<&'static str>,
    nat: NatGateways,
    layout: SubnetLayout,
    database_subnets: bool,
    flow_logs: FlowLogs,
    gateways: Vec<Gateway>,
    acls: bool,
    vpn_asn: Option<u32>,
}

impl Vpc {
    /// VPC `key` called `name` over `cidr` in `azs`, with `/20`-sized subnets carved from a
    /// `/16`, a NAT gateway per AZ, and flow logs kept for a year.
    pub fn new(key: impl Into<String>, name: impl Into<String>, cidr: &'static str, azs: &[&'static str]) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            cidr,
            azs: azs.to_vec(),
            nat: NatGateways::PerAz,
            layout: SubnetLayout::Carved { newbits: 4 },
            database_subnets: false,
            flow_logs: FlowLogs::CloudWatch(Retention::OneYear),
            gateways: Vec::new(),
            acls: false,
            vpn_asn: None,
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

    /// Where flow logs go (a CloudWatch group kept a year by default).
    pub fn flow_logs(mut self, flow_logs: FlowLogs) -> Self {
        self.flow_logs = flow_logs;
        self
    }

    /// How long flow logs are kept in CloudWatch.
    pub fn flow_log_retention(self, retention: Retention) -> Self {
        self.flow_logs(FlowLogs::CloudWatch(retention))
    }

    /// Routes traffic to `service` through a gateway endpoint from every subnet.
    pub fn gateway_endpoint(mut self, service: Gateway) -> Self {
        if !self.gateways.contains(&service) {
            self.gateways.push(service);
        }
        self
    }

    /// Adds a network ACL per tier: public subnets take 80 and 443 from the internet, every
    /// tier takes the VPC, replies come back on ephemeral ports, database subnets talk to the
    /// VPC only. Off by default, as in terraform-aws-modules: the security groups already
    /// decide, and a stateless layer must be kept in step with them.
    pub fn network_acls(mut self) -> Self {
        self.acls = true;
        self
    }

    /// Attaches a virtual private gateway with Amazon-side BGP number `asn` (64512 is AWS's
    /// default; private numbers are 64512-65534 and 4200000000-4294967294), and propagates the
    /// routes it learns into the private route tables, so a VPN or Direct Connect attached to
    /// it reaches the workloads. The gateway costs nothing until a connection uses it.
    pub fn vpn_gateway(mut self, asn: u32) -> Self {
        self.vpn_asn = Some(asn);
        self
    }

    /// Adds the network. Flow logs to CloudWatch are encrypted with the context's key, which
    /// must allow log groups ([`Key::for_log_groups`](super::kms::Key::for_log_groups)).
    pub fn build(self, ctx: &mut Context) -> VpcRef {
        ctx.within("networking", |ctx| self.add(ctx))
    }

    fn add(self, stack: &mut Context) -> VpcRef {
        let k = self.key.as_str();
        if self.azs.len() < 2 {
            let help = "use at least two AZs so load balancers and databases can fail over";
            stack.problem_at(
                format!("aws_subnet.{k}_private"),
                "availability_zone",
                format!("{} availability zone(s) given", self.azs.len()),
                help,
            );
        }
        let plan = match plan(self.cidr, self.azs.len(), self.database_subnets, &self.layout) {
            Ok(plan) => plan,
            Err(message) => {
                let help = "fix the VPC range or the subnet layout";
                stack.problem_at(format!("aws_vpc.{k}"), "cidr_block", message, help);
                Plan { public: Vec::new(), private: Vec::new(), database: Vec::new() }
            }
        };
        let name = self.name.as_str();
        let vpc = stack.add(
            Resource::new("aws_vpc", k)
                .set("cidr_block", self.cidr)
                .set("enable_dns_hostnames", true)
                .set("enable_dns_support", true)
                .set("tags", tags(format!("{name}-vpc"))),
        );
        // With no rules the default group denies everything, so nothing can rely on it.
        stack.add(
            Resource::new("aws_default_security_group", k)
                .set("vpc_id", vpc.id())
                .set("tags", tags(format!("{name}-default-deny"))),
        );
        let igw = stack.add(
            Resource::new("aws_internet_gateway", k).set("vpc_id", vpc.id()).set("tags", tags(format!("{name}-igw"))),
        );
        let subnet = |tier: &str, ranges: &[ipnet::Ipv4Net]| {
            let by_az: Expression = self.azs.iter().zip(ranges).map(|(az, r)| (*az, r.to_string())).collect();
            Resource::new("aws_subnet", format!("{k}_{tier}"))
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

        let public_rt = route_table(stack, &format!("{k}_public"), &vpc, None, format!("{name}-public"));
        stack.add(
            Resource::new("aws_route", format!("{k}_public_internet"))
                .set("route_table_id", public_rt.id())
                .set("destination_cidr_block", "0.0.0.0/0")
                .set("gateway_id", igw.id()),
        );
        associate(stack, &format!("{k}_public"), &public, &public_rt, false);
        let (private_rt, per_az) = self.private_routing(stack, &vpc, &igw, &public, &private);
        let private_ids: Expression = if per_az {
            call::<Any>("values", [private_rt.whole().into()]).splat().attr("id").into()
        } else {
            private_rt.id().into()
        };
        let mut tables = vec![public_rt.id().erase(), Expr::from_expression(private_ids)];
        if let Some(database) = &database {
            // No route out: databases answer the VPC and nothing else.
            let rt = route_table(stack, &format!("{k}_database"), &vpc, None, format!("{name}-database"));
            associate(stack, &format!("{k}_database"), database, &rt, false);
            tables.push(rt.id().erase());
        }
        self.add_flow_logs(stack, &vpc);
        let vpn_gateway_id = self.vpn_asn.map(|asn| self.add_vpn_gateway(stack, asn, &vpc, &private_rt, per_az));

        let ids = |r: &Ref| SubnetIds(for_list("s", r.whole(), |s| s.attr("id").typed()));
        let route_tables = call("flatten", [Expression::List(tables.into_iter().map(Into::into).collect())]);
        self.add_gateway_endpoints(stack, &vpc, &route_tables);
        if self.acls {
            let mut tiers = vec![("public", ids(&public).0.into()), ("private", ids(&private).0.into())];
            if let Some(database) = &database {
                tiers.push(("database", ids(database).0.into()));
            }
            acl::add(stack, k, name, (&vpc, self.cidr), &tiers);
        }
        VpcRef {
            vpc_id: VpcId(vpc.id()),
            cidr: self.cidr,
            public_subnets: ids(&public),
            private_subnets: ids(&private),
            database_subnets: database.as_ref().map(ids),
            azs: self.azs,
            route_tables,
            vpn_gateway_id,
            vpc: Some(vpc),
        }
    }

    /// A gateway endpoint per service asked for, in every route table.
    fn add_gateway_endpoints(&self, stack: &mut Context, vpc: &Ref, route_tables: &Expr<List<String>>) {
        let region = stack.account().region;
        for gateway in &self.gateways {
            let service = gateway.service();
            stack.add(
                Resource::new("aws_vpc_endpoint", format!("{}_{service}", self.key))
                    .set("vpc_id", vpc.id())
                    .set("service_name", format!("com.amazonaws.{region}.{service}"))
                    .set("vpc_endpoint_type", "Gateway")
                    .set("route_table_ids", route_tables.clone())
                    .set("tags", tags(format!("{}-{service}", self.name))),
            );
        }
    }

    /// The virtual private gateway and its route propagation; returns the gateway's id.
    fn add_vpn_gateway(
        &self,
        stack: &mut Context,
        asn: u32,
        vpc: &Ref,
        private_rt: &Ref,
        per_az: bool,
    ) -> Expr<String> {
        let k = self.key.as_str();
        let private = (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn);
        if !private {
            let message = format!("BGP number {asn} is not a private ASN");
            let help = "use 64512-65534 or 4200000000-4294967294 (64512 is AWS's default)";
            stack.problem_at(format!("aws_vpn_gateway.{k}"), "amazon_side_asn", message, help);
        }
        let vgw = stack.add(
            Resource::new("aws_vpn_gateway", k)
                .set("vpc_id", vpc.id())
                .set("amazon_side_asn", asn.to_string())
                .set("tags", tags(format!("{}-vgw", self.name))),
        );
        let propagation =
            Resource::new("aws_vpn_gateway_route_propagation", format!("{k}_private")).set("vpn_gateway_id", vgw.id());
        stack.add(if per_az {
            propagation.for_each(private_rt.whole()).set("route_table_id", each_value().attr("id"))
        } else {
            propagation.set("route_table_id", private_rt.id())
        });
        vgw.id()
    }

    /// NAT and the private route tables; returns the private table (one per AZ when the
    /// flag is set).
    fn private_routing(&self, stack: &mut Context, vpc: &Ref, igw: &Ref, public: &Ref, private: &Ref) -> (Ref, bool) {
        let (k, name) = (self.key.as_str(), &self.name);
        let first_az = self.azs.first().copied().unwrap_or_default();
        match self.nat {
            NatGateways::None => {
                let rt = route_table(stack, &format!("{k}_private"), vpc, None, format!("{name}-private"));
                associate(stack, &format!("{k}_private"), private, &rt, false);
                (rt, false)
            }
            NatGateways::Single => {
                let eip = stack.add(
                    Resource::new("aws_eip", format!("{k}_nat"))
                        .set("domain", "vpc")
                        .set("tags", tags(format!("{name}-nat"))),
                );
                let nat = stack.add(
                    Resource::new("aws_nat_gateway", k)
                        .set("allocation_id", eip.id())
                        .set("subnet_id", public.at(first_az, "id"))
                        .set("tags", tags(format!("{name}-nat")))
                        .depends_on(igw),
                );
                let rt = route_table(stack, &format!("{k}_private"), vpc, None, format!("{name}-private"));
                nat_route(stack, &format!("{k}_private_nat"), &rt, nat.id(), false);
                associate(stack, &format!("{k}_private"), private, &rt, false);
                (rt, false)
            }
            NatGateways::PerAz => {
                let per_az: Expression = self.azs.iter().map(|az| (*az, *az)).collect();
                let az_name =
                    |what: &str| Expression::from_iter([("Name", template![format!("{name}-{what}-"), each_key()])]);
                let eip = stack.add(
                    Resource::new("aws_eip", format!("{k}_nat"))
                        .for_each(per_az.clone())
                        .set("domain", "vpc")
                        .set("tags", az_name("nat")),
                );
                let nat = stack.add(
                    Resource::new("aws_nat_gateway", k)
                        .for_each(per_az.clone())
                        .set("allocation_id", eip.at(each_key(), "id"))
                        .set("subnet_id", public.at(each_key(), "id"))
                        .set("tags", az_name("nat"))
                        .depends_on(igw),
                );
                let rt = route_table(stack, &format!("{k}_private"), vpc, Some(per_az), format!("{name}-private"));
                nat_route(stack, &format!("{k}_private_nat"), &rt, nat.at(each_key(), "id").typed(), true);
                associate(stack, &format!("{k}_private"), private, &rt, true);
                (rt, true)
            }
        }
    }

    fn add_flow_logs(&self, ctx: &mut Context, vpc: &Ref) {
        let (k, name) = (self.key.as_str(), &self.name);
        let log = Resource::new("aws_flow_log", k)
            .set("vpc_id", vpc.id())
            .set("traffic_type", "ALL")
            .set("max_aggregation_interval", 60)
            .set("tags", tags(format!("{name}-flow-logs")));
        let log = match &self.flow_logs {
            FlowLogs::CloudWatch(retention) => {
                let group = LogGroup::new(format!("{k}_flow_logs"), format!("/vpc/{name}/flow-logs"))
                    .retention(*retention)
                    .build(ctx);
                let writes = Statement::allow(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"])
                    .on(template![group.arn.clone(), ":*"]);
                let describes = Statement::allow(["logs:DescribeLogGroups"]).on(group.arn.clone());
                let role = Role::for_service(
                    format!("{k}_flow_logs"),
                    format!("{name}-vpc-flow-logs"),
                    "vpc-flow-logs.amazonaws.com",
                )
                .policy("flow-logs", vec![writes, describes])
                .build(ctx);
                log.set("log_destination_type", "cloud-watch-logs")
                    .set("log_destination", group.arn)
                    .set("iam_role_arn", role.arn)
            }
            FlowLogs::Bucket(bucket) => log
                .set("log_destination_type", "s3")
                .set("log_destination", bucket.arn.clone())
                // Delivery checks the bucket policy (FlowLogs::bucket_statements) when it starts.
                .depends_on(&bucket.policy),
        };
        ctx.add(log);
    }
}

fn tags(name: String) -> Expression {
    Expression::from_iter([("Name", name)])
}

/// A route table, one per AZ when `per_az` holds the AZ map.
fn route_table(stack: &mut Context, key: &str, vpc: &Ref, per_az: Option<Expression>, name: String) -> Ref {
    let r = Resource::new("aws_route_table", key).set("vpc_id", vpc.id());
    let r = match per_az {
        Some(azs) => {
            r.for_each(azs).set("tags", Expression::from_iter([("Name", template![format!("{name}-"), each_key()])]))
        }
        None => r.set("tags", tags(name)),
    };
    stack.add(r)
}

fn nat_route(stack: &mut Context, key: &str, table: &Ref, nat: Expr<String>, per_az: bool) {
    let r = Resource::new("aws_route", key).set("destination_cidr_block", "0.0.0.0/0").set("nat_gateway_id", nat);
    let r = if per_az {
        let tables = Expression::from(table.whole());
        r.for_each(tables).set("route_table_id", each_value().attr("id"))
    } else {
        r.set("route_table_id", table.id())
    };
    stack.add(r);
}

/// Associates every subnet of `subnets` with `table` (or with its own AZ's table).
fn associate(stack: &mut Context, key: &str, subnets: &Ref, table: &Ref, per_az: bool) {
    let table_id = if per_az { table.at(each_key(), "id").typed() } else { table.id() };
    stack.add(
        Resource::new("aws_route_table_association", key)
            .for_each(subnets.whole())
            .set("subnet_id", each_value().attr("id"))
            .set("route_table_id", table_id),
    );
}
