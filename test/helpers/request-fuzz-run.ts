// Runs a fixed-seed sample of whole-request fuzz cases against a server, several connections at once, and tallies them.
import fc from 'fast-check';
import { sendWire, unexplained5xx, wireCases, type WireCase } from './request-fuzz.js';

export interface FuzzTally {
  connections: number;
  requests: number;
  answered: number;
  hung: string[];
  unanswered: string[];
  unexplained: string[];
  internalFailures: number;
}

export async function fuzzRequests(port: number, runs: number, seed: number, concurrency = 8): Promise<FuzzTally> {
  const cases: WireCase[] = fc.sample(wireCases(port), { numRuns: runs, seed });
  const tally: FuzzTally = { connections: 0, requests: 0, answered: 0, hung: [], unanswered: [], unexplained: [], internalFailures: 0 };
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const wire = cases[next++]!;
      const outcome = await sendWire(port, wire.bytes);
      tally.connections += 1;
      tally.requests += Math.max(1, wire.wellFramed);
      tally.answered += outcome.statuses.length;
      if (outcome.hung) tally.hung.push(wire.label);
      // A well-framed request gets its answer; a broken one gets at least the parser's 400 or a closed connection.
      else if (outcome.statuses.length < wire.wellFramed) tally.unanswered.push(`${wire.label}: ${outcome.statuses.length}/${wire.wellFramed}`);
      if (unexplained5xx(outcome)) tally.unexplained.push(`${wire.label}: ${outcome.text.slice(0, 300)}`);
      tally.internalFailures += outcome.statuses.filter((status) => status === 500).length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}
