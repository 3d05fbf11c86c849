#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely (clippy.toml lets them unwrap, expect, panic and index).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::unreachable))]
#![doc = include_str!("../README.md")]

extern crate alloc;

pub use pallet::*;

mod impls;
pub mod migrations;
pub mod traits;
mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use traits::{AllowanceSpender, RewardMinter, SlashSink};
pub use types::*;
pub use weights::WeightInfo;

// The FRAME macros expand to `expect`/`unreachable!` in generated code (storage prefixes, call
// dispatch); the pallet's own logic lives outside this module, under the workspace lints.
#[allow(clippy::expect_used, clippy::unreachable, clippy::panic, clippy::indexing_slicing)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{pallet_prelude::*, traits::fungible};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::StaticLookup, Perbill};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The FaaS token pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the FaaS token pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The native token (`pallet-balances`): transfers, minting and holds.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::InspectHold<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId>;

		/// Origin that may change the yearly inflation and the slash destination.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Length of an issuance era in blocks; the minting budget is renewed every era.
		#[pallet::constant]
		type EraLength: Get<BlockNumberFor<Self>>;

		/// Blocks in a year, to turn the yearly inflation into a per-era budget.
		#[pallet::constant]
		type BlocksPerYear: Get<BlockNumberFor<Self>>;

		/// Number of closed eras whose totals stay in `EraTotals`.
		#[pallet::constant]
		type ErasToKeep: Get<u32>;

		/// Decimals of the native token (12 for FST).
		#[pallet::constant]
		type Decimals: Get<u8>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Allowances: how much a spender (second key) may still move out of an owner's (first
	/// key) free balance. Absent means zero; zero is never stored.
	#[pallet::storage]
	pub type Allowances<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		BalanceOf<T>,
		ValueQuery,
	>;

	/// Yearly inflation allowed for reward minting, as a fraction of total issuance.
	/// A change takes effect with the next era's budget.
	#[pallet::storage]
	pub type YearlyInflation<T: Config> = StorageValue<_, Perbill, ValueQuery>;

	/// Account that receives slashed funds; `None` burns them.
	#[pallet::storage]
	pub type SlashDestination<T: Config> = StorageValue<_, T::AccountId, OptionQuery>;

	/// The issuance era in progress (opened in the first block the pallet runs).
	#[pallet::storage]
	pub type CurrentEra<T: Config> = StorageValue<_, EraInfoOf<T>, OptionQuery>;

	/// Minted, burned and slashed totals of the last `ErasToKeep` closed eras, by era index.
	#[pallet::storage]
	pub type EraTotals<T: Config> =
		StorageMap<_, Twox64Concat, EraIndex, EraTotalOf<T>, OptionQuery>;

	/// Initial token economics.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Yearly inflation allowed for reward minting.
		pub yearly_inflation: Perbill,
		/// Account receiving slashed funds; `None` burns them.
		pub slash_destination: Option<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			YearlyInflation::<T>::put(self.yearly_inflation);
			SlashDestination::<T>::set(self.slash_destination.clone());
		}
	}

	/// Events of the FaaS token pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An owner set the allowance of a spender.
		Approval {
			/// Account whose funds may be spent.
			owner: T::AccountId,
			/// Account allowed to spend them.
			spender: T::AccountId,
			/// The new allowance (zero removes it).
			amount: BalanceOf<T>,
		},
		/// A spender moved funds out of an owner's account using its allowance.
		TransferredFrom {
			/// Account the funds came from.
			owner: T::AccountId,
			/// Account that used its allowance.
			spender: T::AccountId,
			/// Account that received the funds.
			to: T::AccountId,
			/// Amount transferred (and taken from the allowance).
			amount: BalanceOf<T>,
		},
		/// Another pallet spent an allowance on the spender's behalf (e.g. a sponsored order).
		AllowanceSpent {
			/// Account whose funds the spend is about.
			owner: T::AccountId,
			/// Account whose allowance was used.
			spender: T::AccountId,
			/// Amount taken from the allowance.
			amount: BalanceOf<T>,
		},
		/// A reward was minted into an account.
		RewardMinted {
			/// Account rewarded.
			who: T::AccountId,
			/// Amount minted.
			amount: BalanceOf<T>,
		},
		/// A reward batch exceeded the era's remaining budget; every reward was scaled down.
		RewardsScaledDown {
			/// Sum of the rewards requested.
			requested: BalanceOf<T>,
			/// Sum actually minted.
			minted: BalanceOf<T>,
		},
		/// A reward could not be minted (e.g. below the existential deposit of a new account).
		RewardMintFailed {
			/// Account that was to be rewarded.
			who: T::AccountId,
			/// Amount that was to be minted.
			amount: BalanceOf<T>,
			/// Why the mint failed.
			error: DispatchError,
		},
		/// Held funds were slashed.
		Slashed {
			/// Account slashed.
			who: T::AccountId,
			/// Amount taken from the hold.
			amount: BalanceOf<T>,
			/// `true` if burned, `false` if paid to the slash destination.
			burned: bool,
		},
		/// The yearly inflation changed (effective from the next era).
		YearlyInflationSet {
			/// The new yearly inflation.
			inflation: Perbill,
		},
		/// The slash destination changed.
		SlashDestinationSet {
			/// The new destination; `None` burns slashed funds.
			destination: Option<T::AccountId>,
		},
		/// A new issuance era opened.
		EraStarted {
			/// Index of the new era.
			index: EraIndex,
			/// Most that may be minted during it.
			budget: BalanceOf<T>,
		},
	}

	/// Errors of the FaaS token pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The spender's allowance from this owner is smaller than the amount.
		InsufficientAllowance,
		/// An account cannot give itself an allowance.
		SelfApproval,
		/// The amount must be greater than zero.
		ZeroAmount,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::do_on_initialize(now)
		}

		fn integrity_test() {
			assert!(!T::EraLength::get().is_zero(), "`EraLength` must not be zero");
			assert!(!T::BlocksPerYear::get().is_zero(), "`BlocksPerYear` must not be zero");
			assert!(T::ErasToKeep::get() > 0, "`ErasToKeep` must not be zero");
			// The era change (`on_initialize`, once per era) takes at most 1 % of a block.
			let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
			let share = sp_runtime::Perbill::from_percent(1);
			assert!(
				T::WeightInfo::on_initialize_new_era()
					.all_lte(defaas_primitives::weight_share(share, max_block)),
				"the era change exceeds {share:?} of the block"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state(now)
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Allow `spender` to move up to `amount` out of the caller's free balance, replacing
		/// any previous allowance. Zero removes the allowance.
		///
		/// Origin: signed (the owner). Emits `Approval`.
		#[pallet::call_index(0)]
		pub fn approve(
			origin: OriginFor<T>,
			spender: AccountIdLookupOf<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let spender = T::Lookup::lookup(spender)?;
			Ok(Self::do_approve(owner, spender, amount)?)
		}

		/// Move `amount` from `owner` to `to`, spending the caller's allowance from `owner`.
		/// The owner's account is kept alive.
		///
		/// Origin: signed (the spender). Emits `TransferredFrom`.
		#[pallet::call_index(1)]
		pub fn transfer_from(
			origin: OriginFor<T>,
			owner: AccountIdLookupOf<T>,
			to: AccountIdLookupOf<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let spender = ensure_signed(origin)?;
			let owner = T::Lookup::lookup(owner)?;
			let to = T::Lookup::lookup(to)?;
			Self::do_transfer_from(spender, owner, to, amount)
		}

		/// Set the yearly inflation that bounds reward minting; it applies from the next era.
		///
		/// Origin: `AdminOrigin`. Emits `YearlyInflationSet`.
		#[pallet::call_index(2)]
		pub fn set_yearly_inflation(origin: OriginFor<T>, inflation: Perbill) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_yearly_inflation(inflation);
			Ok(())
		}

		/// Set the account that receives slashed funds, or `None` to burn them.
		///
		/// Origin: `AdminOrigin`. Emits `SlashDestinationSet`.
		#[pallet::call_index(3)]
		pub fn set_slash_destination(
			origin: OriginFor<T>,
			destination: Option<T::AccountId>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_slash_destination(destination);
			Ok(())
		}
	}

	#[pallet::extra_constants]
	impl<T: Config> Pallet<T> {
		/// Name of the native token, UTF-8 ("FaaS Token").
		#[pallet::constant_name(TokenName)]
		pub fn token_name() -> Vec<u8> {
			TOKEN_NAME.to_vec()
		}

		/// Ticker symbol of the native token, UTF-8 ("FST").
		#[pallet::constant_name(TokenSymbol)]
		pub fn token_symbol() -> Vec<u8> {
			TOKEN_SYMBOL.to_vec()
		}
	}
}
