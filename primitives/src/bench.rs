//! The accounts of the `bench` genesis preset: the runtime funds them at genesis, the load
//! generator (`defaas-load`) signs with them. Account `i` is the sr25519 key of the secret URI
//! `//Alice//bench//<i>` ([`account_suri`]): anyone can derive it, so these accounts belong on
//! benchmark networks only.

/// How many accounts the preset funds: enough for 5,000 transfers between untouched accounts,
/// or thousands of customers, providers and witnesses.
pub const ACCOUNTS: u32 = 10_000;

/// The secret URI the accounts are derived from (one hard junction each).
pub const ROOT_SURI: &str = "//Alice//bench";

/// The free balance each account starts with, in whole FST.
pub const ENDOWMENT_FST: u128 = 1_000_000;

/// The last `WITNESSES` accounts are witnesses from genesis (active at once), each with its
/// own sr25519 key as its VRF key: the load generator puts that key into a validator's
/// keystore (`author_insertKey`, key type `wtns`) and the validator's off-chain worker acts
/// for the witness.
pub const WITNESSES: u32 = 120;

/// The stake of each genesis witness, in whole FST.
pub const WITNESS_STAKE_FST: u128 = 100;

/// The index of the first genesis witness.
pub const FIRST_WITNESS: u32 = ACCOUNTS - WITNESSES;

/// The secret URI of account `index`.
#[cfg(feature = "std")]
pub fn account_suri(index: u32) -> alloc::string::String {
	alloc::format!("{ROOT_SURI}//{index}")
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn account_uris_are_one_hard_junction_below_the_root() {
		assert_eq!(account_suri(0), "//Alice//bench//0");
		assert_eq!(account_suri(ACCOUNTS - 1), "//Alice//bench//9999");
		assert_eq!(FIRST_WITNESS, 9_880);
	}
}
