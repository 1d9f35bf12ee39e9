//! The AWS SDK backend: `AwsCloud`. SDK types appear only under this module and are converted to
//! domain types at the boundary (`convert`).
//!
//! Files by responsibility: `connect` builds the clients, `eb` reads Elastic Beanstalk, `config`
//! reads an environment's option settings and its platform's lifecycle (and shapes a configuration
//! change's request), `stacks` finds the environment's CloudFormation stacks and reads their
//! events, `history` infers the deployment history, `ops` carries out the writes (and waits for a
//! new version to be processed), `upload` puts a source bundle in S3, `error` classifies SDK
//! errors, `quirks` tolerates a documented response oddity, `logs` reads CloudWatch Logs and
//! Elastic Beanstalk tail logs.
//!
//! Every read is paginated to the end (bounded by `Pager`) and incremental where the API allows
//! (a time cursor), because the poller calls them every few seconds.

mod config;
mod connect;
mod convert;
mod eb;
pub(crate) mod error;
mod history;
pub mod logs;
mod ops;
mod quirks;
mod stacks;
mod upload;
mod upload_body;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::sync::{mpsc, watch};

pub use connect::AwsOptions;
pub use eb::INSTANCE_HEALTH_UNREAD;

use crate::cloud::{
    BundleUpload, Cloud, CloudError, CloudResult, LogTarget, Op, OpAccepted, TailEvent,
    UploadProgress, Uploaded,
};
use crate::domain::{
    AppVersion, CloudContext, DeployRecord, EnvEvent, EnvRef, Environment, HealthSnapshot, Millis,
    RawLogEvent, StackEvent,
};

/// The AWS account behind the SDK clients. Send + Sync, cheap to share in an Arc: the SDK
/// clients are handles, and the small caches sit behind mutexes that are never held across an
/// await.
pub struct AwsCloud {
    eb: aws_sdk_elasticbeanstalk::Client,
    cfn: aws_sdk_cloudformation::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    /// Uploads source bundles. `None` only for a cloud built by `from_clients` without `with_s3`
    /// (tests of the reads); `connect` always sets it.
    s3: Option<aws_sdk_s3::Client>,
    /// The account's Elastic Beanstalk bucket in this region, once CreateStorageLocation named
    /// it: it never changes for an account and region, and a context switch builds a new cloud.
    storage_bucket: Mutex<Option<String>>,
    ctx: CloudContext,
    /// Named in credential hints ("run `aws sso login --profile X`").
    profile: Option<String>,
    /// Learnt from the first environment ARN (sts is not in our stack).
    account: Mutex<Option<String>>,
    calls: Arc<AtomicU64>,
    stacks: stacks::StackCache,
    /// Environments found without enhanced health, and until when to believe it (Millis): saves
    /// a refused request on every health poll while still noticing when it is turned on.
    basic_health: Mutex<HashMap<EnvRef, Millis>>,
    /// Deployment policy per environment name, with when it was read: the environment list shows
    /// it without asking DescribeConfigurationSettings on every refresh.
    policies: Mutex<HashMap<String, (Millis, Option<String>)>>,
}

/// Lock a cache, recovering from a poisoned lock: the caches hold plain data that a panicking
/// holder cannot leave half-updated in a way that matters (worst case, one extra lookup).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AwsCloud {
    fn new(
        eb: aws_sdk_elasticbeanstalk::Client,
        cfn: aws_sdk_cloudformation::Client,
        logs: aws_sdk_cloudwatchlogs::Client,
        ctx: CloudContext,
        calls: Arc<AtomicU64>,
    ) -> Self {
        let account = Mutex::new(ctx.account.clone());
        AwsCloud {
            eb,
            cfn,
            logs,
            s3: None,
            storage_bucket: Mutex::new(None),
            ctx,
            profile: None,
            account,
            calls,
            stacks: stacks::StackCache::default(),
            basic_health: Mutex::new(HashMap::new()),
            policies: Mutex::new(HashMap::new()),
        }
    }

    /// Classify an SDK error, naming our profile in credential hints.
    fn sdk_err<E>(&self, err: SdkError<E, aws_smithy_runtime_api::http::Response>) -> CloudError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.refine(error::classify(err))
    }

    fn refine(&self, err: CloudError) -> CloudError {
        error::with_profile(err, self.profile.as_deref())
    }

    /// Remember the account id from the first environment ARN seen.
    fn note_arn(&self, arn: Option<&str>) {
        let mut account = lock(&self.account);
        if account.is_none()
            && let Some(id) = arn.and_then(convert::account_from_arn)
        {
            *account = Some(id);
        }
    }
}

/// Upper bound of pages followed per read: a guard against an endpoint that keeps answering
/// with a NextToken, not a limit any real account reaches for the reads that use it.
const MAX_PAGES: usize = 100;

/// Follows NextToken to the last page, stopping early on a repeated token (a misbehaving
/// endpoint would otherwise loop forever) or after `MAX_PAGES`.
#[derive(Default)]
struct Pager {
    token: Option<String>,
    seen: HashSet<String>,
    pages: usize,
}

impl Pager {
    /// The token for the next request (`None` for the first page).
    fn token(&self) -> Option<String> {
        self.token.clone()
    }

    /// Record the NextToken of the page just read; true when another page should be read.
    fn advance(&mut self, next: Option<&str>) -> bool {
        self.pages += 1;
        match next.filter(|t| !t.is_empty()) {
            Some(t) if self.pages < MAX_PAGES && self.seen.insert(t.to_string()) => {
                self.token = Some(t.to_string());
                true
            }
            Some(t) => {
                tracing::warn!(pages = self.pages, token = t, "stopped following NextToken");
                false
            }
            None => false,
        }
    }
}

#[async_trait]
impl Cloud for AwsCloud {
    fn context(&self) -> CloudContext {
        CloudContext {
            account: lock(&self.account).clone(),
            ..self.ctx.clone()
        }
    }

    fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn now(&self) -> Millis {
        chrono::Utc::now().timestamp_millis()
    }

    async fn environments(&self) -> CloudResult<Vec<Environment>> {
        self.read_environments().await
    }

    async fn events(&self, env: &EnvRef, since: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        self.read_events(env, since).await
    }

    async fn older_events(&self, env: &EnvRef, before: Millis) -> CloudResult<Vec<EnvEvent>> {
        self.read_older_events(env, before).await
    }

    async fn account_events(&self, since: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        self.read_account_events(since).await
    }

    async fn stack_events(
        &self,
        env: &EnvRef,
        since: Option<Millis>,
    ) -> CloudResult<Vec<StackEvent>> {
        self.read_stack_events(env, since).await
    }

    async fn health(&self, env: &EnvRef) -> CloudResult<HealthSnapshot> {
        self.read_health(env).await
    }

    async fn versions(&self, app: &str) -> CloudResult<Vec<AppVersion>> {
        self.read_versions(app).await
    }

    async fn config(&self, env: &EnvRef) -> CloudResult<crate::domain::EnvConfig> {
        self.read_config(env).await
    }

    async fn option_settings(
        &self,
        env: &EnvRef,
    ) -> CloudResult<Vec<crate::domain::OptionSetting>> {
        self.read_option_settings(env).await
    }

    async fn deploy_history(&self, env: &EnvRef) -> CloudResult<Vec<DeployRecord>> {
        self.read_deploy_history(env).await
    }

    async fn log_groups(&self, env: &EnvRef) -> CloudResult<Vec<String>> {
        logs::log_groups(&self.logs, &env.name)
            .await
            .map_err(|e| self.refine(e))
    }

    async fn tail_logs(&self, target: LogTarget, tx: mpsc::Sender<TailEvent>) -> CloudResult<()> {
        logs::tail_logs(&self.logs, target, tx)
            .await
            .map_err(|e| self.refine(e))
    }

    async fn search_logs(
        &self,
        search: crate::cloud::LogSearch,
        tx: mpsc::Sender<TailEvent>,
    ) -> CloudResult<()> {
        logs::search_logs(
            &self.logs,
            &search.groups,
            &search.pattern,
            search.start,
            search.end,
            tx,
        )
        .await
        .map_err(|e| self.refine(e))
    }

    async fn log_group_sizes(&self, env: &EnvRef) -> CloudResult<Vec<crate::cloud::GroupSize>> {
        logs::insights::group_sizes(&self.logs, &env.name)
            .await
            .map_err(|e| self.refine(e))
    }

    async fn start_query(&self, query: &crate::cloud::InsightsQuery) -> CloudResult<String> {
        logs::insights::start_query(&self.logs, query)
            .await
            .map_err(|e| self.refine(e))
    }

    async fn query_results(&self, query_id: &str) -> CloudResult<crate::cloud::InsightsPage> {
        logs::insights::query_results(&self.logs, query_id)
            .await
            .map_err(|e| self.refine(e))
    }

    async fn end_query(&self, query_id: &str) -> CloudResult<()> {
        logs::insights::end_query(&self.logs, query_id)
            .await
            .map_err(|e| self.refine(e))
    }

    async fn eb_tail_logs(&self, env: &EnvRef) -> CloudResult<Vec<RawLogEvent>> {
        logs::eb_tail_logs(&self.eb, env)
            .await
            .map_err(|e| self.refine(e))
    }

    async fn execute(&self, op: &Op) -> CloudResult<OpAccepted> {
        self.run_op(op).await
    }

    async fn upload_bundle(
        &self,
        upload: &BundleUpload,
        progress: mpsc::Sender<UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> CloudResult<Uploaded> {
        self.upload(upload, progress, cancel).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_follows_tokens_and_stops_on_repeats() {
        let mut p = Pager::default();
        assert_eq!(p.token(), None);
        assert!(p.advance(Some("a")));
        assert_eq!(p.token().as_deref(), Some("a"));
        assert!(p.advance(Some("b")));
        assert!(!p.advance(Some("a")), "a repeated token ends the walk");
        let mut p = Pager::default();
        assert!(!p.advance(Some("")), "an empty token is the last page");
        assert!(!p.advance(None));
    }

    #[test]
    fn pager_stops_at_the_page_cap() {
        let mut p = Pager::default();
        let followed = (0..MAX_PAGES * 2)
            .take_while(|i| p.advance(Some(&i.to_string())))
            .count();
        assert_eq!(followed, MAX_PAGES - 1);
    }
}
