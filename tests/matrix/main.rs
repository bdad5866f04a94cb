//! The matrix: every registered stack × environment × format, taken from the registry so a new
//! stack is covered with no test edits, one named case each (libtest-mimic builds the list at
//! run time), so a failure names its case and `cargo test matrix::cvd` runs one stack:
//!
//! - `matrix::<stack>::<env>::<format>::snapshot`: the rendering matches its insta snapshot in
//!   `snapshots/` (and the HCL is as `terraform fmt` leaves it);
//! - `matrix::<stack>::<env>::<format>::plan`: it plans offline against the real provider (every
//!   stack's pair of an environment planned in one run, as two modules each of one root; a
//!   failed run is planned again a pair at a time, so a failure names its stack), only creates, writes generated
//!   values write-only, opens nothing its code has not approved (the security review of the
//!   plan, as `tfsynth plan --fail-on broadening` gates), and the HCL plans exactly what the
//!   JSON does;
//! - `matrix::checkov`: checkov on every HCL rendering, zero failed checks, every one checked;
//! - `matrix::guard::*`: no case left out, no snapshot of no stack.
//!
//! `INSTA_UPDATE=always cargo test --test matrix snapshot` rewrites every snapshot.

#[allow(dead_code, reason = "the helpers the integration tests share; this binary uses a few")]
#[path = "../it/common.rs"]
mod common;

use std::collections::BTreeSet;
use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use stacks::{Env, registry};
use tfsynth::prelude::*;

/// One rendering: stack, environment, format.
type Case = (&'static str, Env, Format);

fn main() {
    let args = Arguments::from_args();
    // checkov first: its one long run overlaps the plans instead of trailing them.
    let mut trials = vec![tool_trial("matrix::checkov".into(), tools::checkov)];
    let mut made = Vec::new();
    for case in cases(&registry()) {
        let (stack, env, format) = case;
        let name = format!("matrix::{stack}::{}::{}", env.name(), format.name());
        trials.push(Trial::test(format!("{name}::snapshot"), move || snapshot(case)));
        trials.push(tool_trial(format!("{name}::plan"), move || tools::plan(case)));
        made.push(case);
    }
    trials.push(Trial::test("matrix::guard::every_case_is_a_trial", move || every_case_is_a_trial(&made)));
    trials.push(Trial::test("matrix::guard::names_what_was_left_out", the_guard_names_what_was_left_out));
    trials.push(Trial::test("matrix::guard::every_snapshot_belongs_to_a_stack", every_snapshot_belongs_to_a_stack));
    libtest_mimic::run(&args, trials).exit();
}

/// A trial that needs terraform or checkov: compiled out, and listed as ignored with the
/// reason, under `TFSYNTH_SKIP_TOOLS=1` (never in CI).
#[cfg(not(skip_tools))]
fn tool_trial(name: String, run: impl FnOnce() -> Result<(), Failed> + Send + 'static) -> Trial {
    Trial::test(name, run)
}

#[cfg(skip_tools)]
fn tool_trial(name: String, _: impl FnOnce() -> Result<(), Failed> + Send + 'static) -> Trial {
    Trial::test(name, || Ok(())).with_ignored_flag(true)
}

/// Every case the registry defines.
fn cases<E: Environment>(registry: &Registry<E>) -> Vec<(&'static str, E, Format)> {
    let mut out = Vec::new();
    for def in registry.stacks() {
        for &env in E::ALL {
            for format in Format::ALL {
                out.push((def.name, env, format));
            }
        }
    }
    out
}

/// The cases of `registry` that `covered` leaves out.
fn uncovered<E: Environment>(registry: &Registry<E>, covered: &[(&str, E, Format)]) -> Vec<String> {
    let done: BTreeSet<(&str, &str, Format)> = covered.iter().map(|(s, e, f)| (*s, e.name(), *f)).collect();
    cases(registry)
        .into_iter()
        .filter(|(s, e, f)| !done.contains(&(*s, e.name(), *f)))
        .map(|(s, e, f)| format!("{s}/{}/{}", e.name(), f.name()))
        .collect()
}

fn snapshot_name((stack, env, format): Case) -> String {
    format!("{stack}-{}-{}", env.name(), format.name())
}

/// A failed trial with `message`.
fn fail(message: impl Into<String>) -> Failed {
    Failed::from(message.into())
}

fn snapshot(case: Case) -> Result<(), Failed> {
    let (stack, env, format) = case;
    let rendered = common::synth(stack, env, format);
    let outcome = std::panic::catch_unwind(|| {
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("tfsynth synth {} --stack {stack} --format {}", env.name(), format.name()),
        }, {
            insta::assert_snapshot!(snapshot_name(case), rendered);
        });
    });
    if outcome.is_err() {
        return Err(fail(format!(
            "snapshots/{}.snap differs (review with `cargo insta review`, or rewrite with `INSTA_UPDATE=always cargo test --test matrix snapshot`)",
            snapshot_name(case)
        )));
    }
    #[cfg(not(skip_tools))]
    if format == Format::Hcl
        && let Some(diff) = common::tools::fmt_diff(&rendered)
    {
        return Err(fail(format!("terraform fmt would change the HCL:\n{diff}")));
    }
    Ok(())
}

/// Under `TFSYNTH_SKIP_TOOLS=1` the tool trials are listed as ignored, and never run.
#[cfg(skip_tools)]
mod tools {
    use libtest_mimic::Failed;

    pub fn plan(_: super::Case) -> Result<(), Failed> {
        unreachable!("an ignored trial")
    }

    pub fn checkov() -> Result<(), Failed> {
        unreachable!("an ignored trial")
    }
}

/// What needs terraform or checkov (compiled out under `TFSYNTH_SKIP_TOOLS=1`).
#[cfg(not(skip_tools))]
mod tools {
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::{Arc, Mutex, OnceLock};

    use libtest_mimic::Failed;
    use serde_json::Value;
    use stacks::{Env, registry};
    use tfsynth::policy::security::{Direction, approve, classify_plan};
    use tfsynth::prelude::*;

    use super::{Case, common, fail};

    /// Both renderings of one stack planned: the JSON's and the HCL's resource changes.
    type Plans = Result<[Vec<Value>; 2], String>;

    /// One environment's plans by stack, computed once.
    type ByStack = Arc<OnceLock<BTreeMap<&'static str, Plans>>>;

    /// Every stack's pair of one environment, planned in one terraform run (the provider's
    /// schema, terraform's start and `show` paid once, not once a stack); when that run fails,
    /// each pair on its own, so the failure is its stack's alone. Computed by whichever trial
    /// of the environment runs first.
    fn planned(stack: &'static str, env: Env) -> Plans {
        static ENVIRONMENTS: Mutex<BTreeMap<&str, ByStack>> = Mutex::new(BTreeMap::new());
        let cell = ENVIRONMENTS.lock().expect("plans").entry(env.name()).or_default().clone();
        let plans = cell.get_or_init(|| {
            let stacks: Vec<&'static str> = registry().stacks().iter().map(|d| d.name).collect();
            let pairs: Vec<common::tools::Pair> =
                stacks.iter().map(|s| Format::ALL.map(|format| common::stack_files(s, env, format))).collect();
            let named: Vec<(&str, &common::tools::Pair)> = stacks.iter().copied().zip(&pairs).collect();
            match common::tools::plan_pairs(&named) {
                Ok(all) => stacks.iter().copied().zip(all.into_iter().map(Ok)).collect(),
                Err(_) => named.iter().map(|(s, pair)| (*s, common::tools::plan_formats(pair))).collect(),
            }
        });
        plans.get(stack).cloned().unwrap_or_else(|| Err(format!("{stack} is not registered")))
    }

    pub fn plan((stack, env, format): Case) -> Result<(), Failed> {
        let plans = planned(stack, env);
        let [json, hcl] = plans.as_ref().map_err(|why| fail(why.clone()))?;
        if format == Format::Hcl {
            return if json == hcl { Ok(()) } else { Err(fail("the JSON and HCL renderings plan differently")) };
        }
        if json.is_empty() || !json.iter().all(|c| c["change"]["actions"] == serde_json::json!(["create"])) {
            return Err(fail("a fresh plan must create, and only create"));
        }
        // Generated secrets are write-only: planned as null with a version beside them, and the
        // test provider's placeholder for a generated value appears nowhere in the plan.
        let attributes: Vec<(&String, &Value)> =
            json.iter().flat_map(|c| c["change"]["after"].as_object().into_iter().flatten()).collect();
        let leaked: Vec<&str> = attributes
            .iter()
            .filter(|(name, value)| name.ends_with("_wo") && !value.is_null())
            .map(|(name, _)| name.as_str())
            .collect();
        let written =
            attributes.iter().filter(|(name, value)| name.ends_with("_wo_version") && !value.is_null()).count();
        if !leaked.is_empty() || serde_json::to_string(json).unwrap_or_default().contains("tfsynth-test-provider:") {
            return Err(fail(format!("a generated value reached the plan ({leaked:?})")));
        }
        // The database password, its credentials secret, DATABASE_URL and the signing secret.
        if ["cvd", "takeoff"].contains(&stack) && written < 4 {
            return Err(fail(format!("{written} values written write-only, 4 expected")));
        }
        // A fresh plan opens nothing the stack's code has not approved: the pipeline's gate.
        let built = registry().build(stack, env).map_err(|e| fail(e.to_string()))?;
        let mut changes = classify_plan(&serde_json::json!({ "resource_changes": json }), &[]);
        approve(&mut changes, built.approvals(), Date::today());
        let unapproved: Vec<String> = changes
            .iter()
            .filter(|c| c.direction == Direction::Broadening && c.approved.is_none())
            .map(|c| format!("{}: {}", c.address, c.what))
            .collect();
        if !unapproved.is_empty() {
            return Err(fail(format!("broadening changes no approval covers:\n{}", unapproved.join("\n"))));
        }
        Ok(())
    }

    /// checkov on the HCL of every stack × environment: zero failed checks (waivers carry their
    /// reasons), and every rendering checked. checkov skips `*.tf.json` files that hold
    /// `required_version`, so the HCL is what it reads. One run for all: checkov takes seconds to
    /// start.
    pub fn checkov() -> Result<(), Failed> {
        let root = tempfile::tempdir().expect("temp dir");
        let mut expected = Vec::new();
        for def in registry().stacks() {
            for &env in Env::ALL {
                let folder = format!("{}-{}", def.name, env.name());
                let dir = root.path().join(&folder);
                std::fs::create_dir_all(&dir).expect("mkdir");
                std::fs::write(dir.join("main.tf"), common::synth(def.name, env, Format::Hcl)).expect("write");
                expected.push(folder);
            }
        }
        let report = common::tools::checkov(root.path());
        let reports = match &report {
            Value::Array(list) => list.clone(),
            one => vec![one.clone()],
        };
        let mut checked = BTreeSet::new();
        let mut failed = Vec::new();
        for r in &reports {
            if r["summary"]["parsing_errors"] != 0 {
                return Err(fail(format!("checkov could not parse: {}", r["summary"])));
            }
            for (kind, list) in [("passed", &r["results"]["passed_checks"]), ("failed", &r["results"]["failed_checks"])]
            {
                for c in list.as_array().into_iter().flatten() {
                    let file = c["file_path"].as_str().unwrap_or("").trim_start_matches('/').to_owned();
                    checked.insert(file.split('/').next().unwrap_or("").to_owned());
                    if kind == "failed" {
                        failed.push(format!("{file}: {} {} ({})", c["check_id"], c["resource"], c["check_name"]));
                    }
                }
            }
        }
        if !failed.is_empty() {
            return Err(fail(format!("checkov failed checks:\n{}", failed.join("\n"))));
        }
        let missing: Vec<&String> = expected.iter().filter(|f| !checked.contains(*f)).collect();
        if !missing.is_empty() {
            return Err(fail(format!("checkov checked nothing in {missing:?}")));
        }
        Ok(())
    }
}

/// The cases `main` made trials for cover every case of the registry.
fn every_case_is_a_trial(made: &[Case]) -> Result<(), Failed> {
    let left_out = uncovered(&registry(), made);
    if left_out.is_empty() { Ok(()) } else { Err(fail(format!("no trial for {left_out:?}"))) }
}

/// A registry with one stack more than the cases cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OneEnv {
    Only,
}

impl Environment for OneEnv {
    const ALL: &'static [Self] = &[OneEnv::Only];
    fn name(self) -> &'static str {
        "only"
    }
    fn tier(self) -> Tier {
        Tier::Development
    }
}

fn empty(_: OneEnv) -> Stack {
    Stack::new("x", "only")
}

fn the_guard_names_what_was_left_out() -> Result<(), Failed> {
    let two = Registry::new(vec![
        StackDef { name: "kept", description: "", build: empty, settings: None },
        StackDef { name: "forgotten", description: "", build: empty, settings: None },
    ]);
    let covered = [
        ("kept", OneEnv::Only, Format::Json),
        ("kept", OneEnv::Only, Format::Hcl),
        ("forgotten", OneEnv::Only, Format::Json),
    ];
    let left_out = uncovered(&two, &covered);
    if left_out != ["forgotten/only/hcl"] || !uncovered(&two, &cases(&two)).is_empty() {
        return Err(fail(format!("the guard reported {left_out:?}")));
    }
    Ok(())
}

fn every_snapshot_belongs_to_a_stack() -> Result<(), Failed> {
    let expected: BTreeSet<String> =
        cases(&registry()).into_iter().map(|c| format!("{}.snap", snapshot_name(c))).collect();
    let stray: Vec<String> = std::fs::read_dir(common::repo("snapshots"))
        .expect("snapshots folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "snap") && !expected.contains(n))
        .collect();
    if stray.is_empty() { Ok(()) } else { Err(fail(format!("snapshots of no stack (delete them): {stray:?}"))) }
}
