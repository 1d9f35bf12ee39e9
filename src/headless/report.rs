//! What `ebtui deploy` tells as it goes: plain lines for a person reading a CI log, or one JSON
//! object a line (`--json`) for a script. The only place the headless command writes output
//! (a source-tree test holds this); the UI is never up while it runs.

use std::io::Write;

use serde_json::{Value, json};

use crate::domain::{EnvEvent, Millis};

/// One thing worth telling.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    Bundle {
        source: String,
        rules: String,
        files: usize,
        bytes: u64,
        zip_bytes: u64,
        label: String,
        warnings: Vec<String>,
    },
    Upload {
        sent: u64,
        total: u64,
    },
    Uploaded {
        bucket: String,
        key: String,
        existed: bool,
    },
    Version {
        label: String,
    },
    Deploy {
        env: String,
        label: String,
        request_id: Option<String>,
    },
    Event(EnvEvent),
    Batch {
        n: u32,
        of: Option<u32>,
    },
    Health {
        status: String,
    },
    Rollback {
        to: String,
    },
    /// A step that went wrong, in words that say what to do.
    Problem(String),
    Done {
        outcome: String,
        exit: i32,
    },
}

/// Where the notes go.
pub struct Report {
    json: bool,
    out: Box<dyn Write + Send>,
    /// The last upload percentage told in plain mode (tenths of the whole, to keep a CI log short).
    told_pct: Option<u64>,
}

impl Report {
    /// Standard output, plain or JSON lines.
    pub fn console(json: bool) -> Self {
        Self::to(json, Box::new(std::io::stdout()))
    }

    /// Any writer (tests read what was told).
    pub fn to(json: bool, out: Box<dyn Write + Send>) -> Self {
        Self {
            json,
            out,
            told_pct: None,
        }
    }

    pub fn note(&mut self, note: Note) {
        let line = if self.json {
            Some(json_line(&note).to_string())
        } else {
            self.plain(&note)
        };
        if let Some(line) = line {
            // A closed pipe (`| head`) must not stop the deploy half-way: it goes on, untold.
            let _ = writeln!(self.out, "{line}");
            let _ = self.out.flush();
        }
    }

    fn plain(&mut self, note: &Note) -> Option<String> {
        Some(match note {
            Note::Bundle {
                source,
                rules,
                files,
                bytes,
                zip_bytes,
                label,
                warnings,
            } => {
                let mut s = format!(
                    "bundle   {} ({rules}): {files} files, {}, zip {}; label {}",
                    inert(source),
                    crate::app::ship::human_bytes(*bytes),
                    crate::app::ship::human_bytes(*zip_bytes),
                    inert(label)
                );
                for w in warnings {
                    s.push_str(&format!("\nwarning  {}", inert(w)));
                }
                s
            }
            Note::Upload { sent, total } => {
                let pct = (sent * 100).checked_div(*total).unwrap_or(100);
                let step = pct / 10;
                if self.told_pct == Some(step) {
                    return None;
                }
                self.told_pct = Some(step);
                format!(
                    "upload   {pct:>3} %  {} of {}",
                    crate::app::ship::human_bytes(*sent),
                    crate::app::ship::human_bytes(*total)
                )
            }
            Note::Uploaded {
                bucket,
                key,
                existed: true,
            } => format!("upload   s3://{bucket}/{key} is there already: nothing sent"),
            Note::Uploaded { bucket, key, .. } => format!("upload   done: s3://{bucket}/{key}"),
            Note::Version { label } => format!("version  {label} created and processed"),
            Note::Deploy {
                env,
                label,
                request_id,
            } => format!(
                "deploy   {label} to {env} (request {})",
                request_id.as_deref().unwrap_or("-")
            ),
            Note::Event(e) => format!(
                "event    {} {:<5} {}",
                timefmt_utc(e.ts),
                e.severity.as_str(),
                e.message
            ),
            Note::Batch { n, of: Some(m) } => format!("batch    {n}/{m}"),
            Note::Batch { n, of: None } => format!("batch    {n}"),
            Note::Health { status } => format!("health   {status}"),
            Note::Rollback { to } => format!("rollback to {to}"),
            Note::Problem(p) => format!("error    {}", inert(p)),
            Note::Done { outcome, exit } => format!("outcome  {outcome} (exit {exit})"),
        })
    }
}

/// A path, a file name or a text naming one, as one inert piece of a plain line: a file name may
/// hold a line break (a line of its own in the CI log, which a runner may read as a command,
/// like GitHub's `::error::`), an escape sequence or a bidi control. JSON escapes them itself.
fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    crate::logs::sanitize(s)
}

fn json_line(note: &Note) -> Value {
    match note {
        Note::Bundle {
            source,
            rules,
            files,
            bytes,
            zip_bytes,
            label,
            warnings,
        } => json!({"event": "bundle", "source": source, "rules": rules, "files": files,
                    "bytes": bytes, "zip_bytes": zip_bytes, "label": label, "warnings": warnings}),
        Note::Upload { sent, total } => json!({"event": "upload", "sent": sent, "total": total}),
        Note::Uploaded {
            bucket,
            key,
            existed,
        } => json!({"event": "uploaded", "bucket": bucket, "key": key, "existed": existed}),
        Note::Version { label } => {
            json!({"event": "version", "label": label, "status": "processed"})
        }
        Note::Deploy {
            env,
            label,
            request_id,
        } => {
            json!({"event": "deploy", "environment": env, "label": label, "request_id": request_id})
        }
        Note::Event(e) => json!({"event": "eb_event", "time": timefmt_utc(e.ts),
                                 "severity": e.severity.as_str(), "message": e.message,
                                 "request_id": e.request_id}),
        Note::Batch { n, of } => json!({"event": "batch", "n": n, "of": of}),
        Note::Health { status } => json!({"event": "health", "status": status}),
        Note::Rollback { to } => json!({"event": "rollback", "to": to}),
        Note::Problem(p) => json!({"event": "error", "message": p}),
        Note::Done { outcome, exit } => {
            json!({"event": "outcome", "outcome": outcome, "exit": exit})
        }
    }
}

/// An event's time as ISO 8601 UTC, the same in every CI log whatever the runner's zone.
fn timefmt_utc(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}
