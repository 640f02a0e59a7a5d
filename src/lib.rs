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

pub mod catalog;
pub mod cli;
pub mod error;
pub mod operation;
pub mod plan;
pub mod router;
pub mod spec;

pub use catalog::{resolve, Resolved, Via};
pub use error::{ArgumentError, Error, Result, UnknownOperation};
pub use operation::{
    Body, BodyRoot, CollectionFormat, Field, Host, Location, Method, Operation, Param, ParamType,
};
pub use plan::{FileRef, FileSource, FormPart, PartValue, PlanOptions, PlannedBody, RequestPlan};
pub use router::plan;
