//! A witness's node for the off-chain worker tests: the mock chain plus the off-chain
//! extensions — persistent storage that survives a [`Node::restart`], a transaction pool, and an
//! HTTP back end: either a [`FakeProvider`] (answers by URL: health status, honest or wrong
//! challenge products, refused hosts) or `TestOffchainExt` with expected requests.
//!
//! `TestOffchainExt` answers every request with `200` and cannot time out, hence the fake
//! provider for failing probes.

use super::*;
use crate::vrf::VrfKey;
use codec::{Decode, Encode};
use defaas_offchain_workers::{
	challenge::{decode_request, encode_product, CHALLENGE_PATH, HEALTH_SUFFIX},
	freivalds::{matrix, multiply},
};
use sp_core::{
	hexdisplay::HexDisplay,
	offchain::{
		self,
		testing::{TestOffchainExt, TestPersistentOffchainDB, TestTransactionPoolExt},
		HttpError, HttpRequestId, HttpRequestStatus, OffchainDbExt, OffchainWorkerExt,
		OpaqueNetworkState, Timestamp, TransactionPoolExt,
	},
};
use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex, MutexGuard},
};

/// How the fake provider answers the capacity challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeAnswer {
	/// `200` with the correct product `A·B`.
	Honest,
	/// `200` with a product that is wrong in one entry.
	Wrong,
	/// This status code and no body.
	Status(u16),
}

/// One request in flight.
#[derive(Default)]
struct Exchange {
	/// HTTP method.
	method: String,
	/// URI.
	uri: String,
	/// Request body so far.
	body: Vec<u8>,
	/// Status and body, once the request was sent.
	response: Option<(u16, Vec<u8>)>,
	/// Bytes of the response body read so far.
	read: usize,
}

/// State of the [`FakeProvider`].
struct ProviderState {
	/// Status code of the health endpoint.
	health: u16,
	/// How the challenge is answered.
	challenge: ChallengeAnswer,
	/// Every request started: `(method, uri)`.
	requests: Vec<(String, String)>,
	/// Requests in flight.
	exchanges: BTreeMap<u16, Exchange>,
	/// Next request id.
	next_id: u16,
	/// Calls of `random_seed` so far (each returns a new seed).
	seeds: u64,
	/// Files served at `GET uri` (published packages).
	files: BTreeMap<String, Vec<u8>>,
}

/// The provider at [`PROVIDER_ENDPOINT`], as the witness's node reaches it over HTTP. Requests
/// to other hosts cannot be started (unreachable).
#[derive(Clone)]
pub struct FakeProvider(Arc<Mutex<ProviderState>>);

impl Default for FakeProvider {
	fn default() -> Self {
		Self(Arc::new(Mutex::new(ProviderState {
			health: 200,
			challenge: ChallengeAnswer::Honest,
			requests: Vec::new(),
			exchanges: BTreeMap::new(),
			next_id: 0,
			seeds: 0,
			files: BTreeMap::new(),
		})))
	}
}

impl FakeProvider {
	fn state(&self) -> MutexGuard<'_, ProviderState> {
		self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Answer the health checks with `status`.
	pub fn set_health(&self, status: u16) {
		self.state().health = status;
	}

	/// Answer the challenges as `answer` says.
	pub fn set_challenge(&self, answer: ChallengeAnswer) {
		self.state().challenge = answer;
	}

	/// Serve `bytes` at `GET uri`.
	pub fn serve_file(&self, uri: &str, bytes: Vec<u8>) {
		self.state().files.insert(uri.into(), bytes);
	}

	/// Every request started so far: `(method, uri)`.
	pub fn requests(&self) -> Vec<(String, String)> {
		self.state().requests.clone()
	}

	/// The response to a complete request.
	fn respond(&self, method: &str, uri: &str, body: &[u8]) -> (u16, Vec<u8>) {
		let (health, challenge, file) = {
			let state = self.state();
			(state.health, state.challenge, state.files.get(uri).cloned())
		};
		if let (Some(file), "GET") = (file, method) {
			return (200, file);
		}
		if method == "GET" && uri.ends_with(HEALTH_SUFFIX) {
			return (health, b"ok".to_vec());
		}
		if method != "POST" || !uri.ends_with(CHALLENGE_PATH) {
			return (404, Vec::new());
		}
		let Some((seed, n, _order_id)) = decode_request(body) else { return (400, Vec::new()) };
		let mut product = multiply(&matrix(&seed, b'A', n), &matrix(&seed, b'B', n), n);
		match challenge {
			ChallengeAnswer::Status(status) => (status, Vec::new()),
			ChallengeAnswer::Honest => (200, encode_product(&product)),
			ChallengeAnswer::Wrong => {
				product[0] = product[0].wrapping_add(1);
				(200, encode_product(&product))
			},
		}
	}
}

impl offchain::Externalities for FakeProvider {
	fn is_validator(&self) -> bool {
		true
	}

	fn network_state(&self) -> Result<OpaqueNetworkState, ()> {
		Err(())
	}

	fn timestamp(&mut self) -> Timestamp {
		Timestamp::from_unix_millis(1_000_000)
	}

	fn sleep_until(&mut self, _deadline: Timestamp) {}

	fn random_seed(&mut self) -> [u8; 32] {
		let mut state = self.state();
		state.seeds += 1;
		sp_io::hashing::blake2_256(&(b"seed", state.seeds).encode())
	}

	fn http_request_start(
		&mut self,
		method: &str,
		uri: &str,
		_meta: &[u8],
	) -> Result<HttpRequestId, ()> {
		let mut state = self.state();
		state.requests.push((method.into(), uri.into()));
		if !uri.starts_with(PROVIDER_ENDPOINT) {
			return Err(());
		}
		let id = state.next_id;
		state.next_id += 1;
		let exchange = Exchange { method: method.into(), uri: uri.into(), ..Default::default() };
		state.exchanges.insert(id, exchange);
		Ok(HttpRequestId(id))
	}

	fn http_request_add_header(
		&mut self,
		request_id: HttpRequestId,
		_name: &str,
		_value: &str,
	) -> Result<(), ()> {
		self.state().exchanges.contains_key(&request_id.0).then_some(()).ok_or(())
	}

	fn http_request_write_body(
		&mut self,
		request_id: HttpRequestId,
		chunk: &[u8],
		_deadline: Option<Timestamp>,
	) -> Result<(), HttpError> {
		let (method, uri, body) = {
			let mut state = self.state();
			let exchange = state.exchanges.get_mut(&request_id.0).ok_or(HttpError::Invalid)?;
			exchange.body.extend_from_slice(chunk);
			if !chunk.is_empty() {
				return Ok(());
			}
			(exchange.method.clone(), exchange.uri.clone(), exchange.body.clone())
		};
		let response = self.respond(&method, &uri, &body);
		if let Some(exchange) = self.state().exchanges.get_mut(&request_id.0) {
			exchange.response = Some(response);
		}
		Ok(())
	}

	fn http_response_wait(
		&mut self,
		ids: &[HttpRequestId],
		_deadline: Option<Timestamp>,
	) -> Vec<HttpRequestStatus> {
		let state = self.state();
		ids.iter()
			.map(|id| match state.exchanges.get(&id.0).and_then(|e| e.response.as_ref()) {
				Some((status, _)) => HttpRequestStatus::Finished(*status),
				None => HttpRequestStatus::Invalid,
			})
			.collect()
	}

	fn http_response_headers(&mut self, _request_id: HttpRequestId) -> Vec<(Vec<u8>, Vec<u8>)> {
		Vec::new()
	}

	fn http_response_read_body(
		&mut self,
		request_id: HttpRequestId,
		buffer: &mut [u8],
		_deadline: Option<Timestamp>,
	) -> Result<usize, HttpError> {
		let mut state = self.state();
		let exchange = state.exchanges.get_mut(&request_id.0).ok_or(HttpError::Invalid)?;
		let (_, body) = exchange.response.as_ref().ok_or(HttpError::Invalid)?;
		let rest = &body[exchange.read..];
		let len = rest.len().min(buffer.len());
		buffer[..len].copy_from_slice(&rest[..len]);
		exchange.read += len;
		if len == 0 {
			state.exchanges.remove(&request_id.0);
		}
		Ok(len)
	}

	fn set_authorized_nodes(&mut self, _nodes: Vec<sp_core::OpaquePeerId>, _authorized_only: bool) {
	}
}

/// Builds the HTTP extension of a (re)started node.
type HttpBackEnd = Box<dyn Fn() -> OffchainWorkerExt>;

/// Reads the transactions the node's pool received.
type PoolReader = Box<dyn Fn() -> Vec<Vec<u8>>>;

/// A witness's node: the chain, its persistent off-chain storage, its transaction pool and
/// its view of the provider.
pub struct Node {
	/// The chain (with the mock's keystore).
	pub ext: sp_io::TestExternalities,
	/// The persistent off-chain storage (survives restarts).
	pub db: TestPersistentOffchainDB,
	/// The provider reached over HTTP (unless built with another back end).
	pub provider: FakeProvider,
	/// HTTP back end of every (re)start.
	http: HttpBackEnd,
	/// The current pool's transactions.
	pool: PoolReader,
	/// Transactions of the current pool already returned by [`Node::take_calls`].
	taken: usize,
}

impl Node {
	/// A node reaching the [`FakeProvider`].
	pub fn new(builder: ExtBuilder) -> Self {
		let provider = FakeProvider::default();
		let http = provider.clone();
		Self::with_http(builder, provider, Box::new(move || OffchainWorkerExt::new(http.clone())))
	}

	/// A node whose HTTP is `TestOffchainExt` (expected requests, always `200`); its state is
	/// `offchain.0`.
	pub fn with_test_offchain(builder: ExtBuilder, offchain: TestOffchainExt) -> Self {
		Self::with_http(
			builder,
			FakeProvider::default(),
			Box::new(move || OffchainWorkerExt::new(offchain.clone())),
		)
	}

	fn with_http(builder: ExtBuilder, provider: FakeProvider, http: HttpBackEnd) -> Self {
		let mut node = Self {
			ext: builder.build(),
			db: TestPersistentOffchainDB::new(),
			provider,
			http,
			pool: Box::new(Vec::new),
			taken: 0,
		};
		node.restart();
		node
	}

	/// Restart the node: fresh off-chain extensions and an empty transaction pool over the
	/// same persistent storage, keystore and chain.
	pub fn restart(&mut self) {
		let (db, _state) = TestOffchainExt::with_offchain_db(self.db.clone());
		self.ext.register_extension(OffchainDbExt::new(db));
		self.ext.register_extension((self.http)());
		let (pool, state) = TestTransactionPoolExt::new();
		self.ext.register_extension(TransactionPoolExt::new(pool));
		self.pool = Box::new(move || state.read().transactions.clone());
		self.taken = 0;
	}

	/// Run `f` in the node's externalities.
	pub fn execute<R>(&mut self, f: impl FnOnce() -> R) -> R {
		self.ext.execute_with(f)
	}

	/// The worker calls submitted since the last call (decoded; all general transactions).
	pub fn take_calls(&mut self) -> Vec<crate::Call<Test>> {
		let all = (self.pool)();
		let new = all.get(self.taken..).unwrap_or_default().to_vec();
		self.taken = all.len();
		new.iter().map(|bytes| worker_call(bytes)).collect()
	}

	/// Run `try_state` and the conservation check.
	pub fn check(&mut self) {
		self.execute(check_invariants);
	}
}

/// Decode a submitted transaction: a general transaction carrying a witness-pool call.
pub fn worker_call(bytes: &[u8]) -> crate::Call<Test> {
	let xt = Extrinsic::decode(&mut &bytes[..]).expect("an extrinsic");
	assert!(
		matches!(xt.preamble, sp_runtime::generic::Preamble::General(..)),
		"an authorized general transaction"
	);
	match xt.function {
		RuntimeCall::WitnessPool(call) => call,
		other => panic!("not a witness-pool call: {other:?}"),
	}
}

/// Authorize `call` as the pool does and dispatch it with the `Authorized` origin.
pub fn apply(call: crate::Call<Test>) -> DispatchResult {
	use frame_support::{pallet_prelude::TransactionSource, traits::Authorize};
	use sp_runtime::traits::Dispatchable;
	call.authorize(TransactionSource::External)
		.expect("a worker call")
		.map_err(|_| DispatchError::Other("not authorized"))?;
	RuntimeCall::WitnessPool(call)
		.dispatch(RuntimeOrigin::from(frame_system::RawOrigin::Authorized))
		.map(drop)
		.map_err(|e| e.error)
}

/// Put witness `who`'s key pair ([`vrf_pair`], the key it registered) into the node's keystore
/// as a `wtns` key.
pub fn keystore_key(who: AccountId) -> VrfKey {
	let seed = sp_io::hashing::blake2_256(&(b"witness", who).encode());
	let suri = format!("0x{}", HexDisplay::from(&seed));
	let key = sp_io::crypto::sr25519_generate(vrf::KEY_TYPE, Some(suri.into_bytes()));
	assert_eq!(key, vrf_key(who), "the keystore holds the registered key");
	key
}

/// Run the chain's hooks and then the off-chain worker at every block of `blocks`.
pub fn run_worker_through(blocks: impl IntoIterator<Item = BlockNumber>) {
	for n in blocks {
		run_to_block(n);
		WitnessPool::offchain_worker(n);
	}
}
