//! Benchmarks of the FaaS token pallet (`frame_benchmarking::v2`), each in its worst case.

use super::*;
use crate::Pallet as FaasToken;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible, EnsureOrigin, Get, Hooks};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{One, Saturating, StaticLookup, Zero},
	Perbill,
};

const SEED: u32 = 0;

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(event.into());
}

/// The existential deposit, at least one unit.
fn minimum_balance<T: Config>() -> BalanceOf<T> {
	<T::Currency as fungible::Inspect<T::AccountId>>::minimum_balance().max(One::one())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Replaces an existing allowance (the write is the same as for a new one).
	#[benchmark]
	fn approve() {
		let owner: T::AccountId = whitelisted_caller();
		let spender: T::AccountId = account("spender", 0, SEED);
		let old = minimum_balance::<T>().saturating_mul(100u32.into());
		Allowances::<T>::insert(&owner, &spender, old);
		let amount = old.saturating_add(One::one());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), T::Lookup::unlookup(spender.clone()), amount);

		assert_eq!(Allowances::<T>::get(&owner, &spender), amount);
		assert_last_event::<T>(Event::Approval { owner, spender, amount });
	}

	/// Creates the recipient's account and leaves part of the allowance.
	#[benchmark]
	fn transfer_from() {
		let ed = minimum_balance::<T>();
		let owner: T::AccountId = account("owner", 0, SEED);
		let spender: T::AccountId = whitelisted_caller();
		let to: T::AccountId = account("to", 0, SEED);
		let amount = ed.saturating_mul(10u32.into());
		<T::Currency as fungible::Mutate<T::AccountId>>::set_balance(
			&owner,
			ed.saturating_mul(100u32.into()),
		);
		Allowances::<T>::insert(&owner, &spender, amount.saturating_mul(2u32.into()));

		#[extrinsic_call]
		_(
			RawOrigin::Signed(spender.clone()),
			T::Lookup::unlookup(owner.clone()),
			T::Lookup::unlookup(to.clone()),
			amount,
		);

		assert_eq!(<T::Currency as fungible::Inspect<T::AccountId>>::balance(&to), amount);
		assert_last_event::<T>(Event::TransferredFrom { owner, spender, to, amount });
	}

	#[benchmark]
	fn set_yearly_inflation() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let inflation = Perbill::from_percent(5);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, inflation);

		assert_eq!(YearlyInflation::<T>::get(), inflation);
		assert_last_event::<T>(Event::YearlyInflationSet { inflation });
		Ok(())
	}

	#[benchmark]
	fn set_slash_destination() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let destination: Option<T::AccountId> = Some(account("treasury", 0, SEED));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, destination.clone());

		assert_eq!(SlashDestination::<T>::get(), destination);
		assert_last_event::<T>(Event::SlashDestinationSet { destination });
		Ok(())
	}

	/// Era rollover: closes an era (one `EraTotals` insert), prunes the oldest kept era (one
	/// remove) and computes the next budget.
	#[benchmark]
	fn on_initialize_new_era() {
		let keep = T::ErasToKeep::get();
		let index: EraIndex = keep.max(1);
		let expired = index.saturating_sub(keep);
		let start: BlockNumberFor<T> = One::one();
		let now = start.saturating_add(T::EraLength::get());
		YearlyInflation::<T>::put(Perbill::from_percent(5));
		CurrentEra::<T>::put(EraInfo {
			index,
			start_block: start,
			budget: minimum_balance::<T>(),
			minted: Zero::zero(),
			burned: Zero::zero(),
			slashed: Zero::zero(),
		});
		EraTotals::<T>::insert(expired, EraTotal::default());

		#[block]
		{
			<FaasToken<T> as Hooks<BlockNumberFor<T>>>::on_initialize(now);
		}

		let next = index.saturating_add(1);
		assert_eq!(CurrentEra::<T>::get().map(|era| era.index), Some(next));
		assert!(EraTotals::<T>::contains_key(index));
		if expired != index {
			assert!(!EraTotals::<T>::contains_key(expired));
		}
		let budget = FaasToken::<T>::era_budget();
		assert_last_event::<T>(Event::EraStarted { index: next, budget });
	}

	impl_benchmark_test_suite!(FaasToken, crate::mock::new_test_ext(), crate::mock::Test);
}
