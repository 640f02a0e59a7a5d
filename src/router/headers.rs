//! Validation of header names and values: a header can never smuggle a
//! line break (or any other byte HTTP forbids) into the request.

use crate::error::Error;

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
