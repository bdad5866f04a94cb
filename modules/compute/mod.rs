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

mod container;
mod scaling;

pub use container::{Container, EnvValue, HealthCheck};
pub use scaling::{Scaling, Schedule, Statistic, Target};

use super::iam::{Role, RoleRef, Statement};
use super::kms::KeyRef;
use super::load_balancing::{AlbRef, TargetGroupRef};
use super::logs::LogGroup;
use super::networking::{Peer, Port, SecurityGroup, SecurityGroupRef, VpcRef};
use super::{Context, Retention};
use crate::prelude::*;
use scaling::Scaled;

/// A cluster, for services to run in.
#[derive(Debug, Clone)]
pub struct ClusterRef {
    /// The cluster ARN.
    pub arn: Expr<String>,
    /// The cluster name.
    pub name: Expr<String>,
    name_literal: String,
    log_retention: Retention,
    namespace: Option<Expr<String>>,
    key: KeyRef,
    /// The cluster itself.
    pub resource: Ref,
}

/// A cluster under construction.
#[derive(Debug, Clone)]
#[must_use = "a cluster does nothing until built into a stack"]
pub struct Cluster {
    key: String,
    name: String,
    log_retention: Retention,
    namespace: Option<String>,
    kms_key: Option<KeyRef>,
}

impl Cluster {
    /// Cluster `key` called `name` with `FARGATE` and `FARGATE_SPOT` capacity.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self { key: key.into(), name: name.into(), log_retention: Retention::OneYear, namespace: None, kms_key: None }
    }

    /// How long exec-session and container logs are kept.
    pub fn log_retention(mut self, retention: Retention) -> Self {
        self.log_retention = retention;
        self
    }

    /// A Cloud Map namespace (e.g. `cvd.local`) that services join with Service Connect.
    pub fn service_connect(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// The key to encrypt exec sessions and logs with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Adds the cluster, its capacity providers, its exec-session log group and namespace.
    pub fn build(self, ctx: &mut Context) -> ClusterRef {
        ctx.within("compute", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> ClusterRef {
        let (k, name) = (self.key.as_str(), self.name.as_str());
        let key = ctx.key_for(&format!("aws_ecs_cluster.{k}"), self.kms_key.as_ref());
        let exec_logs = LogGroup::new(format!("{k}_ecs_exec"), format!("/ecs/{name}/exec"))
            .retention(self.log_retention)
            .kms_key(&key)
            .build(ctx);
        let log_config =
            Body::new().set("cloud_watch_encryption_enabled", true).set("cloud_watch_log_group_name", exec_logs.name);
        let exec = Body::new()
            .set("kms_key_id", key.arn.clone())
            .set("logging", "OVERRIDE")
            .block("log_configuration", log_config);
        let namespace = self.namespace.as_ref().map(|ns| {
            ctx.add(
                Resource::new("aws_service_discovery_http_namespace", k)
                    .set("name", ns.as_str())
                    .set("description", format!("Service Connect names of {name}")),
            )
            .arn()
        });
        let mut cluster = Resource::new("aws_ecs_cluster", k)
            .set("name", name)
            .block("setting", Body::new().set("name", "containerInsights").set("value", "enabled"))
            .block("configuration", Body::new().block("execute_command_configuration", exec));
        if let Some(ns) = &namespace {
            cluster = cluster.block("service_connect_defaults", Body::new().set("namespace", ns.clone()));
        }
        let cluster = ctx.add(cluster);
        let strategy = Body::new().set("capacity_provider", "FARGATE").set("base", 1).set("weight", 100);
        ctx.add(
            Resource::new("aws_ecs_cluster_capacity_providers", k)
                .set("cluster_name", cluster.attr("name"))
                .set("capacity_providers", vec!["FARGATE", "FARGATE_SPOT"])
                .block("default_capacity_provider_strategy", strategy),
        );
        ClusterRef {
            arn: cluster.arn(),
            name: cluster.attr("name").typed(),
            name_literal: self.name,
            log_retention: self.log_retention,
            namespace,
            key,
            resource: cluster,
        }
    }
}

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
}

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
    key: String,
    name: Option<String>,
    cluster: ClusterRef,
    container: Container,
    cpu: u16,
    memory: u32,
    desired: u16,
    capacity: Capacity,
    max_percent: u16,
    min_healthy_percent: u16,
    behind: Option<(AlbRef, TargetGroupRef)>,
    scaling: Option<Scaling>,
    task_policy: Vec<Statement>,
    security_group: Option<SecurityGroupRef>,
    discoverable: bool,
    calls: Vec<ServiceRef>,
    network: Option<VpcRef>,
    grace_period: u16,
}

/// Whether `memory` MiB is a size Fargate offers with `cpu` units.
fn fargate_size(cpu: u16, memory: u32) -> bool {
    let gib_steps = |min: u32, max: u32| (min..=max).contains(&memory) && memory.is_multiple_of(1024);
    match cpu {
        256 => [512, 1024, 2048].contains(&memory),
        512 => gib_steps(1024, 4096),
        1024 => gib_steps(2048, 8192),
        2048 => gib_steps(4096, 16384),
        4096 => gib_steps(8192, 30720),
        _ => false,
    }
}

impl Service {
    /// Service `key` in `cluster` running `container`: 0.5 vCPU, 1 GiB, 2 tasks on demand,
    /// rolling 200/100, named `key` in ECS unless [`name`](Self::name) says otherwise.
    pub fn new(key: impl Into<String>, cluster: &ClusterRef, container: Container) -> Self {
        Self {
            key: key.into(),
            name: None,
            cluster: cluster.clone(),
            container,
            cpu: 512,
            memory: 1024,
            desired: 2,
            capacity: Capacity::OnDemand,
            max_percent: 200,
            min_healthy_percent: 100,
            behind: None,
            scaling: None,
            task_policy: Vec::new(),
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
        self.cpu = cpu;
        self.memory = memory;
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
        self.task_policy.push(statement);
        self
    }

    /// Runs the tasks with `group` (shared with other services) instead of a group of their own.
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
        self.name.clone().unwrap_or_else(|| self.key.replace('_', "-"))
    }

    fn check(&self, stack: &mut Stack, at: &str) {
        if !fargate_size(self.cpu, self.memory) {
            let help = "use 256/512-2048, 512/1024-4096, 1024/2048-8192, 2048/4096-16384 or 4096/8192-30720 (memory in 1 GiB steps)";
            stack.problem(at, format!("{} CPU units with {} MiB is not a Fargate size", self.cpu, self.memory), help);
        }
        if self.min_healthy_percent > 100 || self.max_percent < 100 || self.max_percent > 400 {
            let help = "keep min healthy at most 100 and max between 100 and 400";
            stack.problem(
                at,
                format!("deployment bounds {}/{} are not valid", self.max_percent, self.min_healthy_percent),
                help,
            );
        }
        if self.behind.is_some() && self.container.listens_on().is_none() {
            stack.problem(
                at,
                "behind a load balancer, but the container has no port",
                "give the container a .port(..)",
            );
        }
        if self.discoverable && (self.container.listens_on().is_none() || self.cluster.namespace.is_none()) {
            let help = "give the container a .port(..) and the cluster a .service_connect(namespace)";
            stack.problem(at, "discoverable without a port or a Service Connect namespace", help);
        }
        if !self.calls.is_empty() && self.cluster.namespace.is_none() {
            let help = "give the cluster a .service_connect(namespace)";
            stack.problem(at, "calls other services, but the cluster has no Service Connect namespace", help);
        }
        let task = format!("aws_ecs_task_definition.{}", self.key);
        for (attribute, message, help) in self.container.problems() {
            stack.problem_at(&task, &attribute, message, help);
        }
    }

    /// Adds the task definition, roles, log group, security group, service and autoscaling;
    /// tasks run in the network's private subnets.
    pub fn build(self, ctx: &mut Context) -> ServiceRef {
        ctx.within("compute", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> ServiceRef {
        let k = self.key.as_str();
        let at = format!("aws_ecs_service.{k}");
        self.check(ctx, &at);
        let name = self.aws_name();
        let net = ctx.network_for(&at, self.network.as_ref());
        let key = self.cluster.key.clone();
        let prefix = self.cluster.name_literal.clone();
        let sg = match &self.security_group {
            Some(sg) => sg.clone(),
            None => SecurityGroup::new(format!("{k}_service"), format!("{prefix}-{name}"), format!("Tasks of {name}"))
                .network(&net)
                .build(ctx),
        };
        self.connections(ctx, &sg);
        let logs = LogGroup::new(format!("{k}_service"), format!("/ecs/{prefix}/{name}"))
            .retention(self.cluster.log_retention)
            .kms_key(&key)
            .build(ctx);
        let (execution, task) = self.roles(ctx, &prefix, &name, &logs.arn, &key);
        let connect = self.discoverable || !self.calls.is_empty();
        let task_def = self.task_definition(ctx, &format!("{prefix}-{name}"), &logs.name, &execution, &task);
        let strategies: Vec<Body> = match self.capacity {
            Capacity::OnDemand => {
                vec![Body::new().set("capacity_provider", "FARGATE").set("weight", 100).set("base", 1)]
            }
            Capacity::Spot => vec![Body::new().set("capacity_provider", "FARGATE_SPOT").set("weight", 100)],
            Capacity::Mixed { base, spot_weight, on_demand_weight } => vec![
                Body::new().set("capacity_provider", "FARGATE").set("weight", on_demand_weight).set("base", base),
                Body::new().set("capacity_provider", "FARGATE_SPOT").set("weight", spot_weight),
            ],
        };
        let network = Body::new()
            .set("subnets", net.private_subnets.0.clone())
            .set("security_groups", vec![sg.id.clone()])
            .set("assign_public_ip", false);
        let mut service = Resource::new("aws_ecs_service", k)
            .set("name", name.as_str())
            .set("cluster", self.cluster.arn.clone())
            .set("task_definition", task_def.arn())
            .set("desired_count", self.desired)
            .set("platform_version", "LATEST")
            .set("enable_execute_command", true)
            .set("propagate_tags", "SERVICE")
            .set("deployment_maximum_percent", self.max_percent)
            .set("deployment_minimum_healthy_percent", self.min_healthy_percent)
            .blocks("capacity_provider_strategy", strategies)
            .block("network_configuration", network)
            .block("deployment_circuit_breaker", Body::new().set("enable", true).set("rollback", true));
        let port = self.container.listens_on();
        if let (Some((alb, tg)), Some(port)) = (&self.behind, port) {
            let lb = Body::new()
                .set("target_group_arn", tg.arn.clone())
                .set("container_name", self.container.name.as_str())
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
            let scaled = Scaled {
                key: k,
                cluster: &self.cluster.name,
                service: &service_name,
                desired: self.desired,
                request_label,
            };
            scaling.build(ctx, &scaled);
        }
        ServiceRef {
            name: service_name,
            cluster_name: self.cluster.name.clone(),
            arn: service.id(),
            task_role: task,
            security_group: sg,
            task_definition: task_def,
            resource: service,
            endpoint: (self.discoverable).then(|| format!("http://{name}:{}", port.unwrap_or_default())),
            port: port.filter(|_| self.discoverable),
        }
    }

    fn task_definition(
        &self,
        ctx: &mut Context,
        family: &str,
        log_group: &Expr<String>,
        execution: &RoleRef,
        task: &RoleRef,
    ) -> Ref {
        let region = ctx.account().region;
        let definition = self.container.definition(log_group, region, self.discoverable);
        ctx.add(
            Resource::new("aws_ecs_task_definition", &self.key)
                .set("family", family)
                .set("requires_compatibilities", vec!["FARGATE"])
                .set("network_mode", "awsvpc")
                .set("cpu", self.cpu.to_string())
                .set("memory", self.memory.to_string())
                .set("execution_role_arn", execution.arn.clone())
                .set("task_role_arn", task.arn.clone())
                .set("container_definitions", jsonencode(Expression::List(vec![definition])))
                .block(
                    "runtime_platform",
                    Body::new().set("operating_system_family", "LINUX").set("cpu_architecture", "X86_64"),
                )
                .block("volume", Body::new().set("name", "tmp")),
        )
    }

    /// The security-group rules the load balancer and the services this one calls need.
    fn connections(&self, ctx: &mut Context, sg: &SecurityGroupRef) {
        let name = self.aws_name();
        if let (Some((alb, _)), Some(port)) = (&self.behind, self.container.listens_on()) {
            let lb = &alb.security_group;
            lb.allow_out(ctx, Port::tcp(port), Peer::Group(sg), &format!("Load balancer to {name}"));
            sg.allow_in(ctx, Port::tcp(port), Peer::Group(lb), &format!("{name} traffic from the load balancer"));
        }
        for callee in &self.calls {
            let Some(port) = callee.port else {
                let help = "make the called service .discoverable() and give its container a port";
                ctx.problem(format!("aws_ecs_service.{}", self.key), "calls a service that is not discoverable", help);
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
        let namespace = self.cluster.namespace.clone().unwrap_or_else(|| Expr::from(""));
        let mut config = Body::new().set("enabled", true).set("namespace", namespace);
        if let (true, Some(port)) = (self.discoverable, self.container.listens_on()) {
            let alias = Body::new().set("port", port).set("dns_name", name);
            config = config.block(
                "service",
                Body::new()
                    .set("port_name", self.container.name.as_str())
                    .set("discovery_name", name)
                    .block("client_alias", alias),
            );
        }
        config
    }

    /// The execution role (pull images, write logs, read exactly the container's secrets) and
    /// the task role (only what was granted with [`allow`](Self::allow)).
    fn roles(
        &self,
        ctx: &mut Context,
        prefix: &str,
        name: &str,
        log_arn: &Expr<String>,
        key: &KeyRef,
    ) -> (RoleRef, RoleRef) {
        let k = self.key.as_str();
        let account = *ctx.account();
        let mut statements = vec![
            Statement::allow(["ecr:GetAuthorizationToken"]).sid("EcrLogin").on("*"),
            Statement::allow(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"])
                .sid("EcrPull")
                .on(account.arn("ecr", "repository/*")),
            Statement::allow(["logs:CreateLogStream", "logs:PutLogEvents"])
                .sid("Logs")
                .on(template![log_arn.clone(), ":*"]),
        ];
        if !self.container.secrets.is_empty() {
            let read = self
                .container
                .secrets
                .iter()
                .fold(Statement::allow(["secretsmanager:GetSecretValue"]).sid("Secrets"), |s, source| {
                    s.on(source.secret.arn.clone())
                });
            statements.push(read);
            statements.push(Statement::allow(["kms:Decrypt"]).sid("SecretsKey").on(key.arn.clone()));
        }
        let tasks = "ecs-tasks.amazonaws.com";
        let execution = Role::for_service(format!("{k}_execution"), format!("{prefix}-{name}-execution"), tasks)
            .policy("execution", statements)
            .build(ctx);
        // ECS Exec needs the SSM channels; everything else the application needs is granted explicitly.
        let exec = Statement::allow([
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ])
        .sid("EcsExec")
        .on("*");
        let mut task_statements =
            vec![exec, Statement::allow(["kms:Decrypt"]).sid("ExecSessionKey").on(key.arn.clone())];
        task_statements.extend(self.task_policy.iter().cloned());
        let task = Role::for_service(format!("{k}_task"), format!("{prefix}-{name}-task"), tasks)
            .policy("task", task_statements)
            .build(ctx);
        (execution, task)
    }
}
