//! Running the Terraform CLI against the offline provider mirror: `init`, `plan`, `show`, with a
//! quiet, checkpoint-free environment, and offline plans that share one initialised working
//! directory so each plan skips `init`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{PLUGIN_DIR_ENV, TERRAFORM_ENV, plugin_dir, terraform_available, terraform_in};
use crate::schema::Schema;

const REGISTRY: &str = "registry.terraform.io";
const PLATFORM: &str = "linux_amd64";

/// Environment variable naming the schema-serving test provider's binary (default:
/// `tfsynth-test-provider` in the cargo target folder, built with `cargo build -p
/// tfsynth-test-provider` when missing).
pub const TEST_PROVIDER_BIN_ENV: &str = "TFSYNTH_TEST_PROVIDER";

/// What terraform needs to talk to the test provider: plugin TLS off, as the plugin SDK's
/// own test framework runs it (the test provider serves plain gRPC on a Unix socket).
pub const TEST_PROVIDER_ENV: (&str, &str) = ("TF_DISABLE_PLUGIN_TLS", "1");

fn missing() -> String {
    format!(
        "the schema-serving test provider is not built: run `cargo build -p tfsynth-test-provider` or set {TEST_PROVIDER_BIN_ENV}"
    )
}

/// The schema-serving test provider (`test-provider/`): [`TEST_PROVIDER_BIN_ENV`], or the one
/// in this build's target folder, (re)built there first when cargo runs this program.
pub fn test_provider() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(TEST_PROVIDER_BIN_ENV) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| format!("locating this program: {e}"))?;
    // Beside this program in target/<profile>/, or one up from a test's target/<profile>/deps/.
    let folder = exe.parent().map(|p| if p.ends_with("deps") { p.parent().unwrap_or(p) } else { p });
    let binary = folder.map(|p| p.join("tfsynth-test-provider")).unwrap_or_default();
    // Under cargo (tests), build it: a binary left from before a schema changed would serve
    // the old schema. Cargo returns at once when it is up to date.
    let Some(cargo) = std::env::var_os("CARGO") else {
        return if binary.is_file() { Ok(binary) } else { Err(missing()) };
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let release = folder.is_some_and(|f| f.ends_with("release"));
    let built = Command::new(cargo)
        .args(["build", "--quiet", "-p", "tfsynth-test-provider", "--manifest-path"])
        .arg(&manifest)
        .args(release.then_some("--release"))
        .status();
    match built {
        Ok(status) if status.success() && binary.is_file() => Ok(binary),
        _ => Err(missing()),
    }
}

/// Links every provider binary of the mirror at `from` into `to`, folder by folder (terraform
/// does not follow a linked provider folder, but runs a linked binary).
fn link_mirror(from: &Path, to: &Path) -> Result<(), String> {
    for entry in walkdir::WalkDir::new(from).min_depth(1).follow_links(true) {
        let entry = entry.map_err(|e| format!("reading the mirror {}: {e}", from.display()))?;
        let target = to.join(entry.path().strip_prefix(from).unwrap_or(entry.path()));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
        } else {
            link(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn link(original: &Path, link: &Path) -> Result<(), String> {
    #[cfg(unix)]
    let made = std::os::unix::fs::symlink(original, link);
    #[cfg(not(unix))]
    let made = std::fs::copy(original, link).map(|_| ());
    made.map_err(|e| format!("linking {} at {}: {e}", original.display(), link.display()))
}

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
    /// Terraform and a plugin folder holding every vendored provider: those the mirror has
    /// (hashicorp/aws), and the schema-serving test provider under the address and version of
    /// each other one (see [`test_provider`]). Or what is missing and the variable that points
    /// at it.
    pub fn find() -> Result<Self, String> {
        if !terraform_available() {
            return Err(format!("terraform is not runnable: put it on PATH or set {TERRAFORM_ENV}"));
        }
        let mirror = plugin_dir().ok_or_else(|| {
            format!("no provider mirror holding registry.terraform.io/hashicorp/aws was found: set {PLUGIN_DIR_ENV}")
        })?;
        let home = tempfile::tempdir().map_err(|e| format!("a temporary folder: {e}"))?;
        std::fs::write(home.path().join("cli.tfrc"), "").map_err(|e| format!("the CLI configuration: {e}"))?;
        let plugin_dir = home.path().join("plugins");
        link_mirror(&mirror, &plugin_dir)?;
        // A copy, not a link: a rebuild while terraform runs would change the binary under
        // the checksum `init` recorded. The providers share the copy through hard links.
        let binary = home.path().join("tfsynth-test-provider");
        std::fs::copy(test_provider()?, &binary).map_err(|e| format!("copying the test provider: {e}"))?;
        for schema in Schema::all() {
            let folder = plugin_dir.join(REGISTRY).join(schema.source()).join(schema.version()).join(PLATFORM);
            if !folder.exists() {
                std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
                let file = folder.join(format!("terraform-provider-{}_v{}", schema.name(), schema.version()));
                std::fs::hard_link(&binary, &file)
                    .or_else(|_| std::fs::copy(&binary, &file).map(|_| ()))
                    .map_err(|e| format!("installing the test provider at {}: {e}", file.display()))?;
            }
        }
        Ok(Self { plugin_dir, home, shared: std::sync::OnceLock::new() })
    }

    /// The folder that holds `registry.terraform.io`: the mirror's providers and the test
    /// provider in place of every other vendored one. Terraform started outside
    /// [`command`](Self::command) must be given [`TEST_PROVIDER_ENV`].
    pub fn plugin_dir(&self) -> &Path {
        &self.plugin_dir
    }

    /// `terraform` in `dir`, quiet and with no checkpoint calls, with plugin TLS off for the
    /// test provider (see [`TEST_PROVIDER_ENV`]).
    pub fn command(&self, dir: &Path) -> Command {
        let mut cmd = terraform_in(dir);
        cmd.env("TF_CLI_CONFIG_FILE", self.home.path().join("cli.tfrc")).env(TEST_PROVIDER_ENV.0, TEST_PROVIDER_ENV.1);
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

    /// A working directory initialised for configurations that use any vendored provider
    /// (at its vendored version) with the offline override: its data directory (`TF_DATA_DIR`).
    fn init_shared(&self) -> Result<PathBuf, String> {
        let dir = self.home.path().join("shared");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let required: serde_json::Map<String, serde_json::Value> = Schema::all()
            .iter()
            .map(|s| (s.name().to_owned(), serde_json::json!({"source": s.source(), "version": s.version()})))
            .collect();
        let config = serde_json::json!({"terraform": {"required_providers": required}});
        std::fs::write(dir.join("main.tf.json"), config.to_string()).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("offline_override.tf.json"), mock_override(&[])).map_err(|e| e.to_string())?;
        self.init(&dir)?;
        Ok(dir.join(".terraform"))
    }
}

/// The aliases of `stack`'s aws provider configurations: an override that points the provider
/// elsewhere must name each.
pub fn aws_aliases(stack: &crate::model::Stack) -> Vec<&str> {
    stack.providers().iter().filter(|p| p.name() == "aws").filter_map(|p| p.alias_name()).collect()
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
