//! Stack events: the conventional stack names, nested and immutable stacks, discovery by tag,
//! the cursor and the cache.

use aws_sdk_cloudformation::operation::describe_stack_events::{
    DescribeStackEventsError, DescribeStackEventsOutput,
};
use aws_sdk_cloudformation::operation::describe_stack_resources::DescribeStackResourcesOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::types::{ResourceStatus, Stack, StackResource, Tag};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;

use super::*;
const MAIN_ARN: &str = "arn:aws:cloudformation:us-east-1:1:stack/awseb-e-abc-stack/1111";
const NESTED_ARN: &str = "arn:aws:cloudformation:us-east-1:1:stack/awseb-e-abc-stack-Net-X/2222";

fn stack_ev(
    id: &str,
    secs: i64,
    stack: &str,
    stack_id: &str,
    logical: &str,
    kind: &str,
    physical: &str,
) -> aws_sdk_cloudformation::types::StackEvent {
    aws_sdk_cloudformation::types::StackEvent::builder()
        .event_id(id)
        .timestamp(DateTime::from_secs(secs))
        .stack_name(stack)
        .stack_id(stack_id)
        .logical_resource_id(logical)
        .resource_type(kind)
        .physical_resource_id(physical)
        .resource_status(ResourceStatus::UpdateComplete)
        .build()
}

fn missing_stack(name: &'static str) -> Rule {
    mock!(Cfn::describe_stack_events)
        .match_requests(move |r| r.stack_name() == Some(name))
        .then_error(move || {
            DescribeStackEventsError::generic(meta(
                "ValidationError",
                &format!("Stack with id {name} does not exist"),
            ))
        })
}

#[tokio::test]
async fn stack_events_of_main_nested_and_immutable_stacks_since_a_cursor() {
    // Newest first, with an event older than the cursor on page 1: page 2 must not be asked for.
    let main = mock!(Cfn::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some("awseb-e-abc-stack") && r.next_token().is_none())
        .then_output(|| {
            DescribeStackEventsOutput::builder()
                .stack_events(stack_ev(
                    "m3",
                    300,
                    "awseb-e-abc-stack",
                    MAIN_ARN,
                    "awseb-e-abc-stack",
                    "AWS::CloudFormation::Stack",
                    MAIN_ARN,
                ))
                .stack_events(stack_ev(
                    "m2",
                    200,
                    "awseb-e-abc-stack",
                    MAIN_ARN,
                    "Net",
                    "AWS::CloudFormation::Stack",
                    NESTED_ARN,
                ))
                .stack_events(stack_ev(
                    "m1",
                    50,
                    "awseb-e-abc-stack",
                    MAIN_ARN,
                    "Old",
                    "AWS::EC2::SecurityGroup",
                    "sg-1",
                ))
                .next_token("older")
                .build()
        });
    let resources = mock!(Cfn::describe_stack_resources)
        .match_requests(|r| r.stack_name() == Some("awseb-e-abc-stack"))
        .then_output(|| {
            DescribeStackResourcesOutput::builder()
                .stack_resources(
                    StackResource::builder()
                        .logical_resource_id("Net")
                        .resource_type("AWS::CloudFormation::Stack")
                        .physical_resource_id(NESTED_ARN)
                        .build(),
                )
                .build()
        });
    let nested = mock!(Cfn::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some(NESTED_ARN))
        .then_output(|| {
            DescribeStackEventsOutput::builder()
                .stack_events(stack_ev(
                    "n1",
                    250,
                    "awseb-e-abc-stack-Net-X",
                    NESTED_ARN,
                    "Subnet",
                    "AWS::EC2::Subnet",
                    "subnet-1",
                ))
                .build()
        });
    let immutable = missing_stack("awseb-e-abc-immutable-stack");
    let cloud = cloud(&[], &[&main, &resources, &nested, &immutable]);
    let events = cloud
        .stack_events(&env("prod", "e-abc"), Some(100_000))
        .await
        .expect("stack events");
    let ids: Vec<_> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        ["m2", "n1", "m3"],
        "oldest first, only at or after the cursor"
    );
    assert_eq!(events[1].stack, "awseb-e-abc-stack-Net-X");
    assert_eq!(events[1].status, "UPDATE_COMPLETE");
    // main, its resources, nested, immutable (missing).
    assert_eq!(cloud.api_calls(), 4);
    // Resolved once: the next read skips DescribeStackResources, and the immutable stack is
    // looked for again only after a minute.
    cloud
        .stack_events(&env("prod", "e-abc"), Some(100_000))
        .await
        .expect("again");
    assert_eq!(cloud.api_calls(), 6, "main and nested only");
}

#[tokio::test]
async fn stacks_are_found_by_tag_only_when_the_environment_id_is_unknown() {
    // An emulator reports no environment id, and no DescribeEnvironmentResources (HTTP 500).
    let resources_unknown = mock!(Eb::describe_environment_resources)
        .match_requests(|r| r.environment_name() == Some("prod") && r.environment_id().is_none())
        .then_http_response(|| {
            HttpResponse::new(
                StatusCode::try_from(500).expect("status"),
                SdkBody::from("<html>not implemented</html>"),
            )
        });
    let tagged = |name: &str, env_name: &str| {
        Stack::builder()
            .stack_name(name)
            .tags(
                Tag::builder()
                    .key("elasticbeanstalk:environment-name")
                    .value(env_name)
                    .build(),
            )
            .build()
    };
    let page1 = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.next_token().is_none())
        .then_output(move || {
            DescribeStacksOutput::builder()
                .stacks(tagged("someone-elses", "stage"))
                .next_token("s2")
                .build()
        });
    let page2 = mock!(Cfn::describe_stacks)
        .match_requests(|r| r.next_token() == Some("s2"))
        .then_output(move || {
            DescribeStacksOutput::builder()
                .stacks(tagged("custom-prod", "prod"))
                .build()
        });
    let resources = mock!(Cfn::describe_stack_resources)
        .then_output(|| DescribeStackResourcesOutput::builder().build());
    let events = mock!(Cfn::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some("custom-prod"))
        .then_output(|| {
            let arn = "arn:aws:cloudformation:us-east-1:1:stack/custom-prod/3";
            DescribeStackEventsOutput::builder()
                .stack_events(stack_ev(
                    "c2",
                    20,
                    "custom-prod",
                    arn,
                    "custom-prod",
                    "AWS::CloudFormation::Stack",
                    arn,
                ))
                .stack_events(stack_ev(
                    "c1",
                    10,
                    "custom-prod",
                    arn,
                    "Queue",
                    "AWS::SQS::Queue",
                    "q",
                ))
                .build()
        });
    let cloud = cloud(
        &[&resources_unknown],
        &[&page1, &page2, &resources, &events],
    );
    let prod = env("prod", "");
    let got = cloud.stack_events(&prod, None).await.expect("stack events");
    let ids: Vec<_> = got.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert!(got.iter().all(|e| e.stack == "custom-prod"));
    // environment resources (refused), 2 pages of stacks, nested resources, events; no
    // conventional or immutable name without an id.
    assert_eq!(cloud.api_calls(), 5);
    cloud.stack_events(&prod, None).await.expect("cached");
    assert_eq!(cloud.api_calls(), 6, "cached: the stack's events only");
}

fn env_resources(asg: Option<&'static str>) -> Rule {
    use aws_sdk_elasticbeanstalk::operation::describe_environment_resources::DescribeEnvironmentResourcesOutput;
    use aws_sdk_elasticbeanstalk::types::{AutoScalingGroup, EnvironmentResourceDescription};
    mock!(Eb::describe_environment_resources)
        .match_requests(|r| r.environment_id().is_some())
        .then_output(move || {
            let mut resources = EnvironmentResourceDescription::builder().environment_name("prod");
            if let Some(asg) = asg {
                resources =
                    resources.auto_scaling_groups(AutoScalingGroup::builder().name(asg).build());
            }
            DescribeEnvironmentResourcesOutput::builder()
                .environment_resources(resources.build())
                .build()
        })
}

#[tokio::test]
async fn a_launching_environment_costs_two_calls_and_never_a_region_scan() {
    // The id is known, the stack does not exist yet, the environment has no resources yet.
    // No DescribeStacks rule: a scan of the region would panic the mocked client.
    let conventional = missing_stack("awseb-e-new-stack");
    let resources = env_resources(None);
    let cloud = cloud(&[&resources], &[&conventional]);
    let launching = env("prod", "e-new");
    let got = cloud
        .stack_events(&launching, None)
        .await
        .expect("no stack yet");
    assert!(got.is_empty());
    assert_eq!(
        cloud.api_calls(),
        2,
        "conventional name, environment resources"
    );
    // Asked again only after two minutes.
    let got = cloud.stack_events(&launching, None).await.expect("cached");
    assert!(got.is_empty());
    assert_eq!(cloud.api_calls(), 2);
}

#[tokio::test]
async fn a_stack_is_found_by_the_resource_it_owns() {
    const ASG: &str = "awseb-e-odd-AWSEBAutoScalingGroup-ABC";
    let conventional = missing_stack("awseb-e-odd-stack");
    let immutable = missing_stack("awseb-e-odd-immutable-stack");
    let resources = env_resources(Some(ASG));
    let owner = mock!(Cfn::describe_stack_resources)
        .match_requests(|r| r.physical_resource_id() == Some(ASG) && r.stack_name().is_none())
        .then_output(|| {
            DescribeStackResourcesOutput::builder()
                .stack_resources(
                    StackResource::builder()
                        .stack_name("renamed-stack")
                        .logical_resource_id("AWSEBAutoScalingGroup")
                        .resource_type("AWS::AutoScaling::AutoScalingGroup")
                        .physical_resource_id(ASG)
                        .build(),
                )
                .build()
        });
    let nested = mock!(Cfn::describe_stack_resources)
        .match_requests(|r| r.stack_name() == Some("renamed-stack"))
        .then_output(|| DescribeStackResourcesOutput::builder().build());
    let events = mock!(Cfn::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some("renamed-stack"))
        .then_output(|| {
            let arn = "arn:aws:cloudformation:us-east-1:1:stack/renamed-stack/4";
            DescribeStackEventsOutput::builder()
                .stack_events(stack_ev(
                    "r1",
                    10,
                    "renamed-stack",
                    arn,
                    "AWSEBAutoScalingGroup",
                    "AWS::AutoScaling::AutoScalingGroup",
                    ASG,
                ))
                .build()
        });
    let cloud = cloud(
        &[&resources],
        &[&conventional, &immutable, &owner, &nested, &events],
    );
    let prod = env("prod", "e-odd");
    let got = cloud.stack_events(&prod, None).await.expect("stack events");
    assert_eq!(
        got.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["r1"]
    );
    // conventional (missing), environment resources, the owner of the ASG, nested resources,
    // events, immutable (missing).
    assert_eq!(cloud.api_calls(), 6);
    assert_eq!(owner.num_calls(), 1);
}

#[tokio::test]
async fn the_immutable_stack_is_found_once_then_read_until_it_is_gone() {
    const IMM: &str = "awseb-e-abc-immutable-stack";
    const IMM_ARN: &str = "arn:aws:cloudformation:us-east-1:1:stack/awseb-e-abc-immutable-stack/5";
    let main = mock!(Cfn::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some("awseb-e-abc-stack"))
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let resources = mock!(Cfn::describe_stack_resources)
        .then_output(|| DescribeStackResourcesOutput::builder().build());
    let imm_event = || {
        stack_ev(
            "i1",
            100,
            IMM,
            IMM_ARN,
            "AWSEBAutoScalingGroup",
            "AWS::AutoScaling::AutoScalingGroup",
            "asg-tmp",
        )
    };
    let immutable = mock!(Cfn::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some(IMM))
        .sequence()
        .output(move || {
            DescribeStackEventsOutput::builder()
                .stack_events(imm_event())
                .build()
        })
        .output(|| DescribeStackEventsOutput::builder().build())
        .error(|| {
            DescribeStackEventsError::generic(meta(
                "ValidationError",
                &format!("Stack with id {IMM} does not exist"),
            ))
        })
        .build();
    let cloud = cloud_with(RuleMode::MatchAny, 1, &[], &[&main, &resources, &immutable]);
    let prod = env("prod", "e-abc");
    // The immutable stack appeared 30 s before the cursor (found up to a minute late): its
    // events are kept.
    let got = cloud
        .stack_events(&prod, Some(130_000))
        .await
        .expect("found");
    assert_eq!(
        got.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["i1"]
    );
    assert_eq!(
        cloud.api_calls(),
        3,
        "main, its resources, the immutable probe"
    );
    // Cached: read with the main stack on every poll.
    cloud
        .stack_events(&prod, Some(130_000))
        .await
        .expect("cached");
    assert_eq!(cloud.api_calls(), 5);
    // Gone: dropped from the cache, not looked for again within the minute.
    cloud
        .stack_events(&prod, Some(130_000))
        .await
        .expect("gone");
    assert_eq!(cloud.api_calls(), 7);
    cloud
        .stack_events(&prod, Some(130_000))
        .await
        .expect("main only");
    assert_eq!(cloud.api_calls(), 8);
    assert_eq!(immutable.num_calls(), 3);
}
