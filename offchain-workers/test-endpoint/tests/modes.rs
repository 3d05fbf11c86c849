//! Every mode of the endpoint over real TCP, with a std client.

mod common;

use common::{exchange, get, post, request};
use defaas_offchain_workers::{challenge, freivalds};
use defaas_test_endpoint::{Mode, TestEndpoint, HEALTHZ_PATH, MODE_CONTROL_PATH};
use std::{
	io::ErrorKind,
	net::TcpStream,
	time::{Duration, Instant},
};

const HEALTH_7: &str = "/o/7/.well-known/defaas/health";

/// The honest product of the challenge with `seed` and size `n`.
fn product(seed: &[u8; 32], n: u32) -> Vec<u64> {
	freivalds::multiply(&freivalds::matrix(seed, b'A', n), &freivalds::matrix(seed, b'B', n), n)
}

#[test]
fn healthy_mode_answers_every_probe() {
	let endpoint = TestEndpoint::start();
	assert!(endpoint.url().starts_with("http://127.0.0.1:"));
	assert_eq!(get(endpoint.addr(), HEALTHZ_PATH).unwrap().status, 200);
	let health = get(endpoint.addr(), HEALTH_7).unwrap();
	assert_eq!((health.status, health.header("connection")), (200, Some("close")));

	let seed = [9u8; 32];
	let reply =
		post(endpoint.addr(), challenge::CHALLENGE_PATH, &challenge::encode_request(&seed, 32, 7))
			.unwrap();
	assert_eq!(reply.status, 200);
	assert_eq!(reply.header("content-type"), Some("application/octet-stream"));
	assert_eq!(reply.header("content-length"), Some("8192"));
	let c = challenge::decode_product(&reply.body, 32).expect("n·n·8 bytes");
	assert_eq!(c, product(&seed, 32));

	assert_eq!(endpoint.requests(HEALTHZ_PATH), 1);
	assert_eq!(endpoint.health_requests(7), 1);
	assert_eq!(endpoint.challenge_requests(), 1);
	assert_eq!(endpoint.total_requests(), 3);
}

#[test]
fn fail_mode_answers_503() {
	let endpoint = TestEndpoint::start();
	endpoint.set_mode(Mode::Fail);
	assert_eq!(endpoint.mode(), Mode::Fail);
	assert_eq!(get(endpoint.addr(), HEALTHZ_PATH).unwrap().status, 503);
	assert_eq!(get(endpoint.addr(), HEALTH_7).unwrap().status, 503);
	let body = challenge::encode_request(&[1; 32], 32, 7);
	assert_eq!(post(endpoint.addr(), challenge::CHALLENGE_PATH, &body).unwrap().status, 503);
	assert_eq!(endpoint.total_requests(), 3);
	// Back to healthy.
	endpoint.set_mode(Mode::Healthy);
	assert_eq!(get(endpoint.addr(), HEALTH_7).unwrap().status, 200);
}

#[test]
fn timeout_mode_does_not_answer_and_does_not_block_stop() {
	let mut endpoint = TestEndpoint::start();
	endpoint.set_mode(Mode::Timeout);
	let started = Instant::now();
	let error = request(endpoint.addr(), "GET", HEALTH_7, &[], Duration::from_millis(300))
		.expect_err("no answer within 300 ms");
	assert!(matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "{error}");
	assert!(started.elapsed() < Duration::from_secs(5));
	assert_eq!(endpoint.health_requests(7), 1);

	// A client still waiting while the endpoint stops gets the connection closed, not an answer.
	let addr = endpoint.addr();
	let waiting = std::thread::spawn(move || {
		request(addr, "GET", HEALTHZ_PATH, &[], Duration::from_secs(20))
	});
	while endpoint.requests(HEALTHZ_PATH) == 0 {
		std::thread::sleep(Duration::from_millis(10));
	}
	let stopping = Instant::now();
	endpoint.stop();
	assert!(stopping.elapsed() < Duration::from_secs(2), "stop took {:?}", stopping.elapsed());
	assert!(waiting.join().unwrap().is_err(), "closed without an answer");
	assert!(stopping.elapsed() < Duration::from_secs(5));
}

#[test]
fn timeout_mode_answers_after_the_delay() {
	let endpoint = TestEndpoint::start();
	endpoint.set_mode(Mode::Timeout);
	endpoint.set_timeout_delay(Duration::from_millis(300));
	let started = Instant::now();
	assert_eq!(get(endpoint.addr(), HEALTH_7).unwrap().status, 200);
	assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn wrong_answer_mode_corrupts_exactly_one_entry() {
	let endpoint = TestEndpoint::start();
	endpoint.set_mode(Mode::WrongAnswer);
	assert_eq!(get(endpoint.addr(), HEALTH_7).unwrap().status, 200);
	for s in 0..5u8 {
		let seed = [s; 32];
		let body = challenge::encode_request(&seed, 32, 7);
		let reply = post(endpoint.addr(), challenge::CHALLENGE_PATH, &body).unwrap();
		assert_eq!(reply.status, 200);
		let c = challenge::decode_product(&reply.body, 32).expect("well-formed");
		let honest = product(&seed, 32);
		assert_eq!(c.iter().zip(&honest).filter(|(x, y)| x != y).count(), 1);
		let (a, b) = (freivalds::matrix(&seed, b'A', 32), freivalds::matrix(&seed, b'B', 32));
		assert!(!freivalds::verify(&a, &b, &c, 32, 30, &[s; 32]));
	}
}

#[test]
fn malformed_challenges_unknown_paths_and_wrong_methods_are_refused() {
	let endpoint = TestEndpoint::start();
	let addr = endpoint.addr();
	assert_eq!(post(addr, challenge::CHALLENGE_PATH, b"{\"n\":32}").unwrap().status, 400);
	let too_big = challenge::encode_request(&[0; 32], 257, 1);
	assert_eq!(post(addr, challenge::CHALLENGE_PATH, &too_big).unwrap().status, 400);
	assert_eq!(get(addr, challenge::CHALLENGE_PATH).unwrap().status, 405);
	assert_eq!(post(addr, HEALTH_7, b"").unwrap().status, 405);
	assert_eq!(get(addr, "/o/x/.well-known/defaas/health").unwrap().status, 404);
	assert_eq!(get(addr, "/nothing").unwrap().status, 404);
	let garbage = exchange(addr, b"NONSENSE\r\n\r\n", Duration::from_secs(5)).unwrap();
	assert_eq!(garbage.status, 400);
	// A query string does not change the path.
	assert_eq!(get(addr, "/healthz?probe=1").unwrap().status, 200);
	assert_eq!(endpoint.requests(HEALTHZ_PATH), 1);
	assert_eq!(endpoint.requests("/nothing"), 0);
}

#[test]
fn chunked_request_bodies_are_read() {
	// The node's HTTP client streams request bodies; without Content-Length they come chunked.
	let endpoint = TestEndpoint::start();
	let seed = [4u8; 32];
	let body = challenge::encode_request(&seed, 16, 3);
	let (first, second) = body.split_at(40);
	let mut raw = format!(
		"POST {} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
		challenge::CHALLENGE_PATH
	)
	.into_bytes();
	for chunk in [first, second] {
		raw.extend(format!("{:x};ext=1\r\n", chunk.len()).bytes());
		raw.extend_from_slice(chunk);
		raw.extend_from_slice(b"\r\n");
	}
	raw.extend_from_slice(b"0\r\nX-Trailer: 1\r\n\r\n");
	let reply = exchange(endpoint.addr(), &raw, Duration::from_secs(10)).unwrap();
	assert_eq!(reply.status, 200);
	assert_eq!(challenge::decode_product(&reply.body, 16), Some(product(&seed, 16)));
}

#[test]
fn stopped_endpoint_refuses_connections_and_restarts_on_the_same_port() {
	let mut endpoint = TestEndpoint::start();
	let (url, addr) = (endpoint.url(), endpoint.addr());
	assert_eq!(get(addr, HEALTH_7).unwrap().status, 200);
	endpoint.stop();
	assert!(!endpoint.is_running());
	let refused = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).expect_err("closed");
	assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
	endpoint.stop(); // idempotent

	endpoint.restart().unwrap();
	assert!(endpoint.is_running());
	assert_eq!(endpoint.url(), url, "same port");
	assert_eq!(get(addr, HEALTH_7).unwrap().status, 200);
	assert_eq!(endpoint.health_requests(7), 2, "counters survive a restart");
	endpoint.reset_counters();
	assert_eq!(endpoint.total_requests(), 0);
}

#[test]
fn dropping_the_endpoint_closes_it() {
	let addr = {
		let endpoint = TestEndpoint::start();
		assert_eq!(get(endpoint.addr(), HEALTHZ_PATH).unwrap().status, 200);
		endpoint.addr()
	};
	assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err());
}

#[test]
fn concurrent_requests_are_served_in_parallel() {
	// A challenge sleeping in timeout mode does not hold up others once the mode changes.
	let endpoint = TestEndpoint::start();
	endpoint.set_mode(Mode::Timeout);
	let addr = endpoint.addr();
	let slow = std::thread::spawn(move || {
		request(addr, "GET", HEALTHZ_PATH, &[], Duration::from_millis(500))
	});
	while endpoint.requests(HEALTHZ_PATH) == 0 {
		std::thread::sleep(Duration::from_millis(5));
	}
	endpoint.set_mode(Mode::Healthy);
	let handles: Vec<_> = (0..8)
		.map(|i| {
			std::thread::spawn(move || get(addr, &format!("/o/{i}/.well-known/defaas/health")))
		})
		.collect();
	for handle in handles {
		assert_eq!(handle.join().unwrap().unwrap().status, 200);
	}
	assert!(slow.join().unwrap().is_err(), "the sleeping request is still unanswered");
	assert_eq!(endpoint.total_requests(), 9);
}

#[test]
fn control_endpoint_switches_the_mode() {
	let endpoint = TestEndpoint::start();
	let addr = endpoint.addr();
	let reply = request(addr, "PUT", MODE_CONTROL_PATH, b"fail", Duration::from_secs(5)).unwrap();
	assert_eq!((reply.status, reply.body.as_slice()), (200, b"fail".as_slice()));
	assert_eq!(endpoint.mode(), Mode::Fail);
	assert_eq!(get(addr, HEALTH_7).unwrap().status, 503);
	let bad = request(addr, "PUT", MODE_CONTROL_PATH, b"sideways", Duration::from_secs(5)).unwrap();
	assert_eq!(bad.status, 400);
	assert_eq!(endpoint.mode(), Mode::Fail);
	assert_eq!(
		request(addr, "PUT", MODE_CONTROL_PATH, b"healthy\n", Duration::from_secs(5))
			.unwrap()
			.status,
		200
	);
	assert_eq!(get(addr, HEALTH_7).unwrap().status, 200);
	assert_eq!(endpoint.requests(MODE_CONTROL_PATH), 0, "control requests are not counted");
}

#[test]
fn modes_parse_from_their_names() {
	for mode in [Mode::Healthy, Mode::Fail, Mode::Timeout, Mode::WrongAnswer] {
		assert_eq!(mode.name().parse::<Mode>(), Ok(mode));
		assert_eq!(mode.to_string(), mode.name());
	}
	assert!("broken".parse::<Mode>().is_err());
}
