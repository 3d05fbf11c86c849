//! Uploading a function package to the provider matched to an order (DESIGN §8):
//! `PUT {endpoint}/deployments/{order_id}`, authenticated by the order's customer.

use crate::http::{self, SendError};
use anyhow::{anyhow, bail, Result};
use codec::Encode;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use subxt_signer::sr25519::Keypair;

/// Domain separator that starts every deployment message.
pub const DEPLOY_CONTEXT: &[u8] = b"defaas/deploy/v1";

/// Header carrying the Unix time (seconds) the customer signed.
pub const TIMESTAMP_HEADER: &str = "x-defaas-timestamp";

/// Header carrying `0x` + the hex of the customer's 64-byte sr25519 signature.
pub const SIGNATURE_HEADER: &str = "x-defaas-signature";

/// Attempts of an upload that fails transiently (connection refused, 502/503/504).
pub const UPLOAD_ATTEMPTS: u32 = 5;

/// The message a customer signs to deploy a package: [`DEPLOY_CONTEXT`] followed by the
/// SCALE encoding of `(order_id: u64, package_hash: [u8; 32], timestamp: u64)`, i.e.
/// `b"defaas/deploy/v1" ‖ order_id (8 bytes LE) ‖ package_hash (32) ‖ timestamp (8 bytes LE)`,
/// 64 bytes in all. The signature is sr25519 with the `substrate` signing context
/// (`subxt_signer::sr25519::Keypair::sign`, `sp_core::sr25519::Pair::sign`).
pub fn deploy_message(order_id: u64, package_hash: [u8; 32], timestamp: u64) -> Vec<u8> {
	let mut message = DEPLOY_CONTEXT.to_vec();
	(order_id, package_hash, timestamp).encode_to(&mut message);
	message
}

/// `blake2_256` of a package: the `package_hash` of its order.
pub fn package_hash(package: &[u8]) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(package)
}

/// The daemon's answer to an accepted deployment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployed {
	/// The order.
	pub order_id: u64,
	/// Hash of the deployed package.
	pub package_hash: String,
	/// Where the function is served.
	pub url: String,
	/// `deployed`.
	pub status: String,
	/// Anything else the daemon said (e.g. an access key).
	#[serde(flatten)]
	pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The daemon's answer to a refused request.
#[derive(Clone, Debug, Deserialize)]
struct Refusal {
	error: String,
	#[serde(default)]
	message: String,
}

/// The current Unix time in seconds.
pub fn unix_now() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_secs())
		.unwrap_or(0)
}

/// The headers of a signed deployment request made at `timestamp`.
pub fn signed_headers(
	customer: &Keypair,
	order_id: u64,
	package_hash: [u8; 32],
	timestamp: u64,
) -> Vec<(String, String)> {
	let signature = customer.sign(&deploy_message(order_id, package_hash, timestamp));
	vec![
		("content-type".into(), "application/wasm".into()),
		(TIMESTAMP_HEADER.into(), timestamp.to_string()),
		(SIGNATURE_HEADER.into(), format!("0x{}", crate::chain::hex_encode(&signature.0))),
	]
}

/// Uploads `package` for `order_id` to the provider at `endpoint`, signed by `customer`;
/// retries transient failures with backoff (1, 2, 4, 8 s), telling `progress` about each
/// retry. A refusal becomes `deployment refused (<status> <code>): <message>`.
pub async fn upload(
	endpoint: &str,
	order_id: u64,
	package: &[u8],
	customer: &Keypair,
	progress: impl Fn(&str),
) -> Result<Deployed> {
	let url = http::join(endpoint, &format!("/deployments/{order_id}"));
	let hash = package_hash(package);
	let mut delay = Duration::from_secs(1);
	for attempt in 1..=UPLOAD_ATTEMPTS {
		let headers = signed_headers(customer, order_id, hash, unix_now());
		let last = attempt == UPLOAD_ATTEMPTS;
		let transient = match http::send("PUT", &url, &headers, package.to_vec()).await {
			Ok(response) if (200..300).contains(&response.status) => {
				return serde_json::from_slice(&response.body).map_err(|e| {
					anyhow!(
						"the provider accepted the deployment but its answer is not understood \
						 ({e}): {}",
						String::from_utf8_lossy(&response.body)
					)
				});
			},
			Ok(response) if matches!(response.status, 502..=504) && !last => {
				format!("{} {}", response.status, response.reason)
			},
			Ok(response) => return Err(refusal(&response)),
			Err(SendError::Connect(message)) if !last => message,
			Err(error) => bail!("upload to {url} failed: {error}"),
		};
		progress(&format!(
			"upload attempt {attempt} failed ({transient}); retrying in {}s",
			delay.as_secs()
		));
		tokio::time::sleep(delay).await;
		delay *= 2;
	}
	bail!("upload to {url} failed {UPLOAD_ATTEMPTS} times")
}

/// `deployment refused (409 not_matched): <message>` from an error answer.
fn refusal(response: &http::Response) -> anyhow::Error {
	match serde_json::from_slice::<Refusal>(&response.body) {
		Ok(Refusal { error, message }) => {
			anyhow!("deployment refused ({} {error}): {message}", response.status)
		},
		Err(_) => anyhow!(
			"deployment refused ({} {}): {}",
			response.status,
			response.reason,
			String::from_utf8_lossy(&response.body).trim()
		),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The documented message layout, byte for byte (the provider daemon checks the same).
	#[test]
	fn deploy_message_test_vector() {
		let message = deploy_message(7, [0xab; 32], 1_700_000_000);
		let expected = format!(
			"{}{}{}{}",
			"6465666161732f6465706c6f792f7631", // "defaas/deploy/v1"
			"0700000000000000",                 // order id 7, u64 LE
			"ab".repeat(32),                    // package hash
			"00f1536500000000",                 // 1_700_000_000, u64 LE
		);
		assert_eq!(crate::chain::hex_encode(&message), expected);
		assert_eq!(message.len(), 64);
	}

	#[test]
	fn signed_headers_verify_against_the_customer_key() {
		let alice = subxt_signer::sr25519::dev::alice();
		let headers = signed_headers(&alice, 3, [1; 32], 42);
		let signature = &headers.iter().find(|(k, _)| k == SIGNATURE_HEADER).unwrap().1;
		let bytes = crate::chain::hex_decode(signature.strip_prefix("0x").unwrap()).unwrap();
		let signature = subxt_signer::sr25519::Signature(bytes.try_into().unwrap());
		let message = deploy_message(3, [1; 32], 42);
		assert!(subxt_signer::sr25519::verify(&signature, &message, &alice.public_key()));
		assert!(!subxt_signer::sr25519::verify(
			&signature,
			deploy_message(3, [1; 32], 43),
			&alice.public_key()
		));
	}

	#[test]
	fn package_hash_is_blake2_256() {
		// blake2b-256 of the empty input.
		assert_eq!(
			crate::chain::hex_encode(&package_hash(b"")),
			"0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
		);
	}
}
