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

/// Starts the binary with `args` and returns it with the address it printed.
fn spawn(args: &[&str]) -> (Server, SocketAddr) {
	let mut child = Command::new(env!("CARGO_BIN_EXE_defaas-test-endpoint"))
		.args(args)
		.stdout(Stdio::piped())
		.spawn()
		.expect("spawn the binary");
	let stdout = child.stdout.take().expect("stdout");
	let server = Server(child);
	let mut line = String::new();
	BufReader::new(stdout).read_line(&mut line).expect("first line");
	let url = line
		.strip_prefix("listening on http://")
		.and_then(|rest| rest.split_whitespace().next())
		.unwrap_or_else(|| panic!("unexpected first line {line:?}"));
	(server, url.parse().expect("address"))
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
	// Find a free port, release it, and ask the binary for it.
	let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	let (_server, addr) = spawn(&["--port", &port.to_string()]);
	assert_eq!(addr.port(), port);
	assert_eq!(get(addr, "/healthz").unwrap().status, 200);
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
