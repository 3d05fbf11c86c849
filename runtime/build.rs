//! Builds the runtime's WebAssembly blob (`WASM_BINARY`) with `substrate-wasm-builder`, and a
//! second one with the `test-upgrade` feature (`test_upgrade::WASM_BINARY`): the same runtime
//! with `spec_version` + 1 and the migrations of that release, which the network tests install
//! with a forkless upgrade on a running chain. Both come from one project directory, one after
//! the other; cargo keeps the two builds apart by their features.

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("FST", 12)
		.build();
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("FST", 12)
		.enable_feature("test-upgrade")
		.set_file_name("wasm_binary_test_upgrade.rs")
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_feature("test-upgrade")
		.set_file_name("wasm_binary_test_upgrade.rs")
		.build();
}

/// The wasm builder is deactivated when compiling this crate for wasm itself.
#[cfg(not(feature = "std"))]
fn main() {}
