import type { Plan, PlanContext, Procedure, StepContext } from 'instrument-first';
import { SimulatedCloud } from '../cloud/simulatedCloud';
import { cloudCall } from '../cloud/tracedCall';
import { sleep } from '../cloud/timeScale';

/** What the plan knows of the cluster it manages (a state file, in a real tool). */
interface ClusterState {
  readonly name: string;
  readonly size: number;
  readonly cloud: SimulatedCloud;
  instanceIds: string[];
  nodesRegistered: boolean;
}

class CreateSecurityGroup implements Procedure {
  readonly id = 'create_security_group';
  constructor(private readonly state: ClusterState) {}
  async do(ctx: StepContext): Promise<void> {
    const { GroupId } = await cloudCall(ctx, 'EC2', 'CreateSecurityGroup', { GroupName: this.state.name }, (r) =>
      this.state.cloud.ec2.createSecurityGroup(r),
    );
    ctx.span.setAttribute('ec2.group_id', GroupId);
  }
}

class ConfigureIngress implements Procedure {
  readonly id = 'configure_ingress';
  constructor(private readonly state: ClusterState) {}
  async do(ctx: StepContext): Promise<void> {
    for (const Rule of ['tcp/443 from 0.0.0.0/0', 'tcp/6443 from 10.0.0.0/16']) {
      await cloudCall(ctx, 'EC2', 'AuthorizeSecurityGroupIngress', { GroupName: this.state.name, Rule }, (r) =>
        this.state.cloud.ec2.authorizeSecurityGroupIngress(r),
      );
    }
  }
}

/** Deliberately uninstrumented: its span shows only timing, and its cloud call has no span. */
class ConfigureEgress implements Procedure {
  readonly id = 'configure_egress';
  constructor(private readonly state: ClusterState) {}
  async do(): Promise<void> {
    await this.state.cloud.ec2.authorizeSecurityGroupEgress({ GroupName: this.state.name, Rule: 'all to 0.0.0.0/0' });
  }
}

class CreateInstances implements Procedure {
  readonly id = 'create_instances';
  constructor(private readonly state: ClusterState) {}
  async do(ctx: StepContext): Promise<Procedure[]> {
    const missing = this.state.size - this.state.instanceIds.length;
    const { InstanceIds } = await cloudCall(ctx, 'EC2', 'RunInstances', { Count: missing, GroupName: this.state.name }, (r) =>
      this.state.cloud.ec2.runInstances(r),
    );
    this.state.instanceIds.push(...InstanceIds);
    ctx.span.setAttribute('ec2.instance_count', InstanceIds.length);
    ctx.log.info('instances requested', { count: InstanceIds.length });
    return [new WaitForInstances(this.state)];
  }
}

class WaitForInstances implements Procedure {
  readonly id = 'wait_for_instances';
  constructor(private readonly state: ClusterState) {}
  async do(ctx: StepContext): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await sleep(500);
      const { Instances } = await cloudCall(ctx, 'EC2', 'DescribeInstances', {}, () => this.state.cloud.ec2.describeInstances());
      const running = Instances.filter((i) => i.State === 'running').length;
      ctx.span.addEvent('poll', { attempt, running });
      if (running >= this.state.size) return;
    }
  }
}

class CreateLoadBalancer implements Procedure {
  readonly id = 'create_load_balancer';
  constructor(private readonly state: ClusterState) {}
  async do(ctx: StepContext): Promise<void> {
    const res = await cloudCall(ctx, 'ELBv2', 'CreateLoadBalancer', { Name: this.state.name }, (r) => this.state.cloud.elbv2.createLoadBalancer(r));
    ctx.span.setAttribute('elbv2.load_balancer_arn', res.LoadBalancerArn);
  }
}

/**
 * One EC2 call for the instance ids, two ELBv2 calls: find the target group, register the nodes.
 * The catch below is the incident of the source article: when the target group is not listed yet
 * the error is swallowed, the nodes are never registered, and nothing reports a failure.
 */
class RegisterClusterNodeToLb implements Procedure {
  readonly id = 'register_cluster_node_to_lb';
  constructor(private readonly state: ClusterState) {}
  async do(ctx: StepContext): Promise<void> {
    const { Instances } = await cloudCall(ctx, 'EC2', 'DescribeInstances', {}, () => this.state.cloud.ec2.describeInstances());
    const ids = Instances.map((i) => i.InstanceId);
    try {
      const { TargetGroups } = await cloudCall(ctx, 'ELBv2', 'DescribeTargetGroups', { LoadBalancerName: this.state.name }, (r) =>
        this.state.cloud.elbv2.describeTargetGroups(r),
      );
      const arn = TargetGroups[0]!.TargetGroupArn;
      await cloudCall(ctx, 'ELBv2', 'RegisterTargets', { TargetGroupArn: arn, Targets: ids }, (r) => this.state.cloud.elbv2.registerTargets(r));
      ctx.span.setAttribute('elbv2.registered_targets', ids.length);
    } catch {
      // the target group will show up later; registration is retried by the next deploy
    }
    this.state.nodesRegistered = true;
  }
}

/** Creates a cluster: security group and its rules, instances, a load balancer, and registration. */
class CreateClusterPlan implements Plan {
  readonly name: string;
  private readonly state: ClusterState;
  constructor(name: string, options: { fault?: boolean } = {}) {
    this.name = name;
    this.state = {
      name: 'demo-cluster',
      size: 3,
      cloud: new SimulatedCloud({ eventuallyConsistentElb: options.fault === true }),
      instanceIds: [],
      nodesRegistered: false,
    };
  }

  create(ctx: PlanContext): Procedure[] {
    const { cloud } = this.state;
    const steps: Procedure[] = [];
    const group = cloud.ec2.securityGroups.get(this.state.name);
    if (!group) steps.push(new CreateSecurityGroup(this.state));
    if (!group || group.ingress.length === 0) steps.push(new ConfigureIngress(this.state));
    if (!group || group.egress.length === 0) steps.push(new ConfigureEgress(this.state));
    if (this.state.instanceIds.length < this.state.size) steps.push(new CreateInstances(this.state));
    if (!cloud.elbv2.loadBalancers.has(this.state.name)) steps.push(new CreateLoadBalancer(this.state));
    if (!this.state.nodesRegistered) steps.push(new RegisterClusterNodeToLb(this.state));
    ctx.log.info('planned', { steps: steps.length });
    return steps;
  }
}

/** The good run: converges in two passes with every node registered. */
const createCluster: Plan = new CreateClusterPlan('create-cluster');
export default createCluster;

/** The incident: also "converges", but register_cluster_node_to_lb makes one ELBv2 call instead of two. */
export const createClusterFaulty: Plan = new CreateClusterPlan('create-cluster', { fault: true });
