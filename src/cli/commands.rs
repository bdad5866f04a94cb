//! One function per command.

use std::path::Path;

use clap::CommandFactory;
use serde_json::{Value, json};

use super::args::{
    Args, CheckArgs, Command, DiffArgs, FailOn, GraphArgs, GraphFormat, LintArgs, ReportFormat, SummaryArgs,
    SummaryFormat, SynthArgs,
};
use super::report::{changes, drift, finding_json, findings, renames, unchanged};
use super::request::Request;
use super::{Console, Failure, Status};
use crate::error::Error;
use crate::pipeline::{
    Built, Change, Environment, OutputFolder, Registry, WriteOptions, build, stack_edges, stack_levels, synthesize,
    synthesize_with,
};
use crate::policy::security::{Approval, classify};
use crate::render::Format;
use crate::render::json::document;
use crate::review::diff::{BlockChange, diff, over_time};
use crate::review::drift::{Drift, DriftKind, drift as drift_of};
use crate::review::graph;
use crate::review::refactor::{Destroy, Refactor, review};
use crate::review::security;
use crate::review::summary::{StackSummary, change_lines, markdown, refactor_lines, summarize};

type Outcome = Result<Status, Failure>;

pub(super) fn execute<E: Environment>(registry: &Registry<E>, command: Command, c: &mut Console) -> Outcome {
    match command {
        Command::Synth(a) => synth(registry, &a, c),
        Command::Check(a) => check(registry, &a, c),
        Command::Diff(a) => diff_command(registry, &a, c),
        Command::Summary(a) => summary(registry, &a, c),
        Command::Graph(a) => graph_command(registry, &a, c),
        Command::Lint(a) => lint(registry, &a, c),
        Command::Plan(a) => super::plan::plan(registry, &a, c),
        Command::Apply(a) => super::saved::apply(registry, &a, c),
        Command::Lock(a) => super::saved::lock(registry, &a, c),
        Command::Pipeline(a) => super::pipelines::pipeline(registry, &a, c),
        Command::ApplyTest(a) => super::apply_test::apply_test(registry, &a, c),
        Command::Convert(a) => super::convert::convert(&a, c),
        Command::List => list(registry, c),
        Command::Providers { format } => providers(format, c),
        Command::Completions { shell } => {
            // Generated into memory: clap_complete panics on a failed write, and a closed or
            // full output is the console's to report.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Args::command(), "tfsynth", &mut script);
            c.out.write_all(&script)?;
            Ok(Status::Success)
        }
    }
}

/// The environments, the stacks with what they import, and the order they plan in.
fn list<E: Environment>(registry: &Registry<E>, c: &mut Console) -> Outcome {
    let envs: Vec<&str> = E::ALL.iter().map(|e| e.name()).collect();
    writeln!(c.out, "environments: {}", envs.join(", "))?;
    let mut orders = Vec::new();
    let mut edges = std::collections::BTreeSet::new();
    for &env in E::ALL {
        let levels = stack_levels(registry, env)?;
        let order: Vec<String> = levels.iter().map(|level| level.join(", ")).collect();
        orders.push((env.name(), order.join(" → ")));
        edges.extend(stack_edges(registry, env)?);
    }
    writeln!(c.out, "stacks:")?;
    let width = registry.stacks().iter().map(|s| s.name.len()).max().unwrap_or(0);
    for s in registry.stacks() {
        let imports: Vec<&str> = edges.iter().filter(|(consumer, _)| *consumer == s.name).map(|(_, p)| *p).collect();
        let imports =
            if imports.is_empty() { String::new() } else { format!(" (imports from {})", imports.join(", ")) };
        writeln!(c.out, "  {:<width$} {}{imports}", s.name, s.description)?;
    }
    if orders.iter().all(|(_, order)| *order == orders[0].1) {
        writeln!(c.out, "order: {}", orders[0].1)?;
    } else {
        for (env, order) in &orders {
            writeln!(c.out, "order in {env}: {order}")?;
        }
    }
    Ok(Status::Success)
}

/// The vendored provider schemas.
fn providers(format: SummaryFormat, c: &mut Console) -> Outcome {
    use crate::model::Kind;
    use crate::schema::Schema;
    let counts = |s: &Schema| [Kind::Managed, Kind::Data, Kind::Ephemeral].map(|k| s.type_names(k).count());
    if format == SummaryFormat::Json {
        let rows: Vec<Value> = Schema::all()
            .iter()
            .map(|s| {
                let [resources, data_sources, ephemeral] = counts(s);
                json!({"name": s.name(), "source": s.source(), "version": s.version(), "resources": resources,
                       "data_sources": data_sources, "ephemeral_resources": ephemeral})
            })
            .collect();
        writeln!(c.out, "{}", serde_json::to_string_pretty(&rows).unwrap_or_default())?;
        return Ok(Status::Success);
    }
    writeln!(c.out, "| provider | source | version | resources | data sources | ephemeral resources |")?;
    writeln!(c.out, "|---|---|---|---:|---:|---:|")?;
    for s in Schema::all() {
        let [resources, data_sources, ephemeral] = counts(s);
        writeln!(
            c.out,
            "| {} | {} | {} | {resources} | {data_sources} | {ephemeral} |",
            s.name(),
            s.source(),
            s.version()
        )?;
    }
    Ok(Status::Success)
}

fn synth<E: Environment>(registry: &Registry<E>, a: &SynthArgs, c: &mut Console) -> Outcome {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    if !a.stdout {
        let options = WriteOptions { prune: a.prune, allow_unowned: a.allow_unowned_files };
        synthesize_into(registry, &req, a.format.into(), &a.out, options, c)?;
        return Ok(Status::Success);
    }
    let files = synthesize(registry, &req.stacks, req.env, a.format.into())?;
    for (i, f) in files.iter().enumerate() {
        if files.len() > 1 {
            let sep = if i == 0 { "" } else { "\n" };
            writeln!(c.out, "{sep}==> {} <==", f.relative_path().display())?;
        }
        c.out.write_all(f.contents.as_bytes())?;
    }
    c.out.flush()?;
    Ok(Status::Success)
}

/// Synthesizes the request into `out` as `synth` does: the folder is locked first (waiting
/// for another run), each file is staged by the worker that rendered it while the others are
/// still being built, and nothing shows unless every stack passed. Reports each file's fate.
pub(super) fn synthesize_into<E: Environment>(
    registry: &Registry<E>,
    req: &Request<'_, E>,
    format: Format,
    out: &Path,
    options: WriteOptions,
    c: &mut Console,
) -> Result<(), Failure> {
    let folder = OutputFolder::open(out, options.allow_unowned)?;
    let locked = if let Some(locked) = folder.try_lock()? {
        locked
    } else {
        c.note(format_args!("waiting for another tfsynth run to finish writing {}", out.display()));
        folder.lock()?
    };
    let staging = locked.staging();
    let targets = synthesize_with(registry, &req.stacks, req.env, format, |file| staging.stage(&file))?;
    let report = staging.commit(&targets, options.prune, |p| registry.produces(p))?;
    for (path, change) in &report.changes {
        let shown = out.join(path);
        let shown = shown.display();
        match change {
            Change::Wrote => c.note(format_args!("wrote {shown}")),
            Change::Unchanged => c.note(format_args!("unchanged {shown}")),
            Change::ReplacedFormat => c.note(format_args!("removed {shown} (the stack is now written in the other format)")),
            Change::Pruned => c.note(format_args!("removed {shown} (no stack produces it)")),
            Change::TemporaryRemoved => c.note(format_args!("removed {shown} (temporary file of an interrupted run)")),
            Change::Stale => c.note(format_args!(
                "warning: {shown} was written by tfsynth but no stack produces it any more; run with --prune to remove it"
            )),
            Change::TemporaryLeft => c.note(format_args!(
                "warning: {shown} is a temporary file of an interrupted run; run with --prune to remove it"
            )),
        }
    }
    Ok(())
}

fn check<E: Environment>(registry: &Registry<E>, a: &CheckArgs, c: &mut Console) -> Outcome {
    let stacks = registry.select(&a.stacks)?;
    let found = drift_of(registry, &stacks, a.stacks.is_empty(), &a.snapshots)?;
    // The committed pipelines cover every stack: compared only when every stack is checked.
    let pipelines = if a.stacks.is_empty() && a.pipelines.is_dir() {
        super::pipelines::drift(registry, &a.pipelines)?
    } else {
        Vec::new()
    };
    // A stateful resource about to be destroyed fails the check, and is said first.
    let destroys: Vec<(&Drift, &Destroy)> = found
        .iter()
        .flat_map(|d| match &d.kind {
            DriftKind::Changed { refactor, .. } => refactor.destroys.iter().map(|x| (d, x)).collect(),
            _ => Vec::new(),
        })
        .collect();
    for (d, destroy) in &destroys {
        c.error(format_args!("{}: {}", d.file.display(), destroy.message()));
    }
    for d in found.iter().chain(&pipelines) {
        drift(c, d)?;
    }
    if !destroys.is_empty() {
        c.note(format_args!("check: {} resource(s) holding data would be destroyed (above)", destroys.len()));
        return Ok(Status::Failure);
    }
    if found.is_empty() && pipelines.is_empty() {
        c.note("check: every snapshot (and committed pipeline) matches the stacks");
        return Ok(Status::Success);
    }
    if !found.is_empty() {
        c.note(format_args!(
            "check: {} snapshot(s) differ from the stacks; regenerate them with `INSTA_UPDATE=always cargo test --test matrix snapshot` and review the diff",
            found.len()
        ));
    }
    if !pipelines.is_empty() {
        c.note(format_args!(
            "check: {} committed pipeline file(s) differ from what `tfsynth pipeline` generates; regenerate them with `{}`",
            pipelines.len(),
            super::pipelines::regenerate_command(&a.pipelines)
        ));
    }
    Ok(Status::Found)
}

/// One stack's comparison: its name, the two sides, what differs, (against a baseline) the
/// renames and destroys in it, and its security changes.
struct Comparison {
    name: String,
    from: String,
    to: String,
    changes: Vec<BlockChange>,
    refactor: Refactor,
    security: security::Rows,
}

fn diff_command<E: Environment>(registry: &Registry<E>, a: &DiffArgs, c: &mut Console) -> Outcome {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    let env = req.env;
    let rules = registry.security_rules();
    let mut results: Vec<Comparison> = Vec::new();
    match (&a.other, &a.against) {
        (Some(other), _) => {
            let other = E::parse(other)?;
            let left = build(registry, &req.stacks, env)?;
            let right = build(registry, &req.stacks, other)?;
            for (l, r) in left.iter().zip(&right) {
                // Two environments are two deployments, not a change: no security section.
                results.push(Comparison {
                    name: l.name.to_owned(),
                    from: env.name().to_owned(),
                    to: other.name().to_owned(),
                    changes: diff(&document(&l.stack), &document(&r.stack)),
                    refactor: Refactor::default(),
                    security: Vec::new(),
                });
            }
        }
        (None, Some(dir)) => {
            let from = format!("{} ({})", env.name(), dir.display());
            let built = build(registry, &req.stacks, env)?;
            for (name, old, new, approvals) in against(&built, &req, dir)? {
                let changes = over_time(diff(&old, &new));
                let refactor = review(&old, &new, &changes);
                let security = security::rows(&name, classify(&old, &new, rules), &approvals);
                results.push(Comparison {
                    name,
                    from: from.clone(),
                    to: env.name().to_owned(),
                    changes,
                    refactor,
                    security,
                });
            }
        }
        (None, None) => unreachable!("clap requires the other environment or --against"),
    }
    let mut all: security::Rows = results.iter().flat_map(|r| r.security.clone()).collect();
    security::sort(&mut all);
    if a.format == ReportFormat::Json {
        let stacks: Vec<Value> = results
            .iter()
            .map(|r| {
                json!({"stack": r.name, "from": r.from, "to": r.to, "changes": r.changes, "renames": r.refactor.renames, "destroys": r.refactor.destroys})
            })
            .collect();
        let security: Vec<Value> =
            all.iter().map(|(stack, change)| json!({"stack": stack, "change": change})).collect();
        let doc = json!({"security": security, "stacks": stacks});
        writeln!(c.out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
    } else {
        c.out.write_all(security::text(&all).as_bytes())?;
        let same: Vec<&str> = results.iter().filter(|r| r.changes.is_empty()).map(|r| r.name.as_str()).collect();
        for r in results.iter().filter(|r| !r.changes.is_empty()) {
            for destroy in &r.refactor.destroys {
                c.error(format_args!("{}: {}", r.name, destroy.message()));
            }
            changes(c, &r.name, &r.from, &r.to, &r.changes)?;
            renames(c, &r.refactor)?;
        }
        if !same.is_empty() {
            unchanged(c, &same)?;
        }
    }
    let differs = results.iter().any(|r| !r.changes.is_empty());
    Ok(if gate(a.fail_on, &all, c) {
        Status::Unapproved
    } else if a.exit_code && differs {
        Status::Found
    } else {
        Status::Success
    })
}

/// Whether `--fail-on broadening` stops here: a broadening change without an approval, said on
/// standard error.
pub(super) fn gate(fail_on: Option<FailOn>, rows: &security::Rows, c: &mut Console) -> bool {
    let open = security::unapproved(rows);
    if fail_on == Some(FailOn::Broadening) && open > 0 {
        c.error(format_args!(
            "{open} broadening security change(s) without an approval; approve each intended one in the stack's code (Stack::approve(Approval::new(address, reason)))"
        ));
        return true;
    }
    false
}

/// One stack against its baseline: its name, the old and new documents, its approvals.
type Against = (String, Value, Value, Vec<Approval>);

/// Each of the `built` stacks against its rendering in baseline folder `dir`: `(name, old,
/// new, approvals)`.
/// A stack the baseline lacks is added (old `null`); without `--stack`, a stack folder the
/// baseline has and the registry does not is removed (new `null`).
fn against<E: Environment>(built: &[Built<'_>], req: &Request<'_, E>, dir: &Path) -> Result<Vec<Against>, Error> {
    let env = req.env;
    let names: Vec<&str> = built.iter().map(|b| b.name).collect();
    let mut out: Vec<Against> = baselines(dir, &names, env.name())?
        .into_iter()
        .zip(built)
        .map(|(old, b)| {
            (b.name.to_owned(), old.unwrap_or(Value::Null), document(&b.stack), b.stack.approvals().to_vec())
        })
        .collect();
    if req.all {
        let mut gone: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| {
                !names.contains(&name.as_str())
                    && dir.join(name).join(env.name()).join(Format::Json.file_name()).is_file()
            })
            .collect();
        gone.sort();
        for name in gone {
            let file = dir.join(&name).join(env.name()).join(Format::Json.file_name());
            let old = read_baseline(&file)?;
            out.push((name, old, Value::Null, Vec::new()));
        }
    }
    Ok(out)
}

fn read_baseline(file: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::BadBaseline { path: file.to_owned(), problem: format!("is not Terraform JSON ({e})") })
}

/// The JSON renderings of `stacks` in the baseline folder `dir` (`None` for a stack it does
/// not hold: an added stack); a missing folder, or one written in HCL, is a
/// [`Error::BadBaseline`].
fn baselines(dir: &Path, stacks: &[&str], env: &str) -> Result<Vec<Option<Value>>, Error> {
    let bad = |problem: String| Error::BadBaseline { path: dir.to_owned(), problem };
    if !dir.is_dir() {
        return Err(bad("is not a folder; write a baseline with `tfsynth synth <env> --out <dir>`".into()));
    }
    let mut hcl = Vec::new();
    let mut docs = Vec::new();
    for stack in stacks {
        let folder = dir.join(stack).join(env);
        let file = folder.join(Format::Json.file_name());
        if file.is_file() {
            docs.push(Some(read_baseline(&file)?));
        } else if folder.join(Format::Hcl.file_name()).is_file() {
            hcl.push(*stack);
        } else {
            docs.push(None);
        }
    }
    if !hcl.is_empty() {
        return Err(bad(format!(
            "holds the HCL rendering of {}; diff reads Terraform JSON: write the baseline with `--format json`",
            hcl.join(", ")
        )));
    }
    Ok(docs)
}

fn summary<E: Environment>(registry: &Registry<E>, a: &SummaryArgs, c: &mut Console) -> Outcome {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    let env = req.env;
    let built = build(registry, &req.stacks, env)?;
    let mut summaries: Vec<_> = built
        .iter()
        .zip(&req.stacks)
        .map(|(b, def)| summarize(b.name, def.description, &b.stack, &b.report, def.settings.map(|f| f(env))))
        .collect();
    let mut all: security::Rows = Vec::new();
    if let Some(dir) = &a.against {
        for (name, old, new, approvals) in against(&built, &req, dir)? {
            let list = over_time(diff(&old, &new));
            let mut lines = refactor_lines(&review(&old, &new, &list));
            lines.extend(change_lines(&list));
            all.extend(security::rows(&name, classify(&old, &new, registry.security_rules()), &approvals));
            match summaries.iter_mut().find(|s| s.name == name) {
                Some(summary) => summary.changes = Some(lines),
                // A stack the code no longer has: only what it loses.
                None => summaries.push(StackSummary::removed(&name, lines)),
            }
        }
    }
    security::sort(&mut all);
    let against = a.against.as_ref().map(|d| d.display().to_string());
    let text = match a.format {
        SummaryFormat::Markdown => markdown(env.name(), &summaries, against.as_deref(), &security::markdown(&all)),
        SummaryFormat::Json => {
            let security: Vec<Value> =
                all.iter().map(|(stack, change)| json!({"stack": stack, "change": change})).collect();
            let doc = json!({"environment": env.name(), "security": security, "stacks": summaries});
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
    };
    c.out.write_all(text.as_bytes())?;
    Ok(if gate(a.fail_on, &all, c) { Status::Unapproved } else { Status::Success })
}

fn graph_command<E: Environment>(registry: &Registry<E>, a: &GraphArgs, c: &mut Console) -> Outcome {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    let stacks = build(registry, &req.stacks, req.env)?;
    if stacks.len() > 1 {
        let edges: Vec<_> = stack_edges(registry, req.env)?
            .into_iter()
            .filter(|(consumer, producer)| stacks.iter().any(|b| b.name == *consumer || b.name == *producer))
            .collect();
        let order: Vec<String> = stack_levels(registry, req.env)?.iter().map(|l| l.join(", ")).collect();
        let text = match a.format {
            GraphFormat::Mermaid => graph::mermaid_stacks(&edges, &order.join(" → ")),
            GraphFormat::Dot => graph::dot_stacks(&edges, &order.join(" → ")),
        };
        writeln!(c.out, "{text}")?;
    }
    for (i, b) in stacks.iter().enumerate() {
        let text = match a.format {
            GraphFormat::Mermaid => graph::mermaid(&b.stack),
            GraphFormat::Dot => graph::dot(&b.stack),
        };
        if stacks.len() > 1 {
            let comment = if a.format == GraphFormat::Mermaid { "%%" } else { "//" };
            let sep = if i == 0 { "" } else { "\n" };
            writeln!(c.out, "{sep}{comment} stack: {}", b.name)?;
        }
        c.out.write_all(text.as_bytes())?;
    }
    c.out.flush()?;
    Ok(Status::Success)
}

fn lint<E: Environment>(registry: &Registry<E>, a: &LintArgs, c: &mut Console) -> Outcome {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    let stacks = build(registry, &req.stacks, req.env)?;
    if a.format == ReportFormat::Json {
        let mut doc: Vec<Value> = Vec::new();
        for b in &stacks {
            let s = &b.stack;
            doc.extend(b.report.findings.iter().map(|f| finding_json(s, f)));
            doc.extend(b.report.waiver_problems.iter().map(|d| {
                json!({"stack": s.name(), "environment": s.environment(), "address": d.address, "waiver": d.message})
            }));
        }
        writeln!(c.out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
    } else {
        for b in &stacks {
            findings(c, &b.stack, &b.report)?;
        }
    }
    let passes = stacks.iter().all(|b| b.report.passes());
    Ok(if passes { Status::Success } else { Status::Found })
}
