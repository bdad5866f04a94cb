//! Decompresses the vendored provider schema and flattens it at build time: the repository
//! keeps the 273 KB gzip file; the binary holds every block on a line of its own (nested blocks
//! named by number), a sorted table of types and a table of where each block is, so loading
//! the schema at run time allocates nothing and reading a type scans only its own block.

use std::fmt::Write;
use std::io::Read;
use std::path::PathBuf;

include!("src/schema/lines.rs");

fn main() {
    skip_tools();
    let source = "src/schema/aws.schema.gz";
    println!("cargo::rerun-if-changed={source}");
    println!("cargo::rerun-if-changed=src/schema/lines.rs");
    let gz = std::fs::read(source).unwrap_or_else(|e| panic!("reading {source}: {e}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_string(&mut text).unwrap_or_else(|e| {
        panic!("{source} is not a gzip text file ({e}); regenerate it with `cargo run --bin vendor-schema`")
    });
    let flat = flatten(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut index = format!("({:?}, &[\n", flat.version);
    for (kind, name, id) in &flat.types {
        let _ = writeln!(index, "    ({kind:?}, {name:?}, {id}),");
    }
    index.push_str("], &[\n");
    let mut blocks = String::new();
    for block in &flat.blocks {
        let _ = writeln!(index, "    ({}, {}),", blocks.len(), blocks.len() + block.len());
        blocks.push_str(block);
        blocks.push('\n');
    }
    index.push_str("])\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (file, contents) in [("aws.blocks", &blocks), ("aws.index.rs", &index)] {
        std::fs::write(out.join(file), contents).unwrap_or_else(|e| panic!("writing {file}: {e}"));
    }
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
