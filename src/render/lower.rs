//! Lowering our expression tree to hcl-rs expressions, and writing expressions as HCL text.
//!
//! Both renderers use this: HCL writes the lowered tree directly, JSON wraps its text in
//! `${...}`. Literal text is escaped here, in one place: quotes, backslashes and control
//! characters as HCL string escapes, and `${` / `%{` as `$${` / `%%{`.

use hcl::expr::{
    BinaryOp as HclBinary, BinaryOperator, Conditional, Expression as H, FuncCall, FuncName, ObjectKey, Operation,
    TemplateExpr, TraversalOperator, UnaryOp, UnaryOperator, Variable,
};
use std::fmt::Write;

use hcl::{Identifier, Number};

use crate::expr::{BinaryOp, Expression, ForExpr, Root, Step, TemplatePart, Traversal, is_identifier};

/// Lowers an expression to hcl-rs.
pub(super) fn lower(expr: &Expression) -> H {
    match expr {
        Expression::Null => H::Null,
        Expression::Bool(b) => H::Bool(*b),
        Expression::Number(n) => H::Number(number(n)),
        Expression::String(s) => quoted(s),
        Expression::List(items) => H::Array(items.iter().map(lower).collect()),
        Expression::Object(map) => H::Object(map.iter().map(|(k, v)| (object_key(k), lower(v))).collect()),
        Expression::Template(parts) => {
            H::TemplateExpr(Box::new(TemplateExpr::QuotedString(template_text(parts, escape_hcl))))
        }
        Expression::Traversal(t) => traversal(t),
        Expression::Call(call) => {
            let mut f = FuncCall::new(FuncName::new(Identifier::unchecked(&call.name)));
            f.args = call.args.iter().map(lower).collect();
            f.expand_final = call.expand_final;
            H::FuncCall(Box::new(f))
        }
        Expression::Conditional(parts) => {
            let [c, t, f] = parts.as_ref();
            H::Conditional(Box::new(Conditional::new(operand(c), operand(t), operand(f))))
        }
        Expression::Binary(b) => {
            let (lhs, op, rhs) = b.as_ref();
            let op = HclBinary::new(operand(lhs), binary_operator(*op), operand(rhs));
            H::Operation(Box::new(Operation::Binary(op)))
        }
        Expression::Not(e) => unary(UnaryOperator::Not, e),
        Expression::Negate(e) => unary(UnaryOperator::Neg, e),
        Expression::For(f) => H::Variable(Variable::unchecked(for_text(f))),
    }
}

/// A literal string as a quoted HCL string, escaped by [`escape_hcl`].
///
/// hcl-rs's own string escaping leaves an existing `$${` alone, which turns the literal `$${x}`
/// into `${x}`; ours escapes every marker.
fn quoted(s: &str) -> H {
    let mut text = String::with_capacity(s.len() + 2);
    escape_hcl(s, &mut text);
    H::TemplateExpr(Box::new(TemplateExpr::QuotedString(text)))
}

/// Object keys: bare when they are identifiers (as `terraform fmt` leaves them), quoted otherwise.
fn object_key(k: &str) -> ObjectKey {
    if is_identifier(k) && !matches!(k, "true" | "false" | "null" | "for") {
        ObjectKey::Identifier(Identifier::unchecked(k))
    } else {
        ObjectKey::Expression(quoted(k))
    }
}

/// A `for` expression as text. hcl-rs prints `{for ...}` where `terraform fmt` wants
/// `{ for ... }`, so the brackets are written here around hcl-rs-printed parts.
fn for_text(f: &ForExpr) -> String {
    let vars = match &f.key_var {
        Some(k) => format!("{k}, {}", f.value_var),
        None => f.value_var.clone(),
    };
    let head = format!("for {vars} in {} : ", inline_text(&f.collection));
    let cond = f.condition.as_ref().map(|c| format!(" if {}", inline_text(c))).unwrap_or_default();
    match &f.key {
        Some(k) => format!("{{ {head}{} => {}{cond} }}", inline_text(k), inline_text(&f.value)),
        None => format!("[{head}{}{cond}]", inline_text(&f.value)),
    }
}

fn unary(op: UnaryOperator, e: &Expression) -> H {
    H::Operation(Box::new(Operation::Unary(UnaryOp::new(op, operand(e)))))
}

/// An operand of an operator: compound expressions get parentheses so precedence never
/// depends on the printer.
fn operand(e: &Expression) -> H {
    match e {
        Expression::Conditional(_) | Expression::Binary(_) | Expression::Not(_) | Expression::Negate(_) => {
            H::Parenthesis(Box::new(lower(e)))
        }
        _ => lower(e),
    }
}

fn binary_operator(op: BinaryOp) -> BinaryOperator {
    match op {
        BinaryOp::Eq => BinaryOperator::Eq,
        BinaryOp::NotEq => BinaryOperator::NotEq,
        BinaryOp::Less => BinaryOperator::Less,
        BinaryOp::LessEq => BinaryOperator::LessEq,
        BinaryOp::Greater => BinaryOperator::Greater,
        BinaryOp::GreaterEq => BinaryOperator::GreaterEq,
        BinaryOp::Add => BinaryOperator::Plus,
        BinaryOp::Sub => BinaryOperator::Minus,
        BinaryOp::Mul => BinaryOperator::Mul,
        BinaryOp::Div => BinaryOperator::Div,
        BinaryOp::Mod => BinaryOperator::Mod,
        BinaryOp::And => BinaryOperator::And,
        BinaryOp::Or => BinaryOperator::Or,
    }
}

fn number(n: &serde_json::Number) -> Number {
    if let Some(i) = n.as_i64() {
        Number::from(i)
    } else if let Some(u) = n.as_u64() {
        Number::from(u)
    } else {
        n.as_f64().and_then(Number::from_f64).unwrap_or_else(|| Number::from(0))
    }
}

fn var(name: &str) -> H {
    H::Variable(Variable::unchecked(name))
}

fn attr(name: &str) -> TraversalOperator {
    TraversalOperator::GetAttr(Identifier::unchecked(name))
}

fn traversal(t: &Traversal) -> H {
    let (root, mut ops) = match &t.root {
        Root::Resource(a) => (var(&a.ty), vec![attr(&a.name)]),
        Root::Data(a) => (var("data"), vec![attr(&a.ty), attr(&a.name)]),
        Root::Var(n) => (var("var"), vec![attr(n)]),
        Root::Local(n) => (var("local"), vec![attr(n)]),
        Root::Module(n) => (var("module"), vec![attr(n)]),
        Root::CountIndex => (var("count"), vec![attr("index")]),
        Root::EachKey => (var("each"), vec![attr("key")]),
        Root::EachValue => (var("each"), vec![attr("value")]),
        Root::Iterator(n) => (var(n), vec![]),
        Root::Expression(e) => (operand(e), vec![]),
    };
    ops.extend(t.steps.iter().map(|s| match s {
        Step::Attr(a) => attr(a),
        Step::Index(e) => TraversalOperator::Index(lower(e)),
        Step::Splat => TraversalOperator::FullSplat,
    }));
    if ops.is_empty() {
        return root;
    }
    H::Traversal(Box::new(hcl::expr::Traversal::new(root, ops)))
}

/// Writes an expression as single-line HCL text, as it appears inside `${...}`.
pub(super) fn inline_text(expr: &Expression) -> String {
    let lowered = lower(expr);
    let mut fmt = hcl::format::Formatter::builder().compact(true).prefer_ident_keys(true).build_vec();
    // Formatting an in-memory expression tree only fails on I/O, which a Vec never reports.
    hcl::format::Format::format_string(&lowered, &mut fmt).unwrap_or_default()
}

/// The text of a template: literal parts escaped with `escape`, interpolations as `${...}`.
pub(super) fn template_text(parts: &[TemplatePart], escape: fn(&str, &mut String)) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            TemplatePart::Literal(s) => escape(s, &mut out),
            TemplatePart::Interpolation(e) => {
                out.push_str("${");
                out.push_str(&inline_text(e));
                out.push('}');
            }
        }
    }
    out
}

/// Escapes template markers only (`${` -> `$${`, `%{` -> `%%{`): for JSON strings, whose
/// quoting serde_json does.
pub(super) fn escape_markers(s: &str, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if (c == '$' || c == '%') && chars.peek() == Some(&'{') {
            out.push(c);
        }
    }
}

/// Escapes for the inside of an HCL quoted string: markers plus quotes, backslashes and
/// control characters.
pub(super) fn escape_hcl(s: &str, out: &mut String) {
    let mut marked = String::with_capacity(s.len());
    escape_markers(s, &mut marked);
    for c in marked.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}
