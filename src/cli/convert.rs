//! `tfsynth convert`: a Terraform root module into a stack module of Rust, and `--verify`,
//! which plans both offline and compares what they would do.

use std::path::Path;

use serde_json::Value;

use super::args::ConvertArgs;
use super::{Console, Failure, Status};
use crate::convert::{Converted, read_folder, rust};
use crate::error::Error;
use crate::render::{Format, render};
use crate::review::diff::attributes;
use crate::tools::{aws_aliases, mock_override, plan_folder};

pub(super) fn convert(a: &ConvertArgs, c: &mut Console) -> Result<Status, Failure> {
    let mut chars = a.stack.chars();
    let module_name = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !module_name {
        return Err(Error::Usage(format!(
            "`{}` cannot name a stack module: use lower-case letters, digits and `_`, starting with a letter",
            a.stack
        ))
        .into());
    }
    if !a.path.is_dir() {
        return Err(Error::Usage(format!(
            "{}: not a folder; give the folder of a Terraform root module",
            a.path.display()
        ))
        .into());
    }
    let converted = read_folder(&a.stack, "converted", &a.path)?;
    let source = a.path.display().to_string();
    let code = formatted(rust(&converted.stack, &converted.notes, &source), c);
    let out = a.out.clone().unwrap_or_else(|| Path::new("stacks").join(&a.stack));
    let file = out.join("mod.rs");
    write_new(&file, &code)?;
    c.note(format_args!(
        "wrote {} ({} blocks); register it: `pub mod {};` and `{}::DEF` in the registry (README, \"Add a stack\")",
        file.display(),
        converted.stack.blocks().len(),
        a.stack,
        a.stack
    ));
    if !converted.notes.is_empty() {
        c.note(format_args!(
            "{} place(s) to look at (each a `// convert:` comment in the file):",
            converted.notes.len()
        ));
        for note in &converted.notes {
            c.note(format_args!("  {note}"));
        }
    }
    let hints = crate::convert::hints(&converted.stack);
    if !hints.is_empty() {
        c.note(format_args!(
            "{} group(s) a component builds, with its secure defaults (nothing was rewritten):",
            hints.len()
        ));
        for hint in &hints {
            c.note(format_args!("  {hint}"));
        }
    }
    if !a.verify {
        return Ok(Status::Success);
    }
    let differences = verify(&a.path, &converted, a.plugin_dir.as_deref())?;
    if differences.is_empty() {
        c.note("verified: the converted stack plans exactly what the original does");
        return Ok(Status::Success);
    }
    c.note(format_args!("the converted stack plans differently from the original in {} place(s):", differences.len()));
    for d in &differences {
        c.note(format_args!("  {d}"));
    }
    Ok(Status::Found)
}

/// The code through `rustfmt` when it runs; as written otherwise (it compiles either way).
fn formatted(code: String, c: &mut Console) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let child = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let formatted = child.ok().and_then(|mut child| {
        child.stdin.take()?.write_all(code.as_bytes()).ok()?;
        let out = child.wait_with_output().ok()?;
        out.status.success().then(|| String::from_utf8(out.stdout).ok()).flatten()
    });
    formatted.unwrap_or_else(|| {
        c.note("rustfmt did not run: the file is written unformatted (`cargo fmt` formats it)");
        code
    })
}

/// Writes `text` as a new file `path`: never over an existing one, and whole or not at all.
fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    if path.exists() {
        return Err(Error::Output {
            path: path.to_owned(),
            problem: "exists already; convert never writes over a file: give another `--out` or move it away".into(),
        });
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut temp = tempfile::Builder::new().prefix(".tfsynth-tmp-").tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    std::io::Write::write_all(&mut temp, text.as_bytes()).map_err(|e| Error::io(temp.path(), e))?;
    // `persist_noclobber`: a file that appeared meanwhile is not replaced either.
    temp.persist_noclobber(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Plans the original folder and the converted stack offline (mock credentials, a local
/// backend, no refresh; providers from `mirror` or `TFSYNTH_PLUGIN_DIR`) and lists where the
/// planned resources and outputs differ, attribute by attribute.
fn verify(original: &Path, converted: &Converted, mirror: Option<&Path>) -> Result<Vec<String>, Error> {
    let work = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let (before, after) = (work.path().join("original"), work.path().join("converted"));
    copy_module(original, &before, false)?;
    // The same variable values: terraform reads `*.tfvars` files from the folder too.
    copy_module(original, &after, true)?;
    std::fs::write(after.join("main.tf.json"), render(&converted.stack, Format::Json))
        .map_err(|e| Error::io(&after, e))?;
    let aliases = aws_aliases(&converted.stack);
    for dir in [&before, &after] {
        std::fs::write(dir.join("tfsynth_offline_override.tf.json"), mock_override(&aliases))
            .map_err(|e| Error::io(dir, e))?;
    }
    let plan = |dir: &Path, what: &str| {
        plan_folder(dir, false, mirror)
            .map(|p| p.show)
            .map_err(|why| Error::Output { path: dir.to_owned(), problem: format!("planning the {what}: {why}") })
    };
    let (was, now) = (plan(&before, "original")?, plan(&after, "converted stack")?);
    Ok(differences(&was, &now))
}

/// The configuration and variable files of a root module (only the variable files with
/// `vars_only`), for planning elsewhere; override files stay behind.
fn copy_module(from: &Path, to: &Path, vars_only: bool) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let path = entry.map_err(|e| Error::io(from, e))?.path();
        let name = path.file_name().unwrap_or_default();
        let text = name.to_string_lossy();
        let vars = text.ends_with(".tfvars") || text.ends_with(".tfvars.json");
        let config = text.ends_with(".tf") || text.ends_with(".tf.json");
        let keep = vars || config && !vars_only;
        if path.is_file() && keep && !text.ends_with("_override.tf") && !text.ends_with("_override.tf.json") {
            std::fs::copy(&path, to.join(name)).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Where two `terraform show -json` plans differ: a resource in one only, or an attribute of
/// the planned values, and the outputs.
fn differences(was: &Value, now: &Value) -> Vec<String> {
    let by_address = |plan: &Value| -> Vec<(String, Value)> {
        let mut changes: Vec<(String, Value)> = plan["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (c["address"].as_str().unwrap_or_default().to_owned(), c["change"].clone()))
            .collect();
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        changes
    };
    let (was_changes, now_changes) = (by_address(was), by_address(now));
    let mut out = Vec::new();
    for (address, change) in &was_changes {
        match now_changes.iter().find(|(a, _)| a == address) {
            None => out.push(format!("{address}: planned by the original only")),
            Some((_, other)) => {
                for key in ["actions", "after", "after_unknown", "after_sensitive"] {
                    for a in attributes(&change[key], &other[key]) {
                        let side = |v: Option<Value>| v.map_or_else(|| "absent".to_owned(), |v| v.to_string());
                        let at = if a.path.is_empty() { key.to_owned() } else { format!("{key}.{}", a.path) };
                        out.push(format!("{address}: {at} ({} → {})", side(a.old), side(a.new)));
                    }
                }
            }
        }
    }
    for (address, _) in now_changes.iter().filter(|(a, _)| !was_changes.iter().any(|(b, _)| a == b)) {
        out.push(format!("{address}: planned by the converted stack only"));
    }
    if was["output_changes"] != now["output_changes"] {
        out.push("the outputs differ".to_owned());
    }
    out
}
