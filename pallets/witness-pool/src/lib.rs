#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely (clippy.toml lets them unwrap, expect, panic and index).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::unreachable))]
#![doc = include_str!("../README.md")]

extern crate alloc;

pub use pallet::*;

mod api;
mod impls;
pub mod types;
pub mod vrf;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use api::{RoundViewOf, WitnessViewOf, MAX_OPEN_ROUNDS_PER_QUERY};
pub use types::*;
pub use vrf::{VrfKey, VrfSignature};
pub use weights::WeightInfo;

/// Log target of this pallet.
pub(crate) const LOG_TARGET: &str = "runtime::witness-pool";

// The FRAME macros expand to `expect`/`unreachable!` in generated code (storage prefixes, call
// dispatch); the pallet's own logic lives outside this module, under the workspace lints.
#[allow(clippy::expect_used, clippy::unreachable, clippy::panic, clippy::indexing_slicing)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use defaas_primitives::traits::{ProviderDirectory, SlaVerdictHandler};
	use defaas_primitives::traits::{RewardMinter, SlashSink};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, BuildGenesisConfig, EnsureOrigin, Randomness},
	};
	use frame_system::{offchain::CreateAuthorizedTransaction, pallet_prelude::*};
	use sp_core::sr25519;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the witness pool pallet.
	///
	/// The off-chain worker submits `worker_batch` as a general transaction authorized by its
	/// own proofs, hence `CreateAuthorizedTransaction`.
	#[pallet::config]
	pub trait Config: frame_system::Config + CreateAuthorizedTransaction<Call<Self>> {
		/// The native token (FST): witness stakes are holds on it.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Source of the round seeds: BABE's `RandomnessFromOneEpochAgo` in the runtime, so
		/// nobody can grind a seed.
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Receives the verdict of every settled round (the market settles the period).
		type VerdictHandler: SlaVerdictHandler;

		/// Mints the witnesses' positive payoffs (the token pallet, under its issuance budget).
		type RewardMinter: RewardMinter<Self::AccountId, BalanceOf<Self>>;

		/// Takes slashed witness stake (the token pallet's slash sink).
		type SlashSink: SlashSink<Self::AccountId, BalanceOf<Self>, Self::RuntimeHoldReason>;

		/// Origin allowed to change the round windows (Root in the runtime).
		type TimingsAdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Minimum stake held from a witness at registration.
		#[pallet::constant]
		type MinWitnessStake: Get<BalanceOf<Self>>;

		/// Blocks between registration and the first round a witness may sit in (at least two
		/// BABE epochs, so it cannot register after seeing the randomness of its rounds).
		#[pallet::constant]
		type ActivationDelay: Get<BlockNumberFor<Self>>;

		/// Maximum number of registered witnesses (bounds the dense index).
		#[pallet::constant]
		type MaxWitnesses: Get<u32>;

		/// Maximum committee size (at least the market's `MaxCommittee`).
		#[pallet::constant]
		type MaxCommittee: Get<u32>;

		/// The VRF threshold lets about `committee_size × JoinFactor` witnesses join.
		#[pallet::constant]
		type JoinFactor: Get<u32>;

		/// Seeded sampling tries per empty seat when the join window ends.
		#[pallet::constant]
		type FillAttemptsPerSeat: Get<u32>;

		/// Capacity of one block's bucket in the agenda of round steps.
		#[pallet::constant]
		type MaxStepsPerBlock: Get<u32>;

		/// Blocks a step moves forward at most when its bucket is full.
		#[pallet::constant]
		type MaxAgendaSpill: Get<u32>;

		/// The weight the steps of one block's bucket may use together, each step counted
		/// with its lease's committee size (`open_round`, `select_committee(c)`,
		/// `settle_round(c)` + the verdict handler's weight): a full bucket spills into the
		/// next block. Bounds `on_initialize` with `MaxStepsPerBlock`.
		#[pallet::constant]
		type MaxAgendaWeight: Get<Weight>;

		/// Payoff unit: +10 units for a confirmed violation report, +1 for a confirmed clean
		/// report, −1 (slashed) for a false violation report and for a missed report.
		#[pallet::constant]
		type WitnessRewardUnit: Get<BalanceOf<Self>>;

		/// Reputation at or above which a leaving witness gets its stake back.
		#[pallet::constant]
		type MinReputationForRefund: Get<i32>;

		/// Round windows used while [`Timings`] is empty, i.e. unless genesis or
		/// `set_timings` stored others: the production values.
		#[pallet::constant]
		type DefaultTimings: Get<WitnessTimingsOf<Self>>;

		/// Where the off-chain worker probes a lease: the provider's endpoint and the memory
		/// of the lease's level (the market). Read off-chain only.
		type Directory: ProviderDirectory<Self::AccountId>;

		/// Probes a committee member's off-chain worker makes per round (at blocks derived
		/// from its VRF key, between the end of the join window and the end of the billing
		/// period).
		#[pallet::constant]
		type ProbesPerRound: Get<u32>;

		/// Deadline of a liveness probe (`GET …/health`), in milliseconds.
		#[pallet::constant]
		type ProbeTimeoutMs: Get<u64>;

		/// Deadline of a capacity challenge (`POST …/challenge`, answered with `A·B`), in
		/// milliseconds.
		#[pallet::constant]
		type ChallengeTimeoutMs: Get<u64>;

		/// Deadline of a deployment dispute's package check (`GET {url}` of the published
		/// package, read and hashed to its end), in milliseconds.
		#[pallet::constant]
		type PackageCheckTimeoutMs: Get<u64>;

		/// Freivalds rounds checking a challenge answer (a wrong product passes with
		/// probability at most `2^-FreivaldsRounds`).
		#[pallet::constant]
		type FreivaldsRounds: Get<u32>;

		/// How long one off-chain worker run may spend on probes and committee joins, in
		/// milliseconds, once its commits and reveals are submitted: what is left waits for
		/// the next run (probes not made at their block are not counted), so that runs do not
		/// queue up behind each other when a node holds many witness keys and rounds.
		#[pallet::constant]
		type WorkerBudgetMs: Get<u64>;

		/// Weight information for the calls and round steps of this pallet.
		type WeightInfo: WeightInfo;
	}

	/// Reasons for which the witness pool holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Stake of a registered witness.
		#[codec(index = 0)]
		WitnessStake,
	}

	/// Registered witnesses.
	#[pallet::storage]
	pub type Witnesses<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, WitnessRecordOf<T>, OptionQuery>;

	/// VRF key → the witness that registered it (a key registers once).
	#[pallet::storage]
	pub type VrfKeys<T: Config> =
		StorageMap<_, Blake2_128Concat, VrfKey, T::AccountId, OptionQuery>;

	/// Number of registered witnesses (length of the dense index).
	#[pallet::storage]
	pub type WitnessCount<T> = StorageValue<_, u32, ValueQuery>;

	/// Dense index `0..WitnessCount` of the registered witnesses, for seeded sampling.
	#[pallet::storage]
	pub type WitnessAt<T: Config> = StorageMap<_, Twox64Concat, u32, T::AccountId, OptionQuery>;

	/// Number of registered witnesses that are not suspended (sets the VRF threshold).
	#[pallet::storage]
	pub type ActiveCount<T> = StorageValue<_, u32, ValueQuery>;

	/// Leases being monitored, by order id.
	#[pallet::storage]
	pub type Leases<T: Config> =
		StorageMap<_, Twox64Concat, OrderId, MonitoredLeaseOf<T>, OptionQuery>;

	/// The package checked by a monitored deployment dispute (`MonitorTarget::Package`), by
	/// order id; a key exists only while the same key exists in [`Leases`].
	#[pallet::storage]
	pub type PackageChecks<T: Config> =
		StorageMap<_, Twox64Concat, OrderId, PackageCheck, OptionQuery>;

	/// Rounds of the monitored leases (at most the last three of each lease are kept).
	#[pallet::storage]
	pub type Rounds<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		OrderId,
		Twox64Concat,
		u32,
		RoundRecordOf<T>,
		OptionQuery,
	>;

	/// Round steps due at a block (a full bucket spills into the following blocks).
	#[pallet::storage]
	pub type Agenda<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, AgendaBucketOf<T>, ValueQuery>;

	/// The weight the steps in a block's agenda bucket are expected to use (at most
	/// `MaxAgendaWeight`); removed with the bucket.
	#[pallet::storage]
	pub type AgendaWeight<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, Weight, ValueQuery>;

	/// Round windows set at genesis or by `set_timings`; empty means `Config::DefaultTimings`
	/// (read through [`Pallet::timings`]).
	#[pallet::storage]
	pub type Timings<T: Config> = StorageValue<_, WitnessTimingsOf<T>, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A witness registered.
		WitnessRegistered {
			/// The witness.
			witness: T::AccountId,
			/// Stake held.
			stake: BalanceOf<T>,
			/// Its VRF key.
			vrf_key: VrfKey,
			/// First block from which it may sit in committees.
			active_from: BlockNumberFor<T>,
		},
		/// A witness left the pool.
		WitnessUnregistered {
			/// The witness.
			witness: T::AccountId,
			/// Stake released to it.
			refunded: BalanceOf<T>,
			/// Stake taken by the slash sink (reputation below `MinReputationForRefund`).
			slashed: BalanceOf<T>,
		},
		/// A witness's reputation fell to zero or below: it is never drawn again.
		WitnessSuspended {
			/// The witness.
			witness: T::AccountId,
			/// Its reputation.
			reputation: i32,
		},
		/// The pool started monitoring a lease.
		MonitoringStarted {
			/// The order (lease).
			order_id: OrderId,
			/// Number of rounds.
			periods: u32,
			/// Committee size per round.
			committee_size: u32,
			/// Block at which round 0 opens.
			first_round_opens: BlockNumberFor<T>,
		},
		/// The pool stopped monitoring a lease and dropped its rounds.
		MonitoringStopped {
			/// The order (lease).
			order_id: OrderId,
		},
		/// A round opened: witnesses whose VRF output over `seed` is below `threshold` may join.
		RoundOpened {
			/// The order (lease).
			order_id: OrderId,
			/// The round (0-based billing period).
			round: u32,
			/// The seed to sign.
			seed: [u8; 32],
			/// First block at which joins are refused.
			join_end: BlockNumberFor<T>,
			/// VRF outputs below this may join.
			threshold: u128,
		},
		/// A witness joined a committee with its VRF output.
		CommitteeJoined {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// The witness.
			witness: T::AccountId,
			/// Its VRF output.
			output: u128,
			/// The member with the highest output it displaced from a full committee.
			evicted: Option<T::AccountId>,
		},
		/// The join window ended; empty seats were filled by seeded sampling.
		CommitteeSelected {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// The committee: joined members by ascending output, then seeded ones.
			members: Vec<T::AccountId>,
		},
		/// Nobody could sit in the round's committee: no verdict is produced.
		RoundAbandoned {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
		},
		/// A member committed its sealed report.
		ReportCommitted {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// The member.
			witness: T::AccountId,
		},
		/// A member revealed its report.
		ReportRevealed {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// The member.
			witness: T::AccountId,
			/// `true` if it reports a violation.
			violated: bool,
		},
		/// A round settled: verdict computed, payoffs applied, verdict handed to the market.
		RoundSettled {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// The verdict.
			verdict: Verdict,
			/// Reveals reporting a violation.
			violated_reports: u32,
			/// Members that revealed.
			reveals: u32,
			/// Committee size.
			members: u32,
		},
		/// An item of a `worker_batch` was no longer accepted when the batch was applied
		/// (the rest of the batch was).
		WorkerItemSkipped {
			/// The witness.
			witness: T::AccountId,
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// Join, commit or reveal.
			kind: WorkerItemKind,
			/// Why it was refused.
			error: DispatchError,
		},
		/// The verdict handler (the market) refused a verdict.
		VerdictRejected {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// Why it was refused.
			error: DispatchError,
		},
		/// No agenda bucket near `at` had room: the step was dropped (the market times the
		/// lease out).
		AgendaFull {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// The dropped step.
			step: Step,
			/// Block the step was due at.
			at: BlockNumberFor<T>,
		},
		/// The round windows were changed; they apply to leases monitored from now on.
		TimingsSet {
			/// The new windows.
			timings: WitnessTimingsOf<T>,
		},
		/// Fewer than a quorum of the committee revealed: the round ends without a verdict
		/// (missed reports are penalised; the market times the lease out and refunds).
		RoundLapsed {
			/// The order (lease).
			order_id: OrderId,
			/// The round.
			round: u32,
			/// Members that revealed.
			reveals: u32,
			/// Committee size.
			members: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The stake is below `MinWitnessStake`.
		StakeTooLow,
		/// The account is already a registered witness.
		AlreadyRegistered,
		/// The VRF key is already registered.
		KeyInUse,
		/// The account cannot afford the stake.
		InsufficientBalance,
		/// `MaxWitnesses` witnesses are registered.
		TooManyWitnesses,
		/// The account is not a registered witness.
		NotRegistered,
		/// The witness still sits in an unsettled committee.
		InCommittee,
		/// No such round (never opened, or pruned).
		RoundNotFound,
		/// The round is not accepting joins (join window over).
		JoinWindowClosed,
		/// The witness is suspended.
		Suspended,
		/// The witness was not yet activated when the round opened.
		NotYetActive,
		/// The lease's provider and customer cannot sit in its committees.
		Ineligible,
		/// The witness already sits in this committee.
		AlreadyJoined,
		/// The VRF signature is malformed, made by another key or over another seed.
		InvalidVrfSignature,
		/// The VRF output is not below the round's threshold.
		AboveThreshold,
		/// The committee is full of lower VRF outputs.
		NotSelected,
		/// The signer is not a member of the round's committee.
		NotMember,
		/// The round is not in its commit window.
		NotInCommitWindow,
		/// The member already committed.
		AlreadyCommitted,
		/// Another member committed the same commitment.
		DuplicateCommitment,
		/// The round is not in its reveal window.
		NotInRevealWindow,
		/// The member did not commit.
		NotCommitted,
		/// The member already revealed.
		AlreadyRevealed,
		/// Report and salt do not match the commitment.
		CommitmentMismatch,
		/// A round window of zero blocks.
		InvalidTimings,
		/// Committee size zero or above `MaxCommittee`.
		InvalidCommitteeSize,
		/// A lease without billing periods.
		NoPeriods,
		/// The billing period is not longer than the join window, or not longer than the
		/// commit and reveal windows together.
		PeriodTooShort,
		/// Fewer active witnesses than the committee size.
		NotEnoughWitnesses,
		/// The lease is already monitored.
		AlreadyMonitored,
		/// No agenda bucket near the first round's start has room.
		AgendaFull,
		/// An internal record is inconsistent (please report).
		Inconsistent,
	}

	/// Genesis: optionally, round windows replacing `Config::DefaultTimings`, and witnesses
	/// registered from the start (benchmark and test networks).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Round windows replacing `Config::DefaultTimings` (dev/local presets shorten them);
		/// `None` keeps the defaults.
		#[serde(default)]
		pub timings: Option<WitnessTimingsOf<T>>,
		/// Witnesses registered at genesis: (account, stake, VRF key). Their stake is held
		/// like a `register_witness` stake (the account must be funded by the balances
		/// genesis), and they may sit in committees from the first block — there is no
		/// registration to time against the randomness yet.
		#[serde(default)]
		pub witnesses: Vec<(T::AccountId, BalanceOf<T>, VrfKey)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(timings) = &self.timings {
				assert!(
					timings.validate(),
					"invalid genesis witness timings: every window must be at least one block"
				);
				Timings::<T>::put(timings);
			}
			for (who, stake, vrf_key) in &self.witnesses {
				let registered = Pallet::<T>::do_register_witness(who.clone(), *stake, *vrf_key);
				assert!(registered.is_ok(), "genesis witness {who:?}: {registered:?}");
				Witnesses::<T>::mutate(who, |record| {
					if let Some(record) = record {
						record.active_from = sp_runtime::traits::Zero::zero();
					}
				});
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::run_agenda(now)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_offchain_worker(now)
		}

		fn integrity_test() {
			Self::check_config();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Register the signer as a witness, holding `stake` (≥ `MinWitnessStake`).
		///
		/// `vrf_key` is the `wtns` key of the witness's node: its VRF signatures draw the
		/// witness into committees from `ActivationDelay` blocks on.
		#[pallet::call_index(0)]
		pub fn register_witness(
			origin: OriginFor<T>,
			stake: BalanceOf<T>,
			vrf_key: VrfKey,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_witness(who, stake, vrf_key)
		}

		/// Leave the pool (not while sitting in an unsettled committee). The stake is released
		/// if the reputation is at least `MinReputationForRefund`, otherwise it goes to the
		/// slash sink.
		#[pallet::call_index(1)]
		pub fn unregister_witness(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister_witness(who)
		}

		/// Join the committee of round `round` of `order_id` during its join window with the
		/// signer's VRF signature over the round seed; the output must be below the round's
		/// threshold and, in a full committee, below the highest output (which it displaces).
		#[pallet::call_index(2)]
		pub fn join_committee(
			origin: OriginFor<T>,
			order_id: OrderId,
			round: u32,
			vrf_signature: VrfSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_join_committee(who, order_id, round, vrf_signature, JoinProof::Verify)
		}

		/// Commit the signer's sealed report
		/// `blake2_256(SCALE((order_id, round, violated, salt, witness)))` as a committee member,
		/// after the join window and before the commit window ends.
		#[pallet::call_index(3)]
		pub fn commit_report(
			origin: OriginFor<T>,
			order_id: OrderId,
			round: u32,
			commitment: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit_report(who, order_id, round, commitment)
		}

		/// Reveal the signer's committed report during the reveal window.
		#[pallet::call_index(4)]
		pub fn reveal_report(
			origin: OriginFor<T>,
			order_id: OrderId,
			round: u32,
			violated: bool,
			salt: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reveal_report(who, order_id, round, violated, salt)
		}

		/// Replace the round windows. Only `TimingsAdminOrigin`.
		///
		/// They apply to leases monitored from now on; every monitored lease keeps the windows
		/// it started with.
		#[pallet::call_index(5)]
		pub fn set_timings(origin: OriginFor<T>, timings: WitnessTimingsOf<T>) -> DispatchResult {
			T::TimingsAdminOrigin::ensure_origin(origin)?;
			Self::do_set_timings(timings)
		}

		/// The joins, commits and reveals of `witness` due now, submitted by its node's
		/// off-chain worker in one transaction without signer or fee.
		///
		/// Authorized (`AuthorizeCall`) iff `witness` is registered, `signature` is its
		/// registered (`wtns`) key's sr25519 signature of [`Pallet::worker_batch_payload`], no
		/// round appears twice among the items of a kind, every join's VRF signature verifies
		/// with that key over its round's seed and at least one item would be accepted now;
		/// the transaction provides a tag per such item (at most one per witness, kind and
		/// round is valid in the pool). The dispatch applies every item that is still
		/// accepted, as `join_committee`, `commit_report` and `reveal_report` would, and skips
		/// the others (`WorkerItemSkipped`).
		#[pallet::call_index(6)]
		#[pallet::weight({
			let (j, m, r) = batch.counts();
			Pallet::<T>::worker_batch_weight(j, m, r)
		})]
		#[pallet::authorize(Self::authorize_worker_batch)]
		#[pallet::weight_of_authorize({
			let (j, m, r) = batch.counts();
			Pallet::<T>::authorize_worker_batch_weight(j, m, r)
		})]
		pub fn worker_batch(
			origin: OriginFor<T>,
			witness: T::AccountId,
			batch: WorkerBatch,
			signature: sr25519::Signature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			// Checked by `authorize_worker_batch` (in the pool and again in the block).
			let _ = signature;
			Self::apply_worker_batch(witness, batch);
			Ok(())
		}
	}
}
