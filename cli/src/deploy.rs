//! Uploading a function package to the provider matched to an order (docs/architecture.md §8):
//! `PUT {endpoint}/deployments/{order_id}`, authenticated by the order's customer.

use crate::http::{self, SendError};
use anyhow::{anyhow, bail, Result};
use defaas_primitives::deploy::{
	deploy_message, package_hash, signature_header, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use subxt_signer::sr25519::Keypair;

/// Attempts of an upload that fails transiently (connection refused, 502/503/504).
pub const UPLOAD_ATTEMPTS: u32 = 5;

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
	let signature = customer.sign(&deploy_message(order_id, &package_hash, timestamp));
	vec![
		("content-type".into(), "application/wasm".into()),
		(TIMESTAMP_HEADER.into(), timestamp.to_string()),
		(SIGNATURE_HEADER.into(), signature_header(&signature.0)),
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

	#[test]
	fn signed_headers_verify_against_the_customer_key() {
		let alice = subxt_signer::sr25519::dev::alice();
		let headers = signed_headers(&alice, 3, [1; 32], 42);
		let signature = &headers.iter().find(|(k, _)| k == SIGNATURE_HEADER).unwrap().1;
		let bytes = defaas_primitives::deploy::parse_signature(signature).unwrap();
		let signature = subxt_signer::sr25519::Signature(bytes);
		let message = deploy_message(3, &[1; 32], 42);
		assert!(subxt_signer::sr25519::verify(&signature, message, &alice.public_key()));
		assert!(!subxt_signer::sr25519::verify(
			&signature,
			deploy_message(3, &[1; 32], 43),
			&alice.public_key()
		));
		assert_eq!(
			headers.iter().find(|(k, _)| k == TIMESTAMP_HEADER).map(|(_, v)| v.as_str()),
			Some("42")
		);
	}
}
