//! `order create|status|cancel`, and `--follow`.

use super::{short, Output, TimedOut};
use crate::{
	cli::{CancelArgs, CreateOrderArgs, PublishArgs, StatusArgs},
	table,
};
use anyhow::{bail, Context, Result};
use defaas_client::{
	accounts,
	amount::{format_fst, format_permill, parse_percent},
	chain::{find_event, find_u128, AssetInfo},
	market::{create_order_args, parse_asset, OrderTerms},
	views::{self, OrderState, OrderView, PaymentAsset},
	Chain,
};
use defaas_primitives::{deploy::package_hash, json::to_hex};
use serde_json::json;
use std::time::{Duration, Instant};
use subxt::dynamic::Value;

/// `defaas order create`.
pub async fn create(chain: &Chain, out: Output, args: CreateOrderArgs) -> Result<()> {
	let signer = accounts::keypair(&args.signer.suri)?;
	let asset = parse_asset(&args.asset).context("--asset")?;
	let info = chain
		.asset_info(&asset)
		.await?
		.with_context(|| format!("--asset: asset {} does not exist", args.asset))?;
	let max_price = info.parse(&args.max_price).context("--max-price")?;
	let min_reputation = parse_percent(&args.min_reputation).context("--min-reputation")?;
	let package = std::fs::read(&args.package)
		.with_context(|| format!("cannot read the package {}", args.package.display()))?;
	let hash = package_hash(&package);
	preflight(chain, &args, &asset, package.len()).await?;
	let sponsor = match &args.sponsor {
		Some(sponsor) => {
			Some(views::AccountId(accounts::parse_account(sponsor).context("--sponsor")?))
		},
		None => None,
	};
	let terms = OrderTerms {
		level: args.level,
		periods: args.periods,
		max_unit_price: max_price,
		committee: args.committee,
		bid_window: args.bid_window,
		package_hash: hash,
		min_reputation_ppm: min_reputation,
		sponsor,
		asset: asset.clone(),
	};
	// Finalized: the order id in the event cannot change with a re-organisation.
	let events = chain
		.submit_finalized(&signer, "Market", "create_order", create_order_args(&terms))
		.await?;
	let created = find_event(&events, "Market", "OrderCreated")?;
	let order_id = find_u128(&created, "order_id").context("OrderCreated without order_id")?;
	let prepay = find_u128(&created, "prepay").context("OrderCreated without prepay")?;
	let bidding_ends = find_u128(&created, "bidding_ends").unwrap_or_default();
	let hash_hex = to_hex(&hash);
	if out.json {
		return out.json(&json!({
			"orderId": order_id as u64,
			"packageHash": hash_hex,
			"prepay": prepay.to_string(),
			"asset": asset,
			"biddingEnds": bidding_ends as u64,
			"customer": accounts::address(&signer),
		}));
	}
	println!("order {order_id} created");
	println!(
		"{}",
		table::render_pairs(&[
			("package hash", hash_hex),
			("prepay held", info.format(prepay)),
			("bidding ends", format!("block {bidding_ends}")),
		])
	);
	Ok(())
}

/// Checks an order before it costs fees: the package fits the level, the committee fits the
/// witnesses that could serve (the chain refuses both too, after the fact).
async fn preflight(
	chain: &Chain,
	args: &CreateOrderArgs,
	asset: &PaymentAsset,
	package_len: usize,
) -> Result<()> {
	let levels = chain.levels().await?;
	let Some(level) = levels.iter().find(|entry| entry.level_id == args.level) else {
		bail!("level {} does not exist (`defaas level list` shows the levels)", args.level);
	};
	super::ensure_package_fits(args.level, level.level.package_mb, package_len)?;
	if let Some(quote) = chain.quote(args.level, args.periods, asset).await? {
		if args.committee > quote.max_committee {
			bail!(
				"a committee of {} is more than the {} witnesses that could serve now \
				 (the chain would refuse it with Market.NotEnoughWitnesses)",
				args.committee,
				quote.max_committee
			);
		}
	}
	Ok(())
}

/// `defaas order cancel`.
pub async fn cancel(chain: &Chain, out: Output, args: CancelArgs) -> Result<()> {
	let signer = accounts::keypair(&args.signer.suri)?;
	let events = chain
		.submit(&signer, "Market", "cancel_order", vec![Value::u128(u128::from(args.order_id))])
		.await?;
	let cancelled = find_event(&events, "Market", "OrderCancelled")?;
	let refunded = find_u128(&cancelled, "refunded").unwrap_or_default();
	if out.json {
		return out.json(&json!({
			"orderId": args.order_id,
			"state": "cancelled",
			"refunded": refunded.to_string(),
		}));
	}
	println!("order {} cancelled; {} released", args.order_id, format_fst(refunded));
	Ok(())
}

/// `defaas order publish`.
pub async fn publish(chain: &Chain, out: Output, args: PublishArgs) -> Result<()> {
	if !defaas_primitives::is_package_url(args.url.as_bytes())
		|| args.url.len() > defaas_primitives::MAX_PACKAGE_URL_LEN as usize
	{
		bail!(
			"--url must be an http:// or https:// URL of at most {} bytes",
			defaas_primitives::MAX_PACKAGE_URL_LEN
		);
	}
	let signer = accounts::keypair(&args.signer.suri)?;
	let call = vec![Value::u128(u128::from(args.order_id)), Value::from_bytes(args.url.as_bytes())];
	let events = chain.submit(&signer, "Market", "publish_package", call).await?;
	let published = find_event(&events, "Market", "PackagePublished");
	let verdict_due = published.ok().and_then(|event| find_u128(&event, "verdict_due"));
	if out.json {
		return out.json(&json!({
			"orderId": args.order_id,
			"url": args.url,
			"verdictDue": verdict_due.map(|b| b.to_string()),
		}));
	}
	match verdict_due {
		Some(block) => println!(
			"order {}: package published at {}; a committee's verdict is due by block {block}",
			args.order_id, args.url
		),
		None => println!(
			"order {}: package published, but no committee could be seated (the order failed; everything is released)",
			args.order_id
		),
	}
	Ok(())
}

/// `defaas order status`.
pub async fn status(chain: &Chain, out: Output, args: StatusArgs) -> Result<()> {
	if args.follow {
		return follow(chain, out, &args).await;
	}
	let order = chain.order(args.order_id).await?;
	if out.json {
		return out.json(&order);
	}
	let info = asset_info(chain, &order.asset).await?;
	print_order(&order, &info);
	Ok(())
}

/// How the amounts of an order in `asset` are written (its symbol and decimals).
async fn asset_info(chain: &Chain, asset: &PaymentAsset) -> Result<AssetInfo> {
	Ok(chain.asset_info(asset).await?.unwrap_or_else(|| AssetInfo::raw(asset)))
}

fn print_order(order: &OrderView, info: &AssetInfo) {
	let lease = match (&order.provider, order.unit_price) {
		(Some(provider), Some(price)) => format!("{provider} at {} per period", info.format(price)),
		_ => "-".into(),
	};
	println!(
		"{}",
		table::render_pairs(&[
			("order", order.order_id.to_string()),
			("state", views::describe_state(&order.state)),
			("customer", order.customer.to_string()),
			("level", order.level.to_string()),
			("pays in", format!("{} ({})", info.symbol, info.name)),
			("periods", format!("{} × {} blocks", order.periods, order.period_length)),
			("max price", format!("{} per period", info.format(order.max_unit_price))),
			("committee", order.committee_size.to_string()),
			("min reputation", format_permill(order.min_reputation.deconstruct())),
			("package hash", to_hex(order.package_hash.as_bytes())),
			("bids", order.bids.to_string()),
			("provider", lease),
			(
				"prepay",
				format!(
					"{} (held now {})",
					info.format(order.prepay),
					info.format(views::held(order))
				)
			),
			("paid", info.format(order.paid)),
			("refunded", info.format(order.refunded)),
			(
				"settled",
				format!(
					"{} of {} periods ({} violated)",
					order.settled_periods, order.periods, order.violated_periods
				)
			),
			("created", format!("block {}", order.created_at)),
		])
	);
}

/// Position of a state in the life cycle (failed/cancelled sort after everything).
fn rank(name: &str) -> usize {
	views::STATE_NAMES.iter().position(|n| *n == name).unwrap_or(usize::MAX)
}

/// Whether `state` is `until` or past it on the normal path.
fn reached(state: &OrderState, until: &str) -> bool {
	let name = views::state_name(state);
	if name == until {
		return true;
	}
	// Failed/cancelled are only reached by name; finished passes every live state.
	!matches!(state, OrderState::Failed { .. } | OrderState::Cancelled { .. })
		&& rank(until) <= rank("finished")
		&& rank(name) > rank(until)
}

/// How a state reads after an arrow in a progress line.
fn arrow_target(order: &OrderView, info: &AssetInfo) -> String {
	match &order.state {
		OrderState::Confirming { candidate, price, .. } => {
			format!(
				"confirming (candidate {} at {})",
				short(&candidate.to_string()),
				info.format(*price)
			)
		},
		OrderState::Deploying { deploy_until } => format!(
			"deploying (provider {}, deploy until block {deploy_until})",
			order.provider.as_ref().map(|p| short(&p.to_string())).unwrap_or_default()
		),
		OrderState::Fulfilling { round, .. } => format!("fulfilling round {round}"),
		OrderState::Finished { .. } => format!(
			"finished (paid {}, refunded {})",
			info.format(order.paid),
			info.format(order.refunded)
		),
		OrderState::Failed { reason, .. } | OrderState::Cancelled { reason, .. } => format!(
			"{} ({}; paid {}, refunded {})",
			views::state_name(&order.state),
			views::reason_name(reason),
			info.format(order.paid),
			info.format(order.refunded)
		),
		other => views::state_name(other).to_string(),
	}
}

/// The progress lines between two observations of an order.
pub fn changes(before: &OrderView, now: &OrderView, info: &AssetInfo) -> Vec<String> {
	let mut lines = Vec::new();
	if now.bids != before.bids && matches!(now.state, OrderState::Bidding { .. }) {
		lines.push(format!("{} bid(s) committed", now.bids));
	}
	// Settled rounds first (the round counter and the final state follow from them).
	let newly_violated = now.violated_periods.saturating_sub(before.violated_periods);
	let newly_settled = now.settled_periods.saturating_sub(before.settled_periods);
	for round in before.settled_periods..now.settled_periods {
		let violated = round >= now.settled_periods - newly_violated.min(newly_settled);
		let verdict = if violated { "Violated" } else { "NoViolation" };
		lines.push(format!("round {round} settled {verdict}"));
	}
	match (&before.state, &now.state) {
		(OrderState::Fulfilling { round: a, .. }, OrderState::Fulfilling { round: b, .. })
			if a != b =>
		{
			lines.push(format!("fulfilling round {b}"))
		},
		(
			OrderState::Confirming { candidate: a, .. },
			OrderState::Confirming { candidate: b, .. },
		) if a != b => lines.push(format!("candidate replaced → {}", arrow_target(now, info))),
		(a, b) if views::state_name(a) != views::state_name(b) => {
			lines.push(format!("{} → {}", views::state_name(a), arrow_target(now, info)))
		},
		_ => {},
	}
	lines
}

/// `defaas order status --follow`.
async fn follow(chain: &Chain, out: Output, args: &StatusArgs) -> Result<()> {
	let deadline = args.timeout.map(|secs| Instant::now() + Duration::from_secs(secs));
	let order_id = args.order_id;
	let mut last: Option<OrderView> = None;
	let mut info: Option<AssetInfo> = None;
	loop {
		let block = chain.best_number().await?;
		let order = chain.order(order_id).await?;
		if info.is_none() {
			info = Some(asset_info(chain, &order.asset).await?);
		}
		let amounts = info.clone().unwrap_or_else(AssetInfo::fst);
		let lines = match &last {
			None => vec![views::describe_state(&order.state)],
			Some(before) => changes(before, &order, &amounts),
		};
		for line in &lines {
			if out.json {
				out.json_line(&json!({
					"block": block,
					"orderId": order_id,
					"state": views::state_name(&order.state),
					"event": line,
				}))?;
			} else {
				println!("block {block}: {line}");
			}
		}
		if let Some(until) = &args.until {
			if reached(&order.state, until) {
				return Ok(());
			}
			if views::is_terminal(&order.state) {
				bail!(
					"order {order_id} ended ({}) without reaching {until}",
					views::describe_state(&order.state)
				);
			}
		} else if views::is_terminal(&order.state) {
			return Ok(());
		}
		if deadline.is_some_and(|d| Instant::now() >= d) {
			let goal = args.until.as_deref().unwrap_or("its end");
			return Err(TimedOut(format!(
				"timed out after {}s waiting for order {order_id} to reach {goal}; it is {}",
				args.timeout.unwrap_or_default(),
				views::describe_state(&order.state)
			))
			.into());
		}
		last = Some(order);
		tokio::time::sleep(Duration::from_millis(1000)).await;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn order(state: OrderState) -> OrderView {
		OrderView {
			order_id: 1,
			customer: subxt_signer::sr25519::dev::alice().public_key().to_account_id(),
			payer: subxt_signer::sr25519::dev::alice().public_key().to_account_id(),
			asset: PaymentAsset::Native,
			level: 0,
			periods: 3,
			period_length: 20,
			max_unit_price: 10,
			committee_size: 1,
			package_hash: Default::default(),
			min_reputation: Default::default(),
			prepay: 60,
			paid: 0,
			refunded: 0,
			state,
			bids: 0,
			provider: None,
			unit_price: None,
			lease_start: None,
			settled_periods: 0,
			violated_periods: 0,
			created_at: 1,
		}
	}

	#[test]
	fn until_matches_the_state_or_a_later_one() {
		let deploying = OrderState::Deploying { deploy_until: 9 };
		assert!(reached(&deploying, "deploying"));
		assert!(reached(&deploying, "revealing"));
		assert!(!reached(&deploying, "fulfilling"));
		let failed = OrderState::Failed { reason: views::CloseReason::NoValidBid, prune_at: 9 };
		assert!(!reached(&failed, "deploying"));
		assert!(reached(&failed, "failed"));
		assert!(!reached(&OrderState::Finished { prune_at: 1 }, "cancelled"));
	}

	#[test]
	fn progress_lines_name_transitions_and_settled_rounds() {
		let bidding = order(OrderState::Bidding { bidding_ends: 5 });
		let revealing = order(OrderState::Revealing { reveal_ends: 9 });
		assert_eq!(changes(&bidding, &revealing, &AssetInfo::fst()), vec!["bidding → revealing"]);
		let mut round0 = order(OrderState::Fulfilling { round: 0, verdict_due: 40 });
		round0.provider = Some(subxt_signer::sr25519::dev::bob().public_key().to_account_id());
		let mut round1 = round0.clone();
		round1.state = OrderState::Fulfilling { round: 1, verdict_due: 60 };
		round1.settled_periods = 1;
		assert_eq!(
			changes(&round0, &round1, &AssetInfo::fst()),
			vec!["round 0 settled NoViolation", "fulfilling round 1"]
		);
		let mut violated = round1.clone();
		violated.state = OrderState::Fulfilling { round: 2, verdict_due: 80 };
		violated.settled_periods = 2;
		violated.violated_periods = 1;
		assert_eq!(
			changes(&round1, &violated, &AssetInfo::fst()),
			vec!["round 1 settled Violated", "fulfilling round 2"]
		);
	}
}
