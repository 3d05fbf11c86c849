//! Off-chain workers on a local network (issue: off-chain workers acceptance).
//!
//! Four validators of the `local_testnet` chain run with `--offchain-worker always`; each holds
//! one witness's `wtns` key, and Charlie's node holds the provider's `prov` heartbeat key. The
//! function endpoint is the test HTTP server (`defaas-test-endpoint`). After the one-time setup
//! (witness and provider registration, the key insertion) the test only sends the customer's
//! order and the provider's auction steps; everything else — heartbeats, committee joins,
//! probes, commits, reveals — is done by the nodes' workers:
//!
//! - rounds 0 and 1 with a healthy endpoint end `NoViolation` and pay the provider;
//! - a witness node killed after committing its round-1 report and restarted still reveals it;
//! - with the endpoint stopped before round 2, round 2 ends `Violated` and its period is
//!   refunded to the customer.
//!
//! Every join, commit and reveal in the events comes from a worker: the test sends none.

mod common;

use codec::Encode;
use common::*;
use defaas_test_endpoint::TestEndpoint;
use serde_json::Value;
use subxt::{dynamic::Value as DynValue, rpcs::rpc_params};
use subxt_signer::sr25519::dev;

/// The provider's price per billing period.
const UNIT_PRICE: u128 = 5 * FST;
/// Committee size and billing periods of the order.
const COMMITTEE: u128 = 3;
const PERIODS: u128 = 3;

#[tokio::test(flavor = "multi_thread")]
async fn workers_heartbeat_probe_commit_and_reveal_by_themselves() {
	let mut network = LocalNetwork::start("workers").await;
	let (rpc, api) = network.alice();

	// The function endpoint.
	let mut endpoint = TestEndpoint::start();

	// Setup: witnesses register (stake + wtns key in their node's keystore).
	let active_from = network.register_witnesses().await;

	// Setup: the provider (Charlie) registers with the endpoint and his node's `prov` key; his
	// node's worker sends the heartbeats.
	let provider = dev::charlie();
	let charlie = account_id(&provider);
	insert_key(&network.rpc("charlie"), "prov", "//Charlie//prov").await;
	submit(
		&api,
		&provider,
		"Market",
		"register_provider",
		vec![
			DynValue::u128(PROVIDER_STAKE),
			DynValue::from_bytes(endpoint.url().as_bytes()),
			DynValue::unnamed_composite([DynValue::u128(0)]),
			DynValue::from_bytes(account_id(&keypair("//Charlie//prov"))),
		],
	)
	.await;
	poll("the provider's worker heartbeat", 180, || {
		let rpc = rpc.clone();
		async move {
			let view: Value =
				rpc.request("defaas_provider", rpc_params![ss58(&charlie)]).await.ok()?;
			(view["online"] == Value::Bool(true)).then_some(())
		}
	})
	.await;
	assert!(endpoint.requests("/healthz") > 0, "the heartbeat worker checked /healthz");

	// The customer's order; the bid window ends when the witnesses are active.
	let customer = dev::dave();
	let dave = account_id(&customer);
	let now = best_number(&rpc).await;
	let bid_window = active_from.saturating_sub(now).clamp(3, 100);
	let (dave_free_0, dave_held_0) = balances(&api, &dave).await;
	submit(
		&api,
		&customer,
		"Market",
		"create_order",
		vec![
			DynValue::u128(0),
			DynValue::u128(PERIODS),
			DynValue::u128(10 * FST),
			DynValue::u128(COMMITTEE),
			DynValue::u128(bid_window as u128),
			DynValue::from_bytes([7u8; 32]),
			DynValue::u128(0),
			DynValue::unnamed_variant("None", []),
		],
	)
	.await;
	let order_id = 0u64;

	// The provider's auction steps.
	let salt = [3u8; 32];
	let bid = sp_io::hashing::blake2_256(
		&(order_id, UNIT_PRICE, salt, sp_core::crypto::AccountId32::from(charlie)).encode(),
	);
	submit(
		&api,
		&provider,
		"Market",
		"commit_bid",
		vec![DynValue::u128(0), DynValue::from_bytes(bid)],
	)
	.await;
	let state = |name: &'static str| {
		let rpc = rpc.clone();
		async move {
			poll(name, 400, || {
				let rpc = rpc.clone();
				async move {
					let order: Value = rpc.request("defaas_order", rpc_params![0u64]).await.ok()?;
					order["state"].get(name).is_some().then_some(order)
				}
			})
			.await
		}
	};
	state("revealing").await;
	submit(
		&api,
		&provider,
		"Market",
		"reveal_bid",
		vec![DynValue::u128(0), DynValue::u128(UNIT_PRICE), DynValue::from_bytes(salt)],
	)
	.await;
	state("confirming").await;
	submit(&api, &provider, "Market", "confirm_order", vec![DynValue::u128(0)]).await;
	submit(&api, &provider, "Market", "fulfill", vec![DynValue::u128(0)]).await;
	state("fulfilling").await;
	let first_block = best_number(&rpc).await;
	let (charlie_free_0, _) = balances(&api, &charlie).await;

	// Round 0, healthy endpoint: the workers join, probe, commit and reveal; NoViolation.
	let order = wait_settled(&rpc, order_id, 1).await;
	assert_eq!(order["violatedPeriods"], 0, "{order}");
	let (charlie_free_1, _) = balances(&api, &charlie).await;
	assert_eq!(charlie_free_1 - charlie_free_0, UNIT_PRICE, "the provider is paid round 0");
	assert!(endpoint.health_requests(order_id) > 0, "witnesses probed the function's health");
	assert!(endpoint.challenge_requests() > 0, "witnesses sent capacity challenges");

	// Round 1: once a member committed, kill its node and restart it; it still reveals.
	let (restarted, member) = poll("a round-1 commit", 300, || {
		let rpc = rpc.clone();
		async move {
			let view = round(&rpc, order_id, 1).await;
			let members = view["members"].as_array()?.clone();
			// Not Alice's node: the test talks to the chain through it.
			members.iter().filter(|m| m["committed"] == Value::Bool(true)).find_map(|m| {
				let who = m["witness"].as_str()?.to_string();
				let (node, _) =
					WITNESSES.iter().find(|(_, uri)| ss58(&account_id(&keypair(uri))) == who)?;
				(*node != "alice").then(|| (node.to_string(), who))
			})
		}
	})
	.await;
	let index = network.nodes.iter().position(|(name, _)| *name == restarted).expect("node");
	network.nodes[index].1.restart();
	network.nodes[index].1.connect().await;
	// Round 2 with the endpoint stopped as soon as the round opens (its probes start after the
	// join window): Violated, refunded. Round 1 settles meanwhile (after round 2 opened).
	let view_2 = poll("round 2 to open", 300, || {
		let rpc = rpc.clone();
		async move {
			let view = round(&rpc, order_id, 2).await;
			(!view.is_null()).then_some(view)
		}
	})
	.await;
	endpoint.stop();
	assert!(
		best_number(&rpc).await < as_u64(&view_2["joinEnd"]),
		"the endpoint stopped before round 2's probes: {view_2}"
	);
	let revealed = poll("the restarted witness's reveal", 300, || {
		let (rpc, member) = (rpc.clone(), member.clone());
		async move {
			let view = round(&rpc, order_id, 1).await;
			let members = view["members"].as_array()?.clone();
			let me = members.iter().find(|m| m["witness"].as_str() == Some(member.as_str()))?;
			(!me["revealed"].is_null()).then(|| me["revealed"].clone())
		}
	})
	.await;
	assert_eq!(revealed, Value::Bool(false), "the restarted witness revealed its clean report");
	let order = wait_settled(&rpc, order_id, 2).await;
	assert_eq!(order["violatedPeriods"], 0, "{order}");
	let (charlie_free_2, _) = balances(&api, &charlie).await;
	assert_eq!(charlie_free_2 - charlie_free_1, UNIT_PRICE, "the provider is paid round 1");

	let order = wait_settled(&rpc, order_id, 3).await;
	assert!(order["state"].get("finished").is_some(), "{order}");
	let (charlie_free_3, charlie_held_3) = balances(&api, &charlie).await;
	assert_eq!(charlie_free_3, charlie_free_2, "no payment for the violated period");
	assert_eq!(charlie_held_3, PROVIDER_STAKE - VIOLATION_SLASH, "the violation slash");
	let (dave_free_3, dave_held_3) = balances(&api, &dave).await;
	assert_eq!(dave_held_3, dave_held_0, "the whole prepay is released");
	let paid = 2 * UNIT_PRICE;
	let delta = dave_free_3 as i128 - dave_free_0 as i128;
	let expected = VIOLATION_SLASH as i128 - paid as i128;
	assert!(
		delta <= expected && delta > expected - FST as i128,
		"customer: two periods paid, compensation received, the create_order fee: {delta}"
	);

	// The events: three periods settled NoViolation, NoViolation, Violated; every report came
	// from the workers (authorized transactions), none from the test.
	let last = best_number(&rpc).await;
	let events = events_between(&api, first_block, last).await;
	let settled: Vec<String> = events
		.iter()
		.filter(|(p, n, _)| p == "Market" && n == "PeriodSettled")
		.map(|(_, _, fields)| format!("{fields:?}"))
		.collect();
	assert_eq!(settled.len(), 3, "{settled:?}");
	assert!(settled[0].contains("NoViolation") && settled[1].contains("NoViolation"));
	assert!(settled[2].contains("\"Violated\""), "{settled:?}");
	let count =
		|name: &str| events.iter().filter(|(p, n, _)| p == "WitnessPool" && n == name).count();
	let reports = 3 * COMMITTEE as usize;
	assert_eq!(count("RoundSettled"), 3);
	assert_eq!(count("ReportCommitted"), reports, "every member's worker committed");
	assert_eq!(count("ReportRevealed"), reports, "every member's worker revealed");
	network.finish();
}
