//! Shared test harness: the example functions, an in-memory order source, a daemon on a port
//! of `127.0.0.1` below the ephemeral range and a small HTTP client.

use bytes::Bytes;
use defaas_primitives::deploy::{
	package_hash, signature_header, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use defaas_provider::{
	app::{AppState, LookupLimiter, UploadGate},
	auth,
	config::{HttpLimits, PoolConfig, DRAIN_MARGIN},
	daemon::{Daemon, ShutdownReport},
	host::{Deployed, FunctionHost, HostLimits, Optimization},
	metrics::Metrics,
	orders::{OrderFacts, OrderFuture, OrderSource},
	pool::gateway::Gateway,
	restore::restore,
	server::Server,
	shutdown::Shutdown,
	store::Store,
};
use defaas_test_endpoint::port;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::{
	collections::HashMap,
	net::{Ipv4Addr, SocketAddr},
	path::PathBuf,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex, OnceLock,
	},
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use subxt_signer::sr25519::Keypair;
use tokio::{
	net::{TcpListener, TcpStream},
	sync::{
		mpsc::{unbounded_channel, UnboundedReceiver},
		watch,
	},
};

/// How long any single HTTP exchange of a test may take.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(60);

/// This daemon's provider account in the tests.
pub const PROVIDER: [u8; 32] = [0x50; 32];

/// The compiled example function `name` (`hello`, `hash`, `spin`, `membomb`, `huge`,
/// `panicky`), built once per test binary.
pub fn function_wasm(name: &str) -> PathBuf {
	static BUILT: OnceLock<PathBuf> = OnceLock::new();
	let dir = BUILT.get_or_init(|| {
		defaas_testkit::bins::build_functions(&[]).expect("the example functions build")
	});
	let path = dir.join(format!("{name}.wasm"));
	assert!(path.exists(), "{} was not built", path.display());
	path
}

/// The bytes of an example function.
pub fn function_bytes(name: &str) -> Vec<u8> {
	std::fs::read(function_wasm(name)).expect("read the function")
}

/// `blake2_256` of `bytes`: the package hash an order commits to.
pub fn hash(bytes: &[u8]) -> [u8; 32] {
	package_hash(bytes)
}

/// The customer of every test order.
pub fn customer() -> Keypair {
	subxt_signer::sr25519::dev::alice()
}

/// The current Unix time, seconds.
pub fn now() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

/// An order of the test level (64 MiB memory, 1 MiB packages, 1000 millicores) for `package`,
/// matched to [`PROVIDER`] and created by [`customer`].
pub fn order_for(package: &[u8]) -> OrderFacts {
	OrderFacts {
		customer: customer().public_key().0,
		matched_provider: Some(PROVIDER),
		package_hash: hash(package),
		ended: false,
		level: 0,
		memory_mb: 64,
		package_mb: 1,
		cpu_millicores: 1000,
	}
}

/// The orders on the "chain".
#[derive(Default)]
pub struct MockOrders {
	orders: Mutex<HashMap<u64, OrderFacts>>,
	unavailable: AtomicBool,
	held: Mutex<HashMap<u64, Arc<Hold>>>,
	lookups: std::sync::atomic::AtomicUsize,
}

/// A held order lookup (see [`MockOrders::hold`]).
#[derive(Default)]
pub struct Hold {
	entered: watch::Sender<bool>,
	released: watch::Sender<bool>,
}

impl Hold {
	/// Resolves once a lookup of the order is waiting.
	pub async fn entered(&self) {
		let _ = self.entered.subscribe().wait_for(|entered| *entered).await;
	}

	/// Lets every waiting (and later) lookup of the order answer.
	pub fn release(&self) {
		self.released.send_replace(true);
	}
}

impl MockOrders {
	/// Adds or replaces an order.
	pub fn insert(&self, order_id: u64, facts: OrderFacts) {
		self.orders.lock().expect("lock").insert(order_id, facts);
	}

	/// How many lookups the daemon made.
	pub fn lookups(&self) -> usize {
		self.lookups.load(Ordering::SeqCst)
	}

	/// Makes every lookup fail (`true`) or work again.
	pub fn set_unavailable(&self, unavailable: bool) {
		self.unavailable.store(unavailable, Ordering::SeqCst);
	}

	/// Makes lookups of `order_id` wait until [`Hold::release`]: a request of the deployment API
	/// that stays in flight as long as the test wants.
	pub fn hold(&self, order_id: u64) -> Arc<Hold> {
		let hold = Arc::new(Hold::default());
		self.held.lock().expect("lock").insert(order_id, hold.clone());
		hold
	}
}

impl OrderSource for MockOrders {
	fn order(&self, order_id: u64) -> OrderFuture<'_> {
		let hold = self.held.lock().expect("lock").get(&order_id).cloned();
		self.lookups.fetch_add(1, Ordering::SeqCst);
		Box::pin(async move {
			if let Some(hold) = hold {
				hold.entered.send_replace(true);
				let _ = hold.released.subscribe().wait_for(|released| *released).await;
			}
			if self.unavailable.load(Ordering::SeqCst) {
				Err(anyhow::anyhow!("connection refused"))
			} else {
				Ok(self.orders.lock().expect("lock").get(&order_id).cloned())
			}
		})
	}
}

/// Host limits for tests: a small pool, the given CPU budget and response cap.
pub fn test_config() -> HostLimits {
	HostLimits {
		cpu_budget: Duration::from_millis(200),
		wall_time: Duration::from_secs(5),
		max_response_bytes: 1 << 20,
		queue_wait: Duration::from_millis(50),
		max_instances: 16,
		max_memory_mb: 128,
		outgoing_http: false,
		baseline_compiler: true,
	}
}

/// A daemon serving on a port of `127.0.0.1` below the ephemeral range (no bid engine: the
/// test reads the deployment notifications).
pub struct TestDaemon {
	/// Its address.
	pub addr: SocketAddr,
	/// Its state.
	pub state: Arc<AppState>,
	/// The chain it asks.
	pub orders: Arc<MockOrders>,
	/// The deployment notifications.
	pub deployed: UnboundedReceiver<u64>,
	daemon: Daemon,
	/// The data directory (kept alive while the daemon runs).
	_dir: Arc<tempfile::TempDir>,
}

impl TestDaemon {
	/// Starts a daemon with `config` in a fresh data directory.
	pub async fn start(config: HostLimits) -> Self {
		let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
		Self::start_in(dir, config).await
	}

	/// Starts a daemon with `config` over the data directory `dir` (restoring what is there),
	/// draining for the wall time + the daemon's margin at shutdown.
	pub async fn start_in(dir: Arc<tempfile::TempDir>, config: HostLimits) -> Self {
		let drain_timeout = config.wall_time + DRAIN_MARGIN;
		Self::start_with(dir, config, drain_timeout).await
	}

	/// Starts a daemon with `config` and `drain_timeout` over the data directory `dir`.
	pub async fn start_with(
		dir: Arc<tempfile::TempDir>,
		config: HostLimits,
		drain_timeout: Duration,
	) -> Self {
		Self::start_with_http(dir, config, drain_timeout, HttpLimits::default()).await
	}

	/// [`TestDaemon::start_with`] with the HTTP server's limits `http`.
	pub async fn start_with_http(
		dir: Arc<tempfile::TempDir>,
		config: HostLimits,
		drain_timeout: Duration,
		http: HttpLimits,
	) -> Self {
		Self::start_full(dir, config, drain_timeout, http, None).await
	}

	/// A daemon that is the gateway of the pool `pool` (start its workers separately).
	pub async fn start_gateway(config: HostLimits, pool: PoolConfig) -> Self {
		let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
		let drain_timeout = config.wall_time + DRAIN_MARGIN;
		Self::start_full(dir, config, drain_timeout, HttpLimits::default(), Some(pool)).await
	}

	/// Every option: the data directory, host limits, drain timeout, HTTP limits and the pool
	/// this daemon is the gateway of, if any.
	pub async fn start_full(
		dir: Arc<tempfile::TempDir>,
		config: HostLimits,
		drain_timeout: Duration,
		http: HttpLimits,
		pool: Option<PoolConfig>,
	) -> Self {
		let metrics = Arc::new(Metrics::new().expect("metrics"));
		let wall_time = config.wall_time;
		let host = Arc::new(FunctionHost::new(config, metrics.clone()).expect("host"));
		let store = Arc::new(Store::open(dir.path()).expect("open the store"));
		let pool = match pool {
			None => {
				restore(&host, &store).expect("restore");
				None
			},
			Some(pool) => Some(
				Gateway::connect(&pool, "gateway", wall_time, &Shutdown::new())
					.await
					.expect("the gateway connects")
					.expect("not shut down"),
			),
		};
		let orders = Arc::new(MockOrders::default());
		let served_orders = orders.clone();
		let (sender, deployed) = unbounded_channel();
		// Below the ephemeral range: once the daemon closes it, no other listener of the
		// machine can be handed the port, so connections to it are refused.
		let listener = port::bind_outside_ephemeral_range(Ipv4Addr::LOCALHOST.into())
			.and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
			.and_then(TcpListener::from_std)
			.expect("bind");
		let addr = listener.local_addr().expect("addr");
		let state = Arc::new(AppState {
			host,
			pool,
			store,
			metrics,
			orders: served_orders,
			provider: PROVIDER,
			public_url: format!("http://{addr}"),
			capacity: vec![(0, 3), (1, 1)],
			uploads: UploadGate::for_limits(&http),
			lookups: LookupLimiter::for_limits(&http),
			http,
			deployed: sender,
		});
		let daemon = Daemon::start(listener, state.clone(), None, Shutdown::new(), drain_timeout)
			.expect("start the daemon");
		Self { addr, state, orders, deployed, daemon, _dir: dir }
	}

	/// Registers `package` as order `order_id` on the chain and deploys it on the host
	/// directly, in the baseline tier: the optimization is returned, not run, so the order
	/// stays on the baseline compiler's code while the caller holds it.
	pub fn deploy_baseline(&self, order_id: u64, package: &[u8]) -> Optimization {
		let facts = order_for(package);
		let spec = facts.spec();
		self.orders.insert(order_id, facts);
		match self.state.host.deploy(order_id, spec, package).expect("deploy") {
			Deployed::Baseline(optimization) => optimization,
			Deployed::Optimized(_) => panic!("the host has no baseline compiler"),
		}
	}

	/// Registers `package` as order `order_id` on the chain and uploads it through the
	/// deployment API; returns the reply.
	pub async fn order_and_deploy(&self, order_id: u64, package: &[u8]) -> Reply {
		self.orders.insert(order_id, order_for(package));
		self.upload(order_id, package, now()).await
	}

	/// A signed upload of `package` for `order_id` at `timestamp`.
	pub async fn upload(&self, order_id: u64, package: &[u8], timestamp: u64) -> Reply {
		upload(self.addr, order_id, package.to_vec(), timestamp).await
	}

	/// A request to this daemon.
	pub async fn request(
		&self,
		method: &str,
		path: &str,
		headers: &[(&str, String)],
		body: Vec<u8>,
	) -> Reply {
		request(self.addr, method, path, headers, body).await
	}

	/// `GET path`.
	pub async fn get(&self, path: &str) -> Reply {
		self.request("GET", path, &[], Vec::new()).await
	}

	/// The HTTP server (its phase).
	pub fn server(&self) -> &Server {
		self.daemon.server()
	}

	/// Requests the shutdown (without waiting for it).
	pub fn shutdown(&self) {
		self.daemon.shutdown_signal().trigger();
	}

	/// Shuts the daemon down and waits until it is drained and its store closed (this
	/// handle's references to the state are dropped first).
	pub async fn stop(self) -> ShutdownReport {
		let Self { state, daemon, .. } = self;
		drop(state);
		daemon.stop().await
	}
}

/// The headers of a signed upload of a package hashing to `package_hash`.
pub fn upload_headers(
	order_id: u64,
	package_hash: &[u8; 32],
	timestamp: u64,
) -> [(&'static str, String); 2] {
	let signature = auth::sign_deployment(&customer(), order_id, package_hash, timestamp);
	[(TIMESTAMP_HEADER, timestamp.to_string()), (SIGNATURE_HEADER, signature_header(&signature))]
}

/// A signed upload of `package` for `order_id` at `timestamp` to the daemon at `addr`.
pub async fn upload(addr: SocketAddr, order_id: u64, package: Vec<u8>, timestamp: u64) -> Reply {
	let headers = upload_headers(order_id, &hash(&package), timestamp);
	request(addr, "PUT", &format!("/deployments/{order_id}"), &headers, package).await
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
	/// The status code.
	pub status: u16,
	/// The headers.
	pub headers: hyper::HeaderMap,
	/// The body bytes received.
	pub body: Vec<u8>,
	/// Whether the body ended normally (`false`: the connection broke off).
	pub complete: bool,
}

impl Reply {
	/// The body as text.
	pub fn text(&self) -> String {
		String::from_utf8_lossy(&self.body).into_owned()
	}

	/// The body as JSON.
	pub fn json(&self) -> serde_json::Value {
		serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
	}

	/// The `error` code of a JSON error body.
	pub fn error_code(&self) -> String {
		self.json()["error"].as_str().unwrap_or_default().to_owned()
	}
}

/// One HTTP/1.1 exchange on a fresh connection, bounded by [`EXCHANGE_TIMEOUT`].
pub async fn request(
	addr: SocketAddr,
	method: &str,
	path: &str,
	headers: &[(&str, String)],
	body: Vec<u8>,
) -> Reply {
	let exchange = async {
		let stream = TcpStream::connect(addr).await.expect("connect");
		let (mut sender, connection) =
			hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
		tokio::spawn(connection);
		let mut builder =
			Request::builder().method(method).uri(path).header("host", addr.to_string());
		for (name, value) in headers {
			builder = builder.header(*name, value.as_str());
		}
		let request = builder.body(Full::new(Bytes::from(body))).expect("request");
		let response = sender.send_request(request).await.expect("response");
		let status = response.status().as_u16();
		let headers = response.headers().clone();
		let mut body = response.into_body();
		let (mut bytes, mut complete) = (Vec::new(), true);
		while let Some(frame) = body.frame().await {
			match frame {
				Ok(frame) => {
					if let Ok(data) = frame.into_data() {
						bytes.extend_from_slice(&data);
					}
				},
				Err(_) => {
					complete = false;
					break;
				},
			}
		}
		Reply { status, headers, body: bytes, complete }
	};
	tokio::time::timeout(EXCHANGE_TIMEOUT, exchange).await.expect("the exchange timed out")
}

/// Reads one HTTP/1.1 response with a `Content-Length` body (the daemon's own answers) from a
/// raw connection, bounded by [`EXCHANGE_TIMEOUT`]; an error if the connection fails first.
pub async fn read_response<R>(reader: &mut R) -> std::io::Result<Reply>
where
	R: tokio::io::AsyncRead + Unpin,
{
	use std::io::{Error, ErrorKind};
	use tokio::io::AsyncReadExt;

	let malformed = |what: &str| Error::new(ErrorKind::InvalidData, what.to_owned());
	let read = async {
		let mut received = Vec::new();
		let mut chunk = vec![0u8; 64 << 10];
		let head_len = loop {
			if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
				break end + 4;
			}
			let read = reader.read(&mut chunk).await?;
			if read == 0 {
				return Err(Error::new(ErrorKind::UnexpectedEof, "closed before a response head"));
			}
			received.extend_from_slice(&chunk[..read]);
		};
		let head =
			std::str::from_utf8(&received[..head_len]).map_err(|_| malformed("non-UTF-8 head"))?;
		let mut lines = head.split("\r\n").filter(|line| !line.is_empty());
		let status = lines
			.next()
			.and_then(|line| line.split(' ').nth(1))
			.and_then(|code| code.parse().ok())
			.ok_or_else(|| malformed("no status line"))?;
		let mut headers = hyper::HeaderMap::new();
		for line in lines {
			let (name, value) = line.split_once(':').ok_or_else(|| malformed(line))?;
			headers.append(
				hyper::header::HeaderName::from_bytes(name.trim().as_bytes())
					.map_err(|_| malformed(line))?,
				hyper::header::HeaderValue::from_str(value.trim()).map_err(|_| malformed(line))?,
			);
		}
		let length: usize = headers
			.get(hyper::header::CONTENT_LENGTH)
			.and_then(|value| value.to_str().ok()?.parse().ok())
			.ok_or_else(|| malformed("no Content-Length"))?;
		let mut body = received[head_len..].to_vec();
		while body.len() < length {
			let read = reader.read(&mut chunk).await?;
			if read == 0 {
				return Err(Error::new(ErrorKind::UnexpectedEof, "closed within the body"));
			}
			body.extend_from_slice(&chunk[..read]);
		}
		body.truncate(length);
		Ok(Reply { status, headers, body, complete: true })
	};
	tokio::time::timeout(EXCHANGE_TIMEOUT, read).await.expect("the response timed out")
}
