// subject_sdk_solver.mjs — a subject agent on the official SDKs (A2A server
// from @a2a-js/sdk, MCP client from @modelcontextprotocol/sdk), used by
// subject_agents.mjs in mode sdk-solver. It solves price-blue-ceramic-mug by
// browsing the shop through the task's MCP tools and reading the price off
// the page; any other task it answers "I do not know".
import { randomUUID } from 'node:crypto';

export async function startSdkSolver(port, load) {
  const { default: express } = await load('express/index.js');
  const { A2A_PROTOCOL_VERSION, AGENT_CARD_PATH, TaskState } = await load('@a2a-js/sdk/dist/index.js');
  const { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } = await load('@a2a-js/sdk/dist/server/index.js');
  const { agentCardHandler, jsonRpcHandler, UserBuilder } = await load('@a2a-js/sdk/dist/server/express/index.js');
  const { Client } = await load('@modelcontextprotocol/sdk/dist/esm/client/index.js');
  const { StreamableHTTPClientTransport } = await load('@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.js');

  const textOf = (result) => result.content.map((block) => block.text ?? '').join('');

  async function play(assay) {
    const client = new Client({ name: 'sdk-solver', version: '1.0.0' }, { capabilities: {} });
    const headers = assay.mcp.token ? { Authorization: `Bearer ${assay.mcp.token}` } : {};
    await client.connect(new StreamableHTTPClientTransport(new URL(assay.mcp.url), { requestInit: { headers } }));
    try {
      if (assay.task !== 'price-blue-ceramic-mug') {
        await client.callTool({ name: 'answer', arguments: { text: 'I do not know' } });
        return 'gave an honest non-answer';
      }
      const page = textOf(await client.callTool({ name: 'open', arguments: { url: 'http://shop.local/search?q=blue+mug' } }));
      const link = page.match(/\[(\d+)\] link "Ceramic mug \(blue\)/);
      const product = textOf(await client.callTool({ name: 'click', arguments: { element: Number(link[1]) } }));
      const price = product.match(/Price: \$([0-9.]+)/)[1];
      await client.callTool({ name: 'answer', arguments: { text: `$${price}` } });
      return `answered $${price}`;
    } finally {
      await client.close();
    }
  }

  const part = (text) => ({ content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined });
  class Solver {
    cancelTask = async () => {};
    async execute(context, bus) {
      const { taskId, contextId } = context;
      const message = context.userMessage;
      bus.publish(AgentEvent.task({ id: taskId, contextId, history: [message], artifacts: [], metadata: undefined,
        status: { state: TaskState.TASK_STATE_WORKING, timestamp: new Date().toISOString() } }));
      let state = TaskState.TASK_STATE_COMPLETED;
      let note;
      try {
        const data = message.parts.find((p) => p.content?.$case === 'data')?.content.value;
        note = await play(data.assay);
      } catch (error) {
        state = TaskState.TASK_STATE_FAILED;
        note = `failed: ${error.message}`;
      }
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, metadata: undefined, status: {
        state, timestamp: new Date().toISOString(),
        message: { messageId: randomUUID(), role: 2, parts: [part(note)], taskId, contextId, metadata: undefined,
          extensions: [], referenceTaskIds: [] } } }));
    }
  }
  const card = {
    name: 'SDK solver', description: 'solves one web-of-sites task with the official SDKs', version: '1.0.0',
    supportedInterfaces: [{ url: 'http://127.0.0.1:0/', protocolBinding: 'JSONRPC', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION }],
    provider: undefined, capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {}, securityRequirements: [], defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
    skills: [{ id: 'web', name: 'web', description: 'web errands', tags: ['web'], examples: [], inputModes: [],
      outputModes: [], securityRequirements: [] }],
    signatures: [],
  };
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new Solver());
  const app = express();
  app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: handler }));
  app.use(jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  const server = app.listen(port, '127.0.0.1', () => {
    const actual = server.address().port;
    card.supportedInterfaces[0].url = `http://127.0.0.1:${actual}/`;
    process.stdout.write(`READY http://127.0.0.1:${actual}\n`);
  });
  process.on('SIGTERM', () => { server.close(); server.closeAllConnections?.(); process.exit(0); });
}
