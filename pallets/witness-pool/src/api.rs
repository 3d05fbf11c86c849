//! Query functions behind the `WitnessPoolApi` runtime API (`pallet-witness-pool-runtime-api`).
//!
//! They run off-chain (in runtime-API calls and the off-chain worker), never in blocks; still,
//! every loop is capped.

use crate::{
	pallet::{Config, Pallet, Rounds, Witnesses},
	types::*,
};
use alloc::vec::Vec;
use frame_system::pallet_prelude::BlockNumberFor;

/// Hard cap on the rounds one `open_rounds` call returns.
pub const MAX_OPEN_ROUNDS_PER_QUERY: usize = 1_000;

/// [`WitnessView`] of a runtime.
pub type WitnessViewOf<T> = WitnessView<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;
/// [`RoundView`] of a runtime.
pub type RoundViewOf<T> = RoundView<AccountIdOf<T>, BlockNumberFor<T>>;

impl<T: Config> Pallet<T> {
	/// One registered witness.
	pub fn api_witness(who: AccountIdOf<T>) -> Option<WitnessViewOf<T>> {
		let now = Self::now();
		Witnesses::<T>::get(&who).map(|w| WitnessView {
			account: who,
			vrf_key: w.vrf_key,
			stake: w.stake,
			reputation: w.reputation,
			suspended: w.suspended,
			active: !w.suspended && w.active_from <= now,
			active_from: w.active_from,
			seats: w.seats,
		})
	}

	/// The committee of a round: joined members by ascending VRF output, then seeded ones.
	pub fn api_committee(order_id: OrderId, round: u32) -> Option<Vec<AccountIdOf<T>>> {
		Rounds::<T>::get(order_id, round)
			.map(|record| record.members.into_iter().map(|m| m.witness).collect())
	}

	/// One round with its committee's commit and reveal status.
	pub fn api_round(order_id: OrderId, round: u32) -> Option<RoundViewOf<T>> {
		let record = Rounds::<T>::get(order_id, round)?;
		let members: Vec<MemberView<AccountIdOf<T>>> = record
			.members
			.into_iter()
			.map(|m| MemberView {
				witness: m.witness,
				output: m.output,
				seeded: m.output.is_none(),
				committed: m.commitment.is_some(),
				revealed: m.revealed,
			})
			.collect();
		let count = |f: fn(&MemberView<AccountIdOf<T>>) -> bool| {
			u32::try_from(members.iter().filter(|m| f(m)).count()).unwrap_or(u32::MAX)
		};
		let commits = count(|m| m.committed);
		let reveals = count(|m| m.revealed.is_some());
		Some(RoundView {
			order_id,
			round,
			phase: record.phase,
			seed: record.seed.into(),
			opened_at: record.opened_at,
			join_end: record.join_end,
			commit_end: record.commit_end,
			reveal_end: record.reveal_end,
			threshold: record.threshold,
			members,
			commits,
			reveals,
			verdict: record.verdict,
		})
	}

	/// The rounds not settled yet (Joining or Reporting), by order and round, at most
	/// [`MAX_OPEN_ROUNDS_PER_QUERY`].
	pub fn api_open_rounds() -> Vec<OpenRound<BlockNumberFor<T>>> {
		let mut rounds: Vec<OpenRound<BlockNumberFor<T>>> = Rounds::<T>::iter()
			.filter(|(_, _, record)| record.phase.is_unsettled())
			.take(MAX_OPEN_ROUNDS_PER_QUERY)
			.map(|(order_id, round, r)| OpenRound {
				order_id,
				round,
				phase: r.phase,
				seed: r.seed.into(),
				threshold: r.threshold,
				join_end: r.join_end,
			})
			.collect();
		rounds.sort_unstable_by_key(|r| (r.order_id, r.round));
		rounds
	}
}
