// mcp_echo_sdk.mjs — the comparison peer for assay's MCP benchmark: the
// same `echo` tool as `assay fixture mcp http`, written the documented way
// with the official SDK (@modelcontextprotocol/sdk): McpServer +
// StreamableHTTPServerTransport on express (createMcpExpressApp, which adds
// the SDK's DNS-rebinding protection), stateful sessions (one McpServer and
// transport per session, found by Mcp-Session-Id), JSON responses
// (enableJsonResponse: true) so it answers like assay does for plain calls.
//
// usage: node bench/peers/mcp_echo_sdk.mjs [PORT]   (0 or absent = any free port)
// Prints `READY http://127.0.0.1:PORT/mcp` once listening.
import { randomUUID } from 'node:crypto';

// The SDK is installed under tests/interop (committed lockfile); resolve it
// from there so this file runs from any working directory.
const modules = new URL('../../tests/interop/node_modules/', import.meta.url);
const load = (path) => import(new URL(path, modules).href);
const { McpServer } = await load('@modelcontextprotocol/sdk/dist/esm/server/mcp.js');
const { StreamableHTTPServerTransport } = await load(
  '@modelcontextprotocol/sdk/dist/esm/server/streamableHttp.js');
const { createMcpExpressApp } = await load('@modelcontextprotocol/sdk/dist/esm/server/express.js');
const { isInitializeRequest } = await load('@modelcontextprotocol/sdk/dist/esm/types.js');
const { z } = await load('zod/index.js');

function createServer() {
  const server = new McpServer({ name: 'sdk-echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      description: 'Echoes its text argument back as text content',
      inputSchema: { text: z.string().describe('Text to echo') },
    },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

const transports = new Map();
const app = createMcpExpressApp();

app.post('/mcp', async (req, res) => {
  const sessionId = req.headers['mcp-session-id'];
  let transport = sessionId ? transports.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId || !isInitializeRequest(req.body)) {
      res.status(sessionId ? 404 : 400).json({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Bad Request: No valid session ID provided' },
        id: null,
      });
      return;
    }
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => transports.set(id, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) transports.delete(transport.sessionId);
    };
    await createServer().connect(transport);
  }
  await transport.handleRequest(req, res, req.body);
});

const sessionRequest = async (req, res) => {
  const transport = transports.get(req.headers['mcp-session-id']);
  if (!transport) {
    res.status(400).send('Invalid or missing session ID');
    return;
  }
  await transport.handleRequest(req, res);
};
app.get('/mcp', sessionRequest);
app.delete('/mcp', sessionRequest);

const port = Number(process.argv[2] ?? 0);
const listener = app.listen(port, '127.0.0.1', () => {
  console.log(`READY http://127.0.0.1:${listener.address().port}/mcp`);
});
const stop = () => listener.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
