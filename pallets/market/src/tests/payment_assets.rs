//! Payment assets: orders priced, held, paid and refunded in FST or an accepted asset; the
//! Root-controlled list of payment assets; the storage migration to version 1.

use super::*;
use crate::{migrations::v1, pallet::PaymentAssets};
use frame_support::{
	migrations::{SteppedMigration, SteppedMigrationError},
	traits::{GetStorageVersion, StorageVersion},
	weights::WeightMeter,
};

/// An order of ALICE in the stable asset, auctioned to P1 at `price` and fulfilled at block 10.
fn leased_in_stable(price: Balance) -> OrderId {
	let id = create_order_in(stable(), ALICE, None);
	commit(P1, id, price);
	let ends = bidding_ends(id);
	run_to_block(ends);
	reveal(P1, id, price);
	run_to_block(ends + REVEAL_WINDOW + 1);
	assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
	assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
	id
}

#[test]
fn an_order_in_the_stable_asset_holds_pays_and_refunds_in_that_asset() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let (alice_fst, p1_fst) = (free(ALICE), free(P1));
		let (alice, p1) = (free_in(stable(), ALICE), free_in(stable(), P1));
		let id = leased_in_stable(80);
		assert!(emitted(Event::OrderCreated {
			order_id: id,
			customer: ALICE,
			payer: ALICE,
			asset: stable(),
			level: 0,
			periods: PERIODS,
			max_unit_price: PRICE,
			prepay: PREPAY,
			bidding_ends: 1 + BID_WINDOW,
		}));
		assert_eq!(order(id).asset, stable());
		assert_eq!(prepay_held_in(stable(), ALICE), PREPAY);
		assert_eq!(free_in(stable(), ALICE), alice - PREPAY);
		// Nothing of the prepay is held in FST.
		assert_eq!(prepay_held_in(native(), ALICE), 0);
		assert_eq!(free(ALICE), alice_fst);

		// Round 0 paid in the asset.
		assert_ok!(verdict(id, 0, Verdict::NoViolation));
		assert_eq!(free_in(stable(), P1), p1 + 80);
		assert_eq!(prepay_held_in(stable(), ALICE), PREPAY - 80);
		// Round 1 violated: not paid; the compensation comes from the provider's FST stake.
		run_to_block(15);
		assert_ok!(verdict(id, 1, Verdict::Violated));
		assert_eq!(free_in(stable(), P1), p1 + 80);
		assert_eq!(free(ALICE), alice_fst + SLASH);
		assert_eq!(free(P1), p1_fst);
		// Round 2 paid; the order finishes and the rest of the prepay goes back in the asset.
		run_to_block(20);
		assert_ok!(verdict(id, 2, Verdict::NoViolation));
		assert_eq!(
			last_event(),
			Event::OrderFinished {
				order_id: id,
				paid: 160,
				refunded: PREPAY - 160,
				tally: PeriodTally { periods: 3, paid: 2, violated: 1, unsettled: 0 },
			}
		);
		assert_eq!(free_in(stable(), P1), p1 + 160);
		assert_eq!(free_in(stable(), ALICE), alice - 160);
		assert_eq!(prepay_held_in(stable(), ALICE), 0);
		// The clearing price is remembered for quotes in the asset, not in FST.
		assert_eq!(RecentPrices::<Test>::get(0, stable()).to_vec(), vec![80]);
		assert!(RecentPrices::<Test>::get(0, native()).is_empty());
		let quote = Market::api_quote(0, stable(), 2).unwrap();
		assert_eq!((quote.asset, quote.median_unit_price, quote.prepay), (stable(), 80, 320));
		assert_eq!(Market::api_quote(0, native(), 2), None);
		assert_eq!(Market::api_order(id).unwrap().asset, stable());
	});
}

#[test]
fn a_cancelled_order_in_the_asset_refunds_the_payer_in_the_asset() {
	ExtBuilder::default().build_and_execute(|| {
		let alice = free_in(stable(), ALICE);
		let id = create_order_in(stable(), ALICE, None);
		assert_ok!(Market::cancel_order(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(free_in(stable(), ALICE), alice);
		assert_eq!(prepay_held_in(stable(), ALICE), 0);
	});
}

#[test]
fn an_asset_that_cannot_pay_is_refused_and_moves_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let create = |asset: AssetKind, max_unit_price: Balance| {
			Market::create_order(
				RuntimeOrigin::signed(ALICE),
				0,
				1,
				max_unit_price,
				COMMITTEE,
				BID_WINDOW,
				HASH,
				Permill::zero(),
				None,
				asset,
			)
		};
		assert_noop!(create(NativeOrWithId::WithId(MISSING), PRICE), Error::<Test>::UnknownAsset);
		assert_noop!(create(NativeOrWithId::WithId(OTHER), PRICE), Error::<Test>::AssetNotAccepted);
		// 2 × 1 × 49 = 98 < 100, the stable asset's minimum; 2 × 1 × 50 = 100 is enough.
		assert_noop!(create(stable(), 49), Error::<Test>::PrepayBelowMinimum);
		assert_ok!(create(stable(), 50));
		// FST has no minimum of its own.
		assert_ok!(create(native(), 1));
		// More than the payer has of the asset.
		assert_noop!(create(stable(), INITIAL_BALANCE), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn a_unit_price_below_the_asset_minimum_balance_is_refused() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		// An asset whose accounts need at least 10: a period paying 5 could not open P1's.
		let dime = NativeOrWithId::WithId(10);
		assert_ok!(Assets::force_create(RuntimeOrigin::root(), 10, NOBODY, true, 10));
		assert_ok!(Assets::mint(RuntimeOrigin::signed(NOBODY), 10, ALICE, 10_000));
		assert_ok!(Market::set_payment_asset(RuntimeOrigin::root(), dime.clone(), Some(1)));
		let create = |max_unit_price: Balance| {
			Market::create_order(
				RuntimeOrigin::signed(ALICE),
				0,
				PERIODS,
				max_unit_price,
				COMMITTEE,
				BID_WINDOW,
				HASH,
				Permill::zero(),
				None,
				dime.clone(),
			)
		};
		assert_noop!(create(9), Error::<Test>::PriceBelowAssetMinimum);
		let id = NextOrderId::<Test>::get();
		assert_ok!(create(PRICE));
		commit(P1, id, 5);
		run_to_block(bidding_ends(id));
		assert_noop!(
			Market::reveal_bid(RuntimeOrigin::signed(P1), id, 5, salt(P1)),
			Error::<Test>::PriceBelowAssetMinimum
		);
		// FST has no such floor: the provider holds FST (its stake).
		let fst = create_order(BOB);
		commit(P1, fst, 1);
		run_to_block(bidding_ends(fst));
		reveal(P1, fst, 1);
	});
}

#[test]
fn a_sponsor_funds_an_order_in_the_asset_through_its_allowance_in_that_asset() {
	ExtBuilder::default().build_and_execute(|| {
		// An FST allowance does not fund an order in the asset.
		approve(BOB, ALICE, 10_000);
		let create = || {
			Market::create_order(
				RuntimeOrigin::signed(ALICE),
				0,
				PERIODS,
				PRICE,
				COMMITTEE,
				BID_WINDOW,
				HASH,
				Permill::zero(),
				Some(BOB),
				stable(),
			)
		};
		assert_noop!(create(), Error::<Test>::InsufficientAllowance);
		approve_in(stable(), BOB, ALICE, 1_000);
		let bob = free_in(stable(), BOB);
		let id = NextOrderId::<Test>::get();
		assert_ok!(create());
		assert_eq!(order(id).payer, BOB);
		assert_eq!(prepay_held_in(stable(), BOB), PREPAY);
		assert_eq!(free_in(stable(), BOB), bob - PREPAY);
		assert_eq!(
			<TestAllowances as defaas_primitives::traits::PaymentAllowances<_, _, _>>::allowance(
				&stable(),
				&BOB,
				&ALICE
			),
			1_000 - PREPAY
		);
		// The FST allowance is untouched.
		assert_eq!(
			<TestAllowances as defaas_primitives::traits::PaymentAllowances<_, _, _>>::allowance(
				&native(),
				&BOB,
				&ALICE
			),
			10_000
		);
	});
}

#[test]
fn root_controls_the_payment_assets() {
	ExtBuilder::default().build_and_execute(|| {
		let other = NativeOrWithId::WithId(OTHER);
		assert_noop!(
			Market::set_payment_asset(RuntimeOrigin::signed(ALICE), other.clone(), Some(5)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Market::set_payment_asset(RuntimeOrigin::root(), native(), Some(5)),
			Error::<Test>::NativeAlwaysAccepted
		);
		assert_noop!(
			Market::set_payment_asset(
				RuntimeOrigin::root(),
				NativeOrWithId::WithId(MISSING),
				Some(5)
			),
			Error::<Test>::UnknownAsset
		);
		assert_noop!(
			Market::set_payment_asset(RuntimeOrigin::root(), other.clone(), None),
			Error::<Test>::AssetNotAccepted
		);
		assert_ok!(Market::set_payment_asset(RuntimeOrigin::root(), other.clone(), Some(5)));
		assert_eq!(last_event(), Event::PaymentAssetSet { asset: other.clone(), min_prepay: 5 });
		assert_eq!(PaymentAssets::<Test>::get(&other), Some(5));
		assert_eq!(PaymentAssets::<Test>::count(), 2);
		// Changing a minimum does not count as another asset.
		assert_ok!(Market::set_payment_asset(RuntimeOrigin::root(), stable(), Some(7)));
		assert_eq!(PaymentAssets::<Test>::count(), 2);
		// The mock accepts at most two.
		assert_ok!(Assets::force_create(RuntimeOrigin::root(), 10, NOBODY, true, 1));
		assert_noop!(
			Market::set_payment_asset(RuntimeOrigin::root(), NativeOrWithId::WithId(10), Some(1)),
			Error::<Test>::TooManyPaymentAssets
		);

		// A removed asset takes no new orders; a running order keeps it to the end.
		let id = create_order_in(stable(), ALICE, None);
		assert_ok!(Market::set_payment_asset(RuntimeOrigin::root(), stable(), None));
		assert_eq!(last_event(), Event::PaymentAssetRemoved { asset: stable() });
		assert_noop!(
			Market::create_order(
				RuntimeOrigin::signed(ALICE),
				0,
				PERIODS,
				PRICE,
				COMMITTEE,
				BID_WINDOW,
				HASH,
				Permill::zero(),
				None,
				stable(),
			),
			Error::<Test>::AssetNotAccepted
		);
		let alice = free_in(stable(), ALICE);
		assert_ok!(Market::cancel_order(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(free_in(stable(), ALICE), alice + PREPAY);
	});
}

/// Writes `orders` version-0 orders (FST) and the recent prices of two levels, and sets the
/// market's storage version to 0, as a chain running the previous release has them.
fn version_0_state(orders: u64) -> Vec<v1::v0::OrderRecordOf<Test>> {
	let mut written = Vec::new();
	for id in 0..orders {
		let old = v1::v0::OrderRecord {
			customer: ALICE,
			payer: if id % 2 == 0 { ALICE } else { BOB },
			level: 0,
			periods: 3,
			period_length: 5,
			max_unit_price: 100 + Balance::from(id),
			committee_size: 3,
			package_hash: [u8::try_from(id).unwrap(); 32],
			min_reputation: Permill::from_percent(10),
			prepay: 600,
			paid: 80,
			refunded: 0,
			state: OrderState::Finished { prune_at: 100 },
			lease: None,
			created_at: id,
		};
		v1::v0::Orders::<Test>::insert(id, old.clone());
		written.push(old);
	}
	NextOrderId::<Test>::put(orders);
	v1::v0::RecentPrices::<Test>::insert(0, BoundedVec::truncate_from(vec![70, 80]));
	v1::v0::RecentPrices::<Test>::insert(2, BoundedVec::truncate_from(vec![300]));
	StorageVersion::new(0).put::<Market>();
	written
}

/// Steps the migration to its end with `per_step` weight per block; returns the steps taken.
fn migrate(per_step: Weight) -> u32 {
	let mut cursor = None;
	let mut steps = 0;
	loop {
		steps += 1;
		let mut meter = WeightMeter::with_limit(per_step);
		cursor = v1::MigrateToV1::<Test>::step(cursor, &mut meter).expect("a step");
		if cursor.is_none() {
			return steps;
		}
		assert!(steps < 1_000, "the migration does not end");
	}
}

#[test]
fn the_migration_to_version_1_makes_every_order_pay_in_fst_over_several_blocks() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Market::on_chain_storage_version(), StorageVersion::new(1));
		let old = version_0_state(25);
		// Room for the prices and three orders per block.
		let per_step = v1::MigrateToV1::<Test>::prices_weight(NextLevelId::<Test>::get())
			.max(v1::MigrateToV1::<Test>::order_weight().saturating_mul(3));
		let steps = migrate(per_step);
		assert!(steps >= 9, "25 orders at three per block take at least 9 steps, took {steps}");
		assert_eq!(Market::on_chain_storage_version(), StorageVersion::new(1));
		for (id, old) in old.into_iter().enumerate() {
			assert_eq!(order(id as u64), old.with_asset(native()));
		}
		assert_eq!(RecentPrices::<Test>::get(0, native()).to_vec(), vec![70, 80]);
		assert_eq!(RecentPrices::<Test>::get(2, native()).to_vec(), vec![300]);
		assert_eq!(RecentPrices::<Test>::iter().count(), 2);

		// Once at version 1, running it again changes nothing.
		let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
		assert_eq!(migrate(Weight::MAX), 1);
		assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), root);
		// The holds of the migrated orders are not the point here: drop them for try_state.
		for id in 0..25 {
			Orders::<Test>::remove(id);
		}
	});
}

#[test]
fn the_migration_asks_for_more_weight_when_a_block_cannot_fit_one_order() {
	ExtBuilder::default().build_and_execute(|| {
		version_0_state(1);
		let prices = v1::MigrateToV1::<Test>::prices_weight(NextLevelId::<Test>::get());
		let mut meter = WeightMeter::with_limit(prices);
		let cursor = v1::MigrateToV1::<Test>::step(None, &mut meter).unwrap();
		assert_eq!(cursor, Some(v1::Cursor::Orders { last: None }));
		let mut meter = WeightMeter::with_limit(Weight::zero());
		assert_eq!(
			v1::MigrateToV1::<Test>::step(cursor, &mut meter),
			Err(SteppedMigrationError::InsufficientWeight {
				required: v1::MigrateToV1::<Test>::order_weight()
			})
		);
		Orders::<Test>::remove(0);
		v1::v0::Orders::<Test>::remove(0);
		StorageVersion::new(1).put::<Market>();
	});
}
