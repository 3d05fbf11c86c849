//! Tests of the market pallet, split by concern.
//!
//! Shared timeline of the helpers (the mock's `DefaultTimings`): an order created at block 1 with the
//! default bid window of 5 blocks stops taking bids at block 6, its reveal window ends at
//! block 9 (the auction closes in `on_idle` of block 9), the candidate must confirm before
//! block 12; a lease fulfilled at block 10 has rounds `[10, 15)`, `[15, 20)`, `[20, 25)` with
//! verdicts due before blocks 18, 23 and 28.

mod auction;
mod deadlines;
mod handoff;
mod levels;
mod orders;
mod payment_assets;
mod proptest;
mod providers;
mod settlement;
mod timings;
mod worker;

pub(crate) use crate::{
	mock::*,
	pallet::{
		Bids, DeadlineCursor, Deadlines, Error, Event, HoldReason, Levels, NextLevelId,
		NextOrderId, OpenOrders, Orders, Providers, RecentPrices, Timings,
	},
	traits::{SlaVerdictHandler, Verdict},
	types::*,
};
pub(crate) use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, Hooks},
	weights::Weight,
	BoundedVec,
};
pub(crate) use sp_runtime::{DispatchError, Permill};

/// Default maximum unit price of test orders.
pub const PRICE: Balance = 100;
/// Default number of billing periods of test orders.
pub const PERIODS: u32 = 3;
/// Default bid window of test orders.
pub const BID_WINDOW: BlockNumber = 5;
/// Default committee size of test orders.
pub const COMMITTEE: u32 = 3;
/// Package hash of test orders.
pub const HASH: [u8; 32] = [9u8; 32];
/// Prepay of a default order: 2 × 3 × 100.
pub const PREPAY: Balance = 600;
// The mock's `DefaultTimings`, repeated for readability (`tests/timings.rs` checks that they
// agree).
pub const MIN_BID_WINDOW: BlockNumber = 2;
pub const MAX_BID_WINDOW: BlockNumber = 20;
pub const REVEAL_WINDOW: BlockNumber = 3;
pub const CONFIRM_WINDOW: BlockNumber = 3;
pub const DEPLOY_WINDOW: BlockNumber = 4;
pub const PERIOD: BlockNumber = 5;
pub const GRACE: BlockNumber = 3;
pub const RETENTION: BlockNumber = 10;
pub const HEARTBEAT_GRACE: BlockNumber = 10;
// Other mock constants.
pub const DEPOSIT: Balance = 50;
pub const SLASH: Balance = 100;

/// The salt provider `who` uses.
pub fn salt(who: AccountId) -> [u8; 32] {
	[u8::try_from(who % 256).unwrap(); 32]
}

/// Create a default order (level 0, 3 periods, max price 100) and return its id.
pub fn create_order(customer: AccountId) -> OrderId {
	create_order_with(customer, 0, PERIODS, PRICE, None)
}

/// Create an order with the given level, periods, max price and sponsor.
pub fn create_order_with(
	customer: AccountId,
	level: LevelId,
	periods: u32,
	max_unit_price: Balance,
	sponsor: Option<AccountId>,
) -> OrderId {
	let id = NextOrderId::<Test>::get();
	assert_ok!(Market::create_order(
		RuntimeOrigin::signed(customer),
		level,
		periods,
		max_unit_price,
		COMMITTEE,
		BID_WINDOW,
		HASH,
		Permill::zero(),
		sponsor,
		native(),
	));
	id
}

/// Create a default order (level 0, 3 periods, max price 100) paying in `asset`, funded by
/// `sponsor` if given, and return its id.
pub fn create_order_in(
	asset: AssetKind,
	customer: AccountId,
	sponsor: Option<AccountId>,
) -> OrderId {
	let id = NextOrderId::<Test>::get();
	assert_ok!(Market::create_order(
		RuntimeOrigin::signed(customer),
		0,
		PERIODS,
		PRICE,
		COMMITTEE,
		BID_WINDOW,
		HASH,
		Permill::zero(),
		sponsor,
		asset,
	));
	id
}

/// The commitment of `who` bidding `price` on `order_id` with [`salt`].
pub fn commitment(who: AccountId, order_id: OrderId, price: Balance) -> [u8; 32] {
	Market::bid_commitment(order_id, price, &salt(who), &who)
}

/// `who` commits a bid of `price`.
pub fn commit(who: AccountId, order_id: OrderId, price: Balance) {
	assert_ok!(Market::commit_bid(
		RuntimeOrigin::signed(who),
		order_id,
		commitment(who, order_id, price)
	));
}

/// `who` reveals its bid of `price`.
pub fn reveal(who: AccountId, order_id: OrderId, price: Balance) {
	assert_ok!(Market::reveal_bid(RuntimeOrigin::signed(who), order_id, price, salt(who)));
}

/// Provider `who` sends a heartbeat.
pub fn beat(who: AccountId) {
	assert_ok!(Market::heartbeat(RuntimeOrigin::signed(hb(who)), BoundedVec::new()));
}

/// The stored order.
pub fn order(id: OrderId) -> OrderRecordOf<Test> {
	Orders::<Test>::get(id).expect("order exists")
}

/// The stored state of an order.
pub fn state(id: OrderId) -> OrderStateOf<Test> {
	order(id).state
}

/// The stored provider.
pub fn provider(who: AccountId) -> ProviderRecordOf<Test> {
	Providers::<Test>::get(who).expect("provider exists")
}

/// End of the bid window of an order in Bidding.
pub fn bidding_ends(id: OrderId) -> BlockNumber {
	match state(id) {
		OrderState::Bidding { bidding_ends } => bidding_ends,
		other => panic!("not bidding: {other:?}"),
	}
}

/// What `who` has on hold for `reason`.
pub fn held(who: AccountId, reason: HoldReason) -> Balance {
	<Balances as InspectHold<AccountId>>::balance_on_hold(&reason.into(), &who)
}

/// The last market event.
pub fn last_event() -> Event<Test> {
	market_events().pop().expect("an event")
}

/// Whether the market emitted `event`.
pub fn emitted(event: Event<Test>) -> bool {
	market_events().contains(&event)
}

/// A default order of `customer` whose auction closed with `bids` (all revealed); the
/// block is 10 and the order is Confirming.
pub fn auction(customer: AccountId, bids: &[(AccountId, Balance)]) -> OrderId {
	let id = create_order(customer);
	for (who, price) in bids {
		commit(*who, id, *price);
	}
	let ends = bidding_ends(id);
	run_to_block(ends);
	for (who, price) in bids {
		reveal(*who, id, *price);
	}
	run_to_block(ends + REVEAL_WINDOW + 1);
	id
}

/// A default order of `customer` leased to `provider` at `price`, fulfilled at block 10.
pub fn leased(customer: AccountId, provider: AccountId, price: Balance) -> OrderId {
	let id = auction(customer, &[(provider, price)]);
	assert_ok!(Market::confirm_order(RuntimeOrigin::signed(provider), id));
	assert_ok!(Market::fulfill(RuntimeOrigin::signed(provider), id));
	id
}

/// Deliver a verdict as the monitor does (the weight it reports is checked by
/// `a_verdict_reports_the_weight_of_its_path`).
pub fn verdict(id: OrderId, round: u32, verdict: Verdict) -> sp_runtime::DispatchResult {
	<Market as SlaVerdictHandler>::on_verdict(id, round, verdict).map(drop)
}
