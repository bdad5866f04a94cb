//! The components: secure defaults, every setter, several of each per stack, and the message
//! each invalid configuration gets.

use serde_json::{Value, json};
use stacks::{Env, registry};
use tfsynth::modules::alarms::{Alarm, Comparison, Metric, ServiceAlarms, Topic};
use tfsynth::modules::audit::Trail;
use tfsynth::modules::budgets::Budget;
use tfsynth::modules::cache::{Auth, Availability, Redis};
use tfsynth::modules::compute::{
    Capacity, CapacityReservation, Cluster, ClusterRef, Container, Ec2Capacity, HealthCheck, Scaling, Schedule,
    Service, ServiceRef, Statistic, Target, Task,
};
use tfsynth::modules::container_registry::{Repository, Tags};
use tfsynth::modules::dashboards::{Dashboard, Widget};
use tfsynth::modules::database::{Aurora, MinorUpgrades, Postgres};
use tfsynth::modules::dns::{AliasRecord, Certificate, ZoneId};
use tfsynth::modules::edge::Distribution;
use tfsynth::modules::events::EventRule;
use tfsynth::modules::firewall::{ManagedGroup, WebAcl};
use tfsynth::modules::functions::{Code, Function};
use tfsynth::modules::kms::Key;
use tfsynth::modules::kms::KeyRef;
use tfsynth::modules::load_balancing::{Alb, AlbRef, Condition, TargetGroup, TargetGroupRef};
use tfsynth::modules::logs::Archive;
use tfsynth::modules::networking::{
    Gateway, NatGateways, Peer, Port, SecurityGroup, SecurityGroupRef, SubnetLayout, Vpc, VpcRef,
};
use tfsynth::modules::secrets::{Parameter, Rotation, Secret};
use tfsynth::modules::storage::{AccessLogs, Bucket, Cors, ObjectLock, StorageClass};
use tfsynth::modules::tables::{KeyType, Table};
use tfsynth::modules::{Context, Deletion, Retention};
use tfsynth::prelude::*;

use super::common::{ACCOUNT, context, document, only_problem, problems, resource};

pub(super) const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/example";
pub(super) const ZONE: ZoneId = ZoneId::new("Z0COMPONENTS0000001");

/// A context with a two-AZ network that has database subnets, as the default network.
pub(super) fn networked(name: &str) -> (Context, VpcRef) {
    let mut ctx = context(name);
    let net = Vpc::new("main", name, "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).database_subnets().build(&mut ctx);
    ctx.use_network(&net);
    (ctx, net)
}

pub(super) fn valid(ctx: Context) -> Value {
    let stack = ctx.finish();
    if let Err(e) = validate(&stack) {
        panic!("{e}");
    }
    document(&stack)
}

/// All messages of an invalid context.
pub(super) fn messages(ctx: Context) -> Vec<String> {
    problems(&ctx.finish()).iter().map(ToString::to_string).collect()
}

pub(super) fn app_group(ctx: &mut Context) -> SecurityGroupRef {
    SecurityGroup::new("app", "app", "application").build(ctx)
}

pub(super) fn groups(ctx: &mut Context) -> (TargetGroupRef, TargetGroupRef) {
    let blue = TargetGroup::new("blue", "apps-blue", 8000).build(ctx);
    let green = TargetGroup::new("green", "apps-green", 8000).build(ctx);
    (blue, green)
}

pub(super) fn alb(ctx: &mut Context) -> (AlbRef, TargetGroupRef, TargetGroupRef) {
    let (blue, green) = groups(ctx);
    let alb = Alb::new("main", "apps", CERT)
        .default_target(&blue)
        .weighted(10, Condition::path(&["/canary/*"]), &[(&blue, 90), (&green, 10)])
        .build(ctx);
    (alb, blue, green)
}

pub(super) fn cluster(ctx: &mut Context) -> ClusterRef {
    Cluster::new("main", "apps").service_connect("apps.local").build(ctx)
}

mod cache;
mod ci_identity;
mod compute;
mod database;
mod everything;
mod kubernetes;
mod load_balancing;
mod networking;
mod observability;
mod storage;
