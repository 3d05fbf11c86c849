//! Scenario steps on a running chain: keys, funds, witnesses, providers, orders and auctions,
//! balances and events — each a transaction through `defaas-client` or a wait for chain state.

use crate::wait::poll;
use anyhow::{bail, Context, Result};
use defaas_client::{
	accounts::{account_id, address, keypair},
	chain::{find_event, find_u128},
	market::{create_order_args, OrderTerms},
	subxt::{
		dynamic::Value,
		ext::scale_decode::DecodeAsType,
		rpcs::rpc_params,
		utils::{AccountId32, H256},
	},
	subxt_signer::sr25519::Keypair,
	views::{OrderView, PaymentAsset, ProviderView},
	AssetKind, Chain,
};
use defaas_primitives::{commitments::bid_commitment, json::to_hex};

/// One FST in plancks.
pub const FST: u128 = 1_000_000_000_000;
/// `MinProviderStake` of the runtime.
pub const PROVIDER_STAKE: u128 = 1_000 * FST;
/// `MinWitnessStake` of the runtime.
pub const WITNESS_STAKE: u128 = 100 * FST;
/// `ViolationSlash` of the runtime.
pub const VIOLATION_SLASH: u128 = 50 * FST;
/// `BidDeposit` of the runtime.
pub const BID_DEPOSIT: u128 = 10 * FST;

/// Inserts `suri` as a key of `key_type` (`wtns`, `prov`, ...) into the node's keystore.
pub async fn insert_key(chain: &Chain, key_type: &str, suri: &str) -> Result<()> {
	let public = to_hex(&keypair(suri)?.public_key().0);
	let () = chain
		.rpc
		.request("author_insertKey", rpc_params![key_type, suri, public])
		.await
		.context("author_insertKey")?;
	Ok(())
}

/// Waits until the best block is at least `n`.
pub async fn wait_for_block(chain: &Chain, n: u32) -> Result<()> {
	poll(&format!("block {n}"), 900, || async move {
		Ok((chain.best_number().await? >= n).then_some(()))
	})
	.await
}

/// Waits until the finalized block is at least `n`.
pub async fn wait_finalized(chain: &Chain, n: u32) -> Result<H256> {
	poll(&format!("block {n} to be finalized"), 600, || async move {
		let (hash, number) = chain.finalized().await?;
		Ok((number >= n).then_some(hash))
	})
	.await
}

/// (free, held) FST of `who` at block `at`.
pub async fn balances_at(chain: &Chain, who: &AccountId32, at: H256) -> Result<(u128, u128)> {
	balances_in_at(chain, &PaymentAsset::Native, who, at).await
}

/// (free, held) of `who` in `asset` at block `at`.
pub async fn balances_in_at(
	chain: &Chain,
	asset: &PaymentAsset,
	who: &AccountId32,
	at: H256,
) -> Result<(u128, u128)> {
	let balance = chain.balance_at(asset, who, Some(at)).await?;
	Ok((balance.free, balance.held))
}

/// (free, held) FST of `who` once the best block of now is finalized.
pub async fn balances(chain: &Chain, who: &AccountId32) -> Result<(u128, u128)> {
	balances_in(chain, &PaymentAsset::Native, who).await
}

/// (free, held) of `who` in `asset` once the best block of now is finalized.
pub async fn balances_in(
	chain: &Chain,
	asset: &PaymentAsset,
	who: &AccountId32,
) -> Result<(u128, u128)> {
	let at = wait_finalized(chain, chain.best_number().await?).await?;
	balances_in_at(chain, asset, who, at).await
}

/// Transfers `amount` from `from` to each of `to` (one transaction each).
pub async fn fund(chain: &Chain, from: &Keypair, to: &[AccountId32], amount: u128) -> Result<()> {
	// All into the pool first (`Chain::send` gives consecutive nonces), then wait: one or two
	// blocks, not one each.
	let mut pending = Vec::with_capacity(to.len());
	for who in to {
		let args =
			vec![Value::unnamed_variant("Id", [Value::from_bytes(who.0)]), Value::u128(amount)];
		pending.push(chain.send(from, "Balances", "transfer_keep_alive", args).await?);
	}
	for transfer in pending {
		transfer.included().await?;
	}
	Ok(())
}

/// Registers a witness with `stake` and VRF key `vrf`, after putting `vrf`'s secret into
/// the keystore of `node` (the node whose off-chain worker will act for the witness).
pub async fn register_witness(
	chain: &Chain,
	node: &Chain,
	witness: &Keypair,
	vrf_suri: &str,
	stake: u128,
) -> Result<()> {
	insert_key(node, "wtns", vrf_suri).await?;
	chain
		.submit(
			witness,
			"WitnessPool",
			"register_witness",
			vec![Value::u128(stake), Value::from_bytes(keypair(vrf_suri)?.public_key().0)],
		)
		.await?;
	Ok(())
}

/// The block from which `witness` may sit in committees.
pub async fn witness_active_from(chain: &Chain, witness: &AccountId32) -> Result<u32> {
	let view = chain.witness(witness).await?.context("the witness is not registered")?;
	Ok(view.active_from)
}

/// Registers `provider` with the minimum stake, `endpoint`, level 0 and its own account as
/// the heartbeat key.
pub async fn register_provider(chain: &Chain, provider: &Keypair, endpoint: &str) -> Result<()> {
	register_provider_at(chain, provider, endpoint, &[0]).await
}

/// Registers `provider` like [`register_provider`], offering `levels`.
pub async fn register_provider_at(
	chain: &Chain,
	provider: &Keypair,
	endpoint: &str,
	levels: &[u32],
) -> Result<()> {
	let levels = levels.iter().map(|level| Value::u128(u128::from(*level)));
	chain
		.submit(
			provider,
			"Market",
			"register_provider",
			vec![
				Value::u128(PROVIDER_STAKE),
				Value::from_bytes(endpoint.as_bytes()),
				Value::unnamed_composite(levels),
				Value::from_bytes(provider.public_key().0),
			],
		)
		.await?;
	Ok(())
}

/// Waits until `defaas_provider` shows `who` online (its node's worker sent a heartbeat).
pub async fn wait_online(chain: &Chain, who: &AccountId32) -> Result<ProviderView> {
	poll("the provider's heartbeat", 180, || async move {
		Ok(chain.provider(who).await?.filter(|view| view.online))
	})
	.await
}

/// The terms of a test order (level 0).
#[derive(Clone, Debug)]
pub struct Terms {
	/// The FaaS level.
	pub level: u32,
	/// Billing periods.
	pub periods: u32,
	/// Highest unit price.
	pub max_unit_price: u128,
	/// Committee size.
	pub committee: u32,
	/// Bid window in blocks.
	pub bid_window: u32,
	/// The package hash.
	pub package_hash: [u8; 32],
	/// What the order pays in (prices in its smallest unit).
	pub asset: PaymentAsset,
}

impl Default for Terms {
	fn default() -> Self {
		Terms {
			level: 0,
			periods: 2,
			max_unit_price: 10 * FST,
			committee: 3,
			bid_window: 5,
			package_hash: [7; 32],
			asset: PaymentAsset::Native,
		}
	}
}

/// `create_order` by `customer`; the order id.
pub async fn create_order(chain: &Chain, customer: &Keypair, terms: &Terms) -> Result<u64> {
	// Finalized: the order id in the event cannot change with a re-organisation.
	let events = chain
		.submit_finalized(
			customer,
			"Market",
			"create_order",
			create_order_args(&OrderTerms {
				level: terms.level,
				periods: terms.periods,
				max_unit_price: terms.max_unit_price,
				committee: terms.committee,
				bid_window: terms.bid_window,
				package_hash: terms.package_hash,
				min_reputation_ppm: 0,
				sponsor: None,
				asset: terms.asset.clone(),
			}),
		)
		.await?;
	let created = find_event(&events, "Market", "OrderCreated")?;
	let id = find_u128(&created, "order_id").context("OrderCreated without order_id")?;
	u64::try_from(id).context("order id")
}

/// The salt a test provider uses for its bid on `order_id`.
pub fn salt(provider: &Keypair, order_id: u64) -> [u8; 32] {
	let mut salt = provider.public_key().0;
	salt[..8].copy_from_slice(&order_id.to_le_bytes());
	salt
}

/// `commit_bid` of `provider` at `price`.
pub async fn commit_bid(
	chain: &Chain,
	provider: &Keypair,
	order_id: u64,
	price: u128,
) -> Result<()> {
	let commitment =
		bid_commitment(order_id, &price, &salt(provider, order_id), &provider.public_key().0);
	chain
		.submit(
			provider,
			"Market",
			"commit_bid",
			vec![Value::u128(u128::from(order_id)), Value::from_bytes(commitment)],
		)
		.await?;
	Ok(())
}

/// `reveal_bid` of `provider` at `price`.
pub async fn reveal_bid(
	chain: &Chain,
	provider: &Keypair,
	order_id: u64,
	price: u128,
) -> Result<()> {
	chain
		.submit(
			provider,
			"Market",
			"reveal_bid",
			vec![
				Value::u128(u128::from(order_id)),
				Value::u128(price),
				Value::from_bytes(salt(provider, order_id)),
			],
		)
		.await?;
	Ok(())
}

/// A call of `provider` on `order_id` without other arguments (`confirm_order`, `fulfill`).
pub async fn provider_call(
	chain: &Chain,
	provider: &Keypair,
	call: &str,
	order_id: u64,
) -> Result<()> {
	chain.submit(provider, "Market", call, vec![Value::u128(u128::from(order_id))]).await?;
	Ok(())
}

/// A `heartbeat` signed by `provider` itself (its default heartbeat key) announcing `capacity`:
/// (level, free slots) pairs.
pub async fn heartbeat(chain: &Chain, provider: &Keypair, capacity: &[(u8, u32)]) -> Result<()> {
	let capacity = capacity.iter().map(|(level, free)| {
		Value::unnamed_composite([Value::u128(u128::from(*level)), Value::u128(u128::from(*free))])
	});
	chain.submit(provider, "Market", "heartbeat", vec![Value::unnamed_composite(capacity)]).await?;
	Ok(())
}

/// Waits until `check` accepts the order (polled at the best block), at most `secs` seconds.
pub async fn wait_order(
	chain: &Chain,
	order_id: u64,
	what: &str,
	secs: u64,
	check: impl Fn(&OrderView) -> bool,
) -> Result<OrderView> {
	let check = &check;
	poll(&format!("order {order_id} to be {what}"), secs, || async move {
		Ok(chain.order_at(order_id, None).await?.filter(|order| check(order)))
	})
	.await
}

/// Runs the auction of a fresh order to a lease: `customer` creates it with `terms`, each of
/// `bids` commits and reveals, the winner (lowest price) confirms and fulfills. The order id
/// and the winner's index in `bids`.
pub async fn lease(
	chain: &Chain,
	customer: &Keypair,
	terms: &Terms,
	bids: &[(&Keypair, u128)],
) -> Result<(u64, usize)> {
	let order_id = create_order(chain, customer, terms).await?;
	for (provider, price) in bids {
		commit_bid(chain, provider, order_id, *price).await?;
	}
	wait_order(chain, order_id, "revealing", 300, |o| {
		matches!(o.state, defaas_client::views::OrderState::Revealing { .. })
	})
	.await?;
	for (provider, price) in bids {
		reveal_bid(chain, provider, order_id, *price).await?;
	}
	let order = wait_order(chain, order_id, "confirming", 300, |o| {
		matches!(o.state, defaas_client::views::OrderState::Confirming { .. })
	})
	.await?;
	let defaas_client::views::OrderState::Confirming { candidate, .. } = order.state else {
		bail!("order {order_id} is not confirming");
	};
	let winner = bids
		.iter()
		.position(|(provider, _)| account_id(provider) == candidate)
		.with_context(|| format!("the candidate {candidate} made no bid"))?;
	let provider = bids[winner].0;
	provider_call(chain, provider, "confirm_order", order_id).await?;
	provider_call(chain, provider, "fulfill", order_id).await?;
	Ok((order_id, winner))
}

/// (pallet, event, fields) of every event in blocks `from..=to`.
pub async fn events_between(
	chain: &Chain,
	from: u32,
	to: u32,
) -> Result<Vec<(String, String, Value)>> {
	let mut all = Vec::new();
	for n in from..=to {
		let at = chain.api.at_block(u64::from(n)).await.context("block")?;
		let events = at.events().fetch().await.context("events")?;
		for event in events.iter().filter_map(Result::ok) {
			let fields: Value = event.decode_as().context("event fields")?;
			all.push((event.pallet_name().to_string(), event.event_name().to_string(), fields));
		}
	}
	Ok(all)
}

/// `AssetConversionTxPayment.AssetTxFeePaid`: a fee (and tip) paid in an asset.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "defaas_client::subxt::ext::scale_decode")]
struct AssetTxFeePaid {
	who: AccountId32,
	actual_fee: u128,
	asset_id: AssetKind,
}

/// The transaction fees `who` paid in blocks `from..=to`, per `AssetTxFeePaid` event: (block,
/// fee including the tip, the asset it was paid in). FST fees paid the plain way
/// (`TransactionFeePaid`) are not among them.
pub async fn asset_fees_paid(
	chain: &Chain,
	who: &AccountId32,
	from: u32,
	to: u32,
) -> Result<Vec<(u32, u128, PaymentAsset)>> {
	let mut fees = Vec::new();
	for n in from..=to {
		let at = chain.api.at_block(u64::from(n)).await.context("block")?;
		let events = at.events().fetch().await.context("events")?;
		for event in events.iter().filter_map(Result::ok) {
			if event.pallet_name() != "AssetConversionTxPayment"
				|| event.event_name() != "AssetTxFeePaid"
			{
				continue;
			}
			let paid: AssetTxFeePaid =
				event.decode_fields_unchecked_as().context("AssetTxFeePaid")?;
			if paid.who == *who {
				fees.push((n, paid.actual_fee, paid.asset_id.into()));
			}
		}
	}
	Ok(fees)
}

/// The SS58 address of a dev account (`//Alice`, ...).
pub fn dev_address(suri: &str) -> Result<String> {
	Ok(address(&keypair(suri)?))
}
