//! What one access line says: its format, its status and its path. Fields are found by pattern,
//! not by position in a configured format, so a custom `log_format` still counts by status.

use crate::logs::status_code;

/// The access-log formats told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// `$remote_addr - $remote_user [$time_local] "$request" $status ...` (and Apache's).
    NginxCombined,
    /// An Application Load Balancer's access log (`http|https|h2 <time> app/... ... 502 - ...`).
    Alb,
    /// A line in an access log whose layout is unknown, counted by a status-like number.
    Unknown,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::NginxCombined => "nginx combined",
            Format::Alb => "ALB access log",
            Format::Unknown => "unknown: counted by status",
        }
    }
}

/// A request as its access line tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    pub format: Format,
    pub status: u16,
    /// The path without its query string, when the line has a request.
    pub path: Option<&'a str>,
}

/// Reads an access line. `in_access_log`: the line came from a log group or file named as an
/// access log, so an unknown layout is still counted by the first status-like token.
pub fn request(line: &str, in_access_log: bool) -> Option<Request<'_>> {
    if let Some((range, status)) = status_code(line) {
        return Some(Request {
            format: Format::NginxCombined,
            status,
            path: quoted_path(&line[..range.start]),
        });
    }
    if let Some(r) = alb(line) {
        return Some(r);
    }
    if !in_access_log {
        return None;
    }
    let status = line
        .split(' ')
        .find_map(|w| (w.len() == 3).then(|| w.parse::<u16>().ok()).flatten())
        .filter(|s| (100..=599).contains(s))?;
    Some(Request {
        format: Format::Unknown,
        status,
        path: quoted_path(line),
    })
}

/// `h2 2023-03-08T12:07:54.384610Z app/x/y 1.2.3.4:5 10.0.0.1:80 0.001 0.002 0.000 200 200 ...`
fn alb(line: &str) -> Option<Request<'_>> {
    let mut words = line.split(' ');
    let kind = words.next()?;
    if !matches!(kind, "http" | "https" | "h2" | "grpcs" | "ws" | "wss") {
        return None;
    }
    let time = words.next()?;
    if !(time.len() > 20 && time.as_bytes()[4] == b'-' && time.ends_with('Z')) {
        return None;
    }
    let status = words.nth(6)?.parse::<u16>().ok()?;
    // The request follows in quotes: "GET https://host:443/path?q HTTP/2.0".
    let path = quoted_path(line).map(|url| {
        url.find("://")
            .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
            .unwrap_or(url)
    });
    (100..=599).contains(&status).then_some(Request {
        format: Format::Alb,
        status,
        path,
    })
}

/// The path of the first `"METHOD /path HTTP/x"` in `s`, without its query.
fn quoted_path(s: &str) -> Option<&str> {
    let open = s.find('"')?;
    let rest = &s[open + 1..];
    let mut parts = rest.splitn(3, ' ');
    let method = parts.next()?;
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let target = parts.next()?;
    let target = target.split('"').next().unwrap_or(target);
    Some(target.split('?').next().unwrap_or(target)).filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nginx_combined_with_its_path() {
        let l = r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET /api/cart?id=3 HTTP/1.1" 502 157 "-" "curl/8.0" "-""#;
        let r = request(l, false).expect("request");
        assert_eq!(
            (r.format, r.status, r.path),
            (Format::NginxCombined, 502, Some("/api/cart"))
        );
    }

    #[test]
    fn reads_an_alb_line() {
        // Quoted from kubernetes-sigs/aws-load-balancer-controller#3095 (status changed to 502).
        let l = r#"h2 2023-03-08T12:07:54.384610Z app/xxxxxx/xxxxxx 1.2.3.4:37217 10.0.23.17:31130 0.001 0.002 0.000 502 - 49 1010 "GET https://argocd.example.com:443/api/x?y=1 HTTP/2.0" "curl/7.86.0""#;
        let r = request(l, false).expect("request");
        assert_eq!(
            (r.format, r.status, r.path),
            (Format::Alb, 502, Some("/api/x"))
        );
    }

    #[test]
    fn unknown_layouts_count_by_status_only_in_access_logs() {
        let l = "2026-11-24T10:15:02Z GET /health 503 12ms";
        assert_eq!(request(l, false), None);
        let r = request(l, true).expect("request");
        assert_eq!((r.format, r.status), (Format::Unknown, 503));
        assert_eq!(request("took 1234 ms", true), None);
        assert_eq!(request("no numbers", true), None);
    }
}
