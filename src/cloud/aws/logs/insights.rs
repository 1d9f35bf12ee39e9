//! CloudWatch Logs Insights: StartQuery, GetQueryResults, StopQuery, and the log groups' sizes
//! (DescribeLogGroups) an estimate of the scan is made from. SDK types end here; the loop that
//! polls and stops a query is `cloud::insights::follow`.
//!
//! These are reads for the SDK's retry policy too (the client's standard mode): StartQuery
//! changes nothing in the account, and a retried one at worst starts a second query that costs
//! and ends by itself.

use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatchlogs::types::QueryStatus as SdkStatus;
use aws_smithy_runtime_api::http::Response;

use super::EB_GROUP_PREFIX;
use crate::cloud::aws::error::classify;
use crate::cloud::{
    CloudError, CloudResult, GroupSize, InsightsPage, InsightsProgress, InsightsQuery, InsightsRow,
    QueryStatus,
};

/// DescribeLogGroups page size: the API maximum.
const DESCRIBE_PAGE_LIMIT: i32 = 50;
/// Pages of DescribeLogGroups read at most (an environment has a dozen groups).
const MAX_PAGES: usize = 20;

/// The environment's log groups with their stored bytes, retention and creation time.
pub async fn group_sizes(
    logs: &aws_sdk_cloudwatchlogs::Client,
    env_name: &str,
) -> CloudResult<Vec<GroupSize>> {
    let prefix = format!("{EB_GROUP_PREFIX}{env_name}/");
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = logs
            .describe_log_groups()
            .log_group_name_prefix(&prefix)
            .limit(DESCRIBE_PAGE_LIMIT)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(classify)?;
        for g in page.log_groups() {
            let Some(name) = g.log_group_name().filter(|n| n.starts_with(&prefix)) else {
                continue;
            };
            out.push(GroupSize {
                name: name.to_string(),
                stored_bytes: g.stored_bytes().unwrap_or(0).max(0) as u64,
                retention_days: g.retention_in_days().and_then(|d| u32::try_from(d).ok()),
                created: g.creation_time(),
            });
        }
        match page.next_token {
            Some(next) if !next.is_empty() && token.as_deref() != Some(next.as_str()) => {
                token = Some(next)
            }
            _ => break,
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// StartQuery; the query id.
pub async fn start_query(
    logs: &aws_sdk_cloudwatchlogs::Client,
    query: &InsightsQuery,
) -> CloudResult<String> {
    if query.groups.is_empty() {
        return Err(CloudError::Unsupported(
            "No CloudWatch log groups to query: the environment does not stream its logs"
                .to_string(),
        ));
    }
    // Insights takes seconds: the start rounded down and the end up, so no line is left out.
    let start = query.start.div_euclid(1000);
    let end = (query.end + 999).div_euclid(1000);
    let out = logs
        .start_query()
        .set_log_group_names(Some(query.groups.clone()))
        .start_time(start)
        .end_time(end.max(start + 1))
        .query_string(&query.query)
        .send()
        .await
        .map_err(insights_error)?;
    out.query_id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| CloudError::Other("StartQuery answered without a query id".to_string()))
}

/// GetQueryResults: every row so far, the status and the statistics.
pub async fn query_results(
    logs: &aws_sdk_cloudwatchlogs::Client,
    query_id: &str,
) -> CloudResult<InsightsPage> {
    let out = logs
        .get_query_results()
        .query_id(query_id)
        .send()
        .await
        .map_err(insights_error)?;
    let stats = out.statistics();
    let progress = InsightsProgress {
        status: out.status().map_or(QueryStatus::Unknown, status),
        records_matched: stats.map_or(0.0, |s| s.records_matched()),
        records_scanned: stats.map_or(0.0, |s| s.records_scanned()),
        bytes_scanned: stats.map_or(0.0, |s| s.bytes_scanned()),
    };
    let rows = out
        .results()
        .iter()
        .map(|fields| {
            InsightsRow(
                fields
                    .iter()
                    .filter_map(|f| Some((f.field()?.to_string(), f.value()?.to_string())))
                    .collect(),
            )
        })
        .collect();
    Ok(InsightsPage { progress, rows })
}

/// StopQuery. "The query is not running" (it ended on its own) is not an error.
pub async fn end_query(logs: &aws_sdk_cloudwatchlogs::Client, query_id: &str) -> CloudResult<()> {
    match logs.stop_query().query_id(query_id).send().await {
        Ok(_) => Ok(()),
        Err(e) => match insights_error(e) {
            CloudError::Other(m) if m.contains("not running") || m.contains("is in state") => {
                Ok(())
            }
            other => Err(other),
        },
    }
}

fn status(s: &SdkStatus) -> QueryStatus {
    match s {
        SdkStatus::Scheduled => QueryStatus::Scheduled,
        SdkStatus::Running => QueryStatus::Running,
        SdkStatus::Complete => QueryStatus::Complete,
        SdkStatus::Failed => QueryStatus::Failed,
        SdkStatus::Cancelled => QueryStatus::Cancelled,
        SdkStatus::Timeout => QueryStatus::Timeout,
        _ => QueryStatus::Unknown,
    }
}

/// An Insights call's error in the user's words: the concurrency quota and a refused query say
/// what they are; everything else is classified like any read.
fn insights_error<E>(err: SdkError<E, Response>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (code, message) = match err.as_service_error() {
        Some(e) => (
            e.code().unwrap_or_default().to_string(),
            e.message().unwrap_or_default().to_string(),
        ),
        None => (String::new(), String::new()),
    };
    match code.as_str() {
        "LimitExceededException" => CloudError::Other(format!(
            "CloudWatch Logs Insights is running as many queries as the account may at once: wait for one to finish and search again (AWS said: {message})"
        )),
        "MalformedQueryException" => CloudError::Other(format!(
            "CloudWatch Logs Insights refused the query: {message}"
        )),
        _ => classify(err),
    }
}
