//! A gzip bomb: a gzip body of about 1 KiB per MiB of zeros it expands
//! to. Made fast (no gigabytes compressed in a test): one MiB of zeros is
//! deflated once with a full flush, which makes the block independent of
//! what came before, and the block is repeated.

use flate2::{Compress, Compression, Crc, FlushCompress};

/// A complete, valid gzip body that expands to `mib` MiB of zeros.
pub fn gzip_zeros(mib: usize) -> Vec<u8> {
    const MIB: usize = 1 << 20;
    let zeros = vec![0u8; MIB];
    let mut deflate = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(64 * 1024);
    deflate
        .compress_vec(&zeros, &mut block, FlushCompress::Full)
        .expect("deflate");
    assert_eq!(deflate.total_in() as usize, MIB, "one MiB taken in");
    let mut crc_one = Crc::new();
    crc_one.update(&zeros);
    let mut crc = Crc::new();
    // Header: magic, deflate, no flags, no time, no extra flags, unknown OS.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.reserve(block.len() * mib + 10);
    for _ in 0..mib {
        out.extend_from_slice(&block);
        crc.combine(&crc_one);
    }
    // A final, empty block with fixed codes; then CRC-32 and size mod 2^32.
    out.extend_from_slice(&[0x03, 0x00]);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&((mib * MIB) as u32).to_le_bytes());
    out
}
