//! The daemon's integration tests: one test binary (the function host, wasmtime and the HTTP
//! stack compiled and linked once, not once per file), a module per subject.
//!
//! - `serving`: functions, order health, the capacity challenge verified with Freivalds,
//!   `/healthz`, `/metrics`, concurrency slots, the instance pool;
//! - `deployment_api`: every refusal, idempotent retries, the notification, refusals reaching
//!   clients that are still sending;
//! - `hostile_clients`: connection caps per address, body deadlines, one path per order;
//! - `malicious`: `spin`, `membomb`, `huge`, `panicky` contained while `hello` keeps answering;
//! - `pool`: the computing pool — gateway in process, `nats-server` and worker processes;
//! - `restart`: restore from stored artifacts;
//! - `store_faults`: a damaged store or a full disk at start (the real binary);
//! - `shutdown`: graceful shutdown;
//! - `module_graph`: no cycles between the crate's modules.

mod deployment_api;
mod hostile_clients;
mod malicious;
mod module_graph;
mod pool;
mod restart;
mod serving;
mod shutdown;
mod store_faults;
mod support;
