//! The running daemon: the HTTP server, the bid engine and the store, and their orderly
//! shutdown.
//!
//! When the [`Shutdown`] is triggered (SIGTERM or Ctrl-C in `main`, or a test):
//! 1. the server closes its listener — new connections are refused — and drains: every open
//!    connection finishes the request it is serving (idle ones close at once); connections
//!    still busy after the drain timeout ([`crate::config::Limits::drain_timeout`]: the
//!    wall-time limit + 5 s) are aborted;
//! 2. the bid engine stops after the pass it is in (at most [`BIDDER_STOP_TIMEOUT`], then it
//!    is aborted: every step it takes is safe to repeat after a restart);
//! 3. the store is closed: [`Daemon::stop`] waits (at most [`STORE_CLOSE_TIMEOUT`]) until the
//!    last reference to it is gone and the database file is closed, so the next daemon opens
//!    it at once.

use crate::{
	app::AppState,
	bidder::Bidder,
	server::{DrainReport, Server},
	shutdown::Shutdown,
	store::StoreClosed,
};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::mpsc::UnboundedReceiver, task::JoinHandle};

/// How long the shutdown waits for the bid engine to finish its pass.
pub const BIDDER_STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the shutdown waits for the store to close once the server and the bid engine have
/// stopped (a deployment whose connection was aborted may still be compiling and storing).
pub const STORE_CLOSE_TIMEOUT: Duration = Duration::from_secs(60);

/// How the shutdown went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShutdownReport {
	/// The connections drained and aborted.
	pub connections: DrainReport,
	/// Whether the bid engine stopped by itself (`false`: aborted after
	/// [`BIDDER_STOP_TIMEOUT`]).
	pub bidder_stopped: bool,
	/// Whether the store was closed (`false`: something still held it after
	/// [`STORE_CLOSE_TIMEOUT`]).
	pub store_closed: bool,
}

/// The HTTP server and the bid engine, running until [`Daemon::stop`].
pub struct Daemon {
	server: Server,
	bidder: Option<JoinHandle<()>>,
	store_closed: StoreClosed,
	shutdown: Shutdown,
}

impl Daemon {
	/// Starts serving `state` on `listener` and, if given, the bid engine with the receiver of
	/// the deployment notifications. Both stop when `shutdown` is triggered; `drain_timeout`
	/// bounds the server's drain.
	///
	/// The store is closed when the last reference to it is dropped: a caller that keeps a
	/// reference to `state` (or its store) must drop it before awaiting [`Daemon::stop`].
	pub fn start(
		listener: TcpListener,
		state: Arc<AppState>,
		bid_engine: Option<(Bidder, UnboundedReceiver<u64>)>,
		shutdown: Shutdown,
		drain_timeout: Duration,
	) -> std::io::Result<Self> {
		let store_closed = state.store.closed();
		let server = Server::start(listener, state, shutdown.clone(), drain_timeout)?;
		let bidder = bid_engine
			.map(|(bidder, deployed)| tokio::spawn(bidder.run(deployed, shutdown.clone())));
		Ok(Self { server, bidder, store_closed, shutdown })
	}

	/// The address the server listens on.
	pub fn local_addr(&self) -> SocketAddr {
		self.server.local_addr()
	}

	/// The HTTP server (its phase).
	pub fn server(&self) -> &Server {
		&self.server
	}

	/// The daemon's shutdown signal.
	pub fn shutdown_signal(&self) -> &Shutdown {
		&self.shutdown
	}

	/// Waits until the shutdown is triggered, then as [`Daemon::stop`].
	pub async fn run(self) -> ShutdownReport {
		self.shutdown.triggered().await;
		self.stop().await
	}

	/// Triggers the shutdown (if nobody did) and waits until the server is drained, the bid
	/// engine stopped and the store closed; see the module documentation.
	pub async fn stop(self) -> ShutdownReport {
		let Self { server, bidder, store_closed, shutdown } = self;
		shutdown.trigger();
		let connections = server.stopped().await;
		log::info!(
			"HTTP server stopped: {} connection(s) drained, {} aborted",
			connections.open.saturating_sub(connections.aborted),
			connections.aborted
		);
		let bidder_stopped = match bidder {
			None => true,
			Some(mut task) => match tokio::time::timeout(BIDDER_STOP_TIMEOUT, &mut task).await {
				Ok(_) => true,
				Err(_) => {
					log::warn!("the bid engine did not stop in {BIDDER_STOP_TIMEOUT:?}; aborted");
					task.abort();
					let _ = task.await;
					false
				},
			},
		};
		let store_closed =
			tokio::time::timeout(STORE_CLOSE_TIMEOUT, store_closed.wait()).await.is_ok();
		if store_closed {
			log::info!("store closed");
		} else {
			log::warn!("the store is still in use after {STORE_CLOSE_TIMEOUT:?}; not closed");
		}
		ShutdownReport { connections, bidder_stopped, store_closed }
	}
}
