//! Benchmarks of the market pallet (`frame_benchmarking::v2`), each in its worst case:
//! `MaxLevelsPerProvider` levels, `MaxEndpointLen` endpoints, `MaxBidsPerOrder` bids,
//! full recent-price buffers, the auction close that forfeits every unrevealed bid, and
//! orders paying in a payment asset other than FST (its holds cost more than FST's: the
//! runtime's `BenchmarkHelper` creates and mints it).
//!
//! The runtime's `SlaMonitor` must accept leases (`start_monitoring` → `Ok`) in benchmarks —
//! `SlaMonitor::prepare_for_lease` registers what it needs (the witness pool: enough witnesses)
//! — otherwise `fulfill` and `on_verdict` measure the refusal path and their final event
//! assertions fail.

use super::*;
use crate::traits::BenchmarkHelper;
use crate::{
	heartbeat_crypto::{signing_payload, KEY_TYPE},
	pallet::{Call, Event, NextLevelId, NextOrderId, Orders, Pallet, Providers, RecentPrices},
	traits::{SlaVerdictHandler, Verdict},
};
use alloc::{vec, vec::Vec};
use defaas_primitives::traits::PaymentAllowances;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{Bounded, CheckedDiv, IdentifyAccount, Saturating, Zero},
	Permill,
};

const SALT: [u8; 32] = [42u8; 32];

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(event.into());
}

fn set_block<T: Config>(n: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(n);
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let _ = T::Currency::set_balance(&who, big_amount::<T>());
	who
}

fn big_amount<T: Config>() -> BalanceOf<T> {
	BalanceOf::<T>::max_value().checked_div(&BalanceOf::<T>::from(1_000_000u32)).unwrap_or_default()
}

/// A payment asset other than FST, accepted with a minimum prepay of 1.
fn payment_asset<T: Config>() -> Result<T::AssetKind, BenchmarkError> {
	let asset = T::BenchmarkHelper::create_asset();
	if !crate::pallet::PaymentAssets::<T>::contains_key(&asset) {
		Pallet::<T>::do_set_payment_asset(asset.clone(), Some(BalanceOf::<T>::from(1u32)))?;
	}
	Ok(asset)
}

/// `funded`, and `asset` minted to it as well.
fn funded_in<T: Config>(asset: &T::AssetKind, name: &'static str, index: u32) -> T::AccountId {
	let who = funded::<T>(name, index);
	T::BenchmarkHelper::fund(asset, &who, big_amount::<T>());
	who
}

fn unit_price<T: Config>() -> BalanceOf<T> {
	BalanceOf::<T>::from(1_000_000u32)
}

fn bench_level<T: Config>() -> FaasLevelOf<T> {
	FaasLevel {
		cpu_millicores: 1_000,
		gpu_units: 10,
		memory_mb: 4_096,
		package_mb: 500,
		tag: BoundedVec::truncate_from(vec![b't'; T::MaxTagLen::get() as usize]),
	}
}

fn add_levels<T: Config>(n: u32) -> Result<Vec<LevelId>, BenchmarkError> {
	let mut ids = Vec::new();
	for _ in 0..n {
		ids.push(Pallet::<T>::insert_level(bench_level::<T>()).map_err(|_| "level table full")?);
	}
	Ok(ids)
}

fn max_endpoint<T: Config>() -> BoundedVec<u8, T::MaxEndpointLen> {
	BoundedVec::truncate_from(vec![b'e'; T::MaxEndpointLen::get() as usize])
}

fn heartbeat_key<T: Config>(index: u32) -> T::AccountId {
	account("heartbeat", index, 0)
}

/// A registered provider with a fresh heartbeat offering `levels`.
fn online_provider<T: Config>(
	index: u32,
	levels: Vec<LevelId>,
) -> Result<T::AccountId, BenchmarkError> {
	let who = funded::<T>("provider", index);
	Pallet::<T>::do_register_provider(
		who.clone(),
		T::MinProviderStake::get(),
		max_endpoint::<T>(),
		BoundedVec::truncate_from(levels),
		heartbeat_key::<T>(index),
	)?;
	Pallet::<T>::do_heartbeat(heartbeat_key::<T>(index), BoundedVec::new())?;
	Ok(who)
}

/// A provider, its heartbeat and the heartbeat key's signature of it.
type SignedHeartbeat<T> =
	(<T as frame_system::Config>::AccountId, HeartbeatOf<T>, <T as Config>::WorkerSignature);

/// A provider offering `MaxLevelsPerProvider` levels (without a heartbeat yet) whose heartbeat
/// key is a fresh `prov` key of the benchmark keystore, and a heartbeat of that key made now
/// with capacity for every level, signed. Returns the provider, the heartbeat and the signature.
fn signed_heartbeat<T: Config>() -> Result<SignedHeartbeat<T>, BenchmarkError> {
	let levels = add_levels::<T>(T::MaxLevelsPerProvider::get())?;
	let public = sp_io::crypto::sr25519_generate(KEY_TYPE, None);
	let key: T::AccountId = T::WorkerPublic::from(public).into_account();
	let who = funded::<T>("provider", 0);
	Pallet::<T>::do_register_provider(
		who.clone(),
		T::MinProviderStake::get(),
		max_endpoint::<T>(),
		BoundedVec::truncate_from(levels.clone()),
		key.clone(),
	)?;
	let heartbeat = Heartbeat {
		key,
		capacity: BoundedVec::truncate_from(levels.into_iter().map(|level| (level, 10)).collect()),
		at: now::<T>(),
	};
	let signature = sp_io::crypto::sr25519_sign(KEY_TYPE, &public, &signing_payload(&heartbeat))
		.ok_or("the benchmark keystore cannot sign")?;
	Ok((who, heartbeat, signature.into()))
}

/// The period tally of a stored order (what its closing event must carry).
fn tally_of<T: Config>(order_id: OrderId) -> PeriodTally {
	Orders::<T>::get(order_id).map(|order| order.tally()).unwrap_or_default()
}

/// An order of `periods` periods of level 0; returns its id and the end of its bid window.
fn new_order<T: Config>(periods: u32) -> Result<(OrderId, BlockNumberFor<T>), BenchmarkError> {
	// The monitor must be able to seat the order's committee (`NotEnoughWitnesses`).
	T::SlaMonitor::prepare_for_lease(T::MaxCommittee::get());
	let asset = payment_asset::<T>()?;
	let customer = funded_in::<T>(&asset, "customer", 0);
	let bid_window = Pallet::<T>::timings().min_bid_window;
	let order_id = Pallet::<T>::do_create_order(
		customer,
		OrderTerms {
			asset,
			level: 0,
			periods,
			max_unit_price: unit_price::<T>(),
			committee_size: T::MinCommittee::get(),
			bid_window,
			package_hash: [7u8; 32],
			min_reputation: Permill::zero(),
		},
		None,
	)?;
	Ok((order_id, now::<T>().saturating_add(bid_window)))
}

/// Bidders with their prices.
type PricedBids<T> = Vec<(<T as frame_system::Config>::AccountId, BalanceOf<T>)>;

/// `n` providers (indices `0..n`) commit on `order_id`; provider 0 bids the lowest price.
fn commit_bids<T: Config>(order_id: OrderId, n: u32) -> Result<PricedBids<T>, BenchmarkError> {
	let mut bids = Vec::new();
	for i in 0..n {
		let who = online_provider::<T>(i, vec![0])?;
		let price = unit_price::<T>().saturating_sub(BalanceOf::<T>::from(n.saturating_sub(i)));
		let commitment = Pallet::<T>::bid_commitment(order_id, price, &SALT, &who);
		Pallet::<T>::do_commit_bid(who.clone(), order_id, commitment)?;
		bids.push((who, price));
	}
	Ok(bids)
}

/// An order with `bidders` bids of which the first `revealed` are revealed; the block is
/// set to the end of the reveal window (the auction is due to close).
fn auction_due<T: Config>(
	periods: u32,
	bidders: u32,
	revealed: u32,
) -> Result<(OrderId, PricedBids<T>), BenchmarkError> {
	let (order_id, bidding_ends) = new_order::<T>(periods)?;
	let bids = commit_bids::<T>(order_id, bidders)?;
	set_block::<T>(bidding_ends);
	for (who, price) in bids.iter().take(revealed as usize) {
		Pallet::<T>::do_reveal_bid(who.clone(), order_id, *price, SALT)?;
	}
	set_block::<T>(bidding_ends.saturating_add(Pallet::<T>::timings().reveal_window));
	Ok((order_id, bids))
}

/// An order confirmed by its single bidder (Deploying); returns id, provider and price.
fn deploying<T: Config>(
	periods: u32,
) -> Result<(OrderId, T::AccountId, BalanceOf<T>), BenchmarkError> {
	let (order_id, bids) = auction_due::<T>(periods, 1, 1)?;
	Pallet::<T>::do_advance(order_id)?;
	let (winner, price) = bids.first().cloned().ok_or("no bid")?;
	Pallet::<T>::do_confirm_order(winner.clone(), order_id)?;
	Ok((order_id, winner, price))
}

/// The longest package URL.
fn longest_url() -> PackageUrl {
	let mut url = b"https://".to_vec();
	url.resize(defaas_primitives::MAX_PACKAGE_URL_LEN as usize, b'a');
	url.try_into().unwrap_or_default()
}

/// An order whose disputed hand-off the committee is checking: `(order, winner, price)`.
fn handoff_checking<T: Config>() -> Result<(OrderId, T::AccountId, BalanceOf<T>), BenchmarkError> {
	let (order_id, winner, price) = deploying::<T>(1)?;
	Pallet::<T>::do_dispute_handoff(winner.clone(), order_id)?;
	T::SlaMonitor::prepare_for_lease(T::MaxCommittee::get());
	let customer = Orders::<T>::get(order_id).ok_or("no order")?.customer;
	Pallet::<T>::do_publish_package(customer, order_id, longest_url())?;
	Ok((order_id, winner, price))
}

fn prepay_of<T: Config>(order_id: OrderId) -> Result<BalanceOf<T>, BenchmarkError> {
	Ok(Orders::<T>::get(order_id).ok_or("no order")?.prepay)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_level() -> Result<(), BenchmarkError> {
		let origin =
			T::LevelAdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let level = bench_level::<T>();
		let level_id = NextLevelId::<T>::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, level.clone());

		assert_last_event::<T>(Event::LevelAdded { level_id, level });
		Ok(())
	}

	#[benchmark]
	fn register_provider() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		let levels = add_levels::<T>(T::MaxLevelsPerProvider::get())?;
		let levels: BoundedVec<LevelId, T::MaxLevelsPerProvider> =
			BoundedVec::truncate_from(levels);
		let who = funded::<T>("provider", 0);
		let key = heartbeat_key::<T>(0);
		let stake = T::MinProviderStake::get();
		let endpoint = max_endpoint::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), stake, endpoint, levels, key.clone());

		assert_last_event::<T>(Event::ProviderRegistered {
			provider: who,
			stake,
			heartbeat_key: key,
		});
		Ok(())
	}

	#[benchmark]
	fn update_provider() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		let levels = add_levels::<T>(T::MaxLevelsPerProvider::get())?;
		let who = online_provider::<T>(0, levels.iter().take(1).copied().collect())?;
		let levels: BoundedVec<LevelId, T::MaxLevelsPerProvider> =
			BoundedVec::truncate_from(levels);
		let endpoint = max_endpoint::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), endpoint, levels);

		assert_last_event::<T>(Event::ProviderUpdated { provider: who });
		Ok(())
	}

	#[benchmark]
	fn heartbeat() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		let levels = add_levels::<T>(T::MaxLevelsPerProvider::get())?;
		let who = online_provider::<T>(0, levels.clone())?;
		let capacity: BoundedVec<(LevelId, u32), T::MaxLevelsPerProvider> =
			BoundedVec::truncate_from(levels.into_iter().map(|level| (level, 10)).collect());

		#[extrinsic_call]
		_(RawOrigin::Signed(heartbeat_key::<T>(0)), capacity);

		assert_last_event::<T>(Event::HeartbeatReceived { provider: who });
		Ok(())
	}

	#[benchmark]
	fn unregister_provider() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let who = online_provider::<T>(0, vec![0])?;
		// Worst case: a bad reputation sends the stake to the slash sink.
		Providers::<T>::mutate(&who, |p| {
			if let Some(p) = p {
				p.violations = REPUTATION_SCALE.saturating_mul(1_000);
			}
		});
		let stake = T::MinProviderStake::get();
		let before = T::Currency::total_balance(&who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		let slashed = before.saturating_sub(T::Currency::total_balance(&who));
		assert_last_event::<T>(Event::ProviderUnregistered {
			provider: who,
			released: stake.saturating_sub(slashed),
			slashed,
		});
		Ok(())
	}

	#[benchmark]
	fn create_order() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		T::SlaMonitor::prepare_for_lease(T::MaxCommittee::get());
		let asset = payment_asset::<T>()?;
		let customer = funded_in::<T>(&asset, "customer", 0);
		let periods = T::MaxPeriods::get();
		let price = unit_price::<T>();
		let prepay = Pallet::<T>::prepay_for(periods, price).ok_or("prepay overflows")?;
		let bid_window = Pallet::<T>::timings().max_bid_window;
		let committee_size = T::MaxCommittee::get();
		let order_id = NextOrderId::<T>::get();
		let bidding_ends = now::<T>().saturating_add(bid_window);
		let sponsor: Option<T::AccountId> = None;

		#[extrinsic_call]
		_(
			RawOrigin::Signed(customer.clone()),
			0,
			periods,
			price,
			committee_size,
			bid_window,
			[7u8; 32],
			Permill::zero(),
			sponsor,
			asset.clone(),
		);

		assert_last_event::<T>(Event::OrderCreated {
			order_id,
			customer: customer.clone(),
			payer: customer,
			asset,
			level: 0,
			periods,
			max_unit_price: price,
			prepay,
			bidding_ends,
		});
		Ok(())
	}

	#[benchmark]
	fn create_order_sponsored() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		// The sponsor path: the prepay comes from the sponsor's account after spending as much
		// of the allowance it gave the customer.
		T::SlaMonitor::prepare_for_lease(T::MaxCommittee::get());
		let asset = payment_asset::<T>()?;
		let customer: T::AccountId = account("customer", 0, 0);
		let sponsor = funded_in::<T>(&asset, "sponsor", 0);
		let periods = T::MaxPeriods::get();
		let price = unit_price::<T>();
		let prepay = Pallet::<T>::prepay_for(periods, price).ok_or("prepay overflows")?;
		T::Allowances::set_allowance(&asset, &sponsor, &customer, prepay);
		let bid_window = Pallet::<T>::timings().max_bid_window;
		let committee_size = T::MaxCommittee::get();
		let order_id = NextOrderId::<T>::get();
		let bidding_ends = now::<T>().saturating_add(bid_window);

		#[extrinsic_call]
		create_order(
			RawOrigin::Signed(customer.clone()),
			0,
			periods,
			price,
			committee_size,
			bid_window,
			[7u8; 32],
			Permill::zero(),
			Some(sponsor.clone()),
			asset.clone(),
		);

		assert_last_event::<T>(Event::OrderCreated {
			order_id,
			customer,
			payer: sponsor,
			asset,
			level: 0,
			periods,
			max_unit_price: price,
			prepay,
			bidding_ends,
		});
		Ok(())
	}

	/// `b`: the bids on the order (their deposits are released).
	#[benchmark]
	fn cancel_order(b: Linear<0, { T::MaxBidsPerOrder::get() }>) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, _) = new_order::<T>(1)?;
		commit_bids::<T>(order_id, b)?;
		let customer: T::AccountId = account("customer", 0, 0);
		let prepay = prepay_of::<T>(order_id)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(customer), order_id);

		assert_last_event::<T>(Event::OrderCancelled {
			order_id,
			reason: CloseReason::CustomerCancelled,
			paid: Zero::zero(),
			refunded: prepay,
			tally: tally_of::<T>(order_id),
		});
		Ok(())
	}

	/// `b`: the bids already on the order.
	#[benchmark]
	fn commit_bid(
		b: Linear<0, { T::MaxBidsPerOrder::get().saturating_sub(1) }>,
	) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, _) = new_order::<T>(1)?;
		commit_bids::<T>(order_id, b)?;
		let who = online_provider::<T>(T::MaxBidsPerOrder::get(), vec![0])?;
		let commitment = Pallet::<T>::bid_commitment(order_id, unit_price::<T>(), &SALT, &who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), order_id, commitment);

		assert_last_event::<T>(Event::BidCommitted { order_id, provider: who });
		Ok(())
	}

	#[benchmark]
	fn reveal_bid() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, bidding_ends) = new_order::<T>(1)?;
		let bids = commit_bids::<T>(order_id, T::MaxBidsPerOrder::get())?;
		let (who, price) = bids.last().cloned().ok_or("no bid")?;
		set_block::<T>(bidding_ends);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), order_id, price, SALT);

		assert_last_event::<T>(Event::BidRevealed { order_id, provider: who, price });
		Ok(())
	}

	/// `b`: the revealed bids kept as candidates (all but the winner's are released).
	#[benchmark]
	fn confirm_order(b: Linear<1, { T::MaxBidsPerOrder::get() }>) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		RecentPrices::<T>::insert(
			0,
			payment_asset::<T>()?,
			BoundedVec::truncate_from(vec![unit_price::<T>(); T::MaxRecentPrices::get() as usize]),
		);
		let (order_id, bids) = auction_due::<T>(1, b, b)?;
		Pallet::<T>::do_advance(order_id)?;
		let (winner, price) = bids.first().cloned().ok_or("no bid")?;
		let deploy_until = now::<T>().saturating_add(Pallet::<T>::timings().deploy_window);

		#[extrinsic_call]
		_(RawOrigin::Signed(winner.clone()), order_id);

		let (level, asset) =
			Orders::<T>::get(order_id).map(|o| (o.level, o.asset)).ok_or("no order")?;
		assert_last_event::<T>(Event::OrderConfirmed {
			order_id,
			level,
			asset,
			provider: winner,
			unit_price: price,
			deploy_until,
		});
		Ok(())
	}

	/// Worst case: the provider deploys while the committee checks a disputed hand-off (the
	/// check stops, the lease's monitoring starts).
	#[benchmark]
	fn fulfill() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let periods = T::MaxPeriods::get();
		let (order_id, winner, _) = deploying::<T>(periods)?;
		Pallet::<T>::do_dispute_handoff(winner.clone(), order_id)?;
		T::SlaMonitor::prepare_for_lease(T::MaxCommittee::get());
		let customer = Orders::<T>::get(order_id).ok_or("no order")?.customer;
		Pallet::<T>::do_publish_package(customer, order_id, longest_url())?;
		let first_period_start = now::<T>();
		let period_length = Orders::<T>::get(order_id).ok_or("no order")?.period_length;

		#[extrinsic_call]
		_(RawOrigin::Signed(winner.clone()), order_id);

		assert_last_event::<T>(Event::LeaseStarted {
			order_id,
			provider: winner,
			first_period_start,
			period_length,
			periods,
		});
		Ok(())
	}

	#[benchmark]
	fn abort() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, winner, _) = deploying::<T>(1)?;
		let prepay = prepay_of::<T>(order_id)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(winner), order_id);

		assert_last_event::<T>(Event::OrderCancelled {
			order_id,
			reason: CloseReason::ProviderAborted,
			paid: Zero::zero(),
			refunded: prepay,
			tally: tally_of::<T>(order_id),
		});
		Ok(())
	}

	#[benchmark]
	fn dispute_handoff() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, winner, _) = deploying::<T>(1)?;
		let publish_until = now::<T>().saturating_add(Pallet::<T>::timings().deploy_window);

		#[extrinsic_call]
		_(RawOrigin::Signed(winner.clone()), order_id);

		assert_last_event::<T>(Event::HandoffDisputed {
			order_id,
			provider: winner,
			publish_until,
		});
		Ok(())
	}

	#[benchmark]
	fn publish_package() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, winner, _) = deploying::<T>(1)?;
		Pallet::<T>::do_dispute_handoff(winner, order_id)?;
		T::SlaMonitor::prepare_for_lease(T::MaxCommittee::get());
		let customer = Orders::<T>::get(order_id).ok_or("no order")?.customer;
		let verdict_due = Pallet::<T>::verdict_due(
			now::<T>(),
			Orders::<T>::get(order_id).ok_or("no order")?.period_length,
			0,
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(customer), order_id, longest_url());

		let state = Orders::<T>::get(order_id).map(|o| o.state);
		frame_support::ensure!(
			state == Some(OrderState::HandoffChecking { verdict_due }),
			"the check runs"
		);
		Ok(())
	}

	/// The committee finds the published package wrong: the customer pays the provider one
	/// unit price and the order ends (the dearer of the two hand-off verdicts: a transfer and
	/// the close).
	#[benchmark]
	fn on_handoff_verdict() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, _, price) = handoff_checking::<T>()?;
		let prepay = prepay_of::<T>(order_id)?;

		#[block]
		{
			<Pallet<T> as SlaVerdictHandler>::on_verdict(order_id, 0, Verdict::Violated)?;
		}

		assert_last_event::<T>(Event::OrderCancelled {
			order_id,
			reason: CloseReason::CustomerDidNotDeliver,
			paid: price,
			refunded: prepay.saturating_sub(price),
			tally: tally_of::<T>(order_id),
		});
		Ok(())
	}

	/// `b`: the bids on the order. Worst case for `b`: the auction closes with one revealed
	/// bid and every other bid unrevealed (each deposit goes through the slash sink).
	#[benchmark]
	fn advance(b: Linear<1, { T::MaxBidsPerOrder::get() }>) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, bids) = auction_due::<T>(1, b, 1)?;
		let (candidate, price) = bids.first().cloned().ok_or("no bid")?;
		let confirm_until = now::<T>().saturating_add(Pallet::<T>::timings().confirm_window);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), order_id);

		assert_last_event::<T>(Event::AuctionClosed {
			order_id,
			candidate,
			price,
			revealed: 1,
			confirm_until,
		});
		Ok(())
	}

	#[benchmark]
	fn on_verdict() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		// Worst case: the verdict settles the last period and ends the order.
		let (order_id, winner, price) = deploying::<T>(1)?;
		T::SlaMonitor::prepare_for_lease(T::MaxCommittee::get());
		Pallet::<T>::do_fulfill(winner, order_id)?;
		let prepay = prepay_of::<T>(order_id)?;

		#[block]
		{
			<Pallet<T> as SlaVerdictHandler>::on_verdict(order_id, 0, Verdict::NoViolation)?;
		}

		assert_last_event::<T>(Event::OrderFinished {
			order_id,
			paid: price,
			refunded: prepay.saturating_sub(price),
			tally: tally_of::<T>(order_id),
		});
		Ok(())
	}

	/// A verdict after which the order goes on: the period is paid, the next verdict deadline
	/// scheduled (what `on_verdict` is charged for all but an order's last period).
	#[benchmark]
	fn on_verdict_continue() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		add_levels::<T>(1)?;
		let (order_id, winner, price) = deploying::<T>(2)?;
		T::SlaMonitor::prepare_for_lease(T::MaxCommittee::get());
		Pallet::<T>::do_fulfill(winner, order_id)?;

		#[block]
		{
			<Pallet<T> as SlaVerdictHandler>::on_verdict(order_id, 0, Verdict::NoViolation)?;
		}

		let order = Orders::<T>::get(order_id).ok_or("no order")?;
		assert_eq!(order.paid, price);
		assert!(matches!(order.state, OrderState::Fulfilling { round: 1, .. }));
		Ok(())
	}

	#[benchmark]
	fn set_timings() -> Result<(), BenchmarkError> {
		let origin =
			T::LevelAdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let timings = T::DefaultTimings::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, timings);

		assert_last_event::<T>(Event::TimingsSet { timings });
		Ok(())
	}

	#[benchmark]
	fn set_payment_asset() -> Result<(), BenchmarkError> {
		let origin =
			T::LevelAdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let asset = T::BenchmarkHelper::create_asset();
		let min_prepay = unit_price::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, asset.clone(), Some(min_prepay));

		assert_last_event::<T>(Event::PaymentAssetSet { asset, min_prepay });
		Ok(())
	}

	#[benchmark]
	fn worker_heartbeat() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		// (`heartbeat` names the benchmark of that call here.)
		let (who, beat, signature) = signed_heartbeat::<T>()?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, beat, signature);

		assert_last_event::<T>(Event::HeartbeatReceived { provider: who });
		Ok(())
	}

	#[benchmark]
	fn authorize_worker_heartbeat() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		let (_, beat, signature) = signed_heartbeat::<T>()?;
		let call = Call::<T>::worker_heartbeat { heartbeat: beat, signature };

		#[block]
		{
			use frame_support::pallet_prelude::{Authorize, TransactionSource};
			call.authorize(TransactionSource::External)
				.ok_or("worker_heartbeat must be authorized")??;
		}

		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
