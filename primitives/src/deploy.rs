//! The deployment message: how a customer proves to the winning provider's deployment API
//! (`PUT /deployments/{order_id}`) that a package upload is theirs.
//!
//! The customer signs, with the sr25519 key of the account that created the order and in the
//! usual Substrate signing context (`b"substrate"`), the message
//! `b"defaas/deploy/v1" ‖ SCALE((order_id: u64, package_hash: [u8; 32], timestamp: u64))` —
//! the domain tag, then 8 little-endian bytes, 32 bytes and 8 little-endian bytes, 64 bytes in
//! all. `package_hash` is `blake2_256` of the package (the order's `package_hash`) and
//! `timestamp` the signer's clock in Unix seconds; the daemon accepts a timestamp at most
//! [`MAX_CLOCK_SKEW_SECS`] away from its own. The signature travels in [`SIGNATURE_HEADER`] as
//! `0x` and 128 hex digits, the timestamp in [`TIMESTAMP_HEADER`].

use alloc::{string::String, vec::Vec};
use codec::Encode;

use crate::OrderId;

/// Domain tag in front of every signed deployment message.
pub const DEPLOY_DOMAIN: &[u8] = b"defaas/deploy/v1";

/// Header carrying the signer's Unix time in seconds.
pub const TIMESTAMP_HEADER: &str = "x-defaas-timestamp";

/// Header carrying the signature, `0x` and 128 hex digits.
pub const SIGNATURE_HEADER: &str = "x-defaas-signature";

/// Largest accepted difference between the signer's and the daemon's clock, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// The message a customer signs to deploy `package_hash` for `order_id` at `timestamp`.
pub fn deploy_message(order_id: OrderId, package_hash: &[u8; 32], timestamp: u64) -> Vec<u8> {
	let mut message = DEPLOY_DOMAIN.to_vec();
	(order_id, package_hash, timestamp).encode_to(&mut message);
	message
}

/// `blake2_256` of a function package: the `package_hash` its order commits to.
pub fn package_hash(package: &[u8]) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(package)
}

/// The value of the [`SIGNATURE_HEADER`] for `signature`: `0x` and 128 lower-case hex digits.
pub fn signature_header(signature: &[u8; 64]) -> String {
	crate::json::to_hex(signature)
}

/// Reads a [`SIGNATURE_HEADER`] value: `0x` (optional) and exactly 128 hex digits.
pub fn parse_signature(value: &str) -> Option<[u8; 64]> {
	let bytes = crate::json::from_hex(value)?;
	bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn deploy_message_test_vector() {
		let message = deploy_message(7, &[0xab; 32], 1_700_000_000);
		let expected = [
			"6465666161732f6465706c6f792f7631", // "defaas/deploy/v1"
			"0700000000000000",                 // order id 7, u64 LE
			&"ab".repeat(32),                   // package hash
			"00f1536500000000",                 // 1_700_000_000, u64 LE
		]
		.concat();
		assert_eq!(crate::json::to_hex(&message), format!("0x{expected}"));
		assert_eq!(message.len(), 64);
	}

	#[test]
	fn signature_header_round_trips_and_refuses_bad_lengths() {
		let signature = [0x5a; 64];
		let header = signature_header(&signature);
		assert_eq!(header.len(), 130);
		assert_eq!(parse_signature(&header), Some(signature));
		assert_eq!(parse_signature(&header[2..]), Some(signature));
		assert_eq!(parse_signature(&header[..128]), None);
		assert_eq!(parse_signature("0xzz"), None);
	}
}
