//! Following an operation on an environment: ours (confirmed in ebtui) or one started elsewhere
//! (a CI pipeline, `eb deploy`, the console), detected from status and events. Progress and the
//! outcome are read from the event stream and the status, never from one exact string.

use crate::domain::{EnvEvent, EnvStatus, InstanceHealth, Millis};

pub use super::ledger::Outcome;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Confirmed here; `op_id` ties it to the Execute effect.
    Ours { op_id: u64 },
    /// Detected from a status change or events.
    Elsewhere,
}

/// One operation being followed on one environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    pub env: String,
    pub label: String,
    pub origin: Origin,
    pub started: Millis,
    pub request_id: Option<String>,
    /// The cloud accepted the request (ours) or the change was seen (elsewhere).
    pub accepted: bool,
    /// Status was seen transitional since the start: a Ready after that means it ended.
    pub seen_busy: bool,
    /// When the status was first seen transitional (for "updating since 12:03:04").
    pub busy_since: Option<Millis>,
    pub batch: Option<u32>,
    pub batch_size: Option<u32>,
    pub instances_total: Option<u32>,
    pub instances_done: u32,
    pub instances_failed: u32,
    pub outcome: Option<Outcome>,
    pub ended: Option<Millis>,
    /// Where the cloud refused it: AWS's text, verbatim.
    pub error: Option<String>,
    /// When the status was first seen settled again. The outcome is decided only from events read
    /// after that, since the list of environments and the events arrive separately.
    pub settled_at: Option<Millis>,
    /// Ours was sent but its answer was lost: it may run or not; the events tell.
    pub answer_lost: bool,
}

/// After this long with no end, an operation shows "unknown: no end event" (Elastic Beanstalk's
/// default command timeout, 10 minutes, plus 5), and is still watched.
pub const NO_END_AFTER: Millis = 15 * 60_000;
/// An operation whose answer was lost and that did not make the environment busy within this
/// long after the status was seen settled did not start.
pub const NOT_STARTED_AFTER: Millis = 60_000;

impl Tracked {
    pub fn new(env: &str, label: &str, origin: Origin, started: Millis) -> Self {
        Self {
            env: env.to_string(),
            label: label.to_string(),
            origin,
            started,
            request_id: None,
            accepted: false,
            seen_busy: false,
            batch: None,
            batch_size: None,
            instances_total: None,
            instances_done: 0,
            instances_failed: 0,
            outcome: None,
            ended: None,
            error: None,
            settled_at: None,
            answer_lost: false,
            busy_since: None,
        }
    }

    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }

    /// Total batches, when the batch size and instance count are known.
    pub fn batches(&self) -> Option<u32> {
        let (size, total) = (self.batch_size?, self.instances_total?);
        (size > 0).then(|| total.div_ceil(size))
    }

    /// One line for the status bar and the health pane: "Deploy v2 · 1m12s · batch 2/2 · 3/4 done, 1 failed".
    pub fn summary(&self, now: Millis) -> String {
        let end = self.ended.unwrap_or(now);
        let mut s = format!("{} · {}", self.label, elapsed(end - self.started));
        if let Some(b) = self.batch {
            match self.batches() {
                Some(m) if m >= b => s.push_str(&format!(" · batch {b}/{m}")),
                _ => s.push_str(&format!(" · batch {b}")),
            }
        }
        // Counts from a health snapshot lag the end: after a success they would read "2/4 done".
        let succeeded = self.outcome == Some(Outcome::Succeeded);
        if let Some(total) = self.instances_total.filter(|t| {
            *t > 0 && !succeeded && (self.instances_done > 0 || self.instances_failed > 0)
        }) {
            s.push_str(&format!(" · {}/{total} done", self.instances_done));
            if self.instances_failed > 0 {
                s.push_str(&format!(", {} failed", self.instances_failed));
            }
        }
        match (&self.error, self.outcome) {
            (Some(e), _) => s.push_str(&format!(" · refused: {e}")),
            (None, Some(Outcome::Unknown)) if self.answer_lost && !self.seen_busy => {
                s.push_str(" · sent; answer lost; not started")
            }
            (None, Some(o)) => s.push_str(&format!(" · {}", o.as_str())),
            (None, None) if now - self.started > NO_END_AFTER => {
                s.push_str(" · unknown: no end event (still watched)")
            }
            (None, None) if self.answer_lost && self.seen_busy => {
                let since = self
                    .busy_since
                    .map(|t| format!(" since {}", &crate::logs::clock(t)[..8]))
                    .unwrap_or_default();
                s.push_str(&format!(
                    " · sent; answer lost; the environment is updating{since}"
                ))
            }
            (None, None) if self.answer_lost => s.push_str(" · sent; answer lost; checking"),
            (None, None) => s.push_str(" · in progress"),
        }
        s
    }

    /// Read progress from the events seen since the start (oldest first).
    /// The events of this operation: those carrying its request id when the cloud tags them (so a
    /// skewed local clock cannot hide them), else those since its start.
    pub fn own_events<'a>(&self, events: &'a [EnvEvent]) -> Vec<&'a EnvEvent> {
        if let Some(rid) = &self.request_id
            && events.iter().any(|e| e.request_id.as_ref() == Some(rid))
        {
            let first = events
                .iter()
                .filter(|e| e.request_id.as_ref() == Some(rid))
                .map(|e| e.ts)
                .min();
            return events
                .iter()
                .filter(|e| first.is_some_and(|f| e.ts >= f))
                .collect();
        }
        events.iter().filter(|e| e.ts >= self.started).collect()
    }

    pub fn observe_events(&mut self, events: &[EnvEvent]) {
        for e in self.own_events(events) {
            if let Some((n, ids)) = super::ledger::parse_batch_start(&e.message) {
                self.batch = Some(n);
                if n == 1 || self.batch_size.is_none() {
                    self.batch_size = Some(ids.max(1));
                }
            }
            if self.origin == Origin::Elsewhere
                && self.label == "Update"
                && let Some(l) = label_from_message(&e.message)
            {
                self.label = l.to_string();
            }
        }
    }

    /// Read instance deployment states from a health snapshot.
    pub fn observe_instances(
        &mut self,
        instances: &[InstanceHealth],
        target_version: Option<&str>,
    ) {
        if instances.is_empty() {
            return;
        }
        self.instances_total = Some(instances.len() as u32);
        let recent = |ts: Option<Millis>| ts.is_none_or(|t| t >= self.started);
        let mut done = 0;
        let mut failed = 0;
        for i in instances {
            let Some(d) = &i.deployment else { continue };
            let on_target = target_version.is_none_or(|v| d.version.as_deref() == Some(v));
            match d.status.as_str() {
                "Deployed" if on_target && recent(d.ts) => done += 1,
                "Failed" if recent(d.ts) => failed += 1,
                _ => {}
            }
        }
        self.instances_done = done;
        self.instances_failed = failed;
    }

    /// The environment list says `status`: note when it settled (or that it is still moving).
    pub fn observe_status(&mut self, status: &EnvStatus, now: Millis) {
        if status.is_transitional() {
            self.seen_busy = true;
            self.busy_since.get_or_insert(now);
            self.settled_at = None;
        } else if self.settled_at.is_none() {
            self.settled_at = Some(now);
        }
    }

    /// Decide the outcome from events read at `events_read_at`. Returns true when it just ended.
    pub fn settle(&mut self, events: &[EnvEvent], events_read_at: Millis, now: Millis) -> bool {
        if !self.is_active() {
            return false;
        }
        let Some(settled) = self.settled_at else {
            return false;
        };
        if events_read_at < settled {
            return false;
        }
        let since = self.own_events(events);
        // Settled again: it ended if we saw it busy, or the events already tell the end.
        let told = super::ledger::classify::outcome(&since);
        if !self.seen_busy && told.is_none() {
            // A write whose answer was lost and that never made the environment move did not
            // start: say so rather than wait forever.
            if self.answer_lost && now - settled >= NOT_STARTED_AFTER {
                self.outcome = Some(Outcome::Unknown);
                self.ended = Some(now);
                return true;
            }
            return false;
        }
        // No end event although the status settled: the evidence is missing, not a success.
        self.outcome = Some(told.unwrap_or(Outcome::Unknown));
        self.ended = Some(now);
        true
    }
}

/// Name an operation started elsewhere from the event that announces it.
pub fn label_from_message(msg: &str) -> Option<&'static str> {
    let m = msg.to_ascii_lowercase();
    Some(
        if m.contains("deploying new version") || m.contains("application deployment") {
            "Deploy"
        } else if m.contains("rebuildenvironment") {
            "Rebuild"
        } else if m.contains("restartappserver") {
            "Restart app servers"
        } else if m.contains("swapping cnames") || m.contains("swap") && m.contains("cname") {
            "Swap CNAMEs"
        } else if m.contains("createenvironment") {
            "Create"
        } else if m.contains("terminateenvironment") {
            "Terminate"
        } else if m.contains("configuration settings") || m.contains("new configuration") {
            "Configuration update"
        } else if m.contains("environment update is starting") {
            "Update"
        } else {
            return None;
        },
    )
}

fn elapsed(ms: Millis) -> String {
    let s = ms.max(0) / 1000;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{InstanceDeployment, Severity};

    fn ev(ts: Millis, sev: Severity, msg: &str) -> EnvEvent {
        EnvEvent {
            ts,
            env: "prod".into(),
            severity: sev,
            message: msg.into(),
            version: None,
            request_id: None,
        }
    }

    #[test]
    fn tracks_batches_instances_and_settles_on_ready() {
        let mut t = Tracked::new("prod", "Roll back", Origin::Ours { op_id: 1 }, 1000);
        let events = vec![
            ev(
                500,
                Severity::Info,
                "Environment update completed successfully.",
            ), // before the start: ignored
            ev(1100, Severity::Info, "Environment update is starting."),
            ev(
                1200,
                Severity::Info,
                "Batch 1: Starting application deployment on instance(s) [i-1, i-2].",
            ),
            ev(
                1300,
                Severity::Info,
                "Batch 2: Starting application deployment on instance(s) [i-3, i-4].",
            ),
        ];
        t.observe_events(&events);
        let inst = |id: &str, status: &str, v: &str| InstanceHealth {
            id: id.into(),
            status: crate::domain::HealthStatus::Ok,
            color: crate::domain::HealthColor::Green,
            causes: vec![],
            metrics: None,
            cpu_pct: None,
            load1: None,
            deployment: Some(InstanceDeployment {
                id: Some(7),
                status: status.into(),
                version: Some(v.into()),
                ts: Some(1250),
            }),
            az: None,
            instance_type: None,
            launched: None,
        };
        t.observe_instances(
            &[
                inst("i-1", "Deployed", "v1"),
                inst("i-2", "Deployed", "v1"),
                inst("i-3", "Deploying", "v1"),
                inst("i-4", "Failed", "v1"),
            ],
            Some("v1"),
        );
        assert_eq!(
            (t.batch, t.batches(), t.instances_done, t.instances_failed),
            (Some(2), Some(2), 2, 1)
        );
        assert_eq!(
            t.summary(61_000),
            "Roll back · 1m00s · batch 2/2 · 2/4 done, 1 failed · in progress"
        );
        t.observe_status(&EnvStatus::Updating, 2000);
        assert!(!t.settle(&events, 2000, 2000));
        let mut done = events.clone();
        done.push(ev(
            1400,
            Severity::Info,
            "Environment update completed successfully.",
        ));
        t.observe_status(&EnvStatus::Ready, 3000);
        // Events read before the status settled cannot tell the outcome yet.
        assert!(!t.settle(&done, 2500, 3000));
        assert!(t.settle(&done, 3000, 3000));
        assert_eq!(t.outcome, Some(Outcome::Succeeded));
        assert!(!t.settle(&done, 4000, 4000), "ends once");
    }

    #[test]
    fn does_not_end_before_it_started_moving() {
        let mut t = Tracked::new("prod", "Deploy", Origin::Ours { op_id: 1 }, 1000);
        // The environment list still says Ready from before the request: not the end.
        t.observe_status(&EnvStatus::Ready, 1500);
        assert!(!t.settle(&[], 1500, 1500));
        assert!(t.is_active());
    }

    #[test]
    fn names_operations_started_elsewhere() {
        assert_eq!(
            label_from_message("rebuildEnvironment is starting."),
            Some("Rebuild")
        );
        assert_eq!(
            label_from_message("restartAppServer is starting."),
            Some("Restart app servers")
        );
        assert_eq!(
            label_from_message("Deploying new version to instance(s)."),
            Some("Deploy")
        );
        assert_eq!(
            label_from_message("Completed swapping CNAMEs for environments 'a' and 'b'."),
            Some("Swap CNAMEs")
        );
        assert_eq!(
            label_from_message("Environment health has transitioned from Ok to Info."),
            None
        );
    }
}
