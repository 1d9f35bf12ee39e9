//! What happened: Elastic Beanstalk events, CloudFormation stack events and raw log events.

use super::Millis;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Severity {
    pub fn parse(s: &str) -> Self {
        match s {
            "TRACE" => Self::Trace,
            "DEBUG" => Self::Debug,
            "WARN" => Self::Warn,
            "ERROR" => Self::Error,
            "FATAL" => Self::Fatal,
            _ => Self::Info,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Trace => "TRACE",
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warn => "WARN",
            Self::Error => "ERROR",
            Self::Fatal => "FATAL",
        }
    }
}

/// One Elastic Beanstalk event (DescribeEvents).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnvEvent {
    pub ts: Millis,
    pub env: String,
    pub severity: Severity,
    pub message: String,
    pub version: Option<String>,
    pub request_id: Option<String>,
}

/// One CloudFormation stack event (DescribeStackEvents).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StackEvent {
    /// EventId: unique, used to de-duplicate.
    pub id: String,
    pub ts: Millis,
    pub stack: String,
    pub logical_id: String,
    pub resource_type: String,
    /// CREATE_IN_PROGRESS, UPDATE_FAILED, ROLLBACK_COMPLETE, ...
    pub status: String,
    pub reason: Option<String>,
}

/// One log event as the cloud delivers it, before sanitizing.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RawLogEvent {
    /// CloudWatch event id where the API gives one; used to de-duplicate overlapping reads.
    pub id: Option<String>,
    pub ts: Millis,
    pub group: String,
    pub stream: String,
    pub message: String,
}
