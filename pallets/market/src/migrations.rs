//! Storage migrations of the market.
//!
//! - [`v1::MigrateToV1`] (storage version 0 → 1): every order names its payment asset (the
//!   orders of a version-0 chain all paid in FST) and recent clearing prices are kept per level
//!   and payment asset. A `SteppedMigration` for `pallet-migrations`: orders are as many as the
//!   chain's users made in a retention period, so they are migrated a weight-metered batch per
//!   block.

/// Storage version 0 → 1: payment assets.
pub mod v1 {
	use crate::{
		pallet::{Config, Orders, Pallet, RecentPrices},
		types::*,
	};
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::{
		migrations::{MigrationId, SteppedMigration, SteppedMigrationError},
		pallet_prelude::*,
		storage_alias,
		traits::{GetStorageVersion, StorageVersion},
		weights::WeightMeter,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::Permill;

	/// The layouts of storage version 0.
	pub mod v0 {
		use super::*;

		/// An order of storage version 0: paid in FST, no `asset` field.
		#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
		pub struct OrderRecord<AccountId, Balance, BlockNumber> {
			/// See [`crate::OrderRecord`].
			pub customer: AccountId,
			/// See [`crate::OrderRecord`].
			pub payer: AccountId,
			/// See [`crate::OrderRecord`].
			pub level: LevelId,
			/// See [`crate::OrderRecord`].
			pub periods: u32,
			/// See [`crate::OrderRecord`].
			pub period_length: BlockNumber,
			/// See [`crate::OrderRecord`].
			pub max_unit_price: Balance,
			/// See [`crate::OrderRecord`].
			pub committee_size: u32,
			/// See [`crate::OrderRecord`].
			pub package_hash: [u8; 32],
			/// See [`crate::OrderRecord`].
			pub min_reputation: Permill,
			/// See [`crate::OrderRecord`].
			pub prepay: Balance,
			/// See [`crate::OrderRecord`].
			pub paid: Balance,
			/// See [`crate::OrderRecord`].
			pub refunded: Balance,
			/// See [`crate::OrderRecord`].
			pub state: OrderState<AccountId, Balance, BlockNumber>,
			/// See [`crate::OrderRecord`].
			pub lease: Option<LeaseRecord<AccountId, Balance, BlockNumber>>,
			/// See [`crate::OrderRecord`].
			pub created_at: BlockNumber,
		}

		/// A version-0 order of a runtime.
		pub type OrderRecordOf<T> = OrderRecord<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;

		impl<AccountId, Balance, BlockNumber> OrderRecord<AccountId, Balance, BlockNumber> {
			/// The version-1 order paying in `asset`.
			pub fn with_asset<Asset>(
				self,
				asset: Asset,
			) -> crate::OrderRecord<AccountId, Asset, Balance, BlockNumber> {
				crate::OrderRecord {
					customer: self.customer,
					payer: self.payer,
					asset,
					level: self.level,
					periods: self.periods,
					period_length: self.period_length,
					max_unit_price: self.max_unit_price,
					committee_size: self.committee_size,
					package_hash: self.package_hash,
					min_reputation: self.min_reputation,
					prepay: self.prepay,
					paid: self.paid,
					refunded: self.refunded,
					state: self.state,
					lease: self.lease,
					created_at: self.created_at,
				}
			}
		}

		/// The orders of storage version 0.
		#[storage_alias]
		pub type Orders<T: Config> =
			StorageMap<Pallet<T>, Twox64Concat, OrderId, OrderRecordOf<T>, OptionQuery>;

		/// The recent prices of storage version 0: per level only (all in FST).
		#[storage_alias]
		pub type RecentPrices<T: Config> =
			StorageMap<Pallet<T>, Twox64Concat, LevelId, RecentPricesOf<T>, ValueQuery>;
	}

	/// Where [`MigrateToV1`] is.
	#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen)]
	pub enum Cursor {
		/// The recent prices are migrated; orders after this one (in storage order) are next.
		Orders {
			/// The last order migrated; `None` before the first.
			last: Option<OrderId>,
		},
	}

	/// Migrates the market from storage version 0 to 1: orders get `asset = NativeAsset`
	/// (FST) and the recent prices of each level move to `(level, NativeAsset)`. Does nothing
	/// unless the on-chain storage version is 0; sets it to 1 when done.
	pub struct MigrateToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> MigrateToV1<T> {
		/// Weight of migrating one order: a read and a write of one order record.
		pub fn order_weight() -> Weight {
			let bytes = u64::try_from(crate::OrderRecordOf::<T>::max_encoded_len())
				.unwrap_or(u64::MAX)
				.saturating_add(
					u64::try_from(v0::OrderRecordOf::<T>::max_encoded_len()).unwrap_or(u64::MAX),
				);
			T::DbWeight::get().reads_writes(1, 1).saturating_add(Weight::from_parts(0, bytes))
		}

		/// Weight of moving the recent prices of `levels` levels.
		pub fn prices_weight(levels: u32) -> Weight {
			let bytes = u64::try_from(RecentPricesOf::<T>::max_encoded_len())
				.unwrap_or(u64::MAX)
				.saturating_mul(2)
				.saturating_add(64);
			T::DbWeight::get()
				.reads_writes(1, 2)
				.saturating_add(Weight::from_parts(0, bytes))
				.saturating_mul(u64::from(levels))
				.saturating_add(T::DbWeight::get().reads(1))
		}
	}

	impl<T: Config> SteppedMigration for MigrateToV1<T> {
		type Cursor = Cursor;
		type Identifier = MigrationId<21>;

		fn id() -> Self::Identifier {
			MigrationId { pallet_id: *b"defaas-market-assets1", version_from: 0, version_to: 1 }
		}

		fn step(
			cursor: Option<Self::Cursor>,
			meter: &mut WeightMeter,
		) -> Result<Option<Self::Cursor>, SteppedMigrationError> {
			// (The last order migrated, whether this step did anything yet.)
			let (mut last, mut progressed) = match cursor {
				None => {
					if Pallet::<T>::on_chain_storage_version() != StorageVersion::new(0) {
						return Ok(None);
					}
					// The level table bounds the price rings: one per level.
					let required = Self::prices_weight(crate::pallet::NextLevelId::<T>::get());
					if meter.try_consume(required).is_err() {
						return Err(SteppedMigrationError::InsufficientWeight { required });
					}
					// Read them all before writing: the new keys share the old prefix.
					let prices: alloc::vec::Vec<_> = v0::RecentPrices::<T>::drain().collect();
					for (level, ring) in prices {
						RecentPrices::<T>::insert(level, T::NativeAsset::get(), ring);
					}
					(None, true)
				},
				Some(Cursor::Orders { last }) => (last, false),
			};
			let per_order = Self::order_weight();
			loop {
				if meter.try_consume(per_order).is_err() {
					if progressed {
						return Ok(Some(Cursor::Orders { last }));
					}
					return Err(SteppedMigrationError::InsufficientWeight { required: per_order });
				}
				let mut iter = match last {
					Some(id) => v0::Orders::<T>::iter_from(v0::Orders::<T>::hashed_key_for(id)),
					None => v0::Orders::<T>::iter(),
				};
				let Some((order_id, order)) = iter.next() else {
					StorageVersion::new(1).put::<Pallet<T>>();
					return Ok(None);
				};
				Orders::<T>::insert(order_id, order.with_asset(T::NativeAsset::get()));
				last = Some(order_id);
				progressed = true;
			}
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let orders = u64::try_from(v0::Orders::<T>::iter_keys().count()).unwrap_or(u64::MAX);
			let prices =
				u64::try_from(v0::RecentPrices::<T>::iter_keys().count()).unwrap_or(u64::MAX);
			let version = Pallet::<T>::on_chain_storage_version() == StorageVersion::new(0);
			Ok((version, orders, prices).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (was_v0, orders, prices): (bool, u64, u64) =
				Decode::decode(&mut &state[..]).map_err(|_| "undecodable pre-upgrade state")?;
			ensure!(
				Pallet::<T>::on_chain_storage_version() == StorageVersion::new(1),
				"the market is not at storage version 1"
			);
			if was_v0 {
				let migrated = u64::try_from(Orders::<T>::iter_values().count()).unwrap_or(0);
				ensure!(migrated == orders, "an order was lost or is undecodable");
				let native = u64::try_from(
					RecentPrices::<T>::iter_keys()
						.filter(|(_, asset)| *asset == T::NativeAsset::get())
						.count(),
				)
				.unwrap_or(0);
				ensure!(native == prices, "a level's recent prices were lost");
			}
			Ok(())
		}
	}
}
