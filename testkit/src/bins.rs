//! The workspace's binaries (`defaas-node`, `defaas`, `defaas-provider`) and the `defaas` CLI
//! as a subprocess.

use anyhow::{bail, Context, Result};
use std::{
	path::{Path, PathBuf},
	process::Command,
	time::SystemTime,
};

/// The profile directory the running test was built into (`<target>/release` or
/// `<target>/debug`): test executables live in its `deps/`.
pub fn bin_dir() -> PathBuf {
	let exe = std::env::current_exe().unwrap_or_default();
	let deps = exe.parent().unwrap_or(Path::new("."));
	let dir = if deps.ends_with("deps") { deps.parent().unwrap_or(deps) } else { deps };
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

/// The newest modification time of the files under `path`.
fn newest(path: &Path) -> Option<SystemTime> {
	let meta = std::fs::metadata(path).ok()?;
	if !meta.is_dir() {
		return meta.modified().ok();
	}
	std::fs::read_dir(path).ok()?.filter_map(Result::ok).filter_map(|e| newest(&e.path())).max()
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

/// Builds the example functions (`examples/functions`, `wasm32-wasip2` components; `packages`
/// or, when empty, all of them) into `<target>/functions`, next to the tests' own target
/// directory; the directory holding the built `<name>.wasm` files.
pub fn build_functions(packages: &[&str]) -> Result<PathBuf> {
	let target = bin_dir().parent().context("target dir")?.join("functions");
	let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
	let mut command = Command::new(cargo);
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

/// Makes sure `bins` (of `packages`) exist next to the tests and are newer than every source
/// under `sources` (workspace-relative): `cargo test --workspace` builds them all, but a test of
/// one crate (`cargo test -p defaas-cli`) does not build the node. Builds them otherwise, in the
/// same profile and target directory.
pub fn ensure_built(packages: &[&str], bins: &[&str], sources: &[&str]) -> Result<()> {
	let root = workspace_root();
	let sources = sources.iter().filter_map(|dir| newest(&root.join(dir))).max();
	let built = bins
		.iter()
		.map(|bin| std::fs::metadata(bin_dir().join(bin)).and_then(|m| m.modified()).ok())
		.collect::<Option<Vec<_>>>()
		.and_then(|times| times.into_iter().min());
	if let (Some(sources), Some(built)) = (sources, built) {
		if built > sources {
			return Ok(());
		}
	}
	let target = bin_dir().parent().context("target dir")?.to_path_buf();
	let release = bin_dir().ends_with("release");
	let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
	let mut command = Command::new(cargo);
	command.current_dir(&root).env("CARGO_TARGET_DIR", target).arg("build");
	if release {
		command.arg("--release");
	}
	for package in packages {
		command.args(["-p", package]);
	}
	let status = command.status().context("cargo build")?;
	if !status.success() {
		bail!("building {packages:?} failed");
	}
	Ok(())
}

/// Builds the CLI and the provider daemon if needed (see [`ensure_built`]).
pub fn ensure_cli_and_provider() -> Result<()> {
	ensure_built(
		&["defaas-cli", "defaas-provider"],
		&["defaas", "defaas-provider"],
		&[
			"cli",
			"client",
			"primitives",
			"provider",
			"offchain-workers/src",
			"pallets",
			"Cargo.lock",
		],
	)
}

/// What a `defaas` run printed.
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

/// Runs `defaas --url <url> <args>` and returns what it printed.
pub async fn defaas(url: &str, args: &[&str]) -> Result<CliOutput> {
	let output = tokio::process::Command::new(cli_bin())
		.args(["--url", url])
		.args(args)
		.output()
		.await
		.context("run defaas")?;
	Ok(CliOutput {
		success: output.status.success(),
		code: output.status.code(),
		stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
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
