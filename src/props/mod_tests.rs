use super::*;

fn setting(ns: &str, name: &str, value: Option<&str>) -> OptionSetting {
    OptionSetting {
        namespace: ns.into(),
        name: name.into(),
        value: value.map(str::to_string),
    }
}

#[test]
fn debug_never_shows_a_value() {
    let p = Property::new("DB_PASSWORD", "hunter2");
    let shown = format!("{p:?} {:?}", vec![p.clone()]);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("DB_PASSWORD=<7 bytes>"), "{shown}");
}

#[test]
fn settings_split_into_properties_and_secrets() {
    let sm = "arn:aws:secretsmanager:us-east-1:111122223333:secret:mysecret-AbCd12:user";
    let settings = vec![
        setting(COMMAND_NS, "Timeout", Some("600")),
        setting(ENVIRONMENT, "API", Some("www.example.com/api")),
        setting(ENVIRONMENT, "JDBC_CONNECTION_STRING", None),
        setting(ENVIRONMENT_SECRETS, "DB_USER", Some(sm)),
        setting(ENVIRONMENT_SECRETS, "ODD", Some("not-an-arn")),
    ];
    let (props, secrets) = from_settings(&settings);
    assert_eq!(
        props,
        vec![
            Property::new("API", "www.example.com/api"),
            Property::new("JDBC_CONNECTION_STRING", ""),
        ]
    );
    assert_eq!(secrets.len(), 2);
    assert_eq!(secrets[0].json_key.as_deref(), Some("user"));
    assert_eq!(secrets[0].source(), Some(Source::SecretsManager));
    assert_eq!(secrets[0].value(), sm);
    assert_eq!(secrets[1].arn, "not-an-arn");
    assert_eq!(secrets[1].source(), None);
}

const COMMAND_NS: &str = "aws:elasticbeanstalk:command";
