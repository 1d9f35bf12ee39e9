//! Dialogs: the confirmation that stands between every write and its effect, the pickers that
//! lead to one, and help. A confirmation carries the operation it will execute: nothing runs until
//! the user confirms, and nothing opens at all in read-only mode.

use tui_input::Input;

use crate::cloud::Op;

#[derive(Debug, Clone, PartialEq)]
pub struct PickItem {
    pub value: String,
    pub label: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PickPurpose {
    /// Deploy the picked version to the environment.
    DeployVersion { env: String },
    /// Swap CNAMEs of the environment with the picked one.
    SwapWith { env: String },
    /// Turn log streaming on for the environment, kept as picked.
    LogStreaming { env: String },
}

#[derive(Debug)]
// Moved once through a channel or held once: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum Modal {
    Confirm {
        title: String,
        lines: Vec<String>,
        op: Op,
        /// For rebuild and swap: the environment name the user must type.
        typed: Option<(String, Input)>,
        /// Set once the dialog has been drawn: keys typed ahead (a second Enter after a picker)
        /// must not confirm what the user has not seen.
        seen: bool,
    },
    Pick {
        title: String,
        purpose: PickPurpose,
        items: Vec<PickItem>,
        cursor: usize,
        /// Still waiting for the list (versions are read on demand).
        loading: bool,
    },
    Help {
        scroll: u16,
    },
    /// The logs pane's group picker; state lives in the pane.
    LogGroups,
    /// The environment's operations from the ledger, newest first; `open` shows one operation's
    /// events (by request id).
    History {
        env: String,
        cursor: usize,
        open: Option<String>,
        scroll: u16,
    },
    /// What the reads cost: calls per minute per API (`:budget`).
    Budget,
    /// The `:` command line.
    Command(Input),
    /// Deploying the code in a directory; its state is `Account::ship`.
    Ship,
    /// An environment's properties, secrets and configuration (`E`).
    Config(super::config_view::ConfigView),
    /// `:journal`: environments the journal knows that AWS no longer lists (`None` while the
    /// journal is asked).
    Journal {
        gone: Option<Vec<crate::journal::KnownEnv>>,
        cursor: usize,
    },
    /// `:journal stats`: the journal's size per environment and kind (`None` while asked).
    JournalStats(Option<crate::journal::Stats>),
    /// Search beyond the buffer with CloudWatch Logs Insights: the range, and the estimated
    /// scan and cost before it runs. Not a write (nothing changes in the account): its own
    /// dialog, never `Confirm`.
    Insights(InsightsAsk),
    /// "Why 502?" (`T`, `:why`): the triage of the environment's 5xx.
    Triage(TriageView),
}

/// The ranges an Insights search can cover, ending now.
pub const INSIGHTS_RANGES: [(crate::domain::Millis, &str); 4] = [
    (24 * 3_600_000, "the last 24 hours"),
    (3 * 24 * 3_600_000, "the last 3 days"),
    (7 * 24 * 3_600_000, "the last 7 days"),
    (30 * 24 * 3_600_000, "the last 30 days"),
];

/// An Insights search waiting for its range and, above `CONFIRM_ABOVE` bytes, for a `y`.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightsAsk {
    /// The environment's key.
    pub env: String,
    /// The pane's search, as typed.
    pub search: String,
    pub translated: crate::logs::insights_query::Translated,
    pub groups: Vec<String>,
    /// Index into `INSIGHTS_RANGES`.
    pub range: usize,
    /// DescribeLogGroups' answer (`None` while it is asked; `Err` when it failed).
    pub sizes: Option<Result<Vec<crate::cloud::GroupSize>, String>>,
}

impl InsightsAsk {
    /// What a query over `INSIGHTS_RANGES[range]` ending `now` would scan, when the sizes are
    /// known.
    pub fn estimate(&self, range: usize, now: crate::domain::Millis) -> Option<u64> {
        let sizes = self.sizes.as_ref()?.as_ref().ok()?;
        let span = INSIGHTS_RANGES.get(range)?.0;
        Some(crate::logs::insights_query::estimate(
            sizes,
            &self.groups,
            now - span,
            now,
            now,
        ))
    }
}

/// The triage view: its environment, the finding picked, and the report drawn (rebuilt in
/// `update` when lines arrive, so drawing computes nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct TriageView {
    pub env: String,
    /// The picked finding.
    pub cursor: usize,
    /// Tab: the keys pick a row of the instances table instead of a finding.
    pub on_instances: bool,
    /// The picked row of the instances table.
    pub instance_cursor: usize,
    pub report: crate::triage::Report,
    /// The 6-hour view (`6`): asked of Logs Insights, its per-minute 5xx, or why not.
    pub wide: Option<Wide>,
}

/// The triage's 6-hour view, from a Logs Insights `stats` query.
#[derive(Debug, Clone, PartialEq)]
pub enum Wide {
    Asking,
    Counted(crate::triage::Series),
    Failed(String),
}

impl Modal {
    pub fn confirm(op: Op, lines: Vec<String>, typed: Option<String>) -> Modal {
        let title = match &op {
            Op::SwapCnames { a, b } => format!("Swap CNAMEs of {} and {}", a.name, b.name),
            other => format!("{} {}", other.verb(), other.env().name),
        };
        Modal::Confirm {
            title,
            lines,
            op,
            typed: typed.map(|t| (t, Input::default())),
            seen: false,
        }
    }

    /// Whether Confirm may proceed: it was drawn, and a typed confirmation matches exactly.
    pub fn confirm_ready(&self) -> bool {
        match self {
            Modal::Confirm { seen: false, .. } => false,
            Modal::Confirm {
                typed: Some((want, input)),
                ..
            } => input.value() == want,
            Modal::Confirm { .. } => true,
            _ => false,
        }
    }
}
