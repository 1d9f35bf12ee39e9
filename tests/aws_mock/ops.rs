//! The writes: which call each operation makes, the request id, AWS refusals verbatim.

use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use ebtui::cloud::{Op, OpAccepted, RollbackVia};

use super::*;
/// An HTTP answer as Elastic Beanstalk gives it: the XML body and the request id header.
fn http_ok(action: &str, request_id: &str) -> HttpResponse {
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
async fn each_op_maps_to_its_call_and_returns_the_request_id() {
    let update = mock!(Eb::update_environment)
        .match_requests(|r| r.environment_name() == Some("prod") && r.version_label() == Some("v9"))
        .then_http_response(|| http_ok("UpdateEnvironment", "req-deploy"));
    let rollback_deploy = mock!(Eb::update_environment)
        .match_requests(|r| r.environment_name() == Some("prod") && r.version_label() == Some("v8"))
        .then_http_response(|| http_ok("UpdateEnvironment", "req-rollback-deploy"));
    let abort = mock!(Eb::abort_environment_update)
        .match_requests(|r| r.environment_name() == Some("prod"))
        .then_http_response(|| http_ok("AbortEnvironmentUpdate", "req-abort"));
    let rebuild = mock!(Eb::rebuild_environment)
        .match_requests(|r| r.environment_name() == Some("prod"))
        .then_http_response(|| http_ok("RebuildEnvironment", "req-rebuild"));
    let restart = mock!(Eb::restart_app_server)
        .match_requests(|r| r.environment_name() == Some("prod"))
        .then_http_response(|| http_ok("RestartAppServer", "req-restart"));
    let swap = mock!(Eb::swap_environment_cnames)
        .match_requests(|r| {
            r.source_environment_name() == Some("prod")
                && r.destination_environment_name() == Some("green")
        })
        .then_http_response(|| http_ok("SwapEnvironmentCNAMEs", "req-swap"));
    let cloud = cloud(
        &[&update, &rollback_deploy, &abort, &rebuild, &restart, &swap],
        &[],
    );
    let prod = env("prod", "e-1");
    let cases = [
        (
            Op::Deploy {
                env: prod.clone(),
                version: "v9".into(),
            },
            "req-deploy",
        ),
        (
            Op::Rollback {
                env: prod.clone(),
                from: Some("v9".into()),
                via: RollbackVia::Deploy {
                    version: "v8".into(),
                },
            },
            "req-rollback-deploy",
        ),
        (
            Op::Rollback {
                env: prod.clone(),
                from: Some("v9".into()),
                via: RollbackVia::Abort,
            },
            "req-abort",
        ),
        (Op::Abort { env: prod.clone() }, "req-abort"),
        (Op::Rebuild { env: prod.clone() }, "req-rebuild"),
        (Op::RestartAppServer { env: prod.clone() }, "req-restart"),
        (
            Op::SwapCnames {
                a: prod.clone(),
                b: env("green", "e-2"),
            },
            "req-swap",
        ),
    ];
    for (op, request_id) in cases {
        let accepted = cloud
            .execute(&op)
            .await
            .unwrap_or_else(|e| panic!("{op:?}: {e:?}"));
        assert_eq!(
            accepted,
            OpAccepted {
                request_id: Some(request_id.into()),
                uploaded: None,
            },
            "{op:?}"
        );
    }
    assert_eq!(cloud.api_calls(), 7);
}

#[tokio::test]
async fn a_refused_op_returns_the_aws_message_verbatim() {
    let msg = "Environment named prod is in an invalid state for this operation. Must be Ready.";
    let refused = mock!(Eb::update_environment).then_http_response(move || {
        let body = format!(
            r#"<ErrorResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>{msg}</Message></Error><RequestId>req-refused</RequestId></ErrorResponse>"#
        );
        HttpResponse::new(StatusCode::try_from(400).expect("status"), SdkBody::from(body))
    });
    let cloud = cloud(&[&refused], &[]);
    let op = Op::Deploy {
        env: env("prod", "e-1"),
        version: "v9".into(),
    };
    assert_eq!(cloud.execute(&op).await, Err(CloudError::Other(msg.into())));
}

#[tokio::test]
async fn request_tail_logs_is_a_write_sent_by_execute() {
    use aws_sdk_elasticbeanstalk::types::EnvironmentInfoType;
    let by_id = mock!(Eb::request_environment_info)
        .match_requests(|r| {
            r.environment_id() == Some("e-1")
                && r.environment_name().is_none()
                && r.info_type() == Some(&EnvironmentInfoType::Tail)
        })
        .then_http_response(|| http_ok("RequestEnvironmentInfo", "req-tail"));
    let by_name = mock!(Eb::request_environment_info)
        .match_requests(|r| r.environment_name() == Some("old") && r.environment_id().is_none())
        .then_http_response(|| http_ok("RequestEnvironmentInfo", "req-tail-name"));
    let cloud = cloud(&[&by_id, &by_name], &[]);
    let op = Op::RequestTailLogs {
        env: env("prod", "e-1"),
    };
    assert_eq!(op.verb(), "Request tail logs of");
    assert_eq!(op.env().name, "prod");
    assert_eq!(
        cloud.execute(&op).await,
        Ok(OpAccepted {
            request_id: Some("req-tail".into()),
            uploaded: None,
        })
    );
    let op = Op::RequestTailLogs {
        env: env("old", ""),
    };
    assert_eq!(
        cloud.execute(&op).await.map(|a| a.request_id),
        Ok(Some("req-tail-name".into()))
    );
    assert_eq!((by_id.num_calls(), by_name.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_write_answered_with_a_server_error_is_answer_lost_and_sent_once() {
    let failing = mock!(Eb::rebuild_environment).then_http_response(|| {
        let body = r#"<ErrorResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>We encountered an internal error.</Message></Error><RequestId>req-500</RequestId></ErrorResponse>"#;
        HttpResponse::new(StatusCode::try_from(500).expect("status"), SdkBody::from(body))
    });
    // Three SDK attempts configured: a write must still go once.
    let cloud = cloud_with(RuleMode::MatchAny, 3, &[&failing], &[]);
    let result = cloud
        .execute(&Op::Rebuild {
            env: env("prod", "e-1"),
        })
        .await;
    match result {
        Err(CloudError::AnswerLost(m)) => assert!(
            m.contains("HTTP 500: We encountered an internal error."),
            "{m}"
        ),
        other => panic!("expected AnswerLost, got {other:?}"),
    }
    assert_eq!(failing.num_calls(), 1, "sent once");
    assert_eq!(cloud.api_calls(), 1);
}

#[tokio::test]
async fn a_throttled_write_is_throttled_not_lost() {
    let throttled = mock!(Eb::restart_app_server).then_http_response(|| {
        let body = r#"<ErrorResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>req-t</RequestId></ErrorResponse>"#;
        HttpResponse::new(StatusCode::try_from(400).expect("status"), SdkBody::from(body))
    });
    let cloud = cloud_with(RuleMode::MatchAny, 3, &[&throttled], &[]);
    let result = cloud
        .execute(&Op::RestartAppServer {
            env: env("prod", "e-1"),
        })
        .await;
    assert_eq!(result, Err(CloudError::Throttled("Rate exceeded".into())));
    assert_eq!(throttled.num_calls(), 1, "not retried by the SDK");
}
