//! CloudWatch Logs Insights queries, as text (pure): the logs pane's search (a Rust regex with
//! smart case) translated into an Insights query, the rows of that query back into log lines,
//! the estimate of what a query scans and costs, and the per-minute status query the triage
//! view reads.
//!
//! Insights' regular expressions are RE2's: most Rust regex syntax carries over as it is (classes,
//! `\d \w \s \b`, repetitions, groups, `(?i)`, `(?s)`, `(?m)`); what does not is either rewritten
//! (`/` must be escaped inside `/.../`; `\z` at the very end is `$`) or refused with the reason
//! (Unicode classes `\p{..}`, class set operations `&&`/`--`/`~~`, verbose mode `(?x)`, the word
//! edges `\<` `\>` `\b{..}`). A search that is not a valid regex is searched as literal text, as
//! the pane itself does.

use crate::cloud::{GroupSize, InsightsRow};
use crate::domain::{Millis, RawLogEvent};

/// The most lines one Insights search brings (the query's `limit`; Insights' own maximum).
pub const LINES_LIMIT: u32 = 10_000;

/// Insights' price per GB scanned in us-east-1 (US dollars).
pub const PRICE_PER_GB: f64 = 0.005;

/// A query that would scan more than this is confirmed with its cost first.
pub const CONFIRM_ABOVE: u64 = 1 << 30;

/// One gigabyte, as AWS bills it.
pub const GB: f64 = (1u64 << 30) as f64;

/// A search translated: the query, and what the translation changed, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The whole query: `fields ... | filter @message like ... | sort @timestamp asc | limit N`.
    pub query: String,
    /// The `filter` expression alone (`/(?i)timed out/` or `"literal"`).
    pub filter: String,
    /// What changed on the way (`searched as literal text: ...`), if anything.
    pub note: Option<String>,
}

/// The logs pane's search `text` as an Insights query. `case_insensitive` is the pane's smart
/// case; `invalid` says the text is not a valid Rust regex (the pane searches it literally).
/// `Err` is why Insights cannot search it, in plain words.
pub fn translate(text: &str, case_insensitive: bool, invalid: bool) -> Result<Translated, String> {
    if text.is_empty() {
        return Err("nothing to search for: type a search first (/)".to_string());
    }
    let (filter, note) = if invalid {
        (
            literal(text, case_insensitive),
            Some("not a valid regular expression: searched as literal text".to_string()),
        )
    } else if !text.chars().any(|c| "\\.^$|?*+()[]{}".contains(c)) {
        (literal(text, case_insensitive), None)
    } else {
        (regex(text, case_insensitive)?, None)
    };
    Ok(Translated {
        query: lines_query(&filter),
        filter,
        note,
    })
}

/// The query that brings log lines matching `filter` (a `like` operand), oldest first.
pub fn lines_query(filter: &str) -> String {
    format!(
        "fields @timestamp, @message, @logStream, @log | filter @message like {filter} | sort @timestamp asc | limit {LINES_LIMIT}"
    )
}

/// The same search over the streams of one instance only (the pane's `O` scope): fewer rows
/// come back; what Insights scans, and bills, is the same. A second `filter` command, so each
/// stays one `like`.
pub fn only_stream(t: Translated, instance: &str) -> Translated {
    let stream = format!("@logStream like {}", literal(instance, false));
    Translated {
        query: t.query.replacen(
            " | sort @timestamp",
            &format!(" | filter {stream} | sort @timestamp"),
            1,
        ),
        filter: format!("{} on {instance}", t.filter),
        note: t.note,
    }
}

/// Literal text as a `like` operand: a quoted string, or a `(?i)` regex of the escaped text when
/// the search ignores case (a string `like` is case-sensitive).
fn literal(text: &str, case_insensitive: bool) -> String {
    if case_insensitive && text.chars().any(char::is_alphabetic) {
        let escaped = regex::escape(text).replace('/', "\\/");
        format!("/(?i){escaped}/")
    } else {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

/// A Rust regex as an Insights `/regex/`, or why it cannot be one.
fn regex(text: &str, case_insensitive: bool) -> Result<String, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_class = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\\' => {
                let Some(n) = next else {
                    return Err("the search ends in a lone backslash".to_string());
                };
                match n {
                    'p' | 'P' => {
                        return Err(format!(
                            "Insights' regular expressions have no Unicode classes (\\{n}{{..}}): search with a plain class such as [A-Za-z] instead"
                        ));
                    }
                    '<' | '>' => {
                        return Err(format!(
                            "Insights' regular expressions have no word-edge \\{n}: use \\b instead"
                        ));
                    }
                    'b' if chars.get(i + 2) == Some(&'{') => {
                        return Err(
                            "Insights' regular expressions have no \\b{..} word edges: use \\b instead"
                                .to_string(),
                        );
                    }
                    'z' if i + 2 == chars.len() => out.push('$'),
                    'z' => {
                        return Err(
                            "\\z (end of text) carries over only at the end of the search"
                                .to_string(),
                        );
                    }
                    '/' => out.push_str("\\/"),
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
                i += 2;
                continue;
            }
            '/' => out.push_str("\\/"),
            '[' => {
                if in_class > 0 && next == Some(':') {
                    // [[:alpha:]]: a POSIX class, carried as it is.
                    out.push('[');
                } else {
                    in_class += 1;
                    out.push('[');
                }
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(']');
            }
            '&' | '-' | '~' if in_class > 0 && next == Some(c) => {
                return Err(format!(
                    "Insights' regular expressions have no class set operations ({c}{c}): write the class out"
                ));
            }
            '(' if in_class == 0 && next == Some('?') => {
                let flags: String = chars[i + 2..]
                    .iter()
                    .take_while(|f| f.is_ascii_alphabetic() || **f == '-')
                    .collect();
                if flags.contains('x') {
                    return Err(
                        "Insights' regular expressions have no verbose mode (?x): remove the spaces and the flag"
                            .to_string(),
                    );
                }
                if flags.contains('R') {
                    return Err("Insights' regular expressions have no CRLF mode (?R)".to_string());
                }
                out.push('(');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    let flag = if case_insensitive { "(?i)" } else { "" };
    Ok(format!("/{flag}{out}/"))
}

/// A row of `lines_query` as a log line: `@timestamp` (Insights' `yyyy-MM-dd HH:mm:ss.SSS`,
/// UTC), `@message`, `@logStream`, `@log` (`account:group`) and `@ptr` (the id). A row without a
/// readable time is dropped; its group is `@log`'s, or the first queried when absent.
pub fn row_to_line(row: &InsightsRow, groups: &[String]) -> Option<RawLogEvent> {
    let ts = parse_time(row.get("@timestamp")?)?;
    let message = row.get("@message").unwrap_or_default().to_string();
    let stream = row.get("@logStream").unwrap_or_default().to_string();
    let group = row
        .get("@log")
        .map(|l| {
            // `123456789012:/aws/elasticbeanstalk/...`: the account goes.
            match l.split_once(':') {
                Some((account, g)) if account.chars().all(|c| c.is_ascii_digit()) => g,
                _ => l,
            }
            .to_string()
        })
        .or_else(|| groups.first().cloned())
        .unwrap_or_default();
    let id = row
        .get("@ptr")
        .map(|p| format!("insights:{p}"))
        .unwrap_or_else(|| format!("insights:{ts}:{stream}:{}", message.len()));
    Some(RawLogEvent {
        id: Some(id),
        ts,
        group,
        stream,
        message,
    })
}

/// Insights' time format (`2026-11-30 12:00:05.123`, UTC) in epoch milliseconds.
pub fn parse_time(s: &str) -> Option<Millis> {
    let t = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S%.f").ok()?;
    Some(t.and_utc().timestamp_millis())
}

/// Insights' time format for a time (the simulator writes its rows with it).
pub fn format_time(ts: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ts)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// Bytes a query over `groups` in `[start, end)` is estimated to scan: each group's stored
/// bytes prorated by the share of its kept history the range covers (its retention, or its age
/// when younger or kept forever). `now` is the cloud's clock.
pub fn estimate(
    sizes: &[GroupSize],
    groups: &[String],
    start: Millis,
    end: Millis,
    now: Millis,
) -> u64 {
    const DAY: f64 = 86_400_000.0;
    let range = (end - start).max(0) as f64;
    sizes
        .iter()
        .filter(|g| groups.contains(&g.name))
        .map(|g| {
            let age = g.created.map(|c| (now - c).max(1) as f64);
            let kept = g.retention_days.map(|d| d as f64 * DAY);
            let span = match (age, kept) {
                (Some(a), Some(k)) => a.min(k),
                (Some(a), None) => a,
                (None, Some(k)) => k,
                // Nothing known: assume all of it may be read.
                (None, None) => range,
            };
            let share = if span > 0.0 {
                (range / span).min(1.0)
            } else {
                1.0
            };
            (g.stored_bytes as f64 * share) as u64
        })
        .sum()
}

/// "about $0.01, 2.4 GB": what a scan of `bytes` costs at `PRICE_PER_GB`.
pub fn cost_words(bytes: u64) -> String {
    let gb = bytes as f64 / GB;
    let usd = gb * PRICE_PER_GB;
    let usd = if usd < 0.01 {
        "less than $0.01".to_string()
    } else {
        format!("about ${usd:.2}")
    };
    format!("{usd}, {gb:.1} GB")
}

/// "12,345": a count for a status line.
pub fn count(n: f64) -> String {
    crate::props::meter::thousands(n.max(0.0).round() as usize)
}

/// "1.2 GB", "340 MB", "12 KB": bytes scanned for a status line.
pub fn bytes(b: f64) -> String {
    let b = b.max(0.0);
    if b >= GB {
        format!("{:.1} GB", b / GB)
    } else if b >= (1 << 20) as f64 {
        format!("{:.0} MB", b / (1 << 20) as f64)
    } else {
        format!("{:.0} KB", b / 1024.0)
    }
}

/// What the triage view counts per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerMinuteBy {
    /// The HTTP status of nginx's access lines.
    Status,
    /// The instance (the log stream).
    Instance,
}

/// Requests per minute by status or by instance, over access logs (`combined` format: the status
/// follows the quoted request line).
pub fn per_minute_query(by: PerMinuteBy) -> String {
    let parse = "parse @message /\" (?<status>[0-9]{3}) /";
    match by {
        PerMinuteBy::Status => {
            format!(
                "fields @timestamp, @message | {parse} | filter ispresent(status) | stats count(*) by bin(1m), status"
            )
        }
        PerMinuteBy::Instance => format!(
            "fields @timestamp, @message, @logStream | {parse} | filter ispresent(status) | stats count(*) by bin(1m), @logStream"
        ),
    }
}

/// One cell of `per_minute_query`'s table: the minute, the status or instance, the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinuteCount {
    pub minute: Millis,
    pub key: String,
    pub count: u64,
}

/// `per_minute_query`'s rows as counts, oldest minute first (rows Insights could not fill are
/// dropped).
pub fn per_minute(rows: &[InsightsRow], by: PerMinuteBy) -> Vec<MinuteCount> {
    let field = match by {
        PerMinuteBy::Status => "status",
        PerMinuteBy::Instance => "@logStream",
    };
    let mut out: Vec<MinuteCount> = rows
        .iter()
        .filter_map(|r| {
            Some(MinuteCount {
                minute: parse_time(r.get("bin(1m)")?)?,
                key: r.get(field)?.to_string(),
                count: r.get("count(*)")?.trim().parse().ok()?,
            })
        })
        .collect();
    out.sort_by(|a, b| (a.minute, &a.key).cmp(&(b.minute, &b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter_of(text: &str) -> Result<String, String> {
        let ci = !text.chars().any(char::is_uppercase);
        translate(text, ci, regex::Regex::new(text).is_err()).map(|t| t.filter)
    }

    #[test]
    fn translation_table() {
        let table: &[(&str, Result<&str, &str>)] = &[
            // Plain text: a string match, or a case-insensitive regex of it (smart case).
            ("Timed Out", Ok("\"Timed Out\"")),
            ("timed out", Ok("/(?i)timed out/")),
            ("504", Ok("\"504\"")),
            // Regex syntax that RE2 shares.
            (r#"" 50[0-9] "#, Ok(r#"/(?i)" 50[0-9] /"#)),
            (r"\d{3}\s+upstream", Ok(r"/(?i)\d{3}\s+upstream/")),
            (r"^GET|POST$", Ok(r"/^GET|POST$/")),
            (r"(?P<code>5\d\d)", Ok(r"/(?P<code>5\d\d)/")),
            (r"[[:digit:]]+ms", Ok(r"/(?i)[[:digit:]]+ms/")),
            (r"Error\b", Ok(r"/Error\b/")),
            // A slash ends /.../ in Insights: escaped.
            ("/api/v1/.*", Ok(r"/(?i)\/api\/v1\/.*/")),
            (r"a\/b+", Ok(r"/(?i)a\/b+/")),
            // \z at the end is $.
            (r"done\z", Ok("/(?i)done$/")),
            // An invalid regex is literal text, escaped.
            ("(unclosed", Ok(r"/(?i)\(unclosed/")),
            (r#"say "hi("#, Ok(r#"/(?i)say "hi\(/"#)),
            ("X(", Ok("\"X(\"")),
            // Refused with the reason.
            (r"\p{Greek}+", Err("Unicode classes")),
            (r"\PL", Err("Unicode classes")),
            (r"\<word\>", Err("word-edge")),
            (r"\b{start}x", Err("word edges")),
            (r"[a-z&&[^aeiou]]", Err("class set operations")),
            (r"[a-z--b]", Err("class set operations")),
            (r"(?x) a b", Err("verbose mode")),
            (r"a\zb", Err("only at the end")),
        ];
        for (text, want) in table {
            let got = filter_of(text);
            match (want, &got) {
                (Ok(w), Ok(g)) => assert_eq!(g, w, "{text}"),
                (Err(w), Err(g)) => assert!(g.contains(w), "{text}: {g}"),
                _ => panic!("{text}: wanted {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn translated_query_has_every_part_and_says_what_changed() {
        let t = translate("(oops", true, true).expect("literal");
        assert_eq!(
            t.query,
            r"fields @timestamp, @message, @logStream, @log | filter @message like /(?i)\(oops/ | sort @timestamp asc | limit 10000"
        );
        assert!(t.note.expect("a note").contains("literal"));
        assert!(translate("", true, false).is_err());
        assert_eq!(translate("x+", true, false).expect("regex").note, None);
    }

    #[test]
    fn rows_become_log_lines() {
        let row = InsightsRow(vec![
            ("@timestamp".into(), "2026-11-30 12:00:05.123".into()),
            ("@message".into(), "GET / 504".into()),
            ("@logStream".into(), "i-0abc".into()),
            (
                "@log".into(),
                "123456789012:/aws/elasticbeanstalk/x/var/log/nginx/access.log".into(),
            ),
            ("@ptr".into(), "CmAKJw".into()),
        ]);
        let line = row_to_line(&row, &[]).expect("a line");
        assert_eq!(
            line.ts,
            parse_time("2026-11-30 12:00:05.123").expect("time")
        );
        assert_eq!(format_time(line.ts), "2026-11-30 12:00:05.123");
        assert_eq!(
            line.group,
            "/aws/elasticbeanstalk/x/var/log/nginx/access.log"
        );
        assert_eq!(line.stream, "i-0abc");
        assert_eq!(line.id.as_deref(), Some("insights:CmAKJw"));
        let no_time = InsightsRow(vec![("@message".into(), "x".into())]);
        assert_eq!(row_to_line(&no_time, &[]), None);
    }

    #[test]
    fn estimate_prorates_by_kept_history() {
        let day = 86_400_000;
        let now = 100 * day;
        let sizes = vec![
            GroupSize {
                name: "a".into(),
                stored_bytes: 30 << 30,
                retention_days: Some(30),
                created: Some(0),
            },
            GroupSize {
                name: "b".into(),
                stored_bytes: 10 << 30,
                retention_days: None,
                created: Some(now - 10 * day),
            },
            GroupSize {
                name: "not asked".into(),
                stored_bytes: 1 << 40,
                retention_days: None,
                created: None,
            },
        ];
        let groups = vec!["a".to_string(), "b".to_string()];
        // A day of a: 1 GB; a day of b: 1 GB.
        assert_eq!(estimate(&sizes, &groups, now - day, now, now), 2 << 30);
        // More than b has kept: all of b.
        assert_eq!(
            estimate(&sizes, &groups, now - 20 * day, now, now),
            (20u64 << 30) + (10 << 30)
        );
        assert_eq!(cost_words(2 << 30), "about $0.01, 2.0 GB");
        assert_eq!(cost_words(1 << 20), "less than $0.01, 0.0 GB");
        assert_eq!(count(1234567.0), "1,234,567");
        assert_eq!(bytes(1.5 * GB), "1.5 GB");
    }

    #[test]
    fn per_minute_counts_from_stats_rows() {
        let row = |bin: &str, status: &str, n: &str| {
            InsightsRow(vec![
                ("bin(1m)".into(), bin.into()),
                ("status".into(), status.into()),
                ("count(*)".into(), n.into()),
            ])
        };
        let rows = vec![
            row("2026-11-30 12:01:00.000", "504", "7"),
            row("2026-11-30 12:00:00.000", "200", "90"),
            row("bad", "200", "1"),
        ];
        let counts = per_minute(&rows, PerMinuteBy::Status);
        assert_eq!(counts.len(), 2);
        assert_eq!(counts[0].key, "200");
        assert_eq!(counts[1].count, 7);
        assert!(per_minute_query(PerMinuteBy::Status).ends_with("by bin(1m), status"));
        assert!(per_minute_query(PerMinuteBy::Instance).ends_with("by bin(1m), @logStream"));
    }

    #[test]
    fn a_scoped_search_asks_for_the_instances_streams_only() {
        let t = translate("timed out", true, false).unwrap();
        let t = only_stream(t, "i-0abc1234def567890");
        assert_eq!(
            t.query,
            "fields @timestamp, @message, @logStream, @log | filter @message like /(?i)timed out/ | filter @logStream like \"i-0abc1234def567890\" | sort @timestamp asc | limit 10000"
        );
        assert_eq!(t.filter, "/(?i)timed out/ on i-0abc1234def567890");
        // A stream name is quoted as text, whatever it holds.
        let odd = only_stream(translate("x", false, false).unwrap(), r#"web"1"#);
        assert!(
            odd.query.contains(r#"| filter @logStream like "web\"1" |"#),
            "{}",
            odd.query
        );
    }
}
