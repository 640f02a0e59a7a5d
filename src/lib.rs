//! # falcon-harness
//!
//! Call every operation of the CrowdStrike Falcon OAuth2 API by its
//! operation ID, with untyped JSON arguments.
//!
//! ## How a call flows
//!
//! The operation table (`endpoints/`, one JSON file per collection) is
//! checked and compiled by the **build** into static perfect-hash maps:
//! the [`catalog`] looks an operation up by ID, alias or snake_case name.
//! The [`router`] plans a call, purely: it places each JSON argument in
//! the query, path, headers or body and returns a [`RequestPlan`] or a
//! typed error (nothing is sent). The [`Harness`] sends the plan: it gets
//! and renews the OAuth2 token, retries by its [`RetryPolicy`], and hands
//! back a [`Response`] whose body is decoded when first asked for.
//!
//! ```no_run
//! use falcon_harness::{catalog, Harness, Result};
//! use serde_json::json;
//!
//! # async fn run() -> Result<()> {
//! let falcon = Harness::builder()
//!     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
//!     .cloud_named("us-2")
//!     .build()?;
//! // The front door: an operation by name with JSON arguments.
//! let ids = falcon
//!     .command("QueryDevicesByFilter", json!({"filter": "platform_name:'Windows'", "limit": 5}))
//!     .await?
//!     .error_for_status()?;
//! // Everything else through one request builder.
//! let op = catalog::operation("PostDeviceDetailsV2").expect("in the table");
//! let plan = falcon.request(op).args(json!({"ids": ["HOST_ID"]})).plan()?; // no I/O
//! assert_eq!(plan.path, "/devices/entities/devices/v2");
//! let details = falcon.request(op).args(json!({"ids": ids.resources()})).send().await?;
//! println!("{}", details.to_uber());
//! # Ok(()) }
//! ```
//!
//! Lookups alone need no harness:
//!
//! ```
//! let op = falcon_harness::catalog::resolve("query_devices_by_filter").unwrap().operation;
//! assert_eq!(op.route(), "/devices/queries/devices/v1");
//! ```
//!
//! ## More in the README
//!
//! The README is part of these docs ([`readme`]): [set up and
//! tests](readme#set-up), [use from Rust](readme#use-from-rust) (the
//! `[dependencies]` a program needs), [the operation
//! table](readme#the-operation-table), and the `falcon-harness` [command
//! line](readme#command-line) with its [dry run](readme#dry-run),
//! [batches](readme#batches) and [exit codes](readme#exit-codes).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attempt;
mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod body_limit;
pub mod catalog;
pub mod cause;
mod cloud;
pub mod config;
pub mod error;
pub mod escape;
mod harness;
mod json_bytes;
pub mod json_kind;
mod media;
pub mod operation;
pub mod pacing;
pub mod paginate;
pub mod plan;
#[cfg(test)]
mod proptest_config;
pub mod rate_limit;
pub mod redirect;
pub mod response;
pub mod retry;
pub mod router;
mod secret;
pub mod split;
pub mod suggest;
pub(crate) mod swar;
mod tenant;
#[cfg(test)]
mod test_values;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;
pub mod upload;

pub use catalog::{resolve, Resolved, Via};
pub use config::Cloud;
pub use error::{ArgumentError, Error, ErrorKind, Result, TimeLimit, UnknownOperation};
pub use harness::{Args, Harness, HarnessBuilder, RequestBuilder, Target};
pub use operation::{
    Body, BodyRoot, CollectionFormat, Field, Host, Location, Method, Operation, Param, ParamType,
};
pub use paginate::{Incomplete, Pages};
pub use plan::{
    FileRef, FileSource, FormPart, JsonBody, PartValue, PlanOptions, PlanView, PlannedBody,
    RequestPlan,
};
pub use response::{Response, ResponseBody, UberHeaders};
pub use retry::RetryPolicy;
pub use router::plan;
pub use secret::Secret;
pub use tenant::check_member_cid;
pub use transport::USER_AGENT;

/// The README, rendered with these docs; its Rust examples are compiled
/// as doc tests.
#[cfg(any(doc, doctest))]
pub mod readme {
    #![doc = include_str!("../README.md")]
}
