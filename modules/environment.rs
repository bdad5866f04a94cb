//! Environment variables of containers and functions: values are strings (as ECS and Lambda
//! take them), and credentials never go into them in plain text.

use crate::prelude::*;

/// An environment value: a string, as ECS wants it. Text, string expressions, numbers and
/// booleans convert into it.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvValue(Expression);

impl From<EnvValue> for Expression {
    fn from(v: EnvValue) -> Expression {
        v.0
    }
}

impl From<&str> for EnvValue {
    fn from(s: &str) -> Self {
        Self(s.into())
    }
}

impl From<String> for EnvValue {
    fn from(s: String) -> Self {
        Self(s.into())
    }
}

impl From<&String> for EnvValue {
    fn from(s: &String) -> Self {
        Self(s.into())
    }
}

impl From<Expr<String>> for EnvValue {
    fn from(e: Expr<String>) -> Self {
        Self(e.into())
    }
}

impl From<&Expr<String>> for EnvValue {
    fn from(e: &Expr<String>) -> Self {
        Self(e.into())
    }
}

impl From<bool> for EnvValue {
    fn from(b: bool) -> Self {
        Self(b.to_string().into())
    }
}

macro_rules! env_number {
    ($($t:ty),*) => {$(
        impl From<$t> for EnvValue {
            fn from(n: $t) -> Self {
                Self(n.to_string().into())
            }
        }
    )*};
}
env_number!(u8, u16, u32, u64, usize, i32, i64, f64);

/// What is wrong with environment variable `name` = `value`, as `(message, help)`: a name that
/// says it holds a credential, or a URL with a password in it. `use_secret` says how the
/// component reads secrets instead.
pub(super) fn credential_problem(name: &str, value: &Expression, use_secret: &str) -> Option<(String, String)> {
    if looks_like_credential(name) {
        let message = format!("environment variable `{name}` looks like a credential, in plain text");
        Some((message, use_secret.to_owned()))
    } else if has_url_credentials(value) {
        let message = format!("environment variable `{name}` is a URL with a password in it");
        Some((message, format!("{use_secret}, and assemble the URL in the application from its parts")))
    } else {
        None
    }
}

/// Whether an environment variable's name says it holds a credential: its last word is one
/// (`API_KEY`, `DB_PASSWORD`), or a word is one that is never plain data (`PASSWORD_HASH_SALT`
/// is fine, `GITHUB_TOKEN_VALUE` is not) — unless the name ends in what only points at a
/// credential (`JWT_KEY_ID`, `SECRET_ARN`, `SECRET_PREFIX`).
fn looks_like_credential(name: &str) -> bool {
    const LAST: &[&str] = &[
        "KEY",
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "PWD",
        "PASS",
        "CREDENTIAL",
        "CREDENTIALS",
        "PASSPHRASE",
        "APIKEY",
    ];
    const ANYWHERE: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "CREDENTIAL", "CREDENTIALS", "TOKEN", "PRIVATE"];
    const POINTERS: &[&str] = &[
        "ID",
        "IDS",
        "ARN",
        "ARNS",
        "NAME",
        "NAMES",
        "PATH",
        "PREFIX",
        "FILE",
        "REGION",
        "URL",
        "URI",
        "HOST",
        "ENDPOINT",
        "TTL",
        "LENGTH",
        "TYPE",
        "ALGORITHM",
        "HEADER",
        "PARAMETER",
        "VERSION",
        "SUBNETS",
        "SUBNET",
    ];
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    let Some(last) = words.last() else { return false };
    if POINTERS.contains(&last.as_str()) {
        return false;
    }
    LAST.contains(&last.as_str()) || words.iter().any(|w| ANYWHERE.contains(&w.as_str()))
}

/// Whether `value` is (or is assembled into) a URL carrying a password:
/// `scheme://user:password@host`, with any part interpolated.
fn has_url_credentials(value: &Expression) -> bool {
    let text = match value {
        Expression::String(s) => s.clone(),
        Expression::Template(parts) => parts
            .iter()
            .map(|p| match p {
                TemplatePart::Literal(s) => s.as_str(),
                TemplatePart::Interpolation(_) => "x",
            })
            .collect(),
        _ => return false,
    };
    text.match_indices("://").any(|(i, _)| {
        let authority = text[i + 3..].split(['/', '?', '#']).next().unwrap_or_default();
        authority.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':'))
    })
}

#[cfg(test)]
mod tests {
    use super::{has_url_credentials, looks_like_credential};
    use crate::prelude::*;

    #[test]
    fn credential_names() {
        for name in ["ANTHROPIC_API_KEY", "SECRET_KEY", "DATABASE_PASSWORD", "GITHUB_TOKEN", "aws_secret_access_key"] {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in [
            "JWT_KEY_ID",
            "KMS_KEY_ARN",
            "REDIS_USER",
            "LOG_LEVEL",
            "PRIVATE_SUBNET_IDS",
            "SECRET_ARN",
            "TOKEN_URL",
            "SECRET_PREFIX",
        ] {
            assert!(!looks_like_credential(name), "{name}");
        }
    }

    #[test]
    fn credentials_in_urls() {
        assert!(has_url_credentials(&"postgresql://admin:hunter2@db:5432/app".into()));
        let password: Expr<String> = var("password").typed();
        assert!(has_url_credentials(&template!["redis://:", password, "@cache:6379"].into()));
        assert!(!has_url_credentials(&"https://user@example.com/path:x@y".into()));
        assert!(!has_url_credentials(&"https://example.com".into()));
    }
}
