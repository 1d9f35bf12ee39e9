//! Short forms for the narrow columns and titles of the logs pane: clock time, instance ids,
//! log group names.

use crate::domain::Millis;

/// Widest group tag column; longer tags are cut.
pub const TAG_MAX: usize = 12;
/// Width of the instance column ("i-" and 8 hex digits tell instances of one env apart).
pub const INSTANCE_WIDTH: usize = 10;

/// `HH:MM:SS.mmm` in UTC (log timestamps are epoch milliseconds; no clock or zone is read).
pub fn clock(ts: Millis) -> String {
    let day_ms = ts.rem_euclid(86_400_000);
    let (h, rest) = (day_ms / 3_600_000, day_ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1_000, rest % 1_000);
    format!("{h:02}:{m:02}:{s:02}.{ms:03}")
}

/// A group name without the `/aws/elasticbeanstalk/<env>/` and `var/log/` prefixes:
/// `/aws/elasticbeanstalk/shop/var/log/nginx/error.log` becomes `nginx/error.log`.
pub fn short_group(group: &str) -> &str {
    if let Some(i) = group.find("/var/log/") {
        return &group[i + "/var/log/".len()..];
    }
    if let Some(rest) = group.strip_prefix("/aws/elasticbeanstalk/")
        && let Some(i) = rest.find('/')
    {
        return &rest[i + 1..];
    }
    group
}

/// The file name of a group without `.log`: `error`, `access`, `web.stdout`, `eb-engine`.
pub fn group_tag(group: &str) -> &str {
    let name = group.rsplit('/').next().unwrap_or(group);
    name.strip_suffix(".log").unwrap_or(name)
}

/// At most `width` chars of `s` (log streams and tags are ASCII in practice; chars are a safe
/// cut either way).
pub fn clip(s: &str, width: usize) -> &str {
    match s.char_indices().nth(width) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The instance column: the stream name (an instance id on Elastic Beanstalk), clipped.
pub fn short_stream(stream: &str) -> &str {
    clip(stream, INSTANCE_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats_utc_time_of_day() {
        // 2026-11-24T10:15:02.007Z
        assert_eq!(clock(1_795_515_302_007), "10:15:02.007");
        assert_eq!(clock(0), "00:00:00.000");
        assert_eq!(clock(-1), "23:59:59.999");
    }

    #[test]
    fn group_names_shorten() {
        let g = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/error.log";
        assert_eq!(short_group(g), "nginx/error.log");
        assert_eq!(group_tag(g), "error");
        let h = "/aws/elasticbeanstalk/shop-prod/environment-health.log";
        assert_eq!(short_group(h), "environment-health.log");
        assert_eq!(
            group_tag("/aws/elasticbeanstalk/x/var/log/web.stdout.log"),
            "web.stdout"
        );
        assert_eq!(short_group("custom"), "custom");
        assert_eq!(group_tag("custom"), "custom");
    }

    #[test]
    fn streams_clip() {
        assert_eq!(short_stream("i-0abc1234def567890"), "i-0abc1234");
        assert_eq!(short_stream("i-1"), "i-1");
        assert_eq!(clip("日本語テキスト", 3), "日本語");
    }
}
