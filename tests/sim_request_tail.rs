//! The simulator accepts `Op::RequestTailLogs` like any write (its tail logs need no request, so
//! accepting is all it does), and refuses it for an environment it does not have.

use ebtui::cloud::sim::{Scenario, SimCloud};
use ebtui::cloud::{Cloud, CloudError, Op};
use ebtui::domain::EnvRef;

const START: i64 = 1_700_000_000_000;

#[tokio::test]
async fn request_tail_logs_is_accepted_for_an_environment_the_simulator_has() {
    let cloud = SimCloud::manual(Scenario::BadDeploy, 7, START);
    let envs = cloud.environments().await.expect("environments");
    let env = envs.first().expect("an environment").env.clone();
    let accepted = cloud
        .execute(&Op::RequestTailLogs { env })
        .await
        .expect("accepted");
    assert!(accepted.request_id.is_some());

    let ghost = EnvRef {
        app: "shop".into(),
        name: "ghost".into(),
        id: String::new(),
    };
    assert!(matches!(
        cloud.execute(&Op::RequestTailLogs { env: ghost }).await,
        Err(CloudError::NotFound(_))
    ));
}
