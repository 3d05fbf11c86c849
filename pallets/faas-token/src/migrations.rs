//! Storage migrations of the FaaS token.
//!
//! - [`v1::MigrateToV1`] (storage version 0 → 1): the era in progress and the kept closed eras
//!   gain a `slashed` total. A version-0 chain counted only the slashes it burned, so each era's
//!   `slashed` starts at its `burned` (slashes paid to the slash destination or to customers
//!   before the upgrade are not recoverable from storage). A single-block migration: it touches
//!   the era in progress and the closed eras kept (`ErasToKeep`, a runtime constant).

/// Storage version 0 → 1: a `slashed` total per era.
pub mod v1 {
	use crate::{
		pallet::{Config, CurrentEra, EraTotals, Pallet},
		types::*,
	};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, storage_alias,
		traits::UncheckedOnRuntimeUpgrade,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	/// The layouts of storage version 0.
	pub mod v0 {
		use super::*;

		/// The era in progress, version 0: no `slashed` total.
		#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
		pub struct EraInfo<BlockNumber, Balance> {
			/// See [`crate::EraInfo`].
			pub index: EraIndex,
			/// See [`crate::EraInfo`].
			pub start_block: BlockNumber,
			/// See [`crate::EraInfo`].
			pub budget: Balance,
			/// See [`crate::EraInfo`].
			pub minted: Balance,
			/// See [`crate::EraInfo`].
			pub burned: Balance,
		}

		/// A closed era's totals, version 0: no `slashed` total.
		#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
		pub struct EraTotal<Balance> {
			/// See [`crate::EraTotal`].
			pub minted: Balance,
			/// See [`crate::EraTotal`].
			pub burned: Balance,
		}

		/// `CurrentEra` of storage version 0.
		#[storage_alias]
		pub type CurrentEra<T: Config> =
			StorageValue<Pallet<T>, EraInfo<BlockNumberFor<T>, BalanceOf<T>>, OptionQuery>;

		/// `EraTotals` of storage version 0.
		#[storage_alias]
		pub type EraTotals<T: Config> =
			StorageMap<Pallet<T>, Twox64Concat, EraIndex, EraTotal<BalanceOf<T>>, OptionQuery>;
	}

	/// Rewrites the era records with `slashed = burned`; use [`MigrateToV1`], which runs it only
	/// on a pallet at storage version 0 and then sets version 1.
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut touched: u64 = 1;
			if let Some(old) = v0::CurrentEra::<T>::get() {
				CurrentEra::<T>::put(EraInfo {
					index: old.index,
					start_block: old.start_block,
					budget: old.budget,
					minted: old.minted,
					burned: old.burned,
					slashed: old.burned,
				});
			}
			// Closed eras are at most `ErasToKeep` (pruned one per era since era 0).
			EraTotals::<T>::translate::<v0::EraTotal<BalanceOf<T>>, _>(|_, old| {
				touched = touched.saturating_add(1);
				Some(EraTotal { minted: old.minted, burned: old.burned, slashed: old.burned })
			});
			T::DbWeight::get().reads_writes(touched, touched)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let era = v0::CurrentEra::<T>::get();
			let mut closed: Vec<(EraIndex, v0::EraTotal<BalanceOf<T>>)> =
				v0::EraTotals::<T>::iter().collect();
			closed.sort_by_key(|(index, _)| *index);
			Ok((era, closed).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			type Before<T> = (
				Option<v0::EraInfo<BlockNumberFor<T>, BalanceOf<T>>>,
				Vec<(EraIndex, v0::EraTotal<BalanceOf<T>>)>,
			);
			let (era, closed) = Before::<T>::decode(&mut &state[..])
				.map_err(|_| "faas-token v1: undecodable pre-upgrade state")?;
			let now = CurrentEra::<T>::get();
			ensure!(era.is_some() == now.is_some(), "faas-token v1: the era in progress changed");
			if let (Some(old), Some(new)) = (era, now) {
				ensure!(
					new.index == old.index
						&& new.start_block == old.start_block
						&& new.budget == old.budget
						&& new.minted == old.minted
						&& new.burned == old.burned
						&& new.slashed == old.burned,
					"faas-token v1: the era in progress was not carried over"
				);
			}
			ensure!(
				EraTotals::<T>::iter_keys().count() == closed.len(),
				"faas-token v1: the number of closed eras changed"
			);
			for (index, old) in closed {
				let new =
					EraTotals::<T>::get(index).ok_or("faas-token v1: a closed era vanished")?;
				ensure!(
					new == EraTotal { minted: old.minted, burned: old.burned, slashed: old.burned },
					"faas-token v1: a closed era was not carried over"
				);
			}
			Ok(())
		}
	}

	/// Storage version 0 → 1 of the FaaS token: `slashed` per era (does nothing at version 1).
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
