//! Services over `weftbuf-rpc` (with `Options::rpc`): the trait an implementation writes,
//! the server that calls it, and async and blocking clients.

use std::fmt::Write;

use super::names::{member, type_name};
use super::services::descriptor_name;
use super::{Printer, Writer};
use crate::codegen::model::Service;
use crate::schema::Streaming;

/// `///` lines for `doc` (or `fallback`), indented `depth` levels.
fn doc_at(depth: usize, doc: &[String], fallback: &str) -> String {
    let mut w = Writer::new();
    w.doc_or(doc, fallback);
    let pad = "    ".repeat(depth);
    w.finish().lines().map(|l| format!("{pad}{l}\n")).collect()
}

impl Printer<'_> {
    /// A service's trait, server and client over `weftbuf-rpc`: unary, server-, client- and
    /// bidi-streaming methods.
    pub(super) fn rpc(&self, s: &Service) -> String {
        let ns = &s.name.namespace;
        let name = type_name(&s.name.name);
        let descriptor = descriptor_name(s);
        let dotted = s.name.dotted();
        let mut o = String::new();
        let _ = writeln!(
            o,
            "/// `{dotted}` as its implementations write it: each method reads its requests in place\n/// and writes its responses with a builder into memory the transport provides.\npub trait {name}Service: Send + Sync + 'static {{"
        );
        for m in &s.methods {
            o.push_str(&doc_at(1, &m.doc, &format!("`{}`.", m.name)));
            let input = match m.streaming {
                Streaming::None | Streaming::Server => {
                    format!("request: {}", self.table_path(ns, m.request, "<'_>"))
                }
                Streaming::Client | Streaming::Bidi => format!(
                    "requests: &mut ::weftbuf_rpc::Requests<'_, {}>",
                    self.table_path(ns, m.request, "T")
                ),
            };
            let output = match m.streaming {
                Streaming::None | Streaming::Client => "response: &mut rt::Builder<'static>",
                Streaming::Server | Streaming::Bidi => "responses: &mut dyn ::weftbuf_rpc::Sink",
            };
            let _ = writeln!(
                o,
                "    fn {}(&self, ctx: &::weftbuf_rpc::Context, {input}, {output}) -> impl ::core::future::Future<Output = Result<(), ::weftbuf_rpc::Status>> + Send;",
                member(&m.name),
            );
        }
        let _ = writeln!(o, "}}\n");
        let _ = writeln!(
            o,
            "/// Serves a `{name}Service` through any transport: verifies each request as its method's\n/// request type (`INVALID_ARGUMENT` otherwise), then calls the method.\npub struct {name}Server<S>(pub S);\n"
        );
        let _ = writeln!(
            o,
            "impl<S: {name}Service> ::weftbuf_rpc::Handler for {name}Server<S> {{\n    fn name(&self) -> &'static str {{\n        <{descriptor} as rt::Service>::NAME\n    }}\n    fn methods(&self) -> &'static [rt::MethodDescriptor] {{\n        <{descriptor} as rt::Service>::METHODS\n    }}"
        );
        self.rpc_handler_fns(&mut o, s);
        let _ = writeln!(o, "}}\n");
        let _ = writeln!(
            o,
            "/// Calls `{dotted}` through any channel: the same code whatever the boundary.\npub struct {name}Client<C> {{\n    channel: C,\n}}\n\nimpl<C: ::weftbuf_rpc::Channel> {name}Client<C> {{\n    /// A client calling through `channel`.\n    pub fn new(channel: C) -> Self {{\n        {name}Client {{ channel }}\n    }}"
        );
        for m in &s.methods {
            o.push_str(&doc_at(1, &m.doc, &format!("Calls `{}`.", m.name)));
            let response = self.table_path(ns, m.response, "T");
            let descriptor = format!("&<{name}{} as rt::Method>::DESCRIPTOR", type_name(&m.name));
            let f = member(&m.name);
            let _ = match m.streaming {
                Streaming::None => writeln!(
                    o,
                    "    pub async fn {f}(&self, ctx: ::weftbuf_rpc::Context, request: &[u8]) -> Result<::weftbuf_rpc::Message<{response}>, ::weftbuf_rpc::Status> {{\n        let bytes = self.channel.unary({descriptor}, ctx, request).await?;\n        ::weftbuf_rpc::Message::from_payload(bytes)\n    }}\n    /// The same call, its request written by `build` where the transport wants it (in a\n    /// shared-memory slot: the request is never copied).\n    pub async fn {f}_with(&self, ctx: ::weftbuf_rpc::Context, build: impl FnOnce(&mut rt::Builder<'_>) -> Result<(), rt::BuildError> + Send) -> Result<::weftbuf_rpc::Message<{response}>, ::weftbuf_rpc::Status> {{\n        let bytes = self.channel.unary_built({descriptor}, ctx, Box::new(build)).await?;\n        ::weftbuf_rpc::Message::from_payload(bytes)\n    }}"
                ),
                Streaming::Server => writeln!(
                    o,
                    "    pub async fn {f}<'a>(&'a self, ctx: ::weftbuf_rpc::Context, request: &'a [u8]) -> Result<::weftbuf_rpc::Responses<'a, {response}>, ::weftbuf_rpc::Status> {{\n        let raw = self.channel.server_streaming({descriptor}, ctx, request).await?;\n        Ok(::weftbuf_rpc::Responses::new(raw))\n    }}"
                ),
                Streaming::Client => writeln!(
                    o,
                    "    pub async fn {f}(&self, ctx: ::weftbuf_rpc::Context) -> Result<::weftbuf_rpc::ClientStream<'_, {response}>, ::weftbuf_rpc::Status> {{\n        let (sender, raw) = self.channel.duplex({descriptor}, ctx).await?;\n        Ok(::weftbuf_rpc::ClientStream::new(sender, ::weftbuf_rpc::Responses::new(raw)))\n    }}"
                ),
                Streaming::Bidi => writeln!(
                    o,
                    "    pub async fn {f}(&self, ctx: ::weftbuf_rpc::Context) -> Result<(::weftbuf_rpc::Sender, ::weftbuf_rpc::Responses<'_, {response}>), ::weftbuf_rpc::Status> {{\n        let (sender, raw) = self.channel.duplex({descriptor}, ctx).await?;\n        Ok((sender, ::weftbuf_rpc::Responses::new(raw)))\n    }}"
                ),
            };
        }
        let _ = writeln!(o, "}}\n");
        self.rpc_blocking_client(&mut o, s);
        o
    }

    /// A service's blocking client: the async client's methods, each blocking the calling
    /// thread on a runtime of the client's own.
    fn rpc_blocking_client(&self, o: &mut String, s: &Service) {
        let ns = &s.name.namespace;
        let name = type_name(&s.name.name);
        let dotted = s.name.dotted();
        let _ = writeln!(
            o,
            "/// Calls `{dotted}` from code that does not run async: each call blocks the calling thread\n/// until it ends, on the client's runtime.\npub struct {name}BlockingClient<C> {{\n    client: {name}Client<C>,\n    runtime: ::weftbuf_rpc::blocking::Runtime,\n}}\n\nimpl<C: ::weftbuf_rpc::Channel> {name}BlockingClient<C> {{\n    /// A client calling through `channel`, on `runtime`.\n    pub fn new(channel: C, runtime: ::weftbuf_rpc::blocking::Runtime) -> Self {{\n        {name}BlockingClient {{ client: {name}Client::new(channel), runtime }}\n    }}"
        );
        for m in &s.methods {
            o.push_str(&doc_at(1, &m.doc, &format!("Calls `{}`.", m.name)));
            let response = self.table_path(ns, m.response, "T");
            let f = member(&m.name);
            let _ = match m.streaming {
                Streaming::None => writeln!(
                    o,
                    "    pub fn {f}(&self, ctx: ::weftbuf_rpc::Context, request: &[u8]) -> Result<::weftbuf_rpc::Message<{response}>, ::weftbuf_rpc::Status> {{\n        self.runtime.block_on(self.client.{f}(ctx, request))\n    }}\n    /// The same call, its request written by `build` where the transport wants it.\n    pub fn {f}_with(&self, ctx: ::weftbuf_rpc::Context, build: impl FnOnce(&mut rt::Builder<'_>) -> Result<(), rt::BuildError> + Send) -> Result<::weftbuf_rpc::Message<{response}>, ::weftbuf_rpc::Status> {{\n        self.runtime.block_on(self.client.{f}_with(ctx, build))\n    }}"
                ),
                Streaming::Server => writeln!(
                    o,
                    "    pub fn {f}<'a>(&'a self, ctx: ::weftbuf_rpc::Context, request: &'a [u8]) -> Result<::weftbuf_rpc::blocking::BlockingResponses<'a, {response}>, ::weftbuf_rpc::Status> {{\n        let responses = self.runtime.block_on(self.client.{f}(ctx, request))?;\n        Ok(::weftbuf_rpc::blocking::BlockingResponses::new(&self.runtime, responses))\n    }}"
                ),
                Streaming::Client => writeln!(
                    o,
                    "    pub fn {f}(&self, ctx: ::weftbuf_rpc::Context) -> Result<::weftbuf_rpc::blocking::BlockingClientStream<'_, {response}>, ::weftbuf_rpc::Status> {{\n        let call = self.runtime.block_on(self.client.{f}(ctx))?;\n        Ok(::weftbuf_rpc::blocking::BlockingClientStream::new(&self.runtime, call))\n    }}"
                ),
                Streaming::Bidi => writeln!(
                    o,
                    "    pub fn {f}(&self, ctx: ::weftbuf_rpc::Context) -> Result<(::weftbuf_rpc::blocking::BlockingSender<'_>, ::weftbuf_rpc::blocking::BlockingResponses<'_, {response}>), ::weftbuf_rpc::Status> {{\n        let (sender, responses) = self.runtime.block_on(self.client.{f}(ctx))?;\n        Ok((::weftbuf_rpc::blocking::BlockingSender::new(&self.runtime, sender), ::weftbuf_rpc::blocking::BlockingResponses::new(&self.runtime, responses)))\n    }}"
                ),
            };
        }
        let _ = writeln!(o, "}}\n");
    }

    /// The `Handler` functions of a service's server: `call` (unary), `stream` (server
    /// streaming) and `duplex` (client and bidi streaming), each dispatching on the method's
    /// index to the methods of its kind.
    fn rpc_handler_fns(&self, o: &mut String, s: &Service) {
        let ns = &s.name.namespace;
        let dotted = s.name.dotted();
        let kinds: [(&str, &str, &str, &[Streaming], &str); 3] = [
            (
                "call",
                "request: rt::Bytes<'a>, response: &'a mut rt::Builder<'static>",
                "(&ctx, &request, &response)",
                &[Streaming::None],
                "as a unary call",
            ),
            (
                "stream",
                "request: rt::Bytes<'a>, sink: &'a mut dyn ::weftbuf_rpc::Sink",
                "(&ctx, &request, &sink)",
                &[Streaming::Server],
                "as a server stream",
            ),
            (
                "duplex",
                "requests: &'a mut dyn ::weftbuf_rpc::Source, sink: &'a mut dyn ::weftbuf_rpc::Sink",
                "(&ctx, &requests, &sink)",
                &[Streaming::Client, Streaming::Bidi],
                "with streamed requests",
            ),
        ];
        for (fn_name, params, unused, streaming, kind) in kinds {
            let _ = writeln!(
                o,
                "    fn {fn_name}<'a>(&'a self, method: usize, ctx: &'a ::weftbuf_rpc::Context, {params}) -> ::weftbuf_rpc::BoxFuture<'a, Result<(), ::weftbuf_rpc::Status>> {{\n        let _ = {unused};\n        match method {{"
            );
            for (i, m) in s
                .methods
                .iter()
                .enumerate()
                .filter(|(_, m)| streaming.contains(&m.streaming))
            {
                let f = member(&m.name);
                let body = match m.streaming {
                    Streaming::None => format!(
                        "let request = rt::root_in::<{}>(request, &rt::Limits::default())?;\n                self.0.{f}(ctx, request, response).await",
                        self.table_path(ns, m.request, "<'_>")
                    ),
                    Streaming::Server => format!(
                        "let request = rt::root_in::<{}>(request, &rt::Limits::default())?;\n                self.0.{f}(ctx, request, sink).await",
                        self.table_path(ns, m.request, "<'_>")
                    ),
                    Streaming::Client => format!(
                        "let mut requests = ::weftbuf_rpc::Requests::new(requests);\n                self.0.{f}(ctx, &mut requests, sink.builder()).await?;\n                sink.send().await"
                    ),
                    Streaming::Bidi => format!(
                        "let mut requests = ::weftbuf_rpc::Requests::new(requests);\n                self.0.{f}(ctx, &mut requests, sink).await"
                    ),
                };
                let _ = writeln!(
                    o,
                    "            {i} => Box::pin(async move {{\n                {body}\n            }}),"
                );
            }
            let _ = writeln!(
                o,
                "            _ => Box::pin(async move {{\n                Err(::weftbuf_rpc::Status::unimplemented(format!(\"{dotted}: method {{method}} is not served {kind}\")))\n            }}),\n        }}\n    }}"
            );
        }
    }
}
