use super::*;

fn p(k: &str, v: &str) -> Property {
    Property::new(k, v)
}

#[test]
fn added_changed_removed_and_a_rename() {
    let old = [p("A", "1"), p("B", "2"), p("OLD_NAME", "x")];
    let new = [p("A", "1"), p("B", "3"), p("NEW_NAME", "x"), p("C", "")];
    let d = diff(&old, &new);
    assert_eq!(d.added, vec![p("NEW_NAME", "x"), p("C", "")]);
    assert_eq!(
        d.changed,
        vec![Changed {
            old: p("B", "2"),
            new: p("B", "3")
        }]
    );
    assert_eq!(d.removed, vec![p("OLD_NAME", "x")]);
    let (set, remove) = to_update(&d);
    let names: Vec<(&str, Option<&str>)> = set
        .iter()
        .map(|s| (s.name.as_str(), s.value.as_deref()))
        .collect();
    assert_eq!(
        names,
        [("NEW_NAME", Some("x")), ("C", Some("")), ("B", Some("3"))]
    );
    assert!(set.iter().all(|s| s.namespace == ENVIRONMENT));
    assert_eq!(
        remove,
        vec![(ENVIRONMENT.to_string(), "OLD_NAME".to_string())]
    );
}

#[test]
fn nothing_changed_is_empty() {
    let old = [p("A", "1")];
    assert!(diff(&old, &old).is_empty());
    let (set, remove) = to_update(&diff(&old, &old));
    assert!(set.is_empty() && remove.is_empty());
}

#[test]
fn debug_of_a_diff_shows_no_value() {
    let d = diff(&[p("A", "oldsecret")], &[p("A", "newsecret")]);
    let shown = format!("{d:?}");
    assert!(!shown.contains("secret"), "{shown}");
}

#[test]
fn secrets_go_to_their_own_namespace_with_the_json_key() {
    let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCd12";
    let old = [Secret::from_value("DB", arn)];
    let new = [Secret::from_value("DB", &format!("{arn}:password"))];
    let (set, remove) = to_update(&diff(&old, &new));
    assert_eq!(set.len(), 1);
    assert_eq!(set[0].namespace, ENVIRONMENT_SECRETS);
    assert_eq!(
        set[0].value.as_deref(),
        Some(format!("{arn}:password").as_str())
    );
    assert!(remove.is_empty());
    let (_, remove) = to_update(&diff(&new, &[]));
    assert_eq!(
        remove,
        vec![(ENVIRONMENT_SECRETS.to_string(), "DB".to_string())]
    );
}

#[test]
fn moving_a_property_to_a_secret_is_one_update() {
    let arn = "arn:aws:ssm:us-east-1:111122223333:parameter/cert";
    let (mut set, mut remove) = to_update(&diff(&[p("CERT", "x")], &[]));
    let (s2, r2) = to_update(&diff(&[], &[Secret::from_value("CERT", arn)]));
    set.extend(s2);
    remove.extend(r2);
    assert_eq!(set[0].namespace, ENVIRONMENT_SECRETS);
    assert_eq!(remove, vec![(ENVIRONMENT.to_string(), "CERT".to_string())]);
}
