//! The sealed commitments of the protocol: a provider's bid and a witness's report. The pallets
//! check them, the provider daemon and the witnesses' off-chain workers make them.

use codec::Encode;
use sp_crypto_hashing::blake2_256;

use crate::OrderId;

/// A sealed bid: `blake2_256(SCALE((order_id, price, salt, provider)))`. The price is the
/// chain's balance type (`u128` in the DeFaaS runtime), the provider its account id.
pub fn bid_commitment<Balance: Encode, AccountId: Encode>(
	order_id: OrderId,
	price: &Balance,
	salt: &[u8; 32],
	provider: &AccountId,
) -> [u8; 32] {
	blake2_256(&(order_id, price, salt, provider).encode())
}

/// A sealed report: `blake2_256(SCALE((order_id, round, violated, salt, witness)))`. Binding
/// the witness's account makes a copied commitment useless to another member.
pub fn report_commitment<AccountId: Encode>(
	order_id: OrderId,
	round: u32,
	violated: bool,
	salt: &[u8; 32],
	witness: &AccountId,
) -> [u8; 32] {
	blake2_256(&(order_id, round, violated, salt, witness).encode())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn bid_commitment_hashes_the_scale_tuple() {
		let mut bytes = 7u64.to_le_bytes().to_vec();
		bytes.extend_from_slice(&5u128.to_le_bytes());
		bytes.extend_from_slice(&[3; 32]);
		bytes.extend_from_slice(&[1; 32]);
		assert_eq!(bid_commitment(7, &5u128, &[3; 32], &[1u8; 32]), blake2_256(&bytes));
	}

	#[test]
	fn report_commitment_binds_every_field() {
		let base = report_commitment(1, 2, true, &[4; 32], &[9u8; 32]);
		assert_ne!(base, report_commitment(1, 2, false, &[4; 32], &[9u8; 32]));
		assert_ne!(base, report_commitment(1, 3, true, &[4; 32], &[9u8; 32]));
		assert_ne!(base, report_commitment(1, 2, true, &[4; 32], &[8u8; 32]));
		assert_ne!(base, report_commitment(2, 2, true, &[4; 32], &[9u8; 32]));
	}
}
