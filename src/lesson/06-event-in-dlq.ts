// Step 6: the dead-letter queue holds step 4's event, byte for byte, with Lambda's RequestID/ErrorCode/ErrorMessage.
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { pollUntil, sleep } from '../aws/wait.js';
import { skipped, type LessonContext, type Step } from './context.js';
import { Countdown, dueText, expectedRetryDelays } from './countdown.js';
import { shortId } from './invoke.js';
import { formatSeconds } from './timeline.js';

/** The DLQ message attributes Lambda adds (docs/aws-semantics.md §2), as the lesson checks them. */
function attributeProblems(message: Message, requestId: string): string[] {
  const attributes = message.MessageAttributes ?? {};
  const problems: string[] = [];
  const expect = (name: string, dataType: string, check: (value: string | undefined) => boolean, wanted: string) => {
    const attribute: MessageAttributeValue | undefined = attributes[name];
    if (!attribute) problems.push(`no ${name} attribute`);
    else if (attribute.DataType !== dataType) problems.push(`${name} is ${attribute.DataType}, not ${dataType}`);
    else if (!check(attribute.StringValue)) problems.push(`${name} is ${JSON.stringify(attribute.StringValue)}, not ${wanted}`);
  };
  expect('RequestID', 'String', (value) => value === requestId, "step 4's RequestId");
  expect('ErrorCode', 'Number', (value) => value === '200', '"200"');
  expect('ErrorMessage', 'String', (value) => !!value, 'a message');
  return problems;
}

function requestIdOf(message: Message): string | undefined {
  return message.MessageAttributes?.RequestID?.StringValue;
}

/** ReceiveMessage's largest batch. */
const MAX_BATCH = 10;

function secondsUntil(deadline: number): number {
  return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
}

/**
 * When step 4's event should reach the DLQ: right after its last attempt fails. Step 5 saw that attempt when it
 * passed; otherwise it is the invoke plus the expected retry delays.
 */
function dlqDueAt(ctx: LessonContext, invokedAt: number): number {
  const starts = ctx.record.startLines?.failing ?? [];
  if (starts.length === 1 + ctx.maxRetries) return starts[starts.length - 1]!;
  const delays = expectedRetryDelays(ctx);
  return invokedAt + delays.slice(0, ctx.maxRetries).reduce((sum, delay) => sum + delay, 0);
}

export const eventInDlq: Step = {
  id: 6,
  title: 'Failed event in the dead-letter queue',
  explain:
    'Receives from the DLQ: after the last retry, Lambda sent step 4’s event there unchanged, with RequestID, ErrorCode and ErrorMessage attributes. ' +
    'That message is how an async failure reaches you; step 3’s event, which succeeded, has none.',
  async run(ctx) {
    const expected =
      "1 message: step 4's payload byte for byte, RequestID = its RequestId, ErrorCode (Number) 200, ErrorMessage; none for step 3";
    const { asyncFail: failing, asyncOk: succeeding } = ctx.record;
    if (!failing) return skipped(expected, 'step 4 recorded no RequestId');

    const deadline = failing.invokedAt + ctx.timing.waitMs;
    const ours: Message[] = [];
    const stepThrees: Message[] = [];
    /** Other runs' messages hidden to page past them (a full batch of them); made visible again when the step ends. */
    const held: string[] = [];
    const othersSeen = new Set<string>();

    const release = async (receiptHandles: string[]) => {
      for (const receiptHandle of receiptHandles) {
        await ctx.sqs
          .changeMessageVisibility({ QueueUrl: ctx.names.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 })
          .catch(() => undefined); // best effort: it reappears by itself when its visibility timeout ends
      }
    };

    /** One receive; sorts the batch into ours, step 3's and other runs' (left alone, visible again at once). */
    const receive = async (waitSeconds: number): Promise<{ received: number; othersOnly: boolean }> => {
      const { Messages = [] } = await ctx.sqs.receiveMessage({
        QueueUrl: ctx.names.queueUrl,
        MaxNumberOfMessages: MAX_BATCH,
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: secondsUntil(deadline) + 30,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      });
      const others: string[] = [];
      for (const message of Messages) {
        const requestId = requestIdOf(message);
        if (requestId === failing.requestId) ours.push(message);
        else if (succeeding && requestId === succeeding.requestId) stepThrees.push(message);
        else if (message.ReceiptHandle) {
          others.push(message.ReceiptHandle);
          othersSeen.add(message.MessageId ?? message.ReceiptHandle);
        }
      }
      // A full batch of other runs' messages may hide ours behind it: keep those hidden while we page on.
      if (Messages.length === MAX_BATCH) held.push(...others);
      else await release(others);
      return { received: Messages.length, othersOnly: Messages.length > 0 && others.length === Messages.length };
    };

    const countdown = new Countdown(ctx, deadline);
    const dueAt = dlqDueAt(ctx, failing.invokedAt);
    try {
      countdown.show('dlq', () => ({ text: dueText("step 4's event in the DLQ", dueAt, Date.now(), ctx.target === 'aws'), dueAt }));
      await pollUntil(
        async () => {
          const { othersOnly } = await receive(Math.min(ctx.timing.receiveWaitSeconds, secondsUntil(deadline)));
          if (ours.length > 0) return true;
          // Released messages come straight back: pause rather than spin on them.
          if (othersOnly) await sleep(Math.min(ctx.timing.pollMs, Math.max(0, deadline - Date.now())), ctx.signal);
          return undefined;
        },
        { intervalMs: 0, deadline, signal: ctx.signal },
      );
      // Look at what else is queued: a second copy of ours, or an event of step 3, would be wrong.
      if (ours.length > 0) {
        for (let round = 0; round < 10; round += 1) {
          const { received, othersOnly } = await receive(ctx.timing.drainWaitSeconds);
          if (received === 0 || othersOnly) break;
        }
      }
      for (const message of [...ours, ...stepThrees]) {
        if (message.ReceiptHandle) await ctx.sqs.deleteMessage({ QueueUrl: ctx.names.queueUrl, ReceiptHandle: message.ReceiptHandle });
      }
    } finally {
      countdown.stop();
      await release(held);
    }

    const message = ours[0];
    if (!message) {
      return {
        status: 'fail',
        expected,
        observed: `no message with step 4's RequestId within ${formatSeconds(ctx.timing.waitMs)} of its invoke` +
          (othersSeen.size ? ` (${othersSeen.size} from other runs left in place)` : ''),
        details: { requestId: failing.requestId, found: false },
      };
    }

    const sentAt = Number(message.Attributes?.SentTimestamp);
    if (Number.isFinite(sentAt)) ctx.record.dlqSentAt = sentAt;
    const bodyMatches = message.Body === failing.payload;
    const problems = [
      ...(bodyMatches ? [] : ['the body differs from step 4\'s payload']),
      ...attributeProblems(message, failing.requestId),
      ...(ours.length > 1 ? [`${ours.length} messages carry step 4's RequestId`] : []),
      ...(stepThrees.length ? [`${stepThrees.length} message(s) carry step 3's RequestId`] : []),
    ];
    const attributes = message.MessageAttributes ?? {};
    const errorMessage = attributes.ErrorMessage?.StringValue ?? '';
    return {
      status: problems.length === 0 ? 'pass' : 'fail',
      expected,
      observed:
        problems.length === 0
          ? `1 message, body identical, RequestID ${shortId(failing.requestId)}, ErrorCode (Number) ${attributes.ErrorCode?.StringValue}, ErrorMessage "${errorMessage}"; none for step 3`
          : problems.join('; '),
      details: {
        requestId: failing.requestId,
        found: true,
        bodyMatches,
        body: message.Body,
        attributes: Object.fromEntries(
          Object.entries(attributes).map(([name, value]) => [name, { DataType: value.DataType, StringValue: value.StringValue }]),
        ),
        sentTimestamp: Number.isFinite(sentAt) ? sentAt : null,
        messagesForStep4: ours.length,
        messagesForStep3: stepThrees.length,
        otherRunsMessagesLeft: othersSeen.size,
      },
    };
  },
};
