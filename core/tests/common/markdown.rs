//! The fenced code blocks of a Markdown document, and the HTML comment above each, which
//! says what the tests do with it (`<!-- include: ... -->`, `<!-- not run: ... -->`).
#![allow(dead_code, reason = "each test binary uses a different subset")]

/// A fenced code block of a document.
pub(crate) struct Block {
    /// 1-based line of its opening fence.
    pub(crate) line: usize,
    /// The fence's info string (`rust`, `sh`, `toml`, ...).
    pub(crate) info: String,
    /// Its text, each line ending in a newline.
    pub(crate) body: String,
    /// The byte range of `body` in the document.
    pub(crate) range: std::ops::Range<usize>,
    /// What the HTML comment on the line above the fence says, if there is one.
    pub(crate) marker: Option<String>,
}

/// Every fenced block of `text`.
pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut previous = "";
    let mut open: Option<(usize, String, usize, Option<String>)> = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        match &open {
            None if trimmed.starts_with("```") => {
                let marker = previous
                    .trim()
                    .strip_prefix("<!--")
                    .and_then(|m| m.strip_suffix("-->"))
                    .map(|m| m.trim().to_string());
                open = Some((i + 1, trimmed[3..].to_string(), offset + line.len(), marker));
            }
            Some((start, info, body_start, marker)) if trimmed == "```" => {
                out.push(Block {
                    line: *start,
                    info: info.clone(),
                    body: text[*body_start..offset].to_string(),
                    range: *body_start..offset,
                    marker: marker.clone(),
                });
                open = None;
            }
            _ => {}
        }
        previous = line;
        offset += line.len();
    }
    out
}
