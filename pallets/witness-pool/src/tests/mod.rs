//! Tests of the witness pool, split by concern.
//!
//! Shared timeline (the mock's `DefaultTimings`: join 2, commit 3, reveal 3 blocks; leases
//! with billing periods of [`PERIOD`] = 10 blocks whose first period starts at [`START`] = 10,
//! when the tests begin): round 0 opens at block 11 (the block after `start_monitoring`), joins
//! until 13 (the committee is completed in block 13), commits until 23, reveals in `[23, 26)`
//! and settles in block 26. Round `r ≥ 1` opens at `10 + 10 r`, e.g. round 1: opens 20, joins
//! until 22, commits until 33, reveals until 36.

mod api;
mod authorize;
mod committee;
mod monitoring;
mod node;
mod offchain;
mod reports;
mod settlement;
mod statistics;
mod witnesses;
mod worker;

pub(crate) use crate::{
	mock::*,
	pallet::{
		ActiveCount, Agenda, AgendaWeight, Error, Event, HoldReason, Leases, Rounds, Timings,
		VrfKeys, WitnessAt, WitnessCount, Witnesses,
	},
	types::*,
	vrf::{self, VrfKey, VrfSignature},
};
pub(crate) use defaas_primitives::{traits::SlaMonitor, Verdict};
pub(crate) use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, Hooks},
};
pub(crate) use sp_runtime::{DispatchError, DispatchResult};

/// Billing period of the test leases.
pub const PERIOD: BlockNumber = 10;
/// The mock's `DefaultTimings`, repeated for readability.
pub const JOIN: BlockNumber = 2;
pub const COMMIT: BlockNumber = 3;
pub const REVEAL: BlockNumber = 3;
/// `WitnessRewardUnit` of the mock.
pub const UNIT: Balance = 10;
/// Order id of the test leases.
pub const ORDER: OrderId = 7;
/// Round 0 of a lease started at [`START`]: opening, end of joins, commits, reveals.
pub const OPEN_0: BlockNumber = 11;
pub const JOIN_END_0: BlockNumber = 13;
pub const COMMIT_END_0: BlockNumber = 23;
pub const REVEAL_END_0: BlockNumber = 26;

/// The market's description of a lease of [`PROVIDER`] to [`CUSTOMER`] whose first period
/// starts now.
pub fn lease_info(
	order_id: OrderId,
	committee_size: u32,
	periods: u32,
) -> LeaseInfo<AccountId, BlockNumber> {
	LeaseInfo {
		order_id,
		provider: PROVIDER,
		customer: CUSTOMER,
		level: 0,
		period_length: PERIOD,
		periods,
		committee_size,
		first_period_start: System::block_number(),
		target: MonitorTarget::Service,
	}
}

/// `start_monitoring` as the market calls it.
pub fn start(lease: &LeaseInfo<AccountId, BlockNumber>) -> DispatchResult {
	<WitnessPool as SlaMonitor<AccountId, BlockNumber>>::start_monitoring(lease)
}

/// `stop_monitoring` as the market calls it.
pub fn stop(order_id: OrderId) {
	<WitnessPool as SlaMonitor<AccountId, BlockNumber>>::stop_monitoring(order_id)
}

/// Monitor a lease of `periods` periods with committees of `committee_size` (must succeed).
pub fn monitor(order_id: OrderId, committee_size: u32, periods: u32) {
	assert_ok!(start(&lease_info(order_id, committee_size, periods)));
}

/// The stored round.
pub fn round(order_id: OrderId, r: u32) -> RoundRecordOf<Test> {
	Rounds::<Test>::get(order_id, r).expect("round exists")
}

/// The members of a round, in committee order.
pub fn members(order_id: OrderId, r: u32) -> Vec<AccountId> {
	round(order_id, r).members.iter().map(|m| m.witness).collect()
}

/// The stored witness.
pub fn witness(who: AccountId) -> WitnessRecordOf<Test> {
	Witnesses::<Test>::get(who).expect("witness exists")
}

/// What `who` holds as witness stake.
pub fn held(who: AccountId) -> Balance {
	<Balances as InspectHold<AccountId>>::balance_on_hold(&HoldReason::WitnessStake.into(), &who)
}

/// `who`'s VRF output for a round (computed with its key pair, as its node would).
pub fn output(who: AccountId, order_id: OrderId, r: u32) -> u128 {
	let seed = round(order_id, r).seed;
	vrf::verify(&vrf_key(who), &seed, &vrf_sign(who, &seed)).expect("own signature verifies")
}

/// `who` joins a round with its real VRF signature.
pub fn join(who: AccountId, order_id: OrderId, r: u32) -> DispatchResult {
	let signature = vrf_sign(who, &round(order_id, r).seed);
	WitnessPool::join_committee(RuntimeOrigin::signed(who), order_id, r, signature)
}

/// The salt `who` uses for its reports.
pub fn salt(who: AccountId) -> [u8; 32] {
	[u8::try_from(who % 256).unwrap(); 32]
}

/// `who`'s commitment to `violated`.
pub fn commitment(who: AccountId, order_id: OrderId, r: u32, violated: bool) -> [u8; 32] {
	WitnessPool::report_commitment(order_id, r, violated, salt(who), &who)
}

/// `who` commits `violated`.
pub fn commit(who: AccountId, order_id: OrderId, r: u32, violated: bool) -> DispatchResult {
	WitnessPool::commit_report(
		RuntimeOrigin::signed(who),
		order_id,
		r,
		commitment(who, order_id, r, violated),
	)
}

/// `who` reveals `violated`.
pub fn reveal(who: AccountId, order_id: OrderId, r: u32, violated: bool) -> DispatchResult {
	WitnessPool::reveal_report(RuntimeOrigin::signed(who), order_id, r, violated, salt(who))
}

/// A one-period lease with committees of `committee.len()`, whose round 0 committee is exactly
/// `committee` (all joined by VRF; needs a threshold of `u128::MAX`, i.e. at most
/// `2 × committee.len()` active witnesses). The block is [`JOIN_END_0`]: the committee is
/// selected and members may commit.
pub fn seated(committee: &[AccountId]) {
	monitor(ORDER, u32::try_from(committee.len()).unwrap(), 1);
	run_to_block(OPEN_0);
	assert_eq!(round(ORDER, 0).threshold, u128::MAX);
	for who in committee {
		assert_ok!(join(*who, ORDER, 0));
	}
	run_to_block(JOIN_END_0);
	assert_eq!(round(ORDER, 0).phase, RoundPhase::Reporting);
}

/// The last pool event.
pub fn last_event() -> Event<Test> {
	pool_events().pop().expect("an event")
}

/// Whether the pool emitted `event`.
pub fn emitted(event: Event<Test>) -> bool {
	pool_events().contains(&event)
}
