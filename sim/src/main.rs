//! `defaas-sim`: the economic simulation on the real runtime (see the library's documentation
//! and docs/economics.md).
//!
//! ```text
//! defaas-sim run   [--set NAME=VALUE]... [--seed S] [--out DIR]
//! defaas-sim sweep --grid NAME=V1,V2,... [--grid ...] [--seeds K] [--jobs J] [--out DIR]
//! defaas-sim report [--seeds K] [--jobs J] [--days D] [--out DIR]
//! ```

use clap::{Parser, Subcommand};
use defaas_sim::{
	plot::{chart, Panel, Series},
	report, sweep, Params, Strategy,
};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
	name = "defaas-sim",
	about = "Agent-based economic simulation of DeFaaS on the real runtime"
)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// One simulation: prints its measures, writes its rounds as CSV.
	Run {
		/// A parameter and its value (FST for amounts, fractions for shares), e.g.
		/// `--set colluding=0.3`; see `sweep --help` for the names.
		#[arg(long = "set", value_name = "NAME=VALUE")]
		set: Vec<String>,
		#[arg(long, default_value_t = 1)]
		seed: u64,
		#[arg(long, default_value = "target/sim")]
		out: PathBuf,
	},
	/// A Monte Carlo sweep over the cartesian product of the given parameter values.
	Sweep {
		/// A parameter and its values, e.g. `--grid committee=3,5,7`. Parameters: committee,
		/// witnesses, lazy, silent, always_report, colluding, fail (every provider), fail_honest,
		/// fail_flaky, fail_cheating, witness_stake, inflation, bribe_budget, cheating, blocks.
		#[arg(long = "grid", value_name = "NAME=V1,V2,...", required = true)]
		grid: Vec<String>,
		/// Fixed parameters, as in `run`.
		#[arg(long = "set", value_name = "NAME=VALUE")]
		set: Vec<String>,
		/// Seeded runs per point.
		#[arg(long, default_value_t = 4)]
		seeds: u32,
		/// Worker threads (default: one per core).
		#[arg(long)]
		jobs: Option<usize>,
		#[arg(long, default_value = "target/sim")]
		out: PathBuf,
		/// Name of the sweep's files.
		#[arg(long, default_value = "sweep")]
		name: String,
	},
	/// The experiments of docs/economics.md: CSVs, figures and `summary.md` with the numbers.
	Report {
		#[arg(long, default_value_t = 6)]
		seeds: u32,
		#[arg(long)]
		jobs: Option<usize>,
		/// Blocks per sweep run (20-block billing periods).
		#[arg(long, default_value_t = 600)]
		blocks: u32,
		/// Simulated days of the supply run (production timings).
		#[arg(long, default_value_t = 365)]
		days: u32,
		#[arg(long, default_value = "target/sim/report")]
		out: PathBuf,
		/// Run only these experiments (collusion, strategies, bribes, supply); default: all.
		#[arg(long, value_delimiter = ',')]
		only: Vec<String>,
	},
}

fn parse_set(params: &mut Params, set: &[String]) -> anyhow::Result<()> {
	for item in set {
		let (name, value) =
			item.split_once('=').ok_or_else(|| anyhow::anyhow!("expected NAME=VALUE: {item}"))?;
		let value: f64 = value.parse()?;
		sweep::set_axis(params, name, value).map_err(anyhow::Error::msg)?;
	}
	Ok(())
}

fn jobs(jobs: Option<usize>) -> usize {
	jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

fn main() -> anyhow::Result<()> {
	match Cli::parse().command {
		Command::Run { set, seed, out } => {
			let mut params = Params::default();
			parse_set(&mut params, &set)?;
			let start = std::time::Instant::now();
			let outcome = defaas_sim::simulate(&params, seed);
			std::fs::create_dir_all(&out)?;
			let path = out.join(format!("run-seed{seed}.csv"));
			std::fs::write(&path, sweep::rounds_csv(&outcome))?;
			println!(
				"{} blocks, {} rounds in {:.1} s: detection {:?}, false violations {:?}, no verdict {:?}",
				outcome.blocks,
				outcome.rounds.len(),
				start.elapsed().as_secs_f64(),
				outcome.detection_rate(),
				outcome.false_violation_rate(),
				outcome.no_verdict_rate()
			);
			for s in Strategy::ALL {
				if let Some(g) = outcome.gain_per_seat(s) {
					println!("{:>14}: {g:+.3} FST per seat", s.name());
				}
			}
			for (i, w) in outcome.witnesses.iter().enumerate() {
				println!(
					"witness {i:>3} {:>14}: {:>3} seats, {:+.3} FST on chain, reputation {}{}",
					w.strategy.name(),
					w.seats,
					w.chain_gain as f64 / defaas_sim::FST as f64,
					w.reputation,
					if w.suspended { " (suspended)" } else { "" }
				);
			}
			println!("rounds: {}", path.display());
		},
		Command::Sweep { grid, set, seeds, jobs: j, out, name } => {
			let mut base = Params::default();
			parse_set(&mut base, &set)?;
			let mut axes = Vec::new();
			for item in &grid {
				let (axis, values) = item
					.split_once('=')
					.ok_or_else(|| anyhow::anyhow!("expected NAME=V1,V2: {item}"))?;
				let axis = *sweep::AXES
					.iter()
					.find(|a| **a == axis)
					.ok_or_else(|| anyhow::anyhow!("unknown parameter {axis}"))?;
				let values = values.split(',').map(str::parse).collect::<Result<Vec<f64>, _>>()?;
				axes.push((axis, values));
			}
			let points = sweep::grid(&base, &axes).map_err(anyhow::Error::msg)?;
			let start = std::time::Instant::now();
			let runs = sweep::run_grid(&points, seeds, 1, jobs(j), &|done, total| {
				if done % 10 == 0 || done == total {
					eprintln!("{done}/{total} runs");
				}
			});
			sweep::write(&out, &name, &points, &runs)?;
			println!(
				"{} runs in {:.1} s: {}",
				runs.len(),
				start.elapsed().as_secs_f64(),
				out.join(format!("{name}.csv")).display()
			);
			// The first axis against the detection rate, one line per value of the second.
			if let [(x, _), (line, _), ..] = axes.as_slice() {
				let series: Vec<Series> = report::series_by(
					&points,
					&runs,
					line,
					x,
					|v| format!("{line} = {v}"),
					|o| o.detection_rate(),
				);
				let plot = out.join(format!("{name}.png"));
				chart(
					&plot,
					&[Panel {
						title: "Violated periods judged Violated".into(),
						x_label: x.to_string(),
						y_label: "detection rate".into(),
						series,
					}],
				)
				.map_err(|e| anyhow::anyhow!("{e}"))?;
				println!("figure: {}", plot.display());
			}
		},
		Command::Report { seeds, jobs: j, blocks, days, out, only } => {
			let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
			std::fs::create_dir_all(&out)?;
			let scale = report::Scale { seeds, jobs: jobs(j), blocks, days };
			let start = std::time::Instant::now();
			let mut summary = String::from("# defaas-sim report\n\n");
			let e = |e: Box<dyn std::error::Error>| anyhow::anyhow!("{e}");
			if wanted("collusion") {
				report::collusion(&out, scale, &mut summary).map_err(e)?;
			}
			if wanted("strategies") {
				let runs = report::strategies(&out, scale, &mut summary).map_err(e)?;
				report::earnings(&out, &runs, &mut summary).map_err(e)?;
			}
			if wanted("bribes") {
				report::bribes(&out, scale, &mut summary).map_err(e)?;
			}
			if days > 0 && wanted("supply") {
				report::supply(&out, scale, &mut summary).map_err(e)?;
			}
			std::fs::write(out.join("summary.md"), &summary)?;
			println!("{summary}");
			println!("report in {:.1} s: {}", start.elapsed().as_secs_f64(), out.display());
		},
	}
	Ok(())
}
