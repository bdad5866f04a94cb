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
