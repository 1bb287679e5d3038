//! Gzip for the API's JSON answers: whether a client takes it
//! ([`accepts`]), and a whole answer compressed at once and labelled
//! ([`compress`], [`label`]). An answer is compressed only when the proxy
//! holds all of it: the relay's answers whole within their read-ahead
//! (`relay`), and the demo's. The encoder lives for that one call and is
//! gone before the answer leaves, so an answer a client does not read holds
//! its compressed bytes only, never an encoder's state; larger answers
//! stream as they come, uncompressed.
//!
//! JSON shrinks to a fifth or less: what a console far from the proxy waits
//! for is bytes. (The BREACH attack needs a secret in a compressed body
//! beside text an attacker's page chooses and sends with the victim's
//! credential: the token travels in a header, and a page of another origin
//! cannot send one (CORS).)

use std::io::Write;

use axum::http::{header, HeaderMap, HeaderValue};
use flate2::write::GzEncoder;
use flate2::Compression;

/// Answers shorter than this go as they are: a gzip header and trailer
/// cost 18 bytes, and a short answer gains little.
pub const MIN_BYTES: u64 = 1024;

/// Whether the client's `Accept-Encoding` takes gzip.
pub fn accepts(headers: &HeaderMap) -> bool {
    takes(headers, "gzip")
}

/// Whether the client's `Accept-Encoding` names `coding` with a weight
/// above 0 (RFC 9110 §12.5.3: names and `q` in any case). Read on every API
/// call and every file served: no allocation, and nothing to read without
/// the header.
pub fn takes(headers: &HeaderMap, coding: &str) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|item| {
        let mut parts = item.split(';');
        let named = parts.next().unwrap_or_default().trim().eq_ignore_ascii_case(coding);
        named
            && !parts.any(|p| {
                let p = p.trim();
                p.get(..2).is_some_and(|q| q.eq_ignore_ascii_case("q=")) && p.get(2..).and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            })
    })
}

/// `chunks` (`len` bytes in all) as one gzip member at the fastest level,
/// or `None` when it is too short to be worth it or would not shrink.
pub fn compress<'a>(chunks: impl IntoIterator<Item = &'a [u8]>, len: u64) -> Option<Vec<u8>> {
    if len < MIN_BYTES {
        return None;
    }
    // JSON at the fastest level: a fifth to a tenth (docs/benchmarks.md).
    let mut encoder = GzEncoder::new(Vec::with_capacity((len / 8) as usize + 64), Compression::fast());
    for chunk in chunks {
        encoder.write_all(chunk).ok()?;
    }
    let zipped = encoder.finish().ok()?;
    ((zipped.len() as u64) < len).then_some(zipped)
}

/// Labels a compressed answer: `Content-Encoding: gzip`, and `Vary:
/// Accept-Encoding` beside whatever `Vary` the layers above add.
pub fn label(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn chunks_compress_to_one_member_that_reads_back_whole() {
        let json = format!("[{}]", (0..200).map(|i| format!(r#"{{"id":"q-{i}","status":"normal"}}"#)).collect::<Vec<_>>().join(","));
        let (a, b) = json.as_bytes().split_at(1000);
        let zipped = compress([a, b], json.len() as u64).expect("JSON this long compresses");
        assert!(zipped.len() * 5 < json.len(), "{} of {}", zipped.len(), json.len());
        assert_eq!(gunzip(&zipped), json.as_bytes());
    }

    #[test]
    fn short_answers_and_those_that_do_not_shrink_go_as_they_are() {
        assert_eq!(compress([&b"{\"a\":1}"[..]], 7), None);
        // Bytes with no repetition do not shrink under gzip's framing.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..2048)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect();
        assert_eq!(compress([&noise[..]], noise.len() as u64), None);
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        let with = |value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepts(&h)
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(!with("gzip;q=0"));
        assert!(!with("gzip; Q=0.0"));
        assert!(!with("br"));
        assert!(!accepts(&HeaderMap::new()));
    }
}
