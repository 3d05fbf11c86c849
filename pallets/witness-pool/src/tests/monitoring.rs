//! The market's `SlaMonitor`, the agenda of round steps and the round windows.

use super::*;
use crate::weights::WeightInfo;
use frame_support::{traits::Get, weights::Weight, BoundedVec};

#[test]
fn start_monitoring_stores_the_lease_and_schedules_round_zero() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		assert_ok!(start(&lease_info(ORDER, 3, 4)));
		assert_eq!(
			last_event(),
			Event::MonitoringStarted {
				order_id: ORDER,
				periods: 4,
				committee_size: 3,
				first_round_opens: OPEN_0
			}
		);
		let lease = Leases::<Test>::get(ORDER).unwrap();
		assert_eq!(
			lease,
			MonitoredLease {
				provider: PROVIDER,
				customer: CUSTOMER,
				level: 0,
				periods: 4,
				period_length: PERIOD,
				first_period_start: START,
				committee_size: 3,
				current_round: 0,
				timings: WitnessTimings {
					join_window: JOIN,
					commit_window: COMMIT,
					reveal_window: REVEAL
				},
			}
		);
		assert_eq!(Agenda::<Test>::get(OPEN_0).into_inner(), vec![(ORDER, 0, Step::Open)]);

		// A lease whose first period starts later opens round 0 then.
		let mut later = lease_info(8, 1, 1);
		later.first_period_start = START + 5;
		assert_ok!(start(&later));
		assert_eq!(Agenda::<Test>::get(START + 5).into_inner(), vec![(8, 0, Step::Open)]);
	});
}

#[test]
fn start_monitoring_rejects_leases_it_cannot_watch() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		assert_noop!(start(&lease_info(ORDER, 0, 3)), Error::<Test>::InvalidCommitteeSize);
		assert_noop!(start(&lease_info(ORDER, 8, 3)), Error::<Test>::InvalidCommitteeSize);
		assert_noop!(start(&lease_info(ORDER, 3, 0)), Error::<Test>::NoPeriods);
		assert_noop!(start(&lease_info(ORDER, 4, 3)), Error::<Test>::NotEnoughWitnesses);
		let mut short = lease_info(ORDER, 3, 3);
		short.period_length = JOIN;
		assert_noop!(start(&short), Error::<Test>::PeriodTooShort);
		short.period_length = COMMIT + REVEAL;
		assert_noop!(start(&short), Error::<Test>::PeriodTooShort);
		short.period_length = COMMIT + REVEAL + 1;
		assert_ok!(start(&short));
		assert_noop!(start(&lease_info(ORDER, 1, 3)), Error::<Test>::AlreadyMonitored);
	});
}

#[test]
fn suspended_witnesses_do_not_count_as_available() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		Witnesses::<Test>::mutate(3, |w| {
			let w = w.as_mut().unwrap();
			w.reputation = 0;
			w.suspended = true;
		});
		ActiveCount::<Test>::put(2);
		assert_noop!(start(&lease_info(ORDER, 3, 1)), Error::<Test>::NotEnoughWitnesses);
		assert_ok!(start(&lease_info(ORDER, 2, 1)));
	});
}

#[test]
fn a_full_agenda_spills_forward_and_then_refuses() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		MaxStepsPerBlock::set(1);
		for order_id in 0..3 {
			assert_ok!(start(&lease_info(order_id, 1, 1)));
		}
		assert_eq!(Agenda::<Test>::get(11).into_inner(), vec![(0, 0, Step::Open)]);
		assert_eq!(Agenda::<Test>::get(12).into_inner(), vec![(1, 0, Step::Open)]);
		assert_eq!(Agenda::<Test>::get(13).into_inner(), vec![(2, 0, Step::Open)]);
		assert_noop!(start(&lease_info(3, 1, 1)), Error::<Test>::AgendaFull);
		MaxStepsPerBlock::set(8);
	});
}

#[test]
fn a_bucket_holds_the_steps_its_weight_budget_pays_for() {
	ExtBuilder::default().with_witnesses(1..=7).build_and_execute(|| {
		// Room for the Select steps of one 7-member and two 1-member committees per block.
		let select = |c| <() as WeightInfo>::select_committee(c);
		MaxAgendaWeight::set(select(7) + select(1) + select(1));
		assert_eq!(AgendaWeight::<Test>::get(13), Weight::zero());
		WitnessPool::schedule_step(13, 0, 0, Step::Select, 7);
		WitnessPool::schedule_step(13, 1, 0, Step::Select, 1);
		WitnessPool::schedule_step(13, 2, 0, Step::Select, 1);
		assert_eq!(AgendaWeight::<Test>::get(13), select(7) + select(1) + select(1));
		// A fourth step spills, though the bucket has room for eight entries.
		WitnessPool::schedule_step(13, 3, 0, Step::Select, 1);
		assert_eq!(Agenda::<Test>::get(13).len(), 3);
		assert_eq!(Agenda::<Test>::get(14).into_inner(), vec![(3, 0, Step::Select)]);
		assert_eq!(AgendaWeight::<Test>::get(14), select(1));
		// A step bigger than the whole budget is dropped.
		MaxAgendaWeight::set(select(7).saturating_sub(Weight::from_parts(1, 0)));
		WitnessPool::schedule_step(14, 4, 0, Step::Select, 7);
		assert!(emitted(Event::AgendaFull { order_id: 4, round: 0, step: Step::Select, at: 14 }));
		// Running the bucket removes its weight record.
		System::set_block_number(13);
		WitnessPool::on_initialize(13);
		assert_eq!(AgendaWeight::<Test>::get(13), Weight::zero());
		assert!(!AgendaWeight::<Test>::contains_key(13));
	});
}

#[test]
fn a_dropped_select_step_abandons_the_round_at_settlement() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 1);
		// Fill the buckets the Select step could use (13 and the two spill blocks).
		let stale: BoundedVec<AgendaEntry, MaxStepsPerBlock> =
			BoundedVec::truncate_from(vec![(999, 0, Step::Open); 8]);
		for block in JOIN_END_0..=JOIN_END_0 + 2 {
			Agenda::<Test>::insert(block, stale.clone());
		}
		run_to_block(OPEN_0);
		assert!(emitted(Event::AgendaFull {
			order_id: ORDER,
			round: 0,
			step: Step::Select,
			at: JOIN_END_0
		}));
		assert_ok!(join(1, ORDER, 0));
		run_to_block(JOIN_END_0 + 2);
		// Stale entries of unknown leases were skipped; the round is still joining.
		assert_eq!(round(ORDER, 0).phase, RoundPhase::Joining);
		assert_eq!(witness(1).seats, 1);
		run_to_block(REVEAL_END_0);
		assert!(emitted(Event::RoundAbandoned { order_id: ORDER, round: 0 }));
		assert!(verdicts().is_empty(), "never a verdict without a committee");
		assert_eq!(witness(1).seats, 0);
	});
}

#[test]
fn on_initialize_charges_the_steps_it_ran() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		assert_eq!(WitnessPool::on_initialize(START), db.reads(1));
		monitor(ORDER, 2, 1);
		monitor(8, 2, 1);
		stop(8);
		System::set_block_number(OPEN_0);
		let used = WitnessPool::on_initialize(OPEN_0);
		// One Open step ran; the stopped lease's entry cost two reads.
		let expected = db
			.reads_writes(2, 2)
			.saturating_add(<() as WeightInfo>::open_round(3))
			.saturating_add(db.reads(2));
		assert_eq!(used, expected);
		assert!(Agenda::<Test>::get(OPEN_0).is_empty());
		assert_eq!(round(ORDER, 0).opened_at, OPEN_0);
		assert!(Rounds::<Test>::get(8, 0).is_none());
		// Select: nobody joined, so it sampled the committee and is charged for sampling.
		run_to_block(JOIN_END_0 - 1);
		System::set_block_number(JOIN_END_0);
		let used = WitnessPool::on_initialize(JOIN_END_0);
		let sampled = <() as WeightInfo>::select_committee(2);
		assert_eq!(used, db.reads_writes(2, 2).saturating_add(sampled));
		assert_eq!(members(ORDER, 0).len(), 2);
		// The Settle step adds the verdict handler's weight; it is charged for the lease's
		// committee size.
		run_to_block(REVEAL_END_0 - 1);
		System::set_block_number(REVEAL_END_0);
		let used = WitnessPool::on_initialize(REVEAL_END_0);
		let expected = db.reads_writes(2, 2).saturating_add(<() as WeightInfo>::settle_round(2));
		assert_eq!(used, expected);
		assert_ne!(used, Weight::zero());
	});
}

#[test]
fn a_committee_the_joins_filled_is_charged_no_sampling() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		monitor(ORDER, 2, 1);
		run_to_block(OPEN_0);
		assert_ok!(join(1, ORDER, 0));
		assert_ok!(join(2, ORDER, 0));
		run_to_block(JOIN_END_0 - 1);
		System::set_block_number(JOIN_END_0);
		let used = WitnessPool::on_initialize(JOIN_END_0);
		let joined = <() as WeightInfo>::select_joined(2);
		assert_eq!(used, db.reads_writes(2, 2).saturating_add(joined));
		assert!(joined.all_lt(<() as WeightInfo>::select_committee(2)));
		assert_eq!(round(ORDER, 0).phase, RoundPhase::Reporting);
		// Both report clean and are rewarded: Settle is charged no slash or suspension.
		assert_ok!(commit(1, ORDER, 0, false));
		assert_ok!(commit(2, ORDER, 0, false));
		run_to_block(COMMIT_END_0);
		assert_ok!(reveal(1, ORDER, 0, false));
		assert_ok!(reveal(2, ORDER, 0, false));
		run_to_block(REVEAL_END_0 - 1);
		System::set_block_number(REVEAL_END_0);
		let used = WitnessPool::on_initialize(REVEAL_END_0);
		let clean = <() as WeightInfo>::settle_clean(2);
		assert_eq!(used, db.reads_writes(2, 2).saturating_add(clean));
		assert!(clean.ref_time() < <() as WeightInfo>::settle_round(2).ref_time());
		assert_eq!(verdicts(), vec![(ORDER, 0, Verdict::NoViolation)]);
	});
}

#[test]
fn rounds_open_every_period_and_old_rounds_are_pruned() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 3, 3);
		for (r, opens) in [(0u32, OPEN_0), (1, 20), (2, 30)] {
			run_to_block(opens);
			let record = round(ORDER, r);
			assert_eq!(record.opened_at, opens);
			assert_eq!(record.join_end, opens + JOIN);
			assert_eq!(record.commit_end, START + PERIOD * (u64::from(r) + 1) + COMMIT);
			assert_eq!(record.reveal_end, record.commit_end + REVEAL);
			assert_eq!(Leases::<Test>::get(ORDER).unwrap().current_round, r);
			for who in 1..=3 {
				assert_ok!(join(who, ORDER, r));
			}
		}
		// Nobody reported: each round still ends in order, without a verdict (no quorum).
		run_to_block(36);
		let lapsed = |round| Event::RoundLapsed { order_id: ORDER, round, reveals: 0, members: 3 };
		assert!(emitted(lapsed(0)) && emitted(lapsed(1)));
		assert!(verdicts().is_empty());
		// Round 1 ended: round 0 is pruned, round 1 kept (lapsed), round 2 running.
		assert!(Rounds::<Test>::get(ORDER, 0).is_none());
		assert_eq!(round(ORDER, 1).phase, RoundPhase::Lapsed);
		assert_eq!(round(ORDER, 1).verdict, None);
		assert_eq!(round(ORDER, 2).phase, RoundPhase::Reporting);
		// After the last round the lease is no longer monitored.
		run_to_block(46);
		assert!(emitted(lapsed(2)));
		assert!(Leases::<Test>::get(ORDER).is_none());
		assert!(Rounds::<Test>::iter().next().is_none());
		assert!(emitted(Event::MonitoringStopped { order_id: ORDER }));
		assert!(Agenda::<Test>::iter().next().is_none());
	});
}

#[test]
fn stop_monitoring_drops_the_rounds_and_gives_seats_back() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 3);
		run_to_block(OPEN_0);
		assert_ok!(join(1, ORDER, 0));
		assert_ok!(join(2, ORDER, 0));
		run_to_block(20);
		assert_ok!(join(1, ORDER, 1));
		assert_eq!(witness(1).seats, 2);
		stop(ORDER);
		assert_eq!(last_event(), Event::MonitoringStopped { order_id: ORDER });
		assert!(Leases::<Test>::get(ORDER).is_none());
		assert!(Rounds::<Test>::iter().next().is_none());
		assert_eq!((witness(1).seats, witness(2).seats), (0, 0));
		// Idempotent, and the stale agenda entries are skipped silently.
		let events = pool_events().len();
		stop(ORDER);
		run_to_block(50);
		assert_eq!(pool_events().len(), events);
		assert!(verdicts().is_empty());
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(1)));
	});
}

#[test]
fn a_round_opened_after_its_commit_window_could_start_is_abandoned() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		let mut late = lease_info(ORDER, 1, 2);
		// Period [0, 10): opened at 11 its joins would end at 13 = commit_end.
		late.first_period_start = 0;
		assert_ok!(start(&late));
		run_to_block(OPEN_0);
		assert_eq!(last_event(), Event::RoundAbandoned { order_id: ORDER, round: 0 });
		assert!(Rounds::<Test>::get(ORDER, 0).is_none());
		// The next round's period started at 10: it opens in the next free block, 12.
		run_to_block(12);
		let next = round(ORDER, 1);
		assert_eq!((next.opened_at, next.join_end, next.commit_end), (12, 14, 23));
		assert_eq!(next.phase, RoundPhase::Joining);
	});
}

#[test]
fn set_timings_is_for_the_admin_and_applies_to_new_leases() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		let timings = WitnessTimings { join_window: 4, commit_window: 1, reveal_window: 1 };
		assert_noop!(
			WitnessPool::set_timings(RuntimeOrigin::signed(1), timings),
			DispatchError::BadOrigin
		);
		for invalid in [
			WitnessTimings { join_window: 0, commit_window: 1, reveal_window: 1 },
			WitnessTimings { join_window: 1, commit_window: 0, reveal_window: 1 },
			WitnessTimings { join_window: 1, commit_window: 1, reveal_window: 0 },
		] {
			assert_noop!(
				WitnessPool::set_timings(RuntimeOrigin::root(), invalid),
				Error::<Test>::InvalidTimings
			);
		}
		monitor(ORDER, 1, 1);
		assert_ok!(WitnessPool::set_timings(RuntimeOrigin::root(), timings));
		assert_eq!(last_event(), Event::TimingsSet { timings });
		assert_eq!(Timings::<Test>::get(), Some(timings));
		assert_eq!(WitnessPool::timings(), timings);
		monitor(8, 1, 1);
		run_to_block(OPEN_0);
		// The running lease keeps its windows, the new one uses the new windows.
		assert_eq!(round(ORDER, 0).join_end, OPEN_0 + JOIN);
		assert_eq!(round(8, 0).join_end, OPEN_0 + 4);
		assert_eq!(round(8, 0).reveal_end, START + PERIOD + 2);
	});
}

#[test]
fn genesis_timings_replace_the_defaults() {
	let timings = WitnessTimings { join_window: 5, commit_window: 2, reveal_window: 2 };
	ExtBuilder::default().with_timings(timings).build_and_execute(|| {
		assert_eq!(Timings::<Test>::get(), Some(timings));
		assert_eq!(WitnessPool::timings(), timings);
	});
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Timings::<Test>::get(), None);
		assert_eq!(WitnessPool::timings(), DefaultTimings::get());
	});
}

#[test]
fn integrity_test_accepts_the_mock() {
	ExtBuilder::default().build().execute_with(|| {
		<WitnessPool as Hooks<BlockNumber>>::integrity_test();
	});
}
