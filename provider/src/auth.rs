//! The sr25519 signature that authenticates a package upload (`PUT /deployments/{order_id}`).
//!
//! The signed message, its headers and their encoding are
//! [`defaas_primitives::deploy`] (shared with the CLI): the customer signs
//! [`deploy_message`]`(order_id, package_hash, timestamp)` with the sr25519 key of the account
//! that created the order, in the usual Substrate signing context (`b"substrate"`). This module
//! signs and verifies it with `subxt_signer`.

use defaas_primitives::{deploy::deploy_message, OrderId};
use subxt_signer::sr25519::{self, Keypair};

/// Signs the deployment message with the customer's `keypair`: the 64 signature bytes.
pub fn sign_deployment(
	keypair: &Keypair,
	order_id: OrderId,
	package_hash: &[u8; 32],
	timestamp: u64,
) -> [u8; 64] {
	keypair.sign(&deploy_message(order_id, package_hash, timestamp)).0
}

/// Whether `signature` is `signer`'s signature of the deployment message.
pub fn verify_deployment(
	signer: &[u8; 32],
	signature: &[u8; 64],
	order_id: OrderId,
	package_hash: &[u8; 32],
	timestamp: u64,
) -> bool {
	sr25519::verify(
		&sr25519::Signature(*signature),
		deploy_message(order_id, package_hash, timestamp),
		&sr25519::PublicKey(*signer),
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use defaas_primitives::deploy::{parse_signature, signature_header};

	#[test]
	fn signature_round_trips_through_the_header_and_binds_every_field() {
		let alice = subxt_signer::sr25519::dev::alice();
		let signature = sign_deployment(&alice, 1, &[1; 32], 2);
		assert_eq!(parse_signature(&signature_header(&signature)), Some(signature));
		let public = alice.public_key().0;
		assert!(verify_deployment(&public, &signature, 1, &[1; 32], 2));
		assert!(!verify_deployment(&public, &signature, 1, &[1; 32], 3));
		assert!(!verify_deployment(&public, &signature, 2, &[1; 32], 2));
		assert!(!verify_deployment(&public, &signature, 1, &[2; 32], 2));
		let bob = subxt_signer::sr25519::dev::bob().public_key().0;
		assert!(!verify_deployment(&bob, &signature, 1, &[1; 32], 2));
	}

	#[test]
	fn signature_is_over_the_shared_deploy_message() {
		// What the CLI signs (through `defaas_primitives::deploy::deploy_message`) verifies here.
		let alice = subxt_signer::sr25519::dev::alice();
		let message = deploy_message(7, &[0xab; 32], 1_700_000_000);
		let signature = alice.sign(&message).0;
		assert!(verify_deployment(
			&alice.public_key().0,
			&signature,
			7,
			&[0xab; 32],
			1_700_000_000
		));
	}
}
