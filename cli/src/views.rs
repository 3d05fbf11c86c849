//! The JSON objects of the node's `defaas_*` RPC methods (camelCase; balances are integers in
//! plancks, accounts SS58 strings). `--json` prints them back unchanged.

use serde::{Deserialize, Serialize};

/// A FaaS level as `defaas_levels` returns it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelEntry {
	/// Level id.
	pub level_id: u32,
	/// CPU share in thousandths of a core.
	pub cpu_millicores: u32,
	/// GPU units.
	pub gpu_units: u32,
	/// Memory limit of one instance in MiB.
	pub memory_mb: u32,
	/// Maximum package size in MiB.
	pub package_mb: u32,
	/// Class of the level (`normal`, `graphics`, `ai`).
	pub tag: String,
}

/// Why an order ended early (`CloseReason` of the market pallet).
pub type CloseReason = String;

/// The state of an order, with the block of its deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum OrderState {
	/// Providers commit sealed bids until `bidding_ends`.
	Bidding {
		/// First block at which bids are no longer accepted.
		bidding_ends: u64,
	},
	/// Bidders reveal until `reveal_ends`.
	Revealing {
		/// First block at which reveals are no longer accepted.
		reveal_ends: u64,
	},
	/// The auction chose `candidate`, which must confirm before `confirm_until`.
	Confirming {
		/// Provider that must confirm.
		candidate: String,
		/// Its unit price in plancks.
		price: u128,
		/// First block at which the confirmation is late.
		confirm_until: u64,
	},
	/// The provider deploys until `deploy_until`.
	Deploying {
		/// First block at which the deployment is late.
		deploy_until: u64,
	},
	/// The function is served; `round` is the next billing period to settle.
	Fulfilling {
		/// Next round awaiting its verdict.
		round: u32,
		/// First block at which that verdict is late.
		verdict_due: u64,
	},
	/// Every billing period was settled.
	Finished {
		/// Block from which the record may be pruned.
		prune_at: u64,
	},
	/// The order ended early through nobody's explicit choice.
	Failed {
		/// Who caused it.
		reason: CloseReason,
		/// Block from which the record may be pruned.
		prune_at: u64,
	},
	/// The order was called off.
	Cancelled {
		/// Who caused it.
		reason: CloseReason,
		/// Block from which the record may be pruned.
		prune_at: u64,
	},
}

impl OrderState {
	/// The state's name as the RPC spells it (`bidding`, `revealing`, ...).
	pub fn name(&self) -> &'static str {
		match self {
			Self::Bidding { .. } => "bidding",
			Self::Revealing { .. } => "revealing",
			Self::Confirming { .. } => "confirming",
			Self::Deploying { .. } => "deploying",
			Self::Fulfilling { .. } => "fulfilling",
			Self::Finished { .. } => "finished",
			Self::Failed { .. } => "failed",
			Self::Cancelled { .. } => "cancelled",
		}
	}

	/// Finished, Failed or Cancelled.
	pub fn is_terminal(&self) -> bool {
		matches!(self, Self::Finished { .. } | Self::Failed { .. } | Self::Cancelled { .. })
	}

	/// The state with its deadline, e.g. `bidding until block 42`.
	pub fn describe(&self) -> String {
		match self {
			Self::Bidding { bidding_ends } => format!("bidding until block {bidding_ends}"),
			Self::Revealing { reveal_ends } => format!("revealing until block {reveal_ends}"),
			Self::Confirming { candidate, price, confirm_until } => format!(
				"confirming until block {confirm_until} (candidate {candidate} at {})",
				crate::amount::format_fst(*price)
			),
			Self::Deploying { deploy_until } => format!("deploying until block {deploy_until}"),
			Self::Fulfilling { round, verdict_due } => {
				format!("fulfilling round {round} (verdict due at block {verdict_due})")
			},
			Self::Finished { prune_at } => format!("finished (pruned at block {prune_at})"),
			Self::Failed { reason, prune_at } => {
				format!("failed: {reason} (pruned at block {prune_at})")
			},
			Self::Cancelled { reason, prune_at } => {
				format!("cancelled: {reason} (pruned at block {prune_at})")
			},
		}
	}
}

/// All state names, for `--until`.
pub const STATE_NAMES: [&str; 8] = [
	"bidding",
	"revealing",
	"confirming",
	"deploying",
	"fulfilling",
	"finished",
	"failed",
	"cancelled",
];

/// An order as `defaas_order` returns it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
	/// Order id.
	pub order_id: u64,
	/// Customer (SS58).
	pub customer: String,
	/// Account whose funds are held (customer or sponsor).
	pub payer: String,
	/// FaaS level.
	pub level: u32,
	/// Billing periods.
	pub periods: u32,
	/// Length of one billing period in blocks.
	pub period_length: u64,
	/// Highest acceptable unit price (plancks).
	pub max_unit_price: u128,
	/// Witness committee size per round.
	pub committee_size: u32,
	/// `blake2_256` of the function package (`0x` hex).
	pub package_hash: String,
	/// Lowest provider reputation allowed to bid (parts per million).
	pub min_reputation: u32,
	/// Amount held at creation (plancks).
	pub prepay: u128,
	/// Amount paid to the provider so far.
	pub paid: u128,
	/// Amount released back to the payer so far.
	pub refunded: u128,
	/// Stored state (deadline transitions are applied lazily).
	pub state: OrderState,
	/// Number of stored bids.
	pub bids: u32,
	/// Provider of the lease, if any.
	pub provider: Option<String>,
	/// Unit price of the lease, if any.
	pub unit_price: Option<u128>,
	/// First block of round 0, once fulfilled.
	pub lease_start: Option<u64>,
	/// Billing periods settled.
	pub settled_periods: u32,
	/// Billing periods settled as violated.
	pub violated_periods: u32,
	/// Block of creation.
	pub created_at: u64,
}

impl OrderView {
	/// The provider the order is matched to: the lease's provider, or the auction's
	/// candidate while it confirms. `None` before the auction closed.
	pub fn matched_provider(&self) -> Option<&str> {
		match &self.state {
			OrderState::Confirming { candidate, .. } => Some(candidate),
			_ => self.provider.as_deref(),
		}
	}

	/// What is still held for the order: `prepay - paid - refunded`.
	pub fn held(&self) -> u128 {
		self.prepay.saturating_sub(self.paid).saturating_sub(self.refunded)
	}
}

/// A provider as `defaas_provider` returns it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
	/// Provider account (SS58).
	pub provider: String,
	/// Stake held (plancks).
	pub stake: u128,
	/// Deployment API base URL.
	pub endpoint: String,
	/// Offered levels.
	pub levels: Vec<u32>,
	/// Heartbeat key (SS58).
	pub heartbeat_key: String,
	/// Block of the last heartbeat.
	pub last_heartbeat: Option<u64>,
	/// Whether the provider is online now.
	pub online: bool,
	/// Free capacity per level from the last heartbeat.
	pub capacity: Vec<(u32, u32)>,
	/// Beta reputation (parts per million).
	pub reputation: u32,
	/// Decayed successful periods (scaled by 10^6).
	pub successes: u64,
	/// Decayed violated periods (scaled by 10^6).
	pub violations: u64,
	/// Bids with a held deposit.
	pub open_bids: u32,
	/// Leases not yet ended.
	pub active_leases: u32,
}

/// A witness as `defaas_witness` returns it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WitnessView {
	/// Witness account (SS58).
	pub account: String,
	/// Its VRF (`wtns`) public key (SS58).
	pub vrf_key: String,
	/// Stake held (plancks).
	pub stake: u128,
	/// Reputation (starts at 100; suspended at ≤ 0).
	pub reputation: i32,
	/// Whether it is suspended.
	pub suspended: bool,
	/// Whether it may be drawn now.
	pub active: bool,
	/// First block from which it may sit in committees.
	pub active_from: u64,
	/// Unsettled rounds it sits in.
	pub seats: u32,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn order_state_json_round_trips() {
		let json = r#"{"confirming":{"candidate":"5Fx","price":3000000000000,"confirmUntil":9}}"#;
		let state: OrderState = serde_json::from_str(json).unwrap();
		assert_eq!(state.name(), "confirming");
		assert_eq!(serde_json::to_string(&state).unwrap(), json);
		let failed: OrderState =
			serde_json::from_str(r#"{"failed":{"reason":"noValidBid","pruneAt":3}}"#).unwrap();
		assert!(failed.is_terminal());
	}
}
