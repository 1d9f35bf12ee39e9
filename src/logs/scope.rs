//! "Only this instance": the pane narrowed to the lines of one instance, whatever the search.
//!
//! The scope keeps the seqs of its lines, sorted, as the search keeps its hits: the pane's
//! visible lines are then these lines (and, with a filter, the hits among them with context
//! counted in the instance's own lines), so drawing, scrolling and `n`/`N` cost what they cost
//! without a scope. Lines are matched by stream name, compared once per stream per pass: the
//! names are interned, so a pass over a million lines compares a few pointers a line.

use std::collections::VecDeque;
use std::ops::Range;

use super::buffer::LogBuffer;

/// The instance id in a stream name: the name itself (`i-0abc...`, as Elastic Beanstalk names
/// its streams) or an `i-` id inside it (`web/i-0abc.../stdout`).
pub fn instance_of(stream: &str) -> Option<&str> {
    let is_id = |s: &str| {
        s.len() >= 10
            && s.len() <= 19
            && s.starts_with("i-")
            && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
    };
    if is_id(stream) {
        return Some(stream);
    }
    stream
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .flat_map(|w| w.match_indices("i-").map(move |(i, _)| &w[i..]))
        .map(|w| {
            let end = 2 + w[2..].bytes().take_while(u8::is_ascii_hexdigit).count();
            &w[..end]
        })
        .find(|w| is_id(w))
}

/// The lines of one instance (or of one stream, when its name holds no instance id).
#[derive(Debug, Clone)]
pub struct Scope {
    instance: String,
    /// Sorted seqs of the buffered lines in scope; evicted ones are dropped by `prune`.
    members: VecDeque<u64>,
    /// Every buffered line below this seq has been looked at.
    scanned_to: u64,
}

impl Scope {
    /// A scope with nothing scanned yet: [`Scope::catch_up`] reads the buffer.
    pub fn new(instance: &str) -> Self {
        Self {
            instance: instance.to_string(),
            members: VecDeque::new(),
            scanned_to: 0,
        }
    }

    /// The instance id (or stream name) the scope keeps.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Sorted seqs of the buffered lines in scope.
    pub fn members(&self) -> &VecDeque<u64> {
        &self.members
    }

    /// True when a line of this stream is in scope.
    fn matches(&self, stream: &str) -> bool {
        stream == self.instance || instance_of(stream) == Some(self.instance.as_str())
    }

    /// Reads the lines that arrived since the last call (all of them the first time). Cheap
    /// enough to run whole on every batch: one pointer comparison a line once a stream is known.
    pub fn catch_up(&mut self, buf: &LogBuffer) {
        self.prune(buf);
        let start = self.scanned_to.max(buf.first_seq());
        let end = buf.next_seq();
        self.scan(buf, start..end);
        self.scanned_to = end;
    }

    fn scan(&mut self, buf: &LogBuffer, seqs: Range<u64>) {
        // Streams are interned: within this pass, the same address is the same name (the buffer
        // holds every name it hands out), so each stream is compared by text once.
        let mut known: Vec<(*const u8, bool)> = Vec::new();
        for (seq, stream) in buf.streams(seqs) {
            let key = stream.as_ptr();
            let inside = match known.iter().find(|(p, _)| *p == key) {
                Some(&(_, inside)) => inside,
                None => {
                    let inside = self.matches(stream);
                    known.push((key, inside));
                    inside
                }
            };
            if inside {
                self.members.push_back(seq);
            }
        }
    }

    /// Lines in scope at or after `seq` (the "+N new" counter).
    pub fn members_from(&self, seq: u64) -> usize {
        self.members.len() - self.members.partition_point(|&m| m < seq)
    }

    /// Drops evicted lines.
    pub fn prune(&mut self, buf: &LogBuffer) {
        let gone = self.members.partition_point(|&m| m < buf.first_seq());
        self.members.drain(..gone);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RawLogEvent;

    fn buf(streams: &[&str], cap: usize) -> LogBuffer {
        let mut b = LogBuffer::new(cap, usize::MAX);
        for (i, s) in streams.iter().enumerate() {
            b.push(RawLogEvent {
                id: None,
                ts: i as i64,
                group: "g".into(),
                stream: (*s).into(),
                message: format!("line {i}"),
            });
        }
        b
    }

    #[test]
    fn instance_ids_in_stream_names() {
        assert_eq!(
            instance_of("i-0d6d4b3b2c1a0f9e8"),
            Some("i-0d6d4b3b2c1a0f9e8")
        );
        assert_eq!(
            instance_of("web/i-0d6d4b3b2c1a0f9e8/stdout"),
            Some("i-0d6d4b3b2c1a0f9e8")
        );
        assert_eq!(instance_of("web-1"), None);
        assert_eq!(instance_of("i-xyz"), None);
    }

    #[test]
    fn keeps_the_lines_of_one_instance_as_they_arrive_and_are_evicted() {
        let a = "i-0aaaaaaaaaaaaaaaa";
        let b = "i-0bbbbbbbbbbbbbbbb";
        let web_a = "web/i-0aaaaaaaaaaaaaaaa/stdout";
        let mut lines = buf(&[a, b, web_a, b, a], 100);
        let mut s = Scope::new(a);
        s.catch_up(&lines);
        assert_eq!(s.members().iter().copied().collect::<Vec<_>>(), [0, 2, 4]);
        lines.push(RawLogEvent {
            id: None,
            ts: 9,
            group: "g".into(),
            stream: a.into(),
            message: "late".into(),
        });
        s.catch_up(&lines);
        assert_eq!(s.members_from(3), 2);
        // Evict down to the last two lines.
        let mut small = buf(&[a, b, a, b, a], 2);
        let mut s = Scope::new(a);
        s.catch_up(&small);
        assert_eq!(s.members().iter().copied().collect::<Vec<_>>(), [4]);
        small.push(RawLogEvent {
            id: None,
            ts: 9,
            group: "g".into(),
            stream: b.into(),
            message: "b".into(),
        });
        s.catch_up(&small);
        assert_eq!(s.members().iter().copied().collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn a_stream_without_an_instance_id_is_kept_by_its_name() {
        let lines = buf(&["web-1", "web-2", "web-1"], 10);
        let mut s = Scope::new("web-1");
        s.catch_up(&lines);
        assert_eq!(s.members().len(), 2);
    }
}
