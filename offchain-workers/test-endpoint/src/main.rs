//! `defaas-test-endpoint --port P [--mode healthy|fail|timeout|wrong]`: runs the test endpoint in
//! its own process, for multi-process tests (zombienet, the provider and witness end-to-end
//! tests).
//!
//! Prints `listening on http://127.0.0.1:PORT` on stdout once it accepts connections (with
//! `--port 0` this tells the chosen port), then serves until killed. The mode can be changed at
//! run time with `PUT /_control/mode`.

use defaas_test_endpoint::{Mode, TestEndpoint};
use std::{io::Write, process::ExitCode};

const USAGE: &str = "usage: defaas-test-endpoint --port PORT [--mode healthy|fail|timeout|wrong]";

/// The command line: port and mode.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(u16, Mode), String> {
	let (mut port, mut mode) = (None, Mode::Healthy);
	while let Some(arg) = args.next() {
		let (flag, inline) = match arg.split_once('=') {
			Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
			None => (arg, None),
		};
		let mut value =
			|| inline.clone().or_else(|| args.next()).ok_or(format!("{flag} needs a value"));
		match flag.as_str() {
			"--port" | "-p" => {
				let value = value()?;
				port = Some(value.parse().map_err(|_| format!("bad port `{value}`"))?);
			},
			"--mode" | "-m" => mode = value()?.parse()?,
			"--help" | "-h" => return Err(String::new()),
			other => return Err(format!("unknown argument `{other}`")),
		}
	}
	Ok((port.ok_or("--port is required")?, mode))
}

fn main() -> ExitCode {
	let (port, mode) = match parse_args(std::env::args().skip(1)) {
		Ok(parsed) => parsed,
		Err(error) => {
			if !error.is_empty() {
				eprintln!("error: {error}");
			}
			eprintln!("{USAGE}");
			return ExitCode::from(2);
		},
	};
	let endpoint = match TestEndpoint::start_on(port, mode) {
		Ok(endpoint) => endpoint,
		Err(error) => {
			eprintln!("error: cannot listen on 127.0.0.1:{port}: {error}");
			return ExitCode::FAILURE;
		},
	};
	println!("listening on {} (mode {mode})", endpoint.url());
	let _ = std::io::stdout().flush();
	endpoint.wait();
	ExitCode::SUCCESS
}
