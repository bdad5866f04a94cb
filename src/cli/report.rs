//! How results look on a terminal: block and attribute changes, policy findings, drift.

use std::io;

use serde_json::{Value, json};

use super::{Console, Verbosity};
use crate::model::Stack;
use crate::policy::{Finding, Report};
use crate::review::diff::{AttributeChange, BlockChange};
use crate::review::drift::{Drift, DriftKind};
use crate::review::refactor::Refactor;

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn paint(c: &Console, color: &'static str, text: &str) -> String {
    if c.color { format!("{color}{text}{RESET}") } else { text.to_owned() }
}

fn value(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_owned(), Value::to_string)
}

/// Two values for display. Long strings that differ in a small part (a policy document with
/// another account id) show only that part, with some context and `…` for the rest.
fn shown(old: Option<&Value>, new: Option<&Value>) -> (String, String) {
    const CONTEXT: usize = 30;
    let (Some(Value::String(a)), Some(Value::String(b))) = (old, new) else { return (value(old), value(new)) };
    if a.len() + b.len() < 160 {
        return (value(old), value(new));
    }
    let prefix = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let (a_chars, b_chars): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let max_suffix = a_chars.len().min(b_chars.len()) - prefix;
    let suffix = a_chars.iter().rev().zip(b_chars.iter().rev()).take(max_suffix).take_while(|(x, y)| x == y).count();
    let window = |chars: &[char]| {
        let start = prefix.saturating_sub(CONTEXT);
        let end = (chars.len() - suffix + CONTEXT).min(chars.len());
        let lead = if start > 0 { "…" } else { "" };
        let tail = if end < chars.len() { "…" } else { "" };
        format!("\"{lead}{}{tail}\"", chars[start..end].iter().collect::<String>())
    };
    (window(&a_chars), window(&b_chars))
}

/// The stacks with no difference, on one line.
pub(super) fn unchanged(c: &mut Console, stacks: &[&str]) -> io::Result<()> {
    writeln!(c.out, "unchanged: {}", stacks.join(", "))
}

/// The changes of one stack between two sides, then a one-line count.
pub(super) fn changes(c: &mut Console, stack: &str, from: &str, to: &str, list: &[BlockChange]) -> io::Result<()> {
    let title = paint(c, BOLD, &format!("{stack}: {from} -> {to}"));
    writeln!(c.out, "{title}")?;
    write_changes(c, list)?;
    let count = |f: fn(&BlockChange) -> bool| list.iter().filter(|x| f(x)).count();
    let (added, removed) =
        (count(|x| matches!(x, BlockChange::Added { .. })), count(|x| matches!(x, BlockChange::Removed { .. })));
    writeln!(c.out, "{stack}: {added} added, {removed} removed, {} changed\n", list.len() - added - removed)
}

fn write_changes(c: &mut Console, list: &[BlockChange]) -> io::Result<()> {
    for change in list {
        match change {
            BlockChange::Added { address } => writeln!(c.out, "  {}", paint(c, GREEN, &format!("+ {address}")))?,
            BlockChange::Removed { address } => writeln!(c.out, "  {}", paint(c, RED, &format!("- {address}")))?,
            BlockChange::Changed { address, attributes, replaced_by } if !replaced_by.is_empty() => {
                let line = format!(
                    "-/+ {address} (replaced: {} forces a new object; its data is lost)",
                    replaced_by.join(", ")
                );
                writeln!(c.out, "  {}", paint(c, RED, &line))?;
                write_attributes(c, attributes)?;
            }
            BlockChange::Changed { address, attributes, .. } => {
                writeln!(c.out, "  {}", paint(c, YELLOW, &format!("~ {address}")))?;
                write_attributes(c, attributes)?;
            }
        }
    }
    Ok(())
}

fn write_attributes(c: &mut Console, attributes: &[AttributeChange]) -> io::Result<()> {
    for a in attributes {
        let (old, new) = shown(a.old.as_ref(), a.new.as_ref());
        let (old, new) = (paint(c, RED, &old), paint(c, GREEN, &new));
        writeln!(c.out, "      {}: {old} -> {new}", a.path)?;
    }
    Ok(())
}

/// A stack's findings (waived ones with `--verbose`), waiver problems, and a count.
pub(super) fn findings(c: &mut Console, stack: &Stack, report: &Report) -> io::Result<()> {
    let at = format!("{}/{}", stack.name(), stack.environment());
    for f in &report.findings {
        let place = f.attribute.as_ref().map_or_else(|| f.address.clone(), |a| format!("{}: {a}", f.address));
        match &f.waiver {
            None => {
                writeln!(c.out, "{}: {} {at}: {place}: {}", paint(c, RED, "finding"), f.rule, f.message)?;
                writeln!(c.out, "  why: {}\n  fix: {}", f.rule.why(), f.fix)?;
            }
            Some(w) if c.verbosity == Verbosity::Verbose => {
                writeln!(c.out, "waived: {} {at}: {place}: {} (until {}: {})", f.rule, f.message, w.expires, w.reason)?;
            }
            Some(_) => {}
        }
    }
    for d in &report.waiver_problems {
        writeln!(c.out, "{}: {d}", paint(c, RED, "waiver"))?;
    }
    for d in stack.hints() {
        writeln!(c.out, "hint: {d}")?;
    }
    let waived = report.findings.iter().filter(|f| f.waiver.is_some()).count();
    let unwaived = report.findings.len() - waived;
    writeln!(c.out, "{at}: {} rules, {unwaived} finding(s), {waived} waived", crate::policy::Rule::ALL.len())
}

/// A finding as JSON for `lint --format json`.
pub(super) fn finding_json(stack: &Stack, f: &Finding) -> Value {
    json!({
        "stack": stack.name(),
        "environment": stack.environment(),
        "component": f.component,
        "rule": f.rule.id(),
        "address": f.address,
        "attribute": f.attribute,
        "message": f.message,
        "why": f.rule.why(),
        "fix": f.fix,
        "waiver": f.waiver.as_ref().map(|w| json!({"reason": w.reason, "expires": w.expires.to_string()})),
    })
}

/// One drifted snapshot: what differs, per block where the JSON shows it, else per line.
pub(super) fn drift(c: &mut Console, d: &Drift) -> io::Result<()> {
    let file = d.file.display();
    match &d.kind {
        DriftKind::Missing => {
            writeln!(c.out, "{}: {file} is missing", paint(c, RED, "drift"))
        }
        DriftKind::Stale => {
            writeln!(c.out, "{}: {file} belongs to no stack any more; delete it", paint(c, RED, "drift"))
        }
        DriftKind::Changed { blocks, lines, refactor } => {
            writeln!(c.out, "{}: {file} differs from what the stacks synthesize", paint(c, RED, "drift"))?;
            if blocks.is_empty() || c.verbosity == Verbosity::Verbose {
                for line in lines.lines() {
                    let color = match line.as_bytes().first() {
                        Some(b'+') => GREEN,
                        Some(b'-') => RED,
                        _ => "",
                    };
                    let shown = if color.is_empty() { line.to_owned() } else { paint(c, color, line) };
                    writeln!(c.out, "    {shown}")?;
                }
            }
            write_changes(c, blocks)?;
            renames(c, refactor)
        }
    }
}

/// The probable renames of a review, each with the line that keeps the object.
pub(super) fn renames(c: &mut Console, refactor: &Refactor) -> io::Result<()> {
    for r in &refactor.renames {
        let what = paint(c, YELLOW, "probable rename");
        writeln!(c.out, "  {what}: {} -> {} ({}); keep the object: {}", r.from, r.to, r.evidence, r.fix())?;
    }
    Ok(())
}
