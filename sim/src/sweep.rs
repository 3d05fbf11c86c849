//! Monte Carlo sweeps: a grid of parameter points, `seeds` seeded runs per point, spread over
//! worker threads (each run is its own chain in its own `TestExternalities`), one CSV per run
//! and one summary CSV per sweep.

use crate::{Outcome, Params, Strategy, FST};
use std::{
	fmt::Write as _,
	path::Path,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Mutex,
	},
};

/// One point of a grid: its parameters and the values of the swept axes (for the CSV).
#[derive(Clone, Debug)]
pub struct Point {
	pub params: Params,
	pub axes: Vec<(&'static str, f64)>,
}

impl Point {
	/// The value of axis `name` at this point.
	pub fn axis(&self, name: &str) -> Option<f64> {
		self.axes.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
	}
}

/// A parameter the grid can vary, by its CLI / CSV name.
pub const AXES: [&str; 21] = [
	"production",
	"deviant",
	"skip_idle",
	"periods",
	"customers",
	"providers",
	"committee",
	"witnesses",
	"lazy",
	"silent",
	"always_report",
	"colluding",
	"fail",
	"fail_honest",
	"fail_flaky",
	"fail_cheating",
	"witness_stake",
	"inflation",
	"bribe_budget",
	"cheating",
	"blocks",
];

/// Set axis `name` of `params` to `value` (FST for amounts, a fraction for shares and the
/// inflation cap).
pub fn set_axis(params: &mut Params, name: &str, value: f64) -> Result<(), String> {
	let fst = |v: f64| (v * FST as f64) as u128;
	match name {
		"production" => {
			params.timings =
				if value != 0.0 { crate::Timings::Production } else { crate::Timings::Dev }
		},
		"skip_idle" => params.skip_idle = value != 0.0,
		"deviant" => {
			params.deviant = Some(*Strategy::ALL.get(value as usize).ok_or_else(|| {
				format!("deviant: a strategy index below {}", Strategy::ALL.len())
			})?)
		},
		"periods" => params.periods = value as u32,
		"customers" => params.customers = value as u32,
		"providers" => params.providers = value as u32,
		"committee" => params.committee = value as u32,
		"witnesses" => params.witnesses = value as u32,
		"lazy" => params.lazy = value,
		"silent" => params.silent = value,
		"always_report" => params.always_report = value,
		"colluding" => params.colluding = value,
		"fail" => {
			params.fail_honest = value;
			params.fail_flaky = value;
			params.fail_cheating = value;
		},
		"fail_honest" => params.fail_honest = value,
		"fail_flaky" => params.fail_flaky = value,
		"fail_cheating" => params.fail_cheating = value,
		"witness_stake" => params.witness_stake = fst(value),
		"inflation" => params.inflation = sp_runtime::Perbill::from_float(value),
		"bribe_budget" => params.bribe_budget = fst(value),
		"cheating" => params.cheating = value as u32,
		"blocks" => params.blocks = value as u32,
		other => return Err(format!("unknown parameter {other:?} (known: {})", AXES.join(", "))),
	}
	Ok(())
}

/// The cartesian product of `axes` (each a name and its values) over `base`.
pub fn grid(base: &Params, axes: &[(&'static str, Vec<f64>)]) -> Result<Vec<Point>, String> {
	let mut points = vec![Point { params: base.clone(), axes: Vec::new() }];
	for (name, values) in axes {
		let mut next = Vec::new();
		for point in &points {
			for value in values {
				let mut p = point.clone();
				set_axis(&mut p.params, name, *value)?;
				p.axes.push((name, *value));
				next.push(p);
			}
		}
		points = next;
	}
	Ok(points)
}

/// One finished run.
pub struct Run {
	pub point: usize,
	pub seed: u64,
	pub outcome: Outcome,
}

/// Run every point with seeds `base_seed + i` for `i` in `0..seeds` on `jobs` threads;
/// `progress` is called after each run. Results in point and seed order. Every point runs the
/// same seeds: the simulation's draws are keyed by decision, so runs of two points with one
/// seed share their random numbers (common random numbers), and the difference between the
/// points is the parameters', not the dice's.
pub fn run_grid(
	points: &[Point],
	seeds: u32,
	base_seed: u64,
	jobs: usize,
	progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<Run> {
	let tasks: Vec<(usize, u64)> = (0..points.len())
		.flat_map(|p| (0..seeds).map(move |i| (p, base_seed + u64::from(i))))
		.collect();
	let next = AtomicUsize::new(0);
	let done = AtomicUsize::new(0);
	let results = Mutex::new(Vec::with_capacity(tasks.len()));
	std::thread::scope(|scope| {
		for _ in 0..jobs.max(1) {
			scope.spawn(|| loop {
				let i = next.fetch_add(1, Ordering::SeqCst);
				let Some(&(point, seed)) = tasks.get(i) else { break };
				let outcome = crate::simulate(&points[point].params, seed);
				results.lock().expect("no panic while held").push(Run { point, seed, outcome });
				progress(done.fetch_add(1, Ordering::SeqCst) + 1, tasks.len());
			});
		}
	});
	let mut runs = results.into_inner().expect("no panic while held");
	runs.sort_by_key(|r| (r.point, r.seed));
	runs
}

fn opt(v: Option<f64>) -> String {
	v.map(|v| format!("{v:.6}")).unwrap_or_default()
}

/// The summary CSV: one row per run with the swept axes and the run's measures.
pub fn summary_csv(points: &[Point], runs: &[Run]) -> String {
	let axes: Vec<&str> =
		points.first().map(|p| p.axes.iter().map(|(n, _)| *n).collect()).unwrap_or_default();
	let mut csv = String::new();
	let mut header: Vec<String> = vec!["point".into(), "seed".into()];
	header.extend(axes.iter().map(|a| a.to_string()));
	header.extend(
		[
			"rounds",
			"violated_periods",
			"detection_rate",
			"false_violation_rate",
			"no_verdict_rate",
			"flipped_by_bribes",
			"bribes_fst",
		]
		.map(String::from),
	);
	header.extend(
		Strategy::ALL.iter().map(|s| format!("gain_per_seat_{}", s.name().replace('-', "_"))),
	);
	header.extend(
		["minted_fst", "burned_fst", "slashed_fst", "issuance_change_fst", "mint_cap_reached"]
			.map(String::from),
	);
	let _ = writeln!(csv, "{}", header.join(","));
	for run in runs {
		let o = &run.outcome;
		let mut row: Vec<String> = vec![run.point.to_string(), run.seed.to_string()];
		row.extend(points[run.point].axes.iter().map(|(_, v)| format!("{v}")));
		let violated = o.rounds.iter().filter(|r| r.violated).count();
		let flipped = o
			.rounds
			.iter()
			.filter(|r| r.violated && r.bribes > 0 && r.verdict == Some(false))
			.count();
		let bribes: u128 = o.rounds.iter().map(|r| r.bribes).sum();
		row.extend([
			o.rounds.len().to_string(),
			violated.to_string(),
			opt(o.detection_rate()),
			opt(o.false_violation_rate()),
			opt(o.no_verdict_rate()),
			flipped.to_string(),
			fst(bribes as i128),
		]);
		row.extend(Strategy::ALL.iter().map(|s| opt(o.gain_per_seat(*s))));
		let (minted, burned, slashed) = o
			.eras
			.iter()
			.fold((0, 0, 0), |(m, b, s), e| (m + e.minted, b + e.burned, s + e.slashed));
		row.extend([
			fst(minted as i128),
			fst(burned as i128),
			fst(slashed as i128),
			fst(o.final_issuance as i128 - o.genesis_issuance as i128),
			o.mint_cap_reached().to_string(),
		]);
		let _ = writeln!(csv, "{}", row.join(","));
	}
	csv
}

/// FST with six decimals.
pub fn fst(plancks: i128) -> String {
	format!("{:.6}", plancks as f64 / FST as f64)
}

/// One run's CSV: a row per round (the period's truth, the committee, the verdict, bribes).
pub fn rounds_csv(outcome: &Outcome) -> String {
	let mut csv = String::from(
		"order_id,round,level,provider_kind,violated,members,colluding_members,verdict,bribes_fst\n",
	);
	for r in &outcome.rounds {
		let verdict = match r.verdict {
			Some(true) => "violated",
			Some(false) => "no_violation",
			None => "none",
		};
		let _ = writeln!(
			csv,
			"{},{},{},{:?},{},{},{},{},{}",
			r.order_id,
			r.round,
			r.level,
			r.provider_kind,
			r.violated,
			r.members,
			r.colluding_members,
			verdict,
			fst(r.bribes as i128)
		);
	}
	csv
}

/// Write the summary and every run's CSV under `dir` (`<name>.csv`, `<name>-runs/…`).
pub fn write(dir: &Path, name: &str, points: &[Point], runs: &[Run]) -> std::io::Result<()> {
	std::fs::create_dir_all(dir.join(format!("{name}-runs")))?;
	std::fs::write(dir.join(format!("{name}.csv")), summary_csv(points, runs))?;
	for run in runs {
		std::fs::write(
			dir.join(format!("{name}-runs"))
				.join(format!("point{}-seed{}.csv", run.point, run.seed)),
			rounds_csv(&run.outcome),
		)?;
	}
	Ok(())
}

/// Mean and 95 % half-width (normal approximation) of `values`.
pub fn mean_ci(values: &[f64]) -> Option<(f64, f64)> {
	if values.is_empty() {
		return None;
	}
	let n = values.len() as f64;
	let mean = values.iter().sum::<f64>() / n;
	if values.len() < 2 {
		return Some((mean, 0.0));
	}
	let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
	Some((mean, 1.96 * (var / n).sqrt()))
}
