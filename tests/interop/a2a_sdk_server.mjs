// a2a_sdk_server.mjs — the interop peer: the official SDK's echo agent
// (tests/interop/a2a_echo_agent.mjs, which states the behaviour contract),
// so that assay's A2A client is tested against an independent implementation.
//
// usage: node a2a_sdk_server.mjs [PORT]     (0 or absent: an ephemeral port)
// Prints exactly one line `READY http://127.0.0.1:PORT` once listening.
import { startEchoAgent } from './a2a_echo_agent.mjs';

startEchoAgent(Number(process.argv[2] ?? 0));
