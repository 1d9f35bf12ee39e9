//! The mouse end to end: the built binary in a pseudo-terminal, clicks and the wheel sent as a
//! terminal sends them (SGR: `ESC [ < button ; column ; row M` to press, `m` to release; the
//! wheel is button 64 up, 65 down; columns and rows count from 1).

mod common;

use std::time::Duration;

use common::pty::{Tui, env_row, env_selected};

const LONG: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);

fn click(tui: &mut Tui, col: u16, row: u16) {
    tui.send(&format!("\x1b[<0;{col};{row}M\x1b[<0;{col};{row}m"));
}

/// The 1-based screen row whose text contains `needle`.
fn row_of(screen: &str, needle: &str) -> u16 {
    screen
        .lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u16 + 1)
        .unwrap_or_else(|| panic!("{needle} on screen:\n{screen}"))
}

#[test]
fn a_click_selects_a_row_and_the_wheel_scrolls_the_pane_under_the_pointer() {
    let mut tui = Tui::spawn(&["--demo", "quiet", "--demo-speed", "10"], &[], 80, 24);
    let screen = tui.expect(
        "the environments and the first one's timeline",
        |s| env_row(s, "storefront-staging").is_some() && s.contains("Timeline billing-prod"),
        LONG,
    );
    assert!(env_selected(&screen, "billing-prod"), "{screen}");
    click(&mut tui, 10, row_of(&screen, "storefront-staging"));
    let screen = tui.expect(
        "storefront-staging selected by the click",
        |s| env_selected(s, "storefront-staging") && s.contains("Timeline storefront-staging"),
        KEY,
    );
    // The wheel over the timeline scrolls it back three lines, without focusing it.
    let timeline = row_of(&screen, "Timeline storefront-staging") + 2;
    tui.expect(
        "the timeline's events",
        |s| {
            s.lines()
                .nth(usize::from(timeline))
                .is_some_and(|l| l.contains(" EB "))
        },
        LONG,
    );
    // The timeline fills in two reads (the account's stream, then the environment's own
    // history): scroll only once it has stopped growing, or new rows move the offset.
    let rows = |s: &str| {
        s.lines()
            .skip(usize::from(timeline))
            .take(5)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mut last = rows(&tui.screen());
    loop {
        std::thread::sleep(Duration::from_millis(1_500));
        let now = rows(&tui.screen());
        if now == last {
            break;
        }
        last = now;
    }
    tui.send(&format!("\x1b[<64;10;{timeline}M"));
    let screen = tui.expect(
        "the timeline scrolled back",
        |s| s.contains("Timeline storefront-staging ↑3"),
        KEY,
    );
    assert!(
        screen.contains("┏ 1 Environments"),
        "the focus stayed: {screen}"
    );
    tui.send(&format!("\x1b[<65;10;{timeline}M"));
    tui.expect("following again", |s| !s.contains("staging ↑"), KEY);
    // A click on the timeline focuses it.
    click(&mut tui, 10, timeline);
    tui.expect("the timeline focused", |s| s.contains("┏ 2 Timeline"), KEY);
    tui.send("q");
    let status = tui.wait_exit(Duration::from_secs(20)).expect("ebtui exits");
    assert!(status.success(), "{status}");
    tui.assert_terminal_restored();
}

/// `--no-mouse` leaves the mouse to the terminal: nothing is asked for, a click does nothing.
#[test]
fn no_mouse_asks_for_no_mouse_reports() {
    let mut tui = Tui::spawn(
        &["--demo", "quiet", "--demo-speed", "10", "--no-mouse"],
        &[],
        80,
        24,
    );
    tui.expect(
        "the environments",
        |s| env_row(s, "storefront-staging").is_some(),
        LONG,
    );
    let raw = tui.raw_output();
    assert!(
        !raw.windows(8).any(|w| w == b"\x1b[?1000h"),
        "mouse reports were asked for"
    );
    tui.send("q");
    tui.wait_exit(Duration::from_secs(20)).expect("ebtui exits");
    tui.assert_terminal_restored();
}
