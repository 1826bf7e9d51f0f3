//! FlatBuffers: the flatbuffers crate with flatc's generated Rust code (`crate::fb`, written by
//! `build.rs` from the corpus schemas).
//!
//! Serialize builds with the generated builders from the plain structs into a
//! `FlatBufferBuilder` reused from one message to the next (`reset`); access is
//! `flatbuffers::root` (the verifier, default options); a read is `root`, then every field
//! through the generated accessors. flatc's Rust code has no in-place mutation of a finished
//! buffer, so update is n/a.

use std::hint::black_box;

use flatbuffers::{FlatBufferBuilder, InvalidFlatbuffer, WIPOffset};

use super::{Op, Peer};
use crate::Error;
use crate::data::minecraft_savedata::{self as mc, MinecraftSavedata};
use crate::data::mk48::{self as mk, Mk48};
use crate::data::{Dataset, Log, LogEntry, Mesh, Sum, Triangle, Vec3};
use crate::fb::log as fbl;
use crate::fb::mesh as fbm;
use crate::fb::minecraft_savedata as fbc;
use crate::fb::mk48 as fbk;

/// What the FlatBuffers peer needs per dataset: the generated code's build and read.
pub trait FbDataset: Dataset {
    /// Builds the message with the generated code into `fbb` (reset first); returns its bytes.
    fn build<'a>(fbb: &'a mut FlatBufferBuilder<'static>, data: &Self::Data) -> &'a [u8];

    /// Verifies the message and gets its root (`flatbuffers::root`, default options).
    fn access(bytes: &[u8]) -> Result<(), InvalidFlatbuffer>;

    /// Verifies the message and touches every field through the generated accessors.
    fn read(bytes: &[u8]) -> Result<Self::Sum, Error>;
}

/// The FlatBuffers peer, for any [`FbDataset`].
pub struct Flatbuffers {
    fbb: FlatBufferBuilder<'static>,
    built: bool,
}

impl Flatbuffers {
    /// A peer with an empty builder.
    pub fn new() -> Flatbuffers {
        Flatbuffers {
            fbb: FlatBufferBuilder::new(),
            built: false,
        }
    }

    fn bytes(&self) -> Result<&[u8], Error> {
        if self.built {
            Ok(self.fbb.finished_data())
        } else {
            Err("flatbuffers: nothing built yet".into())
        }
    }
}

impl Default for Flatbuffers {
    fn default() -> Self {
        Flatbuffers::new()
    }
}

impl<D: FbDataset> Peer<D> for Flatbuffers {
    fn name(&self) -> &'static str {
        "flatbuffers"
    }

    fn ops(&self) -> &'static [Op] {
        &[Op::Serialize, Op::Access, Op::Read]
    }

    fn serialize(&mut self, data: &D::Data) -> Result<usize, Error> {
        let len = D::build(&mut self.fbb, data).len();
        self.built = true;
        Ok(len)
    }

    fn message(&self) -> Option<&[u8]> {
        self.bytes().ok()
    }

    fn access(&self) -> Result<(), Error> {
        Ok(D::access(self.bytes()?)?)
    }

    fn read(&self) -> Result<D::Sum, Error> {
        D::read(self.bytes()?)
    }
}

impl FbDataset for Log {
    fn build<'a>(fbb: &'a mut FlatBufferBuilder<'static>, data: &Vec<LogEntry>) -> &'a [u8] {
        log_build(fbb, data)
    }

    fn access(bytes: &[u8]) -> Result<(), InvalidFlatbuffer> {
        black_box(flatbuffers::root::<fbl::Logs>(bytes)?);
        Ok(())
    }

    fn read(bytes: &[u8]) -> Result<u64, Error> {
        log_read(bytes)
    }
}

/// Builds the `log` message with the generated code; returns its bytes.
pub fn log_build<'a>(fbb: &'a mut FlatBufferBuilder<'static>, entries: &[LogEntry]) -> &'a [u8] {
    fbb.reset();
    let mut logs = Vec::with_capacity(entries.len());
    for e in entries {
        let args = fbl::LogArgs {
            address: Some(&fbl::Address::new(
                e.address[0],
                e.address[1],
                e.address[2],
                e.address[3],
            )),
            identity: Some(fbb.create_string(&e.identity)),
            userid: Some(fbb.create_string(&e.userid)),
            date: Some(fbb.create_string(&e.date)),
            request: Some(fbb.create_string(&e.request)),
            code: e.code,
            size: e.size,
        };
        logs.push(fbl::Log::create(fbb, &args));
    }
    let logs = fbb.create_vector(&logs);
    let root = fbl::Logs::create(fbb, &fbl::LogsArgs { logs: Some(logs) });
    fbb.finish_minimal(root);
    fbb.finished_data()
}

/// Verifies a `log` message and reads every field of every entry: [`Log`]'s checksum.
pub fn log_read(bytes: &[u8]) -> Result<u64, Error> {
    let root = flatbuffers::root::<fbl::Logs>(bytes)?;
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

impl FbDataset for Mesh {
    fn build<'a>(fbb: &'a mut FlatBufferBuilder<'static>, data: &Vec<Triangle>) -> &'a [u8] {
        mesh_build(fbb, data)
    }

    fn access(bytes: &[u8]) -> Result<(), InvalidFlatbuffer> {
        black_box(flatbuffers::root::<fbm::Mesh>(bytes)?);
        Ok(())
    }

    fn read(bytes: &[u8]) -> Result<f64, Error> {
        mesh_read(bytes)
    }
}

fn fb_vec3(v: &Vec3) -> fbm::Vector3 {
    fbm::Vector3::new(v.x, v.y, v.z)
}

/// Builds the `mesh` message with the generated code; returns its bytes.
pub fn mesh_build<'a>(fbb: &'a mut FlatBufferBuilder<'static>, triangles: &[Triangle]) -> &'a [u8] {
    fbb.reset();
    let triangles = fbb.create_vector_from_iter(triangles.iter().map(|t| {
        fbm::Triangle::new(
            &fb_vec3(&t.v0),
            &fb_vec3(&t.v1),
            &fb_vec3(&t.v2),
            &fb_vec3(&t.normal),
        )
    }));
    let root = fbm::Mesh::create(
        fbb,
        &fbm::MeshArgs {
            triangles: Some(triangles),
        },
    );
    fbb.finish_minimal(root);
    fbb.finished_data()
}

/// Verifies a `mesh` message and reads every float: [`Mesh`]'s checksum.
pub fn mesh_read(bytes: &[u8]) -> Result<f64, Error> {
    let root = flatbuffers::root::<fbm::Mesh>(bytes)?;
    let mut sum = 0f64;
    for t in root.triangles() {
        for v in [t.v0(), t.v1(), t.v2(), t.normal()] {
            sum += f64::from(v.x());
            sum += f64::from(v.y());
            sum += f64::from(v.z());
        }
    }
    Ok(sum)
}

impl FbDataset for MinecraftSavedata {
    fn build<'a>(fbb: &'a mut FlatBufferBuilder<'static>, data: &Vec<mc::Player>) -> &'a [u8] {
        fbb.reset();
        let players: Vec<_> = data.iter().map(|p| mc_player(fbb, p)).collect();
        let players = fbb.create_vector(&players);
        let root = fbc::Players::create(
            fbb,
            &fbc::PlayersArgs {
                players: Some(players),
            },
        );
        fbb.finish_minimal(root);
        fbb.finished_data()
    }

    fn access(bytes: &[u8]) -> Result<(), InvalidFlatbuffer> {
        black_box(flatbuffers::root::<fbc::Players>(bytes)?);
        Ok(())
    }

    fn read(bytes: &[u8]) -> Result<u64, Error> {
        let root = flatbuffers::root::<fbc::Players>(bytes)?;
        let mut sum = Sum::default();
        for p in root.players() {
            mc_read_player(&p, &mut sum);
        }
        Ok(sum.0)
    }
}

type Fbb = FlatBufferBuilder<'static>;

fn mc_game_type(t: mc::GameType) -> fbc::GameType {
    match t {
        mc::GameType::Survival => fbc::GameType::Survival,
        mc::GameType::Creative => fbc::GameType::Creative,
        mc::GameType::Adventure => fbc::GameType::Adventure,
        mc::GameType::Spectator => fbc::GameType::Spectator,
    }
}

fn mc_vector3d(v: &mc::Vector3d) -> fbc::Vector3d {
    fbc::Vector3d::new(v.x, v.y, v.z)
}

fn mc_item(fbb: &mut Fbb, item: &mc::Item) -> WIPOffset<fbc::Item<'static>> {
    let id = fbb.create_string(&item.id);
    fbc::Item::create(
        fbb,
        &fbc::ItemArgs {
            count: item.count,
            slot: item.slot,
            id: Some(id),
        },
    )
}

fn mc_entity(fbb: &mut Fbb, e: &mc::Entity) -> WIPOffset<fbc::Entity<'static>> {
    let id = fbb.create_string(&e.id);
    let custom_name = e.custom_name.as_ref().map(|n| fbb.create_string(n));
    let u = &e.uuid;
    fbc::Entity::create(
        fbb,
        &fbc::EntityArgs {
            id: Some(id),
            pos: Some(&mc_vector3d(&e.pos)),
            motion: Some(&mc_vector3d(&e.motion)),
            rotation: Some(&fbc::Vector2f::new(e.rotation.x, e.rotation.y)),
            fall_distance: e.fall_distance,
            fire: e.fire,
            air: e.air,
            on_ground: e.on_ground,
            no_gravity: e.no_gravity,
            invulnerable: e.invulnerable,
            portal_cooldown: e.portal_cooldown,
            uuid: Some(&fbc::Uuid::new(u.x0, u.x1, u.x2, u.x3)),
            custom_name,
            custom_name_visible: e.custom_name_visible,
            silent: e.silent,
            glowing: e.glowing,
        },
    )
}

fn mc_player(fbb: &mut Fbb, p: &mc::Player) -> WIPOffset<fbc::Player<'static>> {
    let dimension = fbb.create_string(&p.dimension);
    let selected_item = mc_item(fbb, &p.selected_item);
    let spawn_dimension = p.spawn_dimension.as_ref().map(|d| fbb.create_string(d));
    let inventory: Vec<_> = p.inventory.iter().map(|i| mc_item(fbb, i)).collect();
    let inventory = fbb.create_vector(&inventory);
    let ender_items: Vec<_> = p.ender_items.iter().map(|i| mc_item(fbb, i)).collect();
    let ender_items = fbb.create_vector(&ender_items);
    let root_vehicle = p.root_vehicle.as_ref().map(|v| {
        let entity = mc_entity(fbb, &v.entity);
        fbc::Vehicle::create(
            fbb,
            &fbc::VehicleArgs {
                param_0: v.param[0],
                param_1: v.param[1],
                param_2: v.param[2],
                param_3: v.param[3],
                entity: Some(entity),
            },
        )
    });
    let shoulder_entity_left = p.shoulder_entity_left.as_ref().map(|e| mc_entity(fbb, e));
    let shoulder_entity_right = p.shoulder_entity_right.as_ref().map(|e| mc_entity(fbb, e));
    let book = &p.recipe_book;
    let recipes: Vec<_> = book.recipes.iter().map(|r| fbb.create_string(r)).collect();
    let recipes = fbb.create_vector(&recipes);
    let to_be_displayed: Vec<_> = book
        .to_be_displayed
        .iter()
        .map(|r| fbb.create_string(r))
        .collect();
    let to_be_displayed = fbb.create_vector(&to_be_displayed);
    let recipe_book = fbc::RecipeBook::create(
        fbb,
        &fbc::RecipeBookArgs {
            recipes: Some(recipes),
            to_be_displayed: Some(to_be_displayed),
            is_filtering_craftable: book.is_filtering_craftable,
            is_gui_open: book.is_gui_open,
            is_furnace_filtering_craftable: book.is_furnace_filtering_craftable,
            is_furnace_gui_open: book.is_furnace_gui_open,
            is_blasting_furnace_filtering_craftable: book.is_blasting_furnace_filtering_craftable,
            is_blasting_furnace_gui_open: book.is_blasting_furnace_gui_open,
            is_smoker_filtering_craftable: book.is_smoker_filtering_craftable,
            is_smoker_gui_open: book.is_smoker_gui_open,
        },
    );
    let a = &p.abilities;
    fbc::Player::create(
        fbb,
        &fbc::PlayerArgs {
            game_type: mc_game_type(p.game_type),
            previous_game_type: mc_game_type(p.previous_game_type),
            score: p.score,
            dimension: Some(dimension),
            selected_item_slot: p.selected_item_slot,
            selected_item: Some(selected_item),
            spawn_dimension,
            spawn_x: p.spawn_x,
            spawn_y: p.spawn_y,
            spawn_z: p.spawn_z,
            spawn_forced: p.spawn_forced.unwrap_or(false),
            sleep_timer: p.sleep_timer,
            food_exhaustion_level: p.food_exhaustion_level,
            food_saturation_level: p.food_saturation_level,
            food_tick_timer: p.food_tick_timer,
            xp_level: p.xp_level,
            xp_p: p.xp_p,
            xp_total: p.xp_total,
            xp_seed: p.xp_seed,
            inventory: Some(inventory),
            ender_items: Some(ender_items),
            abilities: Some(&fbc::Abilities::new(
                a.walk_speed,
                a.fly_speed,
                a.may_fly,
                a.flying,
                a.invulnerable,
                a.may_build,
                a.instabuild,
            )),
            entered_nether_position: p.entered_nether_position.as_ref().map(mc_vector3d).as_ref(),
            root_vehicle,
            shoulder_entity_left,
            shoulder_entity_right,
            seen_credits: p.seen_credits,
            recipe_book: Some(recipe_book),
        },
    )
}

fn mc_read_vector3d(v: &fbc::Vector3d, sum: &mut Sum) {
    sum.f64(v.x());
    sum.f64(v.y());
    sum.f64(v.z());
}

fn mc_read_item(item: &fbc::Item<'_>, sum: &mut Sum) {
    sum.int(i64::from(item.count()));
    sum.add(u64::from(item.slot()));
    sum.str(item.id());
}

fn mc_read_entity(e: &fbc::Entity<'_>, sum: &mut Sum) {
    sum.str(e.id());
    mc_read_vector3d(e.pos(), sum);
    mc_read_vector3d(e.motion(), sum);
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

fn mc_read_player(p: &fbc::Player<'_>, sum: &mut Sum) {
    sum.add(p.game_type().0 as u64);
    sum.add(p.previous_game_type().0 as u64);
    sum.int(p.score());
    sum.str(p.dimension());
    sum.add(u64::from(p.selected_item_slot()));
    mc_read_item(&p.selected_item(), sum);
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
        mc_read_vector3d(v, sum);
    }
    if let Some(v) = p.root_vehicle() {
        sum.add(1);
        for x in [v.param_0(), v.param_1(), v.param_2(), v.param_3()] {
            sum.add(u64::from(x));
        }
        mc_read_entity(&v.entity(), sum);
    }
    for e in [p.shoulder_entity_left(), p.shoulder_entity_right()]
        .into_iter()
        .flatten()
    {
        sum.add(1);
        mc_read_entity(&e, sum);
    }
    sum.bool(p.seen_credits());
    let book = p.recipe_book();
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

impl FbDataset for Mk48 {
    fn build<'a>(fbb: &'a mut FlatBufferBuilder<'static>, data: &Vec<mk::Update>) -> &'a [u8] {
        fbb.reset();
        let updates: Vec<_> = data.iter().map(|u| mk_update(fbb, u)).collect();
        let updates = fbb.create_vector(&updates);
        let root = fbk::Updates::create(
            fbb,
            &fbk::UpdatesArgs {
                updates: Some(updates),
            },
        );
        fbb.finish_minimal(root);
        fbb.finished_data()
    }

    fn access(bytes: &[u8]) -> Result<(), InvalidFlatbuffer> {
        black_box(flatbuffers::root::<fbk::Updates>(bytes)?);
        Ok(())
    }

    fn read(bytes: &[u8]) -> Result<u64, Error> {
        let root = flatbuffers::root::<fbk::Updates>(bytes)?;
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
                    sum.bytes(data.bytes());
                }
            }
        }
        Ok(sum.0)
    }
}

fn mk_entity_type(t: mk::EntityType) -> fbk::EntityType {
    match t {
        mk::EntityType::ArleighBurke => fbk::EntityType::ArleighBurke,
        mk::EntityType::Bismarck => fbk::EntityType::Bismarck,
        mk::EntityType::Clemenceau => fbk::EntityType::Clemenceau,
        mk::EntityType::Fletcher => fbk::EntityType::Fletcher,
        mk::EntityType::G5 => fbk::EntityType::G5,
        mk::EntityType::Iowa => fbk::EntityType::Iowa,
        mk::EntityType::Kolkata => fbk::EntityType::Kolkata,
        mk::EntityType::Osa => fbk::EntityType::Osa,
        mk::EntityType::Yasen => fbk::EntityType::Yasen,
        mk::EntityType::Zubr => fbk::EntityType::Zubr,
    }
}

fn mk_update(fbb: &mut Fbb, u: &mk::Update) -> WIPOffset<fbk::Update<'static>> {
    let contacts: Vec<_> = u.contacts.iter().map(|c| mk_contact(fbb, c)).collect();
    let contacts = fbb.create_vector(&contacts);
    let terrain: Vec<_> = u
        .terrain_updates
        .iter()
        .map(|t| {
            let data = fbb.create_vector(&t.data);
            fbk::TerrainUpdate::create(
                fbb,
                &fbk::TerrainUpdateArgs {
                    chunk_id: Some(&fbk::ChunkId::new(t.chunk_id.0, t.chunk_id.1)),
                    data: Some(data),
                },
            )
        })
        .collect();
    let terrain_updates = fbb.create_vector(&terrain);
    fbk::Update::create(
        fbb,
        &fbk::UpdateArgs {
            contacts: Some(contacts),
            score: u.score,
            world_radius: u.world_radius,
            terrain_updates: Some(terrain_updates),
        },
    )
}

fn mk_contact(fbb: &mut Fbb, c: &mk::Contact) -> WIPOffset<fbk::Contact<'static>> {
    let reloads = fbb.create_vector(&c.reloads);
    let turret_angles = fbb.create_vector(&c.turret_angles);
    let g = &c.guidance;
    let t = &c.transform;
    fbk::Contact::create(
        fbb,
        &fbk::ContactArgs {
            damage: c.damage,
            entity_id: c.entity_id,
            entity_type: c
                .entity_type
                .map_or(fbk::EntityType::default(), mk_entity_type),
            guidance: Some(&fbk::Guidance::new(g.angle, g.submerge, g.velocity)),
            player_id: c.player_id.unwrap_or_default(),
            reloads: Some(reloads),
            transform: Some(&fbk::Transform::new(
                t.altitude,
                t.angle,
                &fbk::Vector2f::new(t.position.x, t.position.y),
                t.velocity,
            )),
            turret_angles: Some(turret_angles),
        },
    )
}

fn mk_read_contact(c: &fbk::Contact<'_>, sum: &mut Sum) {
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
    for a in c.turret_angles() {
        sum.add(u64::from(a));
    }
}
