//! What is wrong with properties and secrets before anything is sent, every problem with the key it
//! is about and words that say the fix. A problem never quotes a value.
//!
//! Elastic Beanstalk's documented rules ("Environment property limits"):
//!
//! - Keys: alphanumeric characters and `_ . : / + \ - @`. For every platform to take a key as a
//!   variable name the guide advises `[A-Z_][A-Z0-9_]*`; a key outside that (case aside, as Linux
//!   takes lower case) is a warning, not an error.
//! - Values: alphanumeric characters, white space and `_ . : / = + \ - @ ' "`. "Alphanumeric" is
//!   read as Unicode letters and digits (the EB CLI's reference says "any alphabetic character in
//!   any language"). A line break is refused by itself: Amazon Linux 2 platforms fail a deployment
//!   with a multi-line value.
//! - Escapes of `\`, `'` and `"` (see [`super::escape`]): a quote without its backslash or a
//!   backslash that starts no documented escape is a warning, since a value read back from
//!   Elastic Beanstalk may already be that way and work.
//! - The total: [`super::meter::counted`] must not pass [`LIMIT`].
//!
//! Older versions of the guide also capped keys at 128 and values at 256 characters; the current
//! one does not, and neither does this module.

use super::escape::{self, Issue};
use super::meter::{self, LIMIT, SEPARATOR_MARGIN, thousands};
use super::{ArnError, Property, Secret};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Nothing is sent while one is left.
    Error,
    /// Worth a look; does not stop the write.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    EmptyKey,
    KeySpaces,
    KeyChars(Vec<char>),
    KeyNotPortable,
    Duplicate,
    ValueLineBreak,
    ValueChars(Vec<char>),
    Escape(Issue),
    SecretClash,
    Arn(ArnError),
    TooLarge { counted: usize },
}

/// One problem: the key (or secret name) it is about, `None` for the whole set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: Option<String>,
    pub severity: Severity,
    pub kind: Kind,
}

impl Problem {
    fn of(key: &str, kind: Kind) -> Problem {
        let severity = match kind {
            Kind::KeyNotPortable | Kind::Escape(_) => Severity::Warning,
            _ => Severity::Error,
        };
        Problem {
            key: Some(key.to_string()),
            severity,
            kind,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(k) = self.key.as_deref().filter(|k| !k.is_empty()) {
            write!(f, "{k}: ")?;
        }
        match &self.kind {
            Kind::EmptyKey => f.write_str("a property has no name: name it or delete it"),
            Kind::KeySpaces => f.write_str("a name cannot contain spaces: use _ instead"),
            Kind::KeyChars(cs) => write!(
                f,
                "a name cannot contain {}: use letters, digits and _ . : / + \\ - @ only",
                list(cs)
            ),
            Kind::KeyNotPortable => f.write_str(
                "not a variable name on every platform: prefer letters, digits and _, not starting with a digit",
            ),
            Kind::Duplicate => f.write_str("set more than once: keep one"),
            Kind::ValueLineBreak => f.write_str(
                "the value has a line break, which Amazon Linux 2 platforms refuse: put it on one line (or base64-encode it)",
            ),
            Kind::ValueChars(cs) => write!(
                f,
                "the value contains {}, which Elastic Beanstalk does not allow in a property: move it to a secret, or use letters, digits, white space and _ . : / = + \\ - @ ' \" only",
                list(cs)
            ),
            Kind::Escape(Issue::BareQuote(c)) => write!(
                f,
                "the value has a {c} without a backslash: Elastic Beanstalk wants \\{c} (import and the form add it)"
            ),
            Kind::Escape(Issue::LoneBackslash) => f.write_str(
                "the value has a backslash that starts no documented escape: write \\\\ for a backslash",
            ),
            Kind::SecretClash => f.write_str("both a property and a secret: keep one"),
            Kind::Arn(e) => write!(f, "the secret's ARN {e}"),
            Kind::TooLarge { counted } => write!(
                f,
                "the properties take {} of {} bytes: move the largest to secrets",
                thousands(*counted),
                thousands(LIMIT)
            ),
        }
    }
}

/// Every problem of a set of properties and secrets: per entry in order, then the total.
pub fn validate(props: &[Property], secrets: &[Secret]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in props {
        out.extend(key_problems(&p.key));
        out.extend(value_problems(p));
        if !p.key.is_empty() && !seen.insert(p.key.as_str()) {
            out.push(Problem::of(&p.key, Kind::Duplicate));
        }
    }
    let mut seen_secrets = std::collections::HashSet::new();
    for s in secrets {
        out.extend(key_problems(&s.name));
        if let Err(e) = s.check() {
            out.push(Problem::of(&s.name, Kind::Arn(e)));
        }
        if seen.contains(s.name.as_str()) {
            out.push(Problem::of(&s.name, Kind::SecretClash));
        } else if !s.name.is_empty() && !seen_secrets.insert(s.name.as_str()) {
            out.push(Problem::of(&s.name, Kind::Duplicate));
        }
    }
    let counted = meter::counted(props);
    if counted > LIMIT {
        out.push(Problem {
            key: None,
            severity: Severity::Error,
            kind: Kind::TooLarge { counted },
        });
    }
    out
}

fn key_problems(key: &str) -> Option<Problem> {
    let allowed = |c: char| c.is_alphanumeric() || "_.:/+\\-@".contains(c);
    let kind = if key.is_empty() {
        Kind::EmptyKey
    } else if key.chars().any(char::is_whitespace) {
        Kind::KeySpaces
    } else if !key.chars().all(allowed) {
        Kind::KeyChars(odd_ones(key, allowed))
    } else if !portable(key) {
        Kind::KeyNotPortable
    } else {
        return None;
    };
    Some(Problem::of(key, kind))
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
fn portable(key: &str) -> bool {
    let mut cs = key.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

fn value_problems(p: &Property) -> Vec<Problem> {
    let v = &p.value;
    let mut out = Vec::new();
    if v.chars().any(is_line_break) {
        out.push(Problem::of(&p.key, Kind::ValueLineBreak));
    }
    let allowed = |c: char| {
        is_line_break(c) || c.is_alphanumeric() || c.is_whitespace() || "_.:/=+\\-@'\"".contains(c)
    };
    if !v.chars().all(allowed) {
        out.push(Problem::of(&p.key, Kind::ValueChars(odd_ones(v, allowed))));
    }
    for i in escape::issues(v) {
        out.push(Problem::of(&p.key, Kind::Escape(i)));
    }
    out
}

/// The characters of `s` that are not allowed, each once, in order.
fn odd_ones(s: &str, allowed: impl Fn(char) -> bool) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for c in s.chars().filter(|&c| !allowed(c)) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// `a`, `b` and `c`: control and invisible characters by code point.
fn list(cs: &[char]) -> String {
    let shown: Vec<String> = cs
        .iter()
        .map(|&c| {
            if c.is_control() || c.is_whitespace() || c.is_alphanumeric() {
                format!("U+{:04X}", c as u32)
            } else {
                format!("`{c}`")
            }
        })
        .collect();
    match shown.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Over the limit by `bytes_over`: the properties to move to secrets, largest first, and the bytes
/// each frees (its `key=value` plus the separator margin), until at least `bytes_over` is freed.
/// Empty when nothing is over. A secret's ARN is not counted in the 4,096 bytes (the guide does
/// not count it), so moving a property frees all of its share.
pub fn proposals(props: &[Property], bytes_over: usize) -> Vec<(String, usize)> {
    let mut by_size: Vec<(String, usize)> = props
        .iter()
        .map(|p| (p.key.clone(), meter::share(p) + SEPARATOR_MARGIN))
        .collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut freed = 0;
    let mut out = Vec::new();
    for (key, b) in by_size {
        if freed >= bytes_over {
            break;
        }
        freed += b;
        out.push((key, b));
    }
    out
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
