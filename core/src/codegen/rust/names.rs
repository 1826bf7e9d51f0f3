//! Rust names for schema names: snake case for members, escapes for keywords, and paths
//! between the namespace modules of one generated file.

use crate::schema::QualifiedName;

/// Rust's keywords (strict and reserved), which a schema may use as names.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
];

/// Names the generated code gives methods of its own, which a field must not take.
const RESERVED_METHODS: &[&str] = &[
    "root",
    "unpack",
    "new",
    "finish",
    "object",
    "pack",
    "write",
    "alloc",
    "resume",
    "check",
    "from_object",
    "empty",
    "read",
    "as_table",
    "from_table",
];

/// `vectorOfLongs` -> `vector_of_longs`.
pub(super) fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `Red` -> `RED`, `MyValue` -> `MY_VALUE`.
pub(super) fn upper(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

/// A method or field name: snake case, keywords and the generated code's own method names
/// followed by `_`.
pub(super) fn member(name: &str) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str()) || RESERVED_METHODS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// A module name for a namespace component.
pub(super) fn module(name: &str) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// A type name, kept as the schema writes it unless it is a keyword.
pub(super) fn type_name(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// The path from code in namespace `from` to the item named `suffix` of type `target`
/// (`super::other::Monster`, or just `Monster` in the same namespace).
pub(super) fn path(from: &[String], target: &QualifiedName, suffix: &str) -> String {
    let name = format!("{}{suffix}", type_name(&target.name));
    if from == target.namespace.as_slice() {
        return name;
    }
    let mut out = "super::".repeat(from.len());
    for part in &target.namespace {
        out.push_str(&module(part));
        out.push_str("::");
    }
    out.push_str(&name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_rust_names() {
        assert_eq!(snake("vectorOfLongs"), "vector_of_longs");
        assert_eq!(snake("testhashs32_fnv1"), "testhashs32_fnv1");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(upper("Red"), "RED");
        assert_eq!(member("type"), "type_");
        assert_eq!(member("root"), "root_");
        let target = QualifiedName {
            namespace: vec!["a".into(), "b".into()],
            name: "T".into(),
        };
        assert_eq!(path(&["a".into(), "b".into()], &target, "Ref"), "TRef");
        assert_eq!(path(&["c".into()], &target, ""), "super::a::b::T");
    }
}
