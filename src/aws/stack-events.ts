// The stack events of one deploy, as they happen: each event once, oldest first, none from earlier operations.
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import type { CloudFormationApi } from './clients.js';

export interface StackEventFeedOptions {
  stackName: string;
  /**
   * The ClientRequestToken given to ExecuteChangeSet: CloudFormation stamps it on every event of that operation,
   * which tells this deploy's events from older ones whatever the clocks say.
   */
  clientRequestToken: string;
  /** Epoch ms (local clock) when this deploy began: untagged events (the change set's REVIEW_IN_PROGRESS) count from here. */
  since: number;
}

/** Past this, paging back through older events stops: they cannot belong to this deploy. */
const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;
/** DescribeStackEvents pages hold 100 events; a deploy of this template makes about 20. */
const MAX_PAGES = 10;

export class StackEventFeed {
  private readonly seen = new Set<string>();

  constructor(
    private readonly cfn: CloudFormationApi,
    private readonly options: StackEventFeedOptions,
  ) {}

  private belongs(event: StackEvent): boolean {
    const token = event.ClientRequestToken;
    if (token) return token === this.options.clientRequestToken;
    return (event.Timestamp?.getTime() ?? 0) >= this.options.since;
  }

  /**
   * The events of this deploy that earlier calls did not return, oldest first. DescribeStackEvents lists newest first,
   * so paging stops at the first event already seen or at one clearly older than the deploy.
   */
  async next(): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    let nextToken: string | undefined;
    paging: for (let page = 0; page < MAX_PAGES; page += 1) {
      const { StackEvents = [], NextToken } = await this.cfn.describeStackEvents({ StackName: this.options.stackName, NextToken: nextToken });
      for (const event of StackEvents) {
        const id = event.EventId ?? `${event.LogicalResourceId}/${event.ResourceStatus}/${event.Timestamp?.toISOString()}`;
        if (this.seen.has(id)) break paging;
        if ((event.Timestamp?.getTime() ?? 0) < this.options.since - CLOCK_SKEW_MARGIN_MS) break paging;
        if (!this.belongs(event)) continue;
        this.seen.add(id);
        fresh.push(event);
      }
      if (!NextToken) break;
      nextToken = NextToken;
    }
    return fresh.reverse();
  }
}
