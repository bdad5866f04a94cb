//! Renderers: one typed model, two syntaxes, both byte-deterministic.

pub mod hcl;
pub mod json;
mod syntax;

use crate::expr::Expression;
use crate::model::Stack;

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

/// An expression as it appears in HCL, e.g. `"takeoff-${var.environment}-vpc"`.
pub fn render_expression(expr: &Expression) -> String {
    syntax::inline_text(expr)
}

#[cfg(test)]
mod tests;
