//! The views the node's `defaas_*` RPC returns, as the pallets define them, with SS58
//! accounts ([`AccountId`]), balances in plancks (`u128`, decimal strings on the wire) and
//! block numbers (`u32`) — so a field added to a pallet view is seen here without a copy.

use crate::amount::format_fst;
pub use pallet_market_rpc::{CloseReason, LevelEntry, LevelId, LevelInfo, OrderId};
pub use pallet_witness_pool_rpc::{RoundPhase, Verdict};
pub use subxt::utils::AccountId32 as AccountId;

/// Balances in plancks.
pub type Balance = u128;
/// Block numbers.
pub type BlockNumber = u32;

/// What an order pays in: FST (`Native`) or a numbered asset (`WithId`); `"Native"` or
/// `{"WithId": 1}` in JSON.
pub type PaymentAsset = pallet_market_rpc::NativeOrWithId<u32>;

/// An order as `defaas_order` / `defaas_openOrders` return it.
pub type OrderView = pallet_market_rpc::OrderView<AccountId, PaymentAsset, Balance, BlockNumber>;
/// The state of an order, with the block of its deadline.
pub type OrderState = pallet_market_rpc::OrderState<AccountId, Balance, BlockNumber>;
/// A provider as `defaas_provider` returns it.
pub type ProviderView = pallet_market_rpc::ProviderView<AccountId, Balance, BlockNumber>;
/// A price quote as `defaas_quote` returns it.
pub type Quote = pallet_market_rpc::Quote<PaymentAsset, Balance>;
/// A witness as `defaas_witness` returns it.
pub type WitnessView = pallet_witness_pool_rpc::WitnessView<AccountId, Balance, BlockNumber>;
/// A round as `defaas_round` returns it.
pub type RoundView = pallet_witness_pool_rpc::RoundView<AccountId, BlockNumber>;
/// A committee member within a [`RoundView`].
pub type MemberView = pallet_witness_pool_rpc::MemberView<AccountId>;
/// An unsettled round as `defaas_openRounds` returns it.
pub type OpenRound = pallet_witness_pool_rpc::OpenRound<BlockNumber>;

/// Every state name as the RPC spells it, in life-cycle order (for `--until`).
pub const STATE_NAMES: [&str; 10] = [
	"bidding",
	"revealing",
	"confirming",
	"deploying",
	"handoffDisputed",
	"handoffChecking",
	"fulfilling",
	"finished",
	"failed",
	"cancelled",
];

/// The state's name as the RPC spells it (`bidding`, `revealing`, ...).
pub fn state_name(state: &OrderState) -> &'static str {
	match state {
		OrderState::Bidding { .. } => "bidding",
		OrderState::Revealing { .. } => "revealing",
		OrderState::Confirming { .. } => "confirming",
		OrderState::Deploying { .. } => "deploying",
		OrderState::HandoffDisputed { .. } => "handoffDisputed",
		OrderState::HandoffChecking { .. } => "handoffChecking",
		OrderState::Fulfilling { .. } => "fulfilling",
		OrderState::Finished { .. } => "finished",
		OrderState::Failed { .. } => "failed",
		OrderState::Cancelled { .. } => "cancelled",
	}
}

/// Finished, Failed or Cancelled.
pub fn is_terminal(state: &OrderState) -> bool {
	matches!(
		state,
		OrderState::Finished { .. } | OrderState::Failed { .. } | OrderState::Cancelled { .. }
	)
}

/// The reason's name as the RPC spells it (`noValidBid`, ...).
pub fn reason_name(reason: &CloseReason) -> String {
	serde_json::to_value(reason)
		.ok()
		.and_then(|value| value.as_str().map(str::to_string))
		.unwrap_or_else(|| format!("{reason:?}"))
}

/// The state with its deadline, e.g. `bidding until block 42`.
pub fn describe_state(state: &OrderState) -> String {
	match state {
		OrderState::Bidding { bidding_ends } => format!("bidding until block {bidding_ends}"),
		OrderState::Revealing { reveal_ends } => format!("revealing until block {reveal_ends}"),
		OrderState::Confirming { candidate, price, confirm_until } => format!(
			"confirming until block {confirm_until} (candidate {candidate} at {})",
			format_fst(*price)
		),
		OrderState::Deploying { deploy_until } => format!("deploying until block {deploy_until}"),
		OrderState::HandoffDisputed { publish_until } => {
			format!(
				"hand-off disputed: the customer publishes the package until block {publish_until}"
			)
		},
		OrderState::HandoffChecking { verdict_due } => {
			format!("hand-off checked by a committee (verdict due at block {verdict_due})")
		},
		OrderState::Fulfilling { round, verdict_due } => {
			format!("fulfilling round {round} (verdict due at block {verdict_due})")
		},
		OrderState::Finished { prune_at } => format!("finished (pruned at block {prune_at})"),
		OrderState::Failed { reason, prune_at } => {
			format!("failed: {} (pruned at block {prune_at})", reason_name(reason))
		},
		OrderState::Cancelled { reason, prune_at } => {
			format!("cancelled: {} (pruned at block {prune_at})", reason_name(reason))
		},
	}
}

/// The provider the order is matched with: the candidate while it confirms, then the lease's.
pub fn matched_provider(order: &OrderView) -> Option<&AccountId> {
	match &order.state {
		OrderState::Confirming { candidate, .. } => Some(candidate),
		_ => order.provider.as_ref(),
	}
}

/// What is still held from the payer: `prepay - paid - refunded`.
pub fn held(order: &OrderView) -> Balance {
	order.prepay.saturating_sub(order.paid).saturating_sub(order.refunded)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_node_json_of_an_order_reads_exactly() {
		// As the node serves it: balances as decimal strings, accounts SS58, hash as hex.
		let json = r#"{"orderId":7,"customer":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
			"payer":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","asset":{"WithId":1},
			"level":0,"periods":3,
			"periodLength":20,"maxUnitPrice":"10000000000000001","committeeSize":3,
			"packageHash":"0x0101010101010101010101010101010101010101010101010101010101010101",
			"minReputation":0,"prepay":"60000000000000006","paid":"0","refunded":"0",
			"state":{"confirming":{"candidate":"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
			"price":"340282366920938463463374607431768211455","confirmUntil":9}},"bids":1,
			"provider":null,"unitPrice":null,"leaseStart":null,"settledPeriods":0,
			"violatedPeriods":0,"createdAt":1}"#;
		let order: OrderView = serde_json::from_str(json).unwrap();
		assert_eq!(order.max_unit_price, 10_000_000_000_000_001);
		assert_eq!(order.asset, PaymentAsset::WithId(1));
		assert_eq!(held(&order), 60_000_000_000_000_006);
		assert_eq!(state_name(&order.state), "confirming");
		assert!(matches!(order.state, OrderState::Confirming { price: u128::MAX, .. }));
		assert_eq!(
			matched_provider(&order).map(ToString::to_string).as_deref(),
			Some("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")
		);
		// And back out the same way (what `--json` prints).
		let again = serde_json::to_value(&order).unwrap();
		assert_eq!(again["maxUnitPrice"], "10000000000000001");
		assert_eq!(again["state"]["confirming"]["price"], u128::MAX.to_string());
		assert_eq!(again["packageHash"], format!("0x{}", "01".repeat(32)));
	}

	#[test]
	fn terminal_states_and_reasons_read_as_the_node_spells_them() {
		let failed: OrderState =
			serde_json::from_str(r#"{"failed":{"reason":"noValidBid","pruneAt":3}}"#).unwrap();
		assert!(is_terminal(&failed));
		assert_eq!(describe_state(&failed), "failed: noValidBid (pruned at block 3)");
		assert_eq!(STATE_NAMES.iter().filter(|name| **name == state_name(&failed)).count(), 1);
	}
}
