//! The experiments behind `docs/economics.md`: each a sweep with fixed axes, its CSVs, its
//! figure and the numbers the document quotes (written to `summary.md`).

use crate::{
	plot::{chart, Panel, Series},
	sweep::{self, mean_ci, Point, Run},
	Kind, Outcome, Params, Strategy, Timings, FST,
};
use std::{fmt::Write as _, path::Path};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// How big the experiments are.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
	/// Seeds per point.
	pub seeds: u32,
	/// Worker threads.
	pub jobs: usize,
	/// Blocks per run of the sweeps (20-block billing periods).
	pub blocks: u32,
	/// Days of the supply run (production timings, hour-long periods).
	pub days: u32,
}

fn progress(name: &'static str) -> impl Fn(usize, usize) + Sync {
	move |done, total| {
		if done == total || done % 10 == 0 {
			eprintln!("{name}: {done}/{total} runs");
		}
	}
}

/// Values of `measure` over the runs of each point, grouped by the point's value of `line`
/// (one series each) against its value of `x`.
pub fn series_by(
	points: &[Point],
	runs: &[Run],
	line: &str,
	x: &str,
	name: impl Fn(f64) -> String,
	measure: impl Fn(&Outcome) -> Option<f64>,
) -> Vec<Series> {
	let mut lines: Vec<f64> = points.iter().filter_map(|p| p.axis(line)).collect();
	lines.sort_by(f64::total_cmp);
	lines.dedup();
	lines
		.into_iter()
		.map(|l| {
			// Runs of every point with this line's value and the x value, whatever the values
			// of the other axes (a sweep over more than two axes is pooled over the rest).
			let mut xs: Vec<f64> = points
				.iter()
				.filter(|p| p.axis(line) == Some(l))
				.filter_map(|p| p.axis(x))
				.collect();
			xs.sort_by(f64::total_cmp);
			xs.dedup();
			let mut pts = Vec::new();
			let mut ci = Vec::new();
			for xv in xs {
				let values: Vec<f64> = runs
					.iter()
					.filter(|r| {
						points[r.point].axis(line) == Some(l) && points[r.point].axis(x) == Some(xv)
					})
					.filter_map(|r| measure(&r.outcome))
					.collect();
				if let Some((mean, half)) = mean_ci(&values) {
					pts.push((xv, mean));
					ci.push(half);
				}
			}
			Series::new(name(l), pts, ci)
		})
		.collect()
}

/// A line saying in how many runs an era's mint budget was used up.
fn cap_line(summary: &mut String, runs: &[Run]) {
	let capped = runs.iter().filter(|r| r.outcome.mint_cap_reached()).count();
	let _ = writeln!(summary, "\nmint cap reached in {capped} of {} runs\n", runs.len());
}

/// Detection and false-violation rates against the colluding share, per committee size.
pub fn collusion(out: &Path, scale: Scale, summary: &mut String) -> Result<()> {
	let base = Params {
		blocks: scale.blocks,
		cheating: 2,
		flaky: 0,
		fail_cheating: 0.5,
		fail_honest: 0.1,
		// The cartel's clients pay whatever a cover-up costs.
		bribe_budget: 1_000 * FST,
		..Params::default()
	};
	let shares = vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
	let points = sweep::grid(&base, &[("committee", vec![3.0, 5.0, 7.0]), ("colluding", shares)])?;
	let runs = sweep::run_grid(&points, scale.seeds, 1, scale.jobs, &progress("collusion"));
	sweep::write(out, "collusion", &points, &runs)?;
	let committee = |c: f64| format!("committee of {c}");
	let detection =
		series_by(&points, &runs, "committee", "colluding", committee, |o| o.detection_rate());
	let false_rate = series_by(&points, &runs, "committee", "colluding", committee, |o| {
		o.false_violation_rate()
	});
	chart(
		&out.join("collusion.png"),
		&[
			Panel {
				title: "Violated periods judged Violated".into(),
				x_label: "share of colluding witnesses".into(),
				y_label: "detection rate".into(),
				series: detection.clone(),
			},
			Panel {
				title: "Fine periods judged Violated".into(),
				x_label: "share of colluding witnesses".into(),
				y_label: "false-violation rate".into(),
				series: false_rate.clone(),
			},
		],
	)?;
	let _ = writeln!(summary, "## collusion ({} runs)\n", runs.len());
	cap_line(summary, &runs);
	let _ = writeln!(
		summary,
		"| committee | colluding share | detection | false violations |\n|---|---|---|---|"
	);
	for (d, f) in detection.iter().zip(&false_rate) {
		for ((x, dv), (_, fv)) in d.points.iter().zip(&f.points) {
			let _ = writeln!(summary, "| {} | {x:.1} | {dv:.3} | {fv:.3} |", d.name);
		}
	}
	for d in &detection {
		let defeated = d.points.iter().find(|(_, v)| *v < 0.5).map(|(x, _)| format!("{x:.1}"));
		let _ = writeln!(
			summary,
			"\n{}: detection below 50 % from a colluding share of {}",
			d.name,
			defeated.unwrap_or_else(|| "— (not within the sweep)".into())
		);
	}
	summary.push('\n');
	Ok(())
}

/// Is honest reporting the best response? Witness 0 deviates alone (lazy, silent,
/// always-report) from an honest pool, and its gain is compared with what it gets honest in the
/// same world (same seed: same failures, committees and reports of the others).
pub fn strategies(out: &Path, scale: Scale, summary: &mut String) -> Result<Vec<Run>> {
	let base = Params { blocks: scale.blocks, ..Params::default() };
	let deviants: Vec<f64> = (0..4).map(f64::from).collect();
	let points =
		sweep::grid(&base, &[("fail", vec![0.002, 0.02, 0.1, 0.3, 0.5]), ("deviant", deviants)])?;
	// Every point runs the same seeds: the four strategies of a failure rate are paired runs.
	let runs = sweep::run_grid(&points, scale.seeds, 2_000, scale.jobs, &progress("strategies"));
	sweep::write(out, "strategies", &points, &runs)?;
	let gain = |o: &Outcome| o.witnesses.first().map(|w| w.net_gain as f64 / FST as f64);
	let name = |d: f64| Strategy::ALL.get(d as usize).map_or("?", |s| s.name()).to_string();
	let series = series_by(&points, &runs, "deviant", "fail", name, gain);
	chart(
		&out.join("strategies.png"),
		&[Panel {
			title: "One witness's gain over a run, by its strategy (the others honest)".into(),
			x_label: "share of periods the providers fail".into(),
			y_label: "FST (net of probe cost)".into(),
			series: series.clone(),
		}],
	)?;
	let _ = writeln!(summary, "## strategies ({} runs, paired by seed)\n", runs.len());
	cap_line(summary, &runs);
	let _ = writeln!(
		summary,
		"| failure rate | {} |\n|---|---|---|---|---|",
		series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" | ")
	);
	let rates: Vec<f64> =
		series.first().map(|s| s.points.iter().map(|p| p.0).collect()).unwrap_or_default();
	for (j, rate) in rates.iter().enumerate() {
		let cells: Vec<String> = series
			.iter()
			.map(|s| s.points.get(j).map(|v| format!("{:.2}", v.1)).unwrap_or_default())
			.collect();
		let _ = writeln!(summary, "| {rate} | {} |", cells.join(" | "));
	}
	// Paired: in how many worlds did each deviation pay less than honesty (by failure rate)?
	for d in 1..4usize {
		let (mut worse, mut total) = (0, 0);
		let mut by_rate = Vec::new();
		for (i, p) in points.iter().enumerate() {
			if p.axis("deviant") != Some(d as f64) {
				continue;
			}
			let (worse_before, total_before) = (worse, total);
			let honest = points
				.iter()
				.position(|q| q.axis("fail") == p.axis("fail") && q.axis("deviant") == Some(0.0));
			for run in runs.iter().filter(|r| r.point == i) {
				let Some(h) =
					honest.and_then(|h| runs.iter().find(|r| r.point == h && r.seed == run.seed))
				else {
					continue;
				};
				total += 1;
				if gain(&run.outcome) < gain(&h.outcome) {
					worse += 1;
				}
			}
			by_rate.push(format!(
				"{}: {}/{}",
				p.axis("fail").unwrap_or_default(),
				worse - worse_before,
				total - total_before
			));
		}
		let _ = writeln!(
			summary,
			"\n{}: paid less than honesty in {worse} of {total} paired worlds (by failure rate: {})",
			Strategy::ALL[d].name(),
			by_rate.join(", ")
		);
	}
	summary.push('\n');
	Ok(runs)
}

/// A cheating provider's bribes: flipped periods and its gain against its bribe budget.
pub fn bribes(out: &Path, scale: Scale, summary: &mut String) -> Result<()> {
	let base = Params {
		blocks: scale.blocks,
		cheating: 2,
		flaky: 0,
		fail_cheating: 0.6,
		colluding: 0.6,
		..Params::default()
	};
	// In multiples of a member's reservation price (9 units): 0 to 6 members bought.
	let reservation = base.reservation as f64 / FST as f64;
	let budgets = [0.0, 1.0, 2.0, 3.0, 4.0, 6.0].map(|m| m * reservation).to_vec();
	let points =
		sweep::grid(&base, &[("committee", vec![3.0, 5.0, 7.0]), ("bribe_budget", budgets)])?;
	let runs = sweep::run_grid(&points, scale.seeds, 3, scale.jobs, &progress("bribes"));
	sweep::write(out, "bribes", &points, &runs)?;
	let committee = |c: f64| format!("committee of {c}");
	let flipped = series_by(&points, &runs, "committee", "bribe_budget", committee, |o| {
		let violated: Vec<_> = o
			.rounds
			.iter()
			.filter(|r| r.violated && r.provider_kind == Kind::Cheating && r.verdict.is_some())
			.collect();
		let flipped = violated.iter().filter(|r| r.verdict == Some(false)).count();
		(!violated.is_empty()).then(|| flipped as f64 / violated.len() as f64)
	});
	let gain =
		series_by(&points, &runs, "committee", "bribe_budget", committee, cheater_gain_per_period);
	// What a violated period costs the provider: its price (not paid) and the slash.
	let slash = <defaas_runtime::Runtime as pallet_market::Config>::ViolationSlash::get() as f64
		/ FST as f64;
	chart(
		&out.join("bribes.png"),
		&[
			Panel {
				title: "Cheater's violated periods judged clean".into(),
				x_label: "bribe budget per period (FST)".into(),
				y_label: "share of violated periods".into(),
				series: flipped.clone(),
			},
			Panel {
				title: "Cheating provider's net gain".into(),
				x_label: "bribe budget per period (FST)".into(),
				y_label: "FST per period served".into(),
				series: gain.clone(),
			},
		],
	)?;
	let _ = writeln!(
		summary,
		"## bribes ({} runs; slash {slash} FST per violated period)\n",
		runs.len()
	);
	cap_line(summary, &runs);
	let _ = writeln!(
		summary,
		"| committee | budget | flipped | cheater's gain per period |\n|---|---|---|---|"
	);
	for (f, g) in flipped.iter().zip(&gain) {
		for ((x, fv), (_, gv)) in f.points.iter().zip(&g.points) {
			let _ = writeln!(summary, "| {} | {x:.0} | {fv:.3} | {gv:.3} |", f.name);
		}
	}
	summary.push('\n');
	Ok(())
}

/// The cheating providers' FST gain per period served, net of their costs.
fn cheater_gain_per_period(o: &Outcome) -> Option<f64> {
	let (gain, periods) =
		o.providers.iter().filter(|p| p.kind == Kind::Cheating).fold((0i128, 0u32), |(g, n), p| {
			(g + p.chain_gain - p.costs as i128, n + p.periods.values().sum::<u32>())
		});
	(periods > 0).then(|| gain as f64 / f64::from(periods) / FST as f64)
}

/// Provider earnings per level (from the strategy runs).
pub fn earnings(out: &Path, runs: &[Run], summary: &mut String) -> Result<()> {
	let mut series = Vec::new();
	let _ = writeln!(summary, "## provider earnings per level\n\n| kind | level | FST paid per period served |\n|---|---|---|");
	for kind in [Kind::Honest, Kind::Flaky, Kind::Cheating] {
		let mut pts = Vec::new();
		let mut ci = Vec::new();
		for level in 0..4u32 {
			let values: Vec<f64> = runs
				.iter()
				.flat_map(|r| r.outcome.providers.iter())
				.filter(|p| p.kind == kind)
				.filter_map(|p| {
					let periods = *p.periods.get(&level)?;
					(periods > 0).then(|| {
						*p.earned.get(&level).unwrap_or(&0) as f64 / f64::from(periods) / FST as f64
					})
				})
				.collect();
			if let Some((m, h)) = mean_ci(&values) {
				pts.push((f64::from(level), m));
				ci.push(h);
				let _ = writeln!(summary, "| {kind:?} | {level} | {m:.3} |");
			}
		}
		series.push(Series::new(format!("{kind:?}").to_lowercase(), pts, ci));
	}
	summary.push('\n');
	chart(
		&out.join("earnings.png"),
		&[Panel {
			title: "Provider earnings per level".into(),
			x_label: "level".into(),
			y_label: "FST paid per period served".into(),
			series,
		}],
	)?;
	Ok(())
}

/// One point of the supply curve: cumulative totals since genesis at the end of an era (FST).
struct Day {
	era: f64,
	supply: f64,
	minted: f64,
	burned: f64,
	budget: f64,
	staked: f64,
}

/// FST supply over `days` simulated days of the production timings.
pub fn supply(out: &Path, scale: Scale, summary: &mut String) -> Result<()> {
	let day = defaas_runtime::DAYS;
	let params = Params {
		timings: Timings::Production,
		skip_idle: true,
		inflation: defaas_runtime::genesis_config_presets::DEV_YEARLY_INFLATION,
		blocks: scale.days * day,
		periods: 24 * 7,
		fail_honest: 0.02,
		fail_flaky: 0.2,
		fail_cheating: 0.5,
		lazy: 0.1,
		always_report: 0.05,
		..Params::default()
	};
	let start = std::time::Instant::now();
	let outcome = crate::simulate(&params, 4);
	eprintln!("supply: {} days in {:?}", scale.days, start.elapsed());
	let mut csv = String::from(
		"era,block,issuance_fst,minted_fst,burned_fst,slashed_fst,budget_fst,staked_fst\n",
	);
	let f = |v: u128| v as f64 / FST as f64;
	let (mut minted, mut burned, mut slashed, mut budget) = (0.0, 0.0, 0.0, 0.0);
	let mut cumulative = Vec::new();
	for e in &outcome.eras {
		minted += f(e.minted);
		burned += f(e.burned);
		slashed += f(e.slashed);
		budget += f(e.budget);
		let _ = writeln!(
			csv,
			"{},{},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
			e.era,
			e.block,
			f(e.issuance),
			f(e.minted),
			f(e.burned),
			f(e.slashed),
			f(e.budget),
			f(e.staked)
		);
		cumulative.push(Day {
			era: f64::from(e.era),
			supply: f(e.issuance) - f(outcome.genesis_issuance),
			minted,
			burned,
			budget,
			staked: f(e.staked),
		});
	}
	std::fs::write(out.join("supply.csv"), csv)?;
	let line = |name: &str, pick: fn(&Day) -> f64| {
		Series::new(name, cumulative.iter().map(|c| (c.era, pick(c))).collect(), Vec::new())
	};
	chart(
		&out.join("supply.png"),
		&[
			Panel {
				title: "FST since genesis".into(),
				x_label: "day (era)".into(),
				y_label: "FST".into(),
				series: vec![
					line("supply change", |c| c.supply),
					line("minted", |c| c.minted),
					line("burned", |c| c.burned),
					Series::reference(
						"minting cap (sum of era budgets)",
						cumulative.iter().map(|c| (c.era, c.budget)).collect(),
					),
				],
			},
			Panel {
				title: "FST staked".into(),
				x_label: "day (era)".into(),
				y_label: "FST held as stake".into(),
				series: vec![line("witness and provider stake", |c| c.staked)],
			},
		],
	)?;
	let genesis = f(outcome.genesis_issuance);
	let _ = writeln!(
		summary,
		"## supply ({} days, production timings, {} rounds)\n\ngenesis {genesis:.0} FST; end {:.0} FST ({:+.4} %); minted {minted:.1}, burned {burned:.1}, slashed {slashed:.1}, sum of era budgets {budget:.1} FST\n",
		scale.days,
		outcome.rounds.len(),
		f(outcome.final_issuance),
		(f(outcome.final_issuance) - genesis) / genesis * 100.0,
	);
	Ok(())
}
