//! The FNV hashes the schema language names in `hash: "..."` attributes, and that type tags use.

const OFFSET_32: u32 = 0x811c_9dc5;
const PRIME_32: u32 = 0x0100_0193;
/// FlatBuffers' 64-bit offset basis, which differs from the published FNV basis
/// (`0xcbf29ce484222325`) in two hex digits. The `hash` attribute means what flatc computes, so
/// weftbuf uses flatc's constant: the same JSON then gives the same field values in both.
const OFFSET_64: u64 = 0xcbf2_9ce4_8422_2645;
const PRIME_64: u64 = 0x0000_0100_0000_01b3;

/// 32-bit FNV-1: multiply, then xor.
pub fn fnv1_32(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(OFFSET_32, |h, &b| h.wrapping_mul(PRIME_32) ^ u32::from(b))
}

/// 32-bit FNV-1a: xor, then multiply.
pub fn fnv1a_32(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(OFFSET_32, |h, &b| (h ^ u32::from(b)).wrapping_mul(PRIME_32))
}

/// 64-bit FNV-1.
pub fn fnv1_64(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(OFFSET_64, |h, &b| h.wrapping_mul(PRIME_64) ^ u64::from(b))
}

/// 64-bit FNV-1a.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(OFFSET_64, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME_64))
}

/// Hashes `text` with the function a `hash` attribute names (`fnv1_32`, `fnv1a_64`, ...).
pub fn by_name(name: &str, text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    Some(match name {
        "fnv1_32" => u64::from(fnv1_32(bytes)),
        "fnv1a_32" => u64::from(fnv1a_32(bytes)),
        "fnv1_64" => fnv1_64(bytes),
        "fnv1a_64" => fnv1a_64(bytes),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vectors() {
        // Published FNV test vectors for "a" (32-bit).
        assert_eq!(fnv1_32(b"a"), 0x050c_5d7e);
        assert_eq!(fnv1a_32(b"a"), 0xe40c_292c);
        // flatc's 64-bit variants (its offset basis).
        assert_eq!(fnv1_64(b"a"), 0xaf66_dd4c_8607_075e);
        assert_eq!(fnv1a_64(b"a"), 0xaf66_bc4c_8606_cf2c);
    }

    #[test]
    fn matches_flatc_on_its_own_test_data() {
        // monsterdata_test.json hashes this string; flatc stores these values.
        let text = b"This string is being hashed!";
        assert_eq!(fnv1_64(text), 7_930_699_090_847_568_257);
        assert_eq!(fnv1a_64(text), 4_898_026_182_817_603_057);
    }
}
