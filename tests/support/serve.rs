//! The one way the local hyper servers ([`super::canned`],
//! [`super::budget`]) run: a listener on 127.0.0.1 served by a runtime in
//! a thread of its own, HTTP/1.1 only, each connection handed to the
//! server's handler; dropping the [`Running`] stops it.

use hyper::body::{Body, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A server running in its own thread; stopped (and its thread joined)
/// when dropped.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Listens on 127.0.0.1:`port` (0 for any free port) and serves every
/// connection with `handle` on a runtime of `workers` threads (at least
/// one). `on_connect` runs once for each accepted connection.
pub fn serve<H, Fut, B, E>(
    port: u16,
    workers: usize,
    on_connect: impl Fn() + Send + 'static,
    handle: H,
) -> std::io::Result<Running>
where
    H: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<B>, E>> + Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
    E: Into<BoxError>,
{
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers.max(1))
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        on_connect();
                        let handle = handle.clone();
                        tokio::spawn(async move {
                            let svc = hyper::service::service_fn(handle);
                            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                                .http1_only()
                                .serve_connection(TokioIo::new(stream), svc)
                                .await;
                        });
                    }
                }
            }
        });
        rt.shutdown_timeout(Duration::from_secs(1));
    });
    Ok(Running {
        addr,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}
