//! Unit tests, split by concern, against `sp_io::TestExternalities` with the off-chain
//! extensions registered.

mod challenge;
mod freivalds;
mod mock;
mod probe;
mod salts;
mod schedule;

use sp_core::offchain::{
	testing::{TestOffchainExt, TestPersistentOffchainDB},
	OffchainDbExt, OffchainWorkerExt,
};
use sp_io::TestExternalities;

/// Externalities with a `TestOffchainExt` registered for HTTP and storage, its persistent
/// storage being `db`; the handle gives access to its state (`handle.0.write()`).
pub fn offchain_ext_with_db(db: TestPersistentOffchainDB) -> (TestExternalities, TestOffchainExt) {
	let (offchain, _) = TestOffchainExt::with_offchain_db(db);
	let mut ext = TestExternalities::default();
	ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	(ext, offchain)
}

/// Externalities with a `TestOffchainExt` over fresh storage.
pub fn offchain_ext() -> (TestExternalities, TestOffchainExt) {
	offchain_ext_with_db(TestPersistentOffchainDB::new())
}

/// A deterministic 32-byte value for test case `i` (distinct per `i` and `tag`).
pub fn bytes32(tag: &[u8], i: u64) -> [u8; 32] {
	use codec::Encode;
	sp_io::hashing::blake2_256(&(tag, i).encode())
}
