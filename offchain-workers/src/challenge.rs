//! The wire format of the liveness and capacity probes (docs/architecture.md §7.2).
//!
//! - Liveness: `GET {endpoint}/o/{order_id}/.well-known/defaas/health`; any `2xx` is healthy
//!   ([`health_url`]).
//! - Capacity: `POST {endpoint}/.well-known/defaas/challenge` ([`challenge_url`]) with the JSON
//!   body `{"seed":"0x<64 hex>","n":<u32>,"orderId":<u64>}` ([`encode_request`],
//!   [`decode_request`]). The answer is `200` with `Content-Type: application/octet-stream` and
//!   the `n·n` entries of `C = A·B` as little-endian `u64`, row-major ([`encode_product`],
//!   [`decode_product`]); `A` and `B` are [`crate::freivalds::matrix`] of the seed.
//!
//! The JSON is written and read by hand (no serde in the runtime): [`decode_request`] accepts
//! whitespace, any key order and unknown keys with scalar values.

use crate::freivalds::{entries, MAX_MATRIX_SIZE};
use alloc::{format, string::String, vec::Vec};

/// Path of the capacity challenge, relative to the provider's endpoint.
pub const CHALLENGE_PATH: &str = "/.well-known/defaas/challenge";

/// Path of an order's health check below `/o/{order_id}`.
pub const HEALTH_SUFFIX: &str = "/.well-known/defaas/health";

/// Content type of a challenge request.
pub const REQUEST_CONTENT_TYPE: &str = "application/json";

/// Content type of a challenge answer.
pub const PRODUCT_CONTENT_TYPE: &str = "application/octet-stream";

/// Largest challenge request [`decode_request`] reads, in bytes (a canonical one is ~110).
pub const MAX_REQUEST_LEN: usize = 1024;

/// `endpoint` without trailing slashes.
fn base(endpoint: &str) -> &str {
	endpoint.trim_end_matches('/')
}

/// The URL of the capacity challenge of a provider: `{endpoint}/.well-known/defaas/challenge`.
pub fn challenge_url(endpoint: &str) -> String {
	format!("{}{}", base(endpoint), CHALLENGE_PATH)
}

/// The URL of the health check of an order: `{endpoint}/o/{order_id}/.well-known/defaas/health`.
pub fn health_url(endpoint: &str, order_id: u64) -> String {
	format!("{}/o/{}{}", base(endpoint), order_id, HEALTH_SUFFIX)
}

/// The JSON body of a challenge: `{"seed":"0x<64 hex>","n":<n>,"orderId":<order_id>}`.
pub fn encode_request(seed: &[u8; 32], n: u32, order_id: u64) -> Vec<u8> {
	let mut out = Vec::with_capacity(110);
	out.extend_from_slice(b"{\"seed\":\"0x");
	for byte in seed {
		out.push(hex_digit(byte >> 4));
		out.push(hex_digit(byte & 0x0f));
	}
	out.extend_from_slice(format!("\",\"n\":{n},\"orderId\":{order_id}}}").as_bytes());
	out
}

/// Reads a challenge body: `(seed, n, order_id)`.
///
/// Accepts whitespace, any key order, upper- or lower-case hex (the `0x` prefix is optional) and
/// unknown keys whose values are strings, numbers, `true`, `false` or `null`. Returns `None` for
/// anything else: a missing or duplicated key, a seed that is not 32 bytes, a number with a sign,
/// fraction or exponent or out of range, `n` outside `1..=`[`MAX_MATRIX_SIZE`], trailing bytes,
/// or a body longer than [`MAX_REQUEST_LEN`].
pub fn decode_request(body: &[u8]) -> Option<([u8; 32], u32, u64)> {
	if body.len() > MAX_REQUEST_LEN {
		return None;
	}
	let (mut seed, mut n, mut order_id) = (None, None, None);
	crate::json::Reader::new(body).object(|key, p| {
		match key {
			b"seed" if seed.is_none() => seed = Some(parse_seed(p.string()?)?),
			b"n" if n.is_none() => n = Some(u32::try_from(p.integer()?).ok()?),
			b"orderId" if order_id.is_none() => order_id = Some(p.integer()?),
			b"seed" | b"n" | b"orderId" => return None,
			_ => p.skip_value(0)?,
		}
		Some(())
	})?;
	let n = n.filter(|n| (1..=MAX_MATRIX_SIZE).contains(n))?;
	Some((seed?, n, order_id?))
}

/// The body of a challenge answer: every entry as 8 little-endian bytes, in order.
pub fn encode_product(c: &[u64]) -> Vec<u8> {
	c.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Reads a challenge answer for size `n`: exactly `n·n·8` bytes, else `None`.
pub fn decode_product(body: &[u8], n: u32) -> Option<Vec<u64>> {
	if body.len() != product_len(n)? {
		return None;
	}
	Some(
		body.chunks_exact(8)
			.map(|w| {
				let mut bytes = [0u8; 8];
				bytes.copy_from_slice(w);
				u64::from_le_bytes(bytes)
			})
			.collect(),
	)
}

/// The length in bytes of the answer to a challenge of size `n`: `n·n·8`.
pub fn product_len(n: u32) -> Option<usize> {
	entries(n)?.checked_mul(8)
}

/// The ASCII lower-case hex digit of a nibble.
fn hex_digit(nibble: u8) -> u8 {
	match nibble {
		0..=9 => b'0'.wrapping_add(nibble),
		_ => b'a'.wrapping_add(nibble.wrapping_sub(10)),
	}
}

/// The value of an ASCII hex digit.
fn hex_value(c: u8) -> Option<u8> {
	match c {
		b'0'..=b'9' => Some(c.wrapping_sub(b'0')),
		b'a'..=b'f' => Some(c.wrapping_sub(b'a').wrapping_add(10)),
		b'A'..=b'F' => Some(c.wrapping_sub(b'A').wrapping_add(10)),
		_ => None,
	}
}

/// 32 bytes from 64 hex digits, optionally prefixed with `0x`.
fn parse_seed(hex: &[u8]) -> Option<[u8; 32]> {
	let hex = hex.strip_prefix(b"0x").or_else(|| hex.strip_prefix(b"0X")).unwrap_or(hex);
	if hex.len() != 64 {
		return None;
	}
	let mut seed = [0u8; 32];
	for (byte, pair) in seed.iter_mut().zip(hex.chunks_exact(2)) {
		let (hi, lo) = match pair {
			[hi, lo] => (hex_value(*hi)?, hex_value(*lo)?),
			_ => return None,
		};
		*byte = (hi << 4) | lo;
	}
	Some(seed)
}
