//! The poll planner: a pure function of what is shown, what is moving, and what is in flight.
//!
//! One account-wide events stream feeds every timeline and the operations ledger: every 5 s
//! while any environment is changing, every 20 s when all is Ready; the environment list every
//! 7.5 s / 30 s (the events carry the news; the list adds status and health colour). Only the
//! shown environment costs more, and only what a visible pane
//! draws: its instance health at Elastic Beanstalk's 10 s refresh while it is busy (20 s
//! otherwise), its stack events while CloudFormation can be acting on it (launch, terminate,
//! configuration change, immutable or traffic-splitting deploy), its older events once. A poll
//! never starts while the same one is in flight; reads due together go out one per service per
//! tick. Throttling backs off per API, exponentially, with jitter; a read answered AccessDenied
//! rests for `denied_pause`; another failing read is tried again within 8 s.

use std::collections::{HashMap, HashSet};

use crate::cloud::{Api, PollKey};
use crate::domain::Millis;

#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    pub envs_fast: Millis,
    pub envs_slow: Millis,
    pub account_events_fast: Millis,
    pub account_events_slow: Millis,
    pub events_fast: Millis,
    pub events_slow: Millis,
    pub health_fast: Millis,
    pub health_slow: Millis,
    pub versions: Millis,
    pub history: Millis,
    pub log_groups: Millis,
    /// First back-off after a throttle; doubles each time up to `backoff_max`.
    pub backoff_base: Millis,
    pub backoff_max: Millis,
    /// How long an API that answered AccessDenied rests before it is tried again.
    pub denied_pause: Millis,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            envs_fast: 7_500,
            envs_slow: 30_000,
            account_events_fast: 5_000,
            account_events_slow: 20_000,
            events_fast: 2_500,
            events_slow: 20_000,
            health_fast: 10_000,
            health_slow: 20_000,
            versions: 300_000,
            history: 120_000,
            log_groups: 180_000,
            backoff_base: 5_000,
            backoff_max: 120_000,
            denied_pause: 300_000,
        }
    }
}

/// Per-API back-off after throttling.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Backoff {
    pub level: u32,
    pub until: Millis,
}

/// What the schedule needs to know about the app, gathered by the caller.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Environments whose events, stack events and health a pane shows (the selected one).
    pub shown_env: Option<String>,
    /// Environments with an operation being tracked (ours or detected).
    pub tracked_envs: Vec<String>,
    /// Some environment is Launching/Updating/Terminating, or one of our operations is in flight:
    /// the account-wide reads go fast.
    pub busy: bool,
    /// The shown environment is changing, or has an operation tracked: its health goes fast.
    pub shown_busy: bool,
    /// CloudFormation can be acting on the shown environment: its stack events are polled.
    pub stack_active: bool,
    /// The shown environment's own older events have not been read yet.
    pub history_unread: bool,
    /// The shown environment's stack events have not been read yet.
    pub stack_unread: bool,
    pub timeline_visible: bool,
    pub health_visible: bool,
    /// The selected environment's application, when the deploy picker or rollback needs versions.
    pub versions_app: Option<String>,
    /// The shown environment's log groups are not known yet (the first read failed).
    pub log_groups_unknown: bool,
    /// The shown environment has no log groups: streaming may be turned on while ebtui runs, so
    /// they are read again now and then.
    pub log_groups_empty: bool,
}

/// Reads a minute each API family may start, whatever the paces ask: a ceiling the planner never
/// passes (the paces stay well under it; it holds when something unforeseen asks too often).
pub const BUDGET_PER_MIN: [(Api, usize); 4] = [
    (Api::ElasticBeanstalk, 36),
    (Api::Health, 12),
    (Api::CloudFormation, 24),
    (Api::Logs, 12),
];

fn budget(api: Api) -> usize {
    BUDGET_PER_MIN
        .iter()
        .find(|(a, _)| *a == api)
        .map_or(usize::MAX, |(_, n)| *n)
}

/// The least time between two reads started on one service by the planner.
const SERVICE_SPACING: Millis = 700;

/// The longest a failing read rests before it is tried again.
const FAILED_RETRY_MAX: Millis = 8_000;

/// Reads started over the last minute: (when, API family).
#[derive(Debug, Clone, Default)]
struct Started(std::collections::VecDeque<(Millis, Api)>);

impl Started {
    fn trim(&mut self, now: Millis) {
        while self.0.front().is_some_and(|(t, _)| now - t >= 60_000) {
            self.0.pop_front();
        }
    }

    fn count(&self, api: Api) -> usize {
        self.0.iter().filter(|(_, a)| *a == api).count()
    }

    /// When the last read on `service` started.
    fn back_matching(&self, service: &str) -> Option<Millis> {
        self.0
            .iter()
            .rev()
            .find(|(_, a)| a.service() == service)
            .map(|(t, _)| *t)
    }
}

/// How a poll ended, for the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    Ok,
    Throttled,
    /// AccessDenied: no permission for this action.
    Denied,
    /// AWS could not be reached or the credentials stopped working: tried again within seconds,
    /// whatever the read's interval, so the screen recovers as soon as they are back.
    Unreachable,
    /// Any other error: tried again later and later, at most at the read's own pace.
    Failed,
}

#[derive(Debug, Clone, Default)]
pub struct Schedule {
    pub intervals: Intervals,
    last_started: HashMap<PollKey, Millis>,
    in_flight: HashSet<PollKey>,
    backoff: HashMap<Api, Backoff>,
    /// Reads resting after an error, until then.
    resting: HashMap<PollKey, Millis>,
    /// Consecutive failures of a read (not throttling, not denied, AWS reachable).
    failures: HashMap<PollKey, u32>,
    /// Consecutive failures of a read because AWS could not be reached.
    unreachable: HashMap<PollKey, u32>,
    /// Reads started over the last minute, for the budget per API and the spacing per service.
    started: Started,
}

impl Schedule {
    pub fn new(intervals: Intervals) -> Self {
        Self {
            intervals,
            ..Default::default()
        }
    }

    /// The polls due now, in a stable order. Marks them in flight: the caller must emit them.
    pub fn due(&mut self, now: Millis, inp: &Inputs) -> Vec<PollKey> {
        let iv = &self.intervals;
        let pace = |busy: bool, fast: Millis, slow: Millis| if busy { fast } else { slow };
        let mut wanted: Vec<(PollKey, Millis)> = vec![
            (
                PollKey::Environments,
                pace(inp.busy, iv.envs_fast, iv.envs_slow),
            ),
            (
                PollKey::AccountEvents,
                pace(inp.busy, iv.account_events_fast, iv.account_events_slow),
            ),
        ];
        if let Some(env) = inp.shown_env.as_deref() {
            let env = env.to_string();
            if inp.timeline_visible && inp.history_unread {
                wanted.push((PollKey::Events(env.clone()), iv.events_slow));
            }
            if inp.timeline_visible && (inp.stack_active || inp.stack_unread) {
                let every = pace(inp.stack_active, iv.events_fast, iv.events_slow);
                wanted.push((PollKey::StackEvents(env.clone()), every));
            }
            if inp.health_visible {
                let every = pace(inp.shown_busy, iv.health_fast, iv.health_slow);
                wanted.push((PollKey::Health(env.clone()), every));
            }
            wanted.push((PollKey::History(env.clone()), iv.history));
            if inp.log_groups_unknown {
                wanted.push((PollKey::LogGroups(env), iv.events_slow));
            } else if inp.log_groups_empty {
                wanted.push((PollKey::LogGroups(env), iv.log_groups));
            }
        }
        if let Some(app) = &inp.versions_app {
            wanted.push((PollKey::Versions(app.to_string()), iv.versions));
        }
        self.started.trim(now);
        let mut out: Vec<PollKey> = Vec::new();
        for (key, every) in wanted {
            let api = key.api();
            if self.started.count(api) >= budget(api) {
                continue;
            }
            if self.in_flight.contains(&key) || out.contains(&key) {
                continue;
            }
            // One new read per service per tick, and a pause between two of Elastic Beanstalk's
            // (some of its reads are two calls): reads that fall due together (a selection, the
            // fast paces meeting) go out spread instead of as a burst a rate limit refuses.
            let service = key.api().service();
            if out.iter().any(|k| k.api().service() == service)
                || self
                    .started
                    .back_matching(service)
                    .is_some_and(|t| now - t < SERVICE_SPACING)
            {
                continue;
            }
            if self.backoff.get(&key.api()).is_some_and(|b| now < b.until)
                || self.resting.get(&key).is_some_and(|until| now < *until)
            {
                continue;
            }
            // A read that failed is tried again at its back-off's pace, not its usual interval,
            // so the screen recovers within seconds of the network or credentials coming back.
            let failing = self.unreachable.contains_key(&key);
            let due = failing
                || self
                    .last_started
                    .get(&key)
                    .is_none_or(|last| now - last >= every);
            if due {
                self.last_started.insert(key.clone(), now);
                self.in_flight.insert(key.clone());
                self.started.0.push_back((now, api));
                out.push(key);
            }
        }
        out
    }

    /// Ask for a poll now (the user selected an environment, an operation was accepted), unless it
    /// is in flight or its API is backing off. Returns whether the caller should emit it.
    pub fn force(&mut self, now: Millis, key: PollKey) -> bool {
        if self.in_flight.contains(&key)
            || self.backoff.get(&key.api()).is_some_and(|b| now < b.until)
            || self.resting.get(&key).is_some_and(|until| now < *until)
        {
            return false;
        }
        self.last_started.insert(key.clone(), now);
        self.started.0.push_back((now, key.api()));
        self.in_flight.insert(key);
        true
    }

    /// Per API: reads started over the last minute, and its budget (`:budget`).
    pub fn budget_use(&self, now: Millis) -> Vec<(Api, usize, usize)> {
        BUDGET_PER_MIN
            .iter()
            .map(|(api, n)| {
                let used = self
                    .started
                    .0
                    .iter()
                    .filter(|(t, a)| a == api && now - t < 60_000)
                    .count();
                (*api, used, *n)
            })
            .collect()
    }

    /// Fresh credentials (after `aws sso login`): the reads resting because the cloud could not
    /// be reached or the credentials failed are due again at once.
    pub fn retry_unreachable(&mut self) {
        for key in std::mem::take(&mut self.unreachable).into_keys() {
            self.resting.remove(&key);
            self.last_started.remove(&key);
        }
    }

    /// Make a key due at the next tick (without starting it now).
    pub fn expire(&mut self, key: &PollKey) {
        self.last_started.remove(key);
    }

    /// A poll finished. Throttling backs its whole API off; AccessDenied rests that read for
    /// `denied_pause`; another error retries that read later and later; a success resets both.
    pub fn finished(&mut self, now: Millis, key: &PollKey, how: Finish) {
        self.in_flight.remove(key);
        let api = key.api();
        match how {
            Finish::Denied => {
                self.resting
                    .insert(key.clone(), now + self.intervals.denied_pause);
                return;
            }
            Finish::Unreachable => {
                let n = self.unreachable.entry(key.clone()).or_default();
                *n = (*n + 1).min(6);
                // Short: a failing read is what tells when things work again.
                let delay = (2_000 << (*n - 1)).min(FAILED_RETRY_MAX);
                self.resting.insert(key.clone(), now + delay);
                return;
            }
            Finish::Failed => {
                self.unreachable.remove(key);
                let n = self.failures.entry(key.clone()).or_default();
                *n = (*n + 1).min(6);
                let delay =
                    (self.intervals.backoff_base << (*n - 1)).min(self.intervals.backoff_max);
                self.resting.insert(key.clone(), now + delay);
                return;
            }
            Finish::Ok | Finish::Throttled => {
                self.resting.remove(key);
                self.failures.remove(key);
                self.unreachable.remove(key);
            }
        }
        if how == Finish::Throttled {
            let b = self.backoff.entry(api).or_default();
            b.level = (b.level + 1).min(16);
            let full = (self.intervals.backoff_base << (b.level - 1).min(10))
                .min(self.intervals.backoff_max);
            // Jitter in [50 %, 100 %] of the full delay, derived from the time and key so the policy
            // stays a pure function (tests are stable) while concurrent clients still spread out.
            let j = jitter(now, api);
            b.until = now + full / 2 + (full / 2) * j as Millis / 1000;
        } else if let Some(b) = self.backoff.get_mut(&api) {
            b.level = 0;
            b.until = 0;
        }
    }

    /// When the last poll of `key` was started: its answer reflects the world from then on.
    pub fn started_at(&self, key: &PollKey) -> Option<Millis> {
        self.last_started.get(key).copied()
    }

    pub fn in_flight(&self, key: &PollKey) -> bool {
        self.in_flight.contains(key)
    }

    /// APIs backing off now, with when they resume: the status line says so.
    pub fn backing_off(&self, now: Millis) -> Vec<(Api, Millis)> {
        let mut v: Vec<(Api, Millis)> = self
            .backoff
            .iter()
            .filter(|(_, b)| now < b.until)
            .map(|(a, b)| (*a, b.until))
            .collect();
        v.sort();
        v
    }
}

/// A pseudo-random number in 0..=1000 from the time and the API (splitmix64 finaliser).
fn jitter(now: Millis, api: Api) -> u64 {
    let mut z = (now as u64) ^ ((api as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % 1001
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
