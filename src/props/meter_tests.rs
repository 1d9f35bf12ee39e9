use super::*;

fn p(k: &str, v: &str) -> Property {
    Property::new(k, v)
}

#[test]
fn counts_key_equals_value_in_utf8_bytes() {
    assert_eq!(
        bytes(&[p("API_ENDPOINT", "www.example.com/api")]),
        12 + 1 + 19
    );
    assert_eq!(bytes(&[p("K", "")]), 2);
    assert_eq!(bytes(&[p("K", "é")]), 4, "é is two bytes");
    assert_eq!(
        bytes(&[p("Q", r#"\"x\""#)]),
        7,
        "escapes are stored, so counted"
    );
    assert_eq!(bytes(&[]), 0);
}

#[test]
fn the_margin_adds_one_separator_between_entries() {
    let two = [p("A", "1"), p("B", "2")];
    assert_eq!(bytes(&two), 6);
    assert_eq!(counted(&two), 7);
    assert_eq!(counted(&two[..1]), 3);
    assert_eq!(counted(&[]), 0);
}

#[test]
fn levels_at_80_and_95_percent_and_past_the_limit() {
    assert_eq!(level(0), Level::Ok);
    assert_eq!(level(3276), Level::Ok);
    assert_eq!(level(3277), Level::Warn, "80 % of 4,096 is 3,276.8");
    assert_eq!(level(3891), Level::Warn);
    assert_eq!(level(3892), Level::Danger, "95 % is 3,891.2");
    assert_eq!(level(4096), Level::Danger, "the limit itself is allowed");
    assert_eq!(level(4097), Level::Over);
}

#[test]
fn three_hundred_properties() {
    // 300 × "KEY_nnn=vvvv" (12 bytes) = 3,600, plus 299 separators = 3,899: red, not over.
    let props: Vec<Property> = (0..300)
        .map(|i| p(&format!("KEY_{i:03}"), "vvvv"))
        .collect();
    assert_eq!(bytes(&props), 3600);
    assert_eq!(counted(&props), 3899);
    assert_eq!(level(counted(&props)), Level::Danger);
    assert_eq!(over_by(&props), 0);
    let more: Vec<Property> = (0..300)
        .map(|i| p(&format!("KEY_{i:03}"), "vvvvv"))
        .collect();
    assert_eq!(over_by(&more), 3900 + 299 - 4096);
}

#[test]
fn shares_per_property() {
    let s = shares(&[p("A", "1234567"), p("BB", "")]);
    assert_eq!(
        s[0],
        Share {
            key: "A".into(),
            bytes: 9
        }
    );
    assert_eq!(s[1].bytes, 3);
    let half = Share {
        key: "H".into(),
        bytes: 2048,
    };
    assert_eq!(half.permille(), 500);
}
