use super::*;

fn p(k: &str, v: &str) -> Property {
    Property::new(k, v)
}

fn kinds(props: &[Property]) -> Vec<(Option<String>, Kind)> {
    validate(props, &[])
        .into_iter()
        .map(|x| (x.key, x.kind))
        .collect()
}

fn one(k: &str, kind: Kind) -> Vec<(Option<String>, Kind)> {
    vec![(Some(k.to_string()), kind)]
}

#[test]
fn good_properties_have_no_problem() {
    let props = [
        p("API_ENDPOINT", "www.example.com/api"),
        p(
            "GREETING",
            r#"it\'s a \"test\" with = + @ : / - _ . and \\"#,
        ),
        p("EMPTY", ""),
        p("UNICODE", "naïve café 東京"),
    ];
    assert_eq!(validate(&props, &[]), vec![]);
}

#[test]
fn a_key_with_spaces() {
    assert_eq!(kinds(&[p("MY KEY", "v")]), one("MY KEY", Kind::KeySpaces));
}

#[test]
fn an_empty_key() {
    assert_eq!(kinds(&[p("", "v")]), one("", Kind::EmptyKey));
    let shown = validate(&[p("", "v")], &[])[0].to_string();
    assert_eq!(shown, "a property has no name: name it or delete it");
}

#[test]
fn key_characters() {
    assert_eq!(
        kinds(&[p("A$B#", "v")]),
        one("A$B#", Kind::KeyChars(vec!['$', '#']))
    );
    let w = validate(&[p("app.name", "v")], &[]);
    assert_eq!(w[0].kind, Kind::KeyNotPortable);
    assert_eq!(w[0].severity, Severity::Warning);
    assert!(validate(&[p("lower_ok", "v")], &[]).is_empty());
}

#[test]
fn a_value_with_a_newline() {
    let found = kinds(&[p("PEM", "-----BEGIN-----\nabc")]);
    assert_eq!(found, one("PEM", Kind::ValueLineBreak));
}

#[test]
fn value_characters_are_named_but_the_value_is_not_shown() {
    let v = validate(&[p("LIST", "secretpart,b;c,d")], &[]);
    assert_eq!(v[0].kind, Kind::ValueChars(vec![',', ';']));
    let shown = v[0].to_string();
    assert!(
        shown.starts_with("LIST: the value contains `,` and `;`"),
        "{shown}"
    );
    assert!(shown.contains("move it to a secret"), "{shown}");
    assert!(!shown.contains("secretpart"), "{shown}");
}

#[test]
fn escapes_are_warnings() {
    let v = validate(&[p("Q", r#"say "hi" C:\dir"#)], &[]);
    let k: Vec<&Kind> = v.iter().map(|x| &x.kind).collect();
    assert_eq!(
        k,
        [
            &Kind::Escape(Issue::BareQuote('"')),
            &Kind::Escape(Issue::LoneBackslash)
        ]
    );
    assert!(v.iter().all(|x| !x.is_error()));
}

#[test]
fn duplicates_and_clashes() {
    let props = [p("A", "1"), p("B", "2"), p("A", "3")];
    assert_eq!(kinds(&props), one("A", Kind::Duplicate));
    let sm = "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCd12";
    let secrets = [
        Secret::from_value("B", sm),
        Secret::from_value("C", sm),
        Secret::from_value("C", sm),
    ];
    let found: Vec<(Option<String>, Kind)> = validate(&props[..2], &secrets)
        .into_iter()
        .map(|x| (x.key, x.kind))
        .collect();
    assert_eq!(
        found,
        vec![
            (Some("B".into()), Kind::SecretClash),
            (Some("C".into()), Kind::Duplicate)
        ]
    );
}

#[test]
fn an_arn_of_the_wrong_shape() {
    let s = [Secret::from_value(
        "DB",
        "arn:aws:ssm:us-east-1:111122223333:parameter/db:key",
    )];
    let v = validate(&[], &s);
    assert_eq!(v[0].kind, Kind::Arn(ArnError::JsonKeyOnParameter));
    assert!(
        v[0].to_string()
            .starts_with("DB: the secret's ARN adds a JSON key")
    );
}

#[test]
fn three_hundred_properties_over_the_limit_are_refused_with_proposals() {
    // 300 × "KEY_nnn=vvvv" (12 bytes) and one 209-byte property: 3,809 bytes, 4,109 counted.
    let mut props: Vec<Property> = (0..300)
        .map(|i| p(&format!("KEY_{i:03}"), "vvvv"))
        .collect();
    props.push(p("BIG_CERT", &"x".repeat(200)));
    let v = validate(&props, &[]);
    let counted = meter::counted(&props);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].key, None);
    assert_eq!(v[0].kind, Kind::TooLarge { counted });
    assert!(v[0].is_error());
    assert_eq!(
        v[0].to_string(),
        "the properties take 4,109 of 4,096 bytes: move the largest to secrets"
    );
    let over = meter::over_by(&props);
    assert_eq!(over, 13);
    let moves = proposals(&props, over);
    assert_eq!(moves, vec![("BIG_CERT".to_string(), 210)]);
    let rest: Vec<Property> = props
        .iter()
        .filter(|x| x.key != "BIG_CERT")
        .cloned()
        .collect();
    assert_eq!(meter::over_by(&rest), 0);
}

#[test]
fn proposals_go_largest_first_then_by_name_until_enough_is_freed() {
    let props = [p("B", "1"), p("A", "1"), p("C", "22"), p("D", "1")];
    assert_eq!(
        proposals(&props, 8),
        vec![("C".to_string(), 5), ("A".to_string(), 4)]
    );
}

#[test]
fn nothing_to_propose_under_the_limit() {
    assert!(proposals(&[p("A", "1")], 0).is_empty());
}
