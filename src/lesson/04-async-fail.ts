// Step 4: an asynchronous invoke without a name is accepted exactly like step 3: 202, empty body. Nothing says it failed.
import { eventPayload, type Step } from './context.js';
import { invoke, shortId } from './invoke.js';

export const asyncFail: Step = {
  id: 4,
  title: 'Asynchronous invoke with an empty name',
  explain:
    'Sends {"name":""} as an Event: 202 and an empty body again, indistinguishable from step 3, though the function will fail. ' +
    'The error goes elsewhere: Lambda retries it, then hands the event to the dead-letter queue.',
  async run(ctx) {
    const payload = eventPayload(ctx, 'async', '');
    const result = await invoke(ctx, 'Event', payload);
    if (result.requestId) ctx.record.asyncFail = { requestId: result.requestId, invokedAt: result.sentAt, payload };
    const pass = result.statusCode === 202 && result.body === '' && !!result.requestId;
    return {
      status: pass ? 'pass' : 'fail',
      expected: 'HTTP 202, empty body: indistinguishable from step 3',
      observed: `HTTP ${result.statusCode ?? '?'}, ${result.body === '' ? 'empty body' : `body ${result.body}`}, RequestId ${shortId(result.requestId)}`,
      details: { statusCode: result.statusCode, requestId: result.requestId ?? null, payload },
    };
  },
};
