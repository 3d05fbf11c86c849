//! The computing pool without a chain: a real `nats-server`, the gateway in process (the
//! daemon's HTTP server and deployment API over the mock order source) and real worker
//! processes (`defaas-provider` with `[pool] role = "worker"`). The same pool on a chain, with
//! witnesses, a lease and workers in network namespaces: `node/tests/network/pool.rs`.

use crate::support::*;
use defaas_offchain_workers::{challenge, freivalds};
use defaas_provider::{config::PoolConfig, host::HostLimits, pool::gateway::WORKER_HEADER};
use defaas_testkit::{
	pool::{NatsServer, PoolWorker},
	wait::poll,
};
use std::{collections::BTreeMap, path::Path, time::Duration};

/// The `[limits]` of the test workers: those of [`test_config`].
const WORKER_LIMITS: &str = "cpu_ms = 200\nwall_ms = 5000\nmax_response_mb = 1\n";

/// A pool of the NATS server at `url`, named `name`, with `replicas`.
fn pool(url: &str, name: &str, replicas: u32, replica_wait_secs: u64) -> PoolConfig {
	toml::from_str(&format!(
		"nats_url = \"{url}\"\nname = \"{name}\"\nrole = \"gateway\"\nreplicas = {replicas}\n\
		 replica_wait_secs = {replica_wait_secs}\n"
	))
	.expect("a pool table")
}

/// Starts workers `names` of pool `name` (plain processes: the namespaced ones are in the
/// network tests) and waits until they are connected.
async fn workers(dir: &Path, nats: &NatsServer, name: &str, names: &[&str]) -> Vec<PoolWorker> {
	let mut started = Vec::new();
	for worker in names {
		started.push(
			PoolWorker::start(dir, name, worker, &nats.url(), None, WORKER_LIMITS)
				.expect("start a worker"),
		);
	}
	for worker in names {
		nats.wait_connected(worker).await.expect("the worker connects");
	}
	started
}

/// Waits until the gateway's `/healthz` counts `live` live workers.
async fn wait_live(daemon: &TestDaemon, live: usize) {
	poll(&format!("{live} live workers"), 60, || async {
		let reply = daemon.get("/healthz").await;
		let counted = reply.json()["pool"]["workers"]["live"].as_u64();
		Ok((counted == Some(live as u64)).then_some(()))
	})
	.await
	.expect("the live workers");
}

/// Sends `count` requests for `order_id`, eight at a time; the workers that answered, with
/// their share, and the statuses other than 200.
async fn spread(
	daemon: &TestDaemon,
	order_id: u64,
	count: usize,
) -> (BTreeMap<String, usize>, Vec<u16>) {
	let mut answered = BTreeMap::new();
	let mut failures = Vec::new();
	for batch in 0..count.div_ceil(8) {
		let requests = (0..8.min(count - batch * 8)).map(|i| {
			let path = format!("/o/{order_id}/spread/{batch}/{i}");
			async move { daemon.get(&path).await }
		});
		for reply in futures::future::join_all(requests).await {
			if reply.status != 200 {
				failures.push(reply.status);
				continue;
			}
			assert!(reply.text().starts_with("Hello from DeFaaS! path=/o/"), "{}", reply.text());
			let worker = reply.headers[WORKER_HEADER].to_str().expect("a name").to_owned();
			*answered.entry(worker).or_insert(0) += 1;
		}
	}
	(answered, failures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_serves_each_deployment_on_every_worker_and_spreads_the_requests() {
	let dir = tempfile::tempdir().expect("dir");
	let nats = NatsServer::start(&dir.path().join("nats")).await.expect("nats-server");
	let _workers = workers(dir.path(), &nats, "spread", &["w1", "w2", "w3"]).await;
	let daemon = TestDaemon::start_gateway(test_config(), pool(&nats.url(), "spread", 2, 60)).await;
	wait_live(&daemon, 3).await;

	let hello = function_bytes("hello");
	let reply = daemon.order_and_deploy(7, &hello).await;
	assert_eq!(reply.status, 201, "{}", reply.text());
	assert!(daemon.state.pool.as_ref().expect("a pool").serving(7) >= 2, "confirmed on 2 replicas");
	assert_eq!(daemon.deployed.len(), 1, "the bid engine is told once");
	// A retry is idempotent: nothing is published again, and it is confirmed as before.
	assert_eq!(daemon.order_and_deploy(7, &hello).await.status, 200);

	let reply = daemon.get("/o/7/greet?x=1").await;
	assert_eq!(reply.text(), "Hello from DeFaaS! path=/o/7/greet?x=1\n");
	// The deployment was confirmed on two replicas; the third may still be compiling it.
	let gateway = daemon.state.pool.clone().expect("a pool");
	poll("every worker serving order 7", 60, || async {
		Ok((gateway.serving(7) == 3).then_some(()))
	})
	.await
	.expect("three replicas");
	let (answered, failures) = spread(&daemon, 7, 48).await;
	assert!(failures.is_empty(), "{failures:?}");
	assert_eq!(answered.len(), 3, "every worker took a share: {answered:?}");

	// The probes of the witnesses: order health and the capacity challenge, from the workers.
	let reply = daemon.get(&challenge::health_url("", 7)).await;
	assert_eq!(reply.status, 200, "{}", reply.text());
	let seed = [0x42; 32];
	let n = freivalds::matrix_size(64);
	let headers = [("content-type", challenge::REQUEST_CONTENT_TYPE.to_owned())];
	let body = challenge::encode_request(&seed, n, 7);
	let reply = daemon.request("POST", challenge::CHALLENGE_PATH, &headers, body).await;
	assert_eq!(reply.status, 200, "{}", reply.text());
	assert!(reply.headers.contains_key(WORKER_HEADER), "answered by a worker");
	let c = challenge::decode_product(&reply.body, n).expect("n·n·8 bytes");
	let (a, b) = (freivalds::matrix(&seed, b'A', n), freivalds::matrix(&seed, b'B', n));
	assert!(freivalds::verify(&a, &b, &c, n, 16, &[7; 32]));
	let too_big = challenge::encode_request(&seed, n + 1, 7);
	let reply = daemon.request("POST", challenge::CHALLENGE_PATH, &headers, too_big).await;
	assert_eq!(reply.status, 422, "the level's limit holds on the workers: {}", reply.text());

	let healthz = daemon.get("/healthz").await;
	assert_eq!(healthz.status, 200);
	assert_eq!(healthz.json()["pool"]["workers"], serde_json::json!({ "live": 3, "total": 3 }));
	assert_eq!(healthz.json()["capacity"], serde_json::json!([[0, 3], [1, 1]]));

	// The level's limits hold on the workers: a memory bomb traps at the level's memory, an
	// endless response streams through NATS in pieces and breaks off at the worker's cap.
	let reply = daemon.order_and_deploy(8, &function_bytes("membomb")).await;
	assert_eq!(reply.status, 201, "{}", reply.text());
	let reply = daemon.get("/o/8/").await;
	assert_eq!(reply.status, 500, "{}", reply.text());
	assert_eq!(reply.text(), "function trapped: memory limit exceeded\n");
	let reply = daemon.order_and_deploy(9, &function_bytes("huge")).await;
	assert_eq!(reply.status, 201, "{}", reply.text());
	let reply = daemon.get("/o/9/").await;
	assert_eq!(reply.status, 200);
	assert!(!reply.complete, "the body must break off, not end normally");
	assert!(reply.body.len() <= 1 << 20, "{} bytes passed the 1 MiB cap", reply.body.len());
	assert!(reply.body.iter().all(|b| *b == b'x'));

	// A body larger than one NATS message (1 MiB by default) is refused, not cut.
	let large = vec![b'x'; 1 << 20];
	let reply = daemon.request("POST", "/o/7/upload", &[], large).await;
	assert_eq!(reply.status, 413, "{}", reply.text());
	assert_eq!(reply.error_code(), "request_too_large");
	// One under the limit is carried.
	let reply = daemon.request("POST", "/o/7/upload", &[], vec![b'y'; 512 << 10]).await;
	assert_eq!(reply.status, 200, "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_takes_only_its_in_flight_requests_and_a_new_one_takes_traffic() {
	let dir = tempfile::tempdir().expect("dir");
	let nats = NatsServer::start(&dir.path().join("nats")).await.expect("nats-server");
	let mut started = workers(dir.path(), &nats, "elastic", &["w1", "w2", "w3"]).await;
	let daemon =
		TestDaemon::start_gateway(test_config(), pool(&nats.url(), "elastic", 2, 60)).await;
	wait_live(&daemon, 3).await;
	let reply = daemon.order_and_deploy(3, &function_bytes("hello")).await;
	assert_eq!(reply.status, 201, "{}", reply.text());
	let gateway = daemon.state.pool.clone().expect("a pool");
	poll("every worker serving order 3", 60, || async {
		Ok((gateway.serving(3) == 3).then_some(()))
	})
	.await
	.expect("three replicas");

	// Killed like a crash: once NATS has dropped its connection, every request is answered
	// by the two others.
	started[0].kill();
	nats.wait_disconnected("w1").await.expect("NATS notices");
	let (answered, failures) = spread(&daemon, 3, 32).await;
	assert!(failures.is_empty(), "{failures:?}");
	assert!(!answered.contains_key("w1") && answered.len() == 2, "{answered:?}");
	assert_eq!(daemon.get(&challenge::health_url("", 3)).await.status, 200);

	// A new worker joins: it serves the deployment without anything else restarting and
	// takes its share.
	started.extend(workers(dir.path(), &nats, "elastic", &["w4"]).await);
	poll("w4 serving order 3", 60, || async {
		Ok(gateway.workers_serving(3).iter().any(|name| name == "w4").then_some(()))
	})
	.await
	.expect("w4 serves");
	let (answered, failures) = spread(&daemon, 3, 48).await;
	assert!(failures.is_empty(), "{failures:?}");
	assert!(answered.contains_key("w4"), "the new worker takes traffic: {answered:?}");
	// The dead worker's status goes stale: two of three known are live, then three of four.
	wait_live(&daemon, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_worker_the_gateway_refuses_and_a_slow_worker_times_out() {
	let dir = tempfile::tempdir().expect("dir");
	let nats = NatsServer::start(&dir.path().join("nats")).await.expect("nats-server");
	// The gateway gives a request 1 s (+ its 2 s margin); the worker lets a function spin 4 s.
	let config = HostLimits { wall_time: Duration::from_secs(1), ..test_config() };
	let daemon = TestDaemon::start_gateway(config, pool(&nats.url(), "lonely", 1, 2)).await;

	// No worker at all: the pool serves nothing and says so.
	let healthz = daemon.get("/healthz").await;
	assert_eq!(healthz.status, 503, "{}", healthz.text());
	assert_eq!(healthz.json()["pool"]["workers"], serde_json::json!({ "live": 0, "total": 0 }));
	let spin = function_bytes("spin");
	let reply = daemon.order_and_deploy(4, &spin).await;
	assert_eq!(reply.status, 503, "{}", reply.text());
	assert_eq!(reply.error_code(), "replicas_unavailable");
	assert!(daemon.deployed.is_empty(), "not confirmed");
	let reply = daemon.get("/o/4/").await;
	assert_eq!(reply.status, 503, "{}", reply.text());
	assert_eq!(reply.error_code(), "no_worker");
	assert_eq!(daemon.get(&challenge::health_url("", 4)).await.status, 404);

	// A worker comes: the retried deployment is confirmed (the record was kept).
	let limits = "cpu_ms = 4000\nwall_ms = 6000\n";
	let slow = PoolWorker::start(dir.path(), "lonely", "slow", &nats.url(), None, limits)
		.expect("a worker");
	nats.wait_connected("slow").await.expect("connects");
	let reply = daemon.order_and_deploy(4, &spin).await;
	assert_eq!(reply.status, 200, "already stored, now served: {}", reply.text());
	let reply = daemon.get("/o/4/").await;
	assert_eq!(reply.status, 504, "{}", reply.text());
	assert_eq!(reply.error_code(), "worker_timeout");

	// The lease ends: the gateway withdraws the deployment and the worker stops serving it.
	let gateway = daemon.state.pool.clone().expect("a pool");
	let spec = daemon.state.store.deployment_spec(4).expect("store").expect("stored");
	gateway.withdraw(4, &spec, false).await.expect("withdraw");
	poll("the worker to stop serving order 4", 60, || async {
		Ok((gateway.serving(4) == 0).then_some(()))
	})
	.await
	.expect("stopped");
	let reply = daemon.get("/o/4/").await;
	assert_eq!(reply.status, 503, "{}", reply.text());
	drop(slow);
}

/// Members of a new pool that start together race to create its buckets: the losers open what
/// the winner created (before, a worker that lost the race exited: "subjects overlap").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_that_start_together_all_join_a_new_pool() {
	let dir = tempfile::tempdir().expect("dir");
	let nats = NatsServer::start(&dir.path().join("nats")).await.expect("nats-server");
	let names = ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"];
	let _started = workers(dir.path(), &nats, "race", &names).await;
	let daemon = TestDaemon::start_gateway(test_config(), pool(&nats.url(), "race", 8, 60)).await;
	wait_live(&daemon, names.len()).await;
	let reply = daemon.order_and_deploy(5, &function_bytes("hello")).await;
	assert_eq!(reply.status, 201, "served by all eight: {}", reply.text());
}
