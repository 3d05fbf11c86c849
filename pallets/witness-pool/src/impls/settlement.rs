//! Settlement: the verdict of a round, the members' payoffs and reputation, and the hand-over
//! of the verdict to the market.

use crate::{
	pallet::{Config, Event, Leases, Pallet, Rounds, Witnesses},
	types::{Member, *},
	LOG_TARGET,
};
use alloc::vec::Vec;
use defaas_primitives::traits::RewardMinter;
use defaas_primitives::traits::SlaVerdictHandler;
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_runtime::traits::{Saturating, Zero};

/// What one member gets for its report under a verdict (docs/architecture.md §6.3, in reward units).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Payoff {
	/// Units minted to the member.
	pub reward_units: u32,
	/// Units slashed from its stake.
	pub slash_units: u32,
	/// Reputation lost.
	pub penalty: i32,
}

/// The payoff table: `revealed` is the member's revealed report (`None`: it did not commit or
/// did not reveal).
///
/// | verdict | report | payoff | reputation |
/// |---|---|---|---|
/// | Violated | violated | +10 (minted) | — |
/// | Violated | clean | 0 | −1 (minority) |
/// | NoViolation | violated | −1 (slashed) | −1 (minority) |
/// | NoViolation | clean | +1 (minted) | — |
/// | either | none | −1 (slashed) | −10 |
pub fn payoff(verdict: Verdict, revealed: Option<bool>) -> Payoff {
	let none = Payoff { reward_units: 0, slash_units: 0, penalty: 0 };
	match (verdict, revealed) {
		(Verdict::Violated, Some(true)) => Payoff { reward_units: VIOLATION_REWARD_UNITS, ..none },
		(Verdict::Violated, Some(false)) => Payoff { penalty: MINORITY_PENALTY, ..none },
		(Verdict::NoViolation, Some(true)) => {
			Payoff { slash_units: 1, penalty: MINORITY_PENALTY, ..none }
		},
		(Verdict::NoViolation, Some(false)) => Payoff { reward_units: 1, ..none },
		(_, None) => Payoff { slash_units: 1, penalty: MISSED_REPORT_PENALTY, ..none },
	}
}

/// The verdict of a committee of `members` members of which `violated_reports` revealed a
/// violation: `Violated` iff at least `M = members / 2 + 1` did (`members / 2 < M ≤ members`).
pub fn verdict_of(members: u32, violated_reports: u32) -> Verdict {
	let majority = (members / 2).saturating_add(1);
	if violated_reports >= majority {
		Verdict::Violated
	} else {
		Verdict::NoViolation
	}
}

impl<T: Config> Pallet<T> {
	/// Step Settle: compute the verdict, apply the payoffs (one mint batch), store the settled
	/// round, prune the previous one and hand the verdict to the market — last, because the
	/// market may end the lease from within (`stop_monitoring`). Returns whether the round
	/// settled clean — every member rewarded, nobody slashed or penalized (what
	/// `settle_clean(c)` measures) — and the weight the verdict handler used, or `None`
	/// (nothing done) for a stale entry.
	pub(crate) fn settle_round(order_id: OrderId, round: u32) -> Option<(bool, Weight)> {
		let mut record = Rounds::<T>::get(order_id, round)?;
		let periods = Leases::<T>::get(order_id).map(|lease| lease.periods)?;
		match record.phase {
			RoundPhase::Reporting => {},
			RoundPhase::Joining => {
				// The committee was never completed (its Select step was dropped): no verdict.
				for member in record.members.iter() {
					Self::release_seat(&member.witness);
				}
				record.members = BoundedVec::new();
				record.phase = RoundPhase::Abandoned;
				Rounds::<T>::insert(order_id, round, record);
				Self::deposit_event(Event::RoundAbandoned { order_id, round });
				return Some((false, Weight::zero()));
			},
			RoundPhase::Settled | RoundPhase::Abandoned => return None,
		}

		let members = u32::try_from(record.members.len()).unwrap_or(u32::MAX);
		let count = |f: fn(&Member<T::AccountId>) -> bool| {
			u32::try_from(record.members.iter().filter(|m| f(m)).count()).unwrap_or(u32::MAX)
		};
		let violated_reports = count(|m| m.revealed == Some(true));
		let reveals = count(|m| m.revealed.is_some());
		let verdict = verdict_of(members, violated_reports);

		let unit = T::WitnessRewardUnit::get();
		let mut rewards: Vec<(T::AccountId, BalanceOf<T>)> = Vec::new();
		let mut clean = true;
		for member in record.members.iter() {
			let who = &member.witness;
			let Some(mut witness) = Witnesses::<T>::get(who) else { continue };
			witness.seats = witness.seats.saturating_sub(1);
			let payoff = payoff(verdict, member.revealed);
			clean &= payoff.slash_units == 0 && payoff.penalty == 0;
			if payoff.slash_units > 0 {
				let amount = unit.saturating_mul(payoff.slash_units.into()).min(witness.stake);
				let taken = Self::slash_stake(who, amount);
				witness.stake = witness.stake.saturating_sub(taken);
			}
			let reward = unit.saturating_mul(payoff.reward_units.into());
			if !reward.is_zero() {
				rewards.push((who.clone(), reward));
			}
			Self::apply_reputation(who, &mut witness, payoff.penalty);
			Witnesses::<T>::insert(who, witness);
		}
		if !rewards.is_empty() {
			T::RewardMinter::mint_rewards(&rewards);
		}

		record.phase = RoundPhase::Settled;
		record.verdict = Some(verdict);
		Rounds::<T>::insert(order_id, round, record);
		if let Some(previous) = round.checked_sub(1) {
			Self::remove_round(order_id, previous);
		}
		Self::deposit_event(Event::RoundSettled {
			order_id,
			round,
			verdict,
			violated_reports,
			reveals,
			members,
		});

		// Last: the market settles the period and may stop monitoring the lease.
		let handed = with_storage_layer(|| T::VerdictHandler::on_verdict(order_id, round, verdict));
		let verdict_weight = match handed {
			Ok(used) => used.min(T::VerdictHandler::on_verdict_weight()),
			Err(_) => T::VerdictHandler::on_verdict_weight(),
		};
		if let Err(error) = handed {
			log::warn!(
				target: LOG_TARGET,
				"order {} round {}: verdict {:?} rejected: {:?}",
				order_id,
				round,
				verdict,
				error
			);
			Self::deposit_event(Event::VerdictRejected { order_id, round, error });
		}
		if round.saturating_add(1) >= periods {
			// Nothing left to monitor (a no-op if the market already stopped the lease).
			Self::do_stop_monitoring(order_id);
		}
		Some((clean, verdict_weight))
	}
}
