//! The snapshot matrix: every stack x environment x format, each its own test, stored in
//! `snapshots/` so a PR shows exactly which rendering changed. Review changes with
//! `cargo insta review`.

mod common;

use tfsynth::prelude::*;
use tfsynth::stacks::Env;

fn snapshot(stack: &str, env: Env, format: Format) {
    let rendered = common::synth(stack, env, format);
    let name = format!("{stack}-{}-{}", env.name(), format.name());
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("tfsynth synth {} --stack {stack} --format {}", env.name(), format.name()),
    }, {
        insta::assert_snapshot!(name, rendered);
    });
}

macro_rules! snapshots {
    ($($test:ident: $stack:literal, $env:expr, $format:expr;)*) => {$(
        #[test]
        fn $test() {
            snapshot($stack, $env, $format);
        }
    )*};
}

snapshots! {
    takeoff_development_json: "takeoff", Env::Development, Format::Json;
    takeoff_development_hcl: "takeoff", Env::Development, Format::Hcl;
    takeoff_staging_json: "takeoff", Env::Staging, Format::Json;
    takeoff_staging_hcl: "takeoff", Env::Staging, Format::Hcl;
    takeoff_production_json: "takeoff", Env::Production, Format::Json;
    takeoff_production_hcl: "takeoff", Env::Production, Format::Hcl;
    cvd_development_json: "cvd", Env::Development, Format::Json;
    cvd_development_hcl: "cvd", Env::Development, Format::Hcl;
    cvd_staging_json: "cvd", Env::Staging, Format::Json;
    cvd_staging_hcl: "cvd", Env::Staging, Format::Hcl;
    cvd_production_json: "cvd", Env::Production, Format::Json;
    cvd_production_hcl: "cvd", Env::Production, Format::Hcl;
    ai_prism_development_json: "ai-prism", Env::Development, Format::Json;
    ai_prism_development_hcl: "ai-prism", Env::Development, Format::Hcl;
    ai_prism_staging_json: "ai-prism", Env::Staging, Format::Json;
    ai_prism_staging_hcl: "ai-prism", Env::Staging, Format::Hcl;
    ai_prism_production_json: "ai-prism", Env::Production, Format::Json;
    ai_prism_production_hcl: "ai-prism", Env::Production, Format::Hcl;
    svg_ai_development_json: "svg-ai", Env::Development, Format::Json;
    svg_ai_development_hcl: "svg-ai", Env::Development, Format::Hcl;
    svg_ai_staging_json: "svg-ai", Env::Staging, Format::Json;
    svg_ai_staging_hcl: "svg-ai", Env::Staging, Format::Hcl;
    svg_ai_production_json: "svg-ai", Env::Production, Format::Json;
    svg_ai_production_hcl: "svg-ai", Env::Production, Format::Hcl;
    showcase_development_json: "showcase", Env::Development, Format::Json;
    showcase_development_hcl: "showcase", Env::Development, Format::Hcl;
    showcase_staging_json: "showcase", Env::Staging, Format::Json;
    showcase_staging_hcl: "showcase", Env::Staging, Format::Hcl;
    showcase_production_json: "showcase", Env::Production, Format::Json;
    showcase_production_hcl: "showcase", Env::Production, Format::Hcl;
}

/// Every registered stack x environment is in the matrix above.
#[test]
fn matrix_covers_every_stack_and_environment() {
    let source = include_str!("snapshots.rs");
    for def in tfsynth::stacks::registry().stacks() {
        for env in Env::ALL {
            for format in Format::ALL {
                let case = format!("\"{}\", Env::{env:?}, Format::{format:?};", def.name);
                assert!(source.contains(&case), "no snapshot test for {case}");
            }
        }
    }
}
