use super::*;

const SM: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:mysecret-AbCd12";
const SSM: &str = "arn:aws:ssm:us-east-1:111122223333:parameter/myparam";

fn err(v: &str) -> ArnError {
    Secret::parse("X", v).unwrap_err()
}

#[test]
fn the_documented_shapes() {
    let s = Secret::parse("MY_SECRET", SM).unwrap();
    assert_eq!((s.arn.as_str(), s.json_key.as_deref()), (SM, None));
    assert_eq!(s.source(), Some(Source::SecretsManager));
    let p = Secret::parse("MY_PARAMETER", SSM).unwrap();
    assert_eq!(p.source(), Some(Source::ParameterStore));
    let nested = "arn:aws:ssm:ap-northeast-1:359429618625:parameter/app/prd/DB_URL";
    assert_eq!(
        Secret::parse("DB_URL", nested).unwrap().source(),
        Some(Source::ParameterStore)
    );
    let gov = "arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:a/b_c-Zz9Zz9";
    assert_eq!(
        Secret::parse("G", gov).unwrap().source(),
        Some(Source::SecretsManager)
    );
}

#[test]
fn a_json_key_is_split_off_and_written_back() {
    let v = format!("{SM}:stringKey");
    let s = Secret::parse("STRING_VAR", &v).unwrap();
    assert_eq!(s.arn, SM);
    assert_eq!(s.json_key.as_deref(), Some("stringKey"));
    assert_eq!(s.value(), v);
}

#[test]
fn arns_of_the_wrong_shape_say_why() {
    assert_eq!(err("mysecret"), ArnError::NotAnArn);
    assert_eq!(err(&format!(" {SM}")), ArnError::Whitespace);
    assert_eq!(
        err("arn:gcp:ssm:us-east-1:111122223333:parameter/p"),
        ArnError::Partition
    );
    assert_eq!(
        err("arn:aws:s3:us-east-1:111122223333:bucket"),
        ArnError::Service
    );
    assert_eq!(
        err("arn:aws:ssm::111122223333:parameter/p"),
        ArnError::Region
    );
    assert_eq!(
        err("arn:aws:ssm:us-east-1:1234:parameter/p"),
        ArnError::Account
    );
    assert_eq!(
        err("arn:aws:secretsmanager:us-east-1:111122223333:key:mysecret-AbCd12"),
        ArnError::SecretResource
    );
    assert_eq!(
        err("arn:aws:secretsmanager:us-east-1:111122223333:secret:mysecret"),
        ArnError::NoSuffix
    );
    assert_eq!(
        err("arn:aws:secretsmanager:us-east-1:111122223333:secret:my*secret-AbCd12"),
        ArnError::SecretName
    );
    assert_eq!(err(&format!("{SM}:")), ArnError::EmptyJsonKey);
    assert_eq!(err(&format!("{SM}:a:b")), ArnError::ColonInJsonKey);
    assert_eq!(err(&format!("{SM}:user::")), ArnError::EcsStyleJsonKey);
    assert_eq!(err(&format!("{SSM}:key")), ArnError::JsonKeyOnParameter);
    assert_eq!(
        err("arn:aws:ssm:us-east-1:111122223333:document/d"),
        ArnError::ParameterResource
    );
    assert_eq!(
        err("arn:aws:ssm:us-east-1:111122223333:parameter/"),
        ArnError::ParameterName
    );
}

#[test]
fn every_error_says_a_fix() {
    let all = [
        ArnError::NotAnArn,
        ArnError::NoSuffix,
        ArnError::JsonKeyOnParameter,
        ArnError::EcsStyleJsonKey,
    ];
    for e in all {
        let s = e.to_string();
        assert!(s.contains(':') && s.len() > 30, "{s}");
    }
}

#[test]
fn an_unreadable_value_is_kept_whole() {
    let s = Secret::from_value("X", "arn:aws:ssm:us-east-1:1:parameter/p");
    assert_eq!(s.arn, "arn:aws:ssm:us-east-1:1:parameter/p");
    assert_eq!(s.check(), Err(ArnError::Account));
    assert_eq!(s.source(), None);
}
