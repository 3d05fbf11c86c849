//! Helpers for the JSON that integrators read, following the Substrate conventions: numbers
//! that may exceed 2^53 (balances, 128-bit VRF outputs and thresholds) are decimal strings, so
//! a JavaScript client reads them exactly; byte strings are UTF-8 strings or `0x` hex.
//!
//! Use with `#[serde(with = "defaas_primitives::json::string")]` (and `string_opt`,
//! `string_vec`, `utf8`). Deserializers also accept a JSON number, so older clients that sent
//! numbers keep working.

use alloc::{string::String, vec::Vec};
use core::{fmt::Display, str::FromStr};
use serde::{de, Deserialize, Deserializer, Serializer};

/// Lower-case hex of `bytes` with a `0x` prefix.
pub fn to_hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut out = String::with_capacity(bytes.len().saturating_mul(2).saturating_add(2));
	out.push_str("0x");
	for byte in bytes {
		for nibble in [byte >> 4, byte & 0x0f] {
			if let Some(digit) = DIGITS.get(usize::from(nibble)) {
				out.push(char::from(*digit));
			}
		}
	}
	out
}

/// The bytes of a hex string (`0x` optional, an even number of digits), `None` if malformed.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
	let digits = text.strip_prefix("0x").unwrap_or(text).as_bytes();
	if !digits.len().is_multiple_of(2) {
		return None;
	}
	digits
		.chunks_exact(2)
		.map(|pair| {
			let high = char::from(*pair.first()?).to_digit(16)?;
			let low = char::from(*pair.get(1)?).to_digit(16)?;
			u8::try_from(high.checked_mul(16)?.checked_add(low)?).ok()
		})
		.collect()
}

/// A number as a string or a JSON number, for deserializing.
#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
	String(String),
	Number(u64),
}

fn parse<'de, D: Deserializer<'de>, T: FromStr>(value: StringOrNumber) -> Result<T, D::Error> {
	let text = match value {
		StringOrNumber::String(text) => text,
		StringOrNumber::Number(number) => alloc::format!("{number}"),
	};
	text.parse().map_err(|_| de::Error::custom("expected a decimal number (a string)"))
}

/// A number as a decimal string (`"1000000000000000001"`).
pub mod string {
	use super::*;

	/// Serialize `value` as its decimal string.
	pub fn serialize<T: Display, S: Serializer>(
		value: &T,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		serializer.collect_str(value)
	}

	/// Read a decimal string (or a JSON number).
	pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(
		deserializer: D,
	) -> Result<T, D::Error> {
		parse::<D, T>(StringOrNumber::deserialize(deserializer)?)
	}
}

/// An optional number as a decimal string or `null`.
pub mod string_opt {
	use super::*;

	/// Serialize `Some(value)` as its decimal string, `None` as `null`.
	pub fn serialize<T: Display, S: Serializer>(
		value: &Option<T>,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		match value {
			Some(value) => serializer.collect_str(value),
			None => serializer.serialize_none(),
		}
	}

	/// Read a decimal string (or a JSON number) or `null`.
	pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(
		deserializer: D,
	) -> Result<Option<T>, D::Error> {
		Option::<StringOrNumber>::deserialize(deserializer)?.map(parse::<D, T>).transpose()
	}
}

/// A list of numbers as decimal strings.
pub mod string_vec {
	use super::*;
	use serde::ser::SerializeSeq;

	/// Serialize every value as its decimal string.
	pub fn serialize<T: Display, S: Serializer>(
		values: &[T],
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		let mut seq = serializer.serialize_seq(Some(values.len()))?;
		for value in values {
			seq.serialize_element(&alloc::format!("{value}"))?;
		}
		seq.end()
	}

	/// Read a list of decimal strings (or JSON numbers).
	pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(
		deserializer: D,
	) -> Result<Vec<T>, D::Error> {
		Vec::<StringOrNumber>::deserialize(deserializer)?.into_iter().map(parse::<D, T>).collect()
	}
}

/// `Vec<u8>` as a (lossy) UTF-8 string.
pub mod utf8 {
	use super::*;

	/// Serialize the bytes as a string (invalid UTF-8 replaced).
	pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&String::from_utf8_lossy(bytes))
	}

	/// Read a string as its UTF-8 bytes.
	pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
		Ok(String::deserialize(deserializer)?.into_bytes())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde::Serialize;

	#[derive(Serialize, Deserialize, PartialEq, Debug)]
	struct View {
		#[serde(with = "string")]
		stake: u128,
		#[serde(with = "string_opt")]
		price: Option<u128>,
		#[serde(with = "string_vec")]
		prices: Vec<u128>,
		#[serde(with = "utf8")]
		endpoint: Vec<u8>,
	}

	#[test]
	fn u128_values_are_exact_decimal_strings() {
		let view = View {
			stake: 10_000_000_000_000_001,
			price: Some(u128::MAX),
			prices: vec![1, 2],
			endpoint: b"http://x".to_vec(),
		};
		let json = serde_json::to_string(&view).unwrap();
		assert_eq!(
			json,
			r#"{"stake":"10000000000000001","price":"340282366920938463463374607431768211455","prices":["1","2"],"endpoint":"http://x"}"#
		);
		assert_eq!(serde_json::from_str::<View>(&json).unwrap(), view);
	}

	#[test]
	fn numbers_are_accepted_on_input_and_garbage_refused() {
		let view: View =
			serde_json::from_str(r#"{"stake":5,"price":null,"prices":[7,"8"],"endpoint":""}"#)
				.unwrap();
		assert_eq!((view.stake, view.price, view.prices), (5, None, vec![7, 8]));
		assert!(serde_json::from_str::<View>(
			r#"{"stake":"5x","price":null,"prices":[],"endpoint":""}"#
		)
		.is_err());
	}

	#[test]
	fn hex_round_trips() {
		assert_eq!(to_hex(&[0, 0xff, 0x10]), "0x00ff10");
		assert_eq!(from_hex("0x00ff10"), Some(vec![0, 0xff, 0x10]));
		assert_eq!(from_hex("00FF10"), Some(vec![0, 0xff, 0x10]));
		assert_eq!(from_hex("0x0"), None);
		assert_eq!(from_hex("0xgg"), None);
	}
}
