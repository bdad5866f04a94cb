//! Expressions as HCL text, written straight into the output buffer.
//!
//! Both renderers use this: HCL writes expressions in place, JSON wraps the text in `${...}`.
//! Literal text is escaped here, in one place: quotes, backslashes and control characters as
//! HCL string escapes, and `${` / `%{` as `$${` / `%%{`. The layout is what `terraform fmt`
//! leaves alone: lists and objects in an attribute value go one item per line, with the `=` of
//! consecutive single-line entries aligned; inside calls, templates and operators everything
//! stays on one line.

use std::fmt::Write;

use crate::expr::{BinaryOp, Expression, ForExpr, Root, Step, TemplatePart, Traversal, is_identifier};

/// Writes `expr` on one line, as inside `${...}` or a function argument.
pub(super) fn inline(expr: &Expression, out: &mut String) {
    match expr {
        Expression::Null => out.push_str("null"),
        Expression::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expression::Number(n) => _ = write!(out, "{}", number(n)),
        Expression::String(s) => quoted(s, out),
        Expression::List(items) => {
            out.push('[');
            separated(items, ", ", out);
            out.push(']');
        }
        Expression::Object(map) if map.is_empty() => out.push_str("{}"),
        Expression::Object(map) => {
            out.push_str("{ ");
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                object_key(k, out);
                out.push_str(" = ");
                inline(v, out);
            }
            out.push_str(" }");
        }
        Expression::Template(parts) => {
            out.push('"');
            template(parts, escape_hcl, out);
            out.push('"');
        }
        Expression::Traversal(t) => traversal(t, out),
        Expression::Call(call) => {
            out.push_str(&call.name);
            out.push('(');
            separated(&call.args, ", ", out);
            if call.expand_final {
                out.push_str("...");
            }
            out.push(')');
        }
        Expression::Conditional(parts) => {
            let [c, t, f] = parts.as_ref();
            operand(c, out);
            out.push_str(" ? ");
            operand(t, out);
            out.push_str(" : ");
            operand(f, out);
        }
        Expression::Binary(b) => {
            let (lhs, op, rhs) = b.as_ref();
            operand(lhs, out);
            out.push(' ');
            out.push_str(operator(*op));
            out.push(' ');
            operand(rhs, out);
        }
        Expression::Not(e) => {
            out.push('!');
            operand(e, out);
        }
        Expression::Negate(e) => {
            out.push('-');
            operand(e, out);
        }
        Expression::For(f) => for_expr(f, out),
    }
}

/// A number as HCL writes it: integral floats without a fraction (`70`, not `70.0`).
fn number(n: &serde_json::Number) -> hcl::Number {
    if let Some(i) = n.as_i64() {
        hcl::Number::from(i)
    } else if let Some(u) = n.as_u64() {
        hcl::Number::from(u)
    } else {
        n.as_f64().and_then(hcl::Number::from_f64).unwrap_or_else(|| hcl::Number::from(0))
    }
}

/// `expr` on one line, as a new string.
pub(super) fn inline_text(expr: &Expression) -> String {
    let mut out = String::new();
    inline(expr, &mut out);
    out
}

/// Whether [`value`] writes `expr` across lines: a non-empty list or object.
pub(super) fn is_multiline(expr: &Expression) -> bool {
    match expr {
        Expression::List(items) => !items.is_empty(),
        Expression::Object(map) => !map.is_empty(),
        _ => false,
    }
}

/// Writes `expr` as an attribute value whose line is indented `indent` levels: non-empty lists
/// and objects one item per line, everything else [`inline`].
pub(super) fn value(expr: &Expression, indent: usize, out: &mut String) {
    match expr {
        Expression::List(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                push_indent(indent + 1, out);
                value(item, indent + 1, out);
            }
            out.push('\n');
            push_indent(indent, out);
            out.push(']');
        }
        Expression::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            let keys: Vec<String> = map.keys().map(|k| key_text(k)).collect();
            let entries = keys.iter().map(String::as_str).zip(map.values());
            assignments(entries, indent + 1, out);
            push_indent(indent, out);
            out.push('}');
        }
        _ => inline(expr, out),
    }
}

/// Writes `key = value` lines, the `=` of each run of single-line values aligned one column
/// past the run's longest key, as `terraform fmt` aligns them.
pub(super) fn assignments<'a>(
    entries: impl Iterator<Item = (&'a str, &'a Expression)> + Clone,
    indent: usize,
    out: &mut String,
) {
    let mut widths = Vec::new();
    aligned_widths(entries.clone().map(|(k, v)| (k, is_multiline(v))), &mut widths);
    for ((key, v), width) in entries.zip(widths) {
        assignment(key, width, indent, out);
        value(v, indent, out);
        out.push('\n');
    }
}

/// For each `(key, multi-line)` entry, the width its key is padded to: the longest key of its
/// run of consecutive single-line entries (a multi-line entry ends a run and is not padded).
pub(super) fn aligned_widths<'a>(entries: impl Iterator<Item = (&'a str, bool)>, widths: &mut Vec<usize>) {
    let start = widths.len();
    let mut run = start;
    for (key, multiline) in entries {
        if multiline {
            close_run(widths, run);
            widths.push(0);
            run = widths.len();
        } else {
            widths.push(key.chars().count());
        }
    }
    close_run(widths, run);
}

fn close_run(widths: &mut [usize], run: usize) {
    let longest = widths[run..].iter().copied().max().unwrap_or(0);
    widths[run..].fill(longest);
}

/// Writes the indentation, `key`, padding to `width` and ` = `.
pub(super) fn assignment(key: &str, width: usize, indent: usize, out: &mut String) {
    push_indent(indent, out);
    out.push_str(key);
    let pad = width.saturating_sub(key.chars().count());
    push_spaces(pad + 1, out);
    out.push_str("= ");
}

/// Two spaces per level.
pub(super) fn push_indent(indent: usize, out: &mut String) {
    push_spaces(2 * indent, out);
}

/// `n` spaces, in one copy for the widths real files have.
pub(super) fn push_spaces(n: usize, out: &mut String) {
    const SPACES: &str = "                                                                ";
    match SPACES.get(..n) {
        Some(spaces) => out.push_str(spaces),
        None => out.extend(std::iter::repeat_n(' ', n)),
    }
}

fn separated(items: &[Expression], separator: &str, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        inline(item, out);
    }
}

/// A literal string, quoted and escaped by [`escape_hcl`].
fn quoted(s: &str, out: &mut String) {
    out.push('"');
    escape_hcl(s, out);
    out.push('"');
}

/// Object keys: bare when they are identifiers (as `terraform fmt` leaves them), quoted otherwise.
fn object_key(k: &str, out: &mut String) {
    if is_identifier(k) && !matches!(k, "true" | "false" | "null" | "for") {
        out.push_str(k);
    } else {
        quoted(k, out);
    }
}

fn key_text(k: &str) -> String {
    let mut out = String::with_capacity(k.len() + 2);
    object_key(k, &mut out);
    out
}

/// `[for ...]` / `{ for ... }`, spaced inside the braces as `terraform fmt` wants.
fn for_expr(f: &ForExpr, out: &mut String) {
    out.push_str(if f.key.is_some() { "{ for " } else { "[for " });
    if let Some(k) = &f.key_var {
        out.push_str(k);
        out.push_str(", ");
    }
    out.push_str(&f.value_var);
    out.push_str(" in ");
    inline(&f.collection, out);
    out.push_str(" : ");
    if let Some(k) = &f.key {
        inline(k, out);
        out.push_str(" => ");
    }
    inline(&f.value, out);
    if let Some(c) = &f.condition {
        out.push_str(" if ");
        inline(c, out);
    }
    out.push_str(if f.key.is_some() { " }" } else { "]" });
}

/// An operand of an operator: compound expressions get parentheses so precedence never
/// depends on the printer.
fn operand(e: &Expression, out: &mut String) {
    if matches!(e, Expression::Conditional(_) | Expression::Binary(_) | Expression::Not(_) | Expression::Negate(_)) {
        out.push('(');
        inline(e, out);
        out.push(')');
    } else {
        inline(e, out);
    }
}

fn operator(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Eq => "==",
        BinaryOp::NotEq => "!=",
        BinaryOp::Less => "<",
        BinaryOp::LessEq => "<=",
        BinaryOp::Greater => ">",
        BinaryOp::GreaterEq => ">=",
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Mod => "%",
        BinaryOp::And => "&&",
        BinaryOp::Or => "||",
    }
}

fn traversal(t: &Traversal, out: &mut String) {
    match &t.root {
        Root::Resource(a) => {
            out.push_str(&a.ty);
            out.push('.');
            out.push_str(&a.name);
        }
        Root::Data(a) | Root::Ephemeral(a) => {
            out.push_str(if matches!(t.root, Root::Data(_)) { "data." } else { "ephemeral." });
            out.push_str(&a.ty);
            out.push('.');
            out.push_str(&a.name);
        }
        Root::Var(n) => {
            out.push_str("var.");
            out.push_str(n);
        }
        Root::Local(n) => {
            out.push_str("local.");
            out.push_str(n);
        }
        Root::Module(n) => {
            out.push_str("module.");
            out.push_str(n);
        }
        Root::CountIndex => out.push_str("count.index"),
        Root::EachKey => out.push_str("each.key"),
        Root::EachValue => out.push_str("each.value"),
        Root::Iterator(n) => out.push_str(n),
        Root::Expression(e) => operand(e, out),
    }
    for step in &t.steps {
        match step {
            Step::Attr(a) => {
                out.push('.');
                out.push_str(a);
            }
            Step::Index(e) => {
                out.push('[');
                inline(e, out);
                out.push(']');
            }
            Step::Splat => out.push_str("[*]"),
        }
    }
}

/// Writes the text of a template: literal parts escaped with `escape`, interpolations as `${...}`.
///
/// Dollar signs that end a literal right before an interpolation would read as the escape
/// `$${`, so that run is written as an interpolated string: `$` then `${x}` is `${"$"}${x}`.
pub(super) fn template(parts: &[TemplatePart], escape: fn(&str, &mut String), out: &mut String) {
    for (i, part) in parts.iter().enumerate() {
        match part {
            TemplatePart::Literal(s) => {
                let before_interpolation = matches!(parts.get(i + 1), Some(TemplatePart::Interpolation(_)));
                let head = if before_interpolation { s.trim_end_matches('$') } else { s };
                escape(head, out);
                if head.len() < s.len() {
                    out.push_str("${\"");
                    out.push_str(&s[head.len()..]);
                    out.push_str("\"}");
                }
            }
            TemplatePart::Interpolation(e) => {
                out.push_str("${");
                inline(e, out);
                out.push('}');
            }
        }
    }
}

/// Escapes template markers only (`${` -> `$${`, `%{` -> `%%{`): for JSON strings, whose
/// quoting serde_json does.
pub(super) fn escape_markers(s: &str, out: &mut String) {
    escape(s, out, false);
}

/// Escapes for the inside of an HCL quoted string: markers plus quotes, backslashes and
/// control characters.
pub(super) fn escape_hcl(s: &str, out: &mut String) {
    escape(s, out, true);
}

fn escape(s: &str, out: &mut String, quoting: bool) {
    // Most literals need no escaping: copy up to the first byte that might, in one go.
    let special =
        |b: &u8| matches!(b, b'$' | b'%') || (quoting && (matches!(b, b'"' | b'\\') || *b < 0x20 || *b >= 0x7f));
    let clean = s.bytes().position(|b| special(&b)).unwrap_or(s.len());
    out.push_str(&s[..clean]);
    let mut chars = s[clean..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            '"' if quoting => out.push_str("\\\""),
            '\\' if quoting => out.push_str("\\\\"),
            '\n' if quoting => out.push_str("\\n"),
            '\r' if quoting => out.push_str("\\r"),
            '\t' if quoting => out.push_str("\\t"),
            c if quoting && c.is_control() => _ = write!(out, "\\u{:04X}", u32::from(c)),
            c => out.push(c),
        }
    }
}
