use super::*;
use crate::config::Settings;
use std::borrow::Cow;

/// The endpoints of a harness with this base URL.
fn endpoints(base: &str) -> Endpoints {
    Settings {
        base_url: Some(base.into()),
        ..Settings::default()
    }
    .initial_endpoints()
    .unwrap()
}

fn plan(path: &str, host: Host) -> RequestPlan {
    RequestPlan {
        operation: "Op",
        method: Method::Get,
        host,
        path: path.to_string().into(),
        query: vec![
            ("filter".into(), "status:'open'+name:'a b'".into()),
            ("ids".into(), "x".into()),
            ("ids".into(), "y&z".into()),
        ],
        headers: vec![],
        body: PlannedBody::Empty,
        warnings: vec![],
    }
}

#[test]
fn urls_stay_on_the_api_host() {
    let eps = endpoints("http://127.0.0.1:8080/prefix/");
    let u = url_for(&eps, &plan("/a/b/v1", Host::Api)).unwrap();
    assert_eq!(
        u.as_str(),
        "http://127.0.0.1:8080/prefix/a/b/v1?filter=status%3A%27open%27%2Bname%3A%27a%20b%27&ids=x&ids=y%26z"
    );
    assert!(url_for(&eps, &plan("//evil.example/x", Host::Api)).is_err());
    assert!(url_for(&eps, &plan("@evil.example/x", Host::Api)).is_err());
    let eps = Settings {
        cloud: crate::Cloud::Us2,
        ..Settings::default()
    }
    .initial_endpoints()
    .unwrap();
    let u = url_for(&eps, &plan("/x", Host::ContainerRegistry)).unwrap();
    assert_eq!(u.host_str(), Some("container-upload.us-2.crowdstrike.com"));
}

proptest::proptest! {
    #![proptest_config(crate::proptest_config::kept_beside(512))]
    /// Whichever way a query is written into the URL, it is the
    /// plan's query string.
    #[test]
    fn queries_are_the_query_string(
        pairs in proptest::collection::vec(
            ("[a-z_ *~%]{0,6}", "[ a-zA-Z0-9*~%&=+#?/\u{e9}'._-]{0,12}"),
            0..4,
        )
    ) {
        let pairs: Vec<(Cow<'static, str>, String)> =
            pairs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        let base = Url::parse("http://127.0.0.1:1/a/v1").unwrap();
        let mut set = base.clone();
        set_query(&mut set, &pairs);
        let mut want = base;
        if !pairs.is_empty() {
            want.set_query(Some(&crate::router::query_string(&pairs)));
        }
        proptest::prop_assert_eq!(set.as_str(), want.as_str());
    }
}

#[test]
fn set_on_the_base_is_the_full_parse() {
    let paths = [
        "/a/b/v1",
        "/incidents/queries/incidents/v1",
        "/a/%2e%2e/b",
        "/a/%2E./b",
        "/a/../../b",
        "/a/./b/.",
        "/a/%2F/b%3Fc%23d",
        "/a;b=c/d:e@f!$&'()*+,=",
        "/a|b^`{x}[y]\"<>",
        "/",
        "/trailing/",
        "/a b",
        "/a?x=1",
        "/a#frag",
        "/a\\b",
        "/caf\u{e9}",
        "/tab\there",
    ];
    let bases = [
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080/prefix/",
        "http://localhost/p/q",
        "https://api.crowdstrike.com",
    ];
    for base in bases {
        let eps = endpoints(base);
        for path in paths {
            // With a space (encoded here), without (by the form
            // serializer), and none.
            let plain = vec![
                ("filter".into(), "status:'open'+a%b".to_string()),
                ("q".into(), "caf\u{e9}&=#?/".to_string()),
            ];
            for query in [vec![], plan("/", Host::Api).query, plain] {
                let p = RequestPlan {
                    path: path.into(),
                    query: query.clone(),
                    ..plan("/", Host::Api)
                };
                let full = full_url(&eps.api, &p).unwrap();
                assert_eq!(url_for(&eps, &p).unwrap(), full, "{base} {path}");
            }
        }
    }
}

#[tokio::test]
async fn headers_are_set_on_the_built_request() {
    let eps = endpoints("http://127.0.0.1:8080");
    let client = reqwest::Client::new();
    let bearer = HeaderValue::from_static("Bearer t");
    let with = |headers: Vec<(&str, &str)>, body: PlannedBody| RequestPlan {
        method: Method::Post,
        headers: headers
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body,
        ..plan("/a", Host::Api)
    };
    let json = || PlannedBody::Json(serde_json::json!({"a": 1}).into());

    // A name given twice keeps both values; the token is set.
    let p = with(vec![("X-Seen", "1"), ("x-seen", "2")], json());
    let r = build_request(&client, &eps, &p, Some(bearer.clone()))
        .await
        .unwrap();
    let seen: Vec<_> = r.headers().get_all("x-seen").iter().collect();
    assert_eq!(seen, ["1", "2"]);
    assert_eq!(r.headers()[AUTHORIZATION], "Bearer t");
    assert_eq!(r.headers()[CONTENT_TYPE], "application/json");

    // A given Content-Type replaces the JSON body's; a raw body's own
    // media type replaces a given one.
    let p = with(vec![("Content-Type", "application/x-ndjson")], json());
    let r = build_request(&client, &eps, &p, None).await.unwrap();
    assert_eq!(r.headers()[CONTENT_TYPE], "application/x-ndjson");
    assert!(r.headers().get(AUTHORIZATION).is_none());
    let raw = PlannedBody::Raw {
        bytes: bytes::Bytes::from_static(b"x"),
        content_type: "text/csv".into(),
    };
    let p = with(vec![("content-type", "application/json")], raw);
    let r = build_request(&client, &eps, &p, None).await.unwrap();
    let ct: Vec<_> = r.headers().get_all(CONTENT_TYPE).iter().collect();
    assert_eq!(ct, ["text/csv"]);

    // An Authorization header of the caller's is refused.
    let p = with(vec![("Authorization", "Bearer mine")], json());
    let e = build_request(&client, &eps, &p, Some(bearer))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no Authorization header"), "{e}");
}

#[tokio::test]
async fn a_user_and_password_in_the_base_url_are_never_sent_in_it() {
    let eps = endpoints("http://u:p@127.0.0.1:8080");
    let client = reqwest::Client::new();
    let bodies = [
        PlannedBody::Empty,
        PlannedBody::Json(serde_json::json!({"a": 1}).into()),
        PlannedBody::Form(vec![("a".into(), "1".into())]),
    ];
    for body in bodies {
        let p = RequestPlan {
            body,
            ..plan("/a", Host::Api)
        };
        let bearer = Some(HeaderValue::from_static("Bearer t"));
        let r = build_request(&client, &eps, &p, bearer).await.unwrap();
        assert_eq!((r.url().username(), r.url().password()), ("", None));
        assert_eq!(r.headers()[AUTHORIZATION], "Bearer t");
        // Without a token, the client's builder made them Basic
        // authorization, as ever.
        let r = build_request(&client, &eps, &p, None).await.unwrap();
        assert_eq!(r.url().username(), "");
        assert!(r.headers()[AUTHORIZATION]
            .to_str()
            .unwrap()
            .starts_with("Basic "));
    }
}
