//! Elastic Beanstalk tail logs: the EB calls mocked, the bundles served over HTTP on 127.0.0.1
//! (standing in for S3's presigned URLs) and fetched by the real HTTPS-capable connector. Real
//! time: the download does real I/O, which paused time would race.

use std::sync::{Arc, Mutex};

use aws_sdk_elasticbeanstalk::Client;
use aws_sdk_elasticbeanstalk::operation::retrieve_environment_info::RetrieveEnvironmentInfoOutput;
use aws_sdk_elasticbeanstalk::types::{EnvironmentInfoDescription, EnvironmentInfoType};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;
use ebtui::cloud::CloudError;
use ebtui::cloud::aws::logs::eb_tail_logs;
use ebtui::domain::EnvRef;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::fake::now_ms;

const BUNDLE: &str = "\
-------------------------------------
/var/log/nginx/error.log
-------------------------------------
2024/05/01 10:00:00 [error] 1#1: upstream timed out

-------------------------------------
/var/log/web.stdout.log
-------------------------------------
May  1 10:00:01 web: GET /health 200
May  1 10:00:02 web: GET /cart 500
";

/// Serve `responses` (status line, body) to successive connections; record request lines.
async fn serve(responses: Vec<(&'static str, &'static str)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for (status, body) in responses {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            log.lock()
                .expect("log")
                .push(text.lines().next().unwrap_or_default().to_string());
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (base, seen)
}

fn info(instance: &str, url: &str, sampled: i64) -> EnvironmentInfoDescription {
    EnvironmentInfoDescription::builder()
        .info_type(EnvironmentInfoType::Tail)
        .ec2_instance_id(instance)
        // Wrapped like the documented Query API sample.
        .message(format!("\n   {url}\n   "))
        .sample_timestamp(DateTime::from_millis(sampled))
        .build()
}

fn env() -> EnvRef {
    EnvRef {
        app: "demo".into(),
        name: "demo-env".into(),
        id: "e-abc123".into(),
    }
}

#[tokio::test]
async fn bundles_are_downloaded_and_split_per_file() {
    let (base, requests) = serve(vec![
        ("200 OK", BUNDLE),
        (
            "403 Forbidden",
            "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        ),
    ])
    .await;
    let fresh = now_ms();
    let url_1 = format!("{base}/logs/i-1/TailLogs.out?Expires=1&Signature=abc%3D");
    let url_2 = format!("{base}/logs/i-2/TailLogs.out?Expires=1");
    // No RequestEnvironmentInfo rule: the request is `Op::RequestTailLogs`, sent before through
    // the confirmation; a mocked client panics on a request no rule expects.
    // First answer: only an old bundle (a previous request); then ours.
    let stale_url = format!("{base}/old");
    let (u1, u2) = (url_1.clone(), url_2.clone());
    let retrieve = mock!(Client::retrieve_environment_info)
        .sequence()
        .output(move || {
            RetrieveEnvironmentInfoOutput::builder()
                .environment_info(info("i-1", &stale_url, 1_290_000_000_000))
                .build()
        })
        .output(move || {
            RetrieveEnvironmentInfoOutput::builder()
                .environment_info(info(
                    "i-1",
                    "https://old.example/never-fetched",
                    1_290_000_000_000,
                ))
                .environment_info(info("i-1", &u1, fresh))
                .environment_info(info("i-2", &u2, fresh))
                .build()
        })
        .build();
    let eb = mock_client!(aws_sdk_elasticbeanstalk, RuleMode::MatchAny, &[&retrieve]);

    let lines = eb_tail_logs(&eb, &env()).await.expect("tail logs");
    assert_eq!(
        retrieve.num_calls(),
        2,
        "retried until the fresh bundles appeared"
    );
    let got: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|e| (e.stream.as_str(), e.group.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!(
        &got[..3],
        [
            (
                "i-1",
                "/aws/elasticbeanstalk/demo-env/var/log/nginx/error.log",
                "2024/05/01 10:00:00 [error] 1#1: upstream timed out"
            ),
            (
                "i-1",
                "/aws/elasticbeanstalk/demo-env/var/log/web.stdout.log",
                "May  1 10:00:01 web: GET /health 200"
            ),
            (
                "i-1",
                "/aws/elasticbeanstalk/demo-env/var/log/web.stdout.log",
                "May  1 10:00:02 web: GET /cart 500"
            ),
        ]
    );
    // The expired link is named, with S3's reason, instead of failing the whole read.
    let (stream, _, message) = got[3];
    assert_eq!(stream, "i-2");
    assert!(
        message.starts_with(&format!(
            "tail logs ready for i-2: {url_2} (download failed: HTTP 403"
        )),
        "{message}"
    );
    assert!(message.contains("Request has expired"), "{message}");
    assert!(lines.iter().all(|e| e.ts == fresh));

    let requested = requests.lock().expect("log").clone();
    assert!(
        requested.contains(
            &"GET /logs/i-1/TailLogs.out?Expires=1&Signature=abc%3D HTTP/1.1".to_string()
        ),
        "{requested:?}"
    );
}

#[tokio::test]
async fn an_unreachable_url_becomes_a_line_naming_it() {
    // A port nobody listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/logs/i-9/TailLogs.out");
    let fresh = now_ms();
    let u = url.clone();
    let retrieve = mock!(Client::retrieve_environment_info).then_output(move || {
        RetrieveEnvironmentInfoOutput::builder()
            .environment_info(info("i-9", &u, fresh))
            .build()
    });
    let eb = mock_client!(aws_sdk_elasticbeanstalk, RuleMode::MatchAny, &[&retrieve]);
    let lines = eb_tail_logs(&eb, &env()).await.expect("tail logs");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].stream, "i-9");
    assert!(
        lines[0]
            .message
            .starts_with(&format!("tail logs ready for i-9: {url} (download failed:")),
        "{}",
        lines[0].message
    );
}

#[tokio::test]
async fn an_unknown_environment_is_not_found() {
    let retrieve = mock!(Client::retrieve_environment_info).then_http_response(|| {
        let body = r#"<ErrorResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>No Environment found for EnvironmentId = 'e-abc123'.</Message></Error><RequestId>1</RequestId></ErrorResponse>"#;
        aws_smithy_runtime_api::client::orchestrator::HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(400).expect("status"),
            aws_smithy_types::body::SdkBody::from(body),
        )
    });
    let eb = mock_client!(aws_sdk_elasticbeanstalk, RuleMode::MatchAny, &[&retrieve]);
    assert_eq!(
        eb_tail_logs(&eb, &env()).await,
        Err(CloudError::NotFound(
            "No Environment found for EnvironmentId = 'e-abc123'.".into()
        ))
    );
}
