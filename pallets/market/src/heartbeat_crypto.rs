//! The provider heartbeat key (`prov`, sr25519) and what it signs (docs/architecture.md §7.1).
//!
//! A provider registers the account of a `prov` key as its heartbeat key
//! (`register_provider(.., heartbeat_key)`) and puts the key into the keystore of its node
//! (`author_insertKey` with key type `prov`). That node's off-chain worker then signs a
//! [`Heartbeat`](crate::Heartbeat) every `HeartbeatPeriod` blocks and submits it as the
//! fee-less `worker_heartbeat`, authorized by the signature over [`signing_payload`].

use codec::Encode;
use sp_runtime::{
	app_crypto::{app_crypto, sr25519},
	KeyTypeId,
};

/// Key type of the provider heartbeat key: `prov`.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"prov");

/// Domain separator of signed heartbeats: the signature is over
/// `SCALE((HEARTBEAT_CONTEXT, heartbeat))`.
pub const HEARTBEAT_CONTEXT: &[u8; 16] = b"defaas/heartbeat";

app_crypto!(sr25519, KEY_TYPE);

/// What the heartbeat key signs: `SCALE((b"defaas/heartbeat", heartbeat))`, i.e. the 16 context
/// bytes (a fixed-size array, no length prefix) followed by the SCALE encoding of the heartbeat.
pub fn signing_payload(heartbeat: &impl Encode) -> alloc::vec::Vec<u8> {
	(HEARTBEAT_CONTEXT, heartbeat).encode()
}
