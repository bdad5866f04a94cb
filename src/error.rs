//! The engine's error type, by kind, and the diagnostics that validation collects.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a stack: where it is, what is wrong, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stack name.
    pub stack: String,
    /// The environment the stack was built for.
    pub environment: String,
    /// The block address, e.g. `aws_vpc.main` or `variable.region`.
    pub address: Option<String>,
    /// The attribute path inside the block, e.g. `ingress[0].from_port`.
    pub attribute: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do instead.
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.stack, self.environment)?;
        match (&self.address, &self.attribute) {
            (Some(a), Some(attr)) => write!(f, ": {a}: {attr}")?,
            (Some(a), None) => write!(f, ": {a}")?,
            (None, Some(attr)) => write!(f, ": {attr}")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong between building a stack and writing its files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Validation or policy found problems; all of them are listed.
    #[error("{} problem{} found:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, list(.0))]
    Invalid(Vec<Diagnostic>),
    /// An environment name that no stack knows.
    #[error("unknown environment {}{}; known environments: {}", shown(.name), suggestion(.known, .name), .known.join(", "))]
    UnknownEnvironment {
        /// What was asked for.
        name: String,
        /// What exists.
        known: Vec<String>,
    },
    /// A stack name that is not registered.
    #[error("unknown stack {}{}; known stacks: {}", shown(.name), suggestion(.known, .name), .known.join(", "))]
    UnknownStack {
        /// What was asked for.
        name: String,
        /// What exists.
        known: Vec<String>,
    },
    /// The command line asks for something that cannot be done as asked.
    #[error("{0}")]
    Usage(String),
    /// A folder to compare with is missing, incomplete or of the other format.
    #[error("{}: {problem}", shown_path(.path))]
    BadBaseline {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The output folder cannot be written as asked: it is a file, holds files tfsynth did not
    /// write, or leads through a symbolic link.
    #[error("{}: {problem}", shown_path(.path))]
    Output {
        /// The path at fault.
        path: PathBuf,
        /// What is wrong and what to do instead.
        problem: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", shown_path(.path))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// Whether what the user typed is wrong (an unknown name, a bad flag or baseline) rather
    /// than the stacks or the disk: the command line's usage exit code, not its failure one.
    pub fn is_usage(&self) -> bool {
        match self {
            Error::UnknownEnvironment { .. }
            | Error::UnknownStack { .. }
            | Error::Usage(_)
            | Error::BadBaseline { .. } => true,
            Error::Invalid(_) | Error::Output { .. } | Error::Io { .. } => false,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

fn list(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("error: {d}")).collect::<Vec<_>>().join("\n")
}

/// A name the user typed, as echoed back: quoted, control characters escaped, cut to a length
/// a terminal line holds.
pub fn shown(name: &str) -> String {
    const MAX: usize = 64;
    let escaped: String = name.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(MAX) {
        Some((cut, _)) => format!("`{}…`", &escaped[..cut]),
        None => format!("`{escaped}`"),
    }
}

/// A path as messages show it: whole up to 256 characters, else its start and its end around
/// an ellipsis, so a runaway argument does not flood the terminal.
pub fn shown_path(path: &std::path::Path) -> String {
    const KEEP: usize = 120;
    let text = path.display().to_string();
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 2 * KEEP + 16 {
        return text;
    }
    let head: String = chars[..KEEP].iter().collect();
    let tail: String = chars[chars.len() - KEEP..].iter().collect();
    format!("{head}…({} characters)…{tail}", chars.len() - 2 * KEEP)
}

fn suggestion(known: &[String], name: &str) -> String {
    crate::schema::did_you_mean(name, known.iter().map(String::as_str))
        // An abbreviation or its long form: `prod` for `production` and the other way round.
        .or_else(|| {
            let related = |k: &&String| !name.is_empty() && (k.starts_with(name) || name.starts_with(k.as_str()));
            known.iter().find(related).map(String::as_str)
        })
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::{Error, shown};

    #[test]
    fn a_long_path_is_shortened_in_messages() {
        let long = format!("/tmp/{}", "x".repeat(100_000));
        let e = Error::Output { path: long.into(), problem: "is not a folder".into() };
        let text = e.to_string();
        assert!(
            text.len() < 400 && text.contains("…(99765 characters)…") && text.ends_with(": is not a folder"),
            "{text}"
        );
        let short = Error::Output { path: "out/x".into(), problem: "p".into() };
        assert_eq!(short.to_string(), "out/x: p");
    }

    #[test]
    fn names_are_echoed_safely_with_a_suggestion() {
        let known = vec!["development".to_owned(), "staging".to_owned(), "production".to_owned()];
        let e = Error::UnknownEnvironment { name: "prod".into(), known: known.clone() };
        assert_eq!(
            e.to_string(),
            "unknown environment `prod` (did you mean `production`?); known environments: development, staging, production"
        );
        let e = Error::UnknownEnvironment { name: "productoin".into(), known };
        assert!(e.to_string().contains("(did you mean `production`?)"));
        assert_eq!(shown("a\u{1b}[31mb\n"), "`a\\u{1b}[31mb\\n`");
        assert_eq!(shown(&"x".repeat(100)), format!("`{}…`", "x".repeat(64)));
        assert!(Error::Usage("x".into()).is_usage() && !Error::Invalid(Vec::new()).is_usage());
    }
}
