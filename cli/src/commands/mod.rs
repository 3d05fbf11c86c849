//! What each command does; [`run`] dispatches the parsed arguments.

mod function;
mod market;
mod order;

use crate::cli::{
	AssetCommand, Cli, Command, LevelCommand, OrderCommand, ProviderCommand, WitnessCommand,
};
use anyhow::Result;
use defaas_client::Chain;
use serde::Serialize;

/// Refuses a package over a level's package limit (`package_mb` MiB) before anything is spent:
/// the chain would take the order and the provider would answer the upload with 413.
fn ensure_package_fits(level: u32, package_mb: u32, package_len: usize) -> Result<()> {
	let limit = u64::from(package_mb).saturating_mul(1024 * 1024);
	anyhow::ensure!(
		u64::try_from(package_len).unwrap_or(u64::MAX) <= limit,
		"the package is {package_len} bytes, more than level {level}'s {package_mb} MB package limit"
	);
	Ok(())
}

/// Returned (inside `anyhow`) when a command gave up waiting: exit status 2 instead of 1.
#[derive(Debug)]
pub struct TimedOut(pub String);

impl std::fmt::Display for TimedOut {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.0)
	}
}

impl std::error::Error for TimedOut {}

/// Where results go: tables and sentences, or JSON (`--json`).
#[derive(Clone, Copy, Debug)]
pub struct Output {
	/// Print JSON.
	pub json: bool,
}

impl Output {
	/// Prints `value` as pretty JSON on stdout.
	pub fn json<T: Serialize>(&self, value: &T) -> Result<()> {
		println!("{}", serde_json::to_string_pretty(value)?);
		Ok(())
	}

	/// Prints one compact JSON line on stdout (`--follow` events).
	pub fn json_line<T: Serialize>(&self, value: &T) -> Result<()> {
		println!("{}", serde_json::to_string(value)?);
		Ok(())
	}
}

/// Progress while waiting on the chain or a provider: on stderr, so stdout stays the result.
pub fn progress(line: &str) {
	eprintln!("{line}");
}

/// Runs the command.
pub async fn run(cli: Cli) -> Result<()> {
	let out = Output { json: cli.json };
	// Every command reads the chain; connect once, with one clear line if it is unreachable.
	let fee_asset = defaas_client::market::parse_asset(&cli.fee_asset)?;
	let chain = Chain::connect(&cli.url).await?.paying_fees_in(fee_asset);
	match cli.command {
		Command::Level(LevelCommand::List) => market::level_list(&chain, out).await,
		Command::Order(OrderCommand::Create(args)) => order::create(&chain, out, args).await,
		Command::Order(OrderCommand::Status(args)) => order::status(&chain, out, args).await,
		Command::Order(OrderCommand::Cancel(args)) => order::cancel(&chain, out, args).await,
		Command::Order(OrderCommand::Publish(args)) => order::publish(&chain, out, args).await,
		Command::Asset(AssetCommand::List) => market::asset_list(&chain, out).await,
		Command::Balance { account } => market::balance(&chain, out, &account).await,
		Command::Deploy(args) => function::deploy(&chain, out, args).await,
		Command::Invoke(args) => function::invoke(&chain, args).await,
		Command::Provider(ProviderCommand::Register(args)) => {
			market::register_provider(&chain, out, args).await
		},
		Command::Provider(ProviderCommand::Show { account }) => {
			market::show_provider(&chain, out, &account).await
		},
		Command::Witness(WitnessCommand::Register(args)) => {
			market::register_witness(&chain, out, args).await
		},
		Command::Witness(WitnessCommand::Show { account }) => {
			market::show_witness(&chain, out, &account).await
		},
	}
}

/// `5FHneW46…`: the start of an SS58 address, for progress lines.
pub fn short(address: &str) -> String {
	if address.chars().count() <= 10 {
		return address.to_string();
	}
	format!("{}…", address.chars().take(8).collect::<String>())
}

#[cfg(test)]
mod tests {
	use super::ensure_package_fits;

	#[test]
	fn a_package_fits_its_level_up_to_the_last_byte() {
		// An 18.4 MB Python hello fits level 0's 50 MB; one byte over the limit does not.
		assert!(ensure_package_fits(0, 50, 18_412_375).is_ok());
		assert!(ensure_package_fits(0, 1, 1 << 20).is_ok());
		let error = ensure_package_fits(0, 1, (1 << 20) + 1).expect_err("over the limit");
		assert_eq!(
			error.to_string(),
			"the package is 1048577 bytes, more than level 0's 1 MB package limit"
		);
		assert!(ensure_package_fits(3, 0, 1).is_err());
	}
}
