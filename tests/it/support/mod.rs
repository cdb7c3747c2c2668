//! What the integration tests share: a scriptable loopback HTTP server ([`server`]), the five
//! operations as one enum ([`ops`]), clients for mock servers ([`clients`]), what the wire
//! tests share ([`wire`]) and a seeded generator for generated-input tests ([`rng`]).
//!
//! `main.rs` declares it once; the test modules reach it as `crate::support`.

pub mod clients;
pub mod ops;
pub mod org;
pub mod refusal;
pub mod rng;
pub mod server;
pub mod wire;

/// What a test that uses `?` returns.
pub type TestResult = Result<(), Box<dyn std::error::Error>>;
