//! Real calls: one harness (one HTTP client, one token) built from the
//! flags and `FALCON_*` environment, then a single call, `--all` pages,
//! a download to `--output`, or a `--batch`.

use super::all;
use super::args::Args;
use super::batch::{self, Reply, Request};
use super::exit::{Exit, Failure};
use super::notes;
use super::outfile::Target;
use super::output;
use super::progress::Progress;
use falcon_harness::operation::Operation;
use falcon_harness::response::ResponseBody;
use falcon_harness::{router, Harness, PlanOptions};
use serde_json::{Map, Value};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// Builds the harness from the flags (clap has already merged the
/// `FALCON_*` environment into them). Missing credentials are a usage
/// error.
pub fn harness(args: &Args) -> Result<Harness, Failure> {
    // A variable set to an empty string counts as unset.
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let mut b = Harness::builder().lenient(args.lenient);
    let secret = args
        .client_secret
        .as_ref()
        .map(|s| s.expose())
        .filter(|s| !s.trim().is_empty());
    match (given(&args.client_id), secret) {
        (Some(id), Some(secret)) => b = b.client_credentials(id, secret),
        (None, None) => {
            return Err(Failure::usage(
                "no credentials: set FALCON_CLIENT_ID and FALCON_CLIENT_SECRET \
                 (or --client-id and --client-secret); --dry-run needs none",
            ))
        }
        (None, Some(_)) => return Err(Failure::usage("a client secret needs a client ID")),
        (Some(_), None) => return Err(Failure::usage("a client ID needs a client secret")),
    }
    if let Some(cid) = given(&args.member_cid) {
        b = b.member_cid(cid);
    }
    if let Some(cloud) = given(&args.cloud) {
        b = b.cloud_named(cloud);
    }
    if let Some(url) = given(&args.base_url) {
        b = b.base_url(url);
    }
    if let Some(t) = args.timeout {
        b = b.timeout(t);
    }
    if let Some(t) = args.attempt_timeout {
        b = b.attempt_timeout(t);
    }
    b = b.page_cap(args.max_pages as usize);
    Ok(b.max_reply_bytes(args.max_reply_bytes).build()?)
}

fn runtime(multi: bool) -> Result<tokio::runtime::Runtime, Failure> {
    let mut b = if multi {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    b.enable_all()
        .build()
        .map_err(|e| Failure::broken(format!("cannot start the async runtime: {e}")))
}

/// One call of `op` with `value` as its arguments: planned first (a bad
/// argument sends nothing), then sent; the result is printed.
pub fn single(args: &Args, op: &'static Operation, value: Value) -> Result<Exit, Failure> {
    let opts = PlanOptions {
        lenient: args.lenient,
    };
    let plan = router::plan(op, &value, &opts)?;
    notes::warn(&plan.warnings);
    let harness = harness(args)?;
    let rt = runtime(false)?;
    if args.all {
        let format = if args.jsonl {
            all::Format::Lines
        } else {
            all::Format::Array
        };
        return rt.block_on(all::all(&harness, op, value, format));
    }
    if let Some(path) = &args.output {
        return rt.block_on(download(&harness, plan, path, args.body));
    }
    let resp = rt.block_on(harness.execute(plan))?;
    output::print_response(resp, args.body)
}

/// `--output FILE`: streams a success body into FILE (see
/// [`outfile`](super::outfile) for how it is put in place); an error
/// reply leaves no file.
async fn download(
    harness: &Harness,
    plan: falcon_harness::RequestPlan,
    path: &Path,
    body_only: bool,
) -> Result<Exit, Failure> {
    let (target, file) = Target::open(path)?;
    let mut file = tokio::fs::File::from_std(file);
    let result = harness.request(plan).download(&mut file).await;
    let flushed = file.flush().await;
    drop(file);
    let resp = match result {
        Ok(resp) => resp,
        Err(e) => {
            target.abandon();
            return Err(e.into());
        }
    };
    if matches!(resp.body(), ResponseBody::Streamed(_)) {
        if let Err(e) = flushed {
            target.abandon();
            return Err(Failure::broken(format!(
                "--output: cannot write {}: {e}",
                path.display()
            )));
        }
        target.commit()?;
    } else {
        target.abandon();
    }
    output::print_download(resp, path, body_only)
}

/// `--batch`: JSON Lines from stdin, `--concurrency` requests in flight
/// over one harness (one client, one token); output in input order. After
/// an authentication failure the remaining lines are not sent.
pub fn batch(args: &Args) -> Result<Exit, Failure> {
    let harness = harness(args)?;
    let opts = PlanOptions {
        lenient: args.lenient,
    };
    let body_only = args.body;
    let rt = runtime(true)?;
    let auth_failed = Arc::new(AtomicBool::new(false));
    let handle = move |req: Request| {
        let harness = harness.clone();
        let auth_failed = auth_failed.clone();
        async move {
            if auth_failed.load(Ordering::Relaxed) {
                return Reply::error(
                    "auth",
                    "not sent: authentication failed on an earlier line",
                    Exit::Failure,
                );
            }
            let plan = match router::plan(req.op, &req.args, &opts) {
                Ok(plan) => plan,
                Err(e) => return Reply::from_error(&e),
            };
            // Each request is its own task, so replies are decoded (and
            // their output fields built) on every worker thread.
            let sent = tokio::spawn(async move {
                let resp = harness.execute(plan).await?;
                let exit = Exit::for_status(resp.status());
                let mut fields = Map::new();
                if !resp.warnings().is_empty() {
                    fields.insert("warnings".into(), resp.warnings().into());
                }
                match output::view(resp, body_only) {
                    Value::Object(m) if !body_only => fields.extend(m),
                    body => {
                        fields.insert("body".into(), body);
                    }
                }
                Ok::<_, falcon_harness::Error>(Reply::new(fields, exit))
            })
            .await;
            match sent {
                Ok(Ok(reply)) => reply,
                Ok(Err(e)) => {
                    if e.is_auth() {
                        auth_failed.store(true, Ordering::Relaxed);
                    }
                    Reply::from_error(&e)
                }
                Err(join) => Reply::error("internal", join.to_string(), Exit::Failure),
            }
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let summary = rt.block_on(batch::run_async(
        tokio::io::BufReader::new(tokio::io::stdin()),
        &mut out,
        usize::from(args.concurrency),
        &args.input_rules(),
        handle,
        &mut Progress::batch_on_stderr(),
    ));
    let _ = out.flush();
    match summary {
        Ok(s) => Ok(s.exit),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
        Err(e) => Err(Failure::broken(format!("batch: {e}"))),
    }
}
