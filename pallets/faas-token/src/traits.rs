//! Traits through which other pallets use the FaaS token: allowances spent by a sponsor's order,
//! reward minting under the issuance budget, the slash sink. They live in `defaas-primitives`
//! (so a pallet that uses them need not link this one); the real implementations are on
//! [`crate::Pallet`], trivial `()` ones come with the traits.

pub use defaas_primitives::traits::{AllowanceSpender, RewardMinter, SlashSink};
