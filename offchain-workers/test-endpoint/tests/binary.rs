//! The `defaas-test-endpoint` binary, run as its own process.

mod common;

use common::{get, request};
use std::{
	io::{BufRead, BufReader},
	net::SocketAddr,
	process::{Child, Command, Stdio},
	time::Duration,
};

/// A child process killed on drop.
struct Server(Child);

impl Drop for Server {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// Starts the binary with `args` and returns it with the address it printed, or `None` if it
/// exited without listening (e.g. its port was taken).
fn try_spawn(args: &[&str]) -> Option<(Server, SocketAddr)> {
	let mut child = Command::new(env!("CARGO_BIN_EXE_defaas-test-endpoint"))
		.args(args)
		.stdout(Stdio::piped())
		.spawn()
		.expect("spawn the binary");
	let stdout = child.stdout.take().expect("stdout");
	let server = Server(child);
	let mut line = String::new();
	BufReader::new(stdout).read_line(&mut line).expect("first line");
	if line.is_empty() {
		return None;
	}
	let url = line
		.strip_prefix("listening on http://")
		.and_then(|rest| rest.split_whitespace().next())
		.unwrap_or_else(|| panic!("unexpected first line {line:?}"));
	Some((server, url.parse().expect("address")))
}

/// [`try_spawn`] that must listen.
fn spawn(args: &[&str]) -> (Server, SocketAddr) {
	try_spawn(args).expect("the binary listens")
}

#[test]
fn binary_serves_in_the_requested_mode() {
	let (_server, addr) = spawn(&["--port", "0", "--mode", "fail"]);
	assert_eq!(get(addr, "/healthz").unwrap().status, 503);
	let reply = request(addr, "PUT", "/_control/mode", b"healthy", Duration::from_secs(5)).unwrap();
	assert_eq!(reply.status, 200);
	assert_eq!(get(addr, "/o/1/.well-known/defaas/health").unwrap().status, 200);
}

#[test]
fn binary_listens_on_the_given_port() {
	// A port that was free a moment ago may be taken by another process before the binary
	// binds it (the machine runs other tests): then the binary exits with "address already in
	// use" and the test asks for another port.
	for _ in 0..20 {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let Some((_server, addr)) = try_spawn(&["--port", &port.to_string()]) else {
			continue;
		};
		assert_eq!(addr.port(), port);
		assert_eq!(get(addr, "/healthz").unwrap().status, 200);
		return;
	}
	panic!("twenty free ports were taken before the binary could listen on them");
}

#[test]
fn binary_rejects_bad_arguments() {
	for args in [
		&["--mode", "healthy"][..],
		&["--port", "x"],
		&["--port", "0", "--mode", "odd"],
		&["--what"],
	] {
		let status = Command::new(env!("CARGO_BIN_EXE_defaas-test-endpoint"))
			.args(args)
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.status()
			.expect("run the binary");
		assert_eq!(status.code(), Some(2), "{args:?}");
	}
}
