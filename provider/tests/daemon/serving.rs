//! Serving deployed functions and the probe endpoints: functions, order health, capacity
//! challenge, `/healthz`, `/metrics`.

use crate::support::*;
use defaas_offchain_workers::{challenge, freivalds, probe};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployed_function_answers_with_its_original_path_and_query() {
	let daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");
	assert_eq!(daemon.order_and_deploy(7, &hello).await.status, 201);

	let reply = daemon.get("/o/7/greet?x=1").await;
	assert_eq!(reply.status, 200, "{}", reply.text());
	assert_eq!(reply.text(), "Hello from DeFaaS! path=/o/7/greet?x=1\n");
	assert!(reply.complete);

	let reply = daemon.get("/o/7").await;
	assert_eq!(reply.text(), "Hello from DeFaaS! path=/o/7\n");
	let reply = daemon.request("POST", "/o/7/a/b", &[], b"ignored".to_vec()).await;
	assert_eq!(reply.text(), "Hello from DeFaaS! path=/o/7/a/b\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_order_is_a_json_404() {
	let daemon = TestDaemon::start(test_config()).await;
	let reply = daemon.get("/o/99/greet").await;
	assert_eq!(reply.status, 404);
	assert_eq!(reply.error_code(), "unknown_order");
	assert_eq!(daemon.get("/o/99/.well-known/defaas/health").await.status, 404);
	assert_eq!(daemon.get("/nothing-here").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_health_answers_what_the_liveness_probe_expects() {
	let daemon = TestDaemon::start(test_config()).await;
	assert_eq!(daemon.order_and_deploy(3, &function_bytes("hello")).await.status, 201);
	let url = challenge::health_url("", 3);
	assert_eq!(url, "/o/3/.well-known/defaas/health");
	let reply = daemon.get(&url).await;
	assert_eq!(reply.status, 200);
	assert_eq!(reply.json(), serde_json::json!({ "orderId": 3, "status": "serving" }));

	assert!(daemon.state.host.undeploy(3));
	assert_eq!(daemon.get(&url).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capacity_challenge_answer_passes_freivalds_check() {
	let daemon = TestDaemon::start(test_config()).await;
	assert_eq!(daemon.order_and_deploy(5, &function_bytes("hello")).await.status, 201);
	let seed = [0x42; 32];
	// The test level has 64 MiB of memory: the witness asks n = matrix_size(64) = 32.
	let n = freivalds::matrix_size(64);
	let body = challenge::encode_request(&seed, n, 5);
	let headers = [("content-type", challenge::REQUEST_CONTENT_TYPE.to_owned())];
	let reply = daemon.request("POST", challenge::CHALLENGE_PATH, &headers, body).await;
	assert_eq!(reply.status, 200, "{}", reply.text());
	assert_eq!(
		reply.headers.get("content-type").and_then(|v| v.to_str().ok()),
		Some(challenge::PRODUCT_CONTENT_TYPE)
	);
	let c = challenge::decode_product(&reply.body, n).expect("n·n·8 bytes");
	let a = freivalds::matrix(&seed, b'A', n);
	let b = freivalds::matrix(&seed, b'B', n);
	assert!(freivalds::verify(&a, &b, &c, n, 16, &[7; 32]));

	// Larger than the level allows, unknown order, malformed body: 4xx.
	let too_big = challenge::encode_request(&seed, n + 1, 5);
	let reply = daemon.request("POST", challenge::CHALLENGE_PATH, &headers, too_big).await;
	assert_eq!(reply.status, 422);
	let unknown = challenge::encode_request(&seed, n, 6);
	let reply = daemon.request("POST", challenge::CHALLENGE_PATH, &headers, unknown).await;
	assert_eq!(reply.status, 404);
	let reply = daemon.request("POST", challenge::CHALLENGE_PATH, &headers, b"{}".to_vec()).await;
	assert_eq!(reply.status, 400);
	assert_eq!(daemon.get(challenge::CHALLENGE_PATH).await.status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_capacity_the_heartbeat_worker_parses() {
	let daemon = TestDaemon::start(test_config()).await;
	let reply = daemon.get(probe::HEALTHZ_PATH).await;
	assert_eq!(reply.status, 200);
	assert_eq!(probe::parse_capacity(&reply.body), Some(vec![(0, 3), (1, 1)]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_order_and_code() {
	let daemon = TestDaemon::start(test_config()).await;
	assert_eq!(daemon.order_and_deploy(11, &function_bytes("hello")).await.status, 201);
	for _ in 0..3 {
		assert_eq!(daemon.get("/o/11/").await.status, 200);
	}
	assert_eq!(daemon.get("/o/12/").await.status, 404);
	let reply = daemon.get("/metrics").await;
	assert_eq!(reply.status, 200);
	let text = reply.text();
	assert!(text.contains("defaas_provider_requests_total{code=\"200\",order=\"11\"} 3"), "{text}");
	assert!(text.contains("defaas_provider_request_duration_seconds_count{order=\"11\"} 3"));
	assert!(text.contains("defaas_provider_deployments 1"));
	assert!(text.contains("defaas_provider_instances "));
	assert!(text.contains("defaas_provider_rejected_requests_total{reason=\"unknown_order\"} 1"));
	assert!(text.contains("defaas_provider_rejected_requests_total{reason=\"cpu_time\"} 0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_beyond_the_cpu_share_are_refused_not_queued() {
	// 250 millicores: one request at a time; `spin` holds its slot for the CPU budget.
	let mut config = test_config();
	config.queue_wait = std::time::Duration::ZERO;
	let daemon = TestDaemon::start(config).await;
	let spin = function_bytes("spin");
	let mut order = order_for(&spin);
	order.cpu_millicores = 250;
	daemon.orders.insert(1, order);
	assert_eq!(daemon.upload(1, &spin, now()).await.status, 201);

	let addr = daemon.addr;
	let first = tokio::spawn(async move { request(addr, "GET", "/o/1/", &[], Vec::new()).await });
	// Wait until the first request holds the slot.
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
	while daemon.state.metrics.instances.get() == 0 && std::time::Instant::now() < deadline {
		tokio::time::sleep(std::time::Duration::from_millis(5)).await;
	}
	let second = daemon.get("/o/1/").await;
	assert_eq!(second.status, 503);
	assert_eq!(second.text(), "function busy: concurrency limit reached\n");
	let first = first.await.expect("first request");
	assert_eq!(first.text(), "function trapped: cpu time limit exceeded\n");
	let metrics = &daemon.state.metrics;
	assert_eq!(metrics.rejected_count(defaas_provider::metrics::RejectReason::Concurrency), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_instance_pool_are_refused_as_busy() {
	// Room for one instance in the whole host (over both compiler tiers' engines); `spin` keeps
	// it for its CPU budget.
	let mut config = test_config();
	config.max_instances = 1;
	let daemon = TestDaemon::start(config).await;
	assert_eq!(daemon.order_and_deploy(1, &function_bytes("spin")).await.status, 201);
	assert_eq!(daemon.order_and_deploy(2, &function_bytes("hello")).await.status, 201);
	let addr = daemon.addr;
	let spinning =
		tokio::spawn(async move { request(addr, "GET", "/o/1/", &[], Vec::new()).await });
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
	while daemon.state.metrics.instances.get() == 0 && std::time::Instant::now() < deadline {
		tokio::time::sleep(std::time::Duration::from_millis(5)).await;
	}
	// The spinning request counts as an instance once it holds the host's only instance slot.
	let reply = daemon.get("/o/2/").await;
	assert_eq!(reply.status, 503, "{}", reply.text());
	assert_eq!(reply.text(), "function busy: concurrency limit reached\n");
	assert_eq!(spinning.await.expect("spin").status, 503);
	// The pool slot is free again.
	assert_eq!(daemon.get("/o/2/").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_served_and_names_every_route() {
	let daemon = TestDaemon::start(test_config()).await;
	let reply = daemon.get("/openapi.json").await;
	assert_eq!(reply.status, 200);
	assert_eq!(reply.headers["content-type"], "application/json");
	let document = reply.json();
	assert_eq!(document["openapi"], "3.0.3");
	let paths = document["paths"].as_object().expect("paths");
	for route in [
		defaas_provider::server::HEALTHZ_PATH,
		defaas_provider::server::METRICS_PATH,
		defaas_provider::server::OPENAPI_PATH,
		defaas_offchain_workers::challenge::CHALLENGE_PATH,
		"/deployments/{order_id}",
		"/o/{order_id}/.well-known/defaas/health",
		"/o/{order_id}/{path}",
	] {
		let operations = paths.get(route).unwrap_or_else(|| panic!("{route} is documented"));
		for (method, operation) in operations.as_object().expect("operations") {
			if method != "parameters" {
				assert!(operation["responses"].is_object(), "{method} {route} has responses");
			}
		}
	}
	assert_eq!(paths.len(), 7, "no route documented that the daemon does not serve");
	let challenge = &paths[challenge::CHALLENGE_PATH]["post"]["requestBody"]["content"]
		["application/json"]["schema"]["properties"];
	assert_eq!(challenge["n"]["maximum"], freivalds::MAX_MATRIX_SIZE);
	assert_eq!(challenge["n"]["minimum"], 1);
	// A wrong method is answered 405 with the `Allow` header RFC 9110 requires.
	for (method, path, allow) in [
		("DELETE", "/healthz", "GET"),
		("POST", "/openapi.json", "GET"),
		("GET", challenge::CHALLENGE_PATH, "POST"),
		("GET", "/deployments/1", "PUT"),
	] {
		let reply = daemon.request(method, path, &[], Vec::new()).await;
		assert_eq!((reply.status, reply.error_code().as_str()), (405, "method_not_allowed"));
		assert_eq!(reply.headers["allow"], allow, "{method} {path}");
	}
	// The deployment API's documented answers are the ones it gives (crate::deploy's table).
	let put = &paths["/deployments/{order_id}"]["put"]["responses"];
	for status in
		["200", "201", "400", "401", "404", "408", "409", "413", "422", "429", "500", "503"]
	{
		assert!(put.get(status).is_some(), "PUT /deployments answers {status}");
	}
}
