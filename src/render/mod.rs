//! Renderers: one typed model, two syntaxes, both byte-deterministic.

pub mod hcl;
pub mod json;
mod syntax;

use crate::expr::Expression;
use crate::model::{Resource, Stack};

/// An output syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Terraform JSON, `main.tf.json`.
    Json,
    /// HCL native syntax, `main.tf`.
    Hcl,
}

impl Format {
    /// Both formats, JSON first.
    pub const ALL: [Format; 2] = [Format::Json, Format::Hcl];

    /// The file name a stack is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "main.tf.json",
            Format::Hcl => "main.tf",
        }
    }

    /// The short name used on the command line and in snapshot names.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Hcl => "hcl",
        }
    }
}

/// Renders `stack` in `format`.
pub fn render(stack: &Stack, format: Format) -> String {
    match format {
        Format::Json => json::render(stack),
        Format::Hcl => hcl::render(stack),
    }
}

/// The comments written above a resource: its own waived checks, the checkov equivalents of
/// the policy waivers that name it (so the scanners agree with `tfsynth lint`), and what the
/// stack amended with its escape hatch.
fn skip_comments(stack: &Stack, r: &Resource) -> Vec<String> {
    let mut comments: Vec<String> = r.skipped_checks.iter().map(ToString::to_string).collect();
    // Most stacks have no waivers: the address is only written out when one may name it.
    if !stack.waivers().is_empty() {
        let address = r.path();
        for w in stack.waivers().iter().filter(|w| w.address == address) {
            for id in w.rule.checkov_ids(&r.address.ty) {
                comments.push(format!("checkov:skip={id}:{} waived until {}: {}", w.rule, w.expires, w.reason));
            }
        }
    }
    comments.extend(r.amendments.iter().map(|a| format!("amended: {a}")));
    comments
}

/// An expression as it appears in HCL, e.g. `"takeoff-${var.environment}-vpc"`.
pub fn render_expression(expr: &Expression) -> String {
    syntax::inline_text(expr)
}

#[cfg(test)]
mod tests;
