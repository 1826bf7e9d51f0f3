//! The `minecraft_savedata` dataset: player save files (`minecraft_savedata.fbs`).

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
