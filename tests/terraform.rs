//! Real Terraform against every synthesized stack and environment: `init` from the offline
//! mirror, `validate`, offline `plan -refresh=false`, JSON and HCL planning identically, and
//! HCL left unchanged by `terraform fmt`.

mod common;

use serde_json::json;
use tfsynth::prelude::*;
use tfsynth::stacks::Env;

fn check(stack: &str, env: Env) {
    let Some(plugins) = common::terraform_toolchain() else {
        return;
    };
    let mut changes = Vec::new();
    for format in Format::ALL {
        let text = common::synth(stack, env, format);
        if format == Format::Hcl {
            common::assert_fmt_stable(&text);
        }
        let dir = common::workspace(&plugins, format.file_name(), &text, &[], &[]);
        let plan = common::validate_and_plan(dir.path());
        changes.push(plan["resource_changes"].as_array().cloned().unwrap_or_default());
    }
    let (from_json, from_hcl) = (&changes[0], &changes[1]);
    assert!(!from_json.is_empty(), "the plan creates nothing");
    assert!(from_json.iter().all(|c| c["change"]["actions"] == json!(["create"])), "a fresh plan only creates");
    assert_eq!(from_json, from_hcl, "JSON and HCL renderings plan differently");
    let managed = from_json.iter().filter(|c| c["mode"] == "managed").count();
    eprintln!("{stack}/{}: {managed} resources planned", env.name());
}

macro_rules! terraform_tests {
    ($($test:ident: $stack:literal, $env:expr;)*) => {$(
        #[test]
        fn $test() {
            check($stack, $env);
        }
    )*};
}

terraform_tests! {
    takeoff_development: "takeoff", Env::Development;
    takeoff_staging: "takeoff", Env::Staging;
    takeoff_production: "takeoff", Env::Production;
    cvd_development: "cvd", Env::Development;
    cvd_staging: "cvd", Env::Staging;
    cvd_production: "cvd", Env::Production;
    ai_prism_development: "ai-prism", Env::Development;
    ai_prism_staging: "ai-prism", Env::Staging;
    ai_prism_production: "ai-prism", Env::Production;
    svg_ai_development: "svg-ai", Env::Development;
    svg_ai_staging: "svg-ai", Env::Staging;
    svg_ai_production: "svg-ai", Env::Production;
    showcase_development: "showcase", Env::Development;
    showcase_staging: "showcase", Env::Staging;
    showcase_production: "showcase", Env::Production;
}
