//! The engine's error type and the diagnostics that validation collects.

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
    /// Validation found problems; all of them are listed.
    #[error("{} problem{} found:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, list(.0))]
    Invalid(Vec<Diagnostic>),
    /// An environment name that no stack knows.
    #[error("unknown environment `{name}`; known environments: {}", .known.join(", "))]
    UnknownEnvironment {
        /// What was asked for.
        name: String,
        /// What exists.
        known: Vec<String>,
    },
    /// A stack name that is not registered.
    #[error("unknown stack `{name}`; known stacks: {}", .known.join(", "))]
    UnknownStack {
        /// What was asked for.
        name: String,
        /// What exists.
        known: Vec<String>,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn list(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("error: {d}")).collect::<Vec<_>>().join("\n")
}

/// `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
