//! Request headers: a declared header parameter, the `headers` object
//! and the `content_type`. Names and values are validated, so a header
//! can never smuggle a line break (or any other byte HTTP forbids) into
//! the request.

use super::convert::{self, describe};
use super::place;
use super::planner::Planner;
use crate::error::Error;
use serde_json::Value;

impl<'a> Planner<'a> {
    /// Adds one header after checking its name and value; a name given
    /// twice (in any case) is an error. A header that frames the message
    /// ([`is_framing`]) is refused, or in lenient mode dropped with a
    /// warning: the HTTP client alone decides them.
    pub(super) fn push_header(
        &mut self,
        key: &str,
        name: &str,
        value: String,
    ) -> Result<(), Error> {
        check_name(self.id(), key, name)?;
        if is_framing(name) {
            let why = format!("the header {name:?} frames the message; the HTTP client sets it");
            if self.lenient {
                self.warnings.push(format!("{}: dropped {why}", self.id()));
                return Ok(());
            }
            return Err(Error::argument(self.id(), key, why));
        }
        check_value(self.id(), key, &value)?;
        if self
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            return Err(Error::argument(
                self.id(),
                key,
                format!("the header {name:?} is given more than once"),
            ));
        }
        self.headers.push((name.to_string(), value));
        Ok(())
    }

    /// `headers`: extra headers. A `Content-Type` among them acts as
    /// `content_type`; `Authorization` is refused.
    pub(super) fn extra_headers(&mut self, v: &'a Value) -> Result<(), Error> {
        let Value::Object(m) = v else {
            return Err(self.expected("headers", "an object of header names and values", v));
        };
        for (name, value) in m {
            if value.is_null() {
                continue;
            }
            if name.eq_ignore_ascii_case("content-type") {
                self.set_content_type("headers", value)?;
                continue;
            }
            if place::is_authorization(name) {
                return Err(place::authorization(self.id(), "headers"));
            }
            // A declared header parameter given here counts as given.
            if let Some(i) = self.op().and_then(|op| place::declared_header(op, name)) {
                self.mark(i, "headers")?;
            }
            let Some(text) = convert::scalar_text(value) else {
                return Err(Error::argument(
                    self.id(),
                    "headers",
                    format!(
                        "header {name:?}: expected a string, got {}",
                        describe(value)
                    ),
                ));
            };
            self.push_header("headers", name, text)?;
        }
        Ok(())
    }

    /// `content_type` (or a `Content-Type` in `headers`): the body's media
    /// type, given once.
    pub(super) fn set_content_type(&mut self, key: &str, v: &'a Value) -> Result<(), Error> {
        let Value::String(ct) = v else {
            return Err(self.expected(key, "a media type string", v));
        };
        check_value(self.id(), key, ct)?;
        match self.content_type {
            Some(old) if !old.eq_ignore_ascii_case(ct) => Err(Error::argument(
                self.id(),
                key,
                format!("the content type is given twice ({old:?} and {ct:?})"),
            )),
            _ => {
                self.content_type = Some(ct);
                Ok(())
            }
        }
    }
}

/// Whether a header frames the message or the connection (its length,
/// transfer coding, host, connection options, proxy credentials): one
/// given as an argument could cut the body short, hang the exchange or
/// smuggle a second request.
pub(crate) fn is_framing(name: &str) -> bool {
    const FRAMING: &[&str] = &[
        "content-length",
        "transfer-encoding",
        "host",
        "connection",
        "upgrade",
        "te",
        "trailer",
        "keep-alive",
        "expect",
    ];
    FRAMING.iter().any(|f| name.eq_ignore_ascii_case(f))
        || name
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("proxy-"))
}

/// A header name is an RFC 9110 token.
pub(crate) fn check_name(op: &str, argument: &str, name: &str) -> Result<(), Error> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(Error::argument(
            op,
            argument,
            format!("{name:?} is not a valid header name"),
        ));
    }
    Ok(())
}

/// A header value is visible ASCII, spaces and tabs; CR, LF, other
/// control bytes and non-ASCII text are errors.
pub(crate) fn check_value(op: &str, argument: &str, value: &str) -> Result<(), Error> {
    let ok = |b: u8| b == b'\t' || (b' '..=b'~').contains(&b);
    if let Some(bad) = value.bytes().find(|&b| !ok(b)) {
        let what = match bad {
            b'\r' => "a carriage return (CR)".to_string(),
            b'\n' => "a line feed (LF)".to_string(),
            0x80.. => "non-ASCII text".to_string(),
            b => format!("the control byte 0x{b:02X}"),
        };
        return Err(Error::argument(
            op,
            argument,
            format!("a header value must not contain {what}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_headers_are_known_in_any_case() {
        for name in [
            "Content-Length",
            "transfer-encoding",
            "HOST",
            "Connection",
            "Upgrade",
            "TE",
            "Trailer",
            "Keep-Alive",
            "Proxy-Authorization",
            "proxy-connection",
        ] {
            assert!(is_framing(name), "{name}");
        }
        for name in ["X-CS-USERUUID", "Accept", "Content-Type", "Proxy", "Tex"] {
            assert!(!is_framing(name), "{name}");
        }
    }

    #[test]
    fn framing_headers_are_refused_or_dropped() {
        let op = crate::catalog::operation("CreateCase").unwrap();
        let args = serde_json::json!({"headers": {"Content-Length": "5", "X-Ok": "1"}});
        let e = crate::router::plan(op, &args, &Default::default()).unwrap_err();
        assert!(e.is_argument(), "{e}");
        assert!(
            e.to_string()
                .contains("\"Content-Length\" frames the message"),
            "{e}"
        );
        let lenient = crate::PlanOptions { lenient: true };
        let p = crate::router::plan(op, &args, &lenient).unwrap();
        assert_eq!(p.headers, [("X-Ok".to_string(), "1".to_string())]);
        assert!(
            p.warnings
                .iter()
                .any(|w| w.contains("dropped the header \"Content-Length\"")),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn names_are_tokens() {
        assert!(check_name("Op", "h", "X-CS-USERUUID").is_ok());
        for bad in ["", "X Y", "X:Y", "X\r\nY", "Ü"] {
            assert!(check_name("Op", "h", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn values_reject_line_breaks_and_control_bytes() {
        assert!(check_value("Op", "h", "a b\tc ~!").is_ok());
        for (bad, what) in [
            ("a\r\nInjected: 1", "carriage return"),
            ("a\nb", "line feed"),
            ("a\0b", "0x00"),
            ("a\x7fb", "0x7F"),
            ("é", "non-ASCII"),
        ] {
            let e = check_value("Op", "h", bad).unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        }
    }
}
