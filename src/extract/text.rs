//! Plain text out of the HTML fragments feeds carry, and small text helpers every extractor
//! shares. Control and terminal-escape characters are dropped here, at the edge, so nothing
//! downstream stores or prints them.

/// Strips tags, decodes entities, drops `<script>`/`<style>` bodies and control characters, and
/// collapses whitespace. Block-level tags become line breaks so sentences stay apart.
pub fn html_to_text(html: &str) -> String {
    // Most titles and many entries are plain text: nothing to strip or decode.
    if !html.as_bytes().iter().any(|&b| b == b'<' || b == b'&') {
        return clean_text(html);
    }
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
        // Only the name is looked at: lowercasing it alone spares copying the attributes.
        let tag = rest[1..gt].trim_start_matches('/');
        let name_len = tag
            .bytes()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(tag.len());
        let mut name_buf = [0u8; 12];
        let name = match (tag.get(..name_len), name_buf.get_mut(..name_len)) {
            (Some(raw), Some(buf)) => {
                buf.copy_from_slice(raw.as_bytes());
                buf.make_ascii_lowercase();
                std::str::from_utf8(buf).unwrap_or_default()
            }
            // Longer than any name matched below.
            _ => "",
        };
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
        if is_block(name) {
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

/// Drops terminal escape sequences whole (CSI such as `ESC[31m`, OSC such as a window title),
/// then every other control character, so nothing in scraped text can drive a terminal; and
/// collapses runs of whitespace, keeping single line breaks between paragraphs.
pub fn clean_text(s: &str) -> String {
    clean_prefix(s, usize::MAX)
}

/// The first `max_chars` characters of [`clean_text`]'s output, reading no further than they
/// need: a quote of a long entry costs its length, not the entry's. The output only ever grows
/// at its end, so a prefix of it is exact. Runs of printable ASCII, most of any text, are copied
/// whole; every other character goes through the full rules.
pub(crate) fn clean_prefix(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars.saturating_mul(4)));
    let mut emitted = 0usize;
    let mut pending_space = false;
    let mut pending_newline = false;
    let mut rest = s;
    while emitted < max_chars {
        let run = printable_run(rest.as_bytes());
        // The space between words, the commonest non-printable byte, needs no decoding.
        if run == 0 && rest.as_bytes().first() == Some(&b' ') {
            pending_space = true;
            rest = rest.get(1..).unwrap_or_default();
            continue;
        }
        let (plain, after) = if run > 0 {
            let Some((plain, after)) = rest.split_at_checked(run) else {
                break;
            };
            (Some(plain), after)
        } else {
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { break };
            if c == '\u{1b}' || c == '\u{9b}' {
                skip_escape(c, &mut chars);
            } else if c == '\n' || c == '\r' {
                pending_newline = true;
            } else if c.is_whitespace() {
                pending_space = true;
            } else if !(c.is_control() || is_invisible(c)) {
                rest = chars.as_str();
                let mut buf = [0u8; 4];
                let one: &str = c.encode_utf8(&mut buf);
                push_plain(
                    one,
                    1,
                    &mut out,
                    &mut emitted,
                    max_chars,
                    &mut pending_space,
                    &mut pending_newline,
                );
                continue;
            }
            rest = chars.as_str();
            continue;
        };
        if let Some(plain) = plain {
            // A run of printable ASCII: one character per byte.
            push_plain(
                plain,
                plain.len(),
                &mut out,
                &mut emitted,
                max_chars,
                &mut pending_space,
                &mut pending_newline,
            );
        }
        rest = after;
    }
    out
}

/// The length of the printable ASCII that cleaning keeps exactly as it is: visible characters
/// and the single spaces between them (a space led by a visible character and followed by
/// one). Taking words and their spaces in one run, rather than a word at a time, is most of
/// what makes cleaning fast.
fn printable_run(bytes: &[u8]) -> usize {
    let visible = |b: u8| (0x21..=0x7e).contains(&b);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if visible(b) {
            i += 1;
        } else if b == b' ' && i > 0 && bytes.get(i + 1).is_some_and(|&n| visible(n)) {
            i += 2;
        } else {
            break;
        }
    }
    i
}

/// Appends visible text (`chars` characters long) after the separator the skipped whitespace
/// asks for, stopping at `max_chars` characters in all.
fn push_plain(
    plain: &str,
    chars: usize,
    out: &mut String,
    emitted: &mut usize,
    max_chars: usize,
    pending_space: &mut bool,
    pending_newline: &mut bool,
) {
    if !out.is_empty() && (*pending_newline || *pending_space) {
        out.push(if *pending_newline { '\n' } else { ' ' });
        *emitted += 1;
    }
    *pending_space = false;
    *pending_newline = false;
    let room = max_chars.saturating_sub(*emitted);
    if chars <= room {
        out.push_str(plain);
        *emitted += chars;
        return;
    }
    match plain.char_indices().nth(room) {
        Some((cut, _)) => {
            out.push_str(plain.get(..cut).unwrap_or_default());
            *emitted = max_chars;
        }
        None => {
            out.push_str(plain);
            *emitted += chars;
        }
    }
}

/// Longest escape sequence swallowed whole; past it only the introducer is dropped, so an
/// unterminated sequence cannot eat the rest of the text.
const MAX_ESCAPE_CHARS: usize = 256;

/// Advances `chars` past the escape sequence that `first` (ESC or the C1 CSI) introduces.
fn skip_escape(first: char, chars: &mut std::str::Chars<'_>) {
    let mut probe = chars.clone();
    let csi = match first {
        '\u{9b}' => true,
        _ => match probe.next() {
            Some('[') => true,
            Some(']' | 'P' | 'X' | '^' | '_') => {
                // A string sequence: ends at BEL, ST (ESC \\) or the C1 ST.
                let mut prev = '\0';
                for _ in 0..MAX_ESCAPE_CHARS {
                    match probe.next() {
                        Some('\u{7}' | '\u{9c}') => {
                            *chars = probe;
                            return;
                        }
                        Some('\\') if prev == '\u{1b}' => {
                            *chars = probe;
                            return;
                        }
                        Some(c) => prev = c,
                        None => return,
                    }
                }
                return;
            }
            // A two-character escape (ESC c, ESC 7 ...): drop the second character too.
            Some(c) if ('\u{20}'..='\u{7e}').contains(&c) => {
                *chars = probe;
                return;
            }
            _ => return,
        },
    };
    if csi {
        for _ in 0..MAX_ESCAPE_CHARS {
            let before = probe.clone();
            match probe.next() {
                Some('\u{40}'..='\u{7e}') => {
                    *chars = probe;
                    return;
                }
                Some('\u{20}'..='\u{3f}') => {}
                // Not a CSI after all: keep what follows the introducer.
                _ => {
                    *chars = before;
                    return;
                }
            }
        }
    }
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
            if b == b'.' || b == b'!' || b == b'?' {
                // The sentence ends after its closing quotation marks and citation markers
                // ("... lost.” The", "... unavailable.[1][2] During").
                let end = i + 1 + closers_len(para.get(i + 1..).unwrap_or(""));
                if end + 1 < bytes.len()
                    && bytes[end] == b' '
                    && (bytes[end + 1].is_ascii_uppercase()
                        || bytes[end + 1].is_ascii_digit()
                        || bytes[end + 1] == b'"')
                    && !abbreviation_before(&para[start..i], bytes[end + 1])
                {
                    let s = para[start..end].trim();
                    if !s.is_empty() {
                        out.push(s);
                    }
                    start = end + 1;
                    i = end + 1;
                    continue;
                }
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

/// Bytes of closing quotation marks, brackets and citation markers ("[12]") at the start.
fn closers_len(rest: &str) -> usize {
    let mut n = 0;
    loop {
        let tail = rest.get(n..).unwrap_or("");
        if let Some(c) = tail
            .chars()
            .next()
            .filter(|c| matches!(c, '”' | '’' | '"' | '\'' | ')'))
        {
            n += c.len_utf8();
            continue;
        }
        let digits = tail
            .strip_prefix('[')
            .map(|t| t.bytes().take_while(u8::is_ascii_digit).count())
            .unwrap_or(0);
        if digits > 0 && tail.as_bytes().get(digits + 1) == Some(&b']') {
            n += digits + 2;
            continue;
        }
        return n;
    }
}

/// True when the word before a dot is an abbreviation the sentence goes on after: a month
/// before its day ("Jan. 4"), a title before a name ("Mr. Smith", "St. Petersburg").
fn abbreviation_before(before: &str, next: u8) -> bool {
    let word = before
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let month = matches!(
        word.as_str(),
        "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
    );
    let title = matches!(
        word.as_str(),
        "mr" | "mrs" | "ms" | "dr" | "st" | "no" | "vs"
    );
    (month && next.is_ascii_digit()) || (title && next.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_and_title_abbreviations_do_not_end_sentences() {
        assert_eq!(
            sentences(
                "The nearly five-hour Jan. 4 outage began at 9 a.m. It ended. Mr. Smith left."
            ),
            vec![
                "The nearly five-hour Jan. 4 outage began at 9 a.m.",
                "It ended.",
                "Mr. Smith left."
            ]
        );
    }

    /// The character-at-a-time cleaner the fast path replaced, kept as the reference.
    fn clean_text_reference(s: &str) -> String {
        let mut out = String::new();
        let (mut pending_space, mut pending_newline) = (false, false);
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' || c == '\u{9b}' {
                skip_escape(c, &mut chars);
            } else if c == '\n' || c == '\r' {
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

    fn assert_same_cleaning(text: &str) {
        let reference = clean_text_reference(text);
        assert_eq!(clean_text(text), reference);
        for n in [0, 1, 2, 7, 300, 301, 5000] {
            let prefix: String = reference.chars().take(n).collect();
            assert_eq!(clean_prefix(text, n), prefix, "prefix of {n}");
        }
    }

    #[test]
    fn fast_cleaning_equals_the_reference_on_hostile_text() {
        for text in [
            "",
            "  \n plain  words\r\n\tand tabs  ",
            "one two  three \nfour five ! six\u{a0}seven eight ",
            " a b c d e f g h i j k l m n o p ",
            "Login \u{1b}[2J\u{1b}[31mfailures\u{7} for \u{202e}some users",
            "\u{1b}]0;title\u{7}after \u{9b}31mred \u{1b}c reset \u{1b}",
            "caf\u{e9} \u{200b}zero\u{feff}width \u{85}next \u{a0}nbsp \u{3000}ideo",
            "\u{1b}[",
            "x\u{1b}[999999999999999999999999999999999999999999999999999999999999999999",
        ] {
            assert_same_cleaning(text);
        }
    }

    /// The whole text of every corpus file and real benchmark feed, markup and all.
    #[test]
    fn fast_cleaning_equals_the_reference_on_the_corpus() {
        let Some(files) = crate::test_support::shared_files(&["corpus", "bench/feeds"]) else {
            return;
        };
        assert!(files.len() > 200, "only {} corpus files", files.len());
        for path in files {
            let bytes = std::fs::read(&path).expect("corpus file");
            let text = String::from_utf8_lossy(&bytes);
            assert_same_cleaning(&text);
            assert_same_cleaning(&html_escape::decode_html_entities(&text));
        }
    }

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
        assert_eq!(html_to_text("a<script>alert(1)</script>b\u{1b}[31m"), "ab");
        assert_eq!(html_to_text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
    }

    /// A sentence ends after its closing quotation mark or citation markers.
    #[test]
    fn quotes_and_citation_markers_close_a_sentence() {
        assert_eq!(
            sentences(
                "The site was down.[3][4] Service came back. He said “it broke.” Then it worked."
            ),
            vec![
                "The site was down.[3][4]",
                "Service came back.",
                "He said “it broke.”",
                "Then it worked."
            ]
        );
        assert_eq!(
            sentences("A list [12] of items."),
            vec!["A list [12] of items."]
        );
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

    #[test]
    fn terminal_escape_sequences_are_dropped_whole() {
        assert_eq!(
            clean_text("Login \u{1b}[2J\u{1b}[31mfailures\u{7} for \u{202e}some users"),
            "Login failures for some users"
        );
        assert_eq!(
            clean_text("Fixed.\u{1b}]0;owned\u{7} The \u{1b}[1mlogin\u{1b}[0m is up.\u{9b}31m"),
            "Fixed. The login is up."
        );
        assert_eq!(
            clean_text("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\b"),
            "alinkb"
        );
        assert_eq!(clean_text("reset\u{1b}c done"), "reset done");
        // An unterminated OSC drops only the ESC; the text after it survives.
        assert_eq!(clean_text("x\u{1b}]never ends"), "x]never ends");
        assert_eq!(clean_text("[\u{1b}[é]"), "[é]");
    }
}
