//! The environment's CloudWatch log groups and reading lines out of them.
//!
//! Two sources: lines written when something happened (`Env::files`: engine and hook output) and
//! traffic lines generated on demand per instance and second (`traffic`), a pure function of the
//! seed, the group, the stream, the second and the instance's phase then. Reading the same window
//! twice gives the same lines with the same ids, so overlapping reads de-duplicate cleanly.

use chrono::{DateTime, Utc};

use crate::cloud::{CloudError, CloudResult};
use crate::domain::{Millis, RawLogEvent};

use super::rng::{hash_str, mix};
use super::traffic;
use super::world::{Env, HOUR, LogFile, SEC};

/// How far back generated traffic is searched: older lines exist in principle, but nobody
/// scrolls hours of a demo's access log, and the walk must stay cheap.
pub(crate) const MAX_LOOKBACK: Millis = 3 * HOUR;

fn at(ts: Millis) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ts).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// `2026-11-24T10:15:02.123Z` (CloudFormation event ids).
pub(crate) fn iso_millis(ts: Millis) -> String {
    at(ts).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `2026-11-24T10:15:02Z`.
pub(crate) fn iso_secs(ts: Millis) -> String {
    at(ts).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2026/11/24 10:15:02.123456` (eb-engine.log); `micros` fills the sub-millisecond digits.
pub(crate) fn engine_time(ts: Millis, micros: i64) -> String {
    format!(
        "{}{:03}",
        at(ts).format("%Y/%m/%d %H:%M:%S%.3f"),
        micros.rem_euclid(1000)
    )
}

/// `24/Nov/2026:10:15:02 +0000` (nginx access log).
pub(crate) fn nginx_time(ts: Millis) -> String {
    at(ts).format("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

/// `2026/11/24 10:15:02` (nginx error log).
pub(crate) fn nginx_error_time(ts: Millis) -> String {
    at(ts).format("%Y/%m/%d %H:%M:%S").to_string()
}

/// `Nov 24 10:15:02` (journal lines in web.stdout.log).
pub(crate) fn syslog_time(ts: Millis) -> String {
    at(ts).format("%b %e %H:%M:%S").to_string()
}

pub(crate) fn group_name(env: &str, file: LogFile) -> String {
    format!("/aws/elasticbeanstalk/{env}/{}", file.suffix())
}

/// The environment's log groups, sorted by name.
pub(crate) fn groups(env: &Env) -> Vec<(String, LogFile)> {
    let mut out: Vec<(String, LogFile)> = LogFile::ALL
        .into_iter()
        .filter(|f| f.exists_for(env.tier))
        .map(|f| (group_name(&env.name, f), f))
        .collect();
    out.sort();
    out
}

/// The files behind the requested group names (all of them when none are named).
pub(crate) fn resolve(env: &Env, names: &[String]) -> CloudResult<Vec<(String, LogFile)>> {
    let all = groups(env);
    if names.is_empty() {
        return Ok(all);
    }
    names
        .iter()
        .map(|n| {
            all.iter().find(|(g, _)| g == n).cloned().ok_or_else(|| {
                CloudError::NotFound(format!("The specified log group does not exist: {n}"))
            })
        })
        .collect()
}

/// Lines of `files` in `[from, to)`, oldest first; when there are more than `cap`, the newest
/// `cap`. `stream` limits to one instance.
pub(crate) fn collect(
    seed: u64,
    env: &Env,
    files: &[(String, LogFile)],
    stream: Option<&str>,
    from: Millis,
    to: Millis,
    cap: usize,
) -> Vec<RawLogEvent> {
    let mut out = Vec::new();
    if to <= from || cap == 0 {
        return out;
    }
    for line in &env.files {
        if line.ts < from || line.ts >= to || stream.is_some_and(|s| s != line.stream) {
            continue;
        }
        if let Some((group, _)) = files.iter().find(|(_, f)| *f == line.file) {
            out.push(RawLogEvent {
                id: Some(format!(
                    "{:013}{:016x}s{:06}",
                    line.ts,
                    mix(hash_str(group), hash_str(&line.stream)),
                    line.seq
                )),
                ts: line.ts,
                group: group.clone(),
                stream: line.stream.clone(),
                message: line.text.clone(),
            });
        }
    }
    // Generated traffic, newest second first, until the cap is met.
    let floor = from.max(to - MAX_LOOKBACK);
    let instances: Vec<_> = env
        .instances
        .iter()
        .filter(|i| stream.is_none_or(|s| s == i.id))
        .filter(|i| i.launched < to && i.gone_at().is_none_or(|g| g > floor))
        .collect();
    let mut generated = 0usize;
    let mut sec = (to - 1).div_euclid(SEC);
    while sec * SEC + SEC > floor && generated < cap {
        for inst in &instances {
            for (group, file) in files {
                let key = mix(hash_str(group), hash_str(&inst.id));
                for (idx, (ts, text)) in traffic::lines_at(seed, env, inst, *file, sec)
                    .into_iter()
                    .enumerate()
                {
                    if ts < floor || ts >= to {
                        continue;
                    }
                    generated += 1;
                    out.push(RawLogEvent {
                        id: Some(format!("{ts:013}{key:016x}g{idx:04}")),
                        ts,
                        group: group.clone(),
                        stream: inst.id.clone(),
                        message: text,
                    });
                }
            }
        }
        sec -= 1;
    }
    out.sort_by(|a, b| (a.ts, &a.id).cmp(&(b.ts, &b.id)));
    if out.len() > cap {
        out.drain(..out.len() - cap);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_use_each_files_format() {
        let ts = 1_795_515_302_123; // 2026-11-24T10:15:02.123Z
        assert_eq!(iso_millis(ts), "2026-11-24T10:15:02.123Z");
        assert_eq!(iso_secs(ts), "2026-11-24T10:15:02Z");
        assert_eq!(engine_time(ts, 456), "2026/11/24 10:15:02.123456");
        assert_eq!(nginx_time(ts), "24/Nov/2026:10:15:02 +0000");
        assert_eq!(nginx_error_time(ts), "2026/11/24 10:15:02");
        assert_eq!(syslog_time(ts), "Nov 24 10:15:02");
    }

    #[test]
    fn group_names_follow_elastic_beanstalk() {
        assert_eq!(
            group_name("storefront-prod", LogFile::Access),
            "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/access.log"
        );
        assert_eq!(
            group_name("x", LogFile::Health),
            "/aws/elasticbeanstalk/x/environment-health.log"
        );
    }
}
