//! Reading a reply body into memory with a size limit. The limit counts
//! decoded bytes (a small gzip reply can expand a thousandfold), and
//! reading stops as soon as it is passed, so memory stays near the limit
//! whatever the server sends: the chunks are kept as they arrive (no
//! buffer that doubles past the limit) and joined once, at the end.

use bytes::{Bytes, BytesMut};

/// The default most bytes of one reply body held in memory: 256 MiB, far
/// above any Falcon JSON reply.
pub const DEFAULT_MAX_REPLY_BYTES: u64 = 256 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// It has more bytes than the limit (after decoding).
    TooLarge,
    /// The HTTP client failed.
    Client(reqwest::Error),
}

/// Reads the (decoded) body of `reply`, failing once it passes `limit`
/// bytes.
pub(crate) async fn read(mut reply: reqwest::Response, limit: u64) -> Result<Bytes, ReadError> {
    // The length the server announces (absent for a compressed reply,
    // which is decoded on the way).
    let announced = reply.content_length();
    if announced.is_some_and(|n| n > limit) {
        return Err(ReadError::TooLarge);
    }
    let mut chunks = Chunks::default();
    while let Some(chunk) = reply.chunk().await.map_err(ReadError::Client)? {
        if !chunks.push(chunk, limit) {
            return Err(ReadError::TooLarge);
        }
    }
    Ok(chunks.join())
}

/// Chunks read so far: the first on its own (most replies arrive in one
/// chunk: no list to allocate), the rest in a list.
#[derive(Default)]
struct Chunks {
    first: Option<Bytes>,
    rest: Vec<Bytes>,
    len: u64,
}

impl Chunks {
    /// Keeps `chunk`; `false` when that takes the total past `limit`.
    fn push(&mut self, chunk: Bytes, limit: u64) -> bool {
        self.len += chunk.len() as u64;
        if self.len > limit {
            return false;
        }
        if chunk.is_empty() {
            return true;
        }
        match self.first {
            None => self.first = Some(chunk),
            Some(_) => self.rest.push(chunk),
        }
        true
    }

    /// The body: one chunk as it is, several copied once into one buffer.
    fn join(self) -> Bytes {
        let Some(first) = self.first else {
            return Bytes::new();
        };
        if self.rest.is_empty() {
            return first;
        }
        let mut buf = BytesMut::with_capacity(self.len as usize);
        buf.extend_from_slice(&first);
        for part in self.rest {
            buf.extend_from_slice(&part);
        }
        buf.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_stop_past_the_limit_and_join_once() {
        let mut c = Chunks::default();
        assert!(c.push(Bytes::from_static(b"abc"), 6));
        assert!(c.push(Bytes::new(), 6));
        assert!(c.push(Bytes::from_static(b"def"), 6));
        assert!(!Chunks {
            len: 6,
            ..Chunks::default()
        }
        .push(Bytes::from_static(b"g"), 6));
        assert_eq!(&c.join()[..], b"abcdef");
        assert!(Chunks::default().join().is_empty());
        let mut one = Chunks::default();
        one.push(Bytes::from_static(b"x"), 1);
        assert_eq!(&one.join()[..], b"x");
    }
}
