//! The pipeline's saved plan against the emulator: `tfsynth plan --save` keeps the reviewed
//! plan; `tfsynth apply --saved` applies it when a fresh synthesis is the one planned, and
//! refuses, applying nothing, when the stack changed since.

use std::path::Path;
use std::process::ExitCode;

use tfsynth::modules::kms::Key;
use tfsynth::modules::logs::LogGroup;
use tfsynth::modules::{Account, Context, Retention};
use tfsynth::prelude::*;
use tfsynth::tools::emulator::{Emulator, override_file};

use super::terraform;

const ACCOUNT: Account = Account::new("123456789012", "us-east-1");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Development;

impl Environment for Development {
    const ALL: &'static [Self] = &[Development];

    fn name(self) -> &'static str {
        "development"
    }

    fn tier(self) -> Tier {
        Tier::Development
    }
}

/// A key and a log group encrypted with it, the group called `logs`.
fn stack(logs: &str) -> Stack {
    let mut stack = Stack::new("saved", "development").with_tier(Tier::Development);
    stack.provider(Provider::aws(ACCOUNT.region));
    let mut ctx = Context::new(stack, ACCOUNT);
    let key = Key::new("main", "saved", "Saved plans").for_log_groups().build(&mut ctx);
    ctx.use_key(&key);
    LogGroup::new("app", logs).retention(Retention::Days(7, "a test")).build(&mut ctx);
    ctx.finish()
}

fn reviewed(_: Development) -> Stack {
    stack("/saved/app")
}

fn changed(_: Development) -> Stack {
    stack("/saved/renamed")
}

/// `tfsynth <args>` over a registry of the one stack `build` builds: exit code and standard
/// error.
fn tfsynth(build: fn(Development) -> Stack, args: &[&str]) -> (ExitCode, String) {
    let def = StackDef { name: "saved", description: "a saved plan", build, settings: None };
    let registry = Registry::new(vec![def]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = std::iter::once("tfsynth").chain(args.iter().copied());
    let code = tfsynth::cli::run_with(&registry, args, &mut out, &mut err);
    (code, String::from_utf8_lossy(&err).into_owned())
}

/// The log groups in the folder's local state.
fn log_groups(folder: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(folder.join("terraform.tfstate")) else { return Vec::new() };
    let state: serde_json::Value = serde_json::from_str(&text).expect("state JSON");
    let resources = state["resources"].as_array().cloned().unwrap_or_default();
    resources
        .iter()
        .filter(|r| r["type"] == "aws_cloudwatch_log_group")
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["attributes"]["name"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn apply_takes_the_reviewed_plan_and_refuses_a_changed_synthesis() {
    let emulator = Emulator::start(ACCOUNT.id.as_str(), &[]).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, saved) = (dir.path().join("out"), dir.path().join("planned"));
    // The emulator's endpoints and a local state: a file of the user's beside tfsynth's own.
    let folder = out.join("saved").join("development");
    std::fs::create_dir_all(&folder).expect("mkdir");
    std::fs::write(folder.join("emulator_override.tf.json"), override_file(&emulator.endpoint(), &[])).expect("write");
    let mirror = terraform().plugin_dir().to_str().expect("utf-8").to_owned();
    let (out, saved) = (out.to_str().expect("utf-8"), saved.to_str().expect("utf-8"));
    let common = ["--out", out, "--plugin-dir", mirror.as_str(), "--allow-unowned-files"];

    let plan: Vec<&str> = ["plan", "development", "--save", saved].into_iter().chain(common).collect();
    let (code, err) = tfsynth(reviewed, &plan);
    assert_eq!(code, ExitCode::from(3), "a fresh stack plans changes:\n{err}");
    let kept = Path::new(saved).join("saved").join("development");
    for file in ["tfplan", "plan.json", ".terraform.lock.hcl", "synth.sha256"] {
        assert!(kept.join(file).is_file(), "{file} not kept:\n{err}");
    }

    let apply: Vec<&str> = ["apply", "development", "--saved", saved].into_iter().chain(common).collect();
    let (code, err) = tfsynth(changed, &apply);
    assert_eq!(code, ExitCode::from(1), "a changed stack is refused:\n{err}");
    assert!(
        err.contains("saved/development: refusing to apply: the configuration synthesized now is not the one planned"),
        "{err}"
    );
    assert!(err.contains(&format!("tfsynth plan development --stack saved --save {saved}")), "{err}");
    assert_eq!(log_groups(&folder), Vec::<String>::new(), "nothing applied");

    let (code, err) = tfsynth(reviewed, &apply);
    assert_eq!(code, ExitCode::SUCCESS, "the reviewed plan applies:\n{err}");
    assert!(err.contains("applied saved/development"), "{err}");
    assert_eq!(log_groups(&folder), ["/saved/app"], "what was planned is what exists");

    // Applied once, the saved plan is spent: terraform refuses it against the new state.
    let (code, err) = tfsynth(reviewed, &apply);
    assert_eq!(code, ExitCode::from(1), "a saved plan applies once:\n{err}");
    assert!(err.contains("Saved plan is stale"), "{err}");
}
