// The hash of the type table, shared with `build.rs`, which lays the table out with it.

/// A hash of a type's kind code and name, eight bytes at a time (`FxHash`'s step, with the
/// high half folded in because the table masks the low bits): the same when `build.rs` lays
/// out the type table as when a lookup probes it.
pub fn type_hash(kind: u8, name: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(K);
    let mut words = name.as_bytes().chunks_exact(8);
    let mut hash = u64::from(kind);
    for word in &mut words {
        hash = step(hash, u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]));
    }
    for &byte in words.remainder() {
        hash = step(hash, u64::from(byte));
    }
    hash ^ (hash >> 29)
}
