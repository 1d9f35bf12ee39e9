//! Property values never reach the journal. The app runs against the simulated account with a
//! journal file, reads billing-prod's configuration (which holds a database URL and a Sentry DSN
//! as property values), a configuration change sets a new secret value, and the app reads the
//! configuration again; then the file (and its write-ahead log) is searched byte for byte for
//! every value, while the names of what it must hold are found in it.

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ebtui::app::keymap::KeyMap;
use ebtui::app::{App, Effect, Msg, Settings, update};
use ebtui::cloud::sim::{Scenario, SimCloud};
use ebtui::cloud::{Cloud, Op, answer};
use ebtui::domain::{Millis, OptionSetting};
use ebtui::journal::{Journal, JournalHandle, Location};

const START: Millis = 1_795_515_300_000;
const PROPERTIES: &str = "aws:elasticbeanstalk:application:environment";
const NEW_SECRET: &str = "s3cr3t-Zq9-never-in-the-journal";

/// Runs `msg` and everything it leads to: reads answered by the simulator, records handed to
/// the journal, writes carried out; streams and files are not part of this story.
async fn drive(app: &mut App, cloud: &SimCloud, journal: &JournalHandle, msg: Msg) {
    let mut queue: VecDeque<Effect> = update(app, msg, cloud.now()).into();
    while let Some(effect) = queue.pop_front() {
        let epoch = app.account.epoch;
        let next = match effect {
            Effect::Poll(request) => Some(Msg::Cloud {
                epoch,
                reply: answer(cloud, request).await,
            }),
            Effect::Journal(batch) => {
                journal.write(batch);
                None
            }
            Effect::Execute { op_id, op } => Some(Msg::OpDone {
                epoch,
                op_id,
                result: cloud.execute(&op).await,
            }),
            _ => None,
        };
        if let Some(m) = next {
            queue.extend(update(app, m, cloud.now()));
        }
    }
}

async fn keys(app: &mut App, cloud: &SimCloud, journal: &JournalHandle, text: &str) {
    for c in text.chars() {
        let code = match c {
            '\r' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            c => KeyCode::Char(c),
        };
        app.drawn();
        drive(
            app,
            cloud,
            journal,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        )
        .await;
    }
}

async fn ticks(app: &mut App, cloud: &SimCloud, journal: &JournalHandle, ms: Millis) {
    let mut done = 0;
    while done < ms {
        cloud.advance(1_000);
        done += 1_000;
        drive(app, cloud, journal, Msg::Tick).await;
    }
}

#[tokio::test]
async fn property_values_never_reach_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let (journal, _) = Journal::open(Location::File(path.clone()), 64 << 20).unwrap();
    let journal = journal.start(Box::new(|_| {}));
    let cloud = SimCloud::manual(Scenario::Steady, 42, START);
    let settings = Settings {
        journal: true,
        ..Settings::default()
    };
    let mut app = App::new(settings, KeyMap::default(), cloud.context(), cloud.now());

    ticks(&mut app, &cloud, &journal, 20_000).await;
    keys(&mut app, &cloud, &journal, ":env billing-prod\r").await;
    keys(&mut app, &cloud, &journal, "E").await;
    ticks(&mut app, &cloud, &journal, 10_000).await;
    let key = app.account.selected.clone().unwrap();
    let values: Vec<String> = app
        .account
        .configs
        .get(&key)
        .expect("the configuration was read")
        .settings
        .iter()
        .filter(|s| s.namespace == PROPERTIES)
        .filter_map(|s| s.value.clone())
        .filter(|v| v.len() >= 8)
        .collect();
    assert!(
        values.iter().any(|v| v.starts_with("postgres://")),
        "{values:?}"
    );

    // A change that sets a new secret value (as the Config view's edit sends it).
    let env = app.selected_env().unwrap().env.clone();
    let op = Op::Configure {
        env,
        set: vec![OptionSetting {
            namespace: PROPERTIES.into(),
            name: "API_TOKEN".into(),
            value: Some(NEW_SECRET.into()),
        }],
        remove: Vec::new(),
        what: "properties (1 added, 0 changed, 0 removed)".into(),
    };
    cloud.execute(&op).await.expect("the change is accepted");
    ticks(&mut app, &cloud, &journal, 120_000).await;
    keys(&mut app, &cloud, &journal, "\x1b").await;
    keys(&mut app, &cloud, &journal, "E").await;
    ticks(&mut app, &cloud, &journal, 10_000).await;
    let now_set = app
        .account
        .configs
        .get(&key)
        .unwrap()
        .settings
        .iter()
        .any(|s| s.value.as_deref() == Some(NEW_SECRET));
    assert!(now_set, "the app read the new value back");
    journal.close();

    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("journal.sqlite-wal")) {
        bytes.extend(wal);
    }
    let holds = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    // The journal kept the story: the environment and its events are in it.
    assert!(
        holds("billing-prod"),
        "the journal holds nothing: the test proves nothing"
    );
    assert!(holds("Environment update"), "no event was kept");
    for v in values.iter().map(String::as_str).chain([NEW_SECRET]) {
        assert!(!holds(v), "a property value reached the journal: {v}");
    }
}
