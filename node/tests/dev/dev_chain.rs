//! The real `defaas-node --dev` authors blocks with BABE every slot, GRANDPA finalizes them, the
//! chain reports FST with 12 decimals, and an FST transfer lands in a finalized block with
//! exactly the balances and fee the events say.

use crate::Shared;
use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	client::{
		accounts::{account_id, keypair},
		subxt::{dynamic, ext::scale_decode::DecodeAsType, rpcs::rpc_params},
	},
	steps::{self, FST},
};
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "defaas_testkit::client::subxt::ext::scale_decode")]
struct TransactionFeePaid {
	who: [u8; 32],
	actual_fee: u128,
	tip: u128,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "defaas_testkit::client::subxt::ext::scale_decode")]
struct Transfer {
	from: [u8; 32],
	to: [u8; 32],
	amount: u128,
}

pub async fn run(shared: Arc<Shared>) -> Result<()> {
	let chain = shared.node.chain().await?;

	// Wallet metadata: polkadot.js reads these properties.
	let properties: Value = chain.rpc.request("system_properties", rpc_params![]).await?;
	ensure!(properties["tokenSymbol"] == "FST", "{properties}");
	ensure!(properties["tokenDecimals"] == 12, "{properties}");
	let name: String = chain.rpc.request("system_chain", rpc_params![]).await?;
	ensure!(name == "DeFaaS Development", "{name}");

	// GRANDPA finalizes.
	steps::wait_finalized(&chain, 3).await?;

	// BABE authors one block per 3 s slot: consecutive finalized blocks lie in consecutive slots
	// (slot = timestamp / slot duration; secondary VRF slots leave no gaps with one validator).
	let (_, head) = chain.finalized().await?;
	let mut timestamps = Vec::new();
	for number in head - 2..=head {
		let at = chain.api.at_block(u64::from(number)).await?;
		let now: u64 = at
			.storage()
			.fetch(dynamic::storage::<(), u64>("Timestamp", "Now"), ())
			.await?
			.decode()?;
		timestamps.push(now);
	}
	let slots: Vec<u64> = timestamps.iter().map(|ms| ms / 3000).collect();
	for pair in slots.windows(2) {
		ensure!(pair[1] - pair[0] == 1, "one block per 3 s slot: {timestamps:?}");
	}

	// Transfer 1234.5 FST from a fresh account to another and wait until it is final. (Fresh
	// accounts: the other tests on this node use the dev accounts.)
	let (from, to) =
		(keypair("//Alice//e2e//dev-chain//from")?, keypair("//Alice//e2e//dev-chain//to")?);
	steps::fund(&chain, &keypair("//Alice//stash")?, &[account_id(&from)], 10_000 * FST).await?;
	let (from_id, to_id) = (account_id(&from), account_id(&to));
	let amount = 1234 * FST + FST / 2;
	let before = steps::wait_finalized(&chain, chain.best_number().await?).await?;
	let (from_before, _) = steps::balances_at(&chain, &from_id, before).await?;
	let (to_before, _) = steps::balances_at(&chain, &to_id, before).await?;
	let events = chain
		.submit(
			&from,
			"Balances",
			"transfer_keep_alive",
			vec![
				dynamic::Value::unnamed_variant("Id", [dynamic::Value::from_bytes(to_id.0)]),
				dynamic::Value::u128(amount),
			],
		)
		.await?;
	let mut fee = None;
	let mut transferred = None;
	for event in events.iter() {
		let event = event?;
		match (event.pallet_name(), event.event_name()) {
			("TransactionPayment", "TransactionFeePaid") => {
				let paid: TransactionFeePaid = event.decode_fields_unchecked_as()?;
				ensure!(paid.who == from_id.0 && paid.tip == 0, "{paid:?}");
				fee = Some(paid.actual_fee);
			},
			("Balances", "Transfer") => {
				let transfer: Transfer = event.decode_fields_unchecked_as()?;
				ensure!((transfer.from, transfer.to) == (from_id.0, to_id.0), "{transfer:?}");
				transferred = Some(transfer.amount);
			},
			_ => {},
		}
	}
	let fee = fee.context("a TransactionFeePaid event")?;
	ensure!(transferred == Some(amount), "{transferred:?}");
	ensure!(fee > 0, "transfers are not free");
	ensure!(fee < FST / 100, "a transfer costs less than 0.01 FST, paid {fee}");

	// Final, and balances moved exactly.
	let after = steps::wait_finalized(&chain, chain.best_number().await?).await?;
	let (from_after, _) = steps::balances_at(&chain, &from_id, after).await?;
	let (to_after, _) = steps::balances_at(&chain, &to_id, after).await?;
	ensure!(to_after == to_before + amount, "the receiver gets exactly the amount");
	ensure!(from_after == from_before - amount - fee, "the sender pays amount + fee, nothing more");
	Ok(())
}
