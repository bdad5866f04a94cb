//! Checks of the `moved`, `import` and `removed` blocks: each names addresses of the right
//! kind on the right side of the change, with types the provider knows.

use crate::expr::Address;
use crate::model::{Endpoint, Ids, Kind};

use super::Schema;
use super::validate::{Place, Scope, Validator};

impl Validator<'_> {
    pub(super) fn refactor_blocks(&mut self) {
        let stack = self.stack;
        for m in &stack.moved {
            self.moved(&m.from, &m.to);
        }
        for a in &stack.adoptions {
            let place = Place::Text("import");
            let Some(r) = self.find(Kind::Managed, &a.to.ty, &a.to.name) else {
                let help = "adopt into a resource the stack declares";
                self.report(place, Some("to"), format!("`{}` is not in the stack", a.to), Some(help.into()));
                continue;
            };
            match (&a.ids, r.repetition.is_some()) {
                (Ids::One(id), false) => self.expression(id, &Scope::at(place, Some("id"))),
                (Ids::Each(ids), true) => self.expression(ids, &Scope::at(place, Some("for_each"))),
                (Ids::One(_), true) => {
                    let help = "use Stack::adopt_each with a map from instance key to id";
                    self.report(place, Some("to"), format!("`{}` has count/for_each", a.to), Some(help.into()));
                }
                (Ids::Each(_), false) => {
                    let help = "use Stack::adopt with the one id";
                    self.report(place, Some("to"), format!("`{}` has no count/for_each", a.to), Some(help.into()));
                }
            }
        }
        for r in &stack.removed {
            if self.exists(Kind::Managed, &r.from.ty, &r.from.name) {
                let help = "a removed block names a resource the code no longer declares";
                self.report(
                    Place::Text("removed"),
                    Some("from"),
                    format!("`{}` is still declared", r.from),
                    Some(help.into()),
                );
            }
            self.known_type(Place::Text("removed"), "from", &r.from);
        }
    }

    fn moved(&mut self, from: &Endpoint, to: &Endpoint) {
        let place = Place::Text("moved");
        match to {
            Endpoint::Resource(a) if !self.exists(Kind::Managed, &a.ty, &a.name) => {
                self.report(place, Some("to"), format!("`{a}` is not in the stack"), None);
            }
            Endpoint::InModule(call, _) | Endpoint::Module(call) if !self.stack.modules.contains_key(call) => {
                let help = "moves into a module name one of the stack's module calls";
                self.report(place, Some("to"), format!("module `{call}` is not called"), Some(help.into()));
            }
            _ => {}
        }
        match from {
            Endpoint::Resource(a) if self.exists(Kind::Managed, &a.ty, &a.name) => {
                let help = "a moved block's `from` must be the old address, no longer declared";
                self.report(place, Some("from"), format!("`{a}` still exists in the stack"), Some(help.into()));
            }
            Endpoint::Module(call) if self.stack.modules.contains_key(call) => {
                let help = "a moved block's `from` must be the old module call, no longer declared";
                self.report(place, Some("from"), format!("module `{call}` is still called"), Some(help.into()));
            }
            _ => {}
        }
        match (from.address(), to.address()) {
            (Some(f), Some(t)) if f.ty != t.ty => {
                let help = "a move keeps the object, so both ends are the same resource type";
                self.report(place, None, format!("`{from}` and `{to}` are of different types"), Some(help.into()));
            }
            (Some(_), None) | (None, Some(_)) => {
                let help = "move a resource to a resource, or a module call to a module call";
                self.report(place, None, format!("`{from}` and `{to}` are not the same kind"), Some(help.into()));
            }
            _ => {}
        }
        if let Some(f) = from.address() {
            self.known_type(place, "from", f);
        }
    }

    /// Reports a resource type no vendored provider schema has.
    fn known_type(&mut self, place: Place<'_>, attribute: &str, address: &Address) {
        if !Schema::all().iter().any(|s| s.has_type(Kind::Managed, &address.ty)) {
            let help = "name a managed resource type of a provider the stack uses";
            self.report(place, Some(attribute), format!("`{}` is not a resource type", address.ty), Some(help.into()));
        }
    }
}
