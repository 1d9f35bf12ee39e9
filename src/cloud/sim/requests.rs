//! Sampled requests: what an instance serves in one second (paths of the storefront and billing
//! APIs, clients, status codes, latency) and the nginx access log line for each. The error log
//! and the app's stdout describe the same requests, so the files agree with each other.

use crate::domain::{Millis, Tier};

use super::metrics::{healthy_latency, rate};
use super::model::{Env, Instance, PROXY_TIMEOUT_S, Phase, SEC, SLOW_FACTOR, TIMEOUT_PER_MILLE};
use super::rng::{HEX, LOWER_ALNUM, Rng, hash_str, mix, stream};
use super::timefmt::nginx_time;

/// One sampled request.
pub(crate) struct Req {
    pub(crate) ts: Millis,
    pub(crate) method: &'static str,
    pub(crate) path: String,
    pub(crate) status: u16,
    pub(crate) bytes: u32,
    pub(crate) ua: &'static str,
    pub(crate) client: String,
    pub(crate) rt: f64,
}

pub(crate) fn rng_for(seed: u64, inst: &Instance, sec: i64, salt: u64) -> Rng {
    stream(mix(mix(mix(seed, hash_str(&inst.id)), sec as u64), salt))
}

/// Sorted millisecond offsets of `n` events within the second.
pub(crate) fn offsets(rng: &mut Rng, sec: i64, n: usize) -> Vec<Millis> {
    let mut v: Vec<Millis> = (0..n)
        .map(|_| sec * SEC + rng.below(1000) as Millis)
        .collect();
    v.sort_unstable();
    v
}

/// How many of `rate` requests a second are logged: all of a trickle, about ten of a flood.
pub(crate) fn sampled(rate: f64, rng: &mut Rng) -> usize {
    let n = if rate <= 10.0 {
        rate
    } else {
        8.0 + (rate / 30.0).min(4.0)
    };
    let whole = n.floor();
    (whole as usize) + usize::from(rng.below(1000) as f64 / 1000.0 < n - whole)
}

pub(crate) fn requests(seed: u64, env: &Env, inst: &Instance, phase: &Phase, sec: i64) -> Vec<Req> {
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
            let e = endpoint(&env.app, &mut rng);
            let client = client_ip(&mut rng);
            let p50 = env.base_latency * (0.8 + 0.4 * (rng.below(1000) as f64 / 1000.0));
            let mut rt = healthy_latency(p50, rng.below(10_000) as f64 / 10_000.0);
            let mut status = e.status;
            let mut bytes = e.bytes;
            if env.slow_at(ts) {
                rt *= SLOW_FACTOR;
                if chance_per_mille(&mut rng, TIMEOUT_PER_MILLE) {
                    (status, bytes, rt) = (504, 167, PROXY_TIMEOUT_S);
                }
            }
            Req {
                ts,
                method: e.method,
                path: e.path,
                status,
                bytes,
                ua: e.ua,
                client,
                rt,
            }
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
const MOBILE: [&str; 3] = [
    "StorefrontApp/3.12.0 (iPhone; iOS 18.1; Scale/3.00)",
    "StorefrontApp/3.12.0 (Android 14; Pixel 8)",
    "okhttp/4.12.0",
];
const API_CLIENTS: [&str; 3] = [
    "billing-sdk-node/2.3.1",
    "Go-http-client/2.0",
    "python-requests/2.32.3",
];
const TERMS: [&str; 8] = [
    "running+shoes",
    "rain+jacket",
    "usb-c+hub",
    "espresso",
    "yoga+mat",
    "gift+card",
    "headphones",
    "desk+lamp",
];

/// True with a chance of `per_mille` in a thousand.
pub(crate) fn chance_per_mille(rng: &mut Rng, per_mille: u64) -> bool {
    rng.below(1000) < per_mille
}

/// What a sampled request asked for and what it got: the parts of an access log line that
/// depend on the application, before the client and the timing are added.
pub(crate) struct Endpoint {
    pub(crate) method: &'static str,
    pub(crate) path: String,
    pub(crate) status: u16,
    pub(crate) bytes: u32,
    /// The client's user agent.
    pub(crate) ua: &'static str,
}

impl Endpoint {
    fn new(method: &'static str, path: String, status: u16, bytes: u32, ua: &'static str) -> Self {
        Endpoint {
            method,
            path,
            status,
            bytes,
            ua,
        }
    }
}

/// A response size in `lo..hi` bytes.
fn size(rng: &mut Rng, lo: u64, hi: u64) -> u32 {
    (lo + rng.below(hi - lo)) as u32
}

/// A request to `app`'s API, with its answer. The draws from `rng` happen in a fixed order (the
/// user agents first, the odd failure last), which the logs depend on.
pub(crate) fn endpoint(app: &str, rng: &mut Rng) -> Endpoint {
    let browser = *rng.pick(&BROWSERS);
    let client = if chance_per_mille(rng, 300) {
        *rng.pick(&MOBILE)
    } else {
        browser
    };
    let mut e = if app == "billing" {
        billing_endpoint(rng)
    } else {
        storefront_endpoint(rng, browser, client)
    };
    // The odd unhandled exception a healthy service still has.
    if chance_per_mille(rng, 1) {
        e.status = 500;
        e.bytes = 52;
    }
    e
}

/// The billing API: invoices, subscriptions, payments and Stripe's webhooks, called by services.
fn billing_endpoint(rng: &mut Rng) -> Endpoint {
    let api = *rng.pick(&API_CLIENTS);
    match rng.below(100) {
        0..25 => Endpoint::new(
            "POST",
            "/v1/invoices".to_string(),
            201,
            size(rng, 900, 1_800),
            api,
        ),
        25..50 => {
            let missing = chance_per_mille(rng, 40);
            let path = format!("/v1/invoices/inv_{}", rng.chars(HEX, 12));
            if missing {
                Endpoint::new("GET", path, 404, 96, api)
            } else {
                Endpoint::new("GET", path, 200, size(rng, 1_200, 2_600), api)
            }
        }
        50..65 => {
            let path = format!(
                "/v1/customers/cus_{}/subscriptions",
                rng.chars(LOWER_ALNUM, 10)
            );
            Endpoint::new("GET", path, 200, size(rng, 600, 2_000), api)
        }
        65..80 => {
            let declined = chance_per_mille(rng, 50);
            Endpoint::new(
                "POST",
                "/v1/payments".to_string(),
                if declined { 402 } else { 200 },
                size(rng, 300, 700),
                api,
            )
        }
        80..95 => Endpoint::new(
            "POST",
            "/v1/webhooks/stripe".to_string(),
            200,
            16,
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        ),
        _ => Endpoint::new("GET", "/v1/health".to_string(), 200, 15, api),
    }
}

/// The storefront: pages and static files for browsers, the JSON API for browsers and the
/// mobile app (`client`).
fn storefront_endpoint(rng: &mut Rng, browser: &'static str, client: &'static str) -> Endpoint {
    match rng.below(100) {
        0..8 => Endpoint::new(
            "GET",
            "/".to_string(),
            200,
            size(rng, 14_000, 16_500),
            browser,
        ),
        8..28 => {
            let path = format!("/api/products?page={}&sort=popular", 1 + rng.below(12));
            Endpoint::new("GET", path, 200, size(rng, 4_000, 9_000), client)
        }
        28..46 => {
            let path = format!("/api/products/SKU-{:05}", rng.below(40_000));
            if chance_per_mille(rng, 30) {
                Endpoint::new("GET", path, 404, 58, client)
            } else {
                Endpoint::new("GET", path, 200, size(rng, 2_000, 4_000), client)
            }
        }
        46..60 => Endpoint::new(
            "GET",
            "/api/cart".to_string(),
            200,
            size(rng, 700, 1_500),
            client,
        ),
        60..67 => Endpoint::new(
            "POST",
            "/api/cart/items".to_string(),
            201,
            size(rng, 300, 500),
            client,
        ),
        67..77 => {
            let path = format!("/api/search?q={}", rng.pick(&TERMS));
            Endpoint::new("GET", path, 200, size(rng, 3_000, 7_000), client)
        }
        77..87 => {
            let cached = chance_per_mille(rng, 600);
            Endpoint::new(
                "GET",
                "/static/js/app.3f9c2b1e.js".to_string(),
                if cached { 304 } else { 200 },
                if cached { 0 } else { 241_877 },
                browser,
            )
        }
        87..94 => {
            let anon = chance_per_mille(rng, 100);
            Endpoint::new(
                "GET",
                "/api/session".to_string(),
                if anon { 401 } else { 200 },
                if anon { 41 } else { 312 },
                client,
            )
        }
        94..97 => {
            let declined = chance_per_mille(rng, 30);
            Endpoint::new(
                "POST",
                "/api/checkout".to_string(),
                if declined { 402 } else { 200 },
                size(rng, 400, 900),
                client,
            )
        }
        _ => Endpoint::new("GET", "/favicon.ico".to_string(), 200, 15_086, browser),
    }
}

pub(crate) fn client_ip(rng: &mut Rng) -> String {
    const FIRST: [u64; 9] = [24, 67, 73, 81, 89, 98, 108, 174, 203];
    format!(
        "{}.{}.{}.{}",
        rng.pick(&FIRST),
        rng.below(256),
        rng.below(256),
        1 + rng.below(254)
    )
}

/// The load balancer node that forwarded the request (nginx's `$remote_addr`).
pub(crate) fn alb_ip(env: &Env, r: &Req) -> String {
    let node = hash_str(&r.client) % 3;
    format!(
        "10.0.{}.{}",
        node * 16 + 1,
        4 + mix(hash_str(&env.id), node) % 250
    )
}

pub(crate) fn access_line(env: &Env, _inst: &Instance, r: &Req) -> String {
    let urt = if r.status == 502 {
        "0.000".to_string()
    } else {
        format!("{:.3}", (r.rt - 0.001).max(0.0))
    };
    let referer = if r.path == "/" || r.ua.starts_with("ELB") {
        "-".to_string()
    } else {
        format!("https://{}/", env.host)
    };
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
