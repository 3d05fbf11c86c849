//! The `defaas_*` JSON-RPC as an integrator reads it, over a real auction on the dev node:
//! levels, open orders, orders in each state, providers, witnesses, rounds and quotes — typed
//! through `defaas-client` (the same jsonrpsee traits the node serves) and, raw, with every
//! 128-bit value a decimal string. The chain rules behind the answers are proven in
//! `runtime/tests/flows.rs`; here it is the wire format.

use crate::Shared;
use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	client::{
		accounts::{account_id, keypair},
		subxt::{dynamic::Value as DynValue, rpcs::rpc_params},
		views::{self, OrderState},
	},
	steps::{self, Terms, BID_DEPOSIT, FST, PROVIDER_STAKE},
};
use serde_json::Value;
use std::sync::Arc;

pub async fn run(shared: Arc<Shared>) -> Result<()> {
	let chain = shared.node.chain().await?;

	// The paper's four levels are seeded at genesis.
	let levels = chain.levels().await?;
	ensure!(levels.len() == 4, "{levels:?}");
	ensure!(levels[3].level.tag == b"ai", "{levels:?}");
	let raw_levels: Value = chain.rpc.request("defaas_levels", rpc_params![]).await?;
	ensure!(raw_levels[3]["tag"] == "ai" && raw_levels[0]["levelId"] == 0, "{raw_levels}");

	// A witness (the committee of 1 can be staffed), two providers online by heartbeat.
	let (customer, bob, charlie, eve) =
		(keypair("//Dave")?, keypair("//Bob")?, keypair("//Charlie")?, keypair("//Eve")?);
	// An odd stake, to see 128-bit values travel exactly: 100 FST + 1 planck.
	let stake = 100 * FST + 1;
	chain
		.submit(
			&eve,
			"WitnessPool",
			"register_witness",
			vec![DynValue::u128(stake), DynValue::from_bytes([5u8; 32])],
		)
		.await?;
	let witness: Value =
		chain.rpc.request("defaas_witness", rpc_params![account_id(&eve).to_string()]).await?;
	ensure!(witness["stake"] == stake.to_string(), "a decimal string: {witness}");
	ensure!(chain.witness(&account_id(&eve)).await?.map(|w| w.stake) == Some(stake));

	for provider in [&bob, &charlie] {
		steps::register_provider(&chain, provider, "http://127.0.0.1:9").await?;
		steps::heartbeat(&chain, provider, &[(0, 4)]).await?;
	}
	let provider: Value =
		chain.rpc.request("defaas_provider", rpc_params![account_id(&bob).to_string()]).await?;
	ensure!(provider["stake"] == PROVIDER_STAKE.to_string(), "{provider}");
	ensure!(
		provider["online"] == true && provider["endpoint"] == "http://127.0.0.1:9",
		"{provider}"
	);

	// A committee larger than the witnesses that could serve is refused at creation, and the
	// quote (once there is a clearing price) tells the largest committee allowed.
	// (Other tests on this node register witnesses too: ask for more than any of them do.)
	let too_large = Terms { committee: 10, ..Terms::default() };
	let refused = steps::create_order(&chain, &customer, &too_large).await;
	ensure!(
		refused.as_ref().is_err_and(|e| e.to_string().contains("Market.NotEnoughWitnesses")),
		"{refused:?}"
	);

	// An order (committee 1, 3 periods at ≤ 10 FST): prepay held, listed as open.
	let terms = Terms { committee: 1, periods: 3, bid_window: 8, ..Terms::default() };
	let (_, held_before) = steps::balances(&chain, &account_id(&customer)).await?;
	let order_id = steps::create_order(&chain, &customer, &terms).await?;
	let prepay = 2 * 3 * terms.max_unit_price;
	let (_, held) = steps::balances(&chain, &account_id(&customer)).await?;
	ensure!(held - held_before == prepay, "the prepay is held");
	let open = chain.open_orders(Some(0), Some(10), None).await?;
	ensure!(open.iter().any(|o| o.order_id == order_id), "the order is open: {open:?}");
	let raw: Value = chain.rpc.request("defaas_order", rpc_params![order_id]).await?;
	ensure!(raw["prepay"] == prepay.to_string(), "{raw}");
	ensure!(raw["maxUnitPrice"] == terms.max_unit_price.to_string(), "{raw}");
	ensure!(raw["packageHash"] == format!("0x{}", "07".repeat(32)), "{raw}");
	ensure!(raw["state"]["bidding"]["biddingEnds"].is_u64(), "{raw}");

	// Sealed bids (Bob 7, Charlie 5 FST): deposits held; Charlie wins, Bob is the fallback.
	steps::commit_bid(&chain, &bob, order_id, 7 * FST).await?;
	steps::commit_bid(&chain, &charlie, order_id, 5 * FST).await?;
	for provider in [&bob, &charlie] {
		let (_, held) = steps::balances(&chain, &account_id(provider)).await?;
		ensure!(held == PROVIDER_STAKE + BID_DEPOSIT, "stake and bid deposit are held");
	}
	steps::wait_order(&chain, order_id, "revealing", 120, |o| {
		matches!(o.state, OrderState::Revealing { .. })
	})
	.await?;
	steps::reveal_bid(&chain, &bob, order_id, 7 * FST).await?;
	steps::reveal_bid(&chain, &charlie, order_id, 5 * FST).await?;
	let confirming = steps::wait_order(&chain, order_id, "confirming", 120, |o| {
		matches!(o.state, OrderState::Confirming { .. })
	})
	.await?;
	let OrderState::Confirming { candidate, price, .. } = &confirming.state else {
		anyhow::bail!("not confirming");
	};
	ensure!(*candidate == account_id(&charlie) && *price == 5 * FST, "{confirming:?}");
	let raw: Value = chain.rpc.request("defaas_order", rpc_params![order_id]).await?;
	ensure!(raw["state"]["confirming"]["price"] == (5 * FST).to_string(), "{raw}");
	steps::provider_call(&chain, &charlie, "confirm_order", order_id).await?;
	let (_, bob_held) = steps::balances(&chain, &account_id(&bob)).await?;
	ensure!(bob_held == PROVIDER_STAKE, "the loser's deposit is released on confirm");
	steps::provider_call(&chain, &charlie, "fulfill", order_id).await?;
	let order = steps::wait_order(&chain, order_id, "fulfilling", 120, |o| {
		matches!(o.state, OrderState::Fulfilling { .. })
	})
	.await?;
	ensure!(order.unit_price == Some(5 * FST) && order.provider == Some(account_id(&charlie)));
	let raw: Value = chain.rpc.request("defaas_order", rpc_params![order_id]).await?;
	ensure!(raw["unitPrice"] == (5 * FST).to_string(), "{raw}");
	let (_, charlie_held) = steps::balances(&chain, &account_id(&charlie)).await?;
	ensure!(charlie_held == PROVIDER_STAKE, "the winner's deposit is released on fulfill");

	// A quote from the clearing price, with the largest committee allowed now (the witnesses
	// registered on this node so far).
	let quote = chain
		.quote(0, 10, &views::PaymentAsset::Native)
		.await?
		.context("a quote after a clearing price")?;
	ensure!(quote.median_unit_price == 5 * FST, "{quote:?}");
	ensure!((1..10).contains(&quote.max_committee), "{quote:?}");
	let raw: Value = chain.rpc.request("defaas_quote", rpc_params![0, 10]).await?;
	ensure!(raw["medianUnitPrice"] == (5 * FST).to_string(), "{raw}");
	ensure!(raw["maxCommittee"].as_u64().is_some_and(|m| (1..10).contains(&m)), "{raw}");

	// The round of the lease: its threshold and outputs are decimal strings too.
	steps::wait_order(&chain, order_id, "monitored", 120, |o| o.lease_start.is_some()).await?;
	let view: Value = defaas_testkit::wait::poll("round 0 to open", 120, || {
		let chain = chain.clone();
		async move {
			let view: Value = chain.rpc.request("defaas_round", rpc_params![order_id, 0]).await?;
			Ok((!view.is_null()).then_some(view))
		}
	})
	.await?;
	ensure!(view["threshold"].is_string(), "{view}");
	ensure!(view["seed"].as_str().is_some_and(|s| s.len() == 66), "{view}");
	let open_rounds: Value = chain.rpc.request("defaas_openRounds", rpc_params![]).await?;
	ensure!(open_rounds.as_array().is_some_and(|r| r.iter().all(|r| r["threshold"].is_string())));
	Ok(())
}
