//! One HTTP client for every crawl: timeouts, a body cap counted after decompression, at most
//! five http(s)-only redirects, refusal of private addresses (literal or resolved, on the first
//! URL and every hop), conditional GET, `Retry-After` and `Cache-Control`/`Expires` read for the
//! scheduler, per-host politeness, and replay of the bundled snapshot through a loopback mirror.
//!
//! reqwest has no body limit and no default timeouts, returns a redirect to `file:` as the
//! 302 itself, and never shows a custom resolver a literal IP; everything here exists because a
//! status page is a server we do not control.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, DATE, ETAG, EXPIRES, HeaderMap, HeaderValue,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use reqwest::{StatusCode, redirect};
use thiserror::Error;
use tokio::sync::Semaphore;

use url::Url;

use crate::content_coding::CodingError;

/// Limits of the client; the defaults suit status feeds (small documents, slow servers).
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    /// Deadline for the whole exchange, body included, so a trickling server cannot hold us.
    pub total_timeout: Duration,
    pub read_timeout: Duration,
    /// Largest body we accept, counted after decompression (defeats gzip bombs).
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    /// Concurrent requests to one host.
    pub per_host: usize,
    pub user_agent: String,
    /// How host names become addresses.
    pub resolution: NameResolution,
    /// Host names allowed to resolve to private addresses even for a source without
    /// `allow_private` (an intranet status page). Literal addresses are never on it.
    pub allow_hosts: Vec<String>,
}

/// How host names are resolved. Whatever the table, resolved addresses go through the same
/// private-address filter as literals.
#[derive(Debug, Clone, Default)]
pub enum NameResolution {
    /// The system resolver.
    #[default]
    System,
    /// A fixed table used instead of DNS; a name not in it fails like NXDOMAIN. Tests map
    /// hostile names to loopback with it, so no test sends a DNS query or a packet off the
    /// machine even if the address guard were broken.
    Static(HashMap<String, Vec<IpAddr>>),
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(15),
            max_body_bytes: 16 * 1024 * 1024,
            max_redirects: 5,
            per_host: 2,
            user_agent: format!(
                "outages/{} (outage timeline aggregator; polite status-feed crawler)",
                env!("CARGO_PKG_VERSION")
            ),
            resolution: NameResolution::System,
            allow_hosts: Vec::new(),
        }
    }
}

/// Validators from an earlier fetch, sent back so an unchanged feed costs a 304.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A response we accepted.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    /// 304: the stored copy is current. The server may send fresh validators with it.
    NotModified {
        validators: Validators,
        /// How long the server says the document stays fresh (`Cache-Control`/`Expires`).
        fresh_for: Option<Duration>,
    },
    /// 2xx with a body within the cap.
    Fetched(Fetched),
}

#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    /// The URL that answered, after redirects.
    pub final_url: String,
    pub validators: Validators,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// How long the server says the document stays fresh (`Cache-Control`/`Expires`); the
    /// scheduler does not ask again before then.
    pub fresh_for: Option<Duration>,
}

/// Why a fetch failed. [`FetchError::class`] gives the short class stored with the source.
#[derive(Debug, Error)]
pub enum FetchError {
    #[error("{url}: invalid URL: {message}")]
    BadUrl { url: String, message: String },
    #[error("{url}: refused: {reason}")]
    Blocked { url: String, reason: String },
    #[error("{url}: timed out")]
    Timeout { url: String },
    #[error("{url}: cannot resolve the host name: {message}")]
    Dns { url: String, message: String },
    #[error("{url}: TLS failure: {message}")]
    Tls { url: String, message: String },
    #[error("{url}: cannot connect: {message}")]
    Connect { url: String, message: String },
    #[error("{url}: redirect refused: {message}")]
    Redirect { url: String, message: String },
    #[error("{url}: HTTP {status}")]
    Status {
        url: String,
        status: u16,
        /// The server's `Retry-After`, already clamped (see [`retry_after`]).
        retry_after: Option<Duration>,
    },
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: cannot decode the body: {message}")]
    Decode { url: String, message: String },
    #[error("{url}: disallowed by the site's robots.txt")]
    Robots { url: String },
    #[error("{url}: {message}")]
    Other { url: String, message: String },
}

impl FetchError {
    /// Short, stable class name for source health ("timeout", "http_status" ...).
    pub fn class(&self) -> &'static str {
        match self {
            FetchError::BadUrl { .. } => "bad_url",
            FetchError::Blocked { .. } => "blocked_address",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Dns { .. } => "dns",
            FetchError::Tls { .. } => "tls",
            FetchError::Connect { .. } => "connect",
            FetchError::Redirect { .. } => "redirect",
            FetchError::Status { .. } => "http_status",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Decode { .. } => "decode",
            FetchError::Robots { .. } => "robots",
            FetchError::Other { .. } => "other",
        }
    }

    /// The address the failure is about (after redirects, the one that failed).
    pub fn url(&self) -> &str {
        match self {
            FetchError::BadUrl { url, .. }
            | FetchError::Blocked { url, .. }
            | FetchError::Timeout { url }
            | FetchError::Dns { url, .. }
            | FetchError::Tls { url, .. }
            | FetchError::Connect { url, .. }
            | FetchError::Redirect { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::Decode { url, .. }
            | FetchError::Robots { url }
            | FetchError::Other { url, .. } => url,
        }
    }

    /// The failure said about `source` (the address it was asked for): without the address
    /// when it is that one, so a line that already names the source does not name it twice.
    pub fn about(&self, source: &str) -> String {
        let text = self.to_string();
        if self.url() == source {
            if let Some(reason) = text.strip_prefix(source).and_then(|r| r.strip_prefix(": ")) {
                return reason.to_string();
            }
        }
        text
    }

    /// The delay the server asked for, when it sent a usable `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Shortest and longest wait accepted from a `Retry-After`: a server cannot make us hammer it,
/// nor park a source for days.
pub const RETRY_AFTER_MIN: Duration = Duration::from_secs(1);
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(6 * 3600);

/// Reads a `Retry-After` value (delay-seconds or an HTTP-date) as a wait from `now`, clamped
/// to [`RETRY_AFTER_MIN`]..=[`RETRY_AFTER_MAX`]. Garbage is `None`, so the caller falls back to
/// its own backoff.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // An absurdly long number is still "wait as long as allowed".
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let at = DateTime::parse_from_rfc2822(value)
            .ok()?
            .with_timezone(&Utc);
        (at - now).to_std().unwrap_or(Duration::ZERO)
    };
    Some(wait.clamp(RETRY_AFTER_MIN, RETRY_AFTER_MAX))
}

/// How long a response stays fresh: `Cache-Control: max-age` (`no-store`/`no-cache` mean
/// zero), else `Expires` against the response's `Date` (or `now`). `None` when the server
/// says nothing usable; never longer than [`RETRY_AFTER_MAX`], so a server cannot park a
/// source.
pub fn freshness(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    if let Some(cc) = header_string(headers, CACHE_CONTROL) {
        let mut max_age = None;
        for directive in cc.split(',').map(str::trim) {
            let lower = directive.to_ascii_lowercase();
            if lower == "no-store" || lower == "no-cache" {
                return Some(Duration::ZERO);
            }
            if let Some(v) = lower.strip_prefix("max-age=") {
                max_age = v.trim_matches('"').parse::<u64>().ok();
            }
        }
        if let Some(secs) = max_age {
            return Some(Duration::from_secs(secs).min(RETRY_AFTER_MAX));
        }
    }
    let expires = header_string(headers, EXPIRES)?;
    let Ok(expires) = DateTime::parse_from_rfc2822(&expires) else {
        // RFC 9111: an invalid Expires (often "0" or "-1") means already expired.
        return Some(Duration::ZERO);
    };
    let date = header_string(headers, DATE)
        .and_then(|d| DateTime::parse_from_rfc2822(&d).ok())
        .map_or(now, |d| d.with_timezone(&Utc));
    Some(
        (expires.with_timezone(&Utc) - date)
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(RETRY_AFTER_MAX),
    )
}

/// Replays the bundled snapshot: `https://host/path` is fetched from `<base>/host/path` on a
/// loopback server (a trailing `/` maps to `index`), so the demo exercises the real HTTP path.
#[derive(Debug, Clone)]
pub struct Mirror {
    base: Url,
}

impl Mirror {
    pub fn new(base: Url) -> Self {
        Mirror { base }
    }

    /// The mirror URL for a real URL, or `None` when it has no host.
    pub fn map(&self, real: &Url) -> Option<Url> {
        let host = real.host_str()?;
        let mut path = real.path().to_string();
        if path.ends_with('/') {
            path.push_str("index");
        }
        let mut mapped = self.base.clone();
        mapped.set_path(&format!("{host}{path}"));
        Some(mapped)
    }

    /// The relative file path inside the snapshot folder for a real URL.
    pub fn relative_path(real: &Url) -> Option<String> {
        let host = real.host_str()?;
        let mut path = real.path().to_string();
        if path.ends_with('/') {
            path.push_str("index");
        }
        Some(format!("{host}{path}"))
    }
}

/// The crawler's HTTP client.
pub struct Fetcher {
    config: FetchConfig,
    strict: reqwest::Client,
    /// For sources marked `allow_private` and for the snapshot mirror.
    permissive: reqwest::Client,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    mirror: Option<Mirror>,
}

impl Fetcher {
    pub fn new(config: FetchConfig, mirror: Option<Mirror>) -> Result<Self, FetchError> {
        let build = |allow_private: bool| {
            reqwest::Client::builder()
                .user_agent(config.user_agent.clone())
                .connect_timeout(config.connect_timeout)
                .read_timeout(config.read_timeout)
                .timeout(config.total_timeout)
                .no_proxy()
                .dns_resolver(GuardedResolver {
                    resolution: config.resolution.clone(),
                    allow_private,
                    allow_hosts: config
                        .allow_hosts
                        .iter()
                        .map(|h| h.to_ascii_lowercase())
                        .collect(),
                })
                .redirect(redirect_policy(config.max_redirects, allow_private))
                .build()
                .map_err(|e| FetchError::Other {
                    url: String::new(),
                    message: format!("cannot build the HTTP client: {e}"),
                })
        };
        Ok(Fetcher {
            strict: build(false)?,
            permissive: build(true)?,
            hosts: Mutex::new(HashMap::new()),
            mirror,
            config,
        })
    }

    /// GETs `url`, sending the stored validators. Only a 2xx with a body within the cap, or a
    /// 304, is a success; everything else is a classified error.
    pub async fn get(
        &self,
        url: &str,
        validators: &Validators,
        allow_private: bool,
    ) -> Result<FetchOutcome, FetchError> {
        let parsed = Url::parse(url).map_err(|e| FetchError::BadUrl {
            url: url.to_string(),
            message: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::Blocked {
                url: url.to_string(),
                reason: format!("scheme {} is not http(s)", parsed.scheme()),
            });
        }
        let (target, client) = match &self.mirror {
            Some(m) => {
                let mapped = m.map(&parsed).ok_or_else(|| FetchError::BadUrl {
                    url: url.to_string(),
                    message: "no host".into(),
                })?;
                (mapped, &self.permissive)
            }
            None if allow_private => (parsed, &self.permissive),
            None => {
                if let Some(reason) = private_literal(&parsed) {
                    return Err(FetchError::Blocked {
                        url: url.to_string(),
                        reason,
                    });
                }
                (parsed, &self.strict)
            }
        };
        let permit = self.host_slot(&target).acquire_owned().await;
        let result = self.exchange(client, url, target, validators).await;
        drop(permit);
        result
    }

    fn host_slot(&self, url: &Url) -> Arc<Semaphore> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut hosts = match self.hosts.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        hosts
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.config.per_host.max(1))))
            .clone()
    }

    async fn exchange(
        &self,
        client: &reqwest::Client,
        url: &str,
        target: Url,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let mut headers = HeaderMap::new();
        if let Some(etag) = validators
            .etag
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = validators
            .last_modified
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(IF_MODIFIED_SINCE, lm);
        }
        let sent_validator = !headers.is_empty();
        let mut response = client
            .get(target)
            .headers(headers)
            .send()
            .await
            .map_err(|e| classify(url, &e))?;
        let status = response.status();
        let now = Utc::now();
        let fresh_for = freshness(response.headers(), now);
        let fresh = Validators {
            etag: header_string(response.headers(), ETAG),
            last_modified: header_string(response.headers(), LAST_MODIFIED),
        };
        if status == StatusCode::NOT_MODIFIED {
            // "Not modified" since what? Without a validator sent there is no stored copy the
            // answer can refer to: recorded as healthy, it would hide a broken source forever.
            if !sent_validator {
                return Err(FetchError::Other {
                    url: url.to_string(),
                    message: "HTTP 304 Not Modified to a request that sent no validator \
                              (no If-None-Match or If-Modified-Since): nothing to reuse"
                        .into(),
                });
            }
            return Ok(FetchOutcome::NotModified {
                validators: fresh,
                fresh_for,
            });
        }
        if status.is_redirection() {
            // Only a refused redirect gets here (the policy follows the others).
            return Err(FetchError::Redirect {
                url: url.to_string(),
                message: format!("HTTP {} not followed", status.as_u16()),
            });
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                retry_after: header_string(response.headers(), RETRY_AFTER)
                    .and_then(|v| retry_after(&v, now)),
            });
        }
        let final_url = response.url().to_string();
        let content_type = header_string(response.headers(), CONTENT_TYPE);
        // Present only when the client left the body encoded (see `content_coding`).
        let undecoded = header_string(response.headers(), CONTENT_ENCODING);
        let limit = self.config.max_body_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        // The declared length (already checked against the cap) sizes the buffer once.
        let declared = response
            .content_length()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let mut body = Vec::with_capacity(declared.min(limit));
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(url, &e))? {
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        if let Some(header) = undecoded {
            body = decode_remaining(url, &header, body, limit)?;
        }
        Ok(FetchOutcome::Fetched(Fetched {
            status: status.as_u16(),
            final_url,
            validators: fresh,
            content_type,
            body,
            fresh_for,
        }))
    }
}

/// Decodes the `Content-Encoding` layers the client left on `body`, as a fetch error naming
/// the URL when a layer is refused, corrupt or decodes past the cap.
fn decode_remaining(
    url: &str,
    header: &str,
    body: Vec<u8>,
    limit: usize,
) -> Result<Vec<u8>, FetchError> {
    crate::content_coding::decode_remaining(header, body, limit).map_err(|e| match e {
        CodingError::TooLarge { limit } => FetchError::TooLarge {
            url: url.to_string(),
            limit,
        },
        other => FetchError::Decode {
            url: url.to_string(),
            message: other.to_string(),
        },
    })
}

fn header_string(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn redirect_policy(max: usize, allow_private: bool) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > max {
            return attempt.error(format!("more than {max} redirects"));
        }
        match redirect_refusal(attempt.url(), allow_private) {
            Some(refusal) => attempt.error(refusal),
            None => attempt.follow(),
        }
    })
}

/// Why a redirect hop is not followed: a scheme other than http(s) (`file:`, `data:`,
/// `gopher:` ...), or a literal private address unless private addresses are allowed. Names
/// on the hop go through the resolver's check like any other.
pub fn redirect_refusal(next: &Url, allow_private: bool) -> Option<RedirectRefused> {
    if !matches!(next.scheme(), "http" | "https") {
        return Some(RedirectRefused::Scheme(next.scheme().to_string()));
    }
    if allow_private {
        return None;
    }
    private_literal(next).map(RedirectRefused::Private)
}

/// A redirect hop the policy refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RedirectRefused {
    #[error("redirect to a {0}: URL")]
    Scheme(String),
    #[error("redirect to {0}")]
    Private(String),
}

/// Refuses URLs whose host is a literal private, loopback, link-local or unspecified address,
/// in any spelling the URL parser accepts (hex, octal, decimal, IPv4-mapped IPv6): resolvers
/// never see literals, so this check is the only one they get. Names are filtered by
/// [`GuardedResolver`] once resolved.
pub fn private_literal(url: &Url) -> Option<String> {
    let ip: IpAddr = match url.host()? {
        url::Host::Ipv4(v4) => IpAddr::V4(v4),
        url::Host::Ipv6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        url::Host::Domain(d) if d.eq_ignore_ascii_case("localhost") => {
            return Some("localhost is a private address".into());
        }
        url::Host::Domain(_) => return None,
    };
    is_private_ip(ip).then(|| format!("{ip} is a private, loopback or link-local address"))
}

/// True for addresses a public status page never lives at.
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                // 100.64/10 carrier-grade NAT, 198.18/15 benchmarking, 240/4 reserved, 0/8.
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
                || v4.octets()[0] == 198 && (18..20).contains(&v4.octets()[1])
                || v4.octets()[0] >= 240
                || v4.octets()[0] == 0
        }
        IpAddr::V6(v6) => {
            if embedded_ipv4(v6).is_some_and(|v4| is_private_ip(IpAddr::V4(v4))) {
                return true;
            }
            let seg = v6.segments();
            // 64:ff9b:1::/48, NAT64 for local use (RFC 8215): translated inside a network.
            if seg[0] == 0x0064 && seg[1] == 0xff9b && seg[2] == 0x0001 {
                return true;
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// The IPv4 address an IPv6 address carries, in every form that reaches it: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`), 6to4
/// (`2002:aabb:ccdd::`), Teredo (`2001:0:...`, the client address inverted in the last 32 bits)
/// and ISATAP (`...:5efe:a.b.c.d` in the interface id). A private IPv4 address must not be
/// reachable through any of them.
fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let seg = v6.segments();
    let last32 = |a: u16, b: u16| {
        let [a0, a1] = a.to_be_bytes();
        let [b0, b1] = b.to_be_bytes();
        Ipv4Addr::new(a0, a1, b0, b1)
    };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    if seg[..6] == [0; 6] && !v6.is_loopback() && !v6.is_unspecified() {
        return Some(last32(seg[6], seg[7]));
    }
    if seg[..6] == [0x0064, 0xff9b, 0, 0, 0, 0] {
        return Some(last32(seg[6], seg[7]));
    }
    if seg[0] == 0x2002 {
        return Some(last32(seg[1], seg[2]));
    }
    if seg[0] == 0x2001 && seg[1] == 0 {
        return Some(last32(!seg[6], !seg[7]));
    }
    if seg[5] == 0x5efe && (seg[4] == 0 || seg[4] == 0x0200) {
        return Some(last32(seg[6], seg[7]));
    }
    None
}

fn classify(url: &str, e: &reqwest::Error) -> FetchError {
    let url = url.to_string();
    let message = error_chain(e);
    if let Some(refused) = find_cause::<ResolveRefused>(e) {
        FetchError::Blocked {
            url,
            reason: refused.to_string(),
        }
    } else if let Some(RedirectRefused::Private(reason)) = find_cause::<RedirectRefused>(e) {
        FetchError::Blocked {
            url,
            reason: format!("redirect to {reason}"),
        }
    } else if e.is_timeout() {
        FetchError::Timeout { url }
    } else if find_cause::<NameNotFound>(e).is_some() || message.contains("dns error") {
        FetchError::Dns { url, message }
    } else if e.is_connect() && looks_like_tls(&message) {
        FetchError::Tls { url, message }
    } else if e.is_redirect() {
        FetchError::Redirect { url, message }
    } else if e.is_connect() {
        FetchError::Connect { url, message }
    } else if e.is_decode() || e.is_body() {
        FetchError::Decode { url, message }
    } else {
        FetchError::Other { url, message }
    }
}

/// The first error of type `T` in the source chain of `e`.
fn find_cause<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        cur = err.source();
    }
    None
}

/// rustls and hyper-rustls errors are not exported types here, so TLS failures are told apart
/// by their messages.
fn looks_like_tls(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "invalidcontenttype",
        "unknownissuer",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// The resolver of every client: looks the name up (system DNS or the static table), then
/// drops private, loopback and link-local addresses unless the client allows them, so a public
/// name pointing at `127.0.0.1` or the metadata service is refused before any connection.
struct GuardedResolver {
    resolution: NameResolution,
    allow_private: bool,
    allow_hosts: Vec<String>,
}

/// A name resolved only to addresses the guard refuses.
#[derive(Debug, Error)]
#[error("{name} resolves only to private, loopback or link-local addresses ({addrs})")]
struct ResolveRefused {
    name: String,
    addrs: String,
}

/// A name with no address (NXDOMAIN, or absent from the static table).
#[derive(Debug, Error)]
#[error("no address for {0}")]
struct NameNotFound(String);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let name = name.as_str().to_string();
        let resolution = self.resolution.clone();
        let allow_private = self.allow_private
            || self
                .allow_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&name));
        Box::pin(async move {
            let found: Vec<SocketAddr> = match &resolution {
                NameResolution::Static(table) => table
                    .get(&name.to_ascii_lowercase())
                    .map(|ips| ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect())
                    .unwrap_or_default(),
                NameResolution::System => tokio::net::lookup_host((name.as_str(), 0))
                    .await
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                    .collect(),
            };
            if found.is_empty() {
                return Err(Box::new(NameNotFound(name)) as Box<_>);
            }
            let allowed = filter_addresses(&found, allow_private);
            if allowed.is_empty() {
                let addrs = found
                    .iter()
                    .map(|a| a.ip().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Box::new(ResolveRefused { name, addrs }) as Box<_>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The addresses a client may connect to: all of them when private ones are allowed, else the
/// public ones (IPv4-mapped IPv6 judged as the IPv4 address it carries).
pub fn filter_addresses(found: &[SocketAddr], allow_private: bool) -> Vec<SocketAddr> {
    found
        .iter()
        .copied()
        .filter(|a| allow_private || !is_private_ip(canonical_ip(a.ip())))
        .collect()
}

fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// reqwest's top-level message is generic ("error sending request"); the cause is below it.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(inner) = cur {
        let s = inner.to_string();
        if parts.last() != Some(&s) {
            parts.push(s);
        }
        cur = inner.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_maps_host_and_path() {
        let m = Mirror::new(Url::parse("http://127.0.0.1:9/").expect("url"));
        let real = Url::parse("https://www.githubstatus.com/history.atom").expect("url");
        assert_eq!(
            m.map(&real).map(|u| u.to_string()),
            Some("http://127.0.0.1:9/www.githubstatus.com/history.atom".into())
        );
        let dir =
            Url::parse("https://rssfeed.azure.status.microsoft/en-us/status/feed/").expect("url");
        assert_eq!(
            Mirror::relative_path(&dir).as_deref(),
            Some("rssfeed.azure.status.microsoft/en-us/status/feed/index")
        );
    }

    #[test]
    fn private_literals_are_refused() {
        for u in [
            "http://127.0.0.1/",
            "http://10.1.2.3/",
            "http://169.254.169.254/latest",
            "http://[::1]/",
            "http://[::ffff:192.168.0.1]/",
            "http://localhost:8080/",
            "http://0.0.0.0/",
        ] {
            let url = Url::parse(u).expect("url");
            assert!(private_literal(&url).is_some(), "{u} should be refused");
        }
        let public = Url::parse("https://www.githubstatus.com/").expect("url");
        assert_eq!(private_literal(&public), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_clamps() {
        let now = DateTime::parse_from_rfc3339("2024-03-01T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let secs = |v: &str| retry_after(v, now).map(|d| d.as_secs());
        assert_eq!(secs("7"), Some(7));
        assert_eq!(secs(" 90 "), Some(90));
        assert_eq!(secs("999999999"), Some(21_600));
        assert_eq!(secs("99999999999999999999999"), Some(21_600));
        assert_eq!(secs("0"), Some(1));
        assert_eq!(secs("Fri, 01 Mar 2024 10:02:00 GMT"), Some(120));
        assert_eq!(secs("Fri, 01 Mar 2024 09:00:00 GMT"), Some(1));
        assert_eq!(secs("soon"), None);
        assert_eq!(secs("-5"), None);
        assert_eq!(secs(""), None);
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    #[test]
    fn freshness_from_cache_control_and_expires() {
        let now = DateTime::parse_from_rfc3339("2024-03-01T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let fresh = |pairs: &[(&str, &str)]| freshness(&headers(pairs), now).map(|d| d.as_secs());
        assert_eq!(
            fresh(&[("cache-control", "public, max-age=300")]),
            Some(300)
        );
        assert_eq!(
            fresh(&[("cache-control", "max-age=300, no-cache")]),
            Some(0)
        );
        assert_eq!(fresh(&[("cache-control", "no-store")]), Some(0));
        assert_eq!(
            fresh(&[("cache-control", "max-age=99999999")]),
            Some(21_600)
        );
        assert_eq!(
            fresh(&[
                ("date", "Fri, 01 Mar 2024 09:00:00 GMT"),
                ("expires", "Fri, 01 Mar 2024 09:10:00 GMT")
            ]),
            Some(600)
        );
        assert_eq!(
            fresh(&[("expires", "Fri, 01 Mar 2024 10:05:00 GMT")]),
            Some(300)
        );
        assert_eq!(fresh(&[("expires", "0")]), Some(0));
        assert_eq!(
            fresh(&[
                ("cache-control", "max-age=60"),
                ("expires", "Fri, 01 Mar 2024 12:00:00 GMT")
            ]),
            Some(60)
        );
        assert_eq!(fresh(&[("cache-control", "public")]), None);
        assert_eq!(fresh(&[]), None);
    }

    #[test]
    fn redirect_hops_to_other_schemes_or_private_spellings_are_refused() {
        for u in [
            "http://127.0.0.1:8080/x",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::ffff:7f00:1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://[fe80::1]/",
            "http://localhost/",
        ] {
            let url = Url::parse(u).expect("url");
            assert!(
                matches!(
                    redirect_refusal(&url, false),
                    Some(RedirectRefused::Private(_))
                ),
                "{u} must be refused"
            );
            assert_eq!(
                redirect_refusal(&url, true),
                None,
                "{u} allowed when private is"
            );
        }
        for (u, scheme) in [
            ("file:///etc/passwd", "file"),
            ("gopher://example.com/", "gopher"),
            ("data:text/plain,hello", "data"),
            ("ftp://example.com/feed", "ftp"),
            ("javascript:alert(1)", "javascript"),
        ] {
            let url = Url::parse(u).expect("url");
            assert_eq!(
                redirect_refusal(&url, true),
                Some(RedirectRefused::Scheme(scheme.into())),
                "{u}"
            );
        }
        let public = Url::parse("https://status.example.com/history.atom").expect("url");
        assert_eq!(redirect_refusal(&public, false), None);
    }

    /// Every IPv6 form that embeds a private IPv4 address is private; the same forms around
    /// a public address are not.
    #[test]
    fn ipv6_forms_embedding_a_private_ipv4_address_are_refused() {
        for private in [
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::192.168.1.1",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:c0a8:0101::",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "fe80::5efe:10.1.2.3",
            "2001:db8::5efe:192.168.0.1",
        ] {
            let ip: IpAddr = private.parse().expect(private);
            assert!(is_private_ip(ip), "{private}");
            let url = Url::parse(&format!("http://[{private}]/")).expect(private);
            assert!(private_literal(&url).is_some(), "{private}");
        }
        for public in [
            "64:ff9b::8.8.8.8",
            "2002:0808:0808::1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            let ip: IpAddr = public.parse().expect(public);
            assert!(!is_private_ip(ip), "{public}");
        }
    }

    #[test]
    fn resolved_private_addresses_are_filtered_unless_allowed() {
        let addr = |s: &str| s.parse::<SocketAddr>().expect("addr");
        let found = vec![
            addr("127.0.0.1:0"),
            addr("[::ffff:169.254.169.254]:0"),
            addr("93.184.216.34:0"),
            addr("[2606:2800:220:1::1]:0"),
        ];
        assert_eq!(
            filter_addresses(&found, false),
            vec![addr("93.184.216.34:0"), addr("[2606:2800:220:1::1]:0")]
        );
        assert_eq!(filter_addresses(&found, true), found);
        assert!(filter_addresses(&[addr("10.1.1.1:0")], false).is_empty());
    }
}
