//! Lambda functions: X-Ray tracing on, environment encrypted with the customer key, a log group
//! of their own (encrypted, expiring), an encrypted dead-letter queue for failed asynchronous
//! invocations, a bounded concurrency, private subnets when the stack has a network, and a role
//! that may write only its own logs and queue plus what it is granted. Whoever invokes a
//! function gets a permission naming exactly that caller ([`FunctionRef::allow_invoke`]).
//!
//! ```
//! use tfsynth::modules::functions::{Code, Function};
//! use tfsynth::modules::iam::Statement;
//! use tfsynth::modules::{Account, Context, kms};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "development"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().for_service("sqs.amazonaws.com").build(&mut ctx);
//! ctx.use_key(&key);
//! let code = Code::S3 { bucket: "demo-artifacts".into(), key: "shutdown.zip".into() };
//! let f = Function::new("shutdown", "demo-dev-auto-shutdown", "python3.11", "index.handler", code)
//!     .env("SHUTDOWN_TIME", "19:00")
//!     .allow(Statement::allow(["ecs:UpdateService"]).on("*"))
//!     .outside_vpc("it calls the ECS API only")
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert_eq!(render_expression(f.arn.expression()), "aws_lambda_function.shutdown.arn");
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::environment::{EnvValue, credential_problem};
use super::iam::{Role, RoleRef, Statement};
use super::kms::KeyRef;
use super::logs::LogGroup;
use super::networking::{Peer, Port, SecurityGroup, VpcRef};
use super::{Context, Retention};
use crate::prelude::*;

/// Where a function's code comes from.
#[derive(Debug, Clone)]
pub enum Code {
    /// A zip archive in S3, uploaded by the pipeline.
    S3 {
        /// The bucket.
        bucket: Expr<String>,
        /// The object key.
        key: String,
    },
    /// A container image in ECR.
    Image(Expr<String>),
}

/// A function, for schedules and other callers.
#[derive(Debug, Clone)]
pub struct FunctionRef {
    /// The function ARN.
    pub arn: Expr<String>,
    /// The function name.
    pub name: Expr<String>,
    /// The execution role, for granting more access.
    pub role: RoleRef,
    /// The function itself.
    pub resource: Ref,
    key: String,
}

impl FunctionRef {
    /// Lets `principal` (a service such as `events.amazonaws.com`) invoke the function when
    /// acting for `source_arn` only; `label` names the permission.
    pub fn allow_invoke(&self, stack: &mut Context, label: &str, principal: &str, source_arn: Expr<String>) -> Ref {
        let permission = Resource::new("aws_lambda_permission", format!("{}_{label}", self.key))
            .set("statement_id", format!("Allow{}", label.replace(['_', '-'], "")))
            .set("action", "lambda:InvokeFunction")
            .set("function_name", self.name.clone())
            .set("principal", principal)
            .set("source_arn", source_arn);
        stack.within("functions", |ctx| ctx.add(permission))
    }
}

/// A function under construction.
#[derive(Debug, Clone)]
#[must_use = "a function does nothing until built into a stack"]
pub struct Function {
    key: String,
    name: String,
    runtime: String,
    handler: String,
    code: Code,
    memory: u16,
    timeout: u16,
    concurrency: u16,
    environment: Vec<(String, Expression)>,
    policy: Vec<Statement>,
    log_retention: Retention,
    network: Option<VpcRef>,
    outside_vpc: Option<&'static str>,
    signing: Option<&'static str>,
    kms_key: Option<KeyRef>,
}

impl Function {
    /// Function `key` called `name` running `handler` on `runtime` (e.g. `python3.11`) from
    /// `code`: 128 MB, 30 s, at most 5 at once.
    pub fn new(
        key: impl Into<String>,
        name: impl Into<String>,
        runtime: impl Into<String>,
        handler: impl Into<String>,
        code: Code,
    ) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            runtime: runtime.into(),
            handler: handler.into(),
            code,
            memory: 128,
            timeout: 30,
            concurrency: 5,
            environment: Vec::new(),
            policy: Vec::new(),
            log_retention: Retention::OneYear,
            network: None,
            outside_vpc: None,
            signing: None,
            kms_key: None,
        }
    }

    /// Memory in MB (128-10240).
    pub fn memory(mut self, mb: u16) -> Self {
        self.memory = mb;
        self
    }

    /// Seconds before a run is stopped (1-900).
    pub fn timeout(mut self, seconds: u16) -> Self {
        self.timeout = seconds;
        self
    }

    /// Runs at most `n` at once (reserved concurrency).
    pub fn concurrency(mut self, n: u16) -> Self {
        self.concurrency = n;
        self
    }

    /// An environment variable. Credentials belong in Secrets Manager, read by the code.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<EnvValue>) -> Self {
        self.environment.push((name.into(), value.into().into()));
        self
    }

    /// Grants the function more access.
    pub fn allow(mut self, statement: Statement) -> Self {
        self.policy.push(statement);
        self
    }

    /// How long the function's logs are kept.
    pub fn log_retention(mut self, retention: Retention) -> Self {
        self.log_retention = retention;
        self
    }

    /// The network whose private subnets the function runs in instead of the context's.
    pub fn network(mut self, network: &VpcRef) -> Self {
        self.network = Some(network.clone());
        self
    }

    /// Runs outside any VPC, with the reason (it reaches AWS APIs only).
    pub fn outside_vpc(mut self, reason: &'static str) -> Self {
        self.outside_vpc = Some(reason);
        self
    }

    /// How the code's integrity is assured without Lambda code signing, with the reason.
    pub fn unsigned(mut self, reason: &'static str) -> Self {
        self.signing = Some(reason);
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    fn check(&self, stack: &mut Context, at: &str) {
        if !(128..=10_240).contains(&self.memory) {
            stack.problem_at(at, "memory_size", format!("{} MB of memory", self.memory), "use 128-10240 MB");
        }
        if !(1..=900).contains(&self.timeout) {
            stack.problem_at(at, "timeout", format!("a timeout of {} s", self.timeout), "use 1-900 s");
        }
        if self.concurrency == 0 {
            stack.problem_at(at, "reserved_concurrent_executions", "a concurrency of 0 never runs", "allow at least 1");
        }
        let use_secret =
            "keep it in Secrets Manager and read it in the function (grant secretsmanager:GetSecretValue with .allow)";
        for (name, value) in &self.environment {
            if let Some((message, help)) = credential_problem(name, value, use_secret) {
                stack.problem_at(at, &format!("environment.variables.{name}"), message, help);
            }
        }
    }

    /// Adds the function, its role, log group and dead-letter queue.
    pub fn build(self, ctx: &mut Context) -> FunctionRef {
        ctx.within("functions", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> FunctionRef {
        let (k, name) = (self.key.as_str(), self.name.as_str());
        let at = format!("aws_lambda_function.{k}");
        self.check(ctx, &at);
        let key = ctx.key_for(&at, self.kms_key.as_ref());
        let logs = LogGroup::new(format!("{k}_function"), format!("/aws/lambda/{name}"))
            .retention(self.log_retention)
            .kms_key(&key)
            .build(ctx);
        let dlq = ctx.add(
            Resource::new("aws_sqs_queue", format!("{k}_dead_letters"))
                .set("name", format!("{name}-dead-letters"))
                .set("kms_master_key_id", key.arn.clone())
                .set("message_retention_seconds", 1_209_600),
        );
        let network = match self.outside_vpc {
            Some(_) => None,
            None => Some(ctx.network_for(&at, self.network.as_ref())),
        };
        let mut role = Role::for_service(format!("{k}_function"), format!("{name}-function"), "lambda.amazonaws.com")
            .policy(
                "function",
                [
                    Statement::allow(["logs:CreateLogStream", "logs:PutLogEvents"])
                        .sid("Logs")
                        .on(template![logs.arn.clone(), ":*"]),
                    Statement::allow(["sqs:SendMessage"]).sid("DeadLetters").on(dlq.arn()),
                    Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"]).sid("Key").on(key.arn.clone()),
                    Statement::allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]).sid("Tracing").on("*"),
                ]
                .into_iter()
                .chain(self.policy.iter().cloned())
                .collect(),
            );
        if network.is_some() {
            // AWS defines what a function needs to attach to a VPC (network interfaces).
            role = role.managed_policy("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");
        }
        let role = role.build(ctx);
        let mut function = Resource::new("aws_lambda_function", k)
            .set("function_name", name)
            .set("role", role.arn.clone())
            .set("memory_size", self.memory)
            .set("timeout", self.timeout)
            .set("reserved_concurrent_executions", self.concurrency)
            .set("kms_key_arn", key.arn.clone())
            .block("tracing_config", Body::new().set("mode", "Active"))
            .block("dead_letter_config", Body::new().set("target_arn", dlq.arn()))
            // The group exists, encrypted and expiring, before the function writes to it.
            .depends_on(&logs.resource);
        function = match &self.code {
            Code::S3 { bucket, key } => function
                .set("runtime", self.runtime.as_str())
                .set("handler", self.handler.as_str())
                .set("s3_bucket", bucket.clone())
                .set("s3_key", key.as_str()),
            Code::Image(uri) => function.set("package_type", "Image").set("image_uri", uri.clone()),
        };
        if !self.environment.is_empty() {
            let variables: Expression = self.environment.iter().cloned().collect();
            function = function.block("environment", Body::new().set("variables", variables));
        }
        if let Some(net) = &network {
            let sg =
                SecurityGroup::new(format!("{k}_function"), format!("{name}-function"), format!("Function {name}"))
                    .network(net)
                    .build(ctx);
            sg.allow_out(ctx, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs");
            let vpc =
                Body::new().set("subnet_ids", net.private_subnets.0.clone()).set("security_group_ids", vec![sg.id]);
            function = function.block("vpc_config", vpc);
        }
        if let Some(reason) = self.outside_vpc {
            function = function.skip_check("CKV_AWS_117", reason);
        }
        function = function.skip_check(
            "CKV_AWS_272",
            self.signing
                .unwrap_or("the pipeline builds the artifact from reviewed code and uploads it to a private bucket"),
        );
        let function = ctx.add(function);
        FunctionRef {
            arn: function.arn(),
            name: function.attr("function_name").typed(),
            role,
            resource: function,
            key: self.key,
        }
    }
}
