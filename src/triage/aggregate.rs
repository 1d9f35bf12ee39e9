//! The incremental count behind the triage view. It reads the log buffer from where it stopped
//! (lines are numbered by a `seq` that only rises), keeps one small record per 5xx or signature
//! line, and takes a record's counts back out when the buffer evicts its line. Opening the view on
//! a full buffer reads it in slices (`step`'s budget), so no key press waits on a million lines.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::domain::Millis;
use crate::logs::{LogBuffer, instance_of};

use super::parse::{Format, request};
use super::signatures::Matcher;

/// Index into [`Aggregate::names`].
type Name = u32;

const MINUTE: Millis = 60_000;

/// What one line added, kept to take it back out on eviction.
#[derive(Debug, Clone)]
struct Hit {
    seq: u64,
    ts: Millis,
    inst: Option<Name>,
    what: What,
}

#[derive(Debug, Clone)]
enum What {
    Status { code: u16, path: Option<Name> },
    Signature { row: u16, detail: Option<Name> },
}

/// Counts for one signature (and step, for eb-engine rows).
#[derive(Debug, Clone, Default)]
pub struct SigCount {
    pub count: u64,
    pub by_instance: HashMap<Option<Name>, u64>,
    /// The first line of it still buffered (for the jump).
    pub first_seq: u64,
    pub first_ts: Millis,
}

/// 5xx counts per minute, from wherever they came (the buffer now; a Logs Insights `stats`
/// query over 6 hours later): the seam the triage report is built from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Start of the first minute (ms since the epoch, a multiple of 60,000).
    pub start: Millis,
    pub counts: Vec<u64>,
    /// Where the counts come from ("log buffer", "Logs Insights").
    pub source: &'static str,
}

/// The running count over one environment's log buffer.
#[derive(Debug, Default)]
pub struct Aggregate {
    env: Option<String>,
    /// The next seq to read.
    next: u64,
    hits: VecDeque<Hit>,
    names: Vec<String>,
    index: HashMap<String, Name>,
    pub(super) lines: u64,
    pub(super) first_ts: Option<Millis>,
    pub(super) last_ts: Option<Millis>,
    pub(super) requests: u64,
    /// Instances seen answering a request (any status) since the count began: the peers a
    /// failing instance is compared with when health lists no instances.
    pub(super) served: HashSet<Name>,
    pub(super) formats: HashMap<Format, u64>,
    pub(super) total_5xx: u64,
    pub(super) by_status: HashMap<u16, u64>,
    pub(super) by_instance: HashMap<Option<Name>, u64>,
    pub(super) by_path: HashMap<Option<Name>, u64>,
    /// 5xx per minute (key: minute number) and the earliest 5xx time seen in that minute.
    pub(super) minutes: BTreeMap<i64, (u64, Millis)>,
    pub(super) minutes_by_instance: HashMap<(i64, Option<Name>), u64>,
    pub(super) sigs: HashMap<(u16, Option<Name>), SigCount>,
}

impl Aggregate {
    /// The environment whose lines are counted.
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    /// Lines still to read in `buf`.
    pub fn behind(&self, buf: &LogBuffer) -> u64 {
        buf.next_seq()
            .saturating_sub(self.next.max(buf.first_seq()))
    }

    /// Reads at most `budget` new lines of `buf` (the logs of `env`) and drops what it evicted.
    /// A different environment starts over. Returns whether anything changed.
    pub fn step(&mut self, env: &str, buf: &LogBuffer, budget: usize) -> bool {
        let mut changed = false;
        if self.env.as_deref() != Some(env) {
            *self = Aggregate {
                env: Some(env.to_string()),
                next: buf.first_seq(),
                ..Aggregate::default()
            };
            changed = true;
        }
        while self.hits.front().is_some_and(|h| h.seq < buf.first_seq()) {
            if let Some(h) = self.hits.pop_front() {
                self.remove(&h);
                changed = true;
            }
        }
        let from = self.next.max(buf.first_seq());
        let to = buf.next_seq().min(from + budget as u64);
        let matcher = Matcher::get();
        for line in buf.range(from..to) {
            self.lines += 1;
            self.first_ts = Some(self.first_ts.map_or(line.ts, |t| t.min(line.ts)));
            self.last_ts = Some(self.last_ts.map_or(line.ts, |t| t.max(line.ts)));
            let access = line.group.contains("access");
            let inst = instance_of(line.stream).map(|i| self.name(i));
            if let Some(r) = request(line.text, access) {
                self.requests += 1;
                self.served.extend(inst);
                *self.formats.entry(r.format).or_default() += 1;
                if r.status >= 500 {
                    let path = r.path.map(|p| self.name(p));
                    let hit = Hit {
                        seq: line.seq,
                        ts: line.ts,
                        inst,
                        what: What::Status {
                            code: r.status,
                            path,
                        },
                    };
                    self.add(&hit);
                    self.hits.push_back(hit);
                }
                // Signatures are read in error and application logs; the one load balancer row
                // is an access line itself.
                if r.format != Format::Alb {
                    continue;
                }
            }
            for row in matcher.matches(line.text) {
                let detail = matcher.detail(row, line.text).map(|d| self.name(&d));
                let hit = Hit {
                    seq: line.seq,
                    ts: line.ts,
                    inst,
                    what: What::Signature {
                        row: row as u16,
                        detail,
                    },
                };
                self.add(&hit);
                self.hits.push_back(hit);
            }
        }
        changed |= to > from;
        self.next = to;
        changed
    }

    fn name(&mut self, s: &str) -> Name {
        if let Some(n) = self.index.get(s) {
            return *n;
        }
        let n = self.names.len() as Name;
        self.names.push(s.to_string());
        self.index.insert(s.to_string(), n);
        n
    }

    /// The text of an interned name.
    pub fn text(&self, n: Name) -> &str {
        self.names.get(n as usize).map_or("", String::as_str)
    }

    fn add(&mut self, h: &Hit) {
        match &h.what {
            What::Status { code, path } => {
                self.total_5xx += 1;
                *self.by_status.entry(*code).or_default() += 1;
                *self.by_instance.entry(h.inst).or_default() += 1;
                *self.by_path.entry(*path).or_default() += 1;
                let m = h.ts.div_euclid(MINUTE);
                let e = self.minutes.entry(m).or_insert((0, h.ts));
                e.0 += 1;
                e.1 = e.1.min(h.ts);
                *self.minutes_by_instance.entry((m, h.inst)).or_default() += 1;
            }
            What::Signature { row, detail } => {
                let s = self.sigs.entry((*row, *detail)).or_insert(SigCount {
                    first_seq: h.seq,
                    first_ts: h.ts,
                    ..SigCount::default()
                });
                s.count += 1;
                *s.by_instance.entry(h.inst).or_default() += 1;
                if h.ts < s.first_ts {
                    s.first_ts = h.ts;
                }
            }
        }
    }

    fn remove(&mut self, h: &Hit) {
        fn dec<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u64>, k: K) {
            if let Some(v) = map.get_mut(&k) {
                *v -= 1;
                if *v == 0 {
                    map.remove(&k);
                }
            }
        }
        match &h.what {
            What::Status { code, path } => {
                self.total_5xx -= 1;
                dec(&mut self.by_status, *code);
                dec(&mut self.by_instance, h.inst);
                dec(&mut self.by_path, *path);
                let m = h.ts.div_euclid(MINUTE);
                // The minute's earliest time may now be a little early: only the oldest minute,
                // partly evicted, is affected, and onsets are read from the newest burst.
                if let Some(e) = self.minutes.get_mut(&m) {
                    e.0 -= 1;
                    if e.0 == 0 {
                        self.minutes.remove(&m);
                    }
                }
                dec(&mut self.minutes_by_instance, (m, h.inst));
            }
            What::Signature { row, detail } => {
                let key = (*row, *detail);
                if let Some(s) = self.sigs.get_mut(&key) {
                    s.count -= 1;
                    dec(&mut s.by_instance, h.inst);
                    if s.count == 0 {
                        self.sigs.remove(&key);
                    } else if s.first_seq == h.seq {
                        // The next one still held is the new first.
                        if let Some(next) = self.hits.iter().find(|x| matches!(&x.what, What::Signature { row: r, detail: d } if (*r, *d) == key)) {
                            s.first_seq = next.seq;
                            s.first_ts = next.ts;
                        }
                    }
                }
            }
        }
        // Lines before the buffer's first are gone; the span shrinks with them only roughly
        // (the oldest remaining hit), which is what the chart needs.
        self.first_ts = self.hits.front().map(|x| x.ts).or(self.first_ts);
    }

    /// 5xx per minute from the first buffered minute to `now`'s.
    pub fn series(&self, now: Millis) -> Series {
        let Some(first) = self.first_ts else {
            return Series {
                source: "log buffer",
                ..Series::default()
            };
        };
        let (m0, m1) = (
            first.div_euclid(MINUTE),
            now.div_euclid(MINUTE).max(first.div_euclid(MINUTE)),
        );
        let counts = (m0..=m1)
            .map(|m| self.minutes.get(&m).map_or(0, |e| e.0))
            .collect();
        Series {
            start: m0 * MINUTE,
            counts,
            source: "log buffer",
        }
    }

    /// One instance's 5xx per minute over the same minutes as [`Aggregate::series`].
    pub fn instance_series(&self, inst: Option<Name>, series: &Series) -> Vec<u64> {
        let m0 = series.start.div_euclid(MINUTE);
        (0..series.counts.len() as i64)
            .map(|i| {
                self.minutes_by_instance
                    .get(&(m0 + i, inst))
                    .copied()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// The earliest 5xx of the newest burst: the first minute of the last run of minutes at or
    /// above a tenth of the peak (and at least 3), so a stray 500 an hour before does not count.
    pub fn onset(&self) -> Option<Millis> {
        let peak = self.minutes.values().map(|e| e.0).max()?;
        let floor = (peak / 10).max(3).min(peak);
        let mut onset = None;
        let mut prev: Option<i64> = None;
        for (m, (n, t)) in &self.minutes {
            if *n < floor {
                continue;
            }
            if prev.is_none_or(|p| m - p > 1) {
                onset = Some(*t);
            }
            prev = Some(*m);
        }
        onset
    }
}
