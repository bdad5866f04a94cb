//! The tasks' security group. The services open it to the load balancer on their container
//! ports; the data stores open theirs to it.

use tfsynth::modules::Context;
use tfsynth::modules::networking::{Peer, Port, SecurityGroup, SecurityGroupRef, VpcRef};

/// The API's port, where in-VPC scrapers read `/metrics`.
pub(super) const API_PORT: u16 = 8000;

/// The ECS tasks' security group, shared by the three services.
pub(super) fn tasks(ctx: &mut Context, prefix: &str, net: &VpcRef) -> SecurityGroupRef {
    let ecs =
        SecurityGroup::new("ecs", format!("{prefix}-ecs"), "ECS tasks: app ports from the load balancer and the VPC")
            .build(ctx);
    // Seed 002's nginx served /metrics to 10/8, 172.16/12 and 192.168/16 (L707-L712). Seed
    // fix: the VPC's range only, the private range routed here.
    ecs.allow_in(ctx, Port::tcp(API_PORT), Peer::Cidr(net.cidr), "API metrics from scrapers in the VPC");
    // Seed fix: the seed allowed all egress from tasks; they need HTTPS (AWS APIs, image pulls,
    // the Claude API) and their data stores (added where those are built). Seed fix too: the
    // seed opened TCP 0-65535 from the ALB; each service opens only its container port.
    ecs.allow_out(ctx, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs and external services");
    ecs
}
