//! robots.txt as RFC 9309 reads it, for press sources (news sites we crawl as a guest; status
//! feeds are published to be polled).
//!
//! What the RFC makes the crawler decide, and this module encodes: an unavailable file (4xx)
//! allows everything; an unreachable one (5xx, timeout, refused connection) disallows
//! everything until it can be read; only the first 512 KiB are parsed; the most specific (longest)
//! matching rule wins and `allow` wins a tie; `*` and `$` are the only special characters. The
//! [`crate::fetch::Fetcher`] caches one verdict per origin for a day.

/// Bytes of a robots.txt parsed; the RFC asks for at least 500 KiB.
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// Longest rule pattern kept; longer ones are junk, and matching cost grows with length.
const MAX_PATTERN_CHARS: usize = 2048;

/// What one origin's robots.txt lets us fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotsPolicy {
    AllowAll,
    DisallowAll,
    Rules(Vec<Rule>),
}

/// One `allow` or `disallow` line of the group that applies to us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub allow: bool,
    pub pattern: String,
}

impl RobotsPolicy {
    /// The policy for a robots.txt answer: `status` is `None` when the server could not be
    /// reached at all.
    pub fn from_response(status: Option<u16>, body: &[u8], agent: &str) -> RobotsPolicy {
        match status {
            Some(200..=299) => {
                let head = body.get(..MAX_ROBOTS_BYTES).unwrap_or(body);
                RobotsPolicy::Rules(parse(&String::from_utf8_lossy(head), agent))
            }
            // Redirects beyond the fetcher's limit and 4xx: "unavailable", so no restriction.
            Some(300..=499) => RobotsPolicy::AllowAll,
            _ => RobotsPolicy::DisallowAll,
        }
    }

    /// Whether `path` (path and query of the URL) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        match self {
            RobotsPolicy::AllowAll => true,
            RobotsPolicy::DisallowAll => false,
            RobotsPolicy::Rules(rules) => {
                if path == "/robots.txt" {
                    return true;
                }
                let best = rules
                    .iter()
                    .filter(|r| matches(&r.pattern, path))
                    .max_by(|a, b| {
                        a.pattern
                            .len()
                            .cmp(&b.pattern.len())
                            .then(a.allow.cmp(&b.allow))
                    });
                best.is_none_or(|r| r.allow)
            }
        }
    }
}

/// The rules of the groups whose user-agent names `agent` (the product token, compared
/// ignoring case), or else of the `*` groups.
pub fn parse(text: &str, agent: &str) -> Vec<Rule> {
    let agent = agent.to_ascii_lowercase();
    let mut ours = Vec::new();
    let mut any = Vec::new();
    // The user-agent lines of the group being read, and whether its rules have started.
    let mut agents: Vec<String> = Vec::new();
    let mut in_rules = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        match key.as_str() {
            "user-agent" => {
                if in_rules {
                    agents.clear();
                    in_rules = false;
                }
                agents.push(value.to_ascii_lowercase());
            }
            "allow" | "disallow" => {
                in_rules = true;
                if value.is_empty() || value.chars().count() > MAX_PATTERN_CHARS {
                    continue;
                }
                let rule = Rule {
                    allow: key == "allow",
                    pattern: value.to_string(),
                };
                if agents.contains(&agent) {
                    ours.push(rule);
                } else if agents.iter().any(|a| a == "*") {
                    any.push(rule);
                }
            }
            _ => {}
        }
    }
    if ours.is_empty() { any } else { ours }
}

/// Whether `pattern` matches a prefix of `path` (`*`: any run of characters; a final `$`: the
/// end of the path). Iterative, with one backtrack point, so a hostile pattern costs at most
/// pattern length x path length steps.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi == p.len() {
            if !anchored || si == s.len() {
                return true;
            }
        } else if p.get(pi) == Some(&'*') {
            star = Some((pi, si));
            pi += 1;
            continue;
        } else if si < s.len() && p.get(pi) == s.get(si) {
            pi += 1;
            si += 1;
            continue;
        }
        match star {
            Some((sp, ss)) if ss < s.len() => {
                star = Some((sp, ss + 1));
                pi = sp + 1;
                si = ss + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# comments are ignored\n\
        User-agent: Googlebot\n\
        Disallow: /\n\
        \n\
        User-agent: *\n\
        Disallow: /private/\n\
        Allow: /private/press-releases/\n\
        Disallow: /*.pdf$\n\
        Disallow: /search*q=\n\
        Disallow:\n";

    fn policy(text: &str, agent: &str) -> RobotsPolicy {
        RobotsPolicy::from_response(Some(200), text.as_bytes(), agent)
    }

    #[test]
    fn star_group_applies_when_no_group_names_us() {
        let p = policy(FILE, "outages");
        assert!(p.allows("/news/outage-2024"));
        assert!(!p.allows("/private/memo"));
        assert!(p.allows("/private/press-releases/aws"), "longer allow wins");
        assert!(!p.allows("/files/report.pdf"));
        assert!(
            p.allows("/files/report.pdf?download=1"),
            "$ anchors the end"
        );
        assert!(!p.allows("/search?lang=en&q=aws"));
        assert!(p.allows("/robots.txt"));
    }

    #[test]
    fn our_own_group_replaces_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: Outages\nUser-agent: other\nAllow: /\nDisallow: /drafts\n";
        let p = policy(text, "outages");
        assert!(p.allows("/news"));
        assert!(!p.allows("/drafts/1"));
        assert!(!policy(text, "somebot").allows("/news"));
    }

    #[test]
    fn equal_length_allow_wins_a_tie() {
        let p = policy("User-agent: *\nDisallow: /page\nAllow: /page\n", "outages");
        assert!(p.allows("/page"));
    }

    #[test]
    fn status_codes_follow_rfc_9309() {
        assert_eq!(
            RobotsPolicy::from_response(Some(404), b"", "outages"),
            RobotsPolicy::AllowAll
        );
        assert_eq!(
            RobotsPolicy::from_response(Some(403), b"", "outages"),
            RobotsPolicy::AllowAll
        );
        assert_eq!(
            RobotsPolicy::from_response(Some(503), b"", "outages"),
            RobotsPolicy::DisallowAll
        );
        assert_eq!(
            RobotsPolicy::from_response(None, b"", "outages"),
            RobotsPolicy::DisallowAll
        );
    }

    #[test]
    fn only_the_first_512_kib_are_read_and_hostile_patterns_stay_cheap() {
        let mut text = "User-agent: *\nDisallow: /a\n".to_string();
        text.push_str(&"#".repeat(MAX_ROBOTS_BYTES));
        text.push_str("\nDisallow: /b\n");
        let p = policy(&text, "outages");
        assert!(!p.allows("/a"));
        assert!(p.allows("/b"), "rules past the limit are not read");
        let hostile = format!("User-agent: *\nDisallow: /{}x$\n", "*a".repeat(1000));
        let started = std::time::Instant::now();
        assert!(policy(&hostile, "outages").allows(&format!("/{}", "a".repeat(2000))));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
