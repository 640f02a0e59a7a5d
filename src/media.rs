//! Media types: the rules live in the spec crate, where the importer
//! uses them too (`falcon_harness_spec::media`).

pub(crate) use falcon_harness_spec::media::{is, is_json, is_text};
