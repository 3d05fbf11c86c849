//! Graceful shutdown: the listener closes at once, requests in flight finish, idle connections
//! do not hold the shutdown up, busy ones are cut at the drain timeout, and the store is
//! closed — ready to be opened again — when the shutdown resolves.

use crate::support::*;
use bytes::Bytes;
use defaas_provider::{
	server::{DrainReport, Phase},
	store::Store,
};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::{io::ErrorKind, sync::Arc, time::Duration};
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_requests_refuses_new_ones_and_closes_the_store() {
	let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
	let daemon = TestDaemon::start_in(dir.clone(), test_config()).await;
	let hello = function_bytes("hello");
	assert_eq!(daemon.order_and_deploy(60, &hello).await.status, 201);

	// A request in flight: a retried upload whose order lookup the "chain" holds.
	let held = daemon.orders.hold(60);
	let in_flight = tokio::spawn(upload(daemon.addr, 60, hello.clone(), now()));
	held.entered().await;

	daemon.shutdown();
	daemon.server().reached(Phase::Draining).await;
	let refused = TcpStream::connect(daemon.addr).await.map(|_| ());
	assert_eq!(refused.map_err(|e| e.kind()), Err(ErrorKind::ConnectionRefused));
	assert_eq!(daemon.server().phase(), Phase::Draining, "the request in flight keeps it open");

	held.release();
	let reply = in_flight.await.expect("upload task");
	assert_eq!(reply.status, 200, "{}", reply.text());
	assert_eq!(reply.json()["status"], "deployed");
	assert!(reply.complete);

	let report = daemon.stop().await;
	assert_eq!(report.connections.aborted, 0);
	assert!(report.connections.open >= 1);
	assert!(report.store_closed);
	// Closed: another daemon opens it at once and finds the deployment.
	let store = Store::open(dir.path()).expect("the store opens right after the shutdown");
	assert_eq!(store.deployment(60).expect("read").map(|record| record.package), Some(hello));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_do_not_hold_up_the_shutdown() {
	// A drain timeout far beyond the test's bound: only closing idle connections at once lets
	// the shutdown finish in time.
	let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
	let daemon = TestDaemon::start_with(dir, test_config(), Duration::from_secs(3600)).await;
	let stream = TcpStream::connect(daemon.addr).await.expect("connect");
	let (mut sender, connection) =
		hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
	let connection = tokio::spawn(connection);
	let request = hyper::Request::get("/healthz")
		.header("host", daemon.addr.to_string())
		.body(Empty::<Bytes>::new())
		.expect("request");
	let response = sender.send_request(request).await.expect("response");
	assert_eq!(response.status(), 200);
	response.into_body().collect().await.expect("body");
	// The connection stays open (keep-alive) and idle while `sender` lives.

	let report = tokio::time::timeout(EXCHANGE_TIMEOUT, daemon.stop()).await.expect("stopped");
	// (`open` may be 0: the idle connection can close and be reaped in the very poll in which
	// the server loop notices the shutdown.)
	assert_eq!(report.connections.aborted, 0);
	assert!(report.store_closed);
	// The daemon closed the idle connection: the client's connection task ends.
	tokio::time::timeout(EXCHANGE_TIMEOUT, connection)
		.await
		.expect("closed by the daemon")
		.expect("connection task")
		.expect("a clean close");
	drop(sender);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_still_busy_at_the_drain_timeout_are_cut_and_the_store_still_closes() {
	let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
	let daemon =
		TestDaemon::start_with(dir.clone(), test_config(), Duration::from_millis(10)).await;
	let hello = function_bytes("hello");
	daemon.orders.insert(61, order_for(&hello));
	// Held forever: the upload never finishes by itself.
	let held = daemon.orders.hold(61);
	let addr = daemon.addr;
	let stuck = tokio::spawn(async move {
		let stream = TcpStream::connect(addr).await.expect("connect");
		let (mut sender, connection) =
			hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
		tokio::spawn(connection);
		let mut request = hyper::Request::put("/deployments/61")
			.header("host", addr.to_string())
			.body(http_body_util::Full::new(Bytes::from(hello.clone())))
			.expect("request");
		for (name, value) in upload_headers(61, &hash(&hello), now()) {
			request.headers_mut().insert(name, value.parse().expect("header value"));
		}
		sender.send_request(request).await.map(|response| response.status())
	});
	held.entered().await;

	let report = daemon.stop().await;
	assert_eq!(report.connections, DrainReport { open: 1, aborted: 1 });
	assert!(report.store_closed);
	assert!(stuck.await.expect("client task").is_err(), "the cut request gets no answer");
	Store::open(dir.path()).expect("the store opens right after the shutdown");
}
