//! FST amounts: decimal text (`10`, `0.5`) to plancks and back, and reputation percentages.

use anyhow::{bail, Context, Result};

/// Decimals of FST (the runtime's `TOKEN_DECIMALS`).
pub const DECIMALS: u32 = 12;

/// Plancks in one FST.
pub const FST: u128 = 10u128.pow(DECIMALS);

/// Parses a non-negative decimal with at most `decimals` fraction digits into an integer
/// scaled by `10^decimals` (`"0.5"` with 12 decimals → `500_000_000_000`).
fn parse_scaled(text: &str, decimals: u32, what: &str) -> Result<u128> {
	let text = text.trim().replace('_', "");
	let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
	if whole.is_empty() && fraction.is_empty() {
		bail!("{what} `{text}` is not a number");
	}
	if !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
		bail!("{what} `{text}` is not a non-negative decimal number");
	}
	if fraction.len() > decimals as usize {
		bail!("{what} `{text}` has more than {decimals} decimals");
	}
	let scale = 10u128.pow(decimals);
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().context("too large")? };
	let padded = format!("{fraction:0<width$}", width = decimals as usize);
	let fraction: u128 = if padded.is_empty() { 0 } else { padded.parse()? };
	whole
		.checked_mul(scale)
		.and_then(|w| w.checked_add(fraction))
		.with_context(|| format!("{what} `{text}` is too large"))
}

/// Parses an FST amount (`10`, `0.5`, `1_000`) into plancks.
pub fn parse_fst(text: &str) -> Result<u128> {
	parse_scaled(text, DECIMALS, "amount")
}

/// Parses an amount of an asset with `decimals` decimals (`2.5`) into its smallest unit.
pub fn parse_amount(text: &str, decimals: u32) -> Result<u128> {
	parse_scaled(text, decimals, "amount")
}

/// Formats plancks as FST without trailing zeros: `500_000_000_000` → `0.5 FST`.
pub fn format_fst(plancks: u128) -> String {
	format_amount(plancks, DECIMALS, "FST")
}

/// Formats an amount in the smallest unit of an asset with `decimals` decimals, without
/// trailing zeros, followed by `symbol`: `2_500_000` with 6 decimals → `2.5 TUSD`.
pub fn format_amount(amount: u128, decimals: u32, symbol: &str) -> String {
	let scale = 10u128.saturating_pow(decimals);
	let whole = amount / scale;
	let fraction = amount % scale;
	if fraction == 0 {
		return format!("{whole} {symbol}");
	}
	let fraction = format!("{fraction:0width$}", width = decimals as usize);
	format!("{whole}.{} {symbol}", fraction.trim_end_matches('0'))
}

/// Parses a reputation percentage (`95`, `99.5`) into parts per million (`Permill`).
pub fn parse_percent(text: &str) -> Result<u32> {
	let permill = parse_scaled(text, 4, "percentage")?;
	if permill > 1_000_000 {
		bail!("percentage `{text}` is above 100");
	}
	Ok(permill as u32)
}

/// Formats parts per million as a percentage: `995_000` → `99.5%`.
pub fn format_permill(permill: u32) -> String {
	let whole = permill / 10_000;
	let fraction = permill % 10_000;
	if fraction == 0 {
		return format!("{whole}%");
	}
	format!("{whole}.{}%", format!("{fraction:04}").trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn asset_amounts_use_the_asset_decimals() {
		assert_eq!(parse_amount("2.5", 6).unwrap(), 2_500_000);
		assert_eq!(format_amount(2_500_000, 6, "TUSD"), "2.5 TUSD");
		assert_eq!(format_amount(3, 0, "X"), "3 X");
		assert!(parse_amount("0.0000001", 6).is_err());
	}

	#[test]
	fn fst_amounts_round_trip() {
		assert_eq!(parse_fst("10").unwrap(), 10 * FST);
		assert_eq!(parse_fst("0.5").unwrap(), FST / 2);
		assert_eq!(parse_fst(".25").unwrap(), FST / 4);
		assert_eq!(parse_fst("1_000").unwrap(), 1000 * FST);
		assert_eq!(parse_fst("0.000000000001").unwrap(), 1);
		assert!(parse_fst("0.0000000000001").is_err());
		assert!(parse_fst("-1").is_err());
		assert!(parse_fst("abc").is_err());
		assert!(parse_fst("").is_err());
		assert_eq!(format_fst(10 * FST), "10 FST");
		assert_eq!(format_fst(FST / 2), "0.5 FST");
		assert_eq!(format_fst(1), "0.000000000001 FST");
	}

	#[test]
	fn percentages_are_parts_per_million() {
		assert_eq!(parse_percent("95").unwrap(), 950_000);
		assert_eq!(parse_percent("99.5").unwrap(), 995_000);
		assert_eq!(parse_percent("100").unwrap(), 1_000_000);
		assert!(parse_percent("100.1").is_err());
		assert_eq!(format_permill(995_000), "99.5%");
		assert_eq!(format_permill(500_000), "50%");
	}
}
