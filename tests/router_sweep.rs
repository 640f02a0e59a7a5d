//! A sweep over the whole compiled table: for every operation, a valid
//! value for each parameter and body field is synthesized, the request
//! is planned, and every value is checked to land where the table says.

use falcon_harness::{
    catalog, router, BodyRoot, CollectionFormat, Error, Field, FileSource, Location, Operation,
    Param, ParamType, PartValue, PlanOptions, PlannedBody, RequestPlan,
};
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};

const RESERVED: &[&str] = &[
    "body",
    "parameters",
    "headers",
    "data",
    "files",
    "content_type",
    "ids",
    "override",
    "content",
];

fn scalar_value(ty: ParamType, enums: &[&str], name: &str, loc: Location) -> Value {
    if let Some(first) = enums.first() {
        return match ty {
            ParamType::Integer | ParamType::Number => {
                serde_json::from_str(first).unwrap_or(json!(first))
            }
            _ => json!(first),
        };
    }
    match ty {
        ParamType::Integer => json!(7),
        ParamType::Number => json!(2.5),
        ParamType::Boolean => json!(true),
        // A file that exists (upload files are checked while planning).
        ParamType::File => json!(concat!("@", env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")),
        _ => match loc {
            Location::Header => json!(format!("hv-{name}")),
            Location::Path => json!(format!("p {name}/é#?")),
            _ => json!(format!("v {name}&=+/é🦅")),
        },
    }
}

fn param_value(p: &Param) -> Value {
    if p.ty() == ParamType::Array {
        let it = p.items().unwrap_or(ParamType::String);
        let a = scalar_value(it, p.enum_values(), p.name(), p.location());
        let b = if p.enum_values().is_empty() {
            match it {
                ParamType::Integer => json!(8),
                ParamType::Number => json!(-1.25),
                ParamType::Boolean => json!(false),
                _ => json!(format!("second {}", p.name())),
            }
        } else {
            a.clone()
        };
        return json!([a, b]);
    }
    scalar_value(p.ty(), p.enum_values(), p.name(), p.location())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn field_value(f: &Field) -> Value {
    match f.ty() {
        ParamType::String => json!(format!("f {}", f.name())),
        ParamType::Integer => json!(3),
        ParamType::Number => json!(0.5),
        ParamType::Boolean => json!(false),
        ParamType::Array => match f.items() {
            Some(ParamType::String) | None => json!(["x", "y"]),
            Some(ParamType::Integer) => json!([1, 2]),
            Some(ParamType::Number) => json!([1.5]),
            Some(ParamType::Boolean) => json!([true]),
            _ => json!([{"k": "v"}]),
        },
        _ => json!({"k": f.name()}),
    }
}

/// Whether a flat key of this name would take a reserved meaning on
/// this operation (so the field must be given inside `body`).
fn must_go_in_body(op: &Operation, f: &Field) -> bool {
    let declared = op.params().iter().any(|p| {
        p.location() != Location::Body && (p.name() == f.name() || p.aliases().contains(&f.name()))
    });
    declared
        || (RESERVED.contains(&f.name()) && !(f.name() == "body" && f.ty() == ParamType::String))
            && !matches!(f.name(), "ids" | "override" | "data" | "files")
        || (f.name() == "parameters" && op.params().iter().any(|p| p.location() == Location::Query))
}

struct Expect {
    args: Map<String, Value>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    path_values: Vec<(&'static str, String)>,
    form: Vec<(String, Option<String>)>,
    body: Option<Value>,
    raw: bool,
}

fn synthesize(op: &'static Operation) -> Expect {
    let mut e = Expect {
        args: Map::new(),
        query: Vec::new(),
        headers: Vec::new(),
        path_values: Vec::new(),
        form: Vec::new(),
        body: None,
        raw: false,
    };
    for p in op.params() {
        // The harness sends Authorization itself; it is never an argument.
        if p.location() == Location::Body || p.is_authorization() {
            continue;
        }
        let v = param_value(p);
        e.args.insert(p.name().to_string(), v.clone());
        let texts: Vec<String> = match &v {
            Value::Array(a) => a.iter().map(text).collect(),
            other => vec![text(other)],
        };
        let joined = || {
            let sep = p.collection_format().separator().unwrap_or(',').to_string();
            vec![texts.join(&sep)]
        };
        let texts =
            if p.ty() == ParamType::Array && p.collection_format() != CollectionFormat::Multi {
                joined()
            } else {
                texts.clone()
            };
        match p.location() {
            Location::Query => e
                .query
                .extend(texts.into_iter().map(|t| (p.name().to_string(), t))),
            Location::Header => e.headers.push((p.name().to_string(), texts[0].clone())),
            Location::Path => e.path_values.push((p.name(), texts[0].clone())),
            Location::FormData if p.ty() == ParamType::File => {
                e.form.push((p.name().to_string(), None))
            }
            Location::FormData => e
                .form
                .extend(texts.into_iter().map(|t| (p.name().to_string(), Some(t)))),
            Location::Body => {}
        }
    }
    let Some(shape) = op.body() else { return e };
    let mut flat = Map::new();
    let mut inside = Map::new();
    for f in shape.fields() {
        let v = field_value(f);
        if must_go_in_body(op, f) {
            inside.insert(f.name().to_string(), v);
        } else {
            e.args.insert(f.name().to_string(), v.clone());
            flat.insert(f.name().to_string(), v);
        }
    }
    let mut element = inside.clone();
    element.extend(flat);
    match shape.root() {
        BodyRoot::Object => {
            if !inside.is_empty() || element.is_empty() {
                e.args.insert("body".into(), Value::Object(inside));
            }
            e.body = Some(Value::Object(element));
        }
        BodyRoot::Array
            if shape.items() == Some(ParamType::Object) || !shape.fields().is_empty() =>
        {
            if !inside.is_empty() {
                e.args.insert("body".into(), json!([Value::Object(inside)]));
            }
            e.body = Some(json!([Value::Object(element)]));
        }
        BodyRoot::Array => {
            let v = json!([1, 2]);
            e.args.insert("body".into(), v.clone());
            e.body = Some(v);
        }
        BodyRoot::Opaque => {
            let v = json!({"opaque": [1, "two"]});
            e.args.insert("body".into(), v.clone());
            e.body = Some(v);
        }
        BodyRoot::Binary => {
            e.args.insert("body".into(), json!("raw bytes"));
            e.raw = true;
        }
    }
    e
}

fn check(op: &'static Operation, e: &Expect, p: &RequestPlan) -> Result<(), String> {
    let id = op.id();
    if p.operation != id || p.method != op.method() || p.host != op.host() {
        return Err(format!("{id}: wrong operation, method or host"));
    }
    let query: Vec<(String, String)> = p
        .query
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    if query != e.query {
        return Err(format!("{id}: query {query:?}, expected {:?}", e.query));
    }
    if p.headers != e.headers {
        return Err(format!(
            "{id}: headers {:?}, expected {:?}",
            p.headers, e.headers
        ));
    }
    // Path: each placeholder is exactly one segment that decodes to the value.
    let template: Vec<&str> = op.route().split('/').collect();
    let actual: Vec<&str> = p.path.split('/').collect();
    if template.len() != actual.len() {
        return Err(format!(
            "{id}: path {} does not match {}",
            p.path,
            op.route()
        ));
    }
    for (t, a) in template.iter().zip(&actual) {
        match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            Some(name) => {
                let want = e
                    .path_values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.as_str())
                    .ok_or_else(|| format!("{id}: no value for {{{name}}}"))?;
                if percent_decode_str(a).decode_utf8_lossy() != want {
                    return Err(format!("{id}: segment {a} is not {want:?}"));
                }
            }
            None if t != a => {
                return Err(format!(
                    "{id}: path {} does not match {}",
                    p.path,
                    op.route()
                ))
            }
            None => {}
        }
    }
    // Body or form.
    match (&p.body, &e.body) {
        (PlannedBody::Json(got), Some(want))
            if got.to_value().as_ref() == Some(want) && e.form.is_empty() => {}
        (PlannedBody::Raw { bytes, .. }, None) if e.raw && &bytes[..] == b"raw bytes" => {}
        (PlannedBody::Empty, None) if e.form.is_empty() && !e.raw => {}
        (PlannedBody::Multipart(parts), None) if op.is_multipart() => {
            let got: Vec<(String, Option<String>)> = parts
                .iter()
                .map(|part| match &part.value {
                    PartValue::Text(t) => (part.name.clone(), Some(t.clone())),
                    PartValue::File(f) => {
                        assert!(matches!(f.source, FileSource::Path(_)), "{id}");
                        (part.name.clone(), None)
                    }
                })
                .collect();
            if got != e.form {
                return Err(format!("{id}: form {got:?}, expected {:?}", e.form));
            }
        }
        (PlannedBody::Form(pairs), None) if !op.is_multipart() => {
            let got: Vec<(String, Option<String>)> = pairs
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect();
            if got != e.form {
                return Err(format!("{id}: form {got:?}, expected {:?}", e.form));
            }
        }
        (got, want) => return Err(format!("{id}: body {got:?}, expected {want:?}")),
    }
    if !p.warnings.is_empty() {
        return Err(format!("{id}: warnings {:?}", p.warnings));
    }
    // The URL parses and keeps the query.
    let url = url::Url::parse(&format!("https://api.example{}", p.path_and_query()))
        .map_err(|err| format!("{id}: {err}"))?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs != e.query {
        return Err(format!("{id}: query does not round-trip: {pairs:?}"));
    }
    Ok(())
}

#[test]
fn every_operation_plans_every_argument_into_place() {
    let strict = PlanOptions::default();
    let lenient = PlanOptions { lenient: true };
    let mut failures = Vec::new();
    let mut planned = 0;
    let mut values = 0;
    for op in catalog::operations() {
        assert!(op.params().len() < 64, "{}", op.id());
        let e = synthesize(op);
        values += e.args.len();
        let args = Value::Object(e.args.clone());
        match router::plan(op, &args, &strict) {
            Ok(p) => {
                if let Err(msg) = check(op, &e, &p) {
                    failures.push(msg);
                }
                let again =
                    router::plan(op, &args, &lenient).expect("lenient accepts what strict does");
                assert_eq!(again, p, "{}", op.id());
                planned += 1;
            }
            Err(err) => failures.push(format!("{}: {err} (args {args})", op.id())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} misplacements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(planned, catalog::len());
    assert!(values > 5000, "only {values} values synthesized");
}

#[test]
fn every_operation_rejects_unknown_keys_and_survives_empty_args() {
    for op in catalog::operations() {
        let args = json!({"definitely_not_an_argument": 1});
        match router::plan(op, &args, &PlanOptions::default()) {
            Err(Error::Argument(e)) => {
                assert_eq!(e.operation, op.id());
                assert_eq!(e.argument, "definitely_not_an_argument");
                assert!(e.expected.starts_with("unknown argument"), "{e}");
            }
            other => panic!("{}: {other:?}", op.id()),
        }
        let lenient = PlanOptions { lenient: true };
        for args in [Value::Null, json!({})] {
            match router::plan(op, &args, &PlanOptions::default()) {
                Ok(_) | Err(Error::Argument(_)) => {}
                Err(other) => panic!("{}: {other}", op.id()),
            }
            // Lenient mode only insists on path parameters.
            let has_path = op.params().iter().any(|p| p.location() == Location::Path);
            assert_eq!(
                router::plan(op, &args, &lenient).is_err(),
                has_path,
                "{}",
                op.id()
            );
        }
    }
}
