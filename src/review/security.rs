//! The "Security changes" section every review leads with: one row per broadening change
//! (stack, resource, what widened, from → to, and the approval if there is one), then the
//! narrowing ones; nothing when there is none.

use std::fmt::Write as _;

use crate::policy::Date;
use crate::policy::security::{Approval, Direction, SecurityChange, approve};

/// One stack's security changes.
pub type Rows = Vec<(String, SecurityChange)>;

/// `changes` of `stack`, with the stack's `approvals` applied as of today.
pub fn rows(stack: &str, mut changes: Vec<SecurityChange>, approvals: &[Approval]) -> Rows {
    approve(&mut changes, approvals, Date::today());
    changes.into_iter().map(|c| (stack.to_owned(), c)).collect()
}

/// How many broadening changes no approval covers.
pub fn unapproved(rows: &Rows) -> usize {
    rows.iter().filter(|(_, c)| c.direction == Direction::Broadening && c.approved.is_none()).count()
}

fn label(c: &SecurityChange) -> &'static str {
    match (c.direction, &c.approved) {
        (Direction::Broadening, None) => "broadening",
        (Direction::Broadening, Some(_)) => "broadening (approved)",
        (Direction::Narrowing, _) => "narrowing",
    }
}

/// The section as Markdown (empty when there is nothing to say).
pub fn markdown(rows: &Rows) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "### Security changes\n\n| | stack | resource | what changed | approval |\n|---|---|---|---|---|\n",
    );
    for (stack, c) in rows {
        let mark =
            if c.direction == Direction::Broadening && c.approved.is_none() { "**⚠ broadening**" } else { label(c) };
        let approval = c.approved.as_deref().unwrap_or("—");
        let _ = writeln!(out, "| {mark} | {stack} | `{}` | {} | {approval} |", c.address, c.what.replace('|', "\\|"));
    }
    out.push('\n');
    out
}

/// The section for a terminal (empty when there is nothing to say).
pub fn text(rows: &Rows) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from("Security changes:\n");
    for (stack, c) in rows {
        let approval = c.approved.as_ref().map(|r| format!(" (approved: {r})")).unwrap_or_default();
        let _ = writeln!(out, "  {:<22} {stack}: {}: {}{approval}", label(c), c.address, c.what);
    }
    out.push('\n');
    out
}

/// Sorts rows of several stacks: unapproved broadening first, then approved, then narrowing.
pub fn sort(rows: &mut Rows) {
    rows.sort_by_key(|(_, c)| (c.direction, c.approved.is_some()));
}
