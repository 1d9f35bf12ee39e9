//! The environment's CloudWatch log groups and reading lines out of them.
//!
//! Two sources: lines written when something happened (`Env::files`: engine and hook output) and
//! traffic lines generated on demand per instance and second (`traffic`), a pure function of the
//! seed, the group, the stream, the second and the instance's phase then. Reading the same window
//! twice gives the same lines with the same ids, so overlapping reads de-duplicate cleanly.

use crate::cloud::{CloudError, CloudResult};
use crate::domain::{Millis, RawLogEvent};

use super::model::{Env, HOUR, LogFile, SEC};
use super::rng::{hash_str, mix};
use super::traffic;

/// How far back generated traffic is searched: older lines exist in principle, but nobody
/// scrolls hours of a demo's access log, and the walk must stay cheap.
pub(crate) const MAX_LOOKBACK: Millis = 3 * HOUR;

pub(crate) fn group_name(env: &str, file: LogFile) -> String {
    format!("/aws/elasticbeanstalk/{env}/{}", file.suffix())
}

/// The environment's log groups in CloudWatch, sorted by name: none while its instances do not
/// stream their logs.
pub(crate) fn groups(env: &Env) -> Vec<(String, LogFile)> {
    if streaming_now(env) {
        files(env)
    } else {
        Vec::new()
    }
}

/// Are the instances' logs streamed to CloudWatch now?
pub(crate) fn streaming_now(env: &Env) -> bool {
    matches!(env.streaming, Some((_, None)))
}

/// The part of `[from, to)` whose lines reached CloudWatch (empty when none did).
pub(crate) fn streamed(env: &Env, from: Millis, to: Millis) -> (Millis, Millis) {
    match env.streaming {
        Some((since, until)) => (from.max(since), until.map_or(to, |u| to.min(u))),
        None => (from, from),
    }
}

/// The log files on the environment's instances (each a log group when streamed), sorted by
/// group name.
pub(crate) fn files(env: &Env) -> Vec<(String, LogFile)> {
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

/// How long streamed log groups keep their lines: Elastic Beanstalk's default when it turns
/// streaming on.
const RETENTION_DAYS: u32 = 7;

/// What one instance writes to a log a day, in bytes, at a request rate of one a second.
fn bytes_per_day(file: LogFile) -> f64 {
    let per_request = match file {
        LogFile::Access => 230.0,
        LogFile::Stdout => 160.0,
        LogFile::Error => 3.0,
        LogFile::Sqsd => 60.0,
        LogFile::Health => 0.2,
        LogFile::Engine | LogFile::Hooks => 0.05,
    };
    per_request * 86_400.0
}

/// The streamed groups' sizes as DescribeLogGroups would report them: a week of what the
/// instances write (or less, since streaming began), at the environment's request rate.
pub(crate) fn group_sizes(env: &Env, now: Millis) -> Vec<crate::cloud::GroupSize> {
    let Some((since, _)) = env.streaming else {
        return Vec::new();
    };
    let instances = env.live_instances(now).count().max(1) as f64;
    let days = ((now - since).max(0) as f64 / (24 * HOUR) as f64).min(RETENTION_DAYS as f64);
    groups(env)
        .into_iter()
        .map(|(name, file)| crate::cloud::GroupSize {
            name,
            stored_bytes: (bytes_per_day(file) * env.base_rate.max(0.1) * instances * days) as u64,
            retention_days: Some(RETENTION_DAYS),
            created: Some(since),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
