//! The load balancer's and the tasks' security groups; the data stores' groups come with their
//! components and admit the tasks only.

use crate::modules::networking::{Network, Peer, Port, SecurityGroup};
use crate::prelude::*;

/// Container ports the ALB forwards to (seed 002: API on 8000, frontend on 8080).
const APP_PORTS: [(&str, u16); 2] = [("api", 8000), ("frontend", 8080)];

/// The security groups, by tier.
pub(super) struct Groups {
    pub alb: SecurityGroup,
    pub ecs: SecurityGroup,
}

impl Groups {
    pub(super) fn by_tier(&self) -> [(&'static str, &SecurityGroup); 2] {
        [("alb", &self.alb), ("ecs", &self.ecs)]
    }
}

pub(super) fn build(stack: &mut Stack, net: &Network, prefix: &str) -> Groups {
    let mut group =
        |key: &str, what: &str| SecurityGroup::new(stack, &net.vpc_id, key, format!("{prefix}-{key}-sg"), what);
    let g = Groups {
        alb: group("alb", "Load balancer: HTTP(S) from the internet"),
        ecs: group("ecs", "ECS tasks: app ports from the load balancer only"),
    };
    g.alb.allow_http_redirect_from_internet(stack);
    g.alb.allow_in(stack, Port::tcp(443), Peer::Internet, "HTTPS from the internet");
    // Seed fix: the seed opened TCP 0-65535 from the ALB; only the container ports are needed.
    for (service, port) in APP_PORTS {
        g.alb.allow_out(stack, Port::tcp(port), Peer::Group(&g.ecs), &format!("ALB to the {service} containers"));
        g.ecs.allow_in(stack, Port::tcp(port), Peer::Group(&g.alb), &format!("{service} traffic from the ALB"));
    }
    // Seed fix: the seed allowed all egress from tasks; they need HTTPS (AWS APIs, image pulls,
    // the Claude API) and their data stores (added where those are built).
    g.ecs.allow_out(stack, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs and external services");
    g
}
