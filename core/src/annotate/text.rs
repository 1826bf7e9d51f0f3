//! How bytes read in a dump: type names, values, quoted strings, offsets.

use std::fmt::Write as _;

use crate::message::{Scalar, read_scalar};
use crate::schema::{EnumDef, ScalarType};

/// The short name of a scalar type in the kind column (`i32`, `f32`), as `docs/layout.md`
/// writes them.
pub(super) fn scalar_kind(ty: ScalarType) -> &'static str {
    ty.layout_name()
}

/// The scalar of type `ty` at `at`, as text: integers in decimal, floats in the shortest
/// form that reads back to the same value of their type, `nan`/`inf`/`-inf` as flatc writes
/// them; `None` when the bytes are not all there.
pub(super) fn scalar_value(bytes: &[u8], at: usize, ty: ScalarType) -> Option<(Scalar, String)> {
    let scalar = read_scalar(bytes, at, ty)?;
    let text = match scalar {
        Scalar::Bool(b) => match bytes.get(at) {
            Some(&raw) if raw > 1 => format!("{b} ({raw})"),
            _ => b.to_string(),
        },
        Scalar::Float(v) if v.is_nan() => "nan".into(),
        Scalar::Float(v) if v.is_infinite() => if v > 0.0 { "inf" } else { "-inf" }.into(),
        Scalar::Float(v) if ty == ScalarType::Float => format!("{:?}", v as f32),
        Scalar::Float(v) => format!("{v:?}"),
        Scalar::Int(v) => v.to_string(),
        Scalar::UInt(v) => v.to_string(),
    };
    Some((scalar, text))
}

/// What an enum's value means: its name, the names of its flags, or that it has none.
pub(super) fn enum_meaning(def: &EnumDef, value: Scalar) -> String {
    let Some(raw) = value.as_i128() else {
        return format!("not a value of {}", def.info.name);
    };
    if let Some(names) = def.names_of(raw) {
        return names;
    }
    if def.bit_flags && raw == 0 {
        return "no flags".into();
    }
    format!("not a value of {}", def.info.name)
}

/// Bytes as uppercase hex pairs separated by spaces: `57 45 46 54`.
pub(super) fn hex_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// How many hex digits offsets are written with: 4, or more for messages past 64 KiB.
pub(super) fn offset_digits(len: usize) -> usize {
    let mut digits = 1;
    let mut rest = len.saturating_sub(1) >> 4;
    while rest > 0 {
        digits += 1;
        rest >>= 4;
    }
    digits.max(4)
}

/// An offset as the dump writes it: `0x0018`, or `-0x0010` for a reference that points
/// before the message start.
pub(super) fn offset_text(offset: i64, digits: usize) -> String {
    if offset < 0 {
        format!("-0x{:0digits$X}", offset.unsigned_abs())
    } else {
        format!("0x{offset:0digits$X}")
    }
}

/// Four header bytes (a magic or a file identifier) as text when they are printable ASCII.
pub(super) fn four_chars(bytes: &[u8]) -> String {
    if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        bytes.iter().map(|&b| char::from(b)).collect()
    } else {
        String::new()
    }
}

/// One piece of a string's bytes: a character (where its first byte is) or a byte that is
/// not part of valid UTF-8.
#[derive(Debug, Clone, Copy)]
pub(super) enum Piece {
    /// A character starting at this byte.
    Char(char),
    /// A byte that is not valid UTF-8.
    Invalid(u8),
}

/// Splits `bytes` into pieces, each with the offset (within `bytes`) of its first byte.
pub(super) fn pieces(bytes: &[u8]) -> Vec<(usize, Piece)> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        for (i, c) in chunk.valid().char_indices() {
            out.push((at + i, Piece::Char(c)));
        }
        at += chunk.valid().len();
        for (i, &b) in chunk.invalid().iter().enumerate() {
            out.push((at + i, Piece::Invalid(b)));
        }
        at += chunk.invalid().len();
    }
    out
}

/// Pieces as a quoted string, escaped as JSON escapes them, invalid bytes as `\xNN`.
pub(super) fn quoted(pieces: &[(usize, Piece)]) -> String {
    let mut out = String::from("\"");
    for (_, piece) in pieces {
        match *piece {
            Piece::Char('"') => out.push_str("\\\""),
            Piece::Char('\\') => out.push_str("\\\\"),
            Piece::Char('\n') => out.push_str("\\n"),
            Piece::Char('\r') => out.push_str("\\r"),
            Piece::Char('\t') => out.push_str("\\t"),
            Piece::Char(c) if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            Piece::Char(c) => out.push(c),
            Piece::Invalid(b) => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    out
}
