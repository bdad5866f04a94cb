//! Takeoff (seed 002): the construction take-off platform. For now its networking layer,
//! written with the generic, schema-checked builder: VPC, public and private subnets carved
//! with `cidrsubnet`, internet gateway, NAT, route tables and the security groups chained
//! ALB -> ECS -> `PostgreSQL` / Redis.

mod network;
mod security;
mod settings;

pub use settings::{NatGateways, Settings, settings};

use super::Env;
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "takeoff",
    description: "Takeoff platform (seed 002): VPC, subnets, NAT, routing, security groups",
    build,
};

/// Builds the takeoff stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let mut stack = Stack::new("takeoff", env.name());
    let tf = stack.terraform();
    tf.required_version = Some(">= 1.5.0".into());
    let aws = RequiredProvider {
        source: "hashicorp/aws".into(),
        version: "~> 5.100".into(),
    };
    tf.required_providers.insert("aws".into(), aws);
    let key = format!("{}/terraform.tfstate", env.name());
    tf.backend =
        Some(S3Backend::new("takeoff-terraform-state", key, "us-east-1").lock_table("takeoff-terraform-locks"));
    stack.provider(Provider::aws("us-east-1").default_tags([
        ("Project", "takeoff"),
        ("Environment", env.name()),
        ("ManagedBy", "terraform"),
    ]));

    let prefix = stack
        .local("name_prefix", format!("takeoff-{}", env.name()))
        .typed::<String>();
    let net = network::build(&mut stack, &s, &prefix);
    let groups = security::build(&mut stack, env, &net.vpc, &prefix);

    stack.output(Output::new("vpc_id", net.vpc.id()).description("The VPC id"));
    stack.output(Output::new("public_subnet_ids", net.public.all("id")).description("Public subnet ids, one per AZ"));
    stack
        .output(Output::new("private_subnet_ids", net.private.all("id")).description("Private subnet ids, one per AZ"));
    for (tier, group) in groups.by_tier() {
        let output = Output::new(format!("{tier}_security_group_id"), group.id());
        stack.output(output.description(format!("Security group of the {tier} tier")));
    }
    stack
}

/// `{ Name = "<prefix><suffix>" }` plus extra literal tags.
fn name_tags(prefix: &Expr<String>, suffix: impl IntoTemplatePart, extra: &[(&str, &str)]) -> Expression {
    let name = ("Name".to_owned(), Expression::from(template![prefix, suffix]));
    let extra = extra.iter().map(|(k, v)| ((*k).to_owned(), Expression::from(*v)));
    std::iter::once(name).chain(extra).collect()
}
