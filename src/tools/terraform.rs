//! Running the Terraform CLI against the offline provider mirror: `init`, `plan`, `show`, with a
//! quiet, checkpoint-free environment, and offline plans that share one initialised working
//! directory so each plan skips `init`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{PLUGIN_DIR_ENV, TERRAFORM_ENV, plugin_dir, terraform_available, terraform_in};

/// The terraform binary and the provider mirror it installs from.
#[derive(Debug)]
pub struct Terraform {
    plugin_dir: PathBuf,
    /// Holds an empty CLI configuration (no `~/.terraformrc` surprises) and, once offline
    /// plans ran, the shared initialised data directory.
    home: tempfile::TempDir,
    shared: std::sync::OnceLock<Result<PathBuf, String>>,
}

impl Terraform {
    /// Terraform and the mirror, or what is missing and the variable that points at it.
    pub fn find() -> Result<Self, String> {
        if !terraform_available() {
            return Err(format!("terraform is not runnable: put it on PATH or set {TERRAFORM_ENV}"));
        }
        let plugin_dir = plugin_dir().ok_or_else(|| {
            format!("no provider mirror holding registry.terraform.io/hashicorp/aws was found: set {PLUGIN_DIR_ENV}")
        })?;
        let home = tempfile::tempdir().map_err(|e| format!("a temporary folder: {e}"))?;
        std::fs::write(home.path().join("cli.tfrc"), "").map_err(|e| format!("the CLI configuration: {e}"))?;
        Ok(Self { plugin_dir, home, shared: std::sync::OnceLock::new() })
    }

    /// The folder that holds `registry.terraform.io`.
    pub fn plugin_dir(&self) -> &Path {
        &self.plugin_dir
    }

    /// `terraform` in `dir`, quiet and with no checkpoint calls.
    pub fn command(&self, dir: &Path) -> Command {
        let mut cmd = terraform_in(dir);
        cmd.env("TF_CLI_CONFIG_FILE", self.home.path().join("cli.tfrc"));
        cmd
    }

    /// Runs `terraform <args>` in `dir`; a failure carries what terraform printed.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Result<Output, String> {
        let out = self.command(dir).args(args).output().map_err(|e| format!("running terraform: {e}"))?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(format!(
                "terraform {} failed in {}:\n{}{}",
                args.join(" "),
                dir.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// `terraform init` in `dir` from the mirror.
    pub fn init(&self, dir: &Path) -> Result<Output, String> {
        let plugins = format!("-plugin-dir={}", self.plugin_dir.display());
        self.run(dir, &["init", "-input=false", "-no-color", &plugins])
    }

    /// Plans the initialised configuration in `dir` and returns `terraform show -json` of the
    /// plan (`init` ran there already; see [`plan_offline`](Self::plan_offline) for one that
    /// needs none).
    pub fn run_plan(&self, dir: &Path) -> Result<serde_json::Value, String> {
        self.run(dir, &["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"])?;
        let shown = self.run(dir, &["show", "-json", "plan.bin"])?;
        serde_json::from_slice(&shown.stdout).map_err(|e| format!("terraform show -json printed no JSON: {e}"))
    }

    /// Plans the configuration in `dir` offline — mock credentials and a local backend from
    /// [`mock_override`], which must be there — and returns `terraform show -json` of the plan.
    /// The working directory initialised once per process stands in for `init`.
    pub fn plan_offline(&self, dir: &Path) -> Result<serde_json::Value, String> {
        let data = self.shared.get_or_init(|| self.init_shared()).clone()?;
        let lock = data.parent().map(|p| p.join(".terraform.lock.hcl")).unwrap_or_default();
        std::fs::copy(&lock, dir.join(".terraform.lock.hcl")).map_err(|e| format!("copying the lock file: {e}"))?;
        let run = |args: &[&str]| {
            let out = self.command(dir).env("TF_DATA_DIR", &data).args(args).output();
            match out {
                Ok(o) if o.status.success() => Ok(o),
                Ok(o) => Err(format!(
                    "terraform {} failed in {}:\n{}{}",
                    args.join(" "),
                    dir.display(),
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                )),
                Err(e) => Err(format!("running terraform: {e}")),
            }
        };
        run(&["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"])?;
        let shown = run(&["show", "-json", "plan.bin"])?;
        serde_json::from_slice(&shown.stdout).map_err(|e| format!("terraform show -json printed no JSON: {e}"))
    }

    /// A working directory initialised for configurations that use hashicorp/aws with the
    /// offline override: its data directory (`TF_DATA_DIR`).
    fn init_shared(&self) -> Result<PathBuf, String> {
        let dir = self.home.path().join("shared");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let config = serde_json::json!({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}}});
        std::fs::write(dir.join("main.tf.json"), config.to_string()).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("offline_override.tf.json"), mock_override(&[])).map_err(|e| e.to_string())?;
        self.init(&dir)?;
        Ok(dir.join(".terraform"))
    }
}

/// An `*_override.tf.json` that lets `plan` run offline: mock credentials for the default AWS
/// provider and each alias, no account lookups, and a local backend.
pub fn mock_override(aliases: &[&str]) -> String {
    let mock = |alias: Option<&str>| {
        // No account is looked up offline, so the account guard cannot be checked.
        let mut p = serde_json::json!({
            "allowed_account_ids": null,
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
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
