//! Accounts: key pairs from secret URIs, SS58 addresses, raw 32-byte account ids.

use anyhow::{anyhow, Context, Result};
use std::str::FromStr;
use subxt::utils::AccountId32;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The key pair of a secret URI: a dev account (`//Alice`), a mnemonic (optionally with
/// `//derivation` and `///password`) or a `0x` seed.
pub fn keypair(suri: &str) -> Result<Keypair> {
	let uri = SecretUri::from_str(suri).map_err(|e| anyhow!("invalid secret URI: {e}"))?;
	Keypair::from_uri(&uri).map_err(|e| anyhow!("invalid secret URI: {e}"))
}

/// The account id of a key pair.
pub fn account_id(keypair: &Keypair) -> AccountId32 {
	keypair.public_key().to_account_id()
}

/// The SS58 address (prefix 42) of a key pair's account.
pub fn address(keypair: &Keypair) -> String {
	account_id(keypair).to_string()
}

/// Parses an account given as SS58 or as `0x` + 64 hex digits (a raw public key).
pub fn parse_account(text: &str) -> Result<[u8; 32]> {
	if text.starts_with("0x") {
		let bytes = defaas_primitives::json::from_hex(text)
			.with_context(|| format!("`{text}` is not valid hex"))?;
		return bytes
			.try_into()
			.map_err(|_| anyhow!("`{text}` is not 32 bytes (64 hex digits after 0x)"));
	}
	AccountId32::from_str(text)
		.map(|account| account.0)
		.map_err(|e| anyhow!("`{text}` is neither an SS58 address nor 0x + 32 bytes: {e}"))
}

/// The SS58 address of raw account bytes.
pub fn ss58(account: [u8; 32]) -> String {
	AccountId32(account).to_string()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn accounts_parse_from_ss58_and_hex() {
		let alice = subxt_signer::sr25519::dev::alice();
		let raw = alice.public_key().0;
		assert_eq!(parse_account(&address(&alice)).unwrap(), raw);
		assert_eq!(parse_account(&defaas_primitives::json::to_hex(&raw)).unwrap(), raw);
		assert!(parse_account("0x1234").is_err());
		assert!(parse_account("nonsense").is_err());
		assert_eq!(ss58(raw), address(&alice));
		assert_eq!(ss58(raw), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
	}

	#[test]
	fn dev_suris_and_mnemonics_give_key_pairs() {
		let alice = subxt_signer::sr25519::dev::alice().public_key().0;
		assert_eq!(keypair("//Alice").unwrap().public_key().0, alice);
		let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk//Alice";
		assert_eq!(keypair(phrase).unwrap().public_key().0, alice);
		assert!(keypair("not a valid phrase at all").is_err());
	}
}
