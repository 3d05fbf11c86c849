//! The daemon's durable state (docs/architecture.md §8, §11 "a crashed provider loses no deployments"): an
//! embedded [`redb`] database at `<data_dir>/provider.redb`.
//!
//! Tables, all keyed by order id:
//! - `deployments`: a SCALE-encoded [`DeploymentRecord`] (spec, time, package bytes);
//! - `artifacts`: the compiled component ([`wasmtime::component::Component::serialize`]), so a
//!   restart deserializes instead of recompiling;
//! - `bids`: a SCALE-encoded [`BidRecord`] (price and salt of a sealed bid, needed to reveal it).
//!
//! Every write is one committed transaction with immediate durability: when a method returns
//! `Ok`, the data survives a crash. The database file is closed (and its lock released) when the
//! last reference to the [`Store`] is dropped; [`Store::closed`] tells when that happened.

use crate::host::DeploymentSpec;
use codec::{Decode, Encode};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;
use tokio::sync::watch;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "provider.redb";

const DEPLOYMENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("deployments");
const ARTIFACTS: TableDefinition<u64, &[u8]> = TableDefinition::new("artifacts");
const BIDS: TableDefinition<u64, &[u8]> = TableDefinition::new("bids");

/// A deployment as stored: what to serve for an order.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct DeploymentRecord {
	/// The order's level limits and package hash.
	pub spec: DeploymentSpec,
	/// When the package was deployed, Unix seconds.
	pub deployed_at: u64,
	/// The component's bytes, as uploaded by the customer.
	pub package: Vec<u8>,
}

/// A sealed bid of this provider, kept until the order's auction is over.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BidRecord {
	/// The unit price bid.
	pub price: u128,
	/// The salt of the commitment.
	pub salt: [u8; 32],
	/// The order's level (for the capacity check of the bid engine).
	pub level: u32,
	/// `blake2_256(SCALE(order_id, price, salt, provider))`, as committed on chain.
	pub commitment: [u8; 32],
	// Whether the bid was committed and revealed is read from the chain, never stored: a
	// record written by an older daemon (with two trailing flags) still decodes as a prefix.
}

/// What went wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// The database could not be opened, read or written.
	#[error("provider database: {0}")]
	Database(#[from] redb::Error),
	/// A stored record could not be decoded (corruption or an incompatible version).
	#[error("provider database: undecodable {table} record for order {order_id}: {error}")]
	Corrupt {
		/// The table holding the record.
		table: &'static str,
		/// The record's key.
		order_id: u64,
		/// The decoding error.
		error: codec::Error,
	},
}

/// Bytes an unprivileged process can still write on the file system holding `dir`.
pub fn free_bytes(dir: &Path) -> std::io::Result<u64> {
	let stat = rustix::fs::statvfs(dir)?;
	Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Converts any redb error into a [`StoreError`].
fn db_err<E: Into<redb::Error>>(error: E) -> StoreError {
	StoreError::Database(error.into())
}

/// The provider's database.
pub struct Store {
	// Fields drop in order: the database is closed before `closed` tells anyone.
	db: Database,
	closed: watch::Sender<()>,
}

/// Resolves when the [`Store`] it was taken from is dropped: the database file is closed and
/// can be opened again.
pub struct StoreClosed(watch::Receiver<()>);

impl StoreClosed {
	/// Waits until the store is dropped.
	pub async fn wait(mut self) {
		// Nothing is ever sent: `changed` fails when the store (the sender) is dropped.
		while self.0.changed().await.is_ok() {}
	}
}

impl Store {
	/// Opens (or creates) `<data_dir>/provider.redb`, creating `data_dir` if needed.
	pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
		std::fs::create_dir_all(data_dir).map_err(db_err)?;
		let db = Database::create(data_dir.join(DB_FILE)).map_err(db_err)?;
		// Create the tables up front so that readers never meet a missing table — only when
		// one is missing: opening an existing store writes nothing (a store the daemon then
		// refuses to use is left exactly as it was).
		let missing = {
			let tx = db.begin_read().map_err(db_err)?;
			let mut missing = false;
			for table in [DEPLOYMENTS, ARTIFACTS, BIDS] {
				match tx.open_table(table) {
					Ok(_) => {},
					Err(redb::TableError::TableDoesNotExist(_)) => missing = true,
					Err(e) => return Err(db_err(e)),
				}
			}
			missing
		};
		if missing {
			let tx = db.begin_write().map_err(db_err)?;
			for table in [DEPLOYMENTS, ARTIFACTS, BIDS] {
				tx.open_table(table).map_err(db_err)?;
			}
			tx.commit().map_err(db_err)?;
		}
		Ok(Self { db, closed: watch::Sender::new(()) })
	}

	/// A signal that resolves once this store is dropped (by its last owner) and its database
	/// file closed.
	pub fn closed(&self) -> StoreClosed {
		StoreClosed(self.closed.subscribe())
	}

	/// Stores `record` and its compiled `artifact`, if there is one yet, for `order_id` in one
	/// transaction, replacing what was there (an earlier package's artifact included).
	pub fn put_deployment(
		&self,
		order_id: u64,
		record: &DeploymentRecord,
		artifact: Option<&[u8]>,
	) -> Result<(), StoreError> {
		let encoded = record.encode();
		let tx = self.db.begin_write().map_err(db_err)?;
		{
			tx.open_table(DEPLOYMENTS)
				.map_err(db_err)?
				.insert(order_id, encoded.as_slice())
				.map_err(db_err)?;
			let mut artifacts = tx.open_table(ARTIFACTS).map_err(db_err)?;
			match artifact {
				Some(artifact) => artifacts.insert(order_id, artifact).map_err(db_err)?,
				None => artifacts.remove(order_id).map_err(db_err)?,
			};
		}
		tx.commit().map_err(db_err)
	}

	/// Replaces the compiled artifact of `order_id` (after a recompilation).
	pub fn put_artifact(&self, order_id: u64, artifact: &[u8]) -> Result<(), StoreError> {
		self.put(ARTIFACTS, order_id, artifact)
	}

	/// Stores the compiled `artifact` of the package hashing to `package_hash` for `order_id`
	/// if that is still the order's stored deployment, checked in the same transaction: an
	/// optimization finishing after the order was redeployed or removed stores nothing. `true`
	/// if stored.
	pub fn put_artifact_of(
		&self,
		order_id: u64,
		package_hash: &[u8; 32],
		artifact: &[u8],
	) -> Result<bool, StoreError> {
		let tx = self.db.begin_write().map_err(db_err)?;
		let current = {
			let deployments = tx.open_table(DEPLOYMENTS).map_err(db_err)?;
			let stored = deployments.get(order_id).map_err(db_err)?;
			// The spec is the record's prefix: decode it without copying the package.
			stored.map(|value| decode::<DeploymentSpec>(value.value(), "deployments", order_id))
		};
		if !matches!(current, Some(Ok(spec)) if spec.package_hash == *package_hash) {
			tx.abort().map_err(db_err)?;
			return Ok(false);
		}
		tx.open_table(ARTIFACTS).map_err(db_err)?.insert(order_id, artifact).map_err(db_err)?;
		tx.commit().map_err(db_err)?;
		Ok(true)
	}

	/// The deployment of `order_id`, if any.
	pub fn deployment(&self, order_id: u64) -> Result<Option<DeploymentRecord>, StoreError> {
		self.get(DEPLOYMENTS, order_id)?
			.map(|bytes| decode(&bytes, "deployments", order_id))
			.transpose()
	}

	/// The spec of the deployment of `order_id`, if any, without reading its package.
	pub fn deployment_spec(&self, order_id: u64) -> Result<Option<DeploymentSpec>, StoreError> {
		let tx = self.db.begin_read().map_err(db_err)?;
		let table = tx.open_table(DEPLOYMENTS).map_err(db_err)?;
		let Some(value) = table.get(order_id).map_err(db_err)? else { return Ok(None) };
		// The spec is the record's prefix: decode it without copying the package.
		Ok(Some(decode(value.value(), "deployments", order_id)?))
	}

	/// Every stored deployment, by order id (packages included: prefer
	/// [`Store::deployment_ids`] and [`Store::deployment`] for large stores).
	pub fn deployments(&self) -> Result<Vec<(u64, DeploymentRecord)>, StoreError> {
		self.all(DEPLOYMENTS)?
			.into_iter()
			.map(|(order_id, bytes)| Ok((order_id, decode(&bytes, "deployments", order_id)?)))
			.collect()
	}

	/// The order ids of every stored deployment.
	pub fn deployment_ids(&self) -> Result<Vec<u64>, StoreError> {
		Ok(self.deployment_levels()?.into_iter().map(|(order_id, _)| order_id).collect())
	}

	/// `(order_id, level)` of every stored deployment.
	pub fn deployment_levels(&self) -> Result<Vec<(u64, u32)>, StoreError> {
		let tx = self.db.begin_read().map_err(db_err)?;
		let table = tx.open_table(DEPLOYMENTS).map_err(db_err)?;
		let mut out = Vec::new();
		for entry in table.iter().map_err(db_err)? {
			let (key, value) = entry.map_err(db_err)?;
			let order_id = key.value();
			// The spec is the record's prefix: decode it without copying the package.
			let spec: DeploymentSpec = decode(value.value(), "deployments", order_id)?;
			out.push((order_id, spec.level));
		}
		Ok(out)
	}

	/// The compiled artifact of `order_id`, if any.
	pub fn artifact(&self, order_id: u64) -> Result<Option<Vec<u8>>, StoreError> {
		self.get(ARTIFACTS, order_id)
	}

	/// Removes the deployment of `order_id` and its artifact; `true` if there was one.
	pub fn remove_deployment(&self, order_id: u64) -> Result<bool, StoreError> {
		let tx = self.db.begin_write().map_err(db_err)?;
		let existed = {
			let mut deployments = tx.open_table(DEPLOYMENTS).map_err(db_err)?;
			let existed = deployments.remove(order_id).map_err(db_err)?.is_some();
			tx.open_table(ARTIFACTS).map_err(db_err)?.remove(order_id).map_err(db_err)?;
			existed
		};
		tx.commit().map_err(db_err)?;
		Ok(existed)
	}

	/// Stores the bid on `order_id`, replacing any earlier one.
	pub fn put_bid(&self, order_id: u64, bid: &BidRecord) -> Result<(), StoreError> {
		self.put(BIDS, order_id, &bid.encode())
	}

	/// The bid on `order_id`, if any.
	pub fn bid(&self, order_id: u64) -> Result<Option<BidRecord>, StoreError> {
		self.get(BIDS, order_id)?.map(|bytes| decode(&bytes, "bids", order_id)).transpose()
	}

	/// Every stored bid, by order id.
	pub fn bids(&self) -> Result<Vec<(u64, BidRecord)>, StoreError> {
		self.all(BIDS)?
			.into_iter()
			.map(|(order_id, bytes)| Ok((order_id, decode(&bytes, "bids", order_id)?)))
			.collect()
	}

	/// Removes the bid on `order_id`; `true` if there was one.
	pub fn remove_bid(&self, order_id: u64) -> Result<bool, StoreError> {
		let tx = self.db.begin_write().map_err(db_err)?;
		let existed = {
			let mut bids = tx.open_table(BIDS).map_err(db_err)?;
			let existed = bids.remove(order_id).map_err(db_err)?.is_some();
			existed
		};
		tx.commit().map_err(db_err)?;
		Ok(existed)
	}

	fn put(
		&self,
		table: TableDefinition<u64, &[u8]>,
		order_id: u64,
		value: &[u8],
	) -> Result<(), StoreError> {
		let tx = self.db.begin_write().map_err(db_err)?;
		tx.open_table(table).map_err(db_err)?.insert(order_id, value).map_err(db_err)?;
		tx.commit().map_err(db_err)
	}

	fn get(
		&self,
		table: TableDefinition<u64, &[u8]>,
		order_id: u64,
	) -> Result<Option<Vec<u8>>, StoreError> {
		let tx = self.db.begin_read().map_err(db_err)?;
		let table = tx.open_table(table).map_err(db_err)?;
		let value = table.get(order_id).map_err(db_err)?.map(|guard| guard.value().to_vec());
		Ok(value)
	}

	fn all(&self, table: TableDefinition<u64, &[u8]>) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
		let tx = self.db.begin_read().map_err(db_err)?;
		let table = tx.open_table(table).map_err(db_err)?;
		let mut out = Vec::new();
		for entry in table.iter().map_err(db_err)? {
			let (key, value) = entry.map_err(db_err)?;
			out.push((key.value(), value.value().to_vec()));
		}
		Ok(out)
	}
}

/// Decodes a stored record.
fn decode<T: Decode>(bytes: &[u8], table: &'static str, order_id: u64) -> Result<T, StoreError> {
	T::decode(&mut &bytes[..]).map_err(|error| StoreError::Corrupt { table, order_id, error })
}

#[cfg(test)]
mod tests {
	use super::*;

	fn spec() -> DeploymentSpec {
		DeploymentSpec {
			package_hash: [7; 32],
			level: 0,
			memory_mb: 64,
			package_mb: 1,
			cpu_millicores: 1000,
		}
	}

	#[test]
	fn deployments_and_bids_survive_reopening() {
		let dir = tempfile::tempdir().expect("temp dir");
		{
			let store = Store::open(dir.path()).expect("open");
			let record = DeploymentRecord { spec: spec(), deployed_at: 5, package: vec![1, 2, 3] };
			store.put_deployment(3, &record, Some(&b"artifact"[..])).expect("put");
			let bid = BidRecord { price: 10, salt: [1; 32], level: 0, commitment: [2; 32] };
			store.put_bid(4, &bid).expect("bid");
		}
		let store = Store::open(dir.path()).expect("reopen");
		let deployments = store.deployments().expect("deployments");
		assert_eq!(deployments.len(), 1);
		assert_eq!(deployments[0].0, 3);
		assert_eq!(deployments[0].1.package, vec![1, 2, 3]);
		assert_eq!(store.artifact(3).expect("artifact"), Some(b"artifact".to_vec()));
		assert_eq!(store.bid(4).expect("bid").map(|bid| bid.price), Some(10));
		assert_eq!(store.bids().expect("bids").len(), 1);
		assert!(store.remove_bid(4).expect("remove bid"));
		assert!(!store.remove_bid(4).expect("remove bid again"));
		assert!(store.remove_deployment(3).expect("remove"));
		assert_eq!(store.artifact(3).expect("artifact"), None);
		assert!(store.deployments().expect("deployments").is_empty());
	}

	#[test]
	fn an_artifact_is_stored_only_for_the_package_still_deployed() {
		let dir = tempfile::tempdir().expect("temp dir");
		let store = Store::open(dir.path()).expect("open");
		let record = DeploymentRecord { spec: spec(), deployed_at: 5, package: vec![1, 2, 3] };
		store.put_deployment(3, &record, Some(&b"old package's"[..])).expect("put");
		// Redeployed with another package: the old artifact goes with the old package.
		let other = DeploymentSpec { package_hash: [8; 32], ..spec() };
		let redeployed = DeploymentRecord { spec: other, ..record.clone() };
		store.put_deployment(3, &redeployed, None).expect("put");
		assert_eq!(store.artifact(3).expect("artifact"), None);
		// A late optimization of the old package stores nothing; the current one's is stored.
		assert!(!store.put_artifact_of(3, &[7; 32], b"stale").expect("stale"));
		assert_eq!(store.artifact(3).expect("artifact"), None);
		assert!(store.put_artifact_of(3, &[8; 32], b"current").expect("current"));
		assert_eq!(store.artifact(3).expect("artifact"), Some(b"current".to_vec()));
		// Nor for an order no longer deployed.
		assert!(store.remove_deployment(3).expect("remove"));
		assert!(!store.put_artifact_of(3, &[8; 32], b"late").expect("late"));
		assert_eq!(store.artifact(3).expect("artifact"), None);
	}

	#[test]
	fn a_bid_stored_by_an_older_daemon_still_decodes() {
		let dir = tempfile::tempdir().expect("temp dir");
		let store = Store::open(dir.path()).expect("open");
		let bid = BidRecord { price: 10, salt: [1; 32], level: 2, commitment: [2; 32] };
		// The older record: the same fields followed by two flags (committed, revealed).
		let mut older = bid.encode();
		older.extend([1u8, 0u8]);
		store.put(BIDS, 4, &older).expect("put");
		assert_eq!(store.bid(4).expect("bid"), Some(bid));
	}

	#[tokio::test]
	async fn closed_resolves_when_the_last_owner_drops_the_store_and_it_reopens_at_once() {
		let dir = tempfile::tempdir().expect("temp dir");
		let store = std::sync::Arc::new(Store::open(dir.path()).expect("open"));
		let other_owner = store.clone();
		let mut closed = std::pin::pin!(store.closed().wait());
		drop(store);
		assert!(futures::poll!(closed.as_mut()).is_pending(), "another owner holds it");
		// While open, the file is locked: a second open fails.
		assert!(Store::open(dir.path()).is_err());
		drop(other_owner);
		closed.await;
		Store::open(dir.path()).expect("reopen right after the close");
	}
}
