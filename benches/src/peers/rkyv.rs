//! rkyv 0.8: `Archive` and `Serialize` derived on the plain structs of [`crate::data`].
//!
//! Serialize is `rkyv::api::high::to_bytes_in` into an `AlignedVec` reused from one message to
//! the next; access is `rkyv::access::<Archived, rancor::Error>` (bytecheck validates the whole
//! archive up front); a read is that access, then every field of the archived structs; an
//! update is `rkyv::access_mut` (the same validation) and a write through `Seal` and `munge`.

use std::hint::black_box;
use std::mem::take;

use ::rkyv::api::high::{HighSerializer, HighValidator, to_bytes_in};
use ::rkyv::bytecheck::CheckBytes;
use ::rkyv::munge::munge;
use ::rkyv::rancor;
use ::rkyv::seal::Seal;
use ::rkyv::ser::allocator::ArenaHandle;
use ::rkyv::util::AlignedVec;
use ::rkyv::vec::ArchivedVec;
use ::rkyv::{Archive, Archived, Portable, Serialize};

use super::{Op, Peer};
use crate::Error;
use crate::data::minecraft_savedata::{self as mc, MinecraftSavedata};
use crate::data::mk48::{self as mk, Mk48};
use crate::data::{
    ArchivedLogEntry, ArchivedTriangle, ArchivedVec3, Dataset, LOG_UPDATED_CODE, Log, Mesh, Sum,
};

/// The serializer of [`to_bytes_in`] into an [`AlignedVec`].
type Serializer<'a> = HighSerializer<AlignedVec, ArenaHandle<'a>, rancor::Error>;

/// What the rkyv peer needs per dataset: the read and the update of the archived records.
pub trait RkyvDataset: Dataset<Data: Archive + for<'a> Serialize<Serializer<'a>>> {
    /// Touches every field of the archived records.
    fn read(archived: &Archived<Self::Data>) -> Self::Sum;

    /// Makes [`Dataset::update`]'s change in the archived records.
    fn update_archived(archived: Seal<'_, Archived<Self::Data>>);
}

/// The rkyv peer, for any [`RkyvDataset`].
pub struct Rkyv {
    buffer: AlignedVec,
}

impl Rkyv {
    /// A peer with an empty buffer.
    pub fn new() -> Rkyv {
        Rkyv {
            buffer: AlignedVec::new(),
        }
    }
}

impl Default for Rkyv {
    fn default() -> Self {
        Rkyv::new()
    }
}

impl<D: RkyvDataset> Peer<D> for Rkyv
where
    Archived<D::Data>: Portable + for<'a> CheckBytes<HighValidator<'a, rancor::Error>>,
{
    fn name(&self) -> &'static str {
        "rkyv"
    }

    fn ops(&self) -> &'static [Op] {
        &[Op::Serialize, Op::Access, Op::Read, Op::Update]
    }

    fn serialize(&mut self, data: &D::Data) -> Result<usize, Error> {
        let mut buffer = take(&mut self.buffer);
        buffer.clear();
        self.buffer = to_bytes_in::<_, rancor::Error>(data, buffer)?;
        Ok(self.buffer.len())
    }

    fn message(&self) -> Option<&[u8]> {
        Some(&self.buffer)
    }

    fn access(&self) -> Result<(), Error> {
        black_box(::rkyv::access::<Archived<D::Data>, rancor::Error>(
            &self.buffer,
        )?);
        Ok(())
    }

    fn read(&self) -> Result<D::Sum, Error> {
        let archived = ::rkyv::access::<Archived<D::Data>, rancor::Error>(&self.buffer)?;
        Ok(D::read(archived))
    }

    fn update(&mut self) -> Result<(), Error> {
        let archived = ::rkyv::access_mut::<Archived<D::Data>, rancor::Error>(&mut self.buffer)?;
        D::update_archived(archived);
        Ok(())
    }
}

impl RkyvDataset for Log {
    fn read(logs: &ArchivedVec<ArchivedLogEntry>) -> u64 {
        let mut sum = 0u64;
        for log in logs.iter() {
            for &b in &log.address {
                sum = sum.wrapping_add(u64::from(b));
            }
            for s in [&log.identity, &log.userid, &log.date, &log.request] {
                sum = sum.wrapping_add(s.len() as u64);
            }
            sum = sum.wrapping_add(u64::from(log.code.to_native()));
            sum = sum.wrapping_add(log.size.to_native());
        }
        sum
    }

    fn update_archived(logs: Seal<'_, ArchivedVec<ArchivedLogEntry>>) {
        let mut logs = ArchivedVec::as_slice_seal(logs);
        for i in 0..logs.len() {
            munge!(let ArchivedLogEntry { mut code, .. } = logs.as_mut().index(i));
            *code = LOG_UPDATED_CODE.into();
        }
    }
}

impl RkyvDataset for Mesh {
    fn read(triangles: &ArchivedVec<ArchivedTriangle>) -> f64 {
        let mut sum = 0f64;
        for t in triangles.iter() {
            for v in [&t.v0, &t.v1, &t.v2, &t.normal] {
                sum += f64::from(v.x.to_native());
                sum += f64::from(v.y.to_native());
                sum += f64::from(v.z.to_native());
            }
        }
        sum
    }

    fn update_archived(triangles: Seal<'_, ArchivedVec<ArchivedTriangle>>) {
        let mut triangles = ArchivedVec::as_slice_seal(triangles);
        for i in 0..triangles.len() {
            munge!(
                let ArchivedTriangle { normal: ArchivedVec3 { mut x, .. }, .. } =
                    triangles.as_mut().index(i)
            );
            *x = 0f32.into();
        }
    }
}

fn mc_game_type(t: &mc::ArchivedGameType) -> u64 {
    match t {
        mc::ArchivedGameType::Survival => 0,
        mc::ArchivedGameType::Creative => 1,
        mc::ArchivedGameType::Adventure => 2,
        mc::ArchivedGameType::Spectator => 3,
    }
}

fn mc_vector3d(v: &mc::ArchivedVector3d, sum: &mut Sum) {
    sum.f64(v.x.to_native());
    sum.f64(v.y.to_native());
    sum.f64(v.z.to_native());
}

fn mc_item(item: &mc::ArchivedItem, sum: &mut Sum) {
    sum.int(i64::from(item.count));
    sum.add(u64::from(item.slot));
    sum.str(&item.id);
}

fn mc_entity(e: &mc::ArchivedEntity, sum: &mut Sum) {
    sum.str(&e.id);
    mc_vector3d(&e.pos, sum);
    mc_vector3d(&e.motion, sum);
    sum.f32(e.rotation.x.to_native());
    sum.f32(e.rotation.y.to_native());
    sum.f32(e.fall_distance.to_native());
    sum.add(u64::from(e.fire.to_native()));
    sum.add(u64::from(e.air.to_native()));
    sum.bool(e.on_ground);
    sum.bool(e.no_gravity);
    sum.bool(e.invulnerable);
    sum.int(i64::from(e.portal_cooldown.to_native()));
    let u = &e.uuid;
    for x in [&u.x0, &u.x1, &u.x2, &u.x3] {
        sum.add(u64::from(x.to_native()));
    }
    sum.opt_str(e.custom_name.as_ref().map(|n| n.as_str()));
    sum.bool(e.custom_name_visible);
    sum.bool(e.silent);
    sum.bool(e.glowing);
}

impl RkyvDataset for MinecraftSavedata {
    fn read(players: &ArchivedVec<mc::ArchivedPlayer>) -> u64 {
        let mut sum = Sum::default();
        for p in players.iter() {
            sum.add(mc_game_type(&p.game_type));
            sum.add(mc_game_type(&p.previous_game_type));
            sum.int(p.score.to_native());
            sum.str(&p.dimension);
            sum.add(u64::from(p.selected_item_slot.to_native()));
            mc_item(&p.selected_item, &mut sum);
            sum.opt_str(p.spawn_dimension.as_ref().map(|d| d.as_str()));
            sum.int(p.spawn_x.to_native());
            sum.int(p.spawn_y.to_native());
            sum.int(p.spawn_z.to_native());
            sum.bool(p.spawn_forced.as_ref().copied().unwrap_or(false));
            sum.add(u64::from(p.sleep_timer.to_native()));
            sum.f32(p.food_exhaustion_level.to_native());
            sum.f32(p.food_saturation_level.to_native());
            sum.add(u64::from(p.food_tick_timer.to_native()));
            sum.add(u64::from(p.xp_level.to_native()));
            sum.f32(p.xp_p.to_native());
            sum.int(i64::from(p.xp_total.to_native()));
            sum.int(i64::from(p.xp_seed.to_native()));
            for item in p.inventory.iter().chain(p.ender_items.iter()) {
                mc_item(item, &mut sum);
            }
            let a = &p.abilities;
            sum.f32(a.walk_speed.to_native());
            sum.f32(a.fly_speed.to_native());
            for flag in [
                a.may_fly,
                a.flying,
                a.invulnerable,
                a.may_build,
                a.instabuild,
            ] {
                sum.bool(flag);
            }
            if let Some(v) = p.entered_nether_position.as_ref() {
                sum.add(1);
                mc_vector3d(v, &mut sum);
            }
            if let Some(v) = p.root_vehicle.as_ref() {
                sum.add(1);
                for x in &v.param {
                    sum.add(u64::from(x.to_native()));
                }
                mc_entity(&v.entity, &mut sum);
            }
            for e in [&p.shoulder_entity_left, &p.shoulder_entity_right] {
                if let Some(e) = e.as_ref() {
                    sum.add(1);
                    mc_entity(e, &mut sum);
                }
            }
            sum.bool(p.seen_credits);
            let book = &p.recipe_book;
            for r in book.recipes.iter().chain(book.to_be_displayed.iter()) {
                sum.str(r);
            }
            for flag in [
                book.is_filtering_craftable,
                book.is_gui_open,
                book.is_furnace_filtering_craftable,
                book.is_furnace_gui_open,
                book.is_blasting_furnace_filtering_craftable,
                book.is_blasting_furnace_gui_open,
                book.is_smoker_filtering_craftable,
                book.is_smoker_gui_open,
            ] {
                sum.bool(flag);
            }
        }
        sum.0
    }

    fn update_archived(players: Seal<'_, ArchivedVec<mc::ArchivedPlayer>>) {
        let mut players = ArchivedVec::as_slice_seal(players);
        for i in 0..players.len() {
            munge!(let mc::ArchivedPlayer { mut score, .. } = players.as_mut().index(i));
            *score = 0i64.into();
        }
    }
}

fn mk_entity_type(t: &mk::ArchivedEntityType) -> u64 {
    match t {
        mk::ArchivedEntityType::ArleighBurke => 0,
        mk::ArchivedEntityType::Bismarck => 1,
        mk::ArchivedEntityType::Clemenceau => 2,
        mk::ArchivedEntityType::Fletcher => 3,
        mk::ArchivedEntityType::G5 => 4,
        mk::ArchivedEntityType::Iowa => 5,
        mk::ArchivedEntityType::Kolkata => 6,
        mk::ArchivedEntityType::Osa => 7,
        mk::ArchivedEntityType::Yasen => 8,
        mk::ArchivedEntityType::Zubr => 9,
    }
}

impl RkyvDataset for Mk48 {
    fn read(updates: &ArchivedVec<mk::ArchivedUpdate>) -> u64 {
        let mut sum = Sum::default();
        for u in updates.iter() {
            for c in u.contacts.iter() {
                sum.add(u64::from(c.damage));
                sum.add(u64::from(c.entity_id.to_native()));
                sum.add(c.entity_type.as_ref().map_or(0, mk_entity_type));
                sum.add(u64::from(c.guidance.angle.to_native()));
                sum.bool(c.guidance.submerge);
                sum.int(i64::from(c.guidance.velocity.to_native()));
                sum.add(c.player_id.as_ref().map_or(0, |p| u64::from(p.to_native())));
                for &r in c.reloads.iter() {
                    sum.bool(r);
                }
                let t = &c.transform;
                sum.int(i64::from(t.altitude));
                sum.add(u64::from(t.angle.to_native()));
                sum.f32(t.position.x.to_native());
                sum.f32(t.position.y.to_native());
                sum.int(i64::from(t.velocity.to_native()));
                for a in c.turret_angles.iter() {
                    sum.add(u64::from(a.to_native()));
                }
            }
            sum.add(u64::from(u.score.to_native()));
            sum.f32(u.world_radius.to_native());
            for t in u.terrain_updates.iter() {
                sum.int(i64::from(t.chunk_id.0));
                sum.int(i64::from(t.chunk_id.1));
                sum.bytes(&t.data);
            }
        }
        sum.0
    }

    fn update_archived(updates: Seal<'_, ArchivedVec<mk::ArchivedUpdate>>) {
        let mut updates = ArchivedVec::as_slice_seal(updates);
        for i in 0..updates.len() {
            munge!(let mk::ArchivedUpdate { mut score, .. } = updates.as_mut().index(i));
            *score = 0u32.into();
        }
    }
}
