//! Services: the method table (`<Service>Descriptor`) and one type per method.

use super::names::type_name;
use super::{Printer, Writer};
use crate::codegen::model::{Method, Service};
use crate::schema::Streaming;

impl Printer<'_> {
    pub(super) fn service(&self, s: &Service) -> String {
        let ns = &s.name.namespace;
        let name = type_name(&s.name.name);
        let descriptor = descriptor_name(s);
        let dotted = s.name.dotted();
        let mut w = Writer::new();
        w.doc(&s.doc);
        w.line(format!(
            "/// The `{dotted}` service: its name and methods.\npub struct {descriptor};\n"
        ));
        w.block(format!("impl rt::Service for {descriptor}"), |w| {
            w.line(format!("const NAME: &'static str = {dotted:?};"));
            w.line("const METHODS: &'static [rt::MethodDescriptor] = &[");
            w.indented(|w| {
                for m in &s.methods {
                    w.line(format!(
                        "<{name}{} as rt::Method>::DESCRIPTOR,",
                        type_name(&m.name)
                    ));
                }
            });
            w.line("];");
        });
        w.blank();
        for m in &s.methods {
            let method = format!("{name}{}", type_name(&m.name));
            w.doc(&m.doc);
            w.line(format!(
                "/// Method `{}` of `{dotted}`.\npub struct {method};\n",
                m.name
            ));
            w.block(format!("impl rt::Method for {method}"), |w| {
                w.line(format!(
                    "type Request<'a> = {};\ntype Response<'a> = {};",
                    self.table_path(ns, m.request, "<'a>"),
                    self.table_path(ns, m.response, "<'a>")
                ));
                self.method_descriptor(w, m);
            });
            w.blank();
        }
        w.finish()
    }

    /// `const DESCRIPTOR`: the method's names, path, tags and streaming kind.
    fn method_descriptor(&self, w: &mut Writer, m: &Method) {
        let (request, response) = (self.model.table(m.request), self.model.table(m.response));
        let streaming = match m.streaming {
            Streaming::None => "None",
            Streaming::Client => "Client",
            Streaming::Server => "Server",
            Streaming::Bidi => "Bidi",
        };
        w.block_then(
            "const DESCRIPTOR: rt::MethodDescriptor = rt::MethodDescriptor",
            ";",
            |w| {
                w.line(format!(
                    "name: {:?},\npath: {:?},\nrequest: {:?},\nrequest_tag: 0x{:08x},\nresponse: {:?},\nresponse_tag: 0x{:08x},\nstreaming: rt::Streaming::{streaming},\nidempotent: {},",
                    m.name,
                    m.path,
                    request.name.dotted(),
                    request.tag,
                    response.name.dotted(),
                    response.tag,
                    m.idempotent
                ));
            },
        );
    }
}

/// The name of service `s`'s method table: `<Service>Descriptor`, so that the service's own
/// name stays free for the type that implements it (`struct Greeter; impl GreeterService for
/// Greeter`); `<Service>ServiceDescriptor` when a method's type would take that name.
pub(super) fn descriptor_name(s: &Service) -> String {
    let name = type_name(&s.name.name);
    if s.methods.iter().any(|m| type_name(&m.name) == "Descriptor") {
        format!("{name}ServiceDescriptor")
    } else {
        format!("{name}Descriptor")
    }
}
