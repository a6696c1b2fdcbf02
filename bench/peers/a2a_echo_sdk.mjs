// a2a_echo_sdk.mjs — the comparison peer for assay's A2A benchmark: the echo
// agent of `assay fixture a2a echo` written the documented way with the
// official SDK (tests/interop/a2a_echo_agent.mjs: an AgentExecutor behind
// DefaultRequestHandler with the InMemoryTaskStore, served by the SDK's
// Express handlers). Plain messages are answered with one completed task
// event, the shortest path the SDK offers, so the peer is not handicapped.
//
// usage: node bench/peers/a2a_echo_sdk.mjs [PORT]   (0 or absent = any free port)
// Prints `READY http://127.0.0.1:PORT` once listening.
import { startEchoAgent } from '../../tests/interop/a2a_echo_agent.mjs';

startEchoAgent(Number(process.argv[2] ?? 0), { name: 'SDK echo agent (benchmark peer)', singleEventCompletion: true });
