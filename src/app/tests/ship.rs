//! Deploying the code in a directory: refusals before anything is zipped, the dialog, the label
//! check, the three writes in order through the write gate, cancel, and failures.

use std::path::PathBuf;

use crossterm::event::KeyCode;

use super::super::modal::Modal;
use super::super::ship::Stage;
use super::super::{Effect, Msg, update};
use super::support::*;
use crate::bundle::{Bundle, Entry, Rules, Warning};
use crate::cloud::{
    BundleUpload, CloudError, Op, OpAccepted, PollKey, Request, S3Location, UploadProgress,
    Uploaded,
};
use crate::domain::EnvStatus;

fn bundle(label: &str) -> Bundle {
    Bundle {
        source: PathBuf::from("shop-api"),
        rules: Rules::EbIgnore,
        git: None,
        entries: vec![
            Entry {
                path: "Procfile".into(),
                size: 30,
                symlink: false,
            },
            Entry {
                path: "application.py".into(),
                size: 900,
                symlink: false,
            },
            Entry {
                path: ".env".into(),
                size: 40,
                symlink: false,
            },
        ],
        content_bytes: 970,
        zip: PathBuf::from("bundle.zip"),
        zip_bytes: 600,
        owned: true,
        label: label.into(),
        warnings: vec![Warning::Secret {
            path: ".env".into(),
        }],
    }
}

fn command(app: &mut super::super::App, line: &str) -> Vec<Effect> {
    key(app, ':');
    for c in line.chars() {
        key(app, c);
    }
    code(app, KeyCode::Enter)
}

fn bundled(app: &mut super::super::App, id: u64, b: Result<Bundle, String>) -> Vec<Effect> {
    let now = app.now;
    update(
        app,
        Msg::Bundled {
            ship: id,
            result: b,
        },
        now,
    )
}

fn done(
    app: &mut super::super::App,
    op_id: u64,
    result: Result<OpAccepted, CloudError>,
) -> Vec<Effect> {
    let now = app.now;
    update(
        app,
        Msg::OpDone {
            epoch: 0,
            op_id,
            result,
        },
        now,
    )
}

fn op_id(fx: &[Effect]) -> u64 {
    fx.iter()
        .find_map(|e| match e {
            Effect::Execute { op_id, .. } => Some(*op_id),
            _ => None,
        })
        .expect("a write")
}

/// `:deploy shop-api` up to the open dialog, the application's versions known.
fn reviewing(label: &str) -> super::super::App {
    let mut app = app_with(prod(), false);
    versions_arrive(&mut app, &["v1.4.4", "v1.4.3"]);
    let fx = command(&mut app, "deploy shop-api");
    assert!(
        fx.contains(&Effect::Bundle {
            ship: 1,
            path: PathBuf::from("shop-api")
        }),
        "{fx:?}"
    );
    assert!(matches!(app.view.modal, Some(Modal::Ship)));
    bundled(&mut app, 1, Ok(bundle(label)));
    app
}

#[test]
fn read_only_refuses_before_anything_is_zipped() {
    let mut app = app_with(prod(), true);
    let fx = command(&mut app, "deploy shop-api");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Bundle { .. })),
        "{fx:?}"
    );
    assert!(app.account.ship.is_none());
    let flash = app.view.flash.as_ref().expect("a reason").text.clone();
    assert!(flash.contains("read-only"), "{flash}");
}

#[test]
fn an_environment_that_is_not_ready_is_refused_before_bundling() {
    let mut envs = prod();
    envs[0].status = EnvStatus::Updating;
    let mut app = app_with(envs, false);
    let fx = command(&mut app, "deploy");
    assert!(!fx.iter().any(|e| matches!(e, Effect::Bundle { .. })));
    let flash = app.view.flash.as_ref().expect("a reason").text.clone();
    assert!(flash.contains("only to a Ready environment"), "{flash}");
}

#[test]
fn the_three_writes_go_in_order_each_after_the_last_was_accepted() {
    let mut app = reviewing("app-261130_101500");
    // Typed ahead before the dialog was drawn: nothing is sent.
    let fx = typed_ahead(&mut app, KeyCode::Enter);
    assert!(executed(&fx).is_empty(), "{fx:?}");

    let fx = code(&mut app, KeyCode::Enter);
    let upload = BundleUpload {
        app: "storefront".into(),
        label: "app-261130_101500".into(),
        file: PathBuf::from("bundle.zip"),
        size: 600,
    };
    assert_eq!(
        executed(&fx),
        vec![Op::UploadBundle {
            env: prod()[0].env.clone(),
            upload
        }]
    );
    let up = op_id(&fx);
    let now = app.now;
    update(
        &mut app,
        Msg::Uploading {
            epoch: 0,
            op_id: up,
            progress: UploadProgress {
                sent: 300,
                total: 600,
            },
        },
        now + 1_000,
    );
    let ship = app.account.ship.as_ref().unwrap();
    assert_eq!(ship.progress.map(|p| p.sent), Some(300));

    let source = S3Location {
        bucket: "elasticbeanstalk-us-east-1-123456789012".into(),
        key: "storefront/app-261130_101500.zip".into(),
    };
    let fx = done(
        &mut app,
        up,
        Ok(OpAccepted {
            request_id: None,
            uploaded: Some(Uploaded {
                location: source.clone(),
                existed: false,
            }),
        }),
    );
    match &executed(&fx)[..] {
        [
            Op::CreateVersion {
                label, source: s, ..
            },
        ] => {
            assert_eq!(label, "app-261130_101500");
            assert_eq!(s, &source);
        }
        other => panic!("{other:?}"),
    }
    let create = op_id(&fx);
    let fx = done(&mut app, create, Ok(OpAccepted::default()));
    assert_eq!(
        executed(&fx),
        vec![Op::Deploy {
            env: prod()[0].env.clone(),
            version: "app-261130_101500".into()
        }]
    );
    assert!(fx.contains(&Effect::Discard(PathBuf::from("bundle.zip"))));
    assert!(
        app.view.modal.is_none(),
        "the deploy is followed in the panes"
    );
    assert!(
        app.account
            .ops
            .iter()
            .any(|t| t.label == "Deploy app-261130_101500" && t.is_active())
    );
}

#[test]
fn a_label_that_exists_is_refused_with_the_reason() {
    let mut app = reviewing("v1.4.3");
    let fx = code(&mut app, KeyCode::Enter);
    assert!(executed(&fx).is_empty(), "{fx:?}");
    let problem = app.account.ship.as_ref().unwrap().problem.clone().unwrap();
    assert!(problem.contains("already exists"), "{problem}");
    // Editing the label clears the problem; the new one ships.
    code(&mut app, KeyCode::Char('b'));
    assert!(app.account.ship.as_ref().unwrap().problem.is_none());
    let fx = code(&mut app, KeyCode::Enter);
    match &executed(&fx)[..] {
        [Op::UploadBundle { upload, .. }] => assert_eq!(upload.label, "v1.4.3b"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_versions_fail_closed() {
    let mut app = app_with(prod(), false);
    command(&mut app, "deploy");
    bundled(&mut app, 1, Ok(bundle("app-1")));
    let fx = code(&mut app, KeyCode::Enter);
    assert!(executed(&fx).is_empty());
    let problem = app.account.ship.as_ref().unwrap().problem.clone().unwrap();
    assert!(problem.contains("still being read"), "{problem}");
}

#[test]
fn esc_during_the_upload_cancels_it_and_the_zip_goes() {
    let mut app = reviewing("app-2");
    let up = op_id(&code(&mut app, KeyCode::Enter));
    let fx = code(&mut app, KeyCode::Esc);
    assert_eq!(fx, vec![Effect::CancelUpload { op_id: up }]);
    let fx = done(
        &mut app,
        up,
        Err(CloudError::Cancelled(
            "upload cancelled; nothing was left in S3".into(),
        )),
    );
    assert!(executed(&fx).is_empty());
    assert!(fx.contains(&Effect::Discard(PathBuf::from("bundle.zip"))));
    let ship = app.account.ship.as_ref().unwrap();
    assert!(matches!(&ship.stage, Stage::Stopped(why) if why.contains("nothing was left")));
    // Esc closes the stopped dialog; a new deploy may start.
    code(&mut app, KeyCode::Esc);
    assert!(app.view.modal.is_none());
    let fx = command(&mut app, "deploy");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Bundle { ship: 2, .. }))
    );
}

#[test]
fn a_version_that_fails_processing_stops_with_elastic_beanstalks_reason() {
    let mut app = reviewing("app-3");
    let up = op_id(&code(&mut app, KeyCode::Enter));
    let fx = done(
        &mut app,
        up,
        Ok(OpAccepted {
            request_id: None,
            uploaded: Some(Uploaded::default()),
        }),
    );
    let create = op_id(&fx);
    let fx = done(
        &mut app,
        create,
        Err(CloudError::Other(
            "Unable to find a Procfile or application.py".into(),
        )),
    );
    assert!(executed(&fx).is_empty(), "nothing is deployed: {fx:?}");
    let ship = app.account.ship.as_ref().unwrap();
    assert!(
        matches!(&ship.stage, Stage::Stopped(why) if why.contains("app-3 was not created") && why.contains("Procfile")),
        "{:?}",
        ship.stage
    );
    assert!(matches!(app.view.modal, Some(Modal::Ship)));
}

#[test]
fn a_bundle_that_cannot_be_made_says_why_and_sends_nothing() {
    let mut app = app_with(prod(), false);
    command(&mut app, "deploy nowhere");
    let fx = bundled(
        &mut app,
        1,
        Err("nowhere does not exist: check the path".into()),
    );
    assert!(executed(&fx).is_empty());
    let ship = app.account.ship.as_ref().unwrap();
    assert!(matches!(&ship.stage, Stage::Stopped(why) if why.contains("does not exist")));
}

#[test]
fn a_bundle_for_a_ship_given_up_is_removed() {
    let mut app = app_with(prod(), false);
    command(&mut app, "deploy");
    code(&mut app, KeyCode::Esc);
    assert!(app.account.ship.is_none());
    let fx = bundled(&mut app, 1, Ok(bundle("app-4")));
    assert_eq!(fx, vec![Effect::Discard(PathBuf::from("bundle.zip"))]);
}

#[test]
fn the_deploy_picker_offers_the_code_in_the_app_dir_first() {
    let mut app = app_with(prod(), false);
    app.settings.app_dir = PathBuf::from("shop-api");
    versions_arrive(&mut app, &["v1.4.4"]);
    key(&mut app, 'D');
    code(&mut app, KeyCode::Up);
    let fx = code(&mut app, KeyCode::Enter);
    assert!(
        fx.contains(&Effect::Bundle {
            ship: 1,
            path: PathBuf::from("shop-api")
        }),
        "{fx:?}"
    );
    assert!(
        fx.contains(&Effect::Poll(Request::Versions {
            app: "storefront".into()
        })) || app
            .account
            .schedule
            .in_flight(&PollKey::Versions("storefront".into()))
    );
}

#[test]
fn a_failed_versions_read_is_named_and_nothing_ships() {
    let mut app = app_with(prod(), false);
    command(&mut app, "deploy");
    reply(
        &mut app,
        PollKey::Versions("storefront".into()),
        Err(CloudError::Other("HTTP 500 from the service".into())),
    );
    bundled(&mut app, 1, Ok(bundle("app-5")));
    let fx = code(&mut app, KeyCode::Enter);
    assert!(executed(&fx).is_empty(), "{fx:?}");
    let problem = app.account.ship.as_ref().unwrap().problem.clone().unwrap();
    assert!(
        problem.contains("versions failed (HTTP 500") && problem.contains("nothing was sent"),
        "{problem}"
    );
}

#[test]
fn a_bundle_of_the_old_account_is_not_taken_for_a_new_ship() {
    let mut app = app_with(prod(), false);
    versions_arrive(&mut app, &["v1.4.4"]);
    command(&mut app, "deploy old-dir");
    // `:region`: the old account's ship is given up while its bundle is still being made.
    let now = app.now;
    update(
        &mut app,
        Msg::Context {
            epoch: 1,
            result: Ok(crate::domain::CloudContext::default()),
        },
        now,
    );
    assert!(app.account.ship.is_none());
    reply(
        &mut app,
        PollKey::Environments,
        Ok(crate::cloud::Answer::Environments(prod())),
    );
    versions_arrive(&mut app, &["v1.4.4"]);
    let fx = command(&mut app, "deploy new-dir");
    let new_id = fx
        .iter()
        .find_map(|e| match e {
            Effect::Bundle { ship, .. } => Some(*ship),
            _ => None,
        })
        .expect("a bundle for the new ship");
    assert_ne!(new_id, 1, "a new ship has a new id");
    // The old ship's bundle arrives: removed, and the new dialog still waits for its own.
    let fx = bundled(&mut app, 1, Ok(bundle("app-old")));
    assert_eq!(fx, vec![Effect::Discard(PathBuf::from("bundle.zip"))]);
    let ship = app.account.ship.as_ref().unwrap();
    assert_eq!(ship.stage, Stage::Bundling);
    assert!(ship.bundle.is_none());
}

#[test]
fn a_second_bundle_never_resets_a_ship_under_way() {
    let mut app = reviewing("app-6");
    let up = op_id(&code(&mut app, KeyCode::Enter));
    let mut late = bundle("app-late");
    late.zip = PathBuf::from("late.zip");
    let fx = bundled(&mut app, 1, Ok(late));
    assert_eq!(fx, vec![Effect::Discard(PathBuf::from("late.zip"))]);
    let ship = app.account.ship.as_ref().unwrap();
    assert_eq!(ship.stage, Stage::Uploading { op_id: up });
    assert_eq!(ship.label.value(), "app-6");
}

#[test]
fn scrolling_the_review_stops_at_its_end() {
    let mut app = reviewing("app-7");
    for _ in 0..50 {
        code(&mut app, KeyCode::Down);
    }
    // One warning (.env) and the summary's lines: never scrolled past them.
    let ship = app.account.ship.as_ref().unwrap();
    assert!(ship.scroll <= 6, "{}", ship.scroll);
    code(&mut app, KeyCode::Tab);
    for _ in 0..50 {
        code(&mut app, KeyCode::PageDown);
    }
    assert!(app.account.ship.as_ref().unwrap().scroll <= 3);
}

#[test]
fn a_path_with_spaces_is_deployed_whole() {
    let mut app = app_with(prod(), false);
    let fx = command(&mut app, "deploy  my projects/shop api ");
    assert!(
        fx.contains(&Effect::Bundle {
            ship: 1,
            path: PathBuf::from("my projects/shop api")
        }),
        "{fx:?}"
    );
}
