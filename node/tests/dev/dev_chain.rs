//! End-to-end: the real `defaas-node --dev` authors blocks with BABE every slot, GRANDPA
//! finalizes them, the chain reports FST with 12 decimals, and an FST transfer from Alice to
//! Bob lands in a finalized block with exactly the balances and fee the events say.

use crate::common::Node;
use serde_json::Value;
use std::time::{Duration, Instant};
use subxt::{
	dynamic, ext::scale_decode::DecodeAsType, rpcs::rpc_params, OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::dev;

/// One FST in plancks.
const FST: u128 = 1_000_000_000_000;

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct TransactionFeePaid {
	who: [u8; 32],
	actual_fee: u128,
	tip: u128,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Transfer {
	from: [u8; 32],
	to: [u8; 32],
	amount: u128,
}

/// Free FST of `who` at `block`.
async fn free_balance(
	api: &OnlineClient<PolkadotConfig>,
	block: subxt::utils::H256,
	who: [u8; 32],
) -> u128 {
	crate::common::account(api, block, who).await.free
}

/// The number of the block with `hash`.
async fn block_number(rpc: &subxt::rpcs::RpcClient, hash: subxt::utils::H256) -> u64 {
	let header: Value = rpc.request("chain_getHeader", rpc_params![hash]).await.expect("header");
	let number = header["number"].as_str().expect("hex number");
	u64::from_str_radix(number.trim_start_matches("0x"), 16).expect("number")
}

async fn finalized_number(rpc: &subxt::rpcs::RpcClient) -> u64 {
	let hash: subxt::utils::H256 =
		rpc.request("chain_getFinalizedHead", rpc_params![]).await.expect("finalized head");
	block_number(rpc, hash).await
}

#[tokio::test(flavor = "multi_thread")]
async fn dev_chain_authors_finalizes_and_transfers_fst() {
	let mut node = Node::spawn_dev("e2e-dev");
	let (rpc, api) = node.connect().await;

	// Wallet metadata: polkadot.js reads these properties.
	let properties: Value =
		rpc.request("system_properties", rpc_params![]).await.expect("properties");
	assert_eq!(properties["tokenSymbol"], "FST", "{properties}");
	assert_eq!(properties["tokenDecimals"], 12, "{properties}");
	let chain: String = rpc.request("system_chain", rpc_params![]).await.expect("chain");
	assert_eq!(chain, "DeFaaS Development");

	// GRANDPA finalizes: wait (polling, bounded) until at least 3 blocks are final.
	let deadline = Instant::now() + Duration::from_secs(120);
	while finalized_number(&rpc).await < 3 {
		assert!(Instant::now() < deadline, "no finality within 120 s:\n{}", node.log_tail());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}

	// BABE authors one block per 3 s slot: consecutive finalized blocks lie in consecutive slots
	// (slot = timestamp / slot duration; secondary VRF slots leave no gaps with one validator).
	let head: subxt::utils::H256 =
		rpc.request("chain_getFinalizedHead", rpc_params![]).await.expect("head");
	let head_number = block_number(&rpc, head).await;
	let mut timestamps = Vec::new();
	for number in head_number - 2..=head_number {
		let at = api.at_block(number).await.expect("block by number");
		let now = at
			.storage()
			.fetch(dynamic::storage::<(), u64>("Timestamp", "Now"), ())
			.await
			.expect("Timestamp.Now")
			.decode()
			.expect("u64");
		timestamps.push(now);
	}
	let slots: Vec<u64> = timestamps.iter().map(|ms| ms / 3000).collect();
	for pair in slots.windows(2) {
		assert_eq!(pair[1] - pair[0], 1, "one block per 3 s slot: {timestamps:?}");
	}

	// Transfer 1234.5 FST Alice → Bob and wait for the block that includes it to be final.
	let alice = dev::alice();
	let bob = dev::bob();
	let alice_id: [u8; 32] = alice.public_key().0;
	let bob_id: [u8; 32] = bob.public_key().0;
	let amount = 1234 * FST + FST / 2;

	let before = api.at_current_block().await.expect("finalized block");
	let before_hash = before.block_hash();
	let alice_before = free_balance(&api, before_hash, alice_id).await;
	let bob_before = free_balance(&api, before_hash, bob_id).await;
	assert!(alice_before > amount, "Alice is endowed in the development preset");

	let tx = dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(bob.public_key().to_address::<()>(), amount),
	);
	let in_block = before
		.transactions()
		.sign_and_submit_then_watch_default(&tx, &alice)
		.await
		.expect("submitted")
		.wait_for_finalized()
		.await
		.expect("transfer finalized");
	let included = in_block.block_hash();
	let events = in_block.wait_for_success().await.expect("transfer succeeded");

	let mut fee = None;
	let mut transferred = None;
	for event in events.iter() {
		let event = event.expect("event decodes");
		match (event.pallet_name(), event.event_name()) {
			("TransactionPayment", "TransactionFeePaid") => {
				let paid: TransactionFeePaid =
					event.decode_fields_unchecked_as().expect("fee event");
				assert_eq!(paid.who, alice_id);
				assert_eq!(paid.tip, 0);
				fee = Some(paid.actual_fee);
			},
			("Balances", "Transfer") => {
				let transfer: Transfer =
					event.decode_fields_unchecked_as().expect("transfer event");
				assert_eq!((transfer.from, transfer.to), (alice_id, bob_id));
				transferred = Some(transfer.amount);
			},
			_ => {},
		}
	}
	let fee = fee.expect("a TransactionFeePaid event");
	assert_eq!(transferred, Some(amount));
	assert!(fee > 0, "transfers are not free");
	assert!(fee < FST / 100, "a transfer costs less than 0.01 FST, paid {fee}");

	// The inclusion block is final (we waited for it) and balances moved exactly.
	assert!(block_number(&rpc, included).await <= finalized_number(&rpc).await);
	let alice_after = free_balance(&api, included, alice_id).await;
	let bob_after = free_balance(&api, included, bob_id).await;
	assert_eq!(bob_after, bob_before + amount, "Bob receives exactly the amount");
	assert_eq!(alice_after, alice_before - amount - fee, "Alice pays amount + fee, nothing more");
	drop(node);
}
