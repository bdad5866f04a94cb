//! ECS on Fargate: a cluster with Container Insights and logged, encrypted ECS Exec; services
//! in private subnets with circuit-breaker rollback; least-privilege execution and task roles;
//! target-tracking autoscaling on CPU, memory, ALB requests or a custom metric.
//!
//! ```
//! use tfsynth::modules::compute::{Cluster, Container, Service};
//! use tfsynth::modules::{Account, kms, networking::{SecurityGroup, Vpc}};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut stack, &account);
//! let net = Vpc::new("demo", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut stack, &account, &key);
//! let tasks = SecurityGroup::new(&mut stack, &net.vpc_id, "tasks", "demo-tasks", "tasks");
//! let cluster = Cluster::new("demo-production").build(&mut stack, &key);
//! Service::new("worker", Container::new("worker", "public.ecr.aws/docker/library/busybox:1.36"))
//!     .build(&mut stack, &account, &cluster, &net, &key, &tasks);
//! validate(&stack)?;
//! # Ok::<(), tfsynth::Error>(())
//! ```

mod container;
mod scaling;

pub use container::{Container, HealthCheck};
pub use scaling::{Scaling, Target};

use super::iam::{Role, Statement, service_role};
use super::load_balancing::TargetGroupRef;
use super::logs::{Retention, log_group};
use super::networking::{Network, SecurityGroup};
use super::{Account, KmsKey};
use crate::prelude::*;

/// A cluster, for services to run in.
#[derive(Debug, Clone)]
pub struct ClusterRef {
    /// The cluster ARN.
    pub arn: Expr<String>,
    /// The cluster name.
    pub name: Expr<String>,
    name_literal: String,
    log_retention: Retention,
}

/// A cluster under construction.
#[derive(Debug, Clone)]
#[must_use = "a cluster does nothing until built into a stack"]
pub struct Cluster {
    name: String,
    log_retention: Retention,
}

impl Cluster {
    /// Cluster `name` with `FARGATE` and `FARGATE_SPOT` capacity.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), log_retention: Retention::OneYear }
    }

    /// How long exec-session and container logs are kept.
    pub fn log_retention(mut self, retention: Retention) -> Self {
        self.log_retention = retention;
        self
    }

    /// Adds the cluster, its capacity providers and its exec-session log group.
    pub fn build(self, stack: &mut Stack, key: &KmsKey) -> ClusterRef {
        let name = self.name.as_str();
        let exec_logs = log_group(stack, "ecs_exec", format!("/ecs/{name}/exec"), key, self.log_retention);
        let log_config =
            Body::new().set("cloud_watch_encryption_enabled", true).set("cloud_watch_log_group_name", exec_logs.name);
        let exec = Body::new()
            .set("kms_key_id", key.arn.clone())
            .set("logging", "OVERRIDE")
            .block("log_configuration", log_config);
        let cluster = stack.add(
            Resource::new("aws_ecs_cluster", "main")
                .set("name", name)
                .block("setting", Body::new().set("name", "containerInsights").set("value", "enabled"))
                .block("configuration", Body::new().block("execute_command_configuration", exec)),
        );
        let strategy = Body::new().set("capacity_provider", "FARGATE").set("base", 1).set("weight", 100);
        stack.add(
            Resource::new("aws_ecs_cluster_capacity_providers", "main")
                .set("cluster_name", cluster.attr("name"))
                .set("capacity_providers", vec!["FARGATE", "FARGATE_SPOT"])
                .block("default_capacity_provider_strategy", strategy),
        );
        ClusterRef {
            arn: cluster.arn(),
            name: cluster.attr("name").typed(),
            name_literal: self.name,
            log_retention: self.log_retention,
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
    /// The task role, for granting the application more access.
    pub task_role: Role,
}

/// A service under construction.
#[derive(Debug, Clone)]
#[must_use = "a service does nothing until built into a stack"]
pub struct Service {
    name: String,
    container: Container,
    cpu: u16,
    memory: u32,
    desired: u16,
    capacity: Capacity,
    max_percent: u16,
    min_healthy_percent: u16,
    target_group: Option<TargetGroupRef>,
    scaling: Option<Scaling>,
    task_policy: Vec<Statement>,
}

/// Whether `memory` MiB is a size Fargate offers with `cpu` units.
fn fargate_size(cpu: u16, memory: u32) -> bool {
    let gib_steps = |min: u32, max: u32| (min..=max).contains(&memory) && memory % 1024 == 0;
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
    /// Service `name` running `container`: 0.5 vCPU, 1 GiB, 2 tasks on demand, rolling 200/100.
    pub fn new(name: impl Into<String>, container: Container) -> Self {
        Self {
            name: name.into(),
            container,
            cpu: 512,
            memory: 1024,
            desired: 2,
            capacity: Capacity::OnDemand,
            max_percent: 200,
            min_healthy_percent: 100,
            target_group: None,
            scaling: None,
            task_policy: Vec::new(),
        }
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

    /// Registers the container's port with a load balancer target group.
    pub fn behind(mut self, target_group: &TargetGroupRef) -> Self {
        self.target_group = Some(target_group.clone());
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

    fn check(&self, stack: &mut Stack) {
        let at = format!("aws_ecs_service.{}", self.name);
        if !fargate_size(self.cpu, self.memory) {
            let help = "use 256/512-2048, 512/1024-4096, 1024/2048-8192, 2048/4096-16384 or 4096/8192-30720 (memory in 1 GiB steps)";
            stack.problem(&at, format!("{} CPU units with {} MiB is not a Fargate size", self.cpu, self.memory), help);
        }
        if self.min_healthy_percent > 100 || self.max_percent < 100 || self.max_percent > 400 {
            let help = "keep min healthy at most 100 and max between 100 and 400";
            stack.problem(
                &at,
                format!("deployment bounds {}/{} are not valid", self.max_percent, self.min_healthy_percent),
                help,
            );
        }
        if self.target_group.is_some() && self.container.listens_on().is_none() {
            stack.problem(
                &at,
                "attached to a target group, but the container has no port",
                "give the container a .port(..)",
            );
        }
    }

    /// Adds the task definition, roles, log group, service and autoscaling to `stack`; tasks run
    /// in the network's private subnets with `security_group`.
    pub fn build(
        self,
        stack: &mut Stack,
        account: &Account,
        cluster: &ClusterRef,
        net: &Network,
        key: &KmsKey,
        security_group: &SecurityGroup,
    ) -> ServiceRef {
        self.check(stack);
        let name = self.name.as_str();
        let key_name = name.replace('-', "_");
        let prefix = &cluster.name_literal;
        let logs =
            log_group(stack, &format!("ecs_{key_name}"), format!("/ecs/{prefix}/{name}"), key, cluster.log_retention);
        let (execution, task) = self.roles(stack, account, prefix, &key_name, &logs.arn, key);
        let definition = self.container.definition(&logs.name, account.region);
        let task_def = stack.add(
            Resource::new("aws_ecs_task_definition", key_name.as_str())
                .set("family", format!("{prefix}-{name}"))
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
        );
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
            .set("security_groups", vec![security_group.id.clone()])
            .set("assign_public_ip", false);
        let mut service = Resource::new("aws_ecs_service", key_name.as_str())
            .set("name", name)
            .set("cluster", cluster.arn.clone())
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
        if let (Some(tg), Some(port)) = (&self.target_group, self.container.listens_on()) {
            let lb = Body::new()
                .set("target_group_arn", tg.arn.clone())
                .set("container_name", self.container.name.as_str())
                .set("container_port", port);
            service = service.block("load_balancer", lb).set("health_check_grace_period_seconds", 60);
        }
        if self.scaling.is_some() {
            // The autoscaler owns the count once the service exists.
            service = service.ignore_changes(["desired_count"]);
        }
        let service = stack.add(service);
        let service_name: Expr<String> = service.attr("name").typed();
        if let Some(scaling) = &self.scaling {
            scaling.build(stack, &key_name, &cluster.name, &service_name, self.desired, self.target_group.as_ref());
        }
        ServiceRef { name: service_name, task_role: task }
    }

    /// The execution role (pull images, write logs, read exactly the container's secrets) and
    /// the task role (only what was granted with [`allow`](Self::allow)).
    fn roles(
        &self,
        stack: &mut Stack,
        account: &Account,
        prefix: &str,
        key_name: &str,
        log_arn: &Expr<String>,
        key: &KmsKey,
    ) -> (Role, Role) {
        let mut statements = vec![
            Statement::allow(["ecr:GetAuthorizationToken"]).sid("EcrLogin").on("*"),
            Statement::allow(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"])
                .sid("EcrPull")
                .on(format!("arn:aws:ecr:{}:{}:repository/*", account.region, account.id)),
            Statement::allow(["logs:CreateLogStream", "logs:PutLogEvents"])
                .sid("Logs")
                .on(template![log_arn.clone(), ":*"]),
        ];
        if !self.container.secrets.is_empty() {
            let read = self
                .container
                .secrets
                .iter()
                .fold(Statement::allow(["secretsmanager:GetSecretValue"]).sid("Secrets"), |s, (_, secret, _)| {
                    s.on(secret.arn.clone())
                });
            statements.push(read);
            statements.push(Statement::allow(["kms:Decrypt"]).sid("SecretsKey").on(key.arn.clone()));
        }
        let name = &self.name;
        let tasks = "ecs-tasks.amazonaws.com";
        let execution = service_role(
            stack,
            &format!("{key_name}_execution"),
            format!("{prefix}-{name}-execution"),
            tasks,
            account,
            vec![("execution", statements)],
        );
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
        let task = service_role(
            stack,
            &format!("{key_name}_task"),
            format!("{prefix}-{name}-task"),
            tasks,
            account,
            vec![("task", task_statements)],
        );
        (execution, task)
    }
}
