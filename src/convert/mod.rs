//! Existing Terraform into the model: the first step of `tfsynth convert` (issue 31).
//!
//! [`read_hcl`] reads a root module's HCL — every block the model has a form for — into a
//! [`Stack`], and says in a [`Note`] each place it could not carry over exactly: a block the
//! model has no form for is reported, never dropped silently. Rendering the stack again gives
//! the configuration Terraform reads the same (the round trip over every stack of the
//! repository is tested).

mod blocks;
mod expression;
mod rust;

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
    let mut reader = blocks::Reader::new(Stack::new(name, environment));
    for (file, text) in files {
        let body: hcl::Body = hcl::parse(text).map_err(|e| {
            problem(
                reader.stack(),
                file,
                &format!("not valid HCL: {e}"),
                "fix the syntax (`terraform validate` points at the same place), then convert again",
            )
        })?;
        reader.body(&body, text)?;
    }
    Ok(reader.finish())
}

/// Reads the `*.tf` files of the root module in `dir`, in the order Terraform reads them (by
/// name).
pub fn read_folder(name: &str, environment: &str, dir: &Path) -> Result<Converted, Error> {
    let mut files = Vec::new();
    let mut unread = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if !path.is_file() {
            continue;
        }
        if path.extension().is_some_and(|e| e == "tf") {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            files.push((path.display().to_string(), text));
        } else if path.to_string_lossy().ends_with(".tf.json") {
            unread.push(path.display().to_string());
        }
    }
    files.sort();
    unread.sort();
    let mut converted = read_hcl(name, environment, &files)?;
    converted.notes.extend(
        unread.into_iter().map(|at| Note { at, what: "Terraform JSON is not read yet; not converted".to_owned() }),
    );
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
