//! One function per command.

use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;
use serde_json::{Value, json};

use super::report::{changes, drift, finding_json, findings};
use super::{
    Args, CheckArgs, Command, Console, DiffArgs, Failure, GraphArgs, GraphFormat, LintArgs, ReportFormat, SummaryArgs,
    SummaryFormat, SyntaxArg, SynthArgs,
};
use crate::check::check;
use crate::diff::diff;
use crate::error::Error;
use crate::registry::{Environment, Registry};
use crate::render::Format;
use crate::render::json::document;
use crate::summary::{markdown, summarize};
use crate::synth::{build_validated, remove_empty_folders, stale_files, synthesize, write_all};

type Outcome = Result<ExitCode, Failure>;

fn io(path: &str) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |source| Failure::Run(Error::Io { path: path.into(), source })
}

pub(super) fn execute<E: Environment>(registry: &Registry<E>, command: Command, c: &mut Console) -> Outcome {
    match command {
        Command::Synth(a) => synth(registry, &a, c),
        Command::Check(a) => check_snapshots(registry, a, c),
        Command::Diff(a) => diff_command(registry, a, c),
        Command::Summary(a) => summary(registry, &a, c),
        Command::Graph(a) => graph(registry, &a, c),
        Command::Lint(a) => lint(registry, &a, c),
        Command::List => {
            let envs: Vec<&str> = E::ALL.iter().map(|e| e.name()).collect();
            writeln!(c.out, "environments: {}", envs.join(", ")).map_err(io("<stdout>"))?;
            writeln!(c.out, "stacks:").map_err(io("<stdout>"))?;
            for s in registry.stacks() {
                writeln!(c.out, "  {:<12} {}", s.name, s.description).map_err(io("<stdout>"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Args::command(), "tfsynth", &mut c.out);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn synth<E: Environment>(registry: &Registry<E>, a: &SynthArgs, c: &mut Console) -> Outcome {
    let env = E::parse(&a.env)?;
    let stack = resolve(registry, a.stack.as_deref())?;
    let format = match a.format {
        SyntaxArg::Json => Format::Json,
        SyntaxArg::Hcl => Format::Hcl,
    };
    let files = synthesize(registry, env, stack, format)?;
    if a.stdout {
        for (i, f) in files.iter().enumerate() {
            if files.len() > 1 {
                let sep = if i == 0 { "" } else { "\n" };
                writeln!(c.out, "{sep}==> {} <==", f.relative_path().display()).map_err(io("<stdout>"))?;
            }
            write!(c.out, "{}", f.contents).map_err(io("<stdout>"))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    write_all(&a.out, &files)?;
    for f in &files {
        c.note(format_args!("wrote {}", a.out.join(f.relative_path()).display()));
    }
    for path in stale_files(registry, &a.out)? {
        if a.prune {
            std::fs::remove_file(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
            c.note(format_args!("removed {} (no stack produces it)", path.display()));
        } else {
            let shown = path.display();
            c.note(format_args!("warning: {shown} is not produced by any stack; delete it or run with --prune"));
        }
    }
    if a.prune {
        remove_empty_folders(&a.out);
    }
    Ok(ExitCode::SUCCESS)
}

fn check_snapshots<E: Environment>(registry: &Registry<E>, a: CheckArgs, c: &mut Console) -> Outcome {
    let stack = resolve(registry, a.stack.as_deref())?;
    if !a.snapshots.is_dir() {
        let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder; pass --snapshots DIR");
        return Err(Failure::Usage(Error::Io { path: a.snapshots, source }));
    }
    let found = check(registry, &a.snapshots, stack)?;
    for d in &found {
        drift(c, d).map_err(io("<stdout>"))?;
    }
    if found.is_empty() {
        c.note("check: every snapshot matches the stacks");
        return Ok(ExitCode::SUCCESS);
    }
    c.note(format_args!(
        "check: {} snapshot(s) differ from the stacks; regenerate with `INSTA_UPDATE=always cargo test --test snapshots` and review the diff",
        found.len()
    ));
    Ok(ExitCode::from(super::EXIT_FAILURE))
}

fn diff_command<E: Environment>(registry: &Registry<E>, a: DiffArgs, c: &mut Console) -> Outcome {
    let env = E::parse(&a.env)?;
    let stack = resolve(registry, a.stack.as_deref())?;
    let mut results = Vec::new();
    match (a.other, a.against) {
        (Some(other), _) => {
            let other = E::parse(&other)?;
            let left = build_validated(registry, env, stack)?;
            let right = build_validated(registry, other, stack)?;
            for ((name, l, _), (_, r, _)) in left.iter().zip(&right) {
                results.push((*name, env.name().to_owned(), other.name().to_owned(), diff(&document(l), &document(r))));
            }
        }
        (None, Some(dir)) => {
            std::fs::read_dir(&dir).map_err(|source| Failure::Usage(Error::Io { path: dir.clone(), source }))?;
            for (name, s, _) in build_validated(registry, env, stack)? {
                let old = baseline(&dir.join(name).join(env.name()).join(Format::Json.file_name()))?;
                let from = format!("{} ({})", env.name(), dir.display());
                results.push((name, from, env.name().to_owned(), diff(&old, &document(&s))));
            }
        }
        (None, None) => unreachable!("clap requires the other environment or --against"),
    }
    if a.format == ReportFormat::Json {
        let doc: Vec<Value> = results
            .iter()
            .map(|(name, from, to, list)| json!({"stack": name, "from": from, "to": to, "changes": list}))
            .collect();
        writeln!(c.out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default()).map_err(io("<stdout>"))?;
    } else {
        for (name, from, to, list) in &results {
            changes(c, name, from, to, list).map_err(io("<stdout>"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn summary<E: Environment>(registry: &Registry<E>, a: &SummaryArgs, c: &mut Console) -> Outcome {
    let env = E::parse(&a.env)?;
    let summaries: Vec<_> = build_validated(registry, env, None)?
        .iter()
        .map(|(name, stack, report)| {
            let def = registry.get(name).expect("built from the registry");
            summarize(name, def.description, stack, report, def.settings.map(|f| f(env)))
        })
        .collect();
    let text = match a.format {
        SummaryFormat::Markdown => markdown(env.name(), &summaries),
        SummaryFormat::Json => {
            let doc = json!({"environment": env.name(), "stacks": summaries});
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
    };
    c.out.write_all(text.as_bytes()).map_err(io("<stdout>"))?;
    Ok(ExitCode::SUCCESS)
}

fn graph<E: Environment>(registry: &Registry<E>, a: &GraphArgs, c: &mut Console) -> Outcome {
    let env = E::parse(&a.env)?;
    let stack = resolve(registry, a.stack.as_deref())?;
    let stacks = build_validated(registry, env, stack)?;
    for (i, (name, s, _)) in stacks.iter().enumerate() {
        let text = match a.format {
            GraphFormat::Mermaid => crate::graph::mermaid(s),
            GraphFormat::Dot => crate::graph::dot(s),
        };
        if stacks.len() > 1 {
            let comment = if a.format == GraphFormat::Mermaid { "%%" } else { "//" };
            let sep = if i == 0 { "" } else { "\n" };
            writeln!(c.out, "{sep}{comment} stack: {name}").map_err(io("<stdout>"))?;
        }
        c.out.write_all(text.as_bytes()).map_err(io("<stdout>"))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn lint<E: Environment>(registry: &Registry<E>, a: &LintArgs, c: &mut Console) -> Outcome {
    let env = E::parse(&a.env)?;
    let stack = resolve(registry, a.stack.as_deref())?;
    let stacks = build_validated(registry, env, stack)?;
    if a.format == ReportFormat::Json {
        let mut doc: Vec<Value> = Vec::new();
        for (_, s, report) in &stacks {
            doc.extend(report.findings.iter().map(|f| finding_json(s, f)));
            doc.extend(report.waiver_problems.iter().map(|d| {
                json!({"stack": s.name(), "environment": s.environment(), "address": d.address, "waiver": d.message})
            }));
        }
        writeln!(c.out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default()).map_err(io("<stdout>"))?;
    } else {
        for (_, s, report) in &stacks {
            findings(c, s, report).map_err(io("<stdout>"))?;
        }
    }
    let passes = stacks.iter().all(|(_, _, r)| r.passes());
    Ok(if passes { ExitCode::SUCCESS } else { ExitCode::from(super::EXIT_FAILURE) })
}

/// `--stack`, checked against the registry.
fn resolve<'a, E: Environment>(registry: &Registry<E>, stack: Option<&'a str>) -> Result<Option<&'a str>, Failure> {
    if let Some(name) = stack {
        registry.get(name)?;
    }
    Ok(stack)
}

/// A baseline JSON file from `--against`; a stack missing from the baseline compares as empty.
fn baseline(file: &Path) -> Result<Value, Failure> {
    match std::fs::read_to_string(file) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            let source = std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not Terraform JSON: {e}"));
            Failure::Run(Error::Io { path: file.to_owned(), source })
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(json!({})),
        Err(source) => Err(Failure::Run(Error::Io { path: file.to_owned(), source })),
    }
}
