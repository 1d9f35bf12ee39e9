//! The app state and `update`: pure. No I/O, no await, no clock reads (time comes in `now`).
//!
//! One concern per file: `envs` (the table), `timeline` (merged events), `ops` (an operation
//! followed and its outcome), `modal` (confirmations and pickers), `keymap`, `schedule` (what to
//! poll when), `intents` (what the write keys mean), `log_session` (the log stream the pane
//! shows), `msg` (messages and effects), and `update/` (the message handlers, one file a concern).

pub mod config_view;
pub mod envs;
pub mod filter;
pub mod geometry;
pub mod intents;
pub mod journal;
pub mod keymap;
pub mod ledger;
pub mod log_session;
pub mod modal;
pub mod msg;
pub mod ops;
pub mod report;
pub mod schedule;
pub mod ship;
pub mod sort;
#[cfg(test)]
mod tests;
pub mod timeline;
mod update;

use std::collections::{HashMap, VecDeque};

pub use log_session::LogSession;
pub use msg::{Effect, Msg, SwitchError};
pub use update::SSO_EXPIRED;
pub use update::update;

use crate::cloud::PollKey;
use crate::domain::{AppVersion, CloudContext, DeployRecord, Environment, HealthSnapshot, Millis};
use envs::EnvsPane;
use keymap::{Context, KeyMap};
use ledger::Ledger;
use modal::Modal;
use ops::Tracked;
use schedule::Schedule;
use timeline::Timeline;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Envs,
    Timeline,
    Health,
    Logs,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Envs, Pane::Timeline, Pane::Health, Pane::Logs];
    pub fn context(&self) -> Context {
        match self {
            Pane::Envs => Context::Envs,
            Pane::Timeline => Context::Timeline,
            Pane::Health => Context::Health,
            Pane::Logs => Context::Logs,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// A transient message in the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub level: Level,
    pub until: Millis,
}

/// Settings fixed at start (from flags and the config file).
#[derive(Debug, Clone)]
pub struct Settings {
    pub read_only: bool,
    pub log_max_lines: usize,
    pub log_max_bytes: usize,
    /// Minutes of logs loaded when a tail opens.
    pub log_backfill_min: i64,
    /// How notifications reach the person beyond the status line.
    pub notify: crate::config::Notify,
    /// The directory `D` offers to deploy (`--app-dir`, default the current directory).
    pub app_dir: std::path::PathBuf,
    /// A journal is kept: `update` hands what it learns to it (`Effect::Journal`).
    pub journal: bool,
    /// What is kept when an operation fails.
    pub capture: crate::config::CaptureOnFailure,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            read_only: false,
            log_max_lines: 200_000,
            log_max_bytes: 256 * 1024 * 1024,
            log_backfill_min: 15,
            notify: crate::config::Notify::None,
            app_dir: std::path::PathBuf::from("."),
            journal: false,
            capture: crate::config::CaptureOnFailure::Logs,
        }
    }
}

/// What the user asked for that waits on data (the rollback target needs the deploy history).
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Rollback(String),
}

/// The whole app state, in clusters with one owner each: what never changes (`settings`,
/// `keymap`), what is on screen (`view`), what was learned from the current cloud context
/// (`account`, replaced whole on `:profile`/`:region`), and the log stream (`logs`).
pub struct App {
    pub settings: Settings,
    pub keymap: KeyMap,
    pub view: View,
    pub account: Account,
    pub logs: LogSession,
    /// The running count behind the triage view, over `logs`' buffer (it starts over by itself
    /// when the environment or the buffer changes).
    pub triage: crate::triage::Aggregate,
    /// The cloud's clock at the last message (the simulator's time runs faster).
    pub now: Millis,
}

/// What is on screen, whatever the account: survives a context switch.
pub struct View {
    pub focus: Pane,
    pub zoom: bool,
    pub modal: Option<Modal>,
    pub flash: Option<Flash>,
    pub size: (u16, u16),
    /// Something visible changed since the last draw.
    pub dirty: bool,
    pub quit: bool,
    /// The minute shown in "updated ago" columns; a new minute redraws.
    pub shown_minute: Millis,
    /// How the instances table is sorted (`None`: as Elastic Beanstalk reports them).
    pub instance_sort: Option<sort::InstSort>,
}

/// Everything learned from one cloud context. `:profile`/`:region` replace it whole
/// (`Account::new`), so a context switch cannot forget a field.
pub struct Account {
    /// The cloud context generation; results of older ones are dropped.
    pub epoch: u64,
    pub ctx: CloudContext,
    pub envs: EnvsPane,
    /// The environment the detail panes show and the write keys act on.
    pub selected: Option<String>,
    pub health_cursor: usize,
    pub timelines: HashMap<String, Timeline>,
    pub health: HashMap<String, HealthSnapshot>,
    pub versions: HashMap<String, Vec<AppVersion>>,
    /// Each environment's configuration as last read (the Config view); property values are
    /// secrets, held here only to be shown masked and diffed.
    pub configs: HashMap<String, crate::domain::EnvConfig>,
    pub history: HashMap<String, Vec<DeployRecord>>,
    pub log_groups: HashMap<String, Vec<String>>,
    /// Every operation of every environment, from the events.
    pub ledger: Ledger,
    /// The newest event time the account-wide stream has seen.
    pub events_cursor: Option<Millis>,
    /// Operations being followed, and the last ended one per environment.
    pub ops: Vec<Tracked>,
    pub next_op_id: u64,
    /// Deploying the code in a directory (`:deploy`, `D`): one at a time.
    pub ship: Option<ship::Ship>,
    /// Ships started so far, to tell a late bundle from the current one's.
    pub ships: u64,
    /// The RequestEnvironmentInfo sent for `l`, until it is answered.
    pub tail_request: Option<u64>,
    pub pending: Option<Pending>,
    pub schedule: Schedule,
    /// The last error per resource, shown in its pane until the next success.
    pub errors: HashMap<PollKey, String>,
    /// AWS cannot be reached, or the credentials stopped working: since when, and in a few words.
    /// Cleared by the next read that succeeds. The header says it, so a stale screen is never
    /// mistaken for a quiet one.
    pub trouble: Option<(Millis, String)>,
    pub calls: CallRate,
    /// What the journal gave back (at start, `:journal`) and the evidence captured on failures.
    pub journal: journal::JournalState,
}

impl Account {
    pub fn new(epoch: u64, ctx: CloudContext) -> Self {
        Self {
            epoch,
            ctx,
            envs: EnvsPane::default(),
            selected: None,
            health_cursor: 0,
            timelines: HashMap::new(),
            health: HashMap::new(),
            versions: HashMap::new(),
            configs: HashMap::new(),
            history: HashMap::new(),
            log_groups: HashMap::new(),
            ledger: Ledger::default(),
            events_cursor: None,
            ops: Vec::new(),
            next_op_id: 1,
            ship: None,
            ships: 0,
            tail_request: None,
            pending: None,
            schedule: Schedule::default(),
            errors: HashMap::new(),
            trouble: None,
            calls: CallRate::default(),
            journal: journal::JournalState::default(),
        }
    }

    pub fn selected_env(&self) -> Option<&Environment> {
        self.selected.as_deref().and_then(|n| self.envs.get(n))
    }

    /// Environments with an operation being followed now.
    pub fn active_op_envs(&self) -> Vec<String> {
        self.ops
            .iter()
            .filter(|t| t.is_active())
            .map(|t| t.env.clone())
            .collect()
    }

    /// The operation followed on an environment: the active one, else the last ended one.
    pub fn op_for(&self, env: &str) -> Option<&Tracked> {
        self.ops
            .iter()
            .rev()
            .find(|t| t.env == env && t.is_active())
            .or_else(|| self.ops.iter().rev().find(|t| t.env == env))
    }
}

/// (time, total calls) samples of the current cloud, for the calls-per-minute figure.
#[derive(Debug, Clone, Default)]
pub struct CallRate {
    samples: VecDeque<(Millis, u64)>,
    /// Reads answered over the last minute, by AWS action (`:budget`).
    reads: VecDeque<(Millis, &'static str)>,
}

impl CallRate {
    /// Record the cloud's call counter; keeps a minute of samples. Returns whether the figure
    /// shown changed.
    pub fn record(&mut self, now: Millis, total: u64) -> bool {
        let before = self.per_minute();
        // A counter that went back is a new cloud's (rebuilt after an SSO login): count anew.
        if self.samples.back().is_some_and(|(_, last)| total < *last) {
            self.samples.clear();
        }
        self.samples.push_back((now, total));
        while self.samples.len() > 2 && self.samples.get(1).is_some_and(|(t, _)| now - t >= 60_000)
        {
            self.samples.pop_front();
        }
        before != self.per_minute()
    }

    /// A read of `action` was answered.
    pub fn read(&mut self, now: Millis, action: &'static str) {
        self.reads.push_back((now, action));
        while self.reads.front().is_some_and(|(t, _)| now - t > 60_000) {
            self.reads.pop_front();
        }
    }

    /// Reads per action over the last minute, most first.
    pub fn reads_by_action(&self) -> Vec<(&'static str, usize)> {
        let mut by: Vec<(&'static str, usize)> = Vec::new();
        for (_, a) in &self.reads {
            match by.iter_mut().find(|(x, _)| x == a) {
                Some((_, n)) => *n += 1,
                None => by.push((a, 1)),
            }
        }
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        by
    }

    /// API calls over the last minute, when there are samples a minute apart (or less, scaled).
    pub fn per_minute(&self) -> Option<u64> {
        let (t0, c0) = *self.samples.front()?;
        let (t1, c1) = *self.samples.back()?;
        if t1 - t0 < 5_000 {
            return None;
        }
        Some((c1 - c0) * 60_000 / (t1 - t0) as u64)
    }
}

impl App {
    pub fn new(settings: Settings, keymap: KeyMap, ctx: CloudContext, now: Millis) -> Self {
        let logs = LogSession::new(&settings);
        Self {
            settings,
            keymap,
            view: View {
                focus: Pane::Envs,
                zoom: false,
                modal: None,
                flash: None,
                size: (80, 24),
                dirty: true,
                quit: false,
                shown_minute: now / 60_000,
                instance_sort: None,
            },
            account: Account::new(0, ctx),
            logs,
            triage: Default::default(),
            now,
        }
    }

    pub fn selected_env(&self) -> Option<&Environment> {
        self.account.selected_env()
    }

    pub fn flash(&mut self, level: Level, text: impl Into<String>) {
        self.view.flash = Some(Flash {
            text: text.into(),
            level,
            until: self.now + 6_000,
        });
        self.view.dirty = true;
    }

    /// The runtime drew the screen: a confirmation on it has now been seen and may be confirmed.
    pub fn drawn(&mut self) {
        match &mut self.view.modal {
            Some(Modal::Confirm { seen, .. }) => *seen = true,
            Some(Modal::Ship) => {
                if let Some(s) = self.account.ship.as_mut().filter(|s| s.bundle.is_some()) {
                    s.seen = true;
                }
            }
            _ => {}
        }
    }

    /// The zip ebtui made for the deploy of a directory it holds, if any: removed when ebtui quits
    /// (a user's own archive is never ebtui's to remove).
    pub fn ship_zip(&self) -> Option<&std::path::Path> {
        let ship = self.account.ship.as_ref()?;
        let bundle = ship.bundle.as_ref().filter(|b| b.owned)?;
        Some(bundle.zip.as_path())
    }

    /// Which panes are on screen (a zoomed pane hides the others).
    pub fn visible(&self, pane: Pane) -> bool {
        !self.view.zoom || self.view.focus == pane
    }

    /// The key context: a dialog or an input takes all keys.
    pub fn key_context(&self) -> Context {
        if self.view.modal.is_some() {
            Context::Modal
        } else {
            self.view.focus.context()
        }
    }
}
