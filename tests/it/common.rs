//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stacks::{Env, registry};
use tfsynth::modules::{Account, Context, kms};
use tfsynth::prelude::*;

/// The account the component tests deploy into.
pub const ACCOUNT: Account = Account::new("123456789012", "us-east-1");

/// Builds, validates and renders one registered stack.
#[track_caller]
pub fn synth(stack: &str, env: Env, format: Format) -> String {
    let registry = registry();
    let def = registry.select(&[stack]).expect("registered stack");
    match tfsynth::pipeline::synthesize(&registry, &def, env, format) {
        Ok(mut files) => files.remove(0).contents,
        Err(e) => panic!("{e}"),
    }
}

/// The files a terraform test plans for one registered stack: its rendering and, when it
/// imports from other stacks, the override pointing those imports at placeholder state files
/// of its producers, and those files.
pub fn stack_files(stack: &str, env: Env, format: Format) -> Vec<(String, String)> {
    let registry = registry();
    let def = registry.select(&[stack]).expect("registered stack");
    let built = tfsynth::pipeline::build(&registry, &def, env).unwrap_or_else(|e| panic!("{e}"));
    let consumer = &built[0].stack;
    let mut files = vec![(format.file_name().to_owned(), render(consumer, format))];
    if let Some(states) = tfsynth::tools::local_remote_states(consumer) {
        files.push(("remote_state_override.tf.json".into(), states));
        for import in consumer.imports() {
            let producer = registry.build(&import.stack, env).expect("producer");
            files.push((tfsynth::tools::state_file(&import.stack), tfsynth::tools::placeholder_state(&producer)));
        }
    }
    files.dedup_by(|a, b| a.0 == b.0);
    files
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

/// The JSON document of `stack`.
pub fn document(stack: &Stack) -> serde_json::Value {
    serde_json::from_str(&render(stack, Format::Json)).expect("JSON")
}

/// A stack with the aws provider configured, ready for resources.
pub fn stack() -> Stack {
    let mut s = Stack::new("test", "development").with_tier(Tier::Development);
    s.provider(Provider::aws("us-east-1"));
    s
}

/// A context for component tests: stack `name` in production, with a key for logs, alarms and
/// CloudFront as the default key.
pub fn context(name: &str) -> Context {
    let mut s = Stack::new(name, "production");
    s.provider(Provider::aws(ACCOUNT.region));
    let mut ctx = Context::new(s, ACCOUNT);
    let key = kms::Key::new("main", name, "test key")
        .for_log_groups()
        .for_trails()
        .for_service("cloudwatch.amazonaws.com")
        .for_service("cloudfront.amazonaws.com")
        .build(&mut ctx);
    ctx.use_key(&key);
    ctx
}

/// The `tfsynth` binary with `args`.
pub fn tfsynth(args: &[&str]) -> Output {
    // The terraform `plan` starts may talk to the schema-serving test provider.
    let (name, value) = tfsynth::tools::TEST_PROVIDER_ENV;
    // From the repository's root, as a user runs it (`pipeline` names the stacks' folders).
    Command::new(env!("CARGO_BIN_EXE_tfsynth"))
        .args(args)
        .env(name, value)
        .current_dir(repo(""))
        .output()
        .expect("run tfsynth")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the command line in process against `registry`: exit code, stdout, stderr.
pub fn run<E: Environment>(registry: &Registry<E>, args: &[&str]) -> (std::process::ExitCode, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code =
        tfsynth::cli::run_with(registry, std::iter::once("tfsynth").chain(args.iter().copied()), &mut out, &mut err);
    (code, text(&out), text(&err))
}

/// Every file below `dir`, relative, sorted; links are listed, not followed.
pub fn tree(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).expect("inside").display().to_string())
        .collect();
    files.sort();
    files
}

/// Every file `tfsynth synth` writes for `env` with every stack, in `format`.
pub fn outputs(env: &str, format: Format) -> Vec<String> {
    let mut files: Vec<String> =
        registry().stacks().iter().map(|d| format!("{}/{env}/{}", d.name, format.file_name())).collect();
    files.sort();
    files
}

/// The external tools the suite drives, found once; a missing one fails the test that needs
/// it with what to install or set (`TFSYNTH_SKIP_TOOLS=1` compiles those tests out instead).
#[cfg(not(skip_tools))]
pub mod tools {
    use std::path::Path;
    use std::sync::OnceLock;

    use tfsynth::tools::{Terraform, mock_override};

    /// Terraform with the offline mirror (panics with the reason when missing).
    pub fn terraform() -> &'static Terraform {
        static TERRAFORM: OnceLock<Result<Terraform, String>> = OnceLock::new();
        match TERRAFORM.get_or_init(Terraform::find) {
            Ok(t) => t,
            Err(why) => panic!("{why} (or run with TFSYNTH_SKIP_TOOLS=1 to leave the terraform tests out)"),
        }
    }

    /// A fresh folder holding `files` and the offline override.
    pub fn workspace(files: &[(&str, &str)], aliases: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        std::fs::write(dir.path().join("offline_override.tf.json"), mock_override(aliases)).expect("override");
        dir
    }

    /// Plans `dir` offline; returns the `resource_changes`, or terraform's complaint.
    pub fn plan(dir: &Path) -> Result<Vec<serde_json::Value>, String> {
        let plan = terraform().plan_offline(dir)?;
        Ok(plan["resource_changes"].as_array().cloned().unwrap_or_default())
    }

    /// Both renderings of one stack — JSON first, HCL second — each the configuration and its
    /// extra files.
    pub type Pair = [Vec<(String, String)>; 2];

    /// Plans both renderings of one stack in one run, as modules `json` and `hcl` of one root,
    /// so the provider starts once for the pair. Returns each module's resource changes with
    /// the module prefix removed, JSON first.
    pub fn plan_formats(files: &Pair) -> Result<[Vec<serde_json::Value>; 2], String> {
        let mut plans = plan_pairs(&[("", files)])?;
        Ok(plans.remove(0))
    }

    /// Plans the pairs of several stacks in one run, as modules `<name>_json` and
    /// `<name>_hcl` of one root (`json` and `hcl` for an empty name): terraform, the provider's
    /// schema and `show` start once for all of them. Returns each pair's resource changes, in
    /// order, with the module prefix removed, JSON first.
    pub fn plan_pairs(pairs: &[(&str, &Pair)]) -> Result<Vec<[Vec<serde_json::Value>; 2]>, String> {
        use tfsynth::prelude::Format;
        let module = |name: &str, format: Format| {
            if name.is_empty() { format.name().to_owned() } else { format!("{name}_{}", format.name()) }
        };
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let calls: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .flat_map(|(name, _)| Format::ALL.map(|f| module(name, f)))
            .map(|m| (m.clone(), serde_json::json!({ "source": format!("./{m}") })))
            .collect();
        let root = serde_json::json!({ "module": calls });
        std::fs::write(dir.path().join("main.tf.json"), root.to_string()).map_err(|e| e.to_string())?;
        for (name, files) in pairs {
            // The aws aliases the override must cover too, from the JSON rendering.
            let json: serde_json::Value = serde_json::from_str(&files[0][0].1).map_err(|e| e.to_string())?;
            let configs = json["provider"]["aws"].as_array().cloned().unwrap_or_default();
            let aliases: Vec<&str> = configs.iter().filter_map(|p| p["alias"].as_str()).collect();
            let override_text = mock_override(&aliases);
            for (format, files) in Format::ALL.into_iter().zip(files.iter()) {
                let folder = dir.path().join(module(name, format));
                std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
                std::fs::write(folder.join("offline_override.tf.json"), &override_text).map_err(|e| e.to_string())?;
                for (file, text) in files {
                    // Producer state files are read relative to the working directory: the
                    // root (the same placeholder for every consumer of one producer).
                    let at = if file.ends_with(".tfstate") { dir.path() } else { folder.as_path() };
                    std::fs::write(at.join(file), text).map_err(|e| e.to_string())?;
                }
            }
        }
        terraform().init(dir.path())?;
        let plan = terraform().run_plan(dir.path())?;
        let changes = plan["resource_changes"].as_array().cloned().unwrap_or_default();
        let of = |prefix: String| -> Vec<serde_json::Value> {
            changes
                .iter()
                .filter_map(|c| {
                    let address = c["address"].as_str()?.strip_prefix(&prefix)?.to_owned();
                    let mut c = c.clone();
                    c["address"] = address.into();
                    c.as_object_mut()?.remove("module_address");
                    Some(c)
                })
                .collect()
        };
        Ok(pairs.iter().map(|(name, _)| Format::ALL.map(|f| of(format!("module.{}.", module(name, f))))).collect())
    }

    /// Plans `text` as `file` offline and panics with terraform's complaint on failure.
    #[track_caller]
    pub fn plan_text(file: &str, text: &str, aliases: &[&str]) -> Vec<serde_json::Value> {
        let dir = workspace(&[(file, text)], aliases);
        plan(dir.path()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Whether `terraform fmt` would leave `hcl` unchanged; its diff otherwise.
    pub fn fmt_diff(hcl: &str) -> Option<String> {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.tf"), hcl).expect("write hcl");
        terraform().run(dir.path(), &["fmt", "-check", "-diff", "-no-color", "main.tf"]).err()
    }

    /// checkov's JSON report of the HCL files in `dir` (panics when checkov is missing).
    #[allow(dead_code, reason = "the matrix binary's; the integration tests share this module")]
    pub fn checkov(dir: &Path) -> serde_json::Value {
        assert!(
            tfsynth::tools::checkov_available(),
            "checkov is not runnable: pip install checkov==3.3.30 or set {} (or run with TFSYNTH_SKIP_TOOLS=1)",
            tfsynth::tools::CHECKOV_ENV
        );
        let out = tfsynth::tools::checkov_command()
            .args(["--directory", ".", "--framework", "terraform", "--skip-download", "--compact"])
            .args(["--output", "json"])
            .current_dir(dir)
            .output()
            .expect("run checkov");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("checkov output is not JSON ({e}):\n{}", String::from_utf8_lossy(&out.stderr)))
    }
}

/// A path below the repository's root (the tests belong to the `stacks/` package).
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("stacks/ is in the repository").join(path)
}
