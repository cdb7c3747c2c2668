//! The integration tests, one module per area, built as one test binary (one link instead of
//! one per file). Shared helpers live in `support`.

mod support;

mod apply_pace;
mod clerk_sdks;
mod client_builder;
mod connections;
mod error_context;
mod errors;
mod fake_faults;
mod fake_invitations;
mod fake_large_org;
mod fake_list;
mod fake_memberships;
mod fake_pagination;
mod fake_rate_limit;
mod fake_roles;
mod fake_server;
mod fake_spec;
mod fake_state;
mod fake_users;
mod faults;
mod fuzz_answers;
mod invitations_wire;
mod models;
mod organizations_wire;
mod pacing;
mod pagination;
mod proxy;
mod rate_share;
#[cfg(feature = "redis")]
mod redis_budget;
mod resolve_users;
mod retry;
mod robustness;
mod roles_wire;
mod secrets;
mod setters;
mod sync_apply;
mod sync_invite;
mod sync_members;
mod sync_orgs;
mod sync_plan;
mod sync_roles;
mod users_wire;
mod wire;
