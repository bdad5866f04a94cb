//! String templates: `"takeoff-${var.environment}-vpc"` built from typed pieces.

use super::typed::Expr;
use super::{Expression, TemplatePart};

/// A piece of a template: a literal `&str`/`String` or an interpolated expression.
pub trait IntoTemplatePart {
    /// The piece as a template part.
    fn into_part(self) -> TemplatePart;
}

impl IntoTemplatePart for &str {
    fn into_part(self) -> TemplatePart {
        TemplatePart::Literal(self.to_owned())
    }
}

impl IntoTemplatePart for String {
    fn into_part(self) -> TemplatePart {
        TemplatePart::Literal(self)
    }
}

impl<T> IntoTemplatePart for Expr<T> {
    fn into_part(self) -> TemplatePart {
        TemplatePart::Interpolation(self.into())
    }
}

impl<T> IntoTemplatePart for &Expr<T> {
    fn into_part(self) -> TemplatePart {
        TemplatePart::Interpolation(self.into())
    }
}

/// Joins pieces into one string expression, collapsing it to a plain literal when nothing is
/// interpolated and merging adjacent literals.
pub fn template(parts: impl IntoIterator<Item = TemplatePart>) -> Expr<String> {
    let mut out: Vec<TemplatePart> = Vec::new();
    // A nested template is spliced in rather than interpolated: `"a${"b${x}"}"` -> `"ab${x}"`.
    let flat = parts.into_iter().flat_map(|part| match part {
        TemplatePart::Interpolation(Expression::Template(inner)) => inner,
        other => vec![other],
    });
    for part in flat {
        match (out.last_mut(), part) {
            (Some(TemplatePart::Literal(prev)), TemplatePart::Literal(next)) => prev.push_str(&next),
            // A template that is a single literal string expression reads better as literal text.
            (_, TemplatePart::Interpolation(Expression::String(s))) => match out.last_mut() {
                Some(TemplatePart::Literal(prev)) => prev.push_str(&s),
                _ => out.push(TemplatePart::Literal(s)),
            },
            (_, part) => out.push(part),
        }
    }
    let expr = match out.as_slice() {
        [] => Expression::String(String::new()),
        [TemplatePart::Literal(s)] => Expression::String(s.clone()),
        _ => Expression::Template(out),
    };
    Expr::from_expression(expr)
}

/// Builds a string template from literal and expression pieces.
///
/// ```
/// use tfsynth::prelude::*;
/// let env: Expr<String> = var("environment").typed();
/// let name = template!["takeoff-", env, "-vpc"];
/// assert_eq!(render_expression(&name.into()), r#""takeoff-${var.environment}-vpc""#);
/// ```
#[macro_export]
macro_rules! template {
    ($($part:expr),* $(,)?) => {
        $crate::expr::template([$($crate::expr::IntoTemplatePart::into_part($part)),*])
    };
}
