//! HTTP probes: outcomes for healthy, failing, slow, unreachable and cheating providers, and the
//! majority rule of the report.

use super::{
	bytes32,
	mock::{BodyFault, Reply, ScriptedHttp},
	offchain_ext,
};
use crate::{
	challenge::{encode_product, encode_request},
	freivalds::{matrix, multiply},
	probe::{
		healthz_url, parse_capacity, probe_challenge, probe_get, probe_health, probe_healthz,
		probe_leases, report_violated, Challenge, LeaseProbe, ProbeFailure, ProbeOutcome,
		MAX_CAPACITY_ENTRIES, MAX_HEALTHZ_BODY, MAX_HEALTH_BODY,
	},
};
use sp_core::offchain::{testing::PendingRequest, Timestamp};
use ProbeFailure::*;
use ProbeOutcome::*;

const ENDPOINT: &str = "http://provider.example:8080/";
const HEALTH_URI: &str = "http://provider.example:8080/o/7/.well-known/defaas/health";
const CHALLENGE_URI: &str = "http://provider.example:8080/.well-known/defaas/challenge";
const TIMEOUT_MS: u64 = 2_000;
/// The mock clock when a probe starts.
const START: u64 = 1_000_000;

/// The honest answer to the challenge with `seed` and size `n`.
fn product(seed: &[u8; 32], n: u32) -> Vec<u64> {
	multiply(&matrix(seed, b'A', n), &matrix(seed, b'B', n), n)
}

/// The request `probe_challenge` sends, as `TestOffchainExt` records it.
fn expected_challenge(seed: &[u8; 32], n: u32, order_id: u64, answer: Vec<u8>) -> PendingRequest {
	let body = encode_request(seed, n, order_id);
	PendingRequest {
		method: "POST".into(),
		uri: CHALLENGE_URI.into(),
		headers: vec![
			("Content-Type".into(), "application/json".into()),
			("Accept".into(), "application/octet-stream".into()),
			("Content-Length".into(), body.len().to_string()),
			("Connection".into(), "close".into()),
		],
		body,
		sent: true,
		response: Some(answer),
		..Default::default()
	}
}

/// Runs the health probe of order 7 against a scripted server; returns the outcome and the mock.
fn scripted_health(script: impl IntoIterator<Item = Reply>) -> (ProbeOutcome, ScriptedHttp) {
	let (mut ext, mock) = ScriptedHttp::ext(START, script);
	let outcome = ext.execute_with(|| probe_health(ENDPOINT, 7, TIMEOUT_MS));
	(outcome, mock)
}

/// Runs a challenge probe (n = 8, k = 20) against a scripted server.
fn scripted_challenge(script: impl IntoIterator<Item = Reply>) -> (ProbeOutcome, ScriptedHttp) {
	let (mut ext, mock) = ScriptedHttp::ext(START, script);
	let outcome = ext.execute_with(|| probe_challenge(ENDPOINT, 7, &[3; 32], 8, 20, TIMEOUT_MS));
	(outcome, mock)
}

/// Asserts that every host call of every request carried the probe's deadline.
fn assert_deadlines(mock: &ScriptedHttp) {
	let deadline = Some(Timestamp::from_unix_millis(START + TIMEOUT_MS));
	for sent in mock.sent() {
		assert!(!sent.deadlines.is_empty());
		assert!(sent.deadlines.iter().all(|d| *d == deadline), "{:?}", sent.deadlines);
	}
}

#[test]
fn healthy_endpoint_passes_health_probe() {
	let (mut ext, offchain) = offchain_ext();
	offchain.0.write().expect_request(PendingRequest {
		method: "GET".into(),
		uri: HEALTH_URI.into(),
		headers: vec![("Connection".into(), "close".into())],
		sent: true,
		response: Some(b"ok".to_vec()),
		..Default::default()
	});
	assert_eq!(ext.execute_with(|| probe_health(ENDPOINT, 7, TIMEOUT_MS)), Passed);
}

#[test]
fn honest_provider_passes_challenge() {
	let (mut ext, offchain) = offchain_ext();
	let seed = bytes32(b"challenge", 1);
	let answer = encode_product(&product(&seed, 32));
	offchain.0.write().expect_request(expected_challenge(&seed, 32, 7, answer));
	offchain.0.write().seed = bytes32(b"witness randomness", 0);
	assert_eq!(
		ext.execute_with(|| probe_challenge(ENDPOINT, 7, &seed, 32, 10, TIMEOUT_MS)),
		Passed
	);
}

#[test]
fn one_wrong_entry_fails_challenge() {
	let seed = bytes32(b"challenge", 2);
	for position in [0usize, 17, 32 * 32 - 1] {
		let (mut ext, offchain) = offchain_ext();
		let mut c = product(&seed, 32);
		c[position] = c[position].wrapping_add(1);
		offchain.0.write().expect_request(expected_challenge(&seed, 32, 7, encode_product(&c)));
		offchain.0.write().seed = bytes32(b"witness randomness", position as u64);
		let outcome = ext.execute_with(|| probe_challenge(ENDPOINT, 7, &seed, 32, 20, TIMEOUT_MS));
		assert_eq!(outcome, Failed(WrongProduct), "corrupted entry {position}");
	}
}

#[test]
fn malformed_challenge_answers_fail_with_bad_body() {
	let seed = bytes32(b"challenge", 3);
	let honest = encode_product(&product(&seed, 16));
	let too_long = [honest.as_slice(), &[0; 8]].concat();
	let cases =
		[Vec::new(), b"not a matrix".to_vec(), honest[..honest.len() - 1].to_vec(), too_long];
	for answer in cases {
		let len = answer.len();
		let (mut ext, offchain) = offchain_ext();
		offchain.0.write().expect_request(expected_challenge(&seed, 16, 7, answer));
		let outcome = ext.execute_with(|| probe_challenge(ENDPOINT, 7, &seed, 16, 10, TIMEOUT_MS));
		assert_eq!(outcome, Failed(BadBody), "answer of {len} bytes");
	}
}

#[test]
fn oversized_health_body_fails_with_bad_body() {
	let (outcome, _) = scripted_health([Reply::answer(200, vec![b'x'; MAX_HEALTH_BODY + 1])]);
	assert_eq!(outcome, Failed(BadBody));
	let (outcome, _) = scripted_health([Reply::answer(200, vec![b'x'; MAX_HEALTH_BODY])]);
	assert_eq!(outcome, Passed);
}

#[test]
fn any_2xx_passes_health_probe() {
	for status in [200, 204, 299] {
		let (outcome, mock) = scripted_health([Reply::answer(status, "")]);
		assert_eq!(outcome, Passed, "status {status}");
		let sent = mock.sent();
		assert_eq!((sent[0].method.as_str(), sent[0].uri.as_str()), ("GET", HEALTH_URI));
		assert_deadlines(&mock);
	}
}

#[test]
fn non_2xx_status_fails_the_probes() {
	for status in [100, 301, 404, 500, 503] {
		let (outcome, _) = scripted_health([Reply::answer(status, "down")]);
		assert_eq!(outcome, Failed(Status(status)));
		let (outcome, _) = scripted_challenge([Reply::answer(status, "down")]);
		assert_eq!(outcome, Failed(Status(status)));
	}
}

#[test]
fn silent_endpoint_times_out_at_the_deadline() {
	let (outcome, mock) = scripted_health([Reply::Silent]);
	assert_eq!(outcome, Failed(Timeout));
	assert_eq!(mock.now(), START + TIMEOUT_MS);
	assert_deadlines(&mock);

	let (outcome, mock) = scripted_challenge([Reply::Silent]);
	assert_eq!(outcome, Failed(Timeout));
	assert_eq!(mock.now(), START + TIMEOUT_MS);
	assert_deadlines(&mock);
}

#[test]
fn answer_after_the_deadline_times_out_and_just_before_passes() {
	let late = |latency_ms| Reply::Answer {
		latency_ms,
		status: 200,
		body: b"ok".to_vec(),
		body_fault: BodyFault::None,
	};
	assert_eq!(scripted_health([late(TIMEOUT_MS + 1)]).0, Failed(Timeout));
	assert_eq!(scripted_health([late(TIMEOUT_MS)]).0, Passed);
}

#[test]
fn body_that_stalls_past_the_deadline_times_out() {
	let seed = [3u8; 32];
	let body = encode_product(&product(&seed, 8));
	let stalled = Reply::Answer { latency_ms: 5, status: 200, body, body_fault: BodyFault::Stall };
	let (outcome, mock) = scripted_challenge([stalled]);
	assert_eq!(outcome, Failed(Timeout));
	assert_eq!(mock.now(), START + TIMEOUT_MS);
	assert_deadlines(&mock);

	let stalled = Reply::Answer {
		latency_ms: 5,
		status: 200,
		body: b"ok".to_vec(),
		body_fault: BodyFault::Stall,
	};
	assert_eq!(scripted_health([stalled]).0, Failed(Timeout));
}

#[test]
fn body_that_breaks_off_fails_with_bad_body() {
	let broken = Reply::Answer {
		latency_ms: 5,
		status: 200,
		body: vec![0; 20_000],
		body_fault: BodyFault::Break,
	};
	assert_eq!(scripted_health([broken]).0, Failed(BadBody));
}

#[test]
fn unreachable_endpoint_fails_as_unreachable() {
	assert_eq!(scripted_health([Reply::Refused]).0, Failed(Unreachable));
	assert_eq!(scripted_health([Reply::Broken]).0, Failed(Unreachable));
	assert_eq!(scripted_challenge([Reply::Refused]).0, Failed(Unreachable));
	assert_eq!(scripted_challenge([Reply::Broken]).0, Failed(Unreachable));
}

#[test]
fn challenge_through_scripted_server_checks_the_answer() {
	let seed = [3u8; 32];
	let honest = product(&seed, 8);
	let (outcome, mock) = scripted_challenge([Reply::answer(200, encode_product(&honest))]);
	assert_eq!(outcome, Passed);
	let sent = &mock.sent()[0];
	assert_eq!((sent.method.as_str(), sent.uri.as_str()), ("POST", CHALLENGE_URI));
	assert_eq!(sent.body, encode_request(&seed, 8, 7));
	assert_deadlines(&mock);

	let mut wrong = honest;
	wrong[63] ^= 1 << 40;
	let (outcome, _) = scripted_challenge([Reply::answer(200, encode_product(&wrong))]);
	assert_eq!(outcome, Failed(WrongProduct));
}

#[test]
fn challenge_size_and_rounds_are_clamped() {
	let seed = [3u8; 32];
	for (n, sent_n) in [(0u32, 1u32), (1, 1), (300, 256)] {
		let answer = encode_product(&product(&seed, sent_n));
		let (mut ext, mock) = ScriptedHttp::ext(START, [Reply::answer(200, answer)]);
		let outcome = ext.execute_with(|| probe_challenge(ENDPOINT, 1, &seed, n, 0, TIMEOUT_MS));
		assert_eq!(outcome, Passed, "n = {n}");
		assert_eq!(mock.sent()[0].body, encode_request(&seed, sent_n, 1));
	}
}

#[test]
fn violated_iff_a_strict_majority_failed() {
	let fail = Failed(Timeout);
	assert!(!report_violated(&[]));
	assert!(!report_violated(&[Passed]));
	assert!(report_violated(&[fail]));
	assert!(!report_violated(&[Passed, fail]));
	assert!(report_violated(&[fail, Failed(Status(503))]));
	assert!(report_violated(&[fail, Passed, Failed(WrongProduct)]));
	assert!(!report_violated(&[fail, Passed, Passed]));
	assert!(!report_violated(&[fail, fail, Passed, Passed]));
	assert!(report_violated(&[fail, fail, fail, Passed, Passed]));
}

// ---------------------------------------------------------------------------------------------
// The heartbeat worker's `/healthz` probe and its capacity body (docs/architecture.md §7.1)
// ---------------------------------------------------------------------------------------------

const HEALTHZ_URI: &str = "http://provider.example:8080/healthz";

/// Runs the healthz probe against a scripted server.
fn scripted_healthz(
	script: impl IntoIterator<Item = Reply>,
) -> (Result<Vec<u8>, ProbeFailure>, ScriptedHttp) {
	let (mut ext, mock) = ScriptedHttp::ext(START, script);
	let result = ext.execute_with(|| probe_healthz(ENDPOINT, TIMEOUT_MS));
	(result, mock)
}

#[test]
fn healthz_url_trims_trailing_slashes() {
	assert_eq!(healthz_url("http://p.example"), "http://p.example/healthz");
	assert_eq!(healthz_url("http://p.example//"), "http://p.example/healthz");
	assert_eq!(healthz_url(ENDPOINT), HEALTHZ_URI);
}

#[test]
fn healthy_daemon_answers_healthz_with_its_body() {
	let (mut ext, offchain) = offchain_ext();
	offchain.0.write().expect_request(PendingRequest {
		method: "GET".into(),
		uri: HEALTHZ_URI.into(),
		headers: vec![("Connection".into(), "close".into())],
		sent: true,
		response: Some(b"{\"capacity\":[[0,3]]}".to_vec()),
		..Default::default()
	});
	let body = ext.execute_with(|| probe_healthz(ENDPOINT, TIMEOUT_MS));
	assert_eq!(body, Ok(b"{\"capacity\":[[0,3]]}".to_vec()));

	for status in [200, 204, 299] {
		let (result, mock) = scripted_healthz([Reply::answer(status, "ok\n")]);
		assert_eq!(result, Ok(b"ok\n".to_vec()), "status {status}");
		let sent = mock.sent();
		assert_eq!((sent[0].method.as_str(), sent[0].uri.as_str()), ("GET", HEALTHZ_URI));
		assert_deadlines(&mock);
	}
}

#[test]
fn unhealthy_daemon_fails_healthz() {
	for status in [301, 404, 500, 503] {
		assert_eq!(scripted_healthz([Reply::answer(status, "down")]).0, Err(Status(status)));
	}
	let (result, mock) = scripted_healthz([Reply::Silent]);
	assert_eq!(result, Err(Timeout));
	assert_eq!(mock.now(), START + TIMEOUT_MS);
	assert_deadlines(&mock);
	assert_eq!(scripted_healthz([Reply::Refused]).0, Err(Unreachable));
	assert_eq!(scripted_healthz([Reply::Broken]).0, Err(Unreachable));
}

#[test]
fn oversized_healthz_body_fails_with_bad_body() {
	let (result, _) = scripted_healthz([Reply::answer(200, vec![b' '; MAX_HEALTHZ_BODY + 1])]);
	assert_eq!(result, Err(BadBody));
	let (result, _) = scripted_healthz([Reply::answer(200, vec![b' '; MAX_HEALTHZ_BODY])]);
	assert_eq!(result.map(|body| body.len()), Ok(MAX_HEALTHZ_BODY));
}

#[test]
fn probe_get_reads_at_most_max_body() {
	let (mut ext, _) = ScriptedHttp::ext(START, [Reply::answer(200, "12345")]);
	assert_eq!(ext.execute_with(|| probe_get(HEALTHZ_URI, TIMEOUT_MS, 4)), Err(BadBody));
	let (mut ext, _) = ScriptedHttp::ext(START, [Reply::answer(200, "1234")]);
	assert_eq!(ext.execute_with(|| probe_get(HEALTHZ_URI, TIMEOUT_MS, 4)), Ok(b"1234".to_vec()));
}

#[test]
fn capacity_is_read_from_json_bodies() {
	let cases: [(&str, Vec<(u32, u32)>); 6] = [
		(r#"{"capacity":[[0,12],[1,6],[3,1]]}"#, vec![(0, 12), (1, 6), (3, 1)]),
		(r#"{"capacity":[]}"#, vec![]),
		(" {\n \"status\" : \"ok\" ,\"capacity\" : [ [ 2 , 0 ] ] }\n", vec![(2, 0)]),
		(
			r#"{"version":{"a":[1,-2.5e3,{"b":null}],"c":"x\"y"},"up":true,"capacity":[[4294967295,7]],"n":null,"f":false}"#,
			vec![(u32::MAX, 7)],
		),
		(r#"{"capacity":[[0,1],[0,2]]}"#, vec![(0, 1), (0, 2)]),
		(r#"{"\u0063":1,"capacity":[[5,5]]}"#, vec![(5, 5)]),
	];
	for (body, expected) in cases {
		assert_eq!(parse_capacity(body.as_bytes()), Some(expected), "{body}");
	}
}

#[test]
fn malformed_capacity_bodies_are_rejected() {
	let too_many =
		format!("{{\"capacity\":[{}]}}", vec!["[1,1]"; MAX_CAPACITY_ENTRIES + 1].join(","));
	let just_enough =
		format!("{{\"capacity\":[{}]}}", vec!["[1,1]"; MAX_CAPACITY_ENTRIES].join(","));
	assert_eq!(parse_capacity(just_enough.as_bytes()).map(|c| c.len()), Some(MAX_CAPACITY_ENTRIES));
	let deep = format!("{{\"x\":{}{},\"capacity\":[]}}", "[".repeat(17), "]".repeat(17));
	let shallow = format!("{{\"x\":{}{},\"capacity\":[]}}", "[".repeat(16), "]".repeat(16));
	assert_eq!(parse_capacity(shallow.as_bytes()), Some(vec![]));
	let long = format!("{{\"capacity\":[]{}}}", " ".repeat(MAX_HEALTHZ_BODY));
	let cases: Vec<&str> = vec![
		"",
		"ok\n",
		"[]",
		"{}",
		r#"{"status":"ok"}"#,
		r#"{"capacity":[[0,1]],"capacity":[[0,1]]}"#,
		r#"{"capacity":[[0,1,2]]}"#,
		r#"{"capacity":[[0]]}"#,
		r#"{"capacity":[[-1,1]]}"#,
		r#"{"capacity":[[0,1.5]]}"#,
		r#"{"capacity":[[0,4294967296]]}"#,
		r#"{"capacity":[["0",1]]}"#,
		r#"{"capacity":[[0,1],]}"#,
		r#"{"capacity":[[0,1]]"#,
		r#"{"capacity":[[0,1]]} x"#,
		r#"{"capacity":null}"#,
		r#"{"capacity":[[0,1]],}"#,
		"{\"a\":\"line\nbreak\",\"capacity\":[]}",
		r#"{"a":tru,"capacity":[]}"#,
		r#"{"a":{"b"},"capacity":[]}"#,
		&too_many,
		&deep,
		&long,
	];
	for body in cases {
		assert_eq!(parse_capacity(body.as_bytes()), None, "{body:?}");
	}
}

#[test]
fn probes_of_many_leases_go_out_together_and_only_the_healthy_are_challenged() {
	let seed = [3u8; 32];
	let honest = encode_product(&product(&seed, 8));
	let script = [
		Reply::answer(200, "ok"),
		Reply::answer(503, ""),
		Reply::answer(200, "ok"),
		Reply::Silent,
		Reply::answer(200, honest),
	];
	let (mut ext, mock) = ScriptedHttp::ext(START, script);
	let challenge = Some(Challenge { seed, n: 8, k: 20 });
	let probes = [
		LeaseProbe { endpoint: ENDPOINT, order_id: 7, challenge },
		LeaseProbe { endpoint: ENDPOINT, order_id: 8, challenge },
		LeaseProbe { endpoint: ENDPOINT, order_id: 9, challenge: None },
		LeaseProbe { endpoint: ENDPOINT, order_id: 10, challenge },
	];
	let outcomes = ext.execute_with(|| probe_leases(&probes, TIMEOUT_MS, 5_000));
	assert_eq!(outcomes, vec![Passed, Failed(Status(503)), Passed, Failed(Timeout)]);
	let sent = mock.sent();
	let uris: Vec<&str> = sent.iter().map(|s| s.uri.as_str()).collect();
	// Every liveness probe first (all sent before any answer is awaited, under one deadline),
	// then the one challenge of the healthy lease that asked for it.
	assert_eq!(
		uris,
		[
			HEALTH_URI,
			"http://provider.example:8080/o/8/.well-known/defaas/health",
			"http://provider.example:8080/o/9/.well-known/defaas/health",
			"http://provider.example:8080/o/10/.well-known/defaas/health",
			CHALLENGE_URI,
		]
	);
	// Each on a connection of its own: a probe sees the provider as a new client does.
	for request in &sent {
		assert!(request.headers.contains(&("Connection".into(), "close".into())), "{request:?}");
	}
	let health_deadline = Timestamp::from_unix_millis(START + TIMEOUT_MS);
	for request in &sent[..4] {
		assert!(request.deadlines.iter().all(|d| *d == Some(health_deadline)));
	}
	// The challenge's deadline counts from when the liveness probes were over.
	assert!(sent[4].deadlines.iter().all(|d| d.is_some_and(|d| d > health_deadline)));
}

const PACKAGE_URI: &str = "https://packages.example/0x07.wasm";

/// A component-looking package of `len` bytes.
fn component(len: usize) -> Vec<u8> {
	let mut bytes = crate::probe::COMPONENT_HEADER.to_vec();
	bytes.extend((0..len.saturating_sub(bytes.len())).map(|i| (i % 251) as u8));
	bytes
}

/// Runs the hand-off check of `hash` (at most `max` bytes) against a scripted server.
fn scripted_package(hash: [u8; 32], max: u64, reply: Reply) -> (ProbeOutcome, ScriptedHttp) {
	let (mut ext, mock) = ScriptedHttp::ext(START, [reply]);
	let outcome =
		ext.execute_with(|| crate::probe::check_package(PACKAGE_URI, &hash, max, TIMEOUT_MS));
	(outcome, mock)
}

#[test]
fn published_package_passes_the_hand_off_check_hashed_as_it_streams() {
	// Several read chunks: the hash is the one-shot blake2_256 of the whole package.
	let package = component(100_000);
	let hash = sp_io::hashing::blake2_256(&package);
	let (outcome, mock) = scripted_package(hash, 100_000, Reply::answer(200, package));
	assert_eq!(outcome, Passed);
	let sent = mock.sent();
	assert_eq!(
		(sent.len(), sent[0].method.as_str(), sent[0].uri.as_str()),
		(1, "GET", PACKAGE_URI)
	);
	assert!(sent[0].headers.contains(&("Connection".into(), "close".into())));
	assert_deadlines(&mock);
}

#[test]
fn hand_off_check_fails_for_each_way_a_package_can_be_wrong() {
	let package = component(5_000);
	let hash = sp_io::hashing::blake2_256(&package);
	// Other bytes than committed.
	let mut other = package.clone();
	other[4_000] ^= 1;
	assert_eq!(scripted_package(hash, 10_000, Reply::answer(200, other)).0, Failed(HashMismatch));
	// A core module (layer 0), hashed right: not a component.
	let mut module = package.clone();
	module[6] = 0;
	let module_hash = sp_io::hashing::blake2_256(&module);
	assert_eq!(
		scripted_package(module_hash, 10_000, Reply::answer(200, module)).0,
		Failed(NotComponent)
	);
	// Shorter than a header.
	let tiny = vec![0u8, 0x61];
	let tiny_hash = sp_io::hashing::blake2_256(&tiny);
	assert_eq!(
		scripted_package(tiny_hash, 10_000, Reply::answer(200, tiny)).0,
		Failed(NotComponent)
	);
	// Larger than the level allows: cut off, never hashed to the end.
	assert_eq!(
		scripted_package(hash, 4_999, Reply::answer(200, package.clone())).0,
		Failed(BadBody)
	);
	// Not published, not reachable, too slow.
	assert_eq!(scripted_package(hash, 10_000, Reply::answer(404, "no")).0, Failed(Status(404)));
	assert_eq!(scripted_package(hash, 10_000, Reply::Broken).0, Failed(Unreachable));
	let (outcome, mock) = scripted_package(hash, 10_000, Reply::Silent);
	assert_eq!(outcome, Failed(Timeout));
	assert_eq!(mock.now(), START + TIMEOUT_MS);
	let stalled =
		Reply::Answer { latency_ms: 5, status: 200, body: package, body_fault: BodyFault::Stall };
	assert_eq!(scripted_package(hash, 10_000, stalled).0, Failed(Timeout));
}
