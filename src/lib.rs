//! # falcon-harness
//!
//! Call every operation of the CrowdStrike Falcon OAuth2 API by its
//! operation ID, with untyped JSON arguments.
//!
//! The operation table (`endpoints/`) is compiled into static perfect-hash
//! maps at build time; see [`catalog`] for lookups.
//!
//! ```
//! let op = falcon_harness::catalog::resolve("QueryIncidents").unwrap().operation;
//! assert_eq!(op.route(), "/incidents/queries/incidents/v1");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod catalog;
pub mod config;
pub mod error;
pub mod escape;
mod harness;
pub mod json_kind;
mod media;
pub mod operation;
pub mod paginate;
pub mod plan;
pub mod response;
pub mod retry;
pub mod router;
pub mod suggest;
mod transport;
pub mod upload;

pub use catalog::{resolve, Resolved, Via};
pub use config::Cloud;
pub use error::{ArgumentError, Error, Result, UnknownOperation};
pub use harness::{Harness, HarnessBuilder};
pub use operation::{
    Body, BodyRoot, CollectionFormat, Field, Host, Location, Method, Operation, Param, ParamType,
};
pub use paginate::{Incomplete, Pages};
pub use plan::{FileRef, FileSource, FormPart, PartValue, PlanOptions, PlannedBody, RequestPlan};
pub use response::{Response, ResponseBody};
pub use retry::RetryPolicy;
pub use router::plan;
pub use transport::USER_AGENT;

/// The README's Rust examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
