//! What a browser test needs around a node: a static web server for a built web page, and a
//! TCP relay in front of the node's RPC port that the test can cut and restore — the node "goes
//! away and comes back" for the page without stopping a node other tests share.
//!
//! Both listen on 127.0.0.1 port 0 (the kernel picks the port, the listener keeps it) and serve
//! from threads that end with the test process.

use crate::recorder::read_request;
use std::{
	io::{self, Write},
	net::{Shutdown, SocketAddr, TcpListener, TcpStream},
	path::{Component, Path, PathBuf},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex, MutexGuard,
	},
};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A TCP relay to `target`: every connection it accepts is piped to a new connection to the
/// target while it is up; [`Relay::cut`] closes every piped connection and refuses new ones
/// (accepted and closed at once) until [`Relay::restore`].
#[derive(Clone)]
pub struct Relay {
	/// `127.0.0.1:<port>` the relay listens on.
	pub addr: SocketAddr,
	up: Arc<AtomicBool>,
	live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
	/// Starts relaying to `target`.
	pub fn start(target: SocketAddr) -> io::Result<Relay> {
		let listener = TcpListener::bind("127.0.0.1:0")?;
		let relay = Relay {
			addr: listener.local_addr()?,
			up: Arc::new(AtomicBool::new(true)),
			live: Default::default(),
		};
		let handle = relay.clone();
		std::thread::spawn(move || {
			for client in listener.incoming().flatten() {
				if !handle.up.load(Ordering::SeqCst) {
					let _ = client.shutdown(Shutdown::Both);
					continue;
				}
				let _ = handle.pipe(client, target);
			}
		});
		Ok(relay)
	}

	/// The WebSocket URL of the node behind the relay.
	pub fn ws_url(&self) -> String {
		format!("ws://{}", self.addr)
	}

	/// Closes every relayed connection and refuses new ones.
	pub fn cut(&self) {
		self.up.store(false, Ordering::SeqCst);
		for stream in lock(&self.live).drain(..) {
			let _ = stream.shutdown(Shutdown::Both);
		}
	}

	/// Relays again.
	pub fn restore(&self) {
		self.up.store(true, Ordering::SeqCst);
	}

	fn pipe(&self, client: TcpStream, target: SocketAddr) -> io::Result<()> {
		let server = TcpStream::connect(target)?;
		{
			let mut live = lock(&self.live);
			live.push(client.try_clone()?);
			live.push(server.try_clone()?);
		}
		for (mut from, mut to) in [(client.try_clone()?, server.try_clone()?), (server, client)] {
			std::thread::spawn(move || {
				let _ = io::copy(&mut from, &mut to);
				let _ = to.shutdown(Shutdown::Both);
				let _ = from.shutdown(Shutdown::Both);
			});
		}
		Ok(())
	}
}

/// A static web server for the files under `root` (`/` is `index.html`), one request per
/// connection. With a relay it also answers `POST /relay/cut` and `POST /relay/restore`, so a
/// script in or beside the browser can take the node away and bring it back.
#[derive(Clone)]
pub struct StaticSite {
	/// `http://127.0.0.1:<port>/`.
	pub url: String,
	root: PathBuf,
	relay: Option<Relay>,
}

impl StaticSite {
	/// Starts serving `root`.
	pub fn start(root: &Path, relay: Option<Relay>) -> io::Result<StaticSite> {
		let listener = TcpListener::bind("127.0.0.1:0")?;
		let site = StaticSite {
			url: format!("http://{}/", listener.local_addr()?),
			root: root.to_path_buf(),
			relay,
		};
		let handle = site.clone();
		std::thread::spawn(move || {
			for stream in listener.incoming().flatten() {
				let handle = handle.clone();
				std::thread::spawn(move || handle.serve(stream));
			}
		});
		Ok(site)
	}

	fn serve(&self, mut stream: TcpStream) -> io::Result<()> {
		let Some(request) = read_request(&mut stream)? else {
			return Ok(());
		};
		let path = request.path.split(['?', '#']).next().unwrap_or("/");
		let (status, kind, body) = match (request.method.as_str(), path, &self.relay) {
			("POST", "/relay/cut", Some(relay)) => {
				relay.cut();
				(200, "text/plain", b"cut".to_vec())
			},
			("POST", "/relay/restore", Some(relay)) => {
				relay.restore();
				(200, "text/plain", b"restored".to_vec())
			},
			("GET", _, _) => match self.file(path) {
				Some(file) => match std::fs::read(&file) {
					Ok(body) => (200, content_type(&file), body),
					Err(_) => (404, "text/plain", b"not found".to_vec()),
				},
				None => (404, "text/plain", b"not found".to_vec()),
			},
			_ => (405, "text/plain", b"method not allowed".to_vec()),
		};
		write!(
			stream,
			"HTTP/1.1 {status} Test\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n\
			 cache-control: no-store\r\nconnection: close\r\n\r\n",
			body.len()
		)?;
		stream.write_all(&body)?;
		stream.flush()
	}

	/// The file a URL path names, never outside `root`.
	fn file(&self, path: &str) -> Option<PathBuf> {
		let relative = Path::new(path.trim_start_matches('/'));
		if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
			return None;
		}
		let file = self.root.join(relative);
		let file = if file.is_dir() { file.join("index.html") } else { file };
		file.is_file().then_some(file)
	}
}

/// The content type of a built web page's file, by extension.
fn content_type(file: &Path) -> &'static str {
	match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
		"html" => "text/html; charset=utf-8",
		"js" | "mjs" => "text/javascript; charset=utf-8",
		"css" => "text/css; charset=utf-8",
		"svg" => "image/svg+xml",
		"png" => "image/png",
		"json" | "map" => "application/json",
		"wasm" => "application/wasm",
		_ => "application/octet-stream",
	}
}
