//! The bundle file as the zip writer sees it: buffered, and capped at the size limit.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::rc::Rc;

/// How much is buffered before a write to the file.
const WRITE_BUFFER: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trip {
    /// Writing.
    Open,
    /// A write would have passed the limit.
    Limit,
    /// The file itself failed.
    Failed,
    /// The bundle failed elsewhere and the file is to be removed.
    Discard,
}

/// The bundle file: buffered (the zip writer asks for its position at every entry, which must not
/// flush), and capped at `limit` bytes. Once tripped it swallows everything, keeping only a
/// position so the zip writer's bookkeeping stays consistent.
pub(super) struct Capped<'f> {
    file: &'f File,
    buf: Vec<u8>,
    /// The logical position (the file's own is `pos - buf.len()`).
    pos: u64,
    /// The furthest position written.
    end: u64,
    limit: u64,
    trip: Rc<Cell<Trip>>,
}

impl<'f> Capped<'f> {
    pub(super) fn new(file: &'f File, limit: u64, trip: Rc<Cell<Trip>>) -> Self {
        Capped {
            file,
            buf: Vec::with_capacity(WRITE_BUFFER),
            pos: 0,
            end: 0,
            limit,
            trip,
        }
    }

    fn open(&self) -> bool {
        self.trip.get() == Trip::Open
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        if self.open() && !self.buf.is_empty() {
            let mut file = self.file;
            if let Err(e) = file.write_all(&self.buf) {
                self.trip.set(Trip::Failed);
                return Err(e);
            }
        }
        self.buf.clear();
        Ok(())
    }
}

impl Write for Capped<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let len = data.len() as u64;
        if self.open() {
            if self.pos + len > self.limit {
                self.trip.set(Trip::Limit);
                return Err(io::Error::other("over the size limit"));
            }
            self.buf.extend_from_slice(data);
            if self.buf.len() >= WRITE_BUFFER {
                self.flush_buf()?;
            }
        }
        self.pos += len;
        self.end = self.end.max(self.pos);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_buf()
    }
}

impl Seek for Capped<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        if to == SeekFrom::Current(0) {
            return Ok(self.pos);
        }
        self.flush_buf()?;
        if self.open() {
            let mut file = self.file;
            match file.seek(to) {
                Ok(p) => self.pos = p,
                Err(e) => {
                    self.trip.set(Trip::Failed);
                    return Err(e);
                }
            }
        } else {
            self.pos = match to {
                SeekFrom::Start(p) => p,
                SeekFrom::Current(d) => self.pos.saturating_add_signed(d),
                SeekFrom::End(d) => self.end.saturating_add_signed(d),
            };
        }
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn capped(file: &File, limit: u64) -> (Capped<'_>, Rc<Cell<Trip>>) {
        let trip = Rc::new(Cell::new(Trip::Open));
        (Capped::new(file, limit, Rc::clone(&trip)), trip)
    }

    #[test]
    fn the_write_past_the_limit_fails_and_later_ones_are_swallowed() {
        let tmp = tempfile::tempfile().unwrap();
        let (mut c, trip) = capped(&tmp, 10);
        c.write_all(b"0123456789").unwrap();
        assert!(c.write_all(b"x").is_err());
        assert_eq!(trip.get(), Trip::Limit);
        c.write_all(b"more").unwrap();
        c.flush().unwrap();
        assert!(
            tmp.metadata().unwrap().len() <= 10,
            "nothing past the limit reaches the file"
        );
    }

    #[test]
    fn seeking_back_and_rewriting_stays_within_the_limit() {
        let tmp = tempfile::tempfile().unwrap();
        let (mut c, trip) = capped(&tmp, 8);
        c.write_all(b"abcdefgh").unwrap();
        c.seek(SeekFrom::Start(2)).unwrap();
        c.write_all(b"XY").unwrap();
        assert_eq!(c.stream_position().unwrap(), 4);
        c.flush().unwrap();
        assert_eq!(trip.get(), Trip::Open);
        let mut back = String::new();
        let mut f = &tmp;
        f.seek(SeekFrom::Start(0)).unwrap();
        f.read_to_string(&mut back).unwrap();
        assert_eq!(back, "abXYefgh");
    }
}
