//! Real calls: one harness (one HTTP client, one token) built from the
//! flags and `FALCON_*` environment, then a single call, `--all` pages,
//! a download to `--output`, or a `--batch`.

use super::all;
use super::args::Args;
use super::batch::{self, Request, Sender};
use super::exit::{Exit, Failure};
use super::notes;
use super::outfile;
use super::output;
use super::progress::Progress;
use super::request::Target;
use falcon_harness::response::ResponseBody;
use falcon_harness::{Harness, PlanOptions};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
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
    let mut b = Harness::builder()
        .lenient(args.lenient)
        .pacing(!args.no_pacing)
        .split_long_lists(!args.no_split);
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

/// One call of `target` with `value` as its arguments: planned first (a
/// bad argument sends nothing), then sent; the result is printed.
pub fn single(args: &Args, target: &Target, value: Value) -> Result<Exit, Failure> {
    let opts = PlanOptions {
        lenient: args.lenient,
    };
    let plan = target.plan(&value, &opts)?;
    notes::warn(&plan.warnings);
    if args.all && target.op().is_none() {
        return Err(Failure::usage(
            "--all needs an operation: an --override route has no pagination description",
        ));
    }
    let harness = harness(args)?;
    let rt = runtime(false)?;
    if let (true, Some(op)) = (args.all, target.op()) {
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
    // A long list is split (or refused) before anything is sent.
    let resp = rt.block_on(harness.request(plan).send())?;
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
    let (target, file) = outfile::Target::open(path)?;
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

/// The progress line's pacing part: 429s avoided and received, CIDs, and
/// whether requests wait for the rate limit now.
fn pacing_note(harness: Harness) -> crate::progress::Note {
    Arc::new(move || {
        let stats = harness.pacing_stats();
        let waiting = if stats.waiting() > 0 {
            " | waiting for rate limit"
        } else {
            ""
        };
        format!(
            " | 429s avoided {}, received {} | {} CIDs{waiting}",
            stats.waited(),
            stats.refused(),
            harness.cids()
        )
    })
}

/// `--batch`: JSON Lines from stdin, `--concurrency` requests in flight
/// over one harness (one client; one token and one pacer per CID); output
/// in input order. After an authentication failure of a CID its remaining
/// lines are not sent.
pub fn batch(args: &Args) -> Result<Exit, Failure> {
    let harness = harness(args)?;
    let body_only = args.body;
    let rt = runtime(true)?;
    let mut progress = Progress::batch_on_stderr().with_note(pacing_note(harness.clone()));
    // The note changes while no line is done (waiting for a rate limit).
    let refresh = {
        let progress = progress.clone();
        rt.spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
            loop {
                tick.tick().await;
                progress.refresh();
            }
        })
    };
    let (concurrency, shard) = (usize::from(args.concurrency), args.shard);
    let rules = args.input_rules();
    // The engine runs on a runtime thread, beside the pool's workers (not
    // on this thread, which would be woken for every line).
    let engine = rt.spawn(async move {
        let sender = Sender::new(harness, body_only);
        let handle = move |req: Request| sender.clone().answer(req);
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
        let summary = batch::run_async(
            tokio::io::BufReader::with_capacity(64 * 1024, tokio::io::stdin()),
            &mut out,
            concurrency,
            &rules,
            shard,
            handle,
            &mut progress,
        )
        .await;
        let _ = out.flush();
        summary
    });
    let summary = rt
        .block_on(engine)
        .map_err(|e| Failure::broken(format!("batch: {e}")))?;
    refresh.abort();
    match summary {
        Ok(s) => Ok(s.exit),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
        Err(e) => Err(Failure::broken(format!("batch: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pacing_note_names_429s_and_cids() {
        let h = Harness::builder()
            .client_credentials("id", "secret")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let note = pacing_note(h.clone());
        assert_eq!(note(), " | 429s avoided 0, received 0 | 1 CIDs");
        h.for_member("child1").unwrap();
        assert_eq!(note(), " | 429s avoided 0, received 0 | 2 CIDs");
    }
}
