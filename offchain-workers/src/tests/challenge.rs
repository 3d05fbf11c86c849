//! The probes' wire format.

use super::bytes32;
use crate::challenge::{
	challenge_url, decode_product, decode_request, encode_product, encode_request, health_url,
	MAX_REQUEST_LEN,
};

const SEED_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn seed() -> [u8; 32] {
	core::array::from_fn(|i| i as u8)
}

#[test]
fn urls_follow_the_well_known_paths() {
	assert_eq!(
		challenge_url("http://p.example:8080"),
		"http://p.example:8080/.well-known/defaas/challenge"
	);
	assert_eq!(
		challenge_url("http://p.example//"),
		"http://p.example/.well-known/defaas/challenge"
	);
	assert_eq!(
		health_url("https://p.example/", 42),
		"https://p.example/o/42/.well-known/defaas/health"
	);
	assert_eq!(
		health_url("http://127.0.0.1:9000", u64::MAX),
		"http://127.0.0.1:9000/o/18446744073709551615/.well-known/defaas/health"
	);
}

#[test]
fn request_is_compact_json() {
	let body = encode_request(&seed(), 64, 7);
	assert_eq!(
		String::from_utf8(body).unwrap(),
		format!("{{\"seed\":\"0x{SEED_HEX}\",\"n\":64,\"orderId\":7}}")
	);
}

#[test]
fn request_round_trips() {
	for (i, (n, order_id)) in
		[(1u32, 0u64), (32, 1), (64, 12345), (256, u64::MAX)].into_iter().enumerate()
	{
		let seed = bytes32(b"req", i as u64);
		assert_eq!(decode_request(&encode_request(&seed, n, order_id)), Some((seed, n, order_id)));
	}
}

#[test]
fn request_decoding_accepts_whitespace_key_order_case_and_extra_keys() {
	let expected = Some((seed(), 32, 9));
	let upper = SEED_HEX.to_uppercase();
	for body in [
		format!(" {{ \"orderId\" : 9 ,\n\t\"n\":32, \"seed\" : \"0x{SEED_HEX}\" }}\r\n"),
		format!("{{\"n\":32,\"seed\":\"0X{upper}\",\"orderId\":9}}"),
		format!("{{\"n\":32,\"seed\":\"{SEED_HEX}\",\"orderId\":9}}"),
		format!(
			"{{\"v\":1,\"seed\":\"0x{SEED_HEX}\",\"note\":\"hi\",\"n\":32,\"x\":-1.5e3,\
			 \"t\":true,\"f\":false,\"z\":null,\"orderId\":9}}"
		),
	] {
		assert_eq!(decode_request(body.as_bytes()), expected, "{body}");
	}
}

#[test]
fn request_decoding_rejects_malformed_bodies() {
	let s = SEED_HEX;
	let cases = [
		String::new(),
		"[]".into(),
		"{}".into(),
		format!("{{\"seed\":\"0x{s}\",\"n\":32}}"),
		format!("{{\"seed\":\"0x{s}\",\"orderId\":1}}"),
		"{\"n\":32,\"orderId\":1}".into(),
		format!("{{\"seed\":\"0x{s}\",\"n\":32,\"orderId\":1,\"n\":33}}"),
		format!("{{\"seed\":\"0x{}\",\"n\":32,\"orderId\":1}}", &s[2..]),
		format!("{{\"seed\":\"0x{s}00\",\"n\":32,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{}zz\",\"n\":32,\"orderId\":1}}", &s[2..]),
		format!("{{\"seed\":\"0x{s}\",\"n\":-32,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":32.0,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":3e1,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":032,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":\"32\",\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":0,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":257,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":4294967296,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":32,\"orderId\":18446744073709551616}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":32,\"orderId\":1}} x"),
		format!("{{\"seed\":\"0x{s}\",\"n\":32,\"orderId\":1,}}"),
		format!("{{\"seed\":\"0x{s}\" \"n\":32,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":32,\"orderId\":1,\"o\":{{}}}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":32,\"orderId\":1,\"a\":[1]}}"),
		format!("{{\"se\\u0065d\":\"0x{s}\",\"n\":32,\"orderId\":1}}"),
		format!("{{\"seed\":\"0x{s}\",\"n\":32,\"orderId\":1"),
		format!(
			"{{\"seed\":\"0x{s}\",\"n\":32,\"orderId\":1,\"pad\":\"{}\"}}",
			" ".repeat(MAX_REQUEST_LEN)
		),
	];
	for body in cases {
		assert_eq!(decode_request(body.as_bytes()), None, "accepted {body:?}");
	}
}

#[test]
fn product_round_trips_little_endian() {
	let c = vec![1u64, u64::MAX, 0x0102_0304_0506_0708, 0];
	let bytes = encode_product(&c);
	assert_eq!(bytes.len(), 32);
	assert_eq!(bytes[..8], [1, 0, 0, 0, 0, 0, 0, 0]);
	assert_eq!(bytes[16..24], [8, 7, 6, 5, 4, 3, 2, 1]);
	assert_eq!(decode_product(&bytes, 2), Some(c));
}

#[test]
fn product_decoding_requires_exactly_n_squared_entries() {
	let bytes = encode_product(&[5u64; 9]);
	assert_eq!(decode_product(&bytes, 3), Some(vec![5; 9]));
	assert_eq!(decode_product(&bytes[..71], 3), None);
	assert_eq!(decode_product(&bytes[..64], 3), None);
	assert_eq!(decode_product(&[bytes.as_slice(), &[0]].concat(), 3), None);
	assert_eq!(decode_product(&bytes, 2), None);
	assert_eq!(decode_product(&[], 0), Some(vec![]));
	assert_eq!(decode_product(&[], u32::MAX), None);
}
