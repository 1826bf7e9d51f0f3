"""A grpcio client of the storefront's Rust servers: raw bytes in and out, made and checked
by `weftbuf encode` and `weftbuf decode` on the Rust side.

usage: client.py PRICING_ADDR CATALOG_ADDR IN_DIR OUT_DIR
"""

import sys
import pathlib

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def main() -> None:
    pricing_addr, catalog_addr, in_dir, out_dir = sys.argv[1:5]
    inputs, out = pathlib.Path(in_dir), pathlib.Path(out_dir)
    pricing = grpc.insecure_channel(pricing_addr)
    catalog = grpc.insecure_channel(catalog_addr)
    for channel in (pricing, catalog):
        grpc.channel_ready_future(channel).result(timeout=20)

    # The standard health service, as grpcurl or a load balancer asks it.
    health = health_pb2_grpc.HealthStub(pricing)
    lines = []
    for service in ("", "storefront.Pricing"):
        answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        lines.append(f"{service or '(server)'} {health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)}")
    try:
        health.Check(health_pb2.HealthCheckRequest(service="storefront.Nothing"), timeout=5)
        lines.append("storefront.Nothing answered")
    except grpc.RpcError as e:
        lines.append(f"storefront.Nothing {e.code().name}")
    (out / "health.txt").write_text("\n".join(lines) + "\n")

    # Unary calls: raw bytes each way (no serializer), metadata alongside.
    quote = pricing.unary_unary("/storefront.Pricing/Quote")
    for name in ("sale", "vip"):
        request = (inputs / f"quote-{name}.bin").read_bytes()
        answer = quote(request, metadata=[("currency", "EUR")], timeout=5)
        (out / f"quote-{name}.bin").write_bytes(answer)

    # Errors come back as statuses with the server's message.
    statuses = []
    for name, request in (
        ("missing", (inputs / "quote-missing.bin").read_bytes()),
        ("malformed", b"not a message"),
    ):
        try:
            quote(request, timeout=5)
            statuses.append(f"{name} OK")
        except grpc.RpcError as e:
            statuses.append(f"{name} {e.code().name} {e.details()}")
    # And the server keeps serving after them.
    quote((inputs / "quote-sale.bin").read_bytes(), timeout=5)
    (out / "statuses.txt").write_text("\n".join(statuses) + "\n")

    # A server stream: every response in order.
    listing = catalog.unary_stream("/storefront.Catalog/List")
    for i, product in enumerate(listing((inputs / "list.bin").read_bytes(), timeout=5)):
        (out / f"product-{i}.bin").write_bytes(product)

    # A bidi stream: a quote per request, as they go.
    quote_each = pricing.stream_stream("/storefront.Pricing/QuoteEach")
    requests = [(inputs / f"quote-{name}.bin").read_bytes() for name in ("sale", "vip")]
    for i, answer in enumerate(quote_each(iter(requests), timeout=5)):
        (out / f"streamed-{i}.bin").write_bytes(answer)
    print("client done")


if __name__ == "__main__":
    main()
