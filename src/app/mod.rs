//! The app state and `update`: pure. No I/O, no await, no clock reads (time comes in `now`).
//!
//! One concern per file: `envs` (the table), `timeline` (merged events), `ops` (following
//! operations and their outcome), `modal` (confirmations and pickers), `keymap`, `schedule` (what to
//! poll when), `intents` (what the write keys mean), `update` (the message dispatch).

pub mod envs;
pub mod intents;
pub mod keymap;
pub mod modal;
pub mod msg;
pub mod ops;
pub mod schedule;
#[cfg(test)]
mod tests;
pub mod timeline;
mod update;

use std::collections::{HashMap, VecDeque};

pub use msg::{Effect, Msg, Poll, PollKey, Reply};
pub use update::update;

use crate::domain::{AppVersion, CloudContext, DeployRecord, Environment, HealthSnapshot, Millis};
use crate::logs::LogsPane;
use envs::EnvsPane;
use keymap::{Context, KeyMap};
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            read_only: false,
            log_max_lines: 200_000,
            log_max_bytes: 256 * 1024 * 1024,
            log_backfill_min: 15,
        }
    }
}

/// What the user asked for that waits on data (the rollback target needs the deploy history).
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Rollback(String),
}

pub struct App {
    pub settings: Settings,
    pub keymap: KeyMap,
    /// The cloud context epoch; results of older ones are dropped.
    pub epoch: u64,
    pub ctx: CloudContext,
    pub focus: Pane,
    pub zoom: bool,
    pub envs: EnvsPane,
    /// The environment the detail panes show and the write keys act on.
    pub selected: Option<String>,
    pub timelines: HashMap<String, Timeline>,
    pub health: HashMap<String, HealthSnapshot>,
    pub health_cursor: usize,
    pub versions: HashMap<String, Vec<AppVersion>>,
    pub history: HashMap<String, Vec<DeployRecord>>,
    pub log_groups: HashMap<String, Vec<String>>,
    pub logs: LogsPane,
    pub tail: u64,
    pub tail_env: Option<String>,
    /// The logs pane shows a pushed-down search, not the live tail; Esc returns to live.
    pub searching_back: bool,
    /// Operations being followed, and the last ended one per environment.
    pub ops: Vec<Tracked>,
    pub next_op_id: u64,
    pub modal: Option<Modal>,
    pub pending: Option<Pending>,
    pub schedule: Schedule,
    pub flash: Option<Flash>,
    /// The last error per resource, shown in its pane until the next success.
    pub errors: HashMap<PollKey, String>,
    /// (time, total calls) samples for the calls-per-minute figure.
    pub api_samples: VecDeque<(Millis, u64)>,
    pub now: Millis,
    pub size: (u16, u16),
    /// Something visible changed since the last draw.
    pub dirty: bool,
    pub quit: bool,
    /// The minute shown in "updated ago" columns; a new minute redraws.
    pub shown_minute: Millis,
}

impl App {
    pub fn new(settings: Settings, keymap: KeyMap, ctx: CloudContext, now: Millis) -> Self {
        let logs = LogsPane::new(settings.log_max_lines, settings.log_max_bytes);
        Self {
            settings,
            keymap,
            epoch: 0,
            ctx,
            focus: Pane::Envs,
            zoom: false,
            envs: EnvsPane::default(),
            selected: None,
            timelines: HashMap::new(),
            health: HashMap::new(),
            health_cursor: 0,
            versions: HashMap::new(),
            history: HashMap::new(),
            log_groups: HashMap::new(),
            logs,
            tail: 0,
            tail_env: None,
            searching_back: false,
            ops: Vec::new(),
            next_op_id: 1,
            modal: None,
            pending: None,
            schedule: Schedule::default(),
            flash: None,
            errors: HashMap::new(),
            api_samples: VecDeque::new(),
            now,
            size: (80, 24),
            dirty: true,
            quit: false,
            shown_minute: now / 60_000,
        }
    }

    pub fn selected_env(&self) -> Option<&Environment> {
        self.selected.as_deref().and_then(|n| self.envs.get(n))
    }

    /// The operation followed on an environment: the active one, else the last ended one.
    pub fn op_for(&self, env: &str) -> Option<&Tracked> {
        self.ops
            .iter()
            .rev()
            .find(|t| t.env == env && t.is_active())
            .or_else(|| self.ops.iter().rev().find(|t| t.env == env))
    }

    pub fn flash(&mut self, level: Level, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            level,
            until: self.now + 6_000,
        });
        self.dirty = true;
    }

    /// API calls over the last minute, when there are samples a minute apart (or less, scaled).
    pub fn calls_per_minute(&self) -> Option<u64> {
        let (t0, c0) = *self.api_samples.front()?;
        let (t1, c1) = *self.api_samples.back()?;
        if t1 - t0 < 5_000 {
            return None;
        }
        Some((c1 - c0) * 60_000 / (t1 - t0) as u64)
    }

    /// The runtime drew the screen: a confirmation on it has now been seen and may be confirmed.
    pub fn drawn(&mut self) {
        if let Some(Modal::Confirm { seen, .. }) = &mut self.modal {
            *seen = true;
        }
    }

    /// Which panes are on screen (a zoomed pane hides the others).
    pub fn visible(&self, pane: Pane) -> bool {
        !self.zoom || self.focus == pane
    }

    /// The key context: a dialog or an input takes all keys.
    pub fn key_context(&self) -> Context {
        if self.modal.is_some() {
            Context::Modal
        } else {
            self.focus.context()
        }
    }
}
