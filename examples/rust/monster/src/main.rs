//! Builds a monster with the generated builder, reads it in place, changes its hit points in
//! place, and reads it again: the generated code of `schemas/monster.fbs`, by `build.rs`.

// ANCHOR: include
use weftbuf_rt as rt;

include!(concat!(env!("OUT_DIR"), "/monster.rs"));

use game::{Color, Equipment, EquipmentRef, Monster, MonsterBuilder, MonsterMut, Vec3};
// ANCHOR_END: include

/// Writes the example monster, front to back.
fn build() -> Result<Vec<u8>, rt::BuildError> {
    // ANCHOR: write
    let mut b = rt::Builder::new(); // or rt::Builder::in_slice(&mut slot)?
    let mut m = MonsterBuilder::new(&mut b)?;
    m.pos(&Vec3::new(1.0, 2.0, 3.0)).hp(300).color(Color::RED);
    m.name("Orc")?;
    // ANCHOR_END: write
    m.inventory(&[0, 1, 2, 3, 4])?;
    {
        let mut weapons = m.weapons(2)?;
        weapons
            .push::<game::WeaponBuilder<'_, '_>>()?
            .name("Sword")?
            .damage(3);
        weapons
            .push::<game::WeaponBuilder<'_, '_>>()?
            .name("Axe")?
            .damage(5);
    }
    // ANCHOR: write
    m.equipped_weapon()?.name("Bow")?.damage(2);
    // ANCHOR_END: write
    m.path(&[Vec3::new(0.0, 0.0, 0.0), Vec3::new(4.0, 5.0, 6.0)])?;
    // ANCHOR: write
    m.finish()?;
    // ANCHOR_END: write
    Ok(b.into_vec())
}

/// What a reader sees.
fn describe(bytes: &[u8]) -> Result<String, rt::VerifyError> {
    // ANCHOR: read
    let monster = Monster::root(bytes)?; // verified once, then read in place
    // ANCHOR_END: read
    let weapons: Vec<String> = monster
        .weapons()
        .into_iter()
        .flatten()
        .map(|w| format!("{} ({})", w.name().unwrap_or("?"), w.damage()))
        .collect();
    let equipped = match monster.equipped() {
        EquipmentRef::Weapon(w) => w.name().unwrap_or("?").to_string(),
        EquipmentRef::NONE => "nothing".into(),
        EquipmentRef::Unknown(d) => format!("an unknown item ({d})"),
    };
    let path: Vec<f32> = monster
        .path()
        .and_then(|p| p.as_slice().map(|s| s.iter().map(Vec3::z).collect()))
        .unwrap_or_default();
    Ok(format!(
        "{} at {:?}: hp {}, mana {}, {:?}, inventory {:?}, weapons {}, holding {}, path z {:?}",
        monster.name(),
        monster.pos().map(|p| (p.x(), p.y(), p.z())),
        monster.hp(),
        monster.mana(),
        monster.color(),
        monster.inventory().map(|v| v.iter().collect::<Vec<u8>>()),
        weapons.join(", "),
        equipped,
        path,
    ))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut bytes = build()?;
    println!("built {} bytes", bytes.len());
    println!("{}", describe(&bytes)?);
    let mut monster = MonsterMut::root(&mut bytes)?;
    monster.set_hp(42);
    if let Some(mut inventory) = monster.inventory_mut() {
        inventory.set(0, 9);
    }
    println!("after changes in place: {}", describe(&bytes)?);
    let owned = Monster::root(&bytes)?.unpack();
    assert_eq!(owned.equipped.discriminant(), Equipment::WEAPON);
    assert_eq!(
        owned.pack()?,
        bytes,
        "unpack, then pack, gives the same bytes"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_example_runs() {
        assert!(super::main().is_ok());
    }
}
