//! The market's logic. Calls in `lib.rs` delegate to the `do_*` functions of these modules.
//!
//! - `mod.rs`: the holds (every hold, release, transfer and slash of the market goes through
//!   it; `try_state` checks the currency's holds against the records), the level table, the
//!   time parameters and config checks;
//! - [`providers`]: registration, heartbeats (and the authorization of `worker_heartbeat`),
//!   reputation, the `ProviderDirectory`;
//! - [`offchain`]: the provider heartbeat worker (`offchain_worker`);
//! - [`orders`]: order creation, cancellation, confirmation, deployment and closing;
//! - [`auction`]: sealed bids, reveals and the auction close;
//! - [`settlement`]: per-round settlement on verdicts and verdict timeouts;
//! - [`deadlines`]: the deadline index, `advance` and the `on_idle` sweep;
//! - [`invariants`]: the `try_state` checks.

mod auction;
mod deadlines;
#[cfg(any(test, feature = "try-runtime"))]
mod invariants;
pub(crate) mod offchain;
mod orders;
pub(crate) mod providers;
mod settlement;

use crate::{
	pallet::{
		Config, Error, Event, HoldReason, Levels, NextLevelId, Pallet, PaymentAssets, Timings,
	},
	types::*,
	WeightInfo, LOG_TARGET,
};
use defaas_primitives::traits::SlashSink;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		fungibles,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// The current block number.
	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// The bids stored for `order_id`: the `b` component of the weights of the calls and
	/// transitions that go through them.
	pub(crate) fn bid_count(order_id: OrderId) -> u32 {
		crate::pallet::Bids::<T>::decode_len(order_id)
			.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
	}

	// -----------------------------------------------------------------------------------------
	// Hold ledger
	// -----------------------------------------------------------------------------------------

	/// Whether `who` can afford to have `amount` held for `reason`.
	pub(crate) fn can_hold(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> bool {
		amount.is_zero() || T::Currency::can_hold(&reason.into(), who, amount)
	}

	/// Hold `amount` from `who` for `reason` and record it.
	pub(crate) fn hold(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::hold(&reason.into(), who, amount)?;
		Ok(())
	}

	/// Release up to `amount` of what `who` holds for `reason`; returns what was released.
	pub(crate) fn release(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		if amount.is_zero() {
			return Zero::zero();
		}
		match T::Currency::release(&reason.into(), who, amount, Precision::BestEffort) {
			Ok(released) => released,
			Err(e) => {
				log::error!(target: LOG_TARGET, "release of {:?} for {:?} failed: {:?}", amount, reason, e);
				Zero::zero()
			},
		}
	}

	/// Move up to `amount` (exactly `amount` with [`Precision::Exact`]) from what `from`
	/// holds for `reason` to the free balance of `to`; returns what was moved.
	pub(crate) fn transfer_held(
		reason: HoldReason,
		from: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
		precision: Precision,
	) -> Result<BalanceOf<T>, DispatchError> {
		if amount.is_zero() {
			return Ok(Zero::zero());
		}
		let moved = T::Currency::transfer_on_hold(
			&reason.into(),
			from,
			to,
			amount,
			precision,
			Restriction::Free,
			Fortitude::Force,
		)?;
		Ok(moved)
	}

	/// Hand up to `amount` of what `who` holds for `reason` to the slash sink; returns what
	/// the sink took (measured on the hold itself, whatever the sink reports).
	pub(crate) fn slash(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		if amount.is_zero() {
			return Zero::zero();
		}
		let runtime_reason: T::RuntimeHoldReason = reason.into();
		let before = T::Currency::balance_on_hold(&runtime_reason, who);
		let _reported = T::SlashSink::slash_held(&runtime_reason, who, amount);
		let after = T::Currency::balance_on_hold(&runtime_reason, who);
		before.saturating_sub(after)
	}

	/// Slash up to `amount` and release whatever the sink did not take; returns
	/// `(slashed, released)`.
	pub(crate) fn slash_or_release(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> (BalanceOf<T>, BalanceOf<T>) {
		let slashed = Self::slash(reason, who, amount);
		let released = Self::release(reason, who, amount.saturating_sub(slashed));
		(slashed, released)
	}

	// -----------------------------------------------------------------------------------------
	// Prepays: held in the order's payment asset (`PaymentFunds`)
	// -----------------------------------------------------------------------------------------

	/// Whether `payer` can afford to have `amount` of `asset` held as a prepay.
	pub(crate) fn can_hold_prepay(
		asset: &AssetKindOf<T>,
		payer: &T::AccountId,
		amount: BalanceOf<T>,
	) -> bool {
		amount.is_zero()
			|| <T::PaymentFunds as fungibles::InspectHold<_>>::can_hold(
				asset.clone(),
				&HoldReason::OrderPrepay.into(),
				payer,
				amount,
			)
	}

	/// Hold `amount` of `asset` from `payer` as a prepay.
	pub(crate) fn hold_prepay(
		asset: &AssetKindOf<T>,
		payer: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		<T::PaymentFunds as fungibles::MutateHold<_>>::hold(
			asset.clone(),
			&HoldReason::OrderPrepay.into(),
			payer,
			amount,
		)
	}

	/// Release up to `amount` of the prepay `payer` holds in `asset`; returns what was released.
	pub(crate) fn release_prepay(
		asset: &AssetKindOf<T>,
		payer: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		if amount.is_zero() {
			return Zero::zero();
		}
		match <T::PaymentFunds as fungibles::MutateHold<_>>::release(
			asset.clone(),
			&HoldReason::OrderPrepay.into(),
			payer,
			amount,
			Precision::BestEffort,
		) {
			Ok(released) => released,
			Err(e) => {
				log::error!(target: LOG_TARGET, "release of prepay {:?} in {:?} failed: {:?}", amount, asset, e);
				Zero::zero()
			},
		}
	}

	/// Pay up to `amount` (exactly `amount` with [`Precision::Exact`]) of the prepay `payer`
	/// holds in `asset` to the free balance of `to`; returns what was paid.
	pub(crate) fn pay_from_prepay(
		asset: &AssetKindOf<T>,
		payer: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
		precision: Precision,
	) -> Result<BalanceOf<T>, DispatchError> {
		if amount.is_zero() {
			return Ok(Zero::zero());
		}
		<T::PaymentFunds as fungibles::MutateHold<_>>::transfer_on_hold(
			asset.clone(),
			&HoldReason::OrderPrepay.into(),
			payer,
			to,
			amount,
			precision,
			Restriction::Free,
			Fortitude::Force,
		)
	}

	// -----------------------------------------------------------------------------------------
	// Payment assets
	// -----------------------------------------------------------------------------------------

	/// The least prepay of an order in `asset`: `Some(1)` for FST, the stored minimum for an
	/// accepted asset; `Err` names why the asset cannot pay.
	pub(crate) fn min_prepay(asset: &AssetKindOf<T>) -> Result<BalanceOf<T>, Error<T>> {
		if *asset == T::NativeAsset::get() {
			return Ok(One::one());
		}
		ensure!(
			<T::PaymentFunds as fungibles::Inspect<_>>::asset_exists(asset.clone()),
			Error::<T>::UnknownAsset
		);
		PaymentAssets::<T>::get(asset).ok_or(Error::<T>::AssetNotAccepted)
	}

	/// The least unit price of an order in `asset`: 1 in FST (a provider holds FST, its
	/// stake), the asset's minimum balance otherwise (a period's payment must be able to open
	/// the provider's account of the asset).
	pub(crate) fn least_unit_price(asset: &AssetKindOf<T>) -> BalanceOf<T> {
		if *asset == T::NativeAsset::get() {
			return One::one();
		}
		<T::PaymentFunds as fungibles::Inspect<_>>::minimum_balance(asset.clone()).max(One::one())
	}

	/// `set_payment_asset`: accept an existing asset (or change its minimum), or stop
	/// accepting it.
	pub(crate) fn do_set_payment_asset(
		asset: AssetKindOf<T>,
		min_prepay: Option<BalanceOf<T>>,
	) -> DispatchResult {
		ensure!(asset != T::NativeAsset::get(), Error::<T>::NativeAlwaysAccepted);
		match min_prepay {
			Some(min_prepay) => {
				ensure!(
					<T::PaymentFunds as fungibles::Inspect<_>>::asset_exists(asset.clone()),
					Error::<T>::UnknownAsset
				);
				ensure!(
					PaymentAssets::<T>::contains_key(&asset)
						|| PaymentAssets::<T>::count() < T::MaxPaymentAssets::get(),
					Error::<T>::TooManyPaymentAssets
				);
				PaymentAssets::<T>::insert(&asset, min_prepay);
				Self::deposit_event(Event::PaymentAssetSet { asset, min_prepay });
			},
			None => {
				ensure!(PaymentAssets::<T>::contains_key(&asset), Error::<T>::AssetNotAccepted);
				PaymentAssets::<T>::remove(&asset);
				Self::deposit_event(Event::PaymentAssetRemoved { asset });
			},
		}
		Ok(())
	}

	// -----------------------------------------------------------------------------------------
	// Levels
	// -----------------------------------------------------------------------------------------

	/// `add_level`: append a valid level.
	/// Adds `level` unless an identical level is in the table (for migrations, which must be
	/// idempotent): its new id, or `None` if it was there. Reads the whole (append-only,
	/// Root-written) level table.
	pub fn add_level_if_absent(level: FaasLevelOf<T>) -> Result<Option<LevelId>, DispatchError> {
		if Levels::<T>::iter_values().any(|existing| existing == level) {
			return Ok(None);
		}
		ensure!(level.is_valid(), Error::<T>::InvalidLevel);
		let level_id = Self::insert_level(level.clone())?;
		Self::deposit_event(Event::LevelAdded { level_id, level });
		Ok(Some(level_id))
	}

	pub(crate) fn do_add_level(level: FaasLevelOf<T>) -> DispatchResult {
		ensure!(level.is_valid(), Error::<T>::InvalidLevel);
		let level_id = Self::insert_level(level.clone())?;
		Self::deposit_event(Event::LevelAdded { level_id, level });
		Ok(())
	}

	/// Append `level` to the table and return its id.
	pub(crate) fn insert_level(level: FaasLevelOf<T>) -> Result<LevelId, Error<T>> {
		let level_id = NextLevelId::<T>::get();
		let next = level_id.checked_add(1).ok_or(Error::<T>::LevelIdOverflow)?;
		Levels::<T>::insert(level_id, level);
		NextLevelId::<T>::put(next);
		Ok(level_id)
	}

	// -----------------------------------------------------------------------------------------
	// Time parameters and configuration
	// -----------------------------------------------------------------------------------------

	/// The time parameters in force: those stored by genesis or `set_timings`, otherwise
	/// `Config::DefaultTimings`.
	pub fn timings() -> MarketTimingsOf<T> {
		Timings::<T>::get().unwrap_or_else(T::DefaultTimings::get)
	}

	/// `set_timings`: store valid time parameters. They apply to deadlines computed from now
	/// on; deadlines already stored in orders and the billing period of existing orders stay.
	pub(crate) fn do_set_timings(timings: MarketTimingsOf<T>) -> DispatchResult {
		ensure!(timings.validate(), Error::<T>::InvalidTimings);
		Timings::<T>::put(timings);
		Self::deposit_event(Event::TimingsSet { timings });
		Ok(())
	}

	/// Panics (in `integrity_test`, at build/test time only) on a nonsensical configuration.
	pub(crate) fn check_config() {
		assert!(T::PrepayFactor::get() >= 1, "PrepayFactor must be at least 1");
		assert!(T::MaxPeriods::get() >= 1, "MaxPeriods must be at least 1");
		assert!(T::MinCommittee::get() <= T::MaxCommittee::get(), "MinCommittee > MaxCommittee");
		assert!(
			T::DefaultTimings::get().validate(),
			"DefaultTimings: every window, grace and period must be positive and \
			 min_bid_window <= max_bid_window"
		);
		assert!(T::MaxBidsPerOrder::get() >= 1, "MaxBidsPerOrder must be at least 1");
		// The deadline sweep (`on_idle`) makes progress whenever a block leaves it a tenth of
		// its weight: the costliest transition fits.
		let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
		let share = sp_runtime::Perbill::from_percent(10);
		assert!(
			<T as Config>::WeightInfo::advance(T::MaxBidsPerOrder::get())
				.all_lte(defaas_primitives::weight_share(share, max_block)),
			"advance(MaxBidsPerOrder) exceeds {share:?} of the block: on_idle could stall"
		);
		assert!(T::MaxDeadlinesPerBlock::get() >= 1, "MaxDeadlinesPerBlock must be at least 1");
		assert!(T::MaxLevelsPerProvider::get() >= 1, "MaxLevelsPerProvider must be at least 1");
		let heartbeat_period = T::HeartbeatPeriod::get();
		// A worker heartbeat made at block n is validated against block n + 1 at the earliest.
		assert!(heartbeat_period >= 2u32.into(), "HeartbeatPeriod must be at least 2");
		assert!(
			heartbeat_period < T::DefaultTimings::get().heartbeat_grace,
			"HeartbeatPeriod must be below the heartbeat_grace of DefaultTimings"
		);
	}
}
