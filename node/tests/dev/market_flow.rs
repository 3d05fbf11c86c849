//! End-to-end market flow on the real dev chain (issue: market acceptance): a customer creates
//! an order, two providers commit sealed bids and reveal them, the lower price wins, the winner
//! confirms (the runner-up's deposit, held while it was the fallback, is released) and fulfils
//! (the winner's deposit is released), and the order reaches Fulfilling — with exactly the holds DESIGN §5
//! prescribes (prepay, bid deposits, stakes), read from the chain. `defaas_*` JSON-RPC answers
//! along the way.

use crate::common::Node;
use codec::Encode;
use serde_json::Value;
use std::time::{Duration, Instant};
use subxt::{
	dynamic::{self, Value as DynValue},
	rpcs::{rpc_params, RpcClient},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::{dev, Keypair};

const FST: u128 = 1_000_000_000_000;
/// `MinProviderStake` of the runtime.
const STAKE: u128 = 1_000 * FST;
/// `BidDeposit` of the runtime.
const BID_DEPOSIT: u128 = 10 * FST;

/// (free, held) FST of `who` at the best block.
async fn balances(api: &OnlineClient<PolkadotConfig>, who: &Keypair) -> (u128, u128) {
	let at = api.at_current_block().await.expect("block").block_hash();
	let data = crate::common::account(api, at, who.public_key().0).await;
	(data.free, data.reserved)
}

/// Signs, submits and waits until `call` is finalized and succeeded.
async fn submit(
	api: &OnlineClient<PolkadotConfig>,
	signer: &Keypair,
	call: &str,
	args: Vec<DynValue>,
) -> subxt::extrinsics::ExtrinsicEvents<PolkadotConfig> {
	let tx = dynamic::transaction("Market", call, args);
	api.at_current_block()
		.await
		.expect("block")
		.transactions()
		.sign_and_submit_then_watch_default(&tx, signer)
		.await
		.unwrap_or_else(|e| panic!("submit {call}: {e}"))
		.wait_for_finalized_success()
		.await
		.unwrap_or_else(|e| panic!("{call} failed: {e}"))
}

fn account(who: &Keypair) -> DynValue {
	DynValue::from_bytes(who.public_key().0)
}

/// The order as `defaas_order` returns it.
async fn order(rpc: &RpcClient, order_id: u64) -> Value {
	rpc.request("defaas_order", rpc_params![order_id]).await.expect("defaas_order")
}

/// Name of the order's state (`bidding`, `revealing`, `confirming`, ...).
fn state_name(order: &Value) -> String {
	match &order["state"] {
		Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
		Value::String(name) => name.clone(),
		other => panic!("unexpected state {other}"),
	}
}

/// Polls `defaas_order` until the order is in `state`; after the deadline of the previous state
/// it also calls the permissionless `advance` (the `on_idle` sweep usually got there first).
async fn wait_for_state(
	api: &OnlineClient<PolkadotConfig>,
	rpc: &RpcClient,
	order_id: u64,
	state: &str,
) -> Value {
	let deadline = Instant::now() + Duration::from_secs(120);
	let mut advanced = Instant::now();
	loop {
		let current = order(rpc, order_id).await;
		if state_name(&current) == state {
			return current;
		}
		assert!(Instant::now() < deadline, "order never reached {state}: {current}");
		if advanced.elapsed() > Duration::from_secs(30) {
			// Nudge the lazy transition ourselves; failing (nothing due yet) is fine.
			let tx =
				dynamic::transaction("Market", "advance", vec![DynValue::u128(order_id as u128)]);
			if let Ok(at) = api.at_current_block().await {
				let _ = at.transactions().sign_and_submit_default(&tx, &dev::eve()).await;
			}
			advanced = Instant::now();
		}
		tokio::time::sleep(Duration::from_millis(1000)).await;
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn sealed_bid_auction_lower_price_wins_and_order_reaches_fulfilling() {
	let mut node = Node::spawn_dev("e2e-market");
	let (rpc, api) = node.connect().await;

	// The paper's four levels are seeded at genesis.
	let levels: Value = rpc.request("defaas_levels", rpc_params![]).await.expect("levels");
	assert_eq!(levels.as_array().map(Vec::len), Some(4), "{levels}");
	assert_eq!(levels[3]["tag"], "ai");

	let customer = dev::dave();
	let (bob, charlie) = (dev::bob(), dev::charlie());

	// The witness pool monitors every fulfilled lease and refuses one it could not staff: Eve
	// registers as a witness (100 FST stake, a VRF key) so the 1-member committee can be drawn.
	let tx = dynamic::transaction(
		"WitnessPool",
		"register_witness",
		vec![DynValue::u128(100 * FST), DynValue::from_bytes([5u8; 32])],
	);
	api.at_current_block()
		.await
		.expect("block")
		.transactions()
		.sign_and_submit_then_watch_default(&tx, &dev::eve())
		.await
		.expect("submit register_witness")
		.wait_for_finalized_success()
		.await
		.expect("register_witness");

	// Two providers register (stake held) and send a heartbeat (online).
	for provider in [&bob, &charlie] {
		submit(
			&api,
			provider,
			"register_provider",
			vec![
				DynValue::u128(STAKE),
				DynValue::from_bytes(b"http://127.0.0.1:8080"),
				DynValue::unnamed_composite([DynValue::u128(0)]),
				account(provider),
			],
		)
		.await;
		submit(
			&api,
			provider,
			"heartbeat",
			vec![DynValue::unnamed_composite([DynValue::unnamed_composite([
				DynValue::u128(0),
				DynValue::u128(4),
			])])],
		)
		.await;
	}
	let provider_view: Value = rpc
		.request("defaas_provider", rpc_params![bob.public_key().to_account_id().to_string()])
		.await
		.expect("defaas_provider");
	assert!(provider_view.is_object(), "Bob is a provider: {provider_view}");

	// The customer orders 3 periods of level 0 at ≤ 10 FST per period: prepay 2 × 3 × 10 FST.
	let (_, customer_held_before) = balances(&api, &customer).await;
	let periods = 3u128;
	let max_unit_price = 10 * FST;
	let events = submit(
		&api,
		&customer,
		"create_order",
		vec![
			DynValue::u128(0),
			DynValue::u128(periods),
			DynValue::u128(max_unit_price),
			DynValue::u128(1),
			DynValue::u128(8),
			DynValue::from_bytes([7u8; 32]),
			DynValue::u128(0),
			DynValue::unnamed_variant("None", []),
		],
	)
	.await;
	let created = events
		.iter()
		.filter_map(Result::ok)
		.find(|e| e.pallet_name() == "Market" && e.event_name() == "OrderCreated")
		.expect("OrderCreated event");
	let fields: DynValue = created.decode_as().expect("event as value");
	let order_id = crate::common::find_u128(&fields, "order_id").expect("order_id field") as u64;
	let prepay = 2 * periods * max_unit_price;
	let (_, customer_held) = balances(&api, &customer).await;
	assert_eq!(customer_held - customer_held_before, prepay, "prepay is held");

	let open: Value = rpc.request("defaas_openOrders", rpc_params![0, 10]).await.expect("open");
	assert!(
		open.as_array().is_some_and(|orders| orders.iter().any(|o| o["orderId"] == order_id)),
		"the order is open: {open}"
	);

	// Sealed bids: Bob 7 FST, Charlie 5 FST.
	let bids = [(&bob, 7 * FST, [1u8; 32]), (&charlie, 5 * FST, [2u8; 32])];
	for (provider, price, salt) in &bids {
		let commitment = sp_io::hashing::blake2_256(
			&(order_id, *price, *salt, sp_core::crypto::AccountId32::from(provider.public_key().0))
				.encode(),
		);
		submit(
			&api,
			provider,
			"commit_bid",
			vec![DynValue::u128(order_id as u128), DynValue::from_bytes(commitment)],
		)
		.await;
	}
	for (provider, _, _) in &bids {
		let (_, held) = balances(&api, provider).await;
		assert_eq!(held, STAKE + BID_DEPOSIT, "stake and bid deposit are held");
	}

	wait_for_state(&api, &rpc, order_id, "revealing").await;
	for (provider, price, salt) in &bids {
		submit(
			&api,
			provider,
			"reveal_bid",
			vec![
				DynValue::u128(order_id as u128),
				DynValue::u128(*price),
				DynValue::from_bytes(salt),
			],
		)
		.await;
	}

	// The auction closes: the lower price (Charlie) is the candidate; Bob's deposit is released.
	let confirming = wait_for_state(&api, &rpc, order_id, "confirming").await;
	let candidate = &confirming["state"]["confirming"]["candidate"];
	assert_eq!(candidate, &Value::String(charlie.public_key().to_account_id().to_string()));
	// Bob is the revealed runner-up: his deposit stays held while he is a fallback candidate.
	assert_eq!(balances(&api, &bob).await.1, STAKE + BID_DEPOSIT, "fallback deposit held");

	submit(&api, &charlie, "confirm_order", vec![DynValue::u128(order_id as u128)]).await;
	assert_eq!(balances(&api, &bob).await.1, STAKE, "the loser's deposit is released on confirm");
	wait_for_state(&api, &rpc, order_id, "deploying").await;
	submit(&api, &charlie, "fulfill", vec![DynValue::u128(order_id as u128)]).await;
	let fulfilling = wait_for_state(&api, &rpc, order_id, "fulfilling").await;

	assert_eq!(fulfilling["unitPrice"].as_u64().map(u128::from), Some(5 * FST), "{fulfilling}");
	assert_eq!(
		fulfilling["provider"],
		Value::String(charlie.public_key().to_account_id().to_string())
	);
	// Holds: the customer's prepay, each provider's stake; no bid deposit is left.
	let (_, customer_held_now) = balances(&api, &customer).await;
	assert_eq!(customer_held_now - customer_held_before, prepay);
	assert_eq!(balances(&api, &bob).await.1, STAKE);
	assert_eq!(balances(&api, &charlie).await.1, STAKE);

	// A quote is now available from the clearing price.
	let quote: Value = rpc.request("defaas_quote", rpc_params![0, 10]).await.expect("quote");
	assert!(quote.is_object(), "quote after a clearing price: {quote}");
	drop(node);
}
