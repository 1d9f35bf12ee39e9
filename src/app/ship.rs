//! Deploying the code in a directory: the bundle made from it, the dialog that shows what ships,
//! and the three writes that follow one confirmation (upload, create the version, deploy it).
//! Plain data and pure rules; the keys and messages that move it are in `update/ship.rs`.
//!
//! One ship at a time: a second `:deploy` while one is on its way is refused, so progress,
//! cancel and the temporary zip always belong to the one on screen.

use std::path::PathBuf;

use tui_input::Input;

use crate::bundle::{Bundle, Warning};
use crate::cloud::{S3Location, UploadProgress};
use crate::domain::{EnvRef, Millis};

/// Elastic Beanstalk's limit on a version label's length.
pub const LABEL_MAX: usize = 100;

/// Where a ship is.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// The bundle is being made (files read, zip written) on a blocking thread.
    Bundling,
    /// The dialog shows what will ship; nothing was sent.
    Review,
    /// The first write: the bundle going up to S3.
    Uploading { op_id: u64 },
    /// The second: CreateApplicationVersion, until Elastic Beanstalk has processed it.
    Creating { op_id: u64, source: S3Location },
    /// The third was sent (UpdateEnvironment); from here the deploy is followed like any other.
    Deploying,
    /// It stopped: refused, failed or cancelled; the text says why and what to do.
    Stopped(String),
}

/// Bytes acknowledged at a time, for the rate and the time left.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sample {
    at: Millis,
    sent: u64,
}

/// A deploy of the code in a directory, from bundling to the UpdateEnvironment that ends it.
#[derive(Debug, Clone)]
pub struct Ship {
    /// Bumped for every ship: a bundle finished for an earlier one is dropped.
    pub id: u64,
    pub env: EnvRef,
    /// The environment's key in the app (its name, unless a namesake replaced it).
    pub env_key: String,
    pub path: PathBuf,
    pub stage: Stage,
    pub bundle: Option<Bundle>,
    /// Environment-independent and platform warnings together, as shown.
    pub warnings: Vec<Warning>,
    pub label: Input,
    /// `Tab`: the dialog lists every file instead of the summary.
    pub files_open: bool,
    pub scroll: u16,
    /// The review was drawn: a typed-ahead Enter must not ship what was not seen.
    pub seen: bool,
    /// Why the last confirmation was refused (a label that exists, an empty label...).
    pub problem: Option<String>,
    pub progress: Option<UploadProgress>,
    samples: Vec<Sample>,
    /// The object was there already: nothing was sent.
    pub existed: bool,
    /// The dialog was closed while the writes go on (Esc after the upload).
    pub hidden: bool,
}

impl Ship {
    pub fn new(id: u64, env: EnvRef, env_key: String, path: PathBuf) -> Self {
        Self {
            id,
            env,
            env_key,
            path,
            stage: Stage::Bundling,
            bundle: None,
            warnings: Vec::new(),
            label: Input::default(),
            files_open: false,
            scroll: 0,
            seen: false,
            problem: None,
            progress: None,
            samples: Vec::new(),
            existed: false,
            hidden: false,
        }
    }

    /// Still on its way: a new ship is refused until this one is done.
    pub fn is_running(&self) -> bool {
        matches!(
            self.stage,
            Stage::Bundling | Stage::Uploading { .. } | Stage::Creating { .. }
        )
    }

    /// The bundle arrived: the dialog opens on it with the label the EB CLI would use.
    pub fn reviewed(&mut self, bundle: Bundle, platform: &str) {
        let mut warnings = bundle.warnings.clone();
        warnings.extend(bundle.platform_warnings(platform));
        self.warnings = warnings;
        self.label = Input::new(bundle.label.clone());
        self.bundle = Some(bundle);
        self.stage = Stage::Review;
        self.seen = false;
    }

    /// Bytes acknowledged so far; keeps the last few seconds of samples for the rate.
    pub fn record(&mut self, p: UploadProgress, now: Millis) {
        self.progress = Some(p);
        self.samples.push(Sample {
            at: now,
            sent: p.sent,
        });
        let keep_from = now - RATE_WINDOW_MS;
        if let Some(first) = self.samples.iter().position(|s| s.at >= keep_from) {
            // Keep one sample before the window so the rate spans all of it.
            self.samples.drain(..first.saturating_sub(1));
        }
    }

    /// Bytes a second over the last few seconds; `None` until two samples are apart in time.
    pub fn rate(&self) -> Option<f64> {
        let (a, b) = (self.samples.first()?, self.samples.last()?);
        let dt = b.at - a.at;
        if dt <= 0 || b.sent < a.sent {
            return None;
        }
        Some((b.sent - a.sent) as f64 * 1000.0 / dt as f64)
    }

    /// A few words for the status line while the dialog is closed.
    pub fn status_line(&self) -> Option<String> {
        match &self.stage {
            Stage::Uploading { .. } => self.progress.map(|p| {
                format!(
                    "deploy {}: uploading {} of {}",
                    self.env.name,
                    human_bytes(p.sent),
                    human_bytes(p.total)
                )
            }),
            Stage::Creating { .. } => Some(format!(
                "deploy {}: version {} processing",
                self.env.name,
                self.label.value().trim()
            )),
            _ => None,
        }
    }

    /// Seconds left at the current rate.
    pub fn eta_secs(&self) -> Option<u64> {
        let p = self.progress?;
        let rate = self.rate()?;
        if rate <= 0.0 {
            return None;
        }
        Some(((p.total.saturating_sub(p.sent)) as f64 / rate).ceil() as u64)
    }
}

/// How far back the upload rate looks.
const RATE_WINDOW_MS: Millis = 5_000;

/// Why a label cannot be used, in words that say what to do; `None` when it can.
/// Elastic Beanstalk's rules: 1 to 100 characters, no `/` (the label is part of the S3 key), and
/// not the label of a version the application already has.
pub fn label_problem(label: &str, existing: Option<&[String]>) -> Option<String> {
    let label = label.trim();
    if label.is_empty() {
        return Some("the version label is empty: type one".into());
    }
    if label.chars().count() > LABEL_MAX {
        return Some(format!(
            "the version label is longer than {LABEL_MAX} characters: shorten it"
        ));
    }
    if label.contains('/') || label.chars().any(char::is_control) {
        return Some("the version label may not contain '/' or control characters".into());
    }
    match existing {
        None => {
            Some("the application's versions are still being read: try again in a moment".into())
        }
        Some(labels) if labels.iter().any(|l| l == label) => Some(format!(
            "version {label} already exists in this application: Elastic Beanstalk never replaces a version; edit the label"
        )),
        Some(_) => None,
    }
}

/// Bytes as people read them: 512 B, 3.4 KB, 12.0 MB.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ship() -> Ship {
        let env = EnvRef {
            app: "a".into(),
            name: "e".into(),
            id: "e-1".into(),
        };
        Ship::new(1, env, "e".into(), PathBuf::from("."))
    }

    #[test]
    fn rate_and_eta_come_from_the_last_seconds() {
        let mut s = ship();
        assert_eq!(s.rate(), None);
        s.record(
            UploadProgress {
                sent: 0,
                total: 10_000_000,
            },
            0,
        );
        assert_eq!(s.rate(), None, "one sample has no rate");
        s.record(
            UploadProgress {
                sent: 2_000_000,
                total: 10_000_000,
            },
            1_000,
        );
        assert_eq!(s.rate(), Some(2_000_000.0));
        assert_eq!(s.eta_secs(), Some(4));
        // A slow stretch: one sample before the window is kept, so sparse progress still has a
        // rate; once the window has moved past the old samples, the rate is the recent speed.
        s.record(
            UploadProgress {
                sent: 3_000_000,
                total: 10_000_000,
            },
            7_000,
        );
        assert_eq!(s.rate(), Some(1_000_000.0 / 6.0));
        for (i, at) in (8_000..=13_000).step_by(1_000).enumerate() {
            let sent = 4_000_000 + i as u64 * 1_000_000;
            s.record(
                UploadProgress {
                    sent,
                    total: 10_000_000,
                },
                at,
            );
        }
        assert_eq!(s.rate(), Some(1_000_000.0));
        assert_eq!(s.eta_secs(), Some(1));
    }

    #[test]
    fn labels_follow_elastic_beanstalks_rules() {
        let have = vec!["v1".to_string(), "app-abc-261130_101500".to_string()];
        assert_eq!(label_problem("v2", Some(&have)), None);
        assert!(label_problem("  ", Some(&have)).unwrap().contains("empty"));
        assert!(
            label_problem(&"x".repeat(101), Some(&have))
                .unwrap()
                .contains("100")
        );
        assert!(label_problem("a/b", Some(&have)).unwrap().contains('/'));
        let exists = label_problem("v1", Some(&have)).unwrap();
        assert!(exists.contains("already exists"), "{exists}");
        // Fail closed: unknown versions means the label cannot be checked yet.
        assert!(
            label_problem("v2", None)
                .unwrap()
                .contains("still being read")
        );
    }

    #[test]
    fn bytes_read_like_people_write_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3_482), "3.4 KB");
        assert_eq!(human_bytes(12 * 1024 * 1024), "12.0 MB");
    }
}
