// The stacks and change sets the service holds, and how a name or ARN finds one, with AWS's exact wording when
// none does.
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../../context.js';
import { ServiceError } from '../../errors.js';
import { required } from './inputs.js';
import type { ChangeSetRecord, StackRecord } from './records.js';
import { validationError } from './shared.js';

export class StackStore {
  /** Oldest first, deleted ones included (DELETE_COMPLETE): ListStacks still shows them. */
  stacks: StackRecord[] = [];
  changeSets: ChangeSetRecord[] = [];

  constructor(private readonly ctx: EmulatorContext) {}

  /** A stack by name (live ones only: a deleted stack is found by its ARN alone, §6.4) or by ARN. */
  findStack(nameOrId: string | undefined): StackRecord | undefined {
    if (!nameOrId) return undefined;
    if (nameOrId.startsWith('arn:')) return this.stacks.find((stack) => stack.StackId === nameOrId);
    return this.stacks.find((stack) => stack.StackName === nameOrId && stack.StackStatus !== 'DELETE_COMPLETE');
  }

  /** docs/aws-semantics.md §6.2 and §7.7: `aws cloudformation deploy` matches this exact text. */
  stackWithId(nameOrId: string | undefined): StackRecord {
    const stack = this.findStack(nameOrId);
    if (!stack) throw validationError(`Stack with id ${nameOrId ?? ''} does not exist`);
    return stack;
  }

  /** DescribeStackEvents, DescribeChangeSet and UpdateStack word it differently (§6.2). */
  stackInBrackets(nameOrId: string | undefined): StackRecord {
    const stack = this.findStack(nameOrId);
    if (!stack) throw validationError(`Stack [${nameOrId ?? ''}] does not exist`);
    return stack;
  }

  findChangeSet(
    changeSetName: string | undefined,
    stackName: string | undefined,
    missingStack: (name: string) => StackRecord,
  ): ChangeSetRecord {
    const name = required(changeSetName, 'changeSetName');
    if (name.startsWith('arn:')) {
      const changeSet = this.changeSets.find((candidate) => candidate.ChangeSetId === name);
      if (!changeSet) throw new ServiceError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, { status: 404 });
      return changeSet;
    }
    if (!stackName) throw validationError('StackName must be specified if ChangeSetName is not specified as an ARN.');
    const stack = missingStack(stackName);
    const changeSet = this.listedChangeSets(stack).find((candidate) => candidate.ChangeSetName === name);
    if (!changeSet) throw new ServiceError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, { status: 404 });
    return changeSet;
  }

  /** The change sets a stack still lists: an executed one leaves the list (docs/aws-semantics.md §6.2). */
  listedChangeSets(stack: { StackId: string }): ChangeSetRecord[] {
    return this.changeSets.filter((changeSet) => changeSet.StackId === stack.StackId && !changeSet.executed);
  }

  exportedValue(name: string): string | undefined {
    for (const stack of this.stacks) {
      if (stack.StackStatus === 'DELETE_COMPLETE') continue;
      const output = stack.Outputs.find((candidate) => candidate.ExportName === name);
      if (output) return output.OutputValue;
    }
    return undefined;
  }

  /** A new stack's ARN: the name and a UUID, so a stack made again under an old name has another id. */
  newStackId(name: string): string {
    return `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.accountId}:stack/${name}/${randomUUID()}`;
  }

  newStack(name: string, fields: Partial<StackRecord>): StackRecord {
    const now = this.ctx.now();
    const stack: StackRecord = {
      StackId: this.newStackId(name),
      StackName: name,
      StackStatus: 'REVIEW_IN_PROGRESS',
      CreationTime: now,
      templateBody: '',
      parameters: {},
      Capabilities: [],
      DisableRollback: false,
      Tags: [],
      NotificationARNs: [],
      Outputs: [],
      resources: {},
      events: [],
      lastEventTime: now - 1,
      ...fields,
    };
    this.stacks.push(stack);
    return stack;
  }

  latestChangeSet(stack: StackRecord): ChangeSetRecord | undefined {
    return this.changeSets.filter((changeSet) => changeSet.StackId === stack.StackId).at(-1);
  }
}
