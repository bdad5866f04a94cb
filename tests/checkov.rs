//! checkov, offline, on the HCL rendering of every production stack: zero failed checks apart
//! from waivers written in the stacks (`Resource::skip_check`, rendered as `checkov:skip`).
//!
//! checkov silently skips a `*.tf.json` file that holds `terraform.required_version`, so the
//! HCL is scanned and the number of resources checked is asserted.

mod common;

use serde_json::Value;
use tfsynth::prelude::*;
use tfsynth::stacks::{Env, registry};
use tfsynth::toolchain;

fn checkov_available() -> bool {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if toolchain::checkov_available() {
        return true;
    }
    let reason = format!("checkov is not runnable (pip install checkov, or set {})", toolchain::CHECKOV_ENV);
    assert!(!in_ci, "CI=true but {reason}");
    eprintln!("skipping checkov: {reason}");
    false
}

#[test]
fn production_stacks_pass_checkov() {
    if !checkov_available() {
        return;
    }
    for def in registry().stacks() {
        let hcl = common::synth(def.name, Env::Production, Format::Hcl);
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.tf"), &hcl).expect("write hcl");
        let out = toolchain::checkov_command()
            .args([
                "--directory",
                ".",
                "--framework",
                "terraform",
                "--skip-download",
                "--quiet",
                "--compact",
                "--output",
                "json",
            ])
            .current_dir(dir.path())
            .output()
            .expect("run checkov");
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("checkov output is not JSON ({e}):\n{}", String::from_utf8_lossy(&out.stderr)));
        let summary = &report["summary"];
        assert_eq!(summary["parsing_errors"], 0, "{summary}");
        let checked = summary["resource_count"].as_u64().unwrap_or(0);
        assert!(checked > 0, "checkov checked no resources in {}: {summary}", def.name);
        let failed: Vec<String> = report["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "{} {} ({})",
                    c["check_id"].as_str().unwrap_or(""),
                    c["resource"].as_str().unwrap_or(""),
                    c["check_name"].as_str().unwrap_or("")
                )
            })
            .collect();
        assert!(failed.is_empty(), "{}: checkov failed checks:\n{}", def.name, failed.join("\n"));
        let skipped = summary["skipped"].as_u64().unwrap_or(0);
        eprintln!("{}/production: {checked} resources, {} passed, {skipped} waived", def.name, summary["passed"]);
    }
}
