// Step 1: a synchronous invoke with a name succeeds, and the caller sees the result at once.
import { eventPayload, type Step } from './context.js';
import { describeStatus, invoke, parseJsonObject } from './invoke.js';

export const syncOk: Step = {
  id: 1,
  title: 'Synchronous invoke with a name',
  explain:
    'Sends {"name":"chucks"} as RequestResponse and waits: HTTP 200 with the greeting. ' +
    'Synchronously, the caller gets the function’s answer in the response.',
  async run(ctx) {
    const result = await invoke(ctx, 'RequestResponse', eventPayload(ctx, 'sync', 'chucks'));
    const answer = parseJsonObject(result.body);
    const pass = result.statusCode === 200 && !result.functionError && answer?.statusCode === 200;
    return {
      status: pass ? 'pass' : 'fail',
      expected: 'HTTP 200, no FunctionError, payload statusCode 200',
      observed: `${describeStatus(result)}, payload ${answer ? `statusCode ${String(answer.statusCode)}` : result.body || '(empty)'}`,
      details: { statusCode: result.statusCode, functionError: result.functionError ?? null, requestId: result.requestId, payload: result.body },
    };
  },
};
