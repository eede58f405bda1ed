//! The cheap checks a page passes before html5ever builds a tree for it: a size cap and a
//! nesting estimate from one linear scan of the tags. Article extraction and the crawl (which
//! refuses such pages before parsing, with its own limits and error class) share it.

use thiserror::Error;

/// How big and how deeply nested a page may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    pub max_bytes: usize,
    pub max_nesting: usize,
}

/// Why a page was refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PageRefused {
    #[error("page too large: {bytes} bytes (limit {limit})")]
    TooLarge { bytes: usize, limit: usize },
    #[error("page too deeply nested: more than {limit} open elements")]
    TooDeep { limit: usize },
}

/// Refuses pages that would be expensive to build a tree for: over `limits.max_bytes`, or
/// nested deeper than `limits.max_nesting` by a linear scan of the tags (elements whose end
/// tag is optional, void elements and self-closing tags do not count; script and style bodies
/// and comments are skipped).
pub fn precheck(html: &[u8], limits: PageLimits) -> Result<(), PageRefused> {
    if html.len() > limits.max_bytes {
        return Err(PageRefused::TooLarge {
            bytes: html.len(),
            limit: limits.max_bytes,
        });
    }
    let bytes = html;
    let mut depth: usize = 0;
    let mut i = 0;
    while let Some(off) = bytes
        .get(i..)
        .and_then(|b| b.iter().position(|&c| c == b'<'))
    {
        i += off + 1;
        let rest = bytes.get(i..).unwrap_or(&[]);
        if rest.starts_with(b"!--") {
            i += find(rest, b"-->").map_or(rest.len(), |p| p + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = usize::from(closing);
        let raw_name = rest.get(name_start..).unwrap_or_default();
        let name_len = raw_name
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(raw_name.len());
        if !raw_name.first().is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        // Every name looked up below is shorter than the buffer; a longer one matches none.
        let mut name_buf = [0u8; 16];
        let name = match (raw_name.get(..name_len), name_buf.get_mut(..name_len)) {
            (Some(raw), Some(buf)) => {
                buf.copy_from_slice(raw);
                buf.make_ascii_lowercase();
                std::str::from_utf8(buf).unwrap_or_default()
            }
            _ => "",
        };
        let tag_end = rest.iter().position(|&c| c == b'>').unwrap_or(rest.len());
        let self_closing = tag_end > 0 && rest.get(tag_end - 1) == Some(&b'/');
        if !closing && (name == "script" || name == "style" || name == "textarea") {
            let close = format!("</{name}");
            let lower_rest = rest.get(tag_end..).unwrap_or(&[]);
            i += tag_end + find_ci(lower_rest, close.as_bytes()).unwrap_or(lower_rest.len());
            continue;
        }
        i += tag_end;
        if is_void(name) || has_optional_end(name) || self_closing {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > limits.max_nesting {
                return Err(PageRefused::TooDeep {
                    limit: limits.max_nesting,
                });
            }
        }
    }
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "command"
            | "basefont"
            | "frame"
            | "isindex"
    )
}

/// Elements the parser closes implicitly; pages routinely leave them open.
fn has_optional_end(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "tfoot"
            | "colgroup"
            | "rb"
            | "rt"
            | "rp"
            | "rtc"
            | "html"
            | "head"
            | "body"
    )
}
