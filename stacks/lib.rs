//! The applications, one folder each, and the environments they are deployed to.

use tfsynth::prelude::*;

pub mod ai_prism;
pub mod ai_prism_operators;
pub mod ai_prism_workloads;
pub mod ci;
pub mod cvd;
pub mod platform;
pub mod showcase;
pub mod svg_ai;
pub mod takeoff;

/// The environments every stack is configured for. Adding one fails to compile until each
/// stack's settings `match` covers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    /// Developer sandbox: smallest, cheapest, disposable.
    Development,
    /// Production-like, scaled down.
    Staging,
    /// Full scale, highly available, protected.
    Production,
}

impl Environment for Env {
    const ALL: &'static [Self] = &[Env::Development, Env::Staging, Env::Production];

    fn name(self) -> &'static str {
        match self {
            Env::Development => "development",
            Env::Staging => "staging",
            Env::Production => "production",
        }
    }

    fn tier(self) -> Tier {
        match self {
            Env::Development => Tier::Development,
            Env::Staging => Tier::Staging,
            Env::Production => Tier::Production,
        }
    }
}

/// Every stack in the repository.
pub fn registry() -> Registry<Env> {
    Registry::new(vec![
        ci::DEF,
        takeoff::DEF,
        cvd::DEF,
        ai_prism::DEF,
        ai_prism_operators::DEF,
        ai_prism_workloads::DEF,
        svg_ai::DEF,
        platform::DEF,
        showcase::DEF,
    ])
}
