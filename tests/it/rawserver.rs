//! A hand-made HTTP server on 127.0.0.1 for the faults wiremock cannot produce: silence,
//! trickles, resets, endless and bomb bodies, broken framing, redirect loops and redirects to
//! forbidden places. Each path is one behaviour (see [`RawServer::url`]); every connection has a
//! 25 s deadline; hits are counted per path so a test can prove a refused URL was never asked.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const FIXTURE: &str = include_str!("../fixtures/crawl/incidents-v1.json");

/// Size of the decompressed gzip bomb: 64 MiB in CI, 512 MiB with `OUTAGES_HEAVY_TESTS=1`.
pub fn bomb_size() -> usize {
    if std::env::var("OUTAGES_HEAVY_TESTS").is_ok_and(|v| v == "1") {
        512 * 1024 * 1024
    } else {
        64 * 1024 * 1024
    }
}

/// The gzip bomb, built once per test process: a hand-written deflate stream (one zero byte,
/// then back-references of 258 bytes at distance 1, 13 bits each), so even a 512 MiB bomb takes
/// a moment in a debug build, where a real compressor would take seconds.
pub fn bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let matches = (bomb_size() - 1) / 258;
        let total = 1 + 258 * matches;
        let mut bits = BitWriter::default();
        bits.push(1, 1); // BFINAL
        bits.push(1, 2); // BTYPE = 01, fixed Huffman codes
        bits.huffman(0b0011_0000, 8); // literal 0
        for _ in 0..matches {
            bits.huffman(0b1100_0101, 8); // length code 285 = 258 bytes
            bits.huffman(0, 5); // distance code 0 = 1 byte back
        }
        bits.huffman(0, 7); // end of block (256)
        let deflate = bits.finish();
        let mut crc = flate2::Crc::new();
        let zeros = vec![0u8; 1024 * 1024];
        let mut left = total;
        while left > 0 {
            let n = left.min(zeros.len());
            crc.update(zeros.get(..n).expect("slice"));
            left -= n;
        }
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        out.extend_from_slice(&deflate);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(u32::try_from(total % (1 << 32)).expect("fits")).to_le_bytes());
        out
    })
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    /// Writes `count` bits of `value`, least significant first (deflate's bit order).
    fn push(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push((self.acc & 0xff) as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Writes a Huffman code, most significant bit first.
    fn huffman(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.push(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push((self.acc & 0xff) as u8);
        }
        self.out
    }
}

/// A Statuspage API document whose incident ids are unique to `n`, so every source served
/// from this server stores its own two incidents.
pub fn statuspage_json(n: &str) -> String {
    FIXTURE.replace("zz9fixture0", &format!("zz9src{n}x"))
}

/// `statuspage_json(n)` whose first update carries `mib` MiB of incompressible words, so
/// storing it needs well over `mib` MiB of writes (raw body, incident, version).
pub fn big_statuspage_json(n: &str, mib: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut words = String::with_capacity(mib * 1024 * 1024);
    while words.len() < mib * 1024 * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for shift in 0..8 {
            let i = usize::try_from((x >> (shift * 6)) & 63).expect("six bits");
            words.push(char::from(*ALPHABET.get(i).expect("in the alphabet")));
        }
        words.push(' ');
    }
    statuspage_json(n).replacen(
        "We are investigating reports of degraded performance for Actions.",
        &format!("We are investigating reports of degraded performance for Actions. {words}"),
        1,
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("compress");
    e.finish().expect("finish")
}

/// [`bomb`] gzipped once more, for `Content-Encoding: gzip, gzip`.
pub fn stacked_bomb() -> &'static [u8] {
    static STACKED: OnceLock<Vec<u8>> = OnceLock::new();
    STACKED.get_or_init(|| gzip(bomb()))
}

pub struct RawServer {
    pub port: u16,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl RawServer {
    pub fn start() -> RawServer {
        // Built before serving, so the first client's deadline does not include building it.
        bomb();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime");
        let listener = runtime
            .block_on(TcpListener::bind(("127.0.0.1", 0)))
            .expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let counter = hits.clone();
        runtime.spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(25), handle(sock, port, counter))
                            .await;
                });
            }
        });
        RawServer {
            port,
            hits,
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:PORT/path`. Paths: `/ok/N`, `/cache/N` (max-age=600), `/silent`,
    /// `/trickle`, `/reset`, `/huge`, `/bomb`, `/loop/a`, `/chain/N`, `/file`, `/html`,
    /// `/truncated`, `/503`, `/429`, `/empty`, `/304` (always, validators or not), `/badchunk`,
    /// `/headerflood`, `/to-private`,
    /// `/to-evil`, `/slow/N` or `/slow/RxN` (a delay of 15 ms x (N mod 7), then `/ok/N`).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .map(|h| h.get(path).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn read_request(sock: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(chunk.get(..n)?);
    }
    let text = String::from_utf8_lossy(&buf);
    let line = text.lines().next()?;
    line.split_whitespace().nth(1).map(str::to_string)
}

fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn redirect(to: &str) -> Vec<u8> {
    response("302 Found", &[("Location", to)], b"")
}

async fn handle(mut sock: TcpStream, port: u16, hits: Arc<Mutex<HashMap<String, usize>>>) {
    let Some(path) = read_request(&mut sock).await else {
        return;
    };
    let route = path.split('?').next().unwrap_or_default().to_string();
    if let Ok(mut h) = hits.lock() {
        *h.entry(route.clone()).or_default() += 1;
    }
    let json = [("Content-Type", "application/json")];
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    let bytes: Vec<u8> = match segments.as_slice() {
        ["ok", n] => response("200 OK", &json, statuspage_json(n).as_bytes()),
        // New incidents on every fetch: each crawl of it writes, and syncs the index.
        ["changing", n] => {
            let round = hits
                .lock()
                .map(|h| h.get(&route).copied().unwrap_or(0))
                .unwrap_or(0);
            response(
                "200 OK",
                &json,
                statuspage_json(&format!("{n}r{round}")).as_bytes(),
            )
        }
        ["slow", n] => {
            // `/slow/R x N` (no spaces): the delay follows N, the ids follow the whole label.
            let delay = n
                .rsplit('x')
                .next()
                .and_then(|k| k.parse::<u64>().ok())
                .unwrap_or(0)
                % 7
                * 15;
            tokio::time::sleep(Duration::from_millis(delay)).await;
            response("200 OK", &json, statuspage_json(n).as_bytes())
        }
        ["cache", n] => response(
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Cache-Control", "public, max-age=600"),
            ],
            statuspage_json(n).as_bytes(),
        ),
        ["silent"] => {
            tokio::time::sleep(Duration::from_secs(20)).await;
            return;
        }
        ["trickle"] => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..100 {
                if sock.write_all(b" ").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            return;
        }
        ["reset"] => return,
        ["huge"] => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let framed = [format!("{:x}\r\n", chunk.len()).into_bytes(), chunk, b"\r\n".to_vec()]
                .concat();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
            while tokio::time::Instant::now() < deadline {
                if sock.write_all(&framed).await.is_err() {
                    return;
                }
            }
            return;
        }
        ["bomb"] => response(
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip"),
            ],
            bomb(),
        ),
        ["stacked", n] => response(
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip, gzip"),
            ],
            &gzip(&gzip(statuspage_json(n).as_bytes())),
        ),
        ["stacked-bomb"] => response(
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip, gzip"),
            ],
            stacked_bomb(),
        ),
        ["gzip-br"] => response(
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip, br"),
            ],
            &gzip(statuspage_json("gb").as_bytes()),
        ),
        ["compress"] => response(
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", "compress"),
            ],
            statuspage_json("lzw").as_bytes(),
        ),
        ["big", n] => response("200 OK", &json, big_statuspage_json(n, 3).as_bytes()),
        ["loop", "a"] => redirect("/loop/b"),
        ["loop", "b"] => redirect("/loop/a"),
        ["chain", n] => match n.parse::<u32>() {
            Ok(0) | Err(_) => response("200 OK", &json, statuspage_json("chain").as_bytes()),
            Ok(k) => redirect(&format!("/chain/{}", k - 1)),
        },
        ["file"] => redirect("file:///etc/passwd"),
        ["html"] => response(
            "200 OK",
            &[("Content-Type", "text/html")],
            b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><p>Checking your browser before accessing the site.</p></body></html>",
        ),
        ["truncated"] => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"page\": {";
            let _ = sock.write_all(head.as_bytes()).await;
            return;
        }
        ["503"] => response("503 Service Unavailable", &[("Retry-After", "120")], b"busy"),
        ["429"] => response("429 Too Many Requests", &[("Retry-After", "soon")], b"slow down"),
        ["empty"] => response("200 OK", &json, b""),
        // `Connection: close`, as every answer here: a client must not reuse the socket this
        // server shuts after one answer (it raced the next request).
        ["304"] => b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        ["badchunk"] => b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".to_vec(),
        ["headerflood"] => {
            let mut head = String::from("HTTP/1.1 200 OK\r\n");
            for i in 0..2000 {
                head.push_str(&format!("X-Flood-{i}: {}\r\n", "a".repeat(500)));
            }
            head.push_str("Content-Length: 0\r\n\r\n");
            head.into_bytes()
        }
        ["to-private"] => redirect(&format!("http://127.0.0.1:{port}/ok/99")),
        ["to-evil"] => redirect(&format!("http://evil.test:{port}/ok/98")),
        _ => response("404 Not Found", &[], b"not here"),
    };
    let _ = sock.write_all(&bytes).await;
    let _ = sock.shutdown().await;
}

/// Writes a sources file listing `(vendor, url)` pairs, each allowed to use loopback.
pub fn write_sources(path: &Path, sources: &[(String, String)]) {
    let mut text = String::new();
    for (vendor, url) in sources {
        text.push_str(&format!(
            "[[source]]\nvendor = \"{vendor}\"\nurl = \"{url}\"\nallow_private = true\n\n"
        ));
    }
    std::fs::write(path, text).expect("write sources");
}

#[test]
fn hand_written_gzip_bomb_inflates_to_exactly_its_size_of_zeros() {
    use std::io::Read as _;
    let mut decoder = flate2::read::GzDecoder::new(bomb());
    let mut buf = vec![0u8; 1024 * 1024];
    let mut total = 0usize;
    loop {
        let n = decoder.read(&mut buf).expect("valid gzip");
        if n == 0 {
            break;
        }
        assert!(buf.get(..n).expect("read").iter().all(|&b| b == 0));
        total += n;
    }
    assert_eq!(total, 1 + 258 * ((bomb_size() - 1) / 258));
    assert!(bomb().len() < bomb_size() / 100, "{} bytes", bomb().len());
}
