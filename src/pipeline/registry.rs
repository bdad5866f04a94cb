//! The set of stacks and environments the CLI can synthesize.
//!
//! The engine knows no application: `stacks/` defines its `Env` type and hands a
//! [`Registry`] to [`cli::run`](crate::cli::run).

use std::fmt;

use crate::error::{Error, Result};
use crate::model::{Stack, Tier};
use crate::policy::security::SecurityRule;

use super::PipelineSettings;

/// An environment type: a closed set of names, e.g. an enum with an exhaustive `match` per
/// stack, so adding an environment fails to compile until every stack configures it.
pub trait Environment: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// Every environment, in display order.
    const ALL: &'static [Self];

    /// The name used on the command line and in output paths, e.g. `production`.
    fn name(self) -> &'static str;

    /// How much the environment matters: policy holds [`Tier::Production`] to the strictest
    /// rules, whatever the environment is called.
    fn tier(self) -> Tier;

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
    /// The environment's settings table (any `Serialize` value, see [`settings_table`]), shown
    /// by `tfsynth summary` (`None` when the stack has no table).
    pub settings: Option<fn(E) -> serde_json::Value>,
}

/// A stack's settings as the table `summary` shows.
///
/// # Panics
///
/// If the settings cannot be represented as JSON (a map with non-string keys): settings tables
/// are plain structs, so that is a bug in the stack.
pub fn settings_table(settings: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(settings).expect("settings tables serialize to JSON")
}

/// Every stack of the repository.
pub struct Registry<E> {
    stacks: Vec<StackDef<E>>,
    security_rules: Vec<SecurityRule>,
    pipeline: PipelineSettings,
}

impl<E: Environment> Registry<E> {
    /// A registry of `stacks`, in display order.
    pub fn new(stacks: Vec<StackDef<E>>) -> Self {
        Self { stacks, security_rules: Vec::new(), pipeline: PipelineSettings::default() }
    }

    /// What the pipelines pin and require (default: [`PipelineSettings::default`]).
    pub fn with_pipeline_settings(mut self, settings: PipelineSettings) -> Self {
        self.pipeline = settings;
        self
    }

    /// What the pipelines pin and require.
    pub fn pipeline_settings(&self) -> &PipelineSettings {
        &self.pipeline
    }

    /// `def` built for `env`, with the pinned Terraform version as its `required_version`
    /// unless it sets a constraint of its own.
    pub(crate) fn instantiate(&self, def: &StackDef<E>, env: E) -> Stack {
        let mut stack = (def.build)(env);
        let version = &mut stack.terraform().required_version;
        if version.is_none() {
            *version = Some(self.pipeline.terraform_version.clone());
        }
        stack
    }

    /// Adds the team's own security rules to the built-in ones the reviews classify changes
    /// with ([`security`](crate::policy::security)).
    pub fn with_security_rules(mut self, rules: Vec<SecurityRule>) -> Self {
        self.security_rules.extend(rules);
        self
    }

    /// The team's own security rules.
    pub fn security_rules(&self) -> &[SecurityRule] {
        &self.security_rules
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

    /// The stacks called `names`, in registry order; every stack when `names` is empty.
    pub fn select<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<&StackDef<E>>> {
        for name in names {
            self.get(name.as_ref())?;
        }
        Ok(self.stacks.iter().filter(|s| names.is_empty() || names.iter().any(|n| n.as_ref() == s.name)).collect())
    }

    /// Builds stack `name` for `env`, its imports pointed at their producers' state (the
    /// producers are built to check them). An import problem is an [`Error::Invalid`].
    pub fn build(&self, name: &str, env: E) -> Result<Stack> {
        let def = self.get(name)?;
        let mut all = vec![(def.name, self.instantiate(def, env))];
        let problems = super::dependencies::connect(self, env, &mut all, &[]);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(all.swap_remove(0).1)
    }

    /// Whether `relative` (`<stack>/<env>/<file>`) is a file some stack produces in some
    /// environment and format: what an output folder keeps when pruning.
    pub fn produces(&self, relative: &std::path::Path) -> bool {
        let parts: Vec<_> = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect();
        matches!(parts.as_slice(), [stack, env, file]
            if self.stacks.iter().any(|s| s.name == *stack)
                && E::ALL.iter().any(|e| e.name() == *env)
                && crate::render::Format::ALL.iter().any(|f| f.file_name() == *file))
    }
}
