//! ECS on Fargate: a cluster with Container Insights and logged, encrypted ECS Exec; services
//! in private subnets with circuit-breaker rollback; least-privilege execution and task roles;
//! target-tracking autoscaling; and Service Connect, so services reach each other by name
//! without a load balancer.
//!
//! ```
//! use tfsynth::modules::compute::{Cluster, Container, Service};
//! use tfsynth::modules::{Account, Context, kms, networking::Vpc};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! let net = Vpc::new("main", "demo", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut ctx);
//! ctx.use_network(&net);
//! let cluster = Cluster::new("main", "demo-production").service_connect("demo.local").build(&mut ctx);
//! let ai = Service::new("ai", &cluster, Container::new("ai", "public.ecr.aws/docker/library/busybox:1.36").port(5001))
//!     .name("demo-ai")
//!     .discoverable()
//!     .build(&mut ctx);
//! let app = Service::new("app", &cluster, Container::new("app", "public.ecr.aws/docker/library/busybox:1.36"))
//!     .calls(&ai)
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert_eq!(ai.endpoint.as_deref(), Some("http://demo-ai:5001"));
//! # let _ = app;
//! # Ok::<(), tfsynth::Error>(())
//! ```

mod cluster;
mod container;
mod ec2;
mod scaling;
mod service;
mod task;

pub use super::environment::EnvValue;
pub use cluster::{Cluster, ClusterRef};
pub use container::{Container, HealthCheck};
pub use ec2::{CapacityReservation, Ec2Capacity};
pub use scaling::{Scaling, Schedule, Statistic, Target};
pub use service::{Service, ServiceRef};
pub use task::{Task, TaskRef};

/// Where a service's tasks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// On-demand Fargate.
    OnDemand,
    /// Fargate Spot: up to 70 % cheaper, tasks may be stopped with two minutes' notice.
    Spot,
    /// `base` tasks on demand, the rest split `spot_weight` : `on_demand_weight`.
    Mixed {
        /// Tasks always on demand.
        base: u16,
        /// Weight of Spot.
        spot_weight: u16,
        /// Weight of on-demand beyond the base.
        on_demand_weight: u16,
    },
    /// The cluster's EC2 capacity providers ([`Cluster::ec2_capacity`]), equally weighted;
    /// the task definition then runs on EC2 as well as Fargate.
    Ec2,
}
