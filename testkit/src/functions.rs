//! The example functions written in Python and JavaScript (`examples/functions/python-hello`,
//! `examples/functions/js-hello`), built by their own tooling from the package registries:
//! componentize-py (PyPI, in the project's `.venv`) and componentize-js (npm, in its
//! `node_modules`). `.ci/run` installs both up front; a test installs what is missing.
//!
//! A build takes seconds (the tools package a whole interpreter or engine: ≈ 7 s for Python,
//! ≈ 12 s for JavaScript on 2 cores), so each component is kept under
//! `<target>/functions/<project>/` by a key over the project's files: the next run with
//! unchanged sources reuses it. A lock file serialises builds of one project across processes.

use crate::bins::{bin_dir, workspace_root};
use anyhow::{bail, Context, Result};
use std::{
	fs::File,
	hash::{DefaultHasher, Hasher},
	path::{Path, PathBuf},
	process::Command,
	time::Instant,
};

/// A function of an example project in another language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guest {
	/// A module of `examples/functions/python-hello` (`"app"` is hello, `"stats"` the
	/// statistics function).
	Python(&'static str),
	/// A source file of `examples/functions/js-hello` (`"app.js"` is hello, `"stats.js"` the
	/// statistics function).
	JavaScript(&'static str),
}

impl Guest {
	/// Python's hello.
	pub const PYTHON_HELLO: Guest = Guest::Python("app");
	/// JavaScript's hello.
	pub const JS_HELLO: Guest = Guest::JavaScript("app.js");
	/// The statistics function in Python.
	pub const PYTHON_STATS: Guest = Guest::Python("stats");
	/// The statistics function in JavaScript.
	pub const JS_STATS: Guest = Guest::JavaScript("stats.js");

	fn project(self) -> &'static str {
		match self {
			Guest::Python(_) => "python-hello",
			Guest::JavaScript(_) => "js-hello",
		}
	}

	fn entry(self) -> &'static str {
		match self {
			Guest::Python(module) | Guest::JavaScript(module) => module,
		}
	}
}

/// Builds `guest` (or finds it built from the same sources) and returns the component's path.
pub fn build(guest: Guest) -> Result<PathBuf> {
	let project = workspace_root().join("examples/functions").join(guest.project());
	let out_dir = bin_dir().parent().context("target dir")?.join("functions").join(guest.project());
	std::fs::create_dir_all(&out_dir).with_context(|| format!("{}", out_dir.display()))?;
	let lock = File::create(out_dir.join(".lock")).context("the build lock")?;
	lock.lock().context("take the build lock")?;

	let key = sources_key(&project, guest.entry())?;
	let stem = guest.entry().trim_end_matches(".js");
	let out = out_dir.join(format!("{stem}-{key:016x}.wasm"));
	if out.exists() {
		return Ok(out);
	}
	let partial = out.with_extension("wasm.partial");
	let started = Instant::now();
	match guest {
		Guest::Python(module) => {
			let tool = project.join(".venv/bin/componentize-py");
			if !tool.exists() {
				run(Command::new("python3").args(["-m", "venv", ".venv"]).current_dir(&project))?;
				run(Command::new(project.join(".venv/bin/pip"))
					.args(["install", "-q", "-r", "requirements.txt"])
					.current_dir(&project))?;
			}
			run(Command::new(tool)
				.args(["-d", "wit", "-w", "python-hello", "componentize", module, "-o"])
				.arg(&partial)
				.current_dir(&project))?;
		},
		Guest::JavaScript(source) => {
			if !project.join("node_modules/@bytecodealliance/componentize-js").exists() {
				run(Command::new("npm")
					.args(["ci", "--no-audit", "--no-fund"])
					.current_dir(&project))?;
			}
			run(Command::new("node")
				.arg("build.mjs")
				.arg(source)
				.arg(&partial)
				.current_dir(&project))?;
		},
	}
	std::fs::rename(&partial, &out).context("keep the built component")?;
	eprintln!("built {} in {:.1} s", out.display(), started.elapsed().as_secs_f64());
	Ok(out)
}

/// Runs `command`, failing with its output when it fails.
fn run(command: &mut Command) -> Result<()> {
	let output = command.output().with_context(|| format!("run {command:?}"))?;
	if !output.status.success() {
		bail!(
			"{command:?} failed ({}):\n{}{}",
			output.status,
			String::from_utf8_lossy(&output.stdout),
			String::from_utf8_lossy(&output.stderr)
		);
	}
	Ok(())
}

/// A key over the project's files (paths and contents; the tooling and build outputs left
/// out) and `entry`.
fn sources_key(project: &Path, entry: &str) -> Result<u64> {
	let mut files = Vec::new();
	collect(project, project, &mut files)?;
	files.sort();
	let mut hasher = DefaultHasher::new();
	hasher.write(entry.as_bytes());
	for relative in files {
		hasher.write(relative.as_bytes());
		hasher.write(&std::fs::read(project.join(&relative)).context("read a source")?);
	}
	Ok(hasher.finish())
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) -> Result<()> {
	for entry in std::fs::read_dir(dir).with_context(|| format!("{}", dir.display()))? {
		let path = entry?.path();
		let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
		if matches!(name, ".venv" | "node_modules" | "target" | "__pycache__") {
			continue;
		}
		if path.is_dir() {
			collect(root, &path, files)?;
		} else if let Ok(relative) = path.strip_prefix(root) {
			files.push(relative.to_string_lossy().into_owned());
		}
	}
	Ok(())
}
