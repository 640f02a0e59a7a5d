//! Nested body fields given as flat keys: a key that names a field one or
//! two levels below the top of the body (`value` of
//! `action_parameters: [{name, value}]`) goes into its parent, or a dotted
//! path (`action_parameters.value`) names the place exactly.
//!
//! A top-level field or declared parameter of the same name always wins
//! (the caller asks here only for keys that are neither). A key found in
//! several places is an argument error listing the dotted paths.

use super::place::{self, Place};
use crate::error::Error;
use crate::operation::{Body, BodyRoot, Field, Operation};
use serde_json::{Map, Value};

/// The chain of fields from a top-level field down to a nested one.
pub(crate) type Chain = Vec<&'static Field>;

/// What a key names below the top level of the body.
pub(crate) enum Found {
    /// Exactly one place.
    One(Chain),
    /// Several places (their dotted paths, sorted).
    Many(Vec<String>),
    /// None.
    None,
}

/// The dotted path of a chain (`rules.actions.name`).
pub(crate) fn dotted(chain: &[&'static Field]) -> String {
    let names: Vec<&str> = chain.iter().map(|f| f.name()).collect();
    names.join(".")
}

/// The chain a dotted path names exactly, from the top level.
fn by_path(body: &Body, key: &str) -> Option<Chain> {
    let mut parts = key.split('.');
    let mut cur = body.field(parts.next()?)?;
    let mut chain = vec![cur];
    for part in parts {
        cur = cur.fields().iter().find(|f| f.name() == part)?;
        chain.push(cur);
    }
    (chain.len() > 1).then_some(chain)
}

/// Looks `key` up below the top level of the operation's JSON body.
pub(crate) fn find(op: &'static Operation, key: &str) -> Found {
    let Some(body) = op.body() else {
        return Found::None;
    };
    if !matches!(body.root(), BodyRoot::Object | BodyRoot::Array) {
        return Found::None;
    }
    if key.contains('.') {
        return by_path(body, key).map_or(Found::None, Found::One);
    }
    let mut places = body.nested_paths(key);
    match places.len() {
        0 => Found::None,
        1 => Found::One(places.remove(0)),
        _ => {
            let mut paths: Vec<String> = places.iter().map(|c| dotted(c)).collect();
            paths.sort();
            Found::Many(paths)
        }
    }
}

/// The names that reach a nested field, for did-you-mean: every dotted
/// path, and each own name that names one place (and is no top-level
/// field or declared parameter).
pub(crate) fn names(op: &'static Operation) -> Vec<String> {
    let Some(body) = op.body() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for chain in body.nested_fields() {
        out.push(dotted(&chain));
        let leaf = chain[chain.len() - 1].name();
        if flat(op, leaf) {
            out.push(leaf.to_string());
        }
    }
    out
}

/// Whether `name`, given flat, fills a nested field: the planner finds
/// no other place for it, and it names one nested field.
pub(crate) fn flat(op: &'static Operation, name: &str) -> bool {
    matches!(place::classify(op, name, &Value::Null), Place::Unknown)
        && matches!(find(op, name), Found::One(_))
}

/// The error for a key that names several nested fields.
pub(crate) fn ambiguous(op: &str, key: &str, paths: &[String]) -> Error {
    Error::argument(
        op,
        key,
        format!(
            "names a field in several places of the body ({}); give the dotted path of the one \
             you mean, or put it inside its parent",
            paths.join(", ")
        ),
    )
}

/// The object inside `slot` where the fields of `parent` go: the object
/// itself, or the one element of a list of objects; created when the slot
/// is empty.
fn parent_object<'v>(
    op: &str,
    key: &str,
    path: &str,
    parent: &'static Field,
    slot: &'v mut Value,
) -> Result<&'v mut Map<String, Value>, Error> {
    if slot.is_null() {
        *slot = if parent.is_list_of_objects() {
            Value::Array(vec![Value::Object(Map::new())])
        } else {
            Value::Object(Map::new())
        };
    }
    let target = match slot {
        Value::Object(m) if !parent.is_list_of_objects() => Some(m),
        Value::Array(a) if parent.is_list_of_objects() && a.len() == 1 => a[0].as_object_mut(),
        _ => None,
    };
    target.ok_or_else(|| {
        let what = if parent.is_list_of_objects() {
            "a list of one object"
        } else {
            "an object"
        };
        Error::argument(
            op,
            key,
            format!(
                "cannot go into {path:?}: it is given, but not as {what}; put it inside {path:?}"
            ),
        )
    })
}

/// Inserts the flat nested values into the body object `top` (the body,
/// or the one element of an array-root body), creating and merging
/// parents. A value that is also given inside its parent is an error.
pub(crate) fn insert(
    op: &str,
    top: &mut Map<String, Value>,
    given: Vec<(String, Chain, Value)>,
) -> Result<(), Error> {
    for (key, chain, v) in given {
        let (leaf, parents) = chain.split_last().unwrap_or((&chain[0], &[]));
        let mut map = &mut *top;
        let mut path = String::new();
        for parent in parents {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(parent.name());
            let slot = map.entry(parent.name().to_string()).or_insert(Value::Null);
            map = parent_object(op, &key, &path, parent, slot)?;
        }
        if map.contains_key(leaf.name()) {
            return Err(Error::argument(
                op,
                key,
                format!(
                    "{:?} is given twice (flat and inside {path:?}); give it once",
                    dotted(&chain)
                ),
            ));
        }
        map.insert(leaf.name().to_string(), v);
    }
    Ok(())
}

/// The JSON body with the flat nested values put in place: `body` is the
/// body assembled so far (`None`: no body yet, one is created for the
/// root).
pub(crate) fn fill_body(
    op: &str,
    root: BodyRoot,
    body: Option<Value>,
    given: Vec<(String, Chain, Value)>,
) -> Result<Value, Error> {
    let mut body = body.unwrap_or_else(|| match root {
        BodyRoot::Array => Value::Array(vec![Value::Object(Map::new())]),
        _ => Value::Object(Map::new()),
    });
    let top = match &mut body {
        Value::Object(m) => Some(m),
        Value::Array(a) if a.len() == 1 => a[0].as_object_mut(),
        _ => None,
    };
    let Some(top) = top else {
        let key = given.first().map(|g| g.0.clone()).unwrap_or_default();
        return Err(Error::argument(
            op,
            key,
            "cannot be merged into the given \"body\" (it is not one object); put it inside \"body\"",
        ));
    };
    insert(op, top, given)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts, over the whole table, the (operation, name) pairs of
    /// nested field names `levels` deep at most: `[plan, ambiguous,
    /// shadowed, operations]`: those a flat key fills, those refused as
    /// naming several places, those a flat key sends elsewhere (a
    /// top-level field, parameter or reserved key of that name; the
    /// dotted path still reaches them), and the operations with at least
    /// one that plans.
    fn flat_key_counts(levels: usize) -> [usize; 4] {
        let mut n = [0; 4];
        for op in crate::catalog::operations() {
            let Some(body) = op.body() else { continue };
            let mut names: Vec<&str> = body
                .nested_fields()
                .iter()
                .filter(|c| c.len() <= levels + 1)
                .map(|c| c[c.len() - 1].name())
                .collect();
            names.sort_unstable();
            names.dedup();
            let before = n[0];
            for name in names {
                let i = match (place::classify(op, name, &Value::Null), find(op, name)) {
                    (Place::Unknown, Found::One(_)) => 0,
                    (Place::Unknown, _) => 1,
                    _ => 2,
                };
                n[i] += 1;
            }
            n[3] += usize::from(n[0] > before);
        }
        n
    }

    /// The figures quoted in the router's module docs.
    #[test]
    fn nested_names_that_plan_from_flat_keys() {
        let one = flat_key_counts(1);
        let two = flat_key_counts(2);
        println!("levels  plan  ambiguous  shadowed  operations");
        println!(
            "1       {:<5} {:<10} {:<9} {}",
            one[0], one[1], one[2], one[3]
        );
        println!(
            "2       {:<5} {:<10} {:<9} {}",
            two[0], two[1], two[2], two[3]
        );
        assert_eq!((one, two), ([1395, 526, 1052, 244], [2069, 684, 1071, 244]));
    }
}
