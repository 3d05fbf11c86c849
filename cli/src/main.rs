//! `defaas`: the customer-facing command line of the DeFaaS market.

use clap::Parser;
use defaas_cli::{cli::Cli, commands};
use std::process::ExitCode;

fn main() -> ExitCode {
	let cli = Cli::parse();
	let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
		Ok(runtime) => runtime,
		Err(e) => {
			eprintln!("error: cannot start the async runtime: {e}");
			return ExitCode::FAILURE;
		},
	};
	match runtime.block_on(commands::run(cli)) {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("error: {error:#}");
			if error.downcast_ref::<commands::TimedOut>().is_some() {
				ExitCode::from(2)
			} else {
				ExitCode::FAILURE
			}
		},
	}
}
