// A deploy as the user watches it: one row per resource with CloudFormation's status, each change once, then the outputs.
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import type { Paint } from './paint.js';

/** How a status reads at a glance: COMPLETE green, IN_PROGRESS yellow, FAILED and ROLLBACK red. */
export type StatusTone = 'complete' | 'progress' | 'failed' | 'neutral';

export function toneOf(status: string): StatusTone {
  // First: UPDATE_ROLLBACK_IN_PROGRESS is bad news before it is progress, ROLLBACK_COMPLETE a failure, not a success.
  if (/FAILED|ROLLBACK/.test(status)) return 'failed';
  if (status.endsWith('_IN_PROGRESS')) return 'progress';
  if (status.endsWith('_COMPLETE')) return 'complete';
  return 'neutral'; // DELETE_SKIPPED and the like
}

function paintStatus(status: string, paint: Paint): string {
  const tone = toneOf(status);
  if (tone === 'complete') return paint.pass(status);
  if (tone === 'progress') return paint.skip(status);
  if (tone === 'failed') return paint.fail(status);
  return paint.dim(status);
}

export interface ResourceRow {
  logicalId: string;
  type: string;
  status: string;
  reason?: string;
  /** The stack's own row (LogicalResourceId = stack name, type AWS::CloudFormation::Stack). */
  isStack: boolean;
}

/** A resource's status changed: what a plain (non-TTY) log prints, one line each. */
export interface Transition extends ResourceRow {
  timestamp?: Date;
}

/** Reasons CloudFormation gives resources that failed only because another one did. */
const KNOCK_ON = /Resource (creation|update) cancelled|failed to (create|update|delete): \[/i;

/** The deploy's resources, built from its stack events (oldest first): the live table's rows and the failure to report. */
export class DeployBoard {
  private readonly rows = new Map<string, ResourceRow>();
  private readonly failures: ResourceRow[] = [];

  /** `stackName` names the stack's own row when events lack StackName (they carry it on AWS and in the emulator). */
  constructor(readonly stackName?: string) {}

  /** Applies events, oldest first, and returns the ones that changed a resource's status. */
  apply(events: readonly StackEvent[]): Transition[] {
    const transitions: Transition[] = [];
    for (const event of events) {
      const logicalId = event.LogicalResourceId ?? '?';
      const status = event.ResourceStatus ?? 'UNKNOWN';
      const row: ResourceRow = {
        logicalId,
        type: event.ResourceType ?? '',
        status,
        ...(event.ResourceStatusReason ? { reason: event.ResourceStatusReason } : {}),
        isStack: event.ResourceType === 'AWS::CloudFormation::Stack' && logicalId === (event.StackName ?? this.stackName),
      };
      const previous = this.rows.get(logicalId);
      this.rows.set(logicalId, row);
      if (status.endsWith('_FAILED')) this.failures.push(row);
      if (previous?.status !== status) transitions.push({ ...row, ...(event.Timestamp ? { timestamp: event.Timestamp } : {}) });
    }
    return transitions;
  }

  /** The stack's row first, then its resources in the order CloudFormation first touched them. */
  get resources(): ResourceRow[] {
    const all = [...this.rows.values()];
    return [...all.filter((row) => row.isStack), ...all.filter((row) => !row.isStack)];
  }

  /** The failure that started it all: the first resource that failed for a reason of its own. */
  rootFailure(): ResourceRow | undefined {
    const resources = this.failures.filter((row) => !row.isStack && row.reason);
    return resources.find((row) => !KNOCK_ON.test(row.reason!)) ?? resources[0] ?? this.failures.find((row) => row.reason);
  }
}

export interface TableStyle {
  paint: Paint;
  /** Columns available: no line is longer (a live table redrawn in place must never wrap). */
  width: number;
  ellipsis?: string;
}

function clip(text: string, room: number, ellipsis: string): string {
  if (text.length <= room) return text;
  return room <= ellipsis.length ? text.slice(0, Math.max(0, room)) : `${text.slice(0, room - ellipsis.length)}${ellipsis}`;
}

const INDENT = '  ';
const GAP = '  ';
/** Below this width the type column goes, so names and statuses still fit. */
const NARROW = 72;

/** The live table: one row per resource, status coloured by tone, the reason of a failure after it (clipped to fit). */
export function renderResourceTable(rows: readonly ResourceRow[], style: TableStyle): string[] {
  const { paint, width } = style;
  const ellipsis = style.ellipsis ?? '…';
  const withType = width >= NARROW;
  const idWidth = Math.max(8, ...rows.map((row) => row.logicalId.length));
  const typeWidth = Math.max(4, ...rows.map((row) => row.type.length));
  const statusWidth = Math.max(6, ...rows.map((row) => row.status.length));
  const line = (id: string, type: string, status: string, paintedStatus: string, reason: string, reasonStyle: (text: string) => string) => {
    let columns = INDENT + clip(id, Math.max(8, width - INDENT.length - 2 - statusWidth), ellipsis).padEnd(idWidth) + GAP;
    if (withType) columns += type.padEnd(typeWidth) + GAP;
    const room = width - columns.length;
    const shownStatus = clip(status, room, ellipsis);
    let text = columns + (shownStatus === status ? paintedStatus : shownStatus);
    const reasonRoom = width - columns.length - statusWidth - GAP.length;
    if (reason && reasonRoom > 10) text += ' '.repeat(statusWidth - status.length) + GAP + reasonStyle(clip(reason, reasonRoom, ellipsis));
    return text;
  };
  return [
    paint.dim(line('Resource', 'Type', 'Status', 'Status', '', (text) => text).trimEnd()),
    ...rows.map((row) =>
      line(row.logicalId, row.type, row.status, paintStatus(row.status, paint), toneOf(row.status) === 'failed' ? row.reason ?? '' : '', paint.dim),
    ),
  ];
}

/** "12:01:03": the event's time on the user's clock. */
function clockTime(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

/** One transition as a plain log line: time, resource, type, status, and the reason when it failed. */
export function renderTransition(transition: Transition, paint: Paint): string {
  const time = transition.timestamp ? `${clockTime(transition.timestamp)}  ` : '';
  const reason = transition.reason && toneOf(transition.status) === 'failed' ? `  ${paint.dim(transition.reason)}` : '';
  return `${INDENT}${time}${transition.logicalId.padEnd(18)}${GAP}${transition.type.padEnd(30)}${GAP}${paintStatus(transition.status, paint)}${reason}`;
}

export interface OutputsTableOptions {
  /** A heading above the table ("Outputs of LambdaAsync"); none under the deploy's own line. */
  title?: string;
  /** Each output's Description, dimmed under its value, wrapped to `width`. */
  descriptions?: Record<string, string>;
  width?: number;
}

/**
 * The stack's outputs as a two-column table, values whole (URLs and ARNs are made to be copied): the one table `run`,
 * `deploy` and `outputs` all print.
 */
export function renderOutputsTable(outputs: Record<string, string>, paint: Paint, options: OutputsTableOptions = {}): string[] {
  const keys = Object.keys(outputs);
  if (keys.length === 0) return [];
  const keyWidth = Math.max(6, ...keys.map((key) => key.length));
  const indent = ' '.repeat(INDENT.length + keyWidth + GAP.length);
  const width = options.width ?? 80;
  const lines = options.title ? [paint.heading(options.title)] : [];
  lines.push(paint.dim(`${INDENT}${'Output'.padEnd(keyWidth)}${GAP}Value`));
  for (const key of keys) {
    lines.push(`${INDENT}${paint.label(key.padEnd(keyWidth))}${GAP}${outputs[key]}`);
    const description = options.descriptions?.[key];
    if (description) for (const line of wrapWords(description, Math.max(20, width - indent.length))) lines.push(indent + paint.dim(line));
  }
  return lines;
}

/** Words into lines of at most `width` columns (a longer word gets a line of its own). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(current);
  return lines;
}
