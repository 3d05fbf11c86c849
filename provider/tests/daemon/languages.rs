//! Functions written in Python and JavaScript, packaged by their own tooling
//! (`examples/functions/python-hello`, `examples/functions/js-hello`), are served exactly like
//! Rust's: the same signed upload, the same routes, within a level's limits.

use crate::support::*;
use defaas_provider::orders::OrderFacts;
use defaas_testkit::functions::{self, Guest};
use serde_json::{json, Value};

/// The memory of the orders here, MiB: the tests' largest slot ([`test_config`]); the paper's
/// smallest level has 512.
const MEMORY_MB: u32 = 128;

/// The package limit of the orders here, MiB: the paper's smallest level (the Python and
/// JavaScript components carry their interpreter or engine: 12 to 19 MB).
const PACKAGE_MB: u32 = 50;

/// `guest` built (or found built from the same sources).
fn guest_bytes(guest: Guest) -> Vec<u8> {
	let path = functions::build(guest).unwrap_or_else(|e| panic!("build {guest:?}: {e:#}"));
	std::fs::read(path).expect("read the component")
}

/// Orders `package` as `order_id` at a level it fits and deploys it: `201`.
async fn deploy(daemon: &TestDaemon, order_id: u64, package: &[u8]) {
	let facts = OrderFacts { memory_mb: MEMORY_MB, package_mb: PACKAGE_MB, ..order_for(package) };
	daemon.orders.insert(order_id, facts);
	let reply = daemon.upload(order_id, package, now()).await;
	assert_eq!(reply.status, 201, "order {order_id}: {}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_in_rust_python_and_javascript_answers_through_the_daemon() {
	let daemon = TestDaemon::start(test_config()).await;
	let hellos = [
		(81, function_bytes("hello"), "Hello from DeFaaS!"),
		(82, guest_bytes(Guest::PYTHON_HELLO), "Hello from DeFaaS in Python!"),
		(83, guest_bytes(Guest::JS_HELLO), "Hello from DeFaaS in JavaScript!"),
	];
	for (order_id, package, _) in &hellos {
		deploy(&daemon, *order_id, package).await;
	}
	for (order_id, _, greeting) in &hellos {
		for path in [format!("/o/{order_id}/greet?x=1"), format!("/o/{order_id}")] {
			let reply = daemon.get(&path).await;
			assert_eq!(reply.status, 200, "{path}: {}", reply.text());
			assert_eq!(reply.text(), format!("{greeting} path={path}\n"));
			assert!(reply.complete);
		}
	}
	// Each answered as its own order, each request in an instance of its own whose memory
	// stayed within the level's.
	let metrics = daemon.get("/metrics").await.text();
	for (order_id, ..) in &hellos {
		let served =
			format!("defaas_provider_requests_total{{code=\"200\",order=\"{order_id}\"}} 2");
		assert!(metrics.contains(&served), "{served} in {metrics}");
		let label = format!("{{order=\"{order_id}\"}}");
		let sample = |name: &str| -> f64 {
			let prefix = format!("defaas_provider_instance_memory_bytes_{name}{label} ");
			let line = metrics.lines().find_map(|line| line.strip_prefix(&prefix));
			line.and_then(|value| value.parse().ok())
				.unwrap_or_else(|| panic!("{prefix}in {metrics}"))
		};
		assert_eq!(sample("count"), 2.0);
		let per_instance = sample("sum") / 2.0;
		assert!(
			per_instance > 0.0 && per_instance <= f64::from(MEMORY_MB) * 1048576.0,
			"order {order_id}: {per_instance} bytes per instance"
		);
	}
}

/// `POST body` to the statistics function of `order_id`: the status and the JSON answer.
async fn stats(daemon: &TestDaemon, order_id: u64, body: &[u8]) -> (u16, Value) {
	let reply = daemon.request("POST", &format!("/o/{order_id}/stats"), &[], body.to_vec()).await;
	let content_type = reply.headers.get("content-type").map(|value| value.as_bytes().to_vec());
	assert_eq!(content_type.as_deref(), Some(&b"application/json"[..]), "{}", reply.text());
	let document = serde_json::from_slice(&reply.body)
		.unwrap_or_else(|e| panic!("order {order_id} answered {}: {e}", reply.text()));
	(reply.status, document)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_function_answers_the_same_in_python_and_javascript() {
	let daemon = TestDaemon::start(test_config()).await;
	let guests = [(91, Guest::PYTHON_STATS), (92, Guest::JS_STATS)];
	for (order_id, guest) in guests {
		deploy(&daemon, order_id, &guest_bytes(guest)).await;
	}
	// 1..=1000 shuffled by a fixed permutation, and two more: 1002 values.
	let mut values: Vec<f64> = (0..1000).map(|i| f64::from((i * 617) % 1000 + 1)).collect();
	values.extend([0.5, -2.25]);
	let sum: f64 = values.iter().sum();
	let mean = sum / values.len() as f64;
	let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / values.len() as f64;
	let request = serde_json::to_vec(&json!({ "values": values })).expect("json");

	for (order_id, guest) in guests {
		let (status, answer) = stats(&daemon, order_id, &request).await;
		assert_eq!(status, 200, "{guest:?}: {answer}");
		assert_eq!(answer["count"], 1002, "{guest:?}");
		let number =
			|name: &str| answer[name].as_f64().unwrap_or_else(|| panic!("{name}: {answer}"));
		for (name, expected) in [
			("sum", sum),
			("mean", mean),
			("median", 499.5),
			("min", -2.25),
			("max", 1000.0),
			("stddev", variance.sqrt()),
		] {
			let got = number(name);
			assert!(
				(got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
				"{guest:?} {name}: {got} ≠ {expected}"
			);
		}

		// An odd count has a middle value.
		let (status, answer) = stats(&daemon, order_id, br#"{"values": [3, 1, 2]}"#).await;
		assert_eq!((status, answer["median"].as_f64()), (200, Some(2.0)), "{guest:?}: {answer}");

		for bad in [
			&b"not json"[..],
			br#"[1, 2, 3]"#,
			br#"{"values": []}"#,
			br#"{"values": [1, "2"]}"#,
			br#"{"values": [1, true]}"#,
			br#"{"values": [1e999]}"#,
		] {
			let (status, answer) = stats(&daemon, order_id, bad).await;
			assert_eq!(status, 400, "{guest:?} {}: {answer}", String::from_utf8_lossy(bad));
			assert!(answer["error"].as_str().is_some_and(|error| !error.is_empty()), "{answer}");
		}
		let reply = daemon.get(&format!("/o/{order_id}/stats")).await;
		assert_eq!(reply.status, 405, "{guest:?}");
		assert_eq!(reply.headers.get("allow").map(|v| v.as_bytes()), Some(&b"POST"[..]));
	}
}
