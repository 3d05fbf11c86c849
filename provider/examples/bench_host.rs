//! The daemon's HTTP server and function host without a chain, for the benchmark in
//! `docs/performance.md` (run by `scripts/bench-host.sh`):
//!
//! ```text
//! cargo run --release -p defaas-provider --example bench_host -- <component.wasm> <port> [millicores] [nats_url [replicas]]
//! ```
//!
//! With a NATS URL it is the gateway of the pool `bench` instead (its workers, started
//! separately, run the function; `scripts/bench-pool.sh`): the cold start then includes
//! publishing the package and waiting for `replicas` workers (default 1) to serve it.
//!
//! A fixed order source stands in for the chain: order 0 of a level with 512 MiB and 1000
//! millicores (or `millicores`: the concurrency limit is one request per 250), customer `//Alice`, matched to this provider, package hash of the given file.
//! The component is deployed through the real deployment API (`PUT /deployments/0`, signed by
//! `//Alice`); the example prints the cold start — from sending the PUT until the first `200`
//! from `/o/0/` — and, when that came from the baseline compiler's code, when the optimized
//! code was swapped in; then it serves (the optimized code) until it is killed. `BASELINE=0`
//! turns the baseline compiler off (`[limits] baseline_compiler = false`).

use defaas_primitives::deploy::{
	package_hash, signature_header, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use defaas_provider::{
	app::{AppState, LookupLimiter, UploadGate},
	auth,
	config::{HttpLimits, PoolConfig, PoolRole},
	host::{FunctionHost, HostLimits, Tier},
	metrics::Metrics,
	orders::{OrderFacts, OrderFuture, OrderSource},
	pool::gateway::Gateway,
	server::Server,
	shutdown::Shutdown,
	store::Store,
};
use std::{
	io::{Read, Write},
	net::TcpStream,
	sync::Arc,
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// This provider's account in the example.
const PROVIDER: [u8; 32] = [7; 32];

struct FixedOrder(OrderFacts);

impl OrderSource for FixedOrder {
	fn order(&self, order_id: u64) -> OrderFuture<'_> {
		let facts = (order_id == 0).then(|| self.0.clone());
		Box::pin(async move { Ok(facts) })
	}
}

/// One HTTP/1.1 request on a fresh connection; the status code and the body.
fn request(port: u16, head: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
	let mut stream = TcpStream::connect(("127.0.0.1", port))?;
	stream.set_read_timeout(Some(Duration::from_secs(30)))?;
	stream.write_all(head.as_bytes())?;
	stream.write_all(body)?;
	let mut response = Vec::new();
	stream.read_to_end(&mut response)?;
	let text = String::from_utf8_lossy(&response);
	let status = text.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
	let body = text.split_once("\r\n\r\n").map(|(_, b)| b.as_bytes().to_vec()).unwrap_or_default();
	Ok((status, body))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	let mut args = std::env::args().skip(1);
	let (Some(path), Some(port)) = (args.next(), args.next()) else {
		anyhow::bail!(
			"usage: bench_host <component.wasm> <port> [millicores] [nats_url [replicas]]"
		);
	};
	let port: u16 = port.parse()?;
	let cpu_millicores: u32 = args.next().map(|m| m.parse()).transpose()?.unwrap_or(1000);
	// Pool mode: the gateway of pool `bench` on this NATS server, confirming a deployment
	// once `replicas` workers serve it (start the workers separately).
	let pool = match (args.next(), args.next()) {
		(Some(nats_url), replicas) => Some(PoolConfig {
			nats_url,
			name: "bench".into(),
			role: PoolRole::Gateway,
			replicas: replicas.map(|r| r.parse()).transpose()?.unwrap_or(1),
			worker_name: None,
			replica_wait_secs: 60,
		}),
		(None, _) => None,
	};
	let package = std::fs::read(&path)?;
	let package_hash = package_hash(&package);
	let alice = subxt_signer::sr25519::dev::alice();
	let facts = OrderFacts {
		customer: alice.public_key().0,
		matched_provider: Some(PROVIDER),
		package_hash,
		ended: false,
		level: 0,
		memory_mb: 512,
		package_mb: 50,
		cpu_millicores,
	};

	let data = std::env::temp_dir().join(format!("defaas-bench-host-{}", std::process::id()));
	std::fs::create_dir_all(&data)?;
	let metrics = Arc::new(Metrics::new()?);
	let limits = HostLimits {
		baseline_compiler: std::env::var("BASELINE").map_or(true, |value| value != "0"),
		..HostLimits::default()
	};
	let host = Arc::new(FunctionHost::new(limits, metrics.clone())?);
	let wall_time = HostLimits::default().wall_time;
	let pool = match pool {
		None => None,
		Some(pool) => Gateway::connect(&pool, "bench-gateway", wall_time, &Shutdown::new()).await?,
	};
	let (deployed, _deployed_rx) = tokio::sync::mpsc::unbounded_channel();
	let state = Arc::new(AppState {
		host: host.clone(),
		pool,
		store: Arc::new(Store::open(&data)?),
		metrics,
		orders: Arc::new(FixedOrder(facts)),
		provider: PROVIDER,
		public_url: format!("http://127.0.0.1:{port}"),
		capacity: vec![(0, 1)],
		// Every load connection comes from 127.0.0.1: no per-source cap in the way.
		http: HttpLimits {
			max_connections: 1 << 20,
			max_connections_per_source: 1 << 20,
			..HttpLimits::default()
		},
		uploads: UploadGate::for_limits(&HttpLimits::default()),
		lookups: LookupLimiter::for_limits(&HttpLimits::default()),
		deployed,
	});
	let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
	let shutdown = Shutdown::new();
	let server = Server::start(listener, state, shutdown.clone(), Duration::from_secs(15))?;

	let put_sent = Instant::now();
	let cold_start = tokio::task::spawn_blocking(move || -> anyhow::Result<Duration> {
		let timestamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
		let signature = auth::sign_deployment(&alice, 0, &package_hash, timestamp);
		let head = format!(
			"PUT /deployments/0 HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/wasm\r\n\
			 content-length: {}\r\n{}: {timestamp}\r\n{}: {}\r\nconnection: close\r\n\r\n",
			package.len(),
			TIMESTAMP_HEADER,
			SIGNATURE_HEADER,
			signature_header(&signature),
		);
		let start = Instant::now();
		let (status, body) = request(port, &head, &package)?;
		anyhow::ensure!(status == 201, "deployment refused: {}", String::from_utf8_lossy(&body));
		let get = "GET /o/0/ HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n";
		loop {
			if request(port, get, &[])?.0 == 200 {
				return Ok(start.elapsed());
			}
		}
	})
	.await??;
	let _ = std::fs::remove_dir_all(&data);
	println!("cold start (PUT sent -> first 200): {:.1} ms", cold_start.as_secs_f64() * 1e3);
	if host.tier(0) == Some(Tier::Baseline) {
		println!("first 200 from the baseline compiler's (Winch) code");
	}
	if host.reached_tier(0, Tier::Optimized).await {
		// Measured from before the PUT's signing: an upper bound by well under a millisecond.
		let swapped = put_sent.elapsed().as_secs_f64() * 1e3;
		println!("optimized (Cranelift) code serving {swapped:.1} ms after the PUT");
	}
	println!("serving order 0 on http://127.0.0.1:{port}/o/0/ (Ctrl-C stops)");
	tokio::signal::ctrl_c().await?;
	shutdown.trigger();
	server.stopped().await;
	Ok(())
}
