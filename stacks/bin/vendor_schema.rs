//! Vendors provider schemas into `src/schema/vendored/<name>.schema.gz`, one file a provider.
//!
//! ```text
//! cargo run --bin vendor-schema                                  # hashicorp/aws from the mirror
//! cargo run --bin vendor-schema -- --plugin-dir DIR              # every provider installed in DIR
//! cargo run --bin vendor-schema -- schema.json --version hashicorp/random=3.7.2 ...
//! ```
//!
//! `--out DIR` writes somewhere else than `src/schema/vendored`.
//!
//! The first two run `terraform init` against a filesystem mirror (the provider versions are
//! its folder names) and `terraform providers schema -json`; the third reads a document that
//! command printed elsewhere, whose format carries no versions, so each is named. Every
//! description is stripped; the rest of the format is kept (`nested_type` attributes,
//! write-only, sensitive and deprecated flags, ephemeral resources, the provider block). The
//! line format is documented in `src/schema/compact.rs`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use tfsynth::tools;

const OUT: &str = "src/schema/vendored";
const REGISTRY: &str = "registry.terraform.io";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// What to vendor, from the command line, and where to.
struct Request {
    source: Source,
    out: PathBuf,
}

/// What to vendor.
enum Source {
    /// Every provider installed in a mirror; only `hashicorp/aws` when `all` is false.
    Mirror { dir: PathBuf, all: bool },
    /// A `terraform providers schema -json` document, with each provider's version.
    Document { file: PathBuf, versions: BTreeMap<String, String> },
}

fn parse_args() -> Result<Request> {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from(OUT);
    let mut file = None;
    let mut versions = BTreeMap::new();
    let mut dir = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--plugin-dir" => dir = Some(PathBuf::from(args.next().context("--plugin-dir needs a folder")?)),
            "--out" => out = PathBuf::from(args.next().context("--out needs a folder")?),
            "--version" => {
                let pair = args.next().context("--version needs SOURCE=VERSION, e.g. hashicorp/random=3.7.2")?;
                let (source, version) = pair.split_once('=').context("--version takes SOURCE=VERSION")?;
                versions.insert(format!("{REGISTRY}/{source}"), version.to_owned());
            }
            "-h" | "--help" => {
                println!(
                    "usage: vendor-schema [--plugin-dir DIR | SCHEMA.json --version SOURCE=VERSION ...] [--out DIR]"
                );
                std::process::exit(0);
            }
            other if other.starts_with('-') => bail!("unknown option `{other}`; see --help"),
            other => file = Some(PathBuf::from(other)),
        }
    }
    let source = match (file, dir) {
        (Some(_), Some(_)) => bail!("give a schema document or --plugin-dir, not both"),
        (Some(file), None) => Source::Document { file, versions },
        (None, Some(dir)) => Source::Mirror { dir, all: true },
        (None, None) => {
            let dir = tools::plugin_dir().with_context(|| {
                format!(
                    "no provider mirror found; set {} to the folder that holds registry.terraform.io",
                    tools::PLUGIN_DIR_ENV
                )
            })?;
            Source::Mirror { dir, all: false }
        }
    };
    Ok(Request { source, out })
}

fn run() -> Result<()> {
    let Request { source, out } = parse_args()?;
    let (doc, versions) = match source {
        Source::Document { file, versions } => {
            let text = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            (serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", file.display()))?, versions)
        }
        Source::Mirror { dir, all } => {
            let versions = installed(&dir, all)?;
            (schema_of(&dir, &versions)?, versions)
        }
    };
    let providers = doc["provider_schemas"].as_object().context("the document has no provider_schemas")?;
    std::fs::create_dir_all(&out)?;
    for (address, schema) in providers {
        let version = versions.get(address).with_context(|| {
            format!(
                "no version for {address}: add --version {}=<version>",
                address.trim_start_matches("registry.terraform.io/")
            )
        })?;
        let name = address.rsplit('/').next().unwrap_or_default();
        let source = address.trim_start_matches(&format!("{REGISTRY}/")).to_owned();
        let text = vendored_text(name, &source, version, schema)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(text.as_bytes())?;
        let bytes = gz.finish()?;
        let file = out.join(format!("{name}.schema.gz"));
        std::fs::write(&file, &bytes)?;
        println!("wrote {}: {source} {version}, {} bytes ({} uncompressed)", file.display(), bytes.len(), text.len());
    }
    Ok(())
}

/// The providers installed in `dir` (`registry.terraform.io/<namespace>/<name>/<version>`),
/// newest version of each; only hashicorp/aws unless `all`.
fn installed(dir: &Path, all: bool) -> Result<BTreeMap<String, String>> {
    let mut found = BTreeMap::new();
    let registry = dir.join(REGISTRY);
    for namespace in std::fs::read_dir(&registry).with_context(|| format!("reading {}", registry.display()))? {
        let namespace = namespace?;
        for provider in std::fs::read_dir(namespace.path())? {
            let provider = provider?;
            let address = format!(
                "{REGISTRY}/{}/{}",
                namespace.file_name().to_string_lossy(),
                provider.file_name().to_string_lossy()
            );
            if !all && address != format!("{REGISTRY}/hashicorp/aws") {
                continue;
            }
            let newest =
                std::fs::read_dir(provider.path())?.filter_map(|e| e.ok()?.file_name().into_string().ok()).max();
            if let Some(version) = newest {
                found.insert(address, version);
            }
        }
    }
    if found.is_empty() {
        bail!("{} holds no provider", registry.display());
    }
    Ok(found)
}

/// `terraform providers schema -json` for `versions`, installed from `dir`.
fn schema_of(dir: &Path, versions: &BTreeMap<String, String>) -> Result<Value> {
    let work = tempfile::tempdir()?;
    let required: Map<String, Value> = versions
        .iter()
        .map(|(address, version)| {
            let source = address.trim_start_matches(&format!("{REGISTRY}/"));
            let name = source.rsplit('/').next().unwrap_or_default();
            (name.to_owned(), json!({"source": source, "version": version}))
        })
        .collect();
    let config = json!({"terraform": {"required_providers": required}});
    std::fs::write(work.path().join("main.tf.json"), config.to_string())?;
    let init = tools::terraform_in(work.path())
        .args(["init", "-input=false", "-no-color"])
        .arg(format!("-plugin-dir={}", dir.display()))
        .output()?;
    if !init.status.success() {
        bail!("terraform init failed:\n{}", String::from_utf8_lossy(&init.stderr));
    }
    let out = tools::terraform_in(work.path()).args(["providers", "schema", "-json"]).output()?;
    if !out.status.success() {
        bail!("terraform providers schema failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// The vendored file's text: a header, then one line per provider block (`p`), resource (`r`),
/// data source (`d`) and ephemeral resource (`e`).
fn vendored_text(name: &str, source: &str, version: &str, schema: &Value) -> Result<String> {
    let mut text = format!("#tfsynth-schema {name} {source} {version}\n");
    text += &line("p", name, &schema["provider"]["block"]);
    for (kind, key) in [("r", "resource_schemas"), ("d", "data_source_schemas"), ("e", "ephemeral_resource_schemas")] {
        let schemas = match &schema[key] {
            Value::Object(schemas) => schemas.clone(),
            Value::Null => Map::new(),
            _ => bail!("{source}: {key} is not an object"),
        };
        let sorted: BTreeMap<_, _> = schemas.iter().collect();
        for (ty, schema) in sorted {
            text += &line(kind, ty, &schema["block"]);
        }
    }
    Ok(text)
}

fn line(kind: &str, name: &str, block: &Value) -> String {
    format!("{kind}\t{name}\t{}\n", compact_block(block))
}

/// The one-letter flags of an attribute.
fn flags(a: &Value) -> String {
    [
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
    .collect()
}

/// `{"a": {name: [type, flags] | [type, flags, nested]}, "b": {name: [nesting, min, max, block]}}`,
/// empty parts left out. A `nested_type` attribute keeps its nested attributes as
/// `[nesting, min, max, {"a": ...}]` and gets the type they amount to.
fn compact_block(block: &Value) -> Value {
    let mut out = Map::new();
    if let Some(attrs) = block["attributes"].as_object() {
        let attrs: Map<String, Value> = attrs.iter().map(|(name, a)| (name.clone(), compact_attribute(a))).collect();
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

fn compact_attribute(a: &Value) -> Value {
    let nested = &a["nested_type"];
    if nested.is_null() {
        return json!([a["type"], flags(a)]);
    }
    let inner = compact_block(nested);
    let min = nested["min_items"].as_u64().unwrap_or(0);
    let max = nested["max_items"].as_u64().unwrap_or(0);
    json!([nested_type(nested), flags(a), [nested["nesting_mode"], min, max, inner]])
}

/// The type a `nested_type` amounts to: an object of its attributes' types, in a list, set or
/// map as its nesting says.
fn nested_type(nested: &Value) -> Value {
    let fields: Map<String, Value> = nested["attributes"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, a)| {
            let ty = if a["nested_type"].is_null() { a["type"].clone() } else { nested_type(&a["nested_type"]) };
            (name.clone(), ty)
        })
        .collect();
    let object = json!(["object", fields]);
    match nested["nesting_mode"].as_str() {
        Some("list") => json!(["list", object]),
        Some("set") => json!(["set", object]),
        Some("map") => json!(["map", object]),
        _ => object,
    }
}
