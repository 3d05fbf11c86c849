//! Monitoring: the market's [`SlaMonitor`], the agenda of round steps and `on_initialize`.
//!
//! Every round of a lease runs three steps — Open at the start of its billing period, Select at
//! the end of its join window, Settle at the end of its reveal window — each pushed into the
//! [`Agenda`] bucket of its block (a full bucket spills into the next `MaxAgendaSpill` blocks).
//! `on_initialize` takes exactly its own block's bucket; nothing else is iterated. An entry
//! whose lease or round has gone (`stop_monitoring`) costs one read and is skipped.

use crate::{
	pallet::{
		ActiveCount, Agenda, AgendaWeight, Config, Error, Event, Leases, PackageChecks, Pallet,
		Rounds,
	},
	types::*,
	WeightInfo, LOG_TARGET,
};
use defaas_primitives::traits::{SlaMonitor, SlaVerdictHandler};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, Saturating},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// `start_monitoring`: check the lease, store it and schedule the opening of round 0 at the
	/// start of its first period (at the earliest in the next block). Changes nothing on error.
	pub(crate) fn do_start_monitoring(
		lease: &LeaseInfo<T::AccountId, BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		ensure!(
			lease.committee_size >= 1 && lease.committee_size <= T::MaxCommittee::get(),
			Error::<T>::InvalidCommitteeSize
		);
		ensure!(lease.periods >= 1, Error::<T>::NoPeriods);
		ensure!(!Leases::<T>::contains_key(lease.order_id), Error::<T>::AlreadyMonitored);
		let timings = Self::timings();
		// A round's join window must end inside its period, and a round must settle before
		// the round after the next one opens (at most three rounds of a lease are live).
		ensure!(timings.join_window < lease.period_length, Error::<T>::PeriodTooShort);
		ensure!(
			timings.commit_window.saturating_add(timings.reveal_window) < lease.period_length,
			Error::<T>::PeriodTooShort
		);
		ensure!(ActiveCount::<T>::get() >= lease.committee_size, Error::<T>::NotEnoughWitnesses);
		let open = Self::step_weight(Step::Open, lease.committee_size);
		let (slot, _) = Self::find_slot(lease.first_period_start, open);
		let slot = slot.ok_or(Error::<T>::AgendaFull)?;

		Leases::<T>::insert(
			lease.order_id,
			MonitoredLease {
				provider: lease.provider.clone(),
				customer: lease.customer.clone(),
				level: lease.level,
				periods: lease.periods,
				period_length: lease.period_length,
				first_period_start: lease.first_period_start,
				committee_size: lease.committee_size,
				current_round: 0,
				timings,
			},
		);
		if let MonitorTarget::Package(check) = &lease.target {
			PackageChecks::<T>::insert(lease.order_id, check);
		}
		Self::push_step(slot, (lease.order_id, 0, Step::Open), open);
		Self::deposit_event(Event::MonitoringStarted {
			order_id: lease.order_id,
			periods: lease.periods,
			committee_size: lease.committee_size,
			first_round_opens: slot,
		});
		Ok(())
	}

	/// `stop_monitoring`: drop the lease and its live rounds (the members of unsettled rounds
	/// get their seats back). Idempotent; stale agenda entries are skipped when due.
	pub(crate) fn do_stop_monitoring(order_id: OrderId) {
		let Some(lease) = Leases::<T>::take(order_id) else { return };
		PackageChecks::<T>::remove(order_id);
		for round in lease.current_round.saturating_sub(2)..=lease.current_round {
			Self::remove_round(order_id, round);
		}
		Self::deposit_event(Event::MonitoringStopped { order_id });
	}

	/// Remove a round's record; the members of an unsettled round get their seats back.
	pub(crate) fn remove_round(order_id: OrderId, round: u32) {
		let Some(record) = Rounds::<T>::take(order_id, round) else { return };
		if record.phase.is_unsettled() {
			for member in record.members.iter() {
				Self::release_seat(&member.witness);
			}
		}
	}

	// -----------------------------------------------------------------------------------------
	// Agenda
	// -----------------------------------------------------------------------------------------

	/// Fewest bucket probes an Open step is charged for: its benchmark's lower bound, the
	/// three steps of a round that is not the lease's last each finding room at once.
	pub(crate) const MIN_OPEN_PROBES: u32 = 3;

	/// Most bucket probes an Open step makes: three steps scheduled, each looking at its
	/// target block and up to `MaxAgendaSpill` blocks after it.
	pub(crate) fn max_open_probes() -> u32 {
		T::MaxAgendaSpill::get().saturating_add(1).saturating_mul(3)
	}

	/// What `step` of a lease with committees of `committee_size` may cost when it runs (the
	/// weight the agenda reserves for it; an Open step is charged for the buckets it actually
	/// probed, [`Self::run_agenda`]).
	pub(crate) fn step_weight(step: Step, committee_size: u32) -> Weight {
		match step {
			Step::Open => <T as Config>::WeightInfo::open_round(Self::max_open_probes()),
			Step::Select => <T as Config>::WeightInfo::select_committee(committee_size),
			Step::Settle => <T as Config>::WeightInfo::settle_round(committee_size)
				.saturating_add(T::VerdictHandler::on_verdict_weight()),
		}
	}

	/// The first block at or after `at` (and after the current block) whose bucket has room
	/// for a step of `weight` (fewer than `MaxStepsPerBlock` steps, at most `MaxAgendaWeight`
	/// with it), looking at most `MaxAgendaSpill` blocks further; with the number of buckets
	/// probed.
	pub(crate) fn find_slot(
		at: BlockNumberFor<T>,
		weight: Weight,
	) -> (Option<BlockNumberFor<T>>, u32) {
		let capacity = usize::try_from(T::MaxStepsPerBlock::get()).unwrap_or(usize::MAX);
		let budget = T::MaxAgendaWeight::get();
		let mut block = at.max(Self::now().saturating_add(One::one()));
		let mut probes = 0u32;
		for _ in 0..=T::MaxAgendaSpill::get() {
			probes = probes.saturating_add(1);
			if Agenda::<T>::decode_len(block).unwrap_or(0) < capacity
				&& AgendaWeight::<T>::get(block).saturating_add(weight).all_lte(budget)
			{
				return (Some(block), probes);
			}
			block = block.saturating_add(One::one());
		}
		(None, probes)
	}

	/// Put `entry` (expected to use `weight`) into the bucket of `slot` (found by
	/// [`Self::find_slot`]).
	fn push_step(slot: BlockNumberFor<T>, entry: AgendaEntry, weight: Weight) {
		let pushed = Agenda::<T>::mutate(slot, |bucket| bucket.try_push(entry).is_ok());
		if pushed {
			AgendaWeight::<T>::mutate(slot, |used| *used = used.saturating_add(weight));
		} else {
			log::error!(target: LOG_TARGET, "agenda bucket {:?} full for {:?}", slot, entry);
		}
	}

	/// Schedule `step` of `round` of `order_id` (committees of `committee_size`) at `at`; if
	/// no bucket near `at` has room the step is dropped (logged, `AgendaFull`): the market
	/// then times the lease out. Returns the number of buckets probed.
	pub(crate) fn schedule_step(
		at: BlockNumberFor<T>,
		order_id: OrderId,
		round: u32,
		step: Step,
		committee_size: u32,
	) -> u32 {
		let weight = Self::step_weight(step, committee_size);
		let (slot, probes) = Self::find_slot(at, weight);
		match slot {
			Some(slot) => Self::push_step(slot, (order_id, round, step), weight),
			None => {
				log::warn!(
					target: LOG_TARGET,
					"order {} round {}: no agenda bucket near {:?} for {:?}; step dropped",
					order_id,
					round,
					at,
					step
				);
				Self::deposit_event(Event::AgendaFull { order_id, round, step, at });
			},
		}
		probes
	}

	/// `on_initialize`: run the steps due at `now`; returns the weight of what ran (each step
	/// charged for its lease's committee size, an Open step for the buckets it probed, a stale
	/// entry for its reads).
	pub(crate) fn run_agenda(now: BlockNumberFor<T>) -> Weight {
		let db = T::DbWeight::get();
		if !Agenda::<T>::contains_key(now) {
			return db.reads(1);
		}
		let mut weight = db.reads_writes(2, 2);
		AgendaWeight::<T>::remove(now);
		for (order_id, round, step) in Agenda::<T>::take(now).into_iter() {
			let committee_size = Leases::<T>::get(order_id).map(|lease| lease.committee_size);
			let ran = match step {
				Step::Open => Self::open_round(order_id, round, now).map(|probes| {
					<T as Config>::WeightInfo::open_round(probes.max(Self::MIN_OPEN_PROBES))
				}),
				// A committee the joins filled costs no sampling.
				Step::Select => Self::select_committee(order_id, round).zip(committee_size).map(
					|(attempts, size)| match attempts {
						0 => <T as Config>::WeightInfo::select_joined(size),
						_ => Self::step_weight(step, size),
					},
				),
				// A round without slashes or penalties costs no stake or suspension writes;
				// the verdict handler is charged what it reports.
				Step::Settle => Self::settle_round(order_id, round).zip(committee_size).map(
					|((clean, verdict), size)| {
						match clean {
							true => <T as Config>::WeightInfo::settle_clean(size),
							false => <T as Config>::WeightInfo::settle_round(size),
						}
						.saturating_add(verdict)
					},
				),
			};
			// A stale entry (lease stopped, round pruned or already past the step) costs reads.
			let step_weight = ran.unwrap_or_else(|| db.reads(2));
			weight = weight.saturating_add(step_weight);
		}
		weight
	}

	/// The most `on_initialize` can use: the bucket and its weight record, `MaxAgendaWeight`
	/// of steps and the reads of `MaxStepsPerBlock` stale entries.
	pub(crate) fn worst_agenda_weight() -> Weight {
		let db = T::DbWeight::get();
		db.reads_writes(2, 2)
			.saturating_add(T::MaxAgendaWeight::get())
			.saturating_add(db.reads(2).saturating_mul(u64::from(T::MaxStepsPerBlock::get())))
	}
}

impl<T: Config> SlaMonitor<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn start_monitoring(lease: &LeaseInfo<T::AccountId, BlockNumberFor<T>>) -> DispatchResult {
		Self::do_start_monitoring(lease).map_err(Into::into)
	}

	fn stop_monitoring(order_id: OrderId) {
		Self::do_stop_monitoring(order_id)
	}

	/// Registered witnesses that are not suspended: what `start_monitoring` requires at least.
	fn committee_capacity() -> u32 {
		ActiveCount::<T>::get()
	}

	/// Registers funded benchmark witnesses until `committee_size` are active.
	#[cfg(feature = "runtime-benchmarks")]
	fn prepare_for_lease(committee_size: u32) {
		use frame_support::traits::fungible::Mutate;
		for index in 0..committee_size {
			if ActiveCount::<T>::get() >= committee_size {
				break;
			}
			let who: T::AccountId = frame_benchmarking::account("sla-witness", index, 0);
			let stake = T::MinWitnessStake::get();
			let _ = T::Currency::set_balance(&who, stake.saturating_add(stake));
			let key = crate::vrf::VrfKey::from_raw(sp_io::hashing::blake2_256(
				&(b"defaas/bench/sla-witness", index).encode(),
			));
			let _ = Self::do_register_witness(who, stake, key);
		}
	}
}
