//! Every operation and alias of `../shared/falcon-api` resolves through the
//! compiled map with the same method, route and parameters.

use falcon_harness::catalog::{self, Via};
use serde_json::Value;

fn shared(name: &str) -> Option<Value> {
    let path = falcon_harness_spec::shared_api_dir("this table completeness check")?.join(name);
    let text = std::fs::read_to_string(&path).expect("read shared file");
    Some(serde_json::from_str(&text).expect("shared file is JSON"))
}

#[test]
fn every_swagger_operation_resolves_identically() {
    let Some(doc) = shared("swagger.json") else {
        return;
    };
    let mut count = 0;
    let mut params = 0;
    for (route, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let r = catalog::resolve(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(r.via, Via::Id, "{id}");
            let o = r.operation;
            assert_eq!(o.id(), id);
            assert_eq!(o.method().as_str(), method.to_uppercase(), "{id}");
            assert_eq!(o.route(), route, "{id}");
            let want: Vec<(String, String)> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["in"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let got: Vec<(String, String)> = o
                .params()
                .iter()
                .map(|p| (p.name().to_string(), p.location().as_str().to_string()))
                .collect();
            assert_eq!(got, want, "{id}: parameters");
            for (p, raw) in o.params().iter().zip(op["parameters"].as_array().unwrap()) {
                let required = raw["required"].as_bool().unwrap_or(false);
                assert_eq!(p.required(), required, "{id}.{}: required", p.name());
                if let Some(t) = raw["type"].as_str() {
                    assert_eq!(p.ty().as_str(), t, "{id}.{}: type", p.name());
                }
                if let Some(cf) = raw["collectionFormat"].as_str() {
                    assert_eq!(p.collection_format().as_str(), cf, "{id}.{}", p.name());
                }
                assert_eq!(
                    p.enum_values().len(),
                    raw["enum"].as_array().map_or(0, Vec::len),
                    "{id}.{}",
                    p.name()
                );
            }
            params += o.params().len();
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            assert_eq!(o.collections(), tags.as_slice(), "{id}");
            assert_eq!(
                o.deprecated(),
                op["deprecated"].as_bool().unwrap_or(false),
                "{id}"
            );
            assert_eq!(
                o.body().is_some(),
                op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["in"] == "body"),
                "{id}"
            );
            for c in &tags {
                assert!(
                    catalog::collection(c).unwrap().any(|x| x.id() == id),
                    "{id} in {c}"
                );
            }
            count += 1;
        }
    }
    assert_eq!(count, catalog::len());
    assert_eq!(count, 1654, "the shared README counts 1654 operations");
    assert_eq!(params, 3834);
    assert_eq!(catalog::collections().len(), 142);
}

#[test]
fn every_alias_resolves() {
    let Some(doc) = shared("swagger.json") else {
        return;
    };
    let Some(aliases) = shared("aliases.json") else {
        return;
    };
    let x = doc["x-operation-aliases"].as_object().unwrap();
    assert_eq!(x.len(), 465);
    for (alias, target) in x {
        let r = catalog::resolve(alias).unwrap_or_else(|e| panic!("{alias}: {e}"));
        assert_eq!(r.operation.id(), target.as_str().unwrap(), "{alias}");
        assert!(matches!(r.via, Via::SameRoute(_) | Via::Legacy(_)));
    }
    let mut n = 0;
    for (alias, target) in aliases.as_object().unwrap() {
        if alias == "retired" {
            for r in target.as_array().unwrap() {
                let r = r.as_str().unwrap();
                match catalog::resolve(r) {
                    Ok(res) => assert!(res.via == Via::Id || aliases[r].is_string(), "{r}"),
                    Err(e) => assert!(e.retired, "{r}: {e}"),
                }
            }
            continue;
        }
        n += 1;
        let r = catalog::resolve(alias).unwrap_or_else(|e| panic!("{alias}: {e}"));
        if r.via == Via::Id {
            // Still an operation of its own: the operation wins.
            assert_eq!(r.operation.id(), alias);
        } else {
            assert_eq!(r.operation.id(), target.as_str().unwrap(), "{alias}");
        }
    }
    assert_eq!(n, 480);
}

#[test]
fn clouds_are_compiled() {
    let Some(clouds) = shared("clouds.json") else {
        return;
    };
    let regions = catalog::regions();
    assert_eq!(regions.len(), clouds["regions"].as_object().unwrap().len());
    for (name, api, registry) in regions {
        assert_eq!(clouds["regions"][*name]["api"], *api);
        assert_eq!(clouds["regions"][*name]["container_registry"], *registry);
    }
    assert_eq!(clouds["auto"]["api"], catalog::auto_host());
    for op in clouds["container_registry_operations"].as_array().unwrap() {
        let o = catalog::resolve(op.as_str().unwrap()).unwrap().operation;
        assert_eq!(o.host(), falcon_harness::Host::ContainerRegistry);
    }
    // Two names there are Python SDK operations this API table lacks.
    let mut flagged = 0;
    for op in clouds["ids_in_body_operations"].as_array().unwrap() {
        let Ok(r) = catalog::resolve(op.as_str().unwrap()) else {
            continue;
        };
        assert!(r.operation.ids_in_body(), "{op}");
        flagged += 1;
    }
    assert_eq!(flagged, 51);
    for (op, names) in clouds["uber_path_arguments"].as_object().unwrap() {
        let Ok(r) = catalog::resolve(op) else {
            continue;
        };
        for n in names.as_array().unwrap() {
            let n = n.as_str().unwrap();
            assert!(
                r.operation
                    .params()
                    .iter()
                    .any(|p| p.name() == n || p.aliases().contains(&n)),
                "{op}: path argument {n} accepted"
            );
        }
    }
}

#[test]
fn seed_operations() {
    let seeds = [
        ("CrowdScore", "GET", "/incidents/combined/crowdscores/v1"),
        (
            "GetBehaviors",
            "POST",
            "/incidents/entities/behaviors/GET/v1",
        ),
        (
            "PerformIncidentAction",
            "POST",
            "/incidents/entities/incident-actions/v1",
        ),
        (
            "GetIncidents",
            "POST",
            "/incidents/entities/incidents/GET/v1",
        ),
        ("QueryBehaviors", "GET", "/incidents/queries/behaviors/v1"),
        ("QueryIncidents", "GET", "/incidents/queries/incidents/v1"),
        (
            "AggregateCases",
            "POST",
            "/message-center/aggregates/cases/GET/v1",
        ),
        (
            "GetCaseActivityByIds",
            "POST",
            "/message-center/entities/case-activities/GET/v1",
        ),
        (
            "CaseAddActivity",
            "POST",
            "/message-center/entities/case-activity/v1",
        ),
        (
            "CaseDownloadAttachment",
            "GET",
            "/message-center/entities/case-attachment/v1",
        ),
        (
            "CaseAddAttachment",
            "POST",
            "/message-center/entities/case-attachment/v1",
        ),
        ("CreateCase", "POST", "/message-center/entities/case/v1"),
        ("CreateCaseV2", "POST", "/message-center/entities/case/v2"),
        ("UpdateCase", "PATCH", "/message-center/entities/case/v1"),
        (
            "GetCaseEntitiesByIDs",
            "POST",
            "/message-center/entities/cases/GET/v1",
        ),
        (
            "QueryActivityByCaseID",
            "GET",
            "/message-center/queries/case-activities/v1",
        ),
        (
            "QueryCasesIdsByFilter",
            "GET",
            "/message-center/queries/cases/v1",
        ),
    ];
    for (id, method, route) in seeds {
        let o = catalog::operation(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!((o.method().as_str(), o.route()), (method, route), "{id}");
        let snake = catalog::snake_name(o).unwrap_or_else(|| panic!("{id} has a snake name"));
        assert_eq!(catalog::resolve(snake).unwrap().operation.id(), id);
    }
    let agg = catalog::operation("AggregateCases")
        .unwrap()
        .body()
        .unwrap();
    assert_eq!(agg.root(), falcon_harness::BodyRoot::Array);
    assert!(agg.field("field").is_some());
    let up = catalog::operation("CaseAddAttachment").unwrap();
    assert!(up.is_multipart());
    assert_eq!(
        up.param("file").unwrap().ty(),
        falcon_harness::ParamType::File
    );
    let get = catalog::operation("GetIncidents").unwrap();
    assert!(get.ids_in_body());
    assert_eq!(
        get.body().unwrap().field("ids").unwrap().items(),
        Some(falcon_harness::ParamType::String)
    );
    assert!(catalog::operation("CreateCase")
        .unwrap()
        .body()
        .unwrap()
        .field("body")
        .is_some());
}

#[test]
fn lookups_by_name_kind() {
    let r = catalog::resolve("get_case_entities_by_ids").unwrap();
    assert_eq!(r.operation.id(), "GetCaseEntitiesByIDs");
    let e = catalog::resolve("QueryIncident").unwrap_err();
    assert_eq!(e.suggestions.first(), Some(&"QueryIncidents"), "{e}");
    assert!(e.to_string().contains("did you mean QueryIncidents"));
    let e = catalog::resolve("CreateDiscoverCloudGCPAccountX").unwrap_err();
    assert!(!e.retired);
    let r = catalog::resolve("RTR-ListSessions").unwrap();
    assert_eq!(r.operation.id(), "RTR_ListSessions");
    assert!(matches!(r.via, Via::SameRoute("RTR-ListSessions")));
    assert!(catalog::resolve("QueryIncidents")
        .unwrap()
        .deprecation_note()
        .is_some());
    assert!(catalog::resolve("CreateCaseV2")
        .unwrap()
        .deprecation_note()
        .is_none());
    assert!(catalog::collection("no_such_collection").is_none());
}

/// Issue 13: the snake_case name of an alias resolves as the alias does
/// (`get_device_details` as `GetDeviceDetails`), a legacy one with its
/// note; only a snake_case name two operations share is left out.
#[test]
fn snake_case_names_of_aliases_resolve() {
    let r = catalog::resolve("get_device_details").unwrap();
    assert_eq!(r.operation.id(), "PostDeviceDetailsV2");
    assert_eq!(r.via, Via::SnakeCase("get_device_details"));
    let (mut resolved, mut shared) = (0, Vec::new());
    for (alias, op, legacy) in catalog::aliases() {
        let snake = falcon_harness_spec::validate::snake_case(alias);
        match catalog::resolve(&snake) {
            // The snake_case name is itself an operation ID.
            Ok(r) if r.via == Via::Id => assert_eq!(r.operation.id(), snake),
            Ok(r) => {
                resolved += 1;
                assert_eq!(r.operation.id(), op.id(), "{alias} as {snake}");
                if legacy {
                    assert_eq!(r.via, Via::Legacy(alias), "{snake}");
                }
            }
            Err(e) => {
                assert!(e.suggestions.len() > 1, "{snake}: {e}");
                shared.push(snake);
            }
        }
    }
    println!("alias snake_case names: {resolved} resolve, shared by two operations: {shared:?}");
    assert_eq!((resolved, shared.len()), (83, 1));
}
