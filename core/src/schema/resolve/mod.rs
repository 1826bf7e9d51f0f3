//! Binds names to definitions and checks the schema with flatc's rules.
//!
//! Resolution is global: a type may be used before it is declared, in any file. Names resolve
//! from the innermost enclosing namespace outwards, as in flatc.

mod enums;
mod objects;
mod values;

use std::collections::{HashMap, HashSet};

use super::ast::{AstAttr, AstValueKind, Decl, Path};
use super::diag::Reporter;
use super::loader::LoadedFile;
use super::model::*;
use super::source::{SourceMap, Span};

pub use values::{Number, parse_number};

/// Attributes flatc knows without a declaration, plus nothing of weftbuf's own: a schema
/// that uses `weftbuf_id` declares it, so flatc accepts the same file.
const KNOWN_ATTRIBUTES: &[&str] = &[
    "bit_flags",
    "cpp_ptr_type",
    "cpp_ptr_type_get",
    "cpp_str_flex_ctor",
    "cpp_str_type",
    "cpp_type",
    "csharp_partial",
    "deprecated",
    "flexbuffer",
    "force_align",
    "hash",
    "id",
    "idempotent",
    "key",
    "native_custom_alloc",
    "native_default",
    "native_inline",
    "native_type",
    "native_type_pack_name",
    "nested_flatbuffer",
    "offset64",
    "original_order",
    "private",
    "required",
    "shared",
    "streaming",
    "vector64",
];

/// What a qualified name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symbol {
    Table(TableId),
    Struct(StructId),
    Enum(EnumId),
    Union(UnionId),
    Service,
}

impl Symbol {
    /// What kind of declaration this is, with its article: "a table", "an enum".
    fn kind_name(self) -> &'static str {
        match self {
            Symbol::Table(_) => "a table",
            Symbol::Struct(_) => "a struct",
            Symbol::Enum(_) => "an enum",
            Symbol::Union(_) => "a union",
            Symbol::Service => "an rpc_service",
        }
    }
}

pub(crate) struct Resolver<'a> {
    sources: &'a SourceMap,
    reporter: &'a mut Reporter,
    symbols: HashMap<String, (Symbol, Span)>,
    declared_attrs: HashSet<String>,
}

fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn qualified(namespace: &[String], name: &str) -> QualifiedName {
    QualifiedName {
        namespace: namespace.to_vec(),
        name: name.to_string(),
    }
}

/// Resolves every declaration of `files` into a schema. Problems go to `reporter`; the
/// schema returned is only meaningful when none were reported.
pub(crate) fn resolve(
    files: Vec<LoadedFile>,
    sources: SourceMap,
    reporter: &mut Reporter,
) -> Schema {
    let mut r = Resolver {
        sources: &sources,
        reporter,
        symbols: HashMap::new(),
        declared_attrs: HashSet::new(),
    };
    let mut tables = Vec::new();
    let mut structs = Vec::new();
    let mut enums = Vec::new();
    let mut unions = Vec::new();
    let mut services = Vec::new();
    let mut root_types = Vec::new();
    let mut file_identifier = None;
    let mut file_extension = None;
    let mut native_includes = Vec::new();

    for loaded in files {
        native_includes.extend(loaded.parsed.native_includes.into_iter().map(|i| i.path));
        for decl in loaded.parsed.decls {
            match decl {
                Decl::Object(obj) => {
                    let is_table = obj.kind == super::ast::ObjectKind::Table;
                    let symbol = if is_table {
                        Symbol::Table(TableId(index_u32(tables.len())))
                    } else {
                        Symbol::Struct(StructId(index_u32(structs.len())))
                    };
                    r.define(&obj.namespace, &obj.name, obj.span, symbol);
                    if is_table {
                        tables.push(obj);
                    } else {
                        structs.push(obj);
                    }
                }
                Decl::Enum(e) => {
                    let symbol = Symbol::Enum(EnumId(index_u32(enums.len())));
                    r.define(&e.namespace, &e.name, e.span, symbol);
                    enums.push(e);
                }
                Decl::Union(u) => {
                    let symbol = Symbol::Union(UnionId(index_u32(unions.len())));
                    r.define(&u.namespace, &u.name, u.span, symbol);
                    unions.push(u);
                }
                Decl::Service(s) => {
                    r.define(&s.namespace, &s.name, s.span, Symbol::Service);
                    services.push(s);
                }
                Decl::Attribute(name, span) => {
                    if KNOWN_ATTRIBUTES.contains(&name.as_str()) {
                        // flatc accepts redeclaring a built-in attribute; so does weftbuf.
                        let _ = span;
                    }
                    r.declared_attrs.insert(name);
                }
                Decl::RootType { path, namespace } if loaded.is_root => {
                    root_types.push((path, namespace));
                }
                Decl::RootType { .. } => {}
                Decl::FileIdentifier(id, span) if loaded.is_root => {
                    file_identifier = Some((id, span))
                }
                Decl::FileExtension(ext, _) if loaded.is_root => file_extension = Some(ext),
                Decl::FileIdentifier(..) | Decl::FileExtension(..) => {}
            }
        }
    }

    let enums: Vec<EnumDef> = enums.iter().map(|e| r.enum_def(e)).collect();
    let unions: Vec<UnionDef> = unions.iter().map(|u| r.union_def(u)).collect();
    let structs: Vec<StructDef> = structs.iter().map(|s| r.struct_def(s, &enums)).collect();
    r.check_struct_cycles(&structs);
    let tables: Vec<TableDef> = tables.iter().map(|t| r.table_def(t, &enums)).collect();
    let services: Vec<ServiceDef> = services.iter().map(|s| r.service_def(s)).collect();

    let root_table =
        root_types
            .last()
            .and_then(|(path, namespace)| match r.lookup(path, namespace) {
                Some(Symbol::Table(id)) => Some(id),
                Some(other) => {
                    r.error(
                        path.span,
                        format!(
                            "root_type must be a table; `{}` is {}",
                            path.dotted(),
                            other.kind_name()
                        ),
                    );
                    None
                }
                None => {
                    r.unknown_type(path);
                    None
                }
            });
    let file_identifier =
        file_identifier.and_then(|(id, span)| match <[u8; 4]>::try_from(id.as_bytes()) {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                r.error(
                    span,
                    format!(
                        "file_identifier must be exactly 4 bytes; \"{id}\" has {}",
                        id.len()
                    ),
                );
                None
            }
        });
    let mut declared_attributes: Vec<String> = r.declared_attrs.iter().cloned().collect();
    declared_attributes.sort();

    Schema {
        sources,
        enums,
        unions,
        structs,
        tables,
        services,
        root_table,
        file_identifier,
        file_extension,
        declared_attributes,
        native_includes,
    }
}

impl Resolver<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.reporter.error(self.sources, span, message);
    }

    fn position(&self, span: Span) -> String {
        let pos = self.sources.line_col(span);
        format!(
            "{}:{}:{}",
            self.sources.path(span.file).display(),
            pos.line,
            pos.col
        )
    }

    fn define(&mut self, namespace: &[String], name: &str, span: Span, symbol: Symbol) {
        let full = qualified(namespace, name).dotted();
        if let Some(&(previous, previous_span)) = self.symbols.get(&full) {
            let at = self.position(previous_span);
            self.error(
                span,
                format!(
                    "`{full}` is already defined (as {} at {at})",
                    previous.kind_name()
                ),
            );
            return;
        }
        self.symbols.insert(full, (symbol, span));
    }

    /// Looks `path` up from `scope` outwards: `A.B.C` then `A.B`, `A`, and the root.
    pub(crate) fn lookup(&self, path: &Path, scope: &[String]) -> Option<Symbol> {
        let dotted = path.dotted();
        (0..=scope.len()).rev().find_map(|depth| {
            let candidate = match scope.get(..depth) {
                Some(prefix) if !prefix.is_empty() => format!("{}.{dotted}", prefix.join(".")),
                _ => dotted.clone(),
            };
            self.symbols.get(&candidate).map(|&(symbol, _)| symbol)
        })
    }

    fn unknown_type(&mut self, path: &Path) {
        let name = path.dotted();
        let hint = match self.closest_name(&name) {
            Some(candidate) => format!(" (did you mean `{candidate}`?)"),
            None => String::new(),
        };
        self.error(path.span, format!("unknown type `{name}`{hint}"));
    }

    /// The defined type most like `name` ([`crate::suggest::closest`]).
    fn closest_name(&self, name: &str) -> Option<String> {
        let types = self
            .symbols
            .iter()
            .filter(|(_, (symbol, _))| *symbol != Symbol::Service)
            .map(|(full, _)| full.as_str());
        crate::suggest::closest(name, types).map(str::to_string)
    }

    /// Converts attributes, reporting any that is neither built in nor declared.
    fn attrs(&mut self, attrs: &[AstAttr]) -> Vec<Attribute> {
        let mut out = Vec::with_capacity(attrs.len());
        let mut seen = HashSet::new();
        for attr in attrs {
            if !KNOWN_ATTRIBUTES.contains(&attr.name.as_str())
                && !self.declared_attrs.contains(&attr.name)
            {
                self.error(
                    attr.span,
                    format!(
                        "attribute `{0}` is not declared; add `attribute \"{0}\";` to the schema",
                        attr.name
                    ),
                );
            }
            if !seen.insert(attr.name.as_str()) {
                self.error(
                    attr.span,
                    format!("attribute `{}` is given twice", attr.name),
                );
            }
            let value = attr.value.as_ref().map(|v| match &v.kind {
                AstValueKind::Number(t) | AstValueKind::Ident(t) | AstValueKind::Str(t) => {
                    t.clone()
                }
                AstValueKind::EmptyList => "[]".into(),
            });
            // The whole `name: value`, so errors about the value underline it too.
            let span = attr
                .value
                .as_ref()
                .map_or(attr.span, |v| attr.span.to(v.span));
            out.push(Attribute {
                name: attr.name.clone(),
                value,
                span,
            });
        }
        out
    }

    /// An attribute's value as a non-negative integer no larger than `max`.
    fn attr_uint(&mut self, attr: &Attribute, max: u64) -> Option<u64> {
        let parsed = attr.value.as_deref().and_then(parse_number);
        match parsed {
            Some(Number::Int(v)) if v >= 0 && v <= i128::from(max) => u64::try_from(v).ok(),
            _ => {
                self.error(
                    attr.span,
                    format!(
                        "attribute `{}` needs an integer value from 0 to {max}",
                        attr.name
                    ),
                );
                None
            }
        }
    }

    fn info(
        &mut self,
        namespace: &[String],
        name: &str,
        doc: &[String],
        attrs: &[AstAttr],
        span: Span,
    ) -> DefInfo {
        DefInfo {
            name: qualified(namespace, name),
            doc: doc.to_vec(),
            attrs: self.attrs(attrs),
            span,
        }
    }

    fn service_def(&mut self, ast: &super::ast::AstService) -> ServiceDef {
        let info = self.info(&ast.namespace, &ast.name, &ast.doc, &ast.attrs, ast.span);
        let mut methods = Vec::new();
        let mut names = HashSet::new();
        for m in &ast.methods {
            if !names.insert(m.name.as_str()) {
                self.error(
                    m.span,
                    format!("method `{}` is declared twice in `{}`", m.name, ast.name),
                );
            }
            let attrs = self.attrs(&m.attrs);
            let streaming = match find_attr(&attrs, "streaming") {
                None => Streaming::None,
                Some(a) => match a.value.as_deref() {
                    Some("none") => Streaming::None,
                    Some("client") => Streaming::Client,
                    Some("server") => Streaming::Server,
                    Some("bidi") => Streaming::Bidi,
                    _ => {
                        self.error(
                            a.span,
                            "`streaming` must be \"none\", \"client\", \"server\" or \"bidi\"",
                        );
                        Streaming::None
                    }
                },
            };
            let request = self.method_table(&m.request, &ast.namespace, "request");
            let response = self.method_table(&m.response, &ast.namespace, "response");
            methods.push(Method {
                name: m.name.clone(),
                request: request.unwrap_or(TableId(0)),
                response: response.unwrap_or(TableId(0)),
                streaming,
                idempotent: find_attr(&attrs, "idempotent").is_some(),
                doc: m.doc.clone(),
                attrs,
                span: m.span,
            });
        }
        ServiceDef { info, methods }
    }

    fn method_table(&mut self, path: &Path, scope: &[String], role: &str) -> Option<TableId> {
        match self.lookup(path, scope) {
            Some(Symbol::Table(id)) => Some(id),
            Some(other) => {
                self.error(
                    path.span,
                    format!(
                        "a method's {role} must be a table; `{}` is {}",
                        path.dotted(),
                        other.kind_name()
                    ),
                );
                None
            }
            None => {
                self.unknown_type(path);
                None
            }
        }
    }
}
