import { sleep } from './timeScale';

/** An in-memory cloud with realistic latencies: EC2 (instances, security groups) and ELBv2. */
export interface CloudOptions {
  /**
   * The incident switch: ELBv2 is eventually consistent, and DescribeTargetGroups does not yet
   * list a target group that was just created.
   */
  eventuallyConsistentElb?: boolean;
}

export interface Instance {
  InstanceId: string;
  State: 'pending' | 'running';
  launchedAt: number;
}

export interface TargetGroup {
  TargetGroupArn: string;
  Name: string;
  targets: string[];
}

export class SimulatedCloud {
  readonly ec2 = new Ec2(this);
  readonly elbv2 = new Elbv2(this);
  private nextId = 1;
  constructor(readonly options: CloudOptions = {}) {}
  id(prefix: string): string {
    return `${prefix}-${(this.nextId++).toString(16).padStart(8, '0')}`;
  }
}

export class Ec2 {
  readonly securityGroups = new Map<string, { GroupId: string; ingress: string[]; egress: string[] }>();
  readonly instances = new Map<string, Instance>();
  constructor(private readonly cloud: SimulatedCloud) {}

  async createSecurityGroup(req: { GroupName: string }): Promise<{ GroupId: string }> {
    await sleep(120);
    const GroupId = this.cloud.id('sg');
    this.securityGroups.set(req.GroupName, { GroupId, ingress: [], egress: [] });
    return { GroupId };
  }

  async authorizeSecurityGroupIngress(req: { GroupName: string; Rule: string }): Promise<{ Return: boolean }> {
    await sleep(90);
    this.group(req.GroupName).ingress.push(req.Rule);
    return { Return: true };
  }

  async authorizeSecurityGroupEgress(req: { GroupName: string; Rule: string }): Promise<{ Return: boolean }> {
    await sleep(90);
    this.group(req.GroupName).egress.push(req.Rule);
    return { Return: true };
  }

  async runInstances(req: { Count: number; GroupName: string }): Promise<{ InstanceIds: string[] }> {
    await sleep(300);
    this.group(req.GroupName);
    const ids: string[] = [];
    for (let i = 0; i < req.Count; i++) {
      const InstanceId = this.cloud.id('i');
      this.instances.set(InstanceId, { InstanceId, State: 'pending', launchedAt: Date.now() });
      ids.push(InstanceId);
    }
    return { InstanceIds: ids };
  }

  async describeInstances(): Promise<{ Instances: Array<{ InstanceId: string; State: string }> }> {
    await sleep(70);
    for (const inst of this.instances.values()) if (inst.State === 'pending') inst.State = 'running';
    return { Instances: [...this.instances.values()].map((i) => ({ InstanceId: i.InstanceId, State: i.State })) };
  }

  private group(name: string) {
    const g = this.securityGroups.get(name);
    if (!g) throw new Error(`InvalidGroup.NotFound: security group ${name} does not exist`);
    return g;
  }
}

export class Elbv2 {
  readonly loadBalancers = new Map<string, { LoadBalancerArn: string; targetGroup: TargetGroup }>();
  constructor(private readonly cloud: SimulatedCloud) {}

  async createLoadBalancer(req: { Name: string }): Promise<{ LoadBalancerArn: string; TargetGroupArn: string }> {
    await sleep(800);
    const LoadBalancerArn = `arn:aws:elasticloadbalancing:lb/${this.cloud.id('lb')}`;
    const targetGroup: TargetGroup = { TargetGroupArn: `arn:aws:elasticloadbalancing:tg/${this.cloud.id('tg')}`, Name: `${req.Name}-tg`, targets: [] };
    this.loadBalancers.set(req.Name, { LoadBalancerArn, targetGroup });
    return { LoadBalancerArn, TargetGroupArn: targetGroup.TargetGroupArn };
  }

  async describeTargetGroups(req: { LoadBalancerName: string }): Promise<{ TargetGroups: Array<{ TargetGroupArn: string; Name: string }> }> {
    await sleep(80);
    const lb = this.loadBalancers.get(req.LoadBalancerName);
    if (!lb || this.cloud.options.eventuallyConsistentElb) return { TargetGroups: [] };
    return { TargetGroups: [{ TargetGroupArn: lb.targetGroup.TargetGroupArn, Name: lb.targetGroup.Name }] };
  }

  async registerTargets(req: { TargetGroupArn: string; Targets: string[] }): Promise<Record<string, never>> {
    await sleep(150);
    for (const lb of this.loadBalancers.values()) {
      if (lb.targetGroup.TargetGroupArn === req.TargetGroupArn) {
        lb.targetGroup.targets.push(...req.Targets);
        return {};
      }
    }
    throw new Error(`TargetGroupNotFound: ${req.TargetGroupArn}`);
  }
}
