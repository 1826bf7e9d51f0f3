//! The datasets, generated from a seed: the same data on every run and every machine.
//!
//! Four datasets of the shape of the rust_serialization_benchmark datasets of the same names
//! (`log`: HTTP access log records; `mesh`: a triangle mesh; `minecraft_savedata`: player save
//! files; `mk48`: game state updates), generated here rather than read from anywhere, as plain
//! Rust structs in a `Vec`: the data model every peer serializes, and itself the "plain Rust
//! structs" peer. Each dataset is a [`Dataset`]: its size, its generator, the checksum that a
//! read touching every field computes, and the in-place update that the `update` benchmarks make.

use std::fmt::Debug;

/// One dataset of the benchmarks.
pub trait Dataset: 'static {
    /// The name: the first part of the criterion group names (`log/read`).
    const NAME: &'static str;
    /// How many records the benchmarks use (as rust_serialization_benchmark).
    const COUNT: usize;
    /// The records, as plain Rust structs.
    type Data: Clone;
    /// What a read that touches every field sums up: every peer computes the same.
    type Sum: Copy + PartialEq + Debug;

    /// `count` records from `seed`.
    fn generate(count: usize, seed: u64) -> Self::Data;

    /// The sum a read that touches every field of `data` computes.
    fn checksum(data: &Self::Data) -> Self::Sum;

    /// The update of the `update` benchmarks: one scalar of every record set in place.
    fn update(data: &mut Self::Data);
}

/// A wrapping sum of everything a reader touches: integers (signed ones sign-extended), the bit
/// patterns of floats, booleans as 0 or 1, string lengths. The order does not matter.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sum(pub u64);

impl Sum {
    /// Adds an unsigned integer.
    #[inline]
    pub fn add(&mut self, v: u64) {
        self.0 = self.0.wrapping_add(v);
    }

    /// Adds a signed integer, sign-extended to 64 bits.
    #[inline]
    pub fn int(&mut self, v: i64) {
        self.add(v as u64);
    }

    /// Adds the bit pattern of an `f32`.
    #[inline]
    pub fn f32(&mut self, v: f32) {
        self.add(u64::from(v.to_bits()));
    }

    /// Adds the bit pattern of an `f64`.
    #[inline]
    pub fn f64(&mut self, v: f64) {
        self.add(v.to_bits());
    }

    /// Adds a boolean as 0 or 1.
    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.add(u64::from(v));
    }

    /// Adds the length of a string.
    #[inline]
    pub fn str(&mut self, s: &str) {
        self.add(s.len() as u64);
    }

    /// Adds an optional string: 1 plus its length when present, nothing when absent.
    #[inline]
    pub fn opt_str(&mut self, s: Option<&str>) {
        if let Some(s) = s {
            self.add(1 + s.len() as u64);
        }
    }

    /// Adds every byte.
    #[inline]
    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }
}

/// A small, fast, seeded generator (SplitMix64): enough for test data, not for secrets.
/// A small, fast, seeded generator (SplitMix64): enough for test data, not for secrets.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator that starts from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0; the bias is negligible for the small `n` used here).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A float in `[-1, 1)`.
    pub fn unit(&mut self) -> f32 {
        // 24 random bits: every value is exact in an f32.
        (self.next_u64() >> 40) as f32 / (1u32 << 23) as f32 - 1.0
    }

    /// A float in `[0, 1)`, as `rand`'s `gen::<f32>()`.
    pub fn f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u32 << 24) as f32
    }

    /// A float in `[0, 1)`, as `rand`'s `gen::<f64>()`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A float in `[lo, hi)`.
    pub fn f32_in(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.f32()
    }

    /// An integer in `lo..hi` (lo < hi).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// `true` or `false`, even odds.
    pub fn coin(&mut self) -> bool {
        self.next_u64() >> 63 == 1
    }

    /// `Some(make(self))` or `None`, even odds.
    pub fn maybe<T>(&mut self, make: impl FnOnce(&mut Rng) -> T) -> Option<T> {
        if self.coin() { Some(make(self)) } else { None }
    }

    /// A string, one of `items`.
    pub fn pick_string(&mut self, items: &[&str]) -> String {
        (*self.pick(items)).to_string()
    }
}

/// The `log` dataset: HTTP access log records.
#[derive(Debug, Clone, Copy)]
pub struct Log;

impl Dataset for Log {
    const NAME: &'static str = "log";
    const COUNT: usize = 10_000;
    type Data = Vec<LogEntry>;
    type Sum = u64;

    fn generate(count: usize, seed: u64) -> Vec<LogEntry> {
        log_entries(count, seed)
    }

    fn checksum(data: &Vec<LogEntry>) -> u64 {
        data.iter()
            .fold(0u64, |sum, e| sum.wrapping_add(e.checksum()))
    }

    /// Every record's status code becomes 200.
    fn update(data: &mut Vec<LogEntry>) {
        for e in data {
            e.code = LOG_UPDATED_CODE;
        }
    }
}

/// The status code that the `log` update writes into every record.
pub const LOG_UPDATED_CODE: u16 = 200;

/// One HTTP access log record (`log.Log`).
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
pub struct LogEntry {
    /// The client's IPv4 address.
    pub address: [u8; 4],
    /// The identd identity: `-`, as in nearly every real log.
    pub identity: String,
    /// The authenticated user, or `-`.
    pub userid: String,
    /// `10/Oct/2023:13:55:36 -0700`.
    pub date: String,
    /// `GET /img/logo.svg HTTP/1.1`.
    pub request: String,
    /// The HTTP status.
    pub code: u16,
    /// The response size in bytes.
    pub size: u64,
}

impl LogEntry {
    /// The four strings, in field order.
    pub fn strings(&self) -> [&str; 4] {
        [&self.identity, &self.userid, &self.date, &self.request]
    }

    /// What a reader that touches every field sums up: address bytes, string lengths, code
    /// and size (wrapping).
    pub fn checksum(&self) -> u64 {
        let address: u64 = self.address.iter().map(|&b| u64::from(b)).sum();
        let strings: u64 = self.strings().iter().map(|s| s.len() as u64).sum();
        address
            .wrapping_add(strings)
            .wrapping_add(u64::from(self.code))
            .wrapping_add(self.size)
    }
}

const USERS: &[&str] = &[
    "-", "-", "-", "alice", "bob", "carol", "dmitri", "erin", "farouk", "grace", "hiroshi",
];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const METHODS: &[&str] = &["GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD"];
const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/favicon.ico",
    "/robots.txt",
    "/css/site.min.css",
    "/js/app.bundle.js",
    "/img/logo.svg",
    "/img/hero-banner.jpg",
    "/api/v1/session",
    "/api/v1/orders?page=2",
    "/blog/2023/10/zero-copy-serialization",
];
const PROTOCOLS: &[&str] = &["HTTP/1.0", "HTTP/1.1", "HTTP/1.1", "HTTP/2.0"];
const CODES: &[u16] = &[
    200, 200, 200, 200, 201, 204, 206, 301, 302, 304, 304, 400, 401, 403, 404, 404, 405, 408, 410,
    413, 429, 500, 502, 503, 504,
];

/// `count` access log records from `seed`.
pub fn log_entries(count: usize, seed: u64) -> Vec<LogEntry> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let address = rng.next_u64().to_le_bytes();
            let zone = rng.below(25) as i64 - 12;
            let date = format!(
                "{:02}/{}/{}:{:02}:{:02}:{:02} {}{:02}00",
                1 + rng.below(28),
                rng.pick(MONTHS),
                2000 + rng.below(26),
                rng.below(24),
                rng.below(60),
                rng.below(60),
                if zone < 0 { '-' } else { '+' },
                zone.abs(),
            );
            let request = format!(
                "{} {} {}",
                rng.pick(METHODS),
                rng.pick(PATHS),
                rng.pick(PROTOCOLS)
            );
            LogEntry {
                address: [address[0], address[1], address[2], address[3]],
                identity: "-".to_string(),
                userid: rng.pick(USERS).to_string(),
                date,
                request,
                code: *rng.pick(CODES),
                size: rng.below(100_000_000),
            }
        })
        .collect()
}

/// The `mesh` dataset: the triangles of a mesh.
#[derive(Debug, Clone, Copy)]
pub struct Mesh;

impl Dataset for Mesh {
    const NAME: &'static str = "mesh";
    const COUNT: usize = 125_000;
    type Data = Vec<Triangle>;
    type Sum = f64;

    fn generate(count: usize, seed: u64) -> Vec<Triangle> {
        mesh_triangles(count, seed)
    }

    fn checksum(data: &Vec<Triangle>) -> f64 {
        mesh_checksum(data)
    }

    /// Every triangle's `normal.x` becomes 0.
    fn update(data: &mut Vec<Triangle>) {
        for t in data {
            t.normal.x = 0.0;
        }
    }
}

/// A point or direction (`mesh.Vector3`).
#[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
pub struct Vec3 {
    /// x.
    pub x: f32,
    /// y.
    pub y: f32,
    /// z.
    pub z: f32,
}

/// A triangle and its unit normal (`mesh.Triangle`).
#[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
pub struct Triangle {
    /// First vertex.
    pub v0: Vec3,
    /// Second vertex.
    pub v1: Vec3,
    /// Third vertex.
    pub v2: Vec3,
    /// The normal.
    pub normal: Vec3,
}

impl Triangle {
    /// The four vectors, in field order.
    pub fn vertices(&self) -> [Vec3; 4] {
        [self.v0, self.v1, self.v2, self.normal]
    }
}

/// What a reader that touches every float sums up, in field order, as one running f64 sum
/// (so every reader that reads in order gets exactly this value).
pub fn mesh_checksum(triangles: &[Triangle]) -> f64 {
    let mut sum = 0f64;
    for t in triangles {
        for v in t.vertices() {
            sum += f64::from(v.x);
            sum += f64::from(v.y);
            sum += f64::from(v.z);
        }
    }
    sum
}

/// `count` random triangles in the cube `[-1, 1)^3`, each with its unit normal.
pub fn mesh_triangles(count: usize, seed: u64) -> Vec<Triangle> {
    let mut rng = Rng::new(seed);
    let mut point = || Vec3 {
        x: rng.unit(),
        y: rng.unit(),
        z: rng.unit(),
    };
    (0..count)
        .map(|_| {
            let (v0, v1, v2) = (point(), point(), point());
            let (a, b) = (sub(v1, v0), sub(v2, v0));
            let n = Vec3 {
                x: a.y * b.z - a.z * b.y,
                y: a.z * b.x - a.x * b.z,
                z: a.x * b.y - a.y * b.x,
            };
            let len = (n.x * n.x + n.y * n.y + n.z * n.z).sqrt();
            let normal = if len > 0.0 {
                Vec3 {
                    x: n.x / len,
                    y: n.y / len,
                    z: n.z / len,
                }
            } else {
                Vec3 {
                    x: 0.0,
                    y: 0.0,
                    z: 1.0,
                }
            };
            Triangle { v0, v1, v2, normal }
        })
        .collect()
}

fn sub(a: Vec3, b: Vec3) -> Vec3 {
    Vec3 {
        x: a.x - b.x,
        y: a.y - b.y,
        z: a.z - b.z,
    }
}

pub mod minecraft_savedata;

pub mod mk48;
