//! The reads, as data: what the app can ask of a `Cloud`, the answer, and the one function that
//! asks (`answer`), shared by the runtime and the tests.
//!
//! A `Request` carries its cursor, so a dropped answer loses nothing; its `Reply` carries the
//! request back, so whoever handles the answer knows what was asked without bookkeeping. Adding a
//! read is a variant in `Request` and `Answer` and an arm in each `match` of this file; then the
//! app builds it (`app::update::polls::request_for`) and handles it (`on_reply`).

use super::{Cloud, CloudError, CloudResult};
use crate::domain::{
    AppVersion, DeployRecord, EnvConfig, EnvEvent, EnvRef, Environment, HealthSnapshot, Millis,
    StackEvent,
};

/// A read the app can ask for. Cursors travel with the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Environments,
    /// Every environment's events (one DescribeEvents stream for the account).
    AccountEvents {
        since: Option<Millis>,
    },
    /// One environment's events: its older history, read once when it is selected.
    Events {
        env: EnvRef,
        since: Option<Millis>,
    },
    /// One environment's events from before `before`: the user scrolled back past them.
    OlderEvents {
        env: EnvRef,
        before: Millis,
    },
    StackEvents {
        env: EnvRef,
        since: Option<Millis>,
    },
    Health {
        env: EnvRef,
    },
    Versions {
        app: String,
    },
    History {
        env: EnvRef,
    },
    LogGroups {
        env: EnvRef,
    },
    /// The Config view: option settings and the platform's lifecycle.
    Config {
        env: EnvRef,
    },
    /// The log groups' stored bytes, read before an Insights query to estimate its cost.
    LogGroupSizes {
        env: EnvRef,
    },
}

/// A read without its cursor: what "the same poll" means for in-flight and schedule bookkeeping.
/// Environments are named by name here because the schedule and the panes are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PollKey {
    Environments,
    AccountEvents,
    Events(String),
    OlderEvents(String),
    StackEvents(String),
    Health(String),
    Versions(String),
    History(String),
    LogGroups(String),
    Config(String),
    LogGroupSizes(String),
}

/// The AWS API family of a read; throttling backs off per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    ElasticBeanstalk,
    Health,
    CloudFormation,
    Logs,
}

/// What a read returned.
#[derive(Debug, Clone, PartialEq)]
// Moved once through a channel and matched once: boxing the snapshot would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum Answer {
    Environments(Vec<Environment>),
    Events(Vec<EnvEvent>),
    StackEvents(Vec<StackEvent>),
    Health(HealthSnapshot),
    Versions(Vec<AppVersion>),
    History(Vec<DeployRecord>),
    LogGroups(Vec<String>),
    Config(EnvConfig),
    LogGroupSizes(Vec<super::GroupSize>),
}

/// A request and what came of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub request: Request,
    pub result: CloudResult<Answer>,
}

impl Reply {
    pub fn error(&self) -> Option<&CloudError> {
        self.result.as_ref().err()
    }
}

impl Api {
    /// The AWS service the family's calls go to (Elastic Beanstalk answers both its families).
    pub fn service(&self) -> &'static str {
        match self {
            Api::ElasticBeanstalk | Api::Health => "elasticbeanstalk",
            Api::CloudFormation => "cloudformation",
            Api::Logs => "logs",
        }
    }
}

impl Request {
    pub fn key(&self) -> PollKey {
        match self {
            Request::Environments => PollKey::Environments,
            Request::AccountEvents { .. } => PollKey::AccountEvents,
            Request::Events { env, .. } => PollKey::Events(env.name.clone()),
            Request::OlderEvents { env, .. } => PollKey::OlderEvents(env.name.clone()),
            Request::StackEvents { env, .. } => PollKey::StackEvents(env.name.clone()),
            Request::Health { env } => PollKey::Health(env.name.clone()),
            Request::Versions { app } => PollKey::Versions(app.clone()),
            Request::History { env } => PollKey::History(env.name.clone()),
            Request::LogGroups { env } => PollKey::LogGroups(env.name.clone()),
            Request::Config { env } => PollKey::Config(env.name.clone()),
            Request::LogGroupSizes { env } => PollKey::LogGroupSizes(env.name.clone()),
        }
    }
}

impl PollKey {
    pub fn api(&self) -> Api {
        match self {
            PollKey::Environments
            | PollKey::AccountEvents
            | PollKey::Events(_)
            | PollKey::OlderEvents(_)
            | PollKey::Versions(_)
            | PollKey::History(_)
            | PollKey::Config(_) => Api::ElasticBeanstalk,
            PollKey::Health(_) => Api::Health,
            PollKey::StackEvents(_) => Api::CloudFormation,
            PollKey::LogGroups(_) | PollKey::LogGroupSizes(_) => Api::Logs,
        }
    }

    /// The AWS action behind the read, for `no permission: <action>`.
    pub fn action(&self) -> &'static str {
        match self {
            PollKey::Environments => "elasticbeanstalk:DescribeEnvironments",
            PollKey::AccountEvents
            | PollKey::Events(_)
            | PollKey::OlderEvents(_)
            | PollKey::History(_) => "elasticbeanstalk:DescribeEvents",
            PollKey::StackEvents(_) => "cloudformation:DescribeStackEvents",
            PollKey::Health(_) => "elasticbeanstalk:DescribeInstancesHealth",
            PollKey::Versions(_) => "elasticbeanstalk:DescribeApplicationVersions",
            PollKey::LogGroups(_) | PollKey::LogGroupSizes(_) => "logs:DescribeLogGroups",
            PollKey::Config(_) => "elasticbeanstalk:DescribeConfigurationSettings",
        }
    }

    /// What the read is about, for an error message ("events of shop-prod: ...").
    pub fn describe(&self) -> String {
        match self {
            PollKey::Environments => "environments".to_string(),
            PollKey::AccountEvents => "events".to_string(),
            PollKey::Events(n) => format!("events of {n}"),
            PollKey::OlderEvents(n) => format!("older events of {n}"),
            PollKey::StackEvents(n) => format!("stack events of {n}"),
            PollKey::Health(n) => format!("health of {n}"),
            PollKey::Versions(a) => format!("versions of {a}"),
            PollKey::History(n) => format!("deploy history of {n}"),
            PollKey::LogGroups(n) => format!("log groups of {n}"),
            PollKey::Config(n) => format!("configuration of {n}"),
            PollKey::LogGroupSizes(n) => format!("log group sizes of {n}"),
        }
    }
}

/// Ask the cloud. The one place a `Request` becomes a call.
pub async fn answer(cloud: &dyn Cloud, request: Request) -> Reply {
    // Every string of the answer and of an error is AWS's text, so untrusted: it is cleaned here,
    // once for both backends, before anything can store it for drawing (see `domain::Clean`).
    fn clean(answer: Answer) -> Answer {
        use crate::domain::Clean;
        match answer {
            Answer::Environments(v) => Answer::Environments(v.clean()),
            Answer::Events(v) => Answer::Events(v.clean()),
            Answer::StackEvents(v) => Answer::StackEvents(v.clean()),
            Answer::Health(h) => Answer::Health(h.clean()),
            Answer::Versions(v) => Answer::Versions(v.clean()),
            Answer::History(v) => Answer::History(v.clean()),
            Answer::LogGroups(v) => Answer::LogGroups(v.clean()),
            Answer::Config(c) => Answer::Config(c.clean()),
            Answer::LogGroupSizes(v) => Answer::LogGroupSizes(v.clean()),
        }
    }
    let result = match &request {
        Request::Environments => cloud.environments().await.map(Answer::Environments),
        Request::AccountEvents { since } => cloud.account_events(*since).await.map(Answer::Events),
        Request::Events { env, since } => cloud.events(env, *since).await.map(Answer::Events),
        Request::OlderEvents { env, before } => {
            cloud.older_events(env, *before).await.map(Answer::Events)
        }
        Request::StackEvents { env, since } => cloud
            .stack_events(env, *since)
            .await
            .map(Answer::StackEvents),
        Request::Health { env } => cloud.health(env).await.map(Answer::Health),
        Request::Versions { app } => cloud.versions(app).await.map(Answer::Versions),
        Request::History { env } => cloud.deploy_history(env).await.map(Answer::History),
        Request::LogGroups { env } => cloud.log_groups(env).await.map(Answer::LogGroups),
        Request::Config { env } => cloud.config(env).await.map(Answer::Config),
        Request::LogGroupSizes { env } => {
            cloud.log_group_sizes(env).await.map(Answer::LogGroupSizes)
        }
    };
    let result = result.map(clean).map_err(crate::domain::Clean::clean);
    Reply { request, result }
}
