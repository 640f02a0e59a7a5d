//! The optional `clouds.json` facts: region hosts, operations served by
//! the container registry, `ids`-in-body operations and the Uber class's
//! path argument names.

use super::str_list;
use crate::format::{CloudFile, RegionHosts};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What `clouds.json` says about operations.
#[derive(Debug, Default)]
pub(super) struct CloudFacts {
    /// Operations served by the container-registry host.
    pub registry_ops: BTreeSet<String>,
    /// Operations (or aliases) whose `ids` go into the JSON body.
    pub ids_in_body: BTreeSet<String>,
    /// Operation -> the Uber class's argument names for its path.
    pub uber_paths: BTreeMap<String, Vec<String>>,
}

impl CloudFacts {
    /// Reads the facts (all empty without a document).
    pub fn read(clouds: Option<&Value>) -> CloudFacts {
        let Some(c) = clouds else {
            return CloudFacts::default();
        };
        let set = |key: &str| -> BTreeSet<String> {
            str_list(c.get(key))
                .unwrap_or_default()
                .into_iter()
                .collect()
        };
        CloudFacts {
            registry_ops: set("container_registry_operations"),
            ids_in_body: set("ids_in_body_operations"),
            uber_paths: c
                .get("uber_path_arguments")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), str_list(Some(v)).unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The region hosts of `_clouds.json` (empty without a document).
pub(super) fn cloud_file(clouds: Option<&Value>) -> CloudFile {
    let mut out = CloudFile::default();
    let Some(c) = clouds else {
        return out;
    };
    if let Some(regions) = c.get("regions").and_then(Value::as_object) {
        for (name, r) in regions {
            let host = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            out.regions.insert(
                name.clone(),
                RegionHosts {
                    api: host("api"),
                    container_registry: host("container_registry"),
                },
            );
        }
    }
    out.auto = c
        .pointer("/auto/api")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    out
}
