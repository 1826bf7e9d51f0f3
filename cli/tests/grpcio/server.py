"""A grpcio server of the storefront's methods, answering raw bytes made by `weftbuf encode`,
for the Rust client to call. What it receives is written out for `weftbuf decode`.

usage: server.py IN_DIR OUT_DIR   (prints "port N" once listening)

The `mode` metadata picks the behaviour of Quote: `fail` answers NOT_FOUND, `slow` sleeps
past any short deadline; otherwise the `currency` metadata is recorded and quote.bin sent.
"""

import sys
import time
import pathlib
import itertools
from concurrent import futures

import grpc


def main() -> None:
    inputs, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    calls = itertools.count()

    def quote(request: bytes, context: grpc.ServicerContext) -> bytes:
        metadata = dict(context.invocation_metadata())
        (out / f"request-{next(calls)}.bin").write_bytes(request)
        mode = metadata.get("mode", "")
        if mode == "fail":
            context.abort(grpc.StatusCode.NOT_FOUND, "no price for you")
        if mode == "slow":
            time.sleep(3)
        (out / "currency.txt").write_text(metadata.get("currency", ""))
        return (inputs / "quote.bin").read_bytes()

    def listing(request: bytes, context: grpc.ServicerContext):
        (out / "list-request.bin").write_bytes(request)
        for i in range(2):
            yield (inputs / f"product-{i}.bin").read_bytes()

    def quote_each(requests, context: grpc.ServicerContext):
        for request in requests:
            (out / f"streamed-request-{next(calls)}.bin").write_bytes(request)
            yield (inputs / "quote.bin").read_bytes()

    # No (de)serializers: the handlers see and answer the messages' bytes.
    handlers = [
        grpc.method_handlers_generic_handler(
            "storefront.Pricing",
            {
                "Quote": grpc.unary_unary_rpc_method_handler(quote),
                "QuoteEach": grpc.stream_stream_rpc_method_handler(quote_each),
            },
        ),
        grpc.method_handlers_generic_handler(
            "storefront.Catalog",
            {"List": grpc.unary_stream_rpc_method_handler(listing)},
        ),
    ]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=handlers)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"port {port}", flush=True)
    # Until the test kills this process, or stdin closes.
    sys.stdin.read()
    server.stop(0)


if __name__ == "__main__":
    main()
