//! `tfsynth pipeline`: the Atlantis configuration and the GitHub Actions workflows (pull
//! requests and main; drift), pinned, checked for structure (Atlantis) and against GitHub's
//! workflow schema (GitHub), and kept identical to the copies in `examples/ci/`.

use std::collections::BTreeMap;

use super::common::{repo, text, tfsynth};

fn generated(format: &str) -> String {
    let run = tfsynth(&["pipeline", "--format", format]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    text(&run.stdout)
}

#[test]
fn generated_pipelines_are_pinned_and_match_the_examples() {
    let atlantis = generated("atlantis");
    let github = generated("github");
    let drift = generated("github-drift");
    insta::assert_snapshot!("atlantis", atlantis);
    insta::assert_snapshot!("github_workflow", github);
    insta::assert_snapshot!("github_drift_workflow", drift);
    for (file, text) in [("atlantis.yaml", &atlantis), ("infrastructure.yml", &github), ("drift.yml", &drift)] {
        let example = std::fs::read_to_string(repo(&format!("examples/ci/{file}"))).expect("example");
        assert_eq!(&example, text, "regenerate examples/ci/{file} with `cargo run -- pipeline --into examples/ci`");
    }
}

/// Every `uses:` of both workflows is an action of the pinned table at its commit, the release
/// in a comment; every row of the table is used.
#[test]
fn every_action_is_pinned_to_a_commit_from_the_table() {
    let mut used = std::collections::BTreeSet::new();
    for workflow in [generated("github"), generated("github-drift")] {
        for line in workflow.lines().filter(|l| l.contains("uses:")) {
            let pinned = line.trim().strip_prefix("- uses: ").and_then(|u| u.split_once('@'));
            let (repository, (commit, release)) = pinned
                .and_then(|(repository, rest)| Some((repository, rest.split_once(" # ")?)))
                .unwrap_or_else(|| panic!("not `owner/repo@<commit> # <release>`: {line}"));
            assert!(commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()), "not a full SHA: {line}");
            let row = tfsynth::cli::PINNED_ACTIONS
                .iter()
                .find(|a| a.repository == repository)
                .unwrap_or_else(|| panic!("{repository} is not in PINNED_ACTIONS"));
            assert_eq!((row.commit, row.release), (commit, release), "{line}");
            used.insert(row.key);
        }
    }
    for row in &tfsynth::cli::PINNED_ACTIONS {
        assert!(row.commit.len() == 40 && row.commit.bytes().all(|b| b.is_ascii_hexdigit()), "{row:?}");
        assert!(used.contains(row.key), "{} is pinned but no workflow uses it", row.repository);
    }
}

/// One Terraform version, the registry's pin: every stack × environment requires exactly it,
/// and both workflows and every Atlantis project install it.
#[test]
fn one_terraform_version_is_required_and_installed() {
    let registry = stacks::registry();
    let pinned = registry.pipeline_settings().terraform_version.clone();
    let dir = tempfile::tempdir().expect("temp dir");
    for env in ["development", "staging", "production"] {
        let out = dir.path().join(env);
        let run = tfsynth(&["synth", env, "--out", out.to_str().expect("utf-8"), "-q"]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        for stack in registry.stacks() {
            let file = out.join(stack.name).join(env).join("main.tf.json");
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
            assert_eq!(json["terraform"]["required_version"], pinned.as_str(), "{}", file.display());
        }
    }
    for workflow in [generated("github"), generated("github-drift")] {
        let versions: std::collections::BTreeSet<&str> =
            workflow.lines().filter_map(|l| l.trim().strip_prefix("terraform_version: ")).collect();
        assert_eq!(versions, [format!("\"{pinned}\"").as_str()].into(), "the workflows install the pinned version");
        let setups = workflow.matches("hashicorp/setup-terraform@").count();
        assert_eq!(setups, workflow.matches("terraform_version: ").count(), "every setup names the version");
    }
    let atlantis = generated("atlantis");
    let projects = atlantis.matches("\n  - name: ").count();
    assert_eq!(atlantis.matches(&format!("\n    terraform_version: v{pinned}\n")).count(), projects);
}

/// `pipeline --into DIR` writes both files, and `check` compares the committed ones with what
/// would be generated now, naming the command that regenerates them.
#[test]
fn check_verifies_the_committed_pipelines_and_names_the_command_that_regenerates_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ci = dir.path().join("ci");
    let ci_arg = ci.to_str().expect("utf-8");
    let snapshots = repo("snapshots");
    let check = || tfsynth(&["check", "--snapshots", snapshots.to_str().expect("utf-8"), "--pipelines", ci_arg]);
    let wrote = tfsynth(&["pipeline", "--into", ci_arg]);
    assert!(wrote.status.success(), "{}", text(&wrote.stderr));
    assert_eq!(std::fs::read_to_string(ci.join("atlantis.yaml")).expect("written"), generated("atlantis"));
    assert_eq!(std::fs::read_to_string(ci.join("infrastructure.yml")).expect("written"), generated("github"));
    assert_eq!(std::fs::read_to_string(ci.join("drift.yml")).expect("written"), generated("github-drift"));
    assert!(check().status.success(), "{}", text(&check().stdout));
    let workflow = ci.join("infrastructure.yml");
    let edited = std::fs::read_to_string(&workflow).expect("read").replacen("- name: Plan", "- name: Plan it", 1);
    std::fs::write(&workflow, edited).expect("write");
    std::fs::remove_file(ci.join("atlantis.yaml")).expect("remove");
    let run = check();
    assert_eq!(run.status.code(), Some(3));
    let (out, err) = (text(&run.stdout), text(&run.stderr));
    assert!(out.contains("atlantis.yaml is missing") && out.contains("-      - name: Plan it"), "{out}");
    assert!(err.contains(&format!("regenerate them with `cargo run -- pipeline --into {ci_arg}`")), "{err}");
}

/// Projects of the generated `atlantis.yaml`: name → (`dir`, `depends_on`).
fn projects(yaml: &str) -> BTreeMap<String, (String, Vec<String>)> {
    let mut out: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut current = String::new();
    let mut in_depends = false;
    for line in yaml.lines() {
        if let Some(name) = line.strip_prefix("  - name: ") {
            name.clone_into(&mut current);
            out.insert(current.clone(), (String::new(), Vec::new()));
            in_depends = false;
        } else if let Some(dir) = line.strip_prefix("    dir: ") {
            dir.clone_into(&mut out.get_mut(&current).expect("a project").0);
        } else if line == "    depends_on:" {
            in_depends = true;
        } else if let (true, Some(d)) = (in_depends, line.strip_prefix("      - ")) {
            out.get_mut(&current).expect("a project").1.push(d.to_owned());
        } else if !line.starts_with("      ") {
            in_depends = false;
        }
    }
    out
}

#[test]
fn atlantis_projects_exist_after_synth_and_depend_on_projects_without_a_cycle() {
    let yaml = generated("atlantis");
    let projects = projects(&yaml);
    let expected = stacks::registry().stacks().len() * <stacks::Env as tfsynth::prelude::Environment>::ALL.len();
    assert_eq!(projects.len(), expected, "every stack × environment: {:?}", projects.keys());
    let dir = tempfile::tempdir().expect("temp dir");
    for env in ["development", "staging", "production"] {
        let out = dir.path().join("out");
        assert!(tfsynth(&["synth", env, "--out", out.to_str().unwrap(), "-q"]).status.success());
    }
    for (name, (folder, depends_on)) in &projects {
        assert!(
            dir.path().join(folder).join("main.tf.json").is_file(),
            "{name}: {folder} holds no configuration after synth"
        );
        for d in depends_on {
            assert!(projects.contains_key(d), "{name} depends on {d}, which is no project");
        }
    }
    assert_eq!(projects["showcase-production"].1, ["platform-production"]);
    // No cycle: projects whose dependencies are all placed can be placed, until none are left.
    let mut left: Vec<&String> = projects.keys().collect();
    while !left.is_empty() {
        let ready: Vec<&String> =
            left.iter().copied().filter(|p| projects[*p].1.iter().all(|d| !left.contains(&d))).collect();
        assert!(!ready.is_empty(), "a cycle among {left:?}");
        left.retain(|p| !ready.contains(p));
    }
}

#[test]
fn the_github_workflow_runs_plans_a_level_at_a_time() {
    let yaml = generated("github");
    let plan_1 = yaml.find("  plan-1:\n    needs: plan-0").expect("the second level waits for the first");
    assert!(yaml[plan_1..].contains("- stack: showcase"), "showcase plans after the platform");
    assert!(
        yaml.contains("group: tfstate-${{ matrix.stack }}-${{ matrix.environment }}"),
        "one concurrency group per state"
    );
    assert!(yaml.contains("    environment: production\n"), "apply waits for the environment's approval");
}

/// The workflow's jobs by name: each job's block of lines.
fn jobs(yaml: &str) -> BTreeMap<String, String> {
    let body = &yaml[yaml.find("\njobs:\n").expect("jobs") + 7..];
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current = String::new();
    for line in body.lines() {
        if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')).filter(|l| !l.starts_with(' ')) {
            name.clone_into(&mut current);
        }
        let job = out.entry(current.clone()).or_default();
        job.push_str(line);
        job.push('\n');
    }
    out
}

/// Apply runs the plan the workflow saved, never a fresh one; each environment waits for the
/// one before it; only jobs that assume a role may ask for an OIDC token.
#[test]
fn the_github_workflow_applies_saved_plans_in_promotion_order_with_least_permissions() {
    let yaml = generated("github");
    assert!(!yaml.contains("-auto-approve"), "no apply of a fresh plan");
    let jobs = jobs(&yaml);
    let applies: Vec<(&String, &String)> = jobs.iter().filter(|(name, _)| name.starts_with("apply-")).collect();
    assert!(!applies.is_empty());
    for (name, job) in &applies {
        assert!(job.contains("actions/download-artifact@"), "{name} downloads its plan");
        let apply = job.lines().find(|l| l.contains("run: ") && l.contains(" apply ")).expect("an apply step");
        assert!(apply.ends_with("--saved planned"), "{name} applies the saved plan, refusing a stale one: {apply}");
        // Production waits for staging of the same level (its stacks), staging for development.
        let (level, environment) = name.trim_start_matches("apply-").split_once('-').expect("apply-<level>-<env>");
        let before = match environment {
            "production" => Some("staging"),
            "staging" => Some("development"),
            _ => None,
        };
        if let Some(before) = before {
            assert!(job.contains(&format!("apply-{level}-{before}")), "{name} does not wait for {before}:\n{job}");
        }
    }
    for (name, job) in &jobs {
        let assumes = job.contains("aws-actions/configure-aws-credentials@");
        assert_eq!(job.contains("id-token: write"), assumes, "{name}: an OIDC token only where a role is assumed");
    }
    let (_, top) = yaml.split_once("\npermissions:\n").expect("top-level permissions");
    assert!(top.starts_with("  contents: read\nenv:"), "the workflow grants reading alone by default");
    // What the apply jobs download is what the plan jobs kept.
    for (name, job) in jobs.iter().filter(|(name, _)| name.starts_with("plan-")) {
        assert!(job.contains("--save planned > plan.md"), "{name} keeps its plan");
        assert!(
            job.contains("path: planned/\n          include-hidden-files: true"),
            "{name} uploads the lock file too"
        );
    }
}

/// The drift workflow: scheduled, plans every stack × environment read-only, reports each in
/// the job summary and keeps the plan JSON, and fails the job of a stack that drifted.
#[test]
fn the_drift_workflow_plans_everything_on_a_schedule_and_fails_on_drift() {
    let yaml = generated("github-drift");
    assert!(yaml.contains("on:\n  schedule:\n    - cron: "), "scheduled");
    let registry = stacks::registry();
    let pairs = registry.stacks().len() * <stacks::Env as tfsynth::prelude::Environment>::ALL.len();
    assert_eq!(yaml.matches("\n          - stack: ").count(), pairs, "every stack × environment");
    assert!(yaml.contains(&format!(":role/{}\n", tfsynth::modules::ci_identity::PLAN_ROLE)), "the plan role");
    assert!(!yaml.contains(" apply "), "drift never applies");
    assert!(yaml.contains("--save drift > drift.md") && yaml.contains("path: drift/"), "the plan JSON kept");
    assert!(yaml.contains(">> \"$GITHUB_STEP_SUMMARY\""), "a job summary per stack");
    assert!(yaml.contains("if: steps.plan.outputs.code == '3'\n        run: |"), "drift fails the job");
}

#[cfg(not(skip_tools))]
#[test]
fn the_github_workflows_validate_against_githubs_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = ["github", "github-drift"].map(|format| {
        let file = dir.path().join(format!("{format}.yml"));
        std::fs::write(&file, generated(format)).expect("write");
        file
    });
    let run = tfsynth::tools::check_jsonschema_command()
        .args(["--builtin-schema", "vendor.github-workflows"])
        .args(&files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "check-jsonschema is not runnable ({e}): pip install check-jsonschema or set {} (or run with TFSYNTH_SKIP_TOOLS=1)",
                tfsynth::tools::CHECK_JSONSCHEMA_ENV
            )
        });
    assert!(run.status.success(), "{}{}", text(&run.stdout), text(&run.stderr));
}

/// Each Atlantis project's `apply_requirements`, by project name.
fn requirements(yaml: &str) -> BTreeMap<String, String> {
    let mut requirements: BTreeMap<String, String> = BTreeMap::new();
    let mut current = String::new();
    for line in yaml.lines() {
        if let Some(name) = line.strip_prefix("  - name: ") {
            name.clone_into(&mut current);
        } else if let Some(r) = line.strip_prefix("    apply_requirements: ") {
            requirements.insert(current.clone(), r.to_owned());
        }
    }
    requirements
}

/// Staging and production apply only what was approved, can merge and is up to date with its
/// base; every plan runs the snapshot check, the stack's lint and the security gate.
#[test]
fn atlantis_guards_applies_and_plans() {
    let yaml = generated("atlantis");
    let expected = stacks::registry().stacks().len() * <stacks::Env as tfsynth::prelude::Environment>::ALL.len();
    assert_eq!(requirements(&yaml).len(), expected, "every project has requirements");
    for (project, r) in &requirements(&yaml) {
        let want = if project.ends_with("-development") {
            "[mergeable, undiverged]"
        } else {
            "[approved, mergeable, undiverged]"
        };
        assert_eq!(r, want, "{project}");
    }
    // Development's are the registry's to choose; staging and production keep all three.
    let strict = stacks::registry().with_pipeline_settings(tfsynth::prelude::PipelineSettings {
        development_requirements: vec![tfsynth::prelude::ApplyRequirement::Approved],
        ..tfsynth::prelude::PipelineSettings::default()
    });
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = tfsynth::cli::run_with(&strict, ["tfsynth", "pipeline", "--format", "atlantis"], &mut out, &mut err);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{}", text(&err));
    for (project, r) in &requirements(&text(&out)) {
        let want = if project.ends_with("-development") { "[approved]" } else { "[approved, mergeable, undiverged]" };
        assert_eq!(r, want, "{project}");
    }
    let plan =
        &yaml[yaml.find("    plan:").expect("the plan steps")..yaml.find("    apply:").expect("the apply steps")];
    for step in ["-- check", "-- lint \"$(basename \"$DIR\")\"", "- plan", "--fail-on broadening"] {
        assert!(plan.contains(step), "{step} not in the plan steps:\n{plan}");
    }
}
