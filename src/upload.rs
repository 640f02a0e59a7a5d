//! Streaming an upload file from disk with the length it was announced
//! with: a file that grows or shrinks while being sent ends the request
//! with an error instead of a cut-off body reported as sent.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A file's size changed between the announcement of its length and the
/// end of sending it. Found in the source chain of the transport error.
#[derive(Debug)]
pub struct SizeChanged {
    /// The file.
    pub path: PathBuf,
    /// The length announced (the size when the file was opened).
    pub announced: u64,
    /// What was read: at least this many bytes (more when `grew`).
    pub read: u64,
    /// The file had more bytes than announced.
    pub grew: bool,
}

impl fmt::Display for SizeChanged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.grew {
            write!(
                f,
                "{} changed size while being sent: it was {} bytes when opened, then held more",
                self.path.display(),
                self.announced
            )
        } else {
            write!(
                f,
                "{} changed size while being sent: it was {} bytes when opened, then ended after {}",
                self.path.display(),
                self.announced,
                self.read
            )
        }
    }
}

impl std::error::Error for SizeChanged {}

/// The chunks of `reader` (a file of `len` bytes at `path`), checked
/// against `len`: an error item when there are more or fewer bytes.
pub(crate) fn checked_stream<R>(
    reader: R,
    len: u64,
    path: &Path,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static
where
    R: tokio::io::AsyncRead + Send + 'static,
{
    let path = path.to_path_buf();
    let chunks = tokio_util::io::ReaderStream::new(reader);
    futures_util::stream::unfold(
        (Box::pin(chunks), 0u64, false),
        move |(mut chunks, read, done)| {
            let path = path.clone();
            async move {
                if done {
                    return None;
                }
                let changed = |read, grew| {
                    io::Error::other(SizeChanged {
                        path: path.clone(),
                        announced: len,
                        read,
                        grew,
                    })
                };
                match chunks.next().await {
                    Some(Ok(chunk)) => {
                        let now = read + chunk.len() as u64;
                        if now > len {
                            Some((Err(changed(now, true)), (chunks, now, true)))
                        } else {
                            Some((Ok(chunk), (chunks, now, false)))
                        }
                    }
                    Some(Err(e)) => Some((Err(e), (chunks, read, true))),
                    None if read < len => Some((Err(changed(read, false)), (chunks, read, true))),
                    None => None,
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(data: &'static [u8], len: u64) -> (Vec<u8>, Option<io::Error>) {
        let s = checked_stream(data, len, Path::new("/x/f.bin"));
        let mut s = Box::pin(s);
        let mut got = Vec::new();
        while let Some(item) = s.next().await {
            match item {
                Ok(b) => got.extend_from_slice(&b),
                Err(e) => return (got, Some(e)),
            }
        }
        (got, None)
    }

    #[tokio::test]
    async fn exact_length_passes() {
        let (got, err) = collect(b"hello", 5).await;
        assert_eq!(got, b"hello");
        assert!(err.is_none());
    }

    #[tokio::test]
    async fn more_or_fewer_bytes_are_errors() {
        let (got, err) = collect(b"hello world", 5).await;
        assert!(got.len() <= 5);
        let e = err.unwrap().to_string();
        assert!(
            e.contains("/x/f.bin changed size") && e.contains("held more"),
            "{e}"
        );
        let (_, err) = collect(b"hel", 5).await;
        let e = err.unwrap();
        let inner = e.get_ref().unwrap().downcast_ref::<SizeChanged>().unwrap();
        assert_eq!((inner.announced, inner.read, inner.grew), (5, 3, false));
    }
}
