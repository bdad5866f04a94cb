//! Task definitions: the containers, the execution role that may pull their images, write their
//! logs and read exactly their secrets, and the task role that holds only what the application
//! is granted. A task definition on its own is a one-off job (database migrations, run with
//! `aws ecs run-task`); a [`Service`](super::Service) keeps one running.

use std::borrow::Cow;

use super::super::Context;
use super::super::iam::{Role, RoleRef, Statement};
use super::super::kms::KeyRef;
use super::super::logs::{LogGroup, LogGroupRef};
use super::super::secrets::Store;
use super::{ClusterRef, Container};
use crate::prelude::*;

/// The AWS X-Ray daemon, as a sidecar that receives traces on UDP 2000.
const XRAY_IMAGE: &str = "public.ecr.aws/xray/aws-xray-daemon:3.3.14";

/// A task definition, for services and for one-off runs.
#[derive(Debug, Clone)]
pub struct TaskRef {
    /// The task definition ARN (with its revision).
    pub arn: Expr<String>,
    /// The family, what `aws ecs run-task --task-definition` takes.
    pub family: Expr<String>,
    /// The task role, for granting the application more access.
    pub task_role: RoleRef,
    /// The execution role ECS uses to start the task.
    pub execution_role: RoleRef,
    /// Where the containers log.
    pub log_group: LogGroupRef,
    /// The task definition itself.
    pub resource: Ref,
}

/// A task definition under construction.
#[derive(Debug, Clone)]
#[must_use = "a task definition does nothing until built into a stack"]
pub struct Task {
    pub(super) key: String,
    pub(super) cluster: ClusterRef,
    pub(super) container: Container,
    sidecars: Vec<Container>,
    cpu: u16,
    memory: u32,
    policy: Vec<Statement>,
    pub(super) family: Option<String>,
    pub(super) log_group: Option<String>,
    role_names: Option<(String, String)>,
    xray: bool,
    storage_gib: u8,
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

impl Task {
    /// Task definition `key` for `cluster` running `container`: 0.5 vCPU and 1 GiB on Fargate,
    /// family `<cluster>-<key>`.
    pub fn new(key: impl Into<String>, cluster: &ClusterRef, container: Container) -> Self {
        Self {
            key: key.into(),
            cluster: cluster.clone(),
            container,
            sidecars: Vec::new(),
            cpu: 512,
            memory: 1024,
            policy: Vec::new(),
            family: None,
            log_group: None,
            role_names: None,
            xray: false,
            storage_gib: 20,
        }
    }

    /// Task size: CPU units (256-4096) and memory in MiB.
    pub fn size(mut self, cpu: u16, memory: u32) -> Self {
        self.cpu = cpu;
        self.memory = memory;
        self
    }

    /// Ephemeral storage in GiB (20-200; Fargate gives 20 unless asked for more).
    pub fn storage(mut self, gib: u8) -> Self {
        self.storage_gib = gib;
        self
    }

    /// Grants the application (task role) more access.
    pub fn allow(mut self, statement: Statement) -> Self {
        self.policy.push(statement);
        self
    }

    /// Another container in the task, next to the main one.
    pub fn sidecar(mut self, container: Container) -> Self {
        self.sidecars.push(container);
        self
    }

    /// Traces requests with AWS X-Ray: a daemon sidecar and the permission to send segments.
    pub fn xray(mut self) -> Self {
        self.xray = true;
        self
    }

    /// The family name (default `<cluster>-<key>`).
    pub fn family(mut self, family: impl Into<String>) -> Self {
        self.family = Some(family.into());
        self
    }

    /// The log group's name (default `/ecs/<cluster>/<key>`).
    pub fn log_group(mut self, name: impl Into<String>) -> Self {
        self.log_group = Some(name.into());
        self
    }

    /// The task and execution roles' names (default `<family>-task` and `<family>-execution`).
    pub fn role_names(mut self, task: impl Into<String>, execution: impl Into<String>) -> Self {
        self.role_names = Some((task.into(), execution.into()));
        self
    }

    /// The containers: the main one, then the sidecars (the X-Ray daemon last).
    fn containers(&self) -> impl Iterator<Item = Cow<'_, Container>> {
        let xray =
            self.xray.then(|| Cow::Owned(Container::new("xray-daemon", XRAY_IMAGE).essential(false).user("65534")));
        std::iter::once(&self.container).chain(&self.sidecars).map(Cow::Borrowed).chain(xray)
    }

    pub(super) fn check(&self, stack: &mut Context) {
        let task = format!("aws_ecs_task_definition.{}", self.key);
        if !fargate_size(self.cpu, self.memory) {
            let help = "use 256/512-2048, 512/1024-4096, 1024/2048-8192, 2048/4096-16384 or 4096/8192-30720 (memory in 1 GiB steps)";
            let message = format!("{} CPU units with {} MiB is not a Fargate size", self.cpu, self.memory);
            stack.problem_at(&task, "cpu", message, help);
        }
        if !(20..=200).contains(&self.storage_gib) {
            let message = format!("{} GiB of ephemeral storage", self.storage_gib);
            stack.problem_at(
                &task,
                "ephemeral_storage.size_in_gib",
                message,
                "use 20-200 GiB (20 is what Fargate gives anyway)",
            );
        }
        for container in self.containers() {
            for (attribute, message, help) in container.problems() {
                stack.problem_at(&task, &attribute, message, help);
            }
        }
    }

    /// Adds the task definition, its roles and log group.
    pub fn build(self, ctx: &mut Context) -> TaskRef {
        ctx.within("compute", |ctx| {
            self.check(ctx);
            self.add(ctx, false, false)
        })
    }

    /// The default family and name stem: `<cluster>-<key>` with hyphens.
    pub(super) fn default_family(&self, name: &str) -> String {
        format!("{}-{name}", self.cluster.name_literal)
    }

    /// Adds the task definition; `connect` names the main port for Service Connect, `ec2` lets
    /// it run on EC2 capacity too.
    pub(super) fn add(&self, ctx: &mut Context, connect: bool, ec2: bool) -> TaskRef {
        let name = self.key.replace('_', "-");
        let family = self.family.clone().unwrap_or_else(|| self.default_family(&name));
        let key = self.cluster.key.clone();
        let log_name = self.log_group.clone().unwrap_or_else(|| format!("/ecs/{}/{name}", self.cluster.name_literal));
        let logs = LogGroup::new(format!("{}_service", self.key), log_name)
            .retention(self.cluster.log_retention)
            .kms_key(&key)
            .build(ctx);
        let (execution, task) = self.roles(ctx, &family, &logs.arn, &key);
        let region = ctx.account().region;
        let definitions: Vec<Expression> =
            self.containers().enumerate().map(|(i, c)| c.definition(&logs.name, region, connect && i == 0)).collect();
        let definition = ctx.add(
            Resource::new("aws_ecs_task_definition", &self.key)
                .set("family", family.as_str())
                .set("requires_compatibilities", if ec2 { vec!["EC2", "FARGATE"] } else { vec!["FARGATE"] })
                .set("network_mode", "awsvpc")
                .set("cpu", self.cpu.to_string())
                .set("memory", self.memory.to_string())
                .set("execution_role_arn", execution.arn.clone())
                .set("task_role_arn", task.arn.clone())
                .set("container_definitions", jsonencode(Expression::List(definitions)))
                .block(
                    "runtime_platform",
                    Body::new().set("operating_system_family", "LINUX").set("cpu_architecture", "X86_64"),
                )
                .block("volume", Body::new().set("name", "tmp"))
                .blocks(
                    "ephemeral_storage",
                    (self.storage_gib > 20).then(|| Body::new().set("size_in_gib", self.storage_gib)),
                ),
        );
        TaskRef {
            arn: definition.arn(),
            family: definition.attr("family").typed(),
            task_role: task,
            execution_role: execution,
            log_group: logs,
            resource: definition,
        }
    }

    /// The execution role (pull images, write logs, read exactly the containers' secrets) and
    /// the task role (only what was granted with [`allow`](Self::allow)).
    fn roles(&self, ctx: &mut Context, family: &str, log_arn: &Expr<String>, key: &KeyRef) -> (RoleRef, RoleRef) {
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
        let secrets: Vec<_> = self.containers().flat_map(|c| c.secrets.clone()).collect();
        for (store, sid, actions) in [
            (Store::SecretsManager, "Secrets", &["secretsmanager:GetSecretValue"][..]),
            (Store::ParameterStore, "Parameters", &["ssm:GetParameters"][..]),
        ] {
            let read: Vec<_> = secrets.iter().filter(|s| s.secret.store == store).collect();
            if !read.is_empty() {
                let statement = read.iter().fold(Statement::allow(actions.iter().copied()).sid(sid), |s, source| {
                    s.on(source.secret.arn.clone())
                });
                statements.push(statement);
            }
        }
        if !secrets.is_empty() {
            statements.push(Statement::allow(["kms:Decrypt"]).sid("SecretsKey").on(key.arn.clone()));
        }
        let (task_name, execution_name) =
            self.role_names.clone().unwrap_or_else(|| (format!("{family}-task"), format!("{family}-execution")));
        let tasks = "ecs-tasks.amazonaws.com";
        let execution = Role::for_service(format!("{k}_execution"), execution_name, tasks)
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
        if self.xray {
            let actions = [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
            ];
            task_statements.push(Statement::allow(actions).sid("XRay").on("*"));
        }
        task_statements.extend(self.policy.iter().cloned());
        let task = Role::for_service(format!("{k}_task"), task_name, tasks).policy("task", task_statements).build(ctx);
        (execution, task)
    }
}
