//! Takeoff (seed 002): the construction take-off platform. For now its networking layer,
//! written with the generic, schema-checked builder: VPC, public and private subnets carved
//! with `cidrsubnet`, internet gateway, NAT, route tables and the security groups chained
//! ALB -> ECS -> PostgreSQL / Redis.

mod settings;

pub use settings::{NatGateways, Settings, settings};

use super::Env;
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "takeoff",
    description: "Takeoff platform (seed 002): VPC, subnets, NAT, routing, security groups",
    build,
};

/// Container ports the ALB forwards to (seed 002: API on 8000, frontend on 8080).
const APP_PORTS: [(&str, u16); 2] = [("api", 8000), ("frontend", 8080)];

/// Builds the takeoff stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let mut stack = Stack::new("takeoff", env.name());
    let tf = stack.terraform();
    tf.required_version = Some(">= 1.5.0".into());
    tf.required_providers.insert(
        "aws".into(),
        RequiredProvider { source: "hashicorp/aws".into(), version: "~> 5.100".into() },
    );
    tf.backend = Some(
        S3Backend::new("takeoff-terraform-state", format!("{}/terraform.tfstate", env.name()), "us-east-1")
            .lock_table("takeoff-terraform-locks"),
    );
    stack.provider(Provider::aws("us-east-1").default_tags([
        ("Project", "takeoff"),
        ("Environment", env.name()),
        ("ManagedBy", "terraform"),
    ]));

    let prefix = stack.local("name_prefix", format!("takeoff-{}", env.name()));
    let azs = stack.local("azs", s.azs.to_vec());
    let cidr = stack.local("vpc_cidr", s.vpc_cidr);
    let name = |suffix: &str| tags([("Name", template![prefix.clone(), suffix])]);
    let az_count = s.azs.len();

    let vpc = stack.add(
        Resource::new("aws_vpc", "main")
            .set("cidr_block", cidr.clone())
            .set("enable_dns_hostnames", true)
            .set("enable_dns_support", true)
            .set("tags", name("-vpc")),
    );
    // Nothing may use the default security group: with no rules it denies all traffic.
    stack.add(
        Resource::new("aws_default_security_group", "default")
            .set("vpc_id", vpc.id())
            .set("tags", name("-default-deny")),
    );
    let igw = stack.add(
        Resource::new("aws_internet_gateway", "main").set("vpc_id", vpc.id()).set("tags", name("-igw")),
    );

    let index_name = |tier: &str| {
        tags([("Name", template![prefix.clone(), format!("-{tier}-"), count_index().plus(1)])])
    };
    // Public /20s first, then private ones, as in the seed: netnum = index (+ AZ count).
    let subnet = |tier: &str, offset: usize| {
        let netnum = if offset == 0 { count_index() } else { count_index().plus(offset) };
        Resource::new("aws_subnet", tier)
            .count(az_count)
            .set("vpc_id", vpc.id())
            .set("cidr_block", cidrsubnet(cidr.clone().typed::<String>(), 4, netnum))
            .set("availability_zone", azs.clone().index(count_index()))
            .set("tags", index_name(tier).merge_tag("Tier", tier))
    };
    // Seed fix: the seed set map_public_ip_on_launch = true; nothing here needs it (the ALB and
    // NAT gateways get their own addresses) and scanners flag it (CKV_AWS_130).
    let public = stack.add(subnet("public", 0).set("map_public_ip_on_launch", false));
    let private = stack.add(subnet("private", az_count));

    let nat_count = match s.nat {
        NatGateways::Single => 1,
        NatGateways::PerAz => az_count,
    };
    let eip = stack.add(
        Resource::new("aws_eip", "nat")
            .count(nat_count)
            .set("domain", "vpc")
            .set("tags", index_name("nat-eip")),
    );
    let nat = stack.add(
        Resource::new("aws_nat_gateway", "main")
            .count(nat_count)
            .set("allocation_id", eip.at(count_index(), "id"))
            .set("subnet_id", public.at(count_index(), "id"))
            .set("tags", index_name("nat"))
            .depends_on(&igw),
    );

    let public_rt = stack.add(
        Resource::new("aws_route_table", "public").set("vpc_id", vpc.id()).set("tags", name("-public-rt")),
    );
    stack.add(
        Resource::new("aws_route", "public_internet")
            .set("route_table_id", public_rt.id())
            .set("destination_cidr_block", "0.0.0.0/0")
            .set("gateway_id", igw.id()),
    );
    stack.add(
        Resource::new("aws_route_table_association", "public")
            .count(az_count)
            .set("subnet_id", public.at(count_index(), "id"))
            .set("route_table_id", public_rt.id()),
    );
    let private_rt = stack.add(
        Resource::new("aws_route_table", "private")
            .count(nat_count)
            .set("vpc_id", vpc.id())
            .set("tags", index_name("private-rt")),
    );
    stack.add(
        Resource::new("aws_route", "private_nat")
            .count(nat_count)
            .set("route_table_id", private_rt.at(count_index(), "id"))
            .set("destination_cidr_block", "0.0.0.0/0")
            .set("nat_gateway_id", nat.at(count_index(), "id")),
    );
    let private_table_index: Expression = match s.nat {
        NatGateways::Single => 0.into(),
        NatGateways::PerAz => count_index().into(),
    };
    stack.add(
        Resource::new("aws_route_table_association", "private")
            .count(az_count)
            .set("subnet_id", private.at(count_index(), "id"))
            .set("route_table_id", private_rt.at(private_table_index, "id")),
    );

    let security_group = |stack: &mut Stack, id: &str, what: &str| {
        stack.add(
            Resource::new("aws_security_group", id)
                .set("name", template![prefix.clone(), format!("-{id}-sg")])
                .set("description", format!("{what} ({})", env.name()))
                .set("vpc_id", vpc.id())
                .set("tags", name(&format!("-{id}-sg"))),
        )
    };
    let alb = security_group(&mut stack, "alb", "Load balancer: HTTPS from the internet");
    let ecs = security_group(&mut stack, "ecs", "ECS tasks: app ports from the load balancer only");
    let db = security_group(&mut stack, "database", "PostgreSQL: from ECS tasks only");
    let redis = security_group(&mut stack, "redis", "Redis: from ECS tasks only");

    for port in [80, 443] {
        rule(&mut stack, Direction::Ingress, &format!("alb_http_{port}"), &alb, port, Peer::Cidr("0.0.0.0/0"), "HTTP(S) from the internet");
    }
    // Seed fix: the seed opened TCP 0-65535 from the ALB; only the container ports are needed.
    for (service, port) in APP_PORTS {
        rule(&mut stack, Direction::Egress, &format!("alb_to_{service}"), &alb, port, Peer::Group(&ecs), &format!("ALB to the {service} containers"));
        rule(&mut stack, Direction::Ingress, &format!("ecs_from_alb_{service}"), &ecs, port, Peer::Group(&alb), &format!("{service} traffic from the ALB"));
    }
    // Seed fix: the seed allowed all egress from tasks; they need HTTPS (AWS APIs, image pulls,
    // the Claude API) and their data stores.
    rule(&mut stack, Direction::Egress, "ecs_https", &ecs, 443, Peer::Cidr("0.0.0.0/0"), "HTTPS to AWS APIs and external services");
    rule(&mut stack, Direction::Egress, "ecs_to_database", &ecs, 5432, Peer::Group(&db), "PostgreSQL");
    rule(&mut stack, Direction::Egress, "ecs_to_redis", &ecs, 6379, Peer::Group(&redis), "Redis");
    rule(&mut stack, Direction::Ingress, "database_from_ecs", &db, 5432, Peer::Group(&ecs), "PostgreSQL from ECS tasks");
    rule(&mut stack, Direction::Ingress, "redis_from_ecs", &redis, 6379, Peer::Group(&ecs), "Redis from ECS tasks");

    stack.output(Output::new("vpc_id", vpc.id()).description("The VPC id"));
    stack.output(Output::new("public_subnet_ids", public.all("id")).description("Public subnet ids, one per AZ"));
    stack.output(Output::new("private_subnet_ids", private.all("id")).description("Private subnet ids, one per AZ"));
    for (label, sg) in [("alb", &alb), ("ecs", &ecs), ("database", &db), ("redis", &redis)] {
        stack.output(Output::new(format!("{label}_security_group_id"), sg.id()).description(format!("Security group of the {label} tier")));
    }
    stack
}

/// Which way a security group rule points.
#[derive(Clone, Copy)]
enum Direction {
    Ingress,
    Egress,
}

/// The other side of a security group rule.
enum Peer<'a> {
    Cidr(&'a str),
    Group(&'a Ref),
}

/// Adds one TCP security group rule as its own resource, so rules can change without
/// replacing the group.
fn rule(stack: &mut Stack, direction: Direction, id: &str, group: &Ref, port: u16, peer: Peer<'_>, description: &str) {
    let ty = match direction {
        Direction::Ingress => "aws_vpc_security_group_ingress_rule",
        Direction::Egress => "aws_vpc_security_group_egress_rule",
    };
    let r = Resource::new(ty, id)
        .set("security_group_id", group.id())
        .set("description", description)
        .set("ip_protocol", "tcp")
        .set("from_port", port)
        .set("to_port", port);
    let r = match peer {
        Peer::Cidr(cidr) => r.set("cidr_ipv4", cidr),
        Peer::Group(g) => r.set("referenced_security_group_id", g.id()),
    };
    stack.add(r);
}

/// A tags object.
fn tags<const N: usize>(pairs: [(&str, Expr<String>); N]) -> Tags {
    Tags(pairs.into_iter().map(|(k, v)| (k.to_owned(), v.into())).collect())
}

/// A `tags` map under construction.
struct Tags(Vec<(String, Expression)>);

impl Tags {
    fn merge_tag(mut self, key: &str, value: &str) -> Self {
        self.0.push((key.to_owned(), value.into()));
        self
    }
}

impl From<Tags> for Expression {
    fn from(t: Tags) -> Self {
        t.0.into_iter().collect()
    }
}
