//! Listeners on ports the kernel never hands out by itself.
//!
//! A port bound with `:0` comes from the kernel's ephemeral range
//! (`/proc/sys/net/ipv4/ip_local_port_range`), the same range every other `bind(:0)` and every
//! outgoing connection draws from. Once a test closes such a listener, another listener of the
//! machine (a test running beside it, a NATS server, a daemon) may be given the same port at
//! once: "a closed endpoint refuses connections" and "a restarted endpoint gets its port back"
//! would then fail by chance. Below the ephemeral range, a port is only ever taken by a process
//! naming it; none of the suite's processes does, so a port closed there stays free for the
//! test that closed it.

use std::{
	collections::hash_map::RandomState,
	hash::BuildHasher,
	io,
	net::{IpAddr, TcpListener},
};

/// The lowest port not reserved for the system.
const FIRST_UNPRIVILEGED: u16 = 1024;

/// Where Linux's ephemeral range starts unless configured otherwise.
const DEFAULT_EPHEMERAL_LOW: u16 = 32768;

/// The kernel's ephemeral port range as configured, `(low, high)`.
pub fn ephemeral_range() -> Option<(u16, u16)> {
	let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
	let mut bounds = text.split_whitespace().map(str::parse::<u16>);
	match (bounds.next(), bounds.next()) {
		(Some(Ok(low)), Some(Ok(high))) if low <= high => Some((low, high)),
		_ => None,
	}
}

/// Binds a listener on `ip` at a free port below the ephemeral range, trying the ports from a
/// random start so that processes running at once rarely try the same ones.
///
/// Fails with [`io::ErrorKind::AddrInUse`] when every such port is taken, and with
/// [`io::ErrorKind::Unsupported`] when the ephemeral range leaves no port below it.
pub fn bind_outside_ephemeral_range(ip: IpAddr) -> io::Result<TcpListener> {
	let low = ephemeral_range().map_or(DEFAULT_EPHEMERAL_LOW, |(low, _)| low);
	let span = low.saturating_sub(FIRST_UNPRIVILEGED);
	if span == 0 {
		return Err(io::Error::new(
			io::ErrorKind::Unsupported,
			format!("the ephemeral port range starts at {low}: no port below it to bind"),
		));
	}
	let start = RandomState::new().hash_one(std::process::id()) % u64::from(span);
	for step in 0..u64::from(span) {
		let offset = u16::try_from((start + step) % u64::from(span)).unwrap_or(0);
		match TcpListener::bind((ip, FIRST_UNPRIVILEGED + offset)) {
			Ok(listener) => return Ok(listener),
			Err(e)
				if matches!(
					e.kind(),
					io::ErrorKind::AddrInUse | io::ErrorKind::PermissionDenied
				) => {},
			Err(e) => return Err(e),
		}
	}
	Err(io::Error::new(
		io::ErrorKind::AddrInUse,
		format!("every port of {ip} from {FIRST_UNPRIVILEGED} to {low} is taken"),
	))
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::net::{Ipv4Addr, TcpStream};

	#[test]
	fn the_port_is_below_the_ephemeral_range_and_refused_once_closed() {
		let listener = bind_outside_ephemeral_range(Ipv4Addr::LOCALHOST.into()).expect("bind");
		let addr = listener.local_addr().expect("addr");
		let low = ephemeral_range().map_or(DEFAULT_EPHEMERAL_LOW, |(low, _)| low);
		assert!((FIRST_UNPRIVILEGED..low).contains(&addr.port()), "{addr} below {low}");
		TcpStream::connect(addr).expect("listening");
		drop(listener);
		let refused = TcpStream::connect(addr).expect_err("closed");
		assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
		// And the port can be bound again by whoever closed it.
		TcpListener::bind(addr).expect("the same port again");
	}

	#[test]
	fn listeners_bound_at_once_get_distinct_ports() {
		let listeners: Vec<_> = (0..8)
			.map(|_| bind_outside_ephemeral_range(Ipv4Addr::LOCALHOST.into()).expect("bind"))
			.collect();
		let mut ports: Vec<_> =
			listeners.iter().map(|l| l.local_addr().expect("addr").port()).collect();
		ports.sort_unstable();
		ports.dedup();
		assert_eq!(ports.len(), 8);
	}
}
