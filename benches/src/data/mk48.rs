//! The `mk48` dataset: game state updates of mk48.io (`mk48.fbs`).

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
