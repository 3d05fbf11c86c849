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
//! The off-chain worker's `worker_batch` is benchmarked per kind of item (batches of joins
//! `j`, commits `m` or reveals `r`), each item in the signed call's worst case; its
//! authorization on its own (`authorize_worker_batch_*`: `Authorize::authorize` on the call,
//! the same batches), signed with a `wtns` key of the keystore (`sr25519_sign`).

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
		target: MonitorTarget::Service,
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

/// `members` as joined members with outputs near `u128::MAX` (sorted).
fn seated<T: Config>(members: &[T::AccountId]) -> Result<MembersOf<T>, BenchmarkError> {
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
	Ok(BoundedVec::try_from(seated).map_err(|_| "more members than MaxCommittee")?)
}

/// Seat `members` in `round` as joined members with outputs near `u128::MAX` (sorted), with
/// a threshold of `u128::MAX`, in `phase`.
fn seat<T: Config>(
	round: u32,
	members: &[T::AccountId],
	phase: RoundPhase,
) -> Result<(), BenchmarkError> {
	let seated = seated::<T>(members)?;
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

/// A worker batch of one witness (its key in the keystore) with `j` joins, `m` commits and `r`
/// reveals, all accepted now, each in a round of its own lease (copies of the benchmarked
/// lease and of its round 0) with a committee of `MaxCommittee`, in the worst case of each
/// kind: a join into a full committee whose highest output it evicts, a commit with every
/// other member committed (duplicate scan), a reveal by the last member. Returns the witness,
/// the batch and its signature.
fn full_batch<T: Config>(
	j: u32,
	m: u32,
	r: u32,
) -> Result<(T::AccountId, WorkerBatch, sp_core::sr25519::Signature), BenchmarkError> {
	set_block::<T>(1u32.into());
	let n = T::MaxCommittee::get();
	let others = witnesses::<T>(n)?;
	let key = sp_io::crypto::sr25519_generate(vrf::KEY_TYPE, None);
	let caller = witness::<T>(n, key)?;
	activate::<T>();
	monitored::<T>(1)?;
	let template = open::<T>(0)?;
	let lease = Leases::<T>::get(ORDER).ok_or("no lease")?;
	let mut reporters: Vec<T::AccountId> =
		others.iter().take(n.saturating_sub(1) as usize).cloned().collect();
	reporters.push(caller.clone());
	let mut order_id = ORDER;
	let mut round_of = |members: &[T::AccountId], phase: RoundPhase| {
		order_id = order_id.saturating_add(1);
		Leases::<T>::insert(order_id, lease.clone());
		let mut record = template.clone();
		record.seed = sp_io::hashing::blake2_256(&(b"bench-batch", order_id).encode());
		record.threshold = u128::MAX;
		record.phase = phase;
		record.members = seated::<T>(members)?;
		Ok::<_, BenchmarkError>((order_id, record))
	};
	let mut batch = WorkerBatch::default();
	// Each join evicts a different member (one more witness record written per join), as far
	// as `MaxWitnesses` allows (the runtime's allows them all).
	let distinct = T::MaxWitnesses::get().saturating_sub(n.saturating_add(1)).max(1);
	let mut evicted_witnesses: Vec<T::AccountId> = Vec::new();
	for i in 0..j {
		let evicted = match evicted_witnesses.get(i.checked_rem(distinct).unwrap_or(0) as usize) {
			Some(who) => who.clone(),
			None => {
				let index = n.saturating_add(1).saturating_add(i);
				let who = witness::<T>(index, dummy_key(index))?;
				evicted_witnesses.push(who.clone());
				who
			},
		};
		let mut seated_now: Vec<T::AccountId> =
			others.iter().take(n.saturating_sub(1) as usize).cloned().collect();
		seated_now.push(evicted);
		let (order_id, record) = round_of(&seated_now, RoundPhase::Joining)?;
		Rounds::<T>::insert(order_id, 0, &record);
		let vrf_signature = vrf::witness_vrf::sign(&key, record.seed).ok_or("no VRF keystore")?;
		let output = vrf::verify(&key, &record.seed, &vrf_signature).ok_or("invalid VRF")?;
		batch
			.joins
			.try_push(JoinItem { order_id, round: 0, vrf_signature, output })
			.map_err(|_| "too many joins")?;
	}
	for _ in 0..m {
		let (order_id, mut record) = round_of(&reporters, RoundPhase::Reporting)?;
		for member in record.members.iter_mut().filter(|member| member.witness != caller) {
			member.commitment = Some(Pallet::<T>::report_commitment(
				order_id,
				0,
				false,
				[1u8; 32],
				&member.witness,
			));
		}
		Rounds::<T>::insert(order_id, 0, &record);
		let commitment = Pallet::<T>::report_commitment(order_id, 0, true, [2u8; 32], &caller);
		batch
			.commits
			.try_push(CommitItem { order_id, round: 0, commitment })
			.map_err(|_| "too many commits")?;
	}
	for _ in 0..r {
		let (order_id, mut record) = round_of(&reporters, RoundPhase::Reporting)?;
		for member in record.members.iter_mut() {
			member.commitment =
				Some(Pallet::<T>::report_commitment(order_id, 0, true, [3u8; 32], &member.witness));
		}
		record.commit_end = now::<T>();
		record.reveal_end = now::<T>().saturating_add(One::one());
		Rounds::<T>::insert(order_id, 0, &record);
		batch
			.reveals
			.try_push(RevealItem { order_id, round: 0, violated: true, salt: [3u8; 32] })
			.map_err(|_| "too many reveals")?;
	}
	let signature = wtns_sign(&key, &Pallet::<T>::worker_batch_payload(&caller, &batch))?;
	Ok((caller, batch, signature))
}

/// Whether every item of `batch` took effect for `witness`.
fn batch_applied<T: Config>(witness: &T::AccountId, batch: &WorkerBatch) -> bool {
	let member = |order_id, check: &dyn Fn(&Member<T::AccountId>) -> bool| {
		Rounds::<T>::get(order_id, 0)
			.is_some_and(|record| record.members.iter().any(|m| m.witness == *witness && check(m)))
	};
	batch.joins.iter().all(|item| member(item.order_id, &|_| true))
		&& batch
			.commits
			.iter()
			.all(|item| member(item.order_id, &|m| m.commitment == Some(item.commitment)))
		&& batch.reveals.iter().all(|item| member(item.order_id, &|m| m.revealed == Some(true)))
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

	/// Step Select of a committee the joins filled: no sampling (what `on_initialize` charges
	/// when Select made no attempt).
	#[benchmark]
	fn select_joined(c: Linear<1, { T::MaxCommittee::get() }>) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		let members = witnesses::<T>(c)?;
		activate::<T>();
		monitored_with::<T>(1, c)?;
		let record = open::<T>(0)?;
		seat::<T>(0, &members, RoundPhase::Joining)?;
		set_block::<T>(record.join_end);
		let attempts;

		#[block]
		{
			attempts = Pallet::<T>::select_committee(ORDER, 0);
		}

		assert_eq!(attempts, Some(0));
		let record = Rounds::<T>::get(ORDER, 0).ok_or("round gone")?;
		assert_eq!(record.phase, RoundPhase::Reporting);
		assert_eq!(record.members.len(), c as usize);
		Ok(())
	}

	/// Step Settle of a clean round — what `on_initialize` charges when nobody was slashed or
	/// penalized: `c` members who all revealed a clean report and are rewarded in one mint
	/// batch; round 0 is pruned and, as the lease's last round, the lease is stopped.
	#[benchmark]
	fn settle_clean(c: Linear<1, { T::MaxCommittee::get() }>) -> Result<(), BenchmarkError> {
		set_block::<T>(1u32.into());
		let members = witnesses::<T>(c)?;
		activate::<T>();
		monitored_with::<T>(2, c)?;
		open::<T>(0)?;
		seat::<T>(0, &members, RoundPhase::Reporting)?;
		set_block::<T>(now::<T>().saturating_add(period::<T>()));
		let record = open::<T>(1)?;
		seat::<T>(1, &members, RoundPhase::Reporting)?;
		for (i, who) in members.iter().enumerate() {
			let salt = [5u8; 32];
			Rounds::<T>::mutate(ORDER, 1, |record| {
				if let Some(member) = record.as_mut().and_then(|r| r.members.get_mut(i)) {
					member.commitment =
						Some(Pallet::<T>::report_commitment(ORDER, 1, false, salt, who));
					member.revealed = Some(false);
				}
			});
		}
		set_block::<T>(record.reveal_end);
		let clean;

		#[block]
		{
			clean = Pallet::<T>::settle_round(ORDER, 1);
		}

		assert_eq!(clean.map(|(clean, _)| clean), Some(true));
		assert_has_event::<T>(Event::RoundSettled {
			order_id: ORDER,
			round: 1,
			verdict: Verdict::NoViolation,
			violated_reports: 0,
			reveals: c,
			members: c,
		});
		assert!(Leases::<T>::get(ORDER).is_none());
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

	// `worker_batch` and its authorization are measured per kind of item, one component each
	// (a batch of one kind): varying three components together, the benchmark CLI keeps the
	// other two at their maximum and the fitted base absorbs them. The pallet adds the three
	// (`Pallet::worker_batch_weight`, `Pallet::authorize_worker_batch_weight`). Every item is in
	// its worst case (see [`full_batch`]).

	/// `worker_batch`'s dispatch with `j` joins (their proofs verified by the authorization).
	#[benchmark]
	fn worker_batch_joins(j: Linear<0, MAX_WORKER_ITEMS>) -> Result<(), BenchmarkError> {
		let (caller, batch, signature) = full_batch::<T>(j, 0, 0)?;

		#[extrinsic_call]
		worker_batch(RawOrigin::Authorized, caller.clone(), batch.clone(), signature);

		assert!(batch_applied::<T>(&caller, &batch));
		Ok(())
	}

	/// `worker_batch`'s dispatch with `m` commits.
	#[benchmark]
	fn worker_batch_commits(m: Linear<0, MAX_WORKER_ITEMS>) -> Result<(), BenchmarkError> {
		let (caller, batch, signature) = full_batch::<T>(0, m, 0)?;

		#[extrinsic_call]
		worker_batch(RawOrigin::Authorized, caller.clone(), batch.clone(), signature);

		assert!(batch_applied::<T>(&caller, &batch));
		Ok(())
	}

	/// `worker_batch`'s dispatch with `r` reveals.
	#[benchmark]
	fn worker_batch_reveals(r: Linear<0, MAX_WORKER_ITEMS>) -> Result<(), BenchmarkError> {
		let (caller, batch, signature) = full_batch::<T>(0, 0, r)?;

		#[extrinsic_call]
		worker_batch(RawOrigin::Authorized, caller.clone(), batch.clone(), signature);

		assert!(batch_applied::<T>(&caller, &batch));
		Ok(())
	}

	/// `worker_batch`'s authorization with `j` joins: the batch signature, each join's checks
	/// and VRF verification. At least one item (an empty batch is refused before any check).
	#[benchmark]
	fn authorize_worker_batch_joins(j: Linear<1, MAX_WORKER_ITEMS>) -> Result<(), BenchmarkError> {
		let (witness, batch, signature) = full_batch::<T>(j, 0, 0)?;
		let call = Call::<T>::worker_batch { witness, batch, signature };

		#[block]
		{
			authorize::<T>(&call)?;
		}

		Ok(())
	}

	/// `worker_batch`'s authorization with `m` commits.
	#[benchmark]
	fn authorize_worker_batch_commits(
		m: Linear<1, MAX_WORKER_ITEMS>,
	) -> Result<(), BenchmarkError> {
		let (witness, batch, signature) = full_batch::<T>(0, m, 0)?;
		let call = Call::<T>::worker_batch { witness, batch, signature };

		#[block]
		{
			authorize::<T>(&call)?;
		}

		Ok(())
	}

	/// `worker_batch`'s authorization with `r` reveals (each opens its commitment).
	#[benchmark]
	fn authorize_worker_batch_reveals(
		r: Linear<1, MAX_WORKER_ITEMS>,
	) -> Result<(), BenchmarkError> {
		let (witness, batch, signature) = full_batch::<T>(0, 0, r)?;
		let call = Call::<T>::worker_batch { witness, batch, signature };

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
