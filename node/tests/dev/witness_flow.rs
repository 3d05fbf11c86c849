//! End-to-end witness rounds on the real dev chain (issue: witness pool acceptance).
//!
//! Five witnesses register with stake and a `wtns` VRF key that is inserted into the node's
//! keystore (`author_insertKey`); the node's worker runs in manual mode (it signs, the test
//! submits). For every round of a two-period lease the node's off-chain
//! worker signs the round seed with the `witness_vrf` host function and keeps the signature in
//! its persistent local storage; the test reads it back over RPC (`offchain_localStorageGet`),
//! joins with it, commits and reveals. Round 0 is reported clean (NoViolation: the provider is
//! paid, honest witnesses earn 1 unit), round 1 is reported violated by two of three members
//! (Violated: nothing paid, the provider's stake compensates the customer, the majority earns 10
//! units, the minority loses one reputation point) — all checked from balances and events.

use crate::common::*;
use codec::Encode;
use serde_json::Value;
use subxt::{
	dynamic::Value as DynValue,
	rpcs::{rpc_params, RpcClient},
};
use subxt_signer::sr25519::{dev, Keypair};

const FST: u128 = 1_000_000_000_000;
/// `MinProviderStake` of the runtime.
const PROVIDER_STAKE: u128 = 1_000 * FST;
/// `MinWitnessStake` of the runtime.
const WITNESS_STAKE: u128 = 100 * FST;
/// `WitnessRewardUnit` of the runtime.
const REWARD_UNIT: u128 = FST;
/// `ViolationSlash` of the runtime.
const VIOLATION_SLASH: u128 = 50 * FST;
/// The winning bid per billing period.
const UNIT_PRICE: u128 = 5 * FST;
/// Committee size of the order.
const COMMITTEE: usize = 3;

/// The round as `defaas_round` returns it, once it exists.
async fn round_view(rpc: &RpcClient, order_id: u64, round: u32) -> Value {
	poll("round to open", 300, || async move {
		let view: Value =
			rpc.request("defaas_round", rpc_params![order_id, round]).await.expect("defaas_round");
		(!view.is_null()).then_some(view)
	})
	.await
}

/// The VRF signature the node's off-chain worker made for `witness` in the round, read from the
/// node's persistent off-chain storage.
async fn stored_vrf_signature(
	rpc: &RpcClient,
	order_id: u64,
	round: u32,
	witness: &[u8; 32],
) -> Vec<u8> {
	let mut key = b"defaas/wp/join/".to_vec();
	key.extend((order_id, round, *witness).encode());
	let key = format!("0x{}", hex_encode(&key));
	poll("the off-chain worker's VRF signature", 120, || {
		let key = key.clone();
		async move {
			let value: Option<String> = rpc
				.request("offchain_localStorageGet", rpc_params!["PERSISTENT", key])
				.await
				.expect("offchain_localStorageGet");
			value.map(|hex| hex_decode(&hex))
		}
	})
	.await
}

/// A report commitment: blake2_256(SCALE(order, round, violated, salt, witness)).
fn commitment(
	order_id: u64,
	round: u32,
	violated: bool,
	salt: [u8; 32],
	witness: &[u8; 32],
) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(order_id, round, violated, salt, *witness).encode())
}

/// One round: every witness joins with its node-made VRF signature (the committee keeps the
/// `COMMITTEE` lowest outputs), and after the join window every member commits `report(member)`.
/// Returns the members and their salts.
async fn join_and_commit(
	api: &Api,
	rpc: &RpcClient,
	witnesses: &[(Keypair, Keypair)],
	order_id: u64,
	round: u32,
	report: impl Fn(usize) -> bool,
) -> (Vec<[u8; 32]>, u64, u64, u64) {
	let view = round_view(rpc, order_id, round).await;
	let join_end = as_u64(&view["joinEnd"]);
	let commit_end = as_u64(&view["commitEnd"]);
	let reveal_end = as_u64(&view["revealEnd"]);

	for (witness, _) in witnesses {
		let id = account_id(witness);
		let signature = stored_vrf_signature(rpc, order_id, round, &id).await;
		assert_eq!(signature.len(), 96, "SCALE of (pre_output, proof)");
		// Joins that do not make it into the N lowest are refused on chain; that is expected.
		submit_nowait(
			api,
			rpc,
			witness,
			"WitnessPool",
			"join_committee",
			vec![
				DynValue::u128(order_id as u128),
				DynValue::u128(round as u128),
				DynValue::named_composite([
					("pre_output", DynValue::from_bytes(&signature[..32])),
					("proof", DynValue::from_bytes(&signature[32..])),
				]),
			],
		)
		.await;
	}
	wait_for_block(rpc, join_end + 1).await;
	let view = round_view(rpc, order_id, round).await;
	let members: Vec<Value> = view["members"].as_array().expect("members").clone();
	assert_eq!(members.len(), COMMITTEE, "a full committee: {view}");
	let witness_ids: Vec<String> = witnesses.iter().map(|(w, _)| ss58(&account_id(w))).collect();
	let mut member_ids = Vec::new();
	for member in &members {
		let who = member["witness"].as_str().expect("witness").to_string();
		assert!(witness_ids.contains(&who), "members are registered witnesses: {view}");
		assert_eq!(member["seeded"], Value::Bool(false), "joined by VRF, not seeded: {view}");
		let index = witness_ids.iter().position(|w| *w == who).expect("known");
		member_ids.push(index);
	}
	let committee: Vec<String> = rpc
		.request("defaas_committee", rpc_params![order_id, round])
		.await
		.expect("defaas_committee");
	assert_eq!(committee.len(), COMMITTEE);

	for (position, index) in member_ids.iter().enumerate() {
		let (witness, _) = &witnesses[*index];
		let id = account_id(witness);
		let salt = sp_io::hashing::blake2_256(&(round, *index as u32, b"salt").encode());
		let violated = report(position);
		submit_nowait(
			api,
			rpc,
			witness,
			"WitnessPool",
			"commit_report",
			vec![
				DynValue::u128(order_id as u128),
				DynValue::u128(round as u128),
				DynValue::from_bytes(commitment(order_id, round, violated, salt, &id)),
			],
		)
		.await;
	}
	let members = member_ids.iter().map(|i| account_id(&witnesses[*i].0)).collect();
	(members, commit_end, reveal_end, join_end)
}

/// Once the commit window is over, every member reveals what it committed.
async fn reveal(
	api: &Api,
	rpc: &RpcClient,
	witnesses: &[(Keypair, Keypair)],
	order_id: u64,
	round: u32,
	members: &[[u8; 32]],
	report: impl Fn(usize) -> bool,
) {
	let commit_end = as_u64(&round_view(rpc, order_id, round).await["commitEnd"]);
	wait_for_block(rpc, commit_end + 1).await;
	let view = round_view(rpc, order_id, round).await;
	assert_eq!(as_u64(&view["commits"]), COMMITTEE as u64, "every member committed: {view}");
	for (position, member) in members.iter().enumerate() {
		let index = witnesses.iter().position(|(w, _)| account_id(w) == *member).expect("member");
		let salt = sp_io::hashing::blake2_256(&(round, index as u32, b"salt").encode());
		submit_nowait(
			api,
			rpc,
			&witnesses[index].0,
			"WitnessPool",
			"reveal_report",
			vec![
				DynValue::u128(order_id as u128),
				DynValue::u128(round as u128),
				DynValue::bool(report(position)),
				DynValue::from_bytes(salt),
			],
		)
		.await;
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn witnesses_sign_with_the_node_join_commit_reveal_and_periods_settle_by_verdict() {
	let mut node = Node::spawn_dev("e2e-witness");
	let (rpc, api) = node.connect().await;

	// Manual mode: the node's worker only signs (the test joins, commits and reveals itself).
	let manual = format!("0x{}", hex_encode(b"defaas/wp/manual"));
	let () = rpc
		.request("offchain_localStorageSet", rpc_params!["PERSISTENT", manual, "0x01"])
		.await
		.expect("offchain_localStorageSet");

	// Five witnesses: funded dev accounts, each with a `wtns` key in the node keystore.
	let witnesses: Vec<(Keypair, Keypair)> =
		["//Alice", "//Charlie", "//Eve", "//Ferdie", "//Alice//stash"]
			.iter()
			.map(|uri| (keypair(uri), keypair(&format!("{uri}//wtns"))))
			.collect();
	for (witness, vrf) in &witnesses {
		let suri = format!("{}//wtns", witness_uri(witness));
		let public = format!("0x{}", hex_encode(&vrf.public_key().0));
		let inserted: Value = rpc
			.request("author_insertKey", rpc_params!["wtns", suri, public])
			.await
			.expect("author_insertKey");
		assert!(inserted.is_null());
		submit(
			&api,
			witness,
			"WitnessPool",
			"register_witness",
			vec![DynValue::u128(WITNESS_STAKE), DynValue::from_bytes(vrf.public_key().0)],
		)
		.await;
	}
	let view: Value = rpc
		.request("defaas_witness", rpc_params![ss58(&account_id(&witnesses[0].0))])
		.await
		.expect("defaas_witness");
	assert_eq!(view["reputation"], 100, "{view}");
	let active_from = as_u64(&view["activeFrom"]);

	// The provider (Bob) registers and heartbeats; the customer (Dave) orders two periods with
	// a bid window that ends when the witnesses are active (activation delay: 2 epochs).
	let (provider, customer) = (dev::bob(), dev::dave());
	let (bob, dave) = (account_id(&provider), account_id(&customer));
	submit(
		&api,
		&provider,
		"Market",
		"register_provider",
		vec![
			DynValue::u128(PROVIDER_STAKE),
			DynValue::from_bytes(b"http://127.0.0.1:8080"),
			DynValue::unnamed_composite([DynValue::u128(0)]),
			DynValue::from_bytes(bob),
		],
	)
	.await;
	let heartbeat = || {
		vec![DynValue::unnamed_composite([DynValue::unnamed_composite([
			DynValue::u128(0),
			DynValue::u128(4),
		])])]
	};
	submit(&api, &provider, "Market", "heartbeat", heartbeat()).await;
	let now = best_number(&rpc).await;
	let bid_window = active_from.saturating_sub(now).clamp(3, 100);
	let (customer_free_0, customer_held_0) = balances(&api, &dave).await;
	submit(
		&api,
		&customer,
		"Market",
		"create_order",
		vec![
			DynValue::u128(0),
			DynValue::u128(2),
			DynValue::u128(10 * FST),
			DynValue::u128(COMMITTEE as u128),
			DynValue::u128(bid_window as u128),
			DynValue::from_bytes([7u8; 32]),
			DynValue::u128(0),
			DynValue::unnamed_variant("None", []),
		],
	)
	.await;
	let order_id = 0u64;
	let salt = [9u8; 32];
	let bid = sp_io::hashing::blake2_256(
		&(order_id, UNIT_PRICE, salt, sp_core::crypto::AccountId32::from(bob)).encode(),
	);
	submit(
		&api,
		&provider,
		"Market",
		"commit_bid",
		vec![DynValue::u128(0), DynValue::from_bytes(bid)],
	)
	.await;
	let order_state = |state: &'static str| {
		let rpc = rpc.clone();
		async move {
			poll(state, 400, || {
				let rpc = rpc.clone();
				async move {
					let order: Value = rpc.request("defaas_order", rpc_params![0u64]).await.ok()?;
					order["state"].get(state).is_some().then_some(order)
				}
			})
			.await
		}
	};
	order_state("revealing").await;
	submit(
		&api,
		&provider,
		"Market",
		"reveal_bid",
		vec![DynValue::u128(0), DynValue::u128(UNIT_PRICE), DynValue::from_bytes(salt)],
	)
	.await;
	order_state("confirming").await;
	submit(&api, &provider, "Market", "heartbeat", heartbeat()).await;
	submit(&api, &provider, "Market", "confirm_order", vec![DynValue::u128(0)]).await;
	submit(&api, &provider, "Market", "fulfill", vec![DynValue::u128(0)]).await;
	let fulfilling = order_state("fulfilling").await;
	let first_block = best_number(&rpc).await;
	let (bob_free_0, bob_held_0) = balances(&api, &bob).await;
	assert_eq!(bob_held_0, PROVIDER_STAKE, "{fulfilling}");

	// Round 0: everyone reports "no violation".
	let clean = |_: usize| false;
	let (members_0, _, reveal_end_0, _) =
		join_and_commit(&api, &rpc, &witnesses, order_id, 0, clean).await;
	// Round 1 opens one billing period after round 0; its joins overlap round 0's reveal.
	let violated = |position: usize| position < 2;
	round_view(&rpc, order_id, 1).await;
	reveal(&api, &rpc, &witnesses, order_id, 0, &members_0, clean).await;
	let (members_1, _, reveal_end_1, _) =
		join_and_commit(&api, &rpc, &witnesses, order_id, 1, violated).await;
	wait_for_block(&rpc, reveal_end_0 + 2).await;
	wait_for_finalized(&rpc, reveal_end_0 + 2).await;

	// Round 0 settled NoViolation: the provider got exactly one unit price.
	let settled_0 = round_view(&rpc, order_id, 0).await;
	assert_eq!(settled_0["verdict"], "noViolation", "{settled_0}");
	let (bob_free_1, _) = balances(&api, &bob).await;
	assert_eq!(bob_free_1 - bob_free_0, UNIT_PRICE, "the provider is paid one period");

	reveal(&api, &rpc, &witnesses, order_id, 1, &members_1, violated).await;
	wait_for_block(&rpc, reveal_end_1 + 2).await;
	wait_for_finalized(&rpc, reveal_end_1 + 2).await;

	// Round 1 settled Violated: nothing more paid, the stake compensates the customer, the
	// order finished and released the rest of the prepay.
	let order: Value = rpc.request("defaas_order", rpc_params![order_id]).await.expect("order");
	assert!(order["state"].get("finished").is_some() || order["state"] == "finished", "{order}");
	let (bob_free_2, bob_held_2) = balances(&api, &bob).await;
	assert_eq!(bob_free_2, bob_free_1, "no payment for the violated period");
	assert_eq!(bob_held_2, PROVIDER_STAKE - VIOLATION_SLASH, "the violation slash left the stake");
	let (customer_free_2, customer_held_2) = balances(&api, &dave).await;
	assert_eq!(customer_held_2, customer_held_0, "the prepay is fully released");
	// Customer: paid one period, received the compensation; fees only for create_order.
	let customer_delta = customer_free_2 as i128 - customer_free_0 as i128;
	let expected = VIOLATION_SLASH as i128 - UNIT_PRICE as i128;
	assert!(
		customer_delta <= expected && customer_delta > expected - FST as i128,
		"customer: −1 period +compensation −fees, got {customer_delta}"
	);

	// Witness payoffs and reputation.
	for (index, (witness, _)) in witnesses.iter().enumerate() {
		let id = account_id(witness);
		let view: Value =
			rpc.request("defaas_witness", rpc_params![ss58(&id)]).await.expect("defaas_witness");
		let position_1 = members_1.iter().position(|m| *m == id);
		let minority = position_1.is_some_and(|p| !violated(p));
		let expected_reputation = if minority { 99 } else { 100 };
		assert_eq!(view["reputation"], expected_reputation, "witness {index}: {view}");
		let (_, held) = balances(&api, &id).await;
		assert_eq!(held, WITNESS_STAKE, "no witness was slashed (witness {index})");
	}

	// Events: two PeriodSettled (NoViolation then Violated), two RoundSettled and the minted
	// rewards: 1 unit for each of the 3 honest members of round 0, 10 units for each of the two
	// members of round 1 who reported the violation.
	let last = best_number(&rpc).await;
	let events = events_between(&api, first_block, last).await;
	let named = |pallet: &str, name: &str| {
		events.iter().filter(|(p, n, _)| p == pallet && n == name).cloned().collect::<Vec<_>>()
	};
	let periods = named("Market", "PeriodSettled");
	assert_eq!(periods.len(), 2, "{periods:?}");
	let verdicts: Vec<String> =
		periods.iter().map(|(_, _, fields)| format!("{fields:?}")).collect();
	assert!(
		verdicts[0].contains("NoViolation") && verdicts[1].contains("\"Violated\""),
		"{verdicts:?}"
	);
	assert_eq!(named("WitnessPool", "RoundSettled").len(), 2);
	let minted = named("FaasToken", "RewardMinted");
	assert_eq!(minted.len(), COMMITTEE + 2, "{minted:?}");
	let mut rewards: Vec<u128> = minted
		.iter()
		.filter_map(|(_, _, fields)| crate::common::find_u128(fields, "amount"))
		.collect();
	rewards.sort();
	assert_eq!(
		rewards,
		vec![REWARD_UNIT, REWARD_UNIT, REWARD_UNIT, 10 * REWARD_UNIT, 10 * REWARD_UNIT],
		"{minted:?}"
	);
	drop(node);
}

/// The dev URI of a witness keypair (the test only uses the five below).
fn witness_uri(witness: &Keypair) -> &'static str {
	let id = account_id(witness);
	for uri in ["//Alice", "//Charlie", "//Eve", "//Ferdie", "//Alice//stash"] {
		if account_id(&keypair(uri)) == id {
			return uri;
		}
	}
	panic!("unknown witness")
}
