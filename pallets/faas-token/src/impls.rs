//! Logic of the FaaS token pallet: allowances, era bookkeeping, reward minting, slashing.

use crate::{
	pallet::*,
	traits::{AllowanceSpender, RewardMinter, SlashSink},
	types::*,
	weights::WeightInfo,
};
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	storage::with_storage_layer,
	traits::{
		fungible,
		tokens::{Fortitude, Precision, Preservation, Restriction},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{SaturatedConversion, Saturating},
	Perbill, Rounding,
};

/// Widen a balance for exact rational arithmetic (saturating for exotic balance types).
fn wide<T: Config>(amount: BalanceOf<T>) -> u128 {
	amount.saturated_into::<u128>()
}

/// Narrow a widened balance back (saturating).
fn narrow<T: Config>(amount: u128) -> BalanceOf<T> {
	BalanceOf::<T>::saturated_from(amount)
}

impl<T: Config> Pallet<T> {
	// ----- allowances -----

	/// Set the allowance `owner` gives `spender` to `amount`; zero removes it.
	pub(crate) fn do_approve(
		owner: T::AccountId,
		spender: T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<(), Error<T>> {
		ensure!(owner != spender, Error::<T>::SelfApproval);
		Self::write_allowance(&owner, &spender, amount);
		Self::deposit_event(Event::Approval { owner, spender, amount });
		Ok(())
	}

	/// Move `amount` from `owner` to `to`, spending `spender`'s allowance. Nothing changes on
	/// error: the allowance is checked first and written only after the transfer succeeded.
	pub(crate) fn do_transfer_from(
		spender: T::AccountId,
		owner: T::AccountId,
		to: T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let remaining = Self::allowance_after(&owner, &spender, amount)?;
		<T::Currency as fungible::Mutate<T::AccountId>>::transfer(
			&owner,
			&to,
			amount,
			Preservation::Preserve,
		)?;
		Self::write_allowance(&owner, &spender, remaining);
		Self::deposit_event(Event::TransferredFrom { owner, spender, to, amount });
		Ok(())
	}

	/// Decrease `spender`'s allowance from `owner` by `amount` (used by other pallets).
	pub(crate) fn do_spend_allowance(
		owner: &T::AccountId,
		spender: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<(), Error<T>> {
		let remaining = Self::allowance_after(owner, spender, amount)?;
		Self::write_allowance(owner, spender, remaining);
		Self::deposit_event(Event::AllowanceSpent {
			owner: owner.clone(),
			spender: spender.clone(),
			amount,
		});
		Ok(())
	}

	/// The allowance left after spending `amount`, or why it cannot be spent.
	fn allowance_after(
		owner: &T::AccountId,
		spender: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<BalanceOf<T>, Error<T>> {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		Allowances::<T>::get(owner, spender)
			.checked_sub(&amount)
			.ok_or(Error::<T>::InsufficientAllowance)
	}

	/// Store an allowance, never storing zero.
	fn write_allowance(owner: &T::AccountId, spender: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			Allowances::<T>::remove(owner, spender);
		} else {
			Allowances::<T>::insert(owner, spender, amount);
		}
	}

	// ----- administration -----

	/// Set the yearly inflation; the next era's budget uses it.
	pub(crate) fn do_set_yearly_inflation(inflation: Perbill) {
		YearlyInflation::<T>::put(inflation);
		Self::deposit_event(Event::YearlyInflationSet { inflation });
	}

	/// Set or clear the slash destination.
	pub(crate) fn do_set_slash_destination(destination: Option<T::AccountId>) {
		SlashDestination::<T>::set(destination.clone());
		Self::deposit_event(Event::SlashDestinationSet { destination });
	}

	// ----- eras -----

	/// Open era 0 if none is open, or roll over to the next era once `EraLength` blocks have
	/// passed. O(1): closing writes one `EraTotals` entry and prunes exactly one.
	pub(crate) fn do_on_initialize(now: BlockNumberFor<T>) -> Weight {
		match CurrentEra::<T>::get() {
			None => {
				Self::open_era(0, now);
				T::WeightInfo::on_initialize_new_era()
			},
			Some(era) if now.saturating_sub(era.start_block) >= T::EraLength::get() => {
				Self::close_era(&era);
				Self::open_era(era.index.saturating_add(1), now);
				T::WeightInfo::on_initialize_new_era()
			},
			Some(_) => T::DbWeight::get().reads(1),
		}
	}

	/// The era in progress; opens era 0 if the pallet has not run a block yet.
	fn current_era() -> EraInfoOf<T> {
		match CurrentEra::<T>::get() {
			Some(era) => era,
			None => Self::open_era(0, frame_system::Pallet::<T>::block_number()),
		}
	}

	/// Open era `index` starting at `now` with a freshly computed budget.
	fn open_era(index: EraIndex, now: BlockNumberFor<T>) -> EraInfoOf<T> {
		let budget = Self::era_budget();
		let era = EraInfo {
			index,
			start_block: now,
			budget,
			minted: Zero::zero(),
			burned: Zero::zero(),
			slashed: Zero::zero(),
		};
		CurrentEra::<T>::put(&era);
		Self::deposit_event(Event::EraStarted { index, budget });
		era
	}

	/// Record a closed era's totals and prune the one that fell out of the retention window.
	fn close_era(era: &EraInfoOf<T>) {
		let keep = T::ErasToKeep::get();
		if keep > 0 {
			let total = EraTotal { minted: era.minted, burned: era.burned, slashed: era.slashed };
			EraTotals::<T>::insert(era.index, total);
		}
		if let Some(expired) = era.index.checked_sub(keep) {
			EraTotals::<T>::remove(expired);
		}
	}

	/// `YearlyInflation × total issuance × EraLength / BlocksPerYear`, rounded down.
	pub(crate) fn era_budget() -> BalanceOf<T> {
		let issuance =
			wide::<T>(<T::Currency as fungible::Inspect<T::AccountId>>::total_issuance());
		let yearly = YearlyInflation::<T>::get().mul_floor(issuance);
		let era_length = T::EraLength::get().saturated_into::<u128>();
		let blocks_per_year = T::BlocksPerYear::get().saturated_into::<u128>();
		if blocks_per_year == 0 {
			return Zero::zero();
		}
		let budget =
			multiply_by_rational_with_rounding(yearly, era_length, blocks_per_year, Rounding::Down)
				.unwrap_or(u128::MAX);
		narrow::<T>(budget)
	}

	// ----- minting -----

	/// Mint `rewards` within the era's remaining budget, scaling the whole batch down by the
	/// same ratio if it does not fit. Returns the total minted.
	pub(crate) fn do_mint_rewards(rewards: &[(T::AccountId, BalanceOf<T>)]) -> BalanceOf<T> {
		let requested =
			rewards.iter().fold(0u128, |sum, (_, amount)| sum.saturating_add(wide::<T>(*amount)));
		if requested == 0 {
			return Zero::zero();
		}
		let mut era = Self::current_era();
		let remaining = wide::<T>(era.budget.saturating_sub(era.minted));
		let scaled = requested > remaining;
		// What this batch may still mint; guards the budget against any rounding surprise.
		let mut left = remaining.min(requested);
		let mut minted: u128 = 0;

		for (who, amount) in rewards {
			let amount = wide::<T>(*amount);
			let share = if scaled {
				// `remaining < requested`, so this cannot overflow; `requested` is non-zero.
				multiply_by_rational_with_rounding(amount, remaining, requested, Rounding::Down)
					.unwrap_or(0)
			} else {
				amount
			};
			let grant = share.min(left);
			if grant == 0 {
				continue;
			}
			let grant = narrow::<T>(grant);
			let result = with_storage_layer(|| {
				<T::Currency as fungible::Mutate<T::AccountId>>::mint_into(who, grant)
			});
			match result {
				Ok(actual) => {
					let actual_wide = wide::<T>(actual);
					minted = minted.saturating_add(actual_wide);
					left = left.saturating_sub(actual_wide);
					Self::deposit_event(Event::RewardMinted { who: who.clone(), amount: actual });
				},
				Err(error) => Self::deposit_event(Event::RewardMintFailed {
					who: who.clone(),
					amount: grant,
					error,
				}),
			}
		}

		let minted = narrow::<T>(minted);
		if scaled {
			let requested = narrow::<T>(requested);
			Self::deposit_event(Event::RewardsScaledDown { requested, minted });
		}
		era.minted = era.minted.saturating_add(minted);
		CurrentEra::<T>::put(era);
		minted
	}

	// ----- slashing -----

	/// Take up to `amount` from `who`'s hold `reason`: paid to the slash destination if one is
	/// set and can receive it, burned otherwise. Returns the amount taken.
	pub(crate) fn do_slash_held(
		reason: &HoldReasonOf<T>,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		let held =
			<T::Currency as fungible::InspectHold<T::AccountId>>::balance_on_hold(reason, who);
		if amount.is_zero() || held.is_zero() {
			return Zero::zero();
		}
		if let Some(destination) = SlashDestination::<T>::get().filter(|d| d != who) {
			let paid = with_storage_layer(|| {
				<T::Currency as fungible::MutateHold<T::AccountId>>::transfer_on_hold(
					reason,
					who,
					&destination,
					amount,
					Precision::BestEffort,
					Restriction::Free,
					Fortitude::Force,
				)
			});
			// If the destination cannot receive it (e.g. below its existential deposit) the
			// slash still happens: fall through and burn.
			if let Ok(paid) = paid {
				if !paid.is_zero() {
					Self::note_slashed(paid);
					let who = who.clone();
					Self::deposit_event(Event::Slashed { who, amount: paid, burned: false });
					return paid;
				}
			}
		}

		let burned = with_storage_layer(|| {
			<T::Currency as fungible::MutateHold<T::AccountId>>::burn_held(
				reason,
				who,
				amount,
				Precision::BestEffort,
				Fortitude::Force,
			)
		})
		.unwrap_or_else(|_| Zero::zero());
		if burned.is_zero() {
			return burned;
		}
		let mut era = Self::current_era();
		era.burned = era.burned.saturating_add(burned);
		era.slashed = era.slashed.saturating_add(burned);
		CurrentEra::<T>::put(era);
		Self::deposit_event(Event::Slashed { who: who.clone(), amount: burned, burned: true });
		burned
	}

	/// Count `amount` in the era's slashed total (funds taken that were not burned).
	pub(crate) fn note_slashed(amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		let mut era = Self::current_era();
		era.slashed = era.slashed.saturating_add(amount);
		CurrentEra::<T>::put(era);
	}

	// ----- queries (runtime API) -----

	/// The era in progress (`None` before the pallet's first block) and the kept closed eras,
	/// oldest first. Reads at most `ErasToKeep + 1` entries, by key.
	pub fn api_eras() -> EraHistoryOf<T> {
		let Some(era) = CurrentEra::<T>::get() else {
			return EraHistory { current: None, closed: Vec::new() };
		};
		let oldest = era.index.saturating_sub(T::ErasToKeep::get());
		let closed = (oldest..era.index)
			.filter_map(|index| EraTotals::<T>::get(index).map(|total| (index, total)))
			.collect();
		EraHistory { current: Some(era), closed }
	}

	// ----- invariants -----

	/// Check the pallet's invariants (docs/architecture.md §10): era bookkeeping and allowances.
	#[cfg(any(feature = "try-runtime", test))]
	pub(crate) fn do_try_state(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
		Self::try_state_eras(now)?;
		Self::try_state_allowances()
	}

	/// The current era matches the block number; closed eras are kept for exactly the
	/// retention window; nothing minted beyond the budget.
	#[cfg(any(feature = "try-runtime", test))]
	fn try_state_eras(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
		let Some(era) = CurrentEra::<T>::get() else {
			ensure!(EraTotals::<T>::iter_keys().next().is_none(), "era totals without an era");
			return Ok(());
		};
		ensure!(era.start_block <= now, "current era starts after the current block");
		ensure!(
			now.saturating_sub(era.start_block) < T::EraLength::get(),
			"current era outlived EraLength"
		);
		ensure!(era.minted <= era.budget, "current era minted more than its budget");
		ensure!(era.burned <= era.slashed, "current era burned more than it slashed");

		let expected = era.index.min(T::ErasToKeep::get());
		let oldest = era.index.saturating_sub(expected);
		let mut kept: u32 = 0;
		for (index, total) in EraTotals::<T>::iter() {
			ensure!(
				index >= oldest && index < era.index,
				"era totals outside the retention window"
			);
			ensure!(total.burned <= total.slashed, "a closed era burned more than it slashed");
			kept = kept.saturating_add(1);
		}
		ensure!(kept == expected, "era totals missing inside the retention window");
		Ok(())
	}

	/// Allowances are stored only when non-zero and never to oneself.
	#[cfg(any(feature = "try-runtime", test))]
	fn try_state_allowances() -> Result<(), sp_runtime::TryRuntimeError> {
		for (owner, spender, amount) in Allowances::<T>::iter() {
			ensure!(!amount.is_zero(), "zero allowance stored");
			ensure!(owner != spender, "self allowance stored");
		}
		Ok(())
	}
}

impl<T: Config> AllowanceSpender<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn spend_allowance(
		owner: &T::AccountId,
		spender: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		Self::do_spend_allowance(owner, spender, amount).map_err(Into::into)
	}

	fn allowance(owner: &T::AccountId, spender: &T::AccountId) -> BalanceOf<T> {
		Allowances::<T>::get(owner, spender)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_allowance(owner: &T::AccountId, spender: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() || owner == spender {
			Allowances::<T>::remove(owner, spender);
		} else {
			Allowances::<T>::insert(owner, spender, amount);
		}
	}
}

impl<T: Config> RewardMinter<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn mint_rewards(rewards: &[(T::AccountId, BalanceOf<T>)]) -> BalanceOf<T> {
		Self::do_mint_rewards(rewards)
	}
}

impl<T: Config> SlashSink<T::AccountId, BalanceOf<T>, HoldReasonOf<T>> for Pallet<T> {
	fn slash_held(
		reason: &HoldReasonOf<T>,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		Self::do_slash_held(reason, who, amount)
	}

	fn note_compensation(_from: &T::AccountId, _to: &T::AccountId, amount: BalanceOf<T>) {
		Self::note_slashed(amount)
	}
}
