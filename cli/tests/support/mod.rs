//! Shared by the CLI's end-to-end tests: a `defaas-node --dev` from the test kit, running the
//! built `defaas` binary, chain helpers, and a tiny recording HTTP server standing in for a
//! provider daemon.

#![allow(dead_code)]

use std::{
	collections::VecDeque,
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::PathBuf,
	process::Stdio,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use subxt::{
	dynamic::Value as DynValue,
	rpcs::{rpc_params, RpcClient},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::Keypair;

/// The subxt client of the tests.
pub type Api = OnlineClient<PolkadotConfig>;

/// One FST in plancks.
pub const FST: u128 = 1_000_000_000_000;

/// Longest a single `defaas` run may take.
const CLI_TIMEOUT: Duration = Duration::from_secs(180);

/// A `defaas-node --dev` started by the test kit (ports bound by the node itself), stopped
/// on drop, and a client of it.
pub struct DevNode {
	/// The node process.
	pub node: defaas_testkit::Node,
	/// A client of it.
	pub chain: defaas_testkit::Chain,
	/// Its WebSocket URL.
	pub ws_url: String,
}

impl DevNode {
	/// Starts the node (building it first when `cargo test -p defaas-cli` did not).
	pub async fn start(tag: &str) -> DevNode {
		defaas_testkit::bins::ensure_built(
			&["defaas-node"],
			&["defaas-node"],
			&["node/src", "runtime/src", "pallets", "primitives/src", "Cargo.lock"],
		)
		.expect("defaas-node is built");
		let (node, _dir) = defaas_testkit::dev_node(tag).await.expect("a dev node");
		let chain = node.chain().await.expect("a client of the dev node");
		let ws_url = node.ws_url.clone();
		DevNode { node, chain, ws_url }
	}

	/// Its raw RPC and subxt clients.
	pub fn clients(&self) -> (RpcClient, Api) {
		(self.chain.rpc.clone(), self.chain.api.clone())
	}
}

/// What one `defaas` run printed.
#[derive(Debug)]
pub struct Run {
	/// Whether it exited with status 0.
	pub success: bool,
	/// Its exit code.
	pub code: Option<i32>,
	/// Standard output.
	pub stdout: String,
	/// Standard error.
	pub stderr: String,
}

impl Run {
	/// Panics with both streams unless the run succeeded.
	pub fn ok(self) -> Run {
		assert!(self.success, "defaas failed ({:?}):\n{}\n{}", self.code, self.stdout, self.stderr);
		self
	}

	/// Panics unless the run failed.
	pub fn failed(self) -> Run {
		assert!(!self.success, "defaas should have failed:\n{}\n{}", self.stdout, self.stderr);
		self
	}

	/// Standard output as JSON.
	pub fn json(&self) -> serde_json::Value {
		serde_json::from_str(&self.stdout)
			.unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
	}
}

/// Runs `defaas --url <url> <args>` (killed after [`CLI_TIMEOUT`]).
pub async fn defaas(url: &str, args: &[&str]) -> Run {
	let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_defaas"))
		.arg("--url")
		.arg(url)
		.args(args)
		.env_remove("DEFAAS_SURI")
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.kill_on_drop(true)
		.spawn()
		.expect("spawn defaas");
	let output = tokio::time::timeout(CLI_TIMEOUT, child.wait_with_output())
		.await
		.unwrap_or_else(|_| panic!("defaas {args:?} did not finish within {CLI_TIMEOUT:?}"))
		.expect("defaas output");
	Run {
		success: output.status.success(),
		code: output.status.code(),
		stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	}
}

/// A scratch directory for package files, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
	/// A fresh directory named after `name`.
	pub fn new(name: &str) -> Scratch {
		let dir = std::env::temp_dir().join(format!("defaas-cli-{name}-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir).expect("scratch dir");
		Scratch(dir)
	}

	/// Writes `bytes` to `name` in the directory and returns its path as a string.
	pub fn file(&self, name: &str, bytes: &[u8]) -> String {
		let path = self.0.join(name);
		std::fs::write(&path, bytes).expect("write scratch file");
		path.to_str().expect("utf-8 path").to_string()
	}
}

impl Drop for Scratch {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}

/// Signs, submits and waits until `pallet.call` is in a block and succeeded.
pub async fn submit(
	api: &Api,
	rpc: &RpcClient,
	signer: &Keypair,
	pallet: &str,
	call: &str,
	args: Vec<DynValue>,
) {
	let chain = defaas_testkit::Chain {
		rpc: rpc.clone(),
		defaas: defaas_testkit::client::rpc::DefaasRpc(rpc.clone()),
		api: api.clone(),
		url: String::new(),
	};
	chain
		.submit(signer, pallet, call, args)
		.await
		.unwrap_or_else(|e| panic!("{pallet}.{call}: {e:#}"));
}

/// `defaas_order` as JSON.
pub async fn order(rpc: &RpcClient, order_id: u64) -> serde_json::Value {
	rpc.request("defaas_order", rpc_params![order_id]).await.expect("defaas_order")
}

/// Name of an order's state.
pub fn state_name(order: &serde_json::Value) -> String {
	order["state"].as_object().and_then(|m| m.keys().next().cloned()).unwrap_or_default()
}

/// Polls `defaas_order` until the order is in `state` (at most `secs` seconds): the block
/// hooks move it (nothing nudges it with `advance`).
pub async fn wait_for_state(_api: &Api, rpc: &RpcClient, order_id: u64, state: &str, secs: u64) {
	let deadline = Instant::now() + Duration::from_secs(secs);
	loop {
		let current = order(rpc, order_id).await;
		if state_name(&current) == state {
			return;
		}
		assert!(Instant::now() < deadline, "order {order_id} never reached {state}: {current}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// A request the [`TestServer`] received.
#[derive(Clone, Debug)]
pub struct Recorded {
	/// Method.
	pub method: String,
	/// Path with query.
	pub path: String,
	/// Headers, names lowercased.
	pub headers: Vec<(String, String)>,
	/// Body.
	pub body: Vec<u8>,
}

impl Recorded {
	/// The value of header `name`.
	pub fn header(&self, name: &str) -> Option<&str> {
		self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
	}
}

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1 that records every request and
/// answers from a queue of `(status, body)` (200 `{}` when empty). Its thread ends with the
/// test process.
#[derive(Clone)]
pub struct TestServer {
	/// `http://127.0.0.1:<port>`.
	pub url: String,
	requests: Arc<Mutex<Vec<Recorded>>>,
	answers: Arc<Mutex<VecDeque<(u16, String)>>>,
}

impl TestServer {
	/// Starts the server.
	pub fn start() -> TestServer {
		let listener = TcpListener::bind("127.0.0.1:0").expect("bind test server");
		let url = format!("http://{}", listener.local_addr().expect("addr"));
		let server = TestServer { url, requests: Default::default(), answers: Default::default() };
		let handle = server.clone();
		std::thread::spawn(move || {
			for stream in listener.incoming().flatten() {
				let _ = handle.serve(stream);
			}
		});
		server
	}

	/// Queues the answer to the next request.
	pub fn answer(&self, status: u16, body: &str) {
		self.answers.lock().unwrap().push_back((status, body.to_string()));
	}

	/// Every request received so far.
	pub fn requests(&self) -> Vec<Recorded> {
		self.requests.lock().unwrap().clone()
	}

	fn serve(&self, mut stream: TcpStream) -> std::io::Result<()> {
		stream.set_read_timeout(Some(Duration::from_secs(10)))?;
		let mut data = Vec::new();
		let mut buf = [0u8; 4096];
		let head_end = loop {
			let n = stream.read(&mut buf)?;
			if n == 0 {
				return Ok(());
			}
			data.extend_from_slice(&buf[..n]);
			if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
				break pos + 4;
			}
		};
		let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
		let mut lines = head.split("\r\n");
		let mut request_line = lines.next().unwrap_or_default().split(' ');
		let method = request_line.next().unwrap_or_default().to_string();
		let path = request_line.next().unwrap_or_default().to_string();
		let headers: Vec<(String, String)> = lines
			.filter_map(|line| line.split_once(':'))
			.map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
			.collect();
		let length: usize = headers
			.iter()
			.find(|(n, _)| n == "content-length")
			.and_then(|(_, v)| v.parse().ok())
			.unwrap_or(0);
		let mut body = data[head_end..].to_vec();
		while body.len() < length {
			let n = stream.read(&mut buf)?;
			if n == 0 {
				break;
			}
			body.extend_from_slice(&buf[..n]);
		}
		self.requests.lock().unwrap().push(Recorded { method, path, headers, body });
		let (status, answer) =
			self.answers.lock().unwrap().pop_front().unwrap_or((200, "{}".to_string()));
		write!(
			stream,
			"HTTP/1.1 {status} Test\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
			 connection: close\r\n\r\n{answer}",
			answer.len()
		)?;
		stream.flush()
	}
}
