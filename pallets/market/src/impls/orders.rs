//! Orders: creation, cancellation, confirmation, deployment and closing.

use crate::{
	pallet::{
		Bids, Config, Error, Event, Levels, NextOrderId, OpenOrders, Orders, Pallet, Providers,
	},
	traits::{SlaMonitor, Verdict},
	types::*,
	LOG_TARGET,
};
use defaas_primitives::traits::PaymentAllowances;
use frame_support::{
	pallet_prelude::*, storage::with_storage_layer, traits::tokens::Precision, BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{CheckedMul, Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// `PrepayFactor × periods × unit_price`, `None` on overflow.
	pub fn prepay_for(periods: u32, unit_price: BalanceOf<T>) -> Option<BalanceOf<T>> {
		BalanceOf::<T>::from(T::PrepayFactor::get())
			.checked_mul(&BalanceOf::<T>::from(periods))?
			.checked_mul(&unit_price)
	}

	/// `create_order`: validate the terms, (spend the sponsor's allowance,) hold the prepay
	/// and open the auction.
	pub(crate) fn do_create_order(
		customer: T::AccountId,
		terms: OrderTermsOf<T>,
		sponsor: Option<T::AccountId>,
	) -> Result<OrderId, DispatchError> {
		let now = Self::now();
		let timings = Self::timings();
		ensure!(Levels::<T>::contains_key(terms.level), Error::<T>::UnknownLevel);
		ensure!(terms.periods > 0, Error::<T>::ZeroPeriods);
		ensure!(terms.periods <= T::MaxPeriods::get(), Error::<T>::TooManyPeriods);
		ensure!(terms.committee_size >= T::MinCommittee::get(), Error::<T>::CommitteeTooSmall);
		ensure!(terms.committee_size <= T::MaxCommittee::get(), Error::<T>::CommitteeTooLarge);
		ensure!(
			terms.committee_size <= T::SlaMonitor::committee_capacity(),
			Error::<T>::NotEnoughWitnesses
		);
		ensure!(terms.bid_window >= timings.min_bid_window, Error::<T>::BidWindowTooShort);
		ensure!(terms.bid_window <= timings.max_bid_window, Error::<T>::BidWindowTooLong);
		ensure!(!terms.max_unit_price.is_zero(), Error::<T>::ZeroPrice);
		let min_prepay = Self::min_prepay(&terms.asset)?;
		ensure!(
			terms.max_unit_price >= Self::least_unit_price(&terms.asset),
			Error::<T>::PriceBelowAssetMinimum
		);
		let prepay =
			Self::prepay_for(terms.periods, terms.max_unit_price).ok_or(Error::<T>::Overflow)?;
		ensure!(prepay >= min_prepay, Error::<T>::PrepayBelowMinimum);
		let payer = match sponsor {
			Some(sponsor) if sponsor != customer => sponsor,
			_ => customer.clone(),
		};
		let sponsored = payer != customer;
		if sponsored {
			ensure!(
				T::Allowances::allowance(&terms.asset, &payer, &customer) >= prepay,
				Error::<T>::InsufficientAllowance
			);
		}
		ensure!(
			Self::can_hold_prepay(&terms.asset, &payer, prepay),
			Error::<T>::InsufficientBalance
		);
		let order_id = NextOrderId::<T>::get();
		let next_order_id = order_id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let bidding_ends = now.saturating_add(terms.bid_window);
		let slot = Self::find_deadline_slot(bidding_ends).ok_or(Error::<T>::DeadlineIndexFull)?;

		if sponsored {
			T::Allowances::spend_allowance(&terms.asset, &payer, &customer, prepay)?;
		}
		Self::hold_prepay(&terms.asset, &payer, prepay)?;
		NextOrderId::<T>::put(next_order_id);
		Orders::<T>::insert(
			order_id,
			OrderRecord {
				customer: customer.clone(),
				payer: payer.clone(),
				asset: terms.asset.clone(),
				level: terms.level,
				periods: terms.periods,
				period_length: timings.billing_period,
				max_unit_price: terms.max_unit_price,
				committee_size: terms.committee_size,
				package_hash: terms.package_hash,
				min_reputation: terms.min_reputation,
				prepay,
				paid: Zero::zero(),
				refunded: Zero::zero(),
				state: OrderState::Bidding { bidding_ends },
				lease: None,
				created_at: now,
			},
		);
		OpenOrders::<T>::insert(terms.level, order_id, ());
		Self::push_deadline(slot, order_id);
		Self::deposit_event(Event::OrderCreated {
			order_id,
			customer,
			payer,
			asset: terms.asset,
			level: terms.level,
			periods: terms.periods,
			max_unit_price: terms.max_unit_price,
			prepay,
			bidding_ends,
		});
		Ok(order_id)
	}

	/// `cancel_order`: by the customer, before the order is fulfilled.
	pub(crate) fn do_cancel_order(who: T::AccountId, order_id: OrderId) -> DispatchResult {
		let order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		ensure!(order.customer == who, Error::<T>::NotCustomer);
		ensure!(
			matches!(
				order.state,
				OrderState::Bidding { .. }
					| OrderState::Revealing { .. }
					| OrderState::Confirming { .. }
					| OrderState::Deploying { .. }
			),
			Error::<T>::CannotCancel
		);
		Self::close_order(order_id, order, Some(CloseReason::CustomerCancelled), Self::now())
	}

	/// `confirm_order`: the candidate accepts; the lease is created, the fallback candidates'
	/// deposits are released and the clearing price is recorded.
	pub(crate) fn do_confirm_order(who: T::AccountId, order_id: OrderId) -> DispatchResult {
		let now = Self::now();
		let mut order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		let OrderState::Confirming { candidate, price, confirm_until } = order.state.clone() else {
			return Err(Error::<T>::NotConfirming.into());
		};
		ensure!(who == candidate, Error::<T>::NotCandidate);
		ensure!(now < confirm_until, Error::<T>::ConfirmWindowClosed);
		ensure!(Providers::<T>::contains_key(&who), Error::<T>::NotProvider);

		let mut kept = BoundedVec::<BidRecordOf<T>, T::MaxBidsPerOrder>::new();
		for bid in Bids::<T>::take(order_id).into_iter() {
			if bid.provider == who {
				// Cannot fail: `kept` holds at most the one bid of `who`.
				let _ = kept.try_push(bid);
			} else {
				Self::release_bid(order_id, &bid);
			}
		}
		if !kept.is_empty() {
			Bids::<T>::insert(order_id, kept);
		}
		Providers::<T>::mutate(&who, |p| {
			if let Some(p) = p {
				p.active_leases = p.active_leases.saturating_add(1);
			}
		});
		let deploy_until = now.saturating_add(Self::timings().deploy_window);
		order.lease = Some(LeaseRecord {
			provider: who.clone(),
			unit_price: price,
			start: None,
			settled: 0,
			violations: 0,
			consecutive_violations: 0,
			compensation: Zero::zero(),
		});
		order.state = OrderState::Deploying { deploy_until };
		Self::record_clearing_price(order.level, &order.asset, price);
		let (level, asset) = (order.level, order.asset.clone());
		Orders::<T>::insert(order_id, order);
		Self::schedule_or_log(order_id, deploy_until);
		Self::deposit_event(Event::OrderConfirmed {
			order_id,
			level,
			asset,
			provider: who,
			unit_price: price,
			deploy_until,
		});
		Ok(())
	}

	/// `fulfill`: the provider deployed; the monitor starts watching and round 0 begins.
	/// If the monitor refuses the lease the order fails with `MonitorUnavailable` instead.
	pub(crate) fn do_fulfill(who: T::AccountId, order_id: OrderId) -> DispatchResult {
		let now = Self::now();
		let mut order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		// A provider that got the package after all may deploy during a hand-off dispute too
		// (the dispute's check, if running, then ends unjudged).
		ensure!(order.state.is_handoff(), Error::<T>::NotDeploying);
		let mut lease = order.lease.clone().ok_or(Error::<T>::Inconsistent)?;
		ensure!(lease.provider == who, Error::<T>::NotLeaseProvider);
		ensure!(now < order.state.deadline(), Error::<T>::DeployWindowClosed);
		let period_length = order.period_length;
		let info = LeaseInfo {
			order_id,
			provider: who.clone(),
			customer: order.customer.clone(),
			level: order.level,
			period_length,
			periods: order.periods,
			committee_size: order.committee_size,
			first_period_start: now,
			target: MonitorTarget::Service,
		};
		let checking = matches!(order.state, OrderState::HandoffChecking { .. });
		// In its own storage layer: a refusal leaves nothing of the monitor's changes behind.
		let monitored = with_storage_layer(|| {
			if checking {
				T::SlaMonitor::stop_monitoring(order_id);
			}
			T::SlaMonitor::start_monitoring(&info)
		});
		if let Err(e) = monitored {
			// Nobody can judge the lease, so nobody pays or is penalised: the order fails,
			// the provider's deposit and the payer's prepay are released.
			log::warn!(target: LOG_TARGET, "order {}: monitor refused the lease: {:?}", order_id, e);
			return Self::close_order(order_id, order, Some(CloseReason::MonitorUnavailable), now);
		}

		for bid in Bids::<T>::take(order_id).into_iter() {
			Self::release_bid(order_id, &bid);
		}
		lease.start = Some(now);
		order.lease = Some(lease);
		let verdict_due = Self::verdict_due(now, period_length, 0);
		order.state = OrderState::Fulfilling { round: 0, verdict_due };
		Orders::<T>::insert(order_id, &order);
		Self::schedule_or_log(order_id, verdict_due);
		Self::deposit_event(Event::LeaseStarted {
			order_id,
			provider: who,
			first_period_start: now,
			period_length,
			periods: order.periods,
		});
		Ok(())
	}

	/// `abort`: the lease's provider gives up within the deploy window (its deposit is
	/// released).
	pub(crate) fn do_abort(who: T::AccountId, order_id: OrderId) -> DispatchResult {
		let now = Self::now();
		let order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		let OrderState::Deploying { deploy_until } = order.state else {
			return Err(Error::<T>::NotDeploying.into());
		};
		let provider = order.lease.as_ref().map(|lease| &lease.provider);
		ensure!(provider == Some(&who), Error::<T>::NotLeaseProvider);
		// After the deadline the deposit is forfeited by `advance`; aborting cannot dodge it.
		ensure!(now < deploy_until, Error::<T>::DeployWindowClosed);
		Self::close_order(order_id, order, Some(CloseReason::ProviderAborted), now)
	}

	/// `dispute_handoff`: the lease's provider, within the deploy window, says no valid
	/// package reached it. The customer must publish the package (`publish_package`) within a
	/// deploy window; the committee then decides who failed the hand-off.
	pub(crate) fn do_dispute_handoff(who: T::AccountId, order_id: OrderId) -> DispatchResult {
		let now = Self::now();
		let mut order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		let OrderState::Deploying { deploy_until } = order.state else {
			return Err(Error::<T>::NotDeploying.into());
		};
		let provider = order.lease.as_ref().map(|lease| &lease.provider);
		ensure!(provider == Some(&who), Error::<T>::NotLeaseProvider);
		ensure!(now < deploy_until, Error::<T>::DeployWindowClosed);
		let publish_until = now.saturating_add(Self::timings().deploy_window);
		let slot = Self::find_deadline_slot(publish_until).ok_or(Error::<T>::DeadlineIndexFull)?;
		order.state = OrderState::HandoffDisputed { publish_until };
		Orders::<T>::insert(order_id, order);
		Self::push_deadline(slot, order_id);
		Self::deposit_event(Event::HandoffDisputed { order_id, provider: who, publish_until });
		Ok(())
	}

	/// `publish_package`: the customer of a disputed hand-off names where its package can be
	/// fetched; a committee of the monitor checks it in one round of the order's billing-period
	/// length. If the monitor cannot seat a committee nobody can judge: the order fails
	/// (`MonitorUnavailable`) and everything held is released.
	pub(crate) fn do_publish_package(
		who: T::AccountId,
		order_id: OrderId,
		url: PackageUrl,
	) -> DispatchResult {
		let now = Self::now();
		let mut order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		ensure!(order.customer == who, Error::<T>::NotCustomer);
		let OrderState::HandoffDisputed { publish_until } = order.state else {
			return Err(Error::<T>::NotDisputed.into());
		};
		ensure!(now < publish_until, Error::<T>::PublishWindowClosed);
		ensure!(defaas_primitives::is_package_url(&url), Error::<T>::InvalidPackageUrl);
		let lease = order.lease.clone().ok_or(Error::<T>::Inconsistent)?;
		let level = Levels::<T>::get(order.level).ok_or(Error::<T>::Inconsistent)?;
		let verdict_due = Self::verdict_due(now, order.period_length, 0);
		let slot = Self::find_deadline_slot(verdict_due).ok_or(Error::<T>::DeadlineIndexFull)?;
		let info = LeaseInfo {
			order_id,
			provider: lease.provider,
			customer: order.customer.clone(),
			level: order.level,
			period_length: order.period_length,
			periods: 1,
			committee_size: order.committee_size,
			first_period_start: now,
			target: MonitorTarget::Package(PackageCheck {
				url: url.clone(),
				package_hash: order.package_hash,
				max_bytes: u64::from(level.package_mb).saturating_mul(1024 * 1024),
			}),
		};
		Self::deposit_event(Event::PackagePublished { order_id, url, verdict_due });
		let monitored = with_storage_layer(|| T::SlaMonitor::start_monitoring(&info));
		if let Err(e) = monitored {
			log::warn!(target: LOG_TARGET, "order {}: monitor refused the check: {:?}", order_id, e);
			return Self::close_order(order_id, order, Some(CloseReason::MonitorUnavailable), now);
		}
		order.state = OrderState::HandoffChecking { verdict_due };
		Orders::<T>::insert(order_id, order);
		Self::push_deadline(slot, order_id);
		Ok(())
	}

	/// The customer failed the hand-off (it did not publish its package in time, or the
	/// committee found the published package wrong): the provider's deposit is released and
	/// the provider is paid one unit price from the prepay for the deployment it could not
	/// make; the rest goes back to the payer.
	pub(crate) fn customer_did_not_deliver(
		order_id: OrderId,
		mut order: OrderRecordOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let lease = order.lease.clone().ok_or(Error::<T>::Inconsistent)?;
		let fee = lease.unit_price.min(order.outstanding());
		let paid = Self::pay_from_prepay(
			&order.asset,
			&order.payer,
			&lease.provider,
			fee,
			Precision::Exact,
		)?;
		order.paid = order.paid.saturating_add(paid);
		Self::close_order(order_id, order, Some(CloseReason::CustomerDidNotDeliver), now)
	}

	/// The verdict of a hand-off check: `Violated` (the package is not what the customer
	/// committed to) puts the cost on the customer, `NoViolation` (it is) on the provider,
	/// whose deposit is forfeited as if it had not deployed.
	pub(crate) fn settle_handoff(
		order_id: OrderId,
		order: OrderRecordOf<T>,
		round: u32,
		verdict: Verdict,
	) -> DispatchResult {
		let now = Self::now();
		let OrderState::HandoffChecking { verdict_due } = order.state else {
			return Err(Error::<T>::NotFulfilling.into());
		};
		ensure!(round == 0, Error::<T>::WrongRound);
		ensure!(now < verdict_due, Error::<T>::VerdictTooLate);
		match verdict {
			Verdict::Violated => Self::customer_did_not_deliver(order_id, order, now),
			Verdict::NoViolation => Self::deploy_timed_out(order_id, order, now),
		}
	}

	/// The provider did not `fulfill` in time: its deposit is forfeited, the order cancelled.
	pub(crate) fn deploy_timed_out(
		order_id: OrderId,
		order: OrderRecordOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		for bid in Bids::<T>::take(order_id).into_iter() {
			Self::forfeit_bid(order_id, &bid);
		}
		Self::close_order(order_id, order, Some(CloseReason::ProviderDidNotDeploy), now)
	}

	/// End an order: release every bid deposit still held for it, end its lease (and the
	/// monitoring), release what is still held of the prepay to the payer, and move it to
	/// Finished (`reason = None`), Failed or Cancelled (by reason) until it is pruned.
	pub(crate) fn close_order(
		order_id: OrderId,
		mut order: OrderRecordOf<T>,
		reason: Option<CloseReason>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		for bid in Bids::<T>::take(order_id).into_iter() {
			Self::release_bid(order_id, &bid);
		}
		OpenOrders::<T>::remove(order.level, order_id);
		if let Some(lease) = &order.lease {
			Self::lease_closed(&lease.provider);
			if matches!(
				order.state,
				OrderState::Fulfilling { .. } | OrderState::HandoffChecking { .. }
			) {
				T::SlaMonitor::stop_monitoring(order_id);
			}
		}
		let released = Self::release_prepay(&order.asset, &order.payer, order.outstanding());
		order.refunded = order.refunded.saturating_add(released);

		let prune_at = now.saturating_add(Self::timings().retention_period);
		let (paid, refunded, tally) = (order.paid, order.refunded, order.tally());
		let event = match reason {
			None => {
				order.state = OrderState::Finished { prune_at };
				Event::OrderFinished { order_id, paid, refunded, tally }
			},
			Some(
				reason @ (CloseReason::ProviderDidNotDeploy
				| CloseReason::ProviderAborted
				| CloseReason::CustomerCancelled
				| CloseReason::CustomerDidNotDeliver),
			) => {
				order.state = OrderState::Cancelled { reason, prune_at };
				Event::OrderCancelled { order_id, reason, paid, refunded, tally }
			},
			Some(reason) => {
				order.state = OrderState::Failed { reason, prune_at };
				Event::OrderFailed { order_id, reason, paid, refunded, tally }
			},
		};
		Orders::<T>::insert(order_id, order);
		Self::schedule_or_log(order_id, prune_at);
		Self::deposit_event(event);
		Ok(())
	}
}
