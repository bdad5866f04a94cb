//! Regenerates `src/schema/aws.schema.gz` from the installed hashicorp/aws provider.
//!
//! Run with `cargo run --bin vendor-schema`. It runs `terraform init` against the offline
//! mirror (see `tfsynth::tools`), then `terraform providers schema -json`, strips every
//! description and writes one line per provider, resource and data source, gzip-compressed.
//! The line format is documented in `src/schema/compact.rs`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use tfsynth::tools;

const PROVIDER: &str = "registry.terraform.io/hashicorp/aws";
const OUT: &str = "src/schema/aws.schema.gz";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let plugins = tools::plugin_dir().with_context(|| {
        format!(
            "no provider mirror found; set {} to the folder that holds registry.terraform.io",
            tools::PLUGIN_DIR_ENV
        )
    })?;
    let version = std::fs::read_dir(plugins.join(PROVIDER))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .max()
        .context("the mirror holds no hashicorp/aws version")?;
    let dir = tempfile::tempdir()?;
    let config = json!({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": version}}}});
    std::fs::write(dir.path().join("main.tf.json"), config.to_string())?;
    let init = tools::terraform_command()
        .current_dir(dir.path())
        .args(["init", "-input=false", "-no-color"])
        .arg(format!("-plugin-dir={}", plugins.display()))
        .output()?;
    if !init.status.success() {
        bail!("terraform init failed:\n{}", String::from_utf8_lossy(&init.stderr));
    }
    let out = tools::terraform_command().current_dir(dir.path()).args(["providers", "schema", "-json"]).output()?;
    if !out.status.success() {
        bail!("terraform providers schema failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    let full: Value = serde_json::from_slice(&out.stdout)?;
    let provider = &full["provider_schemas"][PROVIDER];
    let mut text = format!("#tfsynth-schema aws {version}\n");
    text += &line("p", "aws", &provider["provider"]["block"]);
    for (kind, key) in [("r", "resource_schemas"), ("d", "data_source_schemas")] {
        let Some(schemas) = provider[key].as_object() else { bail!("schema has no {key}") };
        for (name, schema) in schemas {
            text += &line(kind, name, &schema["block"]);
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(text.as_bytes())?;
    let bytes = gz.finish()?;
    std::fs::write(OUT, &bytes)?;
    println!("wrote {OUT}: aws {version}, {} bytes ({} uncompressed)", bytes.len(), text.len());
    Ok(())
}

fn line(kind: &str, name: &str, block: &Value) -> String {
    format!("{kind}\t{name}\t{}\n", compact_block(block))
}

/// `{"a": {name: [type, flags]}, "b": {name: [nesting, min, max, block]}}`, empty parts left out.
fn compact_block(block: &Value) -> Value {
    let mut out = Map::new();
    if let Some(attrs) = block["attributes"].as_object() {
        let attrs: Map<String, Value> = attrs
            .iter()
            .map(|(name, a)| {
                let flags: String = [
                    ("required", 'r'),
                    ("optional", 'o'),
                    ("computed", 'c'),
                    ("sensitive", 's'),
                    ("deprecated", 'd'),
                    ("write_only", 'w'),
                ]
                .iter()
                .filter(|(key, _)| a[*key].as_bool() == Some(true))
                .map(|(_, c)| *c)
                .collect();
                (name.clone(), json!([a["type"], flags]))
            })
            .collect();
        out.insert("a".into(), attrs.into());
    }
    if let Some(blocks) = block["block_types"].as_object() {
        let blocks: Map<String, Value> = blocks
            .iter()
            .map(|(name, b)| {
                let min = b["min_items"].as_u64().unwrap_or(0);
                let max = b["max_items"].as_u64().unwrap_or(0);
                (name.clone(), json!([b["nesting_mode"], min, max, compact_block(&b["block"])]))
            })
            .collect();
        out.insert("b".into(), blocks.into());
    }
    out.into()
}
