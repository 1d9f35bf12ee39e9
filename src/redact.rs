//! Redaction of Elastic Beanstalk environment properties in log text.
//!
//! The option settings of the namespaces `aws:elasticbeanstalk:application:environment` and
//! `aws:elasticbeanstalk:application:environmentsecrets` hold an application's environment
//! properties: database passwords, API keys. A DescribeConfigurationSettings answer or an
//! UpdateEnvironment request carries all of them, and a log line may show one in any of three
//! forms:
//!
//! - Rust `Debug` of the SDK's `ConfigurationOptionSetting` (compact or pretty):
//!   `ConfigurationOptionSetting { resource_name: None, namespace: Some("aws:..."),
//!   option_name: Some("DB_PASSWORD"), value: Some("hunter2") }`;
//! - the XML of a response body: `<member><OptionName>DB_PASSWORD</OptionName>
//!   <Value>hunter2</Value><Namespace>aws:...</Namespace></member>` (the namespace may come last);
//! - the query string of a request body: `OptionSettings.member.1.Namespace=aws%3A...&
//!   OptionSettings.member.1.OptionName=DB_PASSWORD&OptionSettings.member.1.Value=hunter2`.
//!
//! [`redact`] finds each option setting (a record with an option name) in all three forms and
//! replaces its value when its namespace is one of those, or is not known (fail closed). Other
//! namespaces (a deployment policy, an instance type) keep their values: they help diagnose.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

/// What a redacted value becomes.
pub const REDACTED: &str = "***redacted***";

/// The namespaces whose values are secrets (`environmentsecrets` shares the prefix).
const SECRET_NAMESPACE: &str = "aws:elasticbeanstalk:application:environment";

/// Whether values of this namespace must not be written down. No namespace: yes.
fn secret_namespace(ns: Option<&str>) -> bool {
    match ns {
        None => true,
        Some(ns) => {
            let ns = ns.trim().to_ascii_lowercase();
            ns.is_empty() || ns.starts_with(SECRET_NAMESPACE)
        }
    }
}

/// `text` with the value of every option setting of an environment-property namespace (or of
/// no known namespace) replaced by [`REDACTED`]. Borrowed when nothing changed.
pub fn redact(text: &str) -> Cow<'_, str> {
    // Every form names the field "value"/"Value".
    if !text.contains("alue") {
        return Cow::Borrowed(text);
    }
    let mut edits: Vec<(Range<usize>, String)> = debug_edits(text);
    edits.extend(
        xml_values(text)
            .into_iter()
            .map(|r| (r, REDACTED.to_string())),
    );
    edits.extend(
        query_values(text)
            .into_iter()
            .map(|r| (r, REDACTED.to_string())),
    );
    if edits.is_empty() {
        return Cow::Borrowed(text);
    }
    // Outer first at one start: a whole string literal replaced wins over spans inside it.
    edits.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, with) in edits {
        if r.start < at {
            continue; // inside an edit already made
        }
        out.push_str(&text[at..r.start]);
        out.push_str(&with);
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// One option setting being read: what decides whether its values go.
#[derive(Default)]
struct Record {
    namespace: Option<String>,
    has_option_name: bool,
    values: Vec<Range<usize>>,
}

impl Record {
    fn secret_values(self) -> Vec<Range<usize>> {
        if self.has_option_name
            && !self.values.is_empty()
            && secret_namespace(self.namespace.as_deref())
        {
            self.values
        } else {
            Vec::new()
        }
    }
}

fn field_before_string() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)\b(namespace|option_?name|value)"?\s*:\s*(?:Some\(\s*)?$"#)
            .expect("valid")
    })
}

/// Rust `Debug` output: records are `{ ... }`, string fields `name: Some("...")` (or without
/// `Some`). Strings are skipped whole, so braces inside them do not count; a string that itself
/// holds Debug output (a field logged as a string, its quotes escaped) is redacted within.
fn debug_edits(text: &str) -> Vec<(Range<usize>, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Record> = vec![Record::default()];
    let done = |r: Record, out: &mut Vec<(Range<usize>, String)>| {
        out.extend(
            r.secret_values()
                .into_iter()
                .map(|v| (v, REDACTED.to_string())),
        );
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Record::default()),
            b'}' if stack.len() > 1 => {
                let r = stack.pop().expect("more than one");
                done(r, &mut out);
            }
            b'"' => {
                let start = i + 1;
                let end = string_end(bytes, start);
                let from = text[..i].char_indices().rev().nth(48).map_or(0, |(k, _)| k);
                let field = field_before_string()
                    .captures(&text[from..i])
                    .map(|c| c[1].to_ascii_lowercase().replace('_', ""));
                let top = stack.last_mut().expect("never empty");
                match field.as_deref() {
                    Some("namespace") => top.namespace = Some(text[start..end].to_string()),
                    Some("optionname") => top.has_option_name = true,
                    Some("value") => top.values.push(start..end),
                    _ => {
                        if let Some(inner) = nested(&text[start..end]) {
                            out.push((start..end, inner));
                        }
                    }
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    // A line cut short: what is still open is decided as it stands.
    for r in stack {
        done(r, &mut out);
    }
    out
}

/// A string literal's content that holds escaped quotes, redacted as text of its own and
/// escaped again; `None` when nothing in it changes.
fn nested(content: &str) -> Option<String> {
    if !content.contains("\\\"") {
        return None;
    }
    let plain = unescape(content);
    match redact(&plain) {
        Cow::Borrowed(_) => None,
        Cow::Owned(r) => {
            let quoted = format!("{r:?}");
            Some(quoted[1..quoted.len() - 1].to_string())
        }
    }
}

/// Undo Debug's string escapes (`\"`, `\\`, `\n`, `\t`, `\r`, `\0`, `\'`, `\xNN`, `\u{...}`).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) => out.push(char::from(b)),
                    Err(_) => out.push_str(&hex),
                }
            }
            Some('u') if chars.peek() == Some(&'{') => {
                let code: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                match u32::from_str_radix(&code, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&code),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The index of the closing quote of a string starting at `start` (or the end of the text).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j,
            _ => j += 1,
        }
    }
    bytes.len()
}

fn xml_member() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"</?member>").expect("valid"))
}

fn xml_element(name: &str) -> Regex {
    Regex::new(&format!(r"<{name}>([^<]*)</{name}>")).expect("valid")
}

/// XML bodies: a record is a `<member>` holding no other member.
fn xml_values(text: &str) -> Vec<Range<usize>> {
    static ELEMENTS: OnceLock<[Regex; 3]> = OnceLock::new();
    let [ns_re, name_re, value_re] = ELEMENTS.get_or_init(|| {
        [
            xml_element("Namespace"),
            xml_element("OptionName"),
            xml_element("Value"),
        ]
    });
    if !text.contains("<Value>") {
        return Vec::new();
    }
    let mut out = Vec::new();
    // (start of the member's content, whether it holds another member)
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut leaves = Vec::new();
    for m in xml_member().find_iter(text) {
        if m.as_str() == "<member>" {
            if let Some(parent) = open.last_mut() {
                parent.1 = true;
            }
            open.push((m.end(), false));
        } else if let Some((start, nested)) = open.pop()
            && !nested
        {
            leaves.push(start..m.start());
        }
    }
    // A member cut short by the end of the line: read to the end.
    leaves.extend(
        open.into_iter()
            .filter(|(_, n)| !n)
            .map(|(s, _)| s..text.len()),
    );
    for span in leaves {
        let body = &text[span.clone()];
        let record = Record {
            namespace: ns_re.captures(body).map(|c| c[1].to_string()),
            has_option_name: name_re.is_match(body),
            values: value_re
                .captures_iter(body)
                .filter_map(|c| c.get(1))
                .map(|g| span.start + g.start()..span.start + g.end())
                .collect(),
        };
        out.extend(record.secret_values());
    }
    out
}

fn query_field() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"([A-Za-z]+\.member\.\d+\.)(Namespace|OptionName|Value)=([^&\s\x22\\]*)")
            .expect("valid")
    })
}

/// Query-string bodies: a record is the fields sharing a `List.member.N.` prefix.
fn query_values(text: &str) -> Vec<Range<usize>> {
    if !text.contains(".member.") {
        return Vec::new();
    }
    let mut records: Vec<(&str, Record)> = Vec::new();
    for c in query_field().captures_iter(text) {
        let prefix = c.get(1).map_or("", |m| m.as_str());
        let value = c.get(3).expect("group 3 always takes part");
        let idx = match records.iter().position(|(p, _)| *p == prefix) {
            Some(i) => i,
            None => {
                records.push((prefix, Record::default()));
                records.len() - 1
            }
        };
        let r = &mut records[idx].1;
        match &c[2] {
            "Namespace" => r.namespace = Some(percent_decode(value.as_str())),
            "OptionName" => r.has_option_name = true,
            _ => r.values.push(value.range()),
        }
    }
    records
        .into_iter()
        .flat_map(|(_, r)| r.secret_values())
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = "aws:elasticbeanstalk:application:environment";

    #[test]
    fn debug_of_the_sdk_type_compact_and_pretty() {
        let line = format!(
            r#"output=Ok(DescribeConfigurationSettingsOutput {{ configuration_settings: Some([ConfigurationSettingsDescription {{ option_settings: Some([ConfigurationOptionSetting {{ resource_name: None, namespace: Some("{ENV}"), option_name: Some("DB_PASSWORD"), value: Some("hun\"ter}}2") }}, ConfigurationOptionSetting {{ resource_name: None, namespace: Some("aws:elasticbeanstalk:command"), option_name: Some("DeploymentPolicy"), value: Some("Rolling") }}, ConfigurationOptionSetting {{ resource_name: None, namespace: Some("aws:elasticbeanstalk:application:environmentsecrets"), option_name: Some("API_KEY"), value: Some("arn:secret") }}]) }}]) }})"#
        );
        let out = redact(&line);
        assert!(!out.contains("hun"), "{out}");
        assert!(!out.contains("arn:secret"), "{out}");
        assert!(
            out.contains(r#"option_name: Some("DB_PASSWORD"), value: Some("***redacted***")"#),
            "{out}"
        );
        assert!(
            out.contains(r#"value: Some("Rolling")"#),
            "other namespaces stay: {out}"
        );

        let pretty = format!(
            "ConfigurationOptionSetting {{\n    resource_name: None,\n    namespace: Some(\n        \"{ENV}\",\n    ),\n    option_name: Some(\n        \"DB_PASSWORD\",\n    ),\n    value: Some(\n        \"hunter2\",\n    ),\n}}"
        );
        let out = redact(&pretty);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("\"***redacted***\""), "{out}");
    }

    #[test]
    fn pascal_case_fields_and_a_missing_namespace_are_redacted() {
        let out = redact(r#"Setting { OptionName: Some("DB_PASSWORD"), Value: Some("hunter2") }"#);
        assert!(!out.contains("hunter2"), "no namespace: fail closed: {out}");
        let out = redact(
            r#"Setting { namespace: None, option_name: Some("X"), value: Some("hunter2") }"#,
        );
        assert!(!out.contains("hunter2"), "{out}");
        // Not an option setting (no option name): left alone.
        let t = r#"Tag { key: Some("team"), value: Some("payments") }"#;
        assert_eq!(redact(t), t);
    }

    #[test]
    fn xml_bodies_with_the_namespace_last() {
        let body = format!(
            "<DescribeConfigurationSettingsResult><ConfigurationSettings><member><OptionSettings><member><OptionName>DB_PASSWORD</OptionName><Value>hunter2</Value><Namespace>{ENV}</Namespace></member><member><OptionName>InstanceType</OptionName><Value>t3.micro</Value><Namespace>aws:autoscaling:launchconfiguration</Namespace></member></OptionSettings><ApplicationName>app</ApplicationName></member></ConfigurationSettings></DescribeConfigurationSettingsResult>"
        );
        let out = redact(&body);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("<Value>***redacted***</Value>"), "{out}");
        assert!(out.contains("<Value>t3.micro</Value>"), "{out}");
        // Inside the Debug of a raw body (a byte string), and cut short.
        let raw = format!(
            "response=Response {{ body: SdkBody {{ inner: Once(Some(b\"<member><Namespace>{ENV}</Namespace><OptionName>K</OptionName><Value>s3cr\\\"et</Value>"
        );
        let out = redact(&raw);
        assert!(!out.contains("s3cr"), "{out}");
    }

    #[test]
    fn query_string_requests() {
        let q = "Action=UpdateEnvironment&OptionSettings.member.1.Namespace=aws%3Aelasticbeanstalk%3Aapplication%3Aenvironment&OptionSettings.member.1.OptionName=DB_PASSWORD&OptionSettings.member.1.Value=hunter2&OptionSettings.member.2.Namespace=aws%3Aelasticbeanstalk%3Acommand&OptionSettings.member.2.OptionName=BatchSize&OptionSettings.member.2.Value=30&Version=2010-12-01";
        let out = redact(q);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("member.1.Value=***redacted***&"), "{out}");
        assert!(out.contains("member.2.Value=30&"), "{out}");
        // The value before the namespace, in a Debug byte string.
        let q = "b\"OptionSettings.member.1.Value=p%40ss&OptionSettings.member.1.OptionName=K&OptionSettings.member.1.Namespace=aws%3Aelasticbeanstalk%3Aapplication%3Aenvironmentsecrets\"";
        assert!(!redact(q).contains("p%40ss"));
    }

    #[test]
    fn debug_logged_as_a_string_field_and_json() {
        // `field = some_string` is written as a quoted, escaped Debug string.
        let line = format!(
            r#"DEBUG x: deserialized output="ConfigurationOptionSetting {{ namespace: Some(\"{ENV}\"), option_name: Some(\"K\"), value: Some(\"hunter2\") }}""#
        );
        let out = redact(&line);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains(r#"value: Some(\"***redacted***\")"#), "{out}");
        let json = format!(r#"{{"Namespace": "{ENV}", "OptionName": "K", "Value": "hunter2"}}"#);
        assert!(!redact(&json).contains("hunter2"));
    }

    #[test]
    fn ordinary_lines_are_not_copied() {
        assert!(matches!(
            redact("starting log=Some(\"x\")"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            redact("value: Some(\"x\") without a record"),
            Cow::Borrowed(_)
        ));
    }
}
