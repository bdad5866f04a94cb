//! Security groups chained ALB -> ECS -> PostgreSQL / Redis, each rule its own resource.

use super::name_tags;
use crate::prelude::*;
use crate::stacks::Env;

/// Container ports the ALB forwards to (seed 002: API on 8000, frontend on 8080).
const APP_PORTS: [(&str, u16); 2] = [("api", 8000), ("frontend", 8080)];

/// The security groups, by tier.
pub(super) struct Groups {
    alb: Ref,
    ecs: Ref,
    database: Ref,
    redis: Ref,
}

impl Groups {
    pub(super) fn by_tier(&self) -> [(&'static str, &Ref); 4] {
        [
            ("alb", &self.alb),
            ("ecs", &self.ecs),
            ("database", &self.database),
            ("redis", &self.redis),
        ]
    }
}

pub(super) fn build(stack: &mut Stack, env: Env, vpc: &Ref, prefix: &Expr<String>) -> Groups {
    let mut group = |id: &str, what: &str| {
        stack.add(
            Resource::new("aws_security_group", id)
                .set("name", template![prefix, format!("-{id}-sg")])
                .set("description", format!("{what} ({})", env.name()))
                .set("vpc_id", vpc.id())
                .set("tags", name_tags(prefix, format!("-{id}-sg"), &[])),
        )
    };
    let g = Groups {
        alb: group("alb", "Load balancer: HTTPS from the internet"),
        ecs: group("ecs", "ECS tasks: app ports from the load balancer only"),
        database: group("database", "PostgreSQL: from ECS tasks only"),
        redis: group("redis", "Redis: from ECS tasks only"),
    };
    let internet = Peer::Cidr("0.0.0.0/0");
    for port in [80, 443] {
        rule(
            stack,
            Ingress,
            &format!("alb_http_{port}"),
            &g.alb,
            port,
            &internet,
            "HTTP(S) from the internet",
        );
    }
    // Seed fix: the seed opened TCP 0-65535 from the ALB; only the container ports are needed.
    for (service, port) in APP_PORTS {
        let to_tasks = format!("ALB to the {service} containers");
        rule(
            stack,
            Egress,
            &format!("alb_to_{service}"),
            &g.alb,
            port,
            &Peer::Group(&g.ecs),
            &to_tasks,
        );
        let from_alb = format!("{service} traffic from the ALB");
        rule(
            stack,
            Ingress,
            &format!("ecs_from_alb_{service}"),
            &g.ecs,
            port,
            &Peer::Group(&g.alb),
            &from_alb,
        );
    }
    // Seed fix: the seed allowed all egress from tasks; they need HTTPS (AWS APIs, image pulls,
    // the Claude API) and their data stores.
    rule(
        stack,
        Egress,
        "ecs_https",
        &g.ecs,
        443,
        &internet,
        "HTTPS to AWS APIs and external services",
    );
    rule(
        stack,
        Egress,
        "ecs_to_database",
        &g.ecs,
        5432,
        &Peer::Group(&g.database),
        "PostgreSQL",
    );
    rule(
        stack,
        Egress,
        "ecs_to_redis",
        &g.ecs,
        6379,
        &Peer::Group(&g.redis),
        "Redis",
    );
    rule(
        stack,
        Ingress,
        "database_from_ecs",
        &g.database,
        5432,
        &Peer::Group(&g.ecs),
        "PostgreSQL from ECS tasks",
    );
    rule(
        stack,
        Ingress,
        "redis_from_ecs",
        &g.redis,
        6379,
        &Peer::Group(&g.ecs),
        "Redis from ECS tasks",
    );
    g
}

/// Which way a security group rule points.
#[derive(Clone, Copy)]
enum Direction {
    Ingress,
    Egress,
}
use Direction::{Egress, Ingress};

/// The other side of a security group rule.
enum Peer<'a> {
    Cidr(&'a str),
    Group(&'a Ref),
}

/// Adds one TCP security group rule as its own resource, so rules can change without
/// replacing the group.
fn rule(stack: &mut Stack, direction: Direction, id: &str, group: &Ref, port: u16, peer: &Peer<'_>, description: &str) {
    let ty = match direction {
        Ingress => "aws_vpc_security_group_ingress_rule",
        Egress => "aws_vpc_security_group_egress_rule",
    };
    let r = Resource::new(ty, id)
        .set("security_group_id", group.id())
        .set("description", description)
        .set("ip_protocol", "tcp")
        .set("from_port", port)
        .set("to_port", port);
    let r = match peer {
        Peer::Cidr(cidr) => r.set("cidr_ipv4", *cidr),
        Peer::Group(g) => r.set("referenced_security_group_id", g.id()),
    };
    stack.add(r);
}
