//! EC2 capacity for an ECS cluster: a launch template with the ECS-optimised AMI (resolved from
//! its public SSM parameter when an instance launches, so planning needs no AWS call), IMDSv2
//! only, encrypted volumes and no public address; an Auto Scaling group, On-Demand or Spot;
//! and the capacity provider that lets ECS scale it. Also EC2 capacity reservations.

use super::super::Context;
use super::super::iam::Role;
use super::super::kms::KeyRef;
use super::super::networking::{Peer, Port, SecurityGroup, VpcRef};
use crate::prelude::*;

/// The ECS-optimised Amazon Linux 2023 AMI, resolved by EC2 at launch.
const ECS_AMI: &str = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

/// Instances an Auto Scaling group runs as ECS capacity.
#[derive(Debug, Clone)]
#[must_use]
pub struct Ec2Capacity {
    pub(super) key: String,
    pub(super) name: String,
    instance_types: Vec<String>,
    spot: bool,
    min: u16,
    max: u16,
    target_capacity: u8,
}

impl Ec2Capacity {
    /// Capacity provider `key` called `name` on `instance_types` (the first is the launch
    /// template's; Spot may use any), 0 to 10 instances, kept 100 % used by ECS.
    pub fn new<S: AsRef<str>>(key: impl Into<String>, name: impl Into<String>, instance_types: &[S]) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            instance_types: instance_types.iter().map(|t| t.as_ref().to_owned()).collect(),
            spot: false,
            min: 0,
            max: 10,
            target_capacity: 100,
        }
    }

    /// Spot instances: cheaper, reclaimed with two minutes' notice.
    pub fn spot(mut self) -> Self {
        self.spot = true;
        self
    }

    /// Fewest and most instances.
    pub fn instances(mut self, min: u16, max: u16) -> Self {
        self.min = min;
        self.max = max;
        self
    }

    /// How full ECS keeps the instances, percent (1-100).
    pub fn target_capacity(mut self, percent: u8) -> Self {
        self.target_capacity = percent;
        self
    }

    fn check(&self, stack: &mut Context, at: &str) {
        if self.instance_types.is_empty() {
            stack.problem(at, "no instance type", "give at least one, e.g. t3.medium");
        }
        if self.min > self.max {
            stack.problem(at, format!("min {} instances is above max {}", self.min, self.max), "swap the bounds");
        } else if self.max == 0 {
            stack.problem(at, "at most 0 instances", "allow at least one instance");
        }
        if !(1..=100).contains(&self.target_capacity) {
            let message = format!("target capacity {} % is outside 1-100", self.target_capacity);
            stack.problem(at, message, "use a percentage such as 100");
        }
    }

    /// Adds the launch template, group and capacity provider for cluster `cluster`; returns
    /// the provider's name.
    pub(super) fn add(&self, ctx: &mut Context, cluster: &str, key: &KeyRef, net: &VpcRef) -> Expr<String> {
        let (k, name) = (self.key.as_str(), self.name.as_str());
        let at = format!("aws_ecs_capacity_provider.{k}");
        self.check(ctx, &at);
        let role = Role::for_service(format!("{k}_instances"), format!("{name}-instances"), "ec2.amazonaws.com")
            .without_source_check()
            .managed_policy("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
            .managed_policy("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
            .build(ctx);
        let profile = ctx.add(
            Resource::new("aws_iam_instance_profile", k)
                .set("name", format!("{name}-instances"))
                .set("role", role.name),
        );
        // Instances reach ECS, ECR and S3 through NAT; nothing reaches them.
        let sg = SecurityGroup::new(format!("{k}_instances"), format!("{name}-instances"), "ECS container instances")
            .network(net)
            .build(ctx);
        sg.allow_out(ctx, Port::tcp(443), Peer::Internet, "HTTPS to ECS, ECR and AWS APIs");
        let user_data = format!(
            "#!/bin/bash\necho ECS_CLUSTER={cluster} >> /etc/ecs/ecs.config\necho ECS_ENABLE_SPOT_INSTANCE_DRAINING={} >> /etc/ecs/ecs.config\n",
            self.spot
        );
        let ebs = Body::new()
            .set("volume_size", 30)
            .set("volume_type", "gp3")
            .set("encrypted", true)
            .set("kms_key_id", key.arn.clone())
            .set("delete_on_termination", true);
        let template = ctx.add(
            Resource::new("aws_launch_template", k)
                .set("name", name)
                .set("image_id", ECS_AMI)
                .set("instance_type", self.instance_types.first().cloned().unwrap_or_default())
                .set("update_default_version", true)
                .set("user_data", call::<String>("base64encode", [Expression::from(user_data)]))
                .set("vpc_security_group_ids", vec![sg.id.clone()])
                .block("iam_instance_profile", Body::new().set("arn", profile.arn()))
                .block(
                    "metadata_options",
                    Body::new()
                        .set("http_endpoint", "enabled")
                        .set("http_tokens", "required")
                        // Tasks run in awsvpc mode and get credentials from the ECS agent, so
                        // no container needs the extra hop to reach instance metadata.
                        .set("http_put_response_hop_limit", 1),
                )
                .block("block_device_mappings", Body::new().set("device_name", "/dev/xvda").block("ebs", ebs))
                .block("monitoring", Body::new().set("enabled", true)),
        );
        let spec = Body::new().set("launch_template_id", template.id()).set("version", "$Latest");
        let mut group = Resource::new("aws_autoscaling_group", k)
            .set("name", name)
            .set("min_size", self.min)
            .set("max_size", self.max)
            .set("vpc_zone_identifier", net.private_subnets.0.clone())
            .set("protect_from_scale_in", false)
            .set("capacity_rebalance", self.spot)
            .set("health_check_type", "EC2")
            .block(
                "tag",
                Body::new().set("key", "AmazonECSManaged").set("value", "true").set("propagate_at_launch", true),
            )
            // ECS scales the group through the capacity provider.
            .ignore_changes(["desired_capacity"]);
        group = if self.spot {
            let overrides = self.instance_types.iter().map(|t| Body::new().set("instance_type", t.as_str()));
            let distribution = Body::new()
                .set("on_demand_base_capacity", 0)
                .set("on_demand_percentage_above_base_capacity", 0)
                .set("spot_allocation_strategy", "price-capacity-optimized");
            let launch = Body::new().block("launch_template_specification", spec).blocks("override", overrides);
            group.block(
                "mixed_instances_policy",
                Body::new().block("instances_distribution", distribution).block("launch_template", launch),
            )
        } else {
            group.block("launch_template", Body::new().set("id", template.id()).set("version", "$Latest"))
        };
        let group = ctx.add(group);
        let scaling = Body::new()
            .set("status", "ENABLED")
            .set("target_capacity", self.target_capacity)
            .set("minimum_scaling_step_size", 1)
            .set("maximum_scaling_step_size", 10);
        let provider = ctx.add(
            Resource::new("aws_ecs_capacity_provider", k).set("name", name).block(
                "auto_scaling_group_provider",
                Body::new()
                    .set("auto_scaling_group_arn", group.arn())
                    .set("managed_termination_protection", "DISABLED")
                    .block("managed_scaling", scaling),
            ),
        );
        provider.attr("name").typed()
    }
}

/// A capacity reservation, for what launches into it.
#[derive(Debug, Clone)]
pub struct CapacityReservationRef {
    /// The reservation id, what a launch template's `capacity_reservation_target` takes.
    pub id: Expr<String>,
    /// The reservation ARN.
    pub arn: Expr<String>,
    /// The reservation itself.
    pub resource: Ref,
}

/// EC2 capacity held for a baseline of instances (seed 000), in one availability zone.
#[derive(Debug, Clone)]
#[must_use = "a reservation does nothing until built into a stack"]
pub struct CapacityReservation {
    key: String,
    instance_type: String,
    availability_zone: String,
    count: u16,
}

impl CapacityReservation {
    /// Reservation `key` of `count` Linux `instance_type` instances in `availability_zone`.
    pub fn new(
        key: impl Into<String>,
        instance_type: impl Into<String>,
        availability_zone: impl Into<String>,
        count: u16,
    ) -> Self {
        Self {
            key: key.into(),
            instance_type: instance_type.into(),
            availability_zone: availability_zone.into(),
            count,
        }
    }

    /// Adds the reservation.
    pub fn build(self, ctx: &mut Context) -> CapacityReservationRef {
        ctx.within("compute", |ctx| {
            if self.count == 0 {
                let at = format!("aws_ec2_capacity_reservation.{}", self.key);
                ctx.problem_at(at, "instance_count", "a reservation of no instance", "reserve at least one");
            }
            let reservation = ctx.add(
                Resource::new("aws_ec2_capacity_reservation", &self.key)
                    .set("instance_type", self.instance_type)
                    .set("instance_platform", "Linux/UNIX")
                    .set("availability_zone", self.availability_zone)
                    .set("instance_count", self.count)
                    .set("ebs_optimized", true)
                    .set("end_date_type", "unlimited"),
            );
            CapacityReservationRef { id: reservation.id(), arn: reservation.arn(), resource: reservation }
        })
    }
}
