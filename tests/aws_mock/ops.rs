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
                request_id: Some(request_id.into())
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
