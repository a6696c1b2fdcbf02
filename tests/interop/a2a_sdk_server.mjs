// a2a_sdk_server.mjs — an echo agent written with the official @a2a-js/sdk
// server (Express, JSON-RPC binding), with the same behaviour contract as
// `assay fixture a2a echo`, so that assay's A2A client can be tested against
// an independent implementation.
//
// usage: node a2a_sdk_server.mjs [PORT]     (0 or absent: an ephemeral port)
// Prints exactly one line `READY http://127.0.0.1:PORT` once listening.
//
// Behaviour contract (first text part of the user message):
//   "input..."  -> TASK_STATE_INPUT_REQUIRED; the next message on the same
//                  task completes it with an echo of that message
//   "slow..."   -> TASK_STATE_WORKING for about 3 s with a status update every
//                  250 ms, then completed (cancelable meanwhile)
//   "fail..."   -> TASK_STATE_FAILED
//   otherwise   -> TASK_STATE_COMPLETED with an artifact "echo" holding the text
import express from 'express';
import { randomUUID } from 'node:crypto';
import { A2A_PROTOCOL_VERSION, AGENT_CARD_PATH, Role, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';

const SLOW_STEPS = 12;
const SLOW_STEP_MS = 250;

function textPart(text) {
  return { content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined };
}

function firstText(message) {
  for (const part of message?.parts ?? []) {
    if (part.content?.$case === 'text') return part.content.value;
  }
  return '';
}

function agentMessage(taskId, contextId, text) {
  return {
    messageId: randomUUID(),
    role: Role.ROLE_AGENT,
    parts: [textPart(text)],
    taskId,
    contextId,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

function status(state, message) {
  return { state, message, timestamp: new Date().toISOString() };
}

class EchoExecutor {
  cancelled = new Set();

  cancelTask = async (taskId) => {
    this.cancelled.add(taskId);
  };

  async execute(context, bus) {
    const { taskId, contextId } = context;
    const message = context.userMessage;
    const text = firstText(message);
    const continuing = context.task !== undefined;
    const statusUpdate = (state, note) =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: status(state, note === undefined ? undefined : agentMessage(taskId, contextId, note)),
          metadata: undefined,
        })
      );
    const complete = (echoed) => {
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: 'echo',
            name: 'echo',
            description: '',
            parts: [textPart(echoed)],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        })
      );
      statusUpdate(TaskState.TASK_STATE_COMPLETED);
    };

    // Every turn starts with a task event (the SDK requires it).
    bus.publish(
      AgentEvent.task(
        continuing
          ? context.task
          : {
              id: taskId,
              contextId,
              status: status(TaskState.TASK_STATE_SUBMITTED),
              artifacts: [],
              history: [message],
              metadata: undefined,
            }
      )
    );

    try {
      if (continuing) {
        complete(text);
      } else if (text.startsWith('input')) {
        statusUpdate(TaskState.TASK_STATE_INPUT_REQUIRED, 'more input needed: send a follow-up message on this task');
      } else if (text.startsWith('fail')) {
        statusUpdate(TaskState.TASK_STATE_FAILED, 'failed as asked');
      } else if (text.startsWith('slow')) {
        statusUpdate(TaskState.TASK_STATE_WORKING);
        for (let step = 1; step <= SLOW_STEPS; step++) {
          await new Promise((resolve) => setTimeout(resolve, SLOW_STEP_MS));
          if (this.cancelled.has(taskId)) {
            statusUpdate(TaskState.TASK_STATE_CANCELED, 'canceled on request');
            return;
          }
          statusUpdate(TaskState.TASK_STATE_WORKING, `step ${step}/${SLOW_STEPS}`);
        }
        complete(text);
      } else {
        complete(text);
      }
    } finally {
      this.cancelled.delete(taskId);
    }
  }
}

const port = Number(process.argv[2] ?? 0);
const card = {
  name: 'SDK echo agent',
  description: 'Echo agent on @a2a-js/sdk, the interop peer of assay fixture a2a echo.',
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
      description: 'Echoes the text; "input", "slow" and "fail" prefixes exercise the protocol.',
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
    console.error(`a2a_sdk_server: cannot listen: ${error.message}`);
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
