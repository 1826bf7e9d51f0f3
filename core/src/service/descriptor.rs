//! The methods of a schema's `rpc_service`s, from the schema and its layout: what a transport
//! needs to route a call (its gRPC path) and check it (its request and response types).

use crate::layout::Layout;
use crate::schema::{Schema, Streaming, TableId};

/// One `rpc_service`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDescriptor {
    /// Its qualified name (`storefront.Catalog`).
    pub name: String,
    /// Its methods, in declared order.
    pub methods: Vec<MethodInfo>,
}

/// One method of a service.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodInfo {
    /// Its name as declared.
    pub name: String,
    /// Its gRPC path: `/` + the service's qualified name + `/` + the method's name.
    pub path: String,
    /// The request table.
    pub request: TableId,
    /// The request table's type tag.
    pub request_tag: u32,
    /// The response table.
    pub response: TableId,
    /// The response table's type tag.
    pub response_tag: u32,
    /// How it streams (the `streaming` attribute).
    pub streaming: Streaming,
    /// Safe to retry (the `idempotent` attribute).
    pub idempotent: bool,
}

/// Every service of `schema`, in declared order.
pub fn services(schema: &Schema, layout: &Layout) -> Vec<ServiceDescriptor> {
    schema
        .services
        .iter()
        .map(|s| {
            let name = s.info.name.dotted();
            let methods = s
                .methods
                .iter()
                .map(|m| MethodInfo {
                    name: m.name.clone(),
                    path: format!("/{name}/{}", m.name),
                    request: m.request,
                    request_tag: layout.table(m.request).tag,
                    response: m.response,
                    response_tag: layout.table(m.response).tag,
                    streaming: m.streaming,
                    idempotent: m.idempotent,
                })
                .collect();
            ServiceDescriptor { name, methods }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Compiler;

    #[test]
    fn methods_get_their_grpc_paths_and_streaming_kinds() {
        let schema = Compiler::new()
            .compile_source(
                "s.fbs",
                "namespace shop; table Q {} table A {}
                 rpc_service Store { Get(Q): A (idempotent); Watch(Q): A (streaming: \"server\"); }",
            )
            .unwrap();
        let layout = Layout::new(&schema).unwrap();
        let found = services(&schema, &layout);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "shop.Store");
        let paths: Vec<&str> = found[0].methods.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(paths, ["/shop.Store/Get", "/shop.Store/Watch"]);
        assert!(found[0].methods[0].idempotent);
        assert_eq!(found[0].methods[1].streaming, Streaming::Server);
        assert_eq!(found[0].methods[0].request_tag, layout.tables[0].tag);
    }
}
