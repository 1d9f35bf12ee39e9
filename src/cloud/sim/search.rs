//! Searches pushed down to the simulated CloudWatch Logs: the same filter-pattern forms the app
//! sends to AWS (`"a phrase"`, words that must all appear, `%regex%`), scanned in time slices with
//! progress, as FilterLogEvents pages would arrive.

use regex::Regex;
use tokio::sync::mpsc;

use crate::cloud::{CloudError, CloudResult, LogSearch, TailEvent};
use crate::domain::{Millis, RawLogEvent};

/// Simulated minutes per reported step.
const SLICE_MS: i64 = 10 * 60_000;
/// Matches kept from one slice, like one FilterLogEvents page.
const SLICE_CAP: usize = 10_000;

/// A predicate on a log message.
pub(crate) type Matcher = Box<dyn Fn(&str) -> bool + Send>;

/// A CloudWatch Logs filter pattern as a predicate on the message.
pub(crate) fn matcher(pattern: &str) -> Result<Matcher, CloudError> {
    let p = pattern.trim();
    if let Some(re) = p.strip_prefix('%').and_then(|r| r.strip_suffix('%')) {
        let re = Regex::new(re)
            .map_err(|e| CloudError::Other(format!("Invalid filter pattern: {e}")))?;
        return Ok(Box::new(move |m| re.is_match(m)));
    }
    if let Some(phrase) = p.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        let phrase = phrase.to_string();
        return Ok(Box::new(move |m| m.contains(&phrase)));
    }
    let words: Vec<String> = p.split_whitespace().map(str::to_string).collect();
    Ok(Box::new(move |m| {
        words.iter().all(|w| m.contains(w.as_str()))
    }))
}

/// Run `search` slice by slice: `read` gives every line of the searched groups in `[from, to)`;
/// matches go to `tx` with a progress status after each slice.
pub(crate) async fn run(
    search: &LogSearch,
    read: impl Fn(Millis, Millis) -> CloudResult<Vec<RawLogEvent>>,
    tx: mpsc::Sender<TailEvent>,
) -> CloudResult<()> {
    let matches = matcher(&search.pattern)?;
    let total_min = ((search.end - search.start).max(0) / 60_000).max(1);
    let mut from = search.start;
    while from < search.end {
        let to = (from + SLICE_MS).min(search.end);
        let mut batch = read(from, to)?;
        batch.retain(|l| matches(&l.message));
        batch.truncate(SLICE_CAP);
        if !batch.is_empty() && tx.send(TailEvent::Events(batch)).await.is_err() {
            return Ok(());
        }
        let done = (to - search.start) / 60_000;
        if tx
            .send(TailEvent::Status(format!(
                "searched {done} of {total_min} minutes"
            )))
            .await
            .is_err()
        {
            return Ok(());
        }
        from = to;
        // Let the receiver draw between pages, as network pages would.
        tokio::task::yield_now().await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_pattern_forms() {
        let m = matcher("%\" 50[0-9] %").expect("regex");
        assert!(m("\"GET / HTTP/1.1\" 502 157"));
        assert!(!m("\"GET / HTTP/1.1\" 200 157"));
        let m = matcher("\"connect() failed\"").expect("phrase");
        assert!(m("x connect() failed (111)"));
        assert!(!m("connect failed"));
        let m = matcher("upstream 502").expect("words");
        assert!(m("502 from upstream"));
        assert!(!m("upstream ok"));
        assert!(matcher("%(%").is_err());
    }
}
