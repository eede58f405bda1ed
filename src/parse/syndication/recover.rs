//! Repairs for the two faults real feeds carry that make a strict XML reader give up on the
//! whole document, though every entry in it is whole: a bare `&` in text ("Record, replay &
//! measure"), and a declaration naming UTF-16 on a document whose bytes are 8-bit (UTF-8).
//! Browsers and feed readers in recovery mode (lxml's, feedparser's) read both as the author
//! meant: the `&` as a character, the bytes as UTF-8. A repair runs only after both readers
//! have refused the document, so no document that reads today reads differently.

/// The document with its faults repaired, or `None` when it has none of them.
pub(super) fn repair(bytes: &[u8]) -> Option<Vec<u8>> {
    let declared = misdeclared_utf16(bytes);
    let ampersands = bare_ampersands(bytes);
    if declared.is_none() && ampersands.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() + ampersands.len() * 4);
    let mut from = 0;
    if let Some(range) = declared {
        out.extend_from_slice(bytes.get(..range.start)?);
        out.extend_from_slice(b"utf-8");
        from = range.end;
    }
    for at in ampersands {
        out.extend_from_slice(bytes.get(from..at)?);
        out.extend_from_slice(b"&amp;");
        from = at + 1;
    }
    out.extend_from_slice(bytes.get(from..)?);
    Some(out)
}

/// Where the encoding name sits in an XML declaration that says UTF-16 over bytes that cannot
/// be UTF-16: no byte-order mark and no NUL byte, which every UTF-16 text of markup has.
fn misdeclared_utf16(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || bytes.contains(&0) {
        return None;
    }
    let decl_end = bytes
        .strip_prefix(b"<?xml")?
        .iter()
        .position(|&b| b == b'>')?
        + 5;
    let decl = bytes.get(..decl_end)?;
    let key = find(decl, b"encoding")?;
    let after = decl.get(key + 8..)?;
    let quote_at = after.iter().position(|&b| b == b'"' || b == b'\'')?;
    if !after
        .get(..quote_at)?
        .iter()
        .all(|&b| b == b'=' || b.is_ascii_whitespace())
    {
        return None;
    }
    let quote = *after.get(quote_at)?;
    let start = key + 8 + quote_at + 1;
    let len = bytes
        .get(start..decl_end)?
        .iter()
        .position(|&b| b == quote)?;
    let name = bytes.get(start..start + len)?;
    let utf16 = [&b"utf-16"[..], b"utf-16le", b"utf-16be", b"utf16"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n));
    utf16.then_some(start..start + len)
}

/// Offsets of each `&` that starts no entity or character reference, outside CDATA sections
/// and comments (where a bare `&` is legal and must stay as written).
fn bare_ampersands(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(step) = bytes
        .get(i..)
        .and_then(|r| r.iter().position(|&b| b == b'&' || b == b'<'))
    {
        i += step;
        let rest = bytes.get(i..).unwrap_or_default();
        if rest.starts_with(b"<![CDATA[") {
            i = find(rest, b"]]>").map_or(bytes.len(), |end| i + end + 3);
        } else if rest.starts_with(b"<!--") {
            i = find(rest, b"-->").map_or(bytes.len(), |end| i + end + 3);
        } else if rest.starts_with(b"&") && !starts_reference(rest) {
            out.push(i);
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether `text` (starting at an `&`) opens `&name;`, `&#123;` or `&#x1F;`.
fn starts_reference(text: &[u8]) -> bool {
    let body = text.get(1..).unwrap_or_default();
    let end = body.iter().take(32).position(|&b| b == b';');
    let Some(name) = end.and_then(|end| body.get(..end)) else {
        return false;
    };
    match name {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        [first, more @ ..] => {
            first.is_ascii_alphabetic()
                && more
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        }
        [] => false,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_ampersands_are_escaped_outside_cdata_and_comments() {
        let xml = b"<t>Record &amp; replay & measure &#38; &#x26; &nbsp; &</t><!-- a & b --><![CDATA[c & d]]>";
        let fixed = repair(xml).expect("two bare ampersands");
        assert_eq!(
            String::from_utf8(fixed).expect("utf-8"),
            "<t>Record &amp; replay &amp; measure &#38; &#x26; &nbsp; &amp;</t><!-- a & b --><![CDATA[c & d]]>"
        );
    }

    #[test]
    fn utf16_declared_over_utf8_bytes_is_declared_utf8() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss/>".as_bytes();
        assert_eq!(
            repair(xml).map(String::from_utf8),
            Some(Ok(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss/>".to_string()
            ))
        );
        let real_utf16 = b"<\0?\0x\0m\0l\0";
        assert_eq!(repair(real_utf16), None);
        assert_eq!(
            repair(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss/>"),
            None
        );
    }
}
