//! Whole-screen snapshots at 80x24 and 160x48, driven by the simulated account on a manual clock
//! so every run draws the same screen. Where colour carries meaning (health), cell styles are
//! asserted too.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ebtui::app::keymap::KeyMap;
use ebtui::app::{App, Effect, Msg, Settings, update};
use ebtui::cloud::sim::{Scenario, SimCloud};
use ebtui::cloud::{Cloud, TailEvent, answer};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

const START: i64 = 1_795_000_000_000; // a fixed instant, so times on screen are stable

/// Run effects against the simulator until nothing more is asked, like the runtime does.
async fn drive(app: &mut App, cloud: &SimCloud, mut effects: Vec<Effect>) {
    for _ in 0..40 {
        let mut next = Vec::new();
        for e in effects {
            let msg = match e {
                Effect::Poll(request) => Some(Msg::Cloud {
                    epoch: app.account.epoch,
                    reply: answer(cloud, request).await,
                }),
                Effect::Tail { tail, target } => {
                    // The backfill is the first batch a tail sends; take it and stop the tail.
                    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
                    let h = tokio::spawn({
                        let target = target.clone();
                        let c = cloud_clone(cloud);
                        async move { c.tail_logs(target, tx).await }
                    });
                    let mut lines = Vec::new();
                    while let Ok(Some(ev)) =
                        tokio::time::timeout(Duration::from_millis(500), rx.recv()).await
                    {
                        if let TailEvent::Events(mut l) = ev {
                            lines.append(&mut l);
                            break;
                        }
                    }
                    h.abort();
                    Some(Msg::Tail {
                        epoch: app.account.epoch,
                        tail,
                        event: TailEvent::Events(lines),
                    })
                }
                _ => None,
            };
            if let Some(m) = msg {
                next.extend(update(app, m, cloud.now()));
            }
        }
        if next.is_empty() {
            // The planner spreads reads due together (one per service per tick, Elastic
            // Beanstalk's 700 ms apart): tick half a second later, as the runtime would.
            for _ in 0..4 {
                cloud.advance(500);
                next = update(app, Msg::Tick, cloud.now());
                if !next.is_empty() {
                    break;
                }
            }
        }
        if next.is_empty() {
            return;
        }
        effects = next;
    }
}

fn cloud_clone(c: &SimCloud) -> SimCloud {
    // Same seed, scenario and clock: the account is a pure function of both.
    let s = SimCloud::manual(Scenario::BadDeploy, 7, START);
    s.advance(c.now() - START);
    s
}

fn key(app: &mut App, cloud: &SimCloud, k: KeyCode) -> Vec<Effect> {
    update(
        app,
        Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)),
        cloud.now(),
    )
}

/// The bad-deploy account two minutes in: storefront-prod is red on v-broken.
async fn bad_deploy_app() -> (App, SimCloud) {
    let cloud = SimCloud::manual(Scenario::BadDeploy, 7, START);
    let mut app = App::new(
        Settings::default(),
        KeyMap::default(),
        cloud.context(),
        cloud.now(),
    );
    let fx = update(&mut app, Msg::Tick, cloud.now());
    drive(&mut app, &cloud, fx).await;
    for _ in 0..24 {
        cloud.advance(5_000);
        let fx = update(&mut app, Msg::Tick, cloud.now());
        drive(&mut app, &cloud, fx).await;
    }
    let mut fx = key(&mut app, &cloud, KeyCode::Char(':'));
    for c in "env storefront-prod".chars() {
        fx.extend(key(&mut app, &cloud, KeyCode::Char(c)));
    }
    fx.extend(key(&mut app, &cloud, KeyCode::Enter));
    drive(&mut app, &cloud, fx).await;
    (app, cloud)
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| ebtui::ui::render(app, &ebtui::ui::theme::Theme::default(), f))
        .expect("draw");
    term
}

fn text(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn whole_screen_80x24_bad_deploy() {
    let (app, _cloud) = bad_deploy_app().await;
    let term = draw(&app, 80, 24);
    let screen = text(&term);
    assert!(screen.contains("storefront-prod"), "{screen}");
    insta::assert_snapshot!("bad_deploy_80x24", screen);
    // The red environment's health cell is drawn red.
    let buf = term.backend().buffer();
    let row = (0..24)
        .find(|y| {
            (0..80)
                .map(|x| buf[(x, *y)].symbol())
                .collect::<String>()
                .contains("▶ storefront-prod")
        })
        .expect("row");
    let line: String = (0..80).map(|x| buf[(x, row)].symbol()).collect();
    let col = line
        .find('●')
        .map(|b| line[..b].chars().count() as u16)
        .expect("health dot");
    assert_eq!(buf[(col, row)].fg, Color::Red, "{line}");
}

#[tokio::test]
async fn whole_screen_160x48_bad_deploy() {
    let (app, _cloud) = bad_deploy_app().await;
    let screen = text(&draw(&app, 160, 48));
    assert!(
        screen.contains("DEPLOY") && screen.contains("Timeline storefront-prod"),
        "wide layout: {screen}"
    );
    insta::assert_snapshot!("bad_deploy_160x48", screen);
}

#[tokio::test]
async fn rollback_dialog_and_help_80x24() {
    let (mut app, cloud) = bad_deploy_app().await;
    let fx = key(&mut app, &cloud, KeyCode::Char('U'));
    drive(&mut app, &cloud, fx).await;
    let screen = text(&draw(&app, 80, 24));
    assert!(screen.contains("Roll back storefront-prod"), "{screen}");
    insta::assert_snapshot!("rollback_dialog_80x24", screen);
    key(&mut app, &cloud, KeyCode::Esc);
    key(&mut app, &cloud, KeyCode::Char('?'));
    let screen = text(&draw(&app, 80, 24));
    assert!(screen.contains("roll back"), "{screen}");
    insta::assert_snapshot!("help_80x24", screen);
}

#[tokio::test]
async fn zoomed_logs_160x48() {
    let (mut app, cloud) = bad_deploy_app().await;
    key(&mut app, &cloud, KeyCode::Char('4'));
    key(&mut app, &cloud, KeyCode::Char('z'));
    let screen = text(&draw(&app, 160, 48));
    assert!(screen.contains("502"), "{screen}");
    insta::assert_snapshot!("logs_zoomed_160x48", screen);
}

#[tokio::test]
async fn operations_overlay_80x24() {
    let (mut app, cloud) = bad_deploy_app().await;
    key(&mut app, &cloud, KeyCode::Char('o'));
    let screen = text(&draw(&app, 80, 24));
    assert!(screen.contains("Operations of storefront-prod"), "{screen}");
    assert!(screen.contains("failed"), "the bad deploy: {screen}");
    insta::assert_snapshot!("operations_80x24", screen);
    // :budget lists what the reads cost.
    key(&mut app, &cloud, KeyCode::Esc);
    key(&mut app, &cloud, KeyCode::Char(':'));
    for c in "budget".chars() {
        key(&mut app, &cloud, KeyCode::Char(c));
    }
    key(&mut app, &cloud, KeyCode::Enter);
    let screen = text(&draw(&app, 80, 24));
    assert!(
        screen.contains("elasticbeanstalk:DescribeEvents"),
        "{screen}"
    );
}

/// A review longer than the screen (a project with many key files) keeps the label, the steps
/// and the keys in view: Enter ships what it says. The warnings above scroll with ↑↓.
#[tokio::test]
async fn a_long_deploy_review_keeps_the_label_and_keys_in_view_80x24() {
    use ebtui::bundle::{Bundle, Entry, Rules, Warning};
    let (mut app, cloud) = bad_deploy_app().await;
    // The ready environment next to it.
    let mut fx = key(&mut app, &cloud, KeyCode::Char(':'));
    for c in "env storefront-staging".chars() {
        fx.extend(key(&mut app, &cloud, KeyCode::Char(c)));
    }
    fx.extend(key(&mut app, &cloud, KeyCode::Enter));
    drive(&mut app, &cloud, fx).await;
    for c in ":deploy".chars() {
        key(&mut app, &cloud, KeyCode::Char(c));
    }
    key(&mut app, &cloud, KeyCode::Enter);
    let names: Vec<String> = (1..=20).map(|i| format!("certs/key{i:02}.pem")).collect();
    let bundle = Bundle {
        source: std::path::PathBuf::from("shop"),
        rules: Rules::Whole,
        git: None,
        warnings: names
            .iter()
            .map(|p| Warning::Secret { path: p.clone() })
            .collect(),
        entries: names
            .iter()
            .map(|p| Entry {
                path: p.clone(),
                size: 2,
                symlink: false,
            })
            .collect(),
        content_bytes: 40,
        zip: std::path::PathBuf::from("b.zip"),
        zip_bytes: 30,
        owned: true,
        label: "app-261130_101500".into(),
    };
    let ship = app.account.ship.as_ref().expect("a ship").id;
    update(
        &mut app,
        Msg::Bundled {
            ship,
            result: Ok(bundle),
        },
        cloud.now(),
    );
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = text(&draw(&app, w, h));
        assert!(
            screen.contains("Label    app-261130_101500") && screen.contains("Enter deploy"),
            "{w}x{h}: {screen}"
        );
    }
    let screen = text(&draw(&app, 80, 24));
    assert!(
        screen.contains("below"),
        "says more is out of view: {screen}"
    );
    assert!(!screen.contains("key20.pem"), "{screen}");
    for _ in 0..19 {
        key(&mut app, &cloud, KeyCode::Down);
    }
    let screen = text(&draw(&app, 80, 24));
    assert!(
        screen.contains("key20.pem"),
        "scrolled to the last: {screen}"
    );
    assert!(screen.contains("Enter deploy"), "{screen}");
}

/// The screen with its styles: each row of text, then a row of letters naming each cell's style
/// (`.` the terminal's own), then the legend: a theme's snapshot shows what it draws, colours and
/// modifiers included.
fn styled(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let mut legend: Vec<String> = Vec::new();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut marks = String::new();
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            out.push_str(c.symbol());
            let plain = c.fg == Color::Reset && c.bg == Color::Reset && c.modifier.is_empty();
            if plain {
                marks.push('.');
                continue;
            }
            let style = format!("fg {:?} bg {:?} {:?}", c.fg, c.bg, c.modifier);
            let i = legend.iter().position(|s| *s == style).unwrap_or_else(|| {
                legend.push(style);
                legend.len() - 1
            });
            marks.push(
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                    .get(i)
                    .map_or('?', |b| *b as char),
            );
        }
        out.push('\n');
        out.push_str(&marks);
        out.push('\n');
    }
    for (i, s) in legend.iter().enumerate() {
        out.push_str(&format!("{}: {s}\n", (b'a' + i as u8) as char));
    }
    out
}

fn draw_in(app: &App, theme: &ebtui::ui::theme::Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| ebtui::ui::render(app, theme, f))
        .expect("draw");
    term
}

/// Every built-in theme on the bad-deploy screen, with a dialog open (its answer line and the
/// selection show their style too).
#[tokio::test]
async fn each_theme_80x24() {
    use ebtui::ui::theme::Theme;
    let (mut app, cloud) = bad_deploy_app().await;
    for (name, theme) in [
        ("dark", Theme::dark()),
        ("light", Theme::light()),
        ("mono", Theme::mono()),
    ] {
        let term = draw_in(&app, &theme, 80, 24);
        insta::assert_snapshot!(format!("theme_{name}_80x24"), styled(&term));
    }
    let fx = key(&mut app, &cloud, KeyCode::Char('S'));
    drive(&mut app, &cloud, fx).await;
    let term = draw_in(&app, &Theme::light(), 80, 24);
    insta::assert_snapshot!("theme_light_dialog_80x24", styled(&term));
}

/// NO_COLOR (and no theme named anywhere): not one cell has a colour, and what colour said is
/// still there in words and modifiers (the red environment's health, the selection).
#[tokio::test]
async fn no_color_draws_no_colour_80x24() {
    let (app, _cloud) = bad_deploy_app().await;
    let theme = ebtui::config_theme::resolve(None, None, true).expect("a theme");
    let term = draw_in(&app, &theme, 80, 24);
    let buf = term.backend().buffer();
    for y in 0..24 {
        for x in 0..80 {
            let c = &buf[(x, y)];
            assert!(
                c.fg == Color::Reset && c.bg == Color::Reset,
                "a colour at {x},{y}: {c:?}"
            );
        }
    }
    let screen = styled(&term);
    assert!(
        screen.contains("▶ storefront-prod") && screen.contains("Severe"),
        "{screen}"
    );
    insta::assert_snapshot!("no_color_80x24", screen);
}

/// "Why 502?" on the bad-deploy account: v-broken's 502s, the deploy's batches under the chart,
/// Connection refused named with what it means.
#[tokio::test]
async fn triage_80x24_and_160x48() {
    let (mut app, cloud) = bad_deploy_app().await;
    let fx = key(&mut app, &cloud, KeyCode::Char('T'));
    drive(&mut app, &cloud, fx).await;
    for _ in 0..60 {
        // The view reads a full buffer in slices, one per message.
        let fx = update(&mut app, Msg::Tick, cloud.now());
        drive(&mut app, &cloud, fx).await;
    }
    let small = text(&draw(&app, 80, 24));
    assert!(small.contains("Why 5xx? storefront-prod"), "{small}");
    assert!(small.contains("Connection refused"), "{small}");
    insta::assert_snapshot!("triage_80x24", small);
    let large = text(&draw(&app, 160, 48));
    assert!(large.contains("v-broken"), "{large}");
    insta::assert_snapshot!("triage_160x48", large);
    // Tab: the keys pick an instance; its row is marked and spelled out under the findings.
    for k in [KeyCode::Tab, KeyCode::Down] {
        let fx = key(&mut app, &cloud, k);
        drive(&mut app, &cloud, fx).await;
    }
    let picked = text(&draw(&app, 80, 24));
    assert!(
        picked.contains("Enter: its 5xx in the logs pane"),
        "{picked}"
    );
    assert_eq!(picked.matches("▶ i-0").count(), 1, "{picked}");
    insta::assert_snapshot!("triage_instance_picked_80x24", picked);
}

/// `:journal`'s list of environments AWS no longer lists, at 80x24.
#[tokio::test]
async fn journal_list_80x24() {
    use ebtui::app::modal::Modal;
    use ebtui::journal::KnownEnv;
    let (mut app, cloud) = bad_deploy_app().await;
    let mut gone = app.account.envs.all[0].clone();
    gone.env.name = "storefront-canary".into();
    gone.env.id = "e-canary01".into();
    gone.status = ebtui::domain::EnvStatus::Terminated;
    let now = cloud.now();
    app.view.modal = Some(Modal::Journal {
        gone: Some(vec![KnownEnv {
            env: gone,
            first_seen: now - 5 * 3_600_000,
            last_seen: now - 4 * 3_600_000,
            terminated: true,
        }]),
        cursor: 0,
    });
    let screen = text(&draw(&app, 80, 24));
    assert!(screen.contains("storefront-canary"), "{screen}");
    insta::assert_snapshot!("journal_list_80x24", screen);
}
