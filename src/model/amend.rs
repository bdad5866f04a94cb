//! The escape hatch: changing an attribute or nested block of a block a component added, by
//! path, after the fact (AWS CDK's `addPropertyOverride`, cdktf's `addOverride`).
//!
//! Amendments change the stack's model at once, so validation, policy, both renderings, the
//! snapshots and `diff` all see the amended block. A path that does not lead anywhere is a
//! problem reported with the rest, with the names that were there to choose from; a new
//! attribute is checked against the provider schema by validation like any other.

use crate::expr::Expression;
use crate::schema::{BlockSchema, BlockType, did_you_mean};

use super::items::Items;
use super::{Body, Item, Ref, Stack};

/// One step of a path: a name, and for a list of blocks or values, which element.
#[derive(Debug, Clone, Copy)]
struct Step<'p> {
    name: &'p str,
    index: Option<usize>,
}

/// What to do at the end of the path.
enum Change {
    Set(Expression),
    Block(Body),
    Remove,
}

impl Change {
    fn verb(&self) -> &'static str {
        match self {
            Change::Set(_) => "set",
            Change::Block(_) => "replaced block",
            Change::Remove => "removed",
        }
    }
}

impl Stack {
    /// Sets attribute `path` of the block behind `target`, replacing what a component set.
    ///
    /// `path` names nested blocks and object keys with dots and picks one of several blocks or
    /// list elements with an index: `performance_insights_retention_period`,
    /// `health_check.timeout`, `rule[1].priority`, `tags.Team`. Prefer a component's setter
    /// where one exists: it knows the rules that tie settings together.
    ///
    /// ```
    /// use tfsynth::prelude::*;
    /// let mut stack = Stack::new("demo", "development");
    /// let db = stack.add(Resource::new("aws_db_instance", "main").set("instance_class", "db.t4g.micro"));
    /// stack.amend(&db, "performance_insights_retention_period", 731);
    /// assert!(render(&stack, Format::Hcl).contains("performance_insights_retention_period = 731"));
    /// ```
    pub fn amend(&mut self, target: &Ref, path: &str, value: impl Into<Expression>) {
        self.apply(target, path, Change::Set(value.into()));
    }

    /// Replaces nested block `path` of the block behind `target` with `body`: all blocks of
    /// that type when the path ends in a name (`health_check`), one of them with an index
    /// (`rule[2]`), or a new one appended when the index is the count of blocks.
    pub fn amend_block(&mut self, target: &Ref, path: &str, body: Body) {
        self.apply(target, path, Change::Block(body));
    }

    /// Removes attribute or nested block `path` from the block behind `target`.
    pub fn unset(&mut self, target: &Ref, path: &str) {
        self.apply(target, path, Change::Remove);
    }

    fn apply(&mut self, target: &Ref, path: &str, change: Change) {
        let address = target.path();
        let Some(steps) = parse(path) else {
            let help = "write names separated by dots, with an index for one of several: `rule[1].priority`";
            self.problem_at(address, path, format!("`{path}` is not an attribute path"), help);
            return;
        };
        let key = target.address();
        let found = self
            .blocks
            .iter_mut()
            .find(|r| r.kind == target.kind() && r.address.ty == key.ty && r.address.name == key.name);
        let Some(resource) = found else {
            let help = "amend blocks through the handles this stack's components returned";
            self.problem_at(address, path, "the block is not in this stack", help);
            return;
        };
        let verb = change.verb();
        let schema = resource.schema();
        match change_body(&mut resource.body, schema, &steps, change) {
            Ok(()) => {
                let setter = resource.setters.iter().find(|(a, _)| *a == steps[0].name).map(|(_, s)| *s);
                let Some(setter) = setter else {
                    resource.amendments.push(format!("{verb} {path}"));
                    return;
                };
                resource.amendments.push(format!("{verb} {path} (which `{setter}` sets)"));
                let message = format!("amended `{path}`, which the component sets with `{setter}`");
                let help =
                    format!("prefer `.{}(..)`: it keeps the checks that tie settings together", setter_method(setter));
                let hint = self.diagnostic(Some(address.clone()), Some(path.to_owned()), message, Some(help));
                self.hints.push(hint);
            }
            Err(missing) => {
                let help = missing.hint.map_or_else(
                    || "check the path against the rendered block".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                self.problem_at(address, path, format!("cannot amend: {}", missing.what), help);
            }
        }
    }
}

/// `backup_retention` of `Postgres::backup_retention`.
fn setter_method(setter: &str) -> &str {
    setter.rsplit("::").next().unwrap_or(setter)
}

/// Why a path leads nowhere, with the closest name that is there.
struct Missing {
    what: String,
    hint: Option<String>,
}

impl Missing {
    fn new(what: impl Into<String>) -> Self {
        Missing { what: what.into(), hint: None }
    }

    /// `name` is not among `candidates`.
    fn name<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Self {
        Missing {
            what: format!("nothing named `{name}` is there"),
            hint: did_you_mean(name, candidates).map(str::to_owned),
        }
    }
}

fn parse(path: &str) -> Option<Vec<Step<'_>>> {
    path.split('.')
        .map(|part| {
            let (name, index) = match part.split_once('[') {
                Some((name, rest)) => (name, Some(rest.strip_suffix(']')?.parse().ok()?)),
                None => (part, None),
            };
            (!name.is_empty()).then_some(Step { name, index })
        })
        .collect()
}

/// Names that could be meant at this level: what the body holds and what the schema allows.
fn candidates<'a>(items: &'a Items, schema: Option<BlockSchema>) -> Vec<&'a str> {
    let settable = schema.into_iter().flat_map(BlockSchema::settable_names);
    items.keys().chain(settable.map(|name| -> &'a str { name })).collect()
}

fn change_body(
    body: &mut Body,
    schema: Option<BlockSchema>,
    steps: &[Step<'_>],
    change: Change,
) -> Result<(), Missing> {
    let Some((step, rest)) = steps.split_first() else { return Err(Missing::new("the path is empty")) };
    let items = body.items_mut();
    if rest.is_empty() {
        return change_last(items, schema, *step, change);
    }
    // A path through something the component left unset creates it, as the schema says: an
    // empty object for an attribute (`tags.Team`), an empty block for a block type.
    if !items.contains_key(step.name) && step.index.is_none() && matches!(change, Change::Set(_) | Change::Block(_)) {
        match schema {
            Some(s) if s.blocks.contains_key(step.name) => {
                items.insert(step.name.to_owned().into(), Item::Blocks(vec![Body::new()]));
            }
            Some(s) if s.attributes.contains_key(step.name) => {
                items.insert(step.name.to_owned().into(), Item::Attribute(Expression::Object(Box::default())));
            }
            _ => {}
        }
    }
    let Some(item) = items.get_mut(step.name) else {
        return Err(Missing::name(step.name, candidates(items, schema).into_iter()));
    };
    match item {
        Item::Blocks(list) => {
            let len = list.len();
            let i = match step.index {
                Some(i) if i < len => i,
                None if len == 1 => 0,
                None => {
                    return Err(Missing::new(format!("there are {len} `{}` blocks; give an index", step.name)));
                }
                Some(i) => return Err(Missing::new(format!("`{}[{i}]` is past the {len} blocks", step.name))),
            };
            let inner = schema.and_then(|s| s.blocks.get(step.name)).map(BlockType::block);
            change_body(&mut list[i], inner, rest, change)
        }
        Item::Attribute(e) => {
            let e = match step.index {
                Some(i) => element(e, step.name, i)?,
                None => e,
            };
            change_value(e, rest, change)
        }
    }
}

/// The last step of a path inside a body.
fn change_last(items: &mut Items, schema: Option<BlockSchema>, step: Step<'_>, change: Change) -> Result<(), Missing> {
    let name = step.name;
    match (change, step.index) {
        (Change::Set(value), None) => {
            items.insert(name.to_owned().into(), Item::Attribute(value));
            Ok(())
        }
        (Change::Set(value), Some(i)) => match items.get_mut(name) {
            Some(Item::Attribute(e)) => {
                *element(e, name, i)? = value;
                Ok(())
            }
            _ => Err(Missing::new(format!("`{name}` is not a list to index"))),
        },
        (Change::Block(body), None) => {
            items.insert(name.to_owned().into(), Item::Blocks(vec![body]));
            Ok(())
        }
        (Change::Block(body), Some(i)) => match items.get_mut(name) {
            Some(Item::Blocks(list)) if i < list.len() => {
                list[i] = body;
                Ok(())
            }
            Some(Item::Blocks(list)) if i == list.len() => {
                list.push(body);
                Ok(())
            }
            None if i == 0 => {
                items.insert(name.to_owned().into(), Item::Blocks(vec![body]));
                Ok(())
            }
            _ => Err(Missing::new(format!("`{name}[{i}]` is not a block that exists or comes next"))),
        },
        (Change::Remove, None) => match items.shift_remove(name) {
            Some(_) => Ok(()),
            None => Err(Missing::name(name, candidates(items, schema).into_iter())),
        },
        (Change::Remove, Some(i)) => match items.get_mut(name) {
            Some(Item::Blocks(list)) if i < list.len() => {
                list.remove(i);
                if list.is_empty() {
                    items.shift_remove(name);
                }
                Ok(())
            }
            Some(Item::Attribute(Expression::List(list))) if i < list.len() => {
                list.remove(i);
                Ok(())
            }
            _ => Err(Missing::new(format!("`{name}[{i}]` does not exist"))),
        },
    }
}

/// Element `i` of list attribute `name`.
fn element<'e>(e: &'e mut Expression, name: &str, i: usize) -> Result<&'e mut Expression, Missing> {
    match e {
        Expression::List(items) => {
            let len = items.len();
            items.get_mut(i).ok_or_else(|| Missing::new(format!("`{name}[{i}]` is past the {len} elements")))
        }
        _ => Err(Missing::new(format!("`{name}` is not a list to index"))),
    }
}

/// Steps inside an attribute's value: object keys and list indexes.
fn change_value(e: &mut Expression, steps: &[Step<'_>], change: Change) -> Result<(), Missing> {
    let Some((step, rest)) = steps.split_first() else {
        return match change {
            Change::Set(value) => {
                *e = value;
                Ok(())
            }
            _ => Err(Missing::new("a value is not a block")),
        };
    };
    let Expression::Object(map) = e else {
        return Err(Missing::new(format!("cannot look up `{}` in a value that is not an object", step.name)));
    };
    if rest.is_empty() && step.index.is_none() {
        return match change {
            Change::Set(value) => {
                map.insert(step.name.to_owned().into(), value);
                Ok(())
            }
            Change::Remove => match map.shift_remove(step.name) {
                Some(_) => Ok(()),
                None => Err(Missing::name(step.name, map.keys().map(AsRef::as_ref))),
            },
            Change::Block(_) => Err(Missing::new("an object key is not a block")),
        };
    }
    let Some(inner) = map.get_mut(step.name) else {
        let names: Vec<String> = map.keys().map(ToString::to_string).collect();
        return Err(Missing::name(step.name, names.iter().map(String::as_str)));
    };
    let inner = match step.index {
        Some(i) => element(inner, step.name, i)?,
        None => inner,
    };
    change_value(inner, rest, change)
}
