//! Manual requests: the `override` key (`"METHOD,/route"`), for routes
//! the table does not describe. Nothing is checked against a table:
//! `parameters` go to the query string, `body` is the JSON body,
//! `headers` are extra headers and `data` / `files` make a form.

use super::convert::describe;
use super::planner::{args_object, passthrough_texts, urlencoded};
use super::{body, encode, files, headers};
use crate::error::Error;
use crate::operation::{CollectionFormat, Host, Method};
use crate::plan::{FileRef, FormPart, PartValue, PlanOptions, PlannedBody, RequestPlan};
use serde_json::Value;

const OP: &str = "override";

/// A parsed `override`: method, path, query pairs.
pub(crate) type Spec = (Method, String, Vec<(String, String)>);

/// Parses `"METHOD,/route"` into the method, the normalised path and the
/// query pairs of a `?query` in the route.
pub(crate) fn parse_spec(spec: &str) -> Result<Spec, Error> {
    let bad = |why: &str| {
        Error::argument(
            OP,
            "override",
            format!(
                "expected \"METHOD,/route\" (e.g. \"GET,/incidents/queries/incidents/v1\"); {why}"
            ),
        )
    };
    let Some((method, route)) = spec.split_once(',') else {
        return Err(bad("no comma"));
    };
    let method = Method::parse(method.trim()).ok_or_else(|| bad("unknown method"))?;
    let route = route.trim();
    if !route.starts_with('/') || route.starts_with("//") {
        return Err(bad("the route must start with a single \"/\""));
    }
    if route.contains('#') {
        return Err(bad("the route must not contain \"#\""));
    }
    let (path, query) = route.split_once('?').unwrap_or((route, ""));
    let path = encode::override_path(OP, path)?;
    let pairs = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Ok((method, path, pairs))
}

/// Whether `v` is an `override` spec (a string that starts with a
/// method and a comma).
pub(crate) fn looks_like_spec(v: &Value) -> bool {
    v.as_str()
        .and_then(|s| s.split_once(','))
        .is_some_and(|(m, _)| Method::parse(m.trim()).is_some())
}

fn set_ct<'v>(key: &str, v: &'v Value, ct: &mut Option<&'v str>) -> Result<(), Error> {
    let Some(s) = v.as_str() else {
        return Err(Error::argument(
            OP,
            key,
            format!("expected a media type string, got {}", describe(v)),
        ));
    };
    headers::check_value(OP, key, s)?;
    *ct = Some(s);
    Ok(())
}

/// Plans a manual request.
pub(crate) fn plan(
    spec: &str,
    args: &Value,
    opts: &PlanOptions,
    attachments: Vec<(String, FileRef)>,
) -> Result<RequestPlan, Error> {
    let (method, path, mut query) = parse_spec(spec)?;
    let map = args_object(OP, args)?;
    let mut header_list: Vec<(String, String)> = Vec::new();
    let mut warnings = Vec::new();
    let mut json: Option<&Value> = None;
    let mut raw: Option<&str> = None;
    let mut form: Vec<FormPart> = Vec::new();
    let mut content_type: Option<&str> = None;
    for (key, v) in map.into_iter().flatten() {
        if v.is_null() {
            continue;
        }
        match key.as_str() {
            "override" => {}
            "parameters" => {
                let Value::Object(m) = v else {
                    return Err(Error::argument(
                        OP,
                        key,
                        format!("expected an object, got {}", describe(v)),
                    ));
                };
                for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                    let texts = passthrough_texts(OP, k, v)?;
                    super::convert::push_collection(
                        &mut query,
                        k,
                        CollectionFormat::Multi,
                        true,
                        texts,
                    );
                }
            }
            "body" => json = Some(v),
            "headers" => {
                let Value::Object(m) = v else {
                    return Err(Error::argument(
                        OP,
                        key,
                        format!("expected an object, got {}", describe(v)),
                    ));
                };
                for (name, value) in m.iter().filter(|(_, v)| !v.is_null()) {
                    if name.eq_ignore_ascii_case("content-type") {
                        set_ct("headers", value, &mut content_type)?;
                        continue;
                    }
                    let text = super::convert::scalar_text(value).ok_or_else(|| {
                        Error::argument(
                            OP,
                            "headers",
                            format!(
                                "header {name:?}: expected a string, got {}",
                                describe(value)
                            ),
                        )
                    })?;
                    headers::check_name(OP, "headers", name)?;
                    headers::check_value(OP, "headers", &text)?;
                    if header_list
                        .iter()
                        .any(|(n, _)| n.eq_ignore_ascii_case(name))
                    {
                        return Err(Error::argument(
                            OP,
                            "headers",
                            format!("the header {name:?} is given more than once"),
                        ));
                    }
                    header_list.push((name.clone(), text));
                }
            }
            "content_type" => set_ct(key, v, &mut content_type)?,
            "data" => match v {
                Value::String(s) => raw = Some(s),
                Value::Object(m) => {
                    for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                        for t in passthrough_texts(OP, k, v)? {
                            form.push(FormPart {
                                name: k.clone(),
                                value: PartValue::Text(t),
                            });
                        }
                    }
                }
                other => {
                    return Err(Error::argument(
                        OP,
                        key,
                        format!(
                            "expected an object of form fields or a string, got {}",
                            describe(other)
                        ),
                    ))
                }
            },
            "files" => {
                for (name, file) in files::files_arg(OP, v)? {
                    form.push(FormPart {
                        name,
                        value: PartValue::File(file),
                    });
                }
            }
            _ => {
                let e = Error::argument(
                    OP,
                    key,
                    "unknown argument; with \"override\", give query arguments in \"parameters\", \
                     the JSON body in \"body\", headers in \"headers\" and a form in \"data\" / \"files\"",
                );
                if !opts.lenient {
                    return Err(e);
                }
                warnings.push(format!("override: dropped unknown argument {key:?}"));
            }
        }
    }
    form.extend(attachments.into_iter().map(|(name, f)| FormPart {
        name,
        value: PartValue::File(f),
    }));
    let given =
        usize::from(json.is_some()) + usize::from(raw.is_some()) + usize::from(!form.is_empty());
    if given > 1 {
        return Err(Error::argument(
            OP,
            "body",
            "give one of \"body\", a raw \"data\" string, or form fields / files",
        ));
    }
    let mut planned = if let Some(v) = json {
        PlannedBody::Json(v.clone())
    } else if let Some(s) = raw {
        PlannedBody::Raw {
            bytes: bytes::Bytes::copy_from_slice(s.as_bytes()),
            content_type: "application/x-www-form-urlencoded".to_string(),
        }
    } else if form.is_empty() {
        PlannedBody::Empty
    } else if form.iter().any(|p| matches!(p.value, PartValue::File(_))) {
        PlannedBody::Multipart(form)
    } else {
        urlencoded(OP, form)?
    };
    if let Some(ct) = content_type {
        planned = body::apply_content_type(OP, planned, ct, &mut warnings)?;
    }
    Ok(RequestPlan {
        operation: OP,
        method,
        host: Host::Api,
        path,
        query,
        headers: header_list,
        body: planned,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn specs_parse() {
        let (m, p, q) = parse_spec("get, /a/b c?limit=1&x=%20y").unwrap();
        assert_eq!(m, Method::Get);
        assert_eq!(p, "/a/b%20c");
        assert_eq!(
            q,
            vec![("limit".into(), "1".into()), ("x".into(), " y".into())]
        );
        for bad in [
            "GET/a",
            "FETCH,/a",
            "GET,a",
            "GET,//evil.example/a",
            "GET,/a#f",
            "GET,/a/../b",
        ] {
            assert!(parse_spec(bad).is_err(), "{bad}");
        }
        assert!(looks_like_spec(&json!("POST,/x")));
        assert!(!looks_like_spec(&json!(true)));
        assert!(!looks_like_spec(&json!("yes")));
    }
}
