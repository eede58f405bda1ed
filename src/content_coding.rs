//! The `Content-Encoding` layers the HTTP client leaves undecoded. reqwest decodes a response
//! only when the header is exactly one coding it knows (`gzip`, `deflate`, `br`); a stacked
//! `gzip, gzip`, an upper-case `GZIP` or an unknown coding reaches us still encoded, and parsed
//! as it is it would store garbage or read as "not a feed". Here every remaining layer is
//! either decoded (gzip and deflate, in any number and order) or refused with the coding named,
//! and the cap is counted on the fully decoded bytes, so a bomb hidden under two layers stays
//! as bounded as one under a single layer.

use std::io::Read;

use thiserror::Error;

/// Why the remaining layers could not be decoded.
#[derive(Debug, Error)]
pub enum CodingError {
    /// A coding we do not decode (brotli inside a stack, `compress`, `zstd`, anything unknown):
    /// refused rather than stored encoded.
    #[error(
        "unsupported Content-Encoding {header:?}: {coding:?} cannot be decoded (gzip and deflate layers can)"
    )]
    Unsupported { header: String, coding: String },
    /// The decoded body would pass the cap.
    #[error("body larger than {limit} bytes once every Content-Encoding layer is decoded")]
    TooLarge { limit: usize },
    /// A layer is not valid data of its coding (the streamed decoders cannot tell which).
    #[error("the body does not decode as Content-Encoding {header:?}: {source}")]
    Corrupt {
        header: String,
        source: std::io::Error,
    },
}

/// One layer, in the order the server applied them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Deflate,
}

/// Reads a `Content-Encoding` value as its layers, first applied first; `identity` and empty
/// entries are no layer.
fn layers(header: &str) -> Result<Vec<Coding>, CodingError> {
    header
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .map(|c| match c.as_str() {
            "gzip" | "x-gzip" => Ok(Coding::Gzip),
            "deflate" => Ok(Coding::Deflate),
            _ => Err(CodingError::Unsupported {
                header: header.to_string(),
                coding: c,
            }),
        })
        .collect()
}

/// Decodes what `header` says is still applied to `body`, last layer first, streaming so no
/// intermediate layer is held whole, and stops as soon as the output passes `limit`.
pub fn decode_remaining(header: &str, body: Vec<u8>, limit: usize) -> Result<Vec<u8>, CodingError> {
    let codings = layers(header)?;
    if codings.is_empty() {
        return Ok(body);
    }
    let mut reader: Box<dyn Read + '_> = Box::new(body.as_slice());
    for coding in codings.iter().rev() {
        reader = match coding {
            Coding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            Coding::Deflate => Box::new(flate2::read::ZlibDecoder::new(reader)),
        };
    }
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|source| CodingError::Corrupt {
            header: header.to_string(),
            source,
        })?;
    if out.len() > limit {
        return Err(CodingError::TooLarge { limit });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).expect("compress");
        e.finish().expect("finish")
    }

    fn zlib(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).expect("compress");
        e.finish().expect("finish")
    }

    #[test]
    fn stacked_layers_are_decoded_last_applied_first() {
        let text = b"{\"page\":{}}".to_vec();
        assert_eq!(
            decode_remaining("gzip, gzip", gzip(&gzip(&text)), 100).expect("gzip, gzip"),
            text
        );
        // deflate applied first, then gzip: gzip comes off first.
        assert_eq!(
            decode_remaining("deflate, GZIP", gzip(&zlib(&text)), 100).expect("deflate, gzip"),
            text
        );
        assert_eq!(
            decode_remaining("identity, x-gzip", gzip(&text), 100).expect("x-gzip"),
            text
        );
        assert_eq!(
            decode_remaining("identity", text.clone(), 100).expect("identity"),
            text
        );
    }

    #[test]
    fn unknown_and_undecodable_codings_are_refused_by_name() {
        for (header, coding) in [
            ("gzip, br", "br"),
            ("compress", "compress"),
            ("zstd", "zstd"),
        ] {
            let err = decode_remaining(header, b"x".to_vec(), 100).expect_err(header);
            assert_eq!(
                err.to_string(),
                format!(
                    "unsupported Content-Encoding {header:?}: {coding:?} cannot be decoded (gzip and deflate layers can)"
                )
            );
        }
    }

    #[test]
    fn a_layer_that_is_not_gzip_is_a_corrupt_error() {
        let err = decode_remaining("gzip, gzip", gzip(b"plain, not gzip"), 100)
            .expect_err("inner layer is not gzip");
        assert!(matches!(err, CodingError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn a_stacked_bomb_stops_at_the_cap_after_all_decoding() {
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let bomb = gzip(&gzip(&zeros));
        assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
        let err = decode_remaining("gzip, gzip", bomb.clone(), 1024 * 1024).expect_err("capped");
        assert!(
            matches!(err, CodingError::TooLarge { limit: 1_048_576 }),
            "{err}"
        );
        assert_eq!(
            decode_remaining("gzip, gzip", bomb, zeros.len())
                .expect("exactly at the cap")
                .len(),
            zeros.len()
        );
    }
}
