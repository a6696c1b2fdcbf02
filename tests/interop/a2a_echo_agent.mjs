// a2a_echo_agent.mjs — the echo agent written with the official @a2a-js/sdk
// (Express, JSON-RPC binding), with the behaviour contract of
// `assay fixture a2a echo`. Two entry points start it: the interop peer
// (tests/interop/a2a_sdk_server.mjs) and the benchmark peer
// (bench/peers/a2a_echo_sdk.mjs), which asks for single-event completion.
//
// Behaviour contract (first text part of the user message):
//   "input..."  -> TASK_STATE_INPUT_REQUIRED; the next message on the same
//                  task completes it with an echo of that message
//   "slow..."   -> TASK_STATE_WORKING for about 3 s with a status update every
//                  250 ms, then completed (cancelable meanwhile)
//   "fail..."   -> TASK_STATE_FAILED
//   otherwise   -> TASK_STATE_COMPLETED with an artifact "echo" holding the text
//
// The SDK is loaded from this folder's node_modules (committed lockfile) by
// URL, so the module works whatever the importer's working directory.
import { randomUUID } from 'node:crypto';

const modules = new URL('./node_modules/', import.meta.url);
const load = (path) => import(new URL(path, modules).href);
const { default: express } = await load('express/index.js');
const { A2A_PROTOCOL_VERSION, AGENT_CARD_PATH, Role, TaskState } = await load('@a2a-js/sdk/dist/index.js');
const { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } = await load('@a2a-js/sdk/dist/server/index.js');
const { agentCardHandler, jsonRpcHandler, UserBuilder } = await load('@a2a-js/sdk/dist/server/express/index.js');

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

function echoArtifact(text) {
  return { artifactId: 'echo', name: 'echo', description: '', parts: [textPart(text)], metadata: undefined, extensions: [] };
}

class EchoExecutor {
  cancelled = new Set();

  constructor(singleEventCompletion) {
    this.singleEventCompletion = singleEventCompletion;
  }

  cancelTask = async (taskId) => {
    this.cancelled.add(taskId);
  };

  async execute(context, bus) {
    const { taskId, contextId } = context;
    const message = context.userMessage;
    const text = firstText(message);
    const continuing = context.task !== undefined;
    if (this.singleEventCompletion && (continuing || !/^(input|slow|fail)/.test(text))) {
      // The shortest path the SDK offers to a completed task: one task event
      // carrying the artifact (the event queue ends on a terminal status).
      bus.publish(
        AgentEvent.task({
          id: taskId,
          contextId,
          status: status(TaskState.TASK_STATE_COMPLETED),
          artifacts: [echoArtifact(text)],
          history: context.task?.history ?? [message],
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
    const complete = (echoed) => {
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: echoArtifact(echoed),
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

// Starts the agent on 127.0.0.1:port (0: any free port) and prints
// `READY http://127.0.0.1:PORT` once listening; stops on SIGINT/SIGTERM.
// singleEventCompletion: answer plain messages with one completed task event.
export function startEchoAgent(port, { name = 'SDK echo agent', singleEventCompletion = false } = {}) {
  const card = {
    name,
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

  const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new EchoExecutor(singleEventCompletion));
  const app = express();
  app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: requestHandler }));
  app.use(jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication }));

  const server = app.listen(port, '127.0.0.1', (error) => {
    if (error) {
      console.error(`${name}: cannot listen: ${error.message}`);
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
}
