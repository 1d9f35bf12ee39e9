//! An environment's configuration, the AWS side, against typed SDK mocks (aws-smithy-mocks):
//! DescribeConfigurationSettings with DescribePlatformVersion for the read, one UpdateEnvironment
//! with OptionSettings and OptionsToRemove for the write. The emulator (moto) implements neither
//! DescribeConfigurationSettings nor UpdateEnvironment, so there is no emulator test of them.

use aws_sdk_elasticbeanstalk::operation::describe_configuration_settings::{
    DescribeConfigurationSettingsError, DescribeConfigurationSettingsOutput,
};
use aws_sdk_elasticbeanstalk::operation::describe_platform_version::{
    DescribePlatformVersionError, DescribePlatformVersionOutput,
};
use aws_sdk_elasticbeanstalk::types::{
    ConfigurationDeploymentStatus, ConfigurationOptionSetting, ConfigurationSettingsDescription,
    PlatformDescription,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::DateTime;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use ebtui::cloud::aws::AwsCloud;
use ebtui::cloud::{Cloud, CloudError, Op, OpAccepted};
use ebtui::domain::{CloudContext, EnvRef, OptionKey, OptionSetting, PlatformInfo};

type Eb = aws_sdk_elasticbeanstalk::Client;

const PROPS: &str = "aws:elasticbeanstalk:application:environment";
const ARN: &str = "arn:aws:elasticbeanstalk:us-east-1::platform/Node.js 18 running on 64bit Amazon Linux 2023/6.1.0";
const STACK: &str = "64bit Amazon Linux 2023 v6.1.0 running Node.js 18";
const DENIED: &str = "User: arn:aws:iam::111122223333:user/dev is not authorized to perform: elasticbeanstalk:DescribePlatformVersion on resource: arn:aws:elasticbeanstalk:us-east-1::platform/Node.js 18 running on 64bit Amazon Linux 2023/6.1.0 because no identity-based policy allows the elasticbeanstalk:DescribePlatformVersion action";

/// A cloud whose Elastic Beanstalk client answers from rules, with `attempts` SDK attempts.
fn cloud_with(attempts: u32, eb: &[&Rule]) -> AwsCloud {
    let retry = RetryConfig::standard()
        .with_max_attempts(attempts)
        .with_initial_backoff(std::time::Duration::from_millis(1));
    let eb = mock_client!(aws_sdk_elasticbeanstalk, RuleMode::MatchAny, eb, |c| c
        .retry_config(retry.clone()));
    let none: &[&Rule] = &[];
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, none);
    let logs = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, none);
    let ctx = CloudContext {
        profile: "test".into(),
        region: "us-east-1".into(),
        account: None,
        note: None,
    };
    AwsCloud::from_clients(eb, cfn, logs, ctx)
}

fn prod() -> EnvRef {
    EnvRef {
        app: "shop".into(),
        name: "shop-prod".into(),
        id: "e-1".into(),
    }
}

fn meta(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

fn setting(namespace: &str, name: &str, value: &str) -> ConfigurationOptionSetting {
    ConfigurationOptionSetting::builder()
        .namespace(namespace)
        .option_name(name)
        .value(value)
        .build()
}

/// The environment's settings as DescribeConfigurationSettings answers them.
fn settings() -> Rule {
    mock!(Eb::describe_configuration_settings)
        .match_requests(|r| {
            r.application_name() == Some("shop") && r.environment_name() == Some("shop-prod")
        })
        .then_output(|| {
            DescribeConfigurationSettingsOutput::builder()
                .configuration_settings(
                    ConfigurationSettingsDescription::builder()
                        .application_name("shop")
                        .environment_name("shop-prod")
                        .solution_stack_name(STACK)
                        .platform_arn(ARN)
                        .deployment_status(ConfigurationDeploymentStatus::Deployed)
                        .option_settings(setting(PROPS, "DATABASE_URL", "postgres://db/shop"))
                        .option_settings(setting("aws:elasticbeanstalk:command", "Timeout", "600"))
                        .build(),
                )
                .build()
        })
}

/// An XML error answer as Elastic Beanstalk gives it.
fn eb_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(
        r#"<ErrorResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>"#
    );
    HttpResponse::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(body),
    )
}

fn eb_ok(action: &str, request_id: &str) -> HttpResponse {
    let body = format!(
        r#"<{action}Response xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><{action}Result/><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"#
    );
    let mut response = HttpResponse::new(
        StatusCode::try_from(200).expect("status"),
        SdkBody::from(body),
    );
    response
        .headers_mut()
        .insert("x-amzn-requestid", request_id.to_string());
    response
}

#[tokio::test]
async fn the_read_brings_the_settings_and_a_deprecated_branch() {
    let platform = mock!(Eb::describe_platform_version)
        .match_requests(|r| r.platform_arn() == Some(ARN))
        .then_output(|| {
            DescribePlatformVersionOutput::builder()
                .platform_description(
                    PlatformDescription::builder()
                        .platform_arn(ARN)
                        .platform_branch_name("Node.js 18 running on 64bit Amazon Linux 2023")
                        .platform_branch_lifecycle_state("Deprecated")
                        .platform_version("6.1.0")
                        .date_created(DateTime::from_millis(1_700_000_000_000))
                        .build(),
                )
                .build()
        });
    let settings = settings();
    let cloud = cloud_with(1, &[&settings, &platform]);
    let config = cloud.config(&prod()).await.expect("config");
    assert_eq!(config.solution_stack.as_deref(), Some(STACK));
    assert_eq!(config.platform_arn.as_deref(), Some(ARN));
    assert_eq!(
        config.platform,
        Some(PlatformInfo {
            branch: Some("Node.js 18 running on 64bit Amazon Linux 2023".into()),
            branch_state: Some("Deprecated".into()),
            version_state: None,
            version: Some("6.1.0".into()),
            created: Some(1_700_000_000_000),
        })
    );
    assert_eq!(config.platform_error, None);
    assert_eq!(config.settings.len(), 2);
    assert_eq!(config.settings[0].name, "DATABASE_URL");
    assert_eq!(
        config.settings[0].value.as_deref(),
        Some("postgres://db/shop")
    );
    assert_eq!(ebtui::domain::command_timeout(&config.settings), Some(600));
    assert_eq!((settings.num_calls(), platform.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_denied_platform_read_keeps_the_settings_and_names_the_permission() {
    let platform = mock!(Eb::describe_platform_version).then_error(|| {
        DescribePlatformVersionError::generic(meta("AccessDeniedException", DENIED))
    });
    let settings = settings();
    let cloud = cloud_with(1, &[&settings, &platform]);
    let config = cloud.config(&prod()).await.expect("settings still read");
    assert_eq!(config.settings.len(), 2);
    assert_eq!(config.platform, None);
    let why = config.platform_error.expect("platform_error");
    assert!(
        why.contains("elasticbeanstalk:DescribePlatformVersion"),
        "{why}"
    );
}

#[tokio::test]
async fn a_denied_settings_read_is_an_auth_error_and_the_platform_is_not_asked() {
    let denied = "User: arn:aws:iam::111122223333:user/dev is not authorized to perform: elasticbeanstalk:DescribeConfigurationSettings";
    let settings = mock!(Eb::describe_configuration_settings).then_error(move || {
        DescribeConfigurationSettingsError::generic(meta("AccessDenied", denied))
    });
    let platform = mock!(Eb::describe_platform_version)
        .then_output(|| DescribePlatformVersionOutput::builder().build());
    let cloud = cloud_with(1, &[&settings, &platform]);
    assert_eq!(
        cloud.config(&prod()).await,
        Err(CloudError::Auth(denied.into()))
    );
    assert_eq!(platform.num_calls(), 0);
}

fn configure(env: EnvRef) -> Op {
    Op::Configure {
        env,
        set: vec![
            OptionSetting {
                namespace: PROPS.into(),
                name: "FEATURE_FLAGS".into(),
                value: Some(r#"{"search":true,"a,b":"q\"uote"}"#.into()),
            },
            OptionSetting {
                namespace: "aws:elasticbeanstalk:cloudwatch:logs".into(),
                name: "StreamLogs".into(),
                value: Some("true".into()),
            },
        ],
        remove: vec![OptionKey {
            namespace: PROPS.into(),
            name: "OLD_KEY".into(),
        }],
        what: "2 properties".into(),
    }
}

#[tokio::test]
async fn the_write_sends_exactly_the_settings_and_removals_once() {
    let update = mock!(Eb::update_environment)
        .match_requests(|r| {
            let set: Vec<_> = r
                .option_settings()
                .iter()
                .map(|s| (s.namespace(), s.option_name(), s.value()))
                .collect();
            let removed: Vec<_> = r
                .options_to_remove()
                .iter()
                .map(|s| (s.namespace(), s.option_name()))
                .collect();
            r.environment_id() == Some("e-1")
                && r.environment_name().is_none()
                && r.version_label().is_none()
                && set
                    == [
                        (
                            Some(PROPS),
                            Some("FEATURE_FLAGS"),
                            Some(r#"{"search":true,"a,b":"q\"uote"}"#),
                        ),
                        (
                            Some("aws:elasticbeanstalk:cloudwatch:logs"),
                            Some("StreamLogs"),
                            Some("true"),
                        ),
                    ]
                && removed == [(Some(PROPS), Some("OLD_KEY"))]
        })
        .then_http_response(|| eb_ok("UpdateEnvironment", "req-config"));
    let by_name = mock!(Eb::update_environment)
        .match_requests(|r| r.environment_name() == Some("old") && r.environment_id().is_none())
        .then_http_response(|| eb_ok("UpdateEnvironment", "req-by-name"));
    let cloud = cloud_with(3, &[&update, &by_name]);
    assert_eq!(
        cloud.execute(&configure(prod())).await,
        Ok(OpAccepted {
            request_id: Some("req-config".into()),
            uploaded: None,
        })
    );
    let old = EnvRef {
        app: "shop".into(),
        name: "old".into(),
        id: String::new(),
    };
    assert_eq!(
        cloud.execute(&configure(old)).await.map(|a| a.request_id),
        Ok(Some("req-by-name".into()))
    );
    assert_eq!((update.num_calls(), by_name.num_calls()), (1, 1));
}

#[test]
fn the_op_never_shows_a_value() {
    let shown = format!("{:?}", configure(prod()));
    assert!(
        !shown.contains("search") && !shown.contains("true"),
        "{shown}"
    );
}

/// Elastic Beanstalk's refusal when the properties pass 4,096 bytes, as reported by users
/// (the CloudFormation template's parameter carries them): kept verbatim.
const OVER_LIMIT: &str = "Service:AmazonCloudFormation, Message:Template format error: Parameter 'EnvironmentVariables' default value '[****]' length is greater than 4096.";

#[tokio::test]
async fn a_refused_write_keeps_elastic_beanstalks_words() {
    let refused = mock!(Eb::update_environment)
        .then_http_response(|| eb_error(400, "InvalidParameterValue", OVER_LIMIT));
    let cloud = cloud_with(3, &[&refused]);
    assert_eq!(
        cloud.execute(&configure(prod())).await,
        Err(CloudError::Other(OVER_LIMIT.into()))
    );
    assert_eq!(refused.num_calls(), 1);
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_answer_lost_and_sent_once() {
    let lost = mock!(Eb::update_environment).then_http_response(|| {
        eb_error(500, "InternalFailure", "We encountered an internal error.")
    });
    let cloud = cloud_with(3, &[&lost]);
    match cloud.execute(&configure(prod())).await {
        Err(CloudError::AnswerLost(m)) => {
            assert!(m.contains("We encountered an internal error."), "{m}")
        }
        other => panic!("expected AnswerLost, got {other:?}"),
    }
    assert_eq!(lost.num_calls(), 1, "sent once");
}
