//! The cross-stack graph of one environment: which stack imports which values from which,
//! checked (an unknown producer, a value it does not export, another environment, a cycle)
//! and ordered into levels that can be planned in parallel.

use std::collections::BTreeSet;

use super::registry::{Environment, Registry};
use crate::error::{Diagnostic, Error, Result};
use crate::model::{S3Backend, Stack};
use crate::schema::did_you_mean;

/// Built stacks of one environment, by registered name.
pub(super) type Stacks = Vec<(&'static str, Stack)>;

/// What a built stack offers the stacks that import from it: the names it exports and the
/// backend its state is in.
#[derive(Clone)]
pub(super) struct Offer {
    name: &'static str,
    exports: Vec<String>,
    backend: Option<S3Backend>,
}

impl Offer {
    pub(super) fn of(name: &'static str, stack: &Stack) -> Self {
        let exports = stack.exports().iter().map(|(n, _)| n.clone()).collect();
        Offer { name, exports, backend: stack.terraform_settings().backend.clone() }
    }
}

/// The offers of every stack `stack` imports from, if each has made one.
pub(super) fn offers_for(stack: &Stack, offers: &[Offer]) -> Option<Vec<Offer>> {
    stack.imports().iter().map(|i| offers.iter().find(|o| o.name == i.stack).cloned()).collect()
}

/// Builds the producers the stacks of `all` import from (transitively, appended to `all`)
/// unless `offered` (stacks built and finished already) has them, checks every import and
/// points it at its producer's state. Returns the problems found.
pub(super) fn connect<E: Environment>(
    registry: &Registry<E>,
    env: E,
    all: &mut Stacks,
    offered: &[Offer],
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let wanted: Vec<String> = all[i].1.imports().iter().map(|import| import.stack.clone()).collect();
        for producer in wanted {
            if all.iter().any(|(name, _)| *name == producer) || offered.iter().any(|o| o.name == producer) {
                continue;
            }
            if let Ok(def) = registry.get(&producer) {
                all.push((def.name, registry.instantiate(def, env)));
            }
        }
        i += 1;
    }
    let mut offers = offered.to_vec();
    offers.extend(all.iter().map(|(name, stack)| Offer::of(name, stack)));
    let known: Vec<&str> = registry.stacks().iter().map(|d| d.name).collect();
    for (consumer, stack) in all.iter_mut() {
        let mut connected = BTreeSet::new();
        for import in stack.imports().to_vec() {
            // Reported here or connected below: either way not "unconnected" for validation.
            stack.connected.push(import.stack.clone());
            let address = format!("data.terraform_remote_state.{}", import.stack.replace('-', "_"));
            let Some(Offer { name: producer, exports: offered, backend }) =
                offers.iter().find(|o| o.name == import.stack)
            else {
                let help = match did_you_mean(&import.stack, known.iter().copied()) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!("the registry holds: {}", known.join(", ")),
                };
                let message = format!(
                    "`{consumer}` imports `{}.{}`, but there is no stack `{}`",
                    import.stack, import.name, import.stack
                );
                problems.push(stack.diagnostic(Some(address), None, message, Some(help)));
                continue;
            };
            if let Some(other) = import.environment.as_deref().filter(|e| *e != env.name()) {
                let message = format!(
                    "`{consumer}` ({}) imports `{producer}.{}` from {other}: environments share no state",
                    env.name(),
                    import.name
                );
                let help = format!("import `{producer}` of {} instead, or move the value into settings", env.name());
                problems.push(stack.diagnostic(Some(address), None, message, Some(help)));
                continue;
            }
            if !offered.contains(&import.name) {
                let message =
                    format!("`{consumer}` imports `{producer}.{}`, which `{producer}` does not export", import.name);
                let help = match did_you_mean(&import.name, offered.iter().map(String::as_str)) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None if offered.is_empty() => format!("`{producer}` exports nothing; add Stack::export there"),
                    None => format!("`{producer}` exports: {}", offered.join(", ")),
                };
                problems.push(stack.diagnostic(Some(address), None, message, Some(help)));
                continue;
            }
            if connected.insert(producer.to_string()) {
                stack.connect(producer, backend.as_ref());
            }
        }
    }
    if let Err(cycle) = levels(all) {
        let (first, stack) = all.iter().find(|(name, _)| *name == cycle[0]).expect("a cycle names built stacks");
        let message = format!("stacks import from each other in a cycle: {}", cycle.join(" → "));
        let help = format!("move what `{first}` and the others share into a stack all of them import from");
        problems.push(stack.diagnostic(None, None, message, Some(help)));
    }
    problems
}

/// `(consumer, producer)` for every import between the stacks of `all`, once each.
pub(super) fn edges(all: &Stacks) -> BTreeSet<(&'static str, &'static str)> {
    let mut out = BTreeSet::new();
    for (consumer, stack) in all {
        for import in stack.imports() {
            if let Some((producer, _)) = all.iter().find(|(name, _)| *name == import.stack) {
                out.insert((*consumer, *producer));
            }
        }
    }
    out
}

/// The stacks in levels: each level imports only from the levels before it, so a level's
/// stacks can be planned in parallel. On a cycle, the stacks of one cycle, first repeated last.
pub(super) fn levels(all: &Stacks) -> std::result::Result<Vec<Vec<&'static str>>, Vec<&'static str>> {
    let edges = edges(all);
    let mut placed: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    while placed.len() < all.len() {
        let level: Vec<&'static str> = all
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !placed.contains(name))
            .filter(|name| edges.iter().filter(|(c, _)| c == name).all(|(_, p)| placed.contains(p)))
            .collect();
        if level.is_empty() {
            let left: Vec<&'static str> = all.iter().map(|(n, _)| *n).filter(|n| !placed.contains(n)).collect();
            return Err(cycle(&edges, &left));
        }
        placed.extend(&level);
        out.push(level);
    }
    Ok(out)
}

/// One cycle among `left` (stacks none of which could be placed), as a path back to its start.
fn cycle(edges: &BTreeSet<(&'static str, &'static str)>, left: &[&'static str]) -> Vec<&'static str> {
    let mut path = vec![left[0]];
    loop {
        let last = *path.last().expect("the path is never empty");
        let next = edges
            .iter()
            .find(|(c, p)| *c == last && left.contains(p))
            .map(|(_, p)| *p)
            .expect("an unplaced stack imports an unplaced one");
        if let Some(start) = path.iter().position(|s| *s == next) {
            let mut cycle = path.split_off(start);
            cycle.push(next);
            return cycle;
        }
        path.push(next);
    }
}

/// The stack order of `env`: every stack built and connected, in levels. A problem in the
/// graph is an [`Error::Invalid`] naming the stacks.
pub fn stack_levels<E: Environment>(registry: &Registry<E>, env: E) -> Result<Vec<Vec<&'static str>>> {
    let mut all: Stacks = registry.stacks().iter().map(|d| (d.name, registry.instantiate(d, env))).collect();
    let problems = connect(registry, env, &mut all, &[]);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    levels(&all).map_err(|_| Error::Invalid(Vec::new()))
}

/// `(consumer, producer)` pairs of `env`, for `graph`, `list` and the pipelines.
pub fn stack_edges<E: Environment>(registry: &Registry<E>, env: E) -> Result<Vec<(&'static str, &'static str)>> {
    let mut all: Stacks = registry.stacks().iter().map(|d| (d.name, registry.instantiate(d, env))).collect();
    let problems = connect(registry, env, &mut all, &[]);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(edges(&all).into_iter().collect())
}
