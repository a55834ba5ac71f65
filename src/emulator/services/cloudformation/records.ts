// What CloudFormation keeps about a stack (persisted as is) and what a deployment computes before it runs.
import type { Properties, ProvisionedResource } from './resources.js';
import type { Template } from './template.js';

export const STACK_RESOURCE_TYPE = 'AWS::CloudFormation::Stack';

export interface StackEventRecord {
  EventId: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: number;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ResourceProperties?: string;
  ClientRequestToken?: string;
}

export interface StackResourceRecord {
  LogicalResourceId: string;
  ResourceType: string;
  PhysicalResourceId?: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  Timestamp: number;
  /** The resolved properties it was last provisioned with: the "before" side of every diff. */
  properties?: Properties;
  attributes?: Record<string, string>;
  DeletionPolicy?: string;
  Description?: string;
  Metadata?: string;
}

export interface StackOutputRecord {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

export interface StackRecord {
  StackId: string;
  StackName: string;
  StackStatus: string;
  StackStatusReason?: string;
  CreationTime: number;
  LastUpdatedTime?: number;
  DeletionTime?: number;
  Description?: string;
  templateBody: string;
  template?: Template;
  /** Parameter values as given or defaulted (strings; lists stay comma-joined). */
  parameters: Record<string, string>;
  Capabilities: string[];
  DisableRollback: boolean;
  Tags: Array<{ Key: string; Value: string }>;
  NotificationARNs: string[];
  RoleARN?: string;
  Outputs: StackOutputRecord[];
  resources: Record<string, StackResourceRecord>;
  /** Oldest first; DescribeStackEvents reverses. */
  events: StackEventRecord[];
  ChangeSetId?: string;
  /** Last event time, so every event gets a strictly later millisecond than the one before. */
  lastEventTime: number;
}

export interface ParameterInput {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

/** Everything computed from a template and its inputs before any resource is touched. */
export interface DeploymentPlan {
  template: Template;
  templateBody: string;
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
  /** Resources whose Condition holds, in creation order. */
  order: string[];
  dependencies: Record<string, string[]>;
}

export interface ResourceChange {
  Type: 'Resource';
  ResourceChange: {
    Action: 'Add' | 'Modify' | 'Remove';
    LogicalResourceId: string;
    PhysicalResourceId?: string;
    ResourceType: string;
    Replacement?: 'True' | 'False' | 'Conditional';
    Scope: string[];
    Details: Array<{
      Target: { Attribute: string; Name?: string; RequiresRecreation: 'Never' | 'Conditionally' | 'Always' };
      Evaluation: 'Static' | 'Dynamic';
      ChangeSource: string;
      CausingEntity?: string;
    }>;
  };
}

export interface ChangeSetRecord {
  ChangeSetId: string;
  ChangeSetName: string;
  StackId: string;
  StackName: string;
  ChangeSetType: 'CREATE' | 'UPDATE';
  Description?: string;
  CreationTime: number;
  Status: string;
  StatusReason?: string;
  ExecutionStatus: string;
  templateBody: string;
  template: Template;
  parameters: Record<string, string>;
  Capabilities: string[];
  Tags: Array<{ Key: string; Value: string }>;
  NotificationARNs: string[];
  RoleARN?: string;
  OnStackFailure?: string;
  Changes: ResourceChange[];
  /** Executed: gone from the stack's list and its name free again, yet still describable by ARN (docs/aws-semantics.md §6.2). */
  executed?: boolean;
}

/** A resource with a physical resource the stack still owns (not yet deleted, not skipped). */
export function isLive(record: StackResourceRecord | undefined): record is StackResourceRecord & { PhysicalResourceId: string } {
  return (
    record !== undefined &&
    record.PhysicalResourceId !== undefined &&
    record.PhysicalResourceId !== '' &&
    !['DELETE_COMPLETE', 'DELETE_SKIPPED'].includes(record.ResourceStatus)
  );
}

export function provisioned(record: StackResourceRecord): ProvisionedResource {
  return { physicalId: record.PhysicalResourceId ?? '', attributes: record.attributes ?? {} };
}
