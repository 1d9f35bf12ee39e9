//! Elastic Beanstalk's own tail logs, for environments that do not stream to CloudWatch.
//!
//! RequestEnvironmentInfo(tail) asks every instance to upload the last 100 lines of each log to
//! S3 (sent as `Op::RequestTailLogs`, through the confirmation, by `ops.rs`);
//! RetrieveEnvironmentInfo(tail), read here, then lists one presigned URL per instance once
//! uploaded. The
//! bundle is plain text, one section per log file:
//!
//! ```text
//! ----------------------------------------
//! /var/log/nginx/error.log
//! ----------------------------------------
//! 2024/05/01 10:00:00 [error] ...
//! ```
//!
//! Bundles are downloaded with the SDK's own HTTPS connector (hyper + rustls, the one the clients
//! use): no other HTTP client is in our stack.

use std::time::Duration;

use aws_sdk_elasticbeanstalk::types::{EnvironmentInfoDescription, EnvironmentInfoType};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_smithy_types::error::display::DisplayErrorContext;

use super::{EB_GROUP_PREFIX, now_ms};
use crate::cloud::aws::error::classify;
use crate::cloud::{CloudError, CloudResult};
use crate::domain::{EnvRef, Millis, RawLogEvent};

/// RetrieveEnvironmentInfo attempts while waiting for the instances to upload.
const RETRIEVE_ATTEMPTS: u32 = 8;
/// Wait before each attempt: instances take several seconds to upload.
const RETRIEVE_WAIT: Duration = Duration::from_secs(3);
/// Bundles sampled this much before our request still count as fresh: our clock and AWS's may
/// disagree a little.
const CLOCK_SKEW: Millis = 60_000;
/// A bundle larger than this is cut (100 lines of each log is far smaller).
const MAX_BUNDLE_BYTES: usize = 8 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// How long before this read the `Op::RequestTailLogs` it follows may have been accepted: bundles
/// sampled since then (less the clock skew) count as fresh.
const REQUEST_LEAD: Millis = 60_000;

/// Collect the bundles of an `Op::RequestTailLogs` accepted just before: this sends no
/// RequestEnvironmentInfo itself (that is a write, and goes through the confirmation).
pub(super) async fn eb_tail_logs(
    eb: &aws_sdk_elasticbeanstalk::Client,
    env: &EnvRef,
) -> CloudResult<Vec<RawLogEvent>> {
    let requested_at = now_ms() - REQUEST_LEAD;
    let latest = wait_for_bundles(eb, env, requested_at).await?;
    if latest.is_empty() {
        return Err(CloudError::Other(format!(
            "Elastic Beanstalk returned no tail logs for {} (the instances did not upload them in time)",
            env.name
        )));
    }
    let sleep = eb.config().sleep_impl();
    let downloads = latest
        .iter()
        .map(|info| bundle_lines(info, &env.name, sleep.clone()));
    Ok(futures::future::join_all(downloads)
        .await
        .into_iter()
        .flatten()
        .collect())
}

/// The newest bundle of each instance once those sampled after `requested_at` show up; when they
/// never do, older bundles are better than nothing.
async fn wait_for_bundles(
    eb: &aws_sdk_elasticbeanstalk::Client,
    env: &EnvRef,
    requested_at: Millis,
) -> CloudResult<Vec<EnvironmentInfoDescription>> {
    let mut latest: Vec<EnvironmentInfoDescription> = Vec::new();
    for attempt in 0..RETRIEVE_ATTEMPTS {
        tokio::time::sleep(RETRIEVE_WAIT).await;
        let infos = retrieve_tail(eb, env).await?;
        let fresh = newest_per_instance(
            infos
                .iter()
                .filter(|i| sampled_at(i) >= requested_at - CLOCK_SKEW),
        );
        tracing::debug!(
            attempt,
            infos = infos.len(),
            fresh = fresh.len(),
            "RetrieveEnvironmentInfo(tail)"
        );
        if !fresh.is_empty() {
            return Ok(fresh);
        }
        latest = newest_per_instance(infos.iter());
    }
    Ok(latest)
}

/// RetrieveEnvironmentInfo(tail): the bundles uploaded so far, old ones included.
async fn retrieve_tail(
    eb: &aws_sdk_elasticbeanstalk::Client,
    env: &EnvRef,
) -> CloudResult<Vec<EnvironmentInfoDescription>> {
    let retrieve = eb
        .retrieve_environment_info()
        .info_type(EnvironmentInfoType::Tail);
    let retrieve = if env.id.is_empty() {
        retrieve.environment_name(&env.name)
    } else {
        retrieve.environment_id(&env.id)
    };
    Ok(retrieve
        .send()
        .await
        .map_err(classify)?
        .environment_info
        .unwrap_or_default())
}

/// One instance's bundle as log lines; when it cannot be downloaded, one line with its URL and
/// why, so the user can still fetch it.
async fn bundle_lines(
    info: &EnvironmentInfoDescription,
    env_name: &str,
    sleep: Option<aws_sdk_elasticbeanstalk::config::SharedAsyncSleep>,
) -> Vec<RawLogEvent> {
    let instance = info.ec2_instance_id().unwrap_or("unknown instance");
    let url = info.message().map(clean_url).unwrap_or_default();
    let ts = sampled_at(info);
    match download(&url, sleep).await {
        Ok(text) => parse_bundle(env_name, instance, ts, &text),
        Err(reason) => {
            tracing::warn!(%instance, %reason, "tail logs download failed");
            vec![RawLogEvent {
                id: None,
                ts,
                group: format!("{EB_GROUP_PREFIX}{env_name}/tail"),
                stream: instance.to_string(),
                message: format!(
                    "tail logs ready for {instance}: {url} (download failed: {reason})"
                ),
            }]
        }
    }
}

/// When the bundle was sampled, in epoch ms (0 when unknown, so it never counts as fresh).
fn sampled_at(info: &EnvironmentInfoDescription) -> Millis {
    info.sample_timestamp()
        .and_then(|t| t.to_millis().ok())
        .unwrap_or(0)
}

/// The newest bundle of each instance, in the order instances first appear.
fn newest_per_instance<'a>(
    infos: impl Iterator<Item = &'a EnvironmentInfoDescription>,
) -> Vec<EnvironmentInfoDescription> {
    let mut out: Vec<EnvironmentInfoDescription> = Vec::new();
    for info in infos {
        match out
            .iter_mut()
            .find(|o| o.ec2_instance_id() == info.ec2_instance_id())
        {
            Some(existing) if sampled_at(existing) < sampled_at(info) => *existing = info.clone(),
            Some(_) => {}
            None => out.push(info.clone()),
        }
    }
    out
}

/// The Query API's XML may wrap the URL across lines (the documented sample does); a URL never
/// contains whitespace, so all of it goes.
fn clean_url(message: &str) -> String {
    message.chars().filter(|c| !c.is_whitespace()).collect()
}

/// GET a presigned URL with the SDK's HTTPS connector. `Err` carries a reason to show.
async fn download(
    url: &str,
    sleep: Option<aws_sdk_elasticbeanstalk::config::SharedAsyncSleep>,
) -> Result<String, String> {
    if url.is_empty() {
        return Err("no URL in the answer".to_string());
    }
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(DOWNLOAD_TIMEOUT)
        .build();
    let connector = aws_smithy_http_client::default_connector(&settings, sleep)
        .ok_or_else(|| "no HTTPS connector available".to_string())?;
    let mut request = HttpRequest::new(SdkBody::empty());
    request.set_uri(url).map_err(|e| format!("bad URL: {e}"))?;
    let fetch = async {
        let response = connector
            .call(request)
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        let status = response.status().as_u16();
        let mut body = ByteStream::new(response.into_body());
        let mut bytes = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| DisplayErrorContext(&e).to_string())?;
            let room = MAX_BUNDLE_BYTES.saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if room <= chunk.len() {
                break;
            }
        }
        if !(200..300).contains(&status) {
            // S3 explains refusals (an expired link) in a short XML body; its first line is enough.
            let text = String::from_utf8_lossy(&bytes);
            return Err(format!(
                "HTTP {status}: {}",
                text.trim().chars().take(200).collect::<String>()
            ));
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    tokio::time::timeout(DOWNLOAD_TIMEOUT, fetch)
        .await
        .map_err(|_| format!("timed out after {}s", DOWNLOAD_TIMEOUT.as_secs()))?
}

/// Split a tail bundle into events: one per non-empty line, grouped like the CloudWatch group of
/// the same file (`/aws/elasticbeanstalk/<env><path>`) and streamed by instance. Lines carry no
/// time of their own here, so all take the bundle's sample time.
pub(super) fn parse_bundle(
    env_name: &str,
    instance: &str,
    ts: Millis,
    text: &str,
) -> Vec<RawLogEvent> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let is_rule = |l: &str| l.len() >= 5 && l.chars().all(|c| c == '-');
    let mut file = "/tail".to_string();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_rule(line)
            && let (Some(path), Some(rule)) = (lines.get(i + 1), lines.get(i + 2))
            && path.starts_with('/')
            && is_rule(rule)
        {
            file = path.trim().to_string();
            i += 3;
            continue;
        }
        if !line.trim().is_empty() {
            out.push(RawLogEvent {
                id: None,
                ts,
                group: format!("{EB_GROUP_PREFIX}{env_name}{file}"),
                stream: instance.to_string(),
                message: line.to_string(),
            });
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_sections_become_groups() {
        let text = "\
-------------------------------------
/var/log/nginx/error.log
-------------------------------------
2024/05/01 10:00:00 [error] 1#1: upstream timed out
--- not a rule, a log line ---

-------------------------------------
/var/log/web.stdout.log
-------------------------------------
May  1 10:00:01 web: GET /health 200\r
";
        let events = parse_bundle("demo-env", "i-1", 42, text);
        let got: Vec<(&str, &str)> = events
            .iter()
            .map(|e| (e.group.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "/aws/elasticbeanstalk/demo-env/var/log/nginx/error.log",
                    "2024/05/01 10:00:00 [error] 1#1: upstream timed out"
                ),
                (
                    "/aws/elasticbeanstalk/demo-env/var/log/nginx/error.log",
                    "--- not a rule, a log line ---"
                ),
                (
                    "/aws/elasticbeanstalk/demo-env/var/log/web.stdout.log",
                    "May  1 10:00:01 web: GET /health 200"
                ),
            ]
        );
        assert!(
            events
                .iter()
                .all(|e| e.stream == "i-1" && e.ts == 42 && e.id.is_none())
        );
    }

    #[test]
    fn text_before_any_section_is_kept() {
        let events = parse_bundle("e", "i-2", 0, "loose line\n");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].group, "/aws/elasticbeanstalk/e/tail");
    }

    #[test]
    fn wrapped_urls_are_joined() {
        let sample = "\n  https://bucket.s3.amazonaws.com/logs/i-92a3ceff.log?Expires=1291236023\n  &AuthParams\n ";
        assert_eq!(
            clean_url(sample),
            "https://bucket.s3.amazonaws.com/logs/i-92a3ceff.log?Expires=1291236023&AuthParams"
        );
    }
}
