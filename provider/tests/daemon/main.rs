//! The daemon's integration tests: one test binary (the function host, wasmtime and the HTTP
//! stack compiled and linked once, not once per file), a module per subject.
//!
//! - `serving`: functions, order health, the capacity challenge verified with Freivalds,
//!   `/healthz`, `/metrics`, concurrency slots, the instance pool;
//! - `deployment_api`: every refusal, idempotent retries, the notification, refusals reaching
//!   clients that are still sending;
//! - `hostile_clients`: connection caps per address, body deadlines, one path per order;
//! - `languages`: hello in Rust, Python and JavaScript, and the statistics function in Python
//!   and JavaScript (built by componentize-py and componentize-js, cached by their sources);
//! - `malicious`: `spin`, `membomb`, `huge`, `panicky` contained while `hello` keeps answering;
//! - `pool`: the computing pool — gateway in process, `nats-server` and worker processes;
//! - `restart`: restore from stored artifacts;
//! - `store_faults`: a damaged store or a full disk at start (the real binary);
//! - `shutdown`: graceful shutdown;
//! - `tiers`: the baseline compiler's code first, the optimized code swapped in;
//! - `module_graph`: no cycles between the crate's modules.

mod deployment_api;
mod hostile_clients;
mod languages;
mod malicious;
mod module_graph;
mod pool;
mod restart;
mod serving;
mod shutdown;
mod store_faults;
mod support;
mod tiers;
