//! Command-line arguments of `defaas` (clap derive).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The DeFaaS market from the command line: FaaS levels, orders, deployments, invocations,
/// provider and witness registration.
#[derive(Debug, Parser)]
#[command(name = "defaas", version, about)]
pub struct Cli {
	/// WebSocket URL of a DeFaaS node's JSON-RPC server.
	#[arg(long, global = true, env = "DEFAAS_URL", default_value = "ws://127.0.0.1:9944")]
	pub url: String,

	/// Print machine-readable JSON instead of tables.
	#[arg(long, global = true)]
	pub json: bool,

	/// The asset signed transactions pay their fees in: `fst`, or the id of a payment asset
	/// with an FST pool (the runtime swaps it to FST; the account needs no FST at all).
	#[arg(long, global = true, env = "DEFAAS_FEE_ASSET", default_value = "fst")]
	pub fee_asset: String,

	/// What to do.
	#[command(subcommand)]
	pub command: Command,
}

/// The secret URI of the signing account.
#[derive(Debug, Args)]
pub struct Signer {
	/// Secret URI of the signing account: `//Alice`, a mnemonic (with optional
	/// `//derivation`), or a `0x` seed.
	#[arg(long, env = "DEFAAS_SURI", hide_env_values = true)]
	pub suri: String,
}

/// `defaas asset ...`.
#[derive(Debug, Subcommand)]
pub enum AssetCommand {
	/// FST and the payment assets: symbol, name, decimals, least prepay of an order.
	List,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
	/// FaaS levels (the resource classes orders ask for).
	#[command(subcommand)]
	Level(LevelCommand),
	/// Create, watch and cancel orders.
	#[command(subcommand)]
	Order(OrderCommand),
	/// The payment assets orders may be priced in (besides FST), with their minimum prepay.
	#[command(subcommand)]
	Asset(AssetCommand),
	/// An account's balance in FST and in every payment asset: free and on hold.
	Balance {
		/// The account (SS58 address or 0x public key).
		account: String,
	},
	/// Upload a function package to the provider matched to an order.
	Deploy(DeployArgs),
	/// Send an HTTP request to a deployed function.
	Invoke(InvokeArgs),
	/// Provider registration and lookup.
	#[command(subcommand)]
	Provider(ProviderCommand),
	/// Witness registration and lookup.
	#[command(subcommand)]
	Witness(WitnessCommand),
}

/// `defaas level ...`.
#[derive(Debug, Subcommand)]
pub enum LevelCommand {
	/// List every FaaS level.
	List,
}

/// `defaas order ...`.
#[derive(Debug, Subcommand)]
pub enum OrderCommand {
	/// Create an order and open its sealed-bid auction; prints the order id.
	Create(CreateOrderArgs),
	/// Show an order, or follow its progress.
	Status(StatusArgs),
	/// Cancel an order that is not yet fulfilled (only its customer).
	Cancel(CancelArgs),
	/// Answer a disputed hand-off: publish the package at a URL a witness committee fetches
	/// and checks (only the customer).
	Publish(PublishArgs),
}

/// `defaas order create`.
#[derive(Debug, Args)]
pub struct CreateOrderArgs {
	/// FaaS level id (see `defaas level list`).
	#[arg(long)]
	pub level: u32,
	/// Number of billing periods.
	#[arg(long)]
	pub periods: u32,
	/// Highest acceptable price of one billing period, in the payment asset (`10`, `0.5`).
	#[arg(long)]
	pub max_price: String,
	/// What the order pays in: `fst`, or the id of a payment asset the chain accepts (`1`, the
	/// development chain's TUSD). Prices, the prepay and refunds are in it.
	#[arg(long, default_value = "fst")]
	pub asset: String,
	/// Witness committee size of each SLA round.
	#[arg(long)]
	pub committee: u32,
	/// Length of the bid window in blocks.
	#[arg(long)]
	pub bid_window: u32,
	/// The function package (a `wasm32-wasip2` component); its blake2-256 hash is recorded.
	#[arg(long)]
	pub package: PathBuf,
	/// Lowest provider reputation allowed to bid, in percent (`95`, `99.5`).
	#[arg(long, default_value = "0")]
	pub min_reputation: String,
	/// Account (SS58 or 0x hex) whose allowance to the signer pays the prepay.
	#[arg(long)]
	pub sponsor: Option<String>,
	/// The customer.
	#[command(flatten)]
	pub signer: Signer,
}

/// `defaas order status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
	/// The order id.
	pub order_id: u64,
	/// Print one line per state change until the order ends (or reaches `--until`).
	#[arg(long)]
	pub follow: bool,
	/// With `--follow`: stop once the order reaches this state (or a later one).
	#[arg(long, requires = "follow", value_parser = clap::builder::PossibleValuesParser::new(defaas_client::views::STATE_NAMES))]
	pub until: Option<String>,
	/// With `--follow`: give up (exit status 2) after this many seconds.
	#[arg(long, requires = "follow")]
	pub timeout: Option<u64>,
}

/// `defaas order cancel`.
#[derive(Debug, Args)]
pub struct CancelArgs {
	/// The order id.
	pub order_id: u64,
	/// The order's customer.
	#[command(flatten)]
	pub signer: Signer,
}

/// `defaas order publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
	/// The order id.
	pub order_id: u64,
	/// Where the package can be fetched (`http://` or `https://`, at most 256 bytes); it must
	/// serve exactly the package the order committed to.
	#[arg(long)]
	pub url: String,
	/// The order's customer.
	#[command(flatten)]
	pub signer: Signer,
}

/// `defaas deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
	/// The order id.
	pub order_id: u64,
	/// The function package; must hash to the order's package hash.
	#[arg(long)]
	pub package: PathBuf,
	/// Seconds to wait for the order to be matched to a provider.
	#[arg(long, default_value_t = 300)]
	pub wait: u64,
	/// The order's customer (signs the upload).
	#[command(flatten)]
	pub signer: Signer,
}

/// `defaas invoke`.
#[derive(Debug, Args)]
pub struct InvokeArgs {
	/// The order id.
	pub order_id: u64,
	/// Path below the function's root, e.g. `/greet?name=x`.
	#[arg(long, default_value = "/")]
	pub path: String,
	/// HTTP method.
	#[arg(long, short = 'X', default_value = "GET")]
	pub method: String,
	/// Request body.
	#[arg(long, short = 'd', conflicts_with = "data_file")]
	pub data: Option<String>,
	/// File whose content is the request body.
	#[arg(long)]
	pub data_file: Option<PathBuf>,
	/// Extra request header `name: value` (repeatable).
	#[arg(long = "header", short = 'H')]
	pub headers: Vec<String>,
	/// Print the status line and response headers to stderr.
	#[arg(long, short = 'v')]
	pub verbose: bool,
}

/// `defaas provider ...`.
#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
	/// Register the signer as a provider (holds the stake).
	Register(RegisterProviderArgs),
	/// Show a provider (`defaas_provider`).
	Show {
		/// The provider's account (SS58 or 0x hex).
		account: String,
	},
}

/// `defaas provider register`.
#[derive(Debug, Args)]
pub struct RegisterProviderArgs {
	/// Stake to hold in FST (at least the runtime's `MinProviderStake`).
	#[arg(long)]
	pub stake: String,
	/// Base URL of the provider daemon's deployment API, e.g. `http://203.0.113.7:8080`.
	#[arg(long)]
	pub endpoint: String,
	/// Offered level ids, comma-separated.
	#[arg(long, value_delimiter = ',', required = true)]
	pub levels: Vec<u32>,
	/// Account (0x public key or SS58) whose signatures keep the provider online: the `prov`
	/// key of the provider's node. Defaults to the signer's own account.
	#[arg(long)]
	pub heartbeat_key: Option<String>,
	/// The provider account.
	#[command(flatten)]
	pub signer: Signer,
}

/// `defaas witness ...`.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
	/// Register the signer as a witness (holds the stake).
	Register(RegisterWitnessArgs),
	/// Show a witness (`defaas_witness`).
	Show {
		/// The witness's account (SS58 or 0x hex).
		account: String,
	},
}

/// `defaas witness register`.
#[derive(Debug, Args)]
pub struct RegisterWitnessArgs {
	/// Stake to hold in FST (at least the runtime's `MinWitnessStake`).
	#[arg(long)]
	pub stake: String,
	/// The `wtns` sr25519 public key of the witness's node (0x hex or SS58). Defaults to the
	/// signer's public key.
	#[arg(long)]
	pub vrf_key: Option<String>,
	/// The witness account.
	#[command(flatten)]
	pub signer: Signer,
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::CommandFactory;

	#[test]
	fn the_argument_definitions_are_consistent() {
		Cli::command().debug_assert();
	}

	#[test]
	fn levels_are_comma_separated() {
		let cli = Cli::try_parse_from([
			"defaas",
			"provider",
			"register",
			"--stake",
			"1000",
			"--endpoint",
			"http://x",
			"--levels",
			"0,1",
			"--suri",
			"//Bob",
		])
		.unwrap();
		let Command::Provider(ProviderCommand::Register(args)) = cli.command else { panic!() };
		assert_eq!(args.levels, vec![0, 1]);
	}
}
