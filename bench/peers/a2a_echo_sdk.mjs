// a2a_echo_sdk.mjs — the comparison peer for assay's A2A benchmark: the echo
// agent of `assay fixture a2a echo`, written the documented way with the
// official SDK (@a2a-js/sdk): an AgentExecutor behind DefaultRequestHandler
// with the InMemoryTaskStore, served by the SDK's Express handlers
// (agentCardHandler + jsonRpcHandler).
//
// A plain text message is answered with one completed Task that carries the
// echo artifact: a single task event is the shortest path the SDK offers to
// a completed task (the event queue ends on a terminal task status). The
// "input", "slow" and "fail" prefixes behave as in the interop peer
// (tests/interop/a2a_sdk_server.mjs).
//
// usage: node bench/peers/a2a_echo_sdk.mjs [PORT]   (0 or absent = any free port)
// Prints `READY http://127.0.0.1:PORT` once listening.
import { randomUUID } from 'node:crypto';

// The SDK is installed under tests/interop (committed lockfile); load it from
// there (its ESM builds, as `import` would) so this file runs from any
// working directory.
const modules = new URL('../../tests/interop/node_modules/', import.meta.url);
const load = (path) => import(new URL(path, modules).href);
const { default: express } = await load('express/index.js');
const { A2A_PROTOCOL_VERSION, AGENT_CARD_PATH, Role, TaskState } = await load('@a2a-js/sdk/dist/index.js');
const { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } = await load(
  '@a2a-js/sdk/dist/server/index.js');
const { agentCardHandler, jsonRpcHandler, UserBuilder } = await load(
  '@a2a-js/sdk/dist/server/express/index.js');

const SLOW_STEPS = 12;
const SLOW_STEP_MS = 250;

const textPart = (text) => ({
  content: { $case: 'text', value: text },
  mediaType: 'text/plain',
  filename: '',
  metadata: undefined,
});

function firstText(message) {
  for (const part of message?.parts ?? []) if (part.content?.$case === 'text') return part.content.value;
  return '';
}

const agentMessage = (taskId, contextId, text) => ({
  messageId: randomUUID(),
  role: Role.ROLE_AGENT,
  parts: [textPart(text)],
  taskId,
  contextId,
  metadata: undefined,
  extensions: [],
  referenceTaskIds: [],
});

const status = (state, message) => ({ state, message, timestamp: new Date().toISOString() });

const echoArtifact = (text) => ({
  artifactId: 'echo',
  name: 'echo',
  description: '',
  parts: [textPart(text)],
  metadata: undefined,
  extensions: [],
});

class EchoExecutor {
  cancelled = new Set();

  cancelTask = async (taskId) => {
    this.cancelled.add(taskId);
  };

  async execute(context, bus) {
    const { taskId, contextId } = context;
    const message = context.userMessage;
    const text = firstText(message);
    const existing = context.task;
    const plain = existing === undefined && !/^(input|slow|fail)/.test(text);
    if (plain || existing !== undefined) {
      // One event: the finished task with its artifact.
      bus.publish(
        AgentEvent.task({
          id: taskId,
          contextId,
          status: status(TaskState.TASK_STATE_COMPLETED),
          artifacts: [echoArtifact(text)],
          history: existing?.history ?? [message],
          metadata: undefined,
        })
      );
      return;
    }
    const statusUpdate = (state, note) =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: status(state, note === undefined ? undefined : agentMessage(taskId, contextId, note)),
          metadata: undefined,
        })
      );
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: status(TaskState.TASK_STATE_SUBMITTED),
        artifacts: [],
        history: [message],
        metadata: undefined,
      })
    );
    try {
      if (text.startsWith('input')) {
        statusUpdate(TaskState.TASK_STATE_INPUT_REQUIRED, 'more input needed: send a follow-up message on this task');
      } else if (text.startsWith('fail')) {
        statusUpdate(TaskState.TASK_STATE_FAILED, 'failed as asked');
      } else {
        statusUpdate(TaskState.TASK_STATE_WORKING);
        for (let step = 1; step <= SLOW_STEPS; step++) {
          await new Promise((resolve) => setTimeout(resolve, SLOW_STEP_MS));
          if (this.cancelled.has(taskId)) {
            statusUpdate(TaskState.TASK_STATE_CANCELED, 'canceled on request');
            return;
          }
          statusUpdate(TaskState.TASK_STATE_WORKING, `step ${step}/${SLOW_STEPS}`);
        }
        bus.publish(
          AgentEvent.artifactUpdate({
            taskId,
            contextId,
            artifact: echoArtifact(text),
            append: false,
            lastChunk: true,
            metadata: undefined,
          })
        );
        statusUpdate(TaskState.TASK_STATE_COMPLETED);
      }
    } finally {
      this.cancelled.delete(taskId);
    }
  }
}

const port = Number(process.argv[2] ?? 0);
const card = {
  name: 'SDK echo agent',
  description: 'Echo agent on @a2a-js/sdk, the benchmark peer of assay fixture a2a echo.',
  supportedInterfaces: [
    { url: 'http://127.0.0.1:0/', protocolBinding: 'JSONRPC', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION },
  ],
  provider: undefined,
  version: '1.0.0',
  capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
  securitySchemes: {},
  securityRequirements: [],
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [
    {
      id: 'echo',
      name: 'Echo',
      description: 'Echoes the text.',
      tags: ['test'],
      examples: ['hello'],
      inputModes: [],
      outputModes: [],
      securityRequirements: [],
    },
  ],
  signatures: [],
};

const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new EchoExecutor());
const app = express();
app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: requestHandler }));
app.use(jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication }));

const server = app.listen(port, '127.0.0.1', (error) => {
  if (error) {
    console.error(`a2a_echo_sdk: cannot listen: ${error.message}`);
    process.exit(1);
  }
  const actual = server.address().port;
  card.supportedInterfaces[0].url = `http://127.0.0.1:${actual}/`;
  process.stdout.write(`READY http://127.0.0.1:${actual}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
}
