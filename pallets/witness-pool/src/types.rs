//! Records stored by the witness pool and the views returned by its runtime API.

use crate::{
	vrf::{VrfKey, VrfSignature},
	Config,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::{fungible::Inspect, Get},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::traits::Zero;

pub use defaas_offchain_workers::{ProbeFailure, ProbeOutcome};
pub use defaas_primitives::{LeaseInfo, LevelId, MonitorTarget, OrderId, PackageCheck, Verdict};

/// The balance type of the witness pool's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// The account id type of the runtime.
pub type AccountIdOf<T> = <T as frame_system::Config>::AccountId;

/// Reputation of a newly registered witness (as in the witness-model paper).
pub const INITIAL_REPUTATION: i32 = 100;
/// Reputation lost for reporting against the verdict (the minority).
pub const MINORITY_PENALTY: i32 = 1;
/// Reputation lost for a missed commit or reveal.
pub const MISSED_REPORT_PENALTY: i32 = 10;
/// Payoff, in `WitnessRewardUnit`s, of a member that reported a violation the committee
/// confirmed.
pub const VIOLATION_REWARD_UNITS: u32 = 10;
/// Subject under which round seeds draw from `Config::Randomness`.
pub const RANDOMNESS_SUBJECT: &[u8] = b"defaas/witness-round";
/// Prefix of the persistent off-chain storage keys under which the off-chain worker keeps the
/// VRF signatures of the witnesses it drew into a committee: the key is this prefix followed by
/// `SCALE((order_id, round, witness))`, the value `SCALE(VrfSignature)`.
pub const JOIN_SIGNATURE_PREFIX: &[u8] = b"defaas/wp/join/";

/// Prefix of the worker's per-round join memo in the persistent off-chain storage (the
/// local witnesses the VRF passed over or drew in the round).
pub const JOIN_MEMO_PREFIX: &[u8] = b"defaas/wp/join-memo/";
/// Prefix of the persistent off-chain storage keys of the off-chain worker's probe logs: the
/// key is this prefix followed by `SCALE((order_id, round, witness))`, the value a
/// [`ProbeLog`].
pub const PROBE_LOG_PREFIX: &[u8] = b"defaas/wp/probes/";
/// Tag (with the `WitnessPool` prefix) a `worker_batch` provides for each join it carries.
pub const WORKER_JOIN_TAG: &[u8] = b"worker_join";
/// Tag (with the `WitnessPool` prefix) a `worker_batch` provides for each commit it carries.
pub const WORKER_COMMIT_TAG: &[u8] = b"worker_commit";
/// Tag (with the `WitnessPool` prefix) a `worker_batch` provides for each reveal it carries.
pub const WORKER_REVEAL_TAG: &[u8] = b"worker_reveal";
/// How many blocks before the end of an item's window the off-chain worker submits it, with
/// every other item due for its witness. Until then it waits, so that later items share the
/// batch (and its fixed cost): with the production windows (100 blocks each) a witness's batch
/// collects about 90 blocks of its items; with windows this short or shorter, items go at once.
pub const SUBMIT_MARGIN: u32 = 10;
/// Most items of each kind (joins, commits, reveals) in one `worker_batch`.
pub const MAX_WORKER_ITEMS: u32 = 64;
/// [`MAX_WORKER_ITEMS`] as a type.
pub type MaxWorkerItems = frame_support::traits::ConstU32<MAX_WORKER_ITEMS>;

/// Priority of the off-chain worker's transactions: above ordinary fee-paying ones, so reports
/// make their windows even in full blocks (they cannot be spammed: one per witness, phase and
/// round, each with a proof).
pub const WORKER_TX_PRIORITY: sp_runtime::transaction_validity::TransactionPriority =
	sp_runtime::transaction_validity::TransactionPriority::MAX / 2;

/// A committee member's probes of a round, in the order the off-chain worker claimed them:
/// `(block, outcome)`, the outcome `None` while the probe runs (or if its run died).
pub type ProbeLog = Vec<(u32, Option<ProbeOutcome>)>;

/// The windows of a round, in blocks (docs/architecture.md §6.2–6.3): runtime parameters with production
/// defaults (`Config::DefaultTimings`) that genesis presets may shorten and `set_timings` may
/// change for leases monitored from then on.
///
/// Round `r` of a lease covers the billing period `[s, e)`; it opens at `s` (round 0: the block
/// after `fulfill`), witnesses join during `join_window` blocks, members commit until
/// `e + commit_window` and reveal during the `reveal_window` blocks after that.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct WitnessTimings<BlockNumber> {
	/// Blocks after a round opens during which drawn witnesses join its committee.
	pub join_window: BlockNumber,
	/// Blocks after the end of the round's billing period until which members commit.
	pub commit_window: BlockNumber,
	/// Blocks after the commit window during which members reveal.
	pub reveal_window: BlockNumber,
}
/// [`WitnessTimings`] of a runtime.
pub type WitnessTimingsOf<T> = WitnessTimings<BlockNumberFor<T>>;

impl<BlockNumber: Zero> WitnessTimings<BlockNumber> {
	/// Whether every window is at least one block.
	pub fn validate(&self) -> bool {
		!self.join_window.is_zero()
			&& !self.commit_window.is_zero()
			&& !self.reveal_window.is_zero()
	}
}

/// A registered witness.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct WitnessRecord<Balance, BlockNumber> {
	/// Key whose VRF signatures draw the witness into committees (its node's `wtns` key).
	pub vrf_key: VrfKey,
	/// Stake currently held (`HoldReason::WitnessStake`).
	pub stake: Balance,
	/// Block of registration.
	pub registered_at: BlockNumber,
	/// First block from which the witness may sit in committees (rounds opened at or after it).
	pub active_from: BlockNumber,
	/// Reputation: starts at 100; at or below zero the witness is suspended.
	pub reputation: i32,
	/// Suspended witnesses are never drawn again.
	pub suspended: bool,
	/// Unsettled rounds whose committee the witness sits in.
	pub seats: u32,
	/// Position in the dense index [`crate::WitnessAt`].
	pub index: u32,
}
/// [`WitnessRecord`] of a runtime.
pub type WitnessRecordOf<T> = WitnessRecord<BalanceOf<T>, BlockNumberFor<T>>;

/// A lease the pool monitors (copied from the market's [`LeaseInfo`] by `start_monitoring`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct MonitoredLease<AccountId, BlockNumber> {
	/// Provider serving the function (never eligible for its committees).
	pub provider: AccountId,
	/// Customer of the order (never eligible for its committees).
	pub customer: AccountId,
	/// FaaS level of the lease.
	pub level: LevelId,
	/// Number of rounds (billing periods).
	pub periods: u32,
	/// Length of one billing period = one round, in blocks.
	pub period_length: BlockNumber,
	/// First block of round 0.
	pub first_period_start: BlockNumber,
	/// Committee size of every round.
	pub committee_size: u32,
	/// The round opened last (0 before round 0 opens).
	pub current_round: u32,
	/// The round windows in force when monitoring started; they stay fixed for the lease.
	pub timings: WitnessTimings<BlockNumber>,
}
/// [`MonitoredLease`] of a runtime.
pub type MonitoredLeaseOf<T> = MonitoredLease<AccountIdOf<T>, BlockNumberFor<T>>;

impl<AccountId, BlockNumber> MonitoredLease<AccountId, BlockNumber>
where
	BlockNumber: Copy + From<u32> + sp_runtime::traits::Saturating,
{
	/// First block of round `round`: `first_period_start + round × period_length`.
	pub fn round_start(&self, round: u32) -> BlockNumber {
		self.first_period_start.saturating_add(self.period_length.saturating_mul(round.into()))
	}
}

/// Where a round stands.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub enum RoundPhase {
	/// Drawn witnesses join with their VRF signatures until `join_end`.
	Joining,
	/// The committee is fixed; members commit and reveal their reports.
	Reporting,
	/// The verdict was computed and handed to the market.
	Settled,
	/// Nobody could sit in the committee: no verdict (the market times the lease out).
	Abandoned,
	/// Fewer than a quorum (`members / 2 + 1`) of the committee revealed: no verdict; the
	/// members' payoffs for missed reports were applied (the market times the lease out).
	Lapsed,
}

impl RoundPhase {
	/// Joining or Reporting: members hold a seat.
	pub fn is_unsettled(&self) -> bool {
		matches!(self, Self::Joining | Self::Reporting)
	}
}

/// A committee member of a round.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct Member<AccountId> {
	/// The witness.
	pub witness: AccountId,
	/// Its VRF output; `None` for a member filled in by seeded sampling.
	pub output: Option<u128>,
	/// `blake2_256(SCALE((order_id, round, violated, salt, witness)))`, once committed.
	pub commitment: Option<[u8; 32]>,
	/// The revealed report (`true` = violated), once revealed.
	pub revealed: Option<bool>,
}

/// A round (one billing period) of a monitored lease.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxCommittee))]
pub struct RoundRecord<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxCommittee: Get<u32>,
> {
	/// `blake2_256(SCALE((randomness, order_id, round)))`: what witnesses sign with their VRF.
	pub seed: [u8; 32],
	/// Block in which the round opened.
	pub opened_at: BlockNumber,
	/// First block at which joins are refused; the committee is completed in this block.
	pub join_end: BlockNumber,
	/// First block at which commits are refused and reveals accepted.
	pub commit_end: BlockNumber,
	/// First block at which reveals are refused; the round settles in this block.
	pub reveal_end: BlockNumber,
	/// A VRF output must be below this to join.
	pub threshold: u128,
	/// Where the round stands.
	pub phase: RoundPhase,
	/// Joined members by ascending VRF output, then seeded members.
	pub members: BoundedVec<Member<AccountId>, MaxCommittee>,
	/// The verdict, once settled.
	pub verdict: Option<Verdict>,
}
/// [`RoundRecord`] of a runtime.
pub type RoundRecordOf<T> =
	RoundRecord<AccountIdOf<T>, BlockNumberFor<T>, <T as Config>::MaxCommittee>;
/// The committee of a round.
pub type MembersOf<T> = BoundedVec<Member<AccountIdOf<T>>, <T as Config>::MaxCommittee>;

/// A step of a round, run by `on_initialize` at the block it is scheduled for.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Step {
	/// Draw the seed and threshold, open the join window.
	Open,
	/// End the join window: fill empty seats by seeded sampling.
	Select,
	/// End the reveal window: verdict, payoffs, hand the verdict to the market.
	Settle,
}

/// One scheduled step: order, round, step.
pub type AgendaEntry = (OrderId, u32, Step);
/// The steps scheduled for one block.
pub type AgendaBucketOf<T> = BoundedVec<AgendaEntry, <T as Config>::MaxStepsPerBlock>;

// ---------------------------------------------------------------------------------------------
// Runtime API views
// ---------------------------------------------------------------------------------------------

/// A witness as returned by `WitnessPoolApi::witness`.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
#[serde(bound(
	serialize = "AccountId: frame_support::Serialize, Balance: core::fmt::Display, \
	             BlockNumber: frame_support::Serialize",
	deserialize = "AccountId: frame_support::Deserialize<'de>, Balance: core::str::FromStr, \
	               BlockNumber: frame_support::Deserialize<'de>"
))]
pub struct WitnessView<AccountId, Balance, BlockNumber> {
	/// Witness account.
	pub account: AccountId,
	/// Its VRF (`wtns`) public key (SS58 in JSON).
	pub vrf_key: VrfKey,
	/// Stake held (a decimal string in JSON).
	#[serde(with = "defaas_primitives::json::string")]
	pub stake: Balance,
	/// Reputation (starts at 100; suspended at ≤ 0).
	pub reputation: i32,
	/// Whether it is suspended.
	pub suspended: bool,
	/// Whether it may be drawn now: not suspended and activated.
	pub active: bool,
	/// First block from which it may sit in committees.
	pub active_from: BlockNumber,
	/// Unsettled rounds it sits in.
	pub seats: u32,
}

/// A committee member as returned within [`RoundView`].
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct MemberView<AccountId> {
	/// The witness.
	pub witness: AccountId,
	/// Its VRF output (a decimal string in JSON); `None` if seeded.
	#[serde(with = "defaas_primitives::json::string_opt")]
	pub output: Option<u128>,
	/// Filled in by seeded sampling rather than joined by VRF.
	pub seeded: bool,
	/// Whether it committed a report.
	pub committed: bool,
	/// The revealed report (`true` = violated), once revealed.
	pub revealed: Option<bool>,
}

/// A round as returned by `WitnessPoolApi::round`.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct RoundView<AccountId, BlockNumber> {
	/// The order (lease).
	pub order_id: OrderId,
	/// The round (0-based billing period).
	pub round: u32,
	/// Where it stands.
	pub phase: RoundPhase,
	/// The seed witnesses sign (a `0x` hex string in JSON).
	pub seed: H256,
	/// Block in which it opened.
	pub opened_at: BlockNumber,
	/// First block at which joins are refused.
	pub join_end: BlockNumber,
	/// First block at which commits are refused and reveals accepted.
	pub commit_end: BlockNumber,
	/// First block at which reveals are refused (the round settles then).
	pub reveal_end: BlockNumber,
	/// A VRF output must be below this to join (a decimal string in JSON).
	#[serde(with = "defaas_primitives::json::string")]
	pub threshold: u128,
	/// The committee: joined members by ascending VRF output, then seeded ones.
	pub members: Vec<MemberView<AccountId>>,
	/// Members that committed.
	pub commits: u32,
	/// Members that revealed.
	pub reveals: u32,
	/// The verdict, once settled.
	pub verdict: Option<Verdict>,
}

/// An unsettled round as returned by `WitnessPoolApi::open_rounds`.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct OpenRound<BlockNumber> {
	/// The order (lease).
	pub order_id: OrderId,
	/// The round (0-based billing period).
	pub round: u32,
	/// Where it stands.
	pub phase: RoundPhase,
	/// The seed witnesses sign (a `0x` hex string in JSON).
	pub seed: H256,
	/// A VRF output must be below this to join (a decimal string in JSON).
	#[serde(with = "defaas_primitives::json::string")]
	pub threshold: u128,
	/// First block at which joins are refused.
	pub join_end: BlockNumber,
}

/// A join in a [`WorkerBatch`]: the witness's VRF signature over the round's seed.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct JoinItem {
	/// The lease.
	pub order_id: OrderId,
	/// The round.
	pub round: u32,
	/// The proof that the witness is drawn (it authenticates the item by itself).
	pub vrf_signature: VrfSignature,
	/// The VRF output the signature proves: checked by the authorization, so the dispatch
	/// need not derive it again.
	pub output: u128,
}

/// A commit in a [`WorkerBatch`]: the member's sealed report
/// `blake2_256(SCALE((order_id, round, violated, salt, witness)))`.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct CommitItem {
	/// The lease.
	pub order_id: OrderId,
	/// The round.
	pub round: u32,
	/// The sealed report.
	pub commitment: [u8; 32],
}

/// A reveal in a [`WorkerBatch`]: the report and salt that open the member's commitment.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct RevealItem {
	/// The lease.
	pub order_id: OrderId,
	/// The round.
	pub round: u32,
	/// The report: `true` = violated.
	pub violated: bool,
	/// The salt of the commitment.
	pub salt: [u8; 32],
}

/// What a witness's off-chain worker submits in one transaction: its joins, commits and
/// reveals due in a block, at most [`MAX_WORKER_ITEMS`] of each kind, at most one per kind and
/// round.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct WorkerBatch {
	/// Joins (committee seats won by the VRF).
	pub joins: BoundedVec<JoinItem, MaxWorkerItems>,
	/// Commits (sealed reports).
	pub commits: BoundedVec<CommitItem, MaxWorkerItems>,
	/// Reveals (opened reports).
	pub reveals: BoundedVec<RevealItem, MaxWorkerItems>,
}

impl WorkerBatch {
	/// The number of joins, commits and reveals: the components of the batch's weights.
	pub fn counts(&self) -> (u32, u32, u32) {
		let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
		(count(self.joins.len()), count(self.commits.len()), count(self.reveals.len()))
	}

	/// Whether the batch carries nothing.
	pub fn is_empty(&self) -> bool {
		self.joins.is_empty() && self.commits.is_empty() && self.reveals.is_empty()
	}

	/// Whether some round appears twice among the items of one kind.
	pub fn has_duplicates(&self) -> bool {
		fn repeats(rounds: impl Iterator<Item = (OrderId, u32)>) -> bool {
			let mut seen: Vec<(OrderId, u32)> = rounds.collect();
			let all = seen.len();
			seen.sort_unstable();
			seen.dedup();
			seen.len() != all
		}
		repeats(self.joins.iter().map(|i| (i.order_id, i.round)))
			|| repeats(self.commits.iter().map(|i| (i.order_id, i.round)))
			|| repeats(self.reveals.iter().map(|i| (i.order_id, i.round)))
	}
}

/// The kind of a [`WorkerBatch`] item, in events.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum WorkerItemKind {
	/// A [`JoinItem`].
	Join,
	/// A [`CommitItem`].
	Commit,
	/// A [`RevealItem`].
	Reveal,
}

/// Whether a join's VRF proof is still to be verified.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum JoinProof {
	/// Verify it (`join_committee`, the off-chain worker).
	Verify,
	/// Verified already, with this output: by `worker_batch`'s authorization, which checks
	/// the item's claimed output against the proof — in the pool, and again in the block
	/// execution right before the dispatch.
	Verified(u128),
}
