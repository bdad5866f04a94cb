//! `=` alignment as `terraform fmt` does it (hclwrite's `formatCells`), which hcl-rs's
//! formatter does not do.
//!
//! A line is an *assignment line* when its first bare `=` (not `==`, `!=`, `<=`, `>=`, `=>`,
//! not inside a string) is not its first token and the rest of the line opens no more
//! brackets than it closes. Consecutive assignment lines form a chain; within a chain every
//! `=` moves to one column past the longest left-hand side. Any other line ends the chain.

/// Aligns the `=` of consecutive single-line attributes in `text`, and writes empty blocks as
/// `name {}` (hcl-rs pads them with the indentation: `name {    }`).
pub(super) fn align_equals(text: &str) -> String {
    let lines: Vec<String> = text.split('\n').map(close_empty_block).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let leads: Vec<Option<usize>> = lines.iter().map(|l| assignment_lead(l)).collect();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut i = 0;
    while i < lines.len() {
        let Some(_) = leads[i] else {
            out.push_str(lines[i]);
            push_newline(&mut out, i, lines.len());
            i += 1;
            continue;
        };
        let end = (i..lines.len()).find(|&j| leads[j].is_none()).unwrap_or(lines.len());
        let width = (i..end).map(|j| lead_width(lines[j], leads[j])).max().unwrap_or(0);
        for j in i..end {
            let (left, right) = lines[j].split_at(leads[j].unwrap_or_default());
            let left = left.trim_end();
            out.push_str(left);
            let pad = width - left.chars().count() + 1;
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(right);
            push_newline(&mut out, j, lines.len());
        }
        i = end;
    }
    out
}

/// The column width of the left-hand side before the `=` at `lead`.
fn lead_width(line: &str, lead: Option<usize>) -> usize {
    line[..lead.unwrap_or_default()].trim_end().chars().count()
}

fn close_empty_block(line: &str) -> String {
    if let Some(open) = line.strip_suffix('}').and_then(|l| l.trim_end_matches(' ').strip_suffix('{')) {
        format!("{open}{{}}")
    } else {
        line.to_owned()
    }
}

fn push_newline(out: &mut String, index: usize, count: usize) {
    if index + 1 < count {
        out.push('\n');
    }
}

/// The byte offset of the aligning `=` in `line`, if it is an assignment line.
fn assignment_lead(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let mut i = start;
    let mut equals = None;
    let mut depth: i32 = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'#' if equals.is_none() => return None,
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => depth -= 1,
            b'=' if equals.is_none() => {
                let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                let next = bytes.get(i + 1).copied().unwrap_or(b' ');
                let is_operator = matches!(prev, b'=' | b'!' | b'<' | b'>') || matches!(next, b'=' | b'>');
                if !is_operator {
                    if i == start {
                        return None;
                    }
                    equals = Some(i);
                    depth = 0;
                }
            }
            _ => {}
        }
        i += 1;
    }
    equals.filter(|_| depth == 0)
}

/// The index of the closing quote of the string opening at `open` (or the line's end), with
/// escapes and `${ ... }` interpolations (which may hold strings) skipped.
fn skip_string(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' => return i,
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                if bytes.get(i.wrapping_sub(1)) == Some(&bytes[i]) {
                    // `$${` / `%%{` is an escaped marker, not an interpolation.
                    i += 1;
                } else {
                    i = skip_interpolation(bytes, i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn skip_interpolation(bytes: &[u8], open_brace: usize) -> usize {
    let mut depth = 0;
    let mut i = open_brace;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}
