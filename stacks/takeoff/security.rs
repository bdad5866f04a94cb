//! The tasks' security group: reachable from the load balancer on the container ports only.
//! The load balancer and the data stores bring their own groups.

use crate::modules::load_balancing::LoadBalancer;
use crate::modules::networking::{Network, Peer, Port, SecurityGroup};
use crate::prelude::*;

/// Container ports the ALB forwards to (seed 002: API on 8000, frontend on 8080).
pub(super) const APP_PORTS: [(&str, u16); 2] = [("api", 8000), ("frontend", 8080)];

/// The ECS tasks' security group, wired to the load balancer's.
pub(super) fn tasks(stack: &mut Stack, net: &Network, prefix: &str, alb: &LoadBalancer) -> SecurityGroup {
    let ecs = SecurityGroup::new(
        stack,
        &net.vpc_id,
        "ecs",
        format!("{prefix}-ecs"),
        "ECS tasks: app ports from the load balancer only",
    );
    // Seed fix: the seed opened TCP 0-65535 from the ALB; only the container ports are needed.
    for (service, port) in APP_PORTS {
        let lb = &alb.security_group;
        lb.allow_out(stack, Port::tcp(port), Peer::Group(&ecs), &format!("ALB to the {service} containers"));
        ecs.allow_in(stack, Port::tcp(port), Peer::Group(lb), &format!("{service} traffic from the ALB"));
    }
    // Seed fix: the seed allowed all egress from tasks; they need HTTPS (AWS APIs, image pulls,
    // the Claude API) and their data stores (added where those are built).
    ecs.allow_out(stack, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs and external services");
    ecs
}
