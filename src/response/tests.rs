use super::*;
use reqwest::header::HeaderValue;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

fn headers(ct: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
    h
}

#[test]
fn classifies_by_content_type() {
    let r = Response::from_parts(
        "Op",
        200,
        headers("application/json; charset=utf-8"),
        Bytes::from_static(b"{\"a\":1}"),
    )
    .unwrap();
    assert_eq!(r.json(), Some(&json!({"a": 1})));
    let r = Response::from_parts(
        "Op",
        200,
        headers("application/vnd.api+json"),
        Bytes::from_static(b"[]"),
    )
    .unwrap();
    assert_eq!(r.json(), Some(&json!([])));
    let r =
        Response::from_parts("Op", 200, headers("text/plain"), Bytes::from_static(b"hi")).unwrap();
    assert_eq!(r.body(), &ResponseBody::Text("hi".into()));
    // Text that is not UTF-8: each bad sequence becomes U+FFFD.
    let bad = Bytes::from_static(b"caf\xc3\xa9 \xff end \xe2\x82");
    let r = Response::from_parts("Op", 200, headers("text/plain"), bad).unwrap();
    assert_eq!(
        r.body(),
        &ResponseBody::Text("caf\u{e9} \u{fffd} end \u{fffd}".into())
    );
    let r = Response::from_parts(
        "Op",
        200,
        headers("application/zip"),
        Bytes::from_static(b"PK"),
    )
    .unwrap();
    assert_eq!(r.body(), &ResponseBody::Bytes(Bytes::from_static(b"PK")));
    let r = Response::from_parts("Op", 204, HeaderMap::new(), Bytes::new()).unwrap();
    assert_eq!(r.body(), &ResponseBody::Empty);
    let e = Response::from_parts(
        "Op",
        200,
        headers("application/json"),
        Bytes::from_static(b"{"),
    )
    .unwrap_err();
    assert!(matches!(&e, Error::Decode { operation, .. } if operation == "Op"));
    let r = Response::from_parts(
        "Op",
        200,
        headers("application/json"),
        Bytes::from("{\"name\":\"caf\u{e9} \\u00e9\\ud83d\\ude00\"}"),
    )
    .unwrap();
    assert_eq!(
        r.json(),
        Some(&json!({"name": "caf\u{e9} \u{e9}\u{1f600}"}))
    );
    let e = Response::from_parts(
        "Op",
        200,
        headers("application/json"),
        Bytes::from_static(b"{\"name\":\"caf\xe9\"}"),
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::Decode { message, .. } if message.contains("invalid unicode code point")),
        "{e}"
    );
}

fn json_reply(body: &'static str) -> Result<Response> {
    Response::from_parts(
        "Op",
        200,
        headers("application/json"),
        Bytes::from_static(body.as_bytes()),
    )
}

#[test]
fn json_is_checked_on_arrival_and_decoded_on_first_use() {
    let r = json_reply(r#"{"resources":[1,2],"errors":[]}"#).unwrap();
    assert!(r.body.get().is_none(), "not decoded before use");
    assert_eq!(r.resources().map(Vec::len), Some(2));
    // `resources` alone was decoded, and is kept.
    assert!(r.body.get().is_none() && r.resources.get().is_some());
    assert_eq!(r.json().unwrap()["errors"], json!([]));
    assert!(r.body.get().is_some(), "decoded once, then kept");
    assert_eq!(r.resources(), Some(&vec![json!(1), json!(2)]));
    // Asked for after the body, it is the body's.
    let r = json_reply(r#"{"resources":["a"],"meta":{}}"#).unwrap();
    assert!(r.json().is_some());
    assert_eq!(r.resources(), Some(&vec![json!("a")]));
    assert!(r.resources.get().is_none());
    // Not an array, or not to be read alone: as from the whole body.
    assert_eq!(
        json_reply(r#"{"resources":{"a":1}}"#).unwrap().resources(),
        None
    );
    let r = json_reply(r#"{"resources":["é"],"resources":["b"]}"#).unwrap();
    assert_eq!(r.resources(), Some(&vec![json!("b")]));
    // A clone taken before the first use decodes on its own.
    let r = json_reply(r#"[{"a":true}]"#).unwrap();
    let copy = r.clone();
    assert_eq!(r.into_body(), ResponseBody::Json(json!([{"a": true}])));
    assert_eq!(copy.json(), Some(&json!([{"a": true}])));

    // Everything the full parser refuses as JSON is refused on arrival.
    for bad in [
        "{",
        "[1,]",
        "{\"a\":1}x",
        "01",
        "1.",
        "-",
        "\"\\x\"",
        "\"\u{1}\"",
        "{'a':1}",
        "nul",
        "[1 2]",
        "{\"a\" 1}",
    ] {
        assert!(
            serde_json::from_str::<Value>(bad).is_err(),
            "the full parser refuses {bad:?}"
        );
        let e = json_reply(bad).unwrap_err();
        assert!(
            matches!(&e, Error::Decode { operation, .. } if operation == "Op"),
            "{bad:?}: {e}"
        );
    }
}

#[test]
fn well_formed_json_a_value_cannot_hold_stays_text() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let deep: &'static str = Box::leak(deep.into_boxed_str());
    for body in [r#"["\ud800"]"#, deep] {
        let r = json_reply(body).unwrap();
        assert_eq!(r.body(), &ResponseBody::Text(body.to_string()), "{body}");
        assert_eq!(r.json(), None);
        assert_eq!(r.to_uber()["body"], body);
    }
}

#[test]
fn numbers_keep_their_exact_text() {
    let body = r#"{"n":1e400,"big":18446744073709551616,"d":0.10000000000000000001}"#;
    let r = json_reply(body).unwrap();
    assert_eq!(
        serde_json::to_string(r.json().unwrap()).unwrap(),
        r#"{"n":1e+400,"big":18446744073709551616,"d":0.10000000000000000001}"#
    );
}

#[test]
fn into_uber_moves_what_to_uber_copies() {
    for (ct, body) in [
        (
            "application/json",
            &b"{\"resources\":[\"a\"],\"errors\":[]}"[..],
        ),
        ("text/plain", b"hi"),
        ("application/zip", b"\x01\x02"),
        ("application/json", b""),
    ] {
        let mut h = headers(ct);
        h.append("x-seen", HeaderValue::from_static("1"));
        h.append("x-seen", HeaderValue::from_static("2"));
        let r = Response::from_parts("Op", 201, h, Bytes::from_static(body)).unwrap();
        let copied = r.to_uber();
        assert_eq!(copied["headers"]["x-seen"], "1, 2");
        assert_eq!(r.into_uber(), copied, "{ct}");
    }
}

#[test]
fn error_messages_read_errors_list() {
    let body = json!({"errors": [{"message": "a"}, {"code": 1}, {"message": 5}], "resources": []});
    assert_eq!(error_messages(&body), ["a", "5"]);
    assert!(error_messages(&json!({"errors": null})).is_empty());
    assert!(error_messages(&json!([1])).is_empty());
}

#[test]
fn uber_view_and_status_errors() {
    let mut h = headers("application/json");
    h.insert("x-ratelimit-remaining", HeaderValue::from_static("5999"));
    h.insert("x-ratelimit-limit", HeaderValue::from_static("6000"));
    let body = br#"{"errors":[{"code":403,"message":"access denied"}],"resources":[]}"#;
    let r = Response::from_parts("Op", 403, h, Bytes::from_static(body)).unwrap();
    assert_eq!(r.rate_limit_remaining(), Some(5999));
    assert_eq!(r.rate_limit_limit(), Some(6000));
    let uber = r.to_uber();
    assert_eq!(uber["status_code"], 403);
    assert_eq!(uber["headers"]["x-ratelimit-limit"], "6000");
    assert_eq!(uber["body"]["errors"][0]["message"], "access denied");
    let e = r.error_for_status().unwrap_err();
    assert_eq!(e.status(), Some(403));
    assert!(e.to_string().contains("access denied"));

    let r = Response::from_parts(
        "Op",
        502,
        headers("text/html"),
        Bytes::from_static(b"bad gw"),
    )
    .unwrap();
    assert!(r
        .error_for_status()
        .unwrap_err()
        .to_string()
        .contains("bad gw"));
    let r = Response::from_parts(
        "Op",
        200,
        headers("application/octet-stream"),
        Bytes::from_static(b"\x01\x02"),
    )
    .unwrap();
    assert_eq!(r.to_uber()["body"], "AQI=");
    assert!(r.error_for_status().is_ok());
}
