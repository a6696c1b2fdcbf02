// a2a_assay_client.mjs — assay's A2A client (`assay fixture a2a client`)
// against the official SDK's echo agent (a2a_sdk_server.mjs): every
// operation, multi-turn, cancellation during a subscription, and the errors
// the client must report.
//
// usage: node a2a_assay_client.mjs ASSAY_BINARY URL
// Prints one line per check; exit status 0 only if every check passed.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

const [binary, base] = process.argv.slice(2);
if (!binary || !base) {
  console.error('usage: node a2a_assay_client.mjs ASSAY_BINARY URL');
  process.exit(2);
}

// Runs one client operation; resolves to {code, stdout lines parsed, stderr}.
function run(...operation) {
  return new Promise((resolve) => {
    execFile(binary, ['fixture', 'a2a', 'client', base, ...operation], { timeout: 20000 },
      (error, stdout, stderr) => {
        const lines = stdout.split('\n').filter((line) => line.trim() !== '');
        let documents;
        try {
          documents = lines.map((line) => JSON.parse(line));
        } catch (parseError) {
          documents = [];
          stderr += `\n(stdout is not JSON lines: ${parseError.message})`;
        }
        resolve({ code: error ? error.code ?? 1 : 0, documents, stderr });
      });
  });
}

async function ok(...operation) {
  const result = await run(...operation);
  assert.equal(result.code, 0, `${operation.join(' ')} failed: ${result.stderr.trim()}`);
  return result.documents;
}

async function fails(code, ...operation) {
  const result = await run(...operation);
  assert.equal(result.code, 1, `${operation.join(' ')} should fail, exit ${result.code}`);
  const error = result.documents[0]?.error;
  assert.ok(error, `no {"error":...} line on stdout for ${operation.join(' ')}`);
  if (code !== undefined) assert.equal(error.code, code, `${operation.join(' ')}: ${error.message}`);
  assert.equal(result.stderr.trim().split('\n').length, 1, 'one line of reason on stderr');
  return error;
}

const state = (task) => task.status?.state;
const artifactText = (task) => task.artifacts?.[0]?.parts?.[0]?.text;
const kind = (event) => Object.keys(event)[0];
const eventState = (event) => state(event.task ?? event.statusUpdate ?? {});

const checks = [];
const check = (name, body) => checks.push({ name, body });

check('card: resolves the JSONRPC interface', async () => {
  const [card] = await ok('card');
  assert.equal(card.name, 'SDK echo agent');
  assert.equal(card.supportedInterfaces[0].protocolBinding, 'JSONRPC');
  assert.equal(card.supportedInterfaces[0].protocolVersion, '1.0');
});

check('send: blocking, completed with the echo', async () => {
  const [result] = await ok('send', 'hello');
  assert.equal(state(result.task), 'TASK_STATE_COMPLETED');
  assert.equal(artifactText(result.task), 'hello');
});

check('get with --history-length', async () => {
  const [sent] = await ok('send', 'remember me');
  const id = sent.task.id;
  const [full] = await ok('get', id);
  assert.equal(full.id, id);
  assert.equal(full.history.length, 1);
  const [none] = await ok('get', id, '--history-length', '0');
  assert.ok(!none.history || none.history.length === 0);
});

check('stream: task first, artifact, completion last', async () => {
  const events = await ok('stream', 'streamed');
  assert.equal(kind(events[0]), 'task');
  assert.ok(events.some((event) => kind(event) === 'artifactUpdate'));
  assert.equal(kind(events.at(-1)), 'statusUpdate');
  assert.equal(eventState(events.at(-1)), 'TASK_STATE_COMPLETED');
});

check('multi-turn: input-required, follow-up completes', async () => {
  const [first] = await ok('send', 'input please');
  assert.equal(state(first.task), 'TASK_STATE_INPUT_REQUIRED');
  const [second] = await ok('send', 'the rest', '--task-id', first.task.id,
    '--context-id', first.task.contextId);
  assert.equal(second.task.id, first.task.id);
  assert.equal(state(second.task), 'TASK_STATE_COMPLETED');
  assert.equal(artifactText(second.task), 'the rest');
});

check('multi-turn by stream', async () => {
  const [first] = await ok('send', 'input again');
  const events = await ok('stream', 'streamed rest', '--task-id', first.task.id);
  assert.equal(eventState(events.at(-1)), 'TASK_STATE_COMPLETED');
});

check('fail', async () => {
  const [result] = await ok('send', 'fail please');
  assert.equal(state(result.task), 'TASK_STATE_FAILED');
});

check('return immediately, subscribe, cancel meanwhile', async () => {
  const [started] = await ok('send', 'slow please', '--return-immediately');
  const id = started.task.id;
  assert.ok(['TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING'].includes(state(started.task)));
  const subscriber = spawn(binary, ['fixture', 'a2a', 'client', base, 'subscribe', id]);
  let output = '';
  subscriber.stdout.on('data', (chunk) => (output += chunk));
  const ended = new Promise((resolve) => subscriber.on('close', resolve));
  while (output.split('\n').filter(Boolean).length < 2)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const [canceled] = await ok('cancel', id);
  assert.equal(state(canceled), 'TASK_STATE_CANCELED');
  const exitCode = await ended;
  assert.equal(exitCode, 0);
  const events = output.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  assert.equal(kind(events[0]), 'task');
  assert.equal(eventState(events.at(-1)), 'TASK_STATE_CANCELED');
  const [fetched] = await ok('get', id);
  assert.equal(state(fetched), 'TASK_STATE_CANCELED');
});

check('list: context filter and pagination', async () => {
  const contextId = `assay-list-${randomUUID()}`;
  for (const text of ['one', 'two', 'three']) await ok('send', text, '--context-id', contextId);
  const [all] = await ok('list', '--context-id', contextId);
  assert.equal(all.tasks.length, 3);
  assert.equal(all.totalSize, 3);
  const [page1] = await ok('list', '--context-id', contextId, '--page-size', '2');
  assert.equal(page1.tasks.length, 2);
  assert.ok(page1.nextPageToken);
  const [page2] = await ok('list', '--context-id', contextId, '--page-size', '2',
    '--page-token', page1.nextPageToken);
  assert.equal(page2.tasks.length, 1);
  const [withArtifacts] = await ok('list', '--context-id', contextId, '--include-artifacts',
    '--status', 'TASK_STATE_COMPLETED');
  assert.equal(withArtifacts.tasks.length, 3);
  assert.ok(withArtifacts.tasks.every((task) => artifactText(task)));
});

check('remote errors are reported with their codes', async () => {
  const notFound = await fails(-32001, 'get', 'no-such-task');
  assert.equal(notFound.reason, 'TASK_NOT_FOUND');
  const [done] = await ok('send', 'finished');
  await fails(-32002, 'cancel', done.task.id);
  await fails(-32004, 'send', 'too late', '--task-id', done.task.id);
  await fails(-32601, 'call', 'NoSuchMethod', '{}');
  await fails(-32602, 'call', 'GetTask', '{}');
  const [raw] = await ok('call', 'GetTask', JSON.stringify({ id: done.task.id }));
  assert.equal(raw.id, done.task.id);
});

check('transport errors: refused connection, timeout', async () => {
  const refused = await new Promise((resolve) =>
    execFile(binary, ['fixture', 'a2a', 'client', 'http://127.0.0.1:1', 'card'], (error, stdout) =>
      resolve({ code: error?.code, error: JSON.parse(stdout).error })));
  assert.equal(refused.code, 1);
  assert.match(refused.error.status, /input\/output/);
  const slow = await fails(undefined, 'send', 'slow again', '--timeout', '300');
  assert.match(slow.status, /timed out/);
});

check('usage errors exit 2', async () => {
  const result = await run('get');
  assert.equal(result.code, 2);
});

let failures = 0;
for (const { name, body } of checks) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (error) {
    failures++;
    console.log(`not ok - ${name}: ${error.message}`);
  }
}
console.log(failures === 0 ? `all ${checks.length} checks passed` : `${failures} of ${checks.length} checks failed`);
process.exit(failures === 0 ? 0 : 1);
