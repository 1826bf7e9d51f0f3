# The `log` dataset (log.fbs of rust_serialization_benchmark) in Cap'n Proto: the FlatBuffers
# struct `Address` is a group (stored inline, as a FlatBuffers struct is), the strings are Text.
@0xabc6ea31aed8445e;

struct Log {
  address :group {
    x0 @0 :UInt8;
    x1 @1 :UInt8;
    x2 @2 :UInt8;
    x3 @3 :UInt8;
  }
  identity @4 :Text;
  userid @5 :Text;
  date @6 :Text;
  request @7 :Text;
  code @8 :UInt16;
  size @9 :UInt64;
}

struct Logs {
  logs @0 :List(Log);
}
