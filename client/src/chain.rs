//! The connection to a DeFaaS node: typed `defaas_*` queries, block numbers and signed
//! transactions that survive a node restart.

use crate::{
	accounts::address,
	config::AssetKind,
	rpc::{DefaasRpc, MarketApiClient, WitnessPoolApiClient},
	views::{
		LevelEntry, OpenRound, OrderId, OrderView, PaymentAsset, ProviderView, Quote, RoundView,
		WitnessView,
	},
};
use anyhow::{anyhow, bail, Context, Result};
use std::{collections::HashMap, sync::Arc, time::Duration};
use subxt::{
	client::OnlineClientAtBlockImpl,
	config::DefaultExtrinsicParamsBuilder,
	dynamic::Value,
	error::{DispatchError, TransactionEventsError},
	extrinsics::ExtrinsicEvents,
	rpcs::{
		client::reconnecting_rpc_client::{self, ExponentialBackoff},
		rpc_params, RpcClient,
	},
	transactions::{SubmittableTransaction, TransactionProgress, TransactionStatus},
	utils::{AccountId32, H256},
	OnlineClient,
};
use subxt_signer::sr25519::Keypair;

/// The subxt configuration of the DeFaaS chain.
pub type Config = crate::config::DefaasConfig;

/// The events of one included extrinsic.
pub type Events = ExtrinsicEvents<Config>;

/// How long one connection attempt may take before `connect` gives up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How many times a transaction is submitted (again) while the connection drops.
pub const SUBMIT_ATTEMPTS: u32 = 10;

/// A connected node.
#[derive(Clone)]
pub struct Chain {
	/// The JSON-RPC connection (reconnects by itself; calls made while it is down wait for it).
	pub rpc: RpcClient,
	/// The typed `defaas_*` client over [`Self::rpc`].
	pub defaas: DefaasRpc,
	/// subxt client (metadata, extrinsics, events, storage) over [`Self::rpc`].
	pub api: OnlineClient<Config>,
	/// The URL it was reached at.
	pub url: String,
	/// Per signer, the nonce after the last transaction [`Self::send`] handed to the pool
	/// (shared by clones; see [`Self::send`]).
	sent_nonces: SentNonces,
	/// The asset the transactions this client signs pay their fees in (`None`: FST).
	fee_asset: Option<AssetKind>,
}

/// Next nonces per signer account, after the transactions this client sent.
type SentNonces = Arc<tokio::sync::Mutex<HashMap<[u8; 32], u64>>>;

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`), failing with one line naming the
	/// URL if it does not answer within [`CONNECT_TIMEOUT`]. Once connected, a lost connection
	/// is re-established in the background (exponential back-off up to 2 s).
	pub async fn connect(url: &str) -> Result<Chain> {
		let unreachable = || format!("cannot reach a DeFaaS node at {url}");
		// The reconnecting client retries forever; a node that is not there at all is said at
		// once instead (connection refused, unknown host).
		let address = socket_address(url).with_context(unreachable)?;
		tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&address))
			.await
			.map_err(|_| anyhow!("{}: no answer within {CONNECT_TIMEOUT:?}", unreachable()))?
			.map_err(|e| anyhow!("{}: {e}", unreachable()))?;
		let connecting = async {
			let client = reconnecting_rpc_client::RpcClient::builder()
				.retry_policy(ExponentialBackoff::from_millis(50).max_delay(Duration::from_secs(2)))
				.build(url)
				.await
				.map_err(|e| anyhow!("{}: {e}", unreachable()))?;
			let rpc = RpcClient::new(client);
			let api = OnlineClient::<Config>::from_rpc_client(rpc.clone())
				.await
				.with_context(unreachable)?;
			Ok::<_, anyhow::Error>((rpc, api))
		};
		let (rpc, api) = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
			.await
			.map_err(|_| anyhow!("{}: no answer within {CONNECT_TIMEOUT:?}", unreachable()))??;
		Ok(Chain {
			defaas: DefaasRpc(rpc.clone()),
			rpc,
			api,
			url: url.to_string(),
			sent_nonces: SentNonces::default(),
			fee_asset: None,
		})
	}

	/// This client, signing every transaction with its fee paid in `asset` (the runtime swaps
	/// it to FST in its FST/asset pool; `Native` is FST). Clones share the nonces.
	pub fn paying_fees_in(&self, asset: PaymentAsset) -> Chain {
		let fee_asset = match asset {
			PaymentAsset::Native => None,
			asset => Some(AssetKind::from(asset)),
		};
		Chain { fee_asset, ..self.clone() }
	}

	/// The asset this client's transactions pay their fees in.
	pub fn fee_asset(&self) -> PaymentAsset {
		self.fee_asset.map_or(PaymentAsset::Native, PaymentAsset::from)
	}

	// -----------------------------------------------------------------------------------------
	// defaas_* queries (at the best block unless a block hash is given)
	// -----------------------------------------------------------------------------------------

	/// `defaas_levels`.
	pub async fn levels(&self) -> Result<Vec<LevelEntry>> {
		MarketApiClient::<H256, AccountId32, PaymentAsset, u128, u32>::levels(&self.defaas, None)
			.await
			.context("RPC defaas_levels failed")
	}

	/// `defaas_order` at `at`, `None` if there is no such order (never created or pruned).
	pub async fn order_at(&self, order_id: OrderId, at: Option<H256>) -> Result<Option<OrderView>> {
		MarketApiClient::<H256, AccountId32, PaymentAsset, u128, u32>::order(
			&self.defaas,
			order_id,
			at,
		)
		.await
		.context("RPC defaas_order failed")
	}

	/// `defaas_order` at the best block; an error if there is no such order.
	pub async fn order(&self, order_id: OrderId) -> Result<OrderView> {
		self.order_at(order_id, None)
			.await?
			.with_context(|| format!("no order {order_id} (never created, or already pruned)"))
	}

	/// `defaas_openOrders` at `at`: orders whose auction runs, of `level` or every level.
	pub async fn open_orders(
		&self,
		level: Option<u32>,
		max: Option<u32>,
		at: Option<H256>,
	) -> Result<Vec<OrderView>> {
		MarketApiClient::<H256, AccountId32, PaymentAsset, u128, u32>::open_orders(
			&self.defaas,
			level,
			max,
			at,
		)
		.await
		.context("RPC defaas_openOrders failed")
	}

	/// `defaas_provider` at `at`.
	pub async fn provider_at(
		&self,
		who: &AccountId32,
		at: Option<H256>,
	) -> Result<Option<ProviderView>> {
		MarketApiClient::<H256, AccountId32, PaymentAsset, u128, u32>::provider(
			&self.defaas,
			*who,
			at,
		)
		.await
		.context("RPC defaas_provider failed")
	}

	/// `defaas_provider` at the best block.
	pub async fn provider(&self, who: &AccountId32) -> Result<Option<ProviderView>> {
		self.provider_at(who, None).await
	}

	/// `defaas_quote` for `periods` billing periods of `level` in `asset`.
	pub async fn quote(
		&self,
		level: u32,
		periods: u32,
		asset: &PaymentAsset,
	) -> Result<Option<Quote>> {
		MarketApiClient::<H256, AccountId32, PaymentAsset, u128, u32>::quote(
			&self.defaas,
			level,
			periods,
			Some(asset.clone()),
			None,
		)
		.await
		.context("RPC defaas_quote failed")
	}

	/// The metadata of payment asset `asset` at the finalized block: FST's constants for
	/// `Native`, `pallet-assets`' metadata for an asset; `None` for an asset that does not
	/// exist.
	pub async fn asset_info(&self, asset: &PaymentAsset) -> Result<Option<AssetInfo>> {
		let PaymentAsset::WithId(id) = asset else {
			return Ok(Some(AssetInfo::fst()));
		};
		let at = self.api.at_current_block().await.context("cannot read the finalized block")?;
		let details = subxt::dynamic::storage::<(u32,), subxt::dynamic::Value>("Assets", "Asset");
		if at.storage().try_fetch(details, (*id,)).await.context("reading Assets.Asset")?.is_none()
		{
			return Ok(None);
		}
		let metadata = subxt::dynamic::storage::<(u32,), RawAssetMetadata>("Assets", "Metadata");
		let raw = match at.storage().try_fetch(metadata, (*id,)).await {
			Ok(Some(value)) => value.decode().context("decoding Assets.Metadata")?,
			Ok(None) => RawAssetMetadata::default(),
			Err(e) => return Err(e).context("reading Assets.Metadata"),
		};
		let symbol = String::from_utf8_lossy(&raw.symbol).into_owned();
		Ok(Some(AssetInfo {
			asset: asset.clone(),
			name: String::from_utf8_lossy(&raw.name).into_owned(),
			symbol: if symbol.is_empty() { format!("asset {id}") } else { symbol },
			decimals: u32::from(raw.decimals),
		}))
	}

	/// `Market.Bids` of `order_id` at block `at`: the sealed bids in commit order while the
	/// auction runs, the candidates in rank order after it (empty for an order without bids).
	pub async fn bids_at(&self, order_id: OrderId, at: H256) -> Result<Vec<BidOnChain>> {
		let at = self.api.at_block(at).await.context("cannot read the block")?;
		let address = subxt::dynamic::storage::<(u64,), Vec<RawBid>>("Market", "Bids");
		let bids = match at.storage().try_fetch(address, (order_id,)).await {
			Ok(Some(value)) => value.decode().context("decoding Market.Bids")?,
			Ok(None) => Vec::new(),
			Err(e) => return Err(e).context("reading Market.Bids"),
		};
		Ok(bids
			.into_iter()
			.map(|bid| BidOnChain {
				provider: bid.provider.0,
				commitment: bid.commitment,
				revealed: bid.price.is_some(),
			})
			.collect())
	}

	/// The payment assets besides FST at the finalized block, with the least prepay of an
	/// order in each (`Market.PaymentAssets`, at most the runtime's `MaxPaymentAssets`).
	pub async fn payment_assets(&self) -> Result<Vec<(PaymentAsset, u128)>> {
		let at = self.api.at_current_block().await.context("cannot read the finalized block")?;
		let address = subxt::dynamic::storage::<(AssetKind,), u128>("Market", "PaymentAssets");
		let mut entries =
			at.storage().iter(address, ()).await.context("reading Market.PaymentAssets")?;
		let mut assets = Vec::new();
		while let Some(entry) = entries.next().await {
			let entry = entry.context("reading Market.PaymentAssets")?;
			let (asset,) = entry
				.key()
				.and_then(|key| key.decode())
				.context("decoding a Market.PaymentAssets key")?;
			let minimum = entry.value().decode().context("decoding Market.PaymentAssets")?;
			assets.push((PaymentAsset::from(asset), minimum));
		}
		assets.sort_by_key(|(asset, _)| match asset {
			PaymentAsset::Native => None,
			PaymentAsset::WithId(id) => Some(*id),
		});
		Ok(assets)
	}

	/// The balance of `who` in `asset` at block `at` (the finalized block if `None`): FST from
	/// `System.Account` (held = reserved, which holds are part of), an asset from
	/// `Assets.Account` and `AssetsHolder.BalancesOnHold`. Zero for an account without it.
	pub async fn balance_at(
		&self,
		asset: &PaymentAsset,
		who: &AccountId32,
		at: Option<H256>,
	) -> Result<Balance> {
		let at = match at {
			Some(hash) => self.api.at_block(hash).await,
			None => self.api.at_current_block().await,
		}
		.context("cannot read the block")?;
		let storage = at.storage();
		match asset {
			PaymentAsset::Native => {
				let address =
					subxt::dynamic::storage::<([u8; 32],), RawAccountInfo>("System", "Account");
				let info = storage
					.fetch(address, (who.0,))
					.await
					.context("reading System.Account")?
					.decode()
					.context("decoding System.Account")?;
				Ok(Balance { free: info.data.free, held: info.data.reserved })
			},
			PaymentAsset::WithId(id) => {
				let account = subxt::dynamic::storage::<(u32, [u8; 32]), RawAssetAccount>(
					"Assets", "Account",
				);
				let free = match storage.try_fetch(account, (*id, who.0)).await {
					Ok(Some(value)) => value.decode().context("decoding Assets.Account")?.balance,
					Ok(None) => 0,
					Err(e) => return Err(e).context("reading Assets.Account"),
				};
				let holds = subxt::dynamic::storage::<(u32, [u8; 32]), u128>(
					"AssetsHolder",
					"BalancesOnHold",
				);
				let held = match storage.try_fetch(holds, (*id, who.0)).await {
					Ok(Some(value)) => value.decode().context("decoding BalancesOnHold")?,
					Ok(None) => 0,
					Err(e) => return Err(e).context("reading AssetsHolder.BalancesOnHold"),
				};
				Ok(Balance { free, held })
			},
		}
	}

	/// `defaas_witness` at `at` (the best block if `None`).
	pub async fn witness_at(
		&self,
		who: &AccountId32,
		at: Option<H256>,
	) -> Result<Option<WitnessView>> {
		WitnessPoolApiClient::<H256, AccountId32, u128, u32>::witness(&self.defaas, *who, at)
			.await
			.context("RPC defaas_witness failed")
	}

	/// `defaas_witness`.
	pub async fn witness(&self, who: &AccountId32) -> Result<Option<WitnessView>> {
		self.witness_at(who, None).await
	}

	/// `defaas_round` at `at`.
	pub async fn round_at(
		&self,
		order_id: OrderId,
		round: u32,
		at: Option<H256>,
	) -> Result<Option<RoundView>> {
		WitnessPoolApiClient::<H256, AccountId32, u128, u32>::round(
			&self.defaas,
			order_id,
			round,
			at,
		)
		.await
		.context("RPC defaas_round failed")
	}

	/// `defaas_round` at the best block.
	pub async fn round(&self, order_id: OrderId, round: u32) -> Result<Option<RoundView>> {
		self.round_at(order_id, round, None).await
	}

	/// `defaas_openRounds`.
	pub async fn open_rounds(&self) -> Result<Vec<OpenRound>> {
		WitnessPoolApiClient::<H256, AccountId32, u128, u32>::open_rounds(&self.defaas, None)
			.await
			.context("RPC defaas_openRounds failed")
	}

	// -----------------------------------------------------------------------------------------
	// Blocks
	// -----------------------------------------------------------------------------------------

	/// The number of the best block.
	pub async fn best_number(&self) -> Result<u32> {
		let header: serde_json::Value =
			self.rpc.request("chain_getHeader", rpc_params![]).await.context("chain_getHeader")?;
		header_number(&header)
	}

	/// The hash and number of the best block.
	pub async fn best(&self) -> Result<(H256, u32)> {
		self.head("chain_getBlockHash").await
	}

	/// The hash of block `number` of the best chain, if it has one.
	pub async fn block_hash(&self, number: u32) -> Result<Option<H256>> {
		self.rpc
			.request("chain_getBlockHash", rpc_params![number])
			.await
			.with_context(|| format!("chain_getBlockHash({number})"))
	}

	/// The `specVersion` of the runtime of block `at` (the best block if `None`).
	pub async fn spec_version_at(&self, at: Option<H256>) -> Result<u32> {
		let version: serde_json::Value = self
			.rpc
			.request("state_getRuntimeVersion", rpc_params![at])
			.await
			.context("state_getRuntimeVersion")?;
		let spec = version.get("specVersion").and_then(serde_json::Value::as_u64);
		let spec = spec.with_context(|| format!("no specVersion in {version}"))?;
		u32::try_from(spec).context("specVersion")
	}

	/// The hash and number of the last finalized block.
	pub async fn finalized(&self) -> Result<(H256, u32)> {
		self.head("chain_getFinalizedHead").await
	}

	/// The hash `method` answers (without parameters) and that block's number.
	async fn head(&self, method: &str) -> Result<(H256, u32)> {
		let hash: H256 =
			self.rpc.request(method, rpc_params![]).await.context(method.to_string())?;
		let header: serde_json::Value = self
			.rpc
			.request("chain_getHeader", rpc_params![hash])
			.await
			.context("chain_getHeader")?;
		Ok((hash, header_number(&header)?))
	}

	/// The next nonce of `signer` as the node's pool sees it (it also counts the signer's
	/// transactions in unfinalized blocks and in the pool, unlike subxt's finalized-state one).
	pub async fn next_nonce(&self, signer: &Keypair) -> Result<u64> {
		self.rpc
			.request("system_accountNextIndex", rpc_params![address(signer)])
			.await
			.context("cannot read the signer's nonce")
	}

	// -----------------------------------------------------------------------------------------
	// Transactions
	// -----------------------------------------------------------------------------------------

	/// Signs `pallet.call(args)` with `signer` (nonce from [`Self::next_nonce`]), submits it
	/// and waits until it is in a block: the events of the extrinsic, or an error like
	/// `Market.BidWindowTooShort: Bid window shorter than the min_bid_window timing.`
	///
	/// The transaction is tracked by its hash. When the connection drops on the way (a node
	/// restart), it is looked up in the blocks since it was submitted and, if not there,
	/// submitted again, the same bytes: its nonce makes it impossible to apply twice.
	pub async fn submit(
		&self,
		signer: &Keypair,
		pallet: &str,
		call: &str,
		args: Vec<Value>,
	) -> Result<Events> {
		self.send(signer, pallet, call, args).await?.included().await
	}

	/// [`Self::submit`], waiting for the transaction's block to be finalized: its events cannot
	/// change any more — a call whose result names something new (an order id) reads it here,
	/// since a re-organisation of best blocks may include the call again at another place.
	pub async fn submit_finalized(
		&self,
		signer: &Keypair,
		pallet: &str,
		call: &str,
		args: Vec<Value>,
	) -> Result<Events> {
		self.send(signer, pallet, call, args).await?.finalized().await
	}

	/// The first half of [`Self::submit`]: signs the call with the signer's next nonce and
	/// hands it to the node's pool; returns once the pool accepted it. [`Pending::included`]
	/// waits for its block.
	///
	/// The nonce is the larger of the node's ([`Self::next_nonce`]) and the one after the
	/// signer's last transaction sent through this client (or a clone): the node's may not
	/// count a transaction its pool has only just accepted (the fork-aware pool updates its
	/// views asynchronously), nor one that was in a best block a re-organisation retracted
	/// and the pool has not taken back yet — signing another call with that nonce would knock
	/// one of the two out ("priority too low"). Sends of one client are serialised. When a
	/// transaction turns out not to be included, the node's nonce is authoritative again.
	pub async fn send(
		&self,
		signer: &Keypair,
		pallet: &str,
		call: &str,
		args: Vec<Value>,
	) -> Result<Pending> {
		let account = signer.public_key().0;
		let mut sent = self.sent_nonces.lock().await;
		let reported = self.next_nonce(signer).await?;
		let nonce = sent.get(&account).map_or(reported, |ours| reported.max(*ours));
		let mut pending = self.send_with_nonce(signer, nonce, pallet, call, args).await?;
		sent.insert(account, nonce.saturating_add(1));
		pending.forget_on_failure = Some(account);
		Ok(pending)
	}

	/// [`Self::send`] with the nonce given by the caller.
	pub async fn send_with_nonce(
		&self,
		signer: &Keypair,
		nonce: u64,
		pallet: &str,
		call: &str,
		args: Vec<Value>,
	) -> Result<Pending> {
		let what = format!("{pallet}.{call}");
		let tx = subxt::dynamic::transaction(pallet, call, args);
		let mut params = DefaultExtrinsicParamsBuilder::<Config>::new().nonce(nonce);
		if let Some(asset) = self.fee_asset {
			params = params.tip_of(0, asset);
		}
		let params = params.build();
		let at = self.signing_block().await?;
		let signed = at
			.transactions()
			.create_signed(&tx, signer, params)
			.await
			.map_err(|e| anyhow!("{what} cannot be signed: {e}"))?;
		let hash = signed.hash();
		let since = self.best_number().await?;
		let mut pending = Pending {
			chain: self.clone(),
			signed,
			hash,
			since,
			what,
			progress: None,
			attempts: 0,
			forget_on_failure: None,
		};
		pending.submit_once(true).await?;
		Ok(pending)
	}

	/// The block whose runtime a transaction is signed for: the last finalized one (its
	/// mortality cannot be re-organised away), unless the best block runs another runtime
	/// version — a forkless upgrade that is not final yet. The pool checks transactions
	/// against the best block, and the signature covers the spec version: sign for the best
	/// block's runtime then, with its metadata (fetched once per version).
	async fn signing_block(
		&self,
	) -> Result<subxt::client::ClientAtBlock<Config, OnlineClientAtBlockImpl<Config>>> {
		let finalized =
			self.api.at_current_block().await.context("cannot read the finalized block")?;
		let (best_hash, best_number) = self.best().await?;
		if best_hash == finalized.block_hash() {
			return Ok(finalized);
		}
		let best = self
			.api
			.at_block_hash_and_number(
				subxt::backend::BlockRef::from_hash(best_hash),
				u64::from(best_number),
			)
			.await
			.with_context(|| format!("cannot read the best block #{best_number}"))?;
		Ok(if best.spec_version() != finalized.spec_version() { best } else { finalized })
	}

	/// The events of the extrinsic with `hash` if it is in a block of the best chain from
	/// `since` on (an error if it failed), `None` if not.
	pub async fn find_included(&self, hash: H256, since: u32) -> Result<Option<Events>> {
		let best = self.best_number().await?;
		for number in since..=best {
			let at = self
				.api
				.at_block(u64::from(number))
				.await
				.with_context(|| format!("cannot read block {number}"))?;
			let extrinsics = at
				.extrinsics()
				.fetch()
				.await
				.with_context(|| format!("cannot read the extrinsics of block {number}"))?;
			for extrinsic in extrinsics.iter() {
				let Ok(extrinsic) = extrinsic else { continue };
				if extrinsic.hash() != hash {
					continue;
				}
				let events = extrinsic.events().await.context("cannot read its events")?;
				for event in events.iter() {
					let event = event.context("cannot decode the extrinsic's events")?;
					if event.pallet_name() == "System" && event.event_name() == "ExtrinsicFailed" {
						let error = DispatchError::decode_from(event.field_bytes(), at.metadata())
							.map_err(|e| anyhow!("the extrinsic failed: {e}"))?;
						return Err(describe_failure(TransactionEventsError::ExtrinsicFailed(
							error,
						)));
					}
				}
				return Ok(Some(events));
			}
		}
		Ok(None)
	}
}

/// A signed transaction handed to the pool, followed by hash until it is in a block.
pub struct Pending {
	chain: Chain,
	signed: SubmittableTransaction<Config, OnlineClientAtBlockImpl<Config>>,
	/// The extrinsic's hash.
	pub hash: H256,
	since: u32,
	what: String,
	progress: Option<TransactionProgress<Config, OnlineClientAtBlockImpl<Config>>>,
	attempts: u32,
	/// The signer whose client-side next nonce ([`Chain::send`]) is dropped if this
	/// transaction fails.
	forget_on_failure: Option<[u8; 32]>,
}

impl Pending {
	/// Submits the bytes (again). A refusal is final on the first attempt, unless the
	/// connection failed; later, a refusal may mean a copy is already in a block.
	async fn submit_once(&mut self, first: bool) -> Result<()> {
		self.attempts = self.attempts.saturating_add(1);
		match self.signed.submit_and_watch().await {
			Ok(progress) => {
				self.progress = Some(progress);
				Ok(())
			},
			Err(error) => {
				let message = error.to_string();
				if first && !is_connection_error(&message) {
					bail!("{} was rejected by the node: {message}", self.what);
				}
				self.progress = None;
				Err(anyhow!(message))
			},
		}
	}

	/// Waits until the transaction is in a block: its events, or why it failed. Across a lost
	/// connection it looks for the transaction in the blocks since it was sent, and submits it
	/// again if it is not there (at most [`SUBMIT_ATTEMPTS`] times).
	pub async fn included(self) -> Result<Events> {
		self.until(false).await
	}

	/// [`Self::included`] in a finalized block.
	pub async fn finalized(self) -> Result<Events> {
		self.until(true).await
	}

	async fn until(mut self, finalized: bool) -> Result<Events> {
		let forget = self.forget_on_failure.take();
		let chain = self.chain.clone();
		let outcome = self.follow(finalized).await;
		if let (Err(_), Some(account)) = (&outcome, forget) {
			chain.sent_nonces.lock().await.remove(&account);
		}
		outcome
	}

	async fn follow(mut self, finalized: bool) -> Result<Events> {
		let mut last_problem = String::new();
		loop {
			if let Some(mut progress) = self.progress.take() {
				while let Some(status) = progress.next().await {
					match status {
						Ok(TransactionStatus::InBestBlock(in_block)) if !finalized => {
							return in_block.wait_for_success().await.map_err(describe_failure)
						},
						Ok(TransactionStatus::InFinalizedBlock(in_block)) => {
							return in_block.wait_for_success().await.map_err(describe_failure)
						},
						Ok(
							TransactionStatus::Error { message }
							| TransactionStatus::Invalid { message }
							| TransactionStatus::Dropped { message },
						) => {
							if let Some(events) =
								self.chain.find_included(self.hash, self.since).await?
							{
								return Ok(events);
							}
							bail!("{} was not included: {message}", self.what)
						},
						Ok(_) => continue,
						Err(error) => {
							last_problem = error.to_string();
							break;
						},
					}
				}
				if last_problem.is_empty() {
					last_problem = "the node stopped reporting the transaction's progress".into();
				}
			}
			if self.attempts >= SUBMIT_ATTEMPTS {
				bail!(
					"{} was not included after {SUBMIT_ATTEMPTS} attempts: {last_problem}",
					self.what
				);
			}
			tokio::time::sleep(Duration::from_millis(200 * u64::from(self.attempts))).await;
			if let Ok(Some(events)) = self.chain.find_included(self.hash, self.since).await {
				return Ok(events);
			}
			log::info!(
				target: "defaas-client",
				"{}: submitting {:?} again ({last_problem})",
				self.what,
				self.hash
			);
			if let Err(error) = self.submit_once(false).await {
				last_problem = error.to_string();
			}
		}
	}
}

/// `host:port` of a `ws://` or `wss://` URL (ports 80 and 443 by default).
fn socket_address(url: &str) -> Result<String> {
	let (rest, default_port) = if let Some(rest) = url.strip_prefix("ws://") {
		(rest, 80)
	} else if let Some(rest) = url.strip_prefix("wss://") {
		(rest, 443)
	} else {
		bail!("not a ws:// or wss:// URL");
	};
	let authority = rest.split('/').next().unwrap_or(rest);
	let has_port = authority.rsplit_once(':').is_some_and(|(_, port)| port.parse::<u16>().is_ok())
		&& !authority.ends_with(']');
	Ok(if has_port { authority.to_string() } else { format!("{authority}:{default_port}") })
}

/// Whether an error message says the connection (not the transaction) failed.
fn is_connection_error(message: &str) -> bool {
	let message = message.to_ascii_lowercase();
	["connection", "disconnect", "restart", "reconnect", "closed", "transport"]
		.iter()
		.any(|word| message.contains(word))
}

/// The block number of a JSON header (`"number": "0x2a"`).
fn header_number(header: &serde_json::Value) -> Result<u32> {
	let hex = header["number"].as_str().context("block header without a number")?;
	u32::from_str_radix(hex.trim_start_matches("0x"), 16).context("block number")
}

/// Turns a failed extrinsic into an error naming the pallet error and its documentation.
pub fn describe_failure(error: TransactionEventsError) -> anyhow::Error {
	match error {
		TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)) => {
			match module.details() {
				Ok(details) => {
					let docs = details.variant.docs.join(" ");
					let docs = docs.trim();
					let name = format!("{}.{}", details.pallet.name(), details.variant.name);
					if docs.is_empty() {
						anyhow!("{name}")
					} else {
						anyhow!("{name}: {docs}")
					}
				},
				Err(_) => anyhow!("the extrinsic failed: {module}"),
			}
		},
		TransactionEventsError::ExtrinsicFailed(other) => anyhow!("the extrinsic failed: {other}"),
		other => anyhow!(other),
	}
}

/// Finds a named unsigned-integer field anywhere in a decoded event value.
pub fn find_u128(value: &Value, name: &str) -> Option<u128> {
	use subxt::ext::scale_value::{Composite, ValueDef};
	let in_composite = |composite: &Composite<()>| match composite {
		Composite::Named(fields) => {
			fields
				.iter()
				.find_map(|(n, v)| if n == name { v.as_u128() } else { find_u128(v, name) })
		},
		Composite::Unnamed(values) => values.iter().find_map(|v| find_u128(v, name)),
	};
	match &value.value {
		ValueDef::Composite(composite) => in_composite(composite),
		ValueDef::Variant(variant) => in_composite(&variant.values),
		_ => None,
	}
}

/// The fields of the first `pallet.event` among an extrinsic's events.
pub fn find_event(events: &Events, pallet: &str, event: &str) -> Result<Value> {
	for found in events.iter() {
		let found = found.context("cannot decode the extrinsic's events")?;
		if found.pallet_name() == pallet && found.event_name() == event {
			return found.decode_as::<Value>().context("cannot decode the event's fields");
		}
	}
	bail!("the extrinsic emitted no {pallet}.{event} event")
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn header_numbers_are_hex() {
		assert_eq!(header_number(&serde_json::json!({"number": "0x2a"})).unwrap(), 42);
		assert!(header_number(&serde_json::json!({})).is_err());
	}

	#[test]
	fn socket_addresses_come_from_ws_urls() {
		assert_eq!(socket_address("ws://127.0.0.1:9944").unwrap(), "127.0.0.1:9944");
		assert_eq!(socket_address("ws://node.example/rpc").unwrap(), "node.example:80");
		assert_eq!(socket_address("wss://node.example").unwrap(), "node.example:443");
		assert!(socket_address("http://x").is_err());
	}

	#[test]
	fn connection_errors_are_told_from_refusals() {
		assert!(is_connection_error("RPC error: the connection was lost (x); reconnect"));
		assert!(!is_connection_error("Invalid Transaction: Transaction is outdated"));
	}
}

/// What a payment asset is called and how its amounts are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetInfo {
	/// The asset.
	pub asset: PaymentAsset,
	/// Its name (`FaaS Token`, `DeFaaS Test Dollar`).
	pub name: String,
	/// Its symbol (`FST`, `TUSD`; `asset 7` for an asset without metadata).
	pub symbol: String,
	/// Decimals of its amounts.
	pub decimals: u32,
}

impl AssetInfo {
	/// FST.
	pub fn fst() -> Self {
		Self {
			asset: PaymentAsset::Native,
			name: "FaaS Token".into(),
			symbol: "FST".into(),
			decimals: crate::amount::DECIMALS,
		}
	}

	/// An asset known by id only (no longer existing): amounts in its smallest unit.
	pub fn raw(asset: &PaymentAsset) -> Self {
		match asset {
			PaymentAsset::Native => Self::fst(),
			PaymentAsset::WithId(id) => Self {
				asset: asset.clone(),
				name: String::new(),
				symbol: format!("units of asset {id}"),
				decimals: 0,
			},
		}
	}

	/// Parses a decimal amount of this asset (`2.5`) into its smallest unit.
	pub fn parse(&self, text: &str) -> Result<u128> {
		crate::amount::parse_amount(text, self.decimals)
	}

	/// Formats an amount of this asset with its symbol (`2.5 TUSD`).
	pub fn format(&self, amount: u128) -> String {
		crate::amount::format_amount(amount, self.decimals, &self.symbol)
	}
}

/// An account's balance in one asset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Balance {
	/// Spendable (and transferable, less what the asset keeps alive).
	pub free: u128,
	/// On hold: order prepays, bid deposits and stakes (FST only), per the runtime's reasons.
	pub held: u128,
}

/// `System.Account` (the fields read here).
#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct RawAccountInfo {
	data: RawAccountData,
}

/// `pallet-balances`' account data (the fields read here).
#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct RawAccountData {
	free: u128,
	reserved: u128,
}

/// One bid of an order as the chain stores it (what a provider needs to know of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BidOnChain {
	/// The bidding provider.
	pub provider: [u8; 32],
	/// The sealed commitment.
	pub commitment: [u8; 32],
	/// Whether the price was revealed.
	pub revealed: bool,
}

/// `pallet-market`'s bid record (the fields read here).
#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct RawBid {
	provider: AccountId32,
	commitment: [u8; 32],
	price: Option<u128>,
}

/// `pallet-assets`' account of a holder (the fields read here).
#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct RawAssetAccount {
	balance: u128,
}

/// `pallet-assets`' metadata of an asset (the fields read here).
#[derive(Debug, Default, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct RawAssetMetadata {
	name: Vec<u8>,
	symbol: Vec<u8>,
	decimals: u8,
}
