// Splitting the vendored schema text into its lines; shared with `build.rs`, which runs it at
// build time so that loading the vendored schema touches no text until a type is used.

/// One line of the schema file: kind (`p`, `r` or `d`), type name and the byte range of its
/// block's JSON.
pub type Line<'a> = (&'a str, &'a str, std::ops::Range<usize>);

/// The version in the header and every line after it.
pub fn split_lines(text: &str) -> Result<(&str, Vec<Line<'_>>), String> {
    let header = text.lines().next().ok_or("empty schema file")?;
    let version = header.strip_prefix("#tfsynth-schema aws ").ok_or("not a tfsynth schema file")?;
    let mut lines = Vec::new();
    let mut offset = header.len() + 1;
    for line in text.get(offset..).unwrap_or_default().split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let mut fields = line.trim_end().splitn(3, '\t');
        let (Some(kind), Some(name), Some(_)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(format!("malformed schema line at byte {start}"));
        };
        if !matches!(kind, "p" | "r" | "d") {
            return Err(format!("unknown schema line kind `{kind}`"));
        }
        lines.push((kind, name, start + kind.len() + name.len() + 2..offset));
    }
    Ok((version, lines))
}

/// The schema with every block on its own line: a nested block type names its block by
/// number (`"b": {name: [nesting, min, max, id]}`) instead of embedding it, so a type is read
/// without scanning the blocks it nests (`aws_wafv2_web_acl` nests 680 KB).
pub struct Flat<'a> {
    /// The provider version in the header.
    pub version: &'a str,
    /// Every type: kind (`p`, `r` or `d`), name and its block's id, sorted by kind and name.
    pub types: Vec<(&'a str, &'a str, usize)>,
    /// The blocks, by id.
    pub blocks: Vec<String>,
}

/// `terraform_remote_state`, built into Terraform (not the provider), which cross-stack
/// imports read producers' outputs with.
pub const REMOTE_STATE: &str = r#"{"a":{"backend":["string","r"],"config":["dynamic","o"],"defaults":["dynamic","o"],"outputs":["dynamic","c"],"workspace":["string","o"]},"b":{}}"#;

/// Flattens a schema file's text (see [`Flat`]), adding `terraform_remote_state`.
pub fn flatten(text: &str) -> Result<Flat<'_>, String> {
    let (version, lines) = split_lines(text)?;
    let mut blocks = Vec::new();
    let mut types = Vec::new();
    for (kind, name, range) in lines {
        let block: serde_json::Value = serde_json::from_str(&text[range]).map_err(|e| format!("{kind} {name}: {e}"))?;
        types.push((kind, name, flatten_block(&block, &mut blocks)));
    }
    let remote: serde_json::Value = serde_json::from_str(REMOTE_STATE).map_err(|e| e.to_string())?;
    types.push(("d", "terraform_remote_state", flatten_block(&remote, &mut blocks)));
    types.sort_unstable();
    Ok(Flat { version, types, blocks })
}

/// Adds `block` and the blocks it nests to `blocks`; returns its id.
fn flatten_block(block: &serde_json::Value, blocks: &mut Vec<String>) -> usize {
    let mut nested = serde_json::Map::new();
    for (name, spec) in block["b"].as_object().into_iter().flatten() {
        let child = flatten_block(&spec[3], blocks);
        nested.insert(name.clone(), serde_json::json!([spec[0], spec[1], spec[2], child]));
    }
    let flat =
        serde_json::json!({ "a": block.get("a").cloned().unwrap_or_else(|| serde_json::json!({})), "b": nested });
    blocks.push(flat.to_string());
    blocks.len() - 1
}
