#!/usr/bin/env node
// Runs one execution of an Amazon States Language definition with aws-local-stepfunctions and
// prints ONE JSON object on stdout:
//   {"status":"SUCCEEDED"|"FAILED","output":...,"error":...,"cause":...,
//    "states":["ReceiveLead",...],"events":[{"type","state","error","cause","retrier"}...],
//    "lastStateInput":...}   (the data the last state entered received, e.g. the Fail state's)
// Task states invoke Lambda through the AWS SDK: point AWS_ENDPOINT_URL_LAMBDA at a local
// Lambda Invoke endpoint. Exit code 0 when the execution ran (whatever its status), 1 otherwise.
//
// Usage: node run-state-machine.mjs --definition <file> --input <file> [--name <execution name>]
//          [--retry-interval-ms <ms>]   (replaces every Retry pause, so tests need not wait for backoff)

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

// aws-local-stepfunctions 3 targets Node 22; Node 20 lacks Promise.withResolvers.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

// The SDK needs a region and credentials even for a local endpoint.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const { values } = parseArgs({
  options: {
    definition: { type: 'string' },
    input: { type: 'string' },
    name: { type: 'string', default: `local-${Date.now()}` },
    'retry-interval-ms': { type: 'string' },
  },
});

if (!values.definition || !values.input) {
  process.stderr.write('usage: run-state-machine.mjs --definition <file> --input <file> [--name <name>] [--retry-interval-ms <ms>]\n');
  process.exit(1);
}

const { StateMachine } = await import('aws-local-stepfunctions');

const definition = JSON.parse(await readFile(values.definition, 'utf8'));
const input = JSON.parse(await readFile(values.input, 'utf8'));
const region = process.env.AWS_REGION;
const context = {
  Execution: {
    Name: values.name,
    Id: `arn:aws:states:${region}:000000000000:execution:LeadOnboarding:${values.name}`,
  },
  StateMachine: { Id: `arn:aws:states:${region}:000000000000:stateMachine:LeadOnboarding`, Name: 'LeadOnboarding' },
};

const overrides = {};
if (values['retry-interval-ms'] !== undefined) {
  const pause = Number(values['retry-interval-ms']);
  overrides.retryIntervalOverrides = Object.fromEntries(Object.keys(definition.States).map((state) => [state, pause]));
}

const machine = new StateMachine(definition);
const execution = machine.run(input, { context, overrides });

const states = [];
const events = [];
const report = { status: 'SUCCEEDED', output: null, error: null, cause: null, states, events, lastStateInput: null };
const logging = (async () => {
  for await (const event of execution.eventLogs) {
    const entry = { type: event.type };
    if (event.state) entry.state = event.state.name;
    if (event.Error !== undefined) entry.error = event.Error;
    if (event.Cause !== undefined) entry.cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
    if (event.retry?.retrier?.ErrorEquals) entry.retrier = event.retry.retrier.ErrorEquals;
    events.push(entry);
    if (event.type === 'StateEntered') {
      states.push(event.state.name);
      report.lastStateInput = event.state.input ?? null;
    }
  }
})();

try {
  report.output = await execution.result;
} catch (failure) {
  // ExecutionError wraps what ended the run: a Fail state (name = Error, message = Cause) or an uncaught error.
  const reason = failure?.cause ?? failure;
  report.status = 'FAILED';
  report.error = reason?.name ?? 'Error';
  report.cause = reason?.message ?? String(reason);
}

await logging;
process.stdout.write(`${JSON.stringify(report)}\n`);
