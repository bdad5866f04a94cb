//! The layering the compiler cannot enforce with `#[path]` mounts: components and stacks use
//! only the engine's prelude (stacks may also use components), and the engine names no
//! application.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::` path mentioned in the `.rs` files under `dir`, with its file.
fn crate_paths(dir: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable file");
        for (i, _) in text.match_indices("crate::") {
            let rest: String = text[i + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            found.push((file.display().to_string(), rest));
        }
    }
    found
}

#[test]
fn modules_use_only_the_prelude() {
    for (file, path) in crate_paths("modules") {
        assert!(path == "prelude", "{file} uses crate::{path}; components may only use crate::prelude");
    }
}

#[test]
fn stacks_use_only_the_prelude_components_and_each_other() {
    for (file, path) in crate_paths("stacks") {
        assert!(
            matches!(path.as_str(), "prelude" | "modules" | "stacks"),
            "{file} uses crate::{path}; stacks may only use crate::prelude and crate::modules"
        );
    }
}

#[test]
fn the_engine_names_no_application() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable file");
        let allowed = file.ends_with("main.rs") || file.ends_with("lib.rs");
        assert!(
            allowed || !text.contains("stacks::"),
            "{} names the stacks; only main.rs and lib.rs mount them",
            file.display()
        );
    }
}
