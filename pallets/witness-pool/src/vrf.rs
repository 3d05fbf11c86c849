//! Private VRF sortition (docs/architecture.md §6.2).
//!
//! A witness evaluates `VRF(wtns_key, seed)` over the round's seed. The signature proves the
//! output to everyone ([`verify`]) while only the key holder can compute it, so nobody — the provider included — knows the committee before the joins
//! appear, and nobody can grind it (the seed is fixed by BABE randomness one epoch old).
//!
//! Signing needs the secret key, which lives in the node's keystore under [`KEY_TYPE`] (`wtns`).
//! The [`witness_vrf`] runtime interface holds the node host functions: `output`,
//! `pre_output` and `sign`, which an off-chain worker calls (the first two without a proof:
//! a worker learns whether a round draws its witness, and its probe schedule, from one scalar
//! multiplication, and signs only when drawn), and `verify`, which the runtime calls for every join — the same
//! schnorrkel verification ([`verify_in_process`]) run natively, 3–4× faster than compiled
//! into the runtime (the measured weights of `join_committee` and `authorize_worker_batch` are
//! in `docs/benchmarks.md`). The node registers `witness_vrf::HostFunctions` in its executor.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{
	crypto::{KeyTypeId, VrfPublic},
	sr25519::{
		self,
		vrf::{VrfSignData, VrfSignature as CoreVrfSignature, VrfTranscript},
	},
};
use sp_runtime_interface::{
	pass_by::{
		AllocateAndReturnByCodec, PassFatPointerAndDecode, PassPointerAndRead,
		PassPointerAndReadCopy,
	},
	runtime_interface,
};

/// Key type of the witness keys in the node keystore: `wtns`.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"wtns");

/// Label of the VRF transcript a witness signs.
pub const TRANSCRIPT_LABEL: &[u8] = b"DeFaaS witness sortition";

/// Context under which the VRF output bytes are derived.
pub const OUTPUT_CONTEXT: &[u8] = b"defaas-witness-vrf-output";

/// The application crypto of witness keys (sr25519 under [`KEY_TYPE`]), so the runtime declares
/// the key type and `author_insertKey` / `key insert --key-type wtns` produce usable keys.
pub mod app {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

/// The public key a witness registers: it verifies the witness's VRF signatures.
pub type VrfKey = sr25519::Public;

/// An sr25519 VRF signature (pre-output and proof) as carried by `join_committee`.
///
/// Same SCALE encoding as [`sp_core::sr25519::vrf::VrfSignature`]; a separate type so it can be a
/// call argument (it decodes with memory tracking and is checked when used, not when decoded).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct VrfSignature {
	/// The VRF pre-output (a compressed Ristretto point).
	pub pre_output: [u8; 32],
	/// The DLEQ proof that the pre-output belongs to the key and the transcript.
	pub proof: [u8; 64],
}

impl VrfSignature {
	/// The schnorrkel form, if the bytes are a well-formed point and proof.
	pub fn to_core(&self) -> Option<CoreVrfSignature> {
		CoreVrfSignature::decode(&mut &self.encode()[..]).ok()
	}
}

impl From<CoreVrfSignature> for VrfSignature {
	fn from(signature: CoreVrfSignature) -> Self {
		let bytes = signature.encode();
		let mut pre_output = [0u8; 32];
		let mut proof = [0u8; 64];
		// `CoreVrfSignature` encodes as exactly 32 + 64 bytes.
		if let (Some(pre), Some(pr)) = (bytes.get(..32), bytes.get(32..96)) {
			pre_output.copy_from_slice(pre);
			proof.copy_from_slice(pr);
		}
		Self { pre_output, proof }
	}
}

/// The VRF transcript of a round seed.
pub fn transcript(seed: &[u8; 32]) -> VrfTranscript {
	VrfTranscript::new(TRANSCRIPT_LABEL, &[(b"seed", seed.as_slice())])
}

/// What a witness signs for a round seed.
pub fn sign_data(seed: &[u8; 32]) -> VrfSignData {
	transcript(seed).into_sign_data()
}

/// Verify `signature` as `key`'s VRF over `seed` and return its output as a number
/// (little-endian, 128 bits), or `None` if the signature is malformed, made by another key or
/// over another seed. Lower outputs rank first in the committee. Runs in the node (the
/// `witness_vrf::verify` host function).
pub fn verify(key: &VrfKey, seed: &[u8; 32], signature: &VrfSignature) -> Option<u128> {
	witness_vrf::verify(key, *seed, signature.clone())
}

/// [`verify`] in the calling process (the body of the host function).
pub fn verify_in_process(key: &VrfKey, seed: &[u8; 32], signature: &VrfSignature) -> Option<u128> {
	let signature = signature.to_core()?;
	if !key.vrf_verify(&sign_data(seed), &signature) {
		return None;
	}
	let bytes: [u8; 16] =
		key.make_bytes(OUTPUT_CONTEXT, &transcript(seed), &signature.pre_output).ok()?;
	Some(u128::from_le_bytes(bytes))
}

/// Node host function: sign the VRF of a round seed with a `wtns` key of the node keystore.
///
/// Needs the keystore extension (present in off-chain workers); without it, or without the
/// secret key of `key` in the keystore, it returns `None`.
#[runtime_interface]
pub trait WitnessVrf {
	/// Sign the VRF over `seed` with the `wtns` secret key of `key`.
	fn sign(
		&mut self,
		key: PassPointerAndRead<&sr25519::Public, 32>,
		seed: PassPointerAndReadCopy<[u8; 32], 32>,
	) -> AllocateAndReturnByCodec<Option<VrfSignature>> {
		use sp_externalities::ExternalitiesExt;
		use sp_keystore::KeystoreExt;

		let keystore = self.extension::<KeystoreExt>()?;
		keystore.sr25519_vrf_sign(KEY_TYPE, key, &sign_data(&seed)).ok().flatten().map(Into::into)
	}

	/// The VRF output of the `wtns` secret key of `key` over `seed` — what [`verify`] returns
	/// for its signature — without the proof: one scalar multiplication instead of a signature
	/// and a verification, for the worker to see whether a round draws a witness before it
	/// signs. `None` without the keystore or the key.
	///
	/// [`verify`]: super::verify
	fn output(
		&mut self,
		key: PassPointerAndRead<&sr25519::Public, 32>,
		seed: PassPointerAndReadCopy<[u8; 32], 32>,
	) -> AllocateAndReturnByCodec<Option<u128>> {
		use sp_externalities::ExternalitiesExt;
		use sp_keystore::KeystoreExt;

		let keystore = self.extension::<KeystoreExt>()?;
		let input = transcript(&seed);
		let pre_output = keystore.sr25519_vrf_pre_output(KEY_TYPE, key, &input).ok().flatten()?;
		let bytes: [u8; 16] = key.make_bytes(OUTPUT_CONTEXT, &input, &pre_output).ok()?;
		Some(u128::from_le_bytes(bytes))
	}

	/// The VRF pre-output of the `wtns` secret key of `key` over `seed` (the `pre_output` of
	/// its signature, without the proof). `None` without the keystore or the key.
	fn pre_output(
		&mut self,
		key: PassPointerAndRead<&sr25519::Public, 32>,
		seed: PassPointerAndReadCopy<[u8; 32], 32>,
	) -> AllocateAndReturnByCodec<Option<[u8; 32]>> {
		use codec::Encode;
		use sp_externalities::ExternalitiesExt;
		use sp_keystore::KeystoreExt;

		let keystore = self.extension::<KeystoreExt>()?;
		let pre_output =
			keystore.sr25519_vrf_pre_output(KEY_TYPE, key, &transcript(&seed)).ok().flatten()?;
		pre_output.encode().try_into().ok()
	}

	/// Verify `signature` as `key`'s VRF over `seed`: its output, or `None` (see
	/// [`verify`](super::verify)).
	fn verify(
		key: PassPointerAndRead<&sr25519::Public, 32>,
		seed: PassPointerAndReadCopy<[u8; 32], 32>,
		signature: PassFatPointerAndDecode<VrfSignature>,
	) -> AllocateAndReturnByCodec<Option<u128>> {
		verify_in_process(key, &seed, &signature)
	}

	/// The `wtns` public keys in the node keystore (empty without the keystore extension).
	fn keys(&mut self) -> AllocateAndReturnByCodec<alloc::vec::Vec<sr25519::Public>> {
		use sp_externalities::ExternalitiesExt;
		use sp_keystore::KeystoreExt;

		self.extension::<KeystoreExt>()
			.map(|keystore| keystore.sr25519_public_keys(KEY_TYPE))
			.unwrap_or_default()
	}
}
