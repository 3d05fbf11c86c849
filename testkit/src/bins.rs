//! The workspace's binaries (`defaas-node`, `defaas`, `defaas-provider`, `defaas-load`) and
//! the `defaas` CLI as a subprocess.

use anyhow::{bail, Context, Result};
use std::{
	path::{Path, PathBuf},
	process::Command,
	sync::OnceLock,
};

/// The profile directory the running test was built into (`<target>/release` or
/// `<target>/debug`): test executables live in its `deps/`.
pub fn bin_dir() -> PathBuf {
	let exe = std::env::current_exe().unwrap_or_default();
	let deps = exe.parent().unwrap_or(Path::new("."));
	// Tests run from `<profile>/deps`, examples (benchmarks on the kit) from
	// `<profile>/examples`.
	let dir = if deps.ends_with("deps") || deps.ends_with("examples") {
		deps.parent().unwrap_or(deps)
	} else {
		deps
	};
	dir.to_path_buf()
}

/// `defaas-node` next to the tests.
pub fn node() -> PathBuf {
	bin_dir().join("defaas-node")
}

/// `defaas` (the CLI) next to the tests.
pub fn cli_bin() -> PathBuf {
	bin_dir().join("defaas")
}

/// `defaas-provider` next to the tests.
pub fn provider_bin() -> PathBuf {
	bin_dir().join("defaas-provider")
}

/// `defaas-load` (the load generator) next to the tests.
pub fn load_bin() -> PathBuf {
	bin_dir().join("defaas-load")
}

/// The workspace root, found when the test runs: the nearest directory holding a `Cargo.toml`
/// with a `[workspace]` section, above the package cargo runs the test for (`CARGO_MANIFEST_DIR`
/// at run time) or else above the current directory. Never a path compiled in: a target
/// directory shared by several checkouts (CI's and a developer's) reuses the kit's build, and a
/// compiled-in path would point into the checkout that built it.
pub fn workspace_root() -> PathBuf {
	let start = std::env::var_os("CARGO_MANIFEST_DIR")
		.map(PathBuf::from)
		.or_else(|| std::env::current_dir().ok())
		.unwrap_or_else(|| PathBuf::from("."));
	start
		.ancestors()
		.find(|dir| {
			std::fs::read_to_string(dir.join("Cargo.toml"))
				.is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
		})
		.unwrap_or(&start)
		.to_path_buf()
}

/// A `cargo` command for a nested build from inside a test, with the environment of the
/// developer's own cargo: without the variables cargo sets for the test process
/// (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`, `OUT_DIR`, ...). Build scripts that declare
/// `rerun-if-env-changed` on them (ring's does) would otherwise see them change between the
/// suite's build and the nested one, and rebuild ring, rustls, libp2p, the client stack and
/// everything above them each time (≈ 5 min on 2 cores) — and again on the next plain build.
fn cargo() -> Command {
	let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
	let mut command = Command::new(program);
	for (key, _) in std::env::vars_os() {
		let Some(key) = key.to_str() else { continue };
		let set_by_cargo = key.starts_with("CARGO_PKG_")
			|| matches!(
				key,
				"CARGO_MANIFEST_DIR"
					| "CARGO_MANIFEST_PATH"
					| "CARGO_MANIFEST_LINKS"
					| "CARGO_CRATE_NAME"
					| "CARGO_BIN_NAME"
					| "CARGO_PRIMARY_PACKAGE"
					| "CARGO_TARGET_TMPDIR"
					| "CARGO_RUSTC_CURRENT_DIR"
					| "OUT_DIR"
			);
		if set_by_cargo {
			command.env_remove(key);
		}
	}
	command
}

/// Builds the example functions (`examples/functions`, `wasm32-wasip2` components; `packages`
/// or, when empty, all of them) into `<target>/functions`, next to the tests' own target
/// directory; the directory holding the built `<name>.wasm` files.
pub fn build_functions(packages: &[&str]) -> Result<PathBuf> {
	let target = bin_dir().parent().context("target dir")?.join("functions");
	let mut command = cargo();
	command
		.current_dir(workspace_root().join("examples/functions"))
		.env("CARGO_TARGET_DIR", &target)
		.args(["build", "--release", "--target", "wasm32-wasip2"]);
	for package in packages {
		command.args(["-p", package]);
	}
	let status = command.status().context("cargo build (example functions)")?;
	if !status.success() {
		bail!("building the example functions {packages:?} failed");
	}
	Ok(target.join("wasm32-wasip2/release"))
}

/// Makes sure the workspace's binaries (`defaas-node`, `defaas`, `defaas-provider`,
/// `defaas-load`) next to the tests are built from the current sources: runs `cargo build
/// --workspace --bins` once per test process, in the tests' profile and target directory, with
/// the environment of the developer's cargo ([`cargo`]). Not `cargo test --no-run`: that
/// builds a package's binaries only for its own integration tests (`defaas-load` has none).
/// Under `cargo test --workspace` (README command 2) everything shared is built already, in
/// the same features: this is a freshness check of seconds; a run of one test target (`--test
/// dev`) gets the other packages' binaries built.
pub fn ensure_built() -> Result<()> {
	static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
	BUILT
		.get_or_init(|| {
			let build = || -> Result<()> {
				let target = bin_dir().parent().context("target dir")?.to_path_buf();
				let mut command = cargo();
				command.current_dir(workspace_root()).env("CARGO_TARGET_DIR", target).args([
					"build",
					"--workspace",
					"--bins",
				]);
				if bin_dir().ends_with("release") {
					command.arg("--release");
				}
				let status = command.status().context("run cargo build")?;
				if !status.success() {
					bail!("cargo build --workspace --bins failed");
				}
				Ok(())
			};
			build().map_err(|e| format!("{e:#}"))
		})
		.clone()
		.map_err(anyhow::Error::msg)
}

/// What a `defaas` run printed.
#[derive(Debug)]
pub struct CliOutput {
	/// Whether it exited 0.
	pub success: bool,
	/// Its exit code.
	pub code: Option<i32>,
	/// Standard output.
	pub stdout: String,
	/// Standard error (progress lines, errors).
	pub stderr: String,
}

impl CliOutput {
	/// The output, or an error with both streams unless the run succeeded.
	pub fn ok(self) -> Result<CliOutput> {
		if !self.success {
			bail!("the run failed ({:?}):\n{}\n{}", self.code, self.stdout, self.stderr);
		}
		Ok(self)
	}

	/// The output, or an error with both streams unless the run failed.
	pub fn failed(self) -> Result<CliOutput> {
		if self.success {
			bail!("the run should have failed:\n{}\n{}", self.stdout, self.stderr);
		}
		Ok(self)
	}

	/// Standard output as JSON.
	pub fn json(&self) -> Result<serde_json::Value> {
		serde_json::from_str(&self.stdout).with_context(|| format!("not JSON:\n{}", self.stdout))
	}
}

/// Longest a single `defaas` run may take before the kit kills it.
pub const CLI_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// Runs `defaas --url <url> <args>` (no `DEFAAS_SURI` from the environment, stdin closed,
/// killed after [`CLI_TIMEOUT`]) and returns what it printed.
pub async fn defaas(url: &str, args: &[&str]) -> Result<CliOutput> {
	let mut command = tokio::process::Command::new(cli_bin());
	command.args(["--url", url]).args(args).env_remove("DEFAAS_SURI");
	output_of(command, CLI_TIMEOUT).await.with_context(|| format!("defaas {args:?}"))
}

/// Runs `command` (stdin closed, killed after `timeout`) and returns what it printed; when it
/// runs out of time, the error carries what it printed until then.
pub async fn output_of(
	mut command: tokio::process::Command,
	timeout: std::time::Duration,
) -> Result<CliOutput> {
	use tokio::io::AsyncReadExt;
	let mut child = command
		.stdin(std::process::Stdio::null())
		.stdout(std::process::Stdio::piped())
		.stderr(std::process::Stdio::piped())
		.kill_on_drop(true)
		.spawn()
		.context("spawn")?;
	let read = |pipe: Option<Box<dyn tokio::io::AsyncRead + Send + Unpin>>| {
		tokio::spawn(async move {
			let mut bytes = Vec::new();
			if let Some(mut pipe) = pipe {
				let _ = pipe.read_to_end(&mut bytes).await;
			}
			String::from_utf8_lossy(&bytes).into_owned()
		})
	};
	let stdout = read(child.stdout.take().map(|p| Box::new(p) as _));
	let stderr = read(child.stderr.take().map(|p| Box::new(p) as _));
	let status = tokio::time::timeout(timeout, child.wait()).await;
	let status = match status {
		Ok(status) => status.context("wait")?,
		Err(_) => {
			let _ = child.kill().await;
			let (out, err) = (stdout.await.unwrap_or_default(), stderr.await.unwrap_or_default());
			bail!("did not finish within {timeout:?}; it printed:\n{out}\n{err}");
		},
	};
	Ok(CliOutput {
		success: status.success(),
		code: status.code(),
		stdout: stdout.await.context("stdout")?,
		stderr: stderr.await.context("stderr")?,
	})
}

/// Runs `defaas --url <url> <args>`; its stdout, or an error with everything it printed.
pub async fn cli(url: &str, args: &[&str]) -> Result<String> {
	let output = defaas(url, args).await?;
	if !output.success {
		bail!("defaas {args:?} failed ({:?}):\n{}\n{}", output.code, output.stdout, output.stderr);
	}
	Ok(output.stdout)
}

/// `defaas --json <args>`, parsed.
pub async fn cli_json(url: &str, args: &[&str]) -> Result<serde_json::Value> {
	let mut all = vec!["--json"];
	all.extend_from_slice(args);
	let stdout = cli(url, &all).await?;
	serde_json::from_str(&stdout).with_context(|| format!("defaas {args:?}: not JSON: {stdout}"))
}
