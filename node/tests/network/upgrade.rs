//! A forkless runtime upgrade on the running network, under a running lease and the other
//! scenarios (docs/reliability.md, "Upgrades").

use crate::{
	account_suri,
	scenarios::{add_level, register_with_cli, wait_round, CliOrder},
	Shared,
};
use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	bins::{cli, cli_json},
	client::{
		accounts::{account_id, keypair},
		chain::{find_event, find_u128},
		subxt::dynamic::Value,
		views::{OrderState, Verdict},
		Chain,
	},
	steps::{self, FST},
	Daemon, Offer,
};
use std::sync::Arc;

/// The runtime the network starts with, and the drill's release.
const SPEC_BEFORE: u32 = 103;
const SPEC_AFTER: u32 = 104;

/// `defaas deploy` (waits until the order is matched) and the wait for `Fulfilling`.
async fn deploy_with_cli(
	chain: &Chain,
	url: &str,
	order_id: u64,
	hello: &str,
	suri: &str,
) -> Result<()> {
	let id = order_id.to_string();
	cli(url, &["deploy", &id, "--package", hello, "--suri", suri, "--wait", "300"]).await?;
	steps::wait_order(chain, order_id, "fulfilling", 120, |o| {
		matches!(o.state, OrderState::Fulfilling { .. })
	})
	.await?;
	Ok(())
}

/// The upgrade drill: a provider daemon serves a three-period lease ordered with the CLI; after
/// round 0's verdict, Root authorizes the drill's runtime (`spec_version` + 1, one migration
/// adding the `large` level) and any account applies it (`System.authorize_upgrade` +
/// `System.apply_authorized_upgrade`). The new version runs from the next block on — within 10
/// blocks — and its migration ran once; the lease goes on (the round after the upgrade gets its
/// verdict and is paid); the daemon bids, confirms and serves a second order made with the CLI
/// under the new metadata, and the CLI lists the new level.
pub async fn upgrade(shared: Arc<Shared>) -> Result<()> {
	const PRICE: u128 = 2 * FST;
	const PERIODS: u32 = 4;
	let url = shared.url("alice").await;
	let chain = Chain::connect(&url).await?;
	ensure!(
		chain.spec_version_at(None).await? == SPEC_BEFORE,
		"the network starts on {SPEC_BEFORE}"
	);
	let level = add_level(&chain, "upgrade").await?;
	let dir = shared.network.read().await.dir.join("upgrade");
	let hello = shared.hello.to_str().context("utf-8 path")?.to_string();
	let provider_suri = account_suri("upgrade", "provider");
	let customer_suri = account_suri("upgrade", "customer");
	let offer = Offer { level, price: "2".into(), capacity: 2 };
	let daemon = Daemon::start(&dir, &shared.url("bob").await, &provider_suri, offer).await?;
	register_with_cli(&url, &daemon, level, &provider_suri).await?;
	steps::wait_online(&chain, &account_id(&keypair(&provider_suri)?)).await?;

	// Lease A, served by the daemon, ordered and deployed with the CLI before the upgrade.
	let order_a = CliOrder::new(level, PERIODS, &hello, &customer_suri).create(&url).await?.0;
	deploy_with_cli(&chain, &url, order_a, &hello, &customer_suri).await?;
	let round_0 = wait_round(&chain, order_a, 0, "settled", |r| r.verdict.is_some()).await?;
	ensure!(
		round_0.verdict == Some(Verdict::NoViolation),
		"round 0 before the upgrade: {round_0:?}"
	);

	// The upgrade: Root authorizes the code's hash, the customer applies it (no fee).
	let code = defaas_runtime::test_upgrade::WASM_BINARY
		.context("the drill runtime was not built (SKIP_WASM_BUILD is set)")?;
	let code_hash = sp_io::hashing::blake2_256(code);
	let authorize = Value::unnamed_variant(
		"System",
		[Value::named_variant("authorize_upgrade", [("code_hash", Value::from_bytes(code_hash))])],
	);
	let authorized = crate::scenarios::sudo(&chain, authorize).await?;
	find_event(&authorized, "System", "UpgradeAuthorized")?;
	let customer = keypair(&customer_suri)?;
	let (customer_free, _) = steps::balances(&chain, &account_id(&customer)).await?;
	let since = chain.best_number().await?;
	let applied = chain
		.submit(&customer, "System", "apply_authorized_upgrade", vec![Value::from_bytes(code)])
		.await?;
	find_event(&applied, "System", "CodeUpdated")?;
	let (customer_free_after, _) = steps::balances(&chain, &account_id(&customer)).await?;
	ensure!(customer_free_after == customer_free, "applying an authorized upgrade is free");
	let upgraded_in = code_updated_in(&chain, since).await?;
	let at = |n| {
		let chain = chain.clone();
		async move { chain.block_hash(n).await?.context("no such block") }
	};

	// The old runtime built the upgrade's block, whose state holds the new code: the next
	// block is executed by the new version (well within 10 blocks).
	steps::wait_for_block(&chain, upgraded_in + 1).await?;
	let before = chain.spec_version_at(Some(at(upgraded_in - 1).await?)).await?;
	let after = chain.spec_version_at(Some(at(upgraded_in).await?)).await?;
	ensure!((before, after) == (SPEC_BEFORE, SPEC_AFTER), "spec {before} → {after}");
	// The drill's migration ran in that first block, once, and nowhere else.
	let migrated = steps::events_between(&chain, upgraded_in + 1, upgraded_in + 1).await?;
	let added: Vec<u128> = migrated
		.iter()
		.filter(|(pallet, event, _)| pallet == "Market" && event == "LevelAdded")
		.filter_map(|(_, _, fields)| find_u128(fields, "level_id"))
		.collect();
	let levels = chain.levels().await?;
	let large: Vec<_> = levels
		.iter()
		.filter(|entry| entry.level.tag == b"large" && entry.level.memory_mb == 8192)
		.map(|entry| u128::from(entry.level_id))
		.collect();
	ensure!(large.len() == 1 && added.contains(&large[0]), "migrated once: {added:?} {large:?}");
	let large = large[0];

	// The lease goes on: the first round that opened after the upgrade gets its verdict (the
	// workers' joins, commits and reveals and the settlement all under the new runtime) and
	// its period is paid. (A lease's last round is pruned as it settles: read the order.)
	let period = chain.order(order_a).await?.period_length;
	let first_after = (upgraded_in - round_0.opened_at) / period + 1;
	ensure!(first_after < PERIODS, "the upgrade came too late for the lease: round {first_after}");
	let order =
		steps::wait_order(&chain, order_a, "the round after the upgrade settled", 600, |o| {
			o.settled_periods > first_after
		})
		.await?;
	ensure!(order.violated_periods == 0, "every round NoViolation: {order:?}");
	ensure!(
		order.paid == u128::from(order.settled_periods) * PRICE,
		"every period paid: {order:?}"
	);

	// The CLI under the new metadata: the level list has the migration's level; a second
	// order is bid for, confirmed and served by the daemon, and invoked.
	let levels = cli_json(&url, &["level", "list"]).await?;
	ensure!(
		levels.to_string().contains(&format!("\"id\":{large}"))
			|| levels.to_string().contains(&format!("\"levelId\":{large}")),
		"the CLI lists the new level {large}: {levels}"
	);
	let order_b = CliOrder::new(level, 1, &hello, &customer_suri).create(&url).await?.0;
	deploy_with_cli(&chain, &url, order_b, &hello, &customer_suri).await?;
	let body = cli(&url, &["invoke", &order_b.to_string(), "--path", "/after-upgrade"]).await?;
	ensure!(body.contains(&format!("path=/o/{order_b}/after-upgrade")), "{body}");
	let body = cli(&url, &["invoke", &order_a.to_string(), "--path", "/still"]).await?;
	ensure!(body.contains(&format!("path=/o/{order_a}/still")), "{body}");
	Ok(())
}

/// The block, from `since` on, whose events hold `System.CodeUpdated`.
async fn code_updated_in(chain: &Chain, since: u32) -> Result<u32> {
	let best = chain.best_number().await?;
	for number in since..=best {
		let events = steps::events_between(chain, number, number).await?;
		if events.iter().any(|(pallet, event, _)| pallet == "System" && event == "CodeUpdated") {
			return Ok(number);
		}
	}
	anyhow::bail!("no CodeUpdated in blocks {since}..={best}")
}
