//! The crate's modules depend on each other without cycles (`src/lib.rs` lists the graph): read
//! from the sources, every `crate::<module>` path (in `use` groups too) outside comments is an
//! edge from the module of the file to `<module>`.

use std::{
	collections::{BTreeMap, BTreeSet},
	path::{Path, PathBuf},
};

/// The top-level modules each source file's module uses, by top-level module.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
	let src = defaas_testkit::bins::workspace_root().join("provider/src");
	let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
	for file in rust_files(&src) {
		let relative = file.strip_prefix(&src).expect("under src");
		let first = relative.components().next().expect("a component");
		let name = first.as_os_str().to_string_lossy();
		let module = name.trim_end_matches(".rs").to_owned();
		if module == "lib" || module == "main" {
			continue;
		}
		let source = std::fs::read_to_string(&file).expect("read a source file");
		let uses = graph.entry(module.clone()).or_default();
		uses.extend(crate_paths(&source).into_iter().filter(|used| *used != module));
	}
	graph
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
	let mut files = Vec::new();
	for entry in std::fs::read_dir(dir).expect("read src") {
		let path = entry.expect("entry").path();
		if path.is_dir() {
			files.extend(rust_files(&path));
		} else if path.extension().is_some_and(|ext| ext == "rs") {
			files.push(path);
		}
	}
	files
}

/// The first segment of every `crate::` path in `source`, comments excluded.
fn crate_paths(source: &str) -> BTreeSet<String> {
	let code: Vec<&str> = source
		.lines()
		.filter(|line| !line.trim_start().starts_with("//"))
		.map(|line| line.split(" //").next().unwrap_or(line))
		.collect();
	let code = code.join("\n");
	let ident = |text: &str| -> String {
		text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
	};
	let mut found = BTreeSet::new();
	let mut rest = code.as_str();
	while let Some(at) = rest.find("crate::") {
		rest = &rest[at + "crate::".len()..];
		let Some(group) = rest.strip_prefix('{') else {
			found.insert(ident(rest));
			continue;
		};
		// `crate::{a::b, c, d::{e, f}}`: the first segment of each top-level item.
		let (mut depth, mut item_start) = (0usize, true);
		for (index, c) in group.char_indices() {
			match c {
				'{' => depth += 1,
				'}' if depth == 0 => break,
				'}' => depth -= 1,
				',' if depth == 0 => item_start = true,
				c if item_start && (c.is_alphanumeric() || c == '_') => {
					found.insert(ident(&group[index..]));
					item_start = false;
				},
				_ => {},
			}
		}
	}
	found.retain(|name| !name.is_empty());
	found
}

/// A cycle of `graph`, if it has one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
	fn visit(
		graph: &BTreeMap<String, BTreeSet<String>>,
		module: &str,
		path: &mut Vec<String>,
		done: &mut BTreeSet<String>,
	) -> Option<Vec<String>> {
		if let Some(start) = path.iter().position(|on_path| on_path == module) {
			let mut cycle = path[start..].to_vec();
			cycle.push(module.to_owned());
			return Some(cycle);
		}
		if done.contains(module) {
			return None;
		}
		path.push(module.to_owned());
		for used in graph.get(module).into_iter().flatten() {
			if let Some(cycle) = visit(graph, used, path, done) {
				return Some(cycle);
			}
		}
		path.pop();
		done.insert(module.to_owned());
		None
	}
	let mut done = BTreeSet::new();
	graph.keys().find_map(|module| visit(graph, module, &mut Vec::new(), &mut done))
}

#[test]
fn the_parser_sees_plain_paths_and_use_groups_but_not_comments() {
	let source =
		"use crate::{a::B, c, d::{e, f::G}};\n/// [x](crate::doc)\nfn f() { crate::h::i(); }\n\
	              let x = 1; // crate::trailing\n";
	let found: Vec<String> = crate_paths(source).into_iter().collect();
	assert_eq!(found, ["a", "c", "d", "h"]);
	let mut graph = BTreeMap::new();
	graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
	graph.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
	assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "a".into()]));
}

#[test]
fn modules_have_no_cycles() {
	let graph = module_graph();
	for module in ["host", "store", "server", "deploy", "http", "app", "orders", "restore"] {
		assert!(graph.contains_key(module), "module {module} not found: {graph:?}");
	}
	assert_eq!(find_cycle(&graph), None, "the module graph: {graph:#?}");
	// The two former cycles in particular.
	assert!(!graph["host"].contains("store"), "the host must not know the store");
	assert!(!graph["deploy"].contains("server"), "the deployment API must not need the server");
}
