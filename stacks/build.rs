//! The integration tests' switch: see `skip_tools`.

fn main() {
    skip_tools();
}

/// `TFSYNTH_SKIP_TOOLS=1 cargo test` compiles the tests that need terraform or checkov out of
/// the build, so `cargo test` never counts one as passed without running its tool. CI
/// (`CI=true`) ignores it: there the tools must run.
fn skip_tools() {
    println!("cargo::rerun-if-env-changed=TFSYNTH_SKIP_TOOLS");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rustc-check-cfg=cfg(skip_tools)");
    let skip = std::env::var("TFSYNTH_SKIP_TOOLS").is_ok_and(|v| !v.is_empty() && v != "0");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if skip && ci {
        println!("cargo::warning=TFSYNTH_SKIP_TOOLS is ignored in CI: the terraform and checkov tests run");
    } else if skip {
        println!("cargo::rustc-cfg=skip_tools");
        println!("cargo::warning=TFSYNTH_SKIP_TOOLS is set: the tests that run terraform and checkov are not compiled");
    }
}
