//! What runs on a Kubernetes cluster, through the `kubernetes` and `helm` providers (configure
//! them with [`Provider::kubernetes_for_eks`] and [`Provider::helm_for_eks`]): namespaces,
//! Helm releases of pinned charts with typed values, and manifests — custom resources such as
//! an Argo CD `Application` — from typed serde values.
//!
//! A release is atomic (a failed upgrade rolls back) with a timeout, and its chart version is
//! exact: a range would let the next `apply` install a chart nobody reviewed. Values are typed
//! Rust rendered through Terraform's `yamlencode`, so they may hold references (a role ARN) and
//! a reviewer reads them as data, not as a YAML string.
//!
//! ```
//! use serde::Serialize;
//! use tfsynth::modules::kubernetes::{Chart, HelmRelease, Manifest, Namespace};
//! use tfsynth::modules::{Account, Context};
//! use tfsynth::prelude::*;
//!
//! #[derive(Serialize)]
//! struct Values {
//!     replicas: u8,
//! }
//!
//! let mut ctx = Context::new(Stack::new("apps", "development"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::new("kubernetes").set("host", "https://k8s.example"));
//! ctx.provider(Provider::new("helm").set("kubernetes", Expression::from_iter([("host", "https://k8s.example")])));
//! let ns = Namespace::new("argocd", "argocd").build(&mut ctx);
//! let chart = Chart::new("https://argoproj.github.io/argo-helm", "argo-cd", "7.7.0");
//! let argo = HelmRelease::new("argocd", "argo-cd", chart).namespace(&ns).values(&Values { replicas: 2 }).build(&mut ctx);
//! let project = serde_json::json!({
//!     "apiVersion": "argoproj.io/v1alpha1",
//!     "kind": "AppProject",
//!     "metadata": {"name": "apps", "namespace": "argocd"},
//! });
//! Manifest::new("project", &project).after(&argo).build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! let hcl = render(&stack, Format::Hcl);
//! assert!(hcl.contains("atomic          = true") && hcl.contains(r#"version         = "7.7.0""#));
//! assert!(hcl.contains("yamlencode({ replicas = 2 })"));
//! # Ok::<(), tfsynth::Error>(())
//! ```

use serde::Serialize;

use super::Context;
use crate::prelude::*;

/// A namespace, for what is deployed into it.
#[derive(Debug, Clone)]
pub struct NamespaceRef {
    /// The namespace's name, a reference, so what is deployed into it waits for it.
    pub name: Expr<String>,
    /// The namespace itself.
    pub resource: Ref,
}

/// A namespace under construction.
#[derive(Debug, Clone)]
#[must_use = "a namespace does nothing until built into a stack"]
pub struct Namespace {
    key: String,
    name: String,
    labels: Vec<(String, String)>,
}

impl Namespace {
    /// Namespace `key` called `name`.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self { key: key.into(), name: name.into(), labels: Vec::new() }
    }

    /// Adds label `name = value`.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }

    /// Adds the `kubernetes_namespace_v1`.
    pub fn build(self, ctx: &mut Context) -> NamespaceRef {
        ctx.within("kubernetes", |ctx| {
            let mut metadata = Body::new().set("name", self.name.as_str());
            if !self.labels.is_empty() {
                metadata = metadata.set("labels", self.labels.into_iter().collect::<Expression>());
            }
            let ns = ctx.add(Resource::new("kubernetes_namespace_v1", self.key.as_str()).block("metadata", metadata));
            NamespaceRef { name: ns.attr("metadata").index(0).attr("name").typed(), resource: ns }
        })
    }
}

/// A chart at an exact version in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    repository: String,
    name: String,
    version: String,
}

impl Chart {
    /// Chart `name` at `version` (exact, e.g. `7.7.0`) from the Helm repository at `repository`
    /// (an `https://` index or an `oci://` registry).
    pub fn new(repository: impl Into<String>, name: impl Into<String>, version: impl Into<String>) -> Self {
        Self { repository: repository.into(), name: name.into(), version: version.into() }
    }

    /// Why `version` is not an exact version, if it is not.
    fn version_problem(&self) -> Option<&'static str> {
        let v = self.version.trim_start_matches('v');
        let core = v.split(['-', '+']).next().unwrap_or_default();
        let exact = core.split('.').count() == 3
            && core.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if self.version.is_empty() {
            Some("has no version, so each apply installs the newest chart")
        } else if exact {
            None
        } else {
            Some("is a range, so an apply can install a chart nobody reviewed")
        }
    }
}

/// A Helm release, for what depends on the chart (a manifest of the custom resources it defines).
#[derive(Debug, Clone)]
pub struct HelmReleaseRef {
    /// The release's name.
    pub name: Expr<String>,
    /// The namespace it is installed in.
    pub namespace: Expr<String>,
    /// The release itself.
    pub resource: Ref,
}

/// A Helm release under construction.
#[derive(Debug, Clone)]
#[must_use = "a release does nothing until built into a stack"]
pub struct HelmRelease {
    key: String,
    name: String,
    chart: Chart,
    namespace: Option<NamespaceRef>,
    values: Vec<Result<Expression, String>>,
    timeout: u32,
    after: Vec<Ref>,
}

impl HelmRelease {
    /// Release `key` called `name` of `chart`: atomic (a failed install or upgrade is rolled
    /// back and cleaned up), with a 10-minute timeout, in the
    /// `default` namespace unless [`namespace`](Self::namespace) says otherwise.
    pub fn new(key: impl Into<String>, name: impl Into<String>, chart: Chart) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            chart,
            namespace: None,
            values: Vec::new(),
            timeout: 600,
            after: Vec::new(),
        }
    }

    /// Installs into `namespace` (and waits for it).
    pub fn namespace(mut self, namespace: &NamespaceRef) -> Self {
        self.namespace = Some(namespace.clone());
        self
    }

    /// Chart values from typed data; each call adds a document, later ones win where they overlap.
    pub fn values(mut self, values: &impl Serialize) -> Self {
        self.values.push(serde_json::to_value(values).map(Expression::from).map_err(|e| e.to_string()));
        self
    }

    /// Chart values that hold references (`Expression::from_iter([("roleArn", role.arn)])`).
    pub fn values_expression(mut self, values: impl Into<Expression>) -> Self {
        self.values.push(Ok(values.into()));
        self
    }

    /// How long helm may take, in seconds (600 unless set).
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = seconds;
        self
    }

    /// Installs after `other` (a release whose controller this chart needs).
    pub fn after(mut self, other: &Ref) -> Self {
        self.after.push(other.clone());
        self
    }

    /// Adds the `helm_release`.
    pub fn build(self, ctx: &mut Context) -> HelmReleaseRef {
        ctx.within("kubernetes", |ctx| {
            let at = format!("helm_release.{}", self.key);
            if let Some(why) = self.chart.version_problem() {
                ctx.problem(
                    at.as_str(),
                    format!("chart `{}` version `{}` {why}", self.chart.name, self.chart.version),
                    "pin the exact version, e.g. Chart::new(repository, name, \"7.7.0\")",
                );
            }
            let mut values = Vec::new();
            for v in self.values {
                match v {
                    Ok(v) => values.push(Expression::from(call::<String>("yamlencode", [v]))),
                    Err(e) => ctx.problem(
                        at.as_str(),
                        format!("values cannot be rendered: {e}"),
                        "give values whose map keys are strings",
                    ),
                }
            }
            let namespace: Expression =
                self.namespace.as_ref().map_or_else(|| "default".into(), |ns| ns.name.clone().into());
            let mut release = Resource::new("helm_release", self.key.as_str())
                .set("name", self.name.as_str())
                .set("repository", self.chart.repository.as_str())
                .set("chart", self.chart.name.as_str())
                .set("version", self.chart.version.as_str())
                .set("namespace", namespace)
                .set("atomic", true)
                .set("cleanup_on_fail", true)
                .set("timeout", self.timeout);
            if !values.is_empty() {
                release = release.set("values", Expression::List(values));
            }
            for other in &self.after {
                release = release.depends_on(other);
            }
            let release = ctx.add(release);
            HelmReleaseRef {
                name: release.attr("name").typed(),
                namespace: release.attr("namespace").typed(),
                resource: release,
            }
        })
    }
}

/// A manifest, for what must wait for it.
#[derive(Debug, Clone)]
pub struct ManifestRef {
    /// The `kubernetes_manifest` itself.
    pub resource: Ref,
}

/// A manifest under construction: one Kubernetes object from a typed value.
#[derive(Debug, Clone)]
#[must_use = "a manifest does nothing until built into a stack"]
pub struct Manifest {
    key: String,
    object: Result<serde_json::Value, String>,
    after: Vec<Ref>,
}

impl Manifest {
    /// Manifest `key` holding `object` (with `apiVersion`, `kind` and `metadata.name`).
    pub fn new(key: impl Into<String>, object: &impl Serialize) -> Self {
        Self { key: key.into(), object: serde_json::to_value(object).map_err(|e| e.to_string()), after: Vec::new() }
    }

    /// Applies after `release`, whose chart defines the object's kind: the provider reads the
    /// kind's schema from the cluster when it plans.
    pub fn after(mut self, release: &HelmReleaseRef) -> Self {
        self.after.push(release.resource.clone());
        self
    }

    /// Adds the `kubernetes_manifest`.
    pub fn build(self, ctx: &mut Context) -> ManifestRef {
        ctx.within("kubernetes", |ctx| {
            let at = format!("kubernetes_manifest.{}", self.key);
            let object = match self.object {
                Ok(object) => object,
                Err(e) => {
                    ctx.problem(
                        at.as_str(),
                        format!("the object cannot be rendered: {e}"),
                        "give an object whose map keys are strings",
                    );
                    serde_json::Value::Null
                }
            };
            for (pointer, what) in
                [("/apiVersion", "apiVersion"), ("/kind", "kind"), ("/metadata/name", "metadata.name")]
            {
                if object.pointer(pointer).is_none_or(|v| v.as_str().is_none_or(str::is_empty)) {
                    ctx.problem(
                        at.as_str(),
                        format!("the object has no `{what}`"),
                        "give every Kubernetes object its apiVersion, kind and metadata.name",
                    );
                }
            }
            let mut manifest =
                Resource::new("kubernetes_manifest", self.key.as_str()).set("manifest", Expression::from(object));
            for other in &self.after {
                manifest = manifest.depends_on(other);
            }
            ManifestRef { resource: ctx.add(manifest) }
        })
    }
}
