// a2a_sdk_client.mjs — the official @a2a-js/sdk client against assay's A2A
// echo agent (`assay fixture a2a echo`): every operation, multi-turn, and the
// error codes (the latter partly with raw fetch, as the SDK always sends a
// well-formed request).
//
// usage: node a2a_sdk_client.mjs URL     (URL: the agent's base URL)
// Prints one line per check; exit status 0 only if every check passed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import {
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  Role,
  SendMessageRequest,
  SubscribeToTaskRequest,
  TaskState,
} from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';

const base = process.argv[2];
if (!base) {
  console.error('usage: node a2a_sdk_client.mjs URL');
  process.exit(2);
}

// Requests are built from their wire form with the SDK's own codecs, so
// every proto field has its default.
function sendRequest(text, { taskId, contextId, returnImmediately, historyLength } = {}) {
  const message = { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }] };
  if (taskId) message.taskId = taskId;
  if (contextId) message.contextId = contextId;
  const wire = { message };
  if (returnImmediately !== undefined || historyLength !== undefined) {
    wire.configuration = {};
    if (returnImmediately !== undefined) wire.configuration.returnImmediately = returnImmediately;
    if (historyLength !== undefined) wire.configuration.historyLength = historyLength;
  }
  return SendMessageRequest.fromJSON(wire);
}

const textOf = (part) => (part?.content?.$case === 'text' ? part.content.value : undefined);
const artifactText = (task) => textOf(task.artifacts?.[0]?.parts?.[0]);

async function collect(stream, onEvent) {
  const events = [];
  for await (const event of stream) {
    events.push(event);
    if (onEvent) await onEvent(event, events);
  }
  return events;
}

function eventState(event) {
  const { $case, value } = event.payload;
  if ($case === 'task' || $case === 'statusUpdate') return value.status?.state;
  return undefined;
}

async function expectCode(promise, code) {
  try {
    await promise;
  } catch (error) {
    const actual = error.envelopeCode ?? error.cause?.envelopeCode;
    assert.equal(actual, code, `expected error ${code}, got ${actual}: ${error.message}`);
    return error;
  }
  assert.fail(`expected error ${code}, the call succeeded`);
}

async function raw(body, { version = '1.0', contentType = 'application/json' } = {}) {
  const headers = {};
  if (version !== null) headers['A2A-Version'] = version;
  if (contentType !== null) headers['Content-Type'] = contentType;
  const response = await fetch(endpoint, { method: 'POST', headers, body });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

async function expectRawCode(body, code, options) {
  const { status, json } = await raw(body, options);
  assert.equal(status, 200, `HTTP ${status}`);
  assert.equal(json?.jsonrpc, '2.0');
  assert.equal(json?.error?.code, code, `expected ${code}, got ${JSON.stringify(json)}`);
  assert.ok(Array.isArray(json.error.data), 'error.data is an array');
  assert.equal(json.error.data[0]['@type'], 'type.googleapis.com/google.rpc.ErrorInfo');
  return json;
}

const client = await new ClientFactory().createFromUrl(base);
const card = await client.getAgentCard();
const endpoint = card.supportedInterfaces[0].url;

const checks = [];
const check = (name, body) => checks.push({ name, body });

check('agent card', async () => {
  assert.equal(card.name, 'assay echo agent');
  assert.equal(card.capabilities.streaming, true);
  assert.equal(card.capabilities.pushNotifications, false);
  assert.equal(card.capabilities.extendedAgentCard, false);
  assert.equal(card.supportedInterfaces.length, 1);
  assert.equal(card.supportedInterfaces[0].protocolBinding, 'JSONRPC');
  assert.equal(card.supportedInterfaces[0].protocolVersion, '1.0');
  assert.ok(card.skills.length > 0 && card.skills[0].tags.length > 0);
  assert.ok(card.defaultInputModes.length > 0 && card.defaultOutputModes.length > 0);
});

check('send (blocking) completes with an echo artifact', async () => {
  const task = await client.sendMessage(sendRequest('hello'));
  assert.equal(task.status.state, TaskState.TASK_STATE_COMPLETED);
  assert.equal(artifactText(task), 'hello');
  assert.equal(task.history[0].role, Role.ROLE_USER);
  assert.equal(task.history[0].taskId, task.id);
  assert.ok(task.status.timestamp.endsWith('Z'));
});

check('get with historyLength', async () => {
  const sent = await client.sendMessage(sendRequest('history please'));
  const full = await client.getTask(GetTaskRequest.fromJSON({ id: sent.id }));
  assert.equal(full.id, sent.id);
  assert.equal(full.status.state, TaskState.TASK_STATE_COMPLETED);
  assert.equal(full.history.length, 1);
  const none = await client.getTask(GetTaskRequest.fromJSON({ id: sent.id, historyLength: 0 }));
  assert.equal(none.history.length, 0);
  const one = await client.getTask(GetTaskRequest.fromJSON({ id: sent.id, historyLength: 1 }));
  assert.equal(one.history.length, 1);
  assert.equal(artifactText(one), 'history please');
});

check('stream: task, artifact, completion', async () => {
  const events = await collect(client.sendMessageStream(sendRequest('streamed hello')));
  assert.equal(events[0].payload.$case, 'task');
  assert.ok(events.some((event) => event.payload.$case === 'artifactUpdate'));
  const last = events.at(-1);
  assert.equal(last.payload.$case, 'statusUpdate');
  assert.equal(eventState(last), TaskState.TASK_STATE_COMPLETED);
  const artifact = events.find((event) => event.payload.$case === 'artifactUpdate').payload.value;
  assert.equal(textOf(artifact.artifact.parts[0]), 'streamed hello');
});

check('multi-turn: input-required, then the follow-up completes the task', async () => {
  const first = await client.sendMessage(sendRequest('input please'));
  assert.equal(first.status.state, TaskState.TASK_STATE_INPUT_REQUIRED);
  assert.equal(first.status.message.role, Role.ROLE_AGENT);
  const second = await client.sendMessage(
    sendRequest('here is more', { taskId: first.id, contextId: first.contextId })
  );
  assert.equal(second.id, first.id);
  assert.equal(second.status.state, TaskState.TASK_STATE_COMPLETED);
  assert.equal(artifactText(second), 'here is more');
  assert.ok(second.history.length >= 3);
  await expectCode(client.sendMessage(sendRequest('too late', { taskId: first.id })), -32004);
});

check('multi-turn by stream', async () => {
  const first = await client.sendMessage(sendRequest('input again'));
  const events = await collect(client.sendMessageStream(sendRequest('streamed follow-up', { taskId: first.id })));
  assert.equal(events[0].payload.$case, 'task');
  assert.equal(events[0].payload.value.id, first.id);
  assert.equal(eventState(events.at(-1)), TaskState.TASK_STATE_COMPLETED);
});

check('fail', async () => {
  const task = await client.sendMessage(sendRequest('fail please'));
  assert.equal(task.status.state, TaskState.TASK_STATE_FAILED);
});

check('returnImmediately, subscribe, then cancel a slow task', async () => {
  const started = await client.sendMessage(sendRequest('slow please', { returnImmediately: true }));
  assert.ok(
    [TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING].includes(started.status.state),
    `state ${started.status.state}`
  );
  let canceled;
  const events = await collect(
    client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: started.id })),
    async (event, seen) => {
      if (seen.length === 2)
        canceled = await client.cancelTask(CancelTaskRequest.fromJSON({ id: started.id }));
    }
  );
  assert.equal(events[0].payload.$case, 'task');
  assert.equal(canceled.status.state, TaskState.TASK_STATE_CANCELED);
  assert.equal(eventState(events.at(-1)), TaskState.TASK_STATE_CANCELED);
  const fetched = await client.getTask(GetTaskRequest.fromJSON({ id: started.id }));
  assert.equal(fetched.status.state, TaskState.TASK_STATE_CANCELED);
  // Canceling a canceled task answers it again; subscribing to it is refused.
  const again = await client.cancelTask(CancelTaskRequest.fromJSON({ id: started.id }));
  assert.equal(again.status.state, TaskState.TASK_STATE_CANCELED);
  await expectCode(collect(client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: started.id }))), -32004);
});

check('list: context filter, status filter, pagination, includeArtifacts', async () => {
  const contextId = `sdk-list-${randomUUID()}`;
  for (const text of ['one', 'two', 'three'])
    await client.sendMessage(sendRequest(text, { contextId }));
  await client.sendMessage(sendRequest('input listed', { contextId }));
  const all = await client.listTasks(ListTasksRequest.fromJSON({ contextId }));
  assert.equal(all.tasks.length, 4);
  assert.equal(all.totalSize, 4);
  assert.equal(all.nextPageToken, '');
  assert.equal(all.tasks[0].status.state, TaskState.TASK_STATE_INPUT_REQUIRED); // newest first
  assert.equal(all.tasks[0].artifacts.length, 0); // omitted unless asked for
  const completed = await client.listTasks(
    ListTasksRequest.fromJSON({ contextId, status: 'TASK_STATE_COMPLETED', includeArtifacts: true, historyLength: 0 })
  );
  assert.equal(completed.tasks.length, 3);
  assert.equal(artifactText(completed.tasks[0]), 'three');
  assert.equal(completed.tasks[0].history.length, 0);
  const page1 = await client.listTasks(ListTasksRequest.fromJSON({ contextId, pageSize: 3 }));
  assert.equal(page1.tasks.length, 3);
  assert.notEqual(page1.nextPageToken, '');
  const page2 = await client.listTasks(
    ListTasksRequest.fromJSON({ contextId, pageSize: 3, pageToken: page1.nextPageToken })
  );
  assert.equal(page2.tasks.length, 1);
  assert.equal(page2.nextPageToken, '');
  const seen = new Set([...page1.tasks, ...page2.tasks].map((task) => task.id));
  assert.equal(seen.size, 4);
});

check('A2A errors through the SDK client', async () => {
  await expectCode(client.getTask(GetTaskRequest.fromJSON({ id: 'no-such-task' })), -32001);
  await expectCode(client.cancelTask(CancelTaskRequest.fromJSON({ id: 'no-such-task' })), -32001);
  const done = await client.sendMessage(sendRequest('finished'));
  await expectCode(client.cancelTask(CancelTaskRequest.fromJSON({ id: done.id })), -32002);
  await expectCode(client.sendMessage(sendRequest('hello?', { taskId: 'no-such-task' })), -32001);
});

const send = (text) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: 'raw-1',
    method: 'SendMessage',
    params: { message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }] } },
  });

check('A2A-Version: a wrong or missing version is -32009', async () => {
  for (const version of ['0.3', '2.0', null]) {
    const json = await expectRawCode(send('hi'), -32009, { version });
    assert.equal(json.id, 'raw-1');
    assert.match(json.error.message, /1\.0/);
    assert.equal(json.error.data[0].reason, 'VERSION_NOT_SUPPORTED');
  }
  const ok = await raw(send('hi'));
  assert.equal(ok.json.result.task.status.state, 'TASK_STATE_COMPLETED');
});

check('JSON-RPC framing errors: -32700, -32600, -32601, -32602', async () => {
  await expectRawCode('{"jsonrpc":"2.0","id":1,"method":', -32700);
  await expectRawCode('[1,2,3]', -32600);
  await expectRawCode('{"jsonrpc":"2.0","id":1}', -32600);
  await expectRawCode('{"jsonrpc":"2.0","id":1,"method":"message/send","params":{}}', -32601);
  await expectRawCode('{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{}}', -32602);
  const json = await expectRawCode(
    '{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[]}}}',
    -32602
  );
  assert.match(json.error.message, /params\.message\.parts/);
  const violation = json.error.data.find((detail) => detail['@type'].endsWith('BadRequest'));
  assert.equal(violation.fieldViolations[0].field, 'params.message.parts');
  await expectRawCode(
    '{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"a","url":"b"}]}}}',
    -32602
  );
});

check('unsupported features: push notifications -32003, extended card -32004', async () => {
  await expectRawCode(
    '{"jsonrpc":"2.0","id":1,"method":"CreateTaskPushNotificationConfig","params":{"taskId":"t","url":"http://127.0.0.1:1/"}}',
    -32003
  );
  await expectRawCode('{"jsonrpc":"2.0","id":1,"method":"GetExtendedAgentCard"}', -32004);
});

check('content type other than application/json is -32005', async () => {
  await expectRawCode(send('hi'), -32005, { contentType: 'text/plain' });
});

// A large upload announced with `Expect: 100-continue`, as careful clients
// do: the agent can refuse it by its Content-Length before any of the body
// is sent. (Without it, the agent still answers 413 at once and closes, but
// a client busy uploading may see the closed connection before the answer.)
function postLarge(url, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'A2A-Version': '1.0',
        'Content-Length': Buffer.byteLength(body),
        Expect: '100-continue',
      },
    });
    request.on('continue', () => request.end(body));
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode);
      request.destroy();
    });
    request.on('error', reject);
    request.flushHeaders();
  });
}

check('oversized body is HTTP 413 and the agent keeps serving', async () => {
  const status = await postLarge(endpoint, send('x'.repeat(5 * 1024 * 1024)));
  assert.equal(status, 413);
  const task = await client.sendMessage(sendRequest('still here'));
  assert.equal(task.status.state, TaskState.TASK_STATE_COMPLETED);
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
