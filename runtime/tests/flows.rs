//! Runtime flow tests: whole order life cycles against the real `defaas_runtime::Runtime` in
//! `sp_io::TestExternalities` (docs/architecture.md §15, layer 2).
//!
//! Genesis is the runtime's own `development` preset (short dev timings) or, for
//! [`production_windows_with_a_fast_block_loop`], the same preset without its timings, so the
//! pallets' production defaults (hour-long billing periods) apply. Witnesses keep their `wtns`
//! keys in a `MemoryKeystore` (`KeystoreExt`) and join committees with real VRF signatures made
//! by the `witness_vrf` host function. Time moves only through blocks built like a node builds
//! them (`flows/harness.rs`): BABE pre-digest and timestamp inherent, `on_initialize` (the
//! witness pool's agenda), transactions, `on_idle` (the market's deadline sweep) and
//! `on_finalize`. No test calls the market's `advance`. After every block the harness checks
//! the invariants of §10 (holds == records, conservation of FST, well-formed orders, clean
//! committees, seats) and, with `try-runtime`, every pallet's `try_state`.
//!
//! Two of them also enact a runtime upgrade between two blocks
//! ([`harness::next_block_checking_runtime_upgrade`]): `Executive::try_runtime_upgrade` with
//! every check, twice, on the state the flow built (bids held mid-auction; a committed round
//! mid-lease).
//!
//! # The tests
//!
//! - [`sealed_bid_auction_fallback_candidate_confirms_and_serves`]: six sealed bids, the lowest
//!   revealed price wins, unrevealed and surplus bids leave at the close, the winner does not
//!   confirm (`CandidateReplaced`), the fallback confirms, cannot leave (`HasOpenBids`,
//!   `HasActiveLeases`), deploys and serves three paid periods.
//! - [`lease_rounds_with_vrf_committees_settle_by_verdict`]: VRF committees from the keystore,
//!   `NoViolation` / `Violated` / `NoViolation` with a seeded committee and a missing reveal;
//!   payments, compensation, payoffs, reputation, tally.
//! - [`production_windows_with_a_fast_block_loop`]: the production windows, block by block.
//! - [`sponsor_funds_an_order_through_an_allowance_and_gets_the_refund`].
//! - [`customer_cancels_during_bidding_and_provider_aborts_during_deploying`] (and pruning).
//! - [`timeouts_are_applied_by_the_block_hooks`]: `NoValidBid` (twice), `WinnersDidNotConfirm`,
//!   `ProviderDidNotDeploy`, `MonitorTimedOut`.
//! - [`committees_larger_than_the_witness_pool_are_refused`]: `NotEnoughWitnesses`, the quote's
//!   `max_committee`, `MonitorUnavailable`.
//! - [`repeated_violations_end_the_lease_and_slash_the_departing_provider`].
//!
//! # Where the end-to-end assertions went
//!
//! `node/tests/dev/market_flow.rs` (`sealed_bid_auction_lower_price_wins_and_order_reaches_
//! fulfilling`) → [`sealed_bid_auction_fallback_candidate_confirms_and_serves`]:
//! - the four paper levels are seeded at genesis, level 3 is tagged `ai` → `MarketApi::levels`;
//! - a witness registers (100 FST stake) so the lease can be staffed → Eve's registration;
//! - two providers register (stake held) and heartbeat; `defaas_provider` answers →
//!   `MarketApi::provider` (online, stake, 50 % reputation) for every provider;
//! - the prepay `2 × 3 × 10 FST` is held from the customer → exact hold and free balance
//!   (`create_order` is a real signed transaction; its fee is checked too);
//! - `defaas_openOrders` lists the order → `MarketApi::open_orders` (and no longer after the
//!   auction closed);
//! - after the commits every bidder holds stake + bid deposit → checked for all six bidders;
//! - the order reaches revealing, the bids are revealed → `RevealStarted` at the end of the bid
//!   window, reveals in the reveal window;
//! - the lower price is the candidate (`confirming.candidate`) → `AuctionClosed` and the stored
//!   candidate (here the lowest revealed price, 5 FST);
//! - the revealed runner-up keeps its deposit held while it is a fallback → the fallbacks hold
//!   stake + deposit after the close;
//! - the loser's deposit is released on confirm → the remaining fallbacks hold only their stake
//!   after `confirm_order`;
//! - deploying, then fulfilling with `unitPrice` = the winning price and `provider` = the winner
//!   → `OrderConfirmed`, `LeaseStarted` and `MarketApi::order` (unit price, provider, state);
//! - holds at Fulfilling: the customer's prepay, each provider's stake, no bid deposit left →
//!   exact holds of all parties;
//! - a quote exists after the clearing price → `MarketApi::quote` (recent prices, median, fee,
//!   prepay, `max_committee`).
//!
//! `node/tests/dev/witness_flow.rs` (`witnesses_sign_with_the_node_join_commit_reveal_and_
//! periods_settle_by_verdict`) → [`lease_rounds_with_vrf_committees_settle_by_verdict`]:
//! - five witnesses register with a `wtns` key in the node keystore; `defaas_witness` shows
//!   reputation 100 and `activeFrom` → keys generated in the `MemoryKeystore`,
//!   `WitnessPoolApi::witness` (reputation 100, `active_from` = registration + 40, not active
//!   yet);
//! - the provider registers, heartbeats and bids 5 FST; the order of two (here three) periods
//!   with a committee of three is confirmed and fulfilled; the provider then holds exactly its
//!   stake → same, checked at Fulfilling;
//! - each witness's VRF signature is the node-made one (96 bytes SCALE) → signed by the
//!   `witness_vrf` host function from the keystore, 96 bytes checked;
//! - joins that do not make the lowest outputs are refused → every failed join is
//!   `NotSelected`, the committee is the three lowest outputs;
//! - a full committee of three registered witnesses, all joined by VRF (`seeded == false`),
//!   `defaas_committee` returns three → `WitnessPoolApi::committee`/`round` and the driver's
//!   log (rounds 0 and 1);
//! - every member committed before the reveal (`commits == 3`) → `WitnessPoolApi::round`;
//! - round 0 settles `NoViolation` (`defaas_round.verdict`) and the provider is paid exactly
//!   one unit price → `PeriodSettled`, `RoundSettled`, round view verdict, provider's free
//!   balance + 5 FST exactly;
//! - round 1 (two of three report a violation) settles `Violated`: nothing more paid, the
//!   provider's stake is 1000 − 50 FST, the order finished (here after a third period) and the
//!   prepay is fully released, the customer's free balance moved by −paid + compensation − the
//!   `create_order` fee → exact balances (the fee is known exactly);
//! - reputation 99 for the minority member of round 1, 100 for the others; every witness still
//!   holds exactly its stake → the expected reputation and stake of every witness, computed
//!   from the payoff table (round 2 adds a member that does not reveal: −10, 1 FST slashed);
//! - two `PeriodSettled` (NoViolation then Violated), two `RoundSettled` and the minted rewards
//!   1, 1, 1 (round 0) and 10, 10 (round 1) → `PeriodSettled`/`RoundSettled` per round and
//!   the `RewardMinted` events of each settlement block with their exact amounts.

// A test crate: it may unwrap, panic, index and compute freely (the workspace denies these in
// runtime code; `clippy.toml` allows only some of them, and only inside `#[test]` functions).
#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::panic,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

#[path = "flows/harness.rs"]
mod harness;

use codec::Encode;
use defaas_runtime::{AccountId, Balance, Block, BlockNumber, Runtime};
use harness::*;
use pallet_faas_token_runtime_api::runtime_decl_for_faas_token_api::FaasTokenApiV1;
use pallet_market::{CloseReason, HoldReason, OrderState, PeriodTally, Verdict};
use pallet_market_runtime_api::runtime_decl_for_market_api::MarketApiV2;
use pallet_witness_pool_runtime_api::runtime_decl_for_witness_pool_api::WitnessPoolApiV1;
use sp_runtime::Permill;

type MarketEvent = pallet_market::Event<Runtime>;
type PoolEvent = pallet_witness_pool::Event<Runtime>;
type TokenEvent = pallet_faas_token::Event<Runtime>;
type MarketError = pallet_market::Error<Runtime>;
type MarketCall = pallet_market::Call<Runtime>;
type PoolCall = pallet_witness_pool::Call<Runtime>;
type TokenCall = pallet_faas_token::Call<Runtime>;
type PoolError = pallet_witness_pool::Error<Runtime>;

fn levels() -> Vec<(pallet_market::LevelId, pallet_market::LevelInfo)> {
	<Runtime as MarketApiV2<Block, AccountId, AssetKind, Balance, BlockNumber>>::levels()
}

fn order_view(id: u64) -> pallet_market::OrderView<AccountId, AssetKind, Balance, BlockNumber> {
	<Runtime as MarketApiV2<Block, AccountId, AssetKind, Balance, BlockNumber>>::order(id)
		.expect("an order")
}

fn open_orders() -> Vec<u64> {
	<Runtime as MarketApiV2<Block, AccountId, AssetKind, Balance, BlockNumber>>::open_orders(
		Some(0),
		10,
	)
	.into_iter()
	.map(|o| o.order_id)
	.collect()
}

fn provider_view(who: Who) -> pallet_market::ProviderView<AccountId, Balance, BlockNumber> {
	<Runtime as MarketApiV2<Block, AccountId, AssetKind, Balance, BlockNumber>>::provider(acc(who))
		.expect("a provider")
}

fn quote(periods: u32) -> Option<pallet_market::Quote<AssetKind, Balance>> {
	<Runtime as MarketApiV2<Block, AccountId, AssetKind, Balance, BlockNumber>>::quote(
		0,
		AssetKind::Native,
		periods,
	)
}

fn witness_view(who: Who) -> pallet_witness_pool::WitnessView<AccountId, Balance, BlockNumber> {
	<Runtime as WitnessPoolApiV1<Block, AccountId, Balance, BlockNumber>>::witness(acc(who))
		.expect("a witness")
}

fn round_view(order_id: u64, r: u32) -> pallet_witness_pool::RoundView<AccountId, BlockNumber> {
	<Runtime as WitnessPoolApiV1<Block, AccountId, Balance, BlockNumber>>::round(order_id, r)
		.expect("the round exists")
}

fn committee(order_id: u64, r: u32) -> Vec<AccountId> {
	<Runtime as WitnessPoolApiV1<Block, AccountId, Balance, BlockNumber>>::committee(order_id, r)
		.expect("the round exists")
}

/// The payoff table of §6.3 in FST: (minted, slashed, reputation change) of a member.
fn payoff(verdict: Verdict, revealed: Option<bool>) -> (Balance, Balance, i32) {
	match (verdict, revealed) {
		(Verdict::Violated, Some(true)) => (10 * REWARD_UNIT, 0, 0),
		(Verdict::Violated, Some(false)) => (0, 0, -1),
		(Verdict::NoViolation, Some(true)) => (0, REWARD_UNIT, -1),
		(Verdict::NoViolation, Some(false)) => (REWARD_UNIT, 0, 0),
		(_, None) => (0, REWARD_UNIT, -10),
	}
}

/// The verdict of a committee of `members` of which `reveals` revealed, `violated` of them a
/// violation (§6.3): none without a quorum of `members / 2 + 1` reveals (the round lapses).
fn verdict_of(members: usize, reveals: usize, violated: usize) -> Option<Verdict> {
	if reveals <= members / 2 {
		None
	} else if violated > members / 2 {
		Some(Verdict::Violated)
	} else {
		Some(Verdict::NoViolation)
	}
}

/// Checks the settlement of a driven round against the payoff table: the `RoundSettled`
/// counts, one `RewardMinted` per positive payoff (exact amounts, in the settlement block),
/// one burned `Slashed` per negative payoff. Returns the verdict.
fn check_round_settlement(driver: &LeaseDriver, r: u32) -> Verdict {
	let log = driver.log(r);
	let members = log.reports.len();
	let violated = log.reports.iter().filter(|(_, rep)| rep.revealed() == Some(true)).count();
	let reveals = log.reports.iter().filter(|(_, rep)| rep.revealed().is_some()).count();
	let verdict = verdict_of(members, reveals, violated).expect("a quorum of reveals");
	let settled = PoolEvent::RoundSettled {
		order_id: driver.order_id,
		round: r,
		verdict,
		violated_reports: violated as u32,
		reveals: reveals as u32,
		members: members as u32,
	};
	assert_eq!(pool_event_block(&settled), log.reveal_end, "settled at the reveal window's end");

	let mut expected_minted = Vec::new();
	let mut expected_slashed = Vec::new();
	for (who, report) in &log.reports {
		let (minted, slashed, _) = payoff(verdict, report.revealed());
		if minted > 0 {
			expected_minted.push(TokenEvent::RewardMinted { who: acc(*who), amount: minted });
		}
		if slashed > 0 {
			expected_slashed.push(TokenEvent::Slashed {
				who: acc(*who),
				amount: slashed,
				burned: true,
			});
		}
	}
	let events = token_events_in(log.reveal_end);
	let minted: Vec<_> =
		events.iter().filter(|e| matches!(e, TokenEvent::RewardMinted { .. })).cloned().collect();
	let slashed: Vec<_> = events
		.iter()
		.filter(|e| {
			matches!(e, TokenEvent::Slashed { who, .. }
				if log.reports.iter().any(|(w, _)| acc(*w) == *who))
		})
		.cloned()
		.collect();
	assert_eq!(minted, expected_minted, "rewards of round {r}");
	assert_eq!(slashed, expected_slashed, "witness slashes of round {r}");
	assert!(!events.iter().any(|e| matches!(e, TokenEvent::RewardsScaledDown { .. })));
	verdict
}

/// The expected (reputation, stake) of `who` after the driven rounds `rounds`.
fn expected_witness(driver: &LeaseDriver, rounds: &[u32], who: Who) -> (i32, Balance) {
	let mut reputation = 100;
	let mut stake = WITNESS_STAKE;
	for r in rounds {
		let log = driver.log(*r);
		let members = log.reports.len();
		let violated = log.reports.iter().filter(|(_, rep)| rep.revealed() == Some(true)).count();
		let reveals = log.reports.iter().filter(|(_, rep)| rep.revealed().is_some()).count();
		let verdict = verdict_of(members, reveals, violated);
		for (member, report) in &log.reports {
			if *member == who {
				let (_, slashed, change) = match verdict {
					Some(verdict) => payoff(verdict, report.revealed()),
					// Lapsed: nothing for a reveal, the missed-report payoff for none.
					None if report.revealed().is_some() => (0, 0, 0),
					None => (0, REWARD_UNIT, -10),
				};
				reputation += change;
				stake -= slashed;
			}
		}
	}
	(reputation, stake)
}

/// The committee of a round where every joiner joined: the `size` lowest VRF outputs, sorted
/// ascending; every other join attempt was refused with `NotSelected` (or admitted and later
/// evicted by a lower output).
fn check_vrf_committee(log: &RoundLog, size: usize) {
	let mut outputs: Vec<(u128, Who)> = log.joins.iter().map(|(w, o, _)| (*o, *w)).collect();
	outputs.sort_by_key(|(output, _)| *output);
	let expected: Vec<(Who, Option<u128>)> =
		outputs.iter().take(size).map(|(o, w)| (*w, Some(*o))).collect();
	assert_eq!(log.members, expected, "the committee is the {size} lowest outputs");
	for (who, output, result) in &log.joins {
		if let Err(e) = result {
			assert_eq!(*e, PoolError::NotSelected.into(), "{who:?} ({output})");
			let highest = log.members.last().and_then(|(_, o)| *o).expect("full");
			assert!(*output > highest);
		}
	}
}

/// The members seeded sampling adds to a round whose joined members are `joined` (§6.2):
/// attempt `i` takes `WitnessAt[u32_le(blake2_256(SCALE((seed, b"fill", i)))[..4]) % count]`
/// if eligible, up to `size × 4` attempts.
fn expected_seeded(
	log: &RoundLog,
	joined: &[AccountId],
	size: usize,
	excluded: &[AccountId],
) -> Vec<AccountId> {
	let count = pallet_witness_pool::WitnessCount::<Runtime>::get();
	let mut members = joined.to_vec();
	for attempt in 0..(size as u32 * 4) {
		if members.len() >= size {
			break;
		}
		let hash = sp_io::hashing::blake2_256(&(log.seed, *b"fill", attempt).encode());
		let index = u32::from_le_bytes(hash[..4].try_into().expect("4 bytes")) % count;
		let who = pallet_witness_pool::WitnessAt::<Runtime>::get(index).expect("indexed");
		let record = pallet_witness_pool::Witnesses::<Runtime>::get(&who).expect("registered");
		let eligible = !record.suspended
			&& record.active_from <= log.opened_at
			&& !excluded.contains(&who)
			&& !members.contains(&who);
		if eligible {
			members.push(who);
		}
	}
	members.split_off(joined.len())
}

/// The `OrderFinished`/`OrderFailed`/`OrderCancelled` event of `order_id`.
fn end_event(order_id: u64) -> (BlockNumber, MarketEvent) {
	let ends: Vec<_> = market_events()
		.into_iter()
		.filter(|(_, e)| match e {
			MarketEvent::OrderFinished { order_id: id, .. }
			| MarketEvent::OrderFailed { order_id: id, .. }
			| MarketEvent::OrderCancelled { order_id: id, .. } => *id == order_id,
			_ => false,
		})
		.collect();
	assert_eq!(ends.len(), 1, "order {order_id} ended once: {ends:?}");
	ends[0].clone()
}

/// `register_provider` of every provider, then the commit of a bid.
fn providers(who: &[Who]) {
	for p in who {
		register_provider(*p);
	}
}

// =============================================================================================
// Sealed-bid auction
// =============================================================================================

/// Six providers bid; the lowest revealed price wins, the unrevealed bid and the fifth revealed
/// one leave the auction at its close (forfeited / released), the winner does not confirm and
/// the first fallback is asked (`CandidateReplaced`), confirms, deploys and serves three
/// periods. Leaving the market is refused while a provider has open bids or a lease not yet
/// deployed (`HasActiveLeases`). Ports every assertion of `market_flow.rs`.
/// Every pallet of the runtime that keeps storage declares a storage version, and genesis
/// writes it: the on-chain version equals the in-code one (what a migration bumps and checks).
#[test]
fn every_pallet_has_its_storage_version_on_chain_from_genesis() {
	use frame_support::traits::{GetStorageVersion, PalletInfoAccess, StorageVersion};
	fn check<P: GetStorageVersion<InCodeStorageVersion = StorageVersion> + PalletInfoAccess>() {
		assert_eq!(
			P::on_chain_storage_version(),
			P::in_code_storage_version(),
			"pallet {}",
			P::name()
		);
	}
	run(Timings::Dev, || {
		check::<pallet_faas_token::Pallet<Runtime>>();
		check::<pallet_market::Pallet<Runtime>>();
		check::<pallet_witness_pool::Pallet<Runtime>>();
		check::<pallet_balances::Pallet<Runtime>>();
		check::<pallet_assets::Pallet<Runtime>>();
		assert_eq!(
			<pallet_market::Pallet<Runtime> as GetStorageVersion>::in_code_storage_version(),
			StorageVersion::new(1),
			"the market is at version 1 (payment assets)"
		);
	});
}

/// The market's storage version 1 (payment assets) on a chain that ran version 0: the stepped
/// migration, started by `pallet-migrations` at the upgrade and stepped after the inherents,
/// turns every order into an FST order and moves the recent prices under FST, sets the storage
/// version, and the chain goes on (invariants checked at the next block).
#[test]
fn the_payment_asset_migration_runs_through_pallet_migrations() {
	use frame_support::{
		migrations::MultiStepMigrator,
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	};
	use pallet_market::migrations::v1::v0;
	run(Timings::Dev, || {
		register_witness(Who::Eve, true);
		let a = create_order(Who::Dave, 2, 10 * FST, 1, 20);
		let b = create_order(Who::Dave, 1, 7 * FST, 1, 20);
		let current: Vec<_> = pallet_market::Orders::<Runtime>::iter().collect();
		assert_eq!(current.len(), 2);
		// The state a version-0 chain has: orders without an asset, prices per level only.
		for (id, order) in &current {
			v0::Orders::<Runtime>::insert(
				id,
				v0::OrderRecord {
					customer: order.customer.clone(),
					payer: order.payer.clone(),
					level: order.level,
					periods: order.periods,
					period_length: order.period_length,
					max_unit_price: order.max_unit_price,
					committee_size: order.committee_size,
					package_hash: order.package_hash,
					min_reputation: order.min_reputation,
					prepay: order.prepay,
					paid: order.paid,
					refunded: order.refunded,
					state: order.state.clone(),
					lease: order.lease.clone(),
					created_at: order.created_at,
				},
			);
		}
		v0::RecentPrices::<Runtime>::insert(
			0,
			frame_support::BoundedVec::truncate_from(vec![5 * FST]),
		);
		StorageVersion::new(0).put::<pallet_market::Pallet<Runtime>>();

		<defaas_runtime::MultiBlockMigrations as OnRuntimeUpgrade>::on_runtime_upgrade();
		assert!(<defaas_runtime::MultiBlockMigrations as MultiStepMigrator>::ongoing());
		let mut steps = 0;
		while <defaas_runtime::MultiBlockMigrations as MultiStepMigrator>::ongoing() {
			<defaas_runtime::MultiBlockMigrations as MultiStepMigrator>::step();
			steps += 1;
			assert!(steps < 10, "the migration ends");
		}
		assert_eq!(
			pallet_market::Pallet::<Runtime>::on_chain_storage_version(),
			StorageVersion::new(1)
		);
		for (id, order) in current {
			assert_eq!(harness::order(id), order, "order {id} is the same FST order");
		}
		assert_eq!(order_view(a).asset, AssetKind::Native);
		assert_eq!(order_view(b).asset, AssetKind::Native);
		assert_eq!(quote(1).map(|q| q.median_unit_price), Some(5 * FST), "prices moved to FST");
		assert!(events().iter().any(|(_, e)| matches!(
			e,
			defaas_runtime::RuntimeEvent::MultiBlockMigrations(
				pallet_migrations::Event::UpgradeCompleted
			)
		)));
	});
}

/// The upgrade drill's migration (what the network test's forkless upgrade carries): on the
/// genesis state it adds the `large` level once — pre/post checks pass, a second run changes
/// no storage — and orders for it are accepted afterwards.
#[test]
fn the_drill_migration_adds_its_level_once() {
	use defaas_runtime::migrations::drill::{large_level, AddLargeLevel};
	use frame_support::traits::OnRuntimeUpgrade;
	run(Timings::Dev, || {
		let before = levels();
		assert!(!before.iter().any(|(_, info)| *info == large_level().to_info()));
		let mut roots = Vec::new();
		for run in 1..=2 {
			let state = AddLargeLevel::pre_upgrade().expect("pre_upgrade");
			let weight = AddLargeLevel::on_runtime_upgrade();
			assert!(weight.ref_time() > 0, "run {run}: the table was read");
			AddLargeLevel::post_upgrade(state).unwrap_or_else(|e| panic!("run {run}: {e:?}"));
			roots.push(sp_io::storage::root(sp_runtime::StateVersion::V1));
		}
		assert_eq!(roots[0], roots[1], "the second run changed storage");
		let after = levels();
		assert_eq!(after.len(), before.len() + 1);
		let (id, info) = after.last().expect("a level").clone();
		assert_eq!(info, large_level().to_info());
		let added = MarketEvent::LevelAdded { level_id: id, level: large_level() };
		assert!(market_events().iter().any(|(_, e)| *e == added));
	});
}

#[test]
fn sealed_bid_auction_fallback_candidate_confirms_and_serves() {
	run(Timings::Dev, || {
		// The paper's four levels come from the preset.
		let table = levels();
		assert_eq!(table.len(), 4);
		assert_eq!(table[0].1, pallet_market::LevelInfo::new(1000, 0, 512, 50, b"normal"));
		assert_eq!(table[3].1.tag, b"ai".to_vec());
		assert_eq!(table[3].1.gpu_units, 10);

		// A witness to staff the one-member committees (active from block 41).
		register_witness(Who::Eve, true);
		assert_eq!(witness_held(Who::Eve), WITNESS_STAKE);

		let customer = Who::Dave;
		let (winner, fallback, third, fourth, fifth, silent) = (
			Who::Charlie,
			Who::Ferdie,
			Who::Bob,
			Who::CharlieStash,
			Who::FerdieStash,
			Who::BobStash,
		);
		let bidders = [winner, fallback, third, fourth, fifth, silent];
		providers(&bidders);
		for p in bidders {
			let view = provider_view(p);
			assert!(view.online, "{p:?} heartbeated");
			assert_eq!(view.stake, PROVIDER_STAKE);
			assert_eq!(view.reputation, Permill::from_percent(50), "a new provider has 50 %");
			assert_eq!((view.open_bids, view.active_leases), (0, 0));
			assert_eq!(held(p, HoldReason::ProviderStake), PROVIDER_STAKE, "stake held");
		}

		// Block 20: the customer orders 3 periods at ≤ 10 FST through a signed transaction.
		run_to(20);
		for p in bidders {
			heartbeat(p);
		}
		let (free_0, held_0) = (free(customer), total_held(customer));
		let id = pallet_market::NextOrderId::<Runtime>::get();
		let (result, create_fee) = submit(customer, create_order_call(3, 10 * FST, 1, 10, None));
		assert_eq!(result, Ok(()));
		let prepay = 2 * 3 * 10 * FST;
		assert_eq!(held(customer, HoldReason::OrderPrepay) - held_0, prepay, "prepay held");
		assert_eq!(free(customer), free_0 - prepay - create_fee);
		market_event_block(&MarketEvent::OrderCreated {
			order_id: id,
			customer: acc(customer),
			payer: acc(customer),
			asset: AssetKind::Native,
			level: 0,
			periods: 3,
			max_unit_price: 10 * FST,
			prepay,
			bidding_ends: 30,
		});
		assert_eq!(open_orders(), vec![id], "the order is open");

		// Sealed bids; the silent bidder would have been the cheapest.
		let prices = [(winner, 5), (fallback, 6), (third, 7), (fourth, 8), (fifth, 9), (silent, 4)];
		for (p, price) in prices {
			if p == third {
				let commitment = defaas_primitives::commitments::bid_commitment(
					id,
					&(price * FST),
					&bid_salt(p, id),
					&acc(p),
				);
				let before = free(p);
				let (result, fee) = submit(p, MarketCall::commit_bid { order_id: id, commitment });
				assert_eq!(result, Ok(()));
				assert_eq!(free(p), before - BID_DEPOSIT - fee);
			} else {
				commit_bid(p, id, price * FST);
			}
			market_event_block(&MarketEvent::BidCommitted { order_id: id, provider: acc(p) });
		}
		for p in bidders {
			assert_eq!(total_held(p), PROVIDER_STAKE + BID_DEPOSIT, "stake and deposit held");
			assert_eq!(provider(p).open_bids, 1);
		}
		fails(third, MarketCall::unregister_provider {}, MarketError::HasOpenBids);
		fails(
			customer,
			MarketCall::commit_bid { order_id: id, commitment: [0; 32] },
			MarketError::OwnOrder,
		);

		// The bid window ends in block 30's `on_idle`.
		run_to(30);
		assert!(matches!(state(id), OrderState::Bidding { .. }), "deadline not applied yet");
		next_block();
		assert_eq!(state(id), OrderState::Revealing { reveal_ends: 35 });
		assert_eq!(
			market_event_block(&MarketEvent::RevealStarted { order_id: id, reveal_ends: 35 }),
			30
		);
		for (p, price) in prices {
			if p != silent {
				reveal_bid(p, id, price * FST);
			}
		}
		// A runtime upgrade enacted mid-auction (sealed and revealed bids held) passes every
		// try-runtime check, twice.
		next_block_checking_runtime_upgrade();

		// Block 35: the auction closes. The fifth revealed bid is released, the unrevealed one
		// forfeited (burned); the candidate and three fallbacks stay held.
		let issuance_before_close = issuance();
		run_to(36);
		let (candidate, price, confirm_until) = confirming(id);
		assert_eq!((candidate, price, confirm_until), (acc(winner), 5 * FST, 40));
		let closed = MarketEvent::AuctionClosed {
			order_id: id,
			candidate: acc(winner),
			price: 5 * FST,
			revealed: 5,
			confirm_until: 40,
		};
		assert_eq!(market_event_block(&closed), 35);
		let released = MarketEvent::BidDepositReleased {
			order_id: id,
			provider: acc(fifth),
			amount: BID_DEPOSIT,
		};
		assert_eq!(market_event_block(&released), 35);
		let forfeited = MarketEvent::BidDepositForfeited {
			order_id: id,
			provider: acc(silent),
			amount: BID_DEPOSIT,
		};
		assert_eq!(market_event_block(&forfeited), 35);
		assert!(token_events_in(35).contains(&TokenEvent::Slashed {
			who: acc(silent),
			amount: BID_DEPOSIT,
			burned: true
		}));
		assert_eq!(issuance(), issuance_before_close - BID_DEPOSIT, "the forfeit is burned");
		for p in [winner, fallback, third, fourth] {
			assert_eq!(total_held(p), PROVIDER_STAKE + BID_DEPOSIT, "{p:?}: candidates held");
		}
		for p in [fifth, silent] {
			assert_eq!(total_held(p), PROVIDER_STAKE, "{p:?}: out of the auction");
		}
		assert_eq!(free(fifth), ENDOWMENT - PROVIDER_STAKE);
		assert_eq!(free(silent), ENDOWMENT - PROVIDER_STAKE - BID_DEPOSIT);
		assert!(open_orders().is_empty(), "the auction is over");
		fails(fallback, MarketCall::confirm_order { order_id: id }, MarketError::NotCandidate);

		// The winner lets its confirm window pass: block 40 asks the first fallback.
		run_to(41);
		let replaced = MarketEvent::CandidateReplaced {
			order_id: id,
			previous: acc(winner),
			candidate: acc(fallback),
			price: 6 * FST,
			confirm_until: 45,
		};
		assert_eq!(market_event_block(&replaced), 40);
		let forfeited = MarketEvent::BidDepositForfeited {
			order_id: id,
			provider: acc(winner),
			amount: BID_DEPOSIT,
		};
		assert_eq!(market_event_block(&forfeited), 40);
		assert_eq!(total_held(winner), PROVIDER_STAKE);
		assert_eq!(free(winner), ENDOWMENT - PROVIDER_STAKE - BID_DEPOSIT);
		fails(winner, MarketCall::confirm_order { order_id: id }, MarketError::NotCandidate);

		// The fallback confirms: the other fallbacks' deposits are released, its own stays.
		ok(fallback, MarketCall::confirm_order { order_id: id });
		market_event_block(&MarketEvent::OrderConfirmed {
			order_id: id,
			level: order_view(id).level,
			asset: AssetKind::Native,
			provider: acc(fallback),
			unit_price: 6 * FST,
			deploy_until: 51,
		});
		for p in [third, fourth] {
			assert_eq!(total_held(p), PROVIDER_STAKE, "{p:?}: released on confirm");
			assert_eq!(provider(p).open_bids, 0);
		}
		assert_eq!(total_held(fallback), PROVIDER_STAKE + BID_DEPOSIT);
		assert_eq!(state(id), OrderState::Deploying { deploy_until: 51 });
		// Won, not deployed yet: the provider cannot leave.
		fails(fallback, MarketCall::unregister_provider {}, MarketError::HasActiveLeases);
		let q = quote(3).expect("a clearing price exists");
		assert_eq!(q.recent_prices, vec![6 * FST]);
		assert_eq!((q.median_unit_price, q.estimated_fee, q.prepay), (6 * FST, 18 * FST, 36 * FST));
		assert_eq!(q.max_committee, 1, "one registered witness");

		// Block 42: the fallback deploys; its deposit is released and period 0 starts.
		run_to(42);
		ok(fallback, MarketCall::fulfill { order_id: id });
		market_event_block(&MarketEvent::LeaseStarted {
			order_id: id,
			provider: acc(fallback),
			first_period_start: 42,
			period_length: 20,
			periods: 3,
		});
		let view = order_view(id);
		assert_eq!(view.state, OrderState::Fulfilling { round: 0, verdict_due: 82 });
		assert_eq!((view.provider, view.unit_price), (Some(acc(fallback)), Some(6 * FST)));
		assert_eq!((view.lease_start, view.bids), (Some(42), 0));
		assert_eq!(held(customer, HoldReason::OrderPrepay), prepay, "the prepay stays held");
		for p in bidders {
			assert_eq!(total_held(p), PROVIDER_STAKE, "{p:?}: no bid deposit left");
		}
		fails(fallback, MarketCall::unregister_provider {}, MarketError::HasActiveLeases);

		// Three clean periods with Eve as the committee.
		let plans = (0..3).map(|_| RoundPlan::all(&[Who::Eve], Report::Reveal(false))).collect();
		let mut driver = LeaseDriver::new(id, plans, &[Who::Eve]);
		for r in 0..3 {
			driver.run_until_finished(r, 60);
			assert_eq!(check_round_settlement(&driver, r), Verdict::NoViolation);
			assert_eq!(driver.log(r).members, vec![(Who::Eve, driver.log(r).joins[0].1.into())]);
			let settled = market_events()
				.into_iter()
				.find(|(_, e)| matches!(e, MarketEvent::PeriodSettled { round, .. } if *round == r))
				.expect("PeriodSettled");
			assert_eq!(settled.0, driver.log(r).reveal_end);
			assert!(matches!(settled.1, MarketEvent::PeriodSettled {
				verdict: Verdict::NoViolation, paid, compensation: 0, ..
			} if paid == 6 * FST));
		}
		let (end, event) = end_event(id);
		assert_eq!(end, driver.log(2).reveal_end);
		assert_eq!(
			event,
			MarketEvent::OrderFinished {
				order_id: id,
				paid: 18 * FST,
				refunded: prepay - 18 * FST,
				tally: PeriodTally { periods: 3, paid: 3, violated: 0, unsettled: 0 },
			}
		);
		assert!(matches!(state(id), OrderState::Finished { .. }));

		// Final balances: the customer paid three periods and one fee, the provider earned
		// them, the winner and the silent bidder lost their deposits, Eve earned 3 × 1 FST.
		assert_eq!(total_held(customer), 0);
		assert_eq!(free(customer), ENDOWMENT - create_fee - 18 * FST);
		assert_eq!(free(fallback), ENDOWMENT - PROVIDER_STAKE + 18 * FST);
		assert_eq!(free(Who::Eve), ENDOWMENT - WITNESS_STAKE + 3 * REWARD_UNIT);
		assert_eq!(witness(Who::Eve).reputation, 100);

		// Leaving: stakes come back in full.
		ok(fallback, MarketCall::unregister_provider {});
		market_event_block(&MarketEvent::ProviderUnregistered {
			provider: acc(fallback),
			released: PROVIDER_STAKE,
			slashed: 0,
		});
		assert_eq!(free(fallback), ENDOWMENT + 18 * FST);
		ok(Who::Eve, PoolCall::unregister_witness {});
		pool_event_block(&PoolEvent::WitnessUnregistered {
			witness: acc(Who::Eve),
			refunded: WITNESS_STAKE,
			slashed: 0,
		});
		let (minted, burned, fees) = ledger();
		assert_eq!((minted, burned), (3 * REWARD_UNIT, 2 * BID_DEPOSIT));
		assert_eq!(issuance(), genesis_issuance() + minted - burned - fees);
	});
}

// =============================================================================================
// Lease with VRF committees
// =============================================================================================

/// Five witnesses with keystore keys; a three-period lease with a committee of three. Round 0:
/// everyone joins by VRF, all report clean → NoViolation (paid, +1 each). Round 1: everyone
/// joins, two of three report a violation → Violated (not paid, 50 FST of the provider's stake
/// to the customer, +10 for the majority, −1 reputation for the minority). Round 2: one
/// witness joins, seeded sampling fills the other seats, one member does not reveal →
/// NoViolation (paid, the silent member −10 reputation and 1 FST slashed). Ports every
/// assertion of `witness_flow.rs`.
#[test]
fn lease_rounds_with_vrf_committees_settle_by_verdict() {
	run(Timings::Dev, || {
		let witnesses = [Who::Alice, Who::Charlie, Who::Eve, Who::Ferdie, Who::AliceStash];
		for w in witnesses {
			let key = register_witness(w, true);
			let view = witness_view(w);
			assert_eq!((view.reputation, view.stake, view.vrf_key), (100, WITNESS_STAKE, key));
			assert_eq!(
				(view.active_from, view.active, view.seats),
				(1 + ACTIVATION_DELAY, false, 0)
			);
		}
		let (bob, dave) = (Who::Bob, Who::Dave);
		register_provider(bob);

		// Block 30: three periods, committee of three; bidding ends at 35, reveals until 40.
		run_to(30);
		heartbeat(bob);
		let (customer_free_0, customer_held_0) = (free(dave), total_held(dave));
		let id = pallet_market::NextOrderId::<Runtime>::get();
		let (result, fee) = submit(dave, create_order_call(3, 10 * FST, 3, 5, None));
		assert_eq!(result, Ok(()));
		let unit = 5 * FST;
		commit_bid(bob, id, unit);
		run_to(35);
		reveal_bid(bob, id, unit);
		run_to(41);
		assert!(witness_view(Who::Alice).active, "the witnesses are active from block 41");
		ok(bob, MarketCall::confirm_order { order_id: id });
		ok(bob, MarketCall::fulfill { order_id: id });
		let first_period_start = 41;
		assert_eq!(state(id), OrderState::Fulfilling { round: 0, verdict_due: 81 });
		pool_event_block(&PoolEvent::MonitoringStarted {
			order_id: id,
			periods: 3,
			committee_size: 3,
			first_round_opens: 42,
		});
		let bob_free_0 = free(bob);
		assert_eq!(total_held(bob), PROVIDER_STAKE, "only the stake is held");

		let plans = vec![
			RoundPlan::all(&witnesses, Report::Reveal(false)),
			RoundPlan {
				joiners: witnesses.to_vec(),
				report: Box::new(|position| Report::Reveal(position < 2)),
			},
			RoundPlan {
				joiners: vec![Who::Alice],
				report: Box::new(|position| {
					if position == 1 {
						Report::Unrevealed(false)
					} else {
						Report::Reveal(false)
					}
				}),
			},
		];
		let mut driver = LeaseDriver::new(id, plans, &witnesses);

		// Round 0: the committee is the three lowest VRF outputs, all joined (not seeded).
		driver.run_to(first_period_start + 9);
		let log = driver.log(0).clone();
		assert_eq!((log.opened_at, log.join_end), (42, 50));
		assert_eq!((log.commit_end, log.reveal_end), (65, 71));
		assert_eq!(log.threshold, u128::MAX, "5 active witnesses ≤ 2 × 3: everyone may join");
		assert_eq!(log.joins.len(), 5, "every witness signed and tried");
		check_vrf_committee(&log, 3);
		let view = round_view(id, 0);
		assert_eq!(view.members.len(), 3, "a full committee");
		assert!(view
			.members
			.iter()
			.all(|m| !m.seeded && witnesses.iter().any(|w| acc(*w) == m.witness)));
		assert_eq!(committee(id, 0).len(), 3);
		assert_eq!(view.commits, 3, "every member committed");
		pool_event_block(&PoolEvent::CommitteeSelected {
			order_id: id,
			round: 0,
			members: log.members.iter().map(|(w, _)| acc(*w)).collect(),
		});
		// A runtime upgrade enacted mid-lease (round 0 committed, round 1 open) passes every
		// try-runtime check, twice.
		next_block_checking_runtime_upgrade();

		driver.run_until_finished(0, 30);
		assert_eq!(now(), 71);
		assert_eq!(check_round_settlement(&driver, 0), Verdict::NoViolation);
		assert_eq!(round_view(id, 0).verdict, Some(Verdict::NoViolation));
		assert_eq!(round_view(id, 0).reveals, 3);
		assert_eq!(free(bob), bob_free_0 + unit, "the provider is paid exactly one period");
		let settled_0 = market_events()
			.into_iter()
			.find(|(_, e)| matches!(e, MarketEvent::PeriodSettled { round: 0, .. }))
			.expect("PeriodSettled 0");
		assert_eq!(settled_0.0, 71);
		assert!(matches!(settled_0.1, MarketEvent::PeriodSettled {
			verdict: Verdict::NoViolation, paid, compensation: 0, ..
		} if paid == unit));
		assert_eq!(state(id), OrderState::Fulfilling { round: 1, verdict_due: 101 });

		// Round 1: joined by VRF again; two of three report a violation.
		driver.run_until_finished(1, 30);
		assert_eq!(now(), 91);
		let log = driver.log(1).clone();
		assert_eq!((log.opened_at, log.join_end, log.commit_end), (61, 69, 85));
		check_vrf_committee(&log, 3);
		assert_eq!(check_round_settlement(&driver, 1), Verdict::Violated);
		assert_eq!(free(bob), bob_free_0 + unit, "no payment for the violated period");
		assert_eq!(total_held(bob), PROVIDER_STAKE - VIOLATION_SLASH, "stake compensates");
		let settled_1 = market_events()
			.into_iter()
			.find(|(_, e)| matches!(e, MarketEvent::PeriodSettled { round: 1, .. }))
			.expect("PeriodSettled 1");
		assert_eq!(settled_1.0, 91);
		assert!(matches!(settled_1.1, MarketEvent::PeriodSettled {
			verdict: Verdict::Violated, paid: 0, compensation, ..
		} if compensation == VIOLATION_SLASH));
		let minority = log.reports[2].0;
		assert_eq!(witness(minority).reputation, 99, "the minority member loses a point");
		assert_eq!(free(dave), customer_free_0 - fee - 60 * FST + VIOLATION_SLASH);
		// The compensation counts among the era's slashes (`FaasTokenApi::eras`), unburned.
		let era = <Runtime as FaasTokenApiV1<Block, Balance, BlockNumber>>::eras()
			.current
			.expect("an era is open");
		assert_eq!((era.index, era.slashed, era.burned), (0, VIOLATION_SLASH, 0));
		// As the end-to-end test saw it after two rounds: reputation 99 for the minority, 100
		// for everyone else, no witness slashed, rewards 1, 1, 1 and 10, 10.
		for w in witnesses {
			let expected = if w == minority { 99 } else { 100 };
			assert_eq!(
				(witness(w).reputation, witness_held(w)),
				(expected, WITNESS_STAKE),
				"{w:?}"
			);
		}
		let mut rewards: Vec<Balance> = token_events()
			.into_iter()
			.filter_map(|(_, e)| match e {
				TokenEvent::RewardMinted { amount, .. } => Some(amount / REWARD_UNIT),
				_ => None,
			})
			.collect();
		rewards.sort();
		assert_eq!(rewards, vec![1, 1, 1, 10, 10]);

		// Round 2: one joiner, two seeded seats; the second member never reveals.
		driver.run_until_finished(2, 30);
		assert_eq!(now(), 111);
		let log = driver.log(2).clone();
		assert_eq!(log.members.len(), 3, "seeded sampling filled the committee");
		assert_eq!(log.members[0], (Who::Alice, Some(log.joins[0].1)));
		let seeded: Vec<AccountId> = log.members[1..]
			.iter()
			.map(|(w, output)| {
				assert_eq!(*output, None, "seeded");
				acc(*w)
			})
			.collect();
		assert_eq!(seeded, expected_seeded(&log, &[acc(Who::Alice)], 3, &[acc(bob), acc(dave)]));
		assert_eq!(check_round_settlement(&driver, 2), Verdict::NoViolation);
		let silent = log.reports[1].0;
		assert!(token_events_in(111).contains(&TokenEvent::Slashed {
			who: acc(silent),
			amount: REWARD_UNIT,
			burned: true
		}));

		// The order finished: two paid periods, one violated; the prepay's rest is released.
		let (end, event) = end_event(id);
		assert_eq!(end, 111);
		assert_eq!(
			event,
			MarketEvent::OrderFinished {
				order_id: id,
				paid: 2 * unit,
				refunded: 60 * FST - 2 * unit,
				tally: PeriodTally { periods: 3, paid: 2, violated: 1, unsettled: 0 },
			}
		);
		pool_event_block(&PoolEvent::MonitoringStopped { order_id: id });
		assert_eq!(free(bob), bob_free_0 + 2 * unit);
		assert_eq!(total_held(bob), PROVIDER_STAKE - VIOLATION_SLASH);
		assert_eq!(total_held(dave), customer_held_0, "the prepay is fully released");
		assert_eq!(
			free(dave),
			customer_free_0 - fee - 2 * unit + VIOLATION_SLASH,
			"customer: −2 periods + compensation − the create_order fee"
		);
		let settled: Vec<Verdict> = market_events()
			.into_iter()
			.filter_map(|(_, e)| match e {
				MarketEvent::PeriodSettled { verdict, .. } => Some(verdict),
				_ => None,
			})
			.collect();
		assert_eq!(settled, vec![Verdict::NoViolation, Verdict::Violated, Verdict::NoViolation]);
		let rounds_settled = pool_events()
			.iter()
			.filter(|(_, e)| matches!(e, PoolEvent::RoundSettled { .. }))
			.count();
		assert_eq!(rounds_settled, 3);
		let mut rewards: Vec<Balance> = token_events()
			.into_iter()
			.filter_map(|(_, e)| match e {
				TokenEvent::RewardMinted { amount, .. } => Some(amount / REWARD_UNIT),
				_ => None,
			})
			.collect();
		rewards.sort();
		assert_eq!(rewards, vec![1, 1, 1, 1, 1, 10, 10], "3 × 1 (r0), 2 × 10 (r1), 2 × 1 (r2)");

		// Every witness's reputation and stake follow the payoff table.
		for w in witnesses {
			let (reputation, stake) = expected_witness(&driver, &[0, 1, 2], w);
			let view = witness_view(w);
			assert_eq!((view.reputation, view.stake), (reputation, stake), "{w:?}");
			assert_eq!(witness_held(w), stake, "{w:?}");
			assert_eq!(view.seats, 0);
		}
		assert_eq!(witness(silent).reputation, expected_witness(&driver, &[0, 1, 2], silent).0);
		assert!(witness(silent).reputation <= 90, "a missed reveal costs 10");
	});
}

// =============================================================================================
// Production time parameters
// =============================================================================================

/// The `development` preset without timings runs the pallets' production defaults: a 20-block
/// minimum bid window, 40-block reveals, 200 blocks to deploy, hour-long (1200-block) billing
/// periods with 100-block join, commit and reveal windows. Order A is served for two periods
/// (round 0 reported clean and paid; nobody reports in round 1: no quorum, the round lapses,
/// every member loses 10 reputation and 1 FST, and the market times the lease out 300 blocks
/// after the period — period 1 unpaid, refunded); order B's winner never deploys and loses its
/// deposit after exactly 200 blocks. About 2,850 blocks, all driven by the hooks.
#[test]
fn production_windows_with_a_fast_block_loop() {
	run(Timings::Production, || {
		assert!(pallet_market::Timings::<Runtime>::get().is_none());
		assert!(pallet_witness_pool::Timings::<Runtime>::get().is_none());
		let market = pallet_market::Pallet::<Runtime>::timings();
		assert_eq!(market, <Runtime as pallet_market::Config>::DefaultTimings::get());
		assert_eq!((market.min_bid_window, market.reveal_window), (20, 40));
		assert_eq!((market.confirm_window, market.deploy_window), (100, 200));
		assert_eq!((market.billing_period, market.verdict_grace), (1200, 300));
		let pool = pallet_witness_pool::Pallet::<Runtime>::timings();
		assert_eq!((pool.join_window, pool.commit_window, pool.reveal_window), (100, 100, 100));

		let witnesses = [Who::Alice, Who::Charlie, Who::Eve];
		for w in witnesses {
			register_witness(w, true);
		}
		let (bob, ferdie) = (Who::Bob, Who::Ferdie);
		providers(&[bob, ferdie]);
		let (dave, dave_stash) = (Who::Dave, Who::DaveStash);

		run_to(1 + ACTIVATION_DELAY);
		heartbeat(bob);
		heartbeat(ferdie);
		fails(dave, create_order_call(2, 10 * FST, 2, 19, None), MarketError::BidWindowTooShort);
		let a = create_order(dave, 2, 10 * FST, 2, 20);
		let b = create_order(dave_stash, 1, 10 * FST, 1, 20);
		assert_eq!((bidding_ends(a), bidding_ends(b)), (61, 61));
		commit_bid(bob, a, 5 * FST);
		commit_bid(ferdie, b, 4 * FST);

		run_to(62);
		assert_eq!(
			market_event_block(&MarketEvent::RevealStarted { order_id: a, reveal_ends: 101 }),
			61
		);
		reveal_bid(bob, a, 5 * FST);
		reveal_bid(ferdie, b, 4 * FST);
		run_to(102);
		assert_eq!(confirming(a), (acc(bob), 5 * FST, 201));
		assert_eq!(confirming(b), (acc(ferdie), 4 * FST, 201));
		ok(bob, MarketCall::confirm_order { order_id: a });
		ok(ferdie, MarketCall::confirm_order { order_id: b });
		assert_eq!(state(b), OrderState::Deploying { deploy_until: 302 });

		// Order A is deployed at block 150.
		run_to(150);
		ok(bob, MarketCall::fulfill { order_id: a });
		let bob_free_0 = free(bob);
		assert_eq!(state(a), OrderState::Fulfilling { round: 0, verdict_due: 150 + 1200 + 300 });

		// Order B: its winner never deploys; block 302 cancels it and forfeits the deposit.
		let plans = vec![
			RoundPlan::all(&witnesses, Report::Reveal(false)),
			RoundPlan::all(&witnesses, Report::Silent),
		];
		let mut driver = LeaseDriver::new(a, plans, &witnesses);
		driver.run_to(303);
		let (end, event) = end_event(b);
		assert_eq!(end, 302);
		assert_eq!(
			event,
			MarketEvent::OrderCancelled {
				order_id: b,
				reason: CloseReason::ProviderDidNotDeploy,
				paid: 0,
				refunded: 20 * FST,
				tally: PeriodTally { periods: 1, paid: 0, violated: 0, unsettled: 1 },
			}
		);
		assert_eq!(
			market_event_block(&MarketEvent::BidDepositForfeited {
				order_id: b,
				provider: acc(ferdie),
				amount: BID_DEPOSIT
			}),
			302
		);
		assert_eq!((free(dave_stash), total_held(dave_stash)), (ENDOWMENT, 0));
		assert_eq!(total_held(ferdie), PROVIDER_STAKE);
		assert_eq!(free(ferdie), ENDOWMENT - PROVIDER_STAKE - BID_DEPOSIT);

		// Round 0 of A: production windows; settled at the end of its reveal window.
		driver.run_until_finished(0, 1500);
		let log = driver.log(0).clone();
		assert_eq!((log.opened_at, log.join_end), (151, 251));
		assert_eq!((log.commit_end, log.reveal_end), (150 + 1200 + 100, 150 + 1200 + 200));
		assert_eq!(now(), 1550);
		check_vrf_committee(&log, 2);
		assert_eq!(check_round_settlement(&driver, 0), Verdict::NoViolation);
		assert_eq!(free(bob), bob_free_0 + 5 * FST);
		assert_eq!(state(a), OrderState::Fulfilling { round: 1, verdict_due: 150 + 2400 + 300 });

		// Round 1: opened at the start of period 1 (block 1350); nobody reports: no quorum, the
		// round lapses without a verdict (the silent members are penalised) ...
		driver.run_until_finished(1, 1300);
		let log = driver.log(1).clone();
		assert_eq!((log.opened_at, log.join_end), (1350, 1450));
		assert_eq!((log.commit_end, log.reveal_end), (2650, 2750));
		assert_eq!(now(), 2750);
		check_vrf_committee(&log, 2);
		let lapsed = PoolEvent::RoundLapsed { order_id: a, round: 1, reveals: 0, members: 2 };
		assert_eq!(pool_event_block(&lapsed), 2750);
		// ... and the market times the lease out at the round's verdict deadline: period 1 is
		// not paid, the rest of the prepay goes back to the customer.
		run_to(150 + 2400 + 300 + 1);
		let (end, event) = end_event(a);
		assert_eq!(end, 150 + 2400 + 300);
		assert_eq!(
			event,
			MarketEvent::OrderFailed {
				order_id: a,
				reason: CloseReason::MonitorTimedOut,
				paid: 5 * FST,
				refunded: 35 * FST,
				tally: PeriodTally { periods: 2, paid: 1, violated: 0, unsettled: 1 },
			}
		);
		assert_eq!(free(bob), bob_free_0 + 5 * FST);
		assert_eq!((free(dave), total_held(dave)), (ENDOWMENT - 5 * FST, 0));
		for w in witnesses {
			let (reputation, stake) = expected_witness(&driver, &[0, 1], w);
			assert_eq!((witness(w).reputation, witness_held(w)), (reputation, stake), "{w:?}");
		}
		for (w, _) in &log.members {
			assert_eq!(witness(*w).reputation, expected_witness(&driver, &[0, 1], *w).0);
			assert!(witness(*w).reputation <= 90, "silent members lose 10");
		}
	});
}

// =============================================================================================
// Sponsor
// =============================================================================================

/// A sponsor approves the customer (a signed `FaasToken::approve` transaction); the customer's
/// order spends the allowance and the prepay is held from the sponsor, who pays the period and
/// gets the rest back. An allowance too small for a second order is refused.
/// docs/architecture.md §12: an account that holds no FST at all, only the stable test asset,
/// orders a function paying every fee in the asset; the provider wins with a price in the asset
/// and is paid per settled period in it; the violated period is refunded in it; every balance
/// is checked exactly per asset.
#[test]
fn an_account_holding_only_the_stable_asset_orders_pays_fees_and_is_refunded_in_it() {
	use defaas_runtime::genesis_config_presets::{DEV_STABLE_ASSET, DEV_STABLE_UNIT};
	run(Timings::Dev, || {
		let tusd = AssetKind::WithId(DEV_STABLE_ASSET);
		let witnesses = [Who::Alice, Who::Charlie, Who::Eve];
		for w in witnesses {
			register_witness(w, true);
		}
		let (bob, customer) = (Who::Bob, Who::One);
		register_provider(bob);
		// Alice gives the new account 1,000 TUSD: a sufficient asset opens the account alone.
		ok(
			Who::Alice,
			pallet_assets::Call::<Runtime>::transfer {
				id: codec::Compact(DEV_STABLE_ASSET),
				target: sp_runtime::MultiAddress::Id(acc(customer)),
				amount: 1_000 * DEV_STABLE_UNIT,
			},
		);
		assert_eq!((free(customer), total_held(customer)), (0, 0), "no FST at all");
		assert_eq!(asset_free(&tusd, customer), 1_000 * DEV_STABLE_UNIT);

		run_to(30);
		heartbeat(bob);
		let id = pallet_market::NextOrderId::<Runtime>::get();
		let max = 50 * DEV_STABLE_UNIT;
		let (result, create_fee) = submit_paying_in(
			customer,
			create_order_call_in(tusd.clone(), 2, max, 1, 5),
			tusd.clone(),
		);
		assert_eq!(result, Ok(()));
		let prepay = 2 * 2 * max;
		assert_eq!(order(id).asset, tusd);
		assert_eq!(order_view(id).asset, tusd);
		assert_eq!(asset_free(&tusd, customer), 1_000 * DEV_STABLE_UNIT - create_fee - prepay);
		assert_eq!(free(customer), 0, "the fee was paid in TUSD");

		let unit = 30 * DEV_STABLE_UNIT;
		commit_bid(bob, id, unit);
		run_to(35);
		reveal_bid(bob, id, unit);
		run_to(41);
		ok(bob, MarketCall::confirm_order { order_id: id });
		ok(bob, MarketCall::fulfill { order_id: id });
		let (bob_fst, bob_tusd) = (free(bob), asset_free(&tusd, bob));
		// The clearing price is quoted in TUSD, not in FST.
		let in_tusd =
			<Runtime as MarketApiV2<Block, AccountId, AssetKind, Balance, BlockNumber>>::quote(
				0,
				tusd.clone(),
				2,
			)
			.expect("a TUSD quote");
		assert_eq!((in_tusd.asset, in_tusd.median_unit_price), (tusd.clone(), unit));
		assert_eq!(quote(2), None, "no FST trade yet");

		let plans = vec![
			RoundPlan::all(&witnesses, Report::Reveal(false)),
			RoundPlan::all(&witnesses, Report::Reveal(true)),
		];
		let mut driver = LeaseDriver::new(id, plans, &witnesses);
		driver.run_until_finished(0, 60);
		assert_eq!(asset_free(&tusd, bob), bob_tusd + unit, "round 0 paid in TUSD");
		assert_eq!(free(bob), bob_fst, "and not in FST");
		driver.run_until_finished(1, 60);
		let (_, event) = end_event(id);
		assert_eq!(
			event,
			MarketEvent::OrderFinished {
				order_id: id,
				paid: unit,
				refunded: prepay - unit,
				tally: PeriodTally { periods: 2, paid: 1, violated: 1, unsettled: 0 },
			}
		);
		assert_eq!(asset_free(&tusd, bob), bob_tusd + unit);
		assert_eq!(
			asset_total(&tusd, customer),
			1_000 * DEV_STABLE_UNIT - create_fee - unit,
			"the customer paid one period and the fee, in TUSD; the rest came back"
		);
		// The violated period's compensation is the provider's stake: FST.
		assert_eq!(free(customer), VIOLATION_SLASH);
		assert_eq!(total_held(bob), PROVIDER_STAKE - VIOLATION_SLASH);
	});
}

#[test]
fn sponsor_funds_an_order_through_an_allowance_and_gets_the_refund() {
	run(Timings::Dev, || {
		register_witness(Who::Alice, true);
		let (bob, dave, sponsor) = (Who::Bob, Who::Dave, Who::Ferdie);
		register_provider(bob);
		run_to(30);
		heartbeat(bob);

		let prepay = 2 * 10 * FST;
		let (result, approve_fee) = submit(
			sponsor,
			TokenCall::approve { spender: acc(dave).into(), amount: prepay + 5 * FST },
		);
		assert_eq!(result, Ok(()));
		assert!(token_events_in(30).contains(&TokenEvent::Approval {
			owner: acc(sponsor),
			spender: acc(dave),
			amount: prepay + 5 * FST
		}));

		let id = pallet_market::NextOrderId::<Runtime>::get();
		ok(dave, create_order_call(1, 10 * FST, 1, 5, Some(sponsor)));
		market_event_block(&MarketEvent::OrderCreated {
			order_id: id,
			customer: acc(dave),
			payer: acc(sponsor),
			asset: AssetKind::Native,
			level: 0,
			periods: 1,
			max_unit_price: 10 * FST,
			prepay,
			bidding_ends: 35,
		});
		assert!(token_events_in(30).contains(&TokenEvent::AllowanceSpent {
			owner: acc(sponsor),
			spender: acc(dave),
			amount: prepay
		}));
		assert_eq!(pallet_faas_token::Allowances::<Runtime>::get(acc(sponsor), acc(dave)), 5 * FST);
		assert_eq!(held(sponsor, HoldReason::OrderPrepay), prepay);
		assert_eq!(free(sponsor), ENDOWMENT - approve_fee - prepay);
		assert_eq!((free(dave), total_held(dave)), (ENDOWMENT, 0), "the customer pays nothing");
		assert_eq!(order(id).payer, acc(sponsor));

		// What is left of the allowance does not cover another order.
		fails(
			dave,
			create_order_call(1, 10 * FST, 1, 5, Some(sponsor)),
			MarketError::InsufficientAllowance,
		);

		let price = 8 * FST;
		commit_bid(bob, id, price);
		run_to(35);
		reveal_bid(bob, id, price);
		run_to(41);
		ok(bob, MarketCall::confirm_order { order_id: id });
		ok(bob, MarketCall::fulfill { order_id: id });
		let bob_free = free(bob);
		let mut driver = LeaseDriver::new(
			id,
			vec![RoundPlan::all(&[Who::Alice], Report::Reveal(false))],
			&[Who::Alice],
		);
		driver.run_until_finished(0, 40);
		assert_eq!(check_round_settlement(&driver, 0), Verdict::NoViolation);
		assert_eq!(free(bob), bob_free + price, "paid from the sponsor's hold");
		let (_, event) = end_event(id);
		assert_eq!(
			event,
			MarketEvent::OrderFinished {
				order_id: id,
				paid: price,
				refunded: prepay - price,
				tally: PeriodTally { periods: 1, paid: 1, violated: 0, unsettled: 0 },
			}
		);
		assert_eq!(total_held(sponsor), 0, "the sponsor got the rest back");
		assert_eq!(free(sponsor), ENDOWMENT - approve_fee - price);
		assert_eq!((free(dave), total_held(dave)), (ENDOWMENT, 0));
		assert_eq!(free(Who::Alice), ALICE_ENDOWMENT - WITNESS_STAKE + REWARD_UNIT);
	});
}

// =============================================================================================
// Cancellations
// =============================================================================================

/// The customer cancels during bidding (both bid deposits released) and while a candidate must
/// confirm; a provider aborts during deploying (its deposit released). Every prepay goes back
/// and the ended orders are pruned `retention_period` blocks later by `on_idle`.
#[test]
fn customer_cancels_during_bidding_and_provider_aborts_during_deploying() {
	run(Timings::Dev, || {
		register_witness(Who::Alice, false);
		let (bob, charlie, dave) = (Who::Bob, Who::Charlie, Who::Dave);
		providers(&[bob, charlie]);

		// Order 0: cancelled while bidding.
		let bidding = create_order(dave, 2, 10 * FST, 1, 10);
		// Order 1: aborted by its provider while deploying.
		let aborted = create_order(dave, 1, 10 * FST, 1, 3);
		// Order 2: cancelled while its candidate should confirm.
		let confirming_id = create_order(dave, 1, 10 * FST, 1, 3);
		assert_eq!(held(dave, HoldReason::OrderPrepay), 40 * FST + 20 * FST + 20 * FST);
		commit_bid(bob, bidding, 6 * FST);
		commit_bid(charlie, bidding, 7 * FST);
		commit_bid(bob, aborted, 6 * FST);
		commit_bid(charlie, confirming_id, 6 * FST);

		run_to(3);
		fails(charlie, MarketCall::cancel_order { order_id: bidding }, MarketError::NotCustomer);
		ok(dave, MarketCall::cancel_order { order_id: bidding });
		assert_eq!(
			market_event_block(&MarketEvent::OrderCancelled {
				order_id: bidding,
				reason: CloseReason::CustomerCancelled,
				paid: 0,
				refunded: 40 * FST,
				tally: PeriodTally { periods: 2, paid: 0, violated: 0, unsettled: 2 },
			}),
			3
		);
		for p in [bob, charlie] {
			market_event_block(&MarketEvent::BidDepositReleased {
				order_id: bidding,
				provider: acc(p),
				amount: BID_DEPOSIT,
			});
		}
		assert_eq!(
			state(bidding),
			OrderState::Cancelled { reason: CloseReason::CustomerCancelled, prune_at: 103 }
		);
		assert_eq!(held(dave, HoldReason::OrderPrepay), 40 * FST);
		assert!(!open_orders().contains(&bidding));
		fails(dave, MarketCall::cancel_order { order_id: bidding }, MarketError::CannotCancel);

		run_to(4);
		reveal_bid(bob, aborted, 6 * FST);
		reveal_bid(charlie, confirming_id, 6 * FST);
		run_to(10);
		ok(bob, MarketCall::confirm_order { order_id: aborted });
		assert_eq!(provider(bob).active_leases, 1);
		assert_eq!(total_held(bob), PROVIDER_STAKE + BID_DEPOSIT);
		ok(dave, MarketCall::cancel_order { order_id: confirming_id });
		assert_eq!(
			market_event_block(&MarketEvent::OrderCancelled {
				order_id: confirming_id,
				reason: CloseReason::CustomerCancelled,
				paid: 0,
				refunded: 20 * FST,
				tally: PeriodTally { periods: 1, paid: 0, violated: 0, unsettled: 1 },
			}),
			10
		);
		assert_eq!(total_held(charlie), PROVIDER_STAKE, "the candidate's deposit is released");

		run_to(12);
		fails(charlie, MarketCall::abort { order_id: aborted }, MarketError::NotLeaseProvider);
		ok(bob, MarketCall::abort { order_id: aborted });
		assert_eq!(
			market_event_block(&MarketEvent::OrderCancelled {
				order_id: aborted,
				reason: CloseReason::ProviderAborted,
				paid: 0,
				refunded: 20 * FST,
				tally: PeriodTally { periods: 1, paid: 0, violated: 0, unsettled: 1 },
			}),
			12
		);
		market_event_block(&MarketEvent::BidDepositReleased {
			order_id: aborted,
			provider: acc(bob),
			amount: BID_DEPOSIT,
		});
		assert_eq!(provider(bob).active_leases, 0);
		for p in [bob, charlie] {
			assert_eq!(total_held(p), PROVIDER_STAKE);
			assert_eq!(free(p), ENDOWMENT - PROVIDER_STAKE, "{p:?} lost nothing");
		}
		assert_eq!((free(dave), total_held(dave)), (ENDOWMENT, 0), "every prepay released");

		// Pruned after the 100-block retention period, by the deadline sweep.
		run_to(104);
		assert_eq!(market_event_block(&MarketEvent::OrderPruned { order_id: bidding }), 103);
		assert!(pallet_market::Orders::<Runtime>::get(bidding).is_none());
		run_to(113);
		assert_eq!(market_event_block(&MarketEvent::OrderPruned { order_id: confirming_id }), 110);
		assert_eq!(market_event_block(&MarketEvent::OrderPruned { order_id: aborted }), 112);
		assert_eq!(ledger(), (0, 0, 0), "nothing minted, burned or paid in fees");
	});
}

// =============================================================================================
// Timeouts
// =============================================================================================

/// Every deadline is applied by the block hooks at exactly its block: no bid
/// (`NoValidBid`), no reveal (`NoValidBid`, deposit forfeited), no confirmation
/// (`WinnersDidNotConfirm`), no deployment (`ProviderDidNotDeploy`, deposit forfeited), no
/// verdict (`MonitorTimedOut`: the only witness is not active yet, both rounds are abandoned
/// and the verdict grace runs out).
#[test]
fn timeouts_are_applied_by_the_block_hooks() {
	run(Timings::Dev, || {
		register_witness(Who::Alice, true);
		let (bob, charlie, dave) = (Who::Bob, Who::Charlie, Who::Dave);
		providers(&[bob, charlie]);

		run_to(2);
		let no_bid = create_order(dave, 1, 10 * FST, 1, 3);
		let no_reveal = create_order(dave, 1, 10 * FST, 1, 3);
		let no_confirm = create_order(dave, 1, 10 * FST, 1, 3);
		let no_deploy = create_order(dave, 1, 10 * FST, 1, 3);
		let no_verdict = create_order(dave, 2, 10 * FST, 1, 3);
		commit_bid(bob, no_reveal, 5 * FST);
		commit_bid(charlie, no_confirm, 5 * FST);
		commit_bid(bob, no_deploy, 5 * FST);
		commit_bid(charlie, no_verdict, 5 * FST);
		let unsettled = |periods| PeriodTally { periods, paid: 0, violated: 0, unsettled: periods };

		// Block 5: the bid windows end; the order without bids fails at once.
		run_to(6);
		assert_eq!(
			end_event(no_bid),
			(
				5,
				MarketEvent::OrderFailed {
					order_id: no_bid,
					reason: CloseReason::NoValidBid,
					paid: 0,
					refunded: 20 * FST,
					tally: unsettled(1),
				}
			)
		);
		reveal_bid(charlie, no_confirm, 5 * FST);
		reveal_bid(bob, no_deploy, 5 * FST);
		reveal_bid(charlie, no_verdict, 5 * FST);

		// Block 10: reveal windows end; the unrevealed bid is forfeited.
		run_to(11);
		assert_eq!(
			end_event(no_reveal),
			(
				10,
				MarketEvent::OrderFailed {
					order_id: no_reveal,
					reason: CloseReason::NoValidBid,
					paid: 0,
					refunded: 20 * FST,
					tally: unsettled(1),
				}
			)
		);
		assert_eq!(
			market_event_block(&MarketEvent::BidDepositForfeited {
				order_id: no_reveal,
				provider: acc(bob),
				amount: BID_DEPOSIT,
			}),
			10
		);
		ok(bob, MarketCall::confirm_order { order_id: no_deploy });
		ok(charlie, MarketCall::confirm_order { order_id: no_verdict });
		ok(charlie, MarketCall::fulfill { order_id: no_verdict });
		let mut driver = LeaseDriver::new(
			no_verdict,
			vec![
				RoundPlan::all(&[Who::Alice], Report::Reveal(false)),
				RoundPlan::all(&[Who::Alice], Report::Reveal(false)),
			],
			&[Who::Alice],
		);

		// Block 15: the candidate never confirmed and there is no fallback.
		driver.run_to(16);
		assert_eq!(
			end_event(no_confirm),
			(
				15,
				MarketEvent::OrderFailed {
					order_id: no_confirm,
					reason: CloseReason::WinnersDidNotConfirm,
					paid: 0,
					refunded: 20 * FST,
					tally: unsettled(1),
				}
			)
		);
		assert_eq!(
			market_event_block(&MarketEvent::BidDepositForfeited {
				order_id: no_confirm,
				provider: acc(charlie),
				amount: BID_DEPOSIT,
			}),
			15
		);

		// Block 20: round 0's join window ends: Alice, active only from block 41, could not
		// join and cannot be seeded, so the round is abandoned.
		driver.run_until_finished(0, 10);
		assert_eq!(now(), 20);
		assert_eq!(
			pool_event_block(&PoolEvent::RoundAbandoned { order_id: no_verdict, round: 0 }),
			20
		);
		assert_eq!(driver.log(0).joins.len(), 1);
		assert_eq!(driver.log(0).joins[0].2, Err(PoolError::NotYetActive.into()));

		// Block 21: the winner of `no_deploy` did not deploy within 10 blocks.
		driver.run_to(22);
		assert_eq!(
			end_event(no_deploy),
			(
				21,
				MarketEvent::OrderCancelled {
					order_id: no_deploy,
					reason: CloseReason::ProviderDidNotDeploy,
					paid: 0,
					refunded: 20 * FST,
					tally: unsettled(1),
				}
			)
		);
		assert_eq!(
			market_event_block(&MarketEvent::BidDepositForfeited {
				order_id: no_deploy,
				provider: acc(bob),
				amount: BID_DEPOSIT,
			}),
			21
		);
		assert_eq!(provider(bob).active_leases, 0);

		// Round 1 opens at 31 and is abandoned at 39; the verdict of round 0 is due before
		// block 11 + 20 + 20 = 51, where the market times the lease out.
		driver.run_until_finished(1, 20);
		assert_eq!(now(), 39);
		assert!(matches!(state(no_verdict), OrderState::Fulfilling { round: 0, verdict_due: 51 }));
		driver.run_to(52);
		assert_eq!(
			end_event(no_verdict),
			(
				51,
				MarketEvent::OrderFailed {
					order_id: no_verdict,
					reason: CloseReason::MonitorTimedOut,
					paid: 0,
					refunded: 40 * FST,
					tally: unsettled(2),
				}
			)
		);
		assert_eq!(pool_event_block(&PoolEvent::MonitoringStopped { order_id: no_verdict }), 51);
		assert!(pallet_witness_pool::Leases::<Runtime>::get(no_verdict).is_none());
		assert!(!market_events()
			.iter()
			.any(|(_, e)| matches!(e, MarketEvent::PeriodSettled { .. })));

		// Nobody was paid; the three missed obligations cost their deposits (burned).
		assert_eq!((free(dave), total_held(dave)), (ENDOWMENT, 0));
		assert_eq!(free(bob), ENDOWMENT - PROVIDER_STAKE - 2 * BID_DEPOSIT);
		assert_eq!(free(charlie), ENDOWMENT - PROVIDER_STAKE - BID_DEPOSIT);
		for p in [bob, charlie] {
			assert_eq!(total_held(p), PROVIDER_STAKE);
			let p = provider(p);
			assert_eq!((p.open_bids, p.active_leases, p.successes, p.violations), (0, 0, 0, 0));
		}
		assert_eq!(ledger(), (0, 3 * BID_DEPOSIT, 0));
		assert_eq!(issuance(), genesis_issuance() - 3 * BID_DEPOSIT);
	});
}

// =============================================================================================
// Committee capacity
// =============================================================================================

/// An order's committee may not exceed the registered, non-suspended witnesses
/// (`NotEnoughWitnesses`); the quote's `max_committee` says how large it may be. A lease whose
/// committee can no longer be staffed when the provider deploys fails with `MonitorUnavailable`.
#[test]
fn committees_larger_than_the_witness_pool_are_refused() {
	run(Timings::Dev, || {
		let (bob, dave) = (Who::Bob, Who::Dave);
		register_provider(bob);
		fails(dave, create_order_call(1, 10 * FST, 1, 5, None), MarketError::NotEnoughWitnesses);
		assert_eq!(quote(1), None, "no clearing price yet");

		register_witness(Who::Alice, true);
		register_witness(Who::Eve, false);
		fails(dave, create_order_call(1, 10 * FST, 3, 5, None), MarketError::NotEnoughWitnesses);
		fails(dave, create_order_call(1, 10 * FST, 22, 5, None), MarketError::CommitteeTooLarge);
		let id = create_order(dave, 2, 10 * FST, 2, 5);
		commit_bid(bob, id, 5 * FST);
		run_to(6);
		reveal_bid(bob, id, 5 * FST);
		run_to(12);
		ok(bob, MarketCall::confirm_order { order_id: id });
		let q = quote(4).expect("a quote");
		assert_eq!(q.recent_prices, vec![5 * FST]);
		assert_eq!((q.median_unit_price, q.estimated_fee, q.prepay), (5 * FST, 20 * FST, 40 * FST));
		assert_eq!(q.max_committee, 2);

		// A witness leaves: the capacity drops to one.
		ok(Who::Eve, PoolCall::unregister_witness {});
		assert_eq!(quote(4).expect("a quote").max_committee, 1);
		fails(dave, create_order_call(1, 10 * FST, 2, 5, None), MarketError::NotEnoughWitnesses);
		fails(bob, MarketCall::unregister_provider {}, MarketError::HasActiveLeases);

		// The confirmed lease of two can no longer be monitored: deploying fails the order.
		ok(bob, MarketCall::fulfill { order_id: id });
		assert_eq!(
			end_event(id),
			(
				12,
				MarketEvent::OrderFailed {
					order_id: id,
					reason: CloseReason::MonitorUnavailable,
					paid: 0,
					refunded: 40 * FST,
					tally: PeriodTally { periods: 2, paid: 0, violated: 0, unsettled: 2 },
				}
			)
		);
		assert!(pallet_witness_pool::Leases::<Runtime>::get(id).is_none());
		assert_eq!((free(bob), total_held(bob)), (ENDOWMENT - PROVIDER_STAKE, PROVIDER_STAKE));
		assert_eq!((free(dave), total_held(dave)), (ENDOWMENT, 0));
		ok(bob, MarketCall::unregister_provider {});
		assert_eq!(free(bob), ENDOWMENT);
	});
}

// =============================================================================================
// Repeated violations
// =============================================================================================

/// Three consecutive `Violated` verdicts end a four-period lease early
/// (`Failed(RepeatedViolations)`, one period never settled): nothing is paid, 3 × 50 FST of the
/// provider's stake go to the customer, the reporting witness earns 3 × 10 FST. The provider's
/// reputation falls below 30 %, so leaving the market costs it the rest of its stake (burned).
#[test]
fn repeated_violations_end_the_lease_and_slash_the_departing_provider() {
	run(Timings::Dev, || {
		register_witness(Who::Alice, true);
		let (bob, dave) = (Who::Bob, Who::Dave);
		register_provider(bob);
		run_to(30);
		heartbeat(bob);
		let id = create_order(dave, 4, 10 * FST, 1, 5);
		commit_bid(bob, id, 5 * FST);
		run_to(35);
		reveal_bid(bob, id, 5 * FST);
		run_to(41);
		ok(bob, MarketCall::confirm_order { order_id: id });
		ok(bob, MarketCall::fulfill { order_id: id });
		let plans = (0..4).map(|_| RoundPlan::all(&[Who::Alice], Report::Reveal(true))).collect();
		let mut driver = LeaseDriver::new(id, plans, &[Who::Alice]);
		for r in 0..3 {
			driver.run_until_finished(r, 40);
			assert_eq!(check_round_settlement(&driver, r), Verdict::Violated);
		}
		assert_eq!(now(), 111);
		// Decayed counters: violations 1, 1.99, 2.9701 periods; reputation 1 / (2.9701 + 2).
		let reputation = Permill::from_rational(1_000_000u64, 4_970_100u64);
		assert_eq!(provider(bob).violations, 2_970_100);
		market_event_block(&MarketEvent::PeriodSettled {
			order_id: id,
			round: 2,
			verdict: Verdict::Violated,
			paid: 0,
			compensation: VIOLATION_SLASH,
			reputation,
		});
		assert_eq!(
			end_event(id),
			(
				111,
				MarketEvent::OrderFailed {
					order_id: id,
					reason: CloseReason::RepeatedViolations,
					paid: 0,
					refunded: 80 * FST,
					tally: PeriodTally { periods: 4, paid: 0, violated: 3, unsettled: 1 },
				}
			)
		);
		// Round 3 had opened (block 101) and is dropped with the lease.
		assert_eq!(driver.log(3).opened_at, 101);
		assert!(
			round(id, 3).is_none() && pallet_witness_pool::Leases::<Runtime>::get(id).is_none()
		);
		assert_eq!(witness(Who::Alice).seats, 0, "the dropped round gave the seat back");
		assert_eq!((free(dave), total_held(dave)), (ENDOWMENT + 3 * VIOLATION_SLASH, 0));
		assert_eq!(total_held(bob), PROVIDER_STAKE - 3 * VIOLATION_SLASH);
		assert_eq!(free(bob), ENDOWMENT - PROVIDER_STAKE);
		assert_eq!(free(Who::Alice), ALICE_ENDOWMENT - WITNESS_STAKE + 30 * REWARD_UNIT);
		assert_eq!(provider_view(bob).reputation, reputation);

		// Below `MinReputationForRefund` (30 %): the remaining stake goes to the slash sink.
		let left = PROVIDER_STAKE - 3 * VIOLATION_SLASH;
		ok(bob, MarketCall::unregister_provider {});
		market_event_block(&MarketEvent::ProviderUnregistered {
			provider: acc(bob),
			released: 0,
			slashed: left,
		});
		assert!(token_events_in(now()).contains(&TokenEvent::Slashed {
			who: acc(bob),
			amount: left,
			burned: true
		}));
		assert_eq!((free(bob), total_held(bob)), (ENDOWMENT - PROVIDER_STAKE, 0));
		assert_eq!(ledger(), (30 * REWARD_UNIT, left, 0));
	});
}

/// A disputed hand-off judged by a real committee round: the provider's daemon got no valid
/// package and disputes; the customer publishes a URL; three VRF-drawn witnesses check it and
/// two of three find it wrong → the customer pays one unit price, the provider keeps its
/// deposit. Exact balances of both, the witnesses' payoffs as for any `Violated` round.
#[test]
fn a_disputed_hand_off_is_judged_by_a_committee_round() {
	run(Timings::Dev, || {
		let witnesses = [Who::Alice, Who::Charlie, Who::Eve, Who::Ferdie, Who::AliceStash];
		for w in witnesses {
			register_witness(w, true);
		}
		let (bob, dave) = (Who::Bob, Who::Dave);
		register_provider(bob);
		run_to(30);
		heartbeat(bob);
		let id = pallet_market::NextOrderId::<Runtime>::get();
		let (customer_free_0, customer_held_0) = (free(dave), total_held(dave));
		let (result, fee) = submit(dave, create_order_call(3, 10 * FST, 3, 5, None));
		assert_eq!(result, Ok(()));
		let prepay = order(id).prepay;
		let unit = 5 * FST;
		commit_bid(bob, id, unit);
		run_to(35);
		reveal_bid(bob, id, unit);
		run_to(41);
		ok(bob, MarketCall::confirm_order { order_id: id });
		let bob_free_0 = free(bob);
		assert_eq!(held(bob, HoldReason::BidDeposit), BID_DEPOSIT);

		// The provider disputes; the customer cannot cancel its way out of it, and publishes.
		ok(bob, MarketCall::dispute_handoff { order_id: id });
		assert_eq!(state(id), OrderState::HandoffDisputed { publish_until: 51 });
		fails(dave, MarketCall::cancel_order { order_id: id }, MarketError::CannotCancel);
		let url: defaas_primitives::PackageUrl =
			b"https://packages.example/hello.wasm".to_vec().try_into().unwrap();
		ok(dave, MarketCall::publish_package { order_id: id, url: url.clone() });
		// One round of the order's 20-block period: verdict due at its end + the grace.
		assert!(matches!(state(id), OrderState::HandoffChecking { .. }));
		let check = pallet_witness_pool::PackageChecks::<Runtime>::get(id).expect("a check");
		assert_eq!((check.url, check.package_hash), (url, PACKAGE));
		assert_eq!(check.max_bytes, u64::from(levels()[0].1.package_mb) * 1024 * 1024);

		let plans = vec![RoundPlan {
			joiners: witnesses.to_vec(),
			report: Box::new(|position| Report::Reveal(position < 2)),
		}];
		let mut driver = LeaseDriver::new(id, plans, &witnesses);
		driver.run_until_finished(0, 40);
		assert_eq!(check_round_settlement(&driver, 0), Verdict::Violated);

		let tally = PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 };
		market_event_block(&MarketEvent::OrderCancelled {
			order_id: id,
			reason: CloseReason::CustomerDidNotDeliver,
			paid: unit,
			refunded: prepay - unit,
			tally,
		});
		assert!(pallet_witness_pool::PackageChecks::<Runtime>::get(id).is_none());
		assert_eq!(free(bob), bob_free_0 + unit + BID_DEPOSIT, "paid one unit, deposit back");
		assert_eq!(total_held(bob), PROVIDER_STAKE);
		assert_eq!(
			free(dave),
			customer_free_0 - fee - unit,
			"the customer pays one unit price and the create_order fee, nothing else"
		);
		assert_eq!(total_held(dave), customer_held_0);
		assert_eq!(provider_view(bob).active_leases, 0);
	});
}
