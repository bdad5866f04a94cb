//! The resolved request: environment and stacks looked up in the registry once, formats
//! mapped to the engine's, so the commands work with checked values only.

use super::args::SyntaxArg;
use crate::error::Result;
use crate::pipeline::{Environment, Registry, StackDef};
use crate::render::Format;

/// What a command runs on.
pub(super) struct Request<'r, E> {
    /// The environment.
    pub env: E,
    /// The stacks asked for, in registry order (every stack when none was named).
    pub stacks: Vec<&'r StackDef<E>>,
    /// Whether every stack was asked for (no `--stack`).
    pub all: bool,
}

impl<'r, E: Environment> Request<'r, E> {
    /// `env` and `--stack` names resolved against `registry`.
    pub fn resolve(registry: &'r Registry<E>, env: &str, stacks: &[String]) -> Result<Self> {
        let env = E::parse(env)?;
        Ok(Request { env, stacks: registry.select(stacks)?, all: stacks.is_empty() })
    }
}

impl From<SyntaxArg> for Format {
    fn from(arg: SyntaxArg) -> Format {
        match arg {
            SyntaxArg::Json => Format::Json,
            SyntaxArg::Hcl => Format::Hcl,
        }
    }
}
