//! Numeric literals as the schema language writes them.

/// A parsed numeric literal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// Decimal or hexadecimal integer.
    Int(i128),
    /// Any other number: decimal or hex floats, nan, infinities.
    Float(f64),
}

/// Parses a number as the schema language (and flatc's JSON) writes it: decimal or hex
/// integers, decimal or hex floats, `nan`, `inf`, `infinity`, each with an optional sign.
pub fn parse_number(text: &str) -> Option<Number> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if body.starts_with(['+', '-']) {
        return None;
    }
    let signed = |v: f64| if negative { -v } else { v };
    match body {
        "nan" => return Some(Number::Float(f64::NAN)),
        "inf" | "infinity" => return Some(Number::Float(signed(f64::INFINITY))),
        _ => {}
    }
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        if hex.bytes().all(|b| b.is_ascii_hexdigit()) && !hex.is_empty() {
            let v = i128::from_str_radix(hex, 16).ok()?;
            return Some(Number::Int(if negative { -v } else { v }));
        }
        return parse_hex_float(hex).map(|v| Number::Float(signed(v)));
    }
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        let v: i128 = body.parse().ok()?;
        return Some(Number::Int(if negative { -v } else { v }));
    }
    // Rust also accepts words like "NaN" and "Infinity" that the schema language does not.
    if !body
        .bytes()
        .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
        || !body.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    body.parse::<f64>().ok().map(|v| Number::Float(signed(v)))
}

/// `1.8p3`-style hexadecimal floats (the part after `0x`).
fn parse_hex_float(text: &str) -> Option<f64> {
    let (mantissa, exponent) = match text.find(['p', 'P']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in whole.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(value * 2f64.powi(exponent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_decimal_hex_and_signed() {
        assert_eq!(parse_number("42"), Some(Number::Int(42)));
        assert_eq!(parse_number("-0x10"), Some(Number::Int(-16)));
        assert_eq!(parse_number("+7"), Some(Number::Int(7)));
        assert_eq!(
            parse_number("18446744073709551615"),
            Some(Number::Int(u64::MAX.into()))
        );
    }

    #[test]
    fn floats_special_and_hex() {
        assert_eq!(parse_number("3.5e1"), Some(Number::Float(35.0)));
        assert_eq!(parse_number("-inf"), Some(Number::Float(f64::NEG_INFINITY)));
        assert_eq!(parse_number("0x1.8p1"), Some(Number::Float(3.0)));
        assert!(matches!(parse_number("-nan"), Some(Number::Float(v)) if v.is_nan()));
        assert_eq!(parse_number("Infinity"), None);
        assert_eq!(parse_number("1x"), None);
        assert_eq!(parse_number("e"), None);
    }
}
