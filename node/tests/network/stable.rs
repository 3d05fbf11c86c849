//! Payment in the stable test asset, end to end: a customer who holds no FST at all.

use crate::{
	account_suri,
	scenarios::{add_level, register_with_cli, wait_settled, when_round_opens, CliOrder},
	Shared,
};
use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	bins::{cli, cli_json},
	client::{
		accounts::{account_id, keypair},
		subxt::dynamic::Value,
		views::{OrderState, PaymentAsset},
		Chain,
	},
	steps::{self, Terms, VIOLATION_SLASH},
	Daemon, Offer,
};
use std::sync::Arc;

/// The development presets' stable test asset (TUSD, 6 decimals).
const TUSD: u32 = 1;
/// One TUSD in its smallest unit.
const UNIT: u128 = 1_000_000;
/// The provider daemon's price of the scenario's level in TUSD.
const PRICE: u128 = 25 * UNIT;
/// The customer's highest price.
const MAX_PRICE: u128 = 30 * UNIT;
const PERIODS: u32 = 3;
/// What the customer is given, in TUSD only.
const ENDOWMENT: u128 = 1_000 * UNIT;
/// The runtime's prepay: this many times the highest price of every period.
const PREPAY_FACTOR: u128 = 2;
/// The stable asset's least prepay of an order (genesis).
const MIN_PREPAY: u128 = UNIT;

/// A customer holding only TUSD (no FST account at all) orders through the CLI and pays every
/// transaction fee in TUSD (`--fee-asset 1`, swapped in the genesis FST/TUSD pool):
/// - refused before any lease: an order in an asset that does not exist (`UnknownAsset`), in
///   an existing asset that is not a payment asset (`AssetNotAccepted`), and in TUSD below its
///   least prepay (`PrepayBelowMinimum`) — each moves no balance but its fee;
/// - a provider daemon that prices the level in TUSD (and in FST) wins at its TUSD price, is
///   paid per settled period in TUSD; its daemon is killed for round 1 (`Violated`: that period
///   is refunded in TUSD, the violation slash of its FST stake goes to the customer in FST)
///   and restarted for round 2.
///
/// Every balance is checked exactly per asset: the customer's TUSD is its endowment less the
/// fees of the `AssetTxFeePaid` events and the two paid periods.
pub async fn stable_asset(shared: Arc<Shared>) -> Result<()> {
	let url = shared.url("alice").await;
	let chain = Chain::connect(&url).await?;
	let tusd = PaymentAsset::WithId(TUSD);
	let level = add_level(&chain, "stable").await?;
	let dir = shared.network.read().await.dir.join("stable");
	let hello = shared.hello.to_str().context("utf-8 path")?.to_string();

	// The provider prices the level at 2 FST or 25 TUSD; it holds FST (its stake).
	let provider_suri = account_suri("stable", "provider");
	let provider_id = account_id(&keypair(&provider_suri)?);
	let offer = Offer { level, price: "2".into(), capacity: 1 };
	let asset_prices = format!("[level.asset_prices]\n{TUSD} = \"25\"\n");
	let mut daemon =
		Daemon::start_with(&dir, &shared.url("bob").await, &provider_suri, offer, &asset_prices)
			.await?;
	register_with_cli(&url, &daemon, level, &provider_suri).await?;
	steps::wait_online(&chain, &provider_id).await?;

	// The customer: never funded with FST; Charlie (a dev account no other scenario signs
	// with) gives it TUSD, which is sufficient: the account exists with TUSD alone.
	let customer_suri = account_suri("stable", "customer");
	let customer = keypair(&customer_suri)?;
	let customer_id = account_id(&customer);
	let charlie = keypair("//Charlie")?;
	let to_customer = Value::unnamed_variant("Id", [Value::from_bytes(customer_id.0)]);
	chain
		.submit_finalized(
			&charlie,
			"Assets",
			"transfer_keep_alive",
			vec![Value::u128(u128::from(TUSD)), to_customer, Value::u128(ENDOWMENT)],
		)
		.await?;
	ensure!(steps::balances(&chain, &customer_id).await? == (0, 0), "the customer has no FST");
	let (tusd_0, held_0) = steps::balances_in(&chain, &tusd, &customer_id).await?;
	ensure!((tusd_0, held_0) == (ENDOWMENT, 0), "the customer holds {ENDOWMENT} TUSD");
	let (provider_tusd_0, _) = steps::balances_in(&chain, &tusd, &provider_id).await?;
	let first_block = chain.best_number().await?;

	// Refused with the market's specific errors; each costs its fee in TUSD and nothing else.
	// An existing asset (Charlie's, id 2) that Root never made a payment asset:
	const UNACCEPTED: u32 = 2;
	let charlie_id = Value::unnamed_variant("Id", [Value::from_bytes(account_id(&charlie).0)]);
	chain
		.submit_finalized(
			&charlie,
			"Assets",
			"create",
			vec![Value::u128(u128::from(UNACCEPTED)), charlie_id, Value::u128(1)],
		)
		.await?;
	let customer_chain = chain.paying_fees_in(tusd.clone());
	let refused = [
		(PaymentAsset::WithId(9_999), MAX_PRICE, "Market.UnknownAsset"),
		(PaymentAsset::WithId(UNACCEPTED), MAX_PRICE, "Market.AssetNotAccepted"),
		// 2 × 3 periods × 0.1 TUSD = 0.6 TUSD < the least prepay of 1 TUSD.
		(tusd.clone(), MIN_PREPAY / 10, "Market.PrepayBelowMinimum"),
	];
	for (asset, max_unit_price, error) in refused {
		let terms = Terms {
			level,
			periods: PERIODS,
			max_unit_price,
			asset: asset.clone(),
			..Terms::default()
		};
		let result = steps::create_order(&customer_chain, &customer, &terms).await;
		let message = format!("{:#}", result.err().with_context(|| format!("{error} expected"))?);
		ensure!(message.contains(error), "{asset:?}: expected {error}, got {message}");
	}
	let refused_at = chain.best_number().await?;
	let fees = steps::asset_fees_paid(&chain, &customer_id, first_block, refused_at).await?;
	ensure!(fees.len() == 3, "one fee per refused order: {fees:?}");
	ensure!(fees.iter().all(|(_, fee, asset)| *fee > 0 && *asset == tusd), "{fees:?}");
	let refusal_fees: u128 = fees.iter().map(|(_, fee, _)| fee).sum();
	let (tusd_1, held_1) = steps::balances_in(&chain, &tusd, &customer_id).await?;
	ensure!(held_1 == 0, "a refused order holds nothing");
	ensure!(tusd_1 == ENDOWMENT - refusal_fees, "only the fees moved: {tusd_1}");
	ensure!(steps::balances(&chain, &customer_id).await? == (0, 0), "still no FST");

	// The order, through the CLI, fees in TUSD: 3 periods at ≤ 30 TUSD, 2 × 90 TUSD held.
	let as_customer = |args: &[&str]| -> Vec<String> {
		let mut all: Vec<String> = vec!["--fee-asset".into(), TUSD.to_string()];
		all.extend(args.iter().map(|a| a.to_string()));
		all.extend(["--suri".to_string(), customer_suri.clone()]);
		all
	};
	let tusd_id = TUSD.to_string();
	let order = CliOrder {
		max_price: "30",
		extra: &["--asset", &tusd_id, "--fee-asset", &tusd_id],
		..CliOrder::new(level, PERIODS, &hello, &customer_suri)
	};
	let (order_id, created) = order.create(&url).await?;
	let prepay = PREPAY_FACTOR * u128::from(PERIODS) * MAX_PRICE;
	ensure!(created["prepay"] == prepay.to_string(), "{created}");
	ensure!(created["asset"] == serde_json::json!({ "WithId": TUSD }), "{created}");
	ensure!(
		steps::balances_in(&chain, &tusd, &customer_id).await?.1 == prepay,
		"the prepay is held in TUSD"
	);
	let deploy = as_customer(&["deploy", &order_id.to_string(), "--package", &hello]);
	cli(&url, &deploy.iter().map(String::as_str).collect::<Vec<_>>()).await?;
	let order = steps::wait_order(&chain, order_id, "fulfilling", 180, |o| {
		matches!(o.state, OrderState::Fulfilling { .. })
	})
	.await?;
	ensure!(order.asset == tusd, "{order:?}");
	ensure!(order.provider.as_ref() == Some(&provider_id), "the TUSD-priced daemon won");
	ensure!(order.unit_price == Some(PRICE), "at its TUSD price: {order:?}");
	let status = cli(&url, &["order", "status", &order_id.to_string()]).await?;
	ensure!(status.contains("25 TUSD"), "prices shown in TUSD:\n{status}");
	let body = cli(&url, &["invoke", &order_id.to_string(), "--path", "/paid-in-tusd"]).await?;
	ensure!(body.starts_with("Hello from DeFaaS!"), "{body}");

	// The daemon down for round 1 (killed as soon as it opens: before its join window ends and
	// the probes start — round 0's verdict may come later than that), back for round 2.
	when_round_opens(&chain, order_id, 1, "the daemon is down", async {
		daemon.kill();
		Ok(())
	})
	.await?;
	// Round 0 served and paid in TUSD.
	let order = wait_settled(&chain, order_id, 1).await?;
	ensure!(order.violated_periods == 0, "round 0 is served: {order:?}");
	let (provider_tusd_1, provider_held_1) =
		steps::balances_in(&chain, &tusd, &provider_id).await?;
	ensure!(provider_tusd_1 == provider_tusd_0 + PRICE, "period 0 paid in TUSD");
	ensure!(provider_held_1 == 0, "a provider holds no TUSD");
	when_round_opens(&chain, order_id, 2, "the daemon is back", daemon.restart()).await?;

	let order = wait_settled(&chain, order_id, PERIODS).await?;
	ensure!(matches!(order.state, OrderState::Finished { .. }), "{order:?}");
	ensure!(order.violated_periods == 1 && order.paid == 2 * PRICE, "{order:?}");
	let last = chain.best_number().await?;
	let (provider_tusd_3, _) = steps::balances_in(&chain, &tusd, &provider_id).await?;
	ensure!(provider_tusd_3 == provider_tusd_0 + 2 * PRICE, "two periods paid in TUSD, one not");

	// The customer: every fee in TUSD, two periods paid, the rest of the prepay back in TUSD;
	// the violation slash of the provider's stake in FST.
	let fees = steps::asset_fees_paid(&chain, &customer_id, first_block, last).await?;
	ensure!(fees.iter().all(|(_, fee, asset)| *fee > 0 && *asset == tusd), "{fees:?}");
	ensure!(fees.len() == 3 + 1, "the refused orders and create_order: {fees:?}");
	let all_fees: u128 = fees.iter().map(|(_, fee, _)| fee).sum();
	let (tusd_3, held_3) = steps::balances_in(&chain, &tusd, &customer_id).await?;
	ensure!(held_3 == 0, "the whole prepay is released");
	ensure!(
		tusd_3 == ENDOWMENT - all_fees - 2 * PRICE,
		"TUSD: {ENDOWMENT} - fees {all_fees} - 2 × {PRICE} ≠ {tusd_3}"
	);
	let fst = steps::balances(&chain, &customer_id).await?;
	ensure!(fst == (VIOLATION_SLASH, 0), "FST: only the violation slash: {fst:?}");
	let balance = cli_json(&url, &["balance", &customer_id.to_string()]).await?;
	let tusd_line = balance
		.as_array()
		.and_then(|lines| lines.iter().find(|line| line["symbol"] == "TUSD"))
		.with_context(|| format!("a TUSD line: {balance}"))?;
	ensure!(tusd_line["free"] == tusd_3.to_string() && tusd_line["decimals"] == 6, "{balance}");
	Ok(())
}
