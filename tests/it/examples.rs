//! The examples run and print valid Terraform: JSON that parses, HCL that hcl-rs parses, and
//! (with terraform available) configurations `terraform validate` accepts.

use std::path::PathBuf;
use std::process::Command;

/// The example binary `name`, which `cargo test` builds next to the test binaries.
fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().expect("test binary path");
    let debug = deps.parent().and_then(|p| p.parent()).expect("target/<profile>");
    debug.join("examples").join(name)
}

fn run(name: &str, format: &str) -> String {
    let path = example(name);
    // A full `cargo test` builds every example first; a filtered run may not have.
    assert!(
        path.exists(),
        "{} is not built; run the whole `cargo test` or `cargo build --examples` first",
        path.display()
    );
    let out = Command::new(path).arg(format).output().unwrap_or_else(|e| panic!("run example {name}: {e}"));
    assert!(out.status.success(), "example {name} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn examples_print_parsable_configurations() {
    for name in ["minimal", "custom_component", "every_component"] {
        let json: serde_json::Value = serde_json::from_str(&run(name, "json")).expect("JSON output");
        assert!(json["resource"].as_object().is_some_and(|r| !r.is_empty()), "{name} declares no resources");
        let hcl: hcl::Body =
            hcl::from_str(&run(name, "hcl")).unwrap_or_else(|e| panic!("{name} HCL does not parse: {e}"));
        assert!(hcl.blocks().any(|b| b.identifier() == "resource"), "{name} HCL declares no resources");
    }
}

#[cfg(not(skip_tools))]
#[test]
fn examples_plan() {
    for name in ["minimal", "custom_component", "every_component"] {
        super::common::tools::plan_text("main.tf", &run(name, "hcl"), &[]);
    }
}
