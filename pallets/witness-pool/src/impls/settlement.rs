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

/// What a member who revealed `revealed` gets in a round that lapsed (no quorum, no verdict):
/// nothing for a report (there is no verdict to agree with), the missed-report payoff for none.
pub fn lapsed_payoff(revealed: Option<bool>) -> Payoff {
	match revealed {
		Some(_) => Payoff { reward_units: 0, slash_units: 0, penalty: 0 },
		None => Payoff { slash_units: 1, penalty: MISSED_REPORT_PENALTY, reward_units: 0 },
	}
}

/// `M = members / 2 + 1`: the reveals a round needs for a verdict (its quorum), and the
/// violation reports a `Violated` verdict needs (`members / 2 < M ≤ members`).
pub fn majority(members: u32) -> u32 {
	(members / 2).saturating_add(1)
}

/// The verdict of a committee of `members` members of which `reveals` revealed, `violated_reports`
/// of them a violation: none without a quorum (`reveals < M`); otherwise `Violated` iff at least
/// `M` reported one — a silent member is never counted as an accusation.
pub fn verdict_of(members: u32, reveals: u32, violated_reports: u32) -> Option<Verdict> {
	let majority = majority(members);
	if reveals < majority {
		None
	} else if violated_reports >= majority {
		Some(Verdict::Violated)
	} else {
		Some(Verdict::NoViolation)
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
			RoundPhase::Settled | RoundPhase::Abandoned | RoundPhase::Lapsed => return None,
		}

		let members = u32::try_from(record.members.len()).unwrap_or(u32::MAX);
		let count = |f: fn(&Member<T::AccountId>) -> bool| {
			u32::try_from(record.members.iter().filter(|m| f(m)).count()).unwrap_or(u32::MAX)
		};
		let violated_reports = count(|m| m.revealed == Some(true));
		let reveals = count(|m| m.revealed.is_some());
		let verdict = verdict_of(members, reveals, violated_reports);

		let unit = T::WitnessRewardUnit::get();
		let mut rewards: Vec<(T::AccountId, BalanceOf<T>)> = Vec::new();
		let mut clean = true;
		for member in record.members.iter() {
			let who = &member.witness;
			let Some(mut witness) = Witnesses::<T>::get(who) else { continue };
			witness.seats = witness.seats.saturating_sub(1);
			let payoff = match verdict {
				Some(verdict) => payoff(verdict, member.revealed),
				None => lapsed_payoff(member.revealed),
			};
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

		record.verdict = verdict;
		record.phase = if verdict.is_some() { RoundPhase::Settled } else { RoundPhase::Lapsed };
		Rounds::<T>::insert(order_id, round, record);
		if let Some(previous) = round.checked_sub(1) {
			Self::remove_round(order_id, previous);
		}
		let Some(verdict) = verdict else {
			// No quorum: nothing for the market, which times the lease out at the round's
			// verdict deadline (the unsettled periods are refunded).
			log::info!(
				target: LOG_TARGET,
				"order {order_id} round {round}: {reveals} of {members} members revealed, no quorum"
			);
			Self::deposit_event(Event::RoundLapsed { order_id, round, reveals, members });
			if round.saturating_add(1) >= periods {
				Self::do_stop_monitoring(order_id);
			}
			// Charged as if a verdict had been handed over: `settle_round(c)` measures half
			// the members slashed and suspended and half rewarded; here up to all of them are
			// slashed, and the verdict's unused weight covers the difference.
			return Some((false, T::VerdictHandler::on_verdict_weight()));
		};
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
