//! Lookup of operations by ID, alias or snake_case name, listing by
//! collection, and did-you-mean suggestions. All tables are static data
//! compiled by `build.rs` from `endpoints/`.

use crate::error::UnknownOperation;
use crate::operation::Operation;

mod table {
    use crate::operation::{
        Body, BodyRoot, CollectionFormat, Field, Host, Location, Method, Operation, Param,
        ParamType,
    };
    include!(concat!(env!("OUT_DIR"), "/table.rs"));
}

/// How a name was resolved to an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The name is the operation ID.
    Id,
    /// The name is another ID for the same method and route.
    SameRoute(&'static str),
    /// The name is a legacy ID whose successor is the operation.
    Legacy(&'static str),
    /// The name is the operation's snake_case (PEP 8) name.
    SnakeCase(&'static str),
}

/// An operation found by [`resolve`], with how it was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved {
    /// The operation.
    pub operation: &'static Operation,
    /// How the name led to it.
    pub via: Via,
}

impl Resolved {
    /// A note for the caller when the name is a legacy ID or the
    /// operation is deprecated; `None` when there is nothing to say.
    pub fn deprecation_note(&self) -> Option<String> {
        let id = self.operation.id();
        let mut note = match self.via {
            Via::Legacy(old) => Some(format!(
                "{old} is a legacy operation ID; it now calls {id}: use {id}"
            )),
            _ => None,
        };
        if self.operation.deprecated() {
            let more = format!("{id} is marked deprecated by the API");
            note = Some(match note {
                Some(n) => format!("{n}; {more}"),
                None => more,
            });
        }
        note
    }
}

/// The operation with exactly this ID.
///
/// ```
/// let op = falcon_harness::catalog::operation("GetIncidents").unwrap();
/// assert_eq!(op.method().as_str(), "POST");
/// assert!(falcon_harness::catalog::operation("get_incidents").is_none());
/// ```
pub fn operation(id: &str) -> Option<&'static Operation> {
    table::BY_ID
        .get(id)
        .map(|&i| &table::OPERATIONS[i as usize])
}

/// Resolves an operation ID, an alias (same-route or legacy ID) or the
/// snake_case name of either, in that order. Unknown names get
/// suggestions.
///
/// ```
/// use falcon_harness::catalog::{resolve, Via};
/// let r = resolve("query_incidents").unwrap();
/// assert_eq!(r.operation.id(), "QueryIncidents");
/// assert_eq!(r.via, Via::SnakeCase("query_incidents"));
///
/// let err = resolve("QueryIncident").unwrap_err();
/// assert!(err.suggestions.contains(&"QueryIncidents"));
/// ```
pub fn resolve(name: &str) -> Result<Resolved, UnknownOperation> {
    if let Some(&i) = table::BY_ID.get(name) {
        return Ok(Resolved {
            operation: &table::OPERATIONS[i as usize],
            via: Via::Id,
        });
    }
    if let Some((k, &(i, legacy))) = table::ALIASES.get_entry(name) {
        let operation = &table::OPERATIONS[i as usize];
        let via = if legacy {
            Via::Legacy(k)
        } else {
            Via::SameRoute(k)
        };
        return Ok(Resolved { operation, via });
    }
    if let Some((k, &of)) = table::SNAKE.get_entry(name) {
        // The snake_case name of an ID or of an alias: resolved as that
        // name is; a legacy alias keeps its note.
        if let Ok(r) = resolve(of) {
            let via = match r.via {
                Via::Legacy(old) => Via::Legacy(old),
                _ => Via::SnakeCase(k),
            };
            return Ok(Resolved { via, ..r });
        }
    }
    Err(UnknownOperation {
        name: name.to_string(),
        retired: table::RETIRED.contains(&name),
        suggestions: suggest(name, 3),
    })
}

/// Every operation, sorted by ID.
pub fn operations() -> impl ExactSizeIterator<Item = &'static Operation> {
    table::OPERATIONS.iter()
}

/// Number of operations.
pub fn len() -> usize {
    table::OPERATIONS.len()
}

/// Collection names, sorted.
pub fn collections() -> impl ExactSizeIterator<Item = &'static str> {
    table::COLLECTIONS.iter().map(|(n, _)| *n)
}

/// The operations a collection lists (an operation listed in several
/// collections is in each), sorted by ID; `None` for an unknown collection.
///
/// ```
/// let ops: Vec<_> = falcon_harness::catalog::collection("incidents").unwrap().collect();
/// assert!(ops.iter().any(|o| o.id() == "CrowdScore"));
/// ```
pub fn collection(name: &str) -> Option<impl ExactSizeIterator<Item = &'static Operation>> {
    let i = table::COLLECTIONS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()?;
    Some(
        table::COLLECTIONS[i]
            .1
            .iter()
            .map(|&i| &table::OPERATIONS[i as usize]),
    )
}

/// Every alias with the operation it names and whether it is a legacy ID
/// (`false`: another ID for the same route).
pub fn aliases() -> impl Iterator<Item = (&'static str, &'static Operation, bool)> {
    table::ALIASES
        .entries()
        .map(|(k, &(i, legacy))| (*k, &table::OPERATIONS[i as usize], legacy))
}

/// IDs marked deprecated with no successor (most are still operations).
pub fn retired() -> &'static [&'static str] {
    table::RETIRED
}

/// The snake_case name of an operation, when it has an unambiguous one.
pub fn snake_name(op: &Operation) -> Option<&'static str> {
    let name = falcon_harness_spec::validate::snake_case(op.id());
    table::SNAKE
        .get_entry(name.as_str())
        .filter(|(_, &of)| of == op.id())
        .map(|(k, _)| *k)
}

/// Region name -> (API host, container-registry host), sorted by name.
pub fn regions() -> &'static [(&'static str, &'static str, &'static str)] {
    table::REGIONS
}

/// The API host used for `auto` before the token names the region.
pub fn auto_host() -> &'static str {
    table::AUTO_HOST
}

/// Up to `n` known names closest to `name` by edit distance (case
/// insensitive), among operation IDs, aliases and snake_case names.
pub fn suggest(name: &str, n: usize) -> Vec<&'static str> {
    let candidates = table::BY_ID
        .keys()
        .chain(table::ALIASES.keys())
        .chain(table::SNAKE.keys())
        .copied();
    let scored = crate::suggest::closest(name, candidates);
    let mut out: Vec<&'static str> = Vec::new();
    for c in scored {
        // Prefer the ID or alias over its snake_case twin.
        let c = table::SNAKE.get(c).copied().unwrap_or(c);
        if !out.contains(&c) {
            out.push(c);
        }
        if out.len() == n {
            break;
        }
    }
    out
}
