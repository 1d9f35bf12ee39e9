//! Tolerance for a documented Elastic Beanstalk response quirk.
//!
//! The API reference's DescribeInstancesHealth sample carries `<Privileged>null</Privileged>`
//! inside CPUUtilization: the literal text "null" where the model says double. The SDK's XML
//! parser rejects it and fails the whole response, which would cost the health pane every
//! instance for one irrelevant metric (Privileged is a Windows figure). When, and only when, a
//! successful response failed to parse and its body holds such `null` elements, this interceptor
//! removes them (absent is what the model allows for a nullable double) and parses it again.
//! A response that parses first time is never touched, so the cost is nil in the normal case.

use std::borrow::Cow;
use std::sync::LazyLock;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::client::ser_de::{DeserializeResponse, SharedResponseDeserializer};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use regex::bytes::{Captures, Regex};

/// An element whose whole text is `null`: `<Name>null</Name>`. The regex crate has no
/// back-references, so the closing name is compared in `strip_null_elements`.
static NULL_ELEMENT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"<([A-Za-z0-9_]+)>\s*null\s*</([A-Za-z0-9_]+)>").ok());

/// The body without `<X>null</X>` elements, or `None` when it has none.
pub(crate) fn strip_null_elements(body: &[u8]) -> Option<Vec<u8>> {
    let re = NULL_ELEMENT.as_ref()?;
    let mut changed = false;
    let fixed = re.replace_all(body, |c: &Captures<'_>| {
        if c[1] == c[2] {
            changed = true;
            Cow::Borrowed(&b""[..])
        } else {
            Cow::Owned(c[0].to_vec())
        }
    });
    changed.then(|| fixed.into_owned())
}

#[derive(Debug, Clone, Default)]
pub(crate) struct NullNumberTolerance;

impl Intercept for NullNumberTolerance {
    fn name(&self) -> &'static str {
        "ebtui-null-number-tolerance"
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if !matches!(context.output_or_error(), Some(Err(_))) {
            return Ok(());
        }
        let Some(response) = context.response_mut() else {
            return Ok(());
        };
        if !response.status().is_success() {
            return Ok(());
        }
        let Some(fixed) = response.body().bytes().and_then(strip_null_elements) else {
            return Ok(());
        };
        let Some(deserializer) = cfg.load::<SharedResponseDeserializer>() else {
            return Ok(());
        };
        *response.body_mut() = SdkBody::from(fixed);
        let reparsed = deserializer.deserialize_nonstreaming_with_config(response, cfg);
        tracing::debug!(
            ok = reparsed.is_ok(),
            "re-parsed a response without its `null` number elements"
        );
        if let Some(slot) = context.output_or_error_mut() {
            *slot = reparsed;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_only_whole_null_elements() {
        let body =
            b"<C><Idle>6.9</Idle><Privileged>null</Privileged><A>null</B><Note>nullable</Note></C>";
        let fixed = strip_null_elements(body).expect("changed");
        assert_eq!(
            fixed,
            b"<C><Idle>6.9</Idle><A>null</B><Note>nullable</Note></C>".to_vec()
        );
        assert_eq!(strip_null_elements(b"<C><Idle>6.9</Idle></C>"), None);
    }
}
