//! `tfsynth plan`: write the stacks, then plan each stack folder with terraform, a level of
//! the cross-stack graph at a time and the stacks of a level in parallel, reporting progress
//! on standard error and the plans on standard output.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;

use serde_json::json;

use super::args::{PlanArgs, SummaryFormat};
use super::commands::synthesize_into;
use super::request::Request;
use super::saved::save;
use super::{Console, Failure, Status, Verbosity};
use crate::pipeline::{Environment, Registry, WriteOptions, stack_edges, stack_levels};
use crate::policy::security::SecurityRule;
use crate::render::Format;
use crate::review::plan::{StackPlan, markdown, summarize};
use crate::review::security;
use crate::tools::{FolderPlan, plan_folder};

/// What a worker tells the console.
enum Event {
    Started(&'static str),
    Finished(Box<StackPlan>),
}

pub(super) fn plan<E: Environment>(registry: &Registry<E>, a: &PlanArgs, c: &mut Console) -> Result<Status, Failure> {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    let options = WriteOptions { prune: false, allow_unowned: a.allow_unowned_files };
    synthesize_into(registry, &req, Format::Json, &a.out, options, c)?;
    let wanted: BTreeSet<&str> = req.stacks.iter().map(|d| d.name).collect();
    let levels: Vec<Vec<&'static str>> = stack_levels(registry, req.env)?
        .into_iter()
        .map(|level| level.into_iter().filter(|s| wanted.contains(s)).collect::<Vec<_>>())
        .filter(|level| !level.is_empty())
        .collect();
    let edges = stack_edges(registry, req.env)?;
    let jobs = a.jobs.map_or_else(|| std::thread::available_parallelism().map_or(2, usize::from), usize::from);
    let total = wanted.len();
    let mut plans: Vec<StackPlan> = Vec::new();
    for level in levels {
        let (runnable, blocked): (Vec<_>, Vec<_>) = level.into_iter().partition(|stack| {
            edges
                .iter()
                .filter(|(consumer, _)| consumer == stack)
                .all(|(_, producer)| plans.iter().find(|p| p.stack == *producer).is_none_or(|p| p.error.is_none()))
        });
        for stack in blocked {
            let error = "not planned: a stack it imports from failed to plan".to_owned();
            plans.push(StackPlan { stack: stack.to_owned(), error: Some(error), ..StackPlan::default() });
        }
        let dirs: Vec<(&'static str, PathBuf)> =
            runnable.iter().map(|s| (*s, a.out.join(s).join(req.env.name()))).collect();
        let saves = a.save.as_ref().map(|save| (save.as_path(), req.env.name()));
        let how = How { refresh: !a.no_refresh, mirror: a.plugin_dir.as_deref(), save: saves };
        plans.extend(run_level(&dirs, jobs, &how, registry.security_rules(), total, plans.len(), c));
    }
    let mut all: security::Rows = Vec::new();
    for p in &plans {
        let approvals = registry.build(&p.stack, req.env).map(|s| s.approvals().to_vec()).unwrap_or_default();
        all.extend(security::rows(&p.stack, p.security.clone(), &approvals));
    }
    security::sort(&mut all);
    match a.format {
        SummaryFormat::Markdown => {
            c.out.write_all(markdown(req.env.name(), &plans, &security::markdown(&all)).as_bytes())?;
        }
        SummaryFormat::Json => {
            let security: Vec<_> =
                all.iter().map(|(stack, change)| json!({"stack": stack, "change": change})).collect();
            let doc = json!({ "environment": req.env.name(), "security": security, "stacks": plans });
            writeln!(c.out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        }
    }
    c.out.flush()?;
    Ok(if plans.iter().any(|p| p.error.is_some()) {
        Status::Failure
    } else if super::commands::gate(a.fail_on, &all, c) {
        Status::Unapproved
    } else if plans.iter().any(StackPlan::changes) {
        Status::Found
    } else {
        Status::Success
    })
}

/// How each stack folder is planned.
struct How<'a> {
    /// Read the real resources first.
    refresh: bool,
    /// Install providers from this folder.
    mirror: Option<&'a Path>,
    /// Keep each plan in `<folder>/<stack>/<environment>` (`--save`).
    save: Option<(&'a Path, &'a str)>,
}

/// Plans `dirs` with at most `jobs` at once, reporting on the console as they start and end.
fn run_level(
    dirs: &[(&'static str, PathBuf)],
    jobs: usize,
    how: &How<'_>,
    rules: &[SecurityRule],
    total: usize,
    done: usize,
    c: &mut Console,
) -> Vec<StackPlan> {
    let queue = Mutex::new(dirs.iter());
    let (events, received) = mpsc::channel::<Event>();
    let mut finished = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(dirs.len()) {
            let events = events.clone();
            let queue = &queue;
            scope.spawn(move || {
                loop {
                    let next = queue.lock().map(|mut q| q.next().cloned());
                    let Ok(Some((stack, dir))) = next else { break };
                    let _ = events.send(Event::Started(stack));
                    let kept = |folder: FolderPlan| match how.save {
                        Some((root, env)) => save(&dir, &folder.show, &root.join(stack).join(env)).map(|()| folder),
                        None => Ok(folder),
                    };
                    let plan = match plan_folder(&dir, how.refresh, how.mirror).and_then(kept) {
                        Ok(folder) => summarize(stack, &folder.show, rules),
                        Err(error) => StackPlan { stack: stack.to_owned(), error: Some(error), ..StackPlan::default() },
                    };
                    let _ = events.send(Event::Finished(Box::new(plan)));
                }
            });
        }
        drop(events);
        let mut running: Vec<&str> = Vec::new();
        for event in received {
            match event {
                Event::Started(stack) => {
                    running.push(stack);
                    progress(c, &running, Step::Started(stack), done + finished.len(), total);
                }
                Event::Finished(plan) => {
                    running.retain(|s| *s != plan.stack);
                    progress(c, &running, Step::Finished(&plan), done + finished.len() + 1, total);
                    finished.push(*plan);
                }
            }
        }
    });
    if c.progress {
        let _ = write!(c.err, "\r\x1b[K");
    }
    // Report in the order the stacks were asked for, not the order they finished.
    finished.sort_by_key(|p| dirs.iter().position(|(s, _)| *s == p.stack));
    finished
}

/// What just happened, for the progress display.
#[derive(Clone, Copy)]
enum Step<'a> {
    Started(&'a str),
    Finished(&'a StackPlan),
}

/// A status line rewritten in place on a terminal; otherwise a line when a stack starts and
/// one when it ends.
fn progress(c: &mut Console, running: &[&str], step: Step<'_>, done: usize, total: usize) {
    if c.verbosity == Verbosity::Quiet {
        return;
    }
    if c.progress {
        let _ = write!(c.err, "\r\x1b[K[{done}/{total}] planning {}", running.join(", "));
        let _ = c.err.flush();
        return;
    }
    let _ = match step {
        Step::Started(stack) => writeln!(c.err, "planning {stack}"),
        Step::Finished(p) => match &p.error {
            Some(_) => writeln!(c.err, "[{done}/{total}] {}: failed", p.stack),
            None => writeln!(
                c.err,
                "[{done}/{total}] {}: {} to create, {} to update, {} to replace, {} to destroy, {} to import, {} to move, {} to forget",
                p.stack,
                p.create.len(),
                p.update.len(),
                p.replace.len(),
                p.destroy.len(),
                p.import.len(),
                p.moved.len(),
                p.forget.len()
            ),
        },
    };
}
