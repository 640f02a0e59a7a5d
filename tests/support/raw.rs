//! Hostile servers on 127.0.0.1 made of plain sockets: one that never
//! answers, and one that does whatever a handler does with each
//! connection (answer garbage, close early, reset). Each serves a bounded
//! number of connections on a thread of its own.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// The most connections one of these servers takes.
const CONNECTIONS: usize = 16;

/// A server that accepts connections and never answers; its URL.
pub fn silent() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(CONNECTIONS) {
            held.push(stream);
        }
        thread::sleep(Duration::from_secs(60));
    });
    format!("http://{addr}")
}

/// A server that runs `handle` on each connection; its `host:port`.
pub fn each_connection(handle: fn(TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(CONNECTIONS).flatten() {
            thread::spawn(move || handle(stream));
        }
    });
    addr.to_string()
}

/// Reads a request head (up to the blank line, at most 64 KiB).
pub fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while head.len() < 64 * 1024 && !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    head
}

/// Answers the head of a reply, then `body`, then holds the connection
/// open without sending more.
pub fn head_then_hold(mut stream: TcpStream, head: &str, body: &[u8]) {
    read_head(&mut stream);
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
    thread::sleep(Duration::from_secs(30));
}

/// An address where nothing listens (a port bound, then let go).
pub fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr.to_string()
}
