//! Typed reading of a JSON reply: the body, or its `resources`, decoded
//! straight from the bytes received into the caller's own types, without
//! building a [`Value`](serde_json::Value) tree first. The untyped call
//! stays untyped; only the reading is typed, and only when asked.

use super::Response;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;

impl Response {
    /// The JSON body decoded into `T`. A body that is not JSON, or JSON
    /// that does not fit `T`, is an [`Error::Decode`] naming the operation
    /// and what did not fit.
    ///
    /// ```
    /// use falcon_harness::Response;
    /// #[derive(serde::Deserialize)]
    /// struct Meta { query_time: f64 }
    /// #[derive(serde::Deserialize)]
    /// struct Reply { meta: Meta }
    ///
    /// let mut headers = reqwest::header::HeaderMap::new();
    /// headers.insert("content-type", "application/json".parse().unwrap());
    /// let body = r#"{"meta": {"query_time": 0.5}, "resources": []}"#;
    /// let r = Response::from_parts("QueryIncidents", 200, headers, body.into()).unwrap();
    /// assert_eq!(r.json_as::<Reply>().unwrap().meta.query_time, 0.5);
    /// ```
    pub fn json_as<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(self.json_str()?).map_err(|e| self.decode_error(&e))
    }

    /// `resources` of a JSON body decoded into a list of `T` (an empty
    /// list when the body has none or it is `null`); the rest of the body
    /// is skipped, not decoded. For a caller that knows the shape of what
    /// it asked for: ids as `String`, entities as its own structs.
    ///
    /// ```
    /// use falcon_harness::Response;
    /// #[derive(serde::Deserialize)]
    /// struct Incident { incident_id: String, fine_score: u32 }
    ///
    /// let mut headers = reqwest::header::HeaderMap::new();
    /// headers.insert("content-type", "application/json".parse().unwrap());
    /// let body = r#"{"meta": {}, "resources": [{"incident_id": "inc:1", "fine_score": 38, "tags": []}], "errors": []}"#;
    /// let r = Response::from_parts("GetIncidents", 200, headers, body.into()).unwrap();
    /// let incidents: Vec<Incident> = r.resources_as().unwrap();
    /// assert_eq!((incidents[0].incident_id.as_str(), incidents[0].fine_score), ("inc:1", 38));
    /// ```
    pub fn resources_as<T: DeserializeOwned>(&self) -> Result<Vec<T>> {
        #[derive(Deserialize)]
        #[serde(bound = "T: DeserializeOwned")]
        struct Resources<T> {
            #[serde(default)]
            resources: Option<Vec<T>>,
        }
        // The value alone, where that reads alike (see `resources_text`).
        if let Some(text) = self.resources_text() {
            let mut de = serde_json::Deserializer::from_str(text);
            if let Ok(read) = Option::<Vec<T>>::deserialize(&mut de) {
                return Ok(read.unwrap_or_default());
            }
            // A misfit: the whole body words the error, with its place.
        }
        let read: Resources<T> =
            serde_json::from_str(self.json_str()?).map_err(|e| self.decode_error(&e))?;
        Ok(read.resources.unwrap_or_default())
    }

    /// The JSON body's text; a body accepted as JSON on arrival is UTF-8,
    /// so the reader need not check each string again.
    fn json_str(&self) -> Result<&str> {
        self.json_text()
            .and_then(|text| std::str::from_utf8(text).ok())
            .ok_or_else(|| self.not_json())
    }

    fn not_json(&self) -> Error {
        Error::Decode {
            operation: self.operation.to_string(),
            message: "the reply is not JSON".to_string(),
        }
    }

    fn decode_error(&self, e: &serde_json::Error) -> Error {
        Error::Decode {
            operation: self.operation.to_string(),
            message: format!("the JSON reply does not fit the type asked for: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Response};
    use reqwest::header::HeaderMap;

    fn reply(ct: &str, body: &'static str) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", ct.parse().unwrap());
        Response::from_parts("GetIncidents", 200, headers, body.into()).unwrap()
    }

    #[test]
    fn resources_decode_into_the_callers_types() {
        let r = reply(
            "application/json",
            r#"{"meta": {"x": [1, {"y": null}]}, "resources": ["a", "b"], "errors": [{"code": 1}]}"#,
        );
        assert_eq!(r.resources_as::<String>().unwrap(), ["a", "b"]);
        // Read typed and untyped alike, in any order.
        assert_eq!(r.resources().unwrap().len(), 2);
        assert_eq!(r.resources_as::<String>().unwrap().len(), 2);
    }

    #[test]
    fn missing_or_null_resources_are_an_empty_list() {
        for body in [r#"{"meta": {}}"#, r#"{"resources": null}"#] {
            let r = reply("application/json", body);
            assert!(r.resources_as::<String>().unwrap().is_empty(), "{body}");
        }
    }

    #[test]
    fn a_misfit_or_a_body_that_is_not_json_names_the_operation() {
        let body = r#"{"meta": {}, "resources": [1]}"#;
        let r = reply("application/json", body);
        let e = r.resources_as::<String>().unwrap_err();
        // Worded, place and all, as decoding the whole body words it.
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Whole {
            resources: Vec<String>,
        }
        let whole = serde_json::from_str::<Whole>(body).unwrap_err().to_string();
        assert!(whole.contains("invalid type: integer") && whole.contains("column"));
        assert!(
            matches!(&e, Error::Decode { operation, message }
                if operation == "GetIncidents" && message.ends_with(&whole)),
            "{e:?}"
        );
        // A repeated `resources` is refused, as a whole body with it is.
        let r = reply(
            "application/json",
            r#"{"resources": ["a"], "resources": ["b"]}"#,
        );
        let e = r.resources_as::<String>().unwrap_err();
        assert!(
            matches!(&e, Error::Decode { message, .. } if message.contains("duplicate field")),
            "{e:?}"
        );
        let r = reply("text/plain", "resources");
        let e = r.json_as::<serde_json::Value>().unwrap_err();
        assert!(
            matches!(&e, Error::Decode { message, .. } if message.contains("not JSON")),
            "{e:?}"
        );
    }
}
