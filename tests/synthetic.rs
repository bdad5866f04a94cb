//! The synthetic stack the scale benchmarks measure is a real configuration: it validates at
//! scale and terraform plans it.

mod common;
#[path = "../benches/synthetic.rs"]
mod synthetic;

use tfsynth::prelude::*;

#[test]
fn synthetic_stack_validates_at_scale() {
    let stack = synthetic::stack(1_000);
    assert_eq!(stack.resources().count(), 1_000 + 1, "100 units of ten plus the shared key");
    validate(&stack).expect("the synthetic stack is valid");
}

#[test]
fn synthetic_stack_plans() {
    let Some(plugins) = common::terraform_toolchain() else { return };
    let stack = synthetic::stack(30);
    let dir = common::workspace(&plugins, "main.tf", &render(&stack, Format::Hcl), &[], &[]);
    let plan = common::validate_and_plan(dir.path());
    let changes = plan["resource_changes"].as_array().expect("resource changes");
    assert_eq!(changes.len(), 31);
}
