//! AI-Prism workloads (seed 001): the custom resources that tell the operators of
//! [`ai_prism_operators`](super::ai_prism_operators::build) what to do — the Argo CD `Application`
//! that deploys AI-Prism from its Git repository, the `ClusterSecretStore` and
//! `ExternalSecret`s that bring the Secrets Manager secrets into the cluster, and the Flagger
//! `Canary` (with the metric template it needs) that rolls the API out. Every object is a
//! typed Rust value; the cluster and its namespaces are imported.
//!
//! | Seed 001 element | Where it is | Fix, and why |
//! |---|---|---|
//! | Application `ai-prism-prod`: automated prune + self-heal, `CreateNamespace`, foreground pruning, retry 5 × (5 s, ×2, ≤ 3 min), Helm value file and parameters (L92-L130) | `application` | one per environment (`ai-prism-<env>`, `environments/<env>`); its `AppProject` `ai-prism` is created too (the seed names it, never defines it), limited to the GitOps repository and the application's namespace |
//! | SecretStore `aws-secrets-manager` with a JWT service account (L2110-L2125) | `ClusterSecretStore` | Seed fix: one store for the cluster, authenticated by EKS Pod Identity (the operator's own role), not a per-namespace IRSA token |
//! | ExternalSecrets `ai-prism-database-secret` (1 h) and `ai-prism-api-keys` (6 h) (L2127-L2183) | `external_secret` | as the seed gives them, but for the AWS access keys of `ai-prism-api-keys`: Seed fix, the API's pods reach AWS with a Pod Identity role instead (see ai-prism-operators) |
//! | Canary `ai-prism-api`: 1-minute analysis, threshold 5, to 50 % in steps of 10, success rate ≥ 99 %, latency ≤ 500 ms, CPU ≤ 90 %, acceptance and load-test webhooks (L1212-L1260) | `canary` | Seed fix: `cpu-usage` is not a metric Flagger knows, so a `MetricTemplate` defines it (Prometheus, the pods' CPU use in percent of their requests) |

use serde::Serialize;

use super::Env;
use super::{ai_prism, ai_prism_operators};
use tfsynth::modules::Context;
use tfsynth::modules::kubernetes::Manifest;
use tfsynth::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "ai-prism-workloads",
    description: "AI-Prism (seed 001) on EKS: the Argo CD application, external secrets and the API's canary",
    build,
    settings: None,
};

/// The Git repository Argo CD deploys from.
const GITOPS_REPOSITORY: &str = "https://github.com/company/ai-prism-gitops";

/// A Kubernetes object: `apiVersion`, `kind`, `metadata` and its `spec`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Object<S> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    spec: S,
}

#[derive(Serialize)]
struct Metadata {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    finalizers: Vec<&'static str>,
}

impl Metadata {
    fn named(name: impl Into<String>, namespace: Option<&str>) -> Self {
        Self { name: name.into(), namespace: namespace.map(str::to_owned), finalizers: Vec::new() }
    }
}

/// Builds the workloads of AI-Prism's `env`.
pub fn build(env: Env) -> Stack {
    let (mut ctx, s, _) = ai_prism::on_cluster(DEF.name, "workloads", env);
    // Literal names in the objects; the imports order this stack after the operators'.
    let argocd = ctx.import(ai_prism_operators::ARGOCD_NAMESPACE);
    let app = ctx.import(ai_prism_operators::APP_NAMESPACE);
    let namespace = format!("ai-prism-{}", s.short_env);
    application(&mut ctx, env, &s, &namespace);
    secrets(&mut ctx, &namespace);
    canary(&mut ctx, &s, &namespace);
    ctx.output(Output::new("argocd_namespace", argocd).description("Where the Application lives"));
    ctx.output(Output::new("app_namespace", app).description("Where AI-Prism runs"));
    ctx.finish()
}

// --- Argo CD -------------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectSpec {
    description: &'static str,
    source_repos: Vec<&'static str>,
    destinations: Vec<Destination>,
}

#[derive(Serialize)]
struct Destination {
    server: &'static str,
    namespace: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationSpec {
    project: &'static str,
    source: Source,
    destination: Destination,
    sync_policy: SyncPolicy,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Source {
    #[serde(rename = "repoURL")]
    repo_url: &'static str,
    target_revision: &'static str,
    path: String,
    helm: Helm,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Helm {
    value_files: Vec<String>,
    parameters: Vec<Parameter>,
}

#[derive(Serialize)]
struct Parameter {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncPolicy {
    automated: Automated,
    sync_options: Vec<&'static str>,
    retry: Retry,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Automated {
    prune: bool,
    self_heal: bool,
    allow_empty: bool,
}

#[derive(Serialize)]
struct Retry {
    limit: u8,
    backoff: Backoff,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Backoff {
    duration: &'static str,
    factor: u8,
    max_duration: &'static str,
}

/// The `ai-prism` project and the `ai-prism-<env>` application, with the seed's sync policy.
fn application(ctx: &mut Context, env: Env, s: &ai_prism::Settings, namespace: &str) {
    let in_cluster = "https://kubernetes.default.svc";
    let project = Object {
        api_version: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: Metadata::named("ai-prism", Some("argocd")),
        spec: ProjectSpec {
            description: "AI-Prism, deployed from its GitOps repository",
            source_repos: vec![GITOPS_REPOSITORY],
            destinations: vec![Destination { server: in_cluster, namespace: namespace.to_owned() }],
        },
    };
    Manifest::new("project", &project).build(ctx);
    let replicas = match env {
        Env::Development => 2,
        Env::Staging => 3,
        Env::Production => 10,
    };
    let mut metadata = Metadata::named(format!("ai-prism-{}", s.short_env), Some("argocd"));
    // Deleting the Application deletes what it deployed.
    metadata.finalizers = vec!["resources-finalizer.argocd.argoproj.io"];
    let application = Object {
        api_version: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata,
        spec: ApplicationSpec {
            project: "ai-prism",
            source: Source {
                repo_url: GITOPS_REPOSITORY,
                target_revision: "main",
                path: format!("environments/{}", env.name()),
                helm: Helm {
                    value_files: vec![format!("values-{}.yaml", s.short_env)],
                    parameters: vec![
                        Parameter { name: "image.tag", value: "v2.1.0".into() },
                        Parameter { name: "replicaCount", value: replicas.to_string() },
                    ],
                },
            },
            destination: Destination { server: in_cluster, namespace: namespace.to_owned() },
            sync_policy: SyncPolicy {
                automated: Automated { prune: true, self_heal: true, allow_empty: false },
                sync_options: vec!["CreateNamespace=true", "PrunePropagationPolicy=foreground"],
                retry: Retry { limit: 5, backoff: Backoff { duration: "5s", factor: 2, max_duration: "3m" } },
            },
        },
    };
    Manifest::new("application", &application).build(ctx);
}

// --- External Secrets ----------------------------------------------------------------------

#[derive(Serialize)]
struct StoreSpec {
    provider: StoreProvider,
}

#[derive(Serialize)]
struct StoreProvider {
    aws: AwsProvider,
}

#[derive(Serialize)]
struct AwsProvider {
    service: &'static str,
    region: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalSecretSpec {
    refresh_interval: &'static str,
    secret_store_ref: StoreRef,
    target: Target,
    data: Vec<SecretData>,
}

#[derive(Serialize)]
struct StoreRef {
    name: &'static str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    name: &'static str,
    creation_policy: &'static str,
    deletion_policy: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SecretData {
    secret_key: &'static str,
    remote_ref: RemoteRef,
}

#[derive(Serialize)]
struct RemoteRef {
    key: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    property: Option<&'static str>,
}

/// One entry of an external secret: (secret key, remote key, property).
type Entry = (&'static str, &'static str, Option<&'static str>);

/// The store, and the seed's two external secrets.
fn secrets(ctx: &mut Context, namespace: &str) {
    let store = "aws-secrets-manager";
    let region = ctx.account().region.to_owned();
    let spec = StoreSpec { provider: StoreProvider { aws: AwsProvider { service: "SecretsManager", region } } };
    let object = Object {
        api_version: "external-secrets.io/v1beta1",
        kind: "ClusterSecretStore",
        metadata: Metadata::named(store, None),
        spec,
    };
    Manifest::new("secret_store", &object).build(ctx);
    let database = "ai-prism/database/credentials";
    let wanted: [(&str, &str, &str, &str, &[Entry]); 2] = [
        (
            "database_secret",
            "ai-prism-database-secret",
            "1h",
            "postgres-credentials",
            &[
                ("username", database, Some("username")),
                ("password", database, Some("password")),
                ("host", database, Some("host")),
            ],
        ),
        (
            "api_keys",
            "ai-prism-api-keys",
            "6h",
            "api-keys",
            // Seed fix: no AWS access keys; the API's pods have a role (ai-prism-operators).
            &[("bedrock_model_key", "ai-prism/bedrock/api_key", None)],
        ),
    ];
    for (key, name, refresh, target, entries) in wanted {
        let data = entries
            .iter()
            .map(|&(secret_key, remote, property)| SecretData {
                secret_key,
                remote_ref: RemoteRef { key: remote, property },
            })
            .collect();
        let object = Object {
            api_version: "external-secrets.io/v1beta1",
            kind: "ExternalSecret",
            metadata: Metadata::named(name, Some(namespace)),
            spec: ExternalSecretSpec {
                refresh_interval: refresh,
                secret_store_ref: StoreRef { name: store, kind: "ClusterSecretStore" },
                target: Target { name: target, creation_policy: "Owner", deletion_policy: "Delete" },
                data,
            },
        };
        Manifest::new(key, &object).build(ctx);
    }
}

// --- Flagger -------------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CanarySpec {
    target_ref: TargetRef,
    progress_deadline_seconds: u16,
    service: CanaryService,
    analysis: Analysis,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetRef {
    api_version: &'static str,
    kind: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CanaryService {
    port: u16,
    target_port: u16,
    gateways: Vec<&'static str>,
    hosts: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Analysis {
    interval: &'static str,
    threshold: u8,
    max_weight: u8,
    step_weight: u8,
    metrics: Vec<Metric>,
    webhooks: Vec<Webhook>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    template_ref: Option<TemplateRef>,
    threshold_range: Range,
    interval: &'static str,
}

#[derive(Serialize)]
struct TemplateRef {
    name: &'static str,
    namespace: String,
}

#[derive(Serialize)]
struct Range {
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<u16>,
}

#[derive(Serialize)]
struct Webhook {
    name: &'static str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    url: &'static str,
    timeout: &'static str,
    metadata: std::collections::BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct MetricTemplateSpec {
    provider: MetricProvider,
    query: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricProvider {
    #[serde(rename = "type")]
    kind: &'static str,
    address: &'static str,
}

/// The API's canary (seed L1212-L1260) and the `cpu-usage` metric it needs.
fn canary(ctx: &mut Context, s: &ai_prism::Settings, namespace: &str) {
    let template = Object {
        api_version: "flagger.app/v1beta1",
        kind: "MetricTemplate",
        metadata: Metadata::named("cpu-usage", Some(namespace)),
        spec: MetricTemplateSpec {
            provider: MetricProvider { kind: "prometheus", address: "http://prometheus.istio-system:9090" },
            // The canary's CPU use, in percent of what its pods request.
            query: "100 * sum(rate(container_cpu_usage_seconds_total{namespace=\"{{ namespace }}\",pod=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"}[{{ interval }}])) / sum(kube_pod_container_resource_requests{namespace=\"{{ namespace }}\",pod=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\",resource=\"cpu\"})",
        },
    };
    Manifest::new("cpu_usage", &template).build(ctx);
    let canary_url = format!("http://ai-prism-api-canary.{namespace}:8080/health");
    let command = |cmd: String| std::iter::once(("cmd", cmd));
    let mut acceptance: std::collections::BTreeMap<&str, String> =
        command(format!("curl -sd 'test' {canary_url} | grep OK")).collect();
    acceptance.insert("type", "bash".into());
    let metric =
        |name, template_ref, threshold_range, interval| Metric { name, template_ref, threshold_range, interval };
    let object = Object {
        api_version: "flagger.app/v1beta1",
        kind: "Canary",
        metadata: Metadata::named("ai-prism-api", Some(namespace)),
        spec: CanarySpec {
            target_ref: TargetRef { api_version: "apps/v1", kind: "Deployment", name: "ai-prism-api" },
            progress_deadline_seconds: 60,
            service: CanaryService {
                port: 8080,
                target_port: 8080,
                gateways: vec!["ai-prism-gateway"],
                hosts: vec![format!("api.{}", s.domain)],
            },
            analysis: Analysis {
                interval: "1m",
                threshold: 5,
                max_weight: 50,
                step_weight: 10,
                metrics: vec![
                    metric("request-success-rate", None, Range { min: Some(99), max: None }, "1m"),
                    metric("request-duration", None, Range { min: None, max: Some(500) }, "30s"),
                    metric(
                        "cpu-usage",
                        Some(TemplateRef { name: "cpu-usage", namespace: namespace.to_owned() }),
                        Range { min: None, max: Some(90) },
                        "1m",
                    ),
                ],
                webhooks: vec![
                    Webhook {
                        name: "acceptance-test",
                        kind: Some("pre-rollout"),
                        url: "http://flagger-loadtester.test/",
                        timeout: "30s",
                        metadata: acceptance,
                    },
                    Webhook {
                        name: "load-test",
                        kind: None,
                        url: "http://flagger-loadtester.test/",
                        timeout: "5s",
                        metadata: command(format!("hey -z 1m -q 10 -c 2 {canary_url}")).collect(),
                    },
                ],
            },
        },
    };
    Manifest::new("canary", &object).build(ctx);
}
