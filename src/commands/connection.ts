// The clients of a session of any kind (run's in-process emulator, the local server, another endpoint, AWS), built
// one way for `run` and the per-step commands. Apart from session.ts so `run` loads none of the local server's code.
import { createClients, type AwsClients, type Target } from '../aws/clients.js';
import type { Place } from '../aws/errors.js';
import type { StackHost } from '../lesson/timing.js';

/**
 * Where a command's AWS calls go: this tool's emulator inside the process (`run`), the local server (`local start`, or
 * started by a per-step command), another endpoint (--endpoint-url), or AWS.
 */
export type SessionKind = 'in-process' | 'local-server' | 'endpoint' | 'aws';

/** Where the stack of a session of this kind lives, for how long its operations are waited on. */
export function stackHostOf(kind: SessionKind): StackHost {
  return kind === 'in-process' || kind === 'local-server' ? 'emulator' : kind;
}

/** The clients of a session and where they point: what `run` and every per-step command build the same way. */
export interface Connection {
  kind: SessionKind;
  clients: AwsClients;
  /** For explainAwsFailure. */
  place: Place;
}

/**
 * Builds the clients for a session of this kind: this tool's own emulators (in-process, local server) get dummy
 * credentials, never the user's keys, and are talked to in the region they were started in.
 */
export async function connect(
  kind: SessionKind,
  settings: { target: Target; endpoint?: string; region?: string; profile?: string; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<Connection> {
  const ours = kind === 'in-process' || kind === 'local-server';
  const clients = await createClients({ ...settings, inProcess: ours });
  return {
    kind,
    clients,
    place: { endpoint: clients.endpoint, region: clients.region, label: ours ? 'the local emulator' : undefined, profile: clients.profile },
  };
}
