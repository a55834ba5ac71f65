// Step 2: a synchronous invoke without a name fails, yet answers HTTP 200: the error travels in the payload.
import { eventPayload, type Step } from './context.js';
import { describeStatus, invoke, parseJsonObject } from './invoke.js';

export const syncFail: Step = {
  id: 2,
  title: 'Synchronous invoke with an empty name',
  explain:
    'Sends {"name":""} as RequestResponse: the function throws, yet the answer is HTTP 200. ' +
    'The failure shows only as the FunctionError header and an errorType/errorMessage payload.',
  async run(ctx) {
    const result = await invoke(ctx, 'RequestResponse', eventPayload(ctx, 'sync', ''));
    const error = parseJsonObject(result.body);
    const errorType = typeof error?.errorType === 'string' ? error.errorType : undefined;
    const errorMessage = typeof error?.errorMessage === 'string' ? error.errorMessage : undefined;
    // Python's runtime names the exception's class and adds the stack as a list (docs/aws-semantics.md §1.5;
    // recorded: LocalStack's test_lambda.snapshot.json, test_lambda_handler_error).
    const python = ctx.runtime === 'python';
    const shaped = python ? errorType === 'Exception' && Array.isArray(error?.stackTrace) : true;
    const pass = result.statusCode === 200 && result.functionError === 'Unhandled' && !!errorType && !!errorMessage && shaped;
    return {
      status: pass ? 'pass' : 'fail',
      expected: python
        ? 'HTTP 200 and FunctionError Unhandled, payload errorType Exception + errorMessage + a stackTrace list'
        : 'HTTP 200 and FunctionError Unhandled, payload errorType + errorMessage',
      observed: `${describeStatus(result)}, payload ${errorType || errorMessage ? `${errorType ?? '(no errorType)'}: ${errorMessage ?? '(no errorMessage)'}` : result.body || '(empty)'}`,
      details: {
        statusCode: result.statusCode,
        functionError: result.functionError ?? null,
        requestId: result.requestId,
        errorType: errorType ?? null,
        errorMessage: errorMessage ?? null,
      },
    };
  },
};
