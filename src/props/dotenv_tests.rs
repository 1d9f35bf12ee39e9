use super::*;
use proptest::prelude::*;

fn p(k: &str, v: &str) -> Property {
    Property::new(k, v)
}

fn lines(errs: Vec<LineError>) -> Vec<(usize, Reason)> {
    errs.into_iter().map(|e| (e.line, e.reason)).collect()
}

#[test]
fn the_syntax() {
    let text = "# a comment\n\
                \n\
                export API=www.example.com/api\n\
                PLAIN = value with spaces   # inline comment\n\
                HASH=a#b\n\
                EMPTY=\n\
                SINGLE='no \\escapes \"here\"' # c\n\
                DOUBLE=\"tab\\there \\\"q\\\" back\\\\slash C:\\dir\"\r\n\
                \texport   INDENTED=1\n";
    let props = parse(text).unwrap();
    assert_eq!(
        props,
        vec![
            p("API", "www.example.com/api"),
            p("PLAIN", "value with spaces"),
            p("HASH", "a#b"),
            p("EMPTY", ""),
            p("SINGLE", "no \\escapes \"here\""),
            p("DOUBLE", "tab\there \"q\" back\\slash C:\\dir"),
            p("INDENTED", "1"),
        ]
    );
}

#[test]
fn a_key_named_export_is_a_key() {
    assert_eq!(parse("export=1").unwrap(), vec![p("export", "1")]);
}

#[test]
fn malformed_lines_are_reported_by_number_and_nothing_is_returned() {
    let text = "GOOD=1\n\
                no equals here\n\
                =value\n\
                MY KEY=v\n\
                Q='open\n\
                D=\"open\n\
                T=\"closed\" trailing\n\
                GOOD=2\n\
                \"QK\"=1\n";
    let errs = parse(text).unwrap_err();
    assert_eq!(
        lines(errs.clone()),
        vec![
            (2, Reason::NoEquals),
            (3, Reason::EmptyKey),
            (4, Reason::KeySpaces),
            (5, Reason::Unterminated('\'')),
            (6, Reason::Unterminated('"')),
            (7, Reason::AfterQuote),
            (8, Reason::Duplicate(1)),
            (9, Reason::KeyQuote),
        ]
    );
    assert_eq!(
        errs[6].to_string(),
        "line 8: the name is set again (first on line 1): keep one"
    );
}

#[test]
fn an_error_never_shows_the_line() {
    let errs = parse("SECRET='hunter2").unwrap_err();
    assert!(!errs[0].to_string().contains("hunter2"));
}

#[test]
fn a_file_that_is_not_utf8() {
    let errs = parse_bytes(b"A=1\nB=caf\xe9\nC=3\n").unwrap_err();
    assert_eq!(lines(errs), vec![(2, Reason::NotUtf8)]);
    assert_eq!(parse_bytes(b"A=1\n").unwrap(), vec![p("A", "1")]);
}

#[test]
fn a_value_with_a_newline_is_written_on_one_line() {
    let props = vec![p("PEM", "line one\nline two")];
    let text = render(&props, true);
    assert_eq!(text, "PEM=\"line one\\nline two\"\n");
    assert_eq!(parse(&text).unwrap(), props);
}

#[test]
fn render_quotes_only_what_needs_it() {
    let props = [
        p("A", "plain/value=1"),
        p("B", ""),
        p("C", "has space"),
        p("D", "it's"),
    ];
    assert_eq!(
        render(&props, true),
        "A=plain/value=1\nB=\nC=\"has space\"\nD=\"it's\"\n"
    );
    assert_eq!(render(&props, false), "A=\nB=\nC=\nD=\n");
}

/// Keys from Elastic Beanstalk's allowed characters; values anything but nothing (any char).
fn props() -> impl Strategy<Value = Vec<Property>> {
    let key = "[A-Za-z0-9_.:/+\\\\@-]{1,12}";
    proptest::collection::vec((key, "\\PC{0,20}|[ \t\n\r\"'\\\\#=a]{0,12}"), 0..8).prop_map(|kv| {
        let mut seen = std::collections::HashSet::new();
        kv.into_iter()
            .filter(|(k, _)| seen.insert(k.clone()))
            .map(|(k, v)| Property::new(k, v))
            .collect()
    })
}

proptest! {
    #[test]
    fn parse_reads_back_what_render_writes(props in props()) {
        prop_assert_eq!(parse(&render(&props, true)).unwrap(), props);
    }

    #[test]
    fn render_without_values_reads_back_empty(props in props()) {
        let back = parse(&render(&props, false)).unwrap();
        prop_assert!(back.iter().all(|p| p.value.is_empty()));
        prop_assert_eq!(back.len(), props.len());
    }
}
