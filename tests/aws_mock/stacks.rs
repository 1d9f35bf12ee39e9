//! Stack events: the conventional stack names, nested and immutable stacks, discovery by tag,
//! the cursor and the cache.

use aws_sdk_cloudformation::operation::describe_stack_events::{
    DescribeStackEventsError, DescribeStackEventsOutput,
};
use aws_sdk_cloudformation::operation::describe_stack_resources::DescribeStackResourcesOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::types::{ResourceStatus, Stack, StackResource, Tag};

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
    // Resolved once: the next read skips DescribeStackResources.
    cloud
        .stack_events(&env("prod", "e-abc"), Some(100_000))
        .await
        .expect("again");
    assert_eq!(cloud.api_calls(), 7);
}

#[tokio::test]
async fn stacks_are_found_by_tag_when_the_conventional_name_is_missing() {
    let conventional = missing_stack("awseb-e-gone-stack");
    let immutable = missing_stack("awseb-e-gone-immutable-stack");
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
        &[],
        &[
            &conventional,
            &immutable,
            &page1,
            &page2,
            &resources,
            &events,
        ],
    );
    let prod = env("prod", "e-gone");
    let got = cloud.stack_events(&prod, None).await.expect("stack events");
    let ids: Vec<_> = got.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert!(got.iter().all(|e| e.stack == "custom-prod"));
    // conventional (missing), 2 pages of stacks, resources, events, immutable (missing).
    assert_eq!(cloud.api_calls(), 6);
    cloud.stack_events(&prod, None).await.expect("cached");
    assert_eq!(
        cloud.api_calls(),
        8,
        "cached: the stack's events and the immutable check only"
    );
}
