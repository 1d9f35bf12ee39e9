//! Small text formatters shared by the panes.

use chrono::{DateTime, Utc};

use crate::domain::Millis;

/// "14:03:07" (UTC) on the day of `now`, "11-18 09:16" on another day.
pub fn when(now: Millis, ts: Millis) -> String {
    if now.div_euclid(86_400_000) == ts.div_euclid(86_400_000) {
        hms(ts)
    } else {
        DateTime::<Utc>::from_timestamp_millis(ts)
            .map(|d| d.format("%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "--:--:--".into())
    }
}

/// "14:03:07" (UTC).
pub fn hms(ts: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(ts)
        .map(|d| d.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".into())
}

/// "3m", "2h", "5d", "now": coarse on purpose, so the screen changes at most once a minute.
pub fn ago(now: Millis, ts: Millis) -> String {
    let s = (now - ts).max(0) / 1000;
    match s {
        0..60 => "<1m".into(),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Seconds as a latency: "12ms", "1.25s".
pub fn latency(s: Option<f64>) -> String {
    match s {
        None => "-".into(),
        Some(v) if v < 1.0 => format!("{:.0}ms", v * 1000.0),
        Some(v) => format!("{v:.2}s"),
    }
}

pub fn num(v: Option<f64>, decimals: usize) -> String {
    v.map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "-".into())
}

/// Cut a string to `width` characters with an ellipsis.
pub fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(hms(1_700_000_000_000), "22:13:20");
        assert_eq!(ago(200_000, 80_000), "2m");
        assert_eq!(ago(10_000, 9_000), "<1m");
        assert_eq!(latency(Some(0.0123)), "12ms");
        assert_eq!(latency(Some(1.25)), "1.25s");
        assert_eq!(clip("storefront-prod", 8), "storefr…");
    }
}
