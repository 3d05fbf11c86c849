//! Storage version 0 → 1: a `slashed` total per era.

use super::current_era;
use crate::{
	migrations::v1::{v0, MigrateToV1},
	mock::*,
	CurrentEra, EraInfo, EraTotal, EraTotals,
};
use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

/// Put the pallet's storage back to version 0: the era in progress and two closed eras.
fn version_zero_state() {
	let era = current_era();
	CurrentEra::<Test>::kill();
	let _ = EraTotals::<Test>::clear(u32::MAX, None);
	v0::CurrentEra::<Test>::put(v0::EraInfo {
		index: 2,
		start_block: era.start_block,
		budget: 1_000,
		minted: 70,
		burned: 30,
	});
	v0::EraTotals::<Test>::insert(0, v0::EraTotal { minted: 10, burned: 4 });
	v0::EraTotals::<Test>::insert(1, v0::EraTotal { minted: 20, burned: 0 });
	StorageVersion::new(0).put::<FaasToken>();
}

#[test]
fn the_upgrade_gives_every_era_a_slashed_total_from_its_burns() {
	ExtBuilder::default().build_and_execute(|| {
		let start_block = current_era().start_block;
		version_zero_state();

		MigrateToV1::<Test>::on_runtime_upgrade();

		assert_eq!(FaasToken::on_chain_storage_version(), StorageVersion::new(1));
		assert_eq!(
			CurrentEra::<Test>::get(),
			Some(EraInfo {
				index: 2,
				start_block,
				budget: 1_000,
				minted: 70,
				burned: 30,
				slashed: 30
			})
		);
		assert_eq!(EraTotals::<Test>::get(0), Some(EraTotal { minted: 10, burned: 4, slashed: 4 }));
		assert_eq!(EraTotals::<Test>::get(1), Some(EraTotal { minted: 20, burned: 0, slashed: 0 }));
		assert_eq!(EraTotals::<Test>::iter_keys().count(), 2);
	});
}

#[test]
fn the_upgrade_does_nothing_at_version_one() {
	ExtBuilder::default().build_and_execute(|| {
		StorageVersion::new(1).put::<FaasToken>();
		let before = CurrentEra::<Test>::get();
		// A version-0 record at version 1 would be misread: the version guard must skip it.
		v0::EraTotals::<Test>::insert(7, v0::EraTotal { minted: 1, burned: 1 });

		MigrateToV1::<Test>::on_runtime_upgrade();

		assert_eq!(CurrentEra::<Test>::get(), before);
		assert!(EraTotals::<Test>::get(7).is_none());
		let _ = EraTotals::<Test>::clear(u32::MAX, None);
	});
}

#[test]
fn the_upgrade_on_a_chain_without_an_era_writes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		CurrentEra::<Test>::kill();
		StorageVersion::new(0).put::<FaasToken>();

		MigrateToV1::<Test>::on_runtime_upgrade();

		assert!(CurrentEra::<Test>::get().is_none());
		assert_eq!(EraTotals::<Test>::iter_keys().count(), 0);
		assert_eq!(FaasToken::on_chain_storage_version(), StorageVersion::new(1));
	});
}
