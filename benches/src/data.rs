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

/// The `minecraft_savedata` dataset: player save files (`minecraft_savedata.fbs`).
pub mod minecraft_savedata {
    use super::{Dataset, Rng, Sum};

    /// The dataset's marker.
    #[derive(Debug, Clone, Copy)]
    pub struct MinecraftSavedata;

    impl Dataset for MinecraftSavedata {
        const NAME: &'static str = "minecraft_savedata";
        const COUNT: usize = 500;
        type Data = Vec<Player>;
        type Sum = u64;

        fn generate(count: usize, seed: u64) -> Vec<Player> {
            let mut rng = Rng::new(seed);
            (0..count).map(|_| Player::generate(&mut rng)).collect()
        }

        fn checksum(data: &Vec<Player>) -> u64 {
            let mut sum = Sum::default();
            for p in data {
                p.sum(&mut sum);
            }
            sum.0
        }

        /// Every player's score becomes 0.
        fn update(data: &mut Vec<Player>) {
            for p in data {
                p.score = 0;
            }
        }
    }

    /// `minecraft_savedata.GameType`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize)]
    #[repr(u8)]
    pub enum GameType {
        /// Survival.
        Survival,
        /// Creative.
        Creative,
        /// Adventure.
        Adventure,
        /// Spectator.
        Spectator,
    }

    impl GameType {
        const ALL: [GameType; 4] = [
            GameType::Survival,
            GameType::Creative,
            GameType::Adventure,
            GameType::Spectator,
        ];

        fn generate(rng: &mut Rng) -> GameType {
            *rng.pick(&Self::ALL)
        }
    }

    /// An inventory slot (`minecraft_savedata.Item`).
    #[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Item {
        /// How many.
        pub count: i8,
        /// The slot.
        pub slot: u8,
        /// What.
        pub id: String,
    }

    impl Item {
        fn generate(rng: &mut Rng) -> Item {
            const IDS: &[&str] = &[
                "dirt",
                "stone",
                "pickaxe",
                "sand",
                "gravel",
                "shovel",
                "chestplate",
                "steak",
            ];
            Item {
                count: rng.next_u64() as i8,
                slot: rng.next_u64() as u8,
                id: rng.pick_string(IDS),
            }
        }

        /// Adds every field to `sum`.
        pub fn sum(&self, sum: &mut Sum) {
            sum.int(i64::from(self.count));
            sum.add(u64::from(self.slot));
            sum.str(&self.id);
        }
    }

    /// What a player may do (`minecraft_savedata.Abilities`, a struct).
    #[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Abilities {
        /// Walking speed.
        pub walk_speed: f32,
        /// Flying speed.
        pub fly_speed: f32,
        /// May fly.
        pub may_fly: bool,
        /// Flies.
        pub flying: bool,
        /// Cannot be hurt.
        pub invulnerable: bool,
        /// May build.
        pub may_build: bool,
        /// Builds instantly.
        pub instabuild: bool,
    }

    impl Abilities {
        fn generate(rng: &mut Rng) -> Abilities {
            Abilities {
                walk_speed: rng.f32(),
                fly_speed: rng.f32(),
                may_fly: rng.coin(),
                flying: rng.coin(),
                invulnerable: rng.coin(),
                may_build: rng.coin(),
                instabuild: rng.coin(),
            }
        }

        /// Adds every field to `sum`.
        pub fn sum(&self, sum: &mut Sum) {
            sum.f32(self.walk_speed);
            sum.f32(self.fly_speed);
            sum.bool(self.may_fly);
            sum.bool(self.flying);
            sum.bool(self.invulnerable);
            sum.bool(self.may_build);
            sum.bool(self.instabuild);
        }
    }

    /// `minecraft_savedata.Vector2f`.
    #[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Vector2f {
        /// x.
        pub x: f32,
        /// y.
        pub y: f32,
    }

    /// `minecraft_savedata.Vector3d`.
    #[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Vector3d {
        /// x.
        pub x: f64,
        /// y.
        pub y: f64,
        /// z.
        pub z: f64,
    }

    impl Vector3d {
        fn generate(rng: &mut Rng) -> Vector3d {
            Vector3d {
                x: rng.f64(),
                y: rng.f64(),
                z: rng.f64(),
            }
        }

        /// Adds every field to `sum`.
        pub fn sum(&self, sum: &mut Sum) {
            sum.f64(self.x);
            sum.f64(self.y);
            sum.f64(self.z);
        }
    }

    /// `minecraft_savedata.Uuid`: four `u32`.
    #[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Uuid {
        /// Bits 0-31.
        pub x0: u32,
        /// Bits 32-63.
        pub x1: u32,
        /// Bits 64-95.
        pub x2: u32,
        /// Bits 96-127.
        pub x3: u32,
    }

    impl Uuid {
        fn generate(rng: &mut Rng) -> Uuid {
            Uuid {
                x0: rng.next_u64() as u32,
                x1: rng.next_u64() as u32,
                x2: rng.next_u64() as u32,
                x3: rng.next_u64() as u32,
            }
        }

        /// Adds every field to `sum`.
        pub fn sum(&self, sum: &mut Sum) {
            for x in [self.x0, self.x1, self.x2, self.x3] {
                sum.add(u64::from(x));
            }
        }
    }

    /// A mob or a mount (`minecraft_savedata.Entity`).
    #[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Entity {
        /// The kind.
        pub id: String,
        /// Position.
        pub pos: Vector3d,
        /// Velocity.
        pub motion: Vector3d,
        /// Yaw and pitch.
        pub rotation: Vector2f,
        /// How far it has fallen.
        pub fall_distance: f32,
        /// Ticks of fire left.
        pub fire: u16,
        /// Air left.
        pub air: u16,
        /// On the ground.
        pub on_ground: bool,
        /// Ignores gravity.
        pub no_gravity: bool,
        /// Cannot be hurt.
        pub invulnerable: bool,
        /// Ticks before it may use a portal again.
        pub portal_cooldown: i32,
        /// Its identity.
        pub uuid: Uuid,
        /// Its name tag, if any.
        pub custom_name: Option<String>,
        /// The name tag shows.
        pub custom_name_visible: bool,
        /// Makes no sound.
        pub silent: bool,
        /// Glows.
        pub glowing: bool,
    }

    impl Entity {
        fn generate(rng: &mut Rng) -> Entity {
            const IDS: &[&str] = &[
                "cow", "sheep", "zombie", "skeleton", "spider", "creeper", "parrot", "bee",
            ];
            const CUSTOM_NAMES: &[&str] = &[
                "rainbow", "princess", "steve", "johnny", "missy", "coward", "fairy", "howard",
            ];
            Entity {
                id: rng.pick_string(IDS),
                pos: Vector3d::generate(rng),
                motion: Vector3d::generate(rng),
                rotation: Vector2f {
                    x: rng.f32(),
                    y: rng.f32(),
                },
                fall_distance: rng.f32(),
                fire: rng.next_u64() as u16,
                air: rng.next_u64() as u16,
                on_ground: rng.coin(),
                no_gravity: rng.coin(),
                invulnerable: rng.coin(),
                portal_cooldown: rng.next_u64() as i32,
                uuid: Uuid::generate(rng),
                custom_name: rng.maybe(|rng| rng.pick_string(CUSTOM_NAMES)),
                custom_name_visible: rng.coin(),
                silent: rng.coin(),
                glowing: rng.coin(),
            }
        }

        /// Adds every field to `sum`.
        pub fn sum(&self, sum: &mut Sum) {
            sum.str(&self.id);
            self.pos.sum(sum);
            self.motion.sum(sum);
            sum.f32(self.rotation.x);
            sum.f32(self.rotation.y);
            sum.f32(self.fall_distance);
            sum.add(u64::from(self.fire));
            sum.add(u64::from(self.air));
            sum.bool(self.on_ground);
            sum.bool(self.no_gravity);
            sum.bool(self.invulnerable);
            sum.int(i64::from(self.portal_cooldown));
            self.uuid.sum(sum);
            sum.opt_str(self.custom_name.as_deref());
            sum.bool(self.custom_name_visible);
            sum.bool(self.silent);
            sum.bool(self.glowing);
        }
    }

    /// Known recipes (`minecraft_savedata.RecipeBook`).
    #[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct RecipeBook {
        /// Every recipe known.
        pub recipes: Vec<String>,
        /// The recipes still to show.
        pub to_be_displayed: Vec<String>,
        /// Filter: craftable only.
        pub is_filtering_craftable: bool,
        /// The book is open.
        pub is_gui_open: bool,
        /// Furnace filter: craftable only.
        pub is_furnace_filtering_craftable: bool,
        /// The furnace book is open.
        pub is_furnace_gui_open: bool,
        /// Blast furnace filter: craftable only.
        pub is_blasting_furnace_filtering_craftable: bool,
        /// The blast furnace book is open.
        pub is_blasting_furnace_gui_open: bool,
        /// Smoker filter: craftable only.
        pub is_smoker_filtering_craftable: bool,
        /// The smoker book is open.
        pub is_smoker_gui_open: bool,
    }

    impl RecipeBook {
        fn generate(rng: &mut Rng) -> RecipeBook {
            const RECIPES: &[&str] = &[
                "pickaxe",
                "torch",
                "bow",
                "crafting table",
                "furnace",
                "shears",
                "arrow",
                "tnt",
            ];
            const MAX_RECIPES: u64 = 30;
            const MAX_DISPLAYED_RECIPES: u64 = 10;
            let recipes = rng.below(MAX_RECIPES);
            let recipes = (0..recipes).map(|_| rng.pick_string(RECIPES)).collect();
            let displayed = rng.below(MAX_DISPLAYED_RECIPES);
            let to_be_displayed = (0..displayed).map(|_| rng.pick_string(RECIPES)).collect();
            RecipeBook {
                recipes,
                to_be_displayed,
                is_filtering_craftable: rng.coin(),
                is_gui_open: rng.coin(),
                is_furnace_filtering_craftable: rng.coin(),
                is_furnace_gui_open: rng.coin(),
                is_blasting_furnace_filtering_craftable: rng.coin(),
                is_blasting_furnace_gui_open: rng.coin(),
                is_smoker_filtering_craftable: rng.coin(),
                is_smoker_gui_open: rng.coin(),
            }
        }

        /// The eight flags, in field order.
        pub fn flags(&self) -> [bool; 8] {
            [
                self.is_filtering_craftable,
                self.is_gui_open,
                self.is_furnace_filtering_craftable,
                self.is_furnace_gui_open,
                self.is_blasting_furnace_filtering_craftable,
                self.is_blasting_furnace_gui_open,
                self.is_smoker_filtering_craftable,
                self.is_smoker_gui_open,
            ]
        }

        /// Adds every field to `sum`.
        pub fn sum(&self, sum: &mut Sum) {
            for r in self.recipes.iter().chain(&self.to_be_displayed) {
                sum.str(r);
            }
            for flag in self.flags() {
                sum.bool(flag);
            }
        }
    }

    /// What a player rides (`minecraft_savedata.Vehicle`).
    #[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Vehicle {
        /// The vehicle's UUID (`param_0` to `param_3`).
        pub param: [u32; 4],
        /// The vehicle.
        pub entity: Entity,
    }

    /// One player's save file (`minecraft_savedata.Player`).
    #[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Player {
        /// Game mode.
        pub game_type: GameType,
        /// The game mode before.
        pub previous_game_type: GameType,
        /// Score.
        pub score: i64,
        /// Where the player is.
        pub dimension: String,
        /// The hotbar slot in hand.
        pub selected_item_slot: u32,
        /// The item in hand.
        pub selected_item: Item,
        /// The dimension of the spawn point, if set.
        pub spawn_dimension: Option<String>,
        /// Spawn x.
        pub spawn_x: i64,
        /// Spawn y.
        pub spawn_y: i64,
        /// Spawn z.
        pub spawn_z: i64,
        /// The spawn point is forced; FlatBuffers stores `None` as `false`.
        pub spawn_forced: Option<bool>,
        /// Sleep timer.
        pub sleep_timer: u16,
        /// Food exhaustion.
        pub food_exhaustion_level: f32,
        /// Food saturation.
        pub food_saturation_level: f32,
        /// Food timer.
        pub food_tick_timer: u32,
        /// Experience level.
        pub xp_level: u32,
        /// Progress to the next level.
        pub xp_p: f32,
        /// Total experience.
        pub xp_total: i32,
        /// Enchantment seed.
        pub xp_seed: i32,
        /// Inventory.
        pub inventory: Vec<Item>,
        /// Ender chest.
        pub ender_items: Vec<Item>,
        /// Abilities.
        pub abilities: Abilities,
        /// Where the player last entered the nether.
        pub entered_nether_position: Option<Vector3d>,
        /// What the player rides.
        pub root_vehicle: Option<Vehicle>,
        /// The parrot on the left shoulder.
        pub shoulder_entity_left: Option<Entity>,
        /// The parrot on the right shoulder.
        pub shoulder_entity_right: Option<Entity>,
        /// Has seen the credits.
        pub seen_credits: bool,
        /// Recipes.
        pub recipe_book: RecipeBook,
    }

    impl Player {
        fn generate(rng: &mut Rng) -> Player {
            const DIMENSIONS: &[&str] = &["overworld", "nether", "end"];
            const MAX_ITEMS: u64 = 40;
            const MAX_ENDER_ITEMS: u64 = 27;
            Player {
                game_type: GameType::generate(rng),
                previous_game_type: GameType::generate(rng),
                score: rng.next_u64() as i64,
                dimension: rng.pick_string(DIMENSIONS),
                selected_item_slot: rng.next_u64() as u32,
                selected_item: Item::generate(rng),
                spawn_dimension: rng.maybe(|rng| rng.pick_string(DIMENSIONS)),
                spawn_x: rng.next_u64() as i64,
                spawn_y: rng.next_u64() as i64,
                spawn_z: rng.next_u64() as i64,
                spawn_forced: rng.maybe(Rng::coin),
                sleep_timer: rng.next_u64() as u16,
                food_exhaustion_level: rng.f32(),
                food_saturation_level: rng.f32(),
                food_tick_timer: rng.next_u64() as u32,
                xp_level: rng.next_u64() as u32,
                xp_p: rng.f32(),
                xp_total: rng.next_u64() as i32,
                xp_seed: rng.next_u64() as i32,
                inventory: {
                    let n = rng.below(MAX_ITEMS);
                    (0..n).map(|_| Item::generate(rng)).collect()
                },
                ender_items: {
                    let n = rng.below(MAX_ENDER_ITEMS);
                    (0..n).map(|_| Item::generate(rng)).collect()
                },
                abilities: Abilities::generate(rng),
                entered_nether_position: rng.maybe(Vector3d::generate),
                root_vehicle: rng.maybe(|rng| Vehicle {
                    param: [
                        rng.next_u64() as u32,
                        rng.next_u64() as u32,
                        rng.next_u64() as u32,
                        rng.next_u64() as u32,
                    ],
                    entity: Entity::generate(rng),
                }),
                shoulder_entity_left: rng.maybe(Entity::generate),
                shoulder_entity_right: rng.maybe(Entity::generate),
                seen_credits: rng.coin(),
                recipe_book: RecipeBook::generate(rng),
            }
        }

        /// Adds every field to `sum`: absent options add nothing, present ones 1 plus their
        /// fields; `spawn_forced` adds as `unwrap_or(false)` (FlatBuffers cannot tell).
        pub fn sum(&self, sum: &mut Sum) {
            sum.add(self.game_type as u64);
            sum.add(self.previous_game_type as u64);
            sum.int(self.score);
            sum.str(&self.dimension);
            sum.add(u64::from(self.selected_item_slot));
            self.selected_item.sum(sum);
            sum.opt_str(self.spawn_dimension.as_deref());
            sum.int(self.spawn_x);
            sum.int(self.spawn_y);
            sum.int(self.spawn_z);
            sum.bool(self.spawn_forced.unwrap_or(false));
            sum.add(u64::from(self.sleep_timer));
            sum.f32(self.food_exhaustion_level);
            sum.f32(self.food_saturation_level);
            sum.add(u64::from(self.food_tick_timer));
            sum.add(u64::from(self.xp_level));
            sum.f32(self.xp_p);
            sum.int(i64::from(self.xp_total));
            sum.int(i64::from(self.xp_seed));
            for item in self.inventory.iter().chain(&self.ender_items) {
                item.sum(sum);
            }
            self.abilities.sum(sum);
            if let Some(p) = &self.entered_nether_position {
                sum.add(1);
                p.sum(sum);
            }
            if let Some(v) = &self.root_vehicle {
                sum.add(1);
                for x in v.param {
                    sum.add(u64::from(x));
                }
                v.entity.sum(sum);
            }
            for e in [&self.shoulder_entity_left, &self.shoulder_entity_right]
                .into_iter()
                .flatten()
            {
                sum.add(1);
                e.sum(sum);
            }
            sum.bool(self.seen_credits);
            self.recipe_book.sum(sum);
        }
    }
}

/// The `mk48` dataset: game state updates of mk48.io (`mk48.fbs`).
pub mod mk48 {
    use super::{Dataset, Rng, Sum};

    /// The dataset's marker.
    #[derive(Debug, Clone, Copy)]
    pub struct Mk48;

    impl Dataset for Mk48 {
        const NAME: &'static str = "mk48";
        const COUNT: usize = 1_000;
        type Data = Vec<Update>;
        type Sum = u64;

        fn generate(count: usize, seed: u64) -> Vec<Update> {
            let mut rng = Rng::new(seed);
            (0..count).map(|_| Update::generate(&mut rng)).collect()
        }

        fn checksum(data: &Vec<Update>) -> u64 {
            let mut sum = Sum::default();
            for u in data {
                u.sum(&mut sum);
            }
            sum.0
        }

        /// Every update's score becomes 0.
        fn update(data: &mut Vec<Update>) {
            for u in data {
                u.score = 0;
            }
        }
    }

    /// `mk48.EntityType`: a ship class.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize)]
    #[repr(u8)]
    #[allow(missing_docs, reason = "ship classes")]
    pub enum EntityType {
        ArleighBurke,
        Bismarck,
        Clemenceau,
        Fletcher,
        G5,
        Iowa,
        Kolkata,
        Osa,
        Yasen,
        Zubr,
    }

    impl EntityType {
        /// Every class, with its relative frequency (per 100), its turret and weapon counts.
        const ALL: [(EntityType, u64, usize, usize); 10] = [
            (EntityType::ArleighBurke, 214, 1, 20),
            (EntityType::Bismarck, 52, 4, 10),
            (EntityType::Clemenceau, 97, 4, 16),
            (EntityType::Fletcher, 146, 4, 18),
            (EntityType::G5, 1316, 0, 2),
            (EntityType::Iowa, 155, 3, 28),
            (EntityType::Kolkata, 83, 1, 15),
            (EntityType::Osa, 725, 2, 6),
            (EntityType::Yasen, 406, 0, 14),
            (EntityType::Zubr, 1292, 3, 11),
        ];

        fn generate(rng: &mut Rng) -> (EntityType, usize, usize) {
            let total: u64 = Self::ALL.iter().map(|c| c.1).sum();
            let mut at = rng.below(total);
            for (ty, weight, turrets, weapons) in Self::ALL {
                if at < weight {
                    return (ty, turrets, weapons);
                }
                at -= weight;
            }
            (EntityType::Zubr, 3, 11)
        }
    }

    /// `mk48.Vector2f`.
    #[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Vector2f {
        /// x.
        pub x: f32,
        /// y.
        pub y: f32,
    }

    /// Where a contact is and how it moves (`mk48.Transform`, a struct).
    #[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Transform {
        /// Altitude (negative: submerged).
        pub altitude: i8,
        /// Heading.
        pub angle: u16,
        /// Position.
        pub position: Vector2f,
        /// Speed.
        pub velocity: i16,
    }

    /// Where a contact is steered (`mk48.Guidance`, a struct).
    #[derive(Debug, Clone, Copy, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Guidance {
        /// Heading.
        pub angle: u16,
        /// Dives.
        pub submerge: bool,
        /// Speed.
        pub velocity: i16,
    }

    /// A ship in sight (`mk48.Contact`).
    #[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Contact {
        /// Damage.
        pub damage: u8,
        /// Entity id.
        pub entity_id: u32,
        /// Class, when visible; FlatBuffers stores `None` as the default, `ArleighBurke`.
        pub entity_type: Option<EntityType>,
        /// Steering.
        pub guidance: Guidance,
        /// Owner, when visible; FlatBuffers stores `None` as 0.
        pub player_id: Option<u16>,
        /// Which weapons are loaded.
        pub reloads: Vec<bool>,
        /// Position and motion.
        pub transform: Transform,
        /// Turret headings.
        pub turret_angles: Vec<u16>,
    }

    fn submerge(rng: &mut Rng, ty: EntityType) -> bool {
        ty == EntityType::Yasen && rng.chance(0.9)
    }

    fn velocity(rng: &mut Rng) -> i16 {
        const MIN_SPEED: i64 = 140;
        const MAX_SPEED: i64 = 900;
        const REVERSE_SLOW: i64 = 4;
        (match rng.below(100) {
            0..=79 => rng.range(MIN_SPEED, MAX_SPEED),
            80..=89 => 0,
            _ => rng.range(-MAX_SPEED / REVERSE_SLOW, -MIN_SPEED / REVERSE_SLOW),
        }) as i16
    }

    impl Contact {
        fn generate(rng: &mut Rng, player_count: u16) -> Contact {
            const RANGE: f32 = 750.0;
            let entity_count = u64::from(player_count) * 20;
            let (ty, turrets, weapons) = EntityType::generate(rng);
            let visible = rng.chance(0.7);
            let damage = if visible && rng.chance(0.6) {
                0
            } else {
                rng.below(200) as u8
            };
            let entity_id = rng.below(entity_count) as u32;
            let guidance = Guidance {
                angle: rng.next_u64() as u16,
                submerge: submerge(rng, ty),
                velocity: velocity(rng),
            };
            let player_id = visible.then(|| rng.below(u64::from(player_count)) as u16);
            let reloads = if visible {
                let p = rng.f64();
                (0..weapons).map(|_| rng.chance(p)).collect()
            } else {
                Vec::new()
            };
            let transform = Transform {
                altitude: if submerge(rng, ty) {
                    rng.range(-120, -35) as i8
                } else {
                    0
                },
                angle: rng.next_u64() as u16,
                position: Vector2f {
                    x: rng.f32_in(-RANGE, RANGE),
                    y: rng.f32_in(-RANGE, RANGE),
                },
                velocity: velocity(rng),
            };
            let turret_angles = if visible {
                let base = rng.next_u64() as u16;
                (0..turrets)
                    .map(|_| {
                        if rng.chance(0.75) {
                            (base as i16).wrapping_add(rng.range(-200, 200) as i16) as u16
                        } else {
                            rng.next_u64() as u16
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Contact {
                damage,
                entity_id,
                entity_type: visible.then_some(ty),
                guidance,
                player_id,
                reloads,
                transform,
                turret_angles,
            }
        }

        /// Adds every field to `sum`; an absent entity type or player id adds 0, as the
        /// FlatBuffers default reads.
        pub fn sum(&self, sum: &mut Sum) {
            sum.add(u64::from(self.damage));
            sum.add(u64::from(self.entity_id));
            sum.add(self.entity_type.map_or(0, |t| t as u64));
            sum.add(u64::from(self.guidance.angle));
            sum.bool(self.guidance.submerge);
            sum.int(i64::from(self.guidance.velocity));
            sum.add(self.player_id.map_or(0, u64::from));
            for &r in &self.reloads {
                sum.bool(r);
            }
            sum.int(i64::from(self.transform.altitude));
            sum.add(u64::from(self.transform.angle));
            sum.f32(self.transform.position.x);
            sum.f32(self.transform.position.y);
            sum.int(i64::from(self.transform.velocity));
            for &a in &self.turret_angles {
                sum.add(u64::from(a));
            }
        }
    }

    /// A chunk of terrain that changed (`mk48.TerrainUpdate`).
    #[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct TerrainUpdate {
        /// The chunk (`mk48.ChunkId`: x, y).
        pub chunk_id: (i8, i8),
        /// The chunk's new data.
        pub data: Vec<u8>,
    }

    impl TerrainUpdate {
        fn generate(rng: &mut Rng, radius: i8) -> TerrainUpdate {
            let new = rng.chance(0.02);
            let radius = i64::from(radius);
            let chunk_id = (
                rng.range(-radius, radius) as i8,
                rng.range(-radius, radius) as i8,
            );
            let len = if new {
                rng.range(900, 1100)
            } else {
                rng.range(3, 9)
            };
            TerrainUpdate {
                chunk_id,
                data: (0..len).map(|_| rng.next_u64() as u8).collect(),
            }
        }

        /// Adds every field to `sum`.
        pub fn sum(&self, sum: &mut Sum) {
            sum.int(i64::from(self.chunk_id.0));
            sum.int(i64::from(self.chunk_id.1));
            sum.bytes(&self.data);
        }
    }

    /// One update sent to a player (`mk48.Update`).
    #[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize)]
    pub struct Update {
        /// The ships in sight.
        pub contacts: Vec<Contact>,
        /// The player's score.
        pub score: u32,
        /// The world's radius.
        pub world_radius: f32,
        /// Terrain that changed.
        pub terrain_updates: Vec<TerrainUpdate>,
    }

    impl Update {
        fn generate(rng: &mut Rng) -> Update {
            let player_count = rng.range(200, 400) as u16;
            let world_radius = (f32::from(player_count) * 15000.0).sqrt() + rng.f32_in(-50.0, 50.0);
            let terrain_radius = (world_radius / 1600.0).ceil() as i8;
            let contacts = rng.range(20, 40);
            let contacts = (0..contacts)
                .map(|_| Contact::generate(rng, player_count))
                .collect();
            let score = (rng.f32().powi(4) * 5000.0) as u32 + rng.below(50) as u32;
            let terrain = rng.range(3, 10);
            let terrain_updates = (0..terrain)
                .map(|_| TerrainUpdate::generate(rng, terrain_radius))
                .collect();
            Update {
                contacts,
                score,
                world_radius,
                terrain_updates,
            }
        }

        /// Adds every field to `sum`.
        pub fn sum(&self, sum: &mut Sum) {
            for c in &self.contacts {
                c.sum(sum);
            }
            sum.add(u64::from(self.score));
            sum.f32(self.world_radius);
            for t in &self.terrain_updates {
                t.sum(sum);
            }
        }
    }
}
