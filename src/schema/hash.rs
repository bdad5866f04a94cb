// The hash of the type table, shared with `build.rs`, which lays the table out with it.

/// FNV-1a of a type's kind code and name: the same when `build.rs` lays out the type table as
/// when a lookup probes it.
pub fn type_hash(kind: u8, name: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in std::iter::once(kind).chain(name.bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
