//! Clients that try to take the daemon away from everyone else: one address holding
//! connections open with bodies that never arrive, and paths that name an order another way.

use crate::support::*;
use defaas_primitives::deploy::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use defaas_provider::config::HttpLimits;
use std::{
	net::{IpAddr, Ipv4Addr, SocketAddr},
	sync::Arc,
};
use tokio::{
	io::AsyncWriteExt,
	net::{TcpSocket, TcpStream},
};

/// The attacker's source address (the loopback network is 127.0.0.0/8 on Linux); customers
/// come from 127.0.0.1.
const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// A daemon with the HTTP limits `http`.
async fn daemon_with(http: HttpLimits) -> TestDaemon {
	let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
	let config = test_config();
	let drain = config.wall_time + defaas_provider::config::DRAIN_MARGIN;
	TestDaemon::start_with_http(dir, config, drain, http).await
}

/// A connection to `addr` from `source`.
async fn connect_from(source: IpAddr, addr: SocketAddr) -> TcpStream {
	let socket = TcpSocket::new_v4().expect("socket");
	socket.bind(SocketAddr::new(source, 0)).expect("bind the client address");
	socket.connect(addr).await.expect("connect")
}

/// The head of a capacity challenge announcing 1,000 bytes of body, and one byte of it.
const SLOW_CHALLENGE: &[u8] = b"POST /.well-known/defaas/challenge HTTP/1.1\r\nhost: daemon\r\n\
	content-type: application/json\r\ncontent-length: 1000\r\n\r\n{";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_take_the_connections_of_everyone_else() {
	let http =
		HttpLimits { max_connections: 16, max_connections_per_source: 4, ..HttpLimits::default() };
	let daemon = daemon_with(http).await;
	// The attacker's four connections each send a body that never completes.
	let mut held = Vec::new();
	for _ in 0..4 {
		let mut stream = connect_from(ATTACKER, daemon.addr).await;
		stream.write_all(SLOW_CHALLENGE).await.expect("send");
		held.push(stream);
	}
	// A fifth from the same address is refused at once, with a reason (the listener accepts
	// in the order the connections arrived, so the four are counted before it).
	let mut fifth = connect_from(ATTACKER, daemon.addr).await;
	let refused = read_response(&mut fifth).await.expect("a response");
	assert_eq!(refused.status, 503);
	assert_eq!(refused.error_code(), "too_many_connections");
	assert_eq!(daemon.state.metrics.refused_connections.get(), 1);
	// Customers from another address are served meanwhile.
	for _ in 0..8 {
		assert_eq!(daemon.get("/healthz").await.status, 200);
	}
	// Once the attacker lets go, its address is served again.
	drop(held);
	let served = defaas_testkit::wait::poll("the attacker's connections closed", 30, || async {
		let mut stream = connect_from(ATTACKER, daemon.addr).await;
		stream.write_all(b"GET /healthz HTTP/1.1\r\nhost: daemon\r\n\r\n").await?;
		let reply = read_response(&mut stream).await?;
		Ok((reply.status == 200).then_some(reply))
	})
	.await;
	assert!(served.is_ok(), "{served:?}");
	daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_in_time_is_cut_off() {
	let http = HttpLimits { body_timeout_ms: 300, ..HttpLimits::default() };
	let daemon = daemon_with(http).await;
	let mut stream = TcpStream::connect(daemon.addr).await.expect("connect");
	stream.write_all(SLOW_CHALLENGE).await.expect("send");
	let reply = read_response(&mut stream).await.expect("a response");
	assert_eq!(reply.status, 408);
	assert_eq!(reply.error_code(), "request_timeout");
	daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_has_one_path() {
	let daemon = TestDaemon::start(test_config()).await;
	let reply = daemon.order_and_deploy(1, &function_bytes("hello")).await;
	assert_eq!(reply.status, 201, "{}", reply.text());
	assert_eq!(daemon.get("/o/1/greet").await.status, 200);
	for path in ["/o/+1/greet", "/o/01/greet", "/o/-1/greet", "/o/1x/greet", "/o//greet"] {
		let reply = daemon.get(path).await;
		assert_eq!((reply.status, reply.error_code().as_str()), (404, "not_found"), "{path}");
	}
	for path in ["/o/2/../1/greet", "/o/1/./greet", "/o/1/%2e%2E/1/greet", "/o/1/%2E/greet"] {
		let reply = daemon.get(path).await;
		assert_eq!((reply.status, reply.error_code().as_str()), (400, "bad_request"), "{path}");
	}
	let reply = daemon.request("PUT", "/deployments/01", &[], b"x".to_vec()).await;
	assert_eq!(reply.status, 400);
	daemon.stop().await;
}

/// The head of a signed upload of `package` for `order_id` that waits for `100 Continue`:
/// with `Content-Length` or, if `chunked`, without.
fn upload_head(order_id: u64, package: &[u8], chunked: bool) -> Vec<u8> {
	let mut head =
		format!("PUT /deployments/{order_id} HTTP/1.1\r\nhost: daemon\r\nexpect: 100-continue\r\n");
	if chunked {
		head.push_str("transfer-encoding: chunked\r\n");
	} else {
		head.push_str(&format!("content-length: {}\r\n", package.len()));
	}
	for (name, value) in upload_headers(order_id, &hash(package), now()) {
		head.push_str(&format!("{name}: {value}\r\n"));
	}
	head.push_str("\r\n");
	head.into_bytes()
}

/// Sends `head` and waits for the daemon's `100 Continue`: it reads the body from then on,
/// every check before it done (the upload admitted).
async fn start_upload(addr: SocketAddr, head: &[u8]) -> TcpStream {
	use tokio::io::AsyncReadExt;
	let mut stream = TcpStream::connect(addr).await.expect("connect");
	stream.write_all(head).await.expect("send the head");
	let mut interim = Vec::new();
	let mut byte = [0u8; 1];
	while !interim.ends_with(b"\r\n\r\n") {
		let read = stream.read(&mut byte).await.expect("read");
		assert_eq!(read, 1, "closed before 100 Continue: {}", String::from_utf8_lossy(&interim));
		interim.push(byte[0]);
	}
	assert!(interim.starts_with(b"HTTP/1.1 100"), "{}", String::from_utf8_lossy(&interim));
	stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_upload_of_an_order_waits_for_the_first() {
	let daemon = TestDaemon::start(test_config()).await;
	let package = function_bytes("hello");
	daemon.orders.insert(1, order_for(&package));
	let mut first = start_upload(daemon.addr, &upload_head(1, &package, false)).await;
	// The same upload again while the first is in progress: refused, nothing compiled twice.
	let second = upload(daemon.addr, 1, package.clone(), now()).await;
	assert_eq!((second.status, second.error_code().as_str()), (409, "upload_in_progress"));
	first.write_all(&package).await.expect("send the body");
	let reply = read_response(&mut first).await.expect("a response");
	assert_eq!(reply.status, 201, "{}", reply.text());
	// Once it is done, a retry is the idempotent one.
	assert_eq!(upload(daemon.addr, 1, package, now()).await.status, 200);
	daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_in_progress_share_a_budget_of_bytes() {
	let http = HttpLimits { max_upload_mb_in_flight: 1, ..HttpLimits::default() };
	let daemon = daemon_with(http).await;
	let package = function_bytes("hello");
	daemon.orders.insert(1, order_for(&package));
	daemon.orders.insert(2, order_for(&package));
	// Without a length, the first upload may still send its level's whole 1 MiB: the budget.
	let first = start_upload(daemon.addr, &upload_head(1, &package, true)).await;
	let refused = upload(daemon.addr, 2, package.clone(), now()).await;
	assert_eq!((refused.status, refused.error_code().as_str()), (503, "uploads_busy"));
	// The first client gives up: its bytes are free again.
	drop(first);
	let served = defaas_testkit::wait::poll("the first upload's bytes released", 30, || async {
		let reply = upload(daemon.addr, 2, package.clone(), now()).await;
		Ok((reply.status == 201).then_some(reply))
	})
	.await;
	assert!(served.is_ok(), "{served:?}");
	daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_make_the_daemon_look_orders_up_without_end() {
	let http = HttpLimits {
		deploy_lookups_per_minute: 1,
		deploy_lookup_burst: 3,
		..HttpLimits::default()
	};
	let daemon = daemon_with(http).await;
	// Unsigned uploads (a well-formed signature of nobody) with fresh timestamps: each of the
	// first three costs a lookup and is refused for what it is.
	let forged = format!("0x{}", "11".repeat(64));
	let put = format!(
		"PUT /deployments/7 HTTP/1.1\r\nhost: daemon\r\n{TIMESTAMP_HEADER}: {}\r\n\
		 {SIGNATURE_HEADER}: {forged}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
		now()
	);
	for _ in 0..3 {
		let mut stream = connect_from(ATTACKER, daemon.addr).await;
		stream.write_all(put.as_bytes()).await.expect("send");
		let reply = read_response(&mut stream).await.expect("a response");
		assert_eq!((reply.status, reply.error_code().as_str()), (404, "unknown_order"));
	}
	assert_eq!(daemon.orders.lookups(), 3);
	// The fourth within the minute is refused before any lookup, with when to come back.
	let mut stream = connect_from(ATTACKER, daemon.addr).await;
	stream.write_all(put.as_bytes()).await.expect("send");
	let reply = read_response(&mut stream).await.expect("a response");
	assert_eq!((reply.status, reply.error_code().as_str()), (429, "too_many_requests"));
	let retry_after: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
	assert!((1..=60).contains(&retry_after), "{retry_after}");
	assert_eq!(daemon.orders.lookups(), 3);
	// A customer from another address uploads meanwhile.
	let reply = daemon.order_and_deploy(8, &function_bytes("hello")).await;
	assert_eq!(reply.status, 201, "{}", reply.text());
}

/// The connection-exhaustion attack, replayed: 20,000 connections from one address, each
/// sending the head of a challenge and one byte of its body — while customers from another
/// address call a function all along. The daemon keeps the attacker's first
/// `max_connections_per_source` (they wait for their body deadline), refuses every other with
/// `503 too_many_connections` at once and closes it, and serves every customer. The attacker
/// holds the admitted connections to the end and lets a refused one go once it has read the
/// refusal (the daemon has closed it already): the test process, daemon included, stays far
/// below the 20,000 open files a CI machine allows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_slow_connections_from_one_address_leave_customers_served() {
	const ATTACK: usize = 20_000;
	// The admitted connections wait out the whole test (their body deadline is far away), so
	// exactly the first `max_connections_per_source` are admitted, in connection order.
	let http = HttpLimits { body_timeout_ms: 3_600_000, ..HttpLimits::default() };
	let per_source = http.max_connections_per_source;
	let daemon = daemon_with(http).await;
	assert_eq!(daemon.order_and_deploy(9, &function_bytes("hello")).await.status, 201);
	let mut held = Vec::with_capacity(per_source);
	let mut served = 0;
	for i in 0..ATTACK {
		let mut stream = connect_from(ATTACKER, daemon.addr).await;
		// A refused connection may already be closed by the daemon: the write may fail.
		let _ = stream.write_all(SLOW_CHALLENGE).await;
		if i >= per_source {
			let refused = read_response(&mut stream).await.expect("a refusal");
			assert_eq!(
				(refused.status, refused.error_code().as_str()),
				(503, "too_many_connections"),
				"connection {i}"
			);
		} else {
			held.push(stream);
		}
		if i % 500 == 0 {
			let reply = daemon.get("/o/9/greet").await;
			assert_eq!(reply.status, 200, "a customer during the attack ({i} connections)");
			served += 1;
		}
	}
	assert_eq!(held.len(), per_source);
	for _ in 0..20 {
		assert_eq!(daemon.get("/o/9/greet").await.status, 200, "a customer at the attack's peak");
		served += 1;
	}
	assert_eq!(daemon.state.metrics.refused_connections.get(), (ATTACK - per_source) as u64);
	assert_eq!(served, ATTACK / 500 + 20);
	drop(held);
}
