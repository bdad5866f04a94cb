//! Existing Terraform into the model: the first step of `tfsynth convert` (issue 31).
//!
//! [`read_hcl`] reads a root module's HCL — every block the model has a form for — into a
//! [`Stack`], and says in a [`Note`] each place it could not carry over exactly: a block the
//! model has no form for is reported, never dropped silently. Rendering the stack again gives
//! the configuration Terraform reads the same (the round trip over every stack of the
//! repository is tested).

mod blocks;
mod expression;
mod hints;
mod json;
mod rust;

pub use hints::{Hint, hints};
pub use rust::rust;

use std::path::Path;

use crate::error::{Diagnostic, Error};
use crate::model::Stack;

/// A place in a converted configuration a person should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The block, as Terraform addresses it (`aws_vpc.main`, `variable.region`).
    pub at: String,
    /// What was not carried over exactly, and what was written instead.
    pub what: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.what)
    }
}

/// A configuration read into the model.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The stack, rendering as the configuration read.
    pub stack: Stack,
    /// What a person should look at, in the order met.
    pub notes: Vec<Note>,
}

/// Reads HCL `files` (name and text, in the order given) of one root module into stack `name`
/// for `environment`.
pub fn read_hcl(name: &str, environment: &str, files: &[(String, String)]) -> Result<Converted, Error> {
    read(name, environment, files, &[])
}

/// Reads Terraform JSON `files` (name and text, in the order given) — as `cdktf synth` writes
/// `cdk.tf.json`, or tfsynth `main.tf.json` — of one root module into stack `name` for
/// `environment`.
pub fn read_json(name: &str, environment: &str, files: &[(String, String)]) -> Result<Converted, Error> {
    read(name, environment, &[], files)
}

/// Reads HCL and JSON files of one root module.
fn read(
    name: &str,
    environment: &str,
    hcl: &[(String, String)],
    json: &[(String, String)],
) -> Result<Converted, Error> {
    let mut reader = blocks::Reader::new(Stack::new(name, environment));
    for (file, text) in hcl {
        let body: hcl::Body = hcl::parse(text).map_err(|e| {
            problem(
                reader.stack(),
                file,
                &format!("not valid HCL: {e}"),
                "fix the syntax (`terraform validate` points at the same place), then convert again",
            )
        })?;
        reader.body(&body, blocks::comments(text))?;
    }
    for (file, text) in json {
        let invalid = |why: String| {
            problem(
                reader.stack(),
                file,
                &format!("not Terraform JSON: {why}"),
                "fix the file (`terraform validate` reads it too), then convert again",
            )
        };
        let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut comments = blocks::Comments::default();
        let body = json::body(&doc, &mut comments).map_err(invalid)?;
        reader.body(&body, comments)?;
    }
    Ok(reader.finish())
}

/// Reads the `*.tf` and `*.tf.json` files of the root module in `dir` (by name; override
/// files are left out).
pub fn read_folder(name: &str, environment: &str, dir: &Path) -> Result<Converted, Error> {
    let (mut hcl, mut json, mut overrides) = (Vec::new(), Vec::new(), Vec::new());
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let file = path.display().to_string();
        // Override files change other blocks; merging them is terraform's job, not convert's.
        if !path.is_file() {
            continue;
        }
        if file.ends_with("_override.tf") || file.ends_with("_override.tf.json") {
            overrides.push(file);
            continue;
        }
        // Terraform reads these two endings, lower case only.
        let into = if path.extension().is_some_and(|e| e == "tf") {
            &mut hcl
        } else if file.ends_with(".tf.json") {
            &mut json
        } else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        into.push((file, text));
    }
    hcl.sort();
    json.sort();
    overrides.sort();
    let mut converted = read(name, environment, &hcl, &json)?;
    converted.notes.extend(overrides.into_iter().map(|at| Note {
        at,
        what: "an override file changes blocks defined elsewhere; not converted: merge it by hand".to_owned(),
    }));
    Ok(converted)
}

/// A problem with the configuration read, at `at` (a file or a block).
fn problem(stack: &Stack, at: &str, message: &str, help: &str) -> Error {
    Error::Invalid(vec![Diagnostic {
        stack: stack.name().to_owned(),
        environment: stack.environment().to_owned(),
        address: Some(at.to_owned()),
        attribute: None,
        message: message.to_owned(),
        help: Some(help.to_owned()),
    }])
}
