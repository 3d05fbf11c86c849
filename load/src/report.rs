//! The report: per phase of a scenario what was sent, accepted, included, failed or dropped,
//! inclusion latency, and throughput counted in finalized blocks by their timestamps (the sTPS
//! method); per block the normal class's use. Printed as a table and written as JSON.

use crate::observe::{BlockRecord, Sent};
use serde::Serialize;
use std::time::Duration;

/// One phase: a batch of transactions submitted together.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseReport {
	/// `transfers`, `orders.create`, …
	pub name: String,
	/// Transactions signed and sent.
	pub sent: u64,
	/// Refused by the node (invalid, pool full, banned).
	pub refused: u64,
	/// In a finalized block and dispatched successfully.
	pub included: u64,
	/// In a finalized block but the dispatch failed.
	pub failed: u64,
	/// Accepted by a node, never finalized.
	pub dropped: u64,
	/// First finalized block with one of them, last one.
	pub blocks: Option<(u32, u32)>,
	/// Included (successful) ÷ seconds of chain time from the block before the first to the
	/// last (timestamps of finalized blocks).
	pub per_second: f64,
	/// Submission → first seen in a best block, p50 and p99 (ms).
	pub in_block_ms: (u64, u64),
	/// Submission → finalized, p50 and p99 (ms).
	pub finalized_ms: (u64, u64),
	/// The largest normal-class ref-time share of a block in `blocks`.
	pub peak_ref_time_share: f64,
	/// The largest normal-class proof-size share of a block in `blocks`.
	pub peak_proof_size_share: f64,
	/// Refusal messages, with counts (the first few kinds).
	pub refusals: Vec<(String, u64)>,
}

impl PhaseReport {
	/// Summarises `records` (the phase's transactions) over the finalized `blocks`.
	pub fn new(name: &str, records: &[Sent], blocks: &[BlockRecord]) -> PhaseReport {
		let sent = records.len() as u64;
		let refused = records.iter().filter(|r| r.refused.is_some()).count() as u64;
		let finalized: Vec<&Sent> = records.iter().filter(|r| r.finalized.is_some()).collect();
		let failed = finalized.iter().filter(|r| r.failed).count() as u64;
		let included = finalized.len() as u64 - failed;
		let dropped = sent - refused - finalized.len() as u64;
		let range = finalized.iter().filter_map(|r| r.finalized.map(|(n, _)| n)).fold(
			None,
			|range: Option<(u32, u32)>, n| {
				Some(range.map_or((n, n), |(lo, hi)| (lo.min(n), hi.max(n))))
			},
		);
		let (per_second, peak_ref, peak_proof) = match range {
			Some((first, last)) => {
				let start = blocks
					.iter()
					.find(|b| b.number.saturating_add(1) == first)
					.or_else(|| blocks.iter().find(|b| b.number == first))
					.map(|b| b.timestamp_ms);
				let end = blocks.iter().find(|b| b.number == last).map(|b| b.timestamp_ms);
				let seconds = match (start, end) {
					(Some(start), Some(end)) if end > start => (end - start) as f64 / 1000.0,
					_ => 0.0,
				};
				let within = blocks.iter().filter(|b| b.number >= first && b.number <= last);
				let (mut peak_ref, mut peak_proof) = (0.0f64, 0.0f64);
				for block in within {
					peak_ref = peak_ref.max(block.normal_ref_time_share);
					peak_proof = peak_proof.max(block.normal_proof_size_share);
				}
				let rate = if seconds > 0.0 { included as f64 / seconds } else { 0.0 };
				(rate, peak_ref, peak_proof)
			},
			None => (0.0, 0.0, 0.0),
		};
		let in_block: Vec<Duration> =
			records.iter().filter_map(|r| r.in_block_after_submission()).collect();
		let to_final: Vec<Duration> = records
			.iter()
			.filter_map(|r| r.finalized.map(|(_, at)| at.saturating_duration_since(r.submitted)))
			.collect();
		let mut refusals: Vec<(String, u64)> = Vec::new();
		for why in records.iter().filter_map(|r| r.refused.as_deref()) {
			if let Some((_, count)) = refusals.iter_mut().find(|(text, _)| text == why) {
				*count += 1;
			} else if refusals.len() < 5 {
				refusals.push((why.to_owned(), 1));
			}
		}
		PhaseReport {
			name: name.to_owned(),
			sent,
			refused,
			included,
			failed,
			dropped,
			blocks: range,
			per_second,
			in_block_ms: percentiles(in_block),
			finalized_ms: percentiles(to_final),
			peak_ref_time_share: peak_ref,
			peak_proof_size_share: peak_proof,
			refusals,
		}
	}
}

impl Sent {
	fn in_block_after_submission(&self) -> Option<Duration> {
		self.in_best.map(|at| at.saturating_duration_since(self.submitted))
	}
}

/// p50 and p99 in milliseconds (nearest rank); zeros for no samples.
pub fn percentiles(mut samples: Vec<Duration>) -> (u64, u64) {
	if samples.is_empty() {
		return (0, 0);
	}
	samples.sort();
	let rank = |p: usize| {
		let index = (samples.len() * p).div_ceil(100).saturating_sub(1);
		samples.get(index).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
	};
	(rank(50), rank(99))
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
	/// The nodes the load went to.
	pub urls: Vec<String>,
	/// Connections per node.
	pub connections_per_node: usize,
	/// One entry per phase, in order.
	pub phases: Vec<PhaseReport>,
	/// Market extrinsics per second ÷ transfers per second, when both ran.
	pub market_to_transfer_ratio: Option<f64>,
	/// Scenario results that are not transaction counts (rounds with a verdict, …).
	pub outcomes: Vec<(String, String)>,
	/// The `leases` scenario's monitoring, when it ran.
	pub leases: Option<LeaseLoad>,
	/// Every finalized block seen while the generator ran.
	pub blocks: Vec<BlockRecord>,
}

/// What the monitoring of the `leases` scenario cost the chain: the blocks from the first
/// round's opening to the last round's end, and the verdicts.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaseLoad {
	/// Concurrent leases.
	pub leases: u32,
	/// Witnesses per round.
	pub committee: u32,
	/// Rounds per lease.
	pub rounds: u32,
	/// Billing period in blocks.
	pub period: u32,
	/// Rounds opened, and those that got a verdict.
	pub rounds_opened: u32,
	/// Rounds with a verdict.
	pub rounds_with_verdict: u32,
	/// First and last block of the window.
	pub first_block: u32,
	/// Last block of the window.
	pub last_block: u32,
	/// Mean ref time of all classes per block in the window (picoseconds).
	pub mean_ref_time: u64,
	/// The largest in the window.
	pub max_ref_time: u64,
	/// Reveals in the settled rounds (the witnesses' reports that counted).
	pub reveals: u32,
	/// Seats in the settled rounds.
	pub seats: u32,
	/// Settled rounds in which every member revealed.
	pub fully_revealed: u32,
}

impl LeaseLoad {
	/// Fills in the weight figures from the finalized blocks `first..=last` of `blocks`.
	pub fn measure(mut self, blocks: &[BlockRecord]) -> Self {
		let window: Vec<u64> = blocks
			.iter()
			.filter(|b| (self.first_block..=self.last_block).contains(&b.number))
			.map(|b| b.total_ref_time)
			.collect();
		let count = u64::try_from(window.len()).unwrap_or(u64::MAX).max(1);
		self.mean_ref_time = window.iter().sum::<u64>() / count;
		self.max_ref_time = window.iter().copied().max().unwrap_or(0);
		self
	}
}

impl Report {
	/// The report as a table (one row per phase, then the outcomes).
	pub fn table(&self) -> String {
		let mut out = String::new();
		out.push_str(&format!(
			"{:<26} {:>7} {:>7} {:>7} {:>6} {:>7} {:>13} {:>9} {:>15} {:>15} {:>8} {:>8}\n",
			"phase",
			"sent",
			"refused",
			"incl.",
			"failed",
			"dropped",
			"blocks",
			"per s",
			"in block p50/99",
			"final p50/99",
			"ref max",
			"pov max"
		));
		for p in &self.phases {
			let blocks = p.blocks.map_or_else(|| "-".to_owned(), |(a, b)| format!("#{a}-#{b}"));
			out.push_str(&format!(
				"{:<26} {:>7} {:>7} {:>7} {:>6} {:>7} {:>13} {:>9.1} {:>15} {:>15} {:>7.1}% {:>7.1}%\n",
				p.name,
				p.sent,
				p.refused,
				p.included,
				p.failed,
				p.dropped,
				blocks,
				p.per_second,
				format!("{}/{} ms", p.in_block_ms.0, p.in_block_ms.1),
				format!("{}/{} ms", p.finalized_ms.0, p.finalized_ms.1),
				p.peak_ref_time_share * 100.0,
				p.peak_proof_size_share * 100.0,
			));
			for (why, count) in &p.refusals {
				out.push_str(&format!("    refused ×{count}: {why}\n"));
			}
		}
		if let Some(ratio) = self.market_to_transfer_ratio {
			out.push_str(&format!("market extrinsics/s ÷ transfers/s: {ratio:.3}\n"));
		}
		for (what, value) in &self.outcomes {
			out.push_str(&format!("{what}: {value}\n"));
		}
		out
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::time::Instant;

	fn block(number: u32, timestamp_ms: u64, share: f64) -> BlockRecord {
		BlockRecord {
			number,
			timestamp_ms,
			extrinsics: 0,
			ours: Default::default(),
			normal_ref_time: 0,
			normal_proof_size: 0,
			normal_ref_time_share: share,
			normal_proof_size_share: share / 2.0,
			total_ref_time: u64::from(number) * 1_000,
		}
	}

	#[test]
	fn the_lease_window_is_measured_over_its_blocks() {
		let blocks: Vec<BlockRecord> = (1..=10).map(|n| block(n, 0, 0.0)).collect();
		let load = LeaseLoad {
			leases: 5,
			committee: 3,
			rounds: 1,
			period: 20,
			rounds_opened: 5,
			rounds_with_verdict: 5,
			first_block: 3,
			last_block: 6,
			mean_ref_time: 0,
			max_ref_time: 0,
			reveals: 0,
			seats: 0,
			fully_revealed: 0,
		}
		.measure(&blocks);
		assert_eq!((load.mean_ref_time, load.max_ref_time), (4_500, 6_000));
	}

	#[test]
	fn nearest_rank_percentiles() {
		let ms: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
		assert_eq!(percentiles(ms), (50, 99));
		assert_eq!(percentiles(vec![Duration::from_millis(7)]), (7, 7));
		assert_eq!(percentiles(Vec::new()), (0, 0));
	}

	#[test]
	fn a_phase_counts_by_outcome_and_rates_by_chain_time() {
		let now = Instant::now();
		let sent = |refused: bool, finalized: Option<u32>, failed: bool| Sent {
			kind: "Balances.transfer_keep_alive",
			submitted: now,
			refused: refused.then(|| "pool full".to_owned()),
			in_best: finalized.map(|_| now + Duration::from_millis(1500)),
			finalized: finalized.map(|n| (n, now + Duration::from_secs(9))),
			failed,
			error: failed.then(|| "Market.NotRevealing".to_owned()),
			order_created: None,
		};
		let records = vec![
			sent(false, Some(11), false),
			sent(false, Some(12), false),
			sent(false, Some(12), true),
			sent(true, None, false),
			sent(false, None, false),
		];
		let blocks = vec![block(10, 30_000, 0.1), block(11, 33_000, 0.7), block(12, 36_000, 0.4)];
		let report = PhaseReport::new("transfers", &records, &blocks);
		assert_eq!((report.sent, report.refused, report.included), (5, 1, 2));
		assert_eq!((report.failed, report.dropped), (1, 1));
		assert_eq!(report.blocks, Some((11, 12)));
		// Two successful in the 6 s from block 10's timestamp to block 12's.
		assert!((report.per_second - 2.0 / 6.0).abs() < 1e-9, "{}", report.per_second);
		assert!((report.peak_ref_time_share - 0.7).abs() < 1e-9);
		assert_eq!(report.in_block_ms, (1500, 1500));
		assert_eq!(report.finalized_ms, (9000, 9000));
		assert_eq!(report.refusals, vec![("pool full".to_owned(), 1)]);
	}
}
