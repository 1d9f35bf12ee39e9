//! CloudWatch Logs Insights in the simulator: a small interpreter for the queries ebtui sends
//! (`fields`, `filter @message like /regex/` or `"literal"`, `filter ispresent(f)`,
//! `parse @message /(?<name>..)/`, `sort @timestamp asc|desc`, `limit N`, `stats count(*) by
//! bin(1m)` and `by bin(1m), <field>`), answering from the simulated log lines. A query scans its
//! range in ten-minute slices, oldest first, as simulated time passes (`SCAN_PER_HOUR` of
//! simulated time per hour of range), so progress grows and rows arrive as they would from AWS.
//!
//! Generated traffic is read for at most the last `SCAN_MAX` of a range (the demo does not keep
//! days of traffic; older slices are scanned as empty).

use std::collections::BTreeMap;

use regex::Regex;

use crate::cloud::{InsightsPage, InsightsProgress, InsightsRow, QueryStatus};
use crate::domain::{Millis, RawLogEvent};
use crate::logs::insights_query::format_time;

use super::model::{ACCOUNT, HOUR, MIN, SEC};

/// A slice scanned at once.
const SLICE: Millis = 10 * MIN;
/// Simulated time a query takes per hour of range (at least `SCAN_MIN`).
const SCAN_PER_HOUR: Millis = SEC;
const SCAN_MIN: Millis = 4 * SEC;
/// How much of a range holds generated traffic.
pub(crate) const SCAN_MAX: Millis = 6 * HOUR;
/// The account's Insights concurrency quota (queries running at once).
pub(crate) const CONCURRENT_MAX: usize = 30;
/// Bytes Insights counts per line beyond its message (timestamp, stream, group).
const LINE_OVERHEAD: u64 = 60;

#[derive(Debug)]
enum Cond {
    Like(Regex),
    Literal(String),
    Present(String),
}

#[derive(Debug)]
pub(crate) struct Plan {
    fields: Vec<String>,
    parse: Vec<Regex>,
    filters: Vec<(String, Cond)>,
    desc: bool,
    limit: usize,
    /// `stats count(*) by ...`: the group-by fields (`bin(1m)` among them).
    stats: Option<Vec<String>>,
}

/// The error Insights gives a query it cannot parse, in the AWS backend's words.
fn refused(why: impl std::fmt::Display) -> String {
    format!("CloudWatch Logs Insights refused the query: {why}")
}

/// Split on `|` outside `/regex/` and `"strings"`.
fn commands(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut in_re, mut in_str, mut esc) = (false, false, false);
    for c in q.chars() {
        if esc {
            cur.push(c);
            esc = false;
            continue;
        }
        match c {
            '\\' if in_re || in_str => {
                esc = true;
                cur.push(c);
            }
            '/' if !in_str => {
                in_re = !in_re;
                cur.push(c);
            }
            '"' if !in_re => {
                in_str = !in_str;
                cur.push(c);
            }
            '|' if !in_re && !in_str => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

fn regex_of(s: &str) -> Result<Regex, String> {
    let body = s
        .trim()
        .strip_prefix('/')
        .and_then(|r| r.strip_suffix('/'))
        .ok_or_else(|| refused(format!("expected a /regex/, found {s}")))?;
    Regex::new(body).map_err(|e| refused(format!("invalid regular expression /{body}/: {e}")))
}

/// Parse a query of the subset ebtui emits; anything else is refused like Insights would.
pub(crate) fn parse(query: &str) -> Result<Plan, String> {
    let mut plan = Plan {
        fields: Vec::new(),
        parse: Vec::new(),
        filters: Vec::new(),
        desc: true,
        limit: 10_000,
        stats: None,
    };
    for cmd in commands(query) {
        let (verb, rest) = cmd.split_once(' ').unwrap_or((cmd.as_str(), ""));
        let rest = rest.trim();
        match verb {
            "fields" => plan
                .fields
                .extend(rest.split(',').map(|f| f.trim().to_string())),
            "parse" => {
                let re = rest
                    .strip_prefix("@message")
                    .ok_or_else(|| refused(format!("parse reads @message only here: {rest}")))?;
                plan.parse.push(regex_of(re)?);
            }
            "filter" => {
                if let Some(inner) = rest
                    .strip_prefix("ispresent(")
                    .and_then(|r| r.strip_suffix(')'))
                {
                    let f = inner.trim().to_string();
                    plan.filters.push((f.clone(), Cond::Present(f)));
                    continue;
                }
                let (field, operand) = rest
                    .split_once(" like ")
                    .ok_or_else(|| refused(format!("unexpected filter: {rest}")))?;
                let operand = operand.trim();
                let cond = if let Some(lit) =
                    operand.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
                {
                    Cond::Literal(lit.replace("\\\"", "\"").replace("\\\\", "\\"))
                } else {
                    Cond::Like(regex_of(operand)?)
                };
                plan.filters.push((field.trim().to_string(), cond));
            }
            "sort" => match rest.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["@timestamp"] | ["@timestamp", "desc"] => plan.desc = true,
                ["@timestamp", "asc"] => plan.desc = false,
                _ => return Err(refused(format!("unexpected sort: {rest}"))),
            },
            "limit" => {
                plan.limit = rest
                    .parse()
                    .ok()
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or_else(|| refused(format!("limit must be 1 to 10000: {rest}")))?
            }
            "stats" => {
                let by = rest
                    .strip_prefix("count(*) by ")
                    .ok_or_else(|| refused(format!("only count(*) by ... here: {rest}")))?;
                let by: Vec<String> = by.split(',').map(|f| f.trim().to_string()).collect();
                if by.first().map(String::as_str) != Some("bin(1m)") {
                    return Err(refused(format!("stats by bin(1m) first: {rest}")));
                }
                plan.stats = Some(by);
            }
            "" => {}
            other => {
                return Err(refused(format!(
                    "unexpected symbol found {other} at line 1"
                )));
            }
        }
    }
    Ok(plan)
}

/// A query the simulator runs.
#[derive(Debug)]
pub(crate) struct Run {
    plan: Plan,
    pub(crate) groups: Vec<String>,
    pub(crate) env: String,
    start: Millis,
    end: Millis,
    started: Millis,
    duration: Millis,
    /// Slices scanned so far.
    next: Millis,
    pub(crate) status: QueryStatus,
    scanned: f64,
    bytes: f64,
    matched: f64,
    kept: Vec<Vec<(String, String)>>,
    counts: BTreeMap<Vec<String>, u64>,
}

impl Run {
    pub(crate) fn new(
        plan: Plan,
        env: String,
        groups: Vec<String>,
        start: Millis,
        end: Millis,
        now: Millis,
    ) -> Run {
        let hours = ((end - start).max(0) + HOUR - 1) / HOUR;
        Run {
            plan,
            groups,
            env,
            start,
            end,
            started: now,
            duration: (hours * SCAN_PER_HOUR).max(SCAN_MIN),
            next: start,
            status: QueryStatus::Running,
            scanned: 0.0,
            bytes: 0.0,
            matched: 0.0,
            kept: Vec::new(),
            counts: BTreeMap::new(),
        }
    }

    pub(crate) fn running(&self) -> bool {
        !self.status.is_done()
    }

    /// The slices due by `now` (as `[from, to)`), in order; `read` is asked only for the part of
    /// each slice within `SCAN_MAX` of the end.
    pub(crate) fn due(&self, now: Millis) -> Vec<(Millis, Millis)> {
        if !self.running() {
            return Vec::new();
        }
        let share = ((now - self.started) as f64 / self.duration as f64).clamp(0.0, 1.0);
        let reach = self.start + ((self.end - self.start) as f64 * share) as Millis;
        let mut out = Vec::new();
        let mut from = self.next;
        while from < self.end && (from + SLICE <= reach || share >= 1.0) {
            let to = (from + SLICE).min(self.end);
            out.push((from.max(self.end - SCAN_MAX), to));
            from = to;
        }
        out
    }

    /// A slice's lines were read: scan them, and finish when the range is done and its time
    /// has come.
    pub(crate) fn feed(&mut self, to: Millis, lines: Vec<RawLogEvent>, now: Millis) {
        for line in lines {
            self.scanned += 1.0;
            self.bytes += (line.message.len() as u64 + LINE_OVERHEAD) as f64;
            let mut fields: Vec<(String, String)> = vec![
                ("@timestamp".into(), format_time(line.ts)),
                ("@message".into(), line.message.clone()),
                ("@logStream".into(), line.stream.clone()),
                ("@log".into(), format!("{ACCOUNT}:{}", line.group)),
                ("@ptr".into(), line.id.clone().unwrap_or_default()),
            ];
            for re in &self.plan.parse {
                if let Some(caps) = re.captures(&line.message) {
                    for name in re.capture_names().flatten() {
                        if let Some(m) = caps.name(name) {
                            fields.push((name.to_string(), m.as_str().to_string()));
                        }
                    }
                }
            }
            let get = |f: &str| fields.iter().find(|(k, _)| k == f).map(|(_, v)| v.as_str());
            let pass = self.plan.filters.iter().all(|(field, cond)| match cond {
                Cond::Present(f) => get(f).is_some(),
                Cond::Like(re) => get(field).is_some_and(|v| re.is_match(v)),
                Cond::Literal(s) => get(field).is_some_and(|v| v.contains(s.as_str())),
            });
            if !pass {
                continue;
            }
            self.matched += 1.0;
            match &self.plan.stats {
                Some(by) => {
                    let key: Vec<String> = by
                        .iter()
                        .map(|f| {
                            if f == "bin(1m)" {
                                format_time(line.ts.div_euclid(MIN) * MIN)
                            } else {
                                get(f).unwrap_or_default().to_string()
                            }
                        })
                        .collect();
                    *self.counts.entry(key).or_default() += 1;
                }
                None => self.kept.push(fields),
            }
        }
        // Slices arrive oldest first: ascending keeps the first `limit`, descending the last.
        let limit = self.plan.limit;
        if self.kept.len() > limit {
            if self.plan.desc {
                self.kept.drain(..self.kept.len() - limit);
            } else {
                self.kept.truncate(limit);
            }
        }
        self.next = to;
        if self.next >= self.end && now >= self.started + self.duration {
            self.status = QueryStatus::Complete;
        }
    }

    /// The range is scanned but its time has not come: finish when it has.
    pub(crate) fn settle(&mut self, now: Millis) {
        if self.running() && self.next >= self.end && now >= self.started + self.duration {
            self.status = QueryStatus::Complete;
        }
    }

    pub(crate) fn page(&self) -> InsightsPage {
        let progress = InsightsProgress {
            status: self.status,
            records_matched: self.matched,
            records_scanned: self.scanned,
            bytes_scanned: self.bytes,
        };
        let rows = match &self.plan.stats {
            Some(by) => self
                .counts
                .iter()
                .map(|(key, n)| {
                    let mut r: Vec<(String, String)> =
                        by.iter().cloned().zip(key.iter().cloned()).collect();
                    r.push(("count(*)".into(), n.to_string()));
                    InsightsRow(r)
                })
                .collect(),
            None => {
                let mut kept: Vec<&Vec<(String, String)>> = self.kept.iter().collect();
                if self.plan.desc {
                    kept.reverse();
                }
                let wanted = |f: &str| {
                    f == "@ptr"
                        || self.plan.fields.is_empty()
                        || self.plan.fields.iter().any(|w| w == f)
                };
                kept.into_iter()
                    .map(|fields| {
                        InsightsRow(fields.iter().filter(|(f, _)| wanted(f)).cloned().collect())
                    })
                    .collect()
            }
        };
        InsightsPage { progress, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ts: Millis, msg: &str, stream: &str) -> RawLogEvent {
        RawLogEvent {
            id: Some(format!("{ts}-{stream}")),
            ts,
            group: "/aws/elasticbeanstalk/e/var/log/nginx/access.log".into(),
            stream: stream.into(),
            message: msg.into(),
        }
    }

    fn run_all(query: &str, lines: Vec<RawLogEvent>) -> InsightsPage {
        let plan = parse(query).expect("parses");
        let mut run = Run::new(plan, "e".into(), vec![], 0, HOUR, 0);
        run.feed(HOUR, lines, HOUR);
        assert_eq!(run.status, QueryStatus::Complete);
        run.page()
    }

    /// The rows' messages, in order.
    fn messages(page: &InsightsPage) -> Vec<&str> {
        page.rows
            .iter()
            .map(|r| r.get("@message").expect("a message"))
            .collect()
    }

    #[test]
    fn a_search_narrowed_to_one_instance_brings_its_lines_only() {
        let lines = vec![
            line(1_000, "GET /a 504", "i-0aaaaaaaaaaaaaaaa"),
            line(2_000, "GET /b 504", "i-0bbbbbbbbbbbbbbbb"),
            line(3_000, "GET /c 200", "i-0aaaaaaaaaaaaaaaa"),
        ];
        let t = crate::logs::insights_query::translate("504", false, false).expect("translates");
        let t = crate::logs::insights_query::only_stream(t, "i-0aaaaaaaaaaaaaaaa");
        assert_eq!(messages(&run_all(&t.query, lines)), ["GET /a 504"]);
    }

    #[test]
    fn filter_sort_limit_and_fields() {
        let lines = vec![
            line(1_000, "GET /a 504", "i-1"),
            line(2_000, "GET /b 200", "i-1"),
            line(3_000, "GET /c 504", "i-2"),
            line(4_000, "upstream TIMED out", "i-2"),
        ];
        let page = run_all(
            r#"fields @timestamp, @message | filter @message like /(?i)504|timed out/ | sort @timestamp asc | limit 2"#,
            lines.clone(),
        );
        assert_eq!(messages(&page), ["GET /a 504", "GET /c 504"]);
        assert_eq!(
            page.rows[0].get("@logStream"),
            None,
            "only the fields asked"
        );
        assert!(page.rows[0].get("@ptr").is_some());
        assert_eq!(page.progress.records_scanned, 4.0);
        assert_eq!(page.progress.records_matched, 3.0);
        let page = run_all(
            r#"filter @message like "504" | sort @timestamp desc"#,
            lines.clone(),
        );
        assert_eq!(page.rows[0].get("@message"), Some("GET /c 504"));
        let page = run_all(r#"filter @message like "a\/b" "#, lines);
        assert!(page.rows.is_empty());
    }

    #[test]
    fn stats_by_minute_and_parsed_status_or_stream() {
        let lines = vec![
            line(1_000, "\"GET / HTTP/1.1\" 504 0", "i-1"),
            line(2_000, "\"GET / HTTP/1.1\" 200 10", "i-2"),
            line(61_000, "\"GET / HTTP/1.1\" 504 0", "i-1"),
            line(62_000, "no status here", "i-1"),
        ];
        let q = crate::logs::insights_query::per_minute_query(
            crate::logs::insights_query::PerMinuteBy::Status,
        );
        let page = run_all(&q, lines.clone());
        let counts = crate::logs::insights_query::per_minute(
            &page.rows,
            crate::logs::insights_query::PerMinuteBy::Status,
        );
        let got: Vec<_> = counts
            .iter()
            .map(|c| (c.minute, c.key.as_str(), c.count))
            .collect();
        assert_eq!(got, [(0, "200", 1), (0, "504", 1), (60_000, "504", 1)]);
        let page = run_all("stats count(*) by bin(1m), @logStream", lines.clone());
        assert_eq!(page.rows.len(), 3);
        let page = run_all("stats count(*) by bin(1m)", lines);
        assert_eq!(page.rows[0].get("count(*)"), Some("2"));
        assert_eq!(page.rows[1].get("count(*)"), Some("2"));
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        for q in [
            "fields @message | dedup @message",
            "filter @message like /(/",
            "stats avg(x) by bin(1m)",
            "limit 0",
            "sort @message",
        ] {
            let e = parse(q).expect_err(q);
            assert!(
                e.starts_with("CloudWatch Logs Insights refused the query"),
                "{e}"
            );
        }
        // `|` inside a regex or a string does not split.
        let p = parse(r#"filter @message like /a|b/ | filter @message like "x|y""#).expect("ok");
        assert_eq!(p.filters.len(), 2);
    }

    #[test]
    fn progress_grows_with_time() {
        let plan = parse("filter @message like /x/").expect("ok");
        let mut run = Run::new(plan, "e".into(), vec![], 0, 2 * HOUR, 0);
        assert_eq!(run.duration, 4 * SEC);
        assert!(run.due(0).is_empty());
        let half = run.due(2 * SEC);
        assert_eq!(half.len(), 6, "an hour of ten-minute slices");
        for (_, to) in half {
            run.feed(to, vec![], 2 * SEC);
        }
        assert!(run.running());
        let rest = run.due(5 * SEC);
        assert_eq!(rest.len(), 6);
        for (_, to) in rest {
            run.feed(to, vec![], 5 * SEC);
        }
        assert_eq!(run.status, QueryStatus::Complete);
    }
}

/// The account's Logs Insights queries by id, kept after they end (for their last answer).
/// Outside the world: a query reads the world's lines but is not part of its story.
#[derive(Default)]
pub(crate) struct Queries {
    runs: std::sync::Mutex<std::collections::HashMap<String, Run>>,
    seq: std::sync::atomic::AtomicU64,
}

impl Queries {
    fn runs(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Run>> {
        self.runs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// StartQuery: refused past the account's concurrency, as AWS does.
    pub(crate) fn start(
        &self,
        plan: Plan,
        query: &crate::cloud::InsightsQuery,
        now: Millis,
    ) -> crate::cloud::CloudResult<String> {
        let mut runs = self.runs();
        for run in runs.values_mut() {
            run.settle(now);
        }
        if runs.values().filter(|r| r.running()).count() >= CONCURRENT_MAX {
            return Err(crate::cloud::CloudError::Other(format!(
                "CloudWatch Logs Insights is running as many queries as the account may at once: wait for one to finish and search again (AWS said: Account maximum query concurrency limit of [{CONCURRENT_MAX}] reached.)"
            )));
        }
        let n = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let id = format!("sim-query-{n:04}");
        let run = Run::new(
            plan,
            query.env.name.clone(),
            query.groups.clone(),
            query.start,
            query.end,
            now,
        );
        runs.insert(id.clone(), run);
        Ok(id)
    }

    /// GetQueryResults: the query scans the slices it has reached by `now` (`read` gives their
    /// lines: environment, groups, from, to), then answers what it has.
    pub(crate) fn results(
        &self,
        id: &str,
        now: Millis,
        read: impl Fn(&str, &[String], Millis, Millis) -> crate::cloud::CloudResult<Vec<RawLogEvent>>,
    ) -> crate::cloud::CloudResult<crate::cloud::InsightsPage> {
        let mut runs = self.runs();
        let run = runs.get_mut(id).ok_or_else(|| not_found(id))?;
        for (from, to) in run.due(now) {
            let lines = read(&run.env, &run.groups, from, to)?;
            run.feed(to, lines, now);
        }
        run.settle(now);
        Ok(run.page())
    }

    /// StopQuery: a running query is cancelled; an ended one stays as it ended.
    pub(crate) fn end(&self, id: &str) -> crate::cloud::CloudResult<()> {
        let mut runs = self.runs();
        let run = runs.get_mut(id).ok_or_else(|| not_found(id))?;
        if run.running() {
            run.status = crate::cloud::QueryStatus::Cancelled;
        }
        Ok(())
    }
}

fn not_found(id: &str) -> crate::cloud::CloudError {
    crate::cloud::CloudError::NotFound(format!("The specified query does not exist: {id}"))
}
