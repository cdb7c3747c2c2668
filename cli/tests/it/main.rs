//! The CLI's integration tests, one module per area, built as one test binary (one link
//! instead of one per file). Shared helpers live in `support`.

mod support;

mod completions;
mod fake_server;
mod interrupt;
mod invitations;
mod members;
mod progress;
mod shared_budget;
mod sync;
mod untrusted;
