//! Tests of the FaaS token pallet, split by concern.

mod allowances;
mod eras;
mod migrations;
mod properties;
mod rewards;
mod slash;

use crate::{mock::*, Config, CurrentEra, EraInfo};
use frame_support::traits::{fungible, Get};

/// Total issuance of the test runtime's native token.
pub(crate) fn total_issuance() -> Balance {
	<Balances as fungible::Inspect<AccountId>>::total_issuance()
}

/// Free balance of `who`.
pub(crate) fn free_balance(who: AccountId) -> Balance {
	<Balances as fungible::Inspect<AccountId>>::balance(&who)
}

/// The era in progress (panics if none is open).
pub(crate) fn current_era() -> EraInfo<u64, Balance> {
	CurrentEra::<Test>::get().expect("an era is open after block 1")
}

#[test]
fn token_name_symbol_and_decimals_are_exposed() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(FaasToken::token_name(), b"FaaS Token".to_vec());
		assert_eq!(FaasToken::token_symbol(), b"FST".to_vec());
		assert_eq!(<<Test as Config>::Decimals as Get<u8>>::get(), 12);
	});
}
