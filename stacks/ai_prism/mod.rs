//! AI-Prism (seed 001): a document-analysis platform on EKS. A 3-AZ network, an EKS cluster
//! with its web, API (Spot) and GPU node groups, Aurora PostgreSQL, ElastiCache Redis, an
//! internet-facing ALB behind WAF, and an encrypted, locked S3 state backend. EKS has no
//! component yet, so the cluster is written with the generic, schema-checked builder.
//!
//! | Seed 001 element | Where it is | Fix, and why |
//! |---|---|---|
//! | `default_tags` Environment / Project / Terraform=true (L180-186) | [`Foundation`] tags | `ManagedBy` is not in the seed; `Terraform = "true"` is kept |
//! | S3 + DynamoDB backend (L140-160) | [`Foundation`] | Seed fix: S3-native locking (`use_lockfile`) replaces the DynamoDB table Terraform 1.11 deprecates |
//! | VPC, 3 AZs, private /24s (L165-188) | `Vpc::new("main", …)` | Seed fix: /20 private subnets; EKS pods take one VPC address each |
//! | EKS 1.28, public endpoint 0.0.0.0/0 (L189-215) | `eks()` | Seed fix: 1.32 (1.28 is past EKS support); private endpoint only |
//! | node groups web / api (Spot) / ai-processing (GPU, taint) with sizes (L208-292) | `settings::node_groups` | tags `Tier` and `GPU = true` on the GPU group as in the seed; the CDK half's extra `node-type` label is not repeated |
//! | Aurora PostgreSQL 15.3, r6g.large × 3, backup 30 days 03:00-04:00, log export, 1-minute monitoring (L1388-1411) | `Aurora::new("main", …)` | Seed fix: master user `ai_prism_admin` instead of `postgres` (a reserved, well-known name is the first one an attacker tries); the password generated and written write-only (bump `credentials_version` to rotate); 15 tracks the newest 15.x minor |
//! | Aurora maintenance window (not given) | Sunday 04:00-05:00 | after the 03:00-04:00 backup window |
//! | Redis 3 × cache.r6g.large, 7.0, encrypted, Multi-AZ, failover, 7-day snapshots 03:00-05:00 (L1414-1435) | `Redis::new("main", …)` | Seed fix: 7.1, the same major with a year of fixes; its security group admits the EKS nodes only; development runs one small node |
//! | ALB `ai-prism-alb`, internet-facing (L1437-1441) | `Alb::new("main", …)` | Seed fix: HTTPS with a DNS-validated certificate and HTTP→HTTPS redirect; the seed gave no listener at all. Targets are the web tier's pods (IP targets registered by the AWS Load Balancer Controller) |
//! | WAF: RateLimitRule 2000 block + Common rule set (L1443-1480) | `WebAcl::new("main", …)` | Seed fix: the seed never associated the ACL with anything; here it protects the ALB, logs to an encrypted group, and adds AWS's known-bad-inputs, SQLi, IP-reputation and anonymous-IP groups |
//! | aws-auth: `ai-prism-admin-role` → `system:masters` (L289-297) | `aws_eks_access_entry.admin` | Seed fix: an EKS access entry with the cluster-admin access policy, the API-mode form of the same grant |
//! | Secrets Manager `ai-prism/database/credentials`, `ai-prism/bedrock/api_key` (L2127-L2183) | `Secret`s | the database password is generated and written write-only to the cluster and the secret (username, password, host) |
//! | Secrets Manager `ai-prism/aws/credentials` (L2160-L2175) | not created | Seed fix: the API's pods get an IAM role through EKS Pod Identity (ai-prism-operators); access keys in a secret never expire and work from anywhere |
//! | VPN gateway on (L177) | `Vpc::vpn_gateway(64512)` | its routes propagate into the private route tables, so a VPN attached later reaches the cluster |
//! | Parameter Store hierarchy `/ai-prism/<env>/`, read recursively with decryption (L2030-L2085) | `Parameter`s `database/host`, `redis/endpoint` | SecureStrings under the stack's key; the API's pod role may read the path (ai-prism-operators) |
//! | hosts `ai-prism.com`, `api.ai-prism.com`, `staging.ai-prism.com` (L786, L855, L955) | `AliasRecord`s | `example.com` names; production serves the apex and `api.`, staging `staging.`, development `dev.`, all on one certificate per environment |
//! | the Integration/Testing tier (L900-L906) | not built | the seed's CI runs the integration tests against service containers (L656-L705); tfsynth's environments are one type shared by every stack and its pipeline's promotion order, and a fourth would be a cluster, database and cache nobody deploys to |
//! | ECR with vulnerability scanning (L3114) | `Repository::new("api", "ai-prism-api")` | immutable tags, scan on push, KMS |
//! | outputs EKSClusterName, DatabaseEndpoint, RedisEndpoint (L1484-1500) | outputs `eks_cluster_name`, `database_endpoint` (sensitive), `redis_endpoint` | Terraform output names are snake case |

mod settings;

pub use settings::{NodeGroup, Settings, settings};

use super::Env;
use tfsynth::modules::cache::Redis;
use tfsynth::modules::container_registry::Repository;
use tfsynth::modules::database::Aurora;
use tfsynth::modules::dns::{AliasRecord, Certificate};
use tfsynth::modules::firewall::WebAcl;
use tfsynth::modules::iam::{Role, RoleRef};
use tfsynth::modules::kms::{Key, KeyRef};
use tfsynth::modules::load_balancing::{Alb, TargetGroup};
use tfsynth::modules::logs::LogGroup;
use tfsynth::modules::networking::{Peer, Port, SecurityGroupRef, Vpc, VpcRef};
use tfsynth::modules::secrets::{Parameter, Password, Rotation, Secret};
use tfsynth::modules::{Context, Foundation};
use tfsynth::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "ai-prism",
    description: "AI-Prism (seed 001): EKS with web, API (Spot) and GPU node groups, Aurora PostgreSQL, Redis, ALB + WAF",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// The EKS cluster's name, for the stacks that deploy onto it.
pub const CLUSTER_NAME: Export<String> = Export::new("ai-prism", "eks_cluster_name");
/// The cluster's API endpoint.
pub const CLUSTER_ENDPOINT: Export<String> = Export::new("ai-prism", "eks_cluster_endpoint");
/// The cluster's certificate authority, base64-encoded as EKS reports it.
pub const CLUSTER_CA: Export<String> = Export::new("ai-prism", "eks_cluster_ca_base64");
/// The customer key the secrets and parameters are encrypted with: whoever reads them needs
/// `kms:Decrypt` on it.
pub const KMS_KEY_ARN: Export<String> = Export::new("ai-prism", "kms_key_arn");

/// The Parameter Store path the application reads its configuration from, recursively
/// (seed L2030-L2085): `/ai-prism/<env>/`.
pub fn parameter_path(s: &Settings) -> String {
    format!("/ai-prism/{}/", s.short_env)
}

/// A stack `name` that deploys onto the cluster of `env`: AI-Prism's account and tags, its
/// state under `<env>/<state>.tfstate`, and the cluster connected (see [`connect`]). Returns
/// the context, the settings and the cluster's name.
pub fn on_cluster(name: &'static str, state: &str, env: Env) -> (Context, Settings, Expr<String>) {
    let s = settings(env);
    let mut ctx = Foundation::new(name, env, s.account)
        .state_key(format!("{}/{state}.tfstate", s.short_env))
        .tag("Terraform", "true")
        .build();
    let cluster = connect(&mut ctx);
    (ctx, s, cluster)
}

/// Connects a consumer to the cluster: imports it and configures the `kubernetes` and `helm`
/// providers with a token `aws eks get-token` issues on each run. Returns the cluster's name.
pub fn connect(ctx: &mut Context) -> Expr<String> {
    let name = ctx.import(CLUSTER_NAME);
    let endpoint = ctx.import(CLUSTER_ENDPOINT);
    let ca = ctx.import(CLUSTER_CA);
    ctx.provider(Provider::kubernetes_for_eks(endpoint.clone(), ca.clone(), name.clone()));
    ctx.provider(Provider::helm_for_eks(endpoint, ca, name.clone()));
    name
}

/// The Kubernetes version. Seed fix: the seed pinned 1.28, which is past the end of EKS support.
const KUBERNETES_VERSION: &str = "1.32";

/// Builds the AI-Prism stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("ai-prism-{}", s.short_env);
    // Seed 001's backend: encrypted, locked state, one key per environment.
    let mut ctx = Foundation::new("ai-prism", env, s.account)
        .state_key(format!("{}/terraform.tfstate", s.short_env))
        .tag("Terraform", "true")
        .build();

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
        // Seed L177 turns the VPN gateway on; AWS's default Amazon-side ASN.
        .vpn_gateway(64512)
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
    // Generated on each run and written write-only, to the cluster and to the credentials
    // secret External Secrets reads (seed L2127-L2150), so it is in neither the configuration
    // nor the state.
    let db_password = Password::new("db", 32).without_special().build(&mut ctx);
    let db = Aurora::new("main", &name, "15", s.db_class)
        .generated_password(&db_password, s.credentials_version)
        .instances(s.db_instances)
        .database("ai_prism", "ai_prism_admin")
        .maintenance_window("sun:04:00-sun:05:00")
        .backup_retention(s.backup_retention_days)
        .deletion(s.db_deletion)
        .log_retention(s.log_retention)
        .clients(&[&nodes])
        .build(&mut ctx);
    // Seed fix: Redis 7.1 (the component's default) rather than the seed's 7.0: the same
    // major version with a year of fixes, and ElastiCache upgrades a minor version in place.
    let redis = Redis::new("main", &name, s.redis_node)
        .description("AI-Prism Redis cluster")
        .availability(s.redis_availability)
        .snapshot_retention(7)
        .snapshot_window("03:00-05:00")
        .log_retention(s.log_retention)
        .clients(&[&nodes])
        .build(&mut ctx);
    Secret::new("database_credentials", "ai-prism/database/credentials")
        .description("AI-Prism database credentials, read by External Secrets")
        .write_only_json(
            &[("username", "ai_prism_admin".into()), ("password", db_password.value), ("host", db.address.clone())],
            s.credentials_version,
        )
        .build(&mut ctx);
    // Seed fix: no `ai-prism/aws/credentials` access keys; the API's pods get a role through
    // EKS Pod Identity (ai-prism-operators): keys in a secret never expire on their own and
    // work from anywhere, a pod's role is temporary and tied to the pod.
    Secret::new("bedrock_api_key", "ai-prism/bedrock/api_key")
        .description("Amazon Bedrock API key, read by External Secrets")
        .rotation(Rotation::AtSource("issued in the Bedrock console; rotated there"))
        .build(&mut ctx);
    // Seed L2030-L2085: the application reads `/ai-prism/<env>/` recursively, with decryption.
    let path = parameter_path(&s);
    let config = [
        ("database_host", "database/host", db.address.clone()),
        ("redis_endpoint", "redis/endpoint", redis.primary_endpoint.clone()),
    ];
    for (key, leaf, value) in config {
        Parameter::new(key, format!("{path}{leaf}"), value).description("AI-Prism configuration").build(&mut ctx);
    }
    // Seed L3114: images in ECR, scanned on push.
    Repository::new("api", "ai-prism-api").build(&mut ctx);
    edge(&mut ctx, &s, &nodes);
    ctx.export(CLUSTER_NAME, cluster.attr("name").typed(), "EKS Cluster Name");
    ctx.export(
        CLUSTER_ENDPOINT,
        cluster.attr("endpoint").typed(),
        "The cluster's API endpoint, for ai-prism-operators and ai-prism-workloads",
    );
    ctx.export(
        CLUSTER_CA,
        cluster.attr("certificate_authority").index(0).attr("data").typed(),
        "The cluster's certificate authority (base64)",
    );
    ctx.export(KMS_KEY_ARN, kms.arn.clone(), "The key AI-Prism's secrets and parameters are encrypted with");
    ctx.output(Output::new("database_endpoint", db.endpoint).description("RDS Cluster Endpoint").sensitive());
    ctx.output(Output::new("database_secret_arn", db.master_secret.arn).description("Secret with the master password"));
    ctx.output(Output::new("redis_endpoint", redis.primary_endpoint).description("Redis Cluster Endpoint"));
    ctx.finish()
}

/// The public entrance: `ai-prism-alb` over HTTPS, forwarding to the web tier's pods, behind
/// the seed's web ACL.
fn edge(ctx: &mut Context, s: &Settings, nodes: &SecurityGroupRef) {
    let certificate = Certificate::new("main", s.domain, &s.zone).alternative_names(s.aliases).build(ctx);
    // IP targets: the AWS Load Balancer Controller registers the web pods with this group.
    let web =
        TargetGroup::new("web", format!("ai-prism-{}-web", s.short_env), WEB_PORT).health_path("/health").build(ctx);
    let alb = Alb::new("main", s.alb_name, certificate.arn).deletion(s.db_deletion).default_target(&web).build(ctx);
    alb.security_group.allow_out(ctx, Port::tcp(WEB_PORT), Peer::Group(nodes), "to the web pods");
    nodes.allow_in(ctx, Port::tcp(WEB_PORT), Peer::Group(&alb.security_group), "from the load balancer");
    WebAcl::new("main", format!("ai-prism-{}-waf", s.short_env))
        .rate_rule_name("RateLimitRule")
        .protect(&alb)
        .build(ctx);
    AliasRecord::new("main", &s.zone, s.domain).target(&alb).build(ctx);
    for host in s.aliases {
        let key = host.split('.').next().unwrap_or(host);
        AliasRecord::new(key, &s.zone, *host).target(&alb).build(ctx);
    }
}

/// The port the web tier's pods serve on.
const WEB_PORT: u16 = 8080;

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
    // Seed L289-L297 maps ai-prism-admin-role to system:masters in the aws-auth ConfigMap; the
    // cluster authenticates through the EKS API (`authentication_mode = "API"`), where an
    // access entry with the cluster-admin access policy is the same grant.
    let admin = format!("arn:aws:iam::{}:role/ai-prism-admin-role", ctx.account().id);
    let entry = ctx.add(
        Resource::new("aws_eks_access_entry", "admin")
            .set("cluster_name", cluster.attr("name"))
            .set("principal_arn", admin.as_str())
            .set("type", "STANDARD"),
    );
    ctx.add(
        Resource::new("aws_eks_access_policy_association", "admin")
            .set("cluster_name", cluster.attr("name"))
            .set("principal_arn", admin)
            .set("policy_arn", "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
            .block("access_scope", Body::new().set("type", "cluster"))
            .depends_on(&entry),
    );
    cluster
}

fn node_group(stack: &mut Context, cluster: &Ref, role: &RoleRef, net: &VpcRef, g: &NodeGroup) {
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
    let mut tags = vec![("Tier", g.labels.first().map_or("", |(_, tier)| *tier))];
    if g.gpu {
        tags.push(("GPU", "true"));
    }
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
            .set("tags", tags.into_iter().collect::<Expression>())
            .block("scaling_config", Body::new().set("min_size", min).set("desired_size", desired).set("max_size", max))
            .block("update_config", Body::new().set("max_unavailable_percentage", 25))
            // The cluster autoscaler owns the count once the group exists.
            .ignore_changes(["scaling_config[0].desired_size"]),
    );
}
