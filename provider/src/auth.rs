//! The signature that authenticates a package upload (`PUT /deployments/{order_id}`), shared by
//! the daemon, the `defaas` CLI and the tests.
//!
//! The customer signs, with the sr25519 key of the account that created the order and in the
//! usual Substrate signing context (`b"substrate"`), the message
//! `b"defaas/deploy/v1" ++ SCALE((order_id: u64, package_hash: [u8; 32], timestamp: u64))`,
//! i.e. the domain tag followed by 8 little-endian bytes, 32 bytes and 8 little-endian bytes.
//! `package_hash` is `blake2_256` of the package and `timestamp` the signer's clock in Unix
//! seconds; the daemon accepts a timestamp at most [`MAX_CLOCK_SKEW_SECS`] away from its own.

use codec::Encode;
use subxt_signer::sr25519::{self, Keypair};

/// Domain tag in front of every signed deployment message.
pub const DEPLOY_DOMAIN: &[u8] = b"defaas/deploy/v1";

/// Header carrying the signer's Unix time in seconds.
pub const TIMESTAMP_HEADER: &str = "x-defaas-timestamp";

/// Header carrying the signature, `0x` and 128 hex digits.
pub const SIGNATURE_HEADER: &str = "x-defaas-signature";

/// Largest accepted difference between the signer's and the daemon's clock, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// The message a customer signs to deploy `package_hash` for `order_id` at `timestamp`.
pub fn deploy_message(order_id: u64, package_hash: &[u8; 32], timestamp: u64) -> Vec<u8> {
	let mut message = DEPLOY_DOMAIN.to_vec();
	(order_id, package_hash, timestamp).encode_to(&mut message);
	message
}

/// Signs the deployment message with the customer's `keypair`: the 64 signature bytes.
pub fn sign_deployment(
	keypair: &Keypair,
	order_id: u64,
	package_hash: &[u8; 32],
	timestamp: u64,
) -> [u8; 64] {
	keypair.sign(&deploy_message(order_id, package_hash, timestamp)).0
}

/// The value of the [`SIGNATURE_HEADER`] for `signature`: `0x` and 128 lower-case hex digits.
pub fn signature_header(signature: &[u8; 64]) -> String {
	format!("0x{}", hex(signature))
}

/// Whether `signature` is `signer`'s signature of the deployment message.
pub fn verify_deployment(
	signer: &[u8; 32],
	signature: &[u8; 64],
	order_id: u64,
	package_hash: &[u8; 32],
	timestamp: u64,
) -> bool {
	sr25519::verify(
		&sr25519::Signature(*signature),
		deploy_message(order_id, package_hash, timestamp),
		&sr25519::PublicKey(*signer),
	)
}

/// Reads a [`SIGNATURE_HEADER`] value: `0x` (optional) and exactly 128 hex digits.
pub fn parse_signature(value: &str) -> Option<[u8; 64]> {
	let digits = value.strip_prefix("0x").unwrap_or(value).as_bytes();
	if digits.len() != 128 {
		return None;
	}
	let mut out = [0u8; 64];
	for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
		let text = std::str::from_utf8(pair).ok()?;
		*byte = u8::from_str_radix(text, 16).ok()?;
	}
	Some(out)
}

/// Lower-case hex of `bytes`, without prefix.
pub fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn message_is_domain_then_scale_tuple() {
		let message = deploy_message(7, &[0xab; 32], 1_700_000_000);
		assert_eq!(message.len(), DEPLOY_DOMAIN.len() + 8 + 32 + 8);
		assert!(message.starts_with(DEPLOY_DOMAIN));
		let rest = &message[DEPLOY_DOMAIN.len()..];
		assert_eq!(&rest[..8], &7u64.to_le_bytes());
		assert_eq!(&rest[8..40], &[0xab; 32]);
		assert_eq!(&rest[40..], &1_700_000_000u64.to_le_bytes());
	}

	#[test]
	fn signature_round_trips_through_the_header() {
		let alice = subxt_signer::sr25519::dev::alice();
		let signature = sign_deployment(&alice, 1, &[1; 32], 2);
		let parsed = parse_signature(&signature_header(&signature));
		assert_eq!(parsed, Some(signature));
		let public = alice.public_key().0;
		assert!(verify_deployment(&public, &signature, 1, &[1; 32], 2));
		assert!(!verify_deployment(&public, &signature, 1, &[1; 32], 3));
		assert!(parse_signature("0x1234").is_none());
		assert!(parse_signature(&format!("0x{}", "zz".repeat(64))).is_none());
	}
}
