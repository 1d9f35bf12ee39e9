//! Traffic log lines: what nginx, the Node.js app, the SQS daemon and the health agent write,
//! generated per instance and second from a pure pseudo-random stream and the instance's phase.
//!
//! Volume is sampled: an instance serving 100 requests a second logs about ten of them, so a demo
//! at 20x stays readable while the mix of paths and status codes follows the metrics.

use crate::domain::{Millis, Tier};

use super::health::{healthy_latency, instance_status, rate};
use super::logs::{iso_secs, nginx_error_time, nginx_time, syslog_time};
use super::rng::{HEX, LOWER_ALNUM, Rng, hash_str, mix, stream};
use super::world::{Env, HEALTH_PERIOD, Instance, LogFile, Phase, SEC};

/// Seconds between two crashes of a crash-looping app (systemd restarts it).
const CRASH_PERIOD: i64 = 6;

/// One sampled request.
struct Req {
    ts: Millis,
    method: &'static str,
    path: String,
    status: u16,
    bytes: u32,
    ua: &'static str,
    client: String,
    rt: f64,
}

pub(crate) fn lines_at(seed: u64, env: &Env, inst: &Instance, file: LogFile, sec: i64) -> Vec<(Millis, String)> {
    let t = sec * SEC;
    let Some(phase) = inst.phase_at(t) else {
        return Vec::new();
    };
    match file {
        // Written when deployments run (see `engine`), never generated.
        LogFile::Engine | LogFile::Hooks => Vec::new(),
        LogFile::Access => requests(seed, env, inst, phase, sec).into_iter().map(|r| (r.ts, access_line(env, inst, &r))).collect(),
        LogFile::Error => error_lines(seed, env, inst, phase, sec),
        LogFile::Stdout => stdout_lines(seed, env, inst, phase, sec),
        LogFile::Sqsd => sqsd_lines(seed, env, inst, phase, sec),
        LogFile::Health => health_line(env, inst, sec).into_iter().collect(),
    }
}

fn rng_for(seed: u64, inst: &Instance, sec: i64, salt: u64) -> Rng {
    stream(mix(mix(mix(seed, hash_str(&inst.id)), sec as u64), salt))
}

/// Sorted millisecond offsets of `n` events within the second.
fn offsets(rng: &mut Rng, sec: i64, n: usize) -> Vec<Millis> {
    let mut v: Vec<Millis> = (0..n).map(|_| sec * SEC + rng.below(1000) as Millis).collect();
    v.sort_unstable();
    v
}

/// How many of `rate` requests a second are logged: all of a trickle, about ten of a flood.
fn sampled(rate: f64, rng: &mut Rng) -> usize {
    let n = if rate <= 10.0 { rate } else { 8.0 + (rate / 30.0).min(4.0) };
    let whole = n.floor();
    (whole as usize) + usize::from(rng.below(1000) as f64 / 1000.0 < n - whole)
}

fn requests(seed: u64, env: &Env, inst: &Instance, phase: &Phase, sec: i64) -> Vec<Req> {
    let Phase::Serving { broken, .. } = phase else {
        return Vec::new();
    };
    if env.tier != Tier::Web {
        return Vec::new();
    }
    let mut rng = rng_for(seed, inst, sec, 0xACCE55);
    let n = sampled(rate(seed, env, &inst.id, sec * SEC), &mut rng);
    let mut out: Vec<Req> = offsets(&mut rng, sec, n)
        .into_iter()
        .map(|ts| {
            let (method, path, status, bytes, ua) = endpoint(&env.app, &mut rng);
            let client = client_ip(&mut rng);
            let p50 = env.base_latency * (0.8 + 0.4 * (rng.below(1000) as f64 / 1000.0));
            let rt = healthy_latency(p50, rng.below(10_000) as f64 / 10_000.0);
            Req { ts, method, path, status, bytes, ua, client, rt }
        })
        .collect();
    // The load balancer's health check, every 15 s per instance.
    if (sec + (hash_str(&inst.id) % 15) as i64) % 15 == 0 {
        let ts = sec * SEC + 500;
        let idx = out.partition_point(|r| r.ts <= ts);
        let check = Req {
            ts,
            method: "GET",
            path: "/".into(),
            status: 200,
            bytes: 2_140,
            ua: "ELB-HealthChecker/2.0",
            client: "-".into(),
            rt: 0.004,
        };
        out.insert(idx, check);
    }
    if *broken {
        for r in &mut out {
            r.status = 502;
            r.bytes = 157;
            r.rt = 0.001;
        }
    }
    out
}

const BROWSERS: [&str; 5] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
];
const MOBILE: [&str; 3] =
    ["StorefrontApp/3.12.0 (iPhone; iOS 18.1; Scale/3.00)", "StorefrontApp/3.12.0 (Android 14; Pixel 8)", "okhttp/4.12.0"];
const API_CLIENTS: [&str; 3] = ["billing-sdk-node/2.3.1", "Go-http-client/2.0", "python-requests/2.32.3"];
const TERMS: [&str; 8] = ["running+shoes", "rain+jacket", "usb-c+hub", "espresso", "yoga+mat", "gift+card", "headphones", "desk+lamp"];

fn pct(rng: &mut Rng, p: u64) -> bool {
    rng.below(1000) < p
}

fn endpoint(app: &str, rng: &mut Rng) -> (&'static str, String, u16, u32, &'static str) {
    let browser = *rng.pick(&BROWSERS);
    let client = if pct(rng, 300) { *rng.pick(&MOBILE) } else { browser };
    let bytes = |rng: &mut Rng, lo: u64, hi: u64| (lo + rng.below(hi - lo)) as u32;
    let mut e = if app == "billing" {
        let api = *rng.pick(&API_CLIENTS);
        match rng.below(100) {
            0..25 => ("POST", "/v1/invoices".to_string(), 201, bytes(rng, 900, 1_800), api),
            25..50 => {
                let missing = pct(rng, 40);
                let path = format!("/v1/invoices/inv_{}", rng.chars(HEX, 12));
                if missing { ("GET", path, 404, 96, api) } else { ("GET", path, 200, bytes(rng, 1_200, 2_600), api) }
            }
            50..65 => {
                let path = format!("/v1/customers/cus_{}/subscriptions", rng.chars(LOWER_ALNUM, 10));
                ("GET", path, 200, bytes(rng, 600, 2_000), api)
            }
            65..80 => {
                let declined = pct(rng, 50);
                ("POST", "/v1/payments".to_string(), if declined { 402 } else { 200 }, bytes(rng, 300, 700), api)
            }
            80..95 => ("POST", "/v1/webhooks/stripe".to_string(), 200, 16, "Stripe/1.0 (+https://stripe.com/docs/webhooks)"),
            _ => ("GET", "/v1/health".to_string(), 200, 15, api),
        }
    } else {
        match rng.below(100) {
            0..8 => ("GET", "/".to_string(), 200, bytes(rng, 14_000, 16_500), browser),
            8..28 => {
                let path = format!("/api/products?page={}&sort=popular", 1 + rng.below(12));
                ("GET", path, 200, bytes(rng, 4_000, 9_000), client)
            }
            28..46 => {
                let path = format!("/api/products/SKU-{:05}", rng.below(40_000));
                if pct(rng, 30) { ("GET", path, 404, 58, client) } else { ("GET", path, 200, bytes(rng, 2_000, 4_000), client) }
            }
            46..60 => ("GET", "/api/cart".to_string(), 200, bytes(rng, 700, 1_500), client),
            60..67 => ("POST", "/api/cart/items".to_string(), 201, bytes(rng, 300, 500), client),
            67..77 => {
                let path = format!("/api/search?q={}", rng.pick(&TERMS));
                ("GET", path, 200, bytes(rng, 3_000, 7_000), client)
            }
            77..87 => {
                let cached = pct(rng, 600);
                ("GET", "/static/js/app.3f9c2b1e.js".to_string(), if cached { 304 } else { 200 }, if cached { 0 } else { 241_877 }, browser)
            }
            87..94 => {
                let anon = pct(rng, 100);
                ("GET", "/api/session".to_string(), if anon { 401 } else { 200 }, if anon { 41 } else { 312 }, client)
            }
            94..97 => {
                let declined = pct(rng, 30);
                ("POST", "/api/checkout".to_string(), if declined { 402 } else { 200 }, bytes(rng, 400, 900), client)
            }
            _ => ("GET", "/favicon.ico".to_string(), 200, 15_086, browser),
        }
    };
    // The odd unhandled exception a healthy service still has.
    if pct(rng, 1) {
        e.2 = 500;
        e.3 = 52;
    }
    e
}

fn client_ip(rng: &mut Rng) -> String {
    const FIRST: [u64; 9] = [24, 67, 73, 81, 89, 98, 108, 174, 203];
    format!("{}.{}.{}.{}", rng.pick(&FIRST), rng.below(256), rng.below(256), 1 + rng.below(254))
}

/// The load balancer node that forwarded the request (nginx's `$remote_addr`).
fn alb_ip(env: &Env, r: &Req) -> String {
    let node = hash_str(&r.client) % 3;
    format!("10.0.{}.{}", node * 16 + 1, 4 + mix(hash_str(&env.id), node) % 250)
}

fn access_line(env: &Env, _inst: &Instance, r: &Req) -> String {
    let urt = if r.status == 502 { "0.000".to_string() } else { format!("{:.3}", (r.rt - 0.001).max(0.0)) };
    let referer = if r.path == "/" || r.ua.starts_with("ELB") { "-".to_string() } else { format!("https://{}/", env.host) };
    format!(
        "{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"{}\" \"{}\" \"{}\" rt={:.3} urt={}",
        alb_ip(env, r),
        nginx_time(r.ts),
        r.method,
        r.path,
        r.status,
        r.bytes,
        referer,
        r.ua,
        r.client,
        r.rt,
        urt
    )
}

fn nginx_pid(inst: &Instance) -> u64 {
    2_600 + hash_str(&inst.id) % 400
}

fn error_lines(seed: u64, env: &Env, inst: &Instance, phase: &Phase, sec: i64) -> Vec<(Millis, String)> {
    let pid = nginx_pid(inst);
    let conn = |i: usize| (sec.rem_euclid(100_000) as u64) * 7 + i as u64;
    let reqs = requests(seed, env, inst, phase, sec);
    let host = &env.host;
    if let Phase::Serving { broken: true, .. } = phase {
        return reqs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let line = format!(
                    "{} [error] {pid}#{pid}: *{} connect() failed (111: Connection refused) while connecting to upstream, client: {}, server: , request: \"{} {} HTTP/1.1\", upstream: \"http://127.0.0.1:8080{}\", host: \"{host}\"",
                    nginx_error_time(r.ts),
                    conn(i),
                    alb_ip(env, r),
                    r.method,
                    r.path,
                    r.path
                );
                (r.ts, line)
            })
            .collect();
    }
    let mut rng = rng_for(seed, inst, sec, 0xE7707);
    let Some(r) = reqs.first() else {
        return Vec::new();
    };
    if pct(&mut rng, 2) {
        let line = format!(
            "{} [error] {pid}#{pid}: *{} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {}, server: , request: \"{} {} HTTP/1.1\", upstream: \"http://127.0.0.1:8080{}\", host: \"{host}\"",
            nginx_error_time(r.ts),
            conn(0),
            alb_ip(env, r),
            r.method,
            r.path,
            r.path
        );
        return vec![(r.ts, line)];
    }
    if pct(&mut rng, 2) {
        let line = format!(
            "{} [warn] {pid}#{pid}: *{} an upstream response is buffered to a temporary file /var/lib/nginx/tmp/proxy/{}/{:02}/{:010} while reading upstream, client: {}, server: , request: \"{} {} HTTP/1.1\", upstream: \"http://127.0.0.1:8080{}\", host: \"{host}\"",
            nginx_error_time(r.ts),
            conn(0),
            rng.below(10),
            rng.below(100),
            rng.below(10_000_000_000),
            alb_ip(env, r),
            r.method,
            r.path,
            r.path
        );
        return vec![(r.ts, line)];
    }
    Vec::new()
}

/// `storefront@1.4.4`: the package the app's `npm start` prints.
fn package(env: &Env, version: &str) -> String {
    let name = if env.tier == Tier::Worker { format!("{}-worker", env.app) } else { env.app.clone() };
    let v = version.trim_start_matches('v');
    let v = if v.starts_with(|c: char| c.is_ascii_digit()) { v.to_string() } else { format!("0.0.0{v}") };
    format!("{name}@{v}")
}

fn hostname(inst: &Instance) -> String {
    format!("ip-{}", inst.ip.replace('.', "-"))
}

const CRASH: [&str; 17] = [
    "/var/app/current/src/session/store.js:42",
    "    const nodes = config.redis.cluster.nodes.map(parseNode);",
    "                                       ^",
    "",
    "TypeError: Cannot read properties of undefined (reading 'nodes')",
    "    at createSessionStore (/var/app/current/src/session/store.js:42:40)",
    "    at Object.<anonymous> (/var/app/current/src/server.js:18:23)",
    "    at Module._compile (node:internal/modules/cjs/loader:1546:14)",
    "    at Object..js (node:internal/modules/cjs/loader:1689:10)",
    "    at Module.load (node:internal/modules/cjs/loader:1318:32)",
    "    at Function._load (node:internal/modules/cjs/loader:1128:12)",
    "    at TracingChannel.traceSync (node:diagnostics_channel:322:14)",
    "    at wrapModuleLoad (node:internal/modules/cjs/loader:219:24)",
    "    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:170:5)",
    "    at node:internal/main/run_main_module:36:49",
    "",
    "Node.js v20.18.1",
];

const JOBS: [&str; 4] = ["send-order-confirmation", "sync-inventory", "generate-invoice-pdf", "reindex-product"];

fn stdout_lines(seed: u64, env: &Env, inst: &Instance, phase: &Phase, sec: i64) -> Vec<(Millis, String)> {
    let t = sec * SEC;
    let since = inst.phase_since(t).unwrap_or(t);
    let age = sec - since.div_euclid(SEC);
    // A new process per phase change (deploy, restart), and per crash while crash-looping.
    let phase_no = inst.phases.partition_point(|(at, _)| *at <= t) as u64;
    let base_pid = 3_000 + hash_str(&inst.id) % 2_000 + phase_no * 37;
    let host = hostname(inst);
    let prefix = |ts: Millis, pid: u64| format!("{} {host} web[{pid}]: ", syslog_time(ts));
    let pino = |ts: Millis, pid: u64, rest: &str| {
        format!("{}{{\"level\":30,\"time\":{ts},\"pid\":{pid},\"hostname\":\"{host}\",{rest}}}", prefix(ts, pid))
    };
    let script = if env.tier == Tier::Worker { "node worker.js" } else { "node server.js" };
    let banner = |ts: Millis, pid: u64, version: &str| {
        vec![
            (ts, format!("{}> {} start", prefix(ts, pid), package(env, version))),
            (ts, format!("{}> {script}", prefix(ts, pid))),
            (ts, prefix(ts, pid)),
        ]
    };
    let mut rng = rng_for(seed, inst, sec, 0x57D0);
    match phase {
        Phase::Serving { version, broken: true } => {
            let cycle = age.div_euclid(CRASH_PERIOD) as u64;
            let pid = base_pid + cycle * 3;
            match age.rem_euclid(CRASH_PERIOD) {
                0 => banner(t + 100, pid, version),
                1 => CRASH.iter().map(|l| (t + 200, format!("{}{l}", prefix(t + 200, pid)))).collect(),
                _ => Vec::new(),
            }
        }
        Phase::Serving { version, broken: false } => {
            if age == 0 {
                let mut out = banner(t + 100, base_pid, version);
                let what = if env.tier == Tier::Worker { "Worker listening on port 8080" } else { "Server listening on port 8080" };
                out.push((t + 400, pino(t + 400, base_pid, &format!("\"msg\":\"{what}\""))));
                return out;
            }
            if env.tier == Tier::Worker {
                let n = sampled(rate(seed, env, &inst.id, t).min(3.0), &mut rng);
                return offsets(&mut rng, sec, n)
                    .into_iter()
                    .map(|ts| {
                        let job = rng.pick(&JOBS);
                        let ms = 20 + rng.below(400);
                        let id = rng.uuid();
                        (ts, pino(ts, base_pid, &format!("\"job\":\"{job}\",\"messageId\":\"{id}\",\"ms\":{ms},\"msg\":\"job done\"")))
                    })
                    .collect();
            }
            // The app logs one request in a few (its logger samples too).
            let reqs = requests(seed, env, inst, phase, sec);
            match reqs.iter().find(|r| !r.ua.starts_with("ELB")) {
                Some(r) if pct(&mut rng, 600) => {
                    let level = if r.status >= 500 { 50 } else { 30 };
                    let line = pino(
                        r.ts,
                        base_pid,
                        &format!(
                            "\"req\":{{\"method\":\"{}\",\"url\":\"{}\"}},\"res\":{{\"statusCode\":{}}},\"responseTime\":{},\"msg\":\"request completed\"",
                            r.method,
                            r.path,
                            r.status,
                            (r.rt * 1000.0).round() as u64
                        ),
                    )
                    .replacen("\"level\":30", &format!("\"level\":{level}"), 1);
                    vec![(r.ts, line)]
                }
                _ => Vec::new(),
            }
        }
        Phase::Restarting if age == 0 => {
            vec![(t + 50, pino(t + 50, base_pid.saturating_sub(37), "\"msg\":\"SIGTERM received, closing server\""))]
        }
        _ => Vec::new(),
    }
}

fn sqsd_lines(seed: u64, env: &Env, inst: &Instance, phase: &Phase, sec: i64) -> Vec<(Millis, String)> {
    let Phase::Serving { broken, .. } = phase else {
        return Vec::new();
    };
    let mut rng = rng_for(seed, inst, sec, 0x5A5D);
    let n = sampled(rate(seed, env, &inst.id, sec * SEC).min(3.0), &mut rng);
    offsets(&mut rng, sec, n)
        .into_iter()
        .map(|ts| {
            let line = if *broken {
                format!("{} http-err: {} ({}) 502 - 0.001", iso_secs(ts), rng.uuid(), 1 + rng.below(5))
            } else {
                format!("{} message: sent to %[http://localhost:80]", iso_secs(ts))
            };
            (ts, line)
        })
        .collect()
}

fn json_str(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// The health agent's view of the instance every 10 s: written on change, and once a minute.
fn health_line(env: &Env, inst: &Instance, sec: i64) -> Option<(Millis, String)> {
    let t = sec * SEC;
    if t % HEALTH_PERIOD != 0 || !inst.live_at(t) {
        return None;
    }
    let (status, causes) = instance_status(env, inst, t);
    let changed = inst.live_at(t - HEALTH_PERIOD) && instance_status(env, inst, t - HEALTH_PERIOD).0 != status;
    if t % 60_000 != 0 && !changed {
        return None;
    }
    let causes: Vec<String> = causes.iter().map(|c| json_str(c)).collect();
    Some((
        t,
        format!(
            "{{\"time\":\"{}\",\"instance_id\":\"{}\",\"status\":\"{}\",\"color\":\"{}\",\"causes\":[{}]}}",
            iso_secs(t),
            inst.id,
            status.as_str(),
            status.color().as_str(),
            causes.join(",")
        ),
    ))
}
