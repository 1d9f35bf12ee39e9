use super::*;

fn inputs(busy: bool) -> Inputs {
    Inputs {
        shown_env: Some("prod".into()),
        busy,
        timeline_visible: true,
        health_visible: true,
        ..Default::default()
    }
}

fn finish_all(s: &mut Schedule, now: Millis, keys: &[PollKey]) {
    for k in keys {
        s.finished(now, k, Finish::Ok);
    }
}

/// Count how often each key starts over `span` ms when ticking every 250 ms and every poll
/// answers at once.
fn count(s: &mut Schedule, inp: &Inputs, span: Millis) -> HashMap<PollKey, usize> {
    let mut counts = HashMap::new();
    let mut t = 0;
    while t < span {
        let due = s.due(t, inp);
        for k in &due {
            *counts.entry(k.clone()).or_insert(0) += 1;
        }
        finish_all(s, t, &due);
        t += 250;
    }
    counts
}

#[test]
fn busy_reads_the_account_every_5s_and_the_shown_health_every_10s() {
    let mut s = Schedule::default();
    let inp = Inputs {
        shown_busy: true,
        ..inputs(true)
    };
    let c = count(&mut s, &inp, 60_000);
    assert_eq!(c[&PollKey::AccountEvents], 12);
    assert_eq!(c[&PollKey::Environments], 8);
    assert_eq!(c[&PollKey::Health("prod".into())], 6);
    assert!(
        !c.contains_key(&PollKey::Events("prod".into())),
        "the account stream brings the shown environment's events"
    );
}

#[test]
fn idle_polls_slowly() {
    let mut s = Schedule::default();
    let c = count(&mut s, &inputs(false), 60_000);
    assert_eq!(c[&PollKey::AccountEvents], 3);
    assert_eq!(c[&PollKey::Health("prod".into())], 3);
    assert_eq!(c[&PollKey::Environments], 2);
}

#[test]
fn another_busy_environment_does_not_speed_up_the_shown_one() {
    let mut s = Schedule::default();
    let c = count(&mut s, &inputs(true), 60_000);
    assert_eq!(
        c[&PollKey::Health("prod".into())],
        3,
        "prod itself is Ready"
    );
}

#[test]
fn older_events_and_stack_events_are_read_once_unless_cloudformation_acts() {
    let mut s = Schedule::default();
    let first = Inputs {
        history_unread: true,
        stack_unread: true,
        ..inputs(false)
    };
    let c = count(&mut s, &first, 2_000);
    assert!(c.contains_key(&PollKey::Events("prod".into())));
    assert!(c.contains_key(&PollKey::StackEvents("prod".into())));
    let c = count(&mut s, &inputs(true), 60_000);
    assert!(!c.contains_key(&PollKey::StackEvents("prod".into())));
    let acting = Inputs {
        stack_active: true,
        ..inputs(true)
    };
    let c = count(&mut s, &acting, 60_000);
    // Every 2.5 s (the first was read just before).
    assert!(c[&PollKey::StackEvents("prod".into())] >= 23);
}

#[test]
fn hidden_panes_are_not_polled() {
    let mut s = Schedule::default();
    let inp = Inputs {
        timeline_visible: false,
        health_visible: false,
        history_unread: true,
        stack_active: true,
        ..inputs(true)
    };
    let c = count(&mut s, &inp, 30_000);
    assert!(!c.contains_key(&PollKey::Events("prod".into())));
    assert!(!c.contains_key(&PollKey::StackEvents("prod".into())));
    assert!(!c.contains_key(&PollKey::Health("prod".into())));
    assert!(c.contains_key(&PollKey::Environments));
}

#[test]
fn a_denied_read_rests_and_a_failing_one_backs_off() {
    let mut s = Schedule::default();
    let health = PollKey::Health("prod".into());
    let c = count(&mut s, &inputs(false), 3_000);
    assert!(c.contains_key(&health));
    s.expire(&health);
    let due = s.due(4_000, &inputs(false));
    assert!(due.contains(&health));
    s.finished(4_000, &health, Finish::Denied);
    assert!(!s.force(60_000, health.clone()), "resting");
    let c = count_from(&mut s, &inputs(false), 4_000, 290_000);
    assert!(!c.contains_key(&health), "no health read while denied");
    // Asked again after the pause; then it fails, and the next try waits for the back-off.
    let mut tries = Vec::new();
    for t in (301_000..340_000).step_by(250) {
        s.expire(&health);
        for k in s.due(t, &inputs(false)) {
            if k == health {
                tries.push(t);
                s.finished(t, &k, Finish::Unreachable);
            } else {
                s.finished(t, &k, Finish::Ok);
            }
        }
    }
    assert!(
        tries.first().is_some_and(|t| *t <= 304_500),
        "asked again: {tries:?}"
    );
    assert!(tries.len() >= 2, "{tries:?}");
    assert!(tries[1] - tries[0] >= 2_000, "backing off: {tries:?}");
    assert!(tries[2] - tries[1] >= 4_000, "longer each time: {tries:?}");
    let gaps: Vec<i64> = tries.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps.iter().all(|g| *g <= 8_500),
        "never more than 8 s apart, whatever its interval: {gaps:?}"
    );
}

#[test]
fn a_read_the_service_keeps_refusing_stays_at_its_own_pace_or_slower() {
    // An API answering 500 (not the network): never faster than its interval.
    let mut s = Schedule::default();
    let health = PollKey::Health("prod".into());
    let mut tries = Vec::new();
    for t in (0..120_000).step_by(250) {
        for k in s.due(t, &inputs(false)) {
            let how = if k == health {
                tries.push(t);
                Finish::Failed
            } else {
                Finish::Ok
            };
            s.finished(t, &k, how);
        }
    }
    let gaps: Vec<i64> = tries.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().all(|g| *g >= 20_000), "{gaps:?}");
}

#[test]
fn no_api_starts_more_reads_a_minute_than_its_budget() {
    // Stack events every 2.5 s while CloudFormation acts, plus a forced read now and then:
    // never past the CloudFormation budget of 24 a minute.
    let mut s = Schedule::default();
    s.intervals.events_fast = 1_000;
    let acting = Inputs {
        stack_active: true,
        ..inputs(true)
    };
    let c = count(&mut s, &acting, 60_000);
    assert!(c[&PollKey::StackEvents("prod".into())] <= 24, "{c:?}");
    let used = s.budget_use(59_999);
    assert!(
        used.iter()
            .any(|(a, n, b)| *a == Api::CloudFormation && n <= b && *b == 24)
    );
}

fn count_from(s: &mut Schedule, inp: &Inputs, from: Millis, to: Millis) -> HashMap<PollKey, usize> {
    let mut counts = HashMap::new();
    let mut t = from;
    while t < to {
        let due = s.due(t, inp);
        for k in &due {
            *counts.entry(k.clone()).or_insert(0) += 1;
        }
        finish_all(s, t, &due);
        t += 250;
    }
    counts
}

#[test]
fn a_poll_never_overlaps_itself() {
    let mut s = Schedule::default();
    // Nothing answered: whatever started once never starts again while in flight.
    let mut started = Vec::new();
    for t in (0..60_000).step_by(250) {
        for k in s.due(t, &inputs(true)) {
            assert!(!started.contains(&k), "{k:?} started twice");
            started.push(k);
        }
    }
    assert!(started.contains(&PollKey::Environments));
    assert!(!s.force(60_000, PollKey::Environments));
    s.finished(60_000, &PollKey::Environments, Finish::Ok);
    assert_eq!(s.due(60_000, &inputs(true)), vec![PollKey::Environments]);
}

#[test]
fn reads_due_together_go_out_one_per_service_per_tick() {
    let mut s = Schedule::default();
    let due = s.due(0, &inputs(true));
    let eb = due
        .iter()
        .filter(|k| k.api().service() == "elasticbeanstalk");
    assert_eq!(eb.count(), 1, "{due:?}");
    assert!(
        s.due(250, &inputs(true))
            .iter()
            .all(|k| k.api().service() != "elasticbeanstalk"),
        "not 250 ms after the last Elastic Beanstalk read"
    );
    let next = s.due(750, &inputs(true));
    assert!(!next.is_empty(), "the rest follow 700 ms or more apart");
}

#[test]
fn throttling_backs_off_exponentially_with_jitter_and_recovers() {
    let mut s = Schedule::default();
    let key = PollKey::Events("prod".into());
    let mut delays = Vec::new();
    let mut now = 0;
    for _ in 0..6 {
        assert!(s.force(now, key.clone()));
        s.finished(now, &key, Finish::Throttled);
        let until = s.backing_off(now)[0].1;
        delays.push(until - now);
        // Nothing of that API starts while it backs off, not even a forced poll.
        assert!(!s.force(now + 1, PollKey::Environments));
        now = until;
    }
    let base = Intervals::default().backoff_base;
    for (i, d) in delays.iter().enumerate() {
        let full = (base << i).min(Intervals::default().backoff_max);
        assert!(*d >= full / 2 && *d <= full, "delay {i} = {d}, full {full}");
    }
    assert!(delays[3] > delays[0] * 2, "grows: {delays:?}");
    // Other APIs are not held back.
    assert!(s.force(now - 1, PollKey::Health("prod".into())));
    // A success resets the back-off.
    assert!(s.force(now, key.clone()));
    s.finished(now, &key, Finish::Ok);
    assert!(s.backing_off(now).is_empty());
}
