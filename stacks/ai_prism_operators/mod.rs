//! AI-Prism operators (seed 001): what the workloads need running on the cluster before they
//! can be described — Argo CD, the External Secrets operator and Flagger (with its load
//! tester) from pinned Helm charts, each in a namespace of its own, the application's
//! namespace, and the AWS side: the EKS Pod Identity agent and the role External Secrets reads
//! Secrets Manager with.
//!
//! A stack of its own, after `ai-prism` and before `ai-prism-workloads`: the Kubernetes
//! providers stay out of the state that creates the cluster (they cannot be configured before
//! it exists), and the custom resource definitions these charts install exist before
//! `ai-prism-workloads` plans manifests of those kinds — the kubernetes provider reads a
//! kind's schema from the cluster when it plans.
//!
//! | Seed 001 element | Where it is | Fix, and why |
//! |---|---|---|
//! | Argo CD (L80-L130) | `argo-cd` chart | pinned; two replicas of the server and repo server in production |
//! | External Secrets Operator with an IRSA service account `external-secrets-sa` (L2110-L2125) | `external-secrets` chart, `Role::for_eks_pods` | Seed fix: EKS Pod Identity instead of IRSA (no OIDC provider to manage); the role reads `ai-prism/*` secrets only, and may decrypt with AI-Prism's key only through Secrets Manager |
//! | Flagger canaries (L1212-L1260) with `flagger-loadtester.test` webhooks | `flagger` and `loadtester` charts | Flagger for Istio, as the canary's `gateways` imply; Istio itself is not in the seed's plan and is not installed here |
//! | application namespace `ai-prism-prod` (L113) | `Namespace` | created here, so the workloads' secrets have somewhere to go before Argo CD syncs |
//! | `ai-prism/aws/credentials` access keys for the application (L2160-L2175) | `api_role` | Seed fix: a Pod Identity role for the `ai-prism-api` service account that may invoke Bedrock models, instead of long-lived keys; it also reads the `/ai-prism/<env>/` parameters (L2075-L2085) |

use serde::Serialize;

use super::Env;
use super::ai_prism;
use tfsynth::modules::Context;
use tfsynth::modules::iam::{Role, Statement};
use tfsynth::modules::kubernetes::{Chart, HelmRelease, Namespace, NamespaceRef};
use tfsynth::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "ai-prism-operators",
    description: "AI-Prism (seed 001) on EKS: Argo CD, External Secrets and Flagger from pinned charts",
    build,
    settings: None,
};

/// The namespace Argo CD runs in (its `Application`s live there).
pub const ARGOCD_NAMESPACE: Export<String> = Export::new("ai-prism-operators", "argocd_namespace");
/// The application's namespace.
pub const APP_NAMESPACE: Export<String> = Export::new("ai-prism-operators", "app_namespace");

/// Chart versions, pinned: a bump is a reviewed change.
const ARGO_CD: &str = "7.7.0";
const EXTERNAL_SECRETS: &str = "0.10.5";
const FLAGGER: &str = "1.38.0";
const LOADTESTER: &str = "0.34.0";

/// The service account the API's pods run as (the application's chart names it).
pub const API_ACCOUNT: &str = "ai-prism-api";

/// The service account External Secrets runs as (the seed's `external-secrets-sa`).
pub const EXTERNAL_SECRETS_ACCOUNT: &str = "external-secrets-sa";

/// Argo CD's chart values.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArgoValues {
    global: ArgoGlobal,
    server: Replicas,
    repo_server: Replicas,
}

#[derive(Serialize)]
struct ArgoGlobal {
    domain: String,
}

#[derive(Serialize)]
struct Replicas {
    replicas: u8,
}

/// External Secrets' chart values.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalSecretsValues {
    install_crds: bool,
    service_account: ServiceAccount,
}

#[derive(Serialize)]
struct ServiceAccount {
    name: &'static str,
}

/// Flagger's chart values.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FlaggerValues {
    mesh_provider: &'static str,
    metrics_server: &'static str,
}

/// Builds the operators of AI-Prism's `env`.
pub fn build(env: Env) -> Stack {
    let (mut ctx, s, cluster) = ai_prism::on_cluster(DEF.name, "operators", env);
    let replicas = if env == Env::Production { 2 } else { 1 };

    let argocd_ns = Namespace::new("argocd", "argocd").build(&mut ctx);
    let values = ArgoValues {
        global: ArgoGlobal { domain: format!("argocd.{}", s.domain) },
        server: Replicas { replicas },
        repo_server: Replicas { replicas },
    };
    HelmRelease::new("argocd", "argo-cd", Chart::new("https://argoproj.github.io/argo-helm", "argo-cd", ARGO_CD))
        .namespace(&argocd_ns)
        .values(&values)
        .build(&mut ctx);

    let agent = external_secrets(&mut ctx, &s, &cluster);

    let flagger_ns = Namespace::new("flagger", "flagger-system").build(&mut ctx);
    let flagger = HelmRelease::new("flagger", "flagger", Chart::new("https://flagger.app", "flagger", FLAGGER))
        .namespace(&flagger_ns)
        .values(&FlaggerValues { mesh_provider: "istio", metrics_server: "http://prometheus.istio-system:9090" })
        .build(&mut ctx);
    // The seed's webhooks call http://flagger-loadtester.test/.
    let test_ns = Namespace::new("loadtester", "test").build(&mut ctx);
    HelmRelease::new("loadtester", "flagger-loadtester", Chart::new("https://flagger.app", "loadtester", LOADTESTER))
        .namespace(&test_ns)
        .after(&flagger.resource)
        .build(&mut ctx);

    let app_ns = Namespace::new("app", format!("ai-prism-{}", s.short_env))
        .label("app.kubernetes.io/part-of", "ai-prism")
        .build(&mut ctx);
    api_role(&mut ctx, &s, &cluster, &app_ns, &agent);
    ctx.export(ARGOCD_NAMESPACE, argocd_ns.name, "Argo CD's namespace");
    ctx.export(APP_NAMESPACE, app_ns.name, "The application's namespace");
    ctx.finish()
}

/// The operator, the role it reads `ai-prism/*` secrets with, and the Pod Identity agent and
/// association that hand the role to its pods. Returns the agent, which the API's association
/// needs too.
fn external_secrets(ctx: &mut Context, s: &ai_prism::Settings, cluster: &Expr<String>) -> Ref {
    let account = *ctx.account();
    let ns = Namespace::new("external_secrets", "external-secrets").build(ctx);
    let secrets = format!("arn:aws:secretsmanager:{}:{}:secret:ai-prism/*", account.region, account.id);
    let role = Role::for_eks_pods("external_secrets", format!("ai-prism-{}-external-secrets", s.short_env))
        .policy(
            "read-ai-prism-secrets",
            vec![
                Statement::allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]).on(secrets),
                decrypt_through(ctx, "secretsmanager"),
            ],
        )
        .build(ctx);
    let agent = ctx.add(
        Resource::new("aws_eks_addon", "pod_identity_agent")
            .set("cluster_name", cluster.clone())
            .set("addon_name", "eks-pod-identity-agent"),
    );
    let association = ctx.add(
        Resource::new("aws_eks_pod_identity_association", "external_secrets")
            .set("cluster_name", cluster.clone())
            .set("namespace", ns.name.clone())
            .set("service_account", EXTERNAL_SECRETS_ACCOUNT)
            .set("role_arn", role.arn)
            .depends_on(&agent),
    );
    let values = ExternalSecretsValues {
        install_crds: true,
        service_account: ServiceAccount { name: EXTERNAL_SECRETS_ACCOUNT },
    };
    HelmRelease::new(
        "external_secrets",
        "external-secrets",
        Chart::new("https://charts.external-secrets.io", "external-secrets", EXTERNAL_SECRETS),
    )
    .namespace(&ns)
    .values(&values)
    .after(&association)
    .build(ctx);
    agent
}

/// `kms:Decrypt` with AI-Prism's key, only when `service` (`ssm`, `secretsmanager`) asks on the
/// role's behalf: the secrets and parameters are encrypted with it.
fn decrypt_through(ctx: &mut Context, service: &str) -> Statement {
    let region = ctx.account().region;
    Statement::allow(["kms:Decrypt"]).on(ctx.import(ai_prism::KMS_KEY_ARN)).when(
        "StringEquals",
        "kms:ViaService",
        format!("{service}.{region}.amazonaws.com"),
    )
}

/// The API's pods reach Bedrock with a role of their own, handed to their service account by
/// EKS Pod Identity (seed fix: instead of the access keys of `ai-prism/aws/credentials`), and
/// read their configuration under `/ai-prism/<env>/`.
fn api_role(ctx: &mut Context, s: &ai_prism::Settings, cluster: &Expr<String>, app: &NamespaceRef, agent: &Ref) {
    let account = *ctx.account();
    let models = format!("arn:aws:bedrock:{}::foundation-model/*", account.region);
    // The configuration hierarchy, read recursively (seed L2075-L2085).
    let path = ai_prism::parameter_path(s);
    let parameters = format!("arn:aws:ssm:{}:{}:parameter{}", account.region, account.id, path.trim_end_matches('/'));
    let role = Role::for_eks_pods("api", format!("ai-prism-{}-api", s.short_env))
        .policy(
            "invoke-bedrock",
            vec![Statement::allow(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]).on(models)],
        )
        .policy(
            "read-configuration",
            vec![
                Statement::allow(["ssm:GetParametersByPath", "ssm:GetParameter", "ssm:GetParameters"])
                    .on(parameters.clone())
                    .on(format!("{parameters}/*")),
                decrypt_through(ctx, "ssm"),
            ],
        )
        .build(ctx);
    ctx.add(
        Resource::new("aws_eks_pod_identity_association", "api")
            .set("cluster_name", cluster.clone())
            .set("namespace", app.name.clone())
            .set("service_account", API_ACCOUNT)
            .set("role_arn", role.arn)
            .depends_on(agent),
    );
}
