//! The computing pool (docs/architecture.md §13): one provider on chain, many worker hosts
//! behind it, joined by NATS.
//!
//! - The **gateway** ([`gateway`]) is the provider the chain knows: its key, bid engine,
//!   deployment API and public endpoint. It runs no function itself: it puts each verified
//!   package into a JetStream object store (named by its hash) and the deployment record into
//!   a key-value bucket, and forwards every function request as a NATS request to the
//!   deployment's queue group.
//! - A **worker** ([`worker`]) is a function host only: no chain key, no listener, only its
//!   outbound connection to NATS — a device behind NAT can be one. It watches the deployment
//!   bucket, fetches, compiles and serves every deployment (one queue subscription each), and
//!   publishes its status — what it serves, its slots — every [`STATUS_INTERVAL`] into the
//!   worker bucket.
//!
//! Every live worker serves every deployment, so a deployment is served by as many workers as
//! are live; the gateway confirms a deployment (and the bid engine fulfils the lease) once
//! `replicas` workers serve it. A request goes to one worker of the queue group, chosen by
//! NATS; a worker that joins takes its share as soon as it has compiled the deployments, one
//! that leaves takes only its in-flight requests with it.
//!
//! Names, for a pool called `acme`: buckets `defaas-acme-deployments` (key: the order id),
//! `defaas-acme-packages` (object name: the package hash in hex), `defaas-acme-workers` (key:
//! the worker's name); subject `defaas.acme.order.<order id>`, queue group [`QUEUE_GROUP`].

pub mod gateway;
pub mod wire;
pub mod worker;

use crate::{config::PoolConfig, host::DeploymentSpec};
use async_nats::jetstream::{self, kv, object_store};
use codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The queue group every worker subscribes to a deployment's subject in.
pub const QUEUE_GROUP: &str = "workers";

/// How often a worker publishes its status.
pub const STATUS_INTERVAL: Duration = Duration::from_secs(1);

/// A worker whose last status is older than this is not live (its requests go to the others
/// anyway: NATS stops sending to a closed connection at once; this is what `/healthz` and the
/// replica count see).
pub const WORKER_TTL: Duration = Duration::from_secs(5);

/// How long the worker bucket keeps a status (a worker gone for longer is forgotten).
pub const STATUS_RETENTION: Duration = Duration::from_secs(600);

/// The buckets and subjects of one pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
	pool: String,
}

impl Names {
	/// The names of the pool configured in `config`.
	pub fn of(config: &PoolConfig) -> Self {
		Self { pool: config.name.clone() }
	}

	/// The key-value bucket of the deployment records.
	pub fn deployments(&self) -> String {
		format!("defaas-{}-deployments", self.pool)
	}

	/// The object store of the packages.
	pub fn packages(&self) -> String {
		format!("defaas-{}-packages", self.pool)
	}

	/// The key-value bucket of the worker statuses.
	pub fn workers(&self) -> String {
		format!("defaas-{}-workers", self.pool)
	}

	/// The subject of an order's requests.
	pub fn order_subject(&self, order_id: u64) -> String {
		format!("defaas.{}.order.{order_id}", self.pool)
	}
}

/// The record of a deployment in the deployment bucket (SCALE), keyed by the order id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PoolDeployment {
	/// The order's level limits and package hash; the package is the object named
	/// [`package_object`] of the hash.
	pub spec: DeploymentSpec,
}

/// The object name of a package: its hash in hex (no `0x`).
pub fn package_object(hash: &[u8; 32]) -> String {
	hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a worker says about itself (JSON in the worker bucket, readable with `nats kv get`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerStatus {
	/// The worker's name.
	pub worker: String,
	/// The orders it serves.
	pub serving: Vec<u64>,
	/// The deployments it could not serve, with the reason.
	pub failed: Vec<(u64, String)>,
	/// Function instances it runs at once at most.
	pub slots: u32,
}

/// The pool's buckets, created if missing (by whichever of the gateway and the workers comes
/// first, with the same settings).
pub struct Buckets {
	/// The deployment records.
	pub deployments: kv::Store,
	/// The packages.
	pub packages: object_store::ObjectStore,
	/// The worker statuses.
	pub workers: kv::Store,
}

impl Buckets {
	/// Opens (or creates) the buckets of `names`.
	pub async fn open(jetstream: &jetstream::Context, names: &Names) -> anyhow::Result<Self> {
		let deployments = key_value(
			jetstream,
			kv::Config {
				bucket: names.deployments(),
				description: "DeFaaS pool: deployment records by order id".into(),
				history: 1,
				storage: jetstream::stream::StorageType::File,
				..Default::default()
			},
		)
		.await?;
		let workers = key_value(
			jetstream,
			kv::Config {
				bucket: names.workers(),
				description: "DeFaaS pool: worker statuses".into(),
				history: 1,
				max_age: STATUS_RETENTION,
				storage: jetstream::stream::StorageType::Memory,
				..Default::default()
			},
		)
		.await?;
		let bucket = names.packages();
		let packages = match jetstream.get_object_store(&bucket).await {
			Ok(store) => store,
			Err(_) => match jetstream
				.create_object_store(object_store::Config {
					bucket: bucket.clone(),
					description: Some("DeFaaS pool: packages by hash".into()),
					storage: jetstream::stream::StorageType::File,
					..Default::default()
				})
				.await
			{
				Ok(store) => store,
				// Another member of the pool created it meanwhile (workers start together).
				Err(e) => jetstream
					.get_object_store(&bucket)
					.await
					.map_err(|_| anyhow::anyhow!("creating the object store {bucket}: {e}"))?,
			},
		};
		Ok(Self { deployments, packages, workers })
	}
}

/// Opens the key-value bucket of `config`, creating it if missing.
///
/// Created as the stream a key-value bucket is (`KV_<bucket>` on `$KV.<bucket>.>`, the
/// client's own conventions) rather than through `create_key_value`, which first reads the
/// account's JetStream information in a form only servers from 2.10 on send; Debian's
/// nats-server is 2.9.
async fn key_value(
	jetstream: &jetstream::Context,
	config: kv::Config,
) -> anyhow::Result<kv::Store> {
	let bucket = config.bucket.clone();
	if let Ok(store) = jetstream.get_key_value(&bucket).await {
		return Ok(store);
	}
	let created = jetstream
		.create_stream(jetstream::stream::Config {
			name: format!("KV_{bucket}"),
			description: Some(config.description),
			subjects: vec![format!("$KV.{bucket}.>")],
			max_messages_per_subject: config.history.max(1),
			max_age: config.max_age,
			storage: config.storage,
			num_replicas: 1,
			discard: jetstream::stream::DiscardPolicy::New,
			allow_rollup: true,
			deny_delete: true,
			allow_direct: true,
			..Default::default()
		})
		.await;
	match (created, jetstream.get_key_value(&bucket).await) {
		(_, Ok(store)) => Ok(store),
		// Another member of the pool may have created it meanwhile (workers start together):
		// the creation fails with "subjects overlap", and then the bucket opens.
		(Err(e), Err(_)) => Err(anyhow::anyhow!("creating the key-value bucket {bucket}: {e}")),
		(Ok(_), Err(e)) => Err(anyhow::anyhow!("opening the key-value bucket {bucket}: {e}")),
	}
}

/// Connects to NATS as `name`, retrying every two seconds until the server answers or
/// `shutdown` is triggered (`None`). Reconnects by itself afterwards.
pub async fn connect(
	url: &str,
	name: &str,
	shutdown: &crate::shutdown::Shutdown,
) -> Option<async_nats::Client> {
	loop {
		let options =
			async_nats::ConnectOptions::new().name(name).connection_timeout(Duration::from_secs(5));
		tokio::select! {
			() = shutdown.triggered() => return None,
			connected = options.connect(url) => match connected {
				Ok(client) => return Some(client),
				Err(e) => log::warn!("connecting to NATS at {url}: {e}; retrying"),
			},
		}
		tokio::select! {
			() = shutdown.triggered() => return None,
			() = tokio::time::sleep(Duration::from_secs(2)) => {},
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_pool_is_named_after_its_config() {
		let config: PoolConfig =
			toml::from_str("nats_url = \"nats://n:4222\"\nname = \"acme\"\nrole = \"gateway\"")
				.unwrap();
		let names = Names::of(&config);
		assert_eq!(names.deployments(), "defaas-acme-deployments");
		assert_eq!(names.packages(), "defaas-acme-packages");
		assert_eq!(names.workers(), "defaas-acme-workers");
		assert_eq!(names.order_subject(7), "defaas.acme.order.7");
	}

	#[test]
	fn package_objects_are_named_by_hash() {
		let mut hash = [0u8; 32];
		hash[0] = 0xab;
		hash[31] = 0x01;
		let name = package_object(&hash);
		assert_eq!(name.len(), 64);
		assert!(name.starts_with("ab00") && name.ends_with("01"));
	}
}
