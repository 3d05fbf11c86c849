//! Benchmarks of the witness pool (`frame_benchmarking::v2`), each in its worst case and none
//! with a component on the number of witnesses: `MaxCommittee` members (the duplicate scan of
//! `commit_report`, the eviction of `join_committee`, the payoffs and the mint batch of
//! `settle_round`), `MaxCommittee × FillAttemptsPerSeat` sampling attempts in
//! `select_committee`, and agenda buckets full up to the last spill block in `open_round`.
//!
//! `join_committee` needs a real VRF signature: the joiner's key is generated in the keystore
//! (`sp_io::crypto::sr25519_generate` under `wtns`) and signs with the `witness_vrf` host
//! function, so the benchmark CLI must run with its keystore extension (it does) and the node
//! must register `witness_vrf::HostFunctions`. `settle_round` measures the verdict hand-over
//! whatever the runtime's `VerdictHandler` answers; `on_initialize` adds
//! `SlaVerdictHandler::on_verdict_weight()` for it separately.
//!
//! The off-chain worker's calls dispatch with the signed calls' weights; their authorizations
//! are benchmarked on their own (`authorize_worker_*`: `Authorize::authorize` on the call, in
//! the same worst cases as the signed calls). `authorize_worker_commit` and
//! `authorize_worker_reveal` sign with a `wtns` key of the keystore (`sr25519_sign`).

use super::*;
use crate::pallet::{Agenda, AgendaWeight, Event, Leases, Pallet, Rounds, Timings, Witnesses};
use alloc::{vec, vec::Vec};
use codec::Encode;
use defaas_primitives::traits::SlaMonitor;
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::TransactionSource,
	traits::{
		fungible::{Inspect, Mutate},
		Authorize, EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::{Bounded, CheckedDiv, One, Saturating};

/// Order id of the benchmarked lease.
const ORDER: OrderId = 1;

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(event.into());
}

fn assert_has_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_has_event(event.into());
}

fn set_block<T: Config>(n: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(n);
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = BalanceOf::<T>::max_value()
		.checked_div(&BalanceOf::<T>::from(1_000_000u32))
		.unwrap_or_default();
	let _ = T::Currency::set_balance(&who, amount);
	who
}

/// A VRF key nobody signs with (registration does not check keys).
fn dummy_key(index: u32) -> VrfKey {
	VrfKey::from_raw(sp_io::hashing::blake2_256(&(b"bench-witness", index).encode()))
}

/// Register witness `index` with `key`.
fn witness<T: Config>(index: u32, key: VrfKey) -> Result<T::AccountId, BenchmarkError> {
	let who = funded::<T>("witness", index);
	Pallet::<T>::do_register_witness(who.clone(), T::MinWitnessStake::get(), key)?;
	Ok(who)
}

/// Register `n` witnesses with dummy keys (indices `0..n`).
fn witnesses<T: Config>(n: u32) -> Result<Vec<T::AccountId>, BenchmarkError> {
	(0..n).map(|i| witness::<T>(i, dummy_key(i))).collect()
}

/// A billing period just long enough for the round windows in force.
fn period<T: Config>() -> BlockNumberFor<T> {
	let timings = Pallet::<T>::timings();
	timings
		.join_window
		.saturating_add(timings.commit_window)
		.saturating_add(timings.reveal_window)
		.saturating_add(One::one())
}

/// Monitor a lease of `periods` periods with committees of `MaxCommittee` whose first period
/// starts now (witnesses must be registered and activated).
fn monitored<T: Config>(periods: u32) -> Result<(), BenchmarkError> {
	monitored_with::<T>(periods, T::MaxCommittee::get())
}

/// [`monitored`] with committees of `committee_size`.
fn monitored_with<T: Config>(periods: u32, committee_size: u32) -> Result<(), BenchmarkError> {
	let lease = LeaseInfo {
		order_id: ORDER,
		provider: funded::<T>("provider", 0),
		customer: funded::<T>("customer", 0),
		level: 0,
		period_length: period::<T>(),
		periods,
		committee_size,
		first_period_start: now::<T>(),
	};
	Pallet::<T>::start_monitoring(&lease).map_err(|_| "start_monitoring failed")?;
	Ok(())
}

/// Move past the activation delay of witnesses registered now.
fn activate<T: Config>() {
	set_block::<T>(now::<T>().saturating_add(T::ActivationDelay::get()).saturating_add(One::one()));
}

/// Open `round` of the benchmarked lease now.
fn open<T: Config>(round: u32) -> Result<RoundRecordOf<T>, BenchmarkError> {
	if Pallet::<T>::open_round(ORDER, round, now::<T>()).is_none() {
		return Err("round did not open".into());
	}
	Ok(Rounds::<T>::get(ORDER, round).ok_or("round not stored")?)
}

/// Seat `members` in `round` as joined members with outputs near `u128::MAX` (sorted), with
/// a threshold of `u128::MAX`, in `phase`.
fn seat<T: Config>(
	round: u32,
	members: &[T::AccountId],
	phase: RoundPhase,
) -> Result<(), BenchmarkError> {
	let count = u128::try_from(members.len()).map_err(|_| "too many members")?;
	let seated: Vec<Member<T::AccountId>> = members
		.iter()
		.enumerate()
		.map(|(i, who)| Member {
			witness: who.clone(),
			output: Some(
				u128::MAX.saturating_sub(count).saturating_sub(1).saturating_add(i as u128),
			),
			commitment: None,
			revealed: None,
		})
		.collect();
	let seated: MembersOf<T> =
		BoundedVec::try_from(seated).map_err(|_| "more members than MaxCommittee")?;
	Rounds::<T>::mutate(ORDER, round, |record| {
		if let Some(record) = record {
			record.threshold = u128::MAX;
			record.members = seated;
			record.phase = phase;
		}
	});
	for who in members {
		Witnesses::<T>::mutate(who, |w| {
			if let Some(w) = w {
				w.seats = w.seats.saturating_add(1);
			}
		});
	}
	Ok(())
}

/// Authorize `call` as the pool would (it must be valid).
fn authorize<T: Config>(call: &Call<T>) -> Result<(), BenchmarkError> {
	call.authorize(TransactionSource::External)
		.ok_or("the call has no authorization")?
		.map_err(|_| "the call is not authorized")?;
	Ok(())
}

/// The sr25519 signature of `payload` by the keystore's `wtns` key `key`.
fn wtns_sign(key: &VrfKey, payload: &[u8]) -> Result<sp_core::sr25519::Signature, BenchmarkError> {
	Ok(sp_io::crypto::sr25519_sign(vrf::KEY_TYPE, key, payload).ok_or("no keystore to sign")?)
}

/// A prepared join: the joiner, its VRF signature and output, the member it evicts.
type PreparedJoin<T> = (
	<T as frame_system::Config>::AccountId,
	vrf::VrfSignature,
	u128,
	Option<<T as frame_system::Config>::AccountId>,
);

/// A round of the benchmarked lease whose committee of `MaxCommittee` is full and a
/// registered witness (its key in the keystore) whose valid VRF signature evicts the highest
/// output: (joiner, signature, output, evicted member).
fn full_committee_join<T: Config>() -> Result<PreparedJoin<T>, BenchmarkError> {
	set_block::<T>(1u32.into());
	let n = T::MaxCommittee::get();
	let members = witnesses::<T>(n)?;
	let key = sp_io::crypto::sr25519_generate(vrf::KEY_TYPE, None);
	let joiner = witness::<T>(n, key)?;
	activate::<T>();
	monitored::<T>(1)?;
	let record = open::<T>(0)?;
	seat::<T>(0, &members, RoundPhase::Joining)?;
	let signature =
		vrf::witness_vrf::sign(&key, record.seed).ok_or("no keystore to sign the VRF")?;
	let output = vrf::verify(&key, &record.seed, &signature).ok_or("invalid signature")?;
	Ok((joiner, signature, output, members.last().cloned()))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_witness() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		witnesses::<T>(3)?;
		let who = funded::<T>("witness", 100);
		let stake = T::MinWitnessStake::get();
		let key = dummy_key(100);
		let active_from = now::<T>().saturating_add(T::ActivationDelay::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), stake, key);

		assert_last_event::<T>(Event::WitnessRegistered {
			witness: who,
			stake,
			vrf_key: key,
			active_from,
		});
		Ok(())
	}

	#[benchmark]
	fn unregister_witness() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		// Worst case: not the last in the dense index (swap-remove) and a reputation below the
		// refund threshold (the stake goes through the slash sink).
		let all = witnesses::<T>(3)?;
		let who = all.first().cloned().ok_or("no witness")?;
		Witnesses::<T>::mutate(&who, |w| {
			if let Some(w) = w {
				w.reputation = T::MinReputationForRefund::get().saturating_sub(1).max(1);
			}
		});
		let stake = T::MinWitnessStake::get();
		let before = T::Currency::total_balance(&who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		let slashed = before.saturating_sub(T::Currency::total_balance(&who));
		assert_last_event::<T>(Event::WitnessUnregistered {
			witness: who,
			refunded: stake.saturating_sub(slashed),
			slashed,
		});
		Ok(())
	}

	#[benchmark]
	fn join_committee() -> Result<(), BenchmarkError> {
		// Worst case: a full committee of `MaxCommittee` and the join evicts its highest output.
		let (joiner, signature, output, evicted) = full_committee_join::<T>()?;

		#[extrinsic_call]
		_(RawOrigin::Signed(joiner.clone()), ORDER, 0, signature);

		assert_last_event::<T>(Event::CommitteeJoined {
			order_id: ORDER,
			round: 0,
			witness: joiner,
			output,
			evicted,
		});
		Ok(())
	}

	/// `worker_join`'s dispatch: as `join_committee`, but the proof was verified by the
	/// authorization (benchmarked as `authorize_worker_join`).
	#[benchmark]
	fn worker_join() -> Result<(), BenchmarkError> {
		let (joiner, signature, output, evicted) = full_committee_join::<T>()?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, ORDER, 0, joiner.clone(), signature);

		assert_last_event::<T>(Event::CommitteeJoined {
			order_id: ORDER,
			round: 0,
			witness: joiner,
			output,
			evicted,
		});
		Ok(())
	}

	#[benchmark]
	fn commit_report() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		// Worst case: `MaxCommittee` members, all but the caller committed (duplicate scan).
		let members = witnesses::<T>(T::MaxCommittee::get())?;
		activate::<T>();
		monitored::<T>(1)?;
		let record = open::<T>(0)?;
		seat::<T>(0, &members, RoundPhase::Reporting)?;
		let caller = members.last().cloned().ok_or("no member")?;
		for who in members.iter().filter(|who| **who != caller) {
			Pallet::<T>::do_commit_report(
				who.clone(),
				ORDER,
				0,
				Pallet::<T>::report_commitment(ORDER, 0, false, [1u8; 32], who),
			)?;
		}
		let commitment = Pallet::<T>::report_commitment(ORDER, 0, true, [2u8; 32], &caller);
		set_block::<T>(record.join_end);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), ORDER, 0, commitment);

		assert_last_event::<T>(Event::ReportCommitted {
			order_id: ORDER,
			round: 0,
			witness: caller,
		});
		Ok(())
	}

	#[benchmark]
	fn reveal_report() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		let members = witnesses::<T>(T::MaxCommittee::get())?;
		activate::<T>();
		monitored::<T>(1)?;
		let record = open::<T>(0)?;
		seat::<T>(0, &members, RoundPhase::Reporting)?;
		for who in members.iter() {
			Pallet::<T>::do_commit_report(
				who.clone(),
				ORDER,
				0,
				Pallet::<T>::report_commitment(ORDER, 0, true, [3u8; 32], who),
			)?;
		}
		let caller = members.last().cloned().ok_or("no member")?;
		set_block::<T>(record.commit_end);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), ORDER, 0, true, [3u8; 32]);

		assert_last_event::<T>(Event::ReportRevealed {
			order_id: ORDER,
			round: 0,
			witness: caller,
			violated: true,
		});
		Ok(())
	}

	#[benchmark]
	fn set_timings() -> Result<(), BenchmarkError> {
		let origin = T::TimingsAdminOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let timings = T::DefaultTimings::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, timings);

		assert_last_event::<T>(Event::TimingsSet { timings });
		assert_eq!(Timings::<T>::get(), Some(timings));
		Ok(())
	}

	#[benchmark]
	fn open_round(
		p: Linear<{ Pallet::<T>::MIN_OPEN_PROBES }, { Pallet::<T>::max_open_probes() }>,
	) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		// `p`: agenda buckets probed to schedule the round's three steps (Open of the next
		// round, Select, Settle). Windows far enough apart that the three searches never meet:
		// a commit window of `MaxAgendaSpill + 1` blocks separates the next Open's buckets from
		// the Settle's.
		let spill = T::MaxAgendaSpill::get();
		Pallet::<T>::do_set_timings(WitnessTimings {
			join_window: 8u32.into(),
			commit_window: spill.saturating_add(1).into(),
			reveal_window: One::one(),
		})?;
		witnesses::<T>(T::MaxCommittee::get())?;
		activate::<T>();
		monitored::<T>(2)?;
		let lease = Leases::<T>::get(ORDER).ok_or("no lease")?;
		let start = now::<T>();
		let join_end = start.saturating_add(lease.timings.join_window);
		let reveal_end = lease
			.round_start(1)
			.saturating_add(lease.timings.commit_window)
			.saturating_add(lease.timings.reveal_window);
		// Worst case for `p`: every bucket probed holds one entry short of `MaxStepsPerBlock`
		// (each probe reads the largest bucket, the push decodes and encodes it); the `p - 3`
		// extra probes find theirs full by weight (so they read its weight record too).
		let almost: AgendaBucketOf<T> =
			BoundedVec::truncate_from(vec![
				(OrderId::MAX, 0, Step::Open);
				T::MaxStepsPerBlock::get().saturating_sub(1) as usize
			]);
		let mut extra = p.saturating_sub(Pallet::<T>::MIN_OPEN_PROBES);
		for target in [lease.round_start(1), join_end, reveal_end] {
			let spills = extra.min(spill);
			extra = extra.saturating_sub(spills);
			let mut block = target;
			for _ in 0..spills {
				Agenda::<T>::insert(block, almost.clone());
				AgendaWeight::<T>::insert(block, T::MaxAgendaWeight::get());
				block = block.saturating_add(One::one());
			}
			Agenda::<T>::insert(block, almost.clone());
		}
		let probes;

		#[block]
		{
			probes = Pallet::<T>::open_round(ORDER, 0, start);
		}

		assert_eq!(probes, Some(p));
		let record = Rounds::<T>::get(ORDER, 0).ok_or("round not opened")?;
		assert_last_event::<T>(Event::RoundOpened {
			order_id: ORDER,
			round: 0,
			seed: record.seed,
			join_end,
			threshold: record.threshold,
		});
		Ok(())
	}

	#[benchmark]
	fn select_committee(c: Linear<1, { T::MaxCommittee::get() }>) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		// `c`: the committee size. Worst case for `c`: every attempt runs (the committee never
		// fills: only `c - 1` witnesses are eligible) and reads distinct witnesses.
		let n = c;
		let all = witnesses::<T>(n.saturating_mul(T::FillAttemptsPerSeat::get()).max(n))?;
		activate::<T>();
		monitored_with::<T>(1, n)?;
		let record = open::<T>(0)?;
		let late = now::<T>().saturating_add(One::one());
		for who in all.iter().skip(n.saturating_sub(1) as usize) {
			Witnesses::<T>::mutate(who, |w| {
				if let Some(w) = w {
					w.active_from = late;
				}
			});
		}
		set_block::<T>(record.join_end);

		#[block]
		{
			Pallet::<T>::select_committee(ORDER, 0);
		}

		let record = Rounds::<T>::get(ORDER, 0).ok_or("round gone")?;
		assert!(record.phase != RoundPhase::Joining);
		assert!(record.members.len() < n as usize);
		Ok(())
	}

	#[benchmark]
	fn settle_round(c: Linear<1, { T::MaxCommittee::get() }>) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		// `c`: the committee size. Worst case for `c`: `c` members who all revealed; the
		// majority is one short, so the accusers are slashed (and suspended) and the others
		// rewarded in one mint batch; round 0 is pruned and, as the lease's last round, the
		// lease is stopped.
		let n = c;
		let members = witnesses::<T>(n)?;
		activate::<T>();
		monitored_with::<T>(2, n)?;
		open::<T>(0)?;
		seat::<T>(0, &members, RoundPhase::Reporting)?;
		set_block::<T>(now::<T>().saturating_add(period::<T>()));
		let record = open::<T>(1)?;
		seat::<T>(1, &members, RoundPhase::Reporting)?;
		let accusers = n / 2;
		for (i, who) in members.iter().enumerate() {
			let violated = (i as u32) < accusers;
			let salt = [4u8; 32];
			Rounds::<T>::mutate(ORDER, 1, |record| {
				if let Some(member) = record.as_mut().and_then(|r| r.members.get_mut(i)) {
					member.commitment =
						Some(Pallet::<T>::report_commitment(ORDER, 1, violated, salt, who));
					member.revealed = Some(violated);
				}
			});
			if violated {
				Witnesses::<T>::mutate(who, |w| {
					if let Some(w) = w {
						w.reputation = 1;
					}
				});
			}
		}
		set_block::<T>(record.reveal_end);

		#[block]
		{
			Pallet::<T>::settle_round(ORDER, 1);
		}

		assert_has_event::<T>(Event::RoundSettled {
			order_id: ORDER,
			round: 1,
			verdict: Verdict::NoViolation,
			violated_reports: accusers,
			reveals: n,
			members: n,
		});
		assert!(Leases::<T>::get(ORDER).is_none());
		Ok(())
	}

	#[benchmark]
	fn authorize_worker_join() -> Result<(), BenchmarkError> {
		// Worst case: a full committee of `MaxCommittee` (eligibility scan) whose highest
		// output the join displaces, and the VRF verification.
		let (joiner, vrf_signature, _, _) = full_committee_join::<T>()?;
		let call =
			Call::<T>::worker_join { order_id: ORDER, round: 0, witness: joiner, vrf_signature };

		#[block]
		{
			authorize::<T>(&call)?;
		}

		Ok(())
	}

	#[benchmark]
	fn authorize_worker_commit() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		// Worst case: `MaxCommittee` members, all but the caller committed (duplicate scan),
		// and the signature check.
		let n = T::MaxCommittee::get();
		let mut members = witnesses::<T>(n.saturating_sub(1))?;
		let key = sp_io::crypto::sr25519_generate(vrf::KEY_TYPE, None);
		let caller = witness::<T>(n, key)?;
		members.push(caller.clone());
		activate::<T>();
		monitored::<T>(1)?;
		let record = open::<T>(0)?;
		seat::<T>(0, &members, RoundPhase::Reporting)?;
		for who in members.iter().filter(|who| **who != caller) {
			Pallet::<T>::do_commit_report(
				who.clone(),
				ORDER,
				0,
				Pallet::<T>::report_commitment(ORDER, 0, false, [1u8; 32], who),
			)?;
		}
		let commitment = Pallet::<T>::report_commitment(ORDER, 0, true, [2u8; 32], &caller);
		let signature =
			wtns_sign(&key, &Pallet::<T>::worker_commit_payload(ORDER, 0, &commitment))?;
		set_block::<T>(record.join_end);
		let call = Call::<T>::worker_commit {
			order_id: ORDER,
			round: 0,
			witness: caller,
			commitment,
			signature,
		};

		#[block]
		{
			authorize::<T>(&call)?;
		}

		Ok(())
	}

	#[benchmark]
	fn authorize_worker_reveal() -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		// Worst case: `MaxCommittee` members, the caller last; the commitment and the signature
		// checks.
		let n = T::MaxCommittee::get();
		let mut members = witnesses::<T>(n.saturating_sub(1))?;
		let key = sp_io::crypto::sr25519_generate(vrf::KEY_TYPE, None);
		let caller = witness::<T>(n, key)?;
		members.push(caller.clone());
		activate::<T>();
		monitored::<T>(1)?;
		let record = open::<T>(0)?;
		seat::<T>(0, &members, RoundPhase::Reporting)?;
		for who in members.iter() {
			Pallet::<T>::do_commit_report(
				who.clone(),
				ORDER,
				0,
				Pallet::<T>::report_commitment(ORDER, 0, true, [3u8; 32], who),
			)?;
		}
		let salt = [3u8; 32];
		let signature =
			wtns_sign(&key, &Pallet::<T>::worker_reveal_payload(ORDER, 0, true, &salt))?;
		set_block::<T>(record.commit_end);
		let call = Call::<T>::worker_reveal {
			order_id: ORDER,
			round: 0,
			witness: caller,
			violated: true,
			salt,
			signature,
		};

		#[block]
		{
			authorize::<T>(&call)?;
		}

		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
