//! The Config view (`E`, `:config`): one environment's properties (masked unless revealed, for
//! this view only), the byte meter, its secrets and an overview of its configuration; and the
//! edit form whose diff becomes one `Op::Configure`. Plain data and pure rules; keys and
//! messages are in `update/config.rs`, drawing in `ui/config.rs`.

use tui_input::Input;

use crate::domain::{EnvRef, OptionSetting};
use crate::props::{Property, Secret};

/// Which values are shown. Masked is the default every time the view opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reveal {
    Hidden,
    One(String),
    All,
}

impl Reveal {
    pub fn shows(&self, key: &str) -> bool {
        match self {
            Reveal::Hidden => false,
            Reveal::One(k) => k == key,
            Reveal::All => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Name,
    /// Biggest share of the 4,096 bytes first.
    Size,
}

/// What the line editor at the bottom of the form is doing.
#[derive(Debug, Clone)]
pub enum Line {
    /// A new property: `KEY=value`.
    Add(Input),
    /// The property that had this key: `KEY=value` (a new key renames it).
    Change { key: String, input: Input },
    /// A new secret: `NAME=ARN[:jsonKey]`.
    AddSecret(Input),
    /// The secret of this name: `NAME=ARN[:jsonKey]`.
    ChangeSecret { name: String, input: Input },
    /// `:props-import`-like, typed: a path is not typed here; this is a pasted `.env` block's
    /// problems shown until the next key.
    Problems(Vec<String>),
}

/// A working copy of the properties, changed locally until applied as one write.
#[derive(Debug, Clone)]
pub struct Edit {
    pub original: Vec<Property>,
    pub props: Vec<Property>,
    pub original_secrets: Vec<Secret>,
    pub secrets: Vec<Secret>,
    pub line: Option<Line>,
}

impl Edit {
    pub fn new(props: Vec<Property>, secrets: Vec<Secret>) -> Self {
        Self {
            original: props.clone(),
            props,
            original_secrets: secrets.clone(),
            secrets,
            line: None,
        }
    }

    pub fn changed(&self) -> bool {
        let mut a = self.original.clone();
        let mut b = self.props.clone();
        a.sort_by(|x, y| x.key.cmp(&y.key));
        b.sort_by(|x, y| x.key.cmp(&y.key));
        let mut s = self.original_secrets.clone();
        let mut t = self.secrets.clone();
        s.sort_by(|x, y| x.name.cmp(&y.name));
        t.sort_by(|x, y| x.name.cmp(&y.name));
        a != b || s != t
    }

    /// Add or replace a secret by name.
    pub fn upsert_secret(&mut self, s: Secret) {
        match self.secrets.iter_mut().find(|q| q.name == s.name) {
            Some(q) => *q = s,
            None => self.secrets.push(s),
        }
    }

    /// The row under the cursor: the properties in view order, then the secrets by name.
    pub fn row(&self, sort: Sort, cursor: usize) -> Option<Row> {
        let props = ordered(&self.props, sort);
        if let Some(p) = props.get(cursor) {
            return Some(Row::Property(p.key.clone()));
        }
        let mut names: Vec<&str> = self.secrets.iter().map(|s| s.name.as_str()).collect();
        names.sort();
        names
            .get(cursor - props.len())
            .map(|n| Row::Secret(n.to_string()))
    }

    pub fn rows(&self) -> usize {
        self.props.len() + self.secrets.len()
    }

    /// Add or replace by key (a pasted block, an imported file, the line editor).
    pub fn upsert(&mut self, p: Property) {
        match self.props.iter_mut().find(|q| q.key == p.key) {
            Some(q) => q.value = p.value,
            None => self.props.push(p),
        }
    }
}

/// What a row of the edit form is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Property(String),
    Secret(String),
}

/// The view of one environment's configuration.
#[derive(Debug, Clone)]
pub struct ConfigView {
    /// The environment's key in the app.
    pub env: String,
    pub env_ref: EnvRef,
    pub reveal: Reveal,
    pub sort: Sort,
    pub cursor: usize,
    pub edit: Option<Edit>,
    /// `:` inside the view: `props-import FILE`, `props-export FILE [--values]`, typed here so
    /// the edit stays open around them.
    pub command: Option<Input>,
}

impl ConfigView {
    pub fn new(env: String, env_ref: EnvRef) -> Self {
        Self {
            env,
            env_ref,
            reveal: Reveal::Hidden,
            sort: Sort::Name,
            cursor: 0,
            edit: None,
            command: None,
        }
    }
}

/// The properties in the order the view shows them.
pub fn ordered(props: &[Property], sort: Sort) -> Vec<&Property> {
    let mut v: Vec<&Property> = props.iter().collect();
    match sort {
        Sort::Name => v.sort_by(|a, b| a.key.cmp(&b.key)),
        Sort::Size => v.sort_by(|a, b| {
            crate::props::meter::share(b)
                .cmp(&crate::props::meter::share(a))
                .then_with(|| a.key.cmp(&b.key))
        }),
    }
    v
}

/// A setting's value by namespace and option name.
pub fn setting<'a>(settings: &'a [OptionSetting], namespace: &str, name: &str) -> Option<&'a str> {
    settings
        .iter()
        .find(|s| s.namespace == namespace && s.name == name)
        .and_then(|s| s.value.as_deref())
}

/// The namespace of instance log streaming to CloudWatch Logs.
pub const LOGS_NS: &str = "aws:elasticbeanstalk:cloudwatch:logs";

/// Whether the environment streams its instances' logs to CloudWatch.
pub fn streams_logs(settings: &[OptionSetting]) -> Option<bool> {
    setting(settings, LOGS_NS, "StreamLogs").map(|v| v.eq_ignore_ascii_case("true"))
}

/// The settings that turn log streaming on, kept `days` and deleted on terminate or not.
pub fn log_streaming_on(days: u32, delete_on_terminate: bool) -> Vec<OptionSetting> {
    let s = |name: &str, value: String| OptionSetting {
        namespace: LOGS_NS.into(),
        name: name.into(),
        value: Some(value),
    };
    vec![
        s("StreamLogs", "true".into()),
        s("RetentionInDays", days.to_string()),
        s("DeleteOnTerminate", delete_on_terminate.to_string()),
    ]
}

/// The retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653,
];

pub use crate::props::meter::thousands;
