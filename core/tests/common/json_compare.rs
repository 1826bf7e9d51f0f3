//! Compares two JSON texts as data: objects as maps, numbers by value (floats to 6
//! significant digits, the precision flatc prints), `nan`/`inf` as the floats they are.

use weftbuf::json::{Json, JsonKind, parse};
use weftbuf::schema::{Number, parse_number};

/// A number, word or string read as a number, when it is one.
fn number(kind: &JsonKind) -> Option<Number> {
    match kind {
        JsonKind::Number(t) | JsonKind::Word(t) => parse_number(t),
        _ => None,
    }
}

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs())
}

fn compare(a: &Json, b: &Json, path: &str, out: &mut Vec<String>) {
    match (&a.kind, &b.kind) {
        (JsonKind::Object(x), JsonKind::Object(y)) => {
            for (k, v) in x {
                match y.iter().find(|(k2, _)| k2 == k) {
                    Some((_, w)) => compare(v, w, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: only in the first")),
                }
            }
            for (k, _) in y {
                if !x.iter().any(|(k2, _)| k2 == k) {
                    out.push(format!("{path}.{k}: only in the second"));
                }
            }
        }
        (JsonKind::Array(x), JsonKind::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!("{path}: {} elements against {}", x.len(), y.len()));
                return;
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                compare(v, w, &format!("{path}[{i}]"), out);
            }
        }
        (ka, kb) => {
            let same = match (number(ka), number(kb)) {
                (Some(Number::Int(i)), Some(Number::Int(j))) => i == j,
                (Some(p), Some(q)) => close(as_f64(p), as_f64(q)),
                _ => text(ka) == text(kb),
            };
            if !same {
                out.push(format!("{path}: {:?} against {:?}", ka, kb));
            }
        }
    }
}

fn as_f64(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

fn text(kind: &JsonKind) -> Option<String> {
    match kind {
        JsonKind::String(s) | JsonKind::Word(s) => Some(s.clone()),
        JsonKind::Bool(b) => Some(b.to_string()),
        JsonKind::Null => Some("null".into()),
        _ => None,
    }
}

/// The differences between two JSON texts as data; empty when they are the same.
pub(crate) fn json_differences(a: &str, b: &str) -> Vec<String> {
    let (a, b) = match (parse(a), parse(b)) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => return vec![format!("unparsable: {:?} / {:?}", a.err(), b.err())],
    };
    let mut out = Vec::new();
    compare(&a, &b, "$", &mut out);
    out
}
