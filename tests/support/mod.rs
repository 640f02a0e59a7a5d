//! The one support module of the library's integration tests; each test
//! file declares `mod support;` and uses the parts it needs.
//!
//! - [`mock`]: a mockito Falcon (token endpoint, resource replies, a
//!   harness builder pointed at it, hand-built plans);
//! - [`canned`]: a local hyper server with scheduled faults, for the fault
//!   tests and the runtime benchmark;
//! - [`arb`]: proptest strategies for arbitrary JSON and operation
//!   arguments;
//! - [`raw`]: hostile servers made of plain sockets (silent, resetting,
//!   answering garbage);
//! - [`bomb`]: a gzip body that expands a thousandfold;
//! - [`budget`]: a local server that enforces a per-CID rate-limit budget
//!   the way Falcon does (the pacing tests);
//! - [`serve`]: the thread, runtime and accept loop both local hyper
//!   servers ([`canned`], [`budget`]) run on.
// Each test file uses only some of the helpers.
#![allow(dead_code, unused_imports)]

pub mod arb;
pub mod bomb;
pub mod budget;
pub mod canned;
pub mod mock;
pub mod raw;
pub mod serve;
