//! Decompresses the vendored provider schema and encodes it at build time: the repository
//! keeps the 273 KB gzip file; the binary holds tables of fixed-size records that it reads in
//! place (`src/schema/compact.rs`), so no process parses schema text.

use std::io::Read;
use std::path::PathBuf;

mod schema {
    pub mod hash {
        include!("src/schema/hash.rs");
    }
    pub mod encode {
        include!("src/schema/encode.rs");
    }
}

fn main() {
    skip_tools();
    let source = "src/schema/aws.schema.gz";
    for input in [source, "src/schema/encode.rs", "src/schema/hash.rs"] {
        println!("cargo::rerun-if-changed={input}");
    }
    let gz = std::fs::read(source).unwrap_or_else(|e| panic!("reading {source}: {e}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_string(&mut text).unwrap_or_else(|e| {
        panic!("{source} is not a gzip text file ({e}); regenerate it with `cargo run --bin vendor-schema`")
    });
    let e = schema::encode::encode(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let files: [(&str, &[u8]); 8] = [
        ("aws.version", e.version.as_bytes()),
        ("aws.names", e.names.as_bytes()),
        ("aws.attributes", &e.attributes),
        ("aws.nested", &e.nested),
        ("aws.blocks", &e.blocks),
        ("aws.types", &e.types),
        ("aws.slots", &e.slots),
        ("aws.type_list.rs", e.type_source.as_bytes()),
    ];
    for (file, contents) in files {
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
