// subject_agents.mjs — subject agents for testing `assay run` in remote mode.
//
// usage: node subject_agents.mjs MODE [PORT]     prints `READY http://127.0.0.1:PORT`
//
//   sdk-solver    an agent on the official @a2a-js/sdk that reads the judge's
//                 message, connects to the task's MCP endpoint with the
//                 official MCP SDK client (bearer token), and solves the task
//                 price-blue-ceramic-mug by browsing; other tasks it answers
//                 with "I do not know" (they must score 0)
//   hang          accepts SendMessage and never answers
//   garbage       answers SendMessage with bytes that are not JSON
//   close         drops the connection on SendMessage
//   huge          answers SendMessage with a 50 MB JSON-RPC response
//   never-finish  answers with a task that stays TASK_STATE_WORKING forever
//   crash         exits the process on its first SendMessage
//   asks          asks for input (TASK_STATE_INPUT_REQUIRED) on a new task, and
//                 completes the task when the follow-up arrives on it
//   slow          answers each SendMessage after 3 s with a completed task
//                 (for holding many episodes open at once)
// All serve a valid agent card, so the runner reaches them.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const mode = process.argv[2];
const port = Number(process.argv[3] ?? 0);
const modules = new URL('./node_modules/', import.meta.url);
const load = (path) => import(new URL(path, modules).href);

function card(url) {
  return {
    name: `test agent (${mode})`, description: 'a subject agent for assay run tests', version: '1.0.0',
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    capabilities: { streaming: false, pushNotifications: false, extendedAgentCard: false },
    defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
    skills: [{ id: 'test', name: 'test', description: 'test', tags: ['test'] }],
  };
}

function ready(server) {
  const actual = server.address().port;
  process.stdout.write(`READY http://127.0.0.1:${actual}\n`);
  return `http://127.0.0.1:${actual}/`;
}

if (mode === 'sdk-solver') {
  const { startSdkSolver } = await import('./subject_sdk_solver.mjs');
  await startSdkSolver(port, load);
} else {
  let url = '';
  // SendMessage results wrap the Task ({task}); GetTask returns the Task itself
  const stuck = () => ({ id: 'stuck-task', contextId: 'stuck',
    status: { state: 'TASK_STATE_WORKING', timestamp: new Date().toISOString() } });
  const working = (id, method) => ({ jsonrpc: '2.0', id, result: method === 'GetTask' ? stuck() : { task: stuck() } });
  const server = http.createServer((request, response) => {
    if (request.method === 'GET') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(card(url)));
      return;
    }
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      let message = {};
      try { message = JSON.parse(body); } catch { /* answered below */ }
      switch (mode) {
        case 'hang': return; // never answer
        case 'garbage':
          response.setHeader('content-type', 'application/json');
          response.end('this is not JSON {{{');
          return;
        case 'close': request.socket.destroy(); return;
        case 'huge': {
          response.setHeader('content-type', 'application/json');
          const padding = 'x'.repeat(50 << 20);
          response.end(`{"jsonrpc":"2.0","id":${JSON.stringify(message.id ?? null)},"result":{"message":{"messageId":"m","role":"ROLE_AGENT","parts":[{"text":"${padding}"}]}}}`);
          return;
        }
        case 'never-finish':
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify(working(message.id ?? null, message.method)));
          return;
        case 'crash': process.exit(1);
        case 'asks': {
          const incoming = message.params?.message ?? {};
          const following = incoming.taskId !== undefined;
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ jsonrpc: '2.0', id: message.id ?? null, result: { task: {
            id: incoming.taskId ?? randomUUID(), contextId: incoming.contextId ?? randomUUID(),
            status: { state: following ? 'TASK_STATE_COMPLETED' : 'TASK_STATE_INPUT_REQUIRED',
                      timestamp: new Date().toISOString() } } } }));
          return;
        }
        case 'slow':
          setTimeout(() => {
            response.setHeader('content-type', 'application/json');
            response.end(JSON.stringify({ jsonrpc: '2.0', id: message.id ?? null, result: { task: {
              id: randomUUID(), contextId: randomUUID(),
              status: { state: 'TASK_STATE_COMPLETED', timestamp: new Date().toISOString() } } } }));
          }, 3000);
          return;
        default:
          response.statusCode = 500;
          response.end();
      }
    });
  });
  server.listen(port, '127.0.0.1', () => { url = ready(server); });
  process.on('SIGTERM', () => process.exit(0));
}
