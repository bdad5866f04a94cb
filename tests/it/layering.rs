//! The layering the compiler cannot enforce: components (mounted into the engine with
//! `#[path]`) use only the engine's prelude, the stacks (a crate of their own) only the prelude
//! and the components, and the engine names no application.

use std::path::Path;

use super::common::repo;

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
    paths(dir, "crate::")
}

/// Every path starting with `prefix` (`crate::`, `tfsynth::`) mentioned in the `.rs` files
/// under `dir`: its next segment, with its file.
fn paths(dir: &str, prefix: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&repo(dir), &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable file");
        for (i, _) in text.match_indices(prefix) {
            let start = i + prefix.len();
            let rest: String = text[start..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
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
fn stacks_use_only_the_prelude_and_the_components() {
    for (file, path) in paths("stacks", "tfsynth::") {
        assert!(
            matches!(path.as_str(), "prelude" | "modules" | "cli" | "tools"),
            "{file} uses tfsynth::{path}; stacks may only use tfsynth::prelude and tfsynth::modules"
        );
        assert!(
            !matches!(path.as_str(), "cli" | "tools") || file.ends_with("main.rs") || file.contains("/bin/"),
            "{file} uses tfsynth::{path}; only the binaries run the command line and the tools"
        );
    }
}

#[test]
fn the_engine_names_no_application() {
    let mut files = Vec::new();
    rust_files(&repo("src"), &mut files);
    rust_files(&repo("modules"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable file");
        assert!(!text.contains("stacks::"), "{} names the stacks, a crate built on the engine", file.display());
    }
}

/// `src/` holds the engine's folders, the pipeline, the review commands, the command line, the
/// assertions for stack tests and the tool drivers, each in its folder; only the crate root and the error type are loose files.
#[test]
fn src_is_laid_out_by_role() {
    let mut entries: Vec<String> =
        std::fs::read_dir(repo("src")).expect("src").filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            "cli", "convert", "error.rs", "expr", "lib.rs", "model", "pipeline", "policy", "render", "review",
            "schema", "testing", "tools"
        ]
    );
    let readme = std::fs::read_to_string(repo("README.md")).expect("README");
    for folder in entries.iter().filter(|e| Path::new(e.as_str()).extension().is_none_or(|x| x != "rs")) {
        assert!(readme.contains(&format!("`src/{folder}/`")), "the README's layout table does not list src/{folder}/");
    }
    // Every top-level folder the repository holds (not what git ignores, like `out/` and
    // `target/`), and the build script, have a line too.
    let root = repo("");
    let ignored = std::fs::read_to_string(root.join(".gitignore")).expect(".gitignore");
    let ignored: Vec<&str> = ignored.lines().filter_map(|l| l.strip_prefix('/')).collect();
    let layout = &readme[readme.find("## Layout").expect("a layout section")..];
    for entry in std::fs::read_dir(root).expect("repository").map(|e| e.expect("entry")) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() || name == ".git" || ignored.contains(&name.as_str()) {
            continue;
        }
        assert!(layout.contains(&format!("`{name}/")), "the README's layout table does not list {name}/");
    }
    assert!(layout.contains("`build.rs`"), "the README's layout table does not list build.rs");
}

/// The engine (expressions, model, schema, rendering, policy) knows nothing of the pipeline,
/// the review commands, the command line or the tools; only the command line uses the review
/// commands, which are not public.
#[test]
fn the_engine_does_not_reach_up() {
    for folder in ["src/expr", "src/model", "src/schema", "src/render", "src/policy"] {
        for (file, path) in crate_paths(folder) {
            assert!(
                !matches!(path.as_str(), "cli" | "pipeline" | "review" | "tools"),
                "{file} uses crate::{path}; the engine must not depend on the layers above it"
            );
        }
    }
    for folder in ["src/pipeline", "src/tools", "modules", "stacks"] {
        for (file, path) in crate_paths(folder) {
            assert!(path != "review", "{file} uses crate::review; only the command line does");
        }
    }
    let lib = std::fs::read_to_string(repo("src/lib.rs")).expect("lib.rs");
    assert!(lib.contains("\nmod review;"), "the review commands are crate-private");
}
