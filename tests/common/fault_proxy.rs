//! A fault-injecting HTTP/1.1 proxy for end-to-end tests: it listens on 127.0.0.1 (only ever
//! loopback), forwards to the moto emulator, and can answer a chosen API with a fault instead.
//!
//! Each request is recognised by its API: Elastic Beanstalk and CloudFormation speak the Query
//! protocol (`Action=...` in a form body; the service is the SigV4 credential scope's, else told by
//! `Version=`), CloudWatch Logs speaks JSON (`X-Amz-Target: Logs_20140328.<Action>`). A fault is
//! set per service, per (service, action) or for everything, at run time: pass, black-hole (read
//! the request, never answer, keep the socket open), reset (close with RST), delay, HTTP 5xx,
//! Throttling, ExpiredToken, AccessDenied, or a token bucket per service (excess answered
//! Throttling). Every request is counted per (service, action), with the throttled answers and the
//! write calls, so a test can hold `--read-only` to zero writes.
//!
//! Forwarding is one request per connection: `Connection: close` goes upstream and back to the
//! client, so a response ends when moto closes, chunked or streamed (StartLiveTail) bodies pass
//! through as they come. A black-hole set while a response streams stops its forwarding too (a
//! lost network stalls open connections as well).

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The largest request head or body the proxy reads (the SDK's requests are small).
const MAX_REQUEST: usize = 4 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Eb,
    Cfn,
    Logs,
    Other,
}

impl Service {
    fn json(self) -> bool {
        self == Service::Logs
    }
}

/// What the proxy does with a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    Pass,
    /// Read the request and never answer; the socket stays open until the client gives up.
    BlackHole,
    /// Read the request, then close the connection with a TCP reset.
    Reset,
    /// Forward after a pause.
    Delay(Duration),
    /// An HTTP 5xx (500 or 503) with an AWS-style error body.
    Status(u16),
    Throttling,
    ExpiredToken,
    AccessDenied,
    /// At most `per_second` requests a second per service, from a bucket of `burst` tokens
    /// (refilled at `per_second`); the excess is answered Throttling.
    TokenBucket {
        per_second: f64,
        burst: f64,
    },
}

/// Where a fault applies, from the most specific: one action of a service, a service, all.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    Service(Service),
    Action(Service, String),
}

/// What was seen for one (service, action).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub requests: u64,
    /// Answered Throttling (by a `Throttling` fault or the token bucket).
    pub throttled: u64,
    /// Answered with any other fault (black-holed, reset, an error).
    pub faulted: u64,
}

#[derive(Default)]
struct State {
    rules: HashMap<Scope, Fault>,
    counts: HashMap<(Service, String), Count>,
    /// (tokens, last refill) per service under a token bucket.
    buckets: HashMap<Service, (f64, Instant)>,
    writes: Vec<(Service, String)>,
}

struct Shared {
    state: Mutex<State>,
    /// Bumped by every `set`: a streaming response looks at it to notice a new rule.
    generation: AtomicU64,
    upstream: SocketAddr,
}

pub struct FaultProxy {
    shared: Arc<Shared>,
    addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FaultProxy {
    /// Starts the proxy on a free 127.0.0.1 port in front of `upstream_url`
    /// (`http://127.0.0.1:PORT`; anything but a loopback address is refused).
    pub fn start(upstream_url: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream_url
            .strip_prefix("http://")
            .and_then(|hp| hp.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("upstream must be http://IP:PORT, got {upstream_url}"));
        assert!(
            upstream.ip().is_loopback(),
            "the fault proxy forwards only to loopback, not {upstream}"
        );
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fault-proxy")
            .enable_all()
            .build()
            .expect("a tokio runtime for the fault proxy");
        let listener = runtime
            .block_on(TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
            .expect("bind the fault proxy on 127.0.0.1");
        let addr = listener.local_addr().expect("the proxy's address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            generation: AtomicU64::new(0),
            upstream,
        });
        let accept_shared = Arc::clone(&shared);
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let shared = Arc::clone(&accept_shared);
                tokio::spawn(async move {
                    let _ = handle(client, shared).await;
                });
            }
        });
        FaultProxy {
            shared,
            addr,
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:PORT`, for `--endpoint-url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets the fault for every request (and clears the narrower rules).
    pub fn set(&self, fault: Fault) {
        let mut s = self.lock();
        s.rules.clear();
        s.rules.insert(Scope::All, fault);
        drop(s);
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Sets the fault for one scope; the other rules stay.
    pub fn set_for(&self, scope: Scope, fault: Fault) {
        let mut s = self.lock();
        s.rules.insert(scope, fault);
        s.buckets.clear();
        drop(s);
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Everything passes again.
    pub fn clear(&self) {
        self.set(Fault::Pass);
    }

    /// Applies `steps` (time from now, scope, fault) in order on the proxy's runtime.
    pub fn schedule(self: &Arc<Self>, steps: Vec<(Duration, Scope, Fault)>) {
        let proxy = Arc::clone(self);
        let start = tokio::time::Instant::now();
        self.runtime().spawn(async move {
            for (at, scope, fault) in steps {
                tokio::time::sleep_until(start + at).await;
                proxy.set_for(scope, fault);
            }
        });
    }

    /// The counts so far, per (service, action).
    pub fn counts(&self) -> HashMap<(Service, String), Count> {
        self.lock().counts.clone()
    }

    /// The counts of one service, summed over its actions.
    pub fn service_total(&self, service: Service) -> Count {
        let s = self.lock();
        let mut total = Count::default();
        for ((svc, _), c) in &s.counts {
            if *svc == service {
                total.requests += c.requests;
                total.throttled += c.throttled;
                total.faulted += c.faulted;
            }
        }
        total
    }

    /// The write calls seen (service, action), in order.
    pub fn writes(&self) -> Vec<(Service, String)> {
        self.lock().writes.clone()
    }

    /// Zeroes the counters (the writes too).
    pub fn reset_counts(&self) {
        let mut s = self.lock();
        s.counts.clear();
        s.writes.clear();
    }

    /// A readable table of the counts, for the test output.
    pub fn summary(&self) -> String {
        let counts = self.counts();
        let mut rows: Vec<_> = counts.into_iter().collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.iter()
            .map(|((svc, action), c)| {
                format!(
                    "{svc:?}.{action}: {} requests, {} throttled, {} faulted",
                    c.requests, c.throttled, c.faulted
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the proxy's runtime runs")
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.state.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether an action writes (changes the account).
pub fn is_write(action: &str) -> bool {
    const WRITES: &[&str] = &[
        "UpdateEnvironment",
        "RebuildEnvironment",
        "AbortEnvironmentUpdate",
        "RestartAppServer",
        "SwapEnvironmentCNAMEs",
        "RequestEnvironmentInfo",
        "TerminateEnvironment",
    ];
    WRITES.contains(&action)
        || ["Create", "Delete", "Put", "Update"]
            .iter()
            .any(|p| action.starts_with(p))
}

/// A parsed request head: the lines as sent, and the header values by lowercased name.
struct Head {
    lines: Vec<String>,
    headers: HashMap<String, String>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

fn parse_head(bytes: &[u8]) -> Option<Head> {
    let text = std::str::from_utf8(bytes).ok()?;
    let lines: Vec<String> = text
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let headers = lines
        .iter()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Head { lines, headers })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads up to the end of a head (`\r\n\r\n`); returns the buffer and where the body starts.
async fn read_head(stream: &mut TcpStream) -> Option<(Vec<u8>, usize)> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            return Some((buf, at + 4));
        }
        if buf.len() > MAX_REQUEST {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// (service, action) of a request.
fn classify(head: &Head, body: &[u8]) -> (Service, String) {
    if let Some(target) = head.header("x-amz-target") {
        let action = target.rsplit('.').next().unwrap_or(target).to_string();
        let service = if target.starts_with("Logs_") {
            Service::Logs
        } else {
            Service::Other
        };
        return (service, action);
    }
    let form = std::str::from_utf8(body).unwrap_or("");
    let param = |name: &str| {
        form.split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=').map(str::to_string))
    };
    let scope_service = head.header("authorization").and_then(|auth| {
        let cred = auth.split("Credential=").nth(1)?;
        let scope = cred.split([',', ' ']).next()?;
        scope.split('/').nth(3).map(str::to_string)
    });
    let service = match (scope_service.as_deref(), param("Version").as_deref()) {
        (Some("elasticbeanstalk"), _) | (None, Some("2010-12-01")) => Service::Eb,
        (Some("cloudformation"), _) | (None, Some("2010-05-15")) => Service::Cfn,
        (Some("logs"), _) => Service::Logs,
        _ => Service::Other,
    };
    let action = param("Action").unwrap_or_else(|| "?".to_string());
    (service, action)
}

/// The rule for a request, most specific first, and what the token bucket says.
fn decide(shared: &Shared, service: Service, action: &str) -> Fault {
    let mut s = lock(shared);
    let fault = s
        .rules
        .get(&Scope::Action(service, action.to_string()))
        .or_else(|| s.rules.get(&Scope::Service(service)))
        .or_else(|| s.rules.get(&Scope::All))
        .cloned()
        .unwrap_or(Fault::Pass);
    let key = (service, action.to_string());
    s.counts.entry(key.clone()).or_default().requests += 1;
    if is_write(action) {
        s.writes.push(key.clone());
    }
    let fault = match fault {
        Fault::TokenBucket { per_second, burst } => {
            let now = Instant::now();
            let (tokens, last) = s.buckets.entry(service).or_insert((burst, now));
            *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * per_second).min(burst);
            *last = now;
            if *tokens >= 1.0 {
                *tokens -= 1.0;
                Fault::Pass
            } else {
                Fault::Throttling
            }
        }
        other => other,
    };
    let count = s.counts.entry(key).or_default();
    match fault {
        Fault::Pass | Fault::Delay(_) => {}
        Fault::Throttling => count.throttled += 1,
        _ => count.faulted += 1,
    }
    fault
}

async fn handle(mut client: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let Some((mut buf, body_at)) = read_head(&mut client).await else {
        return Ok(());
    };
    let Some(head) = parse_head(&buf[..body_at]) else {
        return Ok(());
    };
    let length: usize = head
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_REQUEST {
        return Ok(());
    }
    let mut chunk = [0u8; 8192];
    while buf.len() < body_at + length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[body_at..body_at + length].to_vec();
    let (service, action) = classify(&head, &body);
    match decide(&shared, service, &action) {
        Fault::Pass | Fault::TokenBucket { .. } => {
            forward(client, &head, &body, &shared, service, &action).await
        }
        Fault::Delay(d) => {
            tokio::time::sleep(d).await;
            forward(client, &head, &body, &shared, service, &action).await
        }
        Fault::BlackHole => {
            hold(&mut client).await;
            Ok(())
        }
        Fault::Reset => {
            client.set_zero_linger()?;
            drop(client);
            Ok(())
        }
        Fault::Status(code) => answer(client, service, code, server_error(code), &action).await,
        Fault::Throttling => {
            let code = if service.json() {
                "ThrottlingException"
            } else {
                "Throttling"
            };
            answer(client, service, 400, (code, "Rate exceeded"), &action).await
        }
        Fault::ExpiredToken => {
            let code = if service.json() {
                "ExpiredTokenException"
            } else {
                "ExpiredToken"
            };
            let message = "The security token included in the request is expired";
            answer(client, service, 403, (code, message), &action).await
        }
        Fault::AccessDenied => {
            let code = if service.json() {
                "AccessDeniedException"
            } else {
                "AccessDenied"
            };
            let message = format!(
                "User: arn:aws:sts::123456789012:assumed-role/ReadOnly/e2e is not authorized to perform: {}:{action} because no identity-based policy allows the {}:{action} action",
                iam_prefix(service),
                iam_prefix(service)
            );
            answer(client, service, 403, (code, &message), &action).await
        }
    }
}

fn iam_prefix(service: Service) -> &'static str {
    match service {
        Service::Eb => "elasticbeanstalk",
        Service::Cfn => "cloudformation",
        Service::Logs => "logs",
        Service::Other => "unknown",
    }
}

fn server_error(code: u16) -> (&'static str, &'static str) {
    match code {
        503 => (
            "ServiceUnavailable",
            "Service is unavailable. Please try again.",
        ),
        _ => (
            "InternalFailure",
            "The request processing has failed because of an unknown error.",
        ),
    }
}

/// Keeps a connection open and silent until the client closes it.
async fn hold(client: &mut TcpStream) {
    let mut sink = [0u8; 4096];
    while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// Answers an AWS-style error in the service's protocol, then closes.
async fn answer(
    mut client: TcpStream,
    service: Service,
    status: u16,
    (code, message): (&str, &str),
    action: &str,
) -> std::io::Result<()> {
    let request_id = format!("fault-{:016x}", rand_id(action));
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let (content_type, extra, body) = if service.json() {
        (
            "application/x-amz-json-1.1",
            format!("x-amzn-ErrorType: {code}\r\n"),
            format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
        )
    } else {
        let kind = if status >= 500 { "Receiver" } else { "Sender" };
        (
            "text/xml",
            String::new(),
            format!(
                "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            ),
        )
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: {request_id}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    );
    client.write_all(response.as_bytes()).await?;
    client.shutdown().await
}

fn rand_id(action: &str) -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    action
        .bytes()
        .fold(n.wrapping_mul(0x9E37_79B9_7F4A_7C15), |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
        })
}

/// A head with its `Connection` headers replaced by `Connection: close`.
fn closing_head(lines: &[String]) -> Vec<u8> {
    let mut out = String::new();
    for line in lines {
        let name = line.split(':').next().unwrap_or("").trim();
        if name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("keep-alive") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

/// Forwards one request to moto and streams the answer back as it comes.
async fn forward(
    mut client: TcpStream,
    head: &Head,
    body: &[u8],
    shared: &Shared,
    service: Service,
    action: &str,
) -> std::io::Result<()> {
    let mut upstream = match TcpStream::connect(shared.upstream).await {
        Ok(s) => s,
        Err(_) => {
            return answer(
                client,
                service,
                503,
                server_error(503),
                "upstream-unreachable",
            )
            .await;
        }
    };
    upstream.write_all(&closing_head(&head.lines)).await?;
    upstream.write_all(body).await?;

    let Some((buf, body_at)) = read_head(&mut upstream).await else {
        client.set_zero_linger()?;
        return Ok(());
    };
    let Some(response) = parse_head(&buf[..body_at]) else {
        client.set_zero_linger()?;
        return Ok(());
    };
    client.write_all(&closing_head(&response.lines)).await?;
    client.write_all(&buf[body_at..]).await?;

    // Stream the rest; stop forwarding (and hold) once a black-hole covers this API, and stop
    // when the client goes away.
    let (mut client_read, mut client_write) = client.into_split();
    let stream = async {
        let mut generation = shared.generation.load(Ordering::SeqCst);
        let mut chunk = vec![0u8; 16 * 1024];
        loop {
            let n = upstream.read(&mut chunk).await?;
            if n == 0 {
                return client_write.shutdown().await;
            }
            let now = shared.generation.load(Ordering::SeqCst);
            if now != generation {
                generation = now;
                if current_rule(shared, service, action) == Fault::BlackHole {
                    std::future::pending::<()>().await;
                }
            }
            client_write.write_all(&chunk[..n]).await?;
        }
    };
    let gone = async {
        let mut sink = [0u8; 1024];
        while matches!(client_read.read(&mut sink).await, Ok(n) if n > 0) {}
    };
    tokio::select! {
        r = stream => r,
        () = gone => Ok(()),
    }
}

/// The rule that covers (service, action) now, without counting anything.
fn current_rule(shared: &Shared, service: Service, action: &str) -> Fault {
    let s = lock(shared);
    s.rules
        .get(&Scope::Action(service, action.to_string()))
        .or_else(|| s.rules.get(&Scope::Service(service)))
        .or_else(|| s.rules.get(&Scope::All))
        .cloned()
        .unwrap_or(Fault::Pass)
}
