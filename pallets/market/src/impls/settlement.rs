//! Settlement: one billing period per SLA verdict, and verdict timeouts.

use crate::{
	pallet::{Config, Error, Event, HoldReason, Orders, Pallet, Providers},
	traits::{SlaVerdictHandler, Verdict},
	types::*,
	WeightInfo, LOG_TARGET,
};
use defaas_primitives::traits::SlashSink;
use frame_support::{pallet_prelude::*, storage::with_storage_layer, traits::tokens::Precision};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// First block of round `round` of a lease that started at `start` with billing periods
	/// of `period_length` blocks.
	pub(crate) fn round_start(
		start: BlockNumberFor<T>,
		period_length: BlockNumberFor<T>,
		round: u32,
	) -> BlockNumberFor<T> {
		start.saturating_add(period_length.saturating_mul(round.into()))
	}

	/// First block at which the verdict of round `round` is late: the end of the round plus
	/// the `verdict_grace` timing in force now.
	pub(crate) fn verdict_due(
		start: BlockNumberFor<T>,
		period_length: BlockNumberFor<T>,
		round: u32,
	) -> BlockNumberFor<T> {
		Self::round_start(start, period_length, round.saturating_add(1))
			.saturating_add(Self::timings().verdict_grace)
	}

	/// Settle round `round` of `order_id` according to `verdict`.
	///
	/// - `NoViolation`: the unit price moves from the payer's prepay hold to the provider and
	///   the provider's reputation counts a success.
	/// - `Violated`: nothing is paid (the period's price stays held and is released to the
	///   payer when the order ends); up to `ViolationSlash` of the provider's stake moves to
	///   the customer and the reputation counts a violation.
	///
	/// After the last round the order is Finished; after `ViolationsToTerminate` consecutive
	/// violations it fails with `RepeatedViolations`. Returns whether the order goes on (it was
	/// not closed).
	pub(crate) fn do_settle_round(
		order_id: OrderId,
		round: u32,
		verdict: Verdict,
	) -> Result<bool, DispatchError> {
		let now = Self::now();
		let mut order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		if matches!(order.state, OrderState::HandoffChecking { .. }) {
			return Self::settle_handoff(order_id, order, round, verdict).map(|()| false);
		}
		let OrderState::Fulfilling { round: expected, verdict_due } = order.state else {
			return Err(Error::<T>::NotFulfilling.into());
		};
		ensure!(round == expected, Error::<T>::WrongRound);
		let mut lease = order.lease.clone().ok_or(Error::<T>::Inconsistent)?;
		let start = lease.start.ok_or(Error::<T>::Inconsistent)?;
		ensure!(
			now >= Self::round_start(start, order.period_length, round),
			Error::<T>::RoundNotStarted
		);
		ensure!(now < verdict_due, Error::<T>::VerdictTooLate);
		let mut provider = Providers::<T>::get(&lease.provider).ok_or(Error::<T>::Inconsistent)?;

		let (paid, compensation) = match verdict {
			Verdict::NoViolation => {
				ensure!(lease.unit_price <= order.outstanding(), Error::<T>::Inconsistent);
				let paid = Self::pay_from_prepay(
					&order.asset,
					&order.payer,
					&lease.provider,
					lease.unit_price,
					Precision::Exact,
				)?;
				order.paid = order.paid.saturating_add(paid);
				lease.consecutive_violations = 0;
				Self::record_period(&mut provider, false);
				(paid, Zero::zero())
			},
			Verdict::Violated => {
				let slash = T::ViolationSlash::get().min(provider.stake);
				let compensation = Self::transfer_held(
					HoldReason::ProviderStake,
					&lease.provider,
					&order.customer,
					slash,
					Precision::BestEffort,
				)
				.unwrap_or_else(|e| {
					log::warn!(
						target: LOG_TARGET,
						"order {}: violation compensation failed: {:?}",
						order_id,
						e
					);
					Zero::zero()
				});
				T::SlashSink::note_compensation(&lease.provider, &order.customer, compensation);
				provider.stake = provider.stake.saturating_sub(compensation);
				lease.compensation = lease.compensation.saturating_add(compensation);
				lease.violations = lease.violations.saturating_add(1);
				lease.consecutive_violations = lease.consecutive_violations.saturating_add(1);
				Self::record_period(&mut provider, true);
				(Zero::zero(), compensation)
			},
		};
		lease.settled = lease.settled.saturating_add(1);
		let reputation = provider.reputation();
		Providers::<T>::insert(&lease.provider, provider);
		Self::deposit_event(Event::PeriodSettled {
			order_id,
			round,
			verdict,
			paid,
			compensation,
			reputation,
		});

		let terminate = T::ViolationsToTerminate::get() > 0
			&& lease.consecutive_violations >= T::ViolationsToTerminate::get();
		let next = round.saturating_add(1);
		order.lease = Some(lease);
		if terminate {
			Self::close_order(order_id, order, Some(CloseReason::RepeatedViolations), now)
				.map(|()| false)
		} else if next >= order.periods {
			Self::close_order(order_id, order, None, now).map(|()| false)
		} else {
			let verdict_due = Self::verdict_due(start, order.period_length, next);
			order.state = OrderState::Fulfilling { round: next, verdict_due };
			Orders::<T>::insert(order_id, order);
			Self::schedule_or_log(order_id, verdict_due);
			Ok(true)
		}
	}

	/// No verdict arrived within the `verdict_grace` timing: the lease ends, unsettled periods are not
	/// paid, and the rest of the prepay is released to the payer.
	pub(crate) fn verdict_timed_out(
		order_id: OrderId,
		order: OrderRecordOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		Self::close_order(order_id, order, Some(CloseReason::MonitorTimedOut), now)
	}
}

impl<T: Config> SlaVerdictHandler for Pallet<T> {
	/// Charged `on_verdict_continue` for a period after which the order goes on, `on_verdict`
	/// (the order closes) otherwise.
	fn on_verdict(
		order_id: OrderId,
		round: u32,
		verdict: Verdict,
	) -> Result<Weight, DispatchError> {
		let handoff = Orders::<T>::get(order_id)
			.is_some_and(|order| matches!(order.state, OrderState::HandoffChecking { .. }));
		let continues = with_storage_layer(|| Self::do_settle_round(order_id, round, verdict))?;
		Ok(match (handoff, continues) {
			(true, _) => <T as Config>::WeightInfo::on_handoff_verdict(),
			(false, true) => <T as Config>::WeightInfo::on_verdict_continue(),
			(false, false) => <T as Config>::WeightInfo::on_verdict(),
		})
	}

	fn on_verdict_weight() -> Weight {
		<T as Config>::WeightInfo::on_verdict().max(<T as Config>::WeightInfo::on_handoff_verdict())
	}
}
