//! # DeFaaS runtime fuzzer
//!
//! An input is a sequence of [`Step`]s, SCALE-encoded back to back: produce blocks, or dispatch
//! a call of the market, the witness pool, the token or the balances pallet from a dev account
//! (or a governance call of the three DeFaaS pallets from Root). Everything runs against the
//! real `defaas_runtime::Runtime` in `TestExternalities`, on the `development` preset's genesis,
//! with blocks built the way the node builds them — the runtime flow tests' harness
//! (`runtime/tests/flows/harness.rs`), shared, not copied.
//!
//! After every step:
//! - nothing panicked (the harness's and the runtime's own code);
//! - a call's actual weight is at most its pre-dispatch weight;
//! - a call that failed changed no storage (the state root is the one before it);
//! - the harness's invariants: every pallet's `try_state` (holds per reason == the pallets'
//!   records, committees, seats, indexes), total issuance == the sum of every account's FST,
//!   and conservation (issuance + burned + fees == genesis + minted).
//!
//! Inputs that stop decoding are cut there (the decoded prefix runs). `cargo test -p
//! defaas-fuzz` replays the seeds and every input in `corpus/runtime/` (seconds);
//! `scripts/fuzz.sh` runs libFuzzer on it for a given time (docs/reliability.md).

// The fuzzer is test code: its assertions are its findings.
#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::panic,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects,
	clippy::unreachable
)]

#[path = "../../runtime/tests/flows/harness.rs"]
#[allow(dead_code)]
mod harness;

use codec::{Decode, DecodeLimit, Encode, Input};
use defaas_runtime::{RuntimeCall, RuntimeOrigin};
use frame_support::dispatch::GetDispatchInfo;
use sp_runtime::{traits::Dispatchable, StateVersion};

/// Most steps one input runs.
pub const MAX_STEPS: usize = 64;
/// Most blocks one [`Step::Blocks`] produces.
pub const MAX_BLOCKS_PER_STEP: u8 = 32;
/// Nesting limit when decoding a call.
const CALL_DEPTH_LIMIT: u32 = 16;

/// One step of a fuzz input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
	/// Produce `1 + n % MAX_BLOCKS_PER_STEP` blocks (hooks, deadlines, rounds).
	Blocks(u8),
	/// Dispatch `call` signed by the dev account `who % 12` (Alice, Bob, …).
	Signed(u8, RuntimeCall),
	/// Dispatch `call` from Root (governance calls of the market, witness pool and token).
	Root(RuntimeCall),
}

impl Encode for Step {
	fn encode_to<W: codec::Output + ?Sized>(&self, dest: &mut W) {
		match self {
			Step::Blocks(n) => {
				dest.push_byte(0);
				dest.push_byte(*n);
			},
			Step::Signed(who, call) => {
				dest.push_byte(1);
				dest.push_byte(*who);
				call.encode_to(dest);
			},
			Step::Root(call) => {
				dest.push_byte(2);
				call.encode_to(dest);
			},
		}
	}
}

impl Decode for Step {
	fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
		let call = |input: &mut I| RuntimeCall::decode_with_depth_limit(CALL_DEPTH_LIMIT, input);
		match input.read_byte()? {
			0 => Ok(Step::Blocks(input.read_byte()?)),
			1 => {
				let who = input.read_byte()?;
				Ok(Step::Signed(who, call(input)?))
			},
			2 => Ok(Step::Root(call(input)?)),
			_ => Err("unknown step".into()),
		}
	}
}

/// The steps of `data`: decoded until the input ends or stops decoding, at most
/// [`MAX_STEPS`].
pub fn steps(mut data: &[u8]) -> Vec<Step> {
	let mut steps = Vec::new();
	while !data.is_empty() && steps.len() < MAX_STEPS {
		match Step::decode(&mut data) {
			Ok(step) => steps.push(step),
			Err(_) => break,
		}
	}
	steps
}

/// Encode `steps` as a fuzz input.
pub fn encode(steps: &[Step]) -> Vec<u8> {
	steps.iter().flat_map(|step| step.encode()).collect()
}

/// Whether a signed `call` is one the fuzzer dispatches: the DeFaaS pallets' and the balances
/// pallet's.
fn fuzzed_signed(call: &RuntimeCall) -> bool {
	matches!(
		call,
		RuntimeCall::Balances(_)
			| RuntimeCall::Market(_)
			| RuntimeCall::WitnessPool(_)
			| RuntimeCall::FaasToken(_)
	)
}

/// Whether a Root `call` is one the fuzzer dispatches: the DeFaaS pallets' governance calls
/// (Root balance calls would create or destroy FST by design).
fn fuzzed_root(call: &RuntimeCall) -> bool {
	matches!(call, RuntimeCall::Market(_) | RuntimeCall::WitnessPool(_) | RuntimeCall::FaasToken(_))
}

/// Run one fuzz input: every step, with the checks of the crate documentation.
pub fn run(data: &[u8]) {
	let steps = steps(data);
	if steps.is_empty() {
		return;
	}
	harness::run(harness::Timings::Dev, || {
		let accounts = harness::dev_accounts();
		for step in steps {
			match step {
				Step::Blocks(n) => {
					for _ in 0..=(n % MAX_BLOCKS_PER_STEP) {
						harness::next_block();
					}
				},
				Step::Signed(who, call) if fuzzed_signed(&call) => {
					let who = accounts[usize::from(who) % accounts.len()];
					dispatch(RuntimeOrigin::signed(harness::acc(who)), call);
				},
				Step::Root(call) if fuzzed_root(&call) => dispatch(RuntimeOrigin::root(), call),
				Step::Signed(..) | Step::Root(_) => {},
			}
		}
	});
}

/// Dispatch `call` from `origin` and check the weight, the no-change-on-failure rule and the
/// invariants.
fn dispatch(origin: RuntimeOrigin, call: RuntimeCall) {
	let info = call.get_dispatch_info();
	let before = sp_io::storage::root(StateVersion::V1);
	let described = format!("{call:?}");
	let result = call.dispatch(origin);
	let post = match &result {
		Ok(post) => post,
		Err(e) => &e.post_info,
	};
	if let Some(actual) = post.actual_weight {
		assert!(
			actual.all_lte(info.call_weight),
			"actual weight {actual:?} above the pre-dispatch weight {:?}: {described}",
			info.call_weight
		);
	}
	if let Err(e) = result {
		assert_eq!(
			sp_io::storage::root(StateVersion::V1),
			before,
			"a failed call changed storage ({:?}): {described}",
			e.error
		);
	}
	harness::check_invariants(harness::now());
}

/// Hand-written inputs that reach deep states (a whole auction and lease, the token's
/// allowances, governance): the corpus's starting points, replayed by the tests and copied
/// into `corpus/runtime/` by `scripts/fuzz.sh`.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
	vec![
		("seed-auction-and-lease", encode(&seeds::auction_and_lease())),
		("seed-token-allowances", encode(&seeds::token_allowances())),
		("seed-governance", encode(&seeds::governance())),
	]
}

mod seeds {
	use super::{harness, Step};
	use defaas_runtime::{RuntimeCall, FST};
	use pallet_market::Call as MarketCall;
	use pallet_witness_pool::Call as PoolCall;
	use sp_core::Pair;

	/// Index of a dev account in [`harness::dev_accounts`].
	fn index(who: harness::Who) -> u8 {
		harness::dev_accounts().iter().position(|w| *w == who).unwrap() as u8
	}

	fn signed(who: harness::Who, call: impl Into<RuntimeCall>) -> Step {
		Step::Signed(index(who), call.into())
	}

	/// Two providers, three witnesses, an order of level 0 with a committee of one, sealed
	/// bids, reveals, confirmation, deployment and the lease's periods.
	pub fn auction_and_lease() -> Vec<Step> {
		use harness::Who::*;
		let mut steps = Vec::new();
		for witness in [Dave, Eve, Ferdie] {
			let seed = format!("{}//wtns", witness.to_seed());
			let vrf_key = sp_core::sr25519::Pair::from_string(&seed, None).unwrap().public();
			steps.push(signed(
				witness,
				PoolCall::register_witness { stake: harness::WITNESS_STAKE, vrf_key },
			));
		}
		// The witnesses become active (`ActivationDelay`) before the lease's first round.
		steps.extend([Step::Blocks(31), Step::Blocks(31)]);
		for provider in [Bob, Charlie] {
			steps.push(signed(
				provider,
				MarketCall::register_provider {
					stake: harness::PROVIDER_STAKE,
					endpoint: harness::ENDPOINT.to_vec().try_into().unwrap(),
					levels: vec![0].try_into().unwrap(),
					heartbeat_key: harness::acc(provider),
				},
			));
			steps.push(signed(
				provider,
				MarketCall::heartbeat { capacity: vec![(0, 4)].try_into().unwrap() },
			));
		}
		steps.push(signed(Alice, harness::create_order_call(2, 10 * FST, 1, 10, None)));
		let order_id = 0;
		for (provider, price) in [(Bob, 5 * FST), (Charlie, 7 * FST)] {
			let salt = harness::bid_salt(provider, order_id);
			let commitment = defaas_primitives::commitments::bid_commitment(
				order_id,
				&price,
				&salt,
				&harness::acc(provider),
			);
			steps.push(signed(provider, MarketCall::commit_bid { order_id, commitment }));
		}
		// The bid window (10 blocks) ends: reveals.
		steps.push(Step::Blocks(10));
		for (provider, price) in [(Bob, 5 * FST), (Charlie, 7 * FST)] {
			let salt = harness::bid_salt(provider, order_id);
			steps.push(signed(provider, MarketCall::reveal_bid { order_id, price, salt }));
		}
		// The reveal window (5 blocks) closes; Bob is the candidate.
		steps.push(Step::Blocks(4));
		steps.push(signed(Bob, MarketCall::confirm_order { order_id }));
		steps.push(signed(Bob, MarketCall::fulfill { order_id }));
		steps.extend([Step::Blocks(31), Step::Blocks(31), Step::Blocks(31)]);
		steps
	}

	/// Allowances: approve, spend through `transfer_from`, replace, remove; transfers.
	pub fn token_allowances() -> Vec<Step> {
		use harness::Who::*;
		use pallet_faas_token::Call as TokenCall;
		vec![
			signed(
				Alice,
				TokenCall::approve { spender: harness::acc(Bob).into(), amount: 5 * FST },
			),
			signed(
				Bob,
				TokenCall::transfer_from {
					owner: harness::acc(Alice).into(),
					to: harness::acc(Charlie).into(),
					amount: 2 * FST,
				},
			),
			signed(Alice, TokenCall::approve { spender: harness::acc(Bob).into(), amount: 0 }),
			signed(
				Charlie,
				pallet_balances::Call::transfer_keep_alive {
					dest: harness::acc(Dave).into(),
					value: FST,
				},
			),
			Step::Blocks(3),
		]
	}

	/// Root changes the token's inflation and the witness reward pays on.
	pub fn governance() -> Vec<Step> {
		use pallet_faas_token::Call as TokenCall;
		vec![
			Step::Root(
				TokenCall::set_yearly_inflation { inflation: sp_runtime::Perbill::from_percent(5) }
					.into(),
			),
			Step::Blocks(5),
		]
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The seeds decode to what was encoded (so the corpus starts where it should).
	#[test]
	fn seeds_round_trip() {
		for (name, input) in seeds() {
			let decoded = steps(&input);
			assert!(!decoded.is_empty(), "{name}");
			assert_eq!(encode(&decoded), input, "{name} decodes whole");
		}
	}

	/// The auction seed reaches a lease: every call of it succeeds and the lease starts.
	#[test]
	fn the_auction_seed_reaches_a_lease() {
		let input = seeds().into_iter().find(|(n, _)| *n == "seed-auction-and-lease").unwrap().1;
		run(&input);
		// Run again with the checks below (run itself asserts only the invariants).
		harness::run(harness::Timings::Dev, || {
			let accounts = harness::dev_accounts();
			for step in steps(&input) {
				match step {
					Step::Blocks(n) => {
						for _ in 0..=(n % MAX_BLOCKS_PER_STEP) {
							harness::next_block();
						}
					},
					Step::Signed(who, call) => {
						let who = accounts[usize::from(who) % accounts.len()];
						let result =
							call.clone().dispatch(RuntimeOrigin::signed(harness::acc(who)));
						assert!(result.is_ok(), "{call:?}: {result:?}");
					},
					Step::Root(_) => unreachable!(),
				}
			}
			assert!(harness::market_events()
				.iter()
				.any(|(_, e)| matches!(e, pallet_market::Event::LeaseStarted { order_id: 0, .. })));
		});
	}

	/// Every seed and every input in `corpus/runtime/` runs clean.
	#[test]
	fn corpus_replays_clean() {
		let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/runtime");
		let mut inputs = seeds();
		let mut files: Vec<_> = std::fs::read_dir(&dir)
			.expect("the corpus directory")
			.map(|entry| entry.expect("an entry").path())
			.filter(|path| path.is_file())
			.collect();
		files.sort();
		for path in &files {
			inputs.push(("corpus", std::fs::read(path).expect("readable")));
		}
		for (name, input) in inputs {
			if let Err(e) = std::panic::catch_unwind(|| run(&input)) {
				panic!(
					"{name} ({} bytes, 0x{}): {e:?}",
					input.len(),
					sp_core::hexdisplay::HexDisplay::from(&input)
				);
			}
		}
		println!("{} seeds and corpus inputs replayed", seeds().len() + files.len());
	}

	/// `cargo test -p defaas-fuzz write_seeds -- --ignored`: write the seeds into the corpus
	/// (scripts/fuzz.sh does it before fuzzing).
	#[test]
	#[ignore]
	fn write_seeds() {
		let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/runtime");
		for (name, input) in seeds() {
			std::fs::write(dir.join(name), input).expect("writable corpus");
		}
	}
}
