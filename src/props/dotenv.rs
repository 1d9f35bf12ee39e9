//! `.env` files: read and written here as the values the application sees (turn them into the
//! stored form with [`super::escape::to_stored`] before sending, and back with
//! [`super::escape::to_plain`] before writing).
//!
//! The syntax read: blank lines and lines starting with `#` are skipped; `export ` before a key is
//! allowed; white space around `=` is dropped. A value is either
//!
//! - unquoted: up to an inline comment (a `#` after white space), trimmed; `KEY=` is empty;
//! - in single quotes: taken as it is, no escapes;
//! - in double quotes: with the escapes `\\`, `\"`, `\n`, `\r` and `\t`; any other backslash is
//!   kept as it is.
//!
//! A quoted value ends on its own line (no multi-line values: Elastic Beanstalk's Amazon Linux 2
//! platforms refuse them anyway) and only white space or a comment may follow it. A key is set once.
//! A bad line is reported by its number with the reason, and then nothing is returned.

use super::Property;

/// Why a line was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    NotUtf8,
    NoEquals,
    EmptyKey,
    KeySpaces,
    KeyQuote,
    Unterminated(char),
    AfterQuote,
    /// Set again; the line where it was first set.
    Duplicate(usize),
}

/// A line that was not read. Never holds the line's text (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// From 1.
    pub line: usize,
    pub reason: Reason,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.reason {
            Reason::NotUtf8 => f.write_str("not UTF-8 text: save the file as UTF-8"),
            Reason::NoEquals => f.write_str("no `=`: write KEY=value (or # before a comment)"),
            Reason::EmptyKey => f.write_str("no name before `=`: write KEY=value"),
            Reason::KeySpaces => f.write_str("a name cannot contain spaces: use _ instead"),
            Reason::KeyQuote => f.write_str("a name cannot contain quotes: remove them"),
            Reason::Unterminated(q) => {
                write!(
                    f,
                    "the value opens {q} but does not close it on this line: add the closing {q}"
                )
            }
            Reason::AfterQuote => f.write_str(
                "text after the closing quote: put it inside the quotes, or # before a comment",
            ),
            Reason::Duplicate(first) => {
                write!(f, "the name is set again (first on line {first}): keep one")
            }
        }
    }
}

/// The properties of a `.env` text, or every bad line.
pub fn parse(text: &str) -> Result<Vec<Property>, Vec<LineError>> {
    let lines: Vec<Option<&str>> = text.split('\n').map(Some).collect();
    read(&lines)
}

/// As [`parse`], for a file's bytes: a line that is not UTF-8 is a bad line.
pub fn parse_bytes(bytes: &[u8]) -> Result<Vec<Property>, Vec<LineError>> {
    let lines: Vec<Option<&str>> = bytes
        .split(|&b| b == b'\n')
        .map(|l| std::str::from_utf8(l).ok())
        .collect();
    read(&lines)
}

fn read(lines: &[Option<&str>]) -> Result<Vec<Property>, Vec<LineError>> {
    let mut props: Vec<Property> = Vec::new();
    let mut first_line: std::collections::HashMap<String, usize> = Default::default();
    let mut errors = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        let parsed = match line {
            None => Err(Reason::NotUtf8),
            Some(l) => line_of(l.strip_suffix('\r').unwrap_or(l)),
        };
        match parsed {
            Ok(None) => {}
            Ok(Some(p)) => match first_line.get(&p.key) {
                Some(&first) => errors.push(LineError {
                    line: n,
                    reason: Reason::Duplicate(first),
                }),
                None => {
                    first_line.insert(p.key.clone(), n);
                    props.push(p);
                }
            },
            Err(reason) => errors.push(LineError { line: n, reason }),
        }
    }
    if errors.is_empty() {
        Ok(props)
    } else {
        Err(errors)
    }
}

/// One line: `None` for a blank line or a comment.
fn line_of(line: &str) -> Result<Option<Property>, Reason> {
    let t = line.trim_start();
    if t.is_empty() || t.starts_with('#') {
        return Ok(None);
    }
    let t = t
        .strip_prefix("export")
        .filter(|r| r.starts_with([' ', '\t']))
        .map_or(t, str::trim_start);
    let Some((key, rest)) = t.split_once('=') else {
        return Err(Reason::NoEquals);
    };
    let key = key.trim_end();
    if key.is_empty() {
        return Err(Reason::EmptyKey);
    }
    if key.chars().any(char::is_whitespace) {
        return Err(Reason::KeySpaces);
    }
    if key.contains(['"', '\'']) {
        return Err(Reason::KeyQuote);
    }
    Ok(Some(Property::new(key, value_of(rest)?)))
}

/// What follows `=`.
fn value_of(rest: &str) -> Result<String, Reason> {
    let lead = rest.len() - rest.trim_start().len();
    let v = &rest[lead..];
    let (value, tail) = match v.chars().next() {
        Some('\'') => {
            let body = &v[1..];
            let end = body.find('\'').ok_or(Reason::Unterminated('\''))?;
            (body[..end].to_string(), &body[end + 1..])
        }
        Some('"') => double_quoted(&v[1..])?,
        _ => return Ok(unquoted(rest)),
    };
    let tail = tail.trim_start();
    if tail.is_empty() || tail.starts_with('#') {
        Ok(value)
    } else {
        Err(Reason::AfterQuote)
    }
}

/// An unquoted value: up to a `#` that follows white space, trimmed.
fn unquoted(rest: &str) -> String {
    let mut prev_space = rest.is_empty();
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        if c == '#' && prev_space {
            end = i;
            break;
        }
        prev_space = c.is_whitespace();
    }
    rest[..end].trim().to_string()
}

/// The value after an opening `"`, and what follows the closing one.
fn double_quoted(body: &str) -> Result<(String, &str), Reason> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => match chars.clone().next() {
                Some((_, e @ ('\\' | '"' | 'n' | 'r' | 't'))) => {
                    chars.next();
                    out.push(match e {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        other => other,
                    });
                }
                _ => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    Err(Reason::Unterminated('"'))
}

/// A `.env` text: one `KEY=value` line per property, the value in double quotes when it needs them
/// (so that [`parse`] reads back the same properties); with `with_values` false, `KEY=` lines.
/// Keys are written as they are: a key [`super::validate()`] refuses may not read back.
pub fn render(props: &[Property], with_values: bool) -> String {
    let mut out = String::new();
    for p in props {
        out.push_str(&p.key);
        out.push('=');
        if with_values {
            out.push_str(&quoted(&p.value));
        }
        out.push('\n');
    }
    out
}

fn needs_quotes(v: &str) -> bool {
    v.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '#' | '"' | '\'' | '\\'))
}

fn quoted(v: &str) -> String {
    if !needs_quotes(v) {
        return v.to_string();
    }
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
#[path = "dotenv_tests.rs"]
mod tests;
