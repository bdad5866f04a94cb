//! The ECS cluster: Container Insights, logged and encrypted ECS Exec, Fargate and Fargate Spot
//! capacity (and EC2 capacity providers on request), and a Service Connect namespace.

use super::super::kms::KeyRef;
use super::super::logs::LogGroup;
use super::super::networking::VpcRef;
use super::super::{Context, Retention};
use super::Ec2Capacity;
use crate::prelude::*;

/// A cluster, for services to run in.
#[derive(Debug, Clone)]
pub struct ClusterRef {
    /// The cluster ARN.
    pub arn: Expr<String>,
    /// The cluster name.
    pub name: Expr<String>,
    /// The EC2 capacity providers' names, in the order they were added.
    pub ec2_providers: Vec<Expr<String>>,
    pub(super) name_literal: String,
    pub(super) log_retention: Retention,
    pub(super) namespace: Option<Expr<String>>,
    pub(super) key: KeyRef,
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
    ec2: Vec<Ec2Capacity>,
    network: Option<VpcRef>,
}

impl Cluster {
    /// Cluster `key` called `name` with `FARGATE` and `FARGATE_SPOT` capacity.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            log_retention: Retention::OneYear,
            namespace: None,
            kms_key: None,
            ec2: Vec::new(),
            network: None,
        }
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

    /// Adds EC2 capacity (an Auto Scaling group behind a capacity provider) next to Fargate.
    pub fn ec2_capacity(mut self, capacity: Ec2Capacity) -> Self {
        self.ec2.push(capacity);
        self
    }

    /// The key to encrypt exec sessions and logs with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// The network of the EC2 capacity instead of the context's.
    pub fn network(mut self, network: &VpcRef) -> Self {
        self.network = Some(network.clone());
        self
    }

    /// Adds the cluster, its capacity providers, its exec-session log group and namespace.
    pub fn build(self, ctx: &mut Context) -> ClusterRef {
        ctx.within("compute", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> ClusterRef {
        let (k, name) = (self.key.as_str(), self.name.as_str());
        let at = format!("aws_ecs_cluster.{k}");
        let key = ctx.key_for(&at, self.kms_key.as_ref());
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
        let ec2_providers: Vec<Expr<String>> = if self.ec2.is_empty() {
            Vec::new()
        } else {
            let net = ctx.network_for(&at, self.network.as_ref());
            self.ec2.iter().map(|c| c.add(ctx, name, &key, &net)).collect()
        };
        let providers: Vec<Expression> = ["FARGATE", "FARGATE_SPOT"]
            .into_iter()
            .map(Expression::from)
            .chain(ec2_providers.iter().map(Into::into))
            .collect();
        let strategy = Body::new().set("capacity_provider", "FARGATE").set("base", 1).set("weight", 100);
        ctx.add(
            Resource::new("aws_ecs_cluster_capacity_providers", k)
                .set("cluster_name", cluster.attr("name"))
                .set("capacity_providers", Expression::List(providers))
                .block("default_capacity_provider_strategy", strategy),
        );
        ClusterRef {
            arn: cluster.arn(),
            name: cluster.attr("name").typed(),
            ec2_providers,
            name_literal: self.name,
            log_retention: self.log_retention,
            namespace,
            key,
            resource: cluster,
        }
    }
}
