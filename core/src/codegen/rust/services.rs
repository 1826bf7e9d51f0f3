//! Services: the method table, and (with `Options::rpc`) the trait, server and client.

use std::fmt::Write;

use super::*;

impl Gen<'_> {
    /// A service's trait, server and client over `weftbuf-rpc`: unary and server-streaming
    /// methods; a client- or bidi-streaming method is answered `UNIMPLEMENTED`.
    pub(super) fn rpc(&self, s: &crate::schema::ServiceDef) -> String {
        use crate::schema::Streaming;
        let ns = &s.info.name.namespace;
        let name = type_name(&s.info.name.name);
        let dotted = s.info.name.dotted();
        let served: Vec<(usize, &crate::schema::Method)> = s
            .methods
            .iter()
            .enumerate()
            .filter(|(_, m)| matches!(m.streaming, Streaming::None | Streaming::Server))
            .collect();
        let mut o = String::new();
        let _ = writeln!(
            o,
            "/// `{dotted}` as its implementations write it: each method reads its request in place\n/// and writes its response with a builder into memory the transport provides.\npub trait {name}Service: Send + Sync + 'static {{"
        );
        for (_, m) in &served {
            o.push_str(&indent(&doc_or(&m.doc, &format!("`{}`.", m.name)), 1));
            let out = if m.streaming == Streaming::Server {
                "responses: &mut dyn ::weftbuf_rpc::Sink"
            } else {
                "response: &mut rt::Builder<'static>"
            };
            let _ = writeln!(
                o,
                "    fn {}(&self, ctx: &::weftbuf_rpc::Context, request: {}, {out}) -> impl ::core::future::Future<Output = Result<(), ::weftbuf_rpc::Status>> + Send;",
                member(&m.name),
                self.name_of_table(ns, m.request, "<'_>")
            );
        }
        let _ = writeln!(o, "}}\n");
        let _ = writeln!(
            o,
            "/// Serves a `{name}Service` through any transport: verifies each request as its method's\n/// request type (`INVALID_ARGUMENT` otherwise), then calls the method.\npub struct {name}Server<S>(pub S);\n"
        );
        let _ = writeln!(
            o,
            "impl<S: {name}Service> ::weftbuf_rpc::Handler for {name}Server<S> {{\n    fn name(&self) -> &'static str {{\n        <{name} as rt::Service>::NAME\n    }}\n    fn methods(&self) -> &'static [rt::MethodDescriptor] {{\n        <{name} as rt::Service>::METHODS\n    }}"
        );
        for (streaming, out_param, out_arg) in [
            (false, "response: &'a mut rt::Builder<'static>", "response"),
            (true, "sink: &'a mut dyn ::weftbuf_rpc::Sink", "sink"),
        ] {
            let fn_name = if streaming { "stream" } else { "call" };
            let _ = writeln!(
                o,
                "    fn {fn_name}<'a>(&'a self, method: usize, ctx: &'a ::weftbuf_rpc::Context, request: &'a [u8], {out_param}) -> ::weftbuf_rpc::BoxFuture<'a, Result<(), ::weftbuf_rpc::Status>> {{\n        let _ = (&ctx, &request, &{out_arg});\n        match method {{"
            );
            for (i, m) in served
                .iter()
                .filter(|(_, m)| (m.streaming == Streaming::Server) == streaming)
            {
                let _ = writeln!(
                    o,
                    "            {i} => Box::pin(async move {{\n                let request = rt::root::<{}>(request)?;\n                self.0.{}(ctx, request, {out_arg}).await\n            }}),",
                    self.name_of_table(ns, m.request, "<'_>"),
                    member(&m.name)
                );
            }
            let kind = if streaming {
                "as a server stream"
            } else {
                "as a unary call"
            };
            let _ = writeln!(
                o,
                "            _ => Box::pin(async move {{\n                Err(::weftbuf_rpc::Status::unimplemented(format!(\"{dotted}: method {{method}} is not served {kind}\")))\n            }}),\n        }}\n    }}"
            );
        }
        let _ = writeln!(o, "}}\n");
        let _ = writeln!(
            o,
            "/// Calls `{dotted}` through any channel: the same code whatever the boundary.\npub struct {name}Client<C> {{\n    channel: C,\n}}\n\nimpl<C: ::weftbuf_rpc::Channel> {name}Client<C> {{\n    /// A client calling through `channel`.\n    pub fn new(channel: C) -> Self {{\n        {name}Client {{ channel }}\n    }}"
        );
        for (_, m) in &served {
            o.push_str(&indent(&doc_or(&m.doc, &format!("Calls `{}`.", m.name)), 1));
            let response = self.name_of_table(ns, m.response, "T");
            let method = format!("{name}{}", type_name(&m.name));
            if m.streaming == Streaming::Server {
                let _ = writeln!(
                    o,
                    "    pub async fn {}<'a>(&'a self, ctx: ::weftbuf_rpc::Context, request: &'a [u8]) -> Result<::weftbuf_rpc::Responses<'a, {response}>, ::weftbuf_rpc::Status> {{\n        let raw = self.channel.server_streaming(&<{method} as rt::Method>::DESCRIPTOR, ctx, request).await?;\n        Ok(::weftbuf_rpc::Responses::new(raw))\n    }}",
                    member(&m.name)
                );
            } else {
                let _ = writeln!(
                    o,
                    "    pub async fn {}(&self, ctx: ::weftbuf_rpc::Context, request: &[u8]) -> Result<::weftbuf_rpc::Message<{response}>, ::weftbuf_rpc::Status> {{\n        let bytes = self.channel.unary(&<{method} as rt::Method>::DESCRIPTOR, ctx, request).await?;\n        ::weftbuf_rpc::Message::from_bytes(bytes)\n    }}",
                    member(&m.name)
                );
            }
        }
        let _ = writeln!(o, "}}\n");
        o
    }

    pub(super) fn service(&self, s: &crate::schema::ServiceDef) -> String {
        let ns = &s.info.name.namespace;
        let name = type_name(&s.info.name.name);
        let mut o = doc(&s.info.doc);
        let _ = writeln!(
            o,
            "/// The `{}` service: its name and methods.\npub struct {name};\n",
            s.info.name.dotted()
        );
        let mut descs = String::new();
        for m in &s.methods {
            let req = self.layout.table(m.request);
            let resp = self.layout.table(m.response);
            let streaming = match m.streaming {
                crate::schema::Streaming::None => "None",
                crate::schema::Streaming::Client => "Client",
                crate::schema::Streaming::Server => "Server",
                crate::schema::Streaming::Bidi => "Bidi",
            };
            let _ = writeln!(
                descs,
                "rt::MethodDescriptor {{\n    name: {:?},\n    path: {:?},\n    request: {:?},\n    request_tag: 0x{:08x},\n    response: {:?},\n    response_tag: 0x{:08x},\n    streaming: rt::Streaming::{streaming},\n    idempotent: {},\n}}",
                m.name,
                format!("/{}/{}", s.info.name.dotted(), m.name),
                req.name,
                req.tag,
                resp.name,
                resp.tag,
                m.idempotent
            );
        }
        let _ = writeln!(
            o,
            "impl rt::Service for {name} {{\n    const NAME: &'static str = {:?};\n    const METHODS: &'static [rt::MethodDescriptor] = &[",
            s.info.name.dotted()
        );
        for (i, m) in s.methods.iter().enumerate() {
            let _ = i;
            let _ = writeln!(
                o,
                "        <{name}{} as rt::Method>::DESCRIPTOR,",
                type_name(&m.name)
            );
        }
        let _ = writeln!(o, "    ];\n}}\n");
        for (m, d) in s
            .methods
            .iter()
            .zip(descs.split("rt::MethodDescriptor {").skip(1))
        {
            o.push_str(&doc(&m.doc));
            let mn = format!("{name}{}", type_name(&m.name));
            let _ = writeln!(
                o,
                "/// Method `{}` of `{}`.\npub struct {mn};\n",
                m.name,
                s.info.name.dotted()
            );
            let _ = writeln!(
                o,
                "impl rt::Method for {mn} {{\n    type Request<'a> = {};\n    type Response<'a> = {};\n    const DESCRIPTOR: rt::MethodDescriptor = rt::MethodDescriptor {{{}\n}}\n",
                self.name_of_table(ns, m.request, "<'a>"),
                self.name_of_table(ns, m.response, "<'a>"),
                indent(d.trim_end(), 1)
                    .trim_end()
                    .trim_end_matches('}')
                    .trim_end()
                    .to_string()
                    + "\n    };"
            );
        }
        o
    }
}
