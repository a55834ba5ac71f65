// `npm run bench`: start-up, lesson overhead, Invoke, SQS, CloudFormation, server start-up and a fresh clone's first
// run, ours beside moto and the SDK's own ceiling.
// Prints a table and writes bench/results.json.
// Usage: node bench/bench.mjs [--quick] [--no-moto] [--only=startup,lesson,api,server,clone]
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  asyncAcceptanceRate,
  clientsFor,
  createQueue,
  createStack,
  deleteQueue,
  deleteStack,
  fillQueue,
  invokeLatency,
  receiveLatency,
  sqsThroughput,
} from './lib/api.mjs';
import { canSampleMemory, freePort, runTimed } from './lib/processes.mjs';
import {
  BIN,
  installedPackage,
  isolatedEnv,
  listQueuesAnswers,
  localServerCommand,
  motoAvailability,
  startCannedServer,
  startLocalServer,
  startMemoryEmulator,
  startMoto,
  temporaryDir,
} from './lib/servers.mjs';
import { pairedRatios, summarize } from './lib/stats.mjs';
import { renderTable } from './lib/table.mjs';

// The AWS SDK warns on Node 20 that its support ends: noise the bench cannot act on, like the CLI drops it.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'NodeVersionSupportWarning' || String(warning?.message ?? warning).includes('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
};

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
// `--only=api` (or BENCH_ONLY=api) runs sections 3-5 alone; `--only=startup,lesson,server` sections 1, 2 and 6, and
// so on: a figure being worked on, measured without the ten minutes around it.
const onlyList = [...args].find((arg) => arg.startsWith('--only='))?.slice('--only='.length) ?? process.env.BENCH_ONLY;
const only = onlyList ? new Set(onlyList.split(',').map((name) => name.trim())) : undefined;
const wanted = (section) => !only || only.has(section);
const RUNS = {
  startup: quick ? 5 : 11,
  lesson: quick ? 2 : 5,
  api: quick ? 2 : 5,
  warmCalls: 200,
  asyncCalls: 200,
  sqsMessages: 500,
  sqs: quick ? 2 : 5,
  moto: quick ? 1 : 3,
  deepQueue: 10_000,
  receiveCalls: 50,
  serverStart: quick ? 2 : 5,
  freshClone: quick ? 1 : 3,
};
const TEMPLATE_BODY = readFileSync(fileURLToPath(new URL('../templates/LambdaAsync.yaml', import.meta.url)), 'utf8');
const RESULTS_PATH = fileURLToPath(new URL('./results.json', import.meta.url));

const benchStartedAt = performance.now();
const progress = (text) => process.stderr.write(`bench [${((performance.now() - benchStartedAt) / 1000).toFixed(0).padStart(3)} s] ${text}\n`);
const mb = (kb) => (kb === undefined ? NaN : kb / 1024);
const target = (text, met) => ({ text, met });

// ---------------------------------------------------------------------------------------------------------------
// 1. Start-up: `--help` against a bare `node -e 0`, alternated so both see the same machine.

async function benchStartup(installed) {
  const bare = [];
  const help = [];
  const checkout = [];
  for (let run = 0; run < RUNS.startup; run += 1) {
    bare.push((await runTimed(process.execPath, ['-e', '0'])).wallMs);
    for (const [bin, samples] of [[installed.bin, help], [BIN, checkout]]) {
      const result = await runTimed(process.execPath, [bin, '--help']);
      if (result.code !== 0) throw new Error(`--help exited ${result.code}: ${result.stderr}`);
      samples.push(result.wallMs);
    }
  }
  const ratio = pairedRatios(help, bare);
  return {
    title: '1. Start-up',
    subtitle: 'the package as installed; the checkout adds its look at the sources',
    rows: [
      {
        figure: '`lambda-async-demo --help` wall time',
        unit: 'ms',
        ours: summarize(help),
        baseline: { label: 'node -e 0', summary: summarize(bare) },
        ratio,
        target: target('<= 1.3x node -e 0', ratio.median <= 1.3),
      },
      {
        figure: '  the same from this checkout (bin/ checks the bundle is up to date)',
        unit: 'ms',
        ours: summarize(checkout),
        baseline: { label: 'node -e 0', summary: summarize(bare) },
        ratio: pairedRatios(checkout, bare),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Lesson overhead: the full local `run`, minus the retry delays it is configured to wait.

/** Where a run's time goes, from the moments its progress lines appear on stderr (non-TTY: one line per activity). */
function phasesOf(lines, wallMs, delaysMs) {
  const at = (pattern) => lines.find((line) => pattern.test(line.text))?.ms;
  const emulator = at(/Start the local emulator/);
  const deployed = at(/Deploy stack/);
  const step = (id) => at(new RegExp(`\\b${id}/6\\b`));
  const marks = [emulator, deployed, step(1), step(4), step(5), step(6)];
  if (marks.some((mark) => mark === undefined)) return undefined;
  const [e, d, s1, s4, s5, s6] = marks;
  return {
    'process start, imports, emulator start': e,
    'SDK load, validate, deploy': d - e,
    'step 1 (the cold start)': s1 - d,
    'steps 2-4': s4 - s1,
    'step 5 beyond the retry delays': s5 - s4 - (delaysMs[0] + delaysMs[1]),
    'step 6': s6 - s5,
    'report, shutdown, exit': wallMs - s6,
  };
}

async function lessonRun(bin, delays, env) {
  const delaysMs = delays.split(',').map((seconds) => Number(seconds) * 1000);
  const lines = [];
  const startedAt = performance.now();
  let buffered = '';
  const result = await runTimed(process.execPath, [bin, 'run', '--retry-delays', delays, '--json'], {
    env,
    sampleMemoryEveryMs: 50,
    onStderr(chunk) {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop();
      for (const text of parts) lines.push({ text, ms: performance.now() - startedAt });
    },
  });
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    report = undefined;
  }
  const passed = result.code === 0 && report?.ok === true;
  return {
    passed,
    failure: passed ? undefined : `exit ${result.code}; ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`,
    overheadMs: result.wallMs - delaysMs[0] - delaysMs[1],
    wallMs: result.wallMs,
    memory: result.memory,
    phases: phasesOf(lines, result.wallMs, delaysMs),
  };
}

async function benchLesson(installed) {
  const stateDir = temporaryDir('lesson');
  // A port nobody serves and an empty state dir: `run` must take its in-process emulator, never a user's server.
  const env = isolatedEnv(stateDir, await freePort());
  const settings = ['1,2', '0.2,0.4'];
  const runs = Object.fromEntries(settings.map((delays) => [delays, []]));
  try {
    for (let run = 0; run < RUNS.lesson; run += 1) {
      for (const delays of settings) {
        progress(`lesson run ${run + 1}/${RUNS.lesson}, --retry-delays ${delays}`);
        runs[delays].push(await lessonRun(installed.bin, delays, env));
      }
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  const all = Object.values(runs).flat();
  const failures = all.filter((run) => !run.passed);
  const rows = settings.map((delays) => {
    const overhead = summarize(runs[delays].map((run) => run.overheadMs / 1000));
    return {
      figure: `run --retry-delays ${delays}: wall time minus the delays`,
      unit: 's',
      ours: overhead,
      baseline: { label: 'wall', summary: summarize(runs[delays].map((run) => run.wallMs / 1000)) },
      target: target('<= 0.3 s', overhead.median <= 0.3),
    };
  });
  const notes = [];
  if (canSampleMemory) {
    rows.push(
      { figure: 'peak RSS of the CLI process', unit: 'MB', ours: summarize(all.map((run) => mb(run.memory?.processKb))) },
      { figure: 'peak RSS of the largest function process', unit: 'MB', ours: summarize(all.map((run) => mb(run.memory?.largestChildKb))) },
    );
  } else {
    notes.push('peak RSS not measured: it is read from /proc, which this platform does not have');
  }
  if (failures.length) notes.push(`${failures.length} run(s) did not pass every check: ${failures[0].failure}`);

  const phaseRuns = all.map((run) => run.phases).filter(Boolean);
  const breakdown = phaseRuns.length
    ? Object.keys(phaseRuns[0]).map((name) => ({ figure: `  ${name}`, unit: 'ms', ours: summarize(phaseRuns.map((phases) => phases[name])) }))
    : [];
  if (!phaseRuns.length) notes.push('no per-phase breakdown: the progress lines on stderr were not recognised');
  return [
    {
      title: '2. Lesson overhead',
      subtitle: 'full local `run`, in-process emulator',
      rows,
      notes,
      // Every run as measured, for results.json: which phase moved when a median did.
      runs: Object.fromEntries(settings.map((delays) => [delays, runs[delays].map(({ overheadMs, wallMs, memory, phases, passed }) => ({ overheadMs, wallMs, memory, phases, passed }))])),
    },
    ...(breakdown.length ? [{ title: '2. Lesson overhead: where it goes', subtitle: 'both delay settings, from the progress lines on stderr', rows: breakdown }] : []),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// 3-5. The API benches: Invoke, SQS and stack create against a server, through SDK v3 with keep-alive.

/**
 * The bench process's SDK client is itself JIT-compiled code: its first thousand calls run slower than the rest.
 * A round of every call the benches time, untimed, so the figures measure the server and not the client's warm-up.
 */
async function warmUp(url) {
  const clients = clientsFor(url);
  try {
    const created = await createStack(clients.cfn, { stackName: 'BenchWarmUp', templateBody: TEMPLATE_BODY, parameters: { FunctionName: 'BenchWarmUp' } });
    if (created.status !== 'CREATE_COMPLETE') throw new Error(`the warm-up stack ended ${created.status}: ${created.reason ?? ''}`);
    await invokeLatency(clients.lambda, 'BenchWarmUp', 300);
    await asyncAcceptanceRate(clients.lambda, 'BenchWarmUp', 100);
    await deleteStack(clients.cfn, 'BenchWarmUp');
    const queueUrl = await createQueue(clients.sqs, `bench-warm-up-${Date.now()}`);
    await sqsThroughput(clients.sqs, queueUrl, 500);
    await deleteQueue(clients.sqs, queueUrl);
  } finally {
    clients.destroy();
  }
}

/** Every API figure for one server: each run deploys a fresh stack (a create sample) and invokes its new function. */
async function measureServer(url, label) {
  const clients = clientsFor(url);
  const figures = { creates: [], colds: [], p50s: [], p99s: [], asyncRates: [], sends: [], receives: [], atTen: [], atDeep: [] };
  try {
    for (let run = 0; run < RUNS.api; run += 1) {
      progress(`${label}: stack + invoke run ${run + 1}/${RUNS.api}`);
      const stackName = `BenchStack${run}`;
      const functionName = `BenchFunc${run}`;
      const created = await createStack(clients.cfn, { stackName, templateBody: TEMPLATE_BODY, parameters: { FunctionName: functionName } });
      if (created.status !== 'CREATE_COMPLETE') throw new Error(`${stackName} ended ${created.status}: ${created.reason ?? ''}`);
      figures.creates.push(created.ms);
      const latency = await invokeLatency(clients.lambda, functionName, RUNS.warmCalls);
      figures.colds.push(latency.coldMs);
      figures.p50s.push(latency.warmP50Ms);
      figures.p99s.push(latency.warmP99Ms);
      figures.asyncRates.push(await asyncAcceptanceRate(clients.lambda, functionName, RUNS.asyncCalls));
      // Deleting the stack stops the function's environments and drops its queued events: the next run starts quiet.
      await deleteStack(clients.cfn, stackName);
    }
    progress(`${label}: filling a queue with ${RUNS.deepQueue} messages`);
    const shallow = await createQueue(clients.sqs, `bench-depth-10-${Date.now()}`);
    const deep = await createQueue(clients.sqs, `bench-depth-${RUNS.deepQueue}-${Date.now()}`);
    await fillQueue(clients.sqs, shallow, 10);
    await fillQueue(clients.sqs, deep, RUNS.deepQueue);
    // Alternated, so both depths see the same machine; each sample is the median of RUNS.receiveCalls receives.
    for (let run = 0; run < RUNS.sqs; run += 1) {
      figures.atTen.push(await receiveLatency(clients.sqs, shallow, RUNS.receiveCalls));
      figures.atDeep.push(await receiveLatency(clients.sqs, deep, RUNS.receiveCalls));
    }
    await deleteQueue(clients.sqs, shallow);
    await deleteQueue(clients.sqs, deep);
  } finally {
    clients.destroy();
  }
  return figures;
}

/** moto: stack create, and the same SQS runs (fewer: it manages tens of calls per second). */
async function measureMoto(url) {
  const clients = clientsFor(url);
  const figures = { creates: [], sends: [], receives: [], notes: [] };
  try {
    for (let run = 0; run < RUNS.moto; run += 1) {
      progress(`moto: stack create ${run + 1}/${RUNS.moto}`);
      try {
        const created = await createStack(clients.cfn, {
          stackName: `BenchStack${run}`,
          templateBody: TEMPLATE_BODY,
          parameters: { FunctionName: `BenchFunc${run}` },
        });
        if (created.status === 'CREATE_COMPLETE') figures.creates.push(created.ms);
        else figures.notes.push(`moto's stack ended ${created.status}${created.reason ? ` (${created.reason})` : ''}`);
      } catch (error) {
        figures.notes.push(`moto could not create the stack: ${error.message}`);
      }
    }
    for (let run = 0; run < RUNS.moto; run += 1) {
      progress(`moto: SQS run ${run + 1}/${RUNS.moto}`);
      const queueUrl = await createQueue(clients.sqs, `bench-throughput-${run}-${Date.now()}`);
      const rates = await sqsThroughput(clients.sqs, queueUrl, RUNS.sqsMessages);
      figures.sends.push(rates.sendPerSecond);
      figures.receives.push(rates.receiveDeletePerSecond);
      await deleteQueue(clients.sqs, queueUrl);
    }
  } finally {
    clients.destroy();
  }
  return figures;
}

/** The SDK against fixed answers: the best any server could give this client on this machine. */
async function measureCanned(url) {
  const clients = clientsFor(url);
  const queueUrl = `${url}/000000000000/canned`;
  const figures = { sends: [], receives: [], p50s: [] };
  try {
    progress('SDK alone: Invoke against canned answers');
    // The canned server is a fresh process too: its first calls run cold, untimed.
    await invokeLatency(clients.lambda, 'Canned', 500);
    await sqsThroughput(clients.sqs, queueUrl, 1000);
    for (let run = 0; run < RUNS.api; run += 1) figures.p50s.push((await invokeLatency(clients.lambda, 'Canned', RUNS.warmCalls)).warmP50Ms);
  } finally {
    clients.destroy();
  }
  return figures;
}

/**
 * The SQS rates of every server in rounds: each round sends and receives the same 500 messages against each server in
 * turn (the order rotating), so a ratio compares samples taken moments apart rather than a minute apart; a machine
 * that slows down for a while slows every side of the round. `targets`: { figures, url, queueUrl? } per server; the
 * canned server's fixed queue URL is given, ours get a new queue per round.
 */
async function measureSqsRounds(targets) {
  const sessions = targets.map((entry) => ({ ...entry, clients: clientsFor(entry.url) }));
  try {
    for (let run = 0; run < RUNS.sqs; run += 1) {
      progress(`SQS round ${run + 1}/${RUNS.sqs}: ${sessions.map((entry) => entry.label).join(', ')}`);
      for (let turn = 0; turn < sessions.length; turn += 1) {
        const entry = sessions[(run + turn) % sessions.length];
        const queueUrl = entry.queueUrl ?? (await createQueue(entry.clients.sqs, `bench-throughput-${run}-${Date.now()}`));
        const rates = await sqsThroughput(entry.clients.sqs, queueUrl, RUNS.sqsMessages);
        entry.figures.sends.push(rates.sendPerSecond);
        entry.figures.receives.push(rates.receiveDeletePerSecond);
        if (!entry.queueUrl) await deleteQueue(entry.clients.sqs, queueUrl);
      }
    }
  } finally {
    for (const entry of sessions) entry.clients.destroy();
  }
}

/** The rows of sections 3-5 for one of our servers, beside moto and the SDK's ceiling. */
function apiSections(server, ours, moto, canned, _motoSkipReason) {
  const tag = (figure) => `${figure} · ${server.short}`;
  const invokeRows = [
    { figure: tag('sync Invoke, cold (first call)'), unit: 'ms', ours: summarize(ours.colds), target: target('<= 150 ms', summarize(ours.colds).median <= 150) },
    {
      figure: tag(`sync Invoke, warm p50 (${RUNS.warmCalls} calls)`),
      unit: 'ms',
      ours: summarize(ours.p50s),
      ...(canned ? { baseline: { label: 'SDK alone', summary: summarize(canned.p50s) } } : {}),
      target: target('<= 2 ms', summarize(ours.p50s).median <= 2),
    },
    { figure: tag(`sync Invoke, warm p99 (${RUNS.warmCalls} calls)`), unit: 'ms', ours: summarize(ours.p99s) },
    { figure: tag(`async Invoke acceptance (${RUNS.asyncCalls} sequential)`), unit: '/s', ours: summarize(ours.asyncRates) },
  ];

  // Each rate twice: against the SDK's own ceiling (the target: what is left for a server to lose), and against moto,
  // the comparison users know (no target: how slow moto is decides it).
  const rates = (figure, oursSamples, cannedSamples, motoSamples) => {
    const summary = summarize(oursSamples);
    const against = (label, samples) => {
      const median = summarize(samples).median;
      return { baseline: { label, summary: summarize(samples) }, ratio: summarize(oursSamples.map((rate) => rate / median)) };
    };
    // Against the ceiling, round by round (measureSqsRounds): each round's rate over the SDK-alone rate of that round.
    const ceiling = cannedSamples?.length
      ? { baseline: { label: 'SDK alone', summary: summarize(cannedSamples) }, ratio: pairedRatios(oursSamples, cannedSamples) }
      : {};
    return [
      { figure, unit: '/s', ours: summary, ...ceiling, target: target('>= 0.8x SDK alone', ceiling.ratio ? ceiling.ratio.median >= 0.8 : undefined) },
      ...(motoSamples?.length ? [{ figure: `  the same against moto`, unit: '/s', ours: summary, ...against('moto', motoSamples) }] : []),
    ];
  };
  const depthRatio = pairedRatios(ours.atDeep, ours.atTen);
  const sqsRows = [
    ...rates(tag(`SendMessage, ${RUNS.sqsMessages} sequential`), ours.sends, canned?.sends, moto?.sends),
    ...rates(tag(`ReceiveMessage (10) + DeleteMessage each, ${RUNS.sqsMessages} msgs`), ours.receives, canned?.receives, moto?.receives),
    {
      figure: tag(`ReceiveMessage (10) at ${RUNS.deepQueue} queued`),
      unit: 'ms',
      ours: summarize(ours.atDeep),
      baseline: { label: 'at 10 queued', summary: summarize(ours.atTen) },
      ratio: depthRatio,
      target: target('<= 1.1x (no slowdown)', depthRatio.median <= 1.1),
    },
  ];

  const createSummary = summarize(ours.creates);
  const stackRow = { figure: tag('CreateChangeSet -> Execute -> CREATE_COMPLETE'), unit: 'ms', ours: createSummary, target: target('< 100 ms', createSummary.median < 100) };
  if (moto?.creates.length) {
    stackRow.baseline = { label: 'moto', summary: summarize(moto.creates) };
    stackRow.ratio = summarize(moto.creates.map((ms) => ms / createSummary.median));
  }
  return { invokeRows, sqsRows, stackRow };
}

async function benchApis(servers, motoState) {
  const memory = servers.find((server) => server.short === 'in memory');
  if (memory) {
    progress('warming up the SDK client (untimed)');
    await warmUp(memory.url);
  }
  const measured = [];
  for (const server of servers) {
    if (server !== memory) await warmUp(server.url);
    measured.push({ server, figures: await measureServer(server.url, server.short) });
  }
  let canned;
  let cannedServer;
  try {
    cannedServer = await startCannedServer();
    canned = await measureCanned(cannedServer.url);
  } catch (error) {
    progress(`no SDK-alone baseline: ${error.message}`);
  }
  try {
    await measureSqsRounds([
      ...measured.map(({ server, figures }) => ({ label: server.short, url: server.url, figures })),
      ...(canned ? [{ label: 'SDK alone', url: cannedServer.url, queueUrl: `${cannedServer.url}/000000000000/canned`, figures: canned }] : []),
    ]);
  } finally {
    await cannedServer?.stop();
  }
  let moto;
  if (motoState.available) {
    progress(`starting moto ${motoState.version}`);
    const motoServer = await startMoto().catch((error) => {
      motoState.reason = `moto did not start: ${error.message}`;
      return undefined;
    });
    if (motoServer) {
      try {
        moto = await measureMoto(motoServer.url);
      } finally {
        await motoServer.stop();
      }
    }
  }

  const parts = measured.map(({ server, figures }) => apiSections(server, figures, moto, canned, motoState.reason));
  const inMemory = measured.find((entry) => entry.server === memory)?.figures;
  const durable = measured.find((entry) => entry.server.short === 'durable server')?.figures;
  // What durability costs: the durable server's rates as a share of the in-memory ones, measured in this same run.
  const durabilityRows = inMemory && durable
    ? [
        ['SendMessage', durable.sends, inMemory.sends],
        ['ReceiveMessage (10) + DeleteMessage each', durable.receives, inMemory.receives],
      ].map(([name, ours, baseline]) => {
        const ratio = pairedRatios(ours, baseline);
        return { figure: `${name} · durable vs in memory`, unit: '/s', ours: summarize(ours), baseline: { label: 'in memory', summary: summarize(baseline) }, ratio, target: target('>= 0.7x in memory', ratio.median >= 0.7) };
      })
    : [];
  const servedBy = servers.map((server) => `${server.short} = ${server.kind}`).join('; ');
  const motoNote = moto ? [] : [`no moto comparison: ${motoState.reason}`];
  const sqsExtras = [];
  if (canned) {
    for (const [name, key] of [['SendMessage', 'sends'], ['ReceiveMessage (10) + DeleteMessage each', 'receives']]) {
      const motoMedian = moto?.[key].length ? summarize(moto[key]).median : undefined;
      sqsExtras.push({
        figure: `${name}, SDK alone against canned answers`,
        unit: '/s',
        ours: summarize(canned[key]),
        ...(motoMedian ? { baseline: { label: 'moto', summary: summarize(moto[key]) }, ratio: summarize(canned[key].map((rate) => rate / motoMedian)) } : {}),
      });
    }
  }
  return [
    { title: '3. Invoke', subtitle: servedBy, rows: parts.flatMap((part) => part.invokeRows), notes: ['SDK alone = the same calls against a server that answers at once with fixed responses'] },
    {
      title: '4. SQS',
      subtitle: servedBy,
      rows: [...parts.flatMap((part) => part.sqsRows), ...durabilityRows, ...sqsExtras],
      notes: ['rates are calls (send) and messages (receive + delete) per second; ratio = ours / the baseline\'s median', 'SDK alone = the same calls against a server that answers at once with fixed responses', ...motoNote],
    },
    { title: '5. CloudFormation', subtitle: 'templates/LambdaAsync.yaml', rows: parts.map((part) => part.stackRow), notes: [...(moto?.notes ?? []), ...(moto?.creates.length ? ['ratio = moto / ours'] : []), ...motoNote] },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// 6. Server start-up: `local start -d` until the first API call is answered, and `local stop`.

async function benchServerStart(available, installed) {
  if (!available.available) return { title: '6. Server start-up', rows: [], skipped: available.reason };
  const firstAnswers = [];
  const commandReturns = [];
  const stops = [];
  for (let run = 0; run < RUNS.serverStart; run += 1) {
    progress(`local start -d / local stop ${run + 1}/${RUNS.serverStart}`);
    const stateDir = temporaryDir('start');
    const port = await freePort();
    const env = isolatedEnv(stateDir, port);
    const url = `http://127.0.0.1:${port}`;
    try {
      const startedAt = performance.now();
      let answeredAt;
      // Poll from the moment the command is spawned, every 2 ms, without waiting for the command to return.
      const polling = (async () => {
        while (answeredAt === undefined && performance.now() - startedAt < 15_000) {
          if (await listQueuesAnswers(url)) answeredAt = performance.now() - startedAt;
          else await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      const started = await runTimed(process.execPath, [installed.bin, 'local', 'start', '-d', '--port', String(port), '--state-dir', stateDir], { env });
      await polling;
      if (started.code !== 0) throw new Error(`local start -d exited ${started.code}: ${started.stderr.trim()}`);
      if (answeredAt === undefined) throw new Error('the server never answered');
      commandReturns.push(started.wallMs);
      firstAnswers.push(answeredAt);
    } finally {
      const stopped = await runTimed(process.execPath, [installed.bin, 'local', 'stop', '--state-dir', stateDir], { env });
      if (stopped.code === 0) stops.push(stopped.wallMs);
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  const first = summarize(firstAnswers);
  return {
    title: '6. Server start-up',
    subtitle: 'empty state directory',
    rows: [
      { figure: '`local start -d` to first API answer', unit: 'ms', ours: first, target: target('<= 200 ms', first.median <= 200) },
      { figure: '`local start -d` command returns', unit: 'ms', ours: summarize(commandReturns) },
      { figure: '`local stop`', unit: 'ms', ours: summarize(stops) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 7. First run in a fresh clone: `npm ci`, then `npx lambda-async-demo run`, which builds the bundle on its first start.

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A copy of the checkout's tracked files as they are now (what a clone of this tree holds), with `npm ci` done. */
function freshClone() {
  const listed = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error('not a git checkout: there is nothing to clone');
  const dir = temporaryDir('clone');
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    try {
      cpSync(join(ROOT, file), join(dir, file));
    } catch (error) {
      // A tracked file deleted in the working tree is not in a clone of it either.
      if (error.code !== 'ENOENT') throw error;
    }
  }
  // From npm's cache where it can: the install is not what is measured, and the bench should not need the network.
  const installed = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, encoding: 'utf8' });
  if (installed.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`npm ci failed: ${installed.stderr.trim().split('\n').slice(-2).join(' / ')}`);
  }
  return dir;
}

async function benchFreshClone() {
  const firsts = [];
  const seconds = [];
  const direct = [];
  for (let run = 0; run < RUNS.freshClone; run += 1) {
    progress(`fresh clone ${run + 1}/${RUNS.freshClone}: copying the tracked files, npm ci (untimed)`);
    const dir = freshClone();
    const stateDir = temporaryDir('clone-state');
    try {
      const env = isolatedEnv(stateDir, await freePort());
      const args = ['run', '--retry-delays', '0.2,0.4', '--json'];
      const timed = async (command, commandArgs) => {
        const result = await runTimed(command, commandArgs, { env, cwd: dir });
        if (result.code !== 0) throw new Error(`${command} ${commandArgs.join(' ')} exited ${result.code}: ${result.stderr.trim().split('\n').slice(-2).join(' / ')}`);
        return result;
      };
      progress(`fresh clone ${run + 1}/${RUNS.freshClone}: npx lambda-async-demo run, twice`);
      const first = await timed('npx', ['lambda-async-demo', ...args]);
      if (!/Building lambda-async-demo/.test(first.stderr)) throw new Error('the first run in the clone did not build the bundle');
      firsts.push(first.wallMs / 1000);
      seconds.push((await timed('npx', ['lambda-async-demo', ...args])).wallMs / 1000);
      direct.push((await timed(process.execPath, [join(dir, 'bin', 'lambda-async-demo.js'), ...args])).wallMs / 1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return {
    title: '7. First run in a fresh clone',
    subtitle: 'the tracked files copied, `npm ci`, then `run --retry-delays 0.2,0.4`',
    rows: [
      { figure: 'first `npx lambda-async-demo run` (builds the bundle)', unit: 's', ours: summarize(firsts), baseline: { label: 'second run', summary: summarize(seconds) }, ratio: pairedRatios(firsts, seconds) },
      { figure: 'the second run without npx (`node bin/lambda-async-demo.js run`)', unit: 's', ours: summarize(direct), baseline: { label: 'with npx', summary: summarize(seconds) } },
    ],
    notes: ['first - second = the build; second - without npx = npx (npm) starting'],
  };
}

// ---------------------------------------------------------------------------------------------------------------

function machine() {
  const processors = cpus();
  return {
    cpu: processors[0]?.model?.trim() ?? 'unknown',
    cores: processors.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverageAtStart: loadavg().map((load) => Number(load.toFixed(2))),
  };
}

/** Sections 1-7 as asked for, in an order that keeps servers and moto from running beside the process benches. */
async function benchSections(installed, run, sections) {
  // The process benches first, while no server of ours or moto's is running beside them.
  if (wanted('startup')) await run('1. Start-up', () => benchStartup(installed));
  if (wanted('lesson')) await run('2. Lesson overhead', () => benchLesson(installed));

  const localCommand = localServerCommand();
  const motoState = args.has('--no-moto') ? { available: false, reason: '--no-moto was given' } : motoAvailability();
  const servers = [];
  if (wanted('api')) {
    try {
      servers.push({ ...(await startMemoryEmulator()), short: 'in memory' });
      if (localCommand.available) servers.push({ ...(await startLocalServer()), short: 'durable server' });
      else progress(`no durable-server figures: ${localCommand.reason}`);
      await run('3-5. API benches', () => benchApis(servers, motoState));
    } catch (error) {
      sections.push({ title: '3-5. API benches', rows: [], skipped: `a server did not start: ${error.message}` });
    } finally {
      for (const server of servers) await server.stop();
    }
  }
  if (wanted('server')) await run('6. Server start-up', () => benchServerStart(localCommand, installed));
  if (wanted('clone')) await run('7. First run in a fresh clone', benchFreshClone);
}

async function main() {
  const startedAt = performance.now();
  const info = machine();
  progress(`${info.cores} x ${info.cpu}, Node ${info.node}${quick ? ', quick mode' : ''}`);
  const sections = [];
  const run = async (label, work) => {
    try {
      const result = await work();
      sections.push(...(Array.isArray(result) ? result : [result]));
    } catch (error) {
      sections.push({ title: label, rows: [], skipped: `failed: ${error.message}` });
    }
  };

  // Sections 1, 2 and 6 time the package as a user installs it (npm pack, extracted): what `npx` runs.
  let installed;
  if (wanted('startup') || wanted('lesson') || wanted('server')) {
    progress('npm pack: the package as installed, for sections 1, 2 and 6');
    installed = installedPackage();
  }
  try {
    await benchSections(installed, run, sections);
  } finally {
    installed?.remove();
  }

  // Keep the printed order 1..7 whatever order they ran in.
  sections.sort((a, b) => a.title.trim().localeCompare(b.title.trim(), 'en', { numeric: true }));
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  info.loadAverageAtEnd = loadavg().map((load) => Number(load.toFixed(2)));
  process.stdout.write(`${renderTable(sections)}\n\n`);
  process.stdout.write(
    `machine: ${info.cores} x ${info.cpu}, ${info.memoryGb} GB, ${info.os}, Node ${info.node}; ` +
      `load average ${info.loadAverageAtStart[0]} at start, ${info.loadAverageAtEnd[0]} at end; bench took ${elapsedSeconds.toFixed(0)} s\n`,
  );
  const missed = sections.flatMap((section) => section.rows.filter((row) => row.target?.met === false).map((row) => row.figure.trim()));
  process.stdout.write(missed.length ? `targets missed: ${missed.join('; ')}\n` : 'every measured target met\n');
  writeFileSync(
    RESULTS_PATH,
    `${JSON.stringify({ date: new Date().toISOString(), quick, runs: RUNS, machine: info, elapsedSeconds, sections }, null, 2)}\n`,
  );
  progress(`results written to ${RESULTS_PATH}`);
}

await main();
