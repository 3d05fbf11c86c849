//! The arguments of the market's calls, built in one place for the CLI, the provider daemon,
//! the tests and the load generator (subxt dynamic values, in the order of the call's
//! parameters in the runtime metadata).

use crate::views::{AccountId, Balance, PaymentAsset};
use subxt::dynamic::Value;

/// The terms of `Market.create_order`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderTerms {
	/// FaaS level id.
	pub level: u32,
	/// Billing periods.
	pub periods: u32,
	/// Highest acceptable price of one billing period, in the smallest unit of `asset`.
	pub max_unit_price: Balance,
	/// Witnesses per round.
	pub committee: u32,
	/// Blocks during which providers may bid.
	pub bid_window: u32,
	/// `blake2_256` of the function package.
	pub package_hash: [u8; 32],
	/// Lowest provider reputation allowed to bid, in parts per million.
	pub min_reputation_ppm: u32,
	/// Who funds the order through its allowance (`None`: the customer itself).
	pub sponsor: Option<AccountId>,
	/// What the order pays in.
	pub asset: PaymentAsset,
}

/// A payment asset as a call argument (`NativeOrWithId<u32>`).
pub fn asset_value(asset: &PaymentAsset) -> Value {
	match asset {
		PaymentAsset::Native => Value::unnamed_variant("Native", []),
		PaymentAsset::WithId(id) => {
			Value::unnamed_variant("WithId", [Value::u128(u128::from(*id))])
		},
	}
}

/// The arguments of `Market.create_order`.
pub fn create_order_args(terms: &OrderTerms) -> Vec<Value> {
	let sponsor = match &terms.sponsor {
		Some(sponsor) => Value::unnamed_variant("Some", [Value::from_bytes(sponsor.0)]),
		None => Value::unnamed_variant("None", []),
	};
	vec![
		Value::u128(u128::from(terms.level)),
		Value::u128(u128::from(terms.periods)),
		Value::u128(terms.max_unit_price),
		Value::u128(u128::from(terms.committee)),
		Value::u128(u128::from(terms.bid_window)),
		Value::from_bytes(terms.package_hash),
		Value::u128(u128::from(terms.min_reputation_ppm)),
		sponsor,
		asset_value(&terms.asset),
	]
}

/// Parses a payment asset as the CLI and the daemon's configuration name it: `fst` (or
/// `native`) for FST, a number for an asset id.
pub fn parse_asset(text: &str) -> anyhow::Result<PaymentAsset> {
	let text = text.trim();
	if text.eq_ignore_ascii_case("fst") || text.eq_ignore_ascii_case("native") {
		return Ok(PaymentAsset::Native);
	}
	let id: u32 = text
		.parse()
		.map_err(|_| anyhow::anyhow!("{text:?} is not a payment asset: `fst` or an asset id"))?;
	Ok(PaymentAsset::WithId(id))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn assets_parse_as_the_cli_names_them() {
		assert_eq!(parse_asset("fst").unwrap(), PaymentAsset::Native);
		assert_eq!(parse_asset("Native").unwrap(), PaymentAsset::Native);
		assert_eq!(parse_asset(" 1 ").unwrap(), PaymentAsset::WithId(1));
		assert!(parse_asset("usd").is_err());
		assert!(parse_asset("-1").is_err());
	}

	#[test]
	fn create_order_takes_the_asset_last() {
		let terms = OrderTerms {
			level: 0,
			periods: 3,
			max_unit_price: 5,
			committee: 1,
			bid_window: 3,
			package_hash: [1; 32],
			min_reputation_ppm: 0,
			sponsor: None,
			asset: PaymentAsset::WithId(7),
		};
		let args = create_order_args(&terms);
		assert_eq!(args.len(), 9);
		assert_eq!(args[8], Value::unnamed_variant("WithId", [Value::u128(7)]));
	}
}
