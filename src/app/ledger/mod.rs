//! The operations ledger: every operation on every environment, read from Elastic Beanstalk's
//! events grouped by request id, whether ebtui watched it or not. Pure.
//!
//! Why request ids: every event an API call causes carries the call's RequestId, so the events of
//! one deploy stay together even when two operations overlap, a local clock is skewed, or ebtui
//! started after the operation ended. Events without one (health transitions, instances added by
//! Auto Scaling) belong to the environment, not to an operation.
//!
//! An outcome is decided only from the operation's own events (`classify`); missing evidence is
//! `Unknown`, never `Succeeded`.

pub mod classify;
pub mod rollback;

use crate::domain::{EnvEvent, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Someone asked to abort it.
    Aborted,
    /// A failed configuration change that Elastic Beanstalk rolled back.
    Reverted,
    CompletedWithErrors,
    /// No end event yet, and the environment is still busy.
    InProgress,
    /// No end event, and the environment settled (events unreadable, history cut).
    Unknown,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Aborted => "aborted",
            Outcome::Reverted => "reverted",
            Outcome::CompletedWithErrors => "completed with errors",
            Outcome::InProgress => "in progress",
            Outcome::Unknown => "unknown",
        }
    }

    /// A bad end: shown in warning colours, announced louder.
    pub fn is_bad(&self) -> bool {
        matches!(
            self,
            Outcome::Failed | Outcome::Aborted | Outcome::Reverted | Outcome::CompletedWithErrors
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    Create,
    Deploy,
    Configuration,
    /// An environment update whose events do not (yet) say whether it deploys or configures.
    Update,
    Restart,
    Rebuild,
    Swap,
    Terminate,
    Abort,
    PlatformUpdate,
    Other,
}

impl OpKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            OpKind::Create => "create",
            OpKind::Deploy => "deploy",
            OpKind::Configuration => "config",
            OpKind::Update => "update",
            OpKind::Restart => "restart",
            OpKind::Rebuild => "rebuild",
            OpKind::Swap => "swap",
            OpKind::Terminate => "terminate",
            OpKind::Abort => "abort",
            OpKind::PlatformUpdate => "platform update",
            OpKind::Other => "operation",
        }
    }
}

/// One operation, as its events tell it.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub request_id: String,
    pub env: String,
    pub kind: OpKind,
    /// The version it deployed, when its events name one.
    pub version: Option<String>,
    /// Its first and last events.
    pub started: Millis,
    pub last: Millis,
    /// What its events tell; None while they tell no end.
    pub told: Option<Outcome>,
    /// Batches started so far, and instances per batch (from `Batch n: Starting ... [ids]`).
    pub batch: Option<u32>,
    pub batch_size: Option<u32>,
    pub events: usize,
}

impl Operation {
    /// The outcome to show: what the events tell, else in progress while the environment is busy
    /// and this is its newest operation, else unknown.
    pub fn outcome(&self, busy_newest: bool) -> Outcome {
        match self.told {
            // A failed configuration change is rolled back before it ends: while the environment
            // is still busy with it, "reverted" may yet come.
            Some(Outcome::Failed) if busy_newest && self.kind == OpKind::Configuration => {
                Outcome::InProgress
            }
            Some(o) => o,
            None if busy_newest => Outcome::InProgress,
            None => Outcome::Unknown,
        }
    }

    /// When it ended (its last event), if its events tell an end.
    pub fn ended(&self) -> Option<Millis> {
        self.told.map(|_| self.last)
    }
}

/// Time left for an operation of `kind` running for `elapsed`, from the environment's last five
/// successful operations of the same kind: the median time per batch times the batches (when the
/// batch count is known), else the median duration. None without history to go by.
pub fn eta(
    history: &[Operation],
    kind: OpKind,
    elapsed: Millis,
    batches: Option<u32>,
) -> Option<Millis> {
    let done: Vec<&Operation> = history
        .iter()
        .rev()
        .filter(|o| o.kind == kind && o.told == Some(Outcome::Succeeded) && o.last > o.started)
        .take(5)
        .collect();
    let median = |mut v: Vec<Millis>| -> Option<Millis> {
        v.sort_unstable();
        v.get(v.len() / 2).copied()
    };
    let total = match batches {
        Some(m) if m > 0 && done.iter().any(|o| o.batch.is_some()) => {
            let per_batch = median(
                done.iter()
                    .filter_map(|o| Some((o.last - o.started) / o.batch? as Millis))
                    .collect(),
            )?;
            per_batch * m as Millis
        }
        _ => median(done.iter().map(|o| o.last - o.started).collect())?,
    };
    Some((total - elapsed).max(0))
}

/// A duration for people: "40 s", "5 m", "4 h 5 m", "2 d 23 h".
pub fn span(ms: Millis) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} m"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} m"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// Group one environment's events (any order) into operations by request id, oldest first.
pub fn operations(events: &[EnvEvent]) -> Vec<Operation> {
    let mut groups: Vec<(String, Vec<&EnvEvent>)> = Vec::new();
    for e in events {
        let Some(rid) = e.request_id.as_deref().filter(|r| !r.is_empty()) else {
            continue;
        };
        match groups.iter_mut().find(|(r, _)| r == rid) {
            Some((_, evs)) => evs.push(e),
            None => groups.push((rid.to_string(), vec![e])),
        }
    }
    let mut ops: Vec<Operation> = groups
        .into_iter()
        .map(|(rid, mut evs)| {
            evs.sort_by_key(|e| e.ts);
            operation(rid, &evs)
        })
        .collect();
    ops.sort_by_key(|o| (o.started, o.last));
    // An abort has its own request id: the update it stopped ends without an end sentence of
    // its own. A person asked to abort it, so that is its outcome.
    let aborts: Vec<Millis> = ops
        .iter()
        .filter(|o| o.kind == OpKind::Abort)
        .map(|o| o.started)
        .collect();
    for o in ops
        .iter_mut()
        .filter(|o| o.told.is_none() && o.kind != OpKind::Abort)
    {
        if let Some(at) = aborts.iter().find(|at| **at >= o.started) {
            o.told = Some(Outcome::Aborted);
            o.last = o.last.max(*at);
        }
    }
    ops
}

fn operation(request_id: String, evs: &[&EnvEvent]) -> Operation {
    let (mut batch, mut batch_size) = (None, None);
    for e in evs {
        if let Some((n, ids)) = parse_batch_start(&e.message) {
            batch = Some(n);
            if n == 1 || batch_size.is_none() {
                batch_size = Some(ids.max(1));
            }
        }
    }
    let kind = classify::kind(evs);
    Operation {
        request_id,
        env: evs.first().map(|e| e.env.clone()).unwrap_or_default(),
        kind,
        version: evs.iter().rev().find_map(|e| e.version.clone()),
        started: evs.first().map_or(0, |e| e.ts),
        last: evs.last().map_or(0, |e| e.ts),
        told: classify::outcome(evs),
        batch,
        batch_size,
        events: evs.len(),
    }
}

/// "Batch 2: Starting application deployment on instance(s) [i-1, i-2]." -> (2, 2)
pub fn parse_batch_start(msg: &str) -> Option<(u32, u32)> {
    let rest = msg.strip_prefix("Batch ")?;
    let (n, rest) = rest.split_once(':')?;
    let n: u32 = n.trim().parse().ok()?;
    if !rest.contains("Starting") {
        return None;
    }
    let ids = rest
        .split_once('[')
        .and_then(|(_, r)| r.split_once(']'))
        .map(|(ids, _)| ids.split(',').filter(|s| !s.trim().is_empty()).count() as u32);
    Some((n, ids.unwrap_or(0)))
}

/// The environment's operations, newest last, with the outcome each shows now.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    by_env: std::collections::HashMap<String, Vec<Operation>>,
}

impl Ledger {
    /// Re-read an environment's operations from all its events known now.
    pub fn refresh(&mut self, env: &str, events: &[EnvEvent]) {
        self.by_env.insert(env.to_string(), operations(events));
    }

    pub fn of(&self, env: &str) -> &[Operation] {
        self.by_env.get(env).map_or(&[], Vec::as_slice)
    }

    pub fn last(&self, env: &str) -> Option<&Operation> {
        self.of(env).last()
    }

    pub fn by_request(&self, env: &str, request_id: &str) -> Option<&Operation> {
        self.of(env).iter().find(|o| o.request_id == request_id)
    }
}
