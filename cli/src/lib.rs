//! The `defaas` command-line tool of the DeFaaS market: FaaS levels, orders (create, status,
//! follow, cancel), deployments to the matched provider, invocations of deployed functions,
//! and provider/witness registration. See `cli/README.md` for every command and an example.

#![warn(missing_docs)]

pub mod cli;
pub mod commands;
pub mod deploy;
pub mod http;
pub mod table;
