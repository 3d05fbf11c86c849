//! The daemon's store damaged or its disk full at start: the real binary refuses to start with
//! one clear error naming the file or directory, exits non-zero, and leaves the store as it
//! was — nothing is lost silently, and once the fault is gone the deployments come back.

use crate::support::*;
use defaas_provider::{
	host::{DeploymentSpec, FunctionHost},
	metrics::Metrics,
	store::{DeploymentRecord, Store, DB_FILE},
};
use std::{
	path::{Path, PathBuf},
	process::{Command, Output},
	sync::Arc,
};

/// Runs `defaas-provider` with a config whose store is in `data_dir` and whose node cannot be
/// reached (port 1): it exits either at the store or, past it, at the node.
fn run_daemon(data_dir: &Path, min_free_mb: u64) -> Output {
	let (mut command, _config_dir) = daemon_command(data_dir, min_free_mb);
	command.output().expect("run defaas-provider")
}

/// The `defaas-provider` command for [`run_daemon`], and the directory holding its config.
fn daemon_command(data_dir: &Path, min_free_mb: u64) -> (Command, tempfile::TempDir) {
	// Beside the test's own files, not on the disk under test (which may be full).
	let config_dir = tempfile::tempdir().expect("config dir");
	let config = config_dir.path().join("provider.toml");
	std::fs::write(
		&config,
		format!(
			"node_url = \"ws://127.0.0.1:1\"\nsuri = \"//Charlie\"\nlisten = \"127.0.0.1:0\"\n\
			 data_dir = \"{}\"\nmin_free_mb = {min_free_mb}\n\n[[level]]\nid = 0\nprice = \"3\"\n\
			 capacity = 1\n",
			data_dir.display()
		),
	)
	.expect("config");
	let mut command = Command::new(env!("CARGO_BIN_EXE_defaas-provider"));
	command.arg("--config").arg(&config);
	(command, config_dir)
}

/// Starts the daemon on `data_dir` and reads its log until a line contains `wanted` (it then
/// goes on waiting for its node, which never answers); kills it. The log up to that line.
fn daemon_until(data_dir: &Path, wanted: &str) -> String {
	use std::io::BufRead;
	let (mut command, _config_dir) = daemon_command(data_dir, 1);
	let mut child =
		command.stderr(std::process::Stdio::piped()).spawn().expect("start defaas-provider");
	let stderr = child.stderr.take().expect("piped");
	let mut seen = String::new();
	for line in std::io::BufReader::new(stderr).lines() {
		let line = line.expect("a log line");
		seen.push_str(&line);
		seen.push('\n');
		if line.contains(wanted) {
			break;
		}
	}
	let _ = child.kill();
	let _ = child.wait();
	seen
}

fn stderr(output: &Output) -> String {
	String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A store in `data_dir` holding the `hello` deployment of order 8.
fn store_with_hello(data_dir: &Path) {
	let hello = function_bytes("hello");
	let spec = DeploymentSpec {
		package_hash: hash(&hello),
		level: 0,
		memory_mb: 64,
		package_mb: 1,
		cpu_millicores: 1000,
	};
	let host =
		FunctionHost::new(test_config(), Arc::new(Metrics::new().expect("metrics"))).expect("host");
	let artifact = host.deploy_optimized(8, spec, &hello).expect("deploy");
	let store = Store::open(data_dir).expect("store");
	let record = DeploymentRecord { spec, deployed_at: now(), package: hello };
	store.put_deployment(8, &record, Some(&artifact)).expect("put");
}

#[test]
fn a_garbage_database_file_stops_the_daemon_with_the_file_named() {
	let dir = tempfile::tempdir().expect("temp dir");
	let data = dir.path().join("data");
	std::fs::create_dir_all(&data).expect("data dir");
	let garbage = vec![0x5a_u8; 64 * 1024];
	std::fs::write(data.join(DB_FILE), &garbage).expect("garbage");
	let output = run_daemon(&data, 1);
	let text = stderr(&output);
	assert!(!output.status.success(), "{text}");
	assert!(
		text.contains(&format!("opening the store {}", data.join(DB_FILE).display())),
		"{text}"
	);
	assert!(std::fs::read(data.join(DB_FILE)).expect("kept") == garbage, "left as it was");
}

#[test]
fn an_undecodable_deployment_stops_the_daemon_and_stays_stored() {
	let dir = tempfile::tempdir().expect("temp dir");
	let data = dir.path().join("data");
	store_with_hello(&data);
	// Another writer (a disk error, an incompatible version) leaves a record the daemon
	// cannot decode next to the good one.
	{
		let db = redb::Database::create(data.join(DB_FILE)).expect("db");
		let tx = db.begin_write().expect("tx");
		let table: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("deployments");
		tx.open_table(table).expect("table").insert(9, [0xff_u8; 3].as_slice()).expect("insert");
		tx.commit().expect("commit");
	}
	let before = table_contents(&data);
	let output = run_daemon(&data, 1);
	let text = stderr(&output);
	assert!(!output.status.success(), "{text}");
	assert!(text.contains("restoring the deployments of"), "{text}");
	assert!(text.contains("undecodable deployments record for order 9"), "{text}");
	// Every record of every table is still there, byte for byte, for the operator (or a fixed
	// version) to deal with. (The file's header is not: redb marks a file open and closed.)
	assert!(table_contents(&data) == before, "the records were left as they were");
	let store = Store::open(&data).expect("store");
	assert!(store.deployment(8).expect("readable").is_some());
	assert!(store.deployment(9).is_err());
}

/// Every (table, key, value) of the store in `data_dir`, read with redb itself.
fn table_contents(data_dir: &Path) -> Vec<(&'static str, u64, Vec<u8>)> {
	use redb::{ReadableDatabase, ReadableTable};
	let db = redb::Database::create(data_dir.join(DB_FILE)).expect("db");
	let tx = db.begin_read().expect("read");
	let mut all = Vec::new();
	for name in ["deployments", "artifacts", "bids"] {
		let table: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new(name);
		for entry in tx.open_table(table).expect("table").iter().expect("iter") {
			let (key, value) = entry.expect("entry");
			all.push((name, key.value(), value.value().to_vec()));
		}
	}
	assert!(all.len() >= 3, "the deployment, its artifact and the bad record: {}", all.len());
	all
}

/// A small tmpfs mounted at a fresh directory for the test, unmounted when dropped.
struct SmallDisk {
	path: PathBuf,
	_dir: tempfile::TempDir,
}

impl SmallDisk {
	fn mount(mib: u64) -> SmallDisk {
		let dir = tempfile::tempdir().expect("temp dir");
		let path = dir.path().join("disk");
		std::fs::create_dir_all(&path).expect("mount point");
		let status = Command::new("mount")
			.args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
			.arg(&path)
			.status()
			.expect("run mount");
		assert!(status.success(), "mounting a tmpfs needs root (CI runs the suite as root)");
		SmallDisk { path, _dir: dir }
	}

	/// Writes a file until the file system is full.
	fn fill(&self) -> PathBuf {
		use std::io::Write;
		let filler = self.path.join("filler");
		let mut file = std::fs::File::create(&filler).expect("filler");
		let chunk = vec![0_u8; 64 * 1024];
		loop {
			match file.write_all(&chunk).and_then(|()| file.sync_all()) {
				Ok(()) => {},
				Err(e) if e.raw_os_error() == Some(28) => break,
				Err(e) => panic!("filling the disk: {e}"),
			}
		}
		filler
	}
}

impl Drop for SmallDisk {
	fn drop(&mut self) {
		let _ = Command::new("umount").arg("-l").arg(&self.path).status();
	}
}

#[test]
fn a_full_disk_stops_the_daemon_at_start_and_nothing_is_lost() {
	let disk = SmallDisk::mount(64);
	let data = disk.path.join("data");
	store_with_hello(&data);
	let filler = disk.fill();
	assert!(defaas_provider::store::free_bytes(&data).expect("statvfs") < 1 << 20);
	let before = std::fs::read(data.join(DB_FILE)).expect("db");

	let output = run_daemon(&data, 1);
	let text = stderr(&output);
	assert!(!output.status.success(), "{text}");
	assert!(
		text.contains(&format!("the data directory {} has 0 MiB free", data.display()))
			&& text.contains("less than min_free_mb = 1"),
		"{text}"
	);
	assert!(std::fs::read(data.join(DB_FILE)).expect("kept") == before, "left as it was");

	// Space freed: the daemon restores the deployment (then waits for its node).
	std::fs::remove_file(filler).expect("free the disk");
	let text = daemon_until(&data, "store: ");
	assert!(text.contains("store: 1 deployment(s) restored from their artifact"), "{text}");
}
