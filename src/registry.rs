//! The set of stacks and environments the CLI can synthesize.
//!
//! The engine knows no application: `stacks/` defines its `Env` type and hands a
//! [`Registry`] to [`cli::run`](crate::cli::run).

use std::fmt;

use crate::error::{Error, Result};
use crate::model::Stack;

/// An environment type: a closed set of names, e.g. an enum with an exhaustive `match` per
/// stack, so adding an environment fails to compile until every stack configures it.
pub trait Environment: Copy + Eq + fmt::Debug + 'static {
    /// Every environment, in display order.
    const ALL: &'static [Self];

    /// The name used on the command line and in output paths, e.g. `production`.
    fn name(self) -> &'static str;

    /// The environment called `name`, or an error listing the known ones.
    fn parse(name: &str) -> Result<Self> {
        Self::ALL.iter().copied().find(|e| e.name() == name).ok_or_else(|| Error::UnknownEnvironment {
            name: name.to_owned(),
            known: Self::ALL.iter().map(|e| e.name().to_owned()).collect(),
        })
    }
}

/// A registered stack: a name, a one-line description and how to build it per environment.
pub struct StackDef<E> {
    /// The stack name, also its output folder.
    pub name: &'static str,
    /// What the stack deploys, for `tfsynth list`.
    pub description: &'static str,
    /// Builds the stack for one environment.
    pub build: fn(E) -> Stack,
    /// The environment's settings table, printed for `tfsynth summary` (`None` when the stack
    /// has no table).
    pub settings: Option<fn(E) -> String>,
}

/// Every stack of the repository.
pub struct Registry<E> {
    stacks: Vec<StackDef<E>>,
}

impl<E: Environment> Registry<E> {
    /// A registry of `stacks`, in display order.
    pub fn new(stacks: Vec<StackDef<E>>) -> Self {
        Self { stacks }
    }

    /// The registered stacks.
    pub fn stacks(&self) -> &[StackDef<E>] {
        &self.stacks
    }

    /// The stack called `name`, or an error listing the known ones.
    pub fn get(&self, name: &str) -> Result<&StackDef<E>> {
        self.stacks.iter().find(|s| s.name == name).ok_or_else(|| Error::UnknownStack {
            name: name.to_owned(),
            known: self.stacks.iter().map(|s| s.name.to_owned()).collect(),
        })
    }

    /// Builds stack `name` for `env`.
    pub fn build(&self, name: &str, env: E) -> Result<Stack> {
        Ok((self.get(name)?.build)(env))
    }
}
