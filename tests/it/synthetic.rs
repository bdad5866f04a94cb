//! The synthetic stack the scale benchmarks measure is a real configuration: it validates at
//! scale and terraform plans it.

#[path = "../../benches/synthetic.rs"]
mod scale;

use tfsynth::prelude::*;

#[test]
fn synthetic_stack_validates_at_scale() {
    let stack = scale::stack(1_000);
    assert_eq!(stack.resources().count(), 1_000 + 1, "100 units of ten plus the shared key");
    validate(&stack).expect("the synthetic stack is valid");
}

#[cfg(not(skip_tools))]
#[test]
fn synthetic_stack_plans() {
    let stack = scale::stack(30);
    let changes = super::common::tools::plan_text("main.tf", &render(&stack, Format::Hcl), &[]);
    assert_eq!(changes.len(), 31);
}
