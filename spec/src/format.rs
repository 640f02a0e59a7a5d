//! Serde types of the files in `endpoints/`.
//!
//! The same types are read by `build.rs` (which compiles them into static
//! data) and by the library (the importer writes them, the drift test reads
//! them). See `endpoints/README.md` for the format in prose.

use crate::vocab::{BodyRoot, CollectionFormat, Host, Location, Method, ParamType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_false(b: &bool) -> bool {
    !*b
}

/// One `endpoints/<collection>.json` file: the operations whose home
/// collection is `collection`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionFile {
    /// The collection (service) name, snake_case, as the file is named.
    pub collection: String,
    /// The operations, sorted by ID.
    pub operations: Vec<OperationSpec>,
}

/// One operation of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSpec {
    /// The operation ID (`QueryIncidents`).
    pub id: String,
    /// Every collection that lists the operation; the first is its home.
    pub collections: Vec<String>,
    /// HTTP method, upper case.
    pub method: Method,
    /// Route with named `{placeholders}`.
    pub route: String,
    /// Which host serves it: `api` (default) or `container_registry`.
    #[serde(default, skip_serializing_if = "Host::is_default")]
    pub host: Host,
    /// Media types the operation accepts.
    pub consumes: Vec<String>,
    /// Media types the operation answers with.
    pub produces: Vec<String>,
    /// Marked deprecated by a source.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// An `ids` argument goes into the JSON body rather than the query.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ids_in_body: bool,
    /// Parameters in declaration order.
    #[serde(default)]
    pub params: Vec<ParamSpec>,
    /// The JSON body's shape, present iff a parameter is `in: body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodySpec>,
}

/// One declared parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// Name as the API spells it.
    pub name: String,
    /// `query`, `path`, `header`, `formData` or `body`.
    #[serde(rename = "in")]
    pub location: Location,
    /// `string`, `integer`, `number`, `boolean`, `array`, `file` or `object`.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// Element type of an `array`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<ParamType>,
    /// `csv`, `multi` ..., for arrays; absent otherwise.
    #[serde(default, skip_serializing_if = "CollectionFormat::is_none")]
    pub collection_format: CollectionFormat,
    /// Must be given.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Allowed values, as given by the source (strings or numbers).
    #[serde(default, rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<serde_json::Value>,
    /// Server-side default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// Inclusive lower bound of a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// Inclusive upper bound of a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// The most elements an `array` accepts (`maxItems`), when the source
    /// gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// Other argument names accepted for this parameter (path parameters:
    /// the names the Python SDK's Uber class reads, such as `id` for `ID`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// The shape of a JSON body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodySpec {
    /// `object`, `array` (of `items`), `opaque` (any JSON) or `binary`
    /// (raw bytes).
    pub root: BodyRoot,
    /// Element type of an `array` root: `object` or a scalar type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<ParamType>,
    /// Top-level fields of the object (or of each array element).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldSpec>,
}

/// A field of a JSON body object (top-level, or nested in `fields`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Field name.
    pub name: String,
    /// `string`, `integer`, `number`, `boolean`, `array` or `object`.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// Element type of an `array`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<ParamType>,
    /// Listed in the schema's `required`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The fields below this one: of the object (`type` `object`) or of
    /// each element (`type` `array` of `object`). Recorded down to
    /// [`NESTED_LEVELS`] levels below the top.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldSpec>,
}

/// How many levels of body fields below the top level the table records.
pub const NESTED_LEVELS: usize = 2;

/// `endpoints/aliases.json`: other IDs and the current operation they name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasFile {
    /// IDs that name the same method and route as a kept operation.
    pub same_route: BTreeMap<String, String>,
    /// Legacy IDs with a successor.
    pub legacy: BTreeMap<String, String>,
    /// Legacy IDs marked deprecated with no successor.
    pub retired: Vec<String>,
}

/// `endpoints/clouds.json`: where each region's API lives.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudFile {
    /// Region name -> hosts.
    pub regions: BTreeMap<String, RegionHosts>,
    /// API host used for `auto` before the token reveals the region.
    pub auto: String,
}

/// Hosts of one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionHosts {
    /// The API host.
    pub api: String,
    /// The container-registry upload host.
    pub container_registry: String,
}
