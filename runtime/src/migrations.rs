//! Storage migrations run when this runtime replaces an older one on a live chain.
//!
//! Two lists (a chain started from this release's genesis has every pallet at its in-code storage
//! version already, so they do nothing there; the runtime tests check it):
//!
//! - [`SingleBlockMigrations`]: run by `frame_system` in the upgrade's first block, before any
//!   extrinsic. For migrations bounded by a small constant (a storage value, a bounded map).
//! - [`MultiBlockMigrations`]: stepped by `pallet-migrations` after the inherents of the blocks
//!   that follow, within `MbmServiceWeight` each; transactions wait until the last one is done.
//!   For anything that walks a map whose size the chain's users decide (orders, bids, leases,
//!   witnesses).
//!
//! Each pallet's migrations live in its own crate (`migrations` module) as
//! `VersionedMigration`s (or `SteppedMigration`s with a cursor) with `pre_upgrade` /
//! `post_upgrade` checks; the runtime tests run `Executive::try_runtime_upgrade` with every
//! check (pre/post hooks, `try_state`, decoding the entire state) on a state built by the
//! flow tests, twice, so a migration that is not idempotent or leaves undecodable storage
//! fails the suite.

/// Single-block migrations of this runtime version, in order: the FaaS token's storage
/// version 1 (a `slashed` total per era, bounded by `ErasToKeep`).
#[cfg(not(feature = "test-upgrade"))]
pub type SingleBlockMigrations = (pallet_faas_token::migrations::v1::MigrateToV1<crate::Runtime>,);

/// Single-block migrations of the upgrade drill's release (feature `test-upgrade`).
#[cfg(feature = "test-upgrade")]
pub type SingleBlockMigrations =
	(pallet_faas_token::migrations::v1::MigrateToV1<crate::Runtime>, drill::AddLargeLevel);

/// Multi-block (stepped) migrations of this runtime version, in order: the market's storage
/// version 1 (orders name their payment asset, docs/architecture.md §12).
pub type MultiBlockMigrations = (pallet_market::migrations::v1::MigrateToV1<crate::Runtime>,);

/// The migrations of the upgrade drill's release (feature `test-upgrade`, `spec_version` + 1):
/// what the network test's forkless upgrade carries onto a running chain. Compiled into every
/// build so that the runtime tests check them in process (pre/post checks, idempotence).
pub mod drill {
	use crate::Runtime;
	use frame_support::{traits::OnRuntimeUpgrade, weights::Weight};
	use pallet_market::{FaasLevelOf, Levels};

	/// The level the drill's release adds: four cores, 8 GiB, 1 GiB packages, tag `large`.
	pub fn large_level() -> FaasLevelOf<Runtime> {
		pallet_market::FaasLevel {
			cpu_millicores: 4000,
			gpu_units: 0,
			memory_mb: 8192,
			package_mb: 1024,
			tag: frame_support::BoundedVec::truncate_from(b"large".to_vec()),
		}
	}

	/// Adds [`large_level`] to the market's level table unless it is there (so running it
	/// again changes nothing). The table is append-only and only Root adds to it: reading it
	/// whole is bounded by what governance wrote.
	pub struct AddLargeLevel;

	impl OnRuntimeUpgrade for AddLargeLevel {
		fn on_runtime_upgrade() -> Weight {
			let levels = u64::try_from(Levels::<Runtime>::iter_keys().count()).unwrap_or(u64::MAX);
			let db = <Runtime as frame_system::Config>::DbWeight::get();
			match pallet_market::Pallet::<Runtime>::add_level_if_absent(large_level()) {
				Ok(Some(level_id)) => {
					log::info!(target: "runtime::drill", "added the large level as {level_id}");
					db.reads_writes(levels.saturating_add(1), 2)
				},
				Ok(None) => db.reads(levels),
				Err(error) => {
					log::error!(target: "runtime::drill", "adding the large level: {error:?}");
					db.reads(levels.saturating_add(1))
				},
			}
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			let present = Levels::<Runtime>::iter_values().any(|level| level == large_level());
			Ok((pallet_market::NextLevelId::<Runtime>::get(), present).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let (next_before, present): (u32, bool) =
				Decode::decode(&mut &state[..]).map_err(|_| "undecodable pre-upgrade state")?;
			let copies =
				Levels::<Runtime>::iter_values().filter(|level| *level == large_level()).count();
			frame_support::ensure!(copies == 1, "the large level is in the table exactly once");
			let added = u32::from(!present);
			frame_support::ensure!(
				pallet_market::NextLevelId::<Runtime>::get() == next_before.saturating_add(added),
				"one level id used, and only when the level was added"
			);
			Ok(())
		}
	}
}
