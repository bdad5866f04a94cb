//! The synthetic stack the scale benchmarks measure is a real configuration: it validates at
//! scale and terraform plans it.

#[path = "../../benches/synthetic.rs"]
mod scale;

use tfsynth::prelude::*;

#[test]
fn synthetic_stack_passes_the_gate_at_scale() {
    let stack = scale::stack(100 * scale::UNIT);
    assert_eq!(stack.resources().count(), 100 * scale::UNIT + 1, "100 units plus the shared key");
    // What the scale benchmark times end to end: validation, the policy gate and rendering.
    tfsynth::pipeline::synth(&stack, Format::Json).expect("the synthetic stack passes the gate");
}

#[cfg(not(skip_tools))]
#[test]
fn synthetic_stack_plans() {
    let stack = scale::stack(3 * scale::UNIT);
    let changes = super::common::tools::plan_text("main.tf", &render(&stack, Format::Hcl), &[]);
    assert_eq!(changes.len(), 3 * scale::UNIT + 1);
}
