//! The 4,096-byte meter.
//!
//! Elastic Beanstalk's documented rule ("Environment property limits" in the developer guide):
//! "The combined size of all environment properties cannot exceed 4,096 bytes when stored as
//! strings with the format key=value."
//!
//! What [`bytes`] counts, exactly: for each property, the UTF-8 bytes of its key, plus 1 for the
//! `=`, plus the UTF-8 bytes of its value as Elastic Beanstalk stores it (so an escape such as `\"`
//! counts two bytes); summed over all properties. An empty value counts its key and the `=`.
//!
//! What is not documented, and how the meter covers it:
//!
//! - Whatever separates one `key=value` string from the next when they are stored. A report of the
//!   failure (CloudFormation refusing the environment's `EnvironmentVariables` parameter as "length
//!   is greater than 4096") suggests the strings are joined into one parameter, which would add one
//!   separator between entries; the allowed characters leave out the comma, as a comma-joined list
//!   would need. So [`counted`] adds [`SEPARATOR_MARGIN`] (1 byte) for every property after the
//!   first, and the level, the refusal and the proposals use that figure. [`bytes`] stays the
//!   documented count, for showing beside it.
//! - Whether the limit is in bytes or characters: counting bytes is the stricter of the two.
//! - Whether environment secrets (their ARNs, in another namespace) count: the guide does not say
//!   so, and the meter leaves them out.

use super::Property;

/// The documented limit, in bytes.
pub const LIMIT: usize = 4096;
/// Bytes kept for the undocumented separator between two stored `key=value` strings.
pub const SEPARATOR_MARGIN: usize = 1;

/// How full the properties are: yellow from 80 %, red from 95 %, over past the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Ok,
    Warn,
    Danger,
    Over,
}

/// The bytes of one property stored as `key=value`.
pub fn share(p: &Property) -> usize {
    p.key.len() + 1 + p.value.len()
}

/// The documented count: the sum of every property's `key=value` bytes.
pub fn bytes(props: &[Property]) -> usize {
    props.iter().map(share).sum()
}

/// The documented count plus the separator margin: the figure held against [`LIMIT`].
pub fn counted(props: &[Property]) -> usize {
    bytes(props) + props.len().saturating_sub(1) * SEPARATOR_MARGIN
}

/// The level of a count. Exactly [`LIMIT`] is allowed ("cannot exceed").
pub fn level(bytes: usize) -> Level {
    if bytes > LIMIT {
        Level::Over
    } else if bytes * 100 >= LIMIT * 95 {
        Level::Danger
    } else if bytes * 100 >= LIMIT * 80 {
        Level::Warn
    } else {
        Level::Ok
    }
}

/// One property's part of the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub key: String,
    pub bytes: usize,
}

impl Share {
    /// Its part of [`LIMIT`], in tenths of a percent (1000 is the whole limit).
    pub fn permille(&self) -> usize {
        self.bytes * 1000 / LIMIT
    }
}

/// Every property's share, in the order given.
pub fn shares(props: &[Property]) -> Vec<Share> {
    props
        .iter()
        .map(|p| Share {
            key: p.key.clone(),
            bytes: share(p),
        })
        .collect()
}

/// How many bytes [`counted`] is over the limit (0 when it is not).
pub fn over_by(props: &[Property]) -> usize {
    counted(props).saturating_sub(LIMIT)
}

#[cfg(test)]
#[path = "meter_tests.rs"]
mod tests;

/// 4096 as "4,096": how the meter and the messages write byte counts.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
