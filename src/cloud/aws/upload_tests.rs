//! Unit tests of `upload.rs`.
use super::*;

#[test]
fn body_timeouts_grow_with_the_bytes_and_the_sharing() {
    let one = body_timeouts(PART_SIZE, 1, ATTEMPT_TIMEOUT);
    let three = body_timeouts(PART_SIZE, 3, ATTEMPT_TIMEOUT);
    let small = body_timeouts(0, 3, ATTEMPT_TIMEOUT);
    assert_eq!(small.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
    assert_eq!(
        one.operation_attempt_timeout(),
        Some(ATTEMPT_TIMEOUT + Duration::from_secs(80))
    );
    assert_eq!(
        three.operation_attempt_timeout(),
        Some(ATTEMPT_TIMEOUT + Duration::from_secs(240))
    );
}

#[tokio::test]
async fn cancelled_resolves_on_true_and_never_when_the_sender_is_gone() {
    let (tx, rx) = watch::channel(false);
    let waiting = tokio::spawn(cancelled(rx.clone()));
    tx.send(true).expect("send");
    waiting.await.expect("resolved");

    let (tx, rx) = watch::channel(false);
    drop(tx);
    let out = until_cancelled(rx, async { 7 }).await;
    assert_eq!(out, Some(7));

    let (_tx, rx) = watch::channel(true);
    let out = until_cancelled(rx, std::future::pending::<()>()).await;
    assert_eq!(out, None);
}
