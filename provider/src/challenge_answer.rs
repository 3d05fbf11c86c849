//! The capacity challenge's answer (docs/architecture.md §7.2), the same from a single host
//! ([`crate::server`]) and from a pool worker ([`crate::pool::worker`]).

use crate::{
	host::{FunctionBody, FunctionHost},
	http::{error, response},
};
use defaas_offchain_workers::{challenge, freivalds};
use hyper::Response;

/// The answer to the capacity challenge request `bytes` for a deployment of `host`: `C = A·B`
/// for the seed if `n` fits the order's level, else the refusal.
pub async fn answer(host: &FunctionHost, bytes: &[u8]) -> Response<FunctionBody> {
	let Some((seed, n, order_id)) = challenge::decode_request(bytes) else {
		return error(400, "bad_request", "malformed challenge request");
	};
	let Some(spec) = host.spec(order_id) else {
		return error(
			404,
			"unknown_order",
			&format!("no function is deployed for order {order_id}"),
		);
	};
	let allowed = freivalds::matrix_size(spec.memory_mb);
	if n > allowed {
		return error(
			422,
			"challenge_too_large",
			&format!("matrix size {n} exceeds {allowed}, the size of the order's level"),
		);
	}
	let product = tokio::task::spawn_blocking(move || {
		let a = freivalds::matrix(&seed, b'A', n);
		let b = freivalds::matrix(&seed, b'B', n);
		challenge::encode_product(&freivalds::multiply(&a, &b, n))
	})
	.await;
	match product {
		Ok(product) => response(200, challenge::PRODUCT_CONTENT_TYPE, product),
		Err(e) => error(500, "internal", &format!("the multiplication failed: {e}")),
	}
}
