//! The pipeline: build every requested stack, validate it against the provider schema, run the
//! policy rules and render it, all in memory; only when every stack has passed do its files
//! show in the output folder (each is staged as a hidden temporary file as soon as its stack
//! passes, see `Staging`).
//!
//! For a stack built outside a [`Registry`], [`synth`] runs the whole pipeline in one call and
//! [`write()`] puts the result where the caller says:
//!
//! ```
//! use tfsynth::pipeline::{WriteOptions, synth, write};
//! use tfsynth::prelude::*;
//!
//! let mut stack = Stack::new("demo", "development").with_tier(Tier::Development);
//! stack.provider(Provider::aws("us-east-1"));
//! stack.add(Resource::new("aws_sqs_queue", "jobs").set("name", "demo-jobs").set("sqs_managed_sse_enabled", true));
//! let file = synth(&stack, Format::Hcl)?;
//! let out = tempfile::tempdir()?;
//! let report = write(out.path(), &[file], &WriteOptions::default())?;
//! assert!(out.path().join("demo/development/main.tf").is_file());
//! # let _ = report;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dependencies;
mod output;
mod registry;
mod settings;

pub use dependencies::{stack_edges, stack_levels};
#[cfg(feature = "cli")]
pub(crate) use output::OutputFolder;
pub use output::{Change, WriteOptions, WriteReport, write};
pub use registry::{Environment, Registry, StackDef, settings_table};
pub use settings::{ApplyRequirement, PipelineSettings, TERRAFORM_VERSION};
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::model::Stack;
use crate::policy::{Date, Report, lint};
use crate::render::{Format, render};
use crate::schema::validate;

/// One rendered file, not yet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The stack it belongs to.
    pub stack: String,
    /// The environment.
    pub environment: String,
    /// The syntax.
    pub format: Format,
    /// The file's contents.
    pub contents: String,
}

impl Rendered {
    /// The path relative to the output folder: `<stack>/<env>/main.tf[.json]`.
    pub fn relative_path(&self) -> PathBuf {
        Path::new(&self.stack).join(&self.environment).join(self.format.file_name())
    }
}

/// A stack that was built and validated, with its policy report.
#[derive(Debug)]
pub struct Built<'r> {
    /// The registered name.
    pub name: &'r str,
    /// The stack.
    pub stack: Stack,
    /// Its policy findings, waived or not.
    pub report: Report,
}

/// Validates `stack`, runs the policy rules as of today and renders it in `format`: what
/// `tfsynth synth` does for each stack. Every validation problem, unwaived finding and waiver
/// problem is returned in one [`Error::Invalid`].
pub fn synth(stack: &Stack, format: Format) -> Result<Rendered> {
    let contents = rendered_if_passing(stack, format, Date::today(), cores() > 1)?;
    Ok(Rendered { stack: stack.name().to_owned(), environment: stack.environment().to_owned(), format, contents })
}

/// `stack` rendered in `format`, if it passes validation and the policy rules as of `today`;
/// every problem, unwaived finding and waiver problem otherwise, in one [`Error::Invalid`].
fn rendered_if_passing(stack: &Stack, format: Format, today: Date, beside: bool) -> Result<String> {
    let (report, contents) = check_and_render(stack, format, today, beside);
    let problems = report?.diagnostics(stack);
    if problems.is_empty() { Ok(contents) } else { Err(Error::Invalid(problems)) }
}

/// Validates and lints `stack` and renders it, the rendering on a second thread when
/// `beside`: it does not depend on the checks (any model renders), and is thrown away when
/// they fail.
fn check_and_render(stack: &Stack, format: Format, today: Date, beside: bool) -> (Result<Report>, String) {
    if !beside {
        return (check(stack, today), render(stack, format));
    }
    let mut rendering = Ok(String::new());
    let report = std::thread::scope(|scope| {
        spawn_into(scope, &mut rendering, || render(stack, format));
        check(stack, today)
    });
    (report, taken(rendering))
}

/// Runs `work` on a thread of `scope` and leaves its result, or its panic, in `slot`. The
/// scope then ends as soon as `work` is done: a join would also wait for the thread to exit,
/// and the allocator's and the stack's teardown there took up to half a millisecond.
fn spawn_into<'scope, R: Send>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    slot: &'scope mut std::thread::Result<R>,
    work: impl FnOnce() -> R + Send + 'scope,
) {
    scope.spawn(move || *slot = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
}

/// What [`spawn_into`] left, its panic resumed here.
fn taken<R>(slot: std::thread::Result<R>) -> R {
    slot.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Builds and validates `stacks` for `env`, with their policy reports as of today. Validation
/// problems of every stack are collected into one [`Error::Invalid`]; policy findings are left
/// in the reports (for `lint`, `summary`, `diff` and `graph`, which show them).
///
/// A stack that imports from others is built with them: they are built too (not returned
/// unless asked for), every import is checked and pointed at its producer's state.
pub fn build<'r, E: Environment>(registry: &Registry<E>, stacks: &[&'r StackDef<E>], env: E) -> Result<Vec<Built<'r>>> {
    build_and(registry, stacks, env, |name, stack, today| {
        let report = check(&stack, today)?;
        Ok(Built { name, stack, report })
    })
}

/// Builds `stacks` and hands each to `work` (which checks it and may do more) on the
/// machine's cores, each on the thread that built it, so its memory is used and freed there.
/// A stack that imports is connected to its producers first: at once when they have finished
/// (they usually come first), or else once every stack is built. Problems of every stack come
/// back in one [`Error::Invalid`].
fn build_and<'r, E: Environment, R: Send>(
    registry: &Registry<E>,
    stacks: &[&'r StackDef<E>],
    env: E,
    work: impl Fn(&'r str, Stack, Date) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let today = Date::today();
    // What each finished stack offers importers.
    let offers = std::sync::Mutex::new(Vec::new());
    let offered = || offers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let first = parallel(stacks.to_vec(), |d| {
        let mut stack = registry.instantiate(d, env);
        let mut problems = Vec::new();
        if !stack.imports().is_empty() {
            let Some(producers) = dependencies::offers_for(&stack, &offered()) else {
                return Err(Box::new((d.name, stack)));
            };
            let mut one = vec![(d.name, stack)];
            problems = dependencies::connect(registry, env, &mut one, &producers);
            stack = one.swap_remove(0).1;
        }
        offered().push(dependencies::Offer::of(d.name, &stack));
        Ok(with_problems(problems, work(d.name, stack, today)))
    });
    let mut results = Vec::new();
    let mut importers: dependencies::Stacks = Vec::new();
    for done in first {
        match done {
            Ok(result) => results.push(Some(result)),
            Err(importer) => {
                importers.push(*importer);
                results.push(None);
            }
        }
    }
    let waiting = importers.len();
    let offers = offers.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut problems = dependencies::connect(registry, env, &mut importers, &offers);
    importers.truncate(waiting);
    let mut connected = parallel(importers, |(name, stack)| work(name, stack, today)).into_iter();
    let mut out = Vec::new();
    for result in results {
        match result.or_else(|| connected.next()).expect("one result per importer") {
            Ok(done) => out.push(done),
            Err(Error::Invalid(d)) => problems.extend(d),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(Error::Invalid(problems)) }
}

/// `result`, failing with `problems` (found before it) too.
fn with_problems<R>(mut problems: Vec<Diagnostic>, result: Result<R>) -> Result<R> {
    match result {
        Ok(done) if problems.is_empty() => Ok(done),
        Ok(_) => Err(Error::Invalid(problems)),
        Err(Error::Invalid(found)) => {
            problems.extend(found);
            Err(Error::Invalid(problems))
        }
        Err(other) => Err(other),
    }
}

/// Validation, then the policy rules as of `today`.
fn check(stack: &Stack, today: Date) -> Result<Report> {
    validate(stack).map(|()| lint(stack, today))
}

/// The cores this process may use, read once (the standard library reads cgroup files on
/// every call).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// `work` on every item, spread over the machine's cores, results in the items' order.
/// Stacks are independent until they are written, so each is built, checked and rendered on
/// its own thread; items are handed over, so what a worker is done with it also frees there.
fn parallel<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let count = items.len();
    if count <= 1 {
        return items.into_iter().map(work).collect();
    }
    let queue = std::sync::Mutex::new(items.into_iter().enumerate());
    let drain = || {
        let mut done = Vec::new();
        loop {
            let next = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).next();
            let Some((i, item)) = next else { break done };
            done.push((i, work(item)));
        }
    };
    let mut slots: Vec<_> = (0..count).map(|_| Ok(Vec::new())).collect();
    std::thread::scope(|scope| {
        // The first worker starts before the cores are counted: the standard library reads
        // cgroup files for that, 60 µs this worker need not wait for.
        let mut slots = slots.iter_mut();
        if let Some(slot) = slots.next() {
            spawn_into(scope, slot, drain);
        }
        slots.take(cores().min(count) - 1).for_each(|slot| spawn_into(scope, slot, drain));
    });
    let mut results: Vec<(usize, R)> = slots.into_iter().flat_map(taken).collect();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// As [`build`], and fails on any unwaived policy finding or waiver problem too: what `synth`
/// and `check` require.
pub fn build_checked<'r, E: Environment>(
    registry: &Registry<E>,
    stacks: &[&'r StackDef<E>],
    env: E,
) -> Result<Vec<Built<'r>>> {
    let built = build(registry, stacks, env)?;
    let problems: Vec<_> = built.iter().flat_map(|b| b.report.diagnostics(&b.stack)).collect();
    if problems.is_empty() { Ok(built) } else { Err(Error::Invalid(problems)) }
}

/// Every stack of `stacks` built, checked and rendered for `env` in `format`. Each stack is
/// dropped by the worker that rendered it, as soon as it is done.
pub fn synthesize<E: Environment>(
    registry: &Registry<E>,
    stacks: &[&StackDef<E>],
    env: E,
    format: Format,
) -> Result<Vec<Rendered>> {
    synthesize_with(registry, stacks, env, format, Ok)
}

/// As [`synthesize`], handing each file to `each` on the worker that rendered it, as soon as
/// its stack passed every check: `Staging::stage` writes it while other stacks are still
/// being built, and its text is freed where it was made. Any failure, of a stack or of
/// `each`, fails the whole (the caller's `Staging` then removes what was staged).
pub fn synthesize_with<E: Environment, T: Send>(
    registry: &Registry<E>,
    stacks: &[&StackDef<E>],
    env: E,
    format: Format,
    each: impl Fn(Rendered) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    build_and(registry, stacks, env, |name, stack, today| {
        // With fewer stacks than cores, a stack's rendering takes a core of its own.
        let contents = rendered_if_passing(&stack, format, today, stacks.len() < cores())?;
        drop(stack);
        each(Rendered { stack: name.to_owned(), environment: env.name().to_owned(), format, contents })
    })
}
