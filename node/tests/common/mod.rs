//! Spawns the real `defaas-node` binary on free 127.0.0.1 ports and stops it on drop, plus the
//! chain helpers the end-to-end tests share (signing and submitting, balances, blocks, events).

#![allow(dead_code)]

use serde_json::Value;
use std::{
	fs::File,
	net::TcpListener,
	path::PathBuf,
	process::{Child, Command, Stdio},
	str::FromStr,
	time::{Duration, Instant},
};
use subxt::{
	config::DefaultExtrinsicParamsBuilder,
	dynamic::{self, Value as DynValue},
	ext::scale_decode::DecodeAsType,
	rpcs::{rpc_params, RpcClient},
	utils::H256,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The node binary cargo built for these tests.
pub const NODE_BIN: &str = env!("CARGO_BIN_EXE_defaas-node");

/// How long a fresh node may take to answer RPC (it compiles the runtime on start).
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|listener| listener.local_addr())
		.map(|addr| addr.port())
		.expect("a free port on 127.0.0.1")
}

/// A running `defaas-node`, killed when dropped.
pub struct Node {
	child: Child,
	/// Arguments it was started with (a restart reuses them).
	args: Vec<String>,
	/// `ws://127.0.0.1:<port>` of its JSON-RPC server.
	pub ws_url: String,
	/// Where the node's log goes.
	pub log_path: PathBuf,
}

/// Node key of Alice in [`Node::spawn_local`] networks, and her libp2p peer id.
const ALICE_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";
const ALICE_PEER_ID: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

fn start(args: &[String], log_path: &PathBuf) -> Child {
	let log = File::options().create(true).append(true).open(log_path).expect("log file");
	Command::new(NODE_BIN)
		.args(args)
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.expect("spawn defaas-node")
}

impl Node {
	/// Starts `defaas-node --dev --tmp` with RPC and p2p on free loopback ports.
	pub fn spawn_dev(name: &str) -> Node {
		Self::spawn(name, &["--dev", "--tmp"])
	}

	/// Starts `defaas-node` with `extra` arguments plus a name, RPC and p2p on free loopback
	/// ports, and no telemetry, Prometheus or mDNS.
	pub fn spawn(name: &str, extra: &[&str]) -> Node {
		Self::spawn_on(name, extra, free_port())
	}

	/// [`Node::spawn`] with p2p on `p2p_port`.
	pub fn spawn_on(name: &str, extra: &[&str], p2p_port: u16) -> Node {
		let rpc_port = free_port();
		let log_path = std::env::temp_dir()
			.join(format!("defaas-{name}-{}-{rpc_port}.log", std::process::id()));
		let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
		args.extend(
			[
				"--no-telemetry",
				"--no-prometheus",
				"--no-mdns",
				"--name",
				name,
				"--rpc-port",
				&rpc_port.to_string(),
				"--listen-addr",
				&format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
			]
			.map(String::from),
		);
		let child = start(&args, &log_path);
		Node { child, args, ws_url: format!("ws://127.0.0.1:{rpc_port}"), log_path }
	}

	/// Starts validator `authority` (`alice`, `bob`, ...) of the `local_testnet` chain with its
	/// state under `base_path` (kept across [`Node::restart`]) and off-chain workers always on.
	/// Alice is the boot node (p2p port `alice_port`); the others connect to her.
	pub fn spawn_local(authority: &str, base_path: &std::path::Path, alice_port: u16) -> Node {
		let base = base_path.join(authority);
		let base = base.to_str().expect("utf-8 path").to_string();
		let bootnode = format!("/ip4/127.0.0.1/tcp/{alice_port}/p2p/{ALICE_PEER_ID}");
		let mut extra = vec![
			"--chain",
			"local",
			"--validator",
			"--base-path",
			&base,
			"--offchain-worker",
			"always",
		];
		let flag = format!("--{authority}");
		extra.push(&flag);
		if authority == "alice" {
			extra.extend(["--node-key", ALICE_NODE_KEY]);
		} else {
			// A validator refuses to invent a network key unless told to.
			extra.extend(["--bootnodes", &bootnode, "--unsafe-force-node-key-generation"]);
		}
		let p2p_port = if authority == "alice" { alice_port } else { free_port() };
		Self::spawn_on(authority, &extra, p2p_port)
	}

	/// Kills the node (like a crash: SIGKILL) and waits for it to exit.
	pub fn stop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// Kills the node and starts it again with the same arguments (same base path and ports).
	pub fn restart(&mut self) {
		self.stop();
		self.child = start(&self.args, &self.log_path);
	}

	/// The last lines of the node's log, for failure messages.
	pub fn log_tail(&self) -> String {
		let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
		let lines: Vec<&str> = log.lines().collect();
		lines[lines.len().saturating_sub(40)..].join("\n")
	}

	/// Waits until the node answers JSON-RPC, then returns a raw RPC client and a subxt client.
	pub async fn connect(&mut self) -> (RpcClient, OnlineClient<PolkadotConfig>) {
		let deadline = Instant::now() + STARTUP_TIMEOUT;
		loop {
			if let Ok(Some(status)) = self.child.try_wait() {
				panic!("defaas-node exited early ({status}):\n{}", self.log_tail());
			}
			if let Ok(rpc) = RpcClient::from_insecure_url(&self.ws_url).await {
				if let Ok(api) = OnlineClient::<PolkadotConfig>::from_rpc_client(rpc.clone()).await
				{
					return (rpc, api);
				}
			}
			assert!(
				Instant::now() < deadline,
				"defaas-node did not answer on {} within {STARTUP_TIMEOUT:?}:\n{}",
				self.ws_url,
				self.log_tail()
			);
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
		if !std::thread::panicking() {
			let _ = std::fs::remove_file(&self.log_path);
		}
	}
}

/// `System.Account` as far as the tests need it.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct AccountInfo {
	/// Balances.
	pub data: AccountData,
}

/// The FST balances of an account.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct AccountData {
	/// Free FST.
	pub free: u128,
	/// FST on hold (escrow, deposits, stakes).
	pub reserved: u128,
}

/// The account data of `who` at block `at`.
pub async fn account(api: &OnlineClient<PolkadotConfig>, at: H256, who: [u8; 32]) -> AccountData {
	let at = api.at_block(at).await.expect("block");
	let address = dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
	let value = at.storage().fetch(address, (who,)).await.expect("System.Account");
	value.decode().expect("AccountInfo").data
}

/// Finds a named field holding an unsigned integer anywhere in a decoded event value.
pub fn find_u128(value: &subxt::dynamic::Value, name: &str) -> Option<u128> {
	use subxt::ext::scale_value::{Composite, ValueDef};
	let in_composite = |composite: &Composite<()>| match composite {
		Composite::Named(fields) => {
			fields
				.iter()
				.find_map(|(n, v)| if n == name { v.as_u128() } else { find_u128(v, name) })
		},
		Composite::Unnamed(values) => values.iter().find_map(|v| find_u128(v, name)),
	};
	match &value.value {
		ValueDef::Composite(composite) => in_composite(composite),
		ValueDef::Variant(variant) => in_composite(&variant.values),
		_ => None,
	}
}

// ---- chain helpers shared by the end-to-end tests ----

/// The subxt client of the tests.
pub type Api = OnlineClient<PolkadotConfig>;

pub fn keypair(uri: &str) -> Keypair {
	Keypair::from_uri(&SecretUri::from_str(uri).expect("uri")).expect("keypair")
}

pub fn account_id(who: &Keypair) -> [u8; 32] {
	who.public_key().0
}

pub fn ss58(who: &[u8; 32]) -> String {
	sp_core::crypto::AccountId32::from(*who).to_string()
}

/// Signs, submits and waits until `call` of `pallet` is finalized and succeeded.
pub async fn submit(api: &Api, signer: &Keypair, pallet: &str, call: &str, args: Vec<DynValue>) {
	let tx = dynamic::transaction(pallet, call, args);
	api.at_current_block()
		.await
		.expect("block")
		.transactions()
		.sign_and_submit_then_watch_default(&tx, signer)
		.await
		.unwrap_or_else(|e| panic!("submit {pallet}.{call}: {e}"))
		.wait_for_finalized_success()
		.await
		.unwrap_or_else(|e| panic!("{pallet}.{call} failed: {e}"));
}

/// Submits `call` of `pallet` without waiting (its effect is checked through RPC later), with
/// the pool-aware nonce (`system_accountNextIndex`): the signer may have transactions in the
/// pool or in unfinalized blocks.
pub async fn submit_nowait(
	api: &Api,
	rpc: &RpcClient,
	signer: &Keypair,
	pallet: &str,
	call: &str,
	args: Vec<DynValue>,
) {
	let tx = dynamic::transaction(pallet, call, args);
	let nonce: u64 = rpc
		.request("system_accountNextIndex", rpc_params![ss58(&account_id(signer))])
		.await
		.expect("system_accountNextIndex");
	let params = DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new().nonce(nonce).build();
	api.at_current_block()
		.await
		.expect("block")
		.transactions()
		.sign_and_submit(&tx, signer, params)
		.await
		.unwrap_or_else(|e| panic!("submit {pallet}.{call}: {e}"));
}

/// (free, held) FST of `who` at the latest finalized block.
pub async fn balances(api: &Api, who: &[u8; 32]) -> (u128, u128) {
	let at = api.at_current_block().await.expect("block").block_hash();
	let data = account(api, at, *who).await;
	(data.free, data.reserved)
}

/// The best block number.
pub async fn best_number(rpc: &RpcClient) -> u64 {
	let header: Value = rpc.request("chain_getHeader", rpc_params![]).await.expect("header");
	let hex = header["number"].as_str().expect("number");
	u64::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex number")
}

/// Waits until the best block is at least `n`.
pub async fn wait_for_block(rpc: &RpcClient, n: u64) {
	let deadline = Instant::now() + Duration::from_secs(600);
	while best_number(rpc).await < n {
		assert!(Instant::now() < deadline, "block {n} never came");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// Waits until the finalized block is at least `n` (balances are read at the finalized block).
pub async fn wait_for_finalized(rpc: &RpcClient, n: u64) {
	let deadline = Instant::now() + Duration::from_secs(300);
	loop {
		let hash: Value =
			rpc.request("chain_getFinalizedHead", rpc_params![]).await.expect("finalized head");
		let header: Value =
			rpc.request("chain_getHeader", rpc_params![hash]).await.expect("finalized header");
		let hex = header["number"].as_str().expect("number");
		if u64::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex number") >= n {
			return;
		}
		assert!(Instant::now() < deadline, "block {n} was never finalized");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// Polls `f` every half second until it returns `Some`, at most `secs` seconds.
pub async fn poll<T, F, Fut>(what: &str, secs: u64, mut f: F) -> T
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Option<T>>,
{
	let deadline = Instant::now() + Duration::from_secs(secs);
	loop {
		if let Some(value) = f().await {
			return value;
		}
		assert!(Instant::now() < deadline, "timed out waiting for {what}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

pub fn as_u64(value: &Value) -> u64 {
	value
		.as_u64()
		.or_else(|| value.as_str().and_then(|s| s.parse().ok()))
		.unwrap_or_else(|| panic!("not a number: {value}"))
}

pub fn hex_encode(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hex_decode(hex: &str) -> Vec<u8> {
	let hex = hex.trim_start_matches("0x");
	(0..hex.len())
		.step_by(2)
		.map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
		.collect()
}

/// (pallet, event, fields) of every event in blocks `from..=to`.
pub async fn events_between(api: &Api, from: u64, to: u64) -> Vec<(String, String, DynValue)> {
	let mut all = Vec::new();
	for n in from..=to {
		let at = api.at_block(n).await.expect("block");
		let events = at.events().fetch().await.expect("events");
		for event in events.iter().filter_map(Result::ok) {
			let fields: DynValue = event.decode_as().expect("event fields");
			all.push((event.pallet_name().to_string(), event.event_name().to_string(), fields));
		}
	}
	all
}

// ---- network helpers shared by the off-chain worker and provider tests ----

/// Inserts `suri` as a key of `key_type` into the keystore of the node behind `rpc`.
pub async fn insert_key(rpc: &RpcClient, key_type: &str, suri: &str) {
	let public = format!("0x{}", hex_encode(&keypair(suri).public_key().0));
	let () = rpc
		.request("author_insertKey", rpc_params![key_type, suri, public])
		.await
		.expect("author_insertKey");
}

/// The round as `defaas_round` returns it (null if unknown).
pub async fn round(rpc: &RpcClient, order_id: u64, round: u32) -> Value {
	rpc.request("defaas_round", rpc_params![order_id, round]).await.expect("defaas_round")
}

/// Waits until the market settled `round` of the order and returns the order.
pub async fn wait_settled(rpc: &RpcClient, order_id: u64, settled: u64) -> Value {
	let order = poll("the period to settle", 600, || async move {
		let order: Value = rpc.request("defaas_order", rpc_params![order_id]).await.ok()?;
		let done = order["settledPeriods"].as_u64().is_some_and(|s| s >= settled)
			|| order["state"].get("finished").is_some()
			|| order["state"].get("failed").is_some();
		done.then_some(order)
	})
	.await;
	// Balances are read at the finalized block: let it catch up with the settlement.
	wait_for_finalized(rpc, best_number(rpc).await).await;
	order
}

// ---- local networks of four validators with witnesses ----

/// One FST in plancks.
pub const FST: u128 = 1_000_000_000_000;
/// `MinProviderStake` of the runtime.
pub const PROVIDER_STAKE: u128 = 1_000 * FST;
/// `MinWitnessStake` of the runtime.
pub const WITNESS_STAKE: u128 = 100 * FST;
/// `ViolationSlash` of the runtime.
pub const VIOLATION_SLASH: u128 = 50 * FST;

/// The validators of [`LocalNetwork`].
pub const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// (node, witness account seed): one witness per validator node.
pub const WITNESSES: [(&str, &str); 4] = [
	("alice", "//Alice//stash"),
	("bob", "//Bob//stash"),
	("charlie", "//Eve"),
	("dave", "//Ferdie"),
];

/// Four `local_testnet` validators with off-chain workers always on; their state lives under
/// `base` (removed by [`LocalNetwork::finish`]).
pub struct LocalNetwork {
	/// The nodes' base directory.
	pub base: PathBuf,
	/// The validators, named as in [`VALIDATORS`].
	pub nodes: Vec<(&'static str, Node)>,
	/// RPC and subxt clients per node, in the same order.
	pub clients: Vec<(RpcClient, Api)>,
}

impl LocalNetwork {
	/// Starts the four validators (state under a fresh `defaas-<tag>-<pid>` directory) and
	/// connects to each.
	pub async fn start(tag: &str) -> Self {
		let base = std::env::temp_dir().join(format!("defaas-{tag}-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&base);
		let alice_port = free_port();
		let mut nodes: Vec<(&'static str, Node)> = VALIDATORS
			.into_iter()
			.map(|name| (name, Node::spawn_local(name, &base, alice_port)))
			.collect();
		let mut clients = Vec::new();
		for (_, node) in nodes.iter_mut() {
			clients.push(node.connect().await);
		}
		Self { base, nodes, clients }
	}

	fn index(name: &str) -> usize {
		VALIDATORS.iter().position(|n| *n == name).expect("a validator of the network")
	}

	/// The RPC client of node `name`.
	pub fn rpc(&self, name: &str) -> RpcClient {
		self.clients[Self::index(name)].0.clone()
	}

	/// Alice's RPC and subxt clients (the tests talk to the chain through her node).
	pub fn alice(&self) -> (RpcClient, Api) {
		self.clients[0].clone()
	}

	/// The WebSocket URL of node `name`.
	pub fn url(&self, name: &str) -> String {
		self.nodes[Self::index(name)].1.ws_url.clone()
	}

	/// Registers the [`WITNESSES`] (stake, and the `wtns` key in their node's keystore);
	/// returns the block from which they are active.
	pub async fn register_witnesses(&self) -> u64 {
		let (rpc, api) = self.alice();
		for (node, uri) in WITNESSES {
			let vrf_uri = format!("{uri}//wtns");
			insert_key(&self.rpc(node), "wtns", &vrf_uri).await;
			submit(
				&api,
				&keypair(uri),
				"WitnessPool",
				"register_witness",
				vec![
					DynValue::u128(WITNESS_STAKE),
					DynValue::from_bytes(keypair(&vrf_uri).public_key().0),
				],
			)
			.await;
		}
		let witness: Value = rpc
			.request("defaas_witness", rpc_params![ss58(&account_id(&keypair(WITNESSES[0].1)))])
			.await
			.expect("defaas_witness");
		as_u64(&witness["activeFrom"])
	}

	/// Stops every node and removes their state.
	pub fn finish(self) {
		let base = self.base.clone();
		drop(self);
		let _ = std::fs::remove_dir_all(base);
	}
}

// ---- the `defaas` CLI and `defaas-provider` daemons ----

/// The directory of the workspace binaries (`target/release`, next to the node).
pub fn bin_dir() -> PathBuf {
	std::path::Path::new(NODE_BIN).parent().expect("the node binary's directory").to_path_buf()
}

/// The newest modification time of the files under `path`.
fn newest(path: &std::path::Path) -> Option<std::time::SystemTime> {
	let meta = std::fs::metadata(path).ok()?;
	if !meta.is_dir() {
		return meta.modified().ok();
	}
	std::fs::read_dir(path).ok()?.filter_map(Result::ok).filter_map(|e| newest(&e.path())).max()
}

/// Builds `defaas` and `defaas-provider` into [`bin_dir`], unless both are newer than every
/// source of theirs (`cargo test --workspace` builds them for their own integration tests; a
/// second cargo run would rebuild shared crates with another feature set, ≈ 80 s).
pub fn build_cli_and_provider() {
	let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repo root");
	let sources = ["cli", "provider", "offchain-workers/src", "Cargo.lock"]
		.iter()
		.filter_map(|dir| newest(&root.join(dir)))
		.max();
	let built = ["defaas", "defaas-provider"]
		.iter()
		.map(|bin| std::fs::metadata(bin_dir().join(bin)).and_then(|m| m.modified()).ok())
		.collect::<Option<Vec<_>>>()
		.and_then(|times| times.into_iter().min());
	if let (Some(sources), Some(built)) = (sources, built) {
		if built > sources {
			return;
		}
	}
	let target = bin_dir().parent().expect("target dir").to_path_buf();
	let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
	let status = Command::new(cargo)
		.current_dir(root)
		.env("CARGO_TARGET_DIR", target)
		.args(["build", "--release", "-p", "defaas-cli", "-p", "defaas-provider"])
		.status()
		.expect("cargo build");
	assert!(status.success(), "building defaas and defaas-provider");
}

/// Runs `defaas --url <url> <args>` and returns its stdout; panics with its output on failure.
pub fn cli(url: &str, args: &[&str]) -> String {
	let output = Command::new(bin_dir().join("defaas"))
		.args(["--url", url])
		.args(args)
		.output()
		.expect("run defaas");
	assert!(
		output.status.success(),
		"defaas {args:?} failed ({}):\n{}\n{}",
		output.status,
		String::from_utf8_lossy(&output.stdout),
		String::from_utf8_lossy(&output.stderr)
	);
	String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `defaas --json <args>`, parsed.
pub fn cli_json(url: &str, args: &[&str]) -> Value {
	let mut all = vec!["--json"];
	all.extend_from_slice(args);
	let stdout = cli(url, &all);
	serde_json::from_str(&stdout)
		.unwrap_or_else(|e| panic!("defaas {args:?}: not JSON ({e}): {stdout}"))
}

/// A running `defaas-provider` serving level 0 on a free port, killed when dropped.
pub struct Daemon {
	child: Child,
	config: PathBuf,
	/// Its log file (stderr).
	pub log: PathBuf,
	/// Its public URL, `http://127.0.0.1:<port>`.
	pub url: String,
}

impl Daemon {
	/// Writes a config under `dir` (node `node_url`, account `suri`, level 0 at `price` FST
	/// for up to `capacity` leases) and starts the daemon with `--insert-heartbeat-key`.
	pub fn start(
		dir: &std::path::Path,
		node_url: &str,
		suri: &str,
		price: &str,
		capacity: u32,
	) -> Daemon {
		std::fs::create_dir_all(dir).expect("daemon dir");
		let port = free_port();
		let url = format!("http://127.0.0.1:{port}");
		let config = dir.join("provider.toml");
		std::fs::write(
			&config,
			format!(
				"node_url = \"{node_url}\"\nsuri = \"{suri}\"\nlisten = \"127.0.0.1:{port}\"\n\
				 public_url = \"{url}\"\ndata_dir = \"{}\"\n\n[[level]]\nid = 0\n\
				 price = \"{price}\"\ncapacity = {capacity}\n",
				dir.join("data").display()
			),
		)
		.expect("config");
		let log = dir.join("provider.log");
		let child = Self::spawn(&config, &log);
		Daemon { child, config, log, url }
	}

	fn spawn(config: &std::path::Path, log: &std::path::Path) -> Child {
		let log = File::options().create(true).append(true).open(log).expect("log");
		Command::new(bin_dir().join("defaas-provider"))
			.arg("--config")
			.arg(config)
			.arg("--insert-heartbeat-key")
			.stdout(Stdio::null())
			.stderr(log)
			.spawn()
			.expect("spawn defaas-provider")
	}

	/// Kills the daemon like a crash (SIGKILL) and waits for it.
	pub fn kill(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// Kills the daemon and starts it again with the same config and store.
	pub fn restart(&mut self) {
		self.kill();
		self.child = Self::spawn(&self.config, &self.log);
	}

	/// Everything the daemon logged so far.
	pub fn log_text(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_default()
	}
}

impl Drop for Daemon {
	fn drop(&mut self) {
		self.kill();
		if std::thread::panicking() {
			let log = self.log_text();
			let lines: Vec<&str> = log.lines().collect();
			let tail = lines[lines.len().saturating_sub(30)..].join("\n");
			eprintln!("defaas-provider log ({}):\n{tail}", self.url);
		}
	}
}

/// Waits until `defaas_provider` shows `who` online (its node's worker sent a heartbeat).
pub async fn wait_online(rpc: &RpcClient, who: &[u8; 32]) {
	let account = ss58(who);
	poll("the provider's heartbeat", 180, || {
		let (rpc, account) = (rpc.clone(), account.clone());
		async move {
			let view: Value = rpc.request("defaas_provider", rpc_params![account]).await.ok()?;
			(view["online"] == Value::Bool(true)).then_some(())
		}
	})
	.await;
}
