//! Cap'n Proto: the capnp crate with capnpc's generated code (`crate::capnp_gen`, written by
//! `build.rs` from `capnp/*.capnp`).
//!
//! Serialize builds the message with the generated builders in a `ScratchSpaceHeapAllocator`
//! reused from one message to the next (one segment, sized once to the message), then writes
//! it with `capnp::serialize::write_message` into a reused `Vec`, as rust_serialization_benchmark
//! does. Access is `read_message_from_flat_slice` with default `ReaderOptions` (traversal
//! limit 8 Mi words, nesting limit 64) and `get_root`: Cap'n Proto validates lazily, so this
//! checks the segment table and the root pointer only, and a read validates every pointer it
//! follows (and the UTF-8 of every text, through `to_str`). capnp's Rust API has no in-place
//! update of a received message (builders own their segments), so update is n/a.

use std::hint::black_box;

use ::capnp::Word;
use ::capnp::message::{Builder, HeapAllocator, ReaderOptions, ScratchSpaceHeapAllocator};
use ::capnp::serialize::{read_message_from_flat_slice, write_message};
use ::capnp::traits::Owned;

use super::{Op, Peer};
use crate::Error;
use crate::capnp_gen::log_capnp as cpl;
use crate::capnp_gen::mesh_capnp as cpm;
use crate::capnp_gen::minecraft_savedata_capnp as cpc;
use crate::capnp_gen::mk48_capnp as cpk;
use crate::data::minecraft_savedata::{self as mc, MinecraftSavedata};
use crate::data::mk48::{self as mk, Mk48};
use crate::data::{Dataset, Log, LogEntry, Mesh, Sum, Triangle};

/// What the Cap'n Proto peer needs per dataset: the generated code's build and read.
pub trait CapnpDataset: Dataset {
    /// The root struct.
    type Root: Owned;

    /// Writes `data` into the freshly initialized root.
    fn build(root: <Self::Root as Owned>::Builder<'_>, data: &Self::Data);

    /// Touches every field under the root, validating what it follows.
    fn read(root: <Self::Root as Owned>::Reader<'_>) -> ::capnp::Result<Self::Sum>;
}

/// The Cap'n Proto peer, for any [`CapnpDataset`].
pub struct Capnp {
    /// The first segment of every message after the first; `None` until the first message
    /// tells its size.
    scratch: Option<ScratchSpaceHeapAllocator<'static>>,
    /// The serialized message (segment table, then the segment).
    message: Vec<u8>,
}

impl Capnp {
    /// A peer with no buffers yet.
    pub fn new() -> Capnp {
        Capnp {
            scratch: None,
            message: Vec::new(),
        }
    }
}

impl Default for Capnp {
    fn default() -> Self {
        Capnp::new()
    }
}

/// Words beyond the first message's size in the scratch segment.
const SCRATCH_SLACK_WORDS: usize = 64;

impl<D: CapnpDataset> Peer<D> for Capnp {
    fn name(&self) -> &'static str {
        "capnp"
    }

    fn ops(&self) -> &'static [Op] {
        &[Op::Serialize, Op::Access, Op::Read]
    }

    fn serialize(&mut self, data: &D::Data) -> Result<usize, Error> {
        if self.scratch.is_none() {
            // The first message sizes the scratch segment, so that every later one is a single
            // segment in memory allocated once.
            let mut builder = Builder::new(HeapAllocator::new());
            D::build(builder.init_root(), data);
            let words = builder.size_in_words() + SCRATCH_SLACK_WORDS;
            // The allocator borrows its memory for as long as the peer lives: one leak per
            // peer and dataset, in a benchmark process.
            let memory: &'static mut [Word] =
                Box::leak(Word::allocate_zeroed_vec(words).into_boxed_slice());
            self.scratch = Some(ScratchSpaceHeapAllocator::new(Word::words_to_bytes_mut(
                memory,
            )));
        }
        let Some(scratch) = self.scratch.as_mut() else {
            return Err("capnp: no scratch space".into());
        };
        let mut builder = Builder::new(scratch);
        D::build(builder.init_root(), data);
        self.message.clear();
        write_message(&mut self.message, &builder)?;
        Ok(self.message.len())
    }

    fn message(&self) -> Option<&[u8]> {
        Some(&self.message)
    }

    fn access(&self) -> Result<(), Error> {
        let reader =
            read_message_from_flat_slice(&mut self.message.as_slice(), ReaderOptions::default())?;
        black_box(reader.get_root::<<D::Root as Owned>::Reader<'_>>()?);
        Ok(())
    }

    fn read(&self) -> Result<D::Sum, Error> {
        let reader =
            read_message_from_flat_slice(&mut self.message.as_slice(), ReaderOptions::default())?;
        Ok(D::read(reader.get_root()?)?)
    }
}

impl CapnpDataset for Log {
    type Root = cpl::logs::Owned;

    fn build(root: cpl::logs::Builder<'_>, data: &Vec<LogEntry>) {
        let mut logs = root.init_logs(data.len() as u32);
        for (i, e) in data.iter().enumerate() {
            let mut log = logs.reborrow().get(i as u32);
            let mut address = log.reborrow().init_address();
            address.set_x0(e.address[0]);
            address.set_x1(e.address[1]);
            address.set_x2(e.address[2]);
            address.set_x3(e.address[3]);
            log.set_identity(&e.identity);
            log.set_userid(&e.userid);
            log.set_date(&e.date);
            log.set_request(&e.request);
            log.set_code(e.code);
            log.set_size(e.size);
        }
    }

    fn read(root: cpl::logs::Reader<'_>) -> ::capnp::Result<u64> {
        let mut sum = 0u64;
        for log in root.get_logs()? {
            let a = log.get_address();
            for b in [a.get_x0(), a.get_x1(), a.get_x2(), a.get_x3()] {
                sum = sum.wrapping_add(u64::from(b));
            }
            for s in [
                log.get_identity()?,
                log.get_userid()?,
                log.get_date()?,
                log.get_request()?,
            ] {
                sum = sum.wrapping_add(s.to_str()?.len() as u64);
            }
            sum = sum.wrapping_add(u64::from(log.get_code()));
            sum = sum.wrapping_add(log.get_size());
        }
        Ok(sum)
    }
}

impl CapnpDataset for Mesh {
    type Root = cpm::mesh::Owned;

    fn build(root: cpm::mesh::Builder<'_>, data: &Vec<Triangle>) {
        let mut triangles = root.init_triangles(data.len() as u32);
        for (i, t) in data.iter().enumerate() {
            let mut b = triangles.reborrow().get(i as u32);
            let mut v = b.reborrow().init_v0();
            v.set_x(t.v0.x);
            v.set_y(t.v0.y);
            v.set_z(t.v0.z);
            let mut v = b.reborrow().init_v1();
            v.set_x(t.v1.x);
            v.set_y(t.v1.y);
            v.set_z(t.v1.z);
            let mut v = b.reborrow().init_v2();
            v.set_x(t.v2.x);
            v.set_y(t.v2.y);
            v.set_z(t.v2.z);
            let mut v = b.init_normal();
            v.set_x(t.normal.x);
            v.set_y(t.normal.y);
            v.set_z(t.normal.z);
        }
    }

    fn read(root: cpm::mesh::Reader<'_>) -> ::capnp::Result<f64> {
        let mut sum = 0f64;
        for t in root.get_triangles()? {
            let (v0, v1, v2, n) = (t.get_v0(), t.get_v1(), t.get_v2(), t.get_normal());
            for x in [
                v0.get_x(),
                v0.get_y(),
                v0.get_z(),
                v1.get_x(),
                v1.get_y(),
                v1.get_z(),
                v2.get_x(),
                v2.get_y(),
                v2.get_z(),
                n.get_x(),
                n.get_y(),
                n.get_z(),
            ] {
                sum += f64::from(x);
            }
        }
        Ok(sum)
    }
}

fn mc_game_type(t: mc::GameType) -> cpc::GameType {
    match t {
        mc::GameType::Survival => cpc::GameType::Survival,
        mc::GameType::Creative => cpc::GameType::Creative,
        mc::GameType::Adventure => cpc::GameType::Adventure,
        mc::GameType::Spectator => cpc::GameType::Spectator,
    }
}

fn mc_build_item(mut b: cpc::item::Builder<'_>, item: &mc::Item) {
    b.set_count(item.count);
    b.set_slot(item.slot);
    b.set_id(&item.id);
}

fn mc_build_entity(mut b: cpc::entity::Builder<'_>, e: &mc::Entity) {
    b.set_id(&e.id);
    let mut pos = b.reborrow().init_pos();
    pos.set_x(e.pos.x);
    pos.set_y(e.pos.y);
    pos.set_z(e.pos.z);
    let mut motion = b.reborrow().init_motion();
    motion.set_x(e.motion.x);
    motion.set_y(e.motion.y);
    motion.set_z(e.motion.z);
    let mut rotation = b.reborrow().init_rotation();
    rotation.set_x(e.rotation.x);
    rotation.set_y(e.rotation.y);
    b.set_fall_distance(e.fall_distance);
    b.set_fire(e.fire);
    b.set_air(e.air);
    b.set_on_ground(e.on_ground);
    b.set_no_gravity(e.no_gravity);
    b.set_invulnerable(e.invulnerable);
    b.set_portal_cooldown(e.portal_cooldown);
    let mut uuid = b.reborrow().init_uuid();
    uuid.set_x0(e.uuid.x0);
    uuid.set_x1(e.uuid.x1);
    uuid.set_x2(e.uuid.x2);
    uuid.set_x3(e.uuid.x3);
    if let Some(name) = &e.custom_name {
        b.set_custom_name(name);
    }
    b.set_custom_name_visible(e.custom_name_visible);
    b.set_silent(e.silent);
    b.set_glowing(e.glowing);
}

fn mc_build_player(mut b: cpc::player::Builder<'_>, p: &mc::Player) {
    b.set_game_type(mc_game_type(p.game_type));
    b.set_previous_game_type(mc_game_type(p.previous_game_type));
    b.set_score(p.score);
    b.set_dimension(&p.dimension);
    b.set_selected_item_slot(p.selected_item_slot);
    mc_build_item(b.reborrow().init_selected_item(), &p.selected_item);
    if let Some(d) = &p.spawn_dimension {
        b.set_spawn_dimension(d);
    }
    b.set_spawn_x(p.spawn_x);
    b.set_spawn_y(p.spawn_y);
    b.set_spawn_z(p.spawn_z);
    match p.spawn_forced {
        Some(forced) => b.reborrow().init_spawn_forced().set_some(forced),
        None => b.reborrow().init_spawn_forced().set_none(()),
    }
    b.set_sleep_timer(p.sleep_timer);
    b.set_food_exhaustion_level(p.food_exhaustion_level);
    b.set_food_saturation_level(p.food_saturation_level);
    b.set_food_tick_timer(p.food_tick_timer);
    b.set_xp_level(p.xp_level);
    b.set_xp_p(p.xp_p);
    b.set_xp_total(p.xp_total);
    b.set_xp_seed(p.xp_seed);
    let mut inventory = b.reborrow().init_inventory(p.inventory.len() as u32);
    for (i, item) in p.inventory.iter().enumerate() {
        mc_build_item(inventory.reborrow().get(i as u32), item);
    }
    let mut ender_items = b.reborrow().init_ender_items(p.ender_items.len() as u32);
    for (i, item) in p.ender_items.iter().enumerate() {
        mc_build_item(ender_items.reborrow().get(i as u32), item);
    }
    let a = &p.abilities;
    let mut abilities = b.reborrow().init_abilities();
    abilities.set_walk_speed(a.walk_speed);
    abilities.set_fly_speed(a.fly_speed);
    abilities.set_may_fly(a.may_fly);
    abilities.set_flying(a.flying);
    abilities.set_invulnerable(a.invulnerable);
    abilities.set_may_build(a.may_build);
    abilities.set_instabuild(a.instabuild);
    let nether = b.reborrow().init_entered_nether_position();
    match &p.entered_nether_position {
        Some(v) => {
            let mut some = nether.init_some();
            some.set_x(v.x);
            some.set_y(v.y);
            some.set_z(v.z);
        }
        None => {
            let mut nether = nether;
            nether.set_none(());
        }
    }
    if let Some(v) = &p.root_vehicle {
        let mut vehicle = b.reborrow().init_root_vehicle();
        vehicle.set_param0(v.param[0]);
        vehicle.set_param1(v.param[1]);
        vehicle.set_param2(v.param[2]);
        vehicle.set_param3(v.param[3]);
        mc_build_entity(vehicle.init_entity(), &v.entity);
    }
    if let Some(e) = &p.shoulder_entity_left {
        mc_build_entity(b.reborrow().init_shoulder_entity_left(), e);
    }
    if let Some(e) = &p.shoulder_entity_right {
        mc_build_entity(b.reborrow().init_shoulder_entity_right(), e);
    }
    b.set_seen_credits(p.seen_credits);
    let book = &p.recipe_book;
    let mut recipe_book = b.init_recipe_book();
    // Setting a text list from `&[String]` never fails (capnp's text `SetterInput`).
    let _ = recipe_book.set_recipes(&book.recipes[..]);
    let _ = recipe_book.set_to_be_displayed(&book.to_be_displayed[..]);
    recipe_book.set_is_filtering_craftable(book.is_filtering_craftable);
    recipe_book.set_is_gui_open(book.is_gui_open);
    recipe_book.set_is_furnace_filtering_craftable(book.is_furnace_filtering_craftable);
    recipe_book.set_is_furnace_gui_open(book.is_furnace_gui_open);
    recipe_book
        .set_is_blasting_furnace_filtering_craftable(book.is_blasting_furnace_filtering_craftable);
    recipe_book.set_is_blasting_furnace_gui_open(book.is_blasting_furnace_gui_open);
    recipe_book.set_is_smoker_filtering_craftable(book.is_smoker_filtering_craftable);
    recipe_book.set_is_smoker_gui_open(book.is_smoker_gui_open);
}

fn mc_read_item(item: cpc::item::Reader<'_>, sum: &mut Sum) -> ::capnp::Result<()> {
    sum.int(i64::from(item.get_count()));
    sum.add(u64::from(item.get_slot()));
    sum.str(item.get_id()?.to_str()?);
    Ok(())
}

fn mc_read_entity(e: cpc::entity::Reader<'_>, sum: &mut Sum) -> ::capnp::Result<()> {
    sum.str(e.get_id()?.to_str()?);
    let pos = e.get_pos();
    sum.f64(pos.get_x());
    sum.f64(pos.get_y());
    sum.f64(pos.get_z());
    let motion = e.get_motion();
    sum.f64(motion.get_x());
    sum.f64(motion.get_y());
    sum.f64(motion.get_z());
    let rotation = e.get_rotation();
    sum.f32(rotation.get_x());
    sum.f32(rotation.get_y());
    sum.f32(e.get_fall_distance());
    sum.add(u64::from(e.get_fire()));
    sum.add(u64::from(e.get_air()));
    sum.bool(e.get_on_ground());
    sum.bool(e.get_no_gravity());
    sum.bool(e.get_invulnerable());
    sum.int(i64::from(e.get_portal_cooldown()));
    let u = e.get_uuid();
    for x in [u.get_x0(), u.get_x1(), u.get_x2(), u.get_x3()] {
        sum.add(u64::from(x));
    }
    if e.has_custom_name() {
        sum.opt_str(Some(e.get_custom_name()?.to_str()?));
    }
    sum.bool(e.get_custom_name_visible());
    sum.bool(e.get_silent());
    sum.bool(e.get_glowing());
    Ok(())
}

fn mc_read_player(p: cpc::player::Reader<'_>, sum: &mut Sum) -> ::capnp::Result<()> {
    sum.add(p.get_game_type()? as u64);
    sum.add(p.get_previous_game_type()? as u64);
    sum.int(p.get_score());
    sum.str(p.get_dimension()?.to_str()?);
    sum.add(u64::from(p.get_selected_item_slot()));
    mc_read_item(p.get_selected_item()?, sum)?;
    if p.has_spawn_dimension() {
        sum.opt_str(Some(p.get_spawn_dimension()?.to_str()?));
    }
    sum.int(p.get_spawn_x());
    sum.int(p.get_spawn_y());
    sum.int(p.get_spawn_z());
    match p.get_spawn_forced().which()? {
        cpc::player::spawn_forced::Some(forced) => sum.bool(forced),
        cpc::player::spawn_forced::None(()) => sum.bool(false),
    }
    sum.add(u64::from(p.get_sleep_timer()));
    sum.f32(p.get_food_exhaustion_level());
    sum.f32(p.get_food_saturation_level());
    sum.add(u64::from(p.get_food_tick_timer()));
    sum.add(u64::from(p.get_xp_level()));
    sum.f32(p.get_xp_p());
    sum.int(i64::from(p.get_xp_total()));
    sum.int(i64::from(p.get_xp_seed()));
    for item in p.get_inventory()?.iter().chain(p.get_ender_items()?.iter()) {
        mc_read_item(item, sum)?;
    }
    let a = p.get_abilities();
    sum.f32(a.get_walk_speed());
    sum.f32(a.get_fly_speed());
    for flag in [
        a.get_may_fly(),
        a.get_flying(),
        a.get_invulnerable(),
        a.get_may_build(),
        a.get_instabuild(),
    ] {
        sum.bool(flag);
    }
    match p.get_entered_nether_position().which()? {
        cpc::player::entered_nether_position::Some(v) => {
            sum.add(1);
            sum.f64(v.get_x());
            sum.f64(v.get_y());
            sum.f64(v.get_z());
        }
        cpc::player::entered_nether_position::None(()) => {}
    }
    if p.has_root_vehicle() {
        let v = p.get_root_vehicle()?;
        sum.add(1);
        for x in [
            v.get_param0(),
            v.get_param1(),
            v.get_param2(),
            v.get_param3(),
        ] {
            sum.add(u64::from(x));
        }
        mc_read_entity(v.get_entity()?, sum)?;
    }
    if p.has_shoulder_entity_left() {
        sum.add(1);
        mc_read_entity(p.get_shoulder_entity_left()?, sum)?;
    }
    if p.has_shoulder_entity_right() {
        sum.add(1);
        mc_read_entity(p.get_shoulder_entity_right()?, sum)?;
    }
    sum.bool(p.get_seen_credits());
    let book = p.get_recipe_book()?;
    for r in book
        .get_recipes()?
        .iter()
        .chain(book.get_to_be_displayed()?.iter())
    {
        sum.str(r?.to_str()?);
    }
    for flag in [
        book.get_is_filtering_craftable(),
        book.get_is_gui_open(),
        book.get_is_furnace_filtering_craftable(),
        book.get_is_furnace_gui_open(),
        book.get_is_blasting_furnace_filtering_craftable(),
        book.get_is_blasting_furnace_gui_open(),
        book.get_is_smoker_filtering_craftable(),
        book.get_is_smoker_gui_open(),
    ] {
        sum.bool(flag);
    }
    Ok(())
}

impl CapnpDataset for MinecraftSavedata {
    type Root = cpc::players::Owned;

    fn build(root: cpc::players::Builder<'_>, data: &Vec<mc::Player>) {
        let mut players = root.init_players(data.len() as u32);
        for (i, p) in data.iter().enumerate() {
            mc_build_player(players.reborrow().get(i as u32), p);
        }
    }

    fn read(root: cpc::players::Reader<'_>) -> ::capnp::Result<u64> {
        let mut sum = Sum::default();
        for p in root.get_players()? {
            mc_read_player(p, &mut sum)?;
        }
        Ok(sum.0)
    }
}

fn mk_entity_type(t: mk::EntityType) -> cpk::EntityType {
    match t {
        mk::EntityType::ArleighBurke => cpk::EntityType::ArleighBurke,
        mk::EntityType::Bismarck => cpk::EntityType::Bismarck,
        mk::EntityType::Clemenceau => cpk::EntityType::Clemenceau,
        mk::EntityType::Fletcher => cpk::EntityType::Fletcher,
        mk::EntityType::G5 => cpk::EntityType::G5,
        mk::EntityType::Iowa => cpk::EntityType::Iowa,
        mk::EntityType::Kolkata => cpk::EntityType::Kolkata,
        mk::EntityType::Osa => cpk::EntityType::Osa,
        mk::EntityType::Yasen => cpk::EntityType::Yasen,
        mk::EntityType::Zubr => cpk::EntityType::Zubr,
    }
}

fn mk_build_contact(mut b: cpk::contact::Builder<'_>, c: &mk::Contact) {
    b.set_damage(c.damage);
    b.set_entity_id(c.entity_id);
    match c.entity_type {
        Some(t) => b.reborrow().init_entity_type().set_some(mk_entity_type(t)),
        None => b.reborrow().init_entity_type().set_none(()),
    }
    let mut guidance = b.reborrow().init_guidance();
    guidance.set_angle(c.guidance.angle);
    guidance.set_submerge(c.guidance.submerge);
    guidance.set_velocity(c.guidance.velocity);
    match c.player_id {
        Some(id) => b.reborrow().init_player_id().set_some(id),
        None => b.reborrow().init_player_id().set_none(()),
    }
    // Setting a primitive list from a slice never fails.
    let _ = b.set_reloads(&c.reloads[..]);
    let t = &c.transform;
    let mut transform = b.reborrow().init_transform();
    transform.set_altitude(t.altitude);
    transform.set_angle(t.angle);
    let mut position = transform.reborrow().init_position();
    position.set_x(t.position.x);
    position.set_y(t.position.y);
    transform.set_velocity(t.velocity);
    let _ = b.set_turret_angles(&c.turret_angles[..]);
}

fn mk_read_contact(c: cpk::contact::Reader<'_>, sum: &mut Sum) -> ::capnp::Result<()> {
    sum.add(u64::from(c.get_damage()));
    sum.add(u64::from(c.get_entity_id()));
    match c.get_entity_type().which()? {
        cpk::contact::entity_type::Some(t) => sum.add(t? as u64),
        cpk::contact::entity_type::None(()) => {}
    }
    let g = c.get_guidance();
    sum.add(u64::from(g.get_angle()));
    sum.bool(g.get_submerge());
    sum.int(i64::from(g.get_velocity()));
    match c.get_player_id().which()? {
        cpk::contact::player_id::Some(id) => sum.add(u64::from(id)),
        cpk::contact::player_id::None(()) => {}
    }
    for r in c.get_reloads()? {
        sum.bool(r);
    }
    let t = c.get_transform();
    sum.int(i64::from(t.get_altitude()));
    sum.add(u64::from(t.get_angle()));
    let p = t.get_position();
    sum.f32(p.get_x());
    sum.f32(p.get_y());
    sum.int(i64::from(t.get_velocity()));
    for a in c.get_turret_angles()? {
        sum.add(u64::from(a));
    }
    Ok(())
}

impl CapnpDataset for Mk48 {
    type Root = cpk::updates::Owned;

    fn build(root: cpk::updates::Builder<'_>, data: &Vec<mk::Update>) {
        let mut updates = root.init_updates(data.len() as u32);
        for (i, u) in data.iter().enumerate() {
            let mut b = updates.reborrow().get(i as u32);
            let mut contacts = b.reborrow().init_contacts(u.contacts.len() as u32);
            for (j, c) in u.contacts.iter().enumerate() {
                mk_build_contact(contacts.reborrow().get(j as u32), c);
            }
            b.set_score(u.score);
            b.set_world_radius(u.world_radius);
            let mut terrain = b.init_terrain_updates(u.terrain_updates.len() as u32);
            for (j, t) in u.terrain_updates.iter().enumerate() {
                let mut tb = terrain.reborrow().get(j as u32);
                let mut chunk = tb.reborrow().init_chunk_id();
                chunk.set_x(t.chunk_id.0);
                chunk.set_y(t.chunk_id.1);
                tb.set_data(&t.data);
            }
        }
    }

    fn read(root: cpk::updates::Reader<'_>) -> ::capnp::Result<u64> {
        let mut sum = Sum::default();
        for u in root.get_updates()? {
            for c in u.get_contacts()? {
                mk_read_contact(c, &mut sum)?;
            }
            sum.add(u64::from(u.get_score()));
            sum.f32(u.get_world_radius());
            for t in u.get_terrain_updates()? {
                let chunk = t.get_chunk_id();
                sum.int(i64::from(chunk.get_x()));
                sum.int(i64::from(chunk.get_y()));
                sum.bytes(t.get_data()?);
            }
        }
        Ok(sum.0)
    }
}
