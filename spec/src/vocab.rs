//! The endpoint table's vocabulary: HTTP methods, parameter locations,
//! parameter types, collection formats, body roots and hosts.
//!
//! Each kind is one enum, defined once here with the exact string the
//! `endpoints/*.json` files use. The file format reads and writes them
//! (serde), validation relies on them, `build.rs` emits them into the
//! generated tables and the library's [`Operation`] uses them. Adding a
//! location or a type is one new line in the lists below plus its uses.
//!
//! An unknown string in a file is a serde error naming the kind and the
//! accepted values:
//!
//! ```
//! use falcon_harness_spec::vocab::Location;
//! let l: Location = serde_json::from_str("\"formData\"").unwrap();
//! assert_eq!(l, Location::FormData);
//! assert_eq!(l.as_str(), "formData");
//! let e = serde_json::from_str::<Location>("\"cookie\"").unwrap_err();
//! assert!(e.to_string().contains("unknown location \"cookie\""));
//! ```
//!
//! [`Operation`]: https://docs.rs/falcon-harness/latest/falcon_harness/struct.Operation.html

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What every vocabulary enum offers, for code that handles them alike
/// (`build.rs` writes `TYPE::Variant` from `TYPE_NAME` and `Debug`).
pub trait Vocab: Copy + fmt::Debug + 'static {
    /// The Rust name of the enum (`Location`).
    const TYPE_NAME: &'static str;
    /// What the kind is called in messages (`location`).
    const KIND: &'static str;
}

/// Defines one vocabulary enum: its variants with their file strings,
/// `ALL`, `as_str`, `from_name`, `Display` and serde as those strings. An
/// optional `absent` variant (written `none`) is the default and is never
/// read from or written to a file.
macro_rules! vocab {
    (
        $(#[$meta:meta])*
        $name:ident ($kind:literal)
        $( absent { $(#[$ameta:meta])* $absent:ident } )?
        { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$ameta])* $absent, )?
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value a file may hold, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The string the endpoint files use.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$absent => "none", )?
                    $( $name::$variant => $text, )+
                }
            }

            /// The value a file writes as `s` (exact spelling).
            pub fn from_name(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// `"a, b, c"`: the accepted strings, for messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl Vocab for $name {
            const TYPE_NAME: &'static str = stringify!($name);
            const KIND: &'static str = $kind;
        }

        $(
            impl Default for $name {
                fn default() -> $name {
                    $name::$absent
                }
            }
        )?

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
                $name::from_name(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown {} {:?} (expected one of {})",
                        <$name as Vocab>::KIND,
                        s,
                        $name::expected()
                    ))
                })
            }
        }
    };
}

vocab! {
    /// HTTP method of an operation.
    Method ("method") {
        /// GET
        Get = "GET",
        /// POST
        Post = "POST",
        /// PUT
        Put = "PUT",
        /// PATCH
        Patch = "PATCH",
        /// DELETE
        Delete = "DELETE",
        /// HEAD
        Head = "HEAD",
    }
}

impl Method {
    /// Parses a method name in any case (`get`, `Post`).
    pub fn parse(s: &str) -> Option<Method> {
        Self::ALL
            .iter()
            .copied()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }

    /// Whether repeating the request has no further effect (RFC 9110).
    pub const fn is_idempotent(self) -> bool {
        matches!(
            self,
            Method::Get | Method::Head | Method::Put | Method::Delete
        )
    }
}

vocab! {
    /// Where a parameter goes in the request.
    Location ("location") {
        /// The query string.
        Query = "query",
        /// A `{placeholder}` of the route.
        Path = "path",
        /// A request header.
        Header = "header",
        /// A field of a multipart or urlencoded form.
        FormData = "formData",
        /// The JSON (or raw) request body.
        Body = "body",
    }
}

vocab! {
    /// The type of a parameter, body field or array element.
    ParamType ("type") {
        /// A string.
        String = "string",
        /// A whole number.
        Integer = "integer",
        /// Any number.
        Number = "number",
        /// `true` or `false`.
        Boolean = "boolean",
        /// A list; see the element type.
        Array = "array",
        /// A file upload (form fields only).
        File = "file",
        /// A JSON object (or any JSON, where the shape is not known).
        Object = "object",
    }
}

impl ParamType {
    /// Whether it may be the element type of an array (anything but
    /// `array` and `file`).
    pub const fn is_item(self) -> bool {
        !matches!(self, ParamType::Array | ParamType::File)
    }
}

vocab! {
    /// How an array query parameter is written.
    CollectionFormat ("collection format")
    absent {
        /// Not an array (a file leaves the format out).
        None
    }
    {
        /// `ids=a,b`
        Csv = "csv",
        /// `ids=a&ids=b`
        Multi = "multi",
        /// `ids=a b`
        Ssv = "ssv",
        /// `ids=a\tb`
        Tsv = "tsv",
        /// `ids=a|b`
        Pipes = "pipes",
    }
}

impl CollectionFormat {
    /// The joining separator, or `None` for `multi` (and non-arrays).
    pub const fn separator(self) -> Option<char> {
        match self {
            CollectionFormat::Csv => Some(','),
            CollectionFormat::Ssv => Some(' '),
            CollectionFormat::Tsv => Some('\t'),
            CollectionFormat::Pipes => Some('|'),
            CollectionFormat::None | CollectionFormat::Multi => None,
        }
    }

    /// Whether it is [`CollectionFormat::None`] (not written to a file).
    pub fn is_none(&self) -> bool {
        *self == CollectionFormat::None
    }
}

vocab! {
    /// The root of a request body.
    BodyRoot ("body root") {
        /// A JSON object with known fields.
        Object = "object",
        /// A JSON array; its elements are described by `items` and `fields`.
        Array = "array",
        /// Any JSON: the shape is not known.
        Opaque = "opaque",
        /// Raw bytes.
        Binary = "binary",
    }
}

vocab! {
    /// Which host serves an operation.
    #[derive(Default)]
    Host ("host") {
        /// The region's API host (the default).
        #[default]
        Api = "api",
        /// The region's container-registry upload host.
        ContainerRegistry = "container_registry",
    }
}

impl Host {
    /// Whether it is the default, [`Host::Api`] (not written to a file).
    pub fn is_default(&self) -> bool {
        *self == Host::Api
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_serde() {
        for l in Location::ALL {
            let text = serde_json::to_string(l).unwrap();
            assert_eq!(text, format!("{:?}", l.as_str()));
            assert_eq!(serde_json::from_str::<Location>(&text).unwrap(), *l);
        }
        assert_eq!(Method::parse("patch"), Some(Method::Patch));
        assert_eq!(Method::from_name("patch"), None);
    }

    #[test]
    fn the_absent_collection_format_is_not_a_file_value() {
        assert_eq!(CollectionFormat::default(), CollectionFormat::None);
        assert!(!CollectionFormat::ALL.contains(&CollectionFormat::None));
        let e = serde_json::from_str::<CollectionFormat>("\"none\"").unwrap_err();
        assert!(e.to_string().contains("unknown collection format"), "{e}");
        assert_eq!(CollectionFormat::Pipes.separator(), Some('|'));
    }

    #[test]
    fn unknown_values_name_the_kind_and_the_choices() {
        let e = serde_json::from_str::<BodyRoot>("\"tree\"").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown body root \"tree\" (expected one of object, array, opaque, binary)"
        );
    }
}
