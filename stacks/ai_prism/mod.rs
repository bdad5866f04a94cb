//! AI-Prism (seed 001): a document-analysis platform on EKS. A 3-AZ network, an EKS cluster
//! with its web, API (Spot) and GPU node groups, Aurora PostgreSQL, and an S3 + DynamoDB state
//! backend. EKS has no component yet, so the cluster is written with the generic,
//! schema-checked builder.

mod settings;

pub use settings::{NodeGroup, Settings, settings};

use super::Env;
use crate::modules::database::Aurora;
use crate::modules::iam::{Role, RoleRef};
use crate::modules::kms::{Key, KeyRef};
use crate::modules::logs::LogGroup;
use crate::modules::networking::{SecurityGroupRef, Vpc, VpcRef};
use crate::modules::{Context, Foundation};
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "ai-prism",
    description: "AI-Prism (seed 001): EKS with web, API (Spot) and GPU node groups, Aurora PostgreSQL",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// The Kubernetes version. Seed fix: the seed pinned 1.28, which is past the end of EKS support.
const KUBERNETES_VERSION: &str = "1.32";

/// Builds the AI-Prism stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("ai-prism-{}", s.short_env);
    // Seed 001's backend: encrypted, locked state, one key per environment.
    let mut ctx =
        Foundation::new("ai-prism", env, s.account).state_key(format!("{}/terraform.tfstate", s.short_env)).build();

    let kms = Key::new("main", &name, format!("AI-Prism {} data, logs and Kubernetes secrets", env.name()))
        .for_log_groups()
        .build(&mut ctx);
    ctx.use_key(&kms);
    // Seed fix: /24 private subnets leave EKS pods (one VPC address each) about 250 addresses
    // per AZ; /20s leave 4,000.
    let net = Vpc::new("main", &name, "10.0.0.0/16", s.azs)
        .nat(s.nat)
        .database_subnets()
        .flow_log_retention(s.log_retention)
        .build(&mut ctx);
    ctx.use_network(&net);
    let cluster = eks(&mut ctx, &s, &name, &net, &kms);
    // The nodes carry the cluster security group EKS creates.
    let nodes = SecurityGroupRef::existing(
        "eks_nodes",
        cluster.attr("vpc_config").index(0).attr("cluster_security_group_id").typed(),
    );
    // Seed 001's Aurora: PostgreSQL 15, r6g.large x 3, CMK, Performance Insights, 30-day backups,
    // maintenance Sunday 04:00-05:00, instances `<cluster>-<n>`.
    let db = Aurora::new("main", &name, "15", s.db_class)
        .instances(s.db_instances)
        .database("ai_prism", "ai_prism_admin")
        .maintenance_window("sun:04:00-sun:05:00")
        .backup_retention(s.backup_retention_days)
        .deletion(s.db_deletion)
        .log_retention(s.log_retention)
        .clients(&[&nodes])
        .build(&mut ctx);
    ctx.output(Output::new("eks_cluster_name", cluster.attr("name")).description("The EKS cluster"));
    ctx.output(Output::new("database_endpoint", db.endpoint).description("Aurora writer endpoint").sensitive());
    ctx.output(Output::new("database_secret_arn", db.master_secret.arn).description("Secret with the master password"));
    ctx.finish()
}

/// The cluster (private API endpoint, all control-plane logs, secrets encrypted with the CMK)
/// and its node groups.
fn eks(ctx: &mut Context, s: &Settings, name: &str, net: &VpcRef, kms: &KeyRef) -> Ref {
    let cluster_role = Role::for_service("eks_cluster", format!("{name}-eks-cluster"), "eks.amazonaws.com")
        .without_source_check()
        .managed_policy("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
        .build(ctx);
    // EKS writes control-plane logs to this group; creating it first makes it encrypted and expiring.
    let logs = LogGroup::new("eks", format!("/aws/eks/{name}/cluster")).retention(s.log_retention).build(ctx);
    // Seed fix: the seed opened the API endpoint to 0.0.0.0/0; it is private, reached over the VPC.
    let vpc = Body::new()
        .set("subnet_ids", net.private_subnets.0.clone())
        .set("endpoint_private_access", true)
        .set("endpoint_public_access", false);
    let encryption =
        Body::new().set("resources", vec!["secrets"]).block("provider", Body::new().set("key_arn", kms.arn.clone()));
    let cluster = ctx.add(
        Resource::new("aws_eks_cluster", "main")
            .set("name", name)
            .set("version", KUBERNETES_VERSION)
            .set("role_arn", cluster_role.arn.clone())
            .set("enabled_cluster_log_types", vec!["api", "audit", "authenticator", "controllerManager", "scheduler"])
            .block("vpc_config", vpc)
            .block("encryption_config", encryption)
            .block("access_config", Body::new().set("authentication_mode", "API"))
            .depends_on(&logs.resource),
    );
    let node_role = Role::for_service("eks_nodes", format!("{name}-eks-nodes"), "ec2.amazonaws.com")
        .without_source_check()
        .managed_policy("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy")
        .managed_policy("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy")
        .managed_policy("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
        .build(ctx);
    for group in &s.node_groups {
        node_group(ctx, &cluster, &node_role, net, group);
    }
    cluster
}

fn node_group(stack: &mut Stack, cluster: &Ref, role: &RoleRef, net: &VpcRef, g: &NodeGroup) {
    let key = g.name.replace('-', "_");
    let (min, desired, max) = g.size;
    if !(min <= desired && desired <= max && max > 0) {
        stack.problem(
            format!("aws_eks_node_group.{key}"),
            format!("sizes {min}/{desired}/{max} are not min <= desired <= max"),
            "fix the node group's size in the settings",
        );
    }
    let labels: Expression = g.labels.iter().map(|(k, v)| (*k, *v)).collect();
    let taints =
        g.taint.iter().map(|(k, v, effect)| Body::new().set("key", *k).set("value", *v).set("effect", *effect));
    stack.add(
        Resource::new("aws_eks_node_group", key.as_str())
            .set("cluster_name", cluster.attr("name"))
            .set("node_group_name", g.name)
            .set("node_role_arn", role.arn.clone())
            .set("subnet_ids", net.private_subnets.0.clone())
            .set("instance_types", g.instance_types.to_vec())
            .set("capacity_type", if g.spot { "SPOT" } else { "ON_DEMAND" })
            .set("ami_type", if g.gpu { "AL2_x86_64_GPU" } else { "AL2_x86_64" })
            .set("labels", labels)
            .blocks("taint", taints)
            .block("scaling_config", Body::new().set("min_size", min).set("desired_size", desired).set("max_size", max))
            .block("update_config", Body::new().set("max_unavailable_percentage", 25))
            // The cluster autoscaler owns the count once the group exists.
            .ignore_changes(["scaling_config[0].desired_size"]),
    );
}
