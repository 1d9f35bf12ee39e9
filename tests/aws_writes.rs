//! Writes are sent once. `AwsCloud::execute` against a real socket on 127.0.0.1 that misbehaves
//! the way networks do: it never answers, it hangs up after reading the request, or nothing
//! listens at all. The client is configured with the standard retry (3 attempts) and a short
//! attempt timeout, so the tests show that writes switch the retry off while reads keep it, and
//! that a lost answer is `AnswerLost`, never a refusal.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_elasticbeanstalk::config::{BehaviorVersion, Credentials, Region};
use ebtui::cloud::aws::AwsCloud;
use ebtui::cloud::{Cloud, CloudError, Op};
use ebtui::domain::{CloudContext, EnvRef};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the fake endpoint treats a request once it has read it.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Keep the connection open and never answer.
    Silent,
    /// Close the connection without a word.
    HangUp,
    /// Answer 400 with an Elastic Beanstalk refusal.
    Refuse,
}

const REFUSAL: &str =
    "Environment named prod is in an invalid state for this operation. Must be Ready.";

/// A local endpoint; returns its URL and the number of requests it has read.
async fn endpoint(behaviour: Behaviour) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let counted = counted.clone();
            tokio::spawn(async move {
                // Read the head and the body (the Query protocol sends a Content-Length).
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(head_end) = text.find("\r\n\r\n") {
                        let length = text[..head_end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= head_end + 4 + length {
                            break;
                        }
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                match behaviour {
                    Behaviour::Silent => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    Behaviour::HangUp => drop(socket),
                    Behaviour::Refuse => {
                        let body = format!(
                            r#"<ErrorResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>{REFUSAL}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"#
                        );
                        let answer = format!(
                            "HTTP/1.1 400 Bad Request\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = socket.write_all(answer.as_bytes()).await;
                    }
                }
            });
        }
    });
    (url, requests)
}

/// A cloud whose Elastic Beanstalk client talks to `url` with the standard retry (3 attempts)
/// and a 300 ms attempt timeout.
fn cloud_at(url: &str) -> AwsCloud {
    let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
    let eb = aws_sdk_elasticbeanstalk::Client::from_conf(
        aws_sdk_elasticbeanstalk::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(creds.clone())
            .endpoint_url(url)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1)),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(2))
                    .operation_attempt_timeout(Duration::from_millis(300))
                    .build(),
            )
            .build(),
    );
    let cfn = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
            .credentials_provider(creds.clone())
            .endpoint_url(url)
            .build(),
    );
    let logs = aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_sdk_cloudwatchlogs::config::Region::new("us-east-1"))
            .credentials_provider(creds)
            .endpoint_url(url)
            .build(),
    );
    let ctx = CloudContext {
        profile: "test".into(),
        region: "us-east-1".into(),
        account: None,
        note: None,
    };
    AwsCloud::from_clients(eb, cfn, logs, ctx)
}

fn deploy() -> Op {
    Op::Deploy {
        env: EnvRef {
            app: "shop".into(),
            name: "prod".into(),
            id: "e-1".into(),
        },
        version: "v9".into(),
    }
}

#[tokio::test]
async fn a_write_that_times_out_is_sent_once_and_its_answer_is_lost() {
    let (url, requests) = endpoint(Behaviour::Silent).await;
    let cloud = cloud_at(&url);
    let result = cloud.execute(&deploy()).await;
    match &result {
        Err(CloudError::AnswerLost(m)) => {
            assert!(m.starts_with("Sent; answer lost: no answer in time"), "{m}");
            assert!(m.contains("not sent again"), "{m}");
        }
        other => panic!("expected AnswerLost, got {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(requests.load(Ordering::SeqCst), 1, "sent exactly once");
    assert_eq!(cloud.api_calls(), 1);

    // A read on the same client keeps the standard retry: three attempts.
    let read = cloud.environments().await;
    assert!(matches!(read, Err(CloudError::Network(_))), "{read:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(requests.load(Ordering::SeqCst), 4, "reads are retried");
}

#[tokio::test]
async fn every_write_is_sent_once() {
    let (url, requests) = endpoint(Behaviour::HangUp).await;
    let cloud = cloud_at(&url);
    let prod = EnvRef {
        app: "shop".into(),
        name: "prod".into(),
        id: "e-1".into(),
    };
    let green = EnvRef {
        name: "green".into(),
        id: "e-2".into(),
        ..prod.clone()
    };
    let ops = [
        deploy(),
        Op::Abort { env: prod.clone() },
        Op::Rebuild { env: prod.clone() },
        Op::RestartAppServer { env: prod.clone() },
        Op::SwapCnames {
            a: prod.clone(),
            b: green,
        },
        Op::RequestTailLogs { env: prod.clone() },
    ];
    for (n, op) in ops.iter().enumerate() {
        let result = cloud.execute(op).await;
        assert!(
            matches!(&result, Err(CloudError::AnswerLost(m)) if m.starts_with("Sent; answer lost: the connection failed")),
            "{op:?}: {result:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(requests.load(Ordering::SeqCst), n + 1, "{op:?} sent once");
    }
}

#[tokio::test]
async fn a_write_that_cannot_connect_is_a_network_error() {
    // Bind then close: nothing listens on that port any more.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let cloud = cloud_at(&url);
    let result = cloud.execute(&deploy()).await;
    match &result {
        Err(CloudError::Network(m)) => assert!(m.starts_with("Could not reach AWS"), "{m}"),
        other => panic!("expected Network, got {other:?}"),
    }
    assert_eq!(
        cloud.api_calls(),
        1,
        "a write is not retried even when unsent"
    );
}

#[tokio::test]
async fn a_refused_write_keeps_the_aws_words() {
    let (url, requests) = endpoint(Behaviour::Refuse).await;
    let cloud = cloud_at(&url);
    assert_eq!(
        cloud.execute(&deploy()).await,
        Err(CloudError::Other(REFUSAL.into()))
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}
