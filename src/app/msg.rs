//! What happens (`Msg`) and what the app asks the runtime to do (`Effect`). Plain data: tests
//! assert on both.

use crossterm::event::KeyEvent;

use crate::cloud::{CloudResult, LogSearch, LogTarget, Op, OpAccepted, TailEvent};
use crate::domain::{
    AppVersion, CloudContext, DeployRecord, EnvEvent, EnvRef, Environment, HealthSnapshot, Millis,
    StackEvent,
};

/// A read the app can ask for. Cursors travel with the request, so a dropped answer loses nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    Environments,
    Events { env: EnvRef, since: Option<Millis> },
    StackEvents { env: EnvRef, since: Option<Millis> },
    Health { env: EnvRef },
    Versions { app: String },
    History { env: EnvRef },
    LogGroups { env: EnvRef },
}

/// A poll without its cursor: what "the same poll" means for in-flight and schedule bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PollKey {
    Environments,
    Events(String),
    StackEvents(String),
    Health(String),
    Versions(String),
    History(String),
    LogGroups(String),
}

impl PollKey {
    /// The AWS API family the key belongs to; throttling backs off per API.
    pub fn api(&self) -> Api {
        match self {
            PollKey::Environments
            | PollKey::Events(_)
            | PollKey::Versions(_)
            | PollKey::History(_) => Api::ElasticBeanstalk,
            PollKey::Health(_) => Api::Health,
            PollKey::StackEvents(_) => Api::CloudFormation,
            PollKey::LogGroups(_) => Api::Logs,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    ElasticBeanstalk,
    Health,
    CloudFormation,
    Logs,
}

impl Poll {
    pub fn key(&self) -> PollKey {
        match self {
            Poll::Environments => PollKey::Environments,
            Poll::Events { env, .. } => PollKey::Events(env.name.clone()),
            Poll::StackEvents { env, .. } => PollKey::StackEvents(env.name.clone()),
            Poll::Health { env } => PollKey::Health(env.name.clone()),
            Poll::Versions { app } => PollKey::Versions(app.clone()),
            Poll::History { env } => PollKey::History(env.name.clone()),
            Poll::LogGroups { env } => PollKey::LogGroups(env.name.clone()),
        }
    }
}

/// The answer to a `Poll`.
#[derive(Debug, Clone, PartialEq)]
// Moved once through a channel or held once: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum Reply {
    Environments(CloudResult<Vec<Environment>>),
    Events(CloudResult<Vec<EnvEvent>>),
    StackEvents(CloudResult<Vec<StackEvent>>),
    Health(CloudResult<HealthSnapshot>),
    Versions(CloudResult<Vec<AppVersion>>),
    History(CloudResult<Vec<DeployRecord>>),
    LogGroups(CloudResult<Vec<String>>),
}

impl Reply {
    pub fn error(&self) -> Option<&crate::cloud::CloudError> {
        match self {
            Reply::Environments(Err(e))
            | Reply::Events(Err(e))
            | Reply::StackEvents(Err(e))
            | Reply::Health(Err(e))
            | Reply::Versions(Err(e))
            | Reply::History(Err(e))
            | Reply::LogGroups(Err(e)) => Some(e),
            _ => None,
        }
    }
}

/// Everything that happens. `epoch` is the cloud context generation a result belongs to: results of
/// an older context (before `:profile`/`:region`) are dropped.
#[derive(Debug, Clone)]
// Moved once through a channel or held once: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// Time passed: the schedule decides what to poll.
    Tick,
    Cloud {
        epoch: u64,
        key: PollKey,
        reply: Reply,
    },
    Tail {
        epoch: u64,
        tail: u64,
        event: TailEvent,
    },
    TailEnded {
        epoch: u64,
        tail: u64,
        error: Option<String>,
    },
    OpDone {
        epoch: u64,
        op_id: u64,
        result: CloudResult<OpAccepted>,
    },
    /// The runtime switched (or failed to switch) the cloud context.
    Context {
        epoch: u64,
        result: Result<CloudContext, String>,
    },
    /// API calls sent so far by the current cloud (for the calls-per-minute figure), and the
    /// context as the cloud knows it now (AWS learns the account from the first answer).
    Stats {
        api_calls: u64,
        ctx: CloudContext,
    },
    /// A file was written (Ctrl-S) or could not be.
    Saved(Result<String, String>),
}

/// What `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Poll(Poll),
    Execute {
        op_id: u64,
        op: Op,
    },
    /// Start streaming logs; replaces any tail already running.
    Tail {
        tail: u64,
        target: LogTarget,
    },
    StopTail,
    /// A search pushed down to the service; answers come as `Msg::Tail` and replace the view.
    SearchLogs {
        tail: u64,
        search: LogSearch,
    },
    /// Elastic Beanstalk's own tail logs (no CloudWatch streaming); answers come as `Msg::Tail`.
    EbTail {
        tail: u64,
        env: EnvRef,
    },
    SwitchContext {
        profile: Option<String>,
        region: Option<String>,
    },
    SaveFile {
        path: String,
        contents: String,
    },
    /// Put text on the clipboard with OSC 52.
    Copy(String),
    Quit,
}
