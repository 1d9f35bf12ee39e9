//! Traffic log lines: what nginx, the Node.js app, the SQS daemon and the health agent write,
//! generated per instance and second from a pure pseudo-random stream and the instance's phase.
//!
//! Volume is sampled: an instance serving 100 requests a second logs about ten of them, so a demo
//! at 20x stays readable while the mix of paths and status codes follows the metrics.

use crate::domain::{Millis, Tier};

use super::health::instance_status;
use super::metrics::rate;
use super::model::{Env, HEALTH_PERIOD, Instance, LogFile, Phase, SEC};
use super::requests::{access_line, alb_ip, chance_per_mille, offsets, requests, rng_for, sampled};
use super::rng::{Rng, hash_str};
use super::timefmt::{iso_secs, nginx_error_time, syslog_time};

/// Seconds between two crashes of a crash-looping app (systemd restarts it).
const CRASH_PERIOD: i64 = 6;

pub(crate) fn lines_at(
    seed: u64,
    env: &Env,
    inst: &Instance,
    file: LogFile,
    sec: i64,
) -> Vec<(Millis, String)> {
    let t = sec * SEC;
    let Some(phase) = inst.phase_at(t) else {
        return Vec::new();
    };
    match file {
        // Written when deployments run (see `engine`), never generated.
        LogFile::Engine | LogFile::Hooks => Vec::new(),
        LogFile::Access => requests(seed, env, inst, phase, sec)
            .into_iter()
            .map(|r| (r.ts, access_line(env, inst, &r)))
            .collect(),
        LogFile::Error => error_lines(seed, env, inst, phase, sec),
        LogFile::Stdout => stdout_lines(seed, env, inst, phase, sec),
        LogFile::Sqsd => sqsd_lines(seed, env, inst, phase, sec),
        LogFile::Health => health_line(env, inst, sec).into_iter().collect(),
    }
}

fn nginx_pid(inst: &Instance) -> u64 {
    2_600 + hash_str(&inst.id) % 400
}

fn error_lines(
    seed: u64,
    env: &Env,
    inst: &Instance,
    phase: &Phase,
    sec: i64,
) -> Vec<(Millis, String)> {
    let pid = nginx_pid(inst);
    let conn = |i: usize| (sec.rem_euclid(100_000) as u64) * 7 + i as u64;
    let host = &env.host;
    if let Phase::Serving { broken: true, .. } = phase {
        return requests(seed, env, inst, phase, sec)
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
    if env.slow_at(sec * SEC) {
        return requests(seed, env, inst, phase, sec)
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == 504)
            .map(|(i, r)| (r.ts, timed_out_line(env, pid, conn(i), r)))
            .collect();
    }
    // A healthy proxy logs rarely: decide first, so quiet seconds cost no request generation.
    let mut rng = rng_for(seed, inst, sec, 0xE7707);
    let (timeout, buffered) = (chance_per_mille(&mut rng, 1), chance_per_mille(&mut rng, 2));
    if !timeout && !buffered {
        return Vec::new();
    }
    let reqs = requests(seed, env, inst, phase, sec);
    let Some(r) = reqs.iter().find(|r| !r.ua.starts_with("ELB")) else {
        return Vec::new();
    };
    if timeout {
        return vec![(r.ts, timed_out_line(env, pid, conn(0), r))];
    }
    if buffered {
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

/// nginx gave up waiting for the application's answer (`proxy_read_timeout`).
fn timed_out_line(env: &Env, pid: u64, conn: u64, r: &super::requests::Req) -> String {
    format!(
        "{} [error] {pid}#{pid}: *{conn} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {}, server: , request: \"{} {} HTTP/1.1\", upstream: \"http://127.0.0.1:8080{}\", host: \"{}\"",
        nginx_error_time(r.ts),
        alb_ip(env, r),
        r.method,
        r.path,
        r.path,
        env.host
    )
}

/// `storefront@1.4.4`: the package the app's `npm start` prints.
fn package(env: &Env, version: &str) -> String {
    let name = if env.tier == Tier::Worker {
        format!("{}-worker", env.app)
    } else {
        env.app.clone()
    };
    let v = version.trim_start_matches('v');
    let v = if v.starts_with(|c: char| c.is_ascii_digit()) {
        v.to_string()
    } else {
        format!("0.0.0{v}")
    };
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

const JOBS: [&str; 4] = [
    "send-order-confirmation",
    "sync-inventory",
    "generate-invoice-pdf",
    "reindex-product",
];

fn stdout_lines(
    seed: u64,
    env: &Env,
    inst: &Instance,
    phase: &Phase,
    sec: i64,
) -> Vec<(Millis, String)> {
    let out = Stdout::new(seed, env, inst, sec);
    let mut rng = rng_for(seed, inst, sec, 0x57D0);
    match phase {
        Phase::Serving {
            version,
            broken: true,
        } => out.crash_loop(version),
        Phase::Serving {
            version,
            broken: false,
        } => {
            if out.age == 0 {
                out.started(version)
            } else if env.tier == Tier::Worker {
                out.jobs(&mut rng)
            } else {
                out.request(phase, &mut rng)
            }
        }
        Phase::Restarting if out.age == 0 => {
            vec![(
                out.t + 50,
                out.pino(
                    out.t + 50,
                    out.pid.saturating_sub(37),
                    "\"msg\":\"SIGTERM received, closing server\"",
                ),
            )]
        }
        _ => Vec::new(),
    }
}

/// One second of `web.stdout.log` for one instance: the journal's prefix, the app's pino JSON
/// lines and npm's start banner.
struct Stdout<'a> {
    seed: u64,
    env: &'a Env,
    inst: &'a Instance,
    sec: i64,
    t: Millis,
    /// Whole seconds since the instance's phase began.
    age: i64,
    /// The app's process id in this phase.
    pid: u64,
    host: String,
    script: &'static str,
}

impl<'a> Stdout<'a> {
    fn new(seed: u64, env: &'a Env, inst: &'a Instance, sec: i64) -> Self {
        let t = sec * SEC;
        let since = inst.phase_since(t).unwrap_or(t);
        // A new process per phase change (deploy, restart), and per crash while crash-looping.
        let phase_no = inst.phases.partition_point(|(at, _)| *at <= t) as u64;
        Stdout {
            seed,
            env,
            inst,
            sec,
            t,
            age: sec - since.div_euclid(SEC),
            pid: 3_000 + hash_str(&inst.id) % 2_000 + phase_no * 37,
            host: hostname(inst),
            script: if env.tier == Tier::Worker {
                "node worker.js"
            } else {
                "node server.js"
            },
        }
    }

    fn prefix(&self, ts: Millis, pid: u64) -> String {
        format!("{} {} web[{pid}]: ", syslog_time(ts), self.host)
    }

    fn pino(&self, ts: Millis, pid: u64, rest: &str) -> String {
        format!(
            "{}{{\"level\":30,\"time\":{ts},\"pid\":{pid},\"hostname\":\"{}\",{rest}}}",
            self.prefix(ts, pid),
            self.host
        )
    }

    fn banner(&self, ts: Millis, pid: u64, version: &str) -> Vec<(Millis, String)> {
        vec![
            (
                ts,
                format!(
                    "{}> {} start",
                    self.prefix(ts, pid),
                    package(self.env, version)
                ),
            ),
            (ts, format!("{}> {}", self.prefix(ts, pid), self.script)),
            (ts, self.prefix(ts, pid)),
        ]
    }

    /// A crash-looping app: it starts, dies a second later, and systemd starts it again.
    fn crash_loop(&self, version: &str) -> Vec<(Millis, String)> {
        let (t, age) = (self.t, self.age);
        let cycle = age.div_euclid(CRASH_PERIOD) as u64;
        let pid = self.pid + cycle * 3;
        match age.rem_euclid(CRASH_PERIOD) {
            0 => self.banner(t + 100, pid, version),
            1 => CRASH
                .iter()
                .map(|l| (t + 200, format!("{}{l}", self.prefix(t + 200, pid))))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The first second in service: the banner, then the app says it listens.
    fn started(&self, version: &str) -> Vec<(Millis, String)> {
        let t = self.t;
        let mut out = self.banner(t + 100, self.pid, version);
        let what = if self.env.tier == Tier::Worker {
            "Worker listening on port 8080"
        } else {
            "Server listening on port 8080"
        };
        out.push((
            t + 400,
            self.pino(t + 400, self.pid, &format!("\"msg\":\"{what}\"")),
        ));
        out
    }

    /// A worker logs the jobs the SQS daemon hands it.
    fn jobs(&self, rng: &mut Rng) -> Vec<(Millis, String)> {
        let rate = rate(self.seed, self.env, &self.inst.id, self.t).min(3.0);
        let n = sampled(rate, rng);
        offsets(rng, self.sec, n)
            .into_iter()
            .map(|ts| {
                let job = rng.pick(&JOBS);
                let ms = 20 + rng.below(400);
                let id = rng.uuid();
                (ts, self.pino(ts, self.pid, &format!("\"job\":\"{job}\",\"messageId\":\"{id}\",\"ms\":{ms},\"msg\":\"job done\"")))
            })
            .collect()
    }

    /// A web app logs one request in a few (its logger samples too), as nginx saw it.
    fn request(&self, phase: &Phase, rng: &mut Rng) -> Vec<(Millis, String)> {
        if !chance_per_mille(rng, 600) {
            return Vec::new();
        }
        let reqs = requests(self.seed, self.env, self.inst, phase, self.sec);
        let Some(r) = reqs.iter().find(|r| !r.ua.starts_with("ELB")) else {
            return Vec::new();
        };
        let level = if r.status >= 500 { 50 } else { 30 };
        let line = self
            .pino(
                r.ts,
                self.pid,
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
}

fn sqsd_lines(
    seed: u64,
    env: &Env,
    inst: &Instance,
    phase: &Phase,
    sec: i64,
) -> Vec<(Millis, String)> {
    let Phase::Serving { broken, .. } = phase else {
        return Vec::new();
    };
    let mut rng = rng_for(seed, inst, sec, 0x5A5D);
    let n = sampled(
        (rate(seed, env, &inst.id, sec * SEC) * 0.4).min(3.0),
        &mut rng,
    );
    offsets(&mut rng, sec, n)
        .into_iter()
        .map(|ts| {
            let line = if *broken {
                format!(
                    "{} http-err: {} ({}) 502 - 0.001",
                    iso_secs(ts),
                    rng.uuid(),
                    1 + rng.below(5)
                )
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
    let changed = inst.live_at(t - HEALTH_PERIOD)
        && instance_status(env, inst, t - HEALTH_PERIOD).0 != status;
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
