//! `try_state`: the invariants of docs/architecture.md §10 that concern the market.
//!
//! 1. Per account and hold reason: currency hold == sum of records (provider stakes and bid
//!    deposits in FST; order prepays still outstanding per payment asset); an account the
//!    system knows holds nothing for a market reason without records (a hold the market
//!    forgot to release shows up here). Per payment asset, the held escrow equals the open
//!    orders' remaining prepay.
//! 3. Every order is in exactly one state (by construction: one enum); a Deploying or
//!    Fulfilling order has a lease whose provider is registered; a Fulfilling lease has
//!    started; `paid + refunded ≤ prepay`; an ended order holds nothing and has no bids.
//! 5. Bids, open-order index entries and provider counters agree with the orders.
//!
//! Besides: the time parameters in force are valid, every order has a positive billing
//! period, and there are at most `MaxPaymentAssets` payment assets, each existing and none
//! of them FST.

use crate::{
	pallet::{
		Bids, Config, HeartbeatKeys, HoldReason, NextOrderId, OpenOrders, Orders, Pallet,
		PaymentAssets, Providers,
	},
	types::*,
};
use alloc::collections::{BTreeMap, BTreeSet};
use frame_support::{
	ensure,
	traits::{fungible::InspectHold, fungibles, Get},
};
use sp_runtime::{
	traits::{CheckedAdd, Saturating, Zero},
	TryRuntimeError,
};

type Ledger<T> = BTreeMap<AccountIdOf<T>, BalanceOf<T>>;
type AssetLedger<T> = BTreeMap<AssetKindOf<T>, Ledger<T>>;
type Counters<T> = BTreeMap<AccountIdOf<T>, u32>;

fn add<T: Config>(map: &mut Ledger<T>, who: &AccountIdOf<T>, amount: BalanceOf<T>) {
	let entry = map.entry(who.clone()).or_default();
	*entry = entry.saturating_add(amount);
}

fn count<T: Config>(map: &mut Counters<T>, who: &AccountIdOf<T>) {
	let entry = map.entry(who.clone()).or_default();
	*entry = entry.saturating_add(1);
}

impl<T: Config> Pallet<T> {
	/// Check the market's invariants.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut stakes = Ledger::<T>::new();
		let mut prepays = AssetLedger::<T>::new();
		let mut deposits = Ledger::<T>::new();
		let mut open_bids = Counters::<T>::new();
		let mut active_leases = Counters::<T>::new();

		ensure!(Self::timings().validate(), "invalid time parameters in force");
		ensure!(
			PaymentAssets::<T>::count() <= T::MaxPaymentAssets::get(),
			"more payment assets than MaxPaymentAssets"
		);
		ensure!(
			PaymentAssets::<T>::count() as usize == PaymentAssets::<T>::iter_keys().count(),
			"payment asset counter is wrong"
		);
		for asset in PaymentAssets::<T>::iter_keys() {
			ensure!(asset != T::NativeAsset::get(), "FST stored as a payment asset");
			ensure!(
				<T::PaymentFunds as fungibles::Inspect<_>>::asset_exists(asset),
				"payment asset does not exist"
			);
		}

		for (who, provider) in Providers::<T>::iter() {
			add::<T>(&mut stakes, &who, provider.stake);
			ensure!(
				HeartbeatKeys::<T>::get(&provider.heartbeat_key).as_ref() == Some(&who),
				"provider's heartbeat key not indexed"
			);
		}
		for (_key, who) in HeartbeatKeys::<T>::iter() {
			ensure!(Providers::<T>::contains_key(&who), "heartbeat key of unknown provider");
		}

		let next_order_id = NextOrderId::<T>::get();
		for (order_id, order) in Orders::<T>::iter() {
			ensure!(order_id < next_order_id, "order id not yet allocated");
			ensure!(!order.period_length.is_zero(), "order with a zero billing period");
			let settled =
				order.paid.checked_add(&order.refunded).ok_or("paid + refunded overflows")?;
			ensure!(settled <= order.prepay, "paid + refunded exceeds prepay");
			add::<T>(
				prepays.entry(order.asset.clone()).or_default(),
				&order.payer,
				order.outstanding(),
			);
			let bids = Bids::<T>::decode_len(order_id).unwrap_or(0);
			let open = OpenOrders::<T>::contains_key(order.level, order_id);
			match &order.state {
				OrderState::Bidding { .. } | OrderState::Revealing { .. } => {
					ensure!(order.lease.is_none(), "auction order has a lease");
					ensure!(open, "auction order not in the open-order index");
				},
				OrderState::Confirming { candidate, .. } => {
					ensure!(order.lease.is_none(), "confirming order has a lease");
					ensure!(!open, "confirming order still open");
					let first = Bids::<T>::get(order_id).first().map(|bid| bid.provider.clone());
					ensure!(first.as_ref() == Some(candidate), "candidate is not the best bid");
				},
				OrderState::Deploying { .. }
				| OrderState::HandoffDisputed { .. }
				| OrderState::HandoffChecking { .. }
				| OrderState::Fulfilling { .. } => {
					ensure!(!open, "leased order still open");
					let lease = order.lease.as_ref().ok_or("leased order without lease")?;
					ensure!(
						Providers::<T>::contains_key(&lease.provider),
						"lease of an unregistered provider"
					);
					count::<T>(&mut active_leases, &lease.provider);
					if let OrderState::Fulfilling { round, .. } = order.state {
						ensure!(lease.start.is_some(), "fulfilling lease without start");
						ensure!(bids == 0, "fulfilling order still holds bids");
						ensure!(round < order.periods, "round beyond the last period");
						ensure!(lease.settled == round, "settled periods != round");
					} else {
						ensure!(bids <= 1, "deploying order holds more than the winner's bid");
					}
				},
				OrderState::Finished { .. }
				| OrderState::Failed { .. }
				| OrderState::Cancelled { .. } => {
					ensure!(!open, "ended order still open");
					ensure!(bids == 0, "ended order still holds bids");
					ensure!(order.outstanding().is_zero(), "ended order still holds prepay");
				},
			}
		}

		for (order_id, bids) in Bids::<T>::iter() {
			let order = Orders::<T>::get(order_id).ok_or("bids of an unknown order")?;
			ensure!(!order.state.is_terminal() || bids.is_empty(), "bids of an ended order");
			for bid in bids.iter() {
				add::<T>(&mut deposits, &bid.provider, bid.deposit);
				count::<T>(&mut open_bids, &bid.provider);
				ensure!(Providers::<T>::contains_key(&bid.provider), "bid of unknown provider");
			}
		}
		for (level, order_id, ()) in OpenOrders::<T>::iter() {
			let order = Orders::<T>::get(order_id).ok_or("open entry of an unknown order")?;
			ensure!(order.level == level, "open entry under the wrong level");
			ensure!(order.state.is_auction(), "open entry of an order past its auction");
		}

		for (who, provider) in Providers::<T>::iter() {
			ensure!(
				provider.open_bids == open_bids.get(&who).copied().unwrap_or(0),
				"provider's open-bid counter is wrong"
			);
			ensure!(
				provider.active_leases == active_leases.get(&who).copied().unwrap_or(0),
				"provider's active-lease counter is wrong"
			);
		}

		Self::check_holds(HoldReason::ProviderStake, &stakes)?;
		Self::check_prepays(&prepays)?;
		Self::check_holds(HoldReason::BidDeposit, &deposits)?;
		Ok(())
	}

	/// Currency holds == records, for every account with a record; no hold for `reason` on an
	/// account the system knows without one (a leaked hold). Reads only: the market keeps no
	/// ledger of its own beside the currency's holds.
	fn check_holds(reason: HoldReason, records: &Ledger<T>) -> Result<(), TryRuntimeError> {
		let held = |who: &AccountIdOf<T>| T::Currency::balance_on_hold(&reason.into(), who);
		for (who, recorded) in records.iter() {
			ensure!(held(who) == *recorded, "currency hold differs from records");
		}
		for who in frame_system::Account::<T>::iter_keys() {
			if !records.contains_key(&who) {
				ensure!(held(&who).is_zero(), "currency hold without records");
			}
		}
		Ok(())
	}

	/// Per payment asset (FST, the accepted assets and any asset an order still pays in):
	/// prepay holds == the orders' outstanding prepays, and no prepay held without an order.
	fn check_prepays(prepays: &AssetLedger<T>) -> Result<(), TryRuntimeError> {
		let assets: BTreeSet<AssetKindOf<T>> = core::iter::once(T::NativeAsset::get())
			.chain(PaymentAssets::<T>::iter_keys())
			.chain(prepays.keys().cloned())
			.collect();
		let reason: T::RuntimeHoldReason = HoldReason::OrderPrepay.into();
		let empty = Ledger::<T>::new();
		for asset in assets {
			let records = prepays.get(&asset).unwrap_or(&empty);
			let held = |who: &AccountIdOf<T>| {
				<T::PaymentFunds as fungibles::InspectHold<_>>::balance_on_hold(
					asset.clone(),
					&reason,
					who,
				)
			};
			for (who, recorded) in records.iter() {
				ensure!(held(who) == *recorded, "prepay hold differs from the orders");
			}
			for who in frame_system::Account::<T>::iter_keys() {
				if !records.contains_key(&who) {
					ensure!(held(&who).is_zero(), "prepay held without an order");
				}
			}
		}
		Ok(())
	}
}
