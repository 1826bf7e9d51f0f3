//! The datasets, generated from a seed: the same bytes on every run and every machine.
//!
//! They have the shape of the rust_serialization_benchmark datasets of the same names (`log`:
//! HTTP access log records; `mesh`: a triangle mesh), generated here rather than read from
//! anywhere.

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
}

/// One HTTP access log record (`log.Log`).
#[derive(Debug, Clone, PartialEq)]
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

/// A point or direction (`mesh.Vector3`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vec3 {
    /// x.
    pub x: f32,
    /// y.
    pub y: f32,
    /// z.
    pub z: f32,
}

/// A triangle and its unit normal (`mesh.Triangle`).
#[derive(Debug, Clone, Copy, PartialEq)]
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
