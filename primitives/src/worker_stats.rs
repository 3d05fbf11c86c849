//! What the witness pool's off-chain worker records about its own runs, in the node's
//! persistent off-chain storage under [`WORKER_STATS_KEY`] (SCALE-encoded [`WorkerStats`]).
//! Operators and the load generator read it with the `offchain_localStorageGet` RPC
//! (`PERSISTENT`, an unsafe method); two readings give the worker's time per block over a run.

use codec::{Decode, Encode};

/// The persistent off-chain storage key of [`WorkerStats`].
pub const WORKER_STATS_KEY: &[u8] = b"defaas/witness-pool/worker-stats";

/// Running totals of the witness worker's runs on one node (runs that overlap a concurrent
/// run's update of the record are not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct WorkerStats {
	/// Runs recorded (one per imported block that had local witness keys).
	pub runs: u64,
	/// Their total duration in milliseconds (the off-chain timestamp's resolution).
	pub total_ms: u64,
	/// The longest run, in milliseconds, and the block it ran for.
	pub max_ms: u64,
	/// The block of the longest run.
	pub max_block: u32,
	/// The block of the last run recorded.
	pub last_block: u32,
	/// Rounds looked at, summed over the runs.
	pub rounds: u64,
	/// VRF evaluations with `wtns` keys: an output per key and round it was not yet drawn or
	/// passed over in, a signature per draw, a pre-output per probe-schedule look-up.
	pub vrf_evaluations: u64,
	/// Probes made.
	pub probes: u64,
	/// Probes and round joins a run left to later runs when its time budget ran out.
	pub deferred: u64,
}

/// The work of one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunRecord {
	/// Rounds looked at.
	pub rounds: u64,
	/// VRF evaluations.
	pub vrf_evaluations: u64,
	/// Probes made.
	pub probes: u64,
	/// Probes and joins deferred.
	pub deferred: u64,
}

impl WorkerStats {
	/// Adds one run of `ms` milliseconds for `block` that did `work`.
	pub fn record(&mut self, block: u32, ms: u64, work: &RunRecord) {
		self.runs = self.runs.saturating_add(1);
		self.total_ms = self.total_ms.saturating_add(ms);
		if ms >= self.max_ms {
			self.max_ms = ms;
			self.max_block = block;
		}
		self.last_block = block;
		self.rounds = self.rounds.saturating_add(work.rounds);
		self.vrf_evaluations = self.vrf_evaluations.saturating_add(work.vrf_evaluations);
		self.probes = self.probes.saturating_add(work.probes);
		self.deferred = self.deferred.saturating_add(work.deferred);
	}

	/// What happened between `earlier` and `self` (two readings of one node's record).
	pub fn since(&self, earlier: &WorkerStats) -> WorkerStats {
		WorkerStats {
			runs: self.runs.saturating_sub(earlier.runs),
			total_ms: self.total_ms.saturating_sub(earlier.total_ms),
			max_ms: self.max_ms,
			max_block: self.max_block,
			last_block: self.last_block,
			rounds: self.rounds.saturating_sub(earlier.rounds),
			vrf_evaluations: self.vrf_evaluations.saturating_sub(earlier.vrf_evaluations),
			probes: self.probes.saturating_sub(earlier.probes),
			deferred: self.deferred.saturating_sub(earlier.deferred),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn records_and_differences() {
		let mut stats = WorkerStats::default();
		let work = |rounds, vrf_evaluations, probes, deferred| RunRecord {
			rounds,
			vrf_evaluations,
			probes,
			deferred,
		};
		stats.record(10, 40, &work(3, 9, 1, 0));
		let first = stats;
		stats.record(11, 25, &work(3, 0, 2, 5));
		stats.record(12, 70, &work(4, 2, 0, 1));
		assert_eq!(stats.runs, 3);
		assert_eq!((stats.max_ms, stats.max_block, stats.last_block), (70, 12, 12));
		let delta = stats.since(&first);
		assert_eq!(
			(delta.runs, delta.total_ms, delta.rounds, delta.vrf_evaluations),
			(2, 95, 7, 2)
		);
		assert_eq!((delta.probes, delta.deferred), (2, 6));
		assert_eq!(WorkerStats::decode(&mut &stats.encode()[..]).unwrap(), stats);
	}
}
