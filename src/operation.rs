//! The static description of one API operation: method, route, parameters
//! and body shape. All data is compiled in by `build.rs`; nothing here
//! allocates.

/// The table's vocabulary (methods, locations, types, collection formats,
/// body roots, hosts) is defined once, in the `falcon-harness-spec` crate
/// that reads the endpoint files; these are those enums.
pub use falcon_harness_spec::vocab::{
    BodyRoot, CollectionFormat, Host, Location, Method, ParamType,
};

/// One declared parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    pub(crate) name: &'static str,
    pub(crate) location: Location,
    pub(crate) ty: ParamType,
    pub(crate) items: Option<ParamType>,
    pub(crate) collection_format: CollectionFormat,
    pub(crate) required: bool,
    pub(crate) enum_values: &'static [&'static str],
    pub(crate) default: Option<&'static str>,
    pub(crate) minimum: Option<f64>,
    pub(crate) maximum: Option<f64>,
    pub(crate) max_items: Option<usize>,
    pub(crate) aliases: &'static [&'static str],
}

impl Param {
    /// The name as the API spells it.
    pub const fn name(&self) -> &'static str {
        self.name
    }
    /// Where it goes.
    pub const fn location(&self) -> Location {
        self.location
    }
    /// Its type.
    pub const fn ty(&self) -> ParamType {
        self.ty
    }
    /// The element type of an array.
    pub const fn items(&self) -> Option<ParamType> {
        self.items
    }
    /// How an array is written in the query string.
    pub const fn collection_format(&self) -> CollectionFormat {
        self.collection_format
    }
    /// Whether it must be given.
    pub const fn required(&self) -> bool {
        self.required
    }
    /// Allowed values, as they are written in a query string (numbers in
    /// decimal). Empty when any value is allowed.
    pub const fn enum_values(&self) -> &'static [&'static str] {
        self.enum_values
    }
    /// The server-side default, as JSON text.
    pub const fn default_json(&self) -> Option<&'static str> {
        self.default
    }
    /// Inclusive lower bound.
    pub const fn minimum(&self) -> Option<f64> {
        self.minimum
    }
    /// Inclusive upper bound.
    pub const fn maximum(&self) -> Option<f64> {
        self.maximum
    }
    /// The most elements an array accepts, when the API description says
    /// (longer lists are split into several requests; see
    /// [`crate::split`]).
    pub const fn max_items(&self) -> Option<usize> {
        self.max_items
    }
    /// Other argument names accepted for this parameter (for path
    /// parameters, the names the Python SDK's Uber class reads).
    pub const fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }
    /// Whether this is an `Authorization` header parameter: some operations
    /// declare it, but the harness always sends it from its own
    /// credentials, so it is never an argument.
    pub fn is_authorization(&self) -> bool {
        self.location == Location::Header && self.name.eq_ignore_ascii_case("authorization")
    }
}

/// The shape of an operation's request body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Body {
    pub(crate) root: BodyRoot,
    pub(crate) items: Option<ParamType>,
    pub(crate) fields: &'static [Field],
}

impl Body {
    /// The root kind.
    pub const fn root(&self) -> BodyRoot {
        self.root
    }
    /// Element type of an array root.
    pub const fn items(&self) -> Option<ParamType> {
        self.items
    }
    /// Top-level fields of the object (or of each array element).
    pub const fn fields(&self) -> &'static [Field] {
        self.fields
    }
    /// The field of that name.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
    /// Every place below the top level where a field of that name sits,
    /// each as the chain of fields from a top-level field down to it.
    ///
    /// ```
    /// let op = falcon_harness::catalog::operation("PerformIncidentAction").unwrap();
    /// let places = op.body().unwrap().nested_paths("value");
    /// assert_eq!(places.len(), 1);
    /// let names: Vec<_> = places[0].iter().map(|f| f.name()).collect();
    /// assert_eq!(names, ["action_parameters", "value"]);
    /// ```
    pub fn nested_paths(&self, name: &str) -> Vec<Vec<&'static Field>> {
        let mut all = self.nested_fields();
        all.retain(|chain| chain.last().is_some_and(|f| f.name == name));
        all
    }

    /// Every field below the top level, each as the chain of fields from
    /// a top-level field down to it, parents before their children.
    ///
    /// ```
    /// let op = falcon_harness::catalog::operation("PerformIncidentAction").unwrap();
    /// let paths: Vec<String> = op.body().unwrap().nested_fields().iter()
    ///     .map(|c| c.iter().map(|f| f.name()).collect::<Vec<_>>().join("."))
    ///     .collect();
    /// assert_eq!(paths, ["action_parameters.name", "action_parameters.value"]);
    /// ```
    pub fn nested_fields(&self) -> Vec<Vec<&'static Field>> {
        let mut out = Vec::new();
        let mut chain = Vec::new();
        for f in self.fields {
            collect_nested(f, &mut chain, &mut out);
        }
        out
    }
}

/// Pushes to `out` the chains from `f` down to every field below it.
fn collect_nested(
    f: &'static Field,
    chain: &mut Vec<&'static Field>,
    out: &mut Vec<Vec<&'static Field>>,
) {
    chain.push(f);
    for child in f.fields {
        let mut found = chain.clone();
        found.push(child);
        out.push(found);
        collect_nested(child, chain, out);
    }
    chain.pop();
}

/// A field of a JSON body: top-level, or nested below one (see
/// [`Field::fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub(crate) name: &'static str,
    pub(crate) ty: ParamType,
    pub(crate) items: Option<ParamType>,
    pub(crate) required: bool,
    pub(crate) fields: &'static [Field],
}

impl Field {
    /// Field name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
    /// Field type.
    pub const fn ty(&self) -> ParamType {
        self.ty
    }
    /// Element type of an array field.
    pub const fn items(&self) -> Option<ParamType> {
        self.items
    }
    /// Whether the schema lists it as required.
    pub const fn required(&self) -> bool {
        self.required
    }
    /// The fields below it: of the object, or of each element of a list
    /// of objects (empty for scalars and for shapes the API leaves open).
    ///
    /// ```
    /// let op = falcon_harness::catalog::operation("PerformIncidentAction").unwrap();
    /// let params = op.body().unwrap().field("action_parameters").unwrap();
    /// assert!(params.is_list_of_objects());
    /// let names: Vec<_> = params.fields().iter().map(|f| f.name()).collect();
    /// assert_eq!(names, ["name", "value"]);
    /// ```
    pub const fn fields(&self) -> &'static [Field] {
        self.fields
    }
    /// Whether the field is a list of objects (its nested fields belong
    /// to each element) rather than one object.
    pub fn is_list_of_objects(&self) -> bool {
        self.ty == ParamType::Array && self.items == Some(ParamType::Object)
    }
}

/// One operation of the Falcon API.
///
/// ```
/// let op = falcon_harness::catalog::operation("QueryIncidents").unwrap();
/// assert_eq!(op.method().as_str(), "GET");
/// assert_eq!(op.route(), "/incidents/queries/incidents/v1");
/// assert!(op.param("filter").is_some());
/// ```
#[derive(Debug, PartialEq)]
pub struct Operation {
    pub(crate) id: &'static str,
    pub(crate) collections: &'static [&'static str],
    pub(crate) method: Method,
    pub(crate) route: &'static str,
    pub(crate) host: Host,
    pub(crate) consumes: &'static [&'static str],
    pub(crate) produces: &'static [&'static str],
    pub(crate) deprecated: bool,
    pub(crate) ids_in_body: bool,
    pub(crate) params: &'static [Param],
    pub(crate) body: Option<Body>,
}

impl Operation {
    /// The operation ID.
    pub const fn id(&self) -> &'static str {
        self.id
    }
    /// The collections that list it; the first is its home.
    pub const fn collections(&self) -> &'static [&'static str] {
        self.collections
    }
    /// The home collection.
    pub fn collection(&self) -> &'static str {
        self.collections.first().copied().unwrap_or("")
    }
    /// HTTP method.
    pub const fn method(&self) -> Method {
        self.method
    }
    /// Route with `{placeholders}`.
    pub const fn route(&self) -> &'static str {
        self.route
    }
    /// Which host serves it.
    pub const fn host(&self) -> Host {
        self.host
    }
    /// Media types it accepts.
    pub const fn consumes(&self) -> &'static [&'static str] {
        self.consumes
    }
    /// Media types it answers with.
    pub const fn produces(&self) -> &'static [&'static str] {
        self.produces
    }
    /// Whether a source marks it deprecated.
    pub const fn deprecated(&self) -> bool {
        self.deprecated
    }
    /// Whether an `ids` argument belongs in the JSON body.
    pub const fn ids_in_body(&self) -> bool {
        self.ids_in_body
    }
    /// Declared parameters, in order.
    pub const fn params(&self) -> &'static [Param] {
        self.params
    }
    /// The body shape, when it takes a body.
    pub const fn body(&self) -> Option<&Body> {
        self.body.as_ref()
    }
    /// The declared parameter of that name (any location).
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }
    /// Whether it takes a multipart/form-data request.
    pub fn is_multipart(&self) -> bool {
        self.consumes.contains(&"multipart/form-data")
    }
}
