//! Namespaces, Helm releases and manifests on a cluster.

use tfsynth::modules::kubernetes::{Chart, HelmRelease, HelmReleaseRef, Manifest, Namespace};

use super::*;

const ARGO: &str = "https://argoproj.github.io/argo-helm";

/// A context with the cluster providers configured.
fn cluster_context() -> Context {
    let mut ctx = context("workloads");
    ctx.provider(Provider::new("kubernetes").set("host", "https://k8s.example").set("token", "t"));
    ctx.provider(
        Provider::new("helm")
            .set("kubernetes", Expression::from_iter([("host", "https://k8s.example"), ("token", "t")])),
    );
    ctx
}

fn argo(ctx: &mut Context, version: &str) -> HelmReleaseRef {
    let ns = Namespace::new("argocd", "argocd").label("team", "platform").build(ctx);
    HelmRelease::new("argocd", "argo-cd", Chart::new(ARGO, "argo-cd", version))
        .namespace(&ns)
        .values(&json!({"server": {"replicas": 2}}))
        .build(ctx)
}

#[test]
fn a_release_is_atomic_pinned_and_waits_for_its_namespace() {
    let mut ctx = cluster_context();
    argo(&mut ctx, "7.7.0");
    let doc = valid(ctx);
    let release = resource(&doc, "helm_release", "argocd");
    for (field, want) in [
        ("atomic", json!(true)),
        ("cleanup_on_fail", json!(true)),
        ("timeout", json!(600)),
        ("version", json!("7.7.0")),
        ("namespace", json!("${kubernetes_namespace_v1.argocd.metadata[0].name}")),
        ("values", json!(["${yamlencode({ server = { replicas = 2 } })}"])),
    ] {
        assert_eq!(release[field], want, "{field}");
    }
    assert_eq!(
        resource(&doc, "kubernetes_namespace_v1", "argocd")["metadata"],
        json!([{"name": "argocd", "labels": {"team": "platform"}}])
    );
}

#[test]
fn a_chart_version_must_be_exact() {
    for (version, pinned) in [
        ("7.7.0", true),
        ("v1.16.2", true),
        ("1.16.0-rc.1", true),
        ("", false),
        ("~> 7.7", false),
        ("7.7", false),
        ("^7.7.0", false),
        ("7.x", false),
    ] {
        let mut ctx = cluster_context();
        argo(&mut ctx, version);
        let outcome = validate(&ctx.finish()).map_err(|e| e.to_string());
        let flagged =
            outcome.as_ref().is_err_and(|m| m.contains("helm_release.argocd") && m.contains("pin the exact version"));
        assert_eq!(!flagged, pinned, "{version:?}: {outcome:?}");
    }
}

#[test]
fn values_may_hold_references_and_releases_wait_for_each_other() {
    let mut ctx = cluster_context();
    let first = argo(&mut ctx, "7.7.0");
    let role = ctx.add(Resource::new("aws_iam_role", "eso").set("name", "eso").set("assume_role_policy", "{}"));
    HelmRelease::new(
        "eso",
        "external-secrets",
        Chart::new("https://charts.external-secrets.io", "external-secrets", "0.10.7"),
    )
    .values_expression(Expression::from_iter([("roleArn", role.arn())]))
    .timeout(900)
    .after(&first.resource)
    .build(&mut ctx);
    let doc = valid(ctx);
    let release = resource(&doc, "helm_release", "eso");
    assert_eq!(release["values"], json!(["${yamlencode({ roleArn = aws_iam_role.eso.arn })}"]));
    assert_eq!(release["namespace"], "default");
    assert_eq!(release["timeout"], 900);
    assert_eq!(release["depends_on"], json!(["helm_release.argocd"]));
}

#[test]
fn a_manifest_is_its_typed_object_after_the_chart_that_defines_it() {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Project {
        api_version: &'static str,
        kind: &'static str,
        metadata: Value,
        spec: Value,
    }
    let mut ctx = cluster_context();
    let chart = argo(&mut ctx, "7.7.0");
    let project = Project {
        api_version: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: json!({"name": "apps", "namespace": "argocd"}),
        spec: json!({"description": "uses ${literally}", "sourceRepos": ["*"]}),
    };
    Manifest::new("apps", &project).after(&chart).build(&mut ctx);
    let doc = valid(ctx);
    let manifest = resource(&doc, "kubernetes_manifest", "apps");
    assert_eq!(manifest["manifest"]["kind"], "AppProject");
    assert_eq!(manifest["manifest"]["spec"]["description"], "uses $${literally}", "a literal, escaped");
    assert_eq!(manifest["depends_on"], json!(["helm_release.argocd"]));
}

#[test]
fn a_manifest_without_kind_or_name_is_refused() {
    let mut ctx = cluster_context();
    Manifest::new("half", &json!({"apiVersion": "v1", "metadata": {}})).build(&mut ctx);
    let messages = messages(ctx);
    for what in ["kind", "metadata.name"] {
        assert!(
            messages.iter().any(|m| m.contains("kubernetes_manifest.half") && m.contains(&format!("no `{what}`"))),
            "{what}: {messages:?}"
        );
    }
    assert!(!messages.iter().any(|m| m.contains("no `apiVersion`")), "{messages:?}");
}

#[cfg(not(skip_tools))]
#[test]
fn releases_and_manifests_plan_identically_in_both_syntaxes() {
    use super::super::common::tools;
    let mut ctx = cluster_context();
    let chart = argo(&mut ctx, "7.7.0");
    let app = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "apps", "namespace": "argocd"},
        "spec": {"syncPolicy": {"automated": {"prune": true, "selfHeal": true}, "retry": {"limit": 5}}},
    });
    Manifest::new("apps", &app).after(&chart).build(&mut ctx);
    let stack = ctx.finish();
    validate(&stack).expect("valid");
    let files = Format::ALL.map(|f| vec![(f.file_name().to_owned(), render(&stack, f))]);
    let [json_plan, hcl_plan] = tools::plan_formats(&files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json_plan, hcl_plan, "the renderings plan differently");
    let after = |address: &str| {
        json_plan
            .iter()
            .find(|c| c["address"] == address)
            .map_or_else(|| panic!("{address}"), |c| c["change"]["after"].clone())
    };
    assert_eq!(
        after("helm_release.argocd")["values"],
        json!(["\"server\":\n  \"replicas\": 2\n"]),
        "terraform writes the YAML (quoting every key)"
    );
    assert_eq!(after("kubernetes_manifest.apps")["manifest"]["spec"]["syncPolicy"]["retry"]["limit"], 5);
}
