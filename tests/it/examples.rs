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
    use super::common::{stack_files, tools};
    for name in ["minimal", "custom_component"] {
        tools::plan_text("main.tf", &run(name, "hcl"), &[]);
    }
    // The showcase example prints the showcase stack exactly as the registry synthesizes it,
    // which the matrix plans against the platform's placeholder state
    // (`matrix::showcase::production::hcl::plan`).
    let files = stack_files("showcase", stacks::Env::Production, tfsynth::prelude::Format::Hcl);
    assert_eq!(run("every_component", "hcl"), files[0].1, "every_component is the showcase stack");
}

/// `cargo run` of the separate crate in `examples/own-crate`, sharing this build's target folder.
fn own_crate(args: &[&str]) -> std::process::Output {
    own_crate_cargo("run", args)
}

/// `cargo <command>` of the separate crate, with `args` for what it runs.
fn own_crate_cargo(command: &str, args: &[&str]) -> std::process::Output {
    separate_crate(&super::common::repo("examples/own-crate/Cargo.toml"), command, args)
}

/// `cargo <command>` of a crate outside the workspace that depends on tfsynth, built in the
/// tests' target folder.
pub fn separate_crate(manifest: &std::path::Path, command: &str, args: &[&str]) -> std::process::Output {
    let deps = std::env::current_exe().expect("test binary path");
    let target = deps.parent().and_then(|p| p.parent()).and_then(|p| p.parent()).expect("target folder");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args([command, "--quiet", "--manifest-path"])
        .arg(manifest)
        .arg("--")
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        // The workspace's profile, so the dependencies it built are reused, not built again.
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        .output()
        .expect("run cargo")
}

/// A crate of its own uses tfsynth as a library: its environments (`prod` is production by its
/// tier), its stack, and the same commands and policy.
#[test]
fn a_separate_crate_defines_its_own_environments_and_stacks() {
    let listing = own_crate(&["list"]);
    assert!(listing.status.success(), "{}", String::from_utf8_lossy(&listing.stderr));
    assert!(String::from_utf8_lossy(&listing.stdout).contains("environments: dev, prod"));
    let synth = own_crate(&["synth", "prod", "--stdout", "--format", "hcl"]);
    assert!(synth.status.success(), "{}", String::from_utf8_lossy(&synth.stderr));
    let hcl = String::from_utf8(synth.stdout).expect("utf-8");
    assert!(hcl.contains("performance_insights_retention_period = 31") && hcl.contains("deletion_protection"), "{hcl}");
    let lint = own_crate(&["lint", "prod"]);
    assert!(
        String::from_utf8_lossy(&lint.stdout)
            .contains(format!("shop/prod: {} rules, 0 finding(s)", tfsynth::policy::Rule::ALL.len()).as_str()),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    // Its own tests assert on its stack with tfsynth::testing.
    let tests = own_crate_cargo("test", &[]);
    assert!(
        tests.status.success(),
        "{}{}",
        String::from_utf8_lossy(&tests.stdout),
        String::from_utf8_lossy(&tests.stderr)
    );
    assert!(
        String::from_utf8_lossy(&tests.stdout).contains("test result: ok. 1 passed"),
        "{}",
        String::from_utf8_lossy(&tests.stdout)
    );
    let wrong = own_crate(&["synth", "production"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("unknown environment `production` (did you mean `prod`?)"));
    #[cfg(not(skip_tools))]
    super::common::tools::plan_text("main.tf", &hcl, &[]);
}
