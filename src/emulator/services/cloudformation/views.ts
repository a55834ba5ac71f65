// The records as CloudFormation's API answers them: stacks, events, resources, change sets and their summaries, and
// a template's parameters and capabilities (NoEcho values masked, times as Dates).
import type {
  Change,
  ChangeSetStatus,
  ChangeSetSummary,
  DescribeChangeSetOutput,
  ExecutionStatus,
  GetTemplateSummaryOutput,
  Parameter,
  ResourceStatus,
  Stack,
  StackEvent,
  StackResource,
  StackResourceSummary,
  StackStatus,
  StackSummary,
  ValidateTemplateOutput,
} from '@aws-sdk/client-cloudformation';
import type { ChangeSetRecord, ResourceChange, StackEventRecord, StackRecord, StackResourceRecord } from './records.js';
import { requiredCapabilities } from './template-checks.js';
import type { Template } from './template.js';

function date(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

function maskedParameters(template: Template | undefined, values: Record<string, string>): Parameter[] {
  return Object.entries(values).map(([key, value]) => {
    const noEcho = String(template?.Parameters?.[key]?.NoEcho ?? 'false').toLowerCase() === 'true';
    return { ParameterKey: key, ParameterValue: noEcho ? '****' : value };
  });
}

// ------------------------------------------------------------------------------------------------ stacks

export function stackDescription(stack: StackRecord): Stack {
  const parameters = maskedParameters(stack.template, stack.parameters);
  return {
    StackId: stack.StackId,
    StackName: stack.StackName,
    // A deleted stack (described by its id) has neither ChangeSetId nor EnableTerminationProtection (LocalStack's
    // AWS-validated test_stacks.snapshot.json: test_stack_lifecycle, test_name_conflicts).
    ChangeSetId: stack.StackStatus === 'DELETE_COMPLETE' ? undefined : stack.ChangeSetId,
    Description: stack.Description,
    Parameters: parameters.length > 0 ? parameters : undefined,
    CreationTime: new Date(stack.CreationTime),
    DeletionTime: date(stack.DeletionTime),
    LastUpdatedTime: date(stack.LastUpdatedTime),
    RollbackConfiguration: {},
    StackStatus: stack.StackStatus as StackStatus,
    StackStatusReason: stack.StackStatusReason,
    DisableRollback: stack.DisableRollback,
    NotificationARNs: stack.NotificationARNs,
    Capabilities: stack.Capabilities.length > 0 ? (stack.Capabilities as Stack['Capabilities']) : undefined,
    Outputs: stack.Outputs.length > 0 ? stack.Outputs : undefined,
    RoleARN: stack.RoleARN,
    Tags: stack.Tags,
    EnableTerminationProtection: stack.StackStatus === 'DELETE_COMPLETE' ? undefined : false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

export function stackSummary(stack: StackRecord): StackSummary {
  return {
    StackId: stack.StackId,
    StackName: stack.StackName,
    TemplateDescription: stack.Description,
    CreationTime: new Date(stack.CreationTime),
    LastUpdatedTime: date(stack.LastUpdatedTime),
    DeletionTime: date(stack.DeletionTime),
    StackStatus: stack.StackStatus as StackStatus,
    StackStatusReason: stack.StackStatusReason,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

export function stackEvent(stack: StackRecord, event: StackEventRecord): StackEvent {
  return {
    StackId: stack.StackId,
    EventId: event.EventId,
    StackName: stack.StackName,
    LogicalResourceId: event.LogicalResourceId,
    PhysicalResourceId: event.PhysicalResourceId,
    ResourceType: event.ResourceType,
    Timestamp: new Date(event.Timestamp),
    ResourceStatus: event.ResourceStatus as ResourceStatus,
    ResourceStatusReason: event.ResourceStatusReason,
    ResourceProperties: event.ResourceProperties,
    ClientRequestToken: event.ClientRequestToken,
  };
}

export function stackResource(stack: StackRecord, record: StackResourceRecord): StackResource {
  return {
    StackName: stack.StackName,
    StackId: stack.StackId,
    LogicalResourceId: record.LogicalResourceId,
    PhysicalResourceId: record.PhysicalResourceId,
    ResourceType: record.ResourceType,
    Timestamp: new Date(record.Timestamp),
    ResourceStatus: record.ResourceStatus as ResourceStatus,
    ResourceStatusReason: record.ResourceStatusReason,
    Description: record.Description,
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

export function resourceSummary(record: StackResourceRecord): StackResourceSummary {
  return {
    LogicalResourceId: record.LogicalResourceId,
    PhysicalResourceId: record.PhysicalResourceId,
    ResourceType: record.ResourceType,
    LastUpdatedTimestamp: new Date(record.Timestamp),
    ResourceStatus: record.ResourceStatus as ResourceStatus,
    ResourceStatusReason: record.ResourceStatusReason,
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

// ------------------------------------------------------------------------------------------- change sets

export function changeSetDescription(
  changeSet: ChangeSetRecord,
  { page, NextToken }: { page: ResourceChange[]; NextToken?: string },
): DescribeChangeSetOutput {
  const parameters = maskedParameters(changeSet.template, changeSet.parameters);
  return {
    ChangeSetName: changeSet.ChangeSetName,
    ChangeSetId: changeSet.ChangeSetId,
    StackId: changeSet.StackId,
    StackName: changeSet.StackName,
    Description: changeSet.Description,
    Parameters: parameters.length > 0 ? parameters : undefined,
    CreationTime: new Date(changeSet.CreationTime),
    ExecutionStatus: changeSet.ExecutionStatus as ExecutionStatus,
    Status: changeSet.Status as ChangeSetStatus,
    StatusReason: changeSet.StatusReason,
    NotificationARNs: changeSet.NotificationARNs,
    RollbackConfiguration: {},
    Capabilities: changeSet.Capabilities as DescribeChangeSetOutput['Capabilities'],
    // No Tags key when none were given (test_changesets.snapshot.json, test_create_change_set_update_without_parameters).
    Tags: changeSet.Tags.length > 0 ? changeSet.Tags : undefined,
    Changes: page as Change[],
    NextToken,
    IncludeNestedStacks: false,
    OnStackFailure: changeSet.OnStackFailure as DescribeChangeSetOutput['OnStackFailure'],
  };
}

export function changeSetSummary(changeSet: ChangeSetRecord): ChangeSetSummary {
  return {
    StackId: changeSet.StackId,
    StackName: changeSet.StackName,
    ChangeSetId: changeSet.ChangeSetId,
    ChangeSetName: changeSet.ChangeSetName,
    ExecutionStatus: changeSet.ExecutionStatus as ExecutionStatus,
    Status: changeSet.Status as ChangeSetStatus,
    StatusReason: changeSet.StatusReason,
    CreationTime: new Date(changeSet.CreationTime),
    Description: changeSet.Description,
    IncludeNestedStacks: false,
  };
}

// -------------------------------------------------------------------------------------------- templates

function templateParameters(template: Template) {
  return Object.entries(template.Parameters ?? {}).map(([key, definition]) => ({
    key,
    definition,
    defaultValue:
      definition.Default === undefined || definition.Default === null
        ? undefined
        : Array.isArray(definition.Default)
          ? definition.Default.map(String).join(',')
          : String(definition.Default),
    noEcho: String(definition.NoEcho ?? 'false').toLowerCase() === 'true',
  }));
}

function capabilitiesOf(template: Template): { Capabilities?: string[]; CapabilitiesReason?: string } {
  const { capabilities, resourceTypes } = requiredCapabilities(template);
  if (capabilities.length === 0) return {};
  return {
    Capabilities: capabilities,
    CapabilitiesReason: `The following resource(s) require capabilities: [${resourceTypes.join(', ')}]`,
  };
}

/** ValidateTemplate's answer for a template that passed its checks. */
export function templateValidation(template: Template): ValidateTemplateOutput {
  return {
    Parameters: templateParameters(template).map((parameter) => ({
      ParameterKey: parameter.key,
      DefaultValue: parameter.defaultValue,
      NoEcho: parameter.noEcho,
      Description: parameter.definition.Description,
    })),
    Description: template.Description,
    ...capabilitiesOf(template),
    DeclaredTransforms: [],
  } as ValidateTemplateOutput;
}

export function templateSummary(template: Template): GetTemplateSummaryOutput {
  const resourcesByType = new Map<string, string[]>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    resourcesByType.set(resource.Type, [...(resourcesByType.get(resource.Type) ?? []), logicalId]);
  }
  return {
    Parameters: templateParameters(template).map((parameter) => ({
      ParameterKey: parameter.key,
      DefaultValue: parameter.defaultValue,
      ParameterType: parameter.definition.Type,
      NoEcho: parameter.noEcho,
      Description: parameter.definition.Description,
      ParameterConstraints: parameter.definition.AllowedValues ? { AllowedValues: parameter.definition.AllowedValues.map(String) } : {},
    })),
    Description: template.Description,
    ...capabilitiesOf(template),
    ResourceTypes: [...resourcesByType.keys()],
    Version: '2010-09-09',
    Metadata: template.Metadata === undefined ? undefined : JSON.stringify(template.Metadata),
    DeclaredTransforms: [],
    ResourceIdentifierSummaries: [...resourcesByType.entries()].map(([type, logicalIds]) => ({
      ResourceType: type,
      LogicalResourceIds: logicalIds,
    })),
  } as GetTemplateSummaryOutput;
}
