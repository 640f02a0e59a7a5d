use super::UberHeaders;
use crate::escape;
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// The reference: the headers object as first written, a lookup of
/// every name's values and serde_json with the escaping formatter.
struct Reference<'a>(&'a HeaderMap);

impl serde::Serialize for Reference<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.keys_len()))?;
        for name in self.0.keys() {
            let mut values = self.0.get_all(name).iter();
            let mut joined = values
                .next()
                .map(|v| String::from_utf8_lossy(v.as_bytes()))
                .unwrap_or_default();
            for v in values {
                let text = joined.to_mut();
                text.push_str(", ");
                text.push_str(&String::from_utf8_lossy(v.as_bytes()));
            }
            m.serialize_entry(name.as_str(), &joined)?;
        }
        m.end()
    }
}

/// The three texts: the direct writer, the serializer, the reference.
fn texts(headers: &HeaderMap) -> [Vec<u8>; 3] {
    let mut direct = b"kept".to_vec();
    UberHeaders(headers).write_json(&mut direct);
    let mut serialized = b"kept".to_vec();
    escape::write(&mut serialized, &UberHeaders(headers), false).unwrap();
    let mut reference = b"kept".to_vec();
    escape::write(&mut reference, &Reference(headers), false).unwrap();
    [direct, serialized, reference]
}

#[test]
fn repeated_headers_are_joined_and_values_escaped() {
    let mut h = HeaderMap::new();
    h.append("set-cookie", HeaderValue::from_static("a=1"));
    h.append("x-a", HeaderValue::from_static("\"q\" \\ \t"));
    h.append("set-cookie", HeaderValue::from_static("b=2"));
    h.append(
        "x-b",
        HeaderValue::from_bytes(b"\xc2\x9b2J \xe2\x80\xae \xff").unwrap(),
    );
    let [direct, serialized, reference] = texts(&h);
    assert_eq!(
        String::from_utf8(direct.clone()).unwrap(),
        r#"kept{"set-cookie":"a=1, b=2","x-a":"\"q\" \\ \t","x-b":"\u009b2J \u202e �"}"#
    );
    assert_eq!(direct, serialized);
    assert_eq!(direct, reference);
    assert_eq!(texts(&HeaderMap::new())[0], b"kept{}");
}

/// Header values of any bytes a value may hold, and some that are
/// plain text.
fn arb_value() -> impl Strategy<Value = HeaderValue> {
    let byte = prop_oneof![
        0x20u8..0x7f,
        0x80u8..=0xff,
        Just(b'\t'),
        prop::sample::select(b"\"\\\xc2\x85\x9b\xe2\x80\xae\xa8".to_vec()),
    ];
    prop_oneof![
        prop::collection::vec(byte, 0..24),
        "[ -~]{0,24}".prop_map(String::into_bytes),
    ]
    .prop_map(|b| HeaderValue::from_bytes(&b).expect("bytes a value may hold"))
}

fn arb_headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop_oneof![
        prop::sample::select(vec![
            "content-type",
            "set-cookie",
            "x-ratelimit-limit",
            "vary"
        ])
        .prop_map(HeaderName::from_static),
        "[a-z0-9!#$%&'*+.^_`|~-]{1,12}"
            .prop_map(|n| HeaderName::from_bytes(n.as_bytes()).expect("a token")),
    ];
    prop::collection::vec((name, arb_value()), 0..10).prop_map(|pairs| {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(name, value);
        }
        h
    })
}

proptest! {
    #![proptest_config(crate::proptest_config::kept_beside(1024))]

    #[test]
    fn the_direct_writer_writes_what_the_serializer_wrote(h in arb_headers()) {
        let [direct, serialized, reference] = texts(&h);
        prop_assert_eq!(&direct, &reference);
        prop_assert_eq!(&serialized, &reference);
    }
}
