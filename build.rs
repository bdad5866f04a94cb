//! Decompresses the vendored provider schemas and encodes them at build time: the repository
//! keeps one gzip file a provider (`src/schema/vendored/`); the binary holds tables of
//! fixed-size records that it reads in place (`src/schema/compact.rs`), so no process parses
//! schema text.

use std::fmt::Write as _;
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
    let folder = "src/schema/vendored";
    for input in [folder, "src/schema/encode.rs", "src/schema/hash.rs"] {
        println!("cargo::rerun-if-changed={input}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut sources: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("reading {folder}: {e}"))
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".schema.gz"))
        .collect();
    sources.sort();
    // One `Vendored` a provider, in name order: `src/schema/mod.rs` includes the list.
    let mut list = String::from("&[\n");
    for source in &sources {
        println!("cargo::rerun-if-changed={}", source.display());
        let gz = std::fs::read(source).unwrap_or_else(|e| panic!("reading {}: {e}", source.display()));
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz.as_slice()).read_to_string(&mut text).unwrap_or_else(|e| {
            panic!(
                "{} is not a gzip text file ({e}); regenerate it with `cargo run --bin vendor-schema`",
                source.display()
            )
        });
        let e = schema::encode::encode(&text).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let name = &e.name;
        let files: [(&str, &[u8]); 7] = [
            ("names", e.names.as_bytes()),
            ("attributes", &e.attributes),
            ("nested", &e.nested),
            ("blocks", &e.blocks),
            ("types", &e.types),
            ("slots", &e.slots),
            ("type_list.rs", e.type_source.as_bytes()),
        ];
        for (file, contents) in files {
            let file = format!("{name}.{file}");
            std::fs::write(out.join(&file), contents).unwrap_or_else(|e| panic!("writing {file}: {e}"));
        }
        let table = |file: &str, how: &str| format!("{how}!(concat!(env!(\"OUT_DIR\"), \"/{name}.{file}\"))");
        let _ = writeln!(
            list,
            "    Schema {{ name: {name:?}, source: {:?}, version: {:?}, tables: &Tables {{ names: {}, attributes: {}, nested: {}, blocks: {}, types: {}, slots: {}, type_list: {} }} }},",
            e.source,
            e.version,
            table("names", "include_str"),
            table("attributes", "include_bytes"),
            table("nested", "include_bytes"),
            table("blocks", "include_bytes"),
            table("types", "include_bytes"),
            table("slots", "include_bytes"),
            table("type_list.rs", "include"),
        );
    }
    list += "]\n";
    std::fs::write(out.join("providers.rs"), list).unwrap_or_else(|e| panic!("writing providers.rs: {e}"));
}
