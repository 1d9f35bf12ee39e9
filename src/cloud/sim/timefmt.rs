//! Timestamps as each log file and API writes them. They live apart from the readers that use
//! them (health causes, engine output, nginx and journal lines, CloudFormation event ids) so that
//! those modules need not import one another for a date format.

use chrono::{DateTime, Utc};

use crate::domain::Millis;

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
}
