//! `tfsynth pipeline`: an Atlantis configuration or a GitHub Actions workflow for every stack ×
//! environment, with the cross-stack order built in — Atlantis `depends_on`, GitHub jobs a
//! dependency level at a time.

use std::path::Path;

use serde::Serialize;

use super::args::{PIPELINE_COMMAND, PIPELINE_OUT, PipelineArgs, PipelineFormat};
use super::{Console, Failure, Status};
use crate::error::Diagnostic;
use crate::error::Error;
use crate::expr::Expression;
use crate::model::Tier;
use crate::model::admits;
use crate::modules::ci_identity::{PLAN_ROLE, apply_role};
use crate::pipeline::{ApplyRequirement, Environment, PipelineSettings, Registry, stack_edges, stack_levels};
use crate::review::drift::{Drift, DriftKind, line_diff};
use crate::review::refactor::Refactor;

const ATLANTIS: &str = include_str!("templates/atlantis.yaml.j2");
const GITHUB: &str = include_str!("templates/github.yaml.j2");
const GITHUB_DRIFT: &str = include_str!("templates/drift.yml.j2");

/// A GitHub Action as the workflows use it: pinned to the commit of a release, the release
/// named in a comment, so a moved tag cannot change what runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedAction {
    /// How the templates name it.
    pub key: &'static str,
    /// `owner/repository`.
    pub repository: &'static str,
    /// The release (tag, or for dtolnay/rust-toolchain the branch named for a Rust version).
    pub release: &'static str,
    /// The full commit SHA the release pointed at, read from the action's own repository.
    pub commit: &'static str,
}

impl PinnedAction {
    /// What follows `uses:`.
    fn uses(&self) -> String {
        format!("{}@{} # {}", self.repository, self.commit, self.release)
    }
}

/// Every action the generated workflows use. To update one, read the new release's commit
/// from its repository (`git ls-remote https://github.com/<repository> refs/tags/<release>`),
/// change the row, and regenerate the pipelines.
pub const PINNED_ACTIONS: [PinnedAction; 6] = [
    PinnedAction {
        key: "checkout",
        repository: "actions/checkout",
        release: "v7.0.1",
        commit: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    },
    // The branch pins the toolchain too: the Rust this repository is tested with.
    PinnedAction {
        key: "rust",
        repository: "dtolnay/rust-toolchain",
        release: "1.95.0",
        commit: "e081816240890017053eacbb1bdf337761dc5582",
    },
    PinnedAction {
        key: "terraform",
        repository: "hashicorp/setup-terraform",
        release: "v4.0.1",
        commit: "dfe3c3f87815947d99a8997f908cb6525fc44e9e",
    },
    PinnedAction {
        key: "aws",
        repository: "aws-actions/configure-aws-credentials",
        release: "v6.2.3",
        commit: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    },
    PinnedAction {
        key: "upload",
        repository: "actions/upload-artifact",
        release: "v7.0.0",
        commit: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    },
    PinnedAction {
        key: "download",
        repository: "actions/download-artifact",
        release: "v8.0.1",
        commit: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    },
];

/// One stack × environment.
#[derive(Debug, Serialize)]
struct Project {
    name: String,
    stack: &'static str,
    environment: &'static str,
    /// `development`, `staging` or `production`: what an apply needs.
    tier: &'static str,
    region: String,
    /// The account the stack deploys to (its aws provider's `allowed_account_ids`).
    account: String,
    /// The roles its jobs assume there.
    plan_role: &'static str,
    apply_role: String,
    depends_on: Vec<String>,
    sources: Vec<String>,
}

/// The sources whose change should re-plan `stack`, relative to the repository root.
fn sources(stack: &str) -> Vec<String> {
    let folder = format!("stacks/{}", stack.replace('-', "_"));
    let own = if Path::new(&folder).is_dir() { format!("{folder}/**/*.rs") } else { "stacks/**/*.rs".to_owned() };
    [own.as_str(), "modules/**/*.rs", "src/**/*.rs", "Cargo.toml", "Cargo.lock"].map(str::to_owned).to_vec()
}

/// The files `pipeline --into DIR` writes and `check --pipelines DIR` compares, by format.
pub(super) const FILES: [(PipelineFormat, &str); 3] = [
    (PipelineFormat::Atlantis, "atlantis.yaml"),
    (PipelineFormat::Github, "infrastructure.yml"),
    (PipelineFormat::GithubDrift, "drift.yml"),
];

/// The command that regenerates committed pipelines in `dir`.
pub(super) fn regenerate_command(dir: &Path) -> String {
    format!("cargo run -- pipeline --into {}", dir.display())
}

pub(super) fn pipeline<E: Environment>(
    registry: &Registry<E>,
    a: &PipelineArgs,
    c: &mut Console,
) -> Result<Status, Failure> {
    let settings = registry.pipeline_settings();
    if let Some(dir) = &a.into {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        // All rendered before any is written.
        let levels = levels(registry)?;
        let texts: Vec<(std::path::PathBuf, String)> = FILES
            .iter()
            .map(|(format, name)| Ok((dir.join(name), render(&levels, *format, &a.out, &a.command, settings)?)))
            .collect::<Result<_, Error>>()?;
        for (path, text) in texts {
            std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
            c.note(format_args!("wrote {}", path.display()));
        }
        return Ok(Status::Success);
    }
    let Some(format) = a.format else { unreachable!("clap requires --format or --into") };
    let text = render(&levels(registry)?, format, &a.out, &a.command, settings)?;
    match &a.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| Error::io(path, e))?;
            c.note(format_args!("wrote {}", path.display()));
        }
        None => c.out.write_all(text.as_bytes())?,
    }
    Ok(Status::Success)
}

/// How the committed pipelines in `dir` differ from what `pipeline --into` generates now with
/// its defaults; empty when they match.
pub(super) fn drift<E: Environment>(registry: &Registry<E>, dir: &Path) -> Result<Vec<Drift>, Error> {
    let levels = levels(registry)?;
    let mut found = Vec::new();
    for (format, name) in FILES {
        let new = render(&levels, format, Path::new(PIPELINE_OUT), PIPELINE_COMMAND, registry.pipeline_settings())?;
        let file = dir.join(name);
        match std::fs::read_to_string(&file) {
            Err(_) => found.push(Drift { file, kind: DriftKind::Missing }),
            Ok(old) if old != new => {
                found.push(Drift {
                    file,
                    kind: DriftKind::Changed {
                        blocks: Vec::new(),
                        refactor: Refactor::default(),
                        lines: line_diff(&old, &new),
                    },
                });
            }
            Ok(_) => {}
        }
    }
    Ok(found)
}

/// Every stack × environment as a project, by level: level i of every environment is what can
/// run once level i - 1 has.
fn levels<E: Environment>(registry: &Registry<E>) -> Result<Vec<Vec<Project>>, Error> {
    let mut levels: Vec<Vec<Project>> = Vec::new();
    for &env in E::ALL {
        let edges = stack_edges(registry, env)?;
        for (i, level) in stack_levels(registry, env)?.into_iter().enumerate() {
            if levels.len() <= i {
                levels.push(Vec::new());
            }
            for stack in level {
                let built = registry.build(stack, env)?;
                pinned(&built, &registry.pipeline_settings().terraform_version)?;
                let aws = built.providers().first();
                let region = aws.and_then(|p| match p.body().attribute("region") {
                    Some(Expression::String(r)) => Some(r.clone()),
                    _ => None,
                });
                let account = built.account_id().map(str::to_owned);
                let depends_on =
                    edges.iter().filter(|(c, _)| *c == stack).map(|(_, p)| format!("{p}-{}", env.name())).collect();
                levels[i].push(Project {
                    name: format!("{stack}-{}", env.name()),
                    stack,
                    environment: env.name(),
                    tier: match env.tier() {
                        Tier::Development => "development",
                        Tier::Staging => "staging",
                        Tier::Production => "production",
                    },
                    region: region.unwrap_or_else(|| "us-east-1".into()),
                    account: account.unwrap_or_default(),
                    plan_role: PLAN_ROLE,
                    apply_role: apply_role(env.name()),
                    depends_on,
                    sources: sources(stack),
                });
            }
        }
    }
    Ok(levels)
}

/// Whether `stack`'s own Terraform constraint admits the version the pipelines install.
fn pinned(stack: &crate::model::Stack, version: &str) -> Result<(), Error> {
    let Some(constraint) = stack.terraform_settings().required_version.clone() else { return Ok(()) };
    if admits(&constraint, version) == Some(true) {
        return Ok(());
    }
    Err(Error::Invalid(vec![Diagnostic {
        stack: stack.name().to_owned(),
        environment: stack.environment().to_owned(),
        address: Some("terraform".into()),
        attribute: Some("required_version".into()),
        message: format!("`{constraint}` does not admit Terraform {version}, the version the pipelines install"),
        help: Some(
            "leave the constraint out (the stack then requires the pinned version) or pin a version it admits (Registry::with_pipeline_settings)"
                .into(),
        ),
    }]))
}

/// The pipeline of `format` for the projects of `levels`, synthesizing into `out` and running
/// tfsynth as `command`.
fn render(
    levels: &[Vec<Project>],
    format: PipelineFormat,
    out: &Path,
    command: &str,
    settings: &PipelineSettings,
) -> Result<String, Error> {
    let up = vec![".."; out.components().count() + 2].join("/");
    let out = out.display().to_string();
    let mut env = minijinja::Environment::new();
    env.set_keep_trailing_newline(true);
    let (name, template) = match format {
        PipelineFormat::Atlantis => ("atlantis", ATLANTIS),
        PipelineFormat::Github => ("github", GITHUB),
        PipelineFormat::GithubDrift => ("drift", GITHUB_DRIFT),
    };
    env.add_template(name, template).map_err(|e| Error::Usage(format!("the {name} template: {e}")))?;
    let projects: Vec<&Project> = levels.iter().flatten().collect();
    let applies = apply_jobs(levels);
    let actions: std::collections::BTreeMap<&str, String> = PINNED_ACTIONS.iter().map(|a| (a.key, a.uses())).collect();
    let terraform = &settings.terraform_version;
    let development = &settings.development_requirements;
    let all = [ApplyRequirement::Approved, ApplyRequirement::Mergeable, ApplyRequirement::Undiverged];
    let context =
        minijinja::context! { projects, levels, applies, out, up, command, actions, terraform, development, all };
    env.get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| Error::Usage(format!("the {name} template: {e}")))
}

/// One apply job: the projects of one dependency level in one environment.
#[derive(Debug, Serialize)]
struct ApplyJob<'p> {
    name: String,
    environment: &'static str,
    needs: Vec<String>,
    projects: Vec<&'p Project>,
}

/// The apply jobs, a level and an environment each: a job waits for the last plan, for the
/// previous level of its environment (the cross-stack order) and for the previous environment
/// of its level (promotion: development, then staging, then production), so a failure stops
/// everything after it.
fn apply_jobs(levels: &[Vec<Project>]) -> Vec<ApplyJob<'_>> {
    let mut environments: Vec<&'static str> = Vec::new();
    for p in levels.iter().flatten() {
        if !environments.contains(&p.environment) {
            environments.push(p.environment);
        }
    }
    let mut jobs: Vec<ApplyJob<'_>> = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        for (j, environment) in environments.iter().enumerate() {
            let projects: Vec<&Project> = level.iter().filter(|p| p.environment == *environment).collect();
            if projects.is_empty() {
                continue;
            }
            let mut needs = vec![format!("plan-{}", levels.len() - 1)];
            let earlier_level =
                jobs.iter().rev().find(|job| job.environment == *environment).map(|job| job.name.clone());
            let earlier_environment = environments[..j]
                .iter()
                .rev()
                .find_map(|e| {
                    jobs.iter().find(|job| job.environment == *e && job.name.starts_with(&format!("apply-{i}-")))
                })
                .map(|job| job.name.clone());
            needs.extend(earlier_level.into_iter().chain(earlier_environment));
            jobs.push(ApplyJob { name: format!("apply-{i}-{environment}"), environment, needs, projects });
        }
    }
    jobs
}
