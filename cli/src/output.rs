//! Standard output, written so that a failure to write ends the command with exit status 1
//! and a message (or quietly, when the reader went away: `weftbuf ... | head`), never with a
//! panic.

use std::io::Write as _;

/// Writes `text` to standard output, then flushes it.
pub(crate) fn print(text: impl AsRef<str>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_ref().as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| anyhow::Error::new(e).context("cannot write to standard output"))
}

/// [`print`], then a newline.
pub(crate) fn println(text: impl AsRef<str>) -> anyhow::Result<()> {
    print(format!("{}\n", text.as_ref()))
}

/// Whether `e` is standard output's reader having gone away: nothing to say, to nobody.
pub(crate) fn reader_gone(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
