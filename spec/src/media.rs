//! Media types (`Content-Type` values): the essence (`type/subtype`,
//! without parameters) and the JSON and text checks, for the importer
//! (which bodies are raw), the library's requests and its replies alike.
//!
//! ```
//! use falcon_harness_spec::media;
//! assert!(media::is_json("application/vnd.api+json; charset=utf-8"));
//! assert!(!media::is_json("application/zip"));
//! ```

/// The essence of a media type: the text before any `;`, trimmed
/// (compare it case-insensitively).
pub fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

/// Whether the essence of `content_type` is `expected` (ASCII
/// case-insensitive, as media types are).
pub fn is(content_type: &str, expected: &str) -> bool {
    essence(content_type).eq_ignore_ascii_case(expected)
}

/// Whether a media type names JSON: `application/json` or any `+json`
/// structured-syntax suffix.
pub fn is_json(content_type: &str) -> bool {
    // What nearly every reply says, without taking it apart.
    if content_type == "application/json" {
        return true;
    }
    let essence = essence(content_type);
    essence.eq_ignore_ascii_case("application/json")
        || essence
            .len()
            .checked_sub(5)
            .and_then(|at| essence.get(at..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case("+json"))
}

/// Whether a media type is `text/*`.
pub fn is_text(content_type: &str) -> bool {
    essence(content_type)
        .get(..5)
        .is_some_and(|head| head.eq_ignore_ascii_case("text/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essences_drop_parameters_and_space() {
        assert_eq!(essence(" Text/Plain ; charset=utf-8"), "Text/Plain");
        assert_eq!(essence(""), "");
        assert!(is("Multipart/Form-Data; boundary=x", "multipart/form-data"));
        assert!(!is("multipart/form-data-x", "multipart/form-data"));
    }

    #[test]
    fn json_and_text() {
        for ct in [
            "application/json",
            "Application/JSON; charset=utf-8",
            " application/json ",
            "application/vnd.api+json",
            "application/problem+JSON;x=y",
        ] {
            assert!(is_json(ct), "{ct}");
        }
        for ct in [
            "",
            "json",
            "+jso",
            "text/json",
            "application/jsonx",
            "application/x-json5",
        ] {
            assert!(!is_json(ct), "{ct}");
        }
        for ct in ["text/plain", " TEXT/html; charset=utf-8", "Text/"] {
            assert!(is_text(ct), "{ct}");
        }
        for ct in ["", "text", "application/text", "tex/t"] {
            assert!(!is_text(ct), "{ct}");
        }
    }
}
