//! What the integration tests share: a scriptable loopback HTTP server ([`server`]), the five
//! operations as one enum ([`ops`]), clients for mock servers ([`clients`]) and a seeded
//! generator for generated-input tests ([`rng`]).
//!
//! A test file takes it with `mod support;`; whatever that file leaves unused is fine.

#![allow(dead_code)]

pub mod clients;
pub mod ops;
pub mod org;
pub mod refusal;
pub mod rng;
pub mod server;
