//! Recognising the parts of well-known log lines worth colouring: the status code of an nginx
//! (or Apache) access line in the combined format, and the level of an nginx error line or an
//! Elastic Beanstalk engine line. Only visible lines are looked at, at draw time.

use std::ops::Range;

use crate::domain::Severity;

/// Byte range and value of the HTTP status code in a combined-format access line:
/// `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$referer" ...`.
/// nginx writes a `"` inside the request as `\x22`, so the first `" ` after `] "` closes it.
pub fn status_code(line: &str) -> Option<(Range<usize>, u16)> {
    let open = line.find("] \"")? + 3;
    let close = open + line.get(open..)?.find("\" ")?;
    let start = close + 2;
    let digits = line.as_bytes().get(start..start + 3)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // The status is followed by a space (then the byte count) or ends the line.
    if line.as_bytes().get(start + 3).is_some_and(|&b| b != b' ') {
        return None;
    }
    let code = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    (100..=599)
        .contains(&code)
        .then_some((start..start + 3, code))
}

/// Byte range (brackets included) and severity of the level in lines such as
/// `2026/11/24 10:15:02 [error] 2345#2345: *9 connect() failed ...` (nginx) or
/// `2026/11/24 10:15:02.123456 [ERROR] Command failed ...` (eb-engine).
pub fn level(line: &str) -> Option<(Range<usize>, Severity)> {
    let bytes = line.as_bytes();
    // A date first: "dddd/dd/dd" (nginx, eb-engine) or "dddd-dd-dd".
    let date_ok = bytes.len() > 20
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && matches!(bytes[4], b'/' | b'-')
        && bytes[5..7].iter().all(u8::is_ascii_digit);
    if !date_ok {
        return None;
    }
    // The level is the first bracketed word within the first 40 bytes, after a space.
    let head = line.get(..line.len().min(40)).unwrap_or(line);
    let open = head.find(" [")? + 1;
    let close = open + line.get(open..)?.find(']')?;
    let word = line.get(open + 1..close)?;
    let severity = match word.to_ascii_lowercase().as_str() {
        "emerg" | "alert" | "crit" | "fatal" => Severity::Fatal,
        "error" => Severity::Error,
        "warn" | "warning" => Severity::Warn,
        "notice" | "info" => Severity::Info,
        "debug" => Severity::Debug,
        "trace" => Severity::Trace,
        _ => return None,
    };
    Some((open..close + 1, severity))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCESS_502: &str = r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.0" "-""#;

    #[test]
    fn finds_status_in_combined_format() {
        let (r, code) = status_code(ACCESS_502).expect("status");
        assert_eq!((code, &ACCESS_502[r]), (502, "502"));
        let ok = r#"172.31.5.9 - bob [24/Nov/2026:10:15:03 +0000] "POST /x?q=\x22a b\x22 HTTP/2.0" 200 0 "https://e.com/" "Mozilla/5.0 (X11)" "1.2.3.4""#;
        assert_eq!(status_code(ok).map(|(_, c)| c), Some(200));
        let bad_request =
            r#"10.0.0.1 - - [24/Nov/2026:10:15:04 +0000] "\x16\x03\x01" 400 150 "-" "-" "-""#;
        assert_eq!(status_code(bad_request).map(|(_, c)| c), Some(400));
    }

    #[test]
    fn no_status_in_other_lines() {
        assert_eq!(
            status_code("2026/11/24 10:15:02 [error] 1#1: upstream timed out"),
            None
        );
        assert_eq!(status_code(r#"x [a] "GET / HTTP/1.1" 5023 1"#), None);
        assert_eq!(status_code(r#"x [a] "GET / HTTP/1.1" abc 1"#), None);
        assert_eq!(status_code(""), None);
    }

    #[test]
    fn finds_levels() {
        let nginx =
            "2026/11/24 10:15:02 [error] 2345#2345: *9 connect() failed (111: Connection refused)";
        let (r, s) = level(nginx).expect("level");
        assert_eq!((&nginx[r], s), ("[error]", Severity::Error));
        let engine = "2026/11/24 10:15:02.123456 [WARN] Instance deployment: skipped";
        assert_eq!(level(engine).map(|(_, s)| s), Some(Severity::Warn));
        assert_eq!(
            level("2026/11/24 10:15:02 [crit] 1#1: *1 SSL_do_handshake() failed").map(|(_, s)| s),
            Some(Severity::Fatal)
        );
        assert_eq!(level("GET /[error] nothing like a log header at all"), None);
        assert_eq!(level("2026/11/24 10:15:02 [something] else entirely"), None);
    }
}
