//! weftbuf with its generated Rust code (`crate::wb`, written by `build.rs` with
//! `weftbuf-build`, as a user's build script would).
//!
//! Serialize writes with the generated builders, front to back, into a `Builder` whose buffer
//! is reused from one message to the next (`clear`); access is the generated verifier and the
//! root view (`Root::root`); a read is that, then every field through the generated accessors;
//! an update verifies the message (`RootMut::root`) and changes one scalar per record in place.

use std::hint::black_box;

use weftbuf_rt::{self as rt, Builder};

use super::{Op, Peer};
use crate::Error;
use crate::data::minecraft_savedata::{self as mc, MinecraftSavedata};
use crate::data::mk48::{self as mk, Mk48};
use crate::data::{Dataset, LOG_UPDATED_CODE, Log, LogEntry, Mesh, Sum, Triangle};
use crate::wb::log as wl;
use crate::wb::mesh as wm;
use crate::wb::minecraft_savedata as wc;
use crate::wb::mk48 as wk;

/// What the weftbuf peer needs per dataset: the generated code's build, read and update.
pub trait WeftbufDataset: Dataset {
    /// Writes the message into `b` (cleared first).
    fn build(b: &mut Builder<'static>, data: &Self::Data) -> Result<(), rt::BuildError>;

    /// Verifies the message and gets its root.
    fn access(bytes: &[u8]) -> Result<(), rt::VerifyError>;

    /// Verifies the message and touches every field through the generated accessors.
    fn read(bytes: &[u8]) -> Result<Self::Sum, Error>;

    /// Verifies the message and makes [`Dataset::update`]'s change in place.
    fn update(bytes: &mut [u8]) -> Result<(), Error>;
}

/// The weftbuf peer, for any [`WeftbufDataset`]: the message is the builder's bytes.
pub struct Weftbuf {
    builder: Builder<'static>,
}

impl Weftbuf {
    /// A peer with an empty builder.
    pub fn new() -> Weftbuf {
        Weftbuf {
            builder: Builder::new(),
        }
    }
}

impl Default for Weftbuf {
    fn default() -> Self {
        Weftbuf::new()
    }
}

impl<D: WeftbufDataset> Peer<D> for Weftbuf {
    fn name(&self) -> &'static str {
        "weftbuf"
    }

    fn ops(&self) -> &'static [Op] {
        &[Op::Serialize, Op::Access, Op::Read, Op::Update]
    }

    fn serialize(&mut self, data: &D::Data) -> Result<usize, Error> {
        self.builder.clear();
        D::build(&mut self.builder, data)?;
        Ok(self.builder.len())
    }

    fn message(&self) -> Option<&[u8]> {
        Some(self.builder.as_bytes())
    }

    fn access(&self) -> Result<(), Error> {
        Ok(D::access(self.builder.as_bytes())?)
    }

    fn read(&self) -> Result<D::Sum, Error> {
        D::read(self.builder.as_bytes())
    }

    fn update(&mut self) -> Result<(), Error> {
        <D as WeftbufDataset>::update(self.builder.bytes_mut())
    }
}

impl WeftbufDataset for Log {
    fn build(b: &mut Builder<'static>, data: &Vec<LogEntry>) -> Result<(), rt::BuildError> {
        let mut logs = wl::LogsBuilder::new(b)?;
        let mut vector = logs.logs(data.len())?;
        for e in data {
            let mut log = vector.push::<wl::LogBuilder<'_, '_>>()?;
            let [x0, x1, x2, x3] = e.address;
            log.address(&wl::Address::new(x0, x1, x2, x3))
                .code(e.code)
                .size(e.size);
            log.identity(&e.identity)?
                .userid(&e.userid)?
                .date(&e.date)?
                .request(&e.request)?;
        }
        logs.finish().map(|_| ())
    }

    fn access(bytes: &[u8]) -> Result<(), rt::VerifyError> {
        black_box(wl::Logs::root(bytes)?);
        Ok(())
    }

    fn read(bytes: &[u8]) -> Result<u64, Error> {
        let root = wl::Logs::root(bytes)?;
        let mut sum = 0u64;
        for log in root.logs() {
            if let Some(a) = log.address() {
                for b in [a.x0(), a.x1(), a.x2(), a.x3()] {
                    sum = sum.wrapping_add(u64::from(b));
                }
            }
            for s in [log.identity(), log.userid(), log.date(), log.request()] {
                sum = sum.wrapping_add(s.len() as u64);
            }
            sum = sum.wrapping_add(u64::from(log.code()));
            sum = sum.wrapping_add(log.size());
        }
        Ok(sum)
    }

    fn update(bytes: &mut [u8]) -> Result<(), Error> {
        let mut root = wl::LogsMut::root(bytes)?;
        let mut index = 0;
        while let Some(mut log) = root.logs_mut(index) {
            log.set_code(LOG_UPDATED_CODE);
            index += 1;
        }
        Ok(())
    }
}

impl WeftbufDataset for Mesh {
    fn build(b: &mut Builder<'static>, data: &Vec<Triangle>) -> Result<(), rt::BuildError> {
        let v = |v: &crate::data::Vec3| wm::Vector3::new(v.x, v.y, v.z);
        let mut mesh = wm::MeshBuilder::new(b)?;
        mesh.triangles_from_iter(
            data.len(),
            data.iter()
                .map(|t| wm::Triangle::new(v(&t.v0), v(&t.v1), v(&t.v2), v(&t.normal))),
        )?;
        mesh.finish().map(|_| ())
    }

    fn access(bytes: &[u8]) -> Result<(), rt::VerifyError> {
        black_box(wm::Mesh::root(bytes)?);
        Ok(())
    }

    fn read(bytes: &[u8]) -> Result<f64, Error> {
        let root = wm::Mesh::root(bytes)?;
        let triangles = root.triangles();
        let mut sum = 0f64;
        let mut add = |t: &wm::Triangle| {
            for v in [t.v0(), t.v1(), t.v2(), t.normal()] {
                sum += f64::from(v.x());
                sum += f64::from(v.y());
                sum += f64::from(v.z());
            }
        };
        // A message in an 8-aligned buffer reads as a slice; otherwise element by element.
        match triangles.as_slice() {
            Some(slice) => slice.iter().for_each(&mut add),
            None => triangles.iter().for_each(|t| add(&t)),
        }
        Ok(sum)
    }

    fn update(bytes: &mut [u8]) -> Result<(), Error> {
        let mut root = wm::MeshMut::root(bytes)?;
        let mut triangles = root.triangles_mut().ok_or("mesh: no triangles to update")?;
        match triangles.as_mut_slice() {
            Some(slice) => {
                for t in slice {
                    let mut normal = t.normal();
                    normal.set_x(0.0);
                    t.set_normal(normal);
                }
            }
            None => {
                for i in 0..triangles.len() {
                    if let Some(mut t) = triangles.get(i) {
                        let mut normal = t.normal();
                        normal.set_x(0.0);
                        t.set_normal(normal);
                        triangles.set(i, t);
                    }
                }
            }
        }
        Ok(())
    }
}

impl WeftbufDataset for MinecraftSavedata {
    fn build(b: &mut Builder<'static>, data: &Vec<mc::Player>) -> Result<(), rt::BuildError> {
        let mut players = wc::PlayersBuilder::new(b)?;
        let mut vector = players.players(data.len())?;
        for p in data {
            mc_player(&mut vector.push()?, p)?;
        }
        players.finish().map(|_| ())
    }

    fn access(bytes: &[u8]) -> Result<(), rt::VerifyError> {
        black_box(wc::Players::root(bytes)?);
        Ok(())
    }

    fn read(bytes: &[u8]) -> Result<u64, Error> {
        let root = wc::Players::root(bytes)?;
        let mut sum = Sum::default();
        for p in root.players() {
            mc_read_player(&p, &mut sum);
        }
        Ok(sum.0)
    }

    fn update(bytes: &mut [u8]) -> Result<(), Error> {
        let mut root = wc::PlayersMut::root(bytes)?;
        let mut index = 0;
        while let Some(mut player) = root.players_mut(index) {
            player.set_score(0);
            index += 1;
        }
        Ok(())
    }
}

fn mc_vector3d(v: &mc::Vector3d) -> wc::Vector3d {
    wc::Vector3d::new(v.x, v.y, v.z)
}

fn mc_item(b: &mut wc::ItemBuilder<'_, '_>, item: &mc::Item) -> Result<(), rt::BuildError> {
    b.count(item.count).slot(item.slot);
    b.id(&item.id)?;
    Ok(())
}

fn mc_items(
    mut v: rt::build::TableVector<'_, '_>,
    items: &[mc::Item],
) -> Result<(), rt::BuildError> {
    for item in items {
        mc_item(&mut v.push()?, item)?;
    }
    Ok(())
}

fn mc_entity(b: &mut wc::EntityBuilder<'_, '_>, e: &mc::Entity) -> Result<(), rt::BuildError> {
    let u = &e.uuid;
    b.pos(&mc_vector3d(&e.pos))
        .motion(&mc_vector3d(&e.motion))
        .rotation(&wc::Vector2f::new(e.rotation.x, e.rotation.y))
        .fall_distance(e.fall_distance)
        .fire(e.fire)
        .air(e.air)
        .on_ground(e.on_ground)
        .no_gravity(e.no_gravity)
        .invulnerable(e.invulnerable)
        .portal_cooldown(e.portal_cooldown)
        .uuid(&wc::Uuid::new(u.x0, u.x1, u.x2, u.x3))
        .custom_name_visible(e.custom_name_visible)
        .silent(e.silent)
        .glowing(e.glowing);
    // Children in member order: `id` (member 0) before `custom_name`.
    b.id(&e.id)?;
    if let Some(name) = &e.custom_name {
        b.custom_name(name)?;
    }
    Ok(())
}

fn mc_player(b: &mut wc::PlayerBuilder<'_, '_>, p: &mc::Player) -> Result<(), rt::BuildError> {
    let a = &p.abilities;
    b.game_type(wc::GameType(p.game_type as i8))
        .previous_game_type(wc::GameType(p.previous_game_type as i8))
        .score(p.score)
        .selected_item_slot(p.selected_item_slot)
        .spawn_x(p.spawn_x)
        .spawn_y(p.spawn_y)
        .spawn_z(p.spawn_z)
        .spawn_forced(p.spawn_forced.unwrap_or(false))
        .sleep_timer(p.sleep_timer)
        .food_exhaustion_level(p.food_exhaustion_level)
        .food_saturation_level(p.food_saturation_level)
        .food_tick_timer(p.food_tick_timer)
        .xp_level(p.xp_level)
        .xp_p(p.xp_p)
        .xp_total(p.xp_total)
        .xp_seed(p.xp_seed)
        .abilities(&wc::Abilities::new(
            a.walk_speed,
            a.fly_speed,
            a.may_fly,
            a.flying,
            a.invulnerable,
            a.may_build,
            a.instabuild,
        ))
        .seen_credits(p.seen_credits);
    if let Some(v) = &p.entered_nether_position {
        b.entered_nether_position(&mc_vector3d(v));
    }
    // What the player refers to, in member order (canonical order).
    b.dimension(&p.dimension)?;
    mc_item(&mut b.selected_item()?, &p.selected_item)?;
    if let Some(d) = &p.spawn_dimension {
        b.spawn_dimension(d)?;
    }
    mc_items(b.inventory(p.inventory.len())?, &p.inventory)?;
    mc_items(b.ender_items(p.ender_items.len())?, &p.ender_items)?;
    if let Some(v) = &p.root_vehicle {
        let mut vehicle = b.root_vehicle()?;
        vehicle
            .param_0(v.param[0])
            .param_1(v.param[1])
            .param_2(v.param[2])
            .param_3(v.param[3]);
        mc_entity(&mut vehicle.entity()?, &v.entity)?;
    }
    if let Some(e) = &p.shoulder_entity_left {
        mc_entity(&mut b.shoulder_entity_left()?, e)?;
    }
    if let Some(e) = &p.shoulder_entity_right {
        mc_entity(&mut b.shoulder_entity_right()?, e)?;
    }
    let book = &p.recipe_book;
    let mut recipe_book = b.recipe_book()?;
    recipe_book
        .is_filtering_craftable(book.is_filtering_craftable)
        .is_gui_open(book.is_gui_open)
        .is_furnace_filtering_craftable(book.is_furnace_filtering_craftable)
        .is_furnace_gui_open(book.is_furnace_gui_open)
        .is_blasting_furnace_filtering_craftable(book.is_blasting_furnace_filtering_craftable)
        .is_blasting_furnace_gui_open(book.is_blasting_furnace_gui_open)
        .is_smoker_filtering_craftable(book.is_smoker_filtering_craftable)
        .is_smoker_gui_open(book.is_smoker_gui_open);
    recipe_book.recipes(&book.recipes)?;
    recipe_book.to_be_displayed(&book.to_be_displayed)?;
    Ok(())
}

fn mc_read_vector3d(v: &wc::Vector3d, sum: &mut Sum) {
    sum.f64(v.x());
    sum.f64(v.y());
    sum.f64(v.z());
}

fn mc_read_item(item: &wc::Item<'_>, sum: &mut Sum) {
    sum.int(i64::from(item.count()));
    sum.add(u64::from(item.slot()));
    sum.str(item.id());
}

fn mc_read_entity(e: &wc::Entity<'_>, sum: &mut Sum) {
    sum.str(e.id());
    mc_read_vector3d(&e.pos(), sum);
    mc_read_vector3d(&e.motion(), sum);
    let r = e.rotation();
    sum.f32(r.x());
    sum.f32(r.y());
    sum.f32(e.fall_distance());
    sum.add(u64::from(e.fire()));
    sum.add(u64::from(e.air()));
    sum.bool(e.on_ground());
    sum.bool(e.no_gravity());
    sum.bool(e.invulnerable());
    sum.int(i64::from(e.portal_cooldown()));
    let u = e.uuid();
    for x in [u.x0(), u.x1(), u.x2(), u.x3()] {
        sum.add(u64::from(x));
    }
    sum.opt_str(e.custom_name());
    sum.bool(e.custom_name_visible());
    sum.bool(e.silent());
    sum.bool(e.glowing());
}

fn mc_read_player(p: &wc::Player<'_>, sum: &mut Sum) {
    sum.add(p.game_type().0 as u64);
    sum.add(p.previous_game_type().0 as u64);
    sum.int(p.score());
    sum.str(p.dimension());
    sum.add(u64::from(p.selected_item_slot()));
    if let Some(item) = p.selected_item() {
        mc_read_item(&item, sum);
    }
    sum.opt_str(p.spawn_dimension());
    sum.int(p.spawn_x());
    sum.int(p.spawn_y());
    sum.int(p.spawn_z());
    sum.bool(p.spawn_forced());
    sum.add(u64::from(p.sleep_timer()));
    sum.f32(p.food_exhaustion_level());
    sum.f32(p.food_saturation_level());
    sum.add(u64::from(p.food_tick_timer()));
    sum.add(u64::from(p.xp_level()));
    sum.f32(p.xp_p());
    sum.int(i64::from(p.xp_total()));
    sum.int(i64::from(p.xp_seed()));
    for item in p.inventory().iter().chain(p.ender_items().iter()) {
        mc_read_item(&item, sum);
    }
    let a = p.abilities();
    sum.f32(a.walk_speed());
    sum.f32(a.fly_speed());
    for flag in [
        a.may_fly(),
        a.flying(),
        a.invulnerable(),
        a.may_build(),
        a.instabuild(),
    ] {
        sum.bool(flag);
    }
    if let Some(v) = p.entered_nether_position() {
        sum.add(1);
        mc_read_vector3d(&v, sum);
    }
    if let Some(v) = p.root_vehicle() {
        sum.add(1);
        for x in [v.param_0(), v.param_1(), v.param_2(), v.param_3()] {
            sum.add(u64::from(x));
        }
        if let Some(e) = v.entity() {
            mc_read_entity(&e, sum);
        }
    }
    for e in [p.shoulder_entity_left(), p.shoulder_entity_right()]
        .into_iter()
        .flatten()
    {
        sum.add(1);
        mc_read_entity(&e, sum);
    }
    sum.bool(p.seen_credits());
    if let Some(book) = p.recipe_book() {
        for r in book.recipes().iter().chain(book.to_be_displayed().iter()) {
            sum.str(r);
        }
        for flag in [
            book.is_filtering_craftable(),
            book.is_gui_open(),
            book.is_furnace_filtering_craftable(),
            book.is_furnace_gui_open(),
            book.is_blasting_furnace_filtering_craftable(),
            book.is_blasting_furnace_gui_open(),
            book.is_smoker_filtering_craftable(),
            book.is_smoker_gui_open(),
        ] {
            sum.bool(flag);
        }
    }
}

impl WeftbufDataset for Mk48 {
    fn build(b: &mut Builder<'static>, data: &Vec<mk::Update>) -> Result<(), rt::BuildError> {
        let mut updates = wk::UpdatesBuilder::new(b)?;
        let mut vector = updates.updates(data.len())?;
        for u in data {
            mk_update(&mut vector.push()?, u)?;
        }
        updates.finish().map(|_| ())
    }

    fn access(bytes: &[u8]) -> Result<(), rt::VerifyError> {
        black_box(wk::Updates::root(bytes)?);
        Ok(())
    }

    fn read(bytes: &[u8]) -> Result<u64, Error> {
        let root = wk::Updates::root(bytes)?;
        let mut sum = Sum::default();
        for u in root.updates() {
            for c in u.contacts() {
                mk_read_contact(&c, &mut sum);
            }
            sum.add(u64::from(u.score()));
            sum.f32(u.world_radius());
            for t in u.terrain_updates() {
                if let Some(id) = t.chunk_id() {
                    sum.int(i64::from(id.x()));
                    sum.int(i64::from(id.y()));
                }
                if let Some(data) = t.data() {
                    sum.bytes(data.body_bytes());
                }
            }
        }
        Ok(sum.0)
    }

    fn update(bytes: &mut [u8]) -> Result<(), Error> {
        let mut root = wk::UpdatesMut::root(bytes)?;
        let mut index = 0;
        while let Some(mut update) = root.updates_mut(index) {
            update.set_score(0);
            index += 1;
        }
        Ok(())
    }
}

fn mk_update(b: &mut wk::UpdateBuilder<'_, '_>, u: &mk::Update) -> Result<(), rt::BuildError> {
    b.score(u.score).world_radius(u.world_radius);
    let mut contacts = b.contacts(u.contacts.len())?;
    for c in &u.contacts {
        mk_contact(&mut contacts.push()?, c)?;
    }
    let mut terrain = b.terrain_updates(u.terrain_updates.len())?;
    for t in &u.terrain_updates {
        let mut update = terrain.push::<wk::TerrainUpdateBuilder<'_, '_>>()?;
        update.chunk_id(&wk::ChunkId::new(t.chunk_id.0, t.chunk_id.1));
        update.data(&t.data)?;
    }
    Ok(())
}

fn mk_contact(b: &mut wk::ContactBuilder<'_, '_>, c: &mk::Contact) -> Result<(), rt::BuildError> {
    let g = &c.guidance;
    let t = &c.transform;
    b.damage(c.damage)
        .entity_id(c.entity_id)
        .entity_type(wk::EntityType(c.entity_type.map_or(0, |e| e as i8)))
        .guidance(&wk::Guidance::new(g.angle, g.submerge, g.velocity))
        .player_id(c.player_id.unwrap_or_default())
        .transform(&wk::Transform::new(
            t.altitude,
            t.angle,
            wk::Vector2f::new(t.position.x, t.position.y),
            t.velocity,
        ));
    b.reloads(&c.reloads)?;
    b.turret_angles(&c.turret_angles)?;
    Ok(())
}

fn mk_read_contact(c: &wk::Contact<'_>, sum: &mut Sum) {
    sum.add(u64::from(c.damage()));
    sum.add(u64::from(c.entity_id()));
    sum.add(c.entity_type().0 as u64);
    if let Some(g) = c.guidance() {
        sum.add(u64::from(g.angle()));
        sum.bool(g.submerge());
        sum.int(i64::from(g.velocity()));
    }
    sum.add(u64::from(c.player_id()));
    for r in c.reloads() {
        sum.bool(r);
    }
    if let Some(t) = c.transform() {
        sum.int(i64::from(t.altitude()));
        sum.add(u64::from(t.angle()));
        let p = t.position();
        sum.f32(p.x());
        sum.f32(p.y());
        sum.int(i64::from(t.velocity()));
    }
    for a in c.turret_angles().iter() {
        sum.add(u64::from(a));
    }
}
