//! Storage migrations run when this runtime replaces an older one on a live chain.
//!
//! Two lists, both empty while no pallet's storage layout has changed since the first release
//! (every pallet's on-chain storage version equals its in-code one from genesis; the runtime
//! tests check it):
//!
//! - [`SingleBlockMigrations`]: run by `frame_system` in the upgrade's first block, before any
//!   extrinsic. For migrations bounded by a small constant (a storage value, a bounded map).
//! - [`MultiBlockMigrations`]: stepped by `pallet-migrations` after the inherents of the blocks
//!   that follow, within `MbmServiceWeight` each; transactions wait until the last one is done.
//!   For anything that walks a map whose size the chain's users decide (orders, bids, leases,
//!   witnesses).
//!
//! Each pallet's migrations live in its own crate (`migrations` module) as
//! `VersionedMigration`s (or `SteppedMigration`s with a cursor) with `pre_upgrade` /
//! `post_upgrade` checks; the runtime tests run `Executive::try_runtime_upgrade` with every
//! check (pre/post hooks, `try_state`, decoding the entire state) on a state built by the
//! flow tests, twice, so a migration that is not idempotent or leaves undecodable storage
//! fails the suite.

/// Single-block migrations of this runtime version, in order.
pub type SingleBlockMigrations = ();

/// Multi-block (stepped) migrations of this runtime version, in order.
pub type MultiBlockMigrations = ();
