//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use tfsynth::prelude::*;
use tfsynth::stacks::{Env, registry};
use tfsynth::toolchain;

/// Builds, validates and renders one registered stack.
#[track_caller]
pub fn synth(stack: &str, env: Env, format: Format) -> String {
    let stack = registry().build(stack, env).expect("registered stack");
    if let Err(e) = validate(&stack) {
        panic!("{e}");
    }
    render(&stack, format)
}

/// The diagnostics validation reports for `stack` (panics if it is valid).
#[track_caller]
pub fn problems(stack: &Stack) -> Vec<Diagnostic> {
    match validate(stack) {
        Err(Error::Invalid(d)) => d,
        Ok(()) => panic!("expected validation problems, found none"),
        Err(e) => panic!("unexpected error: {e}"),
    }
}

/// The single problem validation reports for `stack`, as displayed.
#[track_caller]
pub fn only_problem(stack: &Stack) -> String {
    let found = problems(stack);
    assert_eq!(found.len(), 1, "expected one problem, got: {found:#?}");
    found[0].to_string()
}

/// Resource `ty.name` of a rendered JSON document (panics if absent).
#[track_caller]
pub fn resource<'a>(doc: &'a serde_json::Value, ty: &str, name: &str) -> &'a serde_json::Value {
    let r = &doc["resource"][ty][name];
    assert!(r.is_object(), "{ty}.{name} is not in the stack");
    r
}

/// A stack with the aws provider configured, ready for resources.
pub fn stack() -> Stack {
    let mut s = Stack::new("test", "development");
    s.provider(Provider::aws("us-east-1"));
    s
}

/// Terraform and the provider mirror, or `None` (with a note) when they are missing outside
/// CI. In CI (`CI=true`) a missing toolchain fails the test instead of skipping it.
pub fn terraform_toolchain() -> Option<PathBuf> {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let plugins = toolchain::plugin_dir();
    let reason = if !toolchain::terraform_available() {
        format!("terraform is not runnable (set {} or put it on PATH)", toolchain::TERRAFORM_ENV)
    } else if plugins.is_none() {
        format!("no provider mirror found (set {})", toolchain::PLUGIN_DIR_ENV)
    } else {
        return plugins;
    };
    assert!(!in_ci, "CI=true but {reason}");
    eprintln!("skipping terraform checks: {reason}");
    None
}

/// Runs terraform in `dir` with a quiet, offline-friendly environment.
#[track_caller]
pub fn terraform(dir: &Path, args: &[&str]) -> Output {
    let config = dir.join("cli.tfrc");
    if !config.exists() {
        std::fs::write(&config, "").expect("write cli config");
    }
    let out = toolchain::terraform_command()
        .current_dir(dir)
        .args(args)
        .env("TF_CLI_CONFIG_FILE", &config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("run terraform");
    assert!(
        out.status.success(),
        "terraform {} failed in {}:\n{}\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Mock credentials for every provider configuration (the default one and each alias) and a
/// local backend, so `plan` runs offline against the real provider.
pub fn offline_override(aliases: &[&str]) -> String {
    let mock = |alias: Option<&str>| {
        let mut p = serde_json::json!({
            "access_key": "mock-access-key",
            "secret_key": "mock-secret-key",
            "skip_credentials_validation": true,
            "skip_requesting_account_id": true,
            "skip_metadata_api_check": true
        });
        if let Some(a) = alias {
            p["alias"] = a.into();
        }
        p
    };
    let providers: Vec<_> = std::iter::once(None).chain(aliases.iter().copied().map(Some)).map(mock).collect();
    let doc = serde_json::json!({"terraform": {"backend": {"local": {}}}, "provider": {"aws": providers}});
    serde_json::to_string_pretty(&doc).expect("serializable")
}

/// Writes `contents` as `file`, `extra` files and the offline override into a fresh folder and
/// runs `terraform init` there from the offline mirror.
pub fn workspace(
    plugins: &Path,
    file: &str,
    contents: &str,
    aliases: &[&str],
    extra: &[(&str, &str)],
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(file), contents).expect("write config");
    std::fs::write(dir.path().join("offline_override.tf.json"), offline_override(aliases)).expect("write override");
    for (path, text) in extra {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write extra file");
    }
    let plugin_arg = format!("-plugin-dir={}", plugins.display());
    terraform(dir.path(), &["init", "-input=false", "-no-color", &plugin_arg]);
    dir
}

/// Validates and plans the rendering in `dir`; returns the whole `terraform show -json` plan.
pub fn validate_and_plan(dir: &Path) -> serde_json::Value {
    let out = terraform(dir, &["validate", "-json", "-no-color"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("validate -json output");
    assert_eq!(report["valid"], true, "terraform validate: {report:#}");
    assert_eq!(report["warning_count"], 0, "terraform validate warnings: {report:#}");
    terraform(dir, &["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"]);
    let shown = terraform(dir, &["show", "-json", "plan.bin"]);
    serde_json::from_slice(&shown.stdout).expect("show -json output")
}

/// Asserts `terraform fmt` would leave `hcl` unchanged.
pub fn assert_fmt_stable(hcl: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.tf"), hcl).expect("write hcl");
    let out = terraform(dir.path(), &["fmt", "-check", "-diff", "-no-color", "main.tf"]);
    assert!(out.stdout.is_empty(), "terraform fmt would change the HCL:\n{}", String::from_utf8_lossy(&out.stdout));
}
