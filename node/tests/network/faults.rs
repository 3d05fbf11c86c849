//! Witnesses and validators offline during a lease (docs/reliability.md, "Faults"). Exclusive:
//! two validators go down at once.

use crate::{
	account_suri,
	scenarios::{add_level, wait_round},
	witness_node, Shared,
};
use anyhow::{ensure, Context, Result};
use defaas_test_endpoint::TestEndpoint;
use defaas_testkit::{
	client::{
		accounts::{account_id, keypair},
		subxt::dynamic::Value,
		views::{AccountId, CloseReason, OrderState, RoundPhase, RoundView, Verdict},
		Chain,
	},
	steps::{self, Terms, FST, PROVIDER_STAKE},
	wait::poll,
};
use std::sync::Arc;

/// What a missed report costs a witness's reputation (docs/architecture.md §6.3).
const MISSED_REPORT_PENALTY: i32 = 10;

/// The reputation `who` lost in block `number` (its settlement block).
async fn reputation_change(chain: &Chain, who: &AccountId, number: u32) -> Result<i32> {
	let at = |n: u32| async move { chain.block_hash(n).await?.context("no such block") };
	let before = chain.witness_at(who, Some(at(number - 1).await?)).await?.context("witness")?;
	let after = chain.witness_at(who, Some(at(number).await?)).await?.context("witness")?;
	Ok(after.reputation - before.reputation)
}

/// The members of `round` whose witness key lives in a node other than Alice's (the test talks
/// to the chain through Alice's node, which also holds the provider's heartbeat key).
fn killable(round: &RoundView) -> Vec<(&'static str, AccountId)> {
	round
		.members
		.iter()
		.filter_map(|m| witness_node(&m.witness).map(|node| (node, m.witness)))
		.filter(|(node, _)| *node != "alice")
		.collect()
}

/// A four-member committee watches a healthy endpoint for a three-period lease.
///
/// - **Round 0, one member offline.** Once the committee is seated, one member's node (a
///   validator) is killed for the rest of the round: the other three reveal — a quorum of
///   three of four — and the round settles `NoViolation`, the provider is paid; the silent
///   member loses exactly 10 reputation in the settlement block.
/// - **Round 1, two members offline — two of the four validators.** Finality stalls (the last
///   finalized block stays the same while BABE builds many more). Fewer than a quorum reveal:
///   the round lapses without a verdict and the silent members lose 10 reputation each.
/// - **Restart.** Finality resumes past everything built meanwhile: nothing was lost. The
///   market times the lease out at round 1's verdict deadline (`MonitorTimedOut`): periods 1
///   and 2 are not paid and the rest of the prepay goes back to the customer.
pub async fn offline_members(shared: Arc<Shared>) -> Result<()> {
	const PRICE: u128 = 2 * FST;
	let chain = shared.chain("alice").await?;
	// Leases the other scenarios left running must not lose their committees' quorum.
	poll("the other scenarios' rounds ended", 600, || async {
		Ok(chain.open_rounds().await?.is_empty().then_some(()))
	})
	.await?;
	let level = add_level(&chain, "offline").await?;
	let endpoint = TestEndpoint::start();
	let provider = shared.account("offline", "provider");
	let customer = shared.account("offline", "customer");
	let (provider_id, customer_id) = (account_id(&provider), account_id(&customer));
	let heartbeat_suri = format!("{}//prov", account_suri("offline", "provider"));
	steps::insert_key(&chain, "prov", &heartbeat_suri).await?;
	chain
		.submit(
			&provider,
			"Market",
			"register_provider",
			vec![
				Value::u128(PROVIDER_STAKE),
				Value::from_bytes(endpoint.url().as_bytes()),
				Value::unnamed_composite([Value::u128(u128::from(level))]),
				Value::from_bytes(keypair(&heartbeat_suri)?.public_key().0),
			],
		)
		.await?;
	steps::wait_online(&chain, &provider_id).await?;
	let (_, customer_held_0) = steps::balances(&chain, &customer_id).await?;
	let terms = Terms { level, periods: 3, committee: 4, ..Terms::default() };
	let (order_id, _) = steps::lease(&chain, &customer, &terms, &[(&provider, PRICE)]).await?;

	// Round 0: one member offline from its seating to the round's end.
	let seated = |v: &RoundView| v.phase != RoundPhase::Joining;
	let round_0 = wait_round(&chain, order_id, 0, "committee seated", seated).await?;
	ensure!(round_0.members.len() == 4, "all four witnesses seated: {round_0:?}");
	let (down, silent) = killable(&round_0).pop().context("a member outside Alice's node")?;
	shared.network.write().await.node_mut(down).kill();
	let round_0 = wait_round(&chain, order_id, 0, "ended", |v| !v.phase.is_unsettled()).await?;
	shared.network.write().await.node_mut(down).restart().await?;
	ensure!(round_0.verdict == Some(Verdict::NoViolation), "quorum of 3 of 4: {round_0:?}");
	ensure!(round_0.reveals == 3, "the three members online revealed: {round_0:?}");
	let silent_member = round_0.members.iter().find(|m| m.witness == silent);
	ensure!(silent_member.is_some_and(|m| m.revealed.is_none()), "{round_0:?}");
	let lost = reputation_change(&chain, &silent, round_0.reveal_end).await?;
	ensure!(lost == -MISSED_REPORT_PENALTY, "the silent member lost {lost}, not 10");
	let order = chain.order(order_id).await?;
	ensure!(order.paid == PRICE && order.settled_periods == 1, "round 0 paid: {order:?}");

	// Round 1: two members offline, two of the four validators.
	let round_1 = wait_round(&chain, order_id, 1, "committee seated", seated).await?;
	let down: Vec<_> = killable(&round_1).into_iter().take(2).collect();
	ensure!(down.len() == 2, "two members outside Alice's node: {round_1:?}");
	{
		let mut network = shared.network.write().await;
		for (node, _) in &down {
			network.node_mut(node).kill();
		}
	}
	// Blocks go on (BABE), finality does not: what was finalized a few blocks after the kill
	// is still the last finalized block when the round has ended, many blocks later.
	let (_, best_at_kill) = chain.best().await?;
	steps::wait_for_block(&chain, best_at_kill + 3).await?;
	let (_, stalled_at) = chain.finalized().await?;
	ensure!(stalled_at <= best_at_kill + 1, "finalized #{stalled_at} with two validators down");
	let round_1 = wait_round(&chain, order_id, 1, "ended", |v| !v.phase.is_unsettled()).await?;
	let (_, finalized) = chain.finalized().await?;
	let best = chain.best_number().await?;
	ensure!(finalized == stalled_at && best > stalled_at + 5, "finality stalled: #{finalized}");
	ensure!(
		round_1.phase == RoundPhase::Lapsed && round_1.verdict.is_none(),
		"no quorum, no verdict: {round_1:?}"
	);
	let quorum = round_1.members.len() / 2 + 1;
	ensure!((round_1.reveals as usize) < quorum, "{round_1:?}");
	for (_, witness) in &down {
		let lost = reputation_change(&chain, witness, round_1.reveal_end).await?;
		ensure!(lost == -MISSED_REPORT_PENALTY, "a silent member lost {lost}, not 10");
	}

	// Restart: finality resumes past everything built meanwhile (the lapsed round included).
	{
		let mut network = shared.network.write().await;
		for (node, _) in &down {
			network.node_mut(node).restart().await?;
		}
	}
	steps::wait_finalized(&chain, round_1.reveal_end).await?;

	// The market times the lease out at round 1's verdict deadline and refunds.
	let ended = steps::wait_order(&chain, order_id, "timed out", 300, |o| {
		!matches!(o.state, OrderState::Fulfilling { .. })
	})
	.await?;
	let timed_out =
		matches!(&ended.state, OrderState::Failed { reason: CloseReason::MonitorTimedOut, .. });
	ensure!(timed_out, "the lease timed out: {ended:?}");
	ensure!(ended.paid == PRICE && ended.refunded == ended.prepay - PRICE, "refund: {ended:?}");
	let (_, customer_held) = steps::balances(&chain, &customer_id).await?;
	ensure!(customer_held == customer_held_0, "the whole prepay is released");

	let (_, best) = chain.best().await?;
	steps::wait_finalized(&chain, best).await?;
	let final_view = chain.order_at(order_id, Some(chain.finalized().await?.0)).await?;
	ensure!(final_view.is_some_and(|o| o.state == ended.state), "the timeout is final");
	ensure!(endpoint.health_requests(order_id) > 0, "the witnesses probed the endpoint");
	Ok(())
}
