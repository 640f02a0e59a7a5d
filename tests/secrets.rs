//! Secrets (client secret, tokens) never appear in `Debug` output, errors
//! or logs.

mod support;

use falcon_harness::Harness;
use mockito::Server;
use std::io;
use std::sync::{Arc, Mutex};
use support::mock::*;

const TOKEN: &str = "eyJ-very-secret-bearer-token-0042";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(CLIENT_SECRET),
        "{what} shows the client secret: {text}"
    );
    assert!(!text.contains(TOKEN), "{what} shows the token: {text}");
}

#[test]
fn debug_output_hides_secrets() {
    let b = Harness::builder().client_credentials(CLIENT_ID, CLIENT_SECRET);
    assert_clean("builder Debug", &format!("{b:?}"));
    let h = b.base_url("http://127.0.0.1:9").build().unwrap();
    let shown = format!("{h:?} {h:#?}");
    assert!(
        shown.contains(CLIENT_ID),
        "the client ID is not secret: {shown}"
    );
    assert_clean("harness Debug", &shown);
    let h = Harness::builder().bearer_token(TOKEN).build().unwrap();
    assert_clean("bearer harness Debug", &format!("{h:?}"));
    let blocking = falcon_harness::blocking::Harness::new(h).unwrap();
    assert_clean("blocking harness Debug", &format!("{blocking:?}"));
}

#[tokio::test]
async fn logs_and_errors_hide_secrets() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut server = Server::new_async().await;
    let token = token_mock(&mut server, TOKEN, 1799, 3).await;
    let refused = incidents_mock(&mut server, TOKEN, 401, 4).await;
    let h = builder(&server).build().unwrap();
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 401);
    let e = r.error_for_status().unwrap_err();
    assert_clean("status error", &format!("{e} {e:?}"));
    assert_clean(
        "response Debug",
        &format!("{:?}", h.execute(query_incidents()).await),
    );
    token.assert_async().await;
    refused.assert_async().await;

    // A refused token request, then a revocation.
    let mut server = Server::new_async().await;
    server
        .mock("POST", "/oauth2/token")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"errors":[{"code":401,"message":"access denied"}]}"#)
        .create_async()
        .await;
    let h = builder(&server).build().unwrap();
    let e = h.authenticate().await.unwrap_err();
    assert_clean("auth error", &format!("{e} {e:?}"));

    let text = logs.text();
    assert!(
        text.contains("QueryIncidents"),
        "the operation is logged: {text}"
    );
    assert!(text.contains("status=401"), "the status is logged: {text}");
    assert!(text.contains("elapsed_ms="), "the time is logged: {text}");
    assert!(
        text.contains("/incidents/queries/incidents/v1"),
        "the route is logged"
    );
    assert_clean("logs", &text);
}
