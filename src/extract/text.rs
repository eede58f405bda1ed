//! Plain text out of the HTML fragments feeds carry, and small text helpers every extractor
//! shares. Control and terminal-escape characters are dropped here, at the edge, so nothing
//! downstream stores or prints them.

/// Strips tags, decodes entities, drops `<script>`/`<style>` bodies and control characters, and
/// collapses whitespace. Block-level tags become line breaks so sentences stay apart.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let opens_tag = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        if !opens_tag {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let Some(gt) = rest.find('>') else {
            // A lone '<' is text, not a tag.
            out.push_str(rest);
            rest = "";
            break;
        };
        let tag = rest[1..gt].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &rest[gt + 1..];
        if (name == "script" || name == "style") && !rest.is_empty() {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            match lower.find(&close) {
                Some(end) => {
                    let after = &rest[end..];
                    rest = after.find('>').map_or("", |g| &after[g + 1..]);
                }
                None => rest = "",
            }
            continue;
        }
        // Inline tags like <var> or <strong> sit between words or inside them: drop them bare.
        if is_block(&name) {
            out.push('\n');
        }
    }
    out.push_str(rest);
    let decoded = html_escape::decode_html_entities(&out);
    clean_text(&decoded)
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "br"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "pre"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "hr"
    )
}

/// Drops control characters (including ESC, so no terminal escapes survive) and collapses runs
/// of whitespace; keeps single line breaks between paragraphs.
pub fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut pending_newline = false;
    for c in s.chars() {
        if c == '\n' || c == '\r' {
            pending_newline = true;
        } else if c.is_whitespace() {
            pending_space = true;
        } else if c.is_control() || is_invisible(c) {
            continue;
        } else {
            if !out.is_empty() {
                if pending_newline {
                    out.push('\n');
                } else if pending_space {
                    out.push(' ');
                }
            }
            pending_space = false;
            pending_newline = false;
            out.push(c);
        }
    }
    out
}

/// Bidi overrides and zero-width characters can disguise text in a terminal or a page.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// One line: whitespace of any kind folded to single spaces.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts at a char boundary, adding an ellipsis when something was cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_string(),
    }
}

/// Splits prose into sentences on `.`, `!`, `?` followed by whitespace and an uppercase letter
/// or digit, and on line breaks. Good enough for status prose and news copy; abbreviations like
/// "U.S." stay whole because no space follows their inner dots.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let bytes = para.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if (b == b'.' || b == b'!' || b == b'?')
                && i + 2 < bytes.len()
                && bytes[i + 1] == b' '
                && (bytes[i + 2].is_ascii_uppercase()
                    || bytes[i + 2].is_ascii_digit()
                    || bytes[i + 2] == b'"')
            {
                let s = para[start..=i].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = i + 2;
                i += 2;
                continue;
            }
            i += 1;
        }
        let s = para[start..].trim();
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_decodes_entities() {
        let html = "<p><small>Oct <var data-var='date'> 3</var>, <var data-var='time'>03:47</var> UTC</small><br><strong>Resolved</strong> - Fixed &amp; done.</p>";
        assert_eq!(
            html_to_text(html),
            "Oct 3, 03:47 UTC\nResolved - Fixed & done."
        );
    }

    #[test]
    fn drops_scripts_and_control_characters() {
        assert_eq!(
            html_to_text("a<script>alert(1)</script>b\u{1b}[31m"),
            "ab[31m"
        );
        assert_eq!(html_to_text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
    }

    #[test]
    fn splits_sentences() {
        let s = sentences("We fixed it. The U.S. region recovered at 10:00. Done");
        assert_eq!(
            s,
            vec![
                "We fixed it.",
                "The U.S. region recovered at 10:00.",
                "Done"
            ]
        );
    }

    #[test]
    fn truncates_on_char_boundary() {
        assert_eq!(truncate_chars("héllo world", 5), "héllo…");
        assert_eq!(truncate_chars("short", 10), "short");
    }
}
