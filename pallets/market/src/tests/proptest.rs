//! Property test: random sequences of market calls from several accounts, with orders paying
//! in FST, in the stable asset, in an asset not accepted and in one that does not exist, never
//! break conservation (of FST and of the asset), the hold ledgers per asset or the state
//! machine (`try_state` after every step), and a
//! failing call never changes storage (the `do_*` functions are called directly, without the
//! storage layer a dispatch adds, so this checks "validate before mutating").

use super::*;
use ::proptest::{collection::vec, prelude::*};
use std::collections::BTreeMap;

const PROVIDERS: [AccountId; 5] = [P1, P2, P3, P4, P5];
const CUSTOMERS: [AccountId; 4] = [ALICE, BOB, CHARLIE, P1];
const SPONSOR: AccountId = 4;

#[derive(Clone, Debug)]
enum Op {
	Register { provider: u8, level: u8 },
	Heartbeat { provider: u8 },
	Unregister { provider: u8 },
	Create { customer: u8, level: u8, periods: u32, price: u8, sponsored: bool, asset: u8 },
	Cancel { customer: u8, order: u8 },
	Commit { provider: u8, order: u8, price: u8 },
	Reveal { provider: u8, order: u8, price: u8, honest: bool },
	Confirm { provider: u8, order: u8 },
	Fulfill { provider: u8, order: u8 },
	Abort { provider: u8, order: u8 },
	Verdict { order: u8, next_round: bool, violated: bool },
	Advance { order: u8 },
	Run { blocks: u8 },
	SetTimings { reveal: u8, confirm: u8, deploy: u8, period: u8, grace: u8, retention: u8 },
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		1 => (any::<u8>(), 0u8..5).prop_map(|(provider, level)| Op::Register { provider, level }),
		1 => any::<u8>().prop_map(|provider| Op::Heartbeat { provider }),
		1 => any::<u8>().prop_map(|provider| Op::Unregister { provider }),
		2 => (any::<u8>(), 0u8..5, 0u32..4, 0u8..60, any::<bool>(), any::<u8>()).prop_map(
			|(customer, level, periods, price, sponsored, asset)| Op::Create {
				customer,
				level,
				periods,
				price,
				sponsored,
				asset,
			}
		),
		1 => (any::<u8>(), any::<u8>()).prop_map(|(customer, order)| Op::Cancel { customer, order }),
		3 => (any::<u8>(), any::<u8>(), 1u8..80).prop_map(|(provider, order, price)| Op::Commit {
			provider,
			order,
			price,
		}),
		3 => (any::<u8>(), any::<u8>(), 1u8..80, prop::bool::weighted(0.8)).prop_map(
			|(provider, order, price, honest)| Op::Reveal { provider, order, price, honest }
		),
		2 => (any::<u8>(), any::<u8>()).prop_map(|(provider, order)| Op::Confirm { provider, order }),
		2 => (any::<u8>(), any::<u8>()).prop_map(|(provider, order)| Op::Fulfill { provider, order }),
		1 => (any::<u8>(), any::<u8>()).prop_map(|(provider, order)| Op::Abort { provider, order }),
		3 => (any::<u8>(), prop::bool::weighted(0.9), any::<bool>()).prop_map(
			|(order, next_round, violated)| Op::Verdict { order, next_round, violated }
		),
		1 => any::<u8>().prop_map(|order| Op::Advance { order }),
		3 => (1u8..7).prop_map(|blocks| Op::Run { blocks }),
		// A zero reveal window is invalid: `set_timings` must then fail without effect.
		1 => (0u8..6, 1u8..6, 1u8..6, 1u8..9, 1u8..6, 1u8..12).prop_map(
			|(reveal, confirm, deploy, period, grace, retention)| Op::SetTimings {
				reveal,
				confirm,
				deploy,
				period,
				grace,
				retention,
			}
		),
	]
}

fn pick<A: Copy>(items: &[A], index: u8) -> A {
	items[usize::from(index) % items.len()]
}

fn pick_order(index: u8) -> OrderId {
	let count = NextOrderId::<Test>::get().max(1);
	u64::from(index) % count
}

fn storage_root() -> Vec<u8> {
	sp_io::storage::root(sp_runtime::StateVersion::V1)
}

/// Apply one operation; `committed` remembers the prices behind the commitments.
fn apply(op: Op, committed: &mut BTreeMap<(OrderId, AccountId), Balance>) {
	let before = storage_root();
	let result: sp_runtime::DispatchResult = match op.clone() {
		Op::Register { provider, level } => {
			let who = pick(&PROVIDERS, provider);
			let levels = BoundedVec::truncate_from(vec![LevelId::from(level)]);
			Market::do_register_provider(who, STAKE, endpoint(), levels, hb(who))
		},
		Op::Heartbeat { provider } => {
			Market::do_heartbeat(hb(pick(&PROVIDERS, provider)), BoundedVec::new())
		},
		Op::Unregister { provider } => Market::do_unregister_provider(pick(&PROVIDERS, provider)),
		Op::Create { customer, level, periods, price, sponsored, asset } => {
			let customer = pick(&CUSTOMERS, customer);
			// Mostly FST and the stable asset; sometimes an asset the market refuses.
			let assets = [
				native(),
				stable(),
				native(),
				stable(),
				NativeOrWithId::WithId(OTHER),
				NativeOrWithId::WithId(MISSING),
			];
			let terms = OrderTerms {
				asset: assets[usize::from(asset) % assets.len()].clone(),
				level: LevelId::from(level),
				periods,
				max_unit_price: Balance::from(price),
				committee_size: COMMITTEE,
				bid_window: BID_WINDOW,
				package_hash: HASH,
				min_reputation: Permill::from_percent(30),
			};
			Market::do_create_order(customer, terms, sponsored.then_some(SPONSOR)).map(|_| ())
		},
		Op::Cancel { customer, order } => {
			Market::do_cancel_order(pick(&CUSTOMERS, customer), pick_order(order))
		},
		Op::Commit { provider, order, price } => {
			let who = pick(&PROVIDERS, provider);
			let id = pick_order(order);
			let price = Balance::from(price);
			let result = Market::do_commit_bid(who, id, commitment(who, id, price));
			if result.is_ok() {
				committed.insert((id, who), price);
			}
			result
		},
		Op::Reveal { provider, order, price, honest } => {
			let who = pick(&PROVIDERS, provider);
			let id = pick_order(order);
			let price = match committed.get(&(id, who)) {
				Some(committed) if honest => *committed,
				_ => Balance::from(price),
			};
			Market::do_reveal_bid(who, id, price, salt(who))
		},
		Op::Confirm { provider, order } => {
			Market::do_confirm_order(pick(&PROVIDERS, provider), pick_order(order))
		},
		Op::Fulfill { provider, order } => {
			Market::do_fulfill(pick(&PROVIDERS, provider), pick_order(order))
		},
		Op::Abort { provider, order } => {
			Market::do_abort(pick(&PROVIDERS, provider), pick_order(order))
		},
		Op::Verdict { order, next_round, violated } => {
			let id = pick_order(order);
			let round = match Orders::<Test>::get(id).map(|o| o.state) {
				Some(OrderState::Fulfilling { round, .. }) if next_round => round,
				_ => u32::from(order % 3),
			};
			let verdict = if violated { Verdict::Violated } else { Verdict::NoViolation };
			Market::do_settle_round(id, round, verdict).map(drop)
		},
		Op::Advance { order } => Market::do_advance(pick_order(order)),
		Op::Run { blocks } => {
			run_to_block(System::block_number() + u64::from(blocks));
			Ok(())
		},
		Op::SetTimings { reveal, confirm, deploy, period, grace, retention } => {
			Market::do_set_timings(MarketTimings {
				reveal_window: reveal.into(),
				confirm_window: confirm.into(),
				deploy_window: deploy.into(),
				billing_period: period.into(),
				verdict_grace: grace.into(),
				retention_period: retention.into(),
				..DefaultTimings::get()
			})
		},
	};
	if result.is_err() {
		assert_eq!(storage_root(), before, "a failing call changed storage: {op:?}");
	}
	check_invariants();
	// Every order is in a state the machine can reach.
	for (_, order) in Orders::<Test>::iter() {
		assert!(order.paid + order.refunded <= order.prepay);
		if let Some(lease) = &order.lease {
			assert!(lease.settled <= order.periods);
			assert!(order.paid <= lease.unit_price * Balance::from(lease.settled));
		}
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]

	#[test]
	fn random_market_calls_conserve_fst_and_keep_the_state_machine(ops in vec(op(), 1..30)) {
		ExtBuilder::default()
			.with_provider(P1, &[0, 1])
			.with_provider(P2, &[0])
			.build()
			.execute_with(|| {
				approve(SPONSOR, ALICE, 5_000);
				approve(SPONSOR, BOB, 5_000);
				approve_in(stable(), SPONSOR, ALICE, 5_000);
				approve_in(stable(), SPONSOR, BOB, 5_000);
				let mut committed = BTreeMap::new();
				for op in ops {
					apply(op, &mut committed);
				}
			});
	}
}
