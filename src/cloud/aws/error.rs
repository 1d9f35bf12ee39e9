//! SDK errors -> `CloudError`.
//!
//! The poller reacts to the kind (back off on `Throttled`, stop and explain on `Auth`, ...) and the
//! UI shows the text, so the AWS message is kept verbatim wherever AWS sent one. Credential
//! failures never reach AWS: they surface as dispatch failures whose source chain names the
//! provider error, so those are recognised by the chain's text (the credential error types live in
//! a crate we do not depend on directly, and their Display texts are stable).

use std::error::Error as StdError;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::cloud::CloudError;

/// Error codes AWS uses for throttling across the Query and JSON protocols.
const THROTTLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
];

/// Codes meaning the caller's identity was refused or has expired.
const AUTH_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
    "IncompleteSignature",
];

/// The placeholder `with_profile` fills in; kept in one place so both functions agree.
const SSO_LOGIN: &str = "`aws sso login`";

/// Classify any SDK error into our CloudError, keeping AWS's message verbatim.
pub(crate) fn classify<E>(err: SdkError<E, Response>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let classified = match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            classify_service(
                e.code(),
                e.message(),
                service.raw().status().as_u16(),
                &chain_text(e),
            )
        }
        SdkError::TimeoutError(_) => {
            CloudError::Network(format!("Request to AWS timed out: {}", chain_text(&err)))
        }
        SdkError::DispatchFailure(failure) => {
            let text = chain_text(&err);
            if let Some(auth) = credential_failure(&text) {
                auth
            } else if failure.is_timeout() {
                CloudError::Network(format!("Request to AWS timed out: {text}"))
            } else {
                CloudError::Network(format!("Could not reach AWS: {text}"))
            }
        }
        SdkError::ConstructionFailure(_) => {
            let text = chain_text(&err);
            credential_failure(&text).unwrap_or(CloudError::Other(format!(
                "Could not build the request: {text}"
            )))
        }
        SdkError::ResponseError(response) => CloudError::Other(format!(
            "Unreadable answer from AWS (HTTP {}): {}",
            response.raw().status().as_u16(),
            chain_text(&err)
        )),
        // `SdkError` is non-exhaustive.
        _ => CloudError::Other(chain_text(&err)),
    };
    tracing::debug!(error = ?classified, "AWS call failed");
    classified
}

/// Classify the error of a write (sent once, without SDK retries). `transmitted` says whether the
/// request was handed to the connection (an interceptor's `read_before_transmit` saw it).
///
/// Certainly not sent, so `classify`'s kinds: the request could not be built, credentials did not
/// load, the attempt ended before transmission, or the connection was never made (DNS, connect
/// refused or timed out, TLS handshake). Maybe sent, so `AnswerLost`: the attempt timed out after
/// transmission, the connection failed while the answer was awaited or read, the answer could not
/// be read, or AWS answered with a server error (5xx, other than throttling). A 4xx refusal is a
/// definite answer and keeps AWS's words.
pub(crate) fn classify_write<E>(err: SdkError<E, Response>, transmitted: bool) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match lost_reason(&err, transmitted) {
        Some(why) => {
            let lost = answer_lost(&why);
            tracing::warn!(error = ?lost, "write answer lost");
            lost
        }
        None => classify(err),
    }
}

/// Why a write's answer may be lost (`classify_write`'s rules), or `None` when the request
/// certainly did not reach AWS or AWS answered it definitely. Separate so a caller can word the
/// `AnswerLost` for what it sent (the S3 upload does).
pub(crate) fn lost_reason<E>(err: &SdkError<E, Response>, transmitted: bool) -> Option<String>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().unwrap_or("");
            let throttled = THROTTLE_CODES.contains(&code) || status == 429;
            (status >= 500 && !throttled).then(|| {
                let said = service
                    .err()
                    .message()
                    .filter(|m| !m.is_empty())
                    .or(Some(code).filter(|c| !c.is_empty()))
                    .unwrap_or("no message");
                format!("AWS answered with a server error (HTTP {status}: {said})")
            })
        }
        SdkError::TimeoutError(_) if transmitted => {
            Some(format!("no answer in time ({})", chain_text(err)))
        }
        SdkError::DispatchFailure(failure)
            if transmitted && !failure.is_user() && !never_connected(&chain_text(err)) =>
        {
            Some(format!(
                "the connection failed before the answer arrived ({})",
                chain_text(err)
            ))
        }
        SdkError::ResponseError(response) => Some(format!(
            "its answer could not be read (HTTP {}: {})",
            response.raw().status().as_u16(),
            chain_text(err)
        )),
        SdkError::TimeoutError(_)
        | SdkError::DispatchFailure(_)
        | SdkError::ConstructionFailure(_) => None,
        // `SdkError` is non-exhaustive: an unknown kind after transmission may have been sent.
        _ => transmitted.then(|| chain_text(err)),
    }
}

/// The same kind of error with its text rewritten (context added, a permission named).
pub(crate) fn reword(err: CloudError, f: impl FnOnce(&str) -> String) -> CloudError {
    let text = f(err.message());
    match err {
        CloudError::Throttled(_) => CloudError::Throttled(text),
        CloudError::Auth(_) => CloudError::Auth(text),
        CloudError::NotFound(_) => CloudError::NotFound(text),
        CloudError::Unsupported(_) => CloudError::Unsupported(text),
        CloudError::Network(_) => CloudError::Network(text),
        CloudError::AnswerLost(_) => CloudError::AnswerLost(text),
        CloudError::Cancelled(_) => CloudError::Cancelled(text),
        CloudError::Other(_) => CloudError::Other(text),
    }
}

/// The `AnswerLost` text: what is known and what to do about it.
pub(crate) fn answer_lost(why: &str) -> CloudError {
    CloudError::AnswerLost(format!(
        "Sent; answer lost: {why}. AWS may be carrying it out; it was not sent again. \
         Check the environment's events before retrying."
    ))
}

/// Does a dispatch failure's text say the connection was never made? hyper-util names every
/// failure of its connector (DNS, TCP connect, TLS handshake) "client error (Connect)"; the
/// SDK's own connect timeout says "HTTP connect timeout"; DNS failures "failed to perform DNS
/// lookup". What is not recognised counts as maybe sent: the safe side for a write.
fn never_connected(text: &str) -> bool {
    const NEEDLES: &[&str] = &[
        "client error (connect)",
        "http connect timeout",
        "failed to perform dns lookup",
        "dns error",
        "failed to lookup address",
        "connection refused",
        "tcp connect error",
        "error trying to connect",
        "invalid peer certificate",
    ];
    let lower = text.to_ascii_lowercase();
    NEEDLES.iter().any(|n| lower.contains(n))
}

/// Classify a service error from its code and message. Separate from `classify` so the rules are
/// testable without building SDK errors.
pub(crate) fn classify_service(
    code: Option<&str>,
    message: Option<&str>,
    http_status: u16,
    fallback: &str,
) -> CloudError {
    let verbatim = match (message, code) {
        (Some(m), _) if !m.is_empty() => m.to_string(),
        (_, Some(c)) if !c.is_empty() => c.to_string(),
        // No code and no message: typically an HTML error page (a proxy, or an emulator that does
        // not implement the call). The status is the only useful fact then.
        _ => format!("HTTP {http_status} from the service: {fallback}"),
    };
    let code = code.unwrap_or("");
    if THROTTLE_CODES.contains(&code) || verbatim.contains("Rate exceeded") || http_status == 429 {
        return CloudError::Throttled(verbatim);
    }
    if AUTH_CODES.contains(&code) {
        return CloudError::Auth(auth_message(code, &verbatim));
    }
    if code == "ResourceNotFoundException"
        || code.ends_with("NotFound")
        || code.ends_with("NotFoundException")
        || verbatim.contains("No Environment found")
        || verbatim.contains("does not exist")
    {
        return CloudError::NotFound(verbatim);
    }
    CloudError::Other(verbatim)
}

/// The text shown for a refused identity: AWS's words plus the usual fix.
fn auth_message(code: &str, verbatim: &str) -> String {
    match code {
        "ExpiredToken" | "ExpiredTokenException" => {
            format!(
                "AWS credentials expired: refresh them (for SSO run {SSO_LOGIN}). AWS said: {verbatim}"
            )
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" | "InvalidAccessKeyId" => {
            format!(
                "AWS does not recognise the access key: check AWS_PROFILE or run `aws configure`. AWS said: {verbatim}"
            )
        }
        "SignatureDoesNotMatch" | "IncompleteSignature" => {
            format!(
                "AWS rejected the request signature: check the secret key and the clock. AWS said: {verbatim}"
            )
        }
        // AccessDenied and friends: the message names the missing permission; it is the fix.
        _ => verbatim.to_string(),
    }
}

/// Recognise a credential-provider failure (no credentials, expired SSO token) in an error chain.
fn credential_failure(text: &str) -> Option<CloudError> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("sso") && (lower.contains("expired") || lower.contains("token")) {
        return Some(CloudError::Auth(format!(
            "AWS SSO session expired: run {SSO_LOGIN}. ({text})"
        )));
    }
    let no_credentials = [
        "no providers in chain provided credentials",
        "the credential provider was not enabled",
        "an error occurred while loading credentials",
        "the credentials provider was not properly configured",
        "credentials provider timed out",
        "unexpected credentials error",
        "failed to load credentials",
    ];
    if no_credentials.iter().any(|needle| lower.contains(needle)) {
        return Some(CloudError::Auth(format!(
            "No AWS credentials found: set AWS_PROFILE or run `aws configure`. ({text})"
        )));
    }
    None
}

/// Name the profile in the SSO login hint, so the user can paste the command as is.
pub(crate) fn with_profile(err: CloudError, profile: Option<&str>) -> CloudError {
    let Some(profile) = profile else { return err };
    match err {
        CloudError::Auth(m) if m.contains(SSO_LOGIN) => CloudError::Auth(m.replacen(
            SSO_LOGIN,
            &format!("`aws sso login --profile {profile}`"),
            1,
        )),
        other => other,
    }
}

/// The SDK's own wrapper texts ("dispatch failure: other: ..."): they name the layer, not the
/// problem, and are left out of what the user reads (the kind already says it).
const WRAPPER_TEXTS: &[&str] = &[
    "failed to construct request",
    "request has timed out",
    "dispatch failure",
    "response error",
    "service error",
    "other",
];

/// Every message of an error's source chain, joined; repeats (wrappers that print their source)
/// and the SDK's wrapper texts are dropped.
fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty()
            && !WRAPPER_TEXTS.contains(&text.as_str())
            && !parts.iter().any(|p| p.contains(&text))
        {
            parts.push(text);
        }
        current = e.source();
    }
    if parts.is_empty() {
        // Nothing but wrappers: better the wrapper's word than nothing.
        return err.to_string();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_codes_and_rate_exceeded() {
        assert_eq!(
            classify_service(Some("Throttling"), Some("Rate exceeded"), 400, ""),
            CloudError::Throttled("Rate exceeded".into())
        );
        assert!(matches!(
            classify_service(Some("SomethingElse"), Some("Rate exceeded"), 400, ""),
            CloudError::Throttled(_)
        ));
        assert!(matches!(
            classify_service(None, None, 429, "x"),
            CloudError::Throttled(_)
        ));
    }

    #[test]
    fn auth_codes_keep_aws_words() {
        let e = classify_service(
            Some("AccessDenied"),
            Some("User: x is not authorized to perform: y"),
            403,
            "",
        );
        assert_eq!(
            e,
            CloudError::Auth("User: x is not authorized to perform: y".into())
        );
        let e = classify_service(
            Some("ExpiredToken"),
            Some("The security token included in the request is expired"),
            403,
            "",
        );
        assert!(
            e.message().contains("aws sso login") && e.message().contains("is expired"),
            "{e:?}"
        );
    }

    #[test]
    fn not_found_and_verbatim_other() {
        assert!(matches!(
            classify_service(
                Some("InvalidParameterValue"),
                Some("No Environment found for EnvironmentName = 'x'."),
                400,
                ""
            ),
            CloudError::NotFound(_)
        ));
        assert!(matches!(
            classify_service(
                Some("ValidationError"),
                Some("Stack with id awseb-e-1-stack does not exist"),
                400,
                ""
            ),
            CloudError::NotFound(_)
        ));
        let msg = "Environment named x is in an invalid state for this operation. Must be Ready.";
        assert_eq!(
            classify_service(Some("InvalidParameterValue"), Some(msg), 400, ""),
            CloudError::Other(msg.into())
        );
        assert_eq!(
            classify_service(None, None, 500, "unhandled error"),
            CloudError::Other("HTTP 500 from the service: unhandled error".into())
        );
    }

    #[test]
    fn connect_failures_are_recognised_as_never_sent() {
        assert!(never_connected(
            "io: client error (Connect): tcp connect error: Connection refused (os error 111)"
        ));
        assert!(never_connected(
            "timeout: HTTP connect timeout occurred after 5s"
        ));
        assert!(never_connected("io: failed to perform DNS lookup"));
        assert!(!never_connected(
            "io: connection error: Connection reset by peer (os error 104)"
        ));
        assert!(!never_connected(
            "other: connection closed before message completed"
        ));
        assert!(!never_connected(
            "timeout: HTTP read timeout occurred after 20s"
        ));
    }

    #[test]
    fn answer_lost_says_what_happened() {
        let e = answer_lost("no answer in time");
        assert!(matches!(e, CloudError::AnswerLost(_)));
        assert!(
            e.message()
                .starts_with("Sent; answer lost: no answer in time.")
        );
        assert!(e.message().contains("not sent again"), "{e:?}");
    }

    #[test]
    fn credential_chain_texts() {
        let e = credential_failure(
            "dispatch failure: other: no providers in chain provided credentials",
        );
        assert!(
            matches!(e, Some(CloudError::Auth(m)) if m.starts_with("No AWS credentials found"))
        );
        let e = credential_failure(
            "an error occurred while loading credentials: the SSO token has expired and cannot be refreshed",
        );
        let e = with_profile(e.expect("sso"), Some("dev"));
        assert!(
            e.message()
                .starts_with("AWS SSO session expired: run `aws sso login --profile dev`"),
            "{e:?}"
        );
        assert_eq!(credential_failure("connection refused"), None);
    }
}
