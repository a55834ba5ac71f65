// STUB: replaced by the Lambda rest-json route table.
import type { RestRoute } from '../protocol/rest-json.js';

export const lambdaRoutes: RestRoute[] = [];
