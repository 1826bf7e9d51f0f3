# The `mesh` dataset (mesh.fbs of rust_serialization_benchmark) in Cap'n Proto: a triangle is a
# struct of data only (its four `Vector3` are groups, inline, as FlatBuffers structs are), so the
# list of triangles is one block of 48-byte elements, like FlatBuffers' vector of structs.
@0xa28541bdf1fcd009;

struct Triangle {
  v0 :group {
    x @0 :Float32;
    y @1 :Float32;
    z @2 :Float32;
  }
  v1 :group {
    x @3 :Float32;
    y @4 :Float32;
    z @5 :Float32;
  }
  v2 :group {
    x @6 :Float32;
    y @7 :Float32;
    z @8 :Float32;
  }
  normal :group {
    x @9 :Float32;
    y @10 :Float32;
    z @11 :Float32;
  }
}

struct Mesh {
  triangles @0 :List(Triangle);
}
