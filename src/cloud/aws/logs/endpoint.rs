//! StartLiveTail against an overridden endpoint.
//!
//! The CloudWatch Logs model gives StartLiveTail the host prefix `stream-` (AWS serves live tail
//! from `stream-logs.<region>.amazonaws.com`). The SDK applies it to an overridden endpoint too,
//! turning `http://127.0.0.1:5000` into `http://stream-127.0.0.1:5000`, which does not resolve.
//! This interceptor takes the prefix off again, before signing so the signature covers the host
//! actually dialled. It is only installed when the endpoint is overridden.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::endpoint_config::EndpointUrl;

const PREFIX: &str = "stream-";

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct StripStreamPrefix;

impl Intercept for StripStreamPrefix {
    fn name(&self) -> &'static str {
        "StripStreamPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let configured = cfg.load::<EndpointUrl>().map(|u| u.0.as_str());
        let request = context.request_mut();
        if let Some(uri) = strip_prefix(request.uri(), configured) {
            tracing::trace!(%uri, "dropping the stream- host prefix for an overridden endpoint");
            request.set_uri(uri)?;
        }
        Ok(())
    }
}

/// The URI without the `stream-` host prefix, or `None` when there is nothing to strip. With the
/// configured endpoint known, only a prefix in front of it goes (an endpoint the user named
/// `stream-...` keeps its name).
fn strip_prefix(uri: &str, configured_endpoint: Option<&str>) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let host = rest.strip_prefix(PREFIX)?;
    if let Some((_, configured)) = configured_endpoint.and_then(|e| e.split_once("://"))
        && !host.starts_with(configured.trim_end_matches('/'))
    {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::strip_prefix;

    #[test]
    fn strips_the_model_prefix_only() {
        assert_eq!(
            strip_prefix(
                "http://stream-127.0.0.1:5000/",
                Some("http://127.0.0.1:5000")
            ),
            Some("http://127.0.0.1:5000/".to_string())
        );
        assert_eq!(
            strip_prefix("http://127.0.0.1:5000/", Some("http://127.0.0.1:5000")),
            None
        );
        assert_eq!(strip_prefix("not a uri", None), None);
        // An endpoint the user named `stream-...` keeps its name; only the model's prefix goes.
        assert_eq!(
            strip_prefix(
                "http://stream-logs.local/",
                Some("http://stream-logs.local")
            ),
            None
        );
        assert_eq!(
            strip_prefix(
                "http://stream-stream-logs.local/",
                Some("http://stream-logs.local")
            ),
            Some("http://stream-logs.local/".to_string())
        );
    }
}
