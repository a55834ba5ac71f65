// Step 3: an asynchronous invoke with a name is accepted with 202 and an empty body; its RequestId is recorded.
import { eventPayload, type Step } from './context.js';
import { invoke, shortId } from './invoke.js';

export const asyncOk: Step = {
  id: 3,
  title: 'Asynchronous invoke with a name',
  explain:
    'Sends {"name":"chucks"} as an Event: Lambda queues it and answers 202 with an empty body at once. ' +
    'The caller never learns how the function did; only the RequestId comes back.',
  async run(ctx) {
    const payload = eventPayload(ctx, 'async', 'chucks');
    const result = await invoke(ctx, 'Event', payload);
    if (result.requestId) ctx.record.asyncOk = { requestId: result.requestId, invokedAt: result.sentAt, payload };
    const pass = result.statusCode === 202 && result.body === '' && !!result.requestId;
    return {
      status: pass ? 'pass' : 'fail',
      expected: 'HTTP 202, empty body',
      observed: `HTTP ${result.statusCode ?? '?'}, ${result.body === '' ? 'empty body' : `body ${result.body}`}, RequestId ${shortId(result.requestId)}`,
      details: { statusCode: result.statusCode, requestId: result.requestId ?? null, payload },
    };
  },
};
