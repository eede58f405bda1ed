//! robots.txt as RFC 9309 defines it, for the press crawl: news sites are not our servers, and
//! their robots.txt says which article pages a crawler may fetch.
//!
//! The rules of the group naming our product token win over the `*` group; within a group the
//! longest matching path wins and `allow` wins a tie; `*` matches any run of characters and a
//! trailing `$` anchors the end. What the file's fetch status means is the RFC's: a 4xx (no
//! file) allows everything, a 5xx or an unreachable server disallows everything (section 2.3.1.4
//! treats the site as fully disallowed until it answers). Only the first 512 KiB are read
//! (section 2.5), and `/robots.txt` itself is always allowed.

/// The most of a robots.txt that is parsed; the rest is ignored (RFC 9309 section 2.5).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// One allow or disallow line of the group that applies to us.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    /// The path pattern as written (percent-encoding kept), never empty.
    pattern: String,
}

/// What a host's robots.txt lets us fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Robots {
    /// No robots.txt (4xx) or no rules for us: every path may be fetched.
    AllowAll,
    /// The server failed (5xx) or could not be reached: nothing may be fetched this run.
    DisallowAll,
    /// The rules of the group that applies to our product token.
    Rules(Vec<RuleSet>),
}

/// The rules of one matching group, kept as the file lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl Robots {
    /// Reads a robots.txt body for `product` (our user-agent's product token, e.g. "outages"):
    /// the groups naming it if any, else the `*` groups, else everything is allowed.
    pub fn parse(body: &[u8], product: &str) -> Robots {
        let body = body.get(..MAX_ROBOTS_BYTES).unwrap_or(body);
        let text = String::from_utf8_lossy(body);
        let product = product.to_ascii_lowercase();
        let mut ours: Vec<RuleSet> = Vec::new();
        let mut star: Vec<RuleSet> = Vec::new();
        // The user-agents of the group being read, and whether its rules have started (a
        // user-agent line after a rule opens a new group).
        let mut agents: Vec<String> = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut in_rules = false;
        let mut flush = |agents: &mut Vec<String>, rules: &mut Vec<Rule>| {
            if agents.contains(&product) {
                ours.push(RuleSet {
                    rules: rules.clone(),
                });
            } else if agents.iter().any(|a| a == "*") {
                star.push(RuleSet {
                    rules: rules.clone(),
                });
            }
            agents.clear();
            rules.clear();
        };
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        flush(&mut agents, &mut rules);
                        in_rules = false;
                    }
                    // The product token is the name up to the first character outside [a-zA-Z_-].
                    let token: String = value
                        .chars()
                        .take_while(|c| {
                            c.is_ascii_alphabetic() || *c == '_' || *c == '-' || *c == '*'
                        })
                        .collect();
                    agents.push(token.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    // An empty disallow allows everything; an empty allow says nothing.
                    if !value.is_empty() {
                        rules.push(Rule {
                            allow: key == "allow",
                            pattern: value.to_string(),
                        });
                    }
                }
                _ => {}
            }
        }
        flush(&mut agents, &mut rules);
        let chosen = if ours.is_empty() { star } else { ours };
        if chosen.iter().all(|g| g.rules.is_empty()) {
            Robots::AllowAll
        } else {
            Robots::Rules(chosen)
        }
    }

    /// Whether `path` (the URL's path plus `?query`) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        if path == "/robots.txt" {
            return true;
        }
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll => false,
            Robots::Rules(groups) => {
                // Groups for the same agent are combined into one (RFC 9309 section 2.2.1).
                let mut best: Option<(usize, bool)> = None;
                for rule in groups.iter().flat_map(|g| g.rules.iter()) {
                    if !matches(&rule.pattern, path) {
                        continue;
                    }
                    let len = rule.pattern.len();
                    best = match best {
                        Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                        _ => Some((len, rule.allow)),
                    };
                }
                best.is_none_or(|(_, allow)| allow)
            }
        }
    }
}

/// Whether a robots path pattern matches the start of `path`: `*` is any run of characters,
/// a final `$` requires the path to end there.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return true;
    };
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return !anchored || rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or(""),
            None => return false,
        }
    }
    if anchored {
        rest.ends_with(last)
    } else {
        rest.contains(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "\
# news site
User-agent: *
Disallow: /private/
Allow: /private/press-room/
Disallow: /*.pdf$

User-agent: BadBot
Disallow: /
";

    #[test]
    fn star_group_with_longest_match_and_allow_on_tie() {
        let r = Robots::parse(SITE.as_bytes(), "outages");
        assert!(r.allows("/2024/07/19/outage-story"));
        assert!(!r.allows("/private/drafts/1"));
        assert!(r.allows("/private/press-room/statement"));
        assert!(!r.allows("/files/report.pdf"));
        assert!(r.allows("/files/report.pdf?page=2"));
        let tie = Robots::parse(b"User-agent: *\nDisallow: /a\nAllow: /a\n", "outages");
        assert!(tie.allows("/a/b"));
    }

    #[test]
    fn our_own_group_replaces_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: outages/1.0\nUser-agent: other\nDisallow: /news/private\n";
        let r = Robots::parse(text.as_bytes(), "outages");
        assert!(r.allows("/news/outage"));
        assert!(!r.allows("/news/private/x"));
        let others = Robots::parse(text.as_bytes(), "somebot");
        assert!(!others.allows("/news/outage"));
    }

    #[test]
    fn empty_disallow_and_missing_groups_allow_everything() {
        assert_eq!(
            Robots::parse(b"User-agent: *\nDisallow:\n", "outages"),
            Robots::AllowAll
        );
        assert_eq!(
            Robots::parse(b"User-agent: BadBot\nDisallow: /\n", "outages"),
            Robots::AllowAll
        );
        assert_eq!(Robots::parse(b"", "outages"), Robots::AllowAll);
    }

    #[test]
    fn disallow_all_blocks_everything_but_robots_txt() {
        assert!(!Robots::DisallowAll.allows("/"));
        assert!(!Robots::DisallowAll.allows("/article"));
        assert!(Robots::DisallowAll.allows("/robots.txt"));
    }

    #[test]
    fn wildcards_in_the_middle_and_end_anchor() {
        assert!(matches("/*/amp/", "/2024/amp/story"));
        assert!(!matches("/*/amp/", "/2024/story"));
        assert!(matches("/a*b$", "/a-x-b"));
        assert!(!matches("/a*b$", "/a-x-bc"));
        assert!(matches("/fish$", "/fish"));
        assert!(!matches("/fish$", "/fish/"));
    }

    #[test]
    fn rules_past_512_kib_are_not_read() {
        let mut text = String::from("User-agent: *\n");
        while text.len() < MAX_ROBOTS_BYTES {
            text.push_str("# padding padding padding padding padding padding\n");
        }
        text.push_str("Disallow: /\n");
        assert_eq!(Robots::parse(text.as_bytes(), "outages"), Robots::AllowAll);
    }
}
