//! ECS services: a task definition kept running in private subnets with circuit-breaker
//! rollback, behind a load balancer or reachable through Service Connect, autoscaled.

use super::super::Context;
use super::super::iam::{RoleRef, Statement};
use super::super::load_balancing::{AlbRef, TargetGroupRef};
use super::super::logs::LogGroupRef;
use super::super::networking::{Peer, Port, SecurityGroup, SecurityGroupRef, VpcRef};
use super::scaling::Scaled;
use super::{Capacity, ClusterRef, Container, Scaling, Task};
use crate::prelude::*;

/// What a service gives the stack.
#[derive(Debug, Clone)]
pub struct ServiceRef {
    /// The service name.
    pub name: Expr<String>,
    /// The name of the cluster it runs in.
    pub cluster_name: Expr<String>,
    /// The service ARN.
    pub arn: Expr<String>,
    /// The task role, for granting the application more access.
    pub task_role: RoleRef,
    /// The security group the tasks run with.
    pub security_group: SecurityGroupRef,
    /// The task definition.
    pub task_definition: Ref,
    /// Where the containers log.
    pub log_group: LogGroupRef,
    /// The service itself.
    pub resource: Ref,
    /// `http://<name>:<port>` where callers reach it through Service Connect, if discoverable.
    pub endpoint: Option<String>,
    port: Option<u16>,
}

/// A service under construction.
#[derive(Debug, Clone)]
#[must_use = "a service does nothing until built into a stack"]
pub struct Service {
    task: Task,
    name: Option<String>,
    desired: u16,
    capacity: Capacity,
    max_percent: u16,
    min_healthy_percent: u16,
    behind: Option<(AlbRef, TargetGroupRef)>,
    scaling: Option<Scaling>,
    security_group: Option<SecurityGroupRef>,
    discoverable: bool,
    calls: Vec<ServiceRef>,
    network: Option<VpcRef>,
    grace_period: u16,
}

impl Service {
    /// Service `key` in `cluster` running `container`: 0.5 vCPU, 1 GiB, 2 tasks on demand,
    /// rolling 200/100, named `key` in ECS unless [`name`](Self::name) says otherwise.
    pub fn new(key: impl Into<String>, cluster: &ClusterRef, container: Container) -> Self {
        Self {
            task: Task::new(key, cluster, container),
            name: None,
            desired: 2,
            capacity: Capacity::OnDemand,
            max_percent: 200,
            min_healthy_percent: 100,
            behind: None,
            scaling: None,
            security_group: None,
            discoverable: false,
            calls: Vec::new(),
            network: None,
            grace_period: 60,
        }
    }

    /// The service's name in ECS (and its Service Connect name), e.g. `cvd-app`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Task size: CPU units (256-4096) and memory in MiB.
    pub fn size(mut self, cpu: u16, memory: u32) -> Self {
        self.task = self.task.size(cpu, memory);
        self
    }

    /// Ephemeral storage per task in GiB (20-200).
    pub fn storage(mut self, gib: u8) -> Self {
        self.task = self.task.storage(gib);
        self
    }

    /// Another container in each task, next to the main one.
    pub fn sidecar(mut self, container: Container) -> Self {
        self.task = self.task.sidecar(container);
        self
    }

    /// Traces requests with AWS X-Ray: a daemon sidecar and the permission to send segments.
    pub fn xray(mut self) -> Self {
        self.task = self.task.xray();
        self
    }

    /// The task family (default `<cluster>-<service name>`).
    pub fn family(mut self, family: impl Into<String>) -> Self {
        self.task = self.task.family(family);
        self
    }

    /// The log group's name (default `/ecs/<cluster>/<service name>`).
    pub fn log_group(mut self, name: impl Into<String>) -> Self {
        self.task = self.task.log_group(name);
        self
    }

    /// The task and execution roles' names (default `<family>-task` and `<family>-execution`).
    pub fn role_names(mut self, task: impl Into<String>, execution: impl Into<String>) -> Self {
        self.task = self.task.role_names(task, execution);
        self
    }

    /// Tasks to run (the floor when autoscaled).
    pub fn desired(mut self, count: u16) -> Self {
        self.desired = count;
        self
    }

    /// Where tasks run.
    pub fn capacity(mut self, capacity: Capacity) -> Self {
        self.capacity = capacity;
        self
    }

    /// Deployment bounds: most tasks during a deployment and fewest healthy ones, in percent.
    pub fn deployment(mut self, max_percent: u16, min_healthy_percent: u16) -> Self {
        self.max_percent = max_percent;
        self.min_healthy_percent = min_healthy_percent;
        self
    }

    /// Registers the container's port with `group` of `alb`; the load balancer may reach the
    /// tasks on that port and nothing else.
    pub fn behind(mut self, alb: &AlbRef, group: &TargetGroupRef) -> Self {
        self.behind = Some((alb.clone(), group.clone()));
        self
    }

    /// Seconds after start when load-balancer health checks do not count (60 by default).
    pub fn health_check_grace_period(mut self, seconds: u16) -> Self {
        self.grace_period = seconds;
        self
    }

    /// Autoscales between bounds on the given targets.
    pub fn autoscale(mut self, scaling: Scaling) -> Self {
        self.scaling = Some(scaling);
        self
    }

    /// Grants the application (task role) more access.
    pub fn allow(mut self, statement: Statement) -> Self {
        self.task = self.task.allow(statement);
        self
    }

    /// Runs the tasks with `group` (shared with other services) instead of a group of their own,
    /// which allows HTTPS out; `group` needs the egress its tasks use (TFS018 checks for some).
    pub fn security_group(mut self, group: &SecurityGroupRef) -> Self {
        self.security_group = Some(group.clone());
        self
    }

    /// Registers the service with the cluster's Service Connect namespace under its name, so
    /// other services [`calls`](Self::calls) it at `http://<name>:<port>`.
    pub fn discoverable(mut self) -> Self {
        self.discoverable = true;
        self
    }

    /// Lets this service reach `other` through Service Connect: both join the namespace and
    /// `other`'s group lets this one's in on its port.
    pub fn calls(mut self, other: &ServiceRef) -> Self {
        self.calls.push(other.clone());
        self
    }

    /// The network to run in instead of the context's.
    pub fn network(mut self, network: &VpcRef) -> Self {
        self.network = Some(network.clone());
        self
    }

    fn aws_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.task.key.replace('_', "-"))
    }

    fn check(&self, stack: &mut Context, at: &str) {
        self.task.check(stack);
        if self.min_healthy_percent > 100 || self.max_percent < 100 || self.max_percent > 400 {
            let help = "keep min healthy at most 100 and max between 100 and 400";
            stack.problem(
                at,
                format!("deployment bounds {}/{} are not valid", self.max_percent, self.min_healthy_percent),
                help,
            );
        }
        if self.behind.is_some() && self.task.container.listens_on().is_none() {
            stack.problem(
                at,
                "behind a load balancer, but the container has no port",
                "give the container a .port(..)",
            );
        }
        if self.discoverable && (self.task.container.listens_on().is_none() || self.task.cluster.namespace.is_none()) {
            let help = "give the container a .port(..) and the cluster a .service_connect(namespace)";
            stack.problem(at, "discoverable without a port or a Service Connect namespace", help);
        }
        if !self.calls.is_empty() && self.task.cluster.namespace.is_none() {
            let help = "give the cluster a .service_connect(namespace)";
            stack.problem(at, "calls other services, but the cluster has no Service Connect namespace", help);
        }
    }

    /// Adds the task definition, roles, log group, security group, service and autoscaling;
    /// tasks run in the network's private subnets.
    pub fn build(self, ctx: &mut Context) -> ServiceRef {
        ctx.within("compute", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> ServiceRef {
        let k = self.task.key.clone();
        let k = k.as_str();
        let at = format!("aws_ecs_service.{k}");
        self.check(ctx, &at);
        let name = self.aws_name();
        let net = ctx.network_for(&at, self.network.as_ref());
        let cluster = self.task.cluster.clone();
        let sg = if let Some(sg) = &self.security_group {
            sg.clone()
        } else {
            let sg = SecurityGroup::new(
                format!("{k}_service"),
                format!("{}-{name}", cluster.name_literal),
                format!("Tasks of {name}"),
            )
            .network(&net)
            .build(ctx);
            // Without it the tasks cannot pull their image or write their logs (TFS018).
            sg.allow_out(ctx, Port::tcp(443), Peer::Internet, "HTTPS to ECR, CloudWatch Logs and AWS APIs");
            sg
        };
        self.connections(ctx, &sg);
        let connect = self.discoverable || !self.calls.is_empty();
        let mut task = self.task.clone();
        if task.family.is_none() {
            let family = task.default_family(&name);
            task = task.family(family);
        }
        if task.log_group.is_none() {
            task = task.log_group(format!("/ecs/{}/{name}", cluster.name_literal));
        }
        let task = task.add(ctx, self.discoverable, self.capacity == Capacity::Ec2);
        let strategies = self.strategies(ctx, &at, &cluster);
        let network = Body::new()
            .set("subnets", net.private_subnets.0.clone())
            .set("security_groups", vec![sg.id.clone()])
            .set("assign_public_ip", false);
        let mut service = Resource::new("aws_ecs_service", k)
            .set_by("desired_count", "Service::desired")
            .set("name", name.as_str())
            .set("cluster", cluster.arn.clone())
            .set("task_definition", task.arn.clone())
            .set("desired_count", self.desired)
            .set("platform_version", "LATEST")
            .set("enable_execute_command", true)
            .set("propagate_tags", "SERVICE")
            .set("deployment_maximum_percent", self.max_percent)
            .set("deployment_minimum_healthy_percent", self.min_healthy_percent)
            .blocks("capacity_provider_strategy", strategies)
            .block("network_configuration", network)
            .block("deployment_circuit_breaker", Body::new().set("enable", true).set("rollback", true));
        let port = self.task.container.listens_on();
        if let (Some((alb, tg)), Some(port)) = (&self.behind, port) {
            let lb = Body::new()
                .set("target_group_arn", tg.arn.clone())
                .set("container_name", self.task.container.name.as_str())
                .set("container_port", port);
            service = service
                .block("load_balancer", lb)
                .set("health_check_grace_period_seconds", self.grace_period)
                // ECS refuses a target group that no listener uses yet.
                .depends_on(&alb.https_listener);
        }
        if connect {
            service = service.block("service_connect_configuration", self.connect_configuration(&name));
        }
        if self.scaling.is_some() {
            // The autoscaler owns the count once the service exists.
            service = service.ignore_changes(["desired_count"]);
        }
        let service = ctx.add(service);
        let service_name: Expr<String> = service.attr("name").typed();
        if let Some(scaling) = &self.scaling {
            let request_label =
                self.behind.as_ref().map(|(alb, tg)| template![alb.arn_suffix.clone(), "/", tg.arn_suffix.clone()]);
            let scaled =
                Scaled { key: k, cluster: &cluster.name, service: &service_name, desired: self.desired, request_label };
            scaling.build(ctx, &scaled);
        }
        ServiceRef {
            name: service_name,
            cluster_name: cluster.name.clone(),
            arn: service.id(),
            task_role: task.task_role.clone(),
            security_group: sg,
            task_definition: task.resource,
            log_group: task.log_group,
            resource: service,
            endpoint: (self.discoverable).then(|| format!("http://{name}:{}", port.unwrap_or_default())),
            port: port.filter(|_| self.discoverable),
        }
    }

    /// Where the tasks run: Fargate, Fargate Spot, both, or the cluster's EC2 capacity.
    fn strategies(&self, ctx: &mut Context, at: &str, cluster: &ClusterRef) -> Vec<Body> {
        let provider = |name: Expression, weight: u16| Body::new().set("capacity_provider", name).set("weight", weight);
        match self.capacity {
            Capacity::OnDemand => vec![provider("FARGATE".into(), 100).set("base", 1)],
            Capacity::Spot => vec![provider("FARGATE_SPOT".into(), 100)],
            Capacity::Mixed { base, spot_weight, on_demand_weight } => vec![
                provider("FARGATE".into(), on_demand_weight).set("base", base),
                provider("FARGATE_SPOT".into(), spot_weight),
            ],
            Capacity::Ec2 => {
                if cluster.ec2_providers.is_empty() {
                    let help = "give the cluster .ec2_capacity(Ec2Capacity::new(..)), or run on Fargate";
                    ctx.problem_at(at, "capacity_provider_strategy", "EC2 capacity on a cluster that has none", help);
                }
                cluster.ec2_providers.iter().map(|name| provider(name.clone().into(), 1)).collect()
            }
        }
    }

    /// The security-group rules the load balancer and the services this one calls need.
    fn connections(&self, ctx: &mut Context, sg: &SecurityGroupRef) {
        let name = self.aws_name();
        if let (Some((alb, _)), Some(port)) = (&self.behind, self.task.container.listens_on()) {
            let lb = &alb.security_group;
            lb.allow_out(ctx, Port::tcp(port), Peer::Group(sg), &format!("Load balancer to {name}"));
            sg.allow_in(ctx, Port::tcp(port), Peer::Group(lb), &format!("{name} traffic from the load balancer"));
        }
        for callee in &self.calls {
            let Some(port) = callee.port else {
                let help = "make the called service .discoverable() and give its container a port";
                ctx.problem(
                    format!("aws_ecs_service.{}", self.task.key),
                    "calls a service that is not discoverable",
                    help,
                );
                continue;
            };
            sg.allow_out(
                ctx,
                Port::tcp(port),
                Peer::Group(&callee.security_group),
                &format!("{name} to a service it calls"),
            );
            callee.security_group.allow_in(ctx, Port::tcp(port), Peer::Group(sg), &format!("Calls from {name}"));
        }
    }

    /// `service_connect_configuration`: the namespace, and this service's own endpoint when
    /// it is discoverable.
    fn connect_configuration(&self, name: &str) -> Body {
        let namespace = self.task.cluster.namespace.clone().unwrap_or_else(|| Expr::from(""));
        let mut config = Body::new().set("enabled", true).set("namespace", namespace);
        if let (true, Some(port)) = (self.discoverable, self.task.container.listens_on()) {
            let alias = Body::new().set("port", port).set("dns_name", name);
            config = config.block(
                "service",
                Body::new()
                    .set("port_name", self.task.container.name.as_str())
                    .set("discovery_name", name)
                    .block("client_alias", alias),
            );
        }
        config
    }
}
