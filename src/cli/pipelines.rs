//! `tfsynth pipeline`: an Atlantis configuration or a GitHub Actions workflow for every stack ×
//! environment, with the cross-stack order built in — Atlantis `depends_on`, GitHub jobs a
//! dependency level at a time.

use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use super::args::{PipelineArgs, PipelineFormat};
use super::{Console, Failure};
use crate::error::Error;
use crate::expr::Expression;
use crate::pipeline::{Environment, Registry, stack_edges, stack_levels};

const ATLANTIS: &str = include_str!("templates/atlantis.yaml.j2");
const GITHUB: &str = include_str!("templates/github.yaml.j2");

/// One stack × environment.
#[derive(Debug, Serialize)]
struct Project {
    name: String,
    stack: &'static str,
    environment: &'static str,
    region: String,
    depends_on: Vec<String>,
    sources: Vec<String>,
}

/// The sources whose change should re-plan `stack`, relative to the repository root.
fn sources(stack: &str) -> Vec<String> {
    let folder = format!("stacks/{}", stack.replace('-', "_"));
    let own = if Path::new(&folder).is_dir() { format!("{folder}/**/*.rs") } else { "stacks/**/*.rs".to_owned() };
    [own.as_str(), "modules/**/*.rs", "src/**/*.rs", "Cargo.toml", "Cargo.lock"].map(str::to_owned).to_vec()
}

pub(super) fn pipeline<E: Environment>(
    registry: &Registry<E>,
    a: &PipelineArgs,
    c: &mut Console,
) -> Result<ExitCode, Failure> {
    // Level i of every environment: what can run once level i - 1 has.
    let mut levels: Vec<Vec<Project>> = Vec::new();
    for &env in E::ALL {
        let edges = stack_edges(registry, env)?;
        for (i, level) in stack_levels(registry, env)?.into_iter().enumerate() {
            if levels.len() <= i {
                levels.push(Vec::new());
            }
            for stack in level {
                let built = registry.build(stack, env)?;
                let region = built.providers().first().and_then(|p| match p.body().attribute("region") {
                    Some(Expression::String(r)) => Some(r.clone()),
                    _ => None,
                });
                let depends_on =
                    edges.iter().filter(|(c, _)| *c == stack).map(|(_, p)| format!("{p}-{}", env.name())).collect();
                levels[i].push(Project {
                    name: format!("{stack}-{}", env.name()),
                    stack,
                    environment: env.name(),
                    region: region.unwrap_or_else(|| "us-east-1".into()),
                    depends_on,
                    sources: sources(stack),
                });
            }
        }
    }
    let out = a.out.display().to_string();
    let up = vec![".."; a.out.components().count() + 2].join("/");
    let mut env = minijinja::Environment::new();
    env.set_keep_trailing_newline(true);
    let (name, template) = match a.format {
        PipelineFormat::Atlantis => ("atlantis", ATLANTIS),
        PipelineFormat::Github => ("github", GITHUB),
    };
    env.add_template(name, template).map_err(|e| Error::Usage(format!("the {name} template: {e}")))?;
    let projects: Vec<&Project> = levels.iter().flatten().collect();
    let text = env
        .get_template(name)
        .and_then(|t| t.render(minijinja::context! { projects, levels, out, up, command => a.command }))
        .map_err(|e| Error::Usage(format!("the {name} template: {e}")))?;
    match &a.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| Error::io(path, e))?;
            c.note(format_args!("wrote {}", path.display()));
        }
        None => c.out.write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
