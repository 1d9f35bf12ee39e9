//! Known failure signatures: lines that say why requests fail, what that means and what to do.
//! Adding one is a row in [`TABLE`] plus `tests/fixtures/signatures/<id>.txt` holding real lines
//! (with their source) that `tests/triage_signatures.rs` runs through the table.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

/// Which part of the request path a signature speaks of; orders findings and names the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A deployment step failed on an instance (eb-engine).
    Deploy,
    /// nginx could not reach, or lost, the application.
    Upstream,
    /// The load balancer answered itself: no instance's proxy saw the request.
    LoadBalancer,
    /// The application server (gunicorn, uvicorn, Node.js, the JVM) failed.
    AppServer,
    /// Memory ran out.
    Memory,
    /// A request the proxy refused by rule.
    Limit,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deploy => "deploy",
            Kind::Upstream => "upstream",
            Kind::LoadBalancer => "load balancer",
            Kind::AppServer => "app server",
            Kind::Memory => "memory",
            Kind::Limit => "limit",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Signature {
    /// Stable name; also the fixture's file name.
    pub id: &'static str,
    /// A regex (Rust syntax). A capture group named `step` is quoted in the finding.
    pub pattern: &'static str,
    pub kind: Kind,
    /// What the line is, in a few words, as it reads in the log ("connect() failed (111: ...)").
    pub title: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// What to do next.
    pub next: &'static str,
    /// How much it explains a 5xx when it is there: findings are ranked by it, then by count.
    pub weight: u8,
}

/// The table. Order does not matter for matching; a line may match several rows.
pub const TABLE: &[Signature] = &[
    Signature {
        id: "eb_engine_app_deploy",
        pattern: r"(?:\[ERROR\] )?An error occurred during execution of command \[app-deploy\] - \[(?P<step>[^\]]+)\]",
        kind: Kind::Deploy,
        title: "eb-engine: app-deploy failed",
        meaning: "the deployment failed on the instance at this step; the new version never started there",
        next: "read eb-engine.log around the step (and cfn-init.log for .ebextensions commands), fix the bundle, deploy again or roll back",
        weight: 95,
    },
    Signature {
        id: "nginx_connection_refused",
        pattern: r"connect\(\) failed \(111: Connection refused\) while connecting to upstream",
        kind: Kind::Upstream,
        title: "nginx: connect() failed (111: Connection refused)",
        meaning: "nothing listens on the upstream port: the application did not start, crashed, or listens on another port",
        next: "check web.stdout.log for the crash, the Procfile, and that the app binds to the port nginx proxies to (PORT, 8080 on Node.js, 8000 on Python)",
        weight: 90,
    },
    Signature {
        id: "nginx_no_live_upstreams",
        pattern: r"no live upstreams while connecting to upstream",
        kind: Kind::Upstream,
        title: "nginx: no live upstreams",
        meaning: "nginx marked every upstream server down after failures; requests fail at once",
        next: "find the first failures before this (connection refused, timeouts) and fix the application",
        weight: 85,
    },
    Signature {
        id: "nginx_upstream_closed",
        pattern: r"upstream prematurely closed connection",
        kind: Kind::Upstream,
        title: "nginx: upstream prematurely closed connection",
        meaning: "the application closed the connection before answering: a worker crashed or was killed mid-request",
        next: "look for worker crashes, OOM kills or timeouts in the application's log at the same seconds",
        weight: 80,
    },
    Signature {
        id: "nginx_upstream_timeout",
        pattern: r"upstream timed out \(110: Connection timed out\)",
        kind: Kind::Upstream,
        title: "nginx: upstream timed out (110) -> 504",
        meaning: "the application took longer than proxy_read_timeout (60 s by default) to answer; nginx returned 504",
        next: "find the slow paths (the paths table), their queries or calls; raise the timeout only for known long requests",
        weight: 70,
    },
    Signature {
        id: "nginx_body_too_large",
        pattern: r"client intended to send too large body",
        kind: Kind::Limit,
        title: "nginx: client intended to send too large body -> 413",
        meaning: "a request body was over client_max_body_size (1 MB by default); nginx answered 413 without calling the app",
        next: "raise client_max_body_size in .platform/nginx/conf.d/ if such uploads are expected",
        weight: 30,
    },
    Signature {
        id: "lb_5xx_no_target",
        // type time elb client:port target:port 3 timings, then elb_status_code target_status_code.
        pattern: r#"^(?:https?|h2|grpcs|wss?) \S+ \S+ \S+ \S+ \S+ \S+ \S+ (50[234]) - "#,
        kind: Kind::LoadBalancer,
        title: "load balancer 5xx with no target response",
        meaning: "the load balancer answered itself: no instance answered (none healthy, connection reset, or its idle timeout passed)",
        next: "check target health and that the load balancer's idle timeout is shorter than the app's keep-alive",
        weight: 75,
    },
    Signature {
        id: "gunicorn_worker_timeout",
        pattern: r"\[CRITICAL\] WORKER TIMEOUT",
        kind: Kind::AppServer,
        title: "gunicorn: WORKER TIMEOUT",
        meaning: "a gunicorn worker was silent longer than --timeout (30 s) and was killed; its request failed",
        next: "find the slow request; raise --timeout only for known long requests, or use more workers or threads",
        weight: 80,
    },
    Signature {
        id: "gunicorn_worker_exiting",
        pattern: r"\[INFO\] Worker exiting \(pid: ?\d+\)",
        kind: Kind::AppServer,
        title: "gunicorn: Worker exiting",
        meaning: "gunicorn workers are stopping: a restart, a deploy, or workers dying",
        next: "if it repeats without a deploy, look for the error just before it",
        weight: 40,
    },
    Signature {
        id: "gunicorn_address_in_use",
        pattern: r"\[ERROR\] Connection in use: |\[ERROR\] Can't connect to \(|\[Errno 98\] error while attempting to bind on address",
        kind: Kind::AppServer,
        title: "gunicorn/uvicorn: address already in use",
        meaning: "another process holds the port, so the app server cannot listen: an old process is still running, or two processes use one port",
        next: "check the Procfile starts one server, and that nothing else binds the port",
        weight: 85,
    },
    Signature {
        id: "python_import_error",
        pattern: r"ModuleNotFoundError: No module named|ImportError: Failed to find application|HaltServer 'Worker failed to boot\.'",
        kind: Kind::AppServer,
        title: "Python: the app failed to import at boot",
        meaning: "the application module could not be imported: a missing dependency or a wrong WSGIPath / Procfile module",
        next: "check requirements.txt and the module path in the Procfile (module:variable, dots not slashes)",
        weight: 90,
    },
    Signature {
        id: "oom_killer",
        pattern: r"Out of memory: Kill(?:ed)? process \d+|oom-kill:",
        kind: Kind::Memory,
        title: "kernel: Out of memory: Killed process",
        meaning: "the kernel killed a process to free memory; the application was restarted or is gone",
        next: "compare the process's anon-rss to the instance's memory; use a bigger instance type or fewer workers",
        weight: 90,
    },
    Signature {
        id: "node_eaddrinuse",
        pattern: r"EADDRINUSE",
        kind: Kind::AppServer,
        title: "Node.js: EADDRINUSE",
        meaning: "the Node.js server cannot listen: the port is taken by another process",
        next: "listen on process.env.PORT, and start one server only",
        weight: 85,
    },
    Signature {
        id: "node_unhandled_error",
        pattern: r"UnhandledPromiseRejection|throw er; // Unhandled 'error' event",
        kind: Kind::AppServer,
        title: "Node.js: unhandled error",
        meaning: "an error nobody caught; since Node.js 15 it ends the process, so requests fail until it restarts",
        next: "read the stack after it in web.stdout.log and handle the error",
        weight: 80,
    },
    Signature {
        id: "java_oom",
        pattern: r"java\.lang\.OutOfMemoryError",
        kind: Kind::Memory,
        title: "Java: OutOfMemoryError",
        meaning: "the JVM ran out of heap (or metaspace); it is failing requests or about to exit",
        next: "set -Xmx to fit the instance, look for a leak, or use a bigger instance type",
        weight: 85,
    },
];

/// The compiled table: one pass of a `RegexSet` per line, then the row's own regex only to
/// read a `step` capture.
pub struct Matcher {
    set: RegexSet,
    each: Vec<Regex>,
}

impl Matcher {
    fn new() -> Self {
        let set = RegexSet::new(TABLE.iter().map(|s| s.pattern)).expect("signature patterns");
        let each = TABLE
            .iter()
            .map(|s| Regex::new(s.pattern).expect("signature pattern"))
            .collect();
        Self { set, each }
    }

    /// The table, compiled once.
    pub fn get() -> &'static Matcher {
        static M: OnceLock<Matcher> = OnceLock::new();
        M.get_or_init(Matcher::new)
    }

    /// Indexes into [`TABLE`] of the rows `line` matches.
    pub fn matches(&self, line: &str) -> Vec<usize> {
        self.set.matches(line).into_iter().collect()
    }

    /// The `step` capture of row `i` in `line`, if the row has one.
    pub fn detail(&self, i: usize, line: &str) -> Option<String> {
        let re = self.each.get(i)?;
        re.captures(line)?
            .name("step")
            .map(|m| m.as_str().to_string())
    }
}

/// The row named `id`.
pub fn by_id(id: &str) -> Option<&'static Signature> {
    TABLE.iter().find(|s| s.id == id)
}
