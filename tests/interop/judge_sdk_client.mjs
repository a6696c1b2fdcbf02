// judge_sdk_client.mjs — the official @a2a-js/sdk client asks `assay judge`
// for assessments: a streamed run shows progress and ends with a results
// artifact (oracle 100%, random 0%), a bad request and an unreachable agent
// are rejected with a reason, and canceling stops a long run.
//
// usage: node judge_sdk_client.mjs JUDGE_URL ORACLE_URL RANDOM_URL
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CancelTaskRequest, SendMessageRequest, TaskState } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';

const [judgeUrl, oracle, random] = process.argv.slice(2);
const client = await new ClientFactory().createFromUrl(judgeUrl);

const request = (data, returnImmediately) => SendMessageRequest.fromJSON({
  message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ data }] },
  ...(returnImmediately ? { configuration: { returnImmediately: true } } : {}),
});
const stateOf = (event) => {
  const { $case, value } = event.payload;
  return $case === 'task' || $case === 'statusUpdate' ? value.status?.state : undefined;
};
const statusText = (event) => event.payload.value.status?.message?.parts?.[0]?.content?.value;

try {
  // 1. a streamed assessment
  const events = [];
  for await (const event of client.sendMessageStream(request({
    participants: { oracle, random }, config: { split: 'composed', privileged: ['oracle'], concurrency: 2 },
  }))) events.push(event);
  const progress = events.filter((e) => e.payload.$case === 'statusUpdate' && /episodes$/.test(statusText(e) ?? ''));
  assert.ok(progress.length >= 16, `progress updates: ${progress.length}`);
  assert.equal(stateOf(events.at(-1)), TaskState.TASK_STATE_COMPLETED);
  const artifact = events.find((e) => e.payload.$case === 'artifactUpdate').payload.value.artifact;
  assert.equal(artifact.artifactId, 'results');
  const results = artifact.parts[0].content.value;
  const agent = (name) => results.agents.find((a) => a.agent === name);
  assert.equal(results.episodes_played, 16);
  assert.equal(agent('oracle').mean_score, 1);
  assert.equal(agent('random').mean_score, 0);

  // 2. rejections, with reasons
  const rejected = await client.sendMessage(request({ config: { trials: 1 } }));
  assert.equal(rejected.status.state, TaskState.TASK_STATE_REJECTED);
  const unreachable = await client.sendMessage(request({ participants: { ghost: 'http://127.0.0.1:1/' } }));
  assert.equal(unreachable.status.state, TaskState.TASK_STATE_REJECTED);
  assert.match(unreachable.status.message.parts[0].content.value, /ghost.*did not answer/);
  const badTask = await client.sendMessage(request({ participants: { oracle }, config: { tasks: ['no-such-task'] } }));
  assert.equal(badTask.status.state, TaskState.TASK_STATE_REJECTED);

  // 3. cancel a long run (64 tasks x 20 trials) once it is under way
  const long = await client.sendMessage(request({ participants: { oracle, random },
    config: { trials: 20, concurrency: 1, privileged: ['oracle'] } }, true));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const canceled = await client.cancelTask(CancelTaskRequest.fromJSON({ id: long.id }));
  assert.equal(canceled.status.state, TaskState.TASK_STATE_CANCELED);
  console.log(`judge interop: ${progress.length} progress updates, oracle 100%, random 0%, rejections and cancel as specified`);
} catch (error) {
  console.error(`FAIL ${error.stack ?? error}`);
  process.exit(1);
}
