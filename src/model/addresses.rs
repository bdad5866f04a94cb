//! Which addresses a stack's blocks take, for finding a duplicate as each block is added.
//! The index holds positions in the stack's block list, not copies of the addresses: a large
//! stack would otherwise keep every type and name twice.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::{Kind, Resource};

/// Positions in a block list, by kind, type and name. Each entry keeps its hash, so growing
/// the table does not read every block again.
#[derive(Debug, Clone, Default)]
pub(crate) struct Addresses {
    table: HashTable<(u64, usize)>,
    hasher: foldhash::fast::RandomState,
}

impl Addresses {
    fn hash(&self, kind: Kind, ty: &str, name: &str) -> u64 {
        self.hasher.hash_one((kind, ty, name))
    }

    fn of(&self, r: &Resource) -> u64 {
        self.hash(r.kind, &r.address.ty, &r.address.name)
    }

    /// Records `r` as the block at `blocks.len()` unless a block of `blocks` has its address;
    /// whether it was recorded.
    pub(crate) fn insert(&mut self, blocks: &[Resource], r: &Resource) -> bool {
        let hash = self.of(r);
        let same = |&(_, i): &(u64, usize)| is_at(&blocks[i], r.kind, &r.address.ty, &r.address.name);
        if self.table.find(hash, same).is_some() {
            return false;
        }
        self.table.insert_unique(hash, (hash, blocks.len()), |&(h, _)| h);
        true
    }

    /// Whether a block of `blocks` has this address.
    pub(crate) fn contains(&self, blocks: &[Resource], kind: Kind, ty: &str, name: &str) -> bool {
        self.table.find(self.hash(kind, ty, name), |&(_, i)| is_at(&blocks[i], kind, ty, name)).is_some()
    }

    /// The index of `blocks` afresh, after blocks were removed.
    pub(crate) fn rebuild(&mut self, blocks: &[Resource]) {
        self.table.clear();
        for (i, r) in blocks.iter().enumerate() {
            let hash = self.of(r);
            self.table.insert_unique(hash, (hash, i), |&(h, _)| h);
        }
    }
}

fn is_at(r: &Resource, kind: Kind, ty: &str, name: &str) -> bool {
    r.kind == kind && r.address.ty == ty && r.address.name == name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: Kind, ty: &str, name: &str) -> Resource {
        let mut r = Resource::new(ty, name);
        r.kind = kind;
        r
    }

    #[test]
    fn finds_a_duplicate_by_kind_type_and_name() {
        let mut blocks = Vec::new();
        let mut index = Addresses::default();
        for r in [
            block(Kind::Managed, "aws_vpc", "main"),
            block(Kind::Data, "aws_vpc", "main"),
            block(Kind::Managed, "aws_subnet", "main"),
            block(Kind::Managed, "aws_vpc", "other"),
        ] {
            assert!(index.insert(&blocks, &r), "{} is new", r.path());
            blocks.push(r);
        }
        assert!(!index.insert(&blocks, &block(Kind::Managed, "aws_vpc", "main")));
        assert!(!index.insert(&blocks, &block(Kind::Data, "aws_vpc", "main")));
        assert!(index.contains(&blocks, Kind::Managed, "aws_subnet", "main"));
        assert!(!index.contains(&blocks, Kind::Data, "aws_subnet", "main"));
    }

    #[test]
    fn rebuilt_after_blocks_are_removed() {
        let mut blocks: Vec<Resource> =
            (0..50).map(|i| block(Kind::Managed, "aws_sqs_queue", &format!("q{i}"))).collect();
        let mut index = Addresses::default();
        index.rebuild(&blocks);
        blocks.retain(|r| r.address.name != "q7");
        index.rebuild(&blocks);
        assert!(!index.contains(&blocks, Kind::Managed, "aws_sqs_queue", "q7"));
        assert!(index.contains(&blocks, Kind::Managed, "aws_sqs_queue", "q49"));
        assert!(index.insert(&blocks, &block(Kind::Managed, "aws_sqs_queue", "q7")));
    }
}
