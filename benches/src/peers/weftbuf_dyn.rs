//! weftbuf's dynamic (reflection) API on `log` and `mesh`: the rows measured before typed
//! generated code existed, kept for comparison.
//!
//! The schema is the corpus `.fbs`, compiled at run time; `encode` walks a dynamic `Value`
//! (built from the plain structs when the peer is created, not measured) and the views look
//! every field up in the `Layout`, returning a `Field` per read. [`Variant`] picks one row:
//!
//! - `weftbuf-dyn`: serialize with `encode_into` into a reused slice (`Builder::in_slice`);
//!   access is `verify` (`Limits::default()`) and the root view; read is that, then every field
//!   through the views (`field_at`, `VectorView::iter`).
//! - `weftbuf-dyn-alloc`: serialize with `encode`, into a fresh growable buffer each time.
//! - `weftbuf-dyn-slice` (mesh): read the triangles as one `&[[f32; 12]]`
//!   (`VectorView::as_slice`) after `verify`.
//! - `weftbuf-dyn-fb`: weftbuf's FlatBuffers reader (`verify_flatbuffer`, no size prefix,
//!   `Limits::default()`, then the same views) on the very bytes the FlatBuffers peer builds.
//! - `memcpy`: access is a copy of the `weftbuf-dyn` message into a preallocated buffer, the
//!   floor of any pass over the message.

use std::cell::RefCell;
use std::hint::black_box;

use flatbuffers::FlatBufferBuilder;
use weftbuf::flatbuffers::{Framing, verify_flatbuffer};
use weftbuf::layout::Layout;
use weftbuf::message::{
    Builder, Field, Limits, Reader, Scalar, TableView, Value, Verified, encode, encode_into, verify,
};
use weftbuf::schema::{Compiler, NamedType, Schema, TableId};

use super::{Op, Peer};
use crate::data::{Log, LogEntry, Mesh, Triangle, Vec3};
use crate::{Error, corpus_dir};

/// A compiled schema, its layout and the root table of one dataset.
pub struct Compiled {
    /// The schema.
    pub schema: Schema,
    /// Its layout.
    pub layout: Layout,
    /// The root table type.
    pub root: TableId,
}

impl Compiled {
    /// Compiles `file` (in [`corpus_dir`]) and finds the table `root`.
    pub fn load(file: &str, root: &str) -> Result<Compiled, Error> {
        let path = corpus_dir().join(file);
        let schema = Compiler::new()
            .compile(&[path.as_path()])
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let layout = Layout::new(&schema).map_err(|e| format!("{}: {e:?}", path.display()))?;
        let Some(NamedType::Table(root)) = schema.find_type(root) else {
            return Err(format!("{}: no table `{root}`", path.display()).into());
        };
        Ok(Compiled {
            schema,
            layout,
            root,
        })
    }

    /// The index of field `name` of table `table`.
    pub fn field(&self, table: TableId, name: &str) -> Result<usize, Error> {
        let def = self.schema.table_def(table);
        def.fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| format!("`{}` has no field `{name}`", def.info.name.dotted()).into())
    }

    /// The table that field `name` of `table` holds (directly or as vector elements).
    pub fn child_table(&self, table: TableId, name: &str) -> Result<TableId, Error> {
        use weftbuf::schema::{BaseType, Type};
        let index = self.field(table, name)?;
        match self.schema.table_def(table).fields[index].ty {
            Type::Base(BaseType::Table(t)) | Type::Vector(BaseType::Table(t)) => Ok(t),
            _ => Err(format!("field `{name}` does not hold a table").into()),
        }
    }

    /// Verifies `bytes` and returns the root table's view.
    pub fn root_view<'a>(&'a self, bytes: &'a [u8]) -> Result<TableView<'a>, Error> {
        let verified = verify(
            &self.schema,
            &self.layout,
            self.root,
            bytes,
            &Limits::default(),
        )?;
        Ok(Reader::new(&self.schema, &self.layout, verified).root(self.root)?)
    }

    /// Verifies `bytes` as a FlatBuffers buffer with weftbuf's FlatBuffers verifier (no size
    /// prefix, `Limits::default()`).
    pub fn verify_flatbuffer<'a>(&self, bytes: &'a [u8]) -> Result<Verified<'a>, Error> {
        Ok(verify_flatbuffer(
            &self.schema,
            &self.layout,
            self.root,
            bytes,
            Framing::default(),
            &Limits::default(),
        )?)
    }

    /// Verifies `bytes` as a FlatBuffers buffer (as [`Compiled::verify_flatbuffer`]) and
    /// returns the root table's view: the same views as on a weftbuf message.
    pub fn flatbuffer_root_view<'a>(&'a self, bytes: &'a [u8]) -> Result<TableView<'a>, Error> {
        let verified = self.verify_flatbuffer(bytes)?;
        Ok(Reader::new(&self.schema, &self.layout, verified).root(self.root)?)
    }
}

fn unexpected(what: &str, found: &Field<'_>) -> Error {
    format!("expected {what}, found {found:?}").into()
}

fn uint(field: Field<'_>) -> Result<u64, Error> {
    match field {
        Field::Scalar(Scalar::UInt(v)) => Ok(v),
        other => Err(unexpected("an unsigned integer", &other)),
    }
}

fn float(field: Field<'_>) -> Result<f64, Error> {
    match field {
        Field::Scalar(Scalar::Float(v)) => Ok(v),
        other => Err(unexpected("a float", &other)),
    }
}

fn string_len(field: Field<'_>) -> Result<u64, Error> {
    match field {
        Field::String(s) => Ok(s.len() as u64),
        other => Err(unexpected("a string", &other)),
    }
}

/// `log` through the dynamic API: the compiled schema and the field indices the reader uses.
pub struct LogWeft {
    /// Schema, layout, root (`log.Logs`).
    pub compiled: Compiled,
    log: TableId,
    logs: usize,
    address: usize,
    strings: [usize; 4],
    code: usize,
    size: usize,
    field_count: usize,
}

impl LogWeft {
    /// Compiles the schema and looks every field up once.
    pub fn new() -> Result<LogWeft, Error> {
        let compiled = Compiled::load("log.fbs", "log.Logs")?;
        let log = compiled.child_table(compiled.root, "logs")?;
        let field = |name| compiled.field(log, name);
        Ok(LogWeft {
            logs: compiled.field(compiled.root, "logs")?,
            address: field("address")?,
            strings: [
                field("identity")?,
                field("userid")?,
                field("date")?,
                field("request")?,
            ],
            code: field("code")?,
            size: field("size")?,
            field_count: compiled.schema.table_def(log).fields.len(),
            log,
            compiled,
        })
    }

    /// The entries as a dynamic value of `log.Logs`, ready to encode.
    pub fn value(&self, entries: &[LogEntry]) -> Value {
        let items = entries
            .iter()
            .map(|e| {
                let mut fields = vec![None; self.field_count];
                let address = e.address.iter().map(|&b| byte(b)).collect();
                fields[self.address] = Some(Value::Struct(address));
                for (index, s) in self.strings.iter().zip(e.strings()) {
                    fields[*index] = Some(Value::String(s.to_string()));
                }
                fields[self.code] = Some(Value::Scalar(Scalar::UInt(u64::from(e.code))));
                fields[self.size] = Some(Value::Scalar(Scalar::UInt(e.size)));
                Value::Table(fields)
            })
            .collect();
        let mut root = vec![
            None;
            self.compiled
                .schema
                .table_def(self.compiled.root)
                .fields
                .len()
        ];
        root[self.logs] = Some(Value::Vector(items));
        Value::Table(root)
    }

    /// Verifies `bytes` and reads every field of every entry through the dynamic views;
    /// returns the checksum of [`LogEntry::checksum`].
    pub fn read(&self, bytes: &[u8]) -> Result<u64, Error> {
        self.read_root(self.compiled.root_view(bytes)?)
    }

    /// Verifies the FlatBuffers buffer `bytes` with weftbuf's FlatBuffers verifier and
    /// reads it through the same views as [`LogWeft::read`]: the same checksum.
    pub fn read_flatbuffer(&self, bytes: &[u8]) -> Result<u64, Error> {
        self.read_root(self.compiled.flatbuffer_root_view(bytes)?)
    }

    /// Every field of every entry under the root view, summed.
    fn read_root(&self, root: TableView<'_>) -> Result<u64, Error> {
        let logs = match root.field_at(self.logs)? {
            Field::Vector(v) => v,
            other => return Err(unexpected("a vector", &other)),
        };
        let mut sum = 0u64;
        for item in logs.iter() {
            let log = match item? {
                Field::Table(t) if t.table_id() == self.log => t,
                other => return Err(unexpected("a `log.Log`", &other)),
            };
            let address = match log.field_at(self.address)? {
                Field::Struct(s) => s,
                other => return Err(unexpected("an address", &other)),
            };
            for i in 0..4 {
                sum = sum.wrapping_add(uint(address.field_at(i)?)?);
            }
            for &index in &self.strings {
                sum = sum.wrapping_add(string_len(log.field_at(index)?)?);
            }
            sum = sum.wrapping_add(uint(log.field_at(self.code)?)?);
            sum = sum.wrapping_add(uint(log.field_at(self.size)?)?);
        }
        Ok(sum)
    }
}

fn byte(b: u8) -> Value {
    Value::Scalar(Scalar::UInt(u64::from(b)))
}

/// `mesh` through the dynamic API: the compiled schema and the field index of `triangles`.
pub struct MeshWeft {
    /// Schema, layout, root (`mesh.Mesh`).
    pub compiled: Compiled,
    triangles: usize,
}

fn vec3(v: &Vec3) -> Value {
    let f = |x: f32| Value::Scalar(Scalar::Float(f64::from(x)));
    Value::Struct(vec![f(v.x), f(v.y), f(v.z)])
}

impl MeshWeft {
    /// Compiles the schema.
    pub fn new() -> Result<MeshWeft, Error> {
        let compiled = Compiled::load("mesh.fbs", "mesh.Mesh")?;
        Ok(MeshWeft {
            triangles: compiled.field(compiled.root, "triangles")?,
            compiled,
        })
    }

    /// The triangles as a dynamic value of `mesh.Mesh`, ready to encode.
    pub fn value(&self, triangles: &[Triangle]) -> Value {
        let items = triangles
            .iter()
            .map(|t| Value::Struct(t.vertices().iter().map(vec3).collect()))
            .collect();
        let mut root = vec![
            None;
            self.compiled
                .schema
                .table_def(self.compiled.root)
                .fields
                .len()
        ];
        root[self.triangles] = Some(Value::Vector(items));
        Value::Table(root)
    }

    /// Verifies `bytes` and reads every float of every triangle through the dynamic views
    /// (a struct view per triangle and per vertex, a field read per float); returns the
    /// checksum of [`crate::data::mesh_checksum`].
    pub fn read(&self, bytes: &[u8]) -> Result<f64, Error> {
        self.read_root(self.compiled.root_view(bytes)?)
    }

    /// Verifies the FlatBuffers buffer `bytes` with weftbuf's FlatBuffers verifier and
    /// reads it through the same views as [`MeshWeft::read`]: the same checksum.
    pub fn read_flatbuffer(&self, bytes: &[u8]) -> Result<f64, Error> {
        self.read_root(self.compiled.flatbuffer_root_view(bytes)?)
    }

    /// Every float of every triangle under the root view, summed.
    fn read_root(&self, root: TableView<'_>) -> Result<f64, Error> {
        let triangles = match root.field_at(self.triangles)? {
            Field::Vector(v) => v,
            other => return Err(unexpected("a vector", &other)),
        };
        let mut sum = 0f64;
        for item in triangles.iter() {
            let triangle = match item? {
                Field::Struct(s) => s,
                other => return Err(unexpected("a triangle", &other)),
            };
            for v in 0..4 {
                let vertex = match triangle.field_at(v)? {
                    Field::Struct(s) => s,
                    other => return Err(unexpected("a vertex", &other)),
                };
                for c in 0..3 {
                    sum += float(vertex.field_at(c)?)?;
                }
            }
        }
        Ok(sum)
    }

    /// Verifies `bytes` and reads the triangles as one typed slice (`VectorView::as_slice`,
    /// zero-copy): the same checksum as [`MeshWeft::read`].
    pub fn read_slice(&self, bytes: &[u8]) -> Result<f64, Error> {
        let root = self.compiled.root_view(bytes)?;
        let triangles = match root.field_at(self.triangles)? {
            Field::Vector(v) => v,
            other => return Err(unexpected("a vector", &other)),
        };
        let floats = triangles
            .as_slice::<[f32; 12]>()
            .ok_or("the triangles are not a [f32; 12] slice (alignment?)")?;
        let mut sum = 0f64;
        for t in floats {
            for &x in t {
                sum += f64::from(x);
            }
        }
        Ok(sum)
    }
}

/// Which row of the dynamic API a peer measures (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `weftbuf-dyn`: `encode_into` a reused slice; verify and root; read through the views.
    Reused,
    /// `weftbuf-dyn-alloc`: `encode` into a fresh buffer.
    Alloc,
    /// `weftbuf-dyn-slice` (mesh only): verify, then the triangles as one typed slice.
    Slice,
    /// `weftbuf-dyn-fb`: weftbuf's FlatBuffers reader on the FlatBuffers peer's bytes.
    FlatBuffers,
    /// `memcpy`: a copy of the `weftbuf-dyn` message, the floor of access.
    Memcpy,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Reused => "weftbuf-dyn",
            Variant::Alloc => "weftbuf-dyn-alloc",
            Variant::Slice => "weftbuf-dyn-slice",
            Variant::FlatBuffers => "weftbuf-dyn-fb",
            Variant::Memcpy => "memcpy",
        }
    }

    fn ops(self) -> &'static [Op] {
        match self {
            Variant::Reused => &[Op::Serialize, Op::Access, Op::Read],
            Variant::Alloc => &[Op::Serialize],
            Variant::Slice => &[Op::Read],
            Variant::FlatBuffers => &[Op::Access, Op::Read],
            Variant::Memcpy => &[Op::Access],
        }
    }
}

/// The state every variant shares: the dynamic value and the message.
struct Dyn {
    variant: Variant,
    value: Value,
    /// The message the variant reads (`Reused`, `Slice`, `Memcpy`: weftbuf's; `FlatBuffers`:
    /// FlatBuffers'), or the buffer `Reused` encodes into; `len` bytes of it are the message.
    buffer: Vec<u8>,
    len: usize,
    /// `Memcpy`'s destination.
    copy: RefCell<Vec<u8>>,
}

impl Dyn {
    fn new(
        variant: Variant,
        compiled: &Compiled,
        value: Value,
        flat: impl FnOnce(&mut FlatBufferBuilder<'static>) -> Vec<u8>,
    ) -> Result<Dyn, Error> {
        let buffer = match variant {
            Variant::FlatBuffers => flat(&mut FlatBufferBuilder::new()),
            _ => encode(&compiled.schema, &compiled.layout, compiled.root, &value)?,
        };
        let len = buffer.len();
        let copy = RefCell::new(vec![0; if variant == Variant::Memcpy { len } else { 0 }]);
        Ok(Dyn {
            variant,
            value,
            buffer,
            len,
            copy,
        })
    }

    fn message(&self) -> &[u8] {
        &self.buffer[..self.len]
    }

    fn serialize(&mut self, c: &Compiled) -> Result<usize, Error> {
        match self.variant {
            Variant::Reused => {
                let mut builder = Builder::in_slice(&mut self.buffer)?;
                encode_into(&c.schema, &c.layout, c.root, &self.value, &mut builder)?;
                self.len = builder.len();
            }
            Variant::Alloc => {
                self.buffer = encode(&c.schema, &c.layout, c.root, &self.value)?;
                self.len = self.buffer.len();
            }
            _ => return Err(super::unsupported(self.variant.name(), Op::Serialize)),
        }
        Ok(self.len)
    }

    fn access(&self, c: &Compiled) -> Result<(), Error> {
        match self.variant {
            Variant::Reused => {
                black_box(c.root_view(self.message())?);
            }
            Variant::FlatBuffers => {
                black_box(c.flatbuffer_root_view(self.message())?);
            }
            Variant::Memcpy => {
                let mut copy = self.copy.try_borrow_mut()?;
                copy.copy_from_slice(self.message());
                black_box(&mut *copy);
            }
            _ => return Err(super::unsupported(self.variant.name(), Op::Access)),
        }
        Ok(())
    }
}

/// A `log` peer of the dynamic API.
pub struct LogDyn {
    weft: LogWeft,
    state: Dyn,
}

impl LogDyn {
    /// Compiles the schema, builds the dynamic value of `data` and the message `variant` reads.
    pub fn new(data: &[LogEntry], variant: Variant) -> Result<LogDyn, Error> {
        let weft = LogWeft::new()?;
        let value = weft.value(data);
        let state = Dyn::new(variant, &weft.compiled, value, |fbb| {
            super::fb::log_build(fbb, data).to_vec()
        })?;
        Ok(LogDyn { weft, state })
    }
}

impl Peer<Log> for LogDyn {
    fn name(&self) -> &'static str {
        self.state.variant.name()
    }

    fn ops(&self) -> &'static [Op] {
        self.state.variant.ops()
    }

    fn serialize(&mut self, _data: &Vec<LogEntry>) -> Result<usize, Error> {
        self.state.serialize(&self.weft.compiled)
    }

    fn message(&self) -> Option<&[u8]> {
        Some(self.state.message())
    }

    fn access(&self) -> Result<(), Error> {
        self.state.access(&self.weft.compiled)
    }

    fn read(&self) -> Result<u64, Error> {
        match self.state.variant {
            Variant::Reused => self.weft.read(self.state.message()),
            Variant::FlatBuffers => self.weft.read_flatbuffer(self.state.message()),
            v => Err(super::unsupported(v.name(), Op::Read)),
        }
    }
}

/// A `mesh` peer of the dynamic API.
pub struct MeshDyn {
    weft: MeshWeft,
    state: Dyn,
}

impl MeshDyn {
    /// Compiles the schema, builds the dynamic value of `data` and the message `variant` reads.
    pub fn new(data: &[Triangle], variant: Variant) -> Result<MeshDyn, Error> {
        let weft = MeshWeft::new()?;
        let value = weft.value(data);
        let state = Dyn::new(variant, &weft.compiled, value, |fbb| {
            super::fb::mesh_build(fbb, data).to_vec()
        })?;
        Ok(MeshDyn { weft, state })
    }
}

impl Peer<Mesh> for MeshDyn {
    fn name(&self) -> &'static str {
        self.state.variant.name()
    }

    fn ops(&self) -> &'static [Op] {
        self.state.variant.ops()
    }

    fn serialize(&mut self, _data: &Vec<Triangle>) -> Result<usize, Error> {
        self.state.serialize(&self.weft.compiled)
    }

    fn message(&self) -> Option<&[u8]> {
        Some(self.state.message())
    }

    fn access(&self) -> Result<(), Error> {
        self.state.access(&self.weft.compiled)
    }

    fn read(&self) -> Result<f64, Error> {
        match self.state.variant {
            Variant::Reused => self.weft.read(self.state.message()),
            Variant::Slice => self.weft.read_slice(self.state.message()),
            Variant::FlatBuffers => self.weft.read_flatbuffer(self.state.message()),
            v => Err(super::unsupported(v.name(), Op::Read)),
        }
    }
}
