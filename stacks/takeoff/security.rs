//! The tasks' security group. The services open it to the load balancer on their container
//! ports; the data stores open theirs to it.

use tfsynth::modules::Context;
use tfsynth::modules::networking::{Peer, Port, SecurityGroup, SecurityGroupRef};

/// The ECS tasks' security group, shared by the three services.
pub(super) fn tasks(ctx: &mut Context, prefix: &str) -> SecurityGroupRef {
    let ecs = SecurityGroup::new("ecs", format!("{prefix}-ecs"), "ECS tasks: app ports from the load balancer only")
        .build(ctx);
    // Seed fix: the seed allowed all egress from tasks; they need HTTPS (AWS APIs, image pulls,
    // the Claude API) and their data stores (added where those are built). Seed fix too: the
    // seed opened TCP 0-65535 from the ALB; each service opens only its container port.
    ecs.allow_out(ctx, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs and external services");
    ecs
}
