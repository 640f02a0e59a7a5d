//! Transport failures say what went wrong, in words, with the address
//! (issue 11 item 8): each is caused against a local server. (Name
//! resolution, which needs a resolver, is covered by cause.rs's unit
//! tests.)

mod support;

use falcon_harness::{Error, Harness, RetryPolicy};
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;
use support::mock::*;
use support::raw;

fn bearer(base: String) -> Harness {
    Harness::builder()
        .bearer_token("tok")
        .base_url(base)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn failure(base: String) -> String {
    let e = bearer(base).execute(query_incidents()).await.unwrap_err();
    assert!(e.is_transport(), "{e:?}");
    e.to_string()
}

#[tokio::test]
async fn connection_refused_names_the_address() {
    let at = raw::closed_port();
    let text = failure(format!("http://{at}")).await;
    assert_eq!(
        text,
        format!(
            "QueryIncidents: transport error: connection to {at} refused (is anything listening there?)"
        )
    );
    // The token request says the same.
    let e = Harness::builder()
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .base_url(format!("http://{at}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .authenticate()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with(&format!(
            "oauth2/token: transport error: connection to {at} refused"
        )),
        "{e}"
    );
}

/// Closes the connection with the request unread: the kernel answers
/// with a reset.
fn reset(mut stream: TcpStream) {
    let mut byte = [0u8; 1];
    let _ = std::io::Read::read(&mut stream, &mut byte);
    std::thread::sleep(Duration::from_millis(100));
    drop(stream);
}

#[tokio::test]
async fn a_reset_is_a_reset() {
    let at = raw::each_connection(reset);
    let text = failure(format!("http://{at}")).await;
    assert!(
        text.contains(&format!("connection reset by the peer ({at})")),
        "{text}"
    );
}

/// Reads the request and closes without a word.
fn hang_up(mut stream: TcpStream) {
    raw::read_head(&mut stream);
}

#[tokio::test]
async fn a_server_hanging_up_is_said() {
    let at = raw::each_connection(hang_up);
    let text = failure(format!("http://{at}")).await;
    assert!(
        text.contains(&format!(
            "{at} closed the connection before the reply was complete"
        )),
        "{text}"
    );
}

/// Answers a TLS client hello with plain HTTP.
fn not_tls(mut stream: TcpStream) {
    let mut hello = [0u8; 512];
    let _ = std::io::Read::read(&mut stream, &mut hello);
    let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
    std::thread::sleep(Duration::from_millis(200));
}

#[tokio::test]
async fn a_failed_tls_handshake_says_tls_and_why() {
    let at = raw::each_connection(not_tls);
    let text = failure(format!("https://{at}")).await;
    assert!(
        text.contains(&format!("TLS handshake with {at} failed: ")),
        "{text}"
    );
}
