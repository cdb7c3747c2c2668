//! `sync`: make an organization's members match a roster CSV file. The arguments and help in
//! `args`, the plan-or-apply flow in `run` (and in `orgs` for a roster over many
//! organizations), the text and JSON shown in `render`.

mod args;
mod orgs;
mod render;
mod run;

pub use args::SyncArgs;
pub use run::run;
