//! The HTTP transport: building the harness's one `reqwest` client, and
//! turning a [`RequestPlan`] into a `reqwest` request for the harness's
//! own host (the only host that ever sees the bearer token).

use crate::config::{Endpoints, Settings};
use crate::error::{Error, Result};
use crate::operation::{Host, Method};
use crate::plan::{FileRef, FileSource, PartValue, PlannedBody, RequestPlan};
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use std::borrow::Cow;
use url::Url;

/// The user agent sent with every request (plus the configured suffix).
pub const USER_AGENT: &str = concat!("falcon-harness/", env!("CARGO_PKG_VERSION"));

/// Builds the client: pooled keep-alive connections, rustls, gzip,
/// `TCP_NODELAY` (a request goes out at once instead of waiting for the
/// previous segment's ACK), the per-attempt and connect time limits, the
/// redirect policy ([`crate::redirect`]), proxy and TLS verification.
pub(crate) fn build_client(s: &Settings) -> Result<reqwest::Client> {
    let agent = match &s.user_agent_suffix {
        Some(suffix) => format!("{USER_AGENT} {suffix}"),
        None => USER_AGENT.to_string(),
    };
    let agent = HeaderValue::from_str(&agent)
        .map_err(|_| Error::Config("user-agent suffix: not a valid header value".into()))?;
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(agent)
        .gzip(true)
        .tcp_nodelay(true)
        .connect_timeout(s.connect_timeout)
        .timeout(s.attempt_timeout)
        .redirect(crate::redirect::policy())
        .pool_idle_timeout(std::time::Duration::from_secs(90));
    if let Some(proxy) = &s.proxy {
        let p = reqwest::Proxy::all(proxy.as_str())
            .map_err(|e| Error::Config(format!("proxy: {}", e.without_url())))?;
        b = b.proxy(p);
    }
    if !s.verify_tls {
        tracing::warn!(
            "TLS certificate verification is OFF: replies can be forged by anyone on the path"
        );
        b = b.danger_accept_invalid_certs(true);
    }
    b.build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

fn method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
        Method::Head => reqwest::Method::HEAD,
    }
}

/// The full URL of a plan on the current endpoints. Refuses a path that
/// would leave the harness's host.
pub(crate) fn url_for(endpoints: &Endpoints, plan: &RequestPlan) -> Result<Url> {
    let base = match plan.host {
        Host::Api => &endpoints.api,
        Host::ContainerRegistry => &endpoints.container,
    };
    if !plan.path.starts_with('/') || plan.path.starts_with("//") {
        return Err(Error::Config(format!(
            "{}: path {:?} must start with a single '/'",
            plan.operation, plan.path
        )));
    }
    // The planner's paths (routes with percent-encoded segments) and
    // query strings (every byte but the unreserved ones encoded) come out
    // of a full parse unchanged: set them on the parsed base instead of
    // parsing scheme and host again on every request, and a route's path
    // once per base (`routes` keeps plain paths only).
    // A route's URL is checked to stay on the harness's host before it
    // is kept, and writing a query into it does not move it off: a kept
    // URL needs no check again.
    let room = !plan.query.is_empty();
    let mut url = if let Some(url) = endpoints.routes.get(plan.host, &plan.path, room) {
        url
    } else if plain_path(&plan.path) {
        let mut url = base.clone();
        let prefix = base.path().trim_end_matches('/');
        if prefix.is_empty() {
            url.set_path(&plan.path);
        } else {
            url.set_path(&format!("{prefix}{}", plan.path));
        }
        let url = owned(endpoints, plan, url)?;
        endpoints.routes.keep(plan.host, &plan.path, &url);
        url
    } else {
        return owned(endpoints, plan, full_url(base, plan)?);
    };
    set_query(&mut url, &plan.query);
    Ok(url)
}

/// Sets the query of `pairs` on `url` (which has none): the plan's query
/// string. Pairs that the `application/x-www-form-urlencoded` serializer
/// writes alike ([`form_encodes_alike`](crate::router::form_encodes_alike))
/// are written by it straight into the URL; others are encoded here and
/// parsed again by the URL parser.
fn set_query(url: &mut Url, pairs: &[(Cow<'static, str>, String)]) {
    if pairs.is_empty() {
        return;
    }
    use crate::router::form_encodes_alike as alike;
    if pairs.iter().all(|(k, v)| alike(k) && alike(v)) {
        url.query_pairs_mut().extend_pairs(pairs);
    } else {
        url.set_query(Some(&crate::router::query_string(pairs)));
    }
}

/// `url`, unless it would leave the harness's host.
fn owned(endpoints: &Endpoints, plan: &RequestPlan, url: Url) -> Result<Url> {
    if !endpoints.owns(&url) {
        return Err(Error::Config(format!(
            "{}: the request would leave the API host",
            plan.operation
        )));
    }
    Ok(url)
}

/// Whether a path has only visible ASCII without the characters a URL
/// parser treats specially (`?`, `#`, `\`): such a path is the same
/// set on a base URL as parsed with it.
fn plain_path(path: &str) -> bool {
    path.bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'\\'))
}

/// The URL of a plan by parsing the base, path and query as one string.
fn full_url(base: &Url, plan: &RequestPlan) -> Result<Url> {
    let mut s = format!("{}{}", base.as_str().trim_end_matches('/'), plan.path);
    if !plan.query.is_empty() {
        s.push('?');
        s.push_str(&plan.query_string());
    }
    Url::parse(&s).map_err(|e| Error::Config(format!("{}: bad request URL: {e}", plan.operation)))
}

/// Builds the request for one attempt, with `bearer` as its
/// `Authorization` header (a sensitive value). Files of a multipart form
/// are opened here and streamed from disk while sending; a plan without
/// files is built at once ([`build_request_now`]).
pub(crate) async fn build_request(
    client: &reqwest::Client,
    endpoints: &Endpoints,
    plan: &RequestPlan,
    bearer: Option<HeaderValue>,
) -> Result<reqwest::Request> {
    // Checked before a file is opened.
    let (url, extra) = checked(endpoints, plan)?;
    let mut opened = Opened::default();
    match &plan.body {
        PlannedBody::RawFile { file, .. } => {
            let (body, len, _) = Box::pin(file_body(plan.operation, "body", file)).await?;
            opened.raw = Some((body, len));
        }
        PlannedBody::Multipart(parts) => {
            for part in parts {
                if let PartValue::File(f) = &part.value {
                    let p = Box::pin(file_part(plan.operation, &part.name, f)).await?;
                    opened.parts.push(p);
                }
            }
        }
        _ => {}
    }
    assemble(client, url, plan, bearer, extra, opened)
}

/// [`build_request`] for a plan that opens no files (see
/// [`PlannedBody::opens_files`]): nothing to wait for.
pub(crate) fn build_request_now(
    client: &reqwest::Client,
    endpoints: &Endpoints,
    plan: &RequestPlan,
    bearer: Option<HeaderValue>,
) -> Result<reqwest::Request> {
    let (url, extra) = checked(endpoints, plan)?;
    assemble(client, url, plan, bearer, extra, Opened::default())
}

/// The plan's URL and extra headers, checked.
fn checked(
    endpoints: &Endpoints,
    plan: &RequestPlan,
) -> Result<(Url, Vec<(HeaderName, HeaderValue)>)> {
    Ok((url_for(endpoints, plan)?, checked_headers(plan)?))
}

/// The files of a plan, opened: a raw file body, or the file parts of a
/// multipart form in their order.
#[derive(Default)]
struct Opened {
    raw: Option<(reqwest::Body, u64)>,
    parts: Vec<Part>,
}

/// The plan's extra headers, checked (set on the built request later:
/// no header map of their own to merge).
fn checked_headers(plan: &RequestPlan) -> Result<Vec<(HeaderName, HeaderValue)>> {
    let mut extra = Vec::with_capacity(plan.headers.len());
    for (name, value) in &plan.headers {
        let bad = || Error::argument(plan.operation, name, "a valid HTTP header value");
        let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
        if n == AUTHORIZATION {
            return Err(Error::argument(
                plan.operation,
                name,
                "no Authorization header (the harness sends its own)",
            ));
        }
        // A hand-made plan is held to the planner's rule.
        if crate::router::is_framing(name) {
            return Err(Error::argument(
                plan.operation,
                name,
                "no header that frames the message (the HTTP client sets it)",
            ));
        }
        extra.push((n, HeaderValue::from_str(value).map_err(|_| bad())?));
    }
    Ok(extra)
}

/// The request from its checked parts and opened files.
fn assemble(
    client: &reqwest::Client,
    url: Url,
    plan: &RequestPlan,
    bearer: Option<HeaderValue>,
    extra: Vec<(HeaderName, HeaderValue)>,
    opened: Opened,
) -> Result<reqwest::Request> {
    let mut content_type = None;
    let mut content_length = None;
    let Opened { raw, parts: files } = opened;
    let missing = || Error::Config(format!("{}: a file to send was not opened", plan.operation));
    let bad_type = || Error::argument(plan.operation, "body", "a valid content type");
    let built =
        |rb: reqwest::RequestBuilder| rb.build().map_err(|e| Error::transport(plan.operation, e));
    // A form is written by the client's request builder; other bodies
    // are set on a bare request (no builder holding a client handle),
    // unless the URL has a `user:password@` part, which the builder turns
    // into Basic authorization (the bearer token then replaces it).
    let bare = |url: Url, body: Option<reqwest::Body>| {
        let mut request = if url.username().is_empty() && url.password().is_none() {
            reqwest::Request::new(method(plan.method), url)
        } else {
            built(client.request(method(plan.method), url))?
        };
        *request.body_mut() = body;
        Ok::<_, Error>(request)
    };
    let mut request = match &plan.body {
        PlannedBody::Empty => bare(url, None)?,
        // What `RequestBuilder::json` sends, written when planned.
        PlannedBody::Json(body) => {
            let mut request = bare(url, Some(body.bytes().clone().into()))?;
            request
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            request
        }
        PlannedBody::Form(pairs) => built(client.request(method(plan.method), url).form(pairs))?,
        PlannedBody::Raw {
            bytes,
            content_type: ct,
        } => {
            content_type = Some(HeaderValue::from_str(ct).map_err(|_| bad_type())?);
            bare(url, Some(bytes.clone().into()))?
        }
        PlannedBody::RawFile {
            content_type: ct, ..
        } => {
            content_type = Some(HeaderValue::from_str(ct).map_err(|_| bad_type())?);
            let (body, len) = raw.ok_or_else(missing)?;
            // A file is streamed; its length is known, so no chunking.
            content_length = Some(len);
            bare(url, Some(body))?
        }
        PlannedBody::Multipart(parts) => {
            let mut files = files.into_iter();
            let mut form = Form::new();
            for part in parts {
                form = match &part.value {
                    PartValue::Text(t) => form.text(part.name.clone(), t.clone()),
                    PartValue::File(_) => {
                        form.part(part.name.clone(), files.next().ok_or_else(missing)?)
                    }
                };
            }
            built(client.request(method(plan.method), url).multipart(form))?
        }
    };
    let headers = request.headers_mut();
    // A name given more than once keeps every value; the first replaces
    // what the body set (its Content-Type).
    for (i, (name, value)) in extra.into_iter().enumerate() {
        if plan.headers[..i]
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name.as_str()))
        {
            headers.append(name, value);
        } else {
            headers.insert(name, value);
        }
    }
    if let Some(ct) = content_type {
        headers.insert(CONTENT_TYPE, ct);
    }
    if let Some(len) = content_length {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    }
    if let Some(value) = bearer {
        headers.insert(AUTHORIZATION, value);
    }
    Ok(request)
}

/// The bytes of a file reference as a request body (a file on disk is
/// opened and streamed), its length and the file's own name.
async fn file_body(
    operation: &str,
    name: &str,
    f: &FileRef,
) -> Result<(reqwest::Body, u64, Option<String>)> {
    match &f.source {
        FileSource::Bytes(b) => Ok((reqwest::Body::from(b.clone()), b.len() as u64, None)),
        FileSource::Path(path) => {
            let io = |e| Error::Io {
                context: format!("{operation}: reading {name} from {}", path.display()),
                source: e,
            };
            let file = tokio::fs::File::open(path).await.map_err(io)?;
            let len = file.metadata().await.map_err(io)?.len();
            let stream = crate::upload::checked_stream(file, len, path);
            Ok((
                reqwest::Body::wrap_stream(stream),
                len,
                path.file_name().map(|n| n.to_string_lossy().into_owned()),
            ))
        }
    }
}

async fn file_part(operation: &str, name: &str, f: &FileRef) -> Result<Part> {
    let (body, len, default_name) = file_body(operation, name, f).await?;
    let part = Part::stream_with_length(body, len);
    let mime = f
        .content_type
        .as_deref()
        .unwrap_or("application/octet-stream");
    let mut part = part
        .mime_str(mime)
        .map_err(|_| Error::argument(operation, name, "a valid media type"))?;
    if let Some(n) = f.filename.clone().or(default_name) {
        part = part.file_name(n);
    }
    Ok(part)
}

#[cfg(test)]
mod tests;
