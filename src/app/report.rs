//! The incident report (`:report`): one operation told in Markdown, readable in a pull request
//! or a ticket: what ran, its timeline, the first error, the instances' health causes, the log
//! lines captured around the failure, and the roll back that followed. Pure: built from what
//! the app holds; the runtime writes it (owner-only, never over a file).

use std::fmt::Write;

use crate::app::ledger::{OpKind, Operation, Outcome, span};
use crate::app::timeline::Entry;
use crate::domain::{Environment, HealthSnapshot, Millis, Severity};
use crate::journal::{Capture, OpRecord};

/// Captured lines shown per capture: the first errors and what led to them.
const EXCERPT_LINES: usize = 60;
/// Lines shown before the first error line of a capture.
const EXCERPT_BEFORE: usize = 20;

/// Everything the report is made of, gathered by `update/report.rs`.
pub struct Facts<'a> {
    pub env: &'a Environment,
    pub region: &'a str,
    pub account: Option<&'a str>,
    pub op: &'a Operation,
    pub outcome: Outcome,
    /// The environment's timeline entries (EB and stack events), oldest first.
    pub entries: Vec<&'a Entry>,
    /// The operations of the environment (the ledger), oldest first: for what came before and
    /// after.
    pub ops: &'a [Operation],
    /// ebtui's own record of it, when ebtui followed it.
    pub followed: Option<&'a OpRecord>,
    pub health: Option<&'a HealthSnapshot>,
    pub captures: Vec<&'a Capture>,
    /// When the report is written (the cloud's clock).
    pub now: Millis,
}

/// The file name a report is offered under: `ebtui-report-<env>-<yyyymmdd-hhmmss>.md`.
pub fn file_name(env: &str, at: Millis) -> String {
    let safe: String = env
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("ebtui-report-{safe}-{}.md", stamp(at, "%Y%m%d-%H%M%S"))
}

fn stamp(ms: Millis, fmt: &str) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format(fmt).to_string())
        .unwrap_or_else(|| ms.to_string())
}

fn utc(ms: Millis) -> String {
    stamp(ms, "%Y-%m-%d %H:%M:%S UTC")
}

/// Text from AWS, made safe inside a Markdown table cell or a line of prose.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn build(f: &Facts) -> String {
    let mut out = String::new();
    let op = f.op;
    let what = match &op.version {
        Some(v) => format!("{} {}", op.kind.as_str(), v),
        None => op.kind.as_str().to_string(),
    };
    let _ = writeln!(
        out,
        "# {} on {}: {}\n",
        cell(&what),
        cell(&f.env.env.name),
        f.outcome.as_str()
    );
    summary(&mut out, f);
    timeline(&mut out, f);
    first_error(&mut out, f);
    health(&mut out, f);
    captures(&mut out, f);
    after(&mut out, f);
    let _ = writeln!(out, "\n---\nWritten by ebtui at {}.", utc(f.now));
    out
}

fn summary(out: &mut String, f: &Facts) {
    let (op, env) = (f.op, f.env);
    let _ = writeln!(out, "| | |\n|---|---|");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "| {k} | {v} |");
    };
    row(
        "Environment",
        format!(
            "{} (`{}`), application {}",
            cell(&env.env.name),
            cell(&env.env.id),
            cell(&env.env.app)
        ),
    );
    row(
        "Where",
        format!(
            "{}{}",
            cell(f.region),
            f.account
                .map(|a| format!(", account {}", cell(a)))
                .unwrap_or_default()
        ),
    );
    row("Platform", cell(&env.platform));
    row(
        "Operation",
        format!(
            "{} (request id `{}`)",
            op.kind.as_str(),
            cell(&op.request_id)
        ),
    );
    if let Some(v) = &op.version {
        row("Version", format!("`{}`", cell(v)));
    }
    if let Some(prev) = previous_version(f) {
        row("Version before", format!("`{}`", cell(&prev)));
    }
    row("Started", utc(op.started));
    let ended = match op.ended() {
        Some(end) => format!("{} (took {})", utc(end), span(end - op.started)),
        None => "no end event".to_string(),
    };
    row("Ended", ended);
    row("Outcome", f.outcome.as_str().to_string());
    let who = match f.followed {
        Some(r) if r.ours => "started from ebtui".to_string(),
        _ => format!(
            "not told by Elastic Beanstalk's events (they name no caller); CloudTrail has it under request id `{}`",
            cell(&op.request_id)
        ),
    };
    row("Who", who);
    if let Some(e) = f.followed.and_then(|r| r.error.as_deref()) {
        row("Refused", cell(e));
    }
    out.push('\n');
}

/// The version deployed by the newest operation before this one that named one.
fn previous_version(f: &Facts) -> Option<String> {
    f.ops
        .iter()
        .take_while(|o| o.request_id != f.op.request_id)
        .filter(|o| o.told.is_some_and(|t| !t.is_bad()))
        .filter_map(|o| o.version.clone())
        .last()
}

/// The operation's events, and the stack events in its span.
fn in_span<'a>(f: &'a Facts) -> Vec<&'a Entry> {
    let end = f.op.ended().unwrap_or(f.now);
    f.entries
        .iter()
        .copied()
        .filter(|e| match e {
            Entry::Eb(ev) => ev.request_id.as_deref() == Some(f.op.request_id.as_str()),
            Entry::Stack(s) => s.ts >= f.op.started && s.ts <= end,
        })
        .collect()
}

fn timeline(out: &mut String, f: &Facts) {
    let _ = writeln!(out, "## Timeline\n");
    let entries = in_span(f);
    if entries.is_empty() {
        let _ = writeln!(out, "No events of this operation were read.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| Time (UTC) | Source | Severity | Event |\n|---|---|---|---|"
    );
    for e in entries {
        let (src, sev, text) = match e {
            Entry::Eb(ev) => (
                "Elastic Beanstalk",
                ev.severity.as_str().to_string(),
                ev.message.clone(),
            ),
            Entry::Stack(s) => (
                "CloudFormation",
                s.status.clone(),
                match &s.reason {
                    Some(r) => format!("{} ({}): {}", s.logical_id, s.resource_type, r),
                    None => format!("{} ({})", s.logical_id, s.resource_type),
                },
            ),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            stamp(e.ts(), "%H:%M:%S"),
            src,
            cell(&sev),
            cell(&text)
        );
    }
    out.push('\n');
}

fn first_error(out: &mut String, f: &Facts) {
    let _ = writeln!(out, "## First error\n");
    let first = in_span(f).into_iter().find_map(|e| match e {
        Entry::Eb(ev) if ev.severity >= Severity::Error => Some((ev.ts, ev.message.clone())),
        Entry::Stack(s) if s.status.ends_with("FAILED") => Some((
            s.ts,
            format!(
                "{} {}: {}",
                s.logical_id,
                s.status,
                s.reason.clone().unwrap_or_default()
            ),
        )),
        _ => None,
    });
    match first {
        Some((ts, text)) => {
            let _ = writeln!(out, "{}: {}\n", utc(ts), cell(&text));
        }
        None => {
            let _ = writeln!(out, "No error event in this operation.\n");
        }
    }
}

fn health(out: &mut String, f: &Facts) {
    let _ = writeln!(out, "## Instances' health\n");
    let Some(h) = f.health else {
        let _ = writeln!(out, "No health reading was kept.\n");
        return;
    };
    let env_causes = if h.env.causes.is_empty() {
        "none".to_string()
    } else {
        h.env
            .causes
            .iter()
            .map(|c| cell(c))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let status = h
        .env
        .status
        .as_ref()
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|| h.env.color.as_str().to_string());
    let _ = writeln!(
        out,
        "Environment: {} — causes: {}\n",
        cell(&status),
        env_causes
    );
    if h.instances.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "| Instance | Status | Version | Deployment | Causes |\n|---|---|---|---|---|"
    );
    for i in &h.instances {
        let dep = i.deployment.as_ref();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            cell(&i.id),
            cell(i.status.as_str()),
            cell(dep.and_then(|d| d.version.as_deref()).unwrap_or("-")),
            cell(dep.map(|d| d.status.as_str()).unwrap_or("-")),
            if i.causes.is_empty() {
                "-".to_string()
            } else {
                i.causes
                    .iter()
                    .map(|c| cell(c))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        );
    }
    out.push('\n');
}

fn captures(out: &mut String, f: &Facts) {
    let _ = writeln!(out, "## Captured logs\n");
    if f.captures.is_empty() {
        let _ = writeln!(out, "Nothing was captured for this operation.\n");
        return;
    }
    for c in &f.captures {
        let source = match c.source {
            crate::journal::CaptureSource::CloudWatch => "CloudWatch Logs",
            crate::journal::CaptureSource::TailLogs => "Elastic Beanstalk tail logs",
        };
        let _ = writeln!(
            out,
            "Captured from {source} at {} ({}): {} lines.",
            utc(c.at),
            cell(&c.reason),
            c.lines.len()
        );
        if let Some(n) = &c.note {
            let _ = writeln!(out, "Note: {}", cell(n));
        }
        let excerpt = excerpt(c);
        if !excerpt.is_empty() {
            let fence = fence_for(&excerpt);
            let _ = writeln!(out, "\n{fence}text");
            for l in excerpt {
                let _ = writeln!(out, "{}", l);
            }
            let _ = writeln!(out, "{fence}");
        }
        out.push('\n');
    }
}

/// The lines around the first error of a capture (else its last lines), each with its file.
fn excerpt(c: &Capture) -> Vec<String> {
    let is_error = |m: &str| {
        let u = m.to_ascii_uppercase();
        u.contains("ERROR")
            || u.contains("FAILED")
            || u.contains("TRACEBACK")
            || u.contains("EXCEPTION")
    };
    let first = c.lines.iter().position(|l| is_error(&l.message));
    let start = match first {
        Some(i) => i.saturating_sub(EXCERPT_BEFORE),
        None => c.lines.len().saturating_sub(EXCERPT_LINES),
    };
    c.lines
        .iter()
        .skip(start)
        .take(EXCERPT_LINES)
        .map(|l| {
            let file = l.group.rsplit('/').next().unwrap_or(&l.group);
            format!("{} {file} {}", stamp(l.ts, "%H:%M:%S"), l.message)
        })
        .collect()
}

/// A code fence longer than any run of backticks in the lines, so a line cannot close it.
fn fence_for(lines: &[String]) -> String {
    let longest = lines
        .iter()
        .map(|l| {
            let mut best = 0;
            let mut run = 0;
            for ch in l.chars() {
                run = if ch == '`' { run + 1 } else { 0 };
                best = best.max(run);
            }
            best
        })
        .max()
        .unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

fn after(out: &mut String, f: &Facts) {
    let _ = writeln!(out, "## What followed\n");
    let later: Vec<&Operation> = f
        .ops
        .iter()
        .skip_while(|o| o.request_id != f.op.request_id)
        .skip(1)
        .collect();
    let Some(next) = later.first() else {
        let _ = writeln!(out, "No operation followed (as far as the events read go).");
        return;
    };
    let rollback = matches!(next.kind, OpKind::Deploy)
        && next.version.is_some()
        && next.version == previous_version(f);
    let what = match (&next.version, rollback) {
        (Some(v), true) => format!("Roll back: deploy of the previous version `{}`", cell(v)),
        (Some(v), false) => format!("{} `{}`", next.kind.as_str(), cell(v)),
        (None, _) => next.kind.as_str().to_string(),
    };
    let outcome = next.told.map(|o| o.as_str()).unwrap_or("no end event");
    let _ = writeln!(
        out,
        "{} at {} (request id `{}`): {}.",
        what,
        utc(next.started),
        cell(&next.request_id),
        outcome
    );
}
