//! The report the triage view draws, built from the running count and what the app holds:
//! breakdowns, the operations on the time axis, and findings ranked by how much they explain.

use std::collections::HashMap;

use crate::domain::Millis;

use super::aggregate::{Aggregate, Series};
use super::parse::Format;
use super::signatures::TABLE;
use super::{Inputs, Marker};

/// The instances table's row for lines whose stream names no instance.
pub const NO_INSTANCE: &str = "(no instance id)";

/// Where Enter takes the person from a finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Jump {
    /// Search the logs pane for this pattern, filter to it, and select its first line.
    Search(String),
    /// The logs pane's 5xx preset (5xx access lines and upstream errors), with instances shown.
    Errors5xx,
    /// The 5xx preset over this instance's lines only.
    Instance(String),
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub text: String,
    /// The counts behind it, in a line.
    pub evidence: String,
    pub jump: Jump,
    /// Higher first.
    pub rank: u32,
}

/// A row of a breakdown table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    /// The version an instance runs, for the instances table.
    pub version: Option<String>,
    pub count: u64,
}

/// An operation placed on the chart: its minute (index into the series; `None` when it began
/// in the half hour before the chart's first minute) and label.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedMarker {
    pub minute: Option<usize>,
    pub label: String,
}

/// Operations this long before the chart's first minute are still named under it: the onset
/// finding looks as far back, and the logs often begin after the deploy did.
const MARKERS_BEFORE: Millis = 30 * 60_000;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub env: String,
    /// The access-log format read ("nginx combined", "unknown: counted by status", "none").
    pub format: String,
    pub lines: u64,
    /// Lines not read yet (the view is catching up).
    pub behind: u64,
    pub total_5xx: u64,
    pub series: Series,
    /// The busiest instances' own per-minute 5xx.
    pub per_instance: Vec<(String, Vec<u64>)>,
    pub markers: Vec<PlacedMarker>,
    pub by_status: Vec<Row>,
    pub by_instance: Vec<Row>,
    pub by_kind: Vec<Row>,
    pub by_path: Vec<Row>,
    pub findings: Vec<Finding>,
}

/// Builds the report. `series`: per-minute counts from another source (a Logs Insights query
/// over 6 hours) when there are some; the buffer's own otherwise.
pub fn report(agg: &Aggregate, inputs: &Inputs, series: Option<Series>) -> Report {
    let series = series.unwrap_or_else(|| agg.series(inputs.now));
    let version_of: HashMap<&str, Option<&str>> = inputs
        .instances
        .iter()
        .map(|i| (i.id.as_str(), i.version.as_deref()))
        .collect();
    let inst_label =
        |n: Option<u32>| n.map_or(NO_INSTANCE.to_string(), |n| agg.text(n).to_string());

    let mut by_instance: Vec<Row> = agg
        .by_instance
        .iter()
        .map(|(n, c)| {
            let label = inst_label(*n);
            let version = version_of
                .get(label.as_str())
                .copied()
                .flatten()
                .map(str::to_string);
            Row {
                label,
                version,
                count: *c,
            }
        })
        .collect();
    // Instances health lists with no 5xx are rows too: "none from v1.4.3" needs them seen. So
    // are instances seen answering requests, for when health lists none.
    for i in inputs.instances {
        if !by_instance.iter().any(|r| r.label == i.id) {
            by_instance.push(Row {
                label: i.id.clone(),
                version: i.version.clone(),
                count: 0,
            });
        }
    }
    for &n in &agg.served {
        let id = agg.text(n);
        if !by_instance.iter().any(|r| r.label == id) {
            by_instance.push(Row {
                label: id.to_string(),
                version: None,
                count: 0,
            });
        }
    }
    sort_rows(&mut by_instance);

    let mut per_instance: Vec<(String, Vec<u64>)> = agg
        .by_instance
        .keys()
        .map(|n| (inst_label(*n), agg.instance_series(*n, &series)))
        .collect();
    per_instance.sort_by(|a, b| {
        b.1.iter()
            .sum::<u64>()
            .cmp(&a.1.iter().sum())
            .then(a.0.cmp(&b.0))
    });
    per_instance.truncate(4);

    let mut by_status: Vec<Row> = agg
        .by_status
        .iter()
        .map(|(s, c)| Row {
            label: s.to_string(),
            version: None,
            count: *c,
        })
        .collect();
    sort_rows(&mut by_status);
    let mut by_path: Vec<Row> = agg
        .by_path
        .iter()
        .map(|(p, c)| Row {
            label: p.map_or("(no path)".to_string(), |p| agg.text(p).to_string()),
            version: None,
            count: *c,
        })
        .collect();
    sort_rows(&mut by_path);
    by_path.truncate(10);
    let mut by_kind: Vec<Row> = agg
        .sigs
        .iter()
        .map(|((row, detail), s)| Row {
            label: sig_label(*row, detail.map(|d| agg.text(d))),
            version: None,
            count: s.count,
        })
        .collect();
    sort_rows(&mut by_kind);

    let minute0 = series.start;
    let markers = inputs
        .markers
        .iter()
        .filter(|m| m.ts >= minute0 - MARKERS_BEFORE && !series.counts.is_empty())
        .map(|m| PlacedMarker {
            minute: (m.ts >= minute0)
                .then(|| (((m.ts - minute0) / 60_000) as usize).min(series.counts.len() - 1)),
            label: m.label.clone(),
        })
        .collect();

    let mut r = Report {
        env: inputs.env.to_string(),
        format: format_read(agg),
        lines: agg.lines,
        behind: 0,
        total_5xx: agg.total_5xx,
        series,
        per_instance,
        markers,
        by_status,
        by_instance,
        by_kind,
        by_path,
        findings: Vec::new(),
    };
    r.findings = findings(agg, &r, inputs);
    r
}

fn sort_rows(rows: &mut [Row]) {
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
}

fn sig_label(row: u16, detail: Option<&str>) -> String {
    let title = TABLE.get(row as usize).map_or("?", |s| s.title);
    match detail {
        Some(d) => format!("{title} at [{d}]"),
        None => title.to_string(),
    }
}

/// The format most access lines were read in.
fn format_read(agg: &Aggregate) -> String {
    let mut f: Vec<(&Format, &u64)> = agg.formats.iter().collect();
    f.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    f.first().map_or("no access lines".to_string(), |(f, _)| {
        f.as_str().to_string()
    })
}

/// "502s" when one code is nearly all of them, else "5xx".
fn what_fails(r: &Report) -> String {
    match r.by_status.first() {
        Some(top) if top.count * 10 >= r.total_5xx * 9 => format!("{}s", top.label),
        _ => "5xx".to_string(),
    }
}

/// `i-0d6d4b3b2c1a0f9e8` -> `i-0d6d4b3b…`: the screen names instances as the health pane does.
pub fn short_id(id: &str) -> String {
    if id.chars().count() > 11 {
        format!("{}…", id.chars().take(10).collect::<String>())
    } else {
        id.to_string()
    }
}

fn percent(part: u64, whole: u64) -> u64 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

/// "38 s", "4 m 10 s", "2 h 5 m".
fn gap(ms: Millis) -> String {
    let s = ms.max(0) / 1000;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} m"),
        (0, m, s) => format!("{m} m {s} s"),
        (h, m, _) => format!("{h} h {m} m"),
    }
}

fn findings(agg: &Aggregate, r: &Report, inputs: &Inputs) -> Vec<Finding> {
    let mut out = Vec::new();
    let fails = what_fails(r);
    if r.total_5xx == 0 {
        let minutes = agg
            .first_ts
            .map_or(0, |t| ((inputs.now - t).max(0) + 59_999) / 60_000);
        out.push(Finding {
            text: format!("no 5xx in the last {minutes} minutes"),
            evidence: format!("{} lines read, {} requests", r.lines, agg.requests),
            jump: Jump::Nothing,
            rank: 0,
        });
    } else {
        out.extend(version_split(r, &fails));
        out.extend(one_instance(r, &fails));
        out.extend(onset(agg, inputs.markers, &fails));
        out.extend(top_path(r, &fails));
    }
    for ((row, detail), s) in &agg.sigs {
        let Some(sig) = TABLE.get(*row as usize) else {
            continue;
        };
        let mut insts: Vec<String> = s
            .by_instance
            .keys()
            .map(|n| n.map_or(NO_INSTANCE.to_string(), |n| short_id(agg.text(n))))
            .collect();
        insts.sort();
        let step = detail
            .map(|d| format!(" at [{}]", agg.text(d)))
            .unwrap_or_default();
        out.push(Finding {
            text: format!("{}{step}: {} ({})", sig.title, sig.meaning, sig.next),
            evidence: format!(
                "{} line{} on {}",
                s.count,
                if s.count == 1 { "" } else { "s" },
                insts.join(", ")
            ),
            jump: Jump::Search(sig.pattern.to_string()),
            rank: u32::from(sig.weight),
        });
    }
    out.sort_by(|a, b| b.rank.cmp(&a.rank).then(a.text.cmp(&b.text)));
    out
}

/// "96 % of 502s come from instances on v-broken (i-0d6…, i-0bf…); none from instances on v1.4.3"
fn version_split(r: &Report, fails: &str) -> Option<Finding> {
    let mut by_version: HashMap<&str, (u64, Vec<&str>)> = HashMap::new();
    for row in &r.by_instance {
        let Some(v) = row.version.as_deref() else {
            continue;
        };
        let e = by_version.entry(v).or_default();
        e.0 += row.count;
        if row.count > 0 {
            e.1.push(&row.label);
        }
    }
    if by_version.len() < 2 {
        return None;
    }
    let mut versions: Vec<(&str, (u64, Vec<&str>))> = by_version.into_iter().collect();
    versions.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let (top, (n, insts)) = &versions[0];
    let share = percent(*n, r.total_5xx);
    if share < 80 {
        return None;
    }
    let others: Vec<String> = versions[1..]
        .iter()
        .map(|(v, (c, _))| {
            if *c == 0 {
                format!("none from instances on {v}")
            } else {
                format!("{} % from instances on {v}", percent(*c, r.total_5xx))
            }
        })
        .collect();
    let ids: Vec<String> = insts.iter().map(|i| short_id(i)).collect();
    Some(Finding {
        text: format!(
            "{share} % of {fails} come from instances on {top} ({}); {}",
            ids.join(", "),
            others.join("; ")
        ),
        evidence: format!("{n} of {} 5xx", r.total_5xx),
        jump: Jump::Errors5xx,
        rank: 100,
    })
}

/// "91 % of 502s come from i-0d6… (on v1.4.3)": one instance failing while its peers serve,
/// such as a full disk or a stuck worker on one host, which a roll back would not cure.
fn one_instance(r: &Report, fails: &str) -> Option<Finding> {
    let known: Vec<&Row> = r
        .by_instance
        .iter()
        .filter(|row| row.label != NO_INSTANCE)
        .collect();
    let top = known.first()?;
    let share = percent(top.count, r.total_5xx);
    (known.len() >= 2 && share >= 80 && r.total_5xx >= 10).then(|| Finding {
        text: format!(
            "{share} % of {fails} come from {}{}; {}",
            short_id(&top.label),
            top.version
                .as_deref()
                .map(|v| format!(" (on {v})"))
                .unwrap_or_default(),
            match known.len() - 1 {
                1 => "the other instance answers".to_string(),
                n => format!("the other {n} instances answer"),
            },
        ),
        evidence: format!("{} of {} 5xx", top.count, r.total_5xx),
        jump: Jump::Instance(top.label.clone()),
        rank: 96,
    })
}

/// "502s began 38 s after batch 1 of deploy v-broken started"
fn onset(agg: &Aggregate, markers: &[Marker], fails: &str) -> Option<Finding> {
    let at = agg.onset()?;
    let before = markers
        .iter()
        .filter(|m| m.ts <= at && at - m.ts <= 30 * 60_000)
        .max_by_key(|m| m.ts);
    let (text, rank) = match before {
        Some(m) => (
            format!("{fails} began {} after {} started", gap(at - m.ts), m.label),
            92,
        ),
        None => (
            format!(
                "{fails} began at {}, with no operation in the 30 minutes before",
                clock(at)
            ),
            50,
        ),
    };
    Some(Finding {
        text,
        evidence: format!("first of the burst at {}", clock(at)),
        jump: Jump::Errors5xx,
        rank,
    })
}

/// One path taking most 5xx says the fault is in that route, not the whole app.
fn top_path(r: &Report, fails: &str) -> Option<Finding> {
    let top = r.by_path.first()?;
    let share = percent(top.count, r.total_5xx);
    (r.by_path.len() > 1 && share >= 80 && r.total_5xx >= 10).then(|| Finding {
        text: format!("{share} % of {fails} are on {}", top.label),
        evidence: format!("{} of {} 5xx", top.count, r.total_5xx),
        jump: Jump::Search(regex::escape(&top.label)),
        rank: 60,
    })
}

/// `HH:MM:SS` in UTC, as the logs pane shows times.
fn clock(ts: Millis) -> String {
    let s = ts.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}
