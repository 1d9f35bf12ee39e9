//! Making what AWS says safe to store for drawing.
//!
//! Event messages, stack status reasons, version descriptions (written by whoever runs the CI),
//! instance causes and error texts are untrusted: they can carry escape sequences, control
//! characters, bidi overrides and invisible characters. [`Clean`] rewrites every string of a value
//! the way log lines are rewritten (`logs::sanitize`): controls become visible pictures (`␛`),
//! bidi controls and invisible format characters show as `<U+202E>`, so nothing reaches the
//! terminal that it would interpret, reorder or hide.
//!
//! The rule per field: every string the domain carries is drawn on one line (a table cell, a
//! timeline row, a picker row, the status line), so every string is cleaned by [`one_line`]:
//! a run of line breaks and tabs (with the spaces around it) becomes one space, dropped at either
//! end, then the sanitizer runs. Event messages and stack reasons are multi-line now and then;
//! folded, they read as one sentence. Nothing else changes: clean text is returned as it came, not
//! copied, and long text is kept up to the sanitizer's cap (`logs::MAX_LINE_BYTES`).
//!
//! Identifiers are cleaned too (environment, application and version names, instance and event
//! ids). Clean text comes back unchanged, so cursors, de-duplication keys and requests built from
//! them still match; a name that held a control character no longer names anything in AWS, so a
//! write to it fails instead of acting on something the screen did not show.
//!
//! Implementations destructure every field on purpose: a new field does not compile until it is
//! cleaned here or deliberately left alone.
//!
//! Where it is applied: `cloud::answer` cleans every read's answer and error, and the runtime
//! cleans what a write returns. Log lines are sanitized on their own way in (`logs::LogBuffer`).

use std::borrow::Cow;

use super::{
    AppVersion, DeployRecord, EnvConfig, EnvEvent, EnvHealth, EnvRef, EnvStatus, Environment,
    HealthSnapshot, HealthStatus, InstanceDeployment, InstanceHealth, OptionSetting, PlatformInfo,
    StackEvent,
};
use crate::cloud::{CloudError, OpAccepted, S3Location, Uploaded};
use crate::logs::sanitize;

/// A value whose strings came from AWS, made safe to store for drawing (see the module docs).
pub trait Clean {
    /// The same value with every string rewritten by [`one_line`].
    #[must_use]
    fn clean(self) -> Self;
}

/// Line breaks and tabs: folded into one space in a one-line field.
fn is_break(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Folds every run of spaces and breaks that holds a break into one space; such a run at either
/// end is dropped. Runs of plain spaces stay as they are.
fn fold_breaks(s: &str) -> Cow<'_, str> {
    if !s.contains(is_break) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    // The run of spaces and breaks being walked: where it started, and whether it holds a break.
    let mut run: Option<(usize, bool)> = None;
    for (i, c) in s.char_indices() {
        if c == ' ' || is_break(c) {
            let (start, broke) = run.unwrap_or((i, false));
            run = Some((start, broke || is_break(c)));
            continue;
        }
        match run.take() {
            Some((_, true)) if !out.is_empty() => out.push(' '),
            Some((_, true)) => {}
            Some((start, false)) => out.push_str(&s[start..i]),
            None => {}
        }
        out.push(c);
    }
    if let Some((start, false)) = run {
        out.push_str(&s[start..]);
    }
    Cow::Owned(out)
}

/// Text for one line: every run of spaces and breaks (LF, CR, tab, VT, FF, NEL, U+2028, U+2029)
/// that holds a break becomes one space, dropped at either end; then `logs::sanitize`. Clean text
/// is handed back as it came, without a copy.
pub fn one_line(s: String) -> String {
    let folded = match fold_breaks(&s) {
        Cow::Borrowed(_) => None,
        Cow::Owned(f) => Some(f),
    };
    match folded {
        None => match sanitize(&s) {
            Cow::Borrowed(_) => s,
            Cow::Owned(c) => c,
        },
        Some(f) => {
            if let Cow::Owned(c) = sanitize(&f) {
                c
            } else {
                f
            }
        }
    }
}

impl Clean for String {
    fn clean(self) -> Self {
        one_line(self)
    }
}

impl<T: Clean> Clean for Option<T> {
    fn clean(self) -> Self {
        self.map(Clean::clean)
    }
}

impl<T: Clean> Clean for Vec<T> {
    fn clean(self) -> Self {
        self.into_iter().map(Clean::clean).collect()
    }
}

impl<T: Clean, E: Clean> Clean for Result<T, E> {
    fn clean(self) -> Self {
        self.map(Clean::clean).map_err(Clean::clean)
    }
}

impl Clean for EnvRef {
    fn clean(self) -> Self {
        let EnvRef { app, name, id } = self;
        EnvRef {
            app: app.clean(),
            name: name.clean(),
            id: id.clean(),
        }
    }
}

impl Clean for EnvStatus {
    fn clean(self) -> Self {
        match self {
            EnvStatus::Other(s) => EnvStatus::Other(s.clean()),
            known => known,
        }
    }
}

impl Clean for HealthStatus {
    fn clean(self) -> Self {
        match self {
            HealthStatus::Other(s) => HealthStatus::Other(s.clean()),
            known => known,
        }
    }
}

impl Clean for Environment {
    fn clean(self) -> Self {
        let Environment {
            env,
            status,
            health,
            health_status,
            version,
            tier,
            cname,
            abortable,
            updated,
            created,
            platform,
            deployment_policy,
        } = self;
        Environment {
            env: env.clean(),
            status: status.clean(),
            health,
            health_status: health_status.clean(),
            version: version.clean(),
            tier,
            cname: cname.clean(),
            abortable,
            updated,
            created,
            platform: platform.clean(),
            deployment_policy: deployment_policy.clean(),
        }
    }
}

impl Clean for AppVersion {
    fn clean(self) -> Self {
        let AppVersion {
            app,
            label,
            description,
            created,
            status,
        } = self;
        AppVersion {
            app: app.clean(),
            label: label.clean(),
            description: description.clean(),
            created,
            status: status.clean(),
        }
    }
}

impl Clean for DeployRecord {
    fn clean(self) -> Self {
        let DeployRecord { version, ts } = self;
        DeployRecord {
            version: version.clean(),
            ts,
        }
    }
}

impl Clean for EnvEvent {
    fn clean(self) -> Self {
        let EnvEvent {
            ts,
            env,
            severity,
            message,
            version,
            request_id,
        } = self;
        EnvEvent {
            ts,
            env: env.clean(),
            severity,
            message: message.clean(),
            version: version.clean(),
            request_id: request_id.clean(),
        }
    }
}

impl Clean for StackEvent {
    fn clean(self) -> Self {
        let StackEvent {
            id,
            ts,
            stack,
            logical_id,
            resource_type,
            status,
            reason,
        } = self;
        StackEvent {
            id: id.clean(),
            ts,
            stack: stack.clean(),
            logical_id: logical_id.clean(),
            resource_type: resource_type.clean(),
            status: status.clean(),
            reason: reason.clean(),
        }
    }
}

impl Clean for EnvHealth {
    fn clean(self) -> Self {
        let EnvHealth {
            enhanced,
            status,
            color,
            causes,
            counts,
            metrics,
            refreshed,
        } = self;
        EnvHealth {
            enhanced,
            status: status.clean(),
            color,
            causes: causes.clean(),
            counts,
            metrics,
            refreshed,
        }
    }
}

impl Clean for InstanceDeployment {
    fn clean(self) -> Self {
        let InstanceDeployment {
            id,
            status,
            version,
            ts,
        } = self;
        InstanceDeployment {
            id,
            status: status.clean(),
            version: version.clean(),
            ts,
        }
    }
}

impl Clean for InstanceHealth {
    fn clean(self) -> Self {
        let InstanceHealth {
            id,
            status,
            color,
            causes,
            metrics,
            cpu_pct,
            load1,
            deployment,
            az,
            instance_type,
            launched,
        } = self;
        InstanceHealth {
            id: id.clean(),
            status: status.clean(),
            color,
            causes: causes.clean(),
            metrics,
            cpu_pct,
            load1,
            deployment: deployment.clean(),
            az: az.clean(),
            instance_type: instance_type.clean(),
            launched,
        }
    }
}

impl Clean for HealthSnapshot {
    fn clean(self) -> Self {
        let HealthSnapshot { env, instances } = self;
        HealthSnapshot {
            env: env.clean(),
            instances: instances.clean(),
        }
    }
}

/// The cloud's error texts: the AWS message verbatim, so as untrusted as the data.
impl Clean for CloudError {
    fn clean(self) -> Self {
        match self {
            CloudError::Throttled(m) => CloudError::Throttled(m.clean()),
            CloudError::Auth(m) => CloudError::Auth(m.clean()),
            CloudError::NotFound(m) => CloudError::NotFound(m.clean()),
            CloudError::Unsupported(m) => CloudError::Unsupported(m.clean()),
            CloudError::Network(m) => CloudError::Network(m.clean()),
            CloudError::Other(m) => CloudError::Other(m.clean()),
            CloudError::AnswerLost(m) => CloudError::AnswerLost(m.clean()),
            CloudError::Cancelled(m) => CloudError::Cancelled(m.clean()),
        }
    }
}

/// An environment's configuration: every string is AWS's (a property's value is the user's, and
/// may hold anything).
impl Clean for EnvConfig {
    fn clean(self) -> Self {
        EnvConfig {
            settings: self
                .settings
                .into_iter()
                .map(|s| OptionSetting {
                    namespace: s.namespace.clean(),
                    name: s.name.clean(),
                    value: s.value.clean(),
                })
                .collect(),
            solution_stack: self.solution_stack.clean(),
            platform_arn: self.platform_arn.clean(),
            platform: self.platform.map(|p| PlatformInfo {
                branch: p.branch.clean(),
                branch_state: p.branch_state.clean(),
                version_state: p.version_state.clean(),
                version: p.version.clean(),
                created: p.created,
            }),
            platform_error: self.platform_error.clean(),
        }
    }
}

/// What a write returned: the request id is matched against events' request ids, which are
/// cleaned the same way.
impl Clean for OpAccepted {
    fn clean(self) -> Self {
        let OpAccepted {
            request_id,
            uploaded,
        } = self;
        OpAccepted {
            request_id: request_id.clean(),
            uploaded: uploaded.map(|u| Uploaded {
                location: S3Location {
                    bucket: u.location.bucket.clean(),
                    key: u.location.key.clean(),
                },
                existed: u.existed,
            }),
        }
    }
}

#[cfg(test)]
#[path = "clean_tests.rs"]
mod tests;
