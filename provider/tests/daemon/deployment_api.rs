//! The deployment API: authentication, every rejection with its status and code (the host and
//! the store unchanged after each), idempotent retries, the deployment notification.

use crate::support::*;
use defaas_primitives::{
	deploy::{signature_header, SIGNATURE_HEADER, TIMESTAMP_HEADER},
	json::to_hex,
};
use defaas_provider::{auth, host::Tier};

/// Asserts the reply is the JSON error `code` with `status`, and nothing was deployed for
/// `order_id` nor announced.
fn assert_refused(daemon: &mut TestDaemon, reply: &Reply, status: u16, code: &str, order_id: u64) {
	assert_eq!(reply.status, status, "{}", reply.text());
	assert_eq!(reply.error_code(), code, "{}", reply.text());
	assert!(reply.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
	assert!(daemon.state.host.spec(order_id).is_none());
	assert!(daemon.state.store.deployment(order_id).expect("store").is_none());
	assert!(daemon.deployed.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_deployment_is_stored_announced_and_served() {
	let mut daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");
	let reply = daemon.order_and_deploy(21, &hello).await;
	assert_eq!(reply.status, 201, "{}", reply.text());
	let body = reply.json();
	assert_eq!(body["orderId"], 21);
	assert_eq!(body["status"], "deployed");
	assert_eq!(body["packageHash"], to_hex(&hash(&hello)));
	assert_eq!(body["url"], format!("http://{}/o/21/", daemon.addr));
	assert_eq!(daemon.deployed.try_recv().ok(), Some(21));
	let record = daemon.state.store.deployment(21).expect("store").expect("stored");
	assert_eq!(record.package, hello);
	// Served from the baseline code at once; the optimized code's artifact is stored before
	// that code is swapped in.
	assert!(daemon.state.host.reached_tier(21, Tier::Optimized).await);
	assert!(daemon.state.store.artifact(21).expect("store").is_some());
	assert_eq!(daemon.get("/o/21/x").await.text(), "Hello from DeFaaS! path=/o/21/x\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_the_same_upload_is_idempotent_and_does_not_recompile() {
	let mut daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");
	assert_eq!(daemon.order_and_deploy(22, &hello).await.status, 201);
	assert_eq!(daemon.deployed.try_recv().ok(), Some(22));
	let compilations = daemon.state.host.compilations();
	let reply = daemon.upload(22, &hello, now()).await;
	assert_eq!(reply.status, 200, "{}", reply.text());
	assert_eq!(reply.json()["status"], "deployed");
	assert_eq!(daemon.state.host.compilations(), compilations);
	assert_eq!(daemon.deployed.try_recv().ok(), Some(22));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_or_missing_headers_are_bad_requests() {
	let mut daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");
	daemon.orders.insert(30, order_for(&hello));
	let signature = signature_header(&auth::sign_deployment(&customer(), 30, &hash(&hello), now()));
	let cases: Vec<Vec<(&str, String)>> = vec![
		vec![],
		vec![(SIGNATURE_HEADER, signature.clone())],
		vec![(TIMESTAMP_HEADER, "soon".into()), (SIGNATURE_HEADER, signature)],
		vec![(TIMESTAMP_HEADER, now().to_string())],
		vec![(TIMESTAMP_HEADER, now().to_string()), (SIGNATURE_HEADER, "0xabcd".into())],
	];
	for headers in cases {
		let reply = daemon.request("PUT", "/deployments/30", &headers, hello.clone()).await;
		assert_refused(&mut daemon, &reply, 400, "bad_request", 30);
	}
	let reply = daemon.request("PUT", "/deployments/x", &[], Vec::new()).await;
	assert_eq!(reply.status, 400);
	assert_eq!(daemon.get("/deployments/30").await.status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_timestamp_is_refused() {
	let mut daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");
	daemon.orders.insert(31, order_for(&hello));
	for timestamp in [now() - 301 - 5, now() + 301 + 5] {
		let reply = daemon.upload(31, &hello, timestamp).await;
		assert_refused(&mut daemon, &reply, 401, "stale_timestamp", 31);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_the_chain_does_not_match_to_us_are_refused() {
	let mut daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");

	let reply = daemon.upload(32, &hello, now()).await;
	assert_refused(&mut daemon, &reply, 404, "unknown_order", 32);

	let mut order = order_for(&hello);
	order.matched_provider = Some([1; 32]);
	daemon.orders.insert(32, order.clone());
	let reply = daemon.upload(32, &hello, now()).await;
	assert_refused(&mut daemon, &reply, 409, "not_matched", 32);

	order.matched_provider = None;
	daemon.orders.insert(32, order.clone());
	let reply = daemon.upload(32, &hello, now()).await;
	assert_refused(&mut daemon, &reply, 409, "not_matched", 32);

	order.matched_provider = Some(PROVIDER);
	order.ended = true;
	daemon.orders.insert(32, order);
	let reply = daemon.upload(32, &hello, now()).await;
	assert_refused(&mut daemon, &reply, 409, "order_ended", 32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_by_anyone_but_the_customer_is_refused() {
	let mut daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");
	daemon.orders.insert(33, order_for(&hello));
	let bob = subxt_signer::sr25519::dev::bob();
	let timestamp = now();
	let cases = [
		// Someone else's key.
		auth::sign_deployment(&bob, 33, &hash(&hello), timestamp),
		// The customer's key over another order, hash or time.
		auth::sign_deployment(&customer(), 34, &hash(&hello), timestamp),
		auth::sign_deployment(&customer(), 33, &[0; 32], timestamp),
		auth::sign_deployment(&customer(), 33, &hash(&hello), timestamp - 1),
	];
	for signature in cases {
		let headers = [
			(TIMESTAMP_HEADER, timestamp.to_string()),
			(SIGNATURE_HEADER, signature_header(&signature)),
		];
		let reply = daemon.request("PUT", "/deployments/33", &headers, hello.clone()).await;
		assert_refused(&mut daemon, &reply, 401, "bad_signature", 33);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_over_the_level_limit_is_refused() {
	let mut daemon = TestDaemon::start(test_config()).await;
	// One byte over the level's 1 MiB, with a matching hash and signature.
	let package = vec![0u8; (1 << 20) + 1];
	let reply = daemon.order_and_deploy(35, &package).await;
	assert_refused(&mut daemon, &reply, 413, "package_too_large", 35);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_not_matching_the_order_hash_is_refused() {
	let mut daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");
	let panicky = function_bytes("panicky");
	daemon.orders.insert(36, order_for(&hello));
	// Signed over the order's hash (the customer's intent), but another package sent.
	let timestamp = now();
	let signature = auth::sign_deployment(&customer(), 36, &hash(&hello), timestamp);
	let headers = [
		(TIMESTAMP_HEADER, timestamp.to_string()),
		(SIGNATURE_HEADER, signature_header(&signature)),
	];
	let reply = daemon.request("PUT", "/deployments/36", &headers, panicky).await;
	assert_refused(&mut daemon, &reply, 422, "hash_mismatch", 36);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_that_is_not_a_wasi_http_component_is_refused() {
	let mut daemon = TestDaemon::start(test_config()).await;
	for (order_id, package) in [
		(37, b"definitely not wasm".to_vec()),
		// A valid core module, but not a component.
		(38, b"\0asm\x01\0\0\0".to_vec()),
		// A valid component that exports nothing.
		(39, b"\0asm\x0d\0\x01\0".to_vec()),
	] {
		let reply = daemon.order_and_deploy(order_id, &package).await;
		assert_refused(&mut daemon, &reply, 422, "invalid_component", order_id);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_chain_is_reported_as_unavailable() {
	let mut daemon = TestDaemon::start(test_config()).await;
	let hello = function_bytes("hello");
	daemon.orders.insert(40, order_for(&hello));
	daemon.orders.set_unavailable(true);
	let reply = daemon.upload(40, &hello, now()).await;
	assert_refused(&mut daemon, &reply, 503, "chain_unavailable", 40);
	daemon.orders.set_unavailable(false);
	assert_eq!(daemon.upload(40, &hello, now()).await.status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_package_without_length_is_cut_at_the_level_limit() {
	use tokio::io::AsyncWriteExt;

	let mut daemon = TestDaemon::start(test_config()).await;
	// 2 MiB in 64 KiB chunks, sent chunked (no Content-Length), against a 1 MiB level.
	let package = vec![7u8; 2 << 20];
	daemon.orders.insert(41, order_for(&package));
	let mut head = format!(
		"PUT /deployments/41 HTTP/1.1\r\nhost: {}\r\ntransfer-encoding: chunked\r\n",
		daemon.addr
	);
	for (name, value) in upload_headers(41, &hash(&package), now()) {
		head.push_str(&format!("{name}: {value}\r\n"));
	}
	head.push_str("\r\n");
	let stream = tokio::net::TcpStream::connect(daemon.addr).await.expect("connect");
	let (mut reader, mut writer) = stream.into_split();
	// The client writes the whole package while it reads the answer: the refusal must reach it
	// whether or not its writes succeed (the daemon refuses after 1 MiB).
	let writing = tokio::spawn(async move {
		writer.write_all(head.as_bytes()).await?;
		for chunk in package.chunks(64 << 10) {
			writer.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
			writer.write_all(chunk).await?;
			writer.write_all(b"\r\n").await?;
		}
		writer.write_all(b"0\r\n\r\n").await?;
		writer.flush().await
	});
	let reply = read_response(&mut reader).await.expect("the refusal reaches the client");
	eprintln!("the client's writes: {:?}", writing.await.expect("writer task"));
	// The rest of the body was not read: the daemon closes the connection after discarding it.
	assert_eq!(reply.headers.get("connection").and_then(|v| v.to_str().ok()), Some("close"));
	assert_refused(&mut daemon, &reply, 413, "package_too_large", 41);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_upload_is_discarded_so_a_client_that_writes_before_reading_gets_the_answer() {
	use tokio::io::AsyncWriteExt;

	// A client that sends its whole request before reading anything (like `curl -T`, or the
	// benchmark example): refused early — a signature by the wrong key — yet still answered.
	let mut daemon = TestDaemon::start(test_config()).await;
	let package = vec![9u8; 2 << 20];
	daemon.orders.insert(42, order_for(&package));
	let timestamp = now();
	let bob = subxt_signer::sr25519::dev::bob();
	let signature = auth::sign_deployment(&bob, 42, &hash(&package), timestamp);
	let head = format!(
		"PUT /deployments/42 HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n{TIMESTAMP_HEADER}: \
		 {timestamp}\r\n{SIGNATURE_HEADER}: {}\r\n\r\n",
		daemon.addr,
		package.len(),
		signature_header(&signature)
	);
	let stream = tokio::net::TcpStream::connect(daemon.addr).await.expect("connect");
	let (mut reader, mut writer) = stream.into_split();
	let written = async {
		writer.write_all(head.as_bytes()).await?;
		writer.write_all(&package).await?;
		writer.flush().await
	};
	let written = tokio::time::timeout(EXCHANGE_TIMEOUT, written).await.expect("written in time");
	eprintln!("the client's writes: {written:?}");
	let reply = read_response(&mut reader).await.expect("the refusal reaches the client");
	assert_refused(&mut daemon, &reply, 401, "bad_signature", 42);
}
