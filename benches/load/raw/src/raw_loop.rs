//! The raw reqwest loop, written once: this crate's `main` runs it on
//! reqwest 0.12 and 0.13 (`benches/load/instructions.sh`), and the `raw`
//! mode of `examples/load.rs` includes this file (`#[path]`) and runs it
//! on the library's reqwest (`benches/load/run.sh`). Macros, because the
//! two reqwest versions are distinct crates with the same API.
//!
//! The client has the harness's settings (rustls, its user agent, gzip,
//! `TCP_NODELAY`, 10 s connect and 120 s per-request time-outs, 90 s pool
//! idle time-out); the request (the harness's URL, headers and body for the
//! operation) is built once and cloned per send; each reply is read whole
//! and not decoded.

/// The body of the GetIncidents request: two incident ids.
pub const IDS: &str = r#"{"ids":["inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000001","inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000002"]}"#;

/// `raw_prepare!(REQWEST_CRATE, USER_AGENT, URL, OP)`: builds the client,
/// fetches a token from `URL/oauth2/token` and prepares the request of
/// `OP` (GetIncidents; anything else is QueryIncidents). Returns
/// `(client, Arc<request>)`. Not timed.
macro_rules! raw_prepare {
    ($reqwest:ident, $user_agent:expr, $url:expr, $op:expr) => {{
        let (user_agent, url, op): (&str, &str, &str) = ($user_agent, $url, $op);
        let client = $reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(user_agent)
            .gzip(true)
            .tcp_nodelay(true)
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(120))
            .pool_idle_timeout(std::time::Duration::from_secs(90))
            .build()
            .expect("client");
        let token: serde_json::Value = client
            .post(format!("{url}/oauth2/token"))
            .form(&[("client_id", "bench"), ("client_secret", "bench")])
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("token")
            .json()
            .await
            .expect("token JSON");
        let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap_or(""));
        let req = if op == "GetIncidents" {
            client
                .post(format!("{url}/incidents/entities/incidents/GET/v1"))
                .header("authorization", bearer)
                .header("content-type", "application/json")
                .body($crate::raw_loop::IDS)
                .build()
        } else {
            client
                .get(format!(
                    "{url}/incidents/queries/incidents/v1?filter=status%3A20&limit=5"
                ))
                .header("authorization", bearer)
                .build()
        }
        .expect("request");
        (client, std::sync::Arc::new(req))
    }};
}

/// `raw_run!(CLIENT, REQUEST, CONCURRENCY, COMMANDS)`: the measured loop,
/// on what [`raw_prepare!`] returned (borrowed: the caller keeps the
/// client, so its pool is not dropped inside the timed loop). Sends
/// `COMMANDS` clones of the prepared request from `CONCURRENCY` tasks
/// (each its share, the remainder spread over the first tasks); returns
/// how many were answered 2xx with the whole body read.
macro_rules! raw_run {
    ($client:expr, $req:expr, $concurrency:expr, $commands:expr) => {{
        let (client, req, concurrency, commands): (_, _, usize, usize) =
            (&$client, &$req, $concurrency, $commands);
        let mut tasks = Vec::with_capacity(concurrency);
        for t in 0..concurrency {
            let share = commands / concurrency + usize::from(t < commands % concurrency);
            let (client, req) = (client.clone(), req.clone());
            tasks.push(tokio::spawn(async move {
                let mut ok = 0usize;
                for _ in 0..share {
                    let r = req.try_clone().expect("clonable request");
                    if let Ok(resp) = client.execute(r).await {
                        let good = resp.status().is_success();
                        ok += usize::from(resp.bytes().await.is_ok() && good);
                    }
                }
                ok
            }));
        }
        let mut ok = 0;
        for t in tasks {
            ok += t.await.unwrap_or(0);
        }
        ok
    }};
}
