//! Every registered stack × environment × format, taken from the registry so a new stack is
//! covered with no test edits: its insta snapshot (in `snapshots/`), an offline
//! `terraform plan` of both renderings that must agree, `terraform fmt` leaving the HCL as it
//! is, and checkov on the HCL with zero failed checks.

use std::collections::BTreeSet;
use std::path::Path;

use stacks::{Env, registry};
use tfsynth::prelude::*;

/// One rendering: stack, environment, format.
type Case = (&'static str, Env, Format);

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

/// The cases of `registry` that `covered` leaves out: the guard that fails a matrix which
/// skips a stack, an environment or a format.
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

#[test]
fn every_rendering_matches_its_snapshot() {
    let mut failed = Vec::new();
    for case in cases(&registry()) {
        let (stack, env, format) = case;
        let rendered = super::common::synth(stack, env, format);
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
            failed.push(snapshot_name(case));
        }
    }
    assert!(failed.is_empty(), "snapshots differ (review with `cargo insta review`): {failed:?}");
}

#[test]
fn every_snapshot_belongs_to_a_stack() {
    let expected: BTreeSet<String> =
        cases(&registry()).into_iter().map(|c| format!("{}.snap", snapshot_name(c))).collect();
    let stray: Vec<String> = std::fs::read_dir(super::common::repo("snapshots"))
        .expect("snapshots folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "snap") && !expected.contains(n))
        .collect();
    assert!(stray.is_empty(), "snapshots of no stack (delete them): {stray:?}");
}

/// A registry with one stack more than the planned cases cover.
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

#[test]
fn the_matrix_guard_names_what_was_left_out() {
    let two = Registry::new(vec![
        StackDef { name: "kept", description: "", build: empty, settings: None },
        StackDef { name: "forgotten", description: "", build: empty, settings: None },
    ]);
    let covered = [
        ("kept", OneEnv::Only, Format::Json),
        ("kept", OneEnv::Only, Format::Hcl),
        ("forgotten", OneEnv::Only, Format::Json),
    ];
    assert_eq!(uncovered(&two, &covered), ["forgotten/only/hcl"]);
    assert!(uncovered(&two, &cases(&two)).is_empty());
}

#[cfg(not(skip_tools))]
mod tools {
    use serde_json::Value;
    use stacks::{Env, registry};
    use tfsynth::prelude::*;

    use super::super::common::{parallel, stack_files, synth, tools};
    use super::{Case, cases, uncovered};

    /// The plans of both renderings of one stack × environment, or why they failed.
    fn plan_both(stack: &'static str, env: Env) -> Result<[Vec<Value>; 2], String> {
        let files = Format::ALL.map(|format| stack_files(stack, env, format));
        if let Some(diff) = tools::fmt_diff(&files[1][0].1) {
            return Err(format!("terraform fmt would change the HCL:\n{diff}"));
        }
        tools::plan_formats(&files)
    }

    /// Every rendering plans offline against the real provider, only creates, and JSON and
    /// HCL plan the same changes.
    #[test]
    fn every_rendering_plans_and_both_formats_agree() {
        let pairs: Vec<(&'static str, Env)> =
            cases(&registry()).into_iter().filter(|(_, _, f)| *f == Format::Json).map(|(s, e, _)| (s, e)).collect();
        let plans = parallel(pairs, |(stack, env)| ((stack, env), plan_both(stack, env)));
        let mut planned: Vec<Case> = Vec::new();
        let mut failures = Vec::new();
        for ((stack, env), result) in &plans {
            let label = format!("{stack}/{}", env.name());
            let [json, hcl] = match result {
                Ok(pair) => pair,
                Err(why) => {
                    failures.push(format!("{label}: {why}"));
                    continue;
                }
            };
            planned.extend(Format::ALL.map(|f| (*stack, *env, f)));
            if json.is_empty() || !json.iter().all(|c| c["change"]["actions"] == serde_json::json!(["create"])) {
                failures.push(format!("{label}: a fresh plan must create, and only create"));
            }
            if json != hcl {
                failures.push(format!("{label}: the JSON and HCL renderings plan differently"));
            }
            // Generated secrets are write-only: planned as null with a version beside them, and
            // the test provider's placeholder for a generated value appears nowhere in the plan.
            let attributes: Vec<(&String, &Value)> =
                json.iter().flat_map(|c| c["change"]["after"].as_object().into_iter().flatten()).collect();
            let leaked: Vec<&str> = attributes
                .iter()
                .filter(|(name, value)| name.ends_with("_wo") && !value.is_null())
                .map(|(name, _)| name.as_str())
                .collect();
            let written =
                attributes.iter().filter(|(name, value)| name.ends_with("_wo_version") && !value.is_null()).count();
            if !leaked.is_empty() || serde_json::to_string(json).unwrap_or_default().contains("tfsynth-test-provider:")
            {
                failures.push(format!("{label}: a generated value reached the plan ({leaked:?})"));
            }
            // The database password, its credentials secret, DATABASE_URL and the signing secret.
            if ["cvd", "takeoff"].contains(stack) && written < 4 {
                failures.push(format!("{label}: {written} values written write-only, 4 expected"));
            }
            let managed = json.iter().filter(|c| c["mode"] == "managed").count();
            eprintln!("{label}: {managed} resources planned, {written} values written write-only");
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
        let left_out = uncovered(&registry(), &planned);
        assert!(left_out.is_empty(), "not planned: {left_out:?}");
    }

    /// checkov on the HCL of every stack × environment: zero failed checks (waivers carry
    /// their reasons), and every rendering checked. checkov skips `*.tf.json` files that hold
    /// `required_version`, so the HCL is what it reads.
    #[test]
    fn every_rendering_passes_checkov() {
        let root = tempfile::tempdir().expect("temp dir");
        let mut expected = Vec::new();
        for def in registry().stacks() {
            for &env in Env::ALL {
                let folder = format!("{}-{}", def.name, env.name());
                let dir = root.path().join(&folder);
                std::fs::create_dir_all(&dir).expect("mkdir");
                std::fs::write(dir.join("main.tf"), synth(def.name, env, Format::Hcl)).expect("write");
                expected.push(folder);
            }
        }
        let report = tools::checkov(root.path());
        let reports = match &report {
            Value::Array(list) => list.clone(),
            one => vec![one.clone()],
        };
        let mut checked = std::collections::BTreeSet::new();
        let mut failed = Vec::new();
        for r in &reports {
            assert_eq!(r["summary"]["parsing_errors"], 0, "{}", r["summary"]);
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
        assert!(failed.is_empty(), "checkov failed checks:\n{}", failed.join("\n"));
        let missing: Vec<&String> = expected.iter().filter(|f| !checked.contains(*f)).collect();
        assert!(missing.is_empty(), "checkov checked nothing in {missing:?}");
        for r in &reports {
            eprintln!("checkov: {}", r["summary"]);
        }
    }
}
