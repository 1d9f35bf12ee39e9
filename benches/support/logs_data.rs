//! The log lines the log benchmarks read: one realistic, deterministic million, shared so the
//! search benchmark and its plain-scan yardstick read the same bytes.

use ebtui::domain::RawLogEvent;

pub const N: usize = 1_000_000;
pub const ACCESS: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/access.log";
pub const ERROR: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/error.log";
pub const STDOUT: &str = "/aws/elasticbeanstalk/shop-prod/var/log/web.stdout.log";
pub const INSTANCES: [&str; 4] = [
    "i-0abc1234def567890",
    "i-0fed9876cba543210",
    "i-0123456789abcdef0",
    "i-0aaaabbbbccccdddd",
];
const PATHS: [&str; 6] = [
    "/api/cart",
    "/api/items/42",
    "/health",
    "/static/app.3f9a.js",
    "/api/checkout",
    "/login",
];
const AGENTS: [&str; 3] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "ELB-HealthChecker/2.0",
    "curl/8.0.1",
];

/// A small deterministic generator, so every run ingests the same lines.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

/// A realistic mix: 80% nginx access lines (2% of them 5xx), 15% nginx error lines, 5%
/// application stdout (some with colour escapes, which take the sanitizer's slow path).
pub fn events(n: usize) -> Vec<RawLogEvent> {
    let mut r = Lcg(42);
    let base = 1_795_515_300_000i64;
    (0..n)
        .map(|i| {
            let ts = base + (i as i64) / 3;
            let sec = (ts / 1000) % 60;
            let roll = r.next() % 100;
            let (group, message) = if roll < 80 {
                let status = match r.next() % 100 {
                    0..=1 => 502,
                    2..=5 => 404,
                    6..=8 => 301,
                    _ => 200,
                };
                let msg = format!(
                    r#"10.0.{}.{} - - [24/Nov/2026:10:15:{sec:02} +0000] "GET {} HTTP/1.1" {status} {} "-" "{}" "203.0.113.{}""#,
                    r.next() % 4,
                    r.next() % 250,
                    r.pick(&PATHS),
                    r.next() % 20_000,
                    r.pick(&AGENTS),
                    r.next() % 250
                );
                (ACCESS, msg)
            } else if roll < 95 {
                let msg = format!(
                    "2026/11/24 10:15:{sec:02} [error] 2345#2345: *{} connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.1.{}, server: , request: \"GET {} HTTP/1.1\", upstream: \"http://127.0.0.1:8080{}\"",
                    r.next() % 100_000,
                    r.next() % 250,
                    r.pick(&PATHS),
                    r.pick(&PATHS)
                );
                (ERROR, msg)
            } else if roll < 98 {
                (STDOUT, format!("{{\"level\":\"info\",\"msg\":\"order placed\",\"order\":{},\"ms\":{}}}", r.next(), r.next() % 900))
            } else {
                (STDOUT, format!("\x1b[32mINFO\x1b[0m\tworker {} finished job {}", r.next() % 8, r.next()))
            };
            RawLogEvent {
                id: Some(format!("375164449422642253373556484313804579114802144{:011}", i)),
                ts,
                group: group.to_string(),
                stream: r.pick(&INSTANCES).to_string(),
                message,
            }
        })
        .collect()
}
